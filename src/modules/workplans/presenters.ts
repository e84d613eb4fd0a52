/** The plan as the API and the pages show it: shapes built from a PlanView, with no request object. */
import type { Principal } from '../../platform/policy.ts';
import { formatList, type Lang } from '../../platform/web/i18n.ts';
import { parsePeriod } from './periods.ts';
import { maySeeUpdate } from './policies.ts';
import { buildReport, type Report } from './report.ts';
import type { RollupTree } from './schema.ts';
import type { Item, PlanView, Update } from './store.ts';

export function visibleUpdates(p: Principal, updates: Update[]): Update[] {
  return updates.filter((u) => maySeeUpdate(p, u));
}

export function itemOut(plan: PlanView, i: Item) {
  return {
    id: i.id,
    number: i.number,
    kind: i.kind,
    parent_id: i.parent_id,
    title: i.title,
    description: i.description,
    lead_agency_id: i.lead_agency_id,
    lead_agency_name: plan.agencyName(i.lead_agency_id),
    supporting_agency_ids: i.supporting_agency_ids,
    owner_type: plan.owner(i)?.type ?? null,
    owner_id: plan.owner(i)?.id ?? null,
    owner_name: plan.ownerName(i),
    start_date: i.start_date,
    due_date: i.due_date,
    status: i.status,
    derived_status: plan.derivedStatus(i),
    weight: i.weight,
    progress: plan.progress(i),
    late: plan.isLate(i),
    version: i.version,
    created_at: i.created_at,
    updated_at: i.updated_at,
    milestones: i.milestones,
    key_results: i.key_results.map((k) => ({ ...k, ...plan.keyResultValue(i, k.id) })),
  };
}

export function rollupTree(plan: PlanView, i: Item, period: string): RollupTree {
  return {
    id: i.id,
    number: i.number,
    kind: i.kind,
    title: i.title,
    status: plan.statusAsOf(i, period),
    weight: i.weight,
    progress: plan.progress(i, period),
    children: plan.childrenOf(i.id).map((c) => rollupTree(plan, c, period)),
  };
}

export function watchList(plan: PlanView) {
  const actions = plan.actions();
  const closed = plan.lastClosedPeriod.key;
  return {
    period: plan.currentPeriod.key,
    late: plan.items.filter((i) => plan.isLate(i)).map((i) => plan.due(i)),
    at_risk: actions.filter((i) => plan.isAtRisk(i)).map((i) => plan.due(i)),
    missing: actions.filter((i) => plan.owesUpdate(i, plan.lastClosedPeriod) && !plan.hasSubmitted(i.id, closed)).map((i) => ({ ...plan.due(i), period: closed })),
  };
}
export type WatchList = ReturnType<typeof watchList>;

export function agencyView(plan: PlanView, agencyId: string) {
  const agency = plan.dir.agency(agencyId);
  if (!agency) return undefined;
  const byDue = (a: { next_update_due: string | null; number: string }, b: typeof a) => (a.next_update_due ?? '9').localeCompare(b.next_update_due ?? '9') || a.number.localeCompare(b.number);
  return {
    agency,
    period: plan.currentPeriod.key,
    leads: plan.actions().filter((i) => i.lead_agency_id === agencyId).map((i) => plan.due(i)).sort(byDue),
    supports: plan.actions().filter((i) => i.supporting_agency_ids.includes(agencyId)).map((i) => plan.due(i)).sort(byDue),
  };
}
export type AgencyView = NonNullable<ReturnType<typeof agencyView>>;

export interface ReportChoice {
  year?: number;
  period?: string;
  agency_id?: string;
}

/** The report for a year (default: the current one), or for one quarter of it when the period falls in that year. */
export function reportOf(plan: PlanView, q: ReportChoice): Report {
  const year = q.year ?? (q.period ? parsePeriod(q.period)!.year : plan.currentPeriod.year);
  return buildReport(plan, { year, period: q.period && parsePeriod(q.period)!.year === year ? q.period : undefined, agencyId: q.agency_id });
}

/** An update with the number and title of its item, for lists that mix items. */
export function updateOut(plan: PlanView, u: Update) {
  return { ...u, item_number: plan.byId.get(u.item_id)?.number, item_title: plan.byId.get(u.item_id)?.title };
}

const monthFormats = new Map<Lang, Intl.DateTimeFormat>();

/**
 * A reporting period as people read it: "Oct–Dec 2026", "oct–dic 2026". The code ("2026-Q4") stays the value of
 * forms, links and the API; every page and option label shows this instead. Anything that is not a period is shown as is.
 */
export function periodLabel(lang: Lang, key: string): string {
  const p = parsePeriod(key);
  if (!p) return key;
  let f = monthFormats.get(lang);
  if (!f) monthFormats.set(lang, (f = new Intl.DateTimeFormat(`${lang}-US`, { month: 'short', timeZone: 'UTC' })));
  const month = (m: number) => f.format(new Date(Date.UTC(p.year, m, 15))).replace(/\.$/, '');
  const first = (p.quarter - 1) * 3;
  return `${month(first)}–${month(first + 2)} ${p.year}`;
}

/** Several periods in words, joined as the language joins them. */
export function periodLabels(lang: Lang, keys: readonly string[]): string {
  return formatList(lang, keys.map((k) => periodLabel(lang, k)));
}
