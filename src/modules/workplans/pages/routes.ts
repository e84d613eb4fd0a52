/** The module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { importPages } from './import.tsx';
import { itemFormPages } from './item-forms.tsx';
import { itemPages } from './items.tsx';
import { planPages } from './plans.tsx';
import { reportPages } from './report.tsx';
import { reviewPages } from './review.tsx';

export async function workplansPages(app: App): Promise<void> {
  await planPages(app);
  await itemPages(app);
  await reviewPages(app);
  await reportPages(app);
  await importPages(app);
  await itemFormPages(app);
}
