/**
 * The tabulator: a measure and up to two dimensions over the modules' published facts, answered as one table with
 * its totals, suppressed as a page (platform/stats/page.ts), kept for a few minutes, and the same for the page, the API and CSV.
 * Dimensions may be multi-valued (a practice serves several populations): a record then counts in each of its values,
 * and totals count each record once.
 */
import type { Ctx } from '../../platform/context.ts';
import { badRequest, type FieldError } from '../../platform/http/errors.ts';
import { isLang, type Lang, type Translate } from '../../platform/web/i18n.ts';
import { allPractices, PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, PRACTICE_SETTINGS } from '../practices/index.ts';
import { DIRECTORY_TERMS, NEED_TERMS, serviceFacts } from '../directory/index.ts';
import { referralFacts, REFERRAL_NEEDS } from '../referrals/index.ts';
import { listAwards } from '../grants/index.ts';
import { listWorkplanItems, WORKPLAN_STATUSES } from '../workplans/index.ts';
import { allAgencies } from '../structure/index.ts';
import { publishPage, type CountTable, type PublishedTable } from '../../platform/stats/page.ts';
import { CACHE_SECONDS, groupIndices, quarterOf, RESULTS, resultOf, stateOfCounty } from './themes.ts';
import { stateName } from '../../platform/geo/us.ts';

interface Dimension<R> {
  /** The values in display order: fixed, or found in the records (states, quarters, agencies). */
  values: readonly string[] | ((records: readonly R[], t: Translate, lang: string) => string[]);
  label(t: Translate, value: string, lang: string): string;
  of(record: R): readonly string[];
}

interface Measure<R> {
  load(ctx: Ctx): Promise<R[]>;
  dimensions: Record<string, Dimension<R>>;
}

type Practice = Awaited<ReturnType<typeof allPractices>>[number];
type Service = Awaited<ReturnType<typeof serviceFacts>>[number];
type Referral = Awaited<ReturnType<typeof referralFacts>>[number];
type Award = Awaited<ReturnType<typeof listAwards>>['items'][number];
type Action = Awaited<ReturnType<typeof listWorkplanItems>>[number] & { lead: string };
const POPULATION = new Map(DIRECTORY_TERMS.population.map((x) => [x.code, x]));
const NEED = new Map(NEED_TERMS.map((x) => [x.code, x]));

/** The values a dimension takes in the records, sorted by label (empty ones left out). */
const found =
  <R>(of: (r: R) => readonly string[], byLabel?: (t: Translate, v: string, lang: string) => string) =>
  (records: readonly R[], t: Translate, lang: string) => {
    const set = new Set<string>();
    for (const r of records) for (const v of of(r)) if (v) set.add(v);
    const list = [...set];
    return byLabel ? list.sort((a, b) => byLabel(t, a, lang).localeCompare(byLabel(t, b, lang), lang)) : list.sort();
  };
const state = <R>(of: (r: R) => readonly string[]): Dimension<R> => ({ values: found(of, (_t, v, lang) => stateName(v, asLang(lang))), label: (_t, v, lang) => stateName(v, asLang(lang)), of });
const asLang = (lang: string): Lang => (isLang(lang) ? lang : 'en');
const quarter = <R>(of: (r: R) => readonly string[]): Dimension<R> => ({ values: found(of), label: (_t, v) => v, of });
const population = <R>(of: (r: R) => readonly string[]): Dimension<R> => ({ values: DIRECTORY_TERMS.population.map((x) => x.code), label: (_t, v, lang) => (lang === 'es' ? POPULATION.get(v)?.es : POPULATION.get(v)?.en) ?? v, of });
const one = (v: string) => (v ? [v] : []);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MEASURES: Record<string, Measure<any>> = {
  practices: {
    load: (ctx) => allPractices(ctx.db),
    dimensions: {
      outcome: { values: PRACTICE_OUTCOME_DOMAINS, label: (t, v) => t(`pr.domain.${v}`), of: (p: Practice) => p.outcome_domains },
      rating: { values: PRACTICE_RATINGS.filter((r) => r !== 'inconclusive'), label: (t, v) => t(`pr.rating.${v}`), of: (p: Practice) => [...new Set(p.ratings.map((r) => r.rating))] },
      setting: { values: PRACTICE_SETTINGS, label: (t, v) => t(`pr.setting.${v}`), of: (p: Practice) => [p.setting] },
      population: population((p: Practice) => p.populations),
    },
  } satisfies Measure<Practice>,
  services: {
    load: (ctx) => serviceFacts(ctx.db),
    dimensions: {
      need: { values: NEED_TERMS.map((x) => x.code), label: (_t, v, lang) => (lang === 'es' ? NEED.get(v)?.es : NEED.get(v)?.en) ?? v, of: (s: Service) => s.needs },
      state: state((s: Service) => s.states),
      population: population((s: Service) => s.populations),
    },
  } satisfies Measure<Service>,
  referrals: {
    load: (ctx) => referralFacts(ctx.db),
    dimensions: {
      need: { values: REFERRAL_NEEDS, label: (t, v) => t(`rf.need.${v}`), of: (r: Referral) => r.needs },
      state: state((r: Referral) => one(stateOfCounty(r.area_fips))),
      quarter: quarter((r: Referral) => one(quarterOf(r.sent_at))),
      result: { values: RESULTS, label: (t, v) => t(`rs.in.result.${v}`), of: (r: Referral) => [resultOf(r)] },
    },
  } satisfies Measure<Referral>,
  awards: {
    load: async (ctx) => (await listAwards(ctx.db, {}, 10_000_000)).items,
    dimensions: {
      state: state((a: Award) => one((a.state ?? '').toUpperCase())),
      quarter: quarter((a: Award) => one(quarterOf(a.action_date))),
      agency: { values: found((a: Award) => one(a.agency_name || a.awarding_agency || '')), label: (_t, v) => v, of: (a: Award) => one(a.agency_name || a.awarding_agency || '') },
    },
  } satisfies Measure<Award>,
  actions: {
    load: async (ctx) => {
      const names = new Map((await allAgencies(ctx.db)).map((a) => [a.id, a.abbreviation || a.name]));
      return (await listWorkplanItems(ctx.db)).filter((x) => x.kind === 'action').map((x) => ({ ...x, lead: (x.lead_agency_id && names.get(x.lead_agency_id)) || '' }));
    },
    dimensions: {
      agency: { values: found((a: Action) => one(a.lead)), label: (_t, v) => v, of: (a: Action) => one(a.lead) },
      status: { values: WORKPLAN_STATUSES, label: (t, v) => t(`wp.status.${v}`), of: (a: Action) => [a.status] },
    },
  } satisfies Measure<Action>,
};

export const TABULATOR_MEASURES = Object.keys(MEASURES);
/** The dimensions each measure may be counted by. */
export const TABULATOR_DIMENSIONS_OF: Record<string, string[]> = Object.fromEntries(Object.entries(MEASURES).map(([k, m]) => [k, Object.keys(m.dimensions)]));
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
  const rd = rows ? m.dimensions[rows] : null;
  const cd = cols ? m.dimensions[cols] : null;
  const valuesOf = (d: Dimension<unknown>) => (typeof d.values === 'function' ? d.values(records, t, lang) : d.values);
  const count = t(`rs.tab.measure.${measure}`);
  let table: CountTable;
  if (!rd) table = { id: measure, caption: count, rowHeader: t('rs.tab.all'), columns: [count], rows: [{ label: t('rs.tab.all'), cells: [records.map((_, i) => i)] }] };
  else if (!cd) {
    const by = groupIndices(records, rd.of);
    table = { id: `${measure}-by-${rows}`, caption: t('rs.tab.caption1', { measure: count, rows: t(`rs.tab.dim.${rows}`) }), rowHeader: t(`rs.tab.dim.${rows}`), columns: [count], rows: valuesOf(rd).map((v) => ({ label: rd.label(t, v, lang), cells: [by.get(v) ?? []] })), columnTotals: true };
  } else {
    const by = groupIndices(records, (r) => rd.of(r).flatMap((a) => cd.of(r).map((b) => `${a}\u0000${b}`)));
    const colValues = valuesOf(cd);
    table = {
      id: `${measure}-by-${rows}-and-${cols}`,
      caption: t('rs.tab.caption2', { measure: count, rows: t(`rs.tab.dim.${rows}`), cols: t(`rs.tab.dim.${cols}`) }),
      rowHeader: t(`rs.tab.dim.${rows}`),
      columns: colValues.map((v) => cd.label(t, v, lang)),
      rows: valuesOf(rd).map((v) => ({ label: rd.label(t, v, lang), cells: colValues.map((c) => by.get(`${v}\u0000${c}`) ?? []) })),
      rowTotals: true,
      columnTotals: true,
    };
  }
  const value: Tabulated = { measure, rows, cols, threshold, generated_at: new Date(now).toISOString(), table: publishPage([table], threshold)[0] };
  cache.set(key, { at: now, value });
  return value;
}
