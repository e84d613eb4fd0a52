/** The networks module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { agreementPages } from './agreements.tsx';
import { contactPages } from './contacts.tsx';
import { nationalPages } from './coverage.tsx';
import { memberPages } from './members.tsx';
import { networkPages } from './networks.tsx';

export async function networksPages(app: App): Promise<void> {
  await networkPages(app);
  await nationalPages(app);
  await memberPages(app);
  await agreementPages(app);
  await contactPages(app);
}
