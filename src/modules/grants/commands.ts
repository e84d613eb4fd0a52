/**
 * The grants module's writes: one function per use case, each checking its policy first and running in one
 * transaction with its audit event (runCommand). Mail to the committee goes out after the notice has committed.
 */
import type { Ctx } from '../../platform/context.ts';
import { forUpdate, isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize, principalOf } from '../../platform/policy.ts';
import { conflict, notFound, Problems, fieldError } from '../../platform/http/errors.ts';
import { staleVersion } from '../../platform/http/schemas.ts';
import { validate } from '../../platform/http/validation.ts';
import { parseCsv } from '../../platform/http/csv.ts';
import { upsertMany } from '../../platform/db/bulk.ts';
import { countyByFips, counties, stateByCode, states } from '../../platform/geo/us.ts';
import { formatDate, translator, type Lang } from '../../platform/web/i18n.ts';
import { send } from '../../platform/mail/index.ts';
import { listUsers } from '../../platform/auth/index.ts';
import { rolesWith } from '../../platform/auth/roles.ts';
import { allAgencies, getAgency } from '../structure/index.ts';
import { openExtract, parseExtract, type OpportunityRow, type Quarantined } from './extract.ts';
import { REVIEW } from './permissions.ts';
import { AGENCY_REFUSED, PLAN_REFUSED, REVIEW_REFUSED, mayEnterAward, mayPlanFor, mayReadPlans, mayReview } from './policies.ts';
import { AwardCreate, LinkOpportunity, NoticeCreate, PlanCreate, PlanPatch, ReviewCreate, SourceSet, WatchAdd, type Award, type ImportRun, type Notice, type Plan, type Review, type Watch } from './schema.ts';
import { EXTRACT_SOURCE, agenciesOf, dueOn, fiscalYearOf, getAward, getNotice, getOpportunity, getPlan, listImports, listWatch, reviewsOf } from './store.ts';
import { grantsDb } from './tables.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

type Log = (line: string) => void;

const actorLabel = (ctx: Ctx) => (ctx.actor ? ctx.actor.name : `system (${ctx.system ?? ctx.requestId})`);

/** Anonymous callers get 401 before anything is read or validated. */
function notAnonymous(ctx: Ctx): void {
  if (principalOf(ctx).kind === 'anonymous') authorize(ctx, false);
}

async function mayActFor(ctx: Ctx, trx: Db, agencyId: string): Promise<void> {
  const p = principalOf(ctx);
  authorize(ctx, mayPlanFor(p, await agenciesOf(trx, p), agencyId), AGENCY_REFUSED);
}

// ---------- plans ----------

interface PlanFields {
  fiscal_year: number;
  programme: string;
  assistance_listing: string | null;
  opportunity_number: string | null;
  purpose: string;
  eligible_applicants: string | null;
  populations: string[];
  needs: string[];
  states: string[];
  nationwide: boolean;
  estimated_total: number | null;
  number_of_awards: number | null;
  post_date: string | null;
  close_date: string | null;
  status: string;
}

function checkPlan(p: Problems, f: PlanFields): void {
  f.states.forEach((s, i) => {
    if (!stateByCode(s)) p.add(`states.${i}`, `${s} is not a U.S. state, DC or territory code`);
  });
  if (!f.nationwide && !f.states.length) p.add('states', 'name at least one state, or mark the plan nationwide');
  if (f.post_date && f.close_date && f.close_date < f.post_date) p.add('close_date', `must be on or after the post date (${f.post_date})`);
}

const planData = (f: PlanFields) => ({ ...f, programme: f.programme.trim(), purpose: f.purpose.trim(), opportunity_number: f.opportunity_number ? f.opportunity_number.toUpperCase() : null });

async function saveVersion(trx: Db, ctx: Ctx, planId: string, version: number, data: PlanFields & { agency_id: string }): Promise<void> {
  await grantsDb(trx).insertInto('grants_plan_version').values({ plan_id: planId, version, data: toJson(data), saved_by: actorLabel(ctx), saved_at: nowIso() }).execute();
}

/** Records an agency's planned solicitation for a fiscal year (version 1). */
export async function createPlan(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Plan> {
  return runCommand(ctx, async (trx, audit) => {
    const p = principalOf(ctx);
    authorize(ctx, p.kind === 'system' || mayReadPlans(p), PLAN_REFUSED);
    const d = validate(PlanCreate, input, opts);
    if (!(await getAgency(trx, d.agency_id))) throw fieldError('agency_id', 'is not an agency of the task force');
    await mayActFor(ctx, trx, d.agency_id);
    const f = planData({
      fiscal_year: d.fiscal_year,
      programme: d.programme,
      assistance_listing: d.assistance_listing ?? null,
      opportunity_number: d.opportunity_number ?? null,
      purpose: d.purpose,
      eligible_applicants: d.eligible_applicants ?? null,
      populations: d.populations ?? [],
      needs: d.needs ?? [],
      states: d.states ?? [],
      nationwide: d.nationwide ?? false,
      estimated_total: d.estimated_total ?? null,
      number_of_awards: d.number_of_awards ?? null,
      post_date: d.post_date ?? null,
      close_date: d.close_date ?? null,
      status: d.status ?? 'planned',
    });
    const problems = new Problems();
    checkPlan(problems, f);
    problems.throwIfAny();
    const id = newId();
    const now = nowIso();
    await grantsDb(trx)
      .insertInto('grants_plan')
      .values({ id, agency_id: d.agency_id, ...f, populations: toJson(f.populations), needs: toJson(f.needs), states: toJson(f.states), version: 1, created_at: now, updated_at: now })
      .execute();
    await saveVersion(trx, ctx, id, 1, { agency_id: d.agency_id, ...f });
    await audit({ action: 'grants.plan.create', entityType: 'grants.plan', entityId: id, summary: { agency_id: d.agency_id, fiscal_year: f.fiscal_year, programme: f.programme } });
    return (await getPlan(trx, id))!;
  });
}

/** Changes the fields sent; `version` must be the one read (else 409). Each save keeps a new version. */
export async function updatePlan(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Plan> {
  return runCommand(ctx, async (trx, audit) => {
    notAnonymous(ctx);
    if (!isUuid(id)) throw notFound('No such grant plan.');
    await forUpdate(grantsDb(trx).selectFrom('grants_plan').select('id').where('id', '=', id), ctx.dbKind).execute();
    const current = await getPlan(trx, id);
    if (!current) throw notFound('No such grant plan.');
    await mayActFor(ctx, trx, current.agency_id);
    const d = validate(PlanPatch, input, opts);
    if (d.version !== current.version) throw staleVersion('This grant plan');
    const { version, ...patch } = d;
    const { id: _i, agency_id, agency_name: _n, version: _v, created_at: _c, updated_at: _u, ...was } = current;
    const f = planData({ ...was, ...patch } as PlanFields);
    const problems = new Problems();
    checkPlan(problems, f);
    problems.throwIfAny();
    const res = await grantsDb(trx)
      .updateTable('grants_plan')
      .set({ ...f, populations: toJson(f.populations), needs: toJson(f.needs), states: toJson(f.states), version: version + 1, updated_at: nowIso() })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw staleVersion('This grant plan');
    await saveVersion(trx, ctx, id, version + 1, { agency_id, ...f });
    const changed = Object.keys(f).filter((k) => JSON.stringify((was as Record<string, unknown>)[k]) !== JSON.stringify((f as unknown as Record<string, unknown>)[k]));
    await audit({ action: 'grants.plan.update', entityType: 'grants.plan', entityId: id, summary: { version: version + 1, changed } });
    return (await getPlan(trx, id))!;
  });
}

/** The committee's review of one version of a plan, with its comment. */
export async function reviewPlan(ctx: Ctx, planId: string, input: unknown, opts: CommandOptions = {}): Promise<Review> {
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)), REVIEW_REFUSED);
    const plan = await getPlan(trx, planId);
    if (!plan) throw notFound('No such grant plan.');
    const d = validate(ReviewCreate, input, opts);
    if (d.version > plan.version) throw fieldError('version', `the plan has no version ${d.version} (latest ${plan.version})`);
    const id = newId();
    await grantsDb(trx)
      .insertInto('grants_review')
      .values({ id, plan_id: plan.id, plan_version: d.version, outcome: d.outcome, comment: d.comment.trim(), reviewer_id: ctx.actor?.id ?? null, reviewer_name: actorLabel(ctx), created_at: nowIso() })
      .execute();
    await audit({ action: 'grants.plan.review', entityType: 'grants.plan', entityId: plan.id, summary: { review_id: id, version: d.version, outcome: d.outcome } });
    return (await reviewsOf(trx, plan.id)).find((r) => r.id === id)!;
  });
}

// ---------- notices ----------

/** The accounts told of a new notice: every active account whose role holds grants.review (the committee). */
export async function committeeRecipients(db: Db): Promise<{ email: string; name: string; lang: Lang }[]> {
  const roles = new Set(rolesWith(REVIEW));
  return (await listUsers(db)).filter((u) => !u.disabled && roles.has(u.role)).map((u) => ({ email: u.email, name: u.name, lang: u.lang }));
}

/**
 * An agency's notice to the SPOG, before or after a final decision; the committee's members are e-mailed a link
 * (never the notice's text) once it is filed. Mail that cannot be sent is logged; the notice stands.
 */
export async function fileNotice(ctx: Ctx, input: unknown, opts: CommandOptions & { log?: Log } = {}): Promise<Notice & { mailed: number }> {
  const notice = await runCommand(ctx, async (trx, audit) => {
    const p = principalOf(ctx);
    authorize(ctx, p.kind === 'system' || mayReadPlans(p), PLAN_REFUSED);
    const d = validate(NoticeCreate, input, opts);
    if (!(await getAgency(trx, d.agency_id))) throw fieldError('agency_id', 'is not an agency of the task force');
    await mayActFor(ctx, trx, d.agency_id);
    if (d.plan_id) {
      const plan = await getPlan(trx, d.plan_id);
      if (!plan || plan.agency_id !== d.agency_id) throw fieldError('plan_id', "is not one of this agency's grant plans");
    }
    const id = newId();
    await grantsDb(trx)
      .insertInto('grants_notice')
      .values({ id, agency_id: d.agency_id, plan_id: d.plan_id ?? null, timing: d.timing, subject: d.subject, summary: d.summary.trim(), decision_on: d.decision_on, due_on: dueOn(d.timing, d.decision_on), filed_at: nowIso(), filed_by: actorLabel(ctx) })
      .execute();
    await audit({ action: 'grants.notice.file', entityType: 'grants.notice', entityId: id, summary: { agency_id: d.agency_id, plan_id: d.plan_id ?? null, timing: d.timing, subject: d.subject } });
    return (await getNotice(trx, id))!;
  });
  let mailed = 0;
  const log = opts.log ?? (() => {});
  for (const r of await committeeRecipients(ctx.db)) {
    try {
      // In the member's language, the decision date as they read it.
      const t = translator(r.lang);
      const timing = notice.timing === 'before' ? 'before' : 'after';
      const vars = { agency: notice.agency_name, date: formatDate(r.lang, notice.decision_on) };
      const res = await send(ctx.config, {
        to: r.email,
        subject: t(`grants.mail.subject.${timing}`, vars),
        text: [t(`grants.mail.text.${timing}`, vars), '', t('grants.mail.link', { url: `${ctx.config.publicUrl}/grants/notices/${notice.id}` })].join('\n'),
      });
      if (res.sent) mailed++;
    } catch (err) {
      log(`grants: notice mail to a committee member failed: ${(err as Error).message}`);
    }
  }
  return { ...notice, mailed };
}

/** A committee member acknowledges a notice; acknowledging again changes nothing. */
export async function acknowledgeNotice(ctx: Ctx, noticeId: string): Promise<Notice> {
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)) && ctx.actor !== null, REVIEW_REFUSED);
    const n = await getNotice(trx, noticeId);
    if (!n) throw notFound('No such notice.');
    const actor = ctx.actor!;
    if (!n.acknowledgements.some((a) => a.user_id === actor.id)) {
      await grantsDb(trx).insertInto('grants_notice_ack').values({ notice_id: n.id, user_id: actor.id, user_name: actor.name, acknowledged_at: nowIso() }).execute();
      await audit({ action: 'grants.notice.acknowledge', entityType: 'grants.notice', entityId: n.id, summary: {} });
    }
    return (await getNotice(trx, n.id))!;
  });
}

// ---------- opportunities ----------

/** Links an imported opportunity to a grant plan (or unlinks it with null): the committee, or the plan's agency. */
export async function linkOpportunity(ctx: Ctx, opportunityId: string, input: unknown, opts: CommandOptions = {}): Promise<{ opportunity_id: string; plan_id: string | null }> {
  return runCommand(ctx, async (trx, audit) => {
    notAnonymous(ctx);
    const p = principalOf(ctx);
    authorize(ctx, mayReadPlans(p) || p.kind === 'system', PLAN_REFUSED);
    const o = await getOpportunity(trx, opportunityId);
    if (!o) throw notFound('No such opportunity.');
    const d = validate(LinkOpportunity, input, opts);
    const mine = await agenciesOf(trx, p);
    const agencyOf = async (planId: string | null) => (planId ? (await getPlan(trx, planId))?.agency_id : undefined);
    const target = d.plan_id ? await getPlan(trx, d.plan_id) : null;
    if (d.plan_id && !target) throw fieldError('plan_id', 'is not a grant plan');
    const may = (agencyId: string | undefined) => mayReview(p) || agencyId === undefined || mayPlanFor(p, mine, agencyId);
    authorize(ctx, may(target?.agency_id) && may(await agencyOf(o.plan_id)), AGENCY_REFUSED);
    await grantsDb(trx).updateTable('grants_opportunity').set({ plan_id: d.plan_id }).where('opportunity_id', '=', o.opportunity_id).execute();
    await audit({ action: 'grants.opportunity.link', entityType: 'grants.opportunity', entityId: null, summary: { opportunity_id: o.opportunity_id, plan_id: d.plan_id, was: o.plan_id } });
    return { opportunity_id: o.opportunity_id, plan_id: d.plan_id };
  });
}

// ---------- awards ----------

type AwardFields = Omit<Award, 'id' | 'source' | 'agency_name' | 'county_name'>;

function checkPlace(p: Problems, state: string, county: string | null, prefix = ''): void {
  if (!stateByCode(state)) p.add(`${prefix}state`, `${state} is not a U.S. state, DC or territory code`);
  else if (county) {
    const c = countyByFips(county);
    if (!c) p.add(`${prefix}county_fips`, `${county} is not a county FIPS code`);
    else if (c.state !== state) p.add(`${prefix}county_fips`, `${county} (${c.name}) is in ${c.state}, not ${state}`);
  }
}

async function writeAward(trx: Db, f: AwardFields, source: string): Promise<'inserted' | 'updated'> {
  const existing = await grantsDb(trx).selectFrom('grants_award').select('id').where('award_key', '=', f.award_key).executeTakeFirst();
  const now = nowIso();
  const values = {
    source,
    agency_id: f.agency_id,
    awarding_agency: f.awarding_agency,
    recipient_name: f.recipient_name,
    recipient_uei: f.recipient_uei,
    assistance_listing: f.assistance_listing,
    action_date: f.action_date,
    amount: f.amount,
    state: f.state,
    county_fips: f.county_fips,
    zip: f.zip,
    description: f.description,
    plan_id: f.plan_id,
    updated_at: now,
  };
  if (existing) {
    await grantsDb(trx).updateTable('grants_award').set(values).where('id', '=', existing.id).execute();
    return 'updated';
  }
  await grantsDb(trx).insertInto('grants_award').values({ id: newId(), award_key: f.award_key, ...values, created_at: now }).execute();
  return 'inserted';
}

/** An award entered by hand: the committee for any agency, an agency's staff for their own. */
export async function createAward(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Award> {
  return runCommand(ctx, async (trx, audit) => {
    notAnonymous(ctx);
    const p = principalOf(ctx);
    const mine = await agenciesOf(trx, p);
    authorize(ctx, p.kind === 'system' || mayReadPlans(p), PLAN_REFUSED);
    const d = validate(AwardCreate, input, opts);
    const agencyId = d.agency_id ?? null;
    if (agencyId && !(await getAgency(trx, agencyId))) throw fieldError('agency_id', 'is not an agency of the task force');
    authorize(ctx, p.kind === 'system' || mayEnterAward(p, mine, agencyId), AGENCY_REFUSED);
    const problems = new Problems();
    checkPlace(problems, d.state, d.county_fips ?? null);
    if (d.plan_id) {
      const plan = await getPlan(trx, d.plan_id);
      if (!plan) problems.add('plan_id', 'is not a grant plan');
      else if (agencyId && plan.agency_id !== agencyId) problems.add('plan_id', "is not one of this agency's grant plans");
    }
    problems.throwIfAny();
    const key = d.award_key ?? `HAND-${newId()}`;
    const f: AwardFields = {
      award_key: key,
      agency_id: agencyId,
      awarding_agency: d.awarding_agency ?? null,
      recipient_name: d.recipient_name.trim(),
      recipient_uei: d.recipient_uei ? d.recipient_uei.toUpperCase() : null,
      assistance_listing: d.assistance_listing ?? null,
      action_date: d.action_date ?? null,
      amount: d.amount,
      state: d.state,
      county_fips: d.county_fips ?? null,
      zip: d.zip ?? null,
      description: d.description ?? null,
      plan_id: d.plan_id ?? null,
    };
    const existing = await grantsDb(trx).selectFrom('grants_award').select('source').where('award_key', '=', key).executeTakeFirst();
    if (existing) throw conflict(`An award with the id ${key} is already recorded.`);
    await writeAward(trx, f, 'hand');
    const row = await grantsDb(trx).selectFrom('grants_award').select('id').where('award_key', '=', key).executeTakeFirstOrThrow();
    await audit({ action: 'grants.award.create', entityType: 'grants.award', entityId: row.id, summary: { award_key: key, agency_id: agencyId, state: d.state, county_fips: f.county_fips } });
    return (await getAward(trx, row.id))!;
  });
}

const ALIASES: Record<string, string[]> = {
  key: ['assistance_award_unique_key', 'award_unique_key', 'award_id_fain', 'fain', 'award_id'],
  amount: ['total_obligated_amount', 'federal_action_obligation', 'obligated_amount', 'amount'],
  recipient_name: ['recipient_name'],
  recipient_uei: ['recipient_uei'],
  listing: ['cfda_number', 'assistance_listing_number', 'assistance_listing'],
  action_date: ['action_date', 'award_base_action_date', 'period_of_performance_start_date'],
  agency: ['awarding_agency_name'],
  sub_agency: ['awarding_sub_agency_name'],
  state: ['primary_place_of_performance_state_code', 'prime_award_transaction_place_of_performance_state_code', 'place_of_performance_state_code', 'primary_place_of_performance_state_name', 'place_of_performance_state'],
  county_fips: ['prime_award_transaction_place_of_performance_county_fips_code', 'primary_place_of_performance_county_fips_code', 'place_of_performance_county_fips_code', 'place_of_performance_county_fips'],
  county_name: ['primary_place_of_performance_county_name', 'place_of_performance_county_name'],
  zip: ['primary_place_of_performance_zip_4', 'place_of_performance_zip', 'primary_place_of_performance_zip'],
  description: ['prime_award_base_transaction_description', 'transaction_description', 'award_description'],
};

const normName = (s: string) => s.toLowerCase().replace(/\b(county|parish|borough|census area|city and borough|municipality)\b/g, '').replace(/[^a-z]/g, '');

function isoDate(s: string): string | null | undefined {
  const t = s.trim();
  if (!t) return null;
  let iso: string | undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) iso = t.slice(0, 10);
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) iso = `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  if (!iso) return undefined;
  const d = new Date(iso + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso && iso >= '1000' ? iso : undefined;
}

export interface AwardImportReport {
  inserted: number;
  updated: number;
  refused: { line: number; field: string; reason: string }[];
}

/**
 * Imports awards from a CSV in USAspending's columns (prime award downloads; a few other spellings too), updating
 * by award id. Rows with a problem are refused and listed with their line and field; the others are kept.
 */
export async function importAwards(ctx: Ctx, csv: string): Promise<AwardImportReport> {
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)), REVIEW_REFUSED);
    let rows: string[][];
    try {
      rows = parseCsv(csv);
    } catch (err) {
      throw fieldError('file', (err as Error).message);
    }
    rows = rows.filter((r) => r.some((x) => x.trim() !== ''));
    if (!rows.length) throw fieldError('file', 'is empty');
    const header = rows[0].map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
    const col = (k: string) => ALIASES[k].map((a) => header.indexOf(a)).find((i) => i >= 0) ?? -1;
    const idx = Object.fromEntries(Object.keys(ALIASES).map((k) => [k, col(k)]));
    const missing = ['key', 'amount', 'recipient_name', 'state'].filter((k) => idx[k] < 0);
    if (missing.length) throw fieldError('file', `has no column for ${missing.map((k) => ALIASES[k][0]).join(', ')} (the first line must name the columns, as USAspending's downloads do)`);
    const agencies = await allAgencies(trx);
    const agencyByName = new Map<string, string>();
    for (const a of agencies) {
      agencyByName.set(a.name.toLowerCase(), a.id);
      if (a.abbreviation) agencyByName.set(a.abbreviation.toLowerCase(), a.id);
    }
    const stateByName = new Map(states().map((s) => [s.name.toLowerCase(), s.code]));
    const report: AwardImportReport = { inserted: 0, updated: 0, refused: [] };
    const seen = new Set<string>();
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i];
      const line = i + 1;
      const get = (k: string) => (idx[k] >= 0 ? (r[idx[k]] ?? '').trim() : '');
      const refuse = (field: string, reason: string) => report.refused.push({ line, field, reason });
      const key = get('key');
      if (!key || key.length > 100) {
        refuse(ALIASES.key[0], key ? 'is longer than 100 characters' : 'is empty');
        continue;
      }
      if (seen.has(key)) {
        refuse(ALIASES.key[0], `${key} appears twice in the file`);
        continue;
      }
      seen.add(key);
      const amountText = get('amount').replace(/[$,]/g, '');
      const amount = Number(amountText);
      if (!amountText || !Number.isFinite(amount) || Math.abs(amount) > 1e12) {
        refuse(ALIASES.amount[0], `"${get('amount').slice(0, 30)}" is not an amount`);
        continue;
      }
      const recipient = get('recipient_name');
      if (!recipient) {
        refuse('recipient_name', 'is empty');
        continue;
      }
      const stateText = get('state');
      const state = stateByCode(stateText.toUpperCase()) ? stateText.toUpperCase() : stateByName.get(stateText.toLowerCase());
      if (!state) {
        refuse(ALIASES.state[0], `"${stateText.slice(0, 40)}" is not a U.S. state, DC or territory`);
        continue;
      }
      let county: string | null = null;
      const fipsText = get('county_fips');
      const countyName = get('county_name');
      if (fipsText) {
        const st = stateByCode(state)!;
        const f = /^\d{5}$/.test(fipsText) ? fipsText : /^\d{1,3}$/.test(fipsText) ? st.fips + fipsText.padStart(3, '0') : '';
        const c = f ? countyByFips(f) : undefined;
        if (!c || c.state !== state) {
          refuse(ALIASES.county_fips[0], `"${fipsText.slice(0, 10)}" is not a county of ${state}`);
          continue;
        }
        county = c.fips;
      } else if (countyName) {
        const c = counties(state).find((x) => normName(x.name) === normName(countyName));
        if (!c) {
          refuse(ALIASES.county_name[0], `"${countyName.slice(0, 60)}" is not a county of ${state}`);
          continue;
        }
        county = c.fips;
      }
      const listing = get('listing');
      if (listing && !/^\d{2}\.\d{3}$/.test(listing)) {
        refuse(ALIASES.listing[0], `"${listing.slice(0, 20)}" is not an Assistance Listing number NN.NNN`);
        continue;
      }
      const date = isoDate(get('action_date'));
      if (date === undefined) {
        refuse(ALIASES.action_date[0], `"${get('action_date').slice(0, 20)}" is not a date (YYYY-MM-DD)`);
        continue;
      }
      const uei = get('recipient_uei');
      const zip = get('zip');
      const agencyName = get('sub_agency') || get('agency');
      const agencyId = agencyByName.get(get('sub_agency').toLowerCase()) ?? agencyByName.get(get('agency').toLowerCase()) ?? null;
      const outcome = await writeAward(
        trx,
        {
          award_key: key,
          agency_id: agencyId,
          awarding_agency: agencyName ? agencyName.slice(0, 300) : null,
          recipient_name: recipient.slice(0, 300),
          recipient_uei: /^[A-Za-z0-9]{12}$/.test(uei) ? uei.toUpperCase() : null,
          assistance_listing: listing || null,
          action_date: date,
          amount,
          state,
          county_fips: county,
          zip: /^\d{5}/.test(zip) ? zip.slice(0, 10) : null,
          description: get('description').slice(0, 4000) || null,
          plan_id: null,
        },
        'csv',
      );
      report[outcome]++;
    }
    await audit({ action: 'grants.award.import', entityType: 'grants.award', entityId: null, summary: { inserted: report.inserted, updated: report.updated, refused: report.refused.length } });
    return report;
  });
}

// ---------- watch list and the extract source ----------

export async function addWatch(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Watch> {
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)), REVIEW_REFUSED);
    const d = validate(WatchAdd, input, opts);
    const value = d.kind === 'keyword' ? d.value.trim().toLowerCase() : d.value.trim();
    if (d.kind === 'listing' && !/^\d{2}\.\d{3}$/.test(value)) throw fieldError('value', 'is not an Assistance Listing number NN.NNN, e.g. 16.320');
    const existing = await grantsDb(trx).selectFrom('grants_watch').select('id').where('kind', '=', d.kind).where('value', '=', value).executeTakeFirst();
    if (existing) throw fieldError('value', 'is already on the watch list');
    const id = newId();
    await grantsDb(trx).insertInto('grants_watch').values({ id, kind: d.kind, value, created_at: nowIso() }).execute();
    await audit({ action: 'grants.watch.add', entityType: 'grants.watch', entityId: id, summary: { kind: d.kind, value } });
    return (await listWatch(trx)).find((w) => w.id === id)!;
  });
}

export async function removeWatch(ctx: Ctx, id: string): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)), REVIEW_REFUSED);
    const w = isUuid(id) ? await grantsDb(trx).selectFrom('grants_watch').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!w) throw notFound('No such watch list entry.');
    await grantsDb(trx).deleteFrom('grants_watch').where('id', '=', id).execute();
    await audit({ action: 'grants.watch.remove', entityType: 'grants.watch', entityId: id, summary: { kind: w.kind, value: w.value } });
  });
}

/**
 * Where the scheduled import reads the extract. Through the web only an http(s) address may be given; a file path on
 * the server is the operator's choice (command line, system principal).
 */
export async function setExtractSource(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<string> {
  return runCommand(ctx, async (trx, audit) => {
    const p = principalOf(ctx);
    authorize(ctx, mayReview(p), REVIEW_REFUSED);
    const d = validate(SourceSet, input, opts);
    const value = d.extract_source.trim();
    if (value && p.kind !== 'system' && !/^https?:\/\/[^\s<>"]+$/i.test(value)) throw fieldError('extract_source', 'must be an http or https address (a file path on the server is set with `taskforce grants source PATH`)');
    await grantsDb(trx).deleteFrom('grants_setting').where('key', '=', EXTRACT_SOURCE).execute();
    if (value) await grantsDb(trx).insertInto('grants_setting').values({ key: EXTRACT_SOURCE, value, updated_at: nowIso() }).execute();
    await audit({ action: 'grants.source.set', entityType: 'grants.setting', entityId: null, summary: { extract_source: value || null } });
    return value;
  });
}

// ---------- the Grants.gov extract ----------

const OPP_COLUMNS = [
  'opportunity_id', 'kind', 'number', 'title', 'agency_code', 'agency_name', 'listings', 'listing_keys', 'eligible', 'instruments', 'category', 'post_date', 'close_date', 'archive_date',
  'last_updated', 'award_ceiling', 'award_floor', 'estimated_total', 'expected_awards', 'fiscal_year', 'description', 'url', 'matched', 'plan_id', 'imported_at',
] as const;
const BATCH = 500;

export interface ExtractImportOptions {
  log?: Log;
  /** A progress line every this many records (default 10,000). */
  progressEvery?: number;
}

/** Which watch list entries a record matches: its Assistance Listings, and keywords in its title or description. */
export function matchesOf(row: Pick<OpportunityRow, 'listings' | 'title' | 'description'>, listings: ReadonlySet<string>, keywords: readonly string[]): string[] {
  const out = row.listings.filter((l) => listings.has(l));
  if (keywords.length) {
    const text = `${row.title}\n${row.description ?? ''}`.toLowerCase();
    for (const k of keywords) if (text.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The row with its text copied out of the parser's input: a field's text may be a slice of a whole chunk of the
 * file, and a kept row waiting for its batch would otherwise hold every such chunk in memory.
 */
function detached(r: OpportunityRow): OpportunityRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'string' ? Buffer.from(v, 'utf8').toString('utf8') : Array.isArray(v) ? v.map((x) => Buffer.from(String(x), 'utf8').toString('utf8')) : v;
  return out as unknown as OpportunityRow;
}

/** A newer LastUpdatedDate replaces; on the same date a posted synopsis replaces its forecast. */
const newer = (row: { last_updated: string; kind: string }, old: { last_updated: string; kind: string }) =>
  row.last_updated > old.last_updated || (row.last_updated === old.last_updated && row.kind === 'posted' && old.kind === 'forecast');

/**
 * Imports a Grants.gov extract (zip or XML) from a file, keeping the opportunities that match the watch list, as
 * one transaction: a file that cannot be read to its end (malformed XML, another namespace, a damaged zip) changes
 * nothing. Records are inserted, or updated when their LastUpdatedDate is newer; a record that is not a valid
 * opportunity is quarantined and reported. A new opportunity is linked to the plan naming its opportunity number,
 * else to the one plan of its Assistance Listing and fiscal year.
 */
export async function importExtract(ctx: Ctx, path: string, opts: ExtractImportOptions = {}): Promise<ImportRun & { quarantine: Quarantined[] }> {
  const log = opts.log ?? (() => {});
  const every = opts.progressEvery ?? 10_000;
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, mayReview(principalOf(ctx)), REVIEW_REFUSED);
    const started = nowIso();
    const watch = await listWatch(trx);
    const listings = new Set(watch.filter((w) => w.kind === 'listing').map((w) => w.value));
    const keywords = watch.filter((w) => w.kind === 'keyword').map((w) => w.value.toLowerCase());
    if (!watch.length) log('grants: the watch list is empty, so no opportunity will be kept');
    const plans = await grantsDb(trx).selectFrom('grants_plan').select(['id', 'opportunity_number', 'assistance_listing', 'fiscal_year']).execute();
    const byNumber = new Map(plans.filter((p) => p.opportunity_number).map((p) => [p.opportunity_number!.toUpperCase(), p.id]));
    const linkFor = (r: OpportunityRow): string | null => {
      if (r.number && byNumber.has(r.number.toUpperCase())) return byNumber.get(r.number.toUpperCase())!;
      const date = r.post_date ?? r.close_date;
      const fy = r.fiscal_year ?? (date ? fiscalYearOf(date) : null);
      const c = plans.filter((p) => p.assistance_listing && r.listings.includes(p.assistance_listing) && Number(p.fiscal_year) === fy);
      return c.length === 1 ? c[0].id : null;
    };

    const file = await openExtract(path);
    const mib = (n: number) => (n / 1048576).toFixed(1);
    const counts = { records: 0, kept: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, linked: 0 };
    const quarantine: Quarantined[] = [];
    let batch = new Map<string, OpportunityRow & { matched: string[] }>();
    const importedAt = nowIso();

    const flush = async () => {
      if (!batch.size) return;
      const rows = [...batch.values()];
      batch = new Map();
      const existing = new Map(
        (await grantsDb(trx).selectFrom('grants_opportunity').select(['opportunity_id', 'last_updated', 'kind', 'plan_id']).where('opportunity_id', 'in', rows.map((r) => r.opportunity_id)).execute()).map((e) => [
          e.opportunity_id,
          { last_updated: String(e.last_updated instanceof Date ? e.last_updated.toISOString() : e.last_updated).slice(0, 10), kind: e.kind, plan_id: e.plan_id },
        ]),
      );
      const write: unknown[][] = [];
      for (const r of rows) {
        const old = existing.get(r.opportunity_id);
        let plan = old?.plan_id ?? null;
        if (old && !newer(r, old)) {
          counts.unchanged++;
          if (!plan && (plan = linkFor(r))) {
            await grantsDb(trx).updateTable('grants_opportunity').set({ plan_id: plan }).where('opportunity_id', '=', r.opportunity_id).execute();
            counts.linked++;
          }
          continue;
        }
        if (!plan && (plan = linkFor(r))) counts.linked++;
        if (old) counts.updated++;
        else counts.inserted++;
        const v: Record<string, unknown> = { ...r, listings: toJson(r.listings), listing_keys: ` ${r.listings.join(' ')} `, eligible: toJson(r.eligible), instruments: toJson(r.instruments), matched: toJson(r.matched), plan_id: plan, imported_at: importedAt };
        write.push(OPP_COLUMNS.map((c) => v[c] ?? null));
      }
      if (write.length) await upsertMany(trx, 'grants_opportunity', [...OPP_COLUMNS], 'opportunity_id', write);
    };

    const parsed = await parseExtract(
      file.chunks,
      async (item) => {
        if ('quarantined' in item) {
          if (quarantine.length < 1000) quarantine.push(item.quarantined);
          return;
        }
        const matched = matchesOf(item.row, listings, keywords);
        if (!matched.length) return;
        counts.kept++;
        const had = batch.get(item.row.opportunity_id);
        if (!had || newer(item.row, had)) batch.set(item.row.opportunity_id, { ...detached(item.row), matched });
        if (batch.size >= BATCH) await flush();
      },
      (p) => {
        if (Math.floor(p.records / every) > Math.floor(counts.records / every)) log(`read ${p.records} records (${mib(file.read())} of ${mib(file.total)} MiB), kept ${counts.kept}`);
        counts.records = p.records;
      },
    );
    await flush();
    counts.records = parsed.records;
    counts.quarantined = parsed.quarantined;
    const id = newId();
    const detail = quarantine.length ? quarantine.slice(0, 20).map((q) => `record ${q.record}${q.opportunity_id ? ` (OpportunityID ${q.opportunity_id})` : ''}: ${q.reason}`).join('\n') : null;
    await grantsDb(trx)
      .insertInto('grants_import')
      .values({ id, source: file.name.slice(0, 1000), started_at: started, finished_at: nowIso(), status: 'done', records: counts.records, kept: counts.kept, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, quarantined: counts.quarantined, detail })
      .execute();
    await audit({ action: 'grants.extract.import', entityType: 'grants.import', entityId: id, summary: { ...counts } });
    const run = (await listImports(trx, 50)).find((r) => r.id === id)!;
    return { ...run, quarantine };
  });
}
