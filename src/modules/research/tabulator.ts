/**
 * The tabulator: a measure and up to two dimensions over the modules' published facts, answered as one table with
 * its totals, suppressed as a page (platform/stats/page.ts), kept for a few minutes, and the same for the page, the API and CSV.
 * Dimensions may be multi-valued (a practice serves several populations): a record then counts in each of its values,
 * and totals count each record once.
 */
import type { Ctx } from '../../platform/context.ts';
import { badRequest, type FieldError } from '../../platform/http/errors.ts';
import type { Translate } from '../../platform/web/i18n.ts';
import { allPractices, PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, PRACTICE_SETTINGS } from '../practices/index.ts';
import { DIRECTORY_TERMS } from '../directory/index.ts';
import { publishPage, type CountTable, type PublishedTable } from '../../platform/stats/page.ts';
import { CACHE_SECONDS } from './themes.ts';

interface Dimension<R> {
  values: readonly string[];
  label(t: Translate, value: string, lang: string): string;
  of(record: R): readonly string[];
}

interface Measure<R> {
  load(ctx: Ctx): Promise<R[]>;
  dimensions: Record<string, Dimension<R>>;
}

type Practice = Awaited<ReturnType<typeof allPractices>>[number];
const POPULATION = new Map(DIRECTORY_TERMS.population.map((x) => [x.code, x]));

const MEASURES: Record<string, Measure<Practice>> = {
  practices: {
    load: (ctx) => allPractices(ctx.db),
    dimensions: {
      outcome: { values: PRACTICE_OUTCOME_DOMAINS, label: (t, v) => t(`pr.domain.${v}`), of: (p) => p.outcome_domains },
      rating: { values: PRACTICE_RATINGS.filter((r) => r !== 'inconclusive'), label: (t, v) => t(`pr.rating.${v}`), of: (p) => [...new Set(p.ratings.map((r) => r.rating))] },
      setting: { values: PRACTICE_SETTINGS, label: (t, v) => t(`pr.setting.${v}`), of: (p) => [p.setting] },
      population: { values: DIRECTORY_TERMS.population.map((x) => x.code), label: (_t, v, lang) => (lang === 'es' ? POPULATION.get(v)?.es : POPULATION.get(v)?.en) ?? v, of: (p) => p.populations },
    },
  },
};

export const TABULATOR_MEASURES = Object.keys(MEASURES);
export const TABULATOR_DIMENSIONS = [...new Set(Object.values(MEASURES).flatMap((m) => Object.keys(m.dimensions)))];

export interface TabulateQuery {
  measure?: string;
  rows?: string;
  cols?: string;
}

export interface Tabulated {
  measure: string;
  rows: string | null;
  cols: string | null;
  threshold: number;
  generated_at: string;
  table: PublishedTable;
}

/** The query checked: every problem names its parameter. */
export function checkQuery(q: TabulateQuery): { measure: string; rows: string | null; cols: string | null } {
  const errors: FieldError[] = [];
  const measure = q.measure ?? 'practices';
  const m = MEASURES[measure];
  if (!m) errors.push({ field: 'measure', message: `must be one of: ${TABULATOR_MEASURES.join(', ')}` });
  const dims = m ? Object.keys(m.dimensions) : TABULATOR_DIMENSIONS;
  for (const k of ['rows', 'cols'] as const) if (q[k] && !dims.includes(q[k]!)) errors.push({ field: k, message: `must be one of: ${dims.join(', ')}` });
  if (q.rows && q.cols && q.rows === q.cols && !errors.some((e) => e.field === 'cols')) errors.push({ field: 'cols', message: 'must differ from rows' });
  if (!q.rows && q.cols) errors.push({ field: 'rows', message: 'is required when cols is given' });
  if (errors.length) throw badRequest(errors);
  return { measure, rows: q.rows || null, cols: q.cols || null };
}

const cache = new Map<string, { at: number; value: Tabulated }>();

export async function tabulate(ctx: Ctx, q: TabulateQuery, lang: string, t: Translate, now = Date.now()): Promise<Tabulated> {
  const { measure, rows, cols } = checkQuery(q);
  const threshold = ctx.config.suppressionThreshold;
  const key = `${ctx.config.databaseUrl}/${measure}/${rows}/${cols}/${lang}/${threshold}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_SECONDS * 1000) return hit.value;
  const m = MEASURES[measure];
  const records = await m.load(ctx);
  const all = records.map((_, i) => i);
  const member = (d: Dimension<Practice>, v: string) => all.filter((i) => d.of(records[i]).includes(v));
  const rd = rows ? m.dimensions[rows] : null;
  const cd = cols ? m.dimensions[cols] : null;
  const count = t(`rs.tab.measure.${measure}`);
  let table: CountTable;
  if (!rd) table = { id: measure, caption: count, rowHeader: t('rs.tab.all'), columns: [count], rows: [{ label: t('rs.tab.all'), cells: [all] }] };
  else if (!cd) table = { id: `${measure}-by-${rows}`, caption: t('rs.tab.caption1', { measure: count, rows: t(`rs.tab.dim.${rows}`) }), rowHeader: t(`rs.tab.dim.${rows}`), columns: [count], rows: rd.values.map((v) => ({ label: rd.label(t, v, lang), cells: [member(rd, v)] })), columnTotals: true };
  else {
    const byRow = rd.values.map((v) => member(rd, v));
    const byCol = cd.values.map((v) => new Set(member(cd, v)));
    table = {
      id: `${measure}-by-${rows}-and-${cols}`,
      caption: t('rs.tab.caption2', { measure: count, rows: t(`rs.tab.dim.${rows}`), cols: t(`rs.tab.dim.${cols}`) }),
      rowHeader: t(`rs.tab.dim.${rows}`),
      columns: cd.values.map((v) => cd.label(t, v, lang)),
      rows: rd.values.map((v, i) => ({ label: rd.label(t, v, lang), cells: byCol.map((c) => byRow[i].filter((r) => c.has(r))) })),
      rowTotals: true,
      columnTotals: true,
    };
  }
  const value: Tabulated = { measure, rows, cols, threshold, generated_at: new Date(now).toISOString(), table: publishPage([table], threshold)[0] };
  cache.set(key, { at: now, value });
  return value;
}
