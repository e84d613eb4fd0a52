/**
 * The published datasets this module regenerates on a schedule (issue 20, item 5), each as it is served publicly:
 * already suppressed, so a snapshot holds nothing the public could not read on the day.
 */
import type { Ctx } from '../../platform/context.ts';
import { translator } from '../../platform/web/i18n.ts';
import { callCsvPath, catalogDatasets, dataJson, publicCallCsv } from './catalog.ts';
import { compile } from './presenters.ts';
import { agencyNames, getCall, submissionsOf } from './store.ts';
import { pageCsv } from '../../platform/stats/page.ts';
import { THEMES, themePage } from './themes.ts';

export interface Generated {
  dataset: string;
  media_type: string;
  content: string;
}

/** The datasets always snapshotted; each data call the chair made public is kept as well, as `data-call-<id>`. */
export const SNAPSHOT_DATASETS = ['data-json', ...THEMES.map((t) => `insights-${t}`)];

/**
 * Every snapshotted dataset as served now (English labels), built fresh, not from the pages' cache: the catalog, the
 * insights CSVs, and the compiled table of each public data call. The practices CSV and the live APIs of the catalog
 * are the other modules' to version.
 */
export async function generateDatasets(ctx: Ctx): Promise<Generated[]> {
  const t = translator('en');
  const datasets = await catalogDatasets(ctx.db);
  const out: Generated[] = [{ dataset: 'data-json', media_type: 'application/json', content: JSON.stringify(dataJson(ctx.config, new Map(), datasets), null, 2) }];
  const names = await agencyNames(ctx.db);
  for (const d of datasets) {
    for (const x of d.distributions) {
      const id = x.snapshot?.startsWith('data-call-') ? x.snapshot.slice('data-call-'.length) : undefined;
      const c = id && x.path === callCsvPath(id) ? await getCall(ctx.db, id) : undefined;
      if (c?.public) out.push({ dataset: x.snapshot!, media_type: 'text/csv', content: publicCallCsv(compile(c, names, await submissionsOf(ctx.db, c.id)), c.fields.filter((f) => f.type === 'count').map((f) => f.key), ctx.config.suppressionThreshold) });
    }
  }
  for (const theme of THEMES) {
    // Built from the data as it is now (and kept as the page's cache, so the page shows what the snapshot holds).
    const page = await themePage(ctx, theme, 'en', t, Date.now(), true);
    out.push({ dataset: `insights-${theme}`, media_type: 'text/csv', content: pageCsv(page.tables) });
  }
  return out;
}
