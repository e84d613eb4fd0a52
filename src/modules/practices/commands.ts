/**
 * The practices module's writes: one function per use case, each checking its policy first, validating with the
 * schema the API documents, and writing with its audit event in one runCommand transaction. A change to a study or
 * a review recomputes the practice's ratings in the same transaction; a new rule set re-rates every practice.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { forUpdate, isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { indexDocuments } from '../../platform/db/search.ts';
import { badRequest, conflict, notFound, Problems, type FieldError } from '../../platform/http/errors.ts';
import { staleVersion } from '../../platform/http/schemas.ts';
import { validate } from '../../platform/http/validation.ts';
import { allowAnyone, authorize, principalOf, requireActor, requirePermission } from '../../platform/policy.ts';
import { send, type MailLog } from '../../platform/mail/index.ts';
import { getUser } from '../../platform/auth/index.ts';
import { translator } from '../../platform/web/i18n.ts';
import { CitationFileError, parseCitations } from './citations.ts';
import { LEAD, MANAGE, NOMINATE, REVIEW } from './permissions.ts';
import { LEAD_REFUSED, MANAGE_REFUSED, NOMINATE_REFUSED, REVIEW_REFUSED, mayReconcile } from './policies.ts';
import { ratePractice, type RatedStudy } from './rules.ts';
import {
  LinkInput,
  MAX_RATING,
  NominationCreate,
  NominationDecision,
  OUTCOME_DOMAINS,
  PracticeCreate,
  PracticePatch,
  ReconcileInput,
  ReviewInput,
  RuleSetInput,
  STUDY_RATINGS,
  StudyCreate,
  StudyImport,
  StudyPatch,
  SubscribeInput,
  TokenInput,
  type Design,
  type LinkKind,
  type RuleSet,
} from './schema.ts';
import { SEARCH_INDEX, currentRuleSet, getNomination, getPractice, getStudy, linkTarget, listEvents, listStudies, type Nomination, type Practice, type StoredRuleSet, type Study } from './store.ts';
import { practicesDb } from './tables.ts';
import { logChange } from './search-index.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

const actorLabel = (ctx: Ctx) => (ctx.actor ? ctx.actor.name || ctx.actor.email : `system (${ctx.system ?? ctx.requestId})`);

async function lockPractice(ctx: Ctx, trx: Db, id: string): Promise<Practice> {
  if (!isUuid(id)) throw notFound('No such practice.');
  await forUpdate(practicesDb(trx).selectFrom('practices_practice').select('id').where('id', '=', id), ctx.dbKind).execute();
  const p = await getPractice(trx, id);
  if (!p) throw notFound('No such practice.');
  return p;
}

async function loadStudy(ctx: Ctx, trx: Db, id: string): Promise<Study> {
  if (!isUuid(id)) throw notFound('No such study.');
  const s0 = await practicesDb(trx).selectFrom('practices_study').select(['practice_id']).where('id', '=', id).executeTakeFirst();
  if (!s0) throw notFound('No such study.');
  // The practice's row is the lock of everything rated from it (its studies, reviews and ratings).
  await lockPractice(ctx, trx, s0.practice_id);
  return (await getStudy(trx, id))!;
}

// ---------- ratings, facets, search text ----------

/** Facet rows and search text of a practice, rewritten after any change that may move them. */
async function refreshIndex(trx: Db, p: Practice): Promise<void> {
  const db = practicesDb(trx);
  const designs = await db.selectFrom('practices_study').select('design').distinct().where('practice_id', '=', p.id).execute();
  const ratings = await db.selectFrom('practices_rating').select(['domain', 'rating']).where('practice_id', '=', p.id).execute();
  const rows = new Set<string>();
  const add = (facet: string, value: string) => rows.add(`${facet}\u0001${value}`);
  for (const x of p.populations) add('population', x);
  for (const x of p.outcome_domains) add('outcome', x);
  add('setting', p.setting);
  for (const d of designs) add('design', d.design);
  for (const r of ratings) {
    if (r.rating === 'inconclusive') continue;
    add('rating', r.rating);
    add('outcome_rating', `${r.domain}:${r.rating}`);
  }
  const before = new Set((await db.selectFrom('practices_facet').select(['facet', 'value']).where('practice_id', '=', p.id).execute()).map((r) => `${r.facet}\u0001${r.value}`));
  const gone = [...before].filter((x) => !rows.has(x));
  const added = [...rows].filter((x) => !before.has(x));
  const split = (x: string) => {
    const [facet, value] = x.split('\u0001');
    return { facet, value };
  };
  for (const x of gone) {
    const f = split(x);
    await db.deleteFrom('practices_facet').where('practice_id', '=', p.id).where('facet', '=', f.facet).where('value', '=', f.value).execute();
    await db.updateTable('practices_facet_count').set((eb) => ({ n: eb('n', '-', 1) })).where('facet', '=', f.facet).where('value', '=', f.value).execute();
  }
  await db.deleteFrom('practices_facet_count').where('n', '<=', 0).execute();
  if (added.length) await db.insertInto('practices_facet').values(added.map((x) => ({ practice_id: p.id, ...split(x) }))).execute();
  for (const x of added) {
    const f = split(x);
    await db.insertInto('practices_facet_count').values({ ...f, n: 1 }).onConflict((oc) => oc.columns(['facet', 'value']).doUpdateSet((eb) => ({ n: eb('practices_facet_count.n', '+', 1) }))).execute();
  }
  await indexDocuments(trx, SEARCH_INDEX, [{ id: p.id, title: p.name, body: [p.summary, p.components ?? '', p.source ?? ''].join('\n') }]);
  await logChange(trx, p.id);
}

/**
 * Recomputes a practice's ratings under a rule set (the current one unless given) from its settled studies. Records
 * a 're-rated' event when a rating changed, so that the feed and the digest carry it. Answers the changes.
 */
async function rerate(trx: Db, practiceId: string, set?: StoredRuleSet): Promise<{ domain: string; from: string | null; to: string }[]> {
  const db = practicesDb(trx);
  const p = (await getPractice(trx, practiceId))!;
  const rules = set ?? (await currentRuleSet(trx));
  const studies = await listStudies(trx, practiceId);
  const rated: RatedStudy[] = studies.map((s) => ({ id: s.id, rating: s.final_rating as RatedStudy['rating'], outcomes: s.outcomes }));
  const next = ratePractice(p.outcome_domains, rated, rules.rules, OUTCOME_DOMAINS);
  const before = await db.selectFrom('practices_rating').selectAll().where('practice_id', '=', practiceId).execute();
  const prev = new Map(before.map((r) => [r.domain, r]));
  const changes: { domain: string; from: string | null; to: string }[] = [];
  const now = nowIso();
  for (const r of next) {
    const old = prev.get(r.domain);
    prev.delete(r.domain);
    const same = old && old.rating === r.rating && Number(old.rule_version) === rules.version && (old.rule_index === null ? null : Number(old.rule_index)) === r.rule_index && old.evidence === r.evidence && Number(old.studies) === r.studies;
    if (same) continue;
    if (!old || old.rating !== r.rating) changes.push({ domain: r.domain, from: old?.rating ?? null, to: r.rating });
    const values = { rating: r.rating, rule_version: rules.version, rule_index: r.rule_index, evidence: r.evidence, studies: r.studies, computed_at: now };
    if (old) await db.updateTable('practices_rating').set(values).where('practice_id', '=', practiceId).where('domain', '=', r.domain).execute();
    else await db.insertInto('practices_rating').values({ practice_id: practiceId, domain: r.domain, ...values }).execute();
  }
  for (const gone of prev.keys()) {
    await db.deleteFrom('practices_rating').where('practice_id', '=', practiceId).where('domain', '=', gone).execute();
  }
  // A new domain without evidence is no news; a rating that moved is.
  const news = changes.filter((c) => c.from !== null || c.to !== 'inconclusive');
  if (news.length) await db.insertInto('practices_event').values({ id: newId(), practice_id: practiceId, kind: 'rerated', at: now, detail: toJson({ changes: news, rule_version: rules.version }) }).execute();
  await refreshIndex(trx, p);
  return news;
}

// ---------- practices ----------

function practiceValues(d: Partial<Record<string, unknown>> & { name: string; summary: string; populations: string[]; setting: string; outcome_domains: string[] }) {
  return {
    name: d.name.trim(),
    summary: d.summary.trim(),
    components: (d.components as string | null | undefined) ?? null,
    populations: toJson(d.populations),
    setting: d.setting,
    outcome_domains: toJson(d.outcome_domains),
    cost: (d.cost as string | null | undefined) ?? null,
    resources: toJson(d.resources ?? []),
    contact_name: (d.contact_name as string | null | undefined) ?? null,
    contact_email: (d.contact_email as string | null | undefined) ?? null,
    source: (d.source as string | null | undefined) ?? null,
  };
}

async function insertPractice(trx: Db, input: unknown, opts: CommandOptions): Promise<Practice> {
  const d = validate(PracticeCreate, input, opts);
  const id = newId();
  const now = nowIso();
  await practicesDb(trx)
    .insertInto('practices_practice')
    .values({ id, ...practiceValues(d), demo: d.demo ?? false, version: 1, created_at: now, updated_at: now })
    .execute();
  await practicesDb(trx).insertInto('practices_event').values({ id: newId(), practice_id: id, kind: 'new', at: now, detail: toJson({}) }).execute();
  await rerate(trx, id);
  return (await getPractice(trx, id))!;
}

export async function createPractice(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Practice> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const p = await insertPractice(trx, input, opts);
    await audit({ action: 'practices.practice.create', entityType: 'practices.practice', entityId: p.id, summary: { name: p.name } });
    return p;
  });
}

export async function updatePractice(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Practice> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const current = await lockPractice(ctx, trx, id);
    const d = validate(PracticePatch, input, opts);
    if (d.version !== current.version) throw staleVersion('This practice');
    const { version, ...patch } = d;
    const next = { ...current, ...patch };
    const res = await practicesDb(trx)
      .updateTable('practices_practice')
      .set({ ...practiceValues(next), version: version + 1, updated_at: nowIso() })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw staleVersion('This practice');
    await rerate(trx, id);
    await audit({ action: 'practices.practice.update', entityType: 'practices.practice', entityId: id, summary: { version: version + 1, changed: Object.keys(patch) } });
    return (await getPractice(trx, id))!;
  });
}

// ---------- links ----------

export async function addLink(ctx: Ctx, practiceId: string, input: unknown, opts: CommandOptions = {}): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const p = await lockPractice(ctx, trx, practiceId);
    const d = validate(LinkInput, input, opts);
    const target = await linkTarget(trx, d.kind as LinkKind, d.target_id);
    if (!target.found) throw badRequest([{ field: 'target_id', message: `is not a ${String(d.kind).replace('_', ' ')} this site knows` }]);
    const had = await practicesDb(trx).selectFrom('practices_link').select('practice_id').where('practice_id', '=', p.id).where('kind', '=', d.kind).where('target_id', '=', d.target_id).executeTakeFirst();
    if (had) throw badRequest([{ field: 'target_id', message: 'is linked to this practice already' }]);
    await practicesDb(trx).insertInto('practices_link').values({ practice_id: p.id, kind: d.kind, target_id: d.target_id, created_at: nowIso() }).execute();
    await audit({ action: 'practices.link.add', entityType: 'practices.practice', entityId: p.id, summary: { kind: d.kind, target_id: d.target_id } });
  });
}

export async function removeLink(ctx: Ctx, practiceId: string, input: unknown, opts: CommandOptions = {}): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const p = await lockPractice(ctx, trx, practiceId);
    const d = validate(LinkInput, input, opts);
    const res = await practicesDb(trx).deleteFrom('practices_link').where('practice_id', '=', p.id).where('kind', '=', d.kind).where('target_id', '=', d.target_id).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw notFound('This practice has no such link.');
    await audit({ action: 'practices.link.remove', entityType: 'practices.practice', entityId: p.id, summary: { kind: d.kind, target_id: d.target_id } });
  });
}

// ---------- studies ----------

function studyValues(d: Record<string, unknown>) {
  return {
    title: String(d.title).trim(),
    authors: String(d.authors).trim(),
    year: (d.year as number | null | undefined) ?? null,
    journal: (d.journal as string | null | undefined) ?? null,
    doi: (d.doi as string | null | undefined) ?? null,
    url: (d.url as string | null | undefined) ?? null,
    design: String(d.design),
    sample_size: (d.sample_size as number | null | undefined) ?? null,
    setting: (d.setting as string | null | undefined) ?? null,
    attrition: (d.attrition as number | null | undefined) ?? null,
    outcomes: toJson(d.outcomes ?? []),
  };
}

async function insertStudy(trx: Db, practiceId: string, values: ReturnType<typeof studyValues>, origin: string): Promise<string> {
  const id = newId();
  const now = nowIso();
  await practicesDb(trx).insertInto('practices_study').values({ id, practice_id: practiceId, ...values, origin, version: 1, created_at: now, updated_at: now }).execute();
  return id;
}

export async function createStudy(ctx: Ctx, practiceId: string, input: unknown, opts: CommandOptions = {}): Promise<Study> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const p = await lockPractice(ctx, trx, practiceId);
    const d = validate(StudyCreate, input, opts);
    const id = await insertStudy(trx, p.id, studyValues(d), 'form');
    const changes = await rerate(trx, p.id);
    await audit({ action: 'practices.study.create', entityType: 'practices.study', entityId: id, summary: { practice_id: p.id, design: d.design, rating_changes: changes.length } });
    return (await getStudy(trx, id))!;
  });
}

/** Changing a study keeps its reviews: the reviewers rated its design, which a correction of outcomes does not move. */
export async function updateStudy(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Study> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const current = await loadStudy(ctx, trx, id);
    const d = validate(StudyPatch, input, opts);
    if (d.version !== current.version) throw staleVersion('This study');
    const { version, ...patch } = d;
    const next = { ...current, ...patch };
    const cap = MAX_RATING[next.design as Design];
    const settled = current.final_rating;
    if (patch.design !== undefined && settled && STUDY_RATINGS.indexOf(settled as (typeof STUDY_RATINGS)[number]) < STUDY_RATINGS.indexOf(cap)) {
      throw badRequest([{ field: 'design', message: `cannot be ${next.design}: the study is rated ${settled}, above what the rubric allows that design (${cap})` }]);
    }
    const res = await practicesDb(trx).updateTable('practices_study').set({ ...studyValues(next), version: version + 1, updated_at: nowIso() }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw staleVersion('This study');
    const changes = await rerate(trx, current.practice_id);
    await audit({ action: 'practices.study.update', entityType: 'practices.study', entityId: id, summary: { version: version + 1, changed: Object.keys(patch), rating_changes: changes.length } });
    return (await getStudy(trx, id))!;
  });
}

/**
 * Studies from an RIS or BibTeX file, all or nothing: a file with any bad record is refused naming each line and
 * field, and nothing is added. Each study gets the design chosen on the form and no outcomes yet.
 */
export async function importStudies(ctx: Ctx, practiceId: string, input: unknown, opts: CommandOptions = {}): Promise<Study[]> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const p = await lockPractice(ctx, trx, practiceId);
    const d = validate(StudyImport, input, opts);
    let parsed: Awaited<ReturnType<typeof parseCitations>>;
    try {
      parsed = await parseCitations(d.text);
    } catch (err) {
      if (err instanceof CitationFileError) throw badRequest(err.errors.map((e) => ({ field: `text (${e.field})`, message: e.message })));
      throw err;
    }
    const problems: FieldError[] = [];
    const rows = parsed.records.map((r) => {
      const values = { title: r.title, authors: r.authors, year: r.year, journal: r.journal, doi: r.doi, url: r.url, design: d.design, outcomes: [] };
      try {
        validate(StudyCreate, values);
      } catch (err) {
        for (const e of (err as { errors?: FieldError[] }).errors ?? []) problems.push({ field: `text (record at line ${r.line}: ${e.field})`, message: e.message });
      }
      return studyValues(values);
    });
    if (problems.length) throw badRequest(problems);
    const ids: string[] = [];
    for (const v of rows) ids.push(await insertStudy(trx, p.id, v, parsed.format));
    await rerate(trx, p.id);
    await audit({ action: 'practices.study.import', entityType: 'practices.practice', entityId: p.id, summary: { format: parsed.format, studies: ids.length } });
    return Promise.all(ids.map(async (id) => (await getStudy(trx, id))!));
  });
}

// ---------- reviews ----------

/**
 * A reviewer's rating of a study against the rubric. Two reviewers per study, each independently: a reviewer may
 * change their rating until the second one arrives; then both stand and only a lead's reconciliation settles a
 * disagreement.
 */
export async function reviewStudy(ctx: Ctx, studyId: string, input: unknown, opts: CommandOptions = {}): Promise<Study> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, REVIEW, REVIEW_REFUSED);
    const actor = requireActor(ctx, REVIEW_REFUSED);
    const s = await loadStudy(ctx, trx, studyId);
    const d = validate(ReviewInput, input, opts);
    const cap = MAX_RATING[s.design as Design];
    if (STUDY_RATINGS.indexOf(d.rating) < STUDY_RATINGS.indexOf(cap)) {
      throw badRequest([{ field: 'rating', message: `cannot be ${d.rating} for a ${s.design.replaceAll('_', ' ')} study: the rubric allows at most ${cap}` }]);
    }
    const mine = s.reviews.find((r) => r.reviewer_id === actor.id);
    if (s.reviews.length >= 2) throw conflict(mine ? 'Both reviewers have rated this study; a lead settles any disagreement.' : 'This study has its two reviewers already.');
    const db = practicesDb(trx);
    if (mine) await db.updateTable('practices_review').set({ rating: d.rating, notes: d.notes ?? null, created_at: nowIso() }).where('study_id', '=', s.id).where('reviewer_id', '=', actor.id).execute();
    else await db.insertInto('practices_review').values({ study_id: s.id, reviewer_id: actor.id, reviewer_label: actor.name || actor.email, rating: d.rating, notes: d.notes ?? null, created_at: nowIso() }).execute();
    const changes = await rerate(trx, s.practice_id);
    // The rating itself stays out of the audit summary until both have rated: the log is no window onto a blind review.
    await audit({ action: 'practices.review.rate', entityType: 'practices.study', entityId: s.id, summary: { replaced: Boolean(mine), rating_changes: changes.length } });
    return (await getStudy(trx, s.id))!;
  });
}

/** A lead settles two reviewers' disagreement, with the reason recorded. */
export async function reconcileStudy(ctx: Ctx, studyId: string, input: unknown, opts: CommandOptions = {}): Promise<Study> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, LEAD, LEAD_REFUSED);
    const s = await loadStudy(ctx, trx, studyId);
    authorize(ctx, mayReconcile(principalOf(ctx), s.reviews), LEAD_REFUSED);
    const d = validate(ReconcileInput, input, opts);
    if (s.review_state !== 'disagreed') throw conflict(s.review_state === 'reconciled' ? 'This study was reconciled already.' : s.review_state === 'agreed' ? 'The two reviewers agree; there is nothing to reconcile.' : 'Both reviewers must rate the study first.');
    const cap = MAX_RATING[s.design as Design];
    if (STUDY_RATINGS.indexOf(d.rating) < STUDY_RATINGS.indexOf(cap)) throw badRequest([{ field: 'rating', message: `cannot be ${d.rating} for a ${s.design.replaceAll('_', ' ')} study: the rubric allows at most ${cap}` }]);
    await practicesDb(trx).insertInto('practices_reconciliation').values({ study_id: s.id, rating: d.rating, reason: d.reason.trim(), lead_id: ctx.actor?.id ?? null, lead_label: actorLabel(ctx), created_at: nowIso() }).execute();
    const changes = await rerate(trx, s.practice_id);
    await audit({ action: 'practices.review.reconcile', entityType: 'practices.study', entityId: s.id, summary: { rating: d.rating, reviewers: s.reviews.map((r) => r.rating), rating_changes: changes.length } });
    return (await getStudy(trx, s.id))!;
  });
}

// ---------- rules ----------

/** A new version of the rating rules; every practice is re-rated under it in the same transaction. */
export async function saveRuleSet(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<{ version: number; rerated: number }> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const d = validate(RuleSetInput, input, opts);
    const rules = d.rules as RuleSet;
    const p = new Problems();
    rules.rules.forEach((r, i) => {
      for (const k of ['studies', 'favourable', 'unfavourable'] as const) {
        const range = r[k];
        if (range && range.min !== undefined && range.max !== undefined && range.min > range.max) p.add(`rules.rules.${i}.${k}`, 'min must not exceed max');
      }
    });
    p.throwIfAny();
    const current = await currentRuleSet(trx);
    // Serialise concurrent saves: the primary key refuses a second version of the same number.
    const version = current.version + 1;
    const set: StoredRuleSet = { version, rules, note: d.note.trim(), created_by: actorLabel(ctx), created_at: nowIso() };
    await practicesDb(trx).insertInto('practices_rule_set').values({ version, rules: toJson(rules), note: set.note, created_by: set.created_by, created_at: set.created_at }).execute();
    const ids = await practicesDb(trx).selectFrom('practices_practice').select('id').orderBy('id').execute();
    let rerated = 0;
    for (const { id } of ids) if ((await rerate(trx, id, set)).length) rerated++;
    await audit({ action: 'practices.rules.save', entityType: 'practices.rule_set', entityId: null, summary: { version, rules: rules.rules.length, rerated } });
    return { version, rerated };
  });
}

// ---------- nominations ----------

export async function nominate(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Nomination> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, NOMINATE, NOMINATE_REFUSED);
    const actor = requireActor(ctx, NOMINATE_REFUSED);
    const d = validate(NominationCreate, input, opts);
    const id = newId();
    await practicesDb(trx)
      .insertInto('practices_nomination')
      .values({ id, name: d.name.trim(), summary: d.summary.trim(), materials: d.materials ?? null, outcome_domains: toJson(d.outcome_domains), populations: toJson(d.populations ?? []), organization_name: d.organization_name ?? null, nominator_id: actor.id, nominator_email: actor.email, status: 'pending', reason: null, practice_id: null, decided_at: null, created_at: nowIso() })
      .execute();
    await audit({ action: 'practices.nomination.create', entityType: 'practices.nomination', entityId: id, summary: { name: d.name.trim() } });
    return (await getNomination(trx, id))!;
  });
}

/**
 * Accepts a nomination (a practice is made from it, its setting chosen by the moderator) or declines it with a
 * reason; the nominator is told by e-mail once the decision is committed.
 */
export async function decideNomination(ctx: Ctx, id: string, input: unknown, opts: CommandOptions & { log?: MailLog } = {}): Promise<Nomination> {
  const decided = await runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    if (!isUuid(id)) throw notFound('No such nomination.');
    await forUpdate(practicesDb(trx).selectFrom('practices_nomination').select('id').where('id', '=', id), ctx.dbKind).execute();
    const n = await getNomination(trx, id);
    if (!n) throw notFound('No such nomination.');
    const d = validate(NominationDecision, input, opts);
    if (n.status !== 'pending') throw conflict(`This nomination was ${n.status} already.`);
    let practiceId: string | null = null;
    if (d.decision === 'accept') {
      const p = await insertPractice(trx, { name: n.name, summary: n.summary, populations: n.populations, setting: d.setting ?? 'community', outcome_domains: n.outcome_domains, source: `Nominated by ${n.organization_name ?? n.nominator_email}`, ...(n.materials ? { components: n.materials.slice(0, 4000) } : {}) }, {});
      practiceId = p.id;
    } else if (!d.reason?.trim()) {
      throw badRequest([{ field: 'reason', message: 'is required to decline a nomination (the nominator is told it)' }]);
    }
    const status = d.decision === 'accept' ? 'accepted' : 'declined';
    await practicesDb(trx).updateTable('practices_nomination').set({ status, reason: d.reason?.trim() || null, practice_id: practiceId, decided_at: nowIso() }).where('id', '=', id).execute();
    await audit({ action: `practices.nomination.${d.decision}`, entityType: 'practices.nomination', entityId: id, summary: { practice_id: practiceId } });
    return (await getNomination(trx, id))!;
  });
  const link = decided.practice_id ? `${ctx.config.publicUrl}/practices/${decided.practice_id}` : `${ctx.config.publicUrl}/practices/nominations/mine`;
  // In the language the nominator last used the workspace in.
  const lang = (await getUser(ctx.db, decided.nominator_id))?.lang ?? 'en';
  const t = translator(lang);
  const text =
    decided.status === 'accepted'
      ? [t('pr.mail.hello'), '', t('pr.mail.accepted', { name: decided.name }), '', t('pr.mail.accepted.link', { url: link })].join('\n')
      : [t('pr.mail.hello'), '', t('pr.mail.declined', { name: decided.name }), '', t('pr.mail.declined.reason', { reason: decided.reason ?? '' }), '', t('pr.mail.declined.link', { url: link })].join('\n');
  await send(ctx.config, { to: decided.nominator_email, subject: t(`pr.mail.subject.${decided.status === 'accepted' ? 'accepted' : 'declined'}`), text }, opts.log);
  return decided;
}

// ---------- digest subscriptions ----------

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(24).toString('base64url');
/**
 * A subscriber's unsubscribe token: the same in every digest (a mail client may act on an old one's
 * List-Unsubscribe header), derived from the subscriber's id with the server's secret, so only its hash is stored.
 */
const unsubscribeToken = (ctx: Ctx, subscriberId: string) => createHmac('sha256', ctx.config.sessionSecret).update(`practices.digest.unsubscribe\n${subscriberId}`).digest('base64url');

/**
 * Asks for the digest: a confirmation e-mail is sent (double opt-in); nothing is sent to the address until its
 * owner confirms. Asking again re-sends the confirmation, and says nothing about whether the address was known.
 */
export async function subscribe(ctx: Ctx, input: unknown, opts: CommandOptions & { log?: MailLog } = {}): Promise<void> {
  const { email, lang, confirm } = await runCommand(ctx, async (trx, audit) => {
    allowAnyone(ctx);
    const d = validate(SubscribeInput, input, opts);
    const email = d.email.trim().toLowerCase();
    const lang = d.lang ?? 'en';
    const confirm = newToken();
    const db = practicesDb(trx);
    const had = await db.selectFrom('practices_subscriber').select(['id', 'confirmed_at', 'unsubscribed_at']).where('email', '=', email).executeTakeFirst();
    if (had && had.confirmed_at && !had.unsubscribed_at) return { email, lang, confirm: null };
    if (had) await db.updateTable('practices_subscriber').set({ confirm_hash: hash(confirm), lang, confirmed_at: null, unsubscribed_at: null }).where('id', '=', had.id).execute();
    else await db.insertInto('practices_subscriber').values({ id: newId(), email, lang, confirm_hash: hash(confirm), unsubscribe_hash: hash(newToken()), confirmed_at: null, unsubscribed_at: null, last_sent_at: null, created_at: nowIso() }).execute();
    await audit({ action: 'practices.digest.subscribe', entityType: 'practices.subscriber', entityId: null, summary: {} });
    return { email, lang, confirm };
  });
  if (!confirm) return;
  const url = `${ctx.config.publicUrl}/practices/digest/confirm?token=${confirm}`;
  const text =
    lang === 'es'
      ? ['Hola:', '', 'Alguien (esperamos que usted) pidió el resumen de prácticas prometedoras para esta dirección.', `Para confirmarlo, abra este enlace y pulse el botón: ${url}`, '', 'Si no lo pidió, no haga nada: no le enviaremos nada más.'].join('\n')
      : ['Hello,', '', 'Someone (we hope you) asked for the promising-practices digest at this address.', `To confirm, open this link and press the button: ${url}`, '', 'If you did not ask, do nothing: nothing more will be sent.'].join('\n');
  await send(ctx.config, { to: email, subject: lang === 'es' ? 'Confirme su suscripción al resumen de prácticas' : 'Confirm your promising-practices digest subscription', text }, opts.log);
}

/** Confirms a subscription from the e-mailed link; answers the unsubscribe token the digests will carry. */
export async function confirmSubscription(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    allowAnyone(ctx);
    const d = validate(TokenInput, input, opts);
    const db = practicesDb(trx);
    const s = await db.selectFrom('practices_subscriber').select(['id', 'confirmed_at']).where('confirm_hash', '=', hash(d.token)).executeTakeFirst();
    if (!s) throw badRequest([{ field: 'token', message: 'is not a confirmation link this site sent, or it was used already' }]);
    const now = nowIso();
    // The link works once: its hash is replaced by one of a token nobody holds.
    await db.updateTable('practices_subscriber').set({ confirmed_at: now, last_sent_at: now, unsubscribed_at: null, confirm_hash: hash(newToken()) }).where('id', '=', s.id).execute();
    await audit({ action: 'practices.digest.confirm', entityType: 'practices.subscriber', entityId: s.id, summary: {} });
  });
}

/** One-click unsubscribe from the link every digest carries. */
export async function unsubscribe(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    allowAnyone(ctx);
    const d = validate(TokenInput, input, opts);
    const db = practicesDb(trx);
    const s = await db.selectFrom('practices_subscriber').select(['id', 'unsubscribed_at']).where('unsubscribe_hash', '=', hash(d.token)).executeTakeFirst();
    if (!s) throw badRequest([{ field: 'token', message: 'is not an unsubscribe link this site sent' }]);
    // Again is the same answer (a mail client may repeat its request); the first instant is kept.
    if (s.unsubscribed_at) return;
    await db.updateTable('practices_subscriber').set({ unsubscribed_at: nowIso() }).where('id', '=', s.id).execute();
    await audit({ action: 'practices.digest.unsubscribe', entityType: 'practices.subscriber', entityId: s.id, summary: {} });
  });
}

const RATING_WORDS: Record<string, Record<string, string>> = {
  en: { effective: 'effective', promising: 'promising', no_effects: 'no effects', negative_effects: 'negative effects', inconclusive: 'inconclusive' },
  es: { effective: 'eficaz', promising: 'prometedora', no_effects: 'sin efectos', negative_effects: 'efectos negativos', inconclusive: 'no concluyente' },
};

/**
 * Sends each confirmed subscriber the practices that are new or re-rated since their last digest (nothing when
 * there is nothing new), each with a fresh one-click unsubscribe link. Safe to repeat: a subscriber's mark moves
 * only after their mail went out.
 */
export async function sendDigests(ctx: Ctx, now: Date, log?: MailLog): Promise<{ sent: number; skipped: number }> {
  const subs = await runCommand(ctx, async (trx) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    return practicesDb(trx).selectFrom('practices_subscriber').select(['id', 'email', 'lang', 'last_sent_at', 'confirmed_at']).where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null).orderBy('id').execute();
  });
  let sent = 0;
  let skipped = 0;
  const upTo = now.toISOString();
  for (const s of subs) {
    const since = new Date(String(s.last_sent_at ?? s.confirmed_at)).toISOString();
    const events = (await listEvents(ctx.db, { since, limit: 200 })).filter((e) => e.at <= upTo);
    if (!events.length) continue;
    const es = s.lang === 'es';
    const token = unsubscribeToken(ctx, s.id);
    const lines = events
      .slice()
      .reverse()
      .map((e) => {
        const what = e.kind === 'new' ? (es ? 'Nueva' : 'New') : es ? 'Nueva calificación' : 'Re-rated';
        const changes = (e.detail.changes ?? []).map((c) => `${c.domain}: ${RATING_WORDS[es ? 'es' : 'en'][c.to] ?? c.to}`).join(', ');
        return `- ${what}: ${e.practice_name}${changes ? ` (${changes})` : ''}\n  ${ctx.config.publicUrl}/practices/${e.practice_id}`;
      });
    const unsub = `${ctx.config.publicUrl}/practices/digest/unsubscribe?token=${token}`;
    const text = [es ? 'Prácticas prometedoras nuevas o con nueva calificación:' : 'New and re-rated promising practices:', '', ...lines, '', es ? `Darse de baja con un clic: ${unsub}` : `Unsubscribe with one click: ${unsub}`].join('\n');
    await runCommand(ctx, async (trx, audit) => {
      requirePermission(ctx, MANAGE, MANAGE_REFUSED);
      await practicesDb(trx).updateTable('practices_subscriber').set({ unsubscribe_hash: hash(token) }).where('id', '=', s.id).execute();
      await audit({ action: 'practices.digest.prepare', entityType: 'practices.subscriber', entityId: s.id, summary: { events: events.length } });
    });
    // One-click unsubscribe (RFC 8058): a mail client POSTs "List-Unsubscribe=One-Click" to the link; opened in a
    // browser, the same link shows a page that asks to confirm.
    const headers = { 'List-Unsubscribe': `<${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    const res = await send(ctx.config, { to: s.email, subject: es ? 'Resumen de prácticas prometedoras' : 'Promising practices digest', text, headers }, log);
    if (!res.sent) {
      skipped++;
      continue;
    }
    sent++;
    await runCommand(ctx, async (trx, audit) => {
      requirePermission(ctx, MANAGE, MANAGE_REFUSED);
      await practicesDb(trx).updateTable('practices_subscriber').set({ last_sent_at: events[0].at }).where('id', '=', s.id).execute();
      await audit({ action: 'practices.digest.send', entityType: 'practices.subscriber', entityId: s.id, summary: { events: events.length } });
    });
  }
  return { sent, skipped };
}
