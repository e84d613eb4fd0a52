/**
 * Item 5 and 6 of issue 19: plans of different agencies aimed at the same population, need and area in the same
 * window (flagged for coordination); funding by county beside the directory's coverage (counties with an uncovered
 * need and no award); and the yearly summary for the annual report.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/index.ts';
import { counties } from '../../platform/geo/us.ts';
import { DIRECTORY_CONFIDENTIAL, NEED_CODES, needCoverage } from '../directory/index.ts';
import type { Gaps, Overlap, Plan, Summary } from './schema.ts';
import { fiscalYearRange, listAwards, listNotices, listPlans } from './store.ts';

export const DEFAULT_GAP_MILES = 25;

/** The window a plan's solicitation is open: post to close date, else its fiscal year. */
function windowOf(p: Plan): { from: string; to: string } {
  const fy = fiscalYearRange(p.fiscal_year);
  return { from: p.post_date ?? fy.from, to: p.close_date ?? p.post_date ?? fy.to };
}

const shared = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x));

/**
 * Pairs of active plans (not cancelled) of different agencies in one fiscal year that share a population and a need
 * (a plan naming none shares any), an area (a state, or one is nationwide) and overlapping windows.
 */
export function overlaps(plans: readonly Plan[], fiscalYear: number): Overlap {
  const active = plans.filter((p) => p.fiscal_year === fiscalYear && p.status !== 'cancelled');
  const pairs: Overlap['pairs'] = [];
  for (let i = 0; i < active.length; i++) {
    for (let j = i + 1; j < active.length; j++) {
      const a = active[i];
      const b = active[j];
      if (a.agency_id === b.agency_id) continue;
      const populations = !a.populations.length ? b.populations : !b.populations.length ? a.populations : shared(a.populations, b.populations);
      const needs = !a.needs.length ? b.needs : !b.needs.length ? a.needs : shared(a.needs, b.needs);
      if ((a.populations.length && b.populations.length && !populations.length) || (a.needs.length && b.needs.length && !needs.length)) continue;
      const states = a.nationwide ? (b.nationwide ? ['nationwide'] : b.states) : b.nationwide ? a.states : shared(a.states, b.states);
      if (!states.length) continue;
      const wa = windowOf(a);
      const wb = windowOf(b);
      const from = wa.from > wb.from ? wa.from : wb.from;
      const to = wa.to < wb.to ? wa.to : wb.to;
      if (from > to) continue;
      const side = (p: Plan) => ({ id: p.id, agency_name: p.agency_name, programme: p.programme });
      pairs.push({ a: side(a), b: side(b), populations, needs, states, window: { from, to } });
    }
  }
  return { fiscal_year: fiscalYear, pairs };
}

/** Confidential locations count only for callers vetted to see them (docs/directory.md). */
const vetted = (ctx: Ctx) => ctx.actor?.permissions.has(DIRECTORY_CONFIDENTIAL) ?? false;

/**
 * For each county of a state: awards placed there (in the fiscal year, when given) and the needs with no provider
 * within `miles` of its centre. A county is a gap when it has an uncovered need and no award.
 */
export async function gaps(ctx: Ctx, state: string, o: { fiscalYear?: number; miles?: number } = {}): Promise<Gaps> {
  const miles = o.miles ?? DEFAULT_GAP_MILES;
  const cs = counties(state);
  const isVetted = vetted(ctx);
  const cover = await needCoverage(ctx.db, cs.map((c) => ({ key: c.fips, lat: c.centroid.lat, lng: c.centroid.lng })), { miles, needs: NEED_CODES, vetted: isVetted });
  const { items } = await listAwards(ctx.db, { state, fiscalYear: o.fiscalYear });
  const byCounty = new Map<string, { n: number; amount: number }>();
  for (const a of items) {
    if (!a.county_fips) continue;
    const x = byCounty.get(a.county_fips) ?? { n: 0, amount: 0 };
    x.n++;
    x.amount += a.amount;
    byCounty.set(a.county_fips, x);
  }
  return {
    state,
    fiscal_year: o.fiscalYear ?? null,
    distance_miles: miles,
    confidential_included: isVetted,
    counties: cs.map((c) => {
      const r = cover.get(c.fips)!;
      const uncovered = NEED_CODES.filter((n) => !r[n].covered);
      const f = byCounty.get(c.fips) ?? { n: 0, amount: 0 };
      return { fips: c.fips, name: c.name, awards: f.n, amount: Math.round(f.amount * 100) / 100, uncovered_needs: uncovered, gap: uncovered.length > 0 && f.n === 0 };
    }),
  };
}

/** The yearly summary: plans by agency and status, notices filed on time, awards by agency, need and state. */
export async function summary(db: Db, fiscalYear: number): Promise<Summary> {
  const plans = await listPlans(db, { fiscalYear });
  const byAgency = new Map<string, Summary['plans'][number]>();
  for (const p of plans) {
    const row = byAgency.get(p.agency_name) ?? { agency_name: p.agency_name, planned: 0, posted: 0, awarded: 0, cancelled: 0, estimated_total: 0 };
    if (p.status === 'planned' || p.status === 'posted' || p.status === 'awarded' || p.status === 'cancelled') row[p.status]++;
    row.estimated_total += p.estimated_total ?? 0;
    byAgency.set(p.agency_name, row);
  }
  const notices = await listNotices(db, { fiscalYear });
  const onTime = notices.filter((n) => n.on_time).length;
  const { items: awards } = await listAwards(db, { fiscalYear });
  const needsOfPlan = new Map((await listPlans(db)).map((p) => [p.id, p.needs]));
  const add = <K extends string>(m: Map<string, { awards: number; amount: number } & Record<K, string>>, key: K, value: string, amount: number) => {
    const row = m.get(value) ?? ({ [key]: value, awards: 0, amount: 0 } as { awards: number; amount: number } & Record<K, string>);
    row.awards++;
    row.amount += amount;
    m.set(value, row);
  };
  const agencies = new Map<string, { name: string; awards: number; amount: number }>();
  const needs = new Map<string, { need: string; awards: number; amount: number }>();
  const statesM = new Map<string, { state: string; awards: number; amount: number }>();
  for (const a of awards) {
    add(agencies, 'name', a.agency_name ?? a.awarding_agency ?? 'Unknown', a.amount);
    add(statesM, 'state', a.state, a.amount);
    const ns = a.plan_id ? (needsOfPlan.get(a.plan_id) ?? []) : [];
    for (const n of ns.length ? ns : ['unlinked']) add(needs, 'need', n, a.amount);
  }
  const sorted = <T extends { amount: number }>(m: Map<string, T>) => [...m.values()].map((x) => ({ ...x, amount: Math.round(x.amount * 100) / 100 })).sort((a, b) => b.amount - a.amount);
  return {
    fiscal_year: fiscalYear,
    plans: [...byAgency.values()].sort((a, b) => a.agency_name.localeCompare(b.agency_name)),
    notices: { filed: notices.length, on_time: onTime, late: notices.length - onTime },
    awards_by_agency: sorted(agencies),
    awards_by_need: sorted(needs),
    awards_by_state: sorted(statesM),
  };
}
