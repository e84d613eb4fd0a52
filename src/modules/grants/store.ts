/** Reads of the grants module's own tables; agencies come through the structure module's index. */
import type { Principal } from '../../platform/context.ts';
import { bool, isUuid, json, type Db } from '../../platform/db/index.ts';
import { countyByFips } from '../../platform/geo/us.ts';
import { agencyIdsOfOrganization, allAgencies } from '../structure/index.ts';
import { AFTER_NOTICE_DAYS, type Award, type ImportRun, type Notice, type Opportunity, type Plan, type Review, type Watch } from './schema.ts';
import { grantsDb, type AwardTable, type NoticeTable, type OpportunityTable, type PlanTable } from './tables.ts';

const day = (v: unknown) => (v === null || v === undefined ? null : (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10));
const iso = (v: unknown) => new Date(String(v instanceof Date ? v.toISOString() : v)).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Federal fiscal year of a date: FY N runs from 1 October N-1 to 30 September N. */
export function fiscalYearOf(date: string): number {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 10 ? y + 1 : y;
}

export function fiscalYearRange(fy: number): { from: string; to: string } {
  return { from: `${fy - 1}-10-01`, to: `${fy}-09-30` };
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(date + 'T00:00:00Z') + days * 86_400_000).toISOString().slice(0, 10);
}

/** The agencies the principal's account organisation acts for (structure module, docs/structure.md). */
export async function agenciesOf(db: Db, p: Principal): Promise<ReadonlySet<string>> {
  if (p.kind !== 'person' && p.kind !== 'token') return new Set();
  return new Set(await agencyIdsOfOrganization(db, p.actor.organizationId));
}

export async function agencyNames(db: Db): Promise<Map<string, string>> {
  return new Map((await allAgencies(db)).map((a) => [a.id, a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name]));
}

const UNKNOWN_AGENCY = 'Agency no longer listed';

export function toPlan(r: PlanTable, names: Map<string, string>): Plan {
  return {
    id: r.id,
    agency_id: r.agency_id,
    agency_name: names.get(r.agency_id) ?? UNKNOWN_AGENCY,
    fiscal_year: Number(r.fiscal_year),
    programme: r.programme,
    assistance_listing: r.assistance_listing ?? null,
    opportunity_number: r.opportunity_number ?? null,
    purpose: r.purpose,
    eligible_applicants: r.eligible_applicants ?? null,
    populations: json<string[]>(r.populations, []),
    needs: json<string[]>(r.needs, []),
    states: json<string[]>(r.states, []),
    nationwide: bool(r.nationwide),
    estimated_total: num(r.estimated_total),
    number_of_awards: num(r.number_of_awards),
    post_date: day(r.post_date),
    close_date: day(r.close_date),
    status: r.status,
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function getPlan(db: Db, id: string): Promise<Plan | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await grantsDb(db).selectFrom('grants_plan').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toPlan(r, await agencyNames(db)) : undefined;
}

export interface PlanFilter {
  fiscalYear?: number;
  agencyId?: string;
  status?: string;
}

/** Plans by fiscal year, agency and programme. Plans are a few hundred a year at most. */
export async function listPlans(db: Db, f: PlanFilter = {}): Promise<Plan[]> {
  let q = grantsDb(db).selectFrom('grants_plan').selectAll();
  if (f.fiscalYear !== undefined) q = q.where('fiscal_year', '=', f.fiscalYear);
  if (f.agencyId !== undefined) {
    if (!isUuid(f.agencyId)) return [];
    q = q.where('agency_id', '=', f.agencyId);
  }
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  const rows = await q.orderBy('fiscal_year', 'desc').orderBy('programme').orderBy('id').execute();
  const names = await agencyNames(db);
  return rows.map((r) => toPlan(r, names)).sort((a, b) => b.fiscal_year - a.fiscal_year || a.agency_name.localeCompare(b.agency_name) || a.programme.localeCompare(b.programme));
}

/** The versions of a plan, newest first, each with the fields it changed from the one before. */
export async function planVersions(db: Db, planId: string): Promise<{ version: number; saved_by: string; saved_at: string; changed: string[] }[]> {
  if (!isUuid(planId)) return [];
  const rows = await grantsDb(db).selectFrom('grants_plan_version').selectAll().where('plan_id', '=', planId).orderBy('version').execute();
  const out = rows.map((r, i) => {
    const data = json<Record<string, unknown>>(r.data, {});
    const before = i ? json<Record<string, unknown>>(rows[i - 1].data, {}) : {};
    const changed = i ? Object.keys(data).filter((k) => JSON.stringify(data[k]) !== JSON.stringify(before[k])) : [];
    return { version: Number(r.version), saved_by: r.saved_by, saved_at: iso(r.saved_at), changed };
  });
  return out.reverse();
}

export async function reviewsOf(db: Db, planId: string): Promise<Review[]> {
  if (!isUuid(planId)) return [];
  const rows = await grantsDb(db).selectFrom('grants_review').selectAll().where('plan_id', '=', planId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, plan_id: r.plan_id, plan_version: Number(r.plan_version), outcome: r.outcome, comment: r.comment, reviewer_name: r.reviewer_name, created_at: iso(r.created_at) }));
}

// ---------- notices ----------

export function noticeOnTime(n: { filed_at: string; due_on: string }): boolean {
  return n.filed_at.slice(0, 10) <= n.due_on;
}

export const dueOn = (timing: string, decisionOn: string) => (timing === 'after' ? addDays(decisionOn, AFTER_NOTICE_DAYS) : decisionOn);

async function toNotices(db: Db, rows: NoticeTable[]): Promise<Notice[]> {
  if (!rows.length) return [];
  const names = await agencyNames(db);
  const ids = rows.map((r) => r.id);
  const acks = await grantsDb(db).selectFrom('grants_notice_ack').selectAll().where('notice_id', 'in', ids).orderBy('acknowledged_at').execute();
  const planIds = [...new Set(rows.map((r) => r.plan_id).filter((x): x is string => !!x))];
  const plans = planIds.length ? await grantsDb(db).selectFrom('grants_plan').select(['id', 'programme']).where('id', 'in', planIds).execute() : [];
  const programme = new Map(plans.map((p) => [p.id, p.programme]));
  return rows.map((r) => {
    const filed_at = iso(r.filed_at);
    const due_on = day(r.due_on)!;
    return {
      id: r.id,
      agency_id: r.agency_id,
      agency_name: names.get(r.agency_id) ?? UNKNOWN_AGENCY,
      plan_id: r.plan_id ?? null,
      plan_programme: r.plan_id ? (programme.get(r.plan_id) ?? null) : null,
      timing: r.timing,
      subject: r.subject,
      summary: r.summary,
      decision_on: day(r.decision_on)!,
      due_on,
      filed_at,
      filed_by: r.filed_by,
      on_time: noticeOnTime({ filed_at, due_on }),
      acknowledgements: acks.filter((a) => a.notice_id === r.id).map((a) => ({ user_id: a.user_id, user_name: a.user_name, acknowledged_at: iso(a.acknowledged_at) })),
    };
  });
}

export async function getNotice(db: Db, id: string): Promise<Notice | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await grantsDb(db).selectFrom('grants_notice').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? (await toNotices(db, [r]))[0] : undefined;
}

export interface NoticeFilter {
  planId?: string;
  agencyId?: string;
  fiscalYear?: number;
}

/** Notices newest first; by fiscal year of their decision date. */
export async function listNotices(db: Db, f: NoticeFilter = {}): Promise<Notice[]> {
  let q = grantsDb(db).selectFrom('grants_notice').selectAll();
  if (f.planId !== undefined) q = q.where('plan_id', '=', f.planId);
  if (f.agencyId !== undefined) q = q.where('agency_id', '=', f.agencyId);
  if (f.fiscalYear !== undefined) {
    const r = fiscalYearRange(f.fiscalYear);
    q = q.where('decision_on', '>=', r.from).where('decision_on', '<=', r.to);
  }
  return toNotices(db, await q.orderBy('filed_at', 'desc').orderBy('id').limit(1000).execute());
}

// ---------- opportunities ----------

export const grantsGovUrl = (id: string) => `https://www.grants.gov/search-results-detail/${id}`;

export function toOpportunity(r: OpportunityTable): Opportunity {
  return {
    opportunity_id: r.opportunity_id,
    kind: r.kind,
    number: r.number ?? null,
    title: r.title,
    agency_code: r.agency_code ?? null,
    agency_name: r.agency_name ?? null,
    listings: json<string[]>(r.listings, []),
    eligible: json<string[]>(r.eligible, []),
    post_date: day(r.post_date),
    close_date: day(r.close_date),
    last_updated: day(r.last_updated)!,
    award_ceiling: num(r.award_ceiling),
    award_floor: num(r.award_floor),
    estimated_total: num(r.estimated_total),
    expected_awards: num(r.expected_awards),
    fiscal_year: num(r.fiscal_year),
    description: r.description ?? null,
    url: r.url && /^https?:\/\//i.test(r.url) ? r.url : null,
    matched: json<string[]>(r.matched, []),
    plan_id: r.plan_id ?? null,
    grants_gov_url: grantsGovUrl(r.opportunity_id),
  };
}

export interface OpportunityFilter {
  q?: string;
  listing?: string;
  kind?: string;
  openOn?: string;
  /** Listing numbers of plans serving a need: opportunities linked to such plans or carrying such listings. */
  planIds?: string[];
}

export async function listOpportunities(db: Db, f: OpportunityFilter, limit: number, offset: number): Promise<{ items: Opportunity[]; total: number }> {
  let q = grantsDb(db).selectFrom('grants_opportunity');
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.openOn) {
    const on = f.openOn;
    q = q.where((eb) => eb.or([eb('close_date', 'is', null), eb('close_date', '>=', on)]));
  }
  if (f.listing) q = q.where('listing_keys', 'like', `% ${f.listing} %`);
  if (f.q) {
    const words = f.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
    for (const w of words) {
      const pat = '%' + w.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['title']), 'like', pat), eb(eb.fn('lower', ['description']), 'like', pat)]));
    }
  }
  if (f.planIds) {
    const ids = f.planIds;
    if (!ids.length) return { items: [], total: 0 };
    q = q.where('plan_id', 'in', ids);
  }
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q.selectAll().orderBy('close_date').orderBy('opportunity_id').limit(limit).offset(offset).execute();
  return { items: rows.map(toOpportunity), total };
}

export async function getOpportunity(db: Db, id: string): Promise<Opportunity | undefined> {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const r = await grantsDb(db).selectFrom('grants_opportunity').selectAll().where('opportunity_id', '=', id).executeTakeFirst();
  return r ? toOpportunity(r) : undefined;
}

export async function opportunitiesOfPlan(db: Db, planId: string): Promise<Opportunity[]> {
  if (!isUuid(planId)) return [];
  return (await grantsDb(db).selectFrom('grants_opportunity').selectAll().where('plan_id', '=', planId).orderBy('opportunity_id').execute()).map(toOpportunity);
}

/** Opportunities with a close date on or after `from`, for the calendar feed (bounded). */
export async function closingOpportunities(db: Db, from: string): Promise<Opportunity[]> {
  const rows = await grantsDb(db).selectFrom('grants_opportunity').selectAll().where('close_date', '>=', from).orderBy('close_date').limit(2000).execute();
  return rows.map(toOpportunity);
}

// ---------- awards ----------

export function toAward(r: AwardTable, names: Map<string, string>): Award {
  const county = r.county_fips ? countyByFips(r.county_fips) : undefined;
  return {
    id: r.id,
    award_key: r.award_key,
    source: r.source,
    agency_id: r.agency_id ?? null,
    agency_name: r.agency_id ? (names.get(r.agency_id) ?? UNKNOWN_AGENCY) : null,
    awarding_agency: r.awarding_agency ?? null,
    recipient_name: r.recipient_name,
    recipient_uei: r.recipient_uei ?? null,
    assistance_listing: r.assistance_listing ?? null,
    action_date: day(r.action_date),
    amount: Number(r.amount),
    state: r.state,
    county_fips: r.county_fips ?? null,
    county_name: county ? county.name : null,
    zip: r.zip ?? null,
    description: r.description ?? null,
    plan_id: r.plan_id ?? null,
  };
}

export interface AwardFilter {
  state?: string;
  fiscalYear?: number;
  agencyId?: string;
  planId?: string;
}

export async function listAwards(db: Db, f: AwardFilter = {}, limit = 10000, offset = 0): Promise<{ items: Award[]; total: number }> {
  let q = grantsDb(db).selectFrom('grants_award');
  if (f.state) q = q.where('state', '=', f.state);
  if (f.agencyId) q = q.where('agency_id', '=', f.agencyId);
  if (f.planId) q = q.where('plan_id', '=', f.planId);
  if (f.fiscalYear !== undefined) {
    const r = fiscalYearRange(f.fiscalYear);
    q = q.where('action_date', '>=', r.from).where('action_date', '<=', r.to);
  }
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q.selectAll().orderBy('action_date', 'desc').orderBy('award_key').limit(limit).offset(offset).execute();
  const names = await agencyNames(db);
  return { items: rows.map((r) => toAward(r, names)), total };
}

export async function getAward(db: Db, id: string): Promise<Award | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await grantsDb(db).selectFrom('grants_award').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toAward(r, await agencyNames(db)) : undefined;
}

// ---------- watch list, settings, import runs ----------

export async function listWatch(db: Db): Promise<Watch[]> {
  const rows = await grantsDb(db).selectFrom('grants_watch').selectAll().orderBy('kind').orderBy('value').execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, value: r.value, created_at: iso(r.created_at) }));
}

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  return (await grantsDb(db).selectFrom('grants_setting').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export const EXTRACT_SOURCE = 'extract_source';

export async function listImports(db: Db, limit = 20): Promise<ImportRun[]> {
  const rows = await grantsDb(db).selectFrom('grants_import').selectAll().orderBy('started_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    started_at: iso(r.started_at),
    finished_at: r.finished_at ? iso(r.finished_at) : null,
    status: r.status,
    records: Number(r.records),
    kept: Number(r.kept),
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    unchanged: Number(r.unchanged),
    quarantined: Number(r.quarantined),
    detail: r.detail ?? null,
  }));
}
