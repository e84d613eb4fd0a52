/**
 * The published datasets this module regenerates on a schedule (issue 20, item 5), each as it is served publicly:
 * already suppressed, so a snapshot holds nothing the public could not read on the day.
 */
import type { Ctx } from '../../platform/context.ts';
import { translator } from '../../platform/web/i18n.ts';
import { dataJson } from './catalog.ts';
import { pageCsv } from '../../platform/stats/page.ts';
import { THEMES, themePage } from './themes.ts';

export interface Generated {
  dataset: string;
  media_type: string;
  content: string;
}

export const SNAPSHOT_DATASETS = ['data-json', ...THEMES.map((t) => `insights-${t}`)];

/** Every snapshotted dataset as served now (English labels), built fresh, not from the pages' cache. */
export async function generateDatasets(ctx: Ctx): Promise<Generated[]> {
  const t = translator('en');
  const out: Generated[] = [{ dataset: 'data-json', media_type: 'application/json', content: JSON.stringify(dataJson(ctx.config, new Map()), null, 2) }];
  for (const theme of THEMES) {
    // Built from the data as it is now (and kept as the page's cache, so the page shows what the snapshot holds).
    const page = await themePage(ctx, theme, 'en', t, Date.now(), true);
    out.push({ dataset: `insights-${theme}`, media_type: 'text/csv', content: pageCsv(page.tables) });
  }
  return out;
}
