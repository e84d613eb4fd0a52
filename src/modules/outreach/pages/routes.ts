/** The outreach module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { campaignPages } from './campaigns.tsx';
import { libraryPages } from './library.tsx';

export async function outreachPages(app: App): Promise<void> {
  await campaignPages(app);
  await libraryPages(app);
}
