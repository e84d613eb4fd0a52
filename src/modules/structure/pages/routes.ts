import type { App } from '../../../platform/module.ts';
import { overviewPages } from './overview.tsx';
import { agencyPages } from './agencies.tsx';
import { committeePages } from './committees.tsx';
import { partnershipPages } from './partnerships.tsx';
import { representativePages } from './representatives.tsx';

/** The structure's HTML pages, one file per kind of record. */
export async function structurePages(app: App): Promise<void> {
  overviewPages(app);
  agencyPages(app);
  committeePages(app);
  partnershipPages(app);
  representativePages(app);
}
