/** The grants module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { analysisPages } from './analysis.tsx';
import { awardPages } from './awards.tsx';
import { fundingPages } from './funding.tsx';
import { noticePages } from './notices.tsx';
import { planPages } from './plans.tsx';
import { watchPages } from './watch.tsx';

export async function grantsPages(app: App): Promise<void> {
  await planPages(app);
  await noticePages(app);
  await awardPages(app);
  await watchPages(app);
  await fundingPages(app);
  await analysisPages(app);
}
