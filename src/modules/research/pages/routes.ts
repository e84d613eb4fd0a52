/** The research module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { callPages } from './calls.tsx';
import { catalogPages } from './catalog.tsx';
import { insightsPages } from './insights.tsx';
import { tabulatorPages } from './tabulator.tsx';
import { snapshotPages } from './snapshots.tsx';
import { submissionPages } from './submissions.tsx';

export async function researchPages(app: App): Promise<void> {
  await callPages(app);
  await catalogPages(app);
  await insightsPages(app);
  await tabulatorPages(app);
  await snapshotPages(app);
  await submissionPages(app);
}
