/** The module's HTML pages, a file per resource. */
import type { App } from '../../../platform/module.ts';
import { seriesPages } from './series.tsx';
import { sessionPages } from './sessions.tsx';
import { inputPages } from './inputs.tsx';
import { codingPages } from './coding.tsx';
import { findingsPages } from './findings.tsx';
import { recommendationPages } from './recommendations.tsx';

export async function listeningPages(app: App): Promise<void> {
  await seriesPages(app);
  await sessionPages(app);
  await inputPages(app);
  await codingPages(app);
  await findingsPages(app);
  await recommendationPages(app);
}
