import type { App } from '../../../platform/module.ts';
import { searchPages } from './search.tsx';
import { servicePages } from './services.tsx';
import { organizationPages } from './organizations.tsx';
import { downloadPages } from './downloads.tsx';
import { listingPages } from './listings.tsx';
import { editPages } from './edit.tsx';
import { proposalPages } from './proposals.tsx';
import { listPages } from './lists.tsx';

/** The directory's HTML pages, one file per resource. */
export async function directoryPages(app: App): Promise<void> {
  searchPages(app);
  servicePages(app);
  organizationPages(app);
  downloadPages(app);
  listingPages(app);
  editPages(app);
  proposalPages(app);
  listPages(app);
}
