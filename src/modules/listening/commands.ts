import { generalFree, place, promote } from '../../platform/places.ts';
import type { Updateable } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { forUpdate, isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { conflict, fieldError, forbidden, HttpError, notFound, Problems } from '../../platform/http/errors.ts';
import { authorize } from '../../platform/policy.ts';
import { validate } from '../../platform/http/validation.ts';
import { send, type MailLog } from '../../platform/mail/index.ts';
import { isLang, translator, type Lang } from '../../platform/web/i18n.ts';
import { sessionWhen } from './presenters.ts';
import {
  CodeCreate,
  ExcerptCreate,
  InputCreate,
  MemoCreate,
  RecommendationCreate,
  RecommendationPatch,
  RegistrationCreate,
  RegistrationPatch,
  ReleaseInput,
  SeriesCreate,
  SeriesPatch,
  SessionCreate,
  SessionPatch,
  SuggestionDecision,
  TimelineCreate,
} from './schema.ts';
import {
  currentSuggestions,
  getAnswer,
  getRecommendation,
  getRegistration,
  getSeries,
  getSession,
  listCodes,
  listSessions,
  loadOwners,
  placeCounts,
  recommendationOr404,
  registrationOpen,
  seriesOr404,
  sessionOr404,
  type Code,
  type Recommendation,
  type Registration,
  type Series,
  type Session,
} from './store.ts';
import { isTimeZone, zonedToUtc } from './time.ts';
import { templateQuestions, type Question } from './questions.ts';
import { getWorkplanItem } from '../workplans/index.ts';
import { importQdc, QdcError, type QdcCode } from './qdc.ts';
import { buildFindings } from './findings.ts';
import { listeningDb, type AnswerTable, type InputTable, type RegistrationTable, type SeriesTable } from './tables.ts';
import { mayCode, mayCodeAsSelf, mayImportInputs, mayManage, mayRecordNotes, mayRegister, mayRemoveExcerpt, maySubmitInput, mayTakeHeldBackPlace } from './policies.ts';

export interface CommandOptions {
  coerce?: boolean;
}

const actorLabel = (ctx: Ctx) => (ctx.actor ? ctx.actor.name : 'system');

const leadsOnly = (ctx: Ctx) => authorize(ctx, mayManage(ctx), 'Only a lead may do this.');
const codersOnly = (ctx: Ctx) => authorize(ctx, mayCode(ctx), 'Only coders and leads may do this.');
const coderInPerson = (ctx: Ctx) => authorize(ctx, mayCodeAsSelf(ctx), 'Coding needs a signed-in coder.');

// ---- series ----

async function checkOwner(db: Db, p: Problems, type: string | undefined, id: string | undefined, allowed: string[]) {
  if (!id) return;
  const owner = (await loadOwners(db)).get(id);
  if (!owner || !allowed.includes(owner.type)) p.add('owner_id', `is not a known ${allowed.join(' or ')}`);
  else if (type && type !== owner.type) p.add('owner_type', `must be ${owner.type} for this owner`);
}

/** A question list's keys are unique; labels are trimmed. */
function checkQuestions(p: Problems, field: string, questions: Question[] | undefined): Question[] | undefined {
  if (!questions) return undefined;
  const keys = questions.map((q) => q.key);
  keys.forEach((k, i) => {
    if (keys.indexOf(k) !== i) p.add(`${field}.${i}.key`, `the key ${k} is used twice`);
  });
  return questions.map((q) => ({ key: q.key, label: q.label.trim(), ...(q.label_es?.trim() ? { label_es: q.label_es.trim() } : {}) }));
}

export async function createSeries(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Series> {
  leadsOnly(ctx);
  const d = validate(SeriesCreate, input, opts);
  const p = new Problems();
  await checkOwner(ctx.db, p, d.owner_type, d.owner_id, ['partnership', 'committee']);
  const questions = checkQuestions(p, 'questions', d.questions) ?? templateQuestions(d.template ?? 'housing');
  p.throwIfAny();
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx)
      .insertInto('listening_series')
      .values({ id, title: d.title.trim(), description: d.description || null, owner_type: d.owner_type, owner_id: d.owner_id, reminder_days: d.reminder_days ?? 2, published_at: null, report: null, questions: toJson(questions), version: 1, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'listening.series.create', entityType: 'listening_series', entityId: id, summary: { title: d.title, template: d.questions ? null : (d.template ?? 'housing') } });
  });
  return (await getSeries(ctx.db, id))!;
}

export async function updateSeries(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Series> {
  leadsOnly(ctx);
  const existing = await seriesOr404(ctx.db, id);
  const d = validate(SeriesPatch, input, opts);
  const p = new Problems();
  await checkOwner(ctx.db, p, d.owner_type ?? (d.owner_id ? undefined : existing.owner_type), d.owner_id ?? existing.owner_id, ['partnership', 'committee']);
  const questions = checkQuestions(p, 'questions', d.questions);
  p.throwIfAny();
  await runCommand(ctx, async (trx, audit) => {
    // Kysely leaves out the fields not sent (undefined).
    const set: Updateable<SeriesTable> = { version: d.version + 1, updated_at: nowIso(), title: d.title, description: d.description, owner_type: d.owner_type, owner_id: d.owner_id, reminder_days: d.reminder_days, questions: questions && toJson(questions) };
    const res = await listeningDb(trx).updateTable('listening_series').set(set).where('id', '=', id).where('version', '=', d.version).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict(`This series changed since version ${d.version}; it is now at version ${existing.version}. Reload and try again.`);
    await audit({ action: 'listening.series.update', entityType: 'listening_series', entityId: id, summary: { changed: Object.keys(d).filter((k) => k !== 'version') } });
  });
  return (await getSeries(ctx.db, id))!;
}

// ---- sessions ----

type SessionFields = Partial<ReturnType<typeof validate<typeof SessionCreate>>>;

function checkSession(p: Problems, d: SessionFields) {
  if (d.time_zone !== undefined && !isTimeZone(d.time_zone)) p.add('time_zone', 'must be an IANA time zone name, such as America/New_York');
  if (d.start_time && d.end_time && d.end_time <= d.start_time) p.add('end_time', 'must be after start_time');
  if (d.capacity !== undefined && d.reserved_places !== undefined && d.reserved_places > d.capacity) p.add('reserved_places', 'must not exceed capacity');
  if (d.registration_opens_at && d.registration_closes_at && d.registration_closes_at <= d.registration_opens_at) p.add('registration_closes_at', 'must be after registration_opens_at');
  if ((d.format === 'virtual' || d.format === 'hybrid') && d.online_url === undefined && d.location === undefined) {
    // Either is fine for a draft; nothing to say.
  }
  const keys = (d.questions ?? []).map((q) => q.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) p.add('questions', `the key ${dup} is used twice`);
}

function instants(d: { date: string; start_time: string; end_time: string; time_zone: string }) {
  return { starts_at: zonedToUtc(d.date, d.start_time, d.time_zone), ends_at: zonedToUtc(d.date, d.end_time, d.time_zone) };
}

export async function createSession(ctx: Ctx, seriesId: string, input: unknown, opts: CommandOptions = {}): Promise<Session> {
  leadsOnly(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(SessionCreate, input, opts);
  const p = new Problems();
  checkSession(p, d);
  p.throwIfAny();
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx)
      .insertInto('listening_sessions')
      .values({
        id,
        series_id: seriesId,
        title: d.title.trim(),
        date: d.date,
        start_time: d.start_time,
        end_time: d.end_time,
        time_zone: d.time_zone,
        ...instants(d),
        format: d.format,
        location: d.location || null,
        online_url: d.online_url || null,
        audience_provider_types: toJson(d.audience_provider_types ?? []),
        audience_regions: toJson(d.audience_regions ?? []),
        capacity: d.capacity,
        reserved_places: d.reserved_places ?? 0,
        registration_opens_at: d.registration_opens_at ?? null,
        registration_closes_at: d.registration_closes_at ?? null,
        agenda: toJson(d.agenda ?? []),
        // None of its own: the session asks its series' questions, as they are when each input is given.
        questions: toJson(d.questions ?? []),
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await audit({ action: 'listening.session.create', entityType: 'listening_session', entityId: id, summary: { series: seriesId, title: d.title, date: d.date } });
  });
  return (await getSession(ctx.db, id))!;
}

export async function updateSession(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Session> {
  leadsOnly(ctx);
  const s = await sessionOr404(ctx.db, id);
  const d = validate(SessionPatch, input, opts);
  const merged = { ...s, ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) } as Session & { version: number };
  const p = new Problems();
  checkSession(p, { ...merged, location: merged.location ?? undefined, online_url: merged.online_url ?? undefined, registration_opens_at: merged.registration_opens_at ?? undefined, registration_closes_at: merged.registration_closes_at ?? undefined } as SessionFields);
  p.throwIfAny();
  await runCommand(ctx, async (trx, audit) => {
    const row = await forUpdate(listeningDb(trx).selectFrom('listening_sessions').select('version').where('id', '=', id), ctx.dbKind).executeTakeFirst();
    if (Number(row?.version) !== d.version) throw conflict(`This session changed since version ${d.version}; it is now at version ${row?.version}. Reload and try again.`);
    const counts = await placeCounts(trx, id);
    if (merged.capacity < counts.confirmed) throw fieldError('capacity', `must be at least ${counts.confirmed}, the places already confirmed`);
    const set: Record<string, unknown> = { version: d.version + 1, updated_at: nowIso(), ...instants(merged) };
    for (const [k, v] of Object.entries(d)) {
      if (k === 'version' || v === undefined) continue;
      set[k] = ['audience_provider_types', 'audience_regions', 'agenda', 'questions'].includes(k) ? toJson(v) : v === '' ? null : v;
    }
    await listeningDb(trx).updateTable('listening_sessions').set(set).where('id', '=', id).execute();
    await promoteWaitlist(trx, id);
    await audit({ action: 'listening.session.update', entityType: 'listening_session', entityId: id, summary: { changed: Object.keys(d).filter((k) => k !== 'version') } });
  });
  return (await getSession(ctx.db, id))!;
}

// ---- registration ----

/**
 * Fills free general places from the waiting list, oldest first. General places are the capacity less the
 * places still held back for invited organisations. Call inside a transaction that holds the session row.
 */
async function promoteWaitlist(trx: Db, sessionId: string): Promise<number> {
  const s = await listeningDb(trx).selectFrom('listening_sessions').select(['capacity', 'reserved_places']).where('id', '=', sessionId).executeTakeFirstOrThrow();
  const c = await placeCounts(trx, sessionId);
  // Shared place arithmetic (platform/places.ts, also used by outreach events); a registration here is one place.
  const places = { capacity: Number(s.capacity), heldBack: Number(s.reserved_places), confirmed: c.confirmed, confirmedHeldBack: c.confirmedReserved };
  const free = generalFree(places);
  if (!free) return 0;
  const listed = await listeningDb(trx).selectFrom('listening_registrations').select('id').where('session_id', '=', sessionId).where('status', '=', 'waitlisted').orderBy('created_at').orderBy('id').limit(free).execute();
  const waiting = promote(places, listed.map((w) => ({ ...w, size: 1 })));
  for (const w of waiting) await listeningDb(trx).updateTable('listening_registrations').set({ status: 'confirmed', updated_at: nowIso() }).where('id', '=', w.id).execute();
  return waiting.length;
}

/**
 * Registers someone for a session. Counting the places and inserting the registration happen in one
 * transaction holding the session row (FOR UPDATE on PostgreSQL; SQLite runs one writer at a time), so
 * concurrent sign-ups can never overbook: when the general places are gone, the rest join the waiting list.
 */
export async function register(ctx: Ctx, sessionId: string, input: unknown, opts: CommandOptions & { now?: Date; lang?: Lang } = {}): Promise<Registration> {
  authorize(ctx, mayRegister(ctx));
  const d = validate(RegistrationCreate, input, opts);
  // Forbidden, not "sign in first", even for the anonymous public: as before, the public is told the place is not theirs.
  if (d.invited && !mayTakeHeldBackPlace(ctx)) throw forbidden('Only a lead may register someone into a held-back place.');
  const session = await sessionOr404(ctx.db, sessionId);
  if (!d.invited && !registrationOpen(session, opts.now)) throw conflict('Registration is not open for this session.');
  const email = d.email.trim().toLowerCase();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    const s = await forUpdate(listeningDb(trx).selectFrom('listening_sessions').select(['capacity', 'reserved_places']).where('id', '=', sessionId), ctx.dbKind).executeTakeFirstOrThrow();
    const taken = await listeningDb(trx).selectFrom('listening_registrations').select('id').where('session_id', '=', sessionId).where('email', '=', email).executeTakeFirst();
    if (taken) throw fieldError('email', 'is already registered for this session');
    const c = await placeCounts(trx, sessionId);
    const placed = place({ capacity: Number(s.capacity), heldBack: Number(s.reserved_places), confirmed: c.confirmed, confirmedHeldBack: c.confirmedReserved }, 1, d.invited);
    const status: Registration['status'] = placed.status;
    const reservedPlace = placed.heldBackPlace;
    const now = nowIso();
    await listeningDb(trx)
      .insertInto('listening_registrations')
      .values({ id, session_id: sessionId, name: d.name.trim(), email, organization: d.organization.trim(), organization_type: d.organization_type, region: d.region, status, reserved_place: reservedPlace, attended: false, created_at: now, updated_at: now, lang: opts.lang ?? null })
      .execute();
    // Personal details stay out of the audit summary.
    await audit({ action: 'listening.registration.create', entityType: 'listening_registration', entityId: id, summary: { session: sessionId, status, reserved_place: reservedPlace } });
  });
  return (await getRegistration(ctx.db, id))!;
}

export async function updateRegistration(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Registration> {
  leadsOnly(ctx);
  const r = isUuid(id) ? await getRegistration(ctx.db, id) : undefined;
  if (!r) throw notFound('No such registration.');
  const d = validate(RegistrationPatch, input, opts);
  await runCommand(ctx, async (trx, audit) => {
    await forUpdate(listeningDb(trx).selectFrom('listening_sessions').select('id').where('id', '=', r.session_id), ctx.dbKind).executeTakeFirst();
    const set: Updateable<RegistrationTable> = { updated_at: nowIso() };
    if (d.attended !== undefined) set.attended = d.attended;
    if (d.status === 'cancelled') set.status = 'cancelled';
    await listeningDb(trx).updateTable('listening_registrations').set(set).where('id', '=', id).execute();
    if (d.status === 'cancelled' && r.status === 'confirmed') {
      if (r.reserved_place) {
        // A cancelled invited place goes back to the held-back pool, not to the waiting list.
        await listeningDb(trx).updateTable('listening_registrations').set({ reserved_place: false }).where('id', '=', id).execute();
      }
      await promoteWaitlist(trx, r.session_id);
    }
    await audit({ action: 'listening.registration.update', entityType: 'listening_registration', entityId: id, summary: { attended: d.attended, status: d.status } });
  });
  return (await getRegistration(ctx.db, id))!;
}

/** Releases held-back places that invited organisations did not take; the waiting list moves up into them. */
export async function releaseReserved(ctx: Ctx, sessionId: string, input: unknown, opts: CommandOptions = {}): Promise<Session> {
  leadsOnly(ctx);
  await sessionOr404(ctx.db, sessionId);
  const d = validate(ReleaseInput, input ?? {}, opts);
  let promoted = 0;
  await runCommand(ctx, async (trx, audit) => {
    const s = await forUpdate(listeningDb(trx).selectFrom('listening_sessions').select(['reserved_places', 'version']).where('id', '=', sessionId), ctx.dbKind).executeTakeFirstOrThrow();
    const c = await placeCounts(trx, sessionId);
    const unused = Number(s.reserved_places) - c.confirmedReserved;
    if (unused <= 0) throw conflict('No held-back places are left to release.');
    const release = Math.min(unused, d.places ?? unused);
    await listeningDb(trx).updateTable('listening_sessions').set({ reserved_places: Number(s.reserved_places) - release, version: Number(s.version) + 1, updated_at: nowIso() }).where('id', '=', sessionId).execute();
    promoted = await promoteWaitlist(trx, sessionId);
    await audit({ action: 'listening.session.release', entityType: 'listening_session', entityId: sessionId, summary: { released: release, promoted } });
  });
  return (await getSession(ctx.db, sessionId))!;
}

// ---- input ----

/**
 * Records one participant's written submission (anyone, through the public form) or a facilitator's notes
 * (leads). A name is kept only when the participant agrees to be named.
 */
export async function submitInput(ctx: Ctx, sessionId: string, input: unknown, opts: CommandOptions = {}): Promise<{ id: string }> {
  authorize(ctx, maySubmitInput(ctx));
  const session = await sessionOr404(ctx.db, sessionId);
  const row = checkInput(ctx, session, input, opts);
  await runCommand(ctx, async (trx, audit) => {
    await insertInputRows(trx, [row]);
    await audit({ action: 'listening.input.create', entityType: 'listening_input', entityId: row.input.id, summary: { session: sessionId, kind: row.input.kind, answers: row.answers.length } });
  });
  return { id: row.input.id };
}

interface InputRows {
  input: InputTable;
  answers: AnswerTable[];
}

/** Validates one submission against its session's questions; the rows to insert, or a 400 naming the fields. */
function checkInput(ctx: Ctx, session: Session, input: unknown, opts: CommandOptions): InputRows {
  const d = validate(InputCreate, input, opts);
  const kind = d.kind ?? 'submission';
  // Forbidden, not "sign in first", even for the anonymous public, whose own input is welcome on the same route.
  if (kind === 'notes' && !mayRecordNotes(ctx)) throw forbidden('Only a lead may record facilitator notes.');
  const p = new Problems();
  if (kind === 'submission') {
    if (!d.organization_type) p.add('organization_type', 'is required');
    if (!d.region) p.add('region', 'is required');
  }
  const known = new Map(session.questions.map((q) => [q.key, q.label]));
  for (const k of Object.keys(d.answers)) if (!known.has(k)) p.add(`answers.${k}`, 'is not a question of this session');
  const answers = session.questions.map((q) => ({ q, text: (d.answers[q.key] ?? '').trim() })).filter((a) => a.text !== '');
  if (!answers.length) p.add(`answers.${session.questions[0]?.key ?? 'answers'}`, 'at least one question needs an answer');
  const name = d.participant_name?.trim() || null;
  if (d.attribution && !name) p.add('participant_name', 'is required to be named');
  p.throwIfAny();
  const id = newId();
  return {
    input: {
      id,
      session_id: session.id,
      series_id: session.series_id,
      kind,
      organization_type: d.organization_type ?? null,
      region: d.region ?? null,
      participant_name: d.attribution ? name : null,
      attribution: !!d.attribution,
      quotable: !!d.quotable,
      created_at: nowIso(),
    },
    answers: answers.map((a, position) => ({ id: newId(), input_id: id, question_key: a.q.key, question_label: a.q.label, text: a.text, position })),
  };
}

async function insertInputRows(trx: Db, rows: InputRows[]): Promise<void> {
  // A few hundred rows per statement stays well within both engines' limits on bound parameters.
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    await listeningDb(trx).insertInto('listening_inputs').values(chunk.map((r) => r.input)).execute();
    const answers = chunk.flatMap((r) => r.answers);
    if (answers.length) await listeningDb(trx).insertInto('listening_answers').values(answers).execute();
  }
}

/**
 * Records many submissions to one session at once (imports of written input gathered elsewhere, and benchmarks):
 * each is checked exactly as by `submitInput`, and any refusal names its position (`inputs.N.field`) and records
 * nothing. One transaction and one audit event per call.
 */
export async function submitInputs(ctx: Ctx, sessionId: string, inputs: unknown[], opts: CommandOptions = {}): Promise<{ ids: string[] }> {
  authorize(ctx, mayImportInputs(ctx), 'Only a lead imports written input gathered elsewhere.');
  const session = await sessionOr404(ctx.db, sessionId);
  const rows: InputRows[] = [];
  const problems = new Problems();
  for (const [i, input] of inputs.entries()) {
    try {
      rows.push(checkInput(ctx, session, input, opts));
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) throw err;
      for (const e of err.errors) problems.add(`inputs.${i}.${e.field}`, e.message);
      if (!err.errors.length) problems.add(`inputs.${i}`, err.message);
    }
  }
  problems.throwIfAny();
  await runCommand(ctx, async (trx, audit) => {
    await insertInputRows(trx, rows);
    await audit({ action: 'listening.input.import', entityType: 'listening_session', entityId: sessionId, summary: { inputs: rows.length, answers: rows.reduce((n, r) => n + r.answers.length, 0) } });
  });
  return { ids: rows.map((r) => r.input.id) };
}

// ---- codebook ----

export async function createCode(ctx: Ctx, seriesId: string, input: unknown, opts: CommandOptions = {}): Promise<Code> {
  codersOnly(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(CodeCreate, input, opts);
  const codes = await listCodes(ctx.db, seriesId);
  if (d.parent_id && !codes.some((c) => c.id === d.parent_id)) throw fieldError('parent_id', 'is not a code of this series');
  if (codes.some((c) => (c.parent_id ?? null) === (d.parent_id ?? null) && c.name.toLowerCase() === d.name.trim().toLowerCase())) throw fieldError('name', 'is already used at this level of the codebook');
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx).insertInto('listening_codes').values({ id, series_id: seriesId, parent_id: d.parent_id ?? null, name: d.name.trim(), description: d.description || null, guid: newId(), created_at: nowIso() }).execute();
    await audit({ action: 'listening.code.create', entityType: 'listening_code', entityId: id, summary: { name: d.name } });
  });
  return (await listCodes(ctx.db, seriesId)).find((c) => c.id === id)!;
}

/** Adds the codes of a .qdc codebook; a code whose guid is already in the codebook is kept as it is. */
export async function importCodebook(ctx: Ctx, seriesId: string, xml: string): Promise<{ added: number; existing: number }> {
  codersOnly(ctx);
  await seriesOr404(ctx.db, seriesId);
  let parsed: { codes: QdcCode[] };
  try {
    parsed = importQdc(xml);
  } catch (err) {
    if (err instanceof QdcError) throw fieldError('codebook', `is not a valid REFI-QDA codebook: ${err.message}`);
    throw err;
  }
  let added = 0;
  let existing = 0;
  await runCommand(ctx, async (trx, audit) => {
    const have = new Map((await listCodes(trx, seriesId)).map((c) => [c.guid.toLowerCase(), c.id]));
    const walk = async (list: QdcCode[], parentId: string | null) => {
      for (const c of list) {
        let id = have.get(c.guid.toLowerCase());
        if (id) existing++;
        else {
          id = newId();
          await listeningDb(trx).insertInto('listening_codes').values({ id, series_id: seriesId, parent_id: parentId, name: c.name, description: c.description ?? null, guid: c.guid, created_at: nowIso() }).execute();
          have.set(c.guid.toLowerCase(), id);
          added++;
        }
        await walk(c.children, id);
      }
    };
    await walk(parsed.codes, null);
    await audit({ action: 'listening.codebook.import', entityType: 'listening_series', entityId: seriesId, summary: { added, existing } });
  });
  return { added, existing };
}

// ---- excerpts and memos ----

/**
 * Tags a passage of an answer with codes, as the acting coder. The passage is given by character offsets, or by
 * quoting it (its first occurrence is used); with neither, the whole answer.
 */
export async function createExcerpt(ctx: Ctx, seriesId: string, input: unknown, opts: CommandOptions = {}): Promise<string> {
  coderInPerson(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(ExcerptCreate, input, opts);
  const answer = await getAnswer(ctx.db, d.answer_id);
  if (!answer || answer.series_id !== seriesId) throw fieldError('answer_id', 'is not an answer in this series');
  let start = d.start_offset;
  let end = d.end_offset;
  if (d.quote !== undefined && start === undefined) {
    const at = answer.text.indexOf(d.quote.trim());
    if (at < 0) throw fieldError('quote', 'does not appear in the answer');
    start = at;
    end = at + d.quote.trim().length;
  }
  start ??= 0;
  end ??= answer.text.length;
  const p = new Problems();
  if (end > answer.text.length) p.add('end_offset', `must be at most ${answer.text.length}, the length of the answer`);
  if (end <= start) p.add('end_offset', 'must be greater than start_offset');
  const codes = await listCodes(ctx.db, seriesId);
  for (const [i, c] of d.code_ids.entries()) if (!codes.some((x) => x.id === c)) p.add(`code_ids.${i}`, 'is not a code of this series');
  p.throwIfAny();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await insertExcerpt(trx, ctx, { id, seriesId, answerId: answer.id, start: start!, end: end!, text: answer.text.slice(start, end), codeIds: d.code_ids });
    await audit({ action: 'listening.excerpt.create', entityType: 'listening_excerpt', entityId: id, summary: { answer: answer.id, codes: d.code_ids.length } });
  });
  return id;
}

async function insertExcerpt(trx: Db, ctx: Ctx, e: { id: string; seriesId: string; answerId: string; start: number; end: number; text: string; codeIds: string[] }) {
  await listeningDb(trx)
    .insertInto('listening_excerpts')
    .values({ id: e.id, series_id: e.seriesId, answer_id: e.answerId, start_offset: e.start, end_offset: e.end, text: e.text, coder_id: ctx.actor!.id, coder_label: ctx.actor!.name, created_at: nowIso() })
    .execute();
  for (const c of e.codeIds) await listeningDb(trx).insertInto('listening_excerpt_codes').values({ excerpt_id: e.id, code_id: c }).execute();
}

/** A coder removes one of their own excerpts (and its tags); one cited by a recommendation stays. */
export async function deleteExcerpt(ctx: Ctx, id: string): Promise<void> {
  coderInPerson(ctx);
  const e = isUuid(id) ? await listeningDb(ctx.db).selectFrom('listening_excerpts').select(['id', 'coder_id']).where('id', '=', id).executeTakeFirst() : undefined;
  if (!e) throw notFound('No such excerpt.');
  authorize(ctx, mayRemoveExcerpt(ctx, { coder_id: e.coder_id }), 'Coders remove only their own excerpts.');
  await runCommand(ctx, async (trx, audit) => {
    const cited = await listeningDb(trx).selectFrom('listening_recommendation_excerpts').select('recommendation_id').where('excerpt_id', '=', id).executeTakeFirst();
    if (cited) throw conflict('A recommendation cites this excerpt.');
    await listeningDb(trx).deleteFrom('listening_excerpt_codes').where('excerpt_id', '=', id).execute();
    await listeningDb(trx).deleteFrom('listening_excerpts').where('id', '=', id).execute();
    await audit({ action: 'listening.excerpt.delete', entityType: 'listening_excerpt', entityId: id });
  });
}

export async function createMemo(ctx: Ctx, seriesId: string, input: unknown, opts: CommandOptions = {}): Promise<string> {
  codersOnly(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(MemoCreate, input, opts);
  if (d.code_id && !(await listCodes(ctx.db, seriesId)).some((c) => c.id === d.code_id)) throw fieldError('code_id', 'is not a code of this series');
  if (d.excerpt_id && !(await listeningDb(ctx.db).selectFrom('listening_excerpts').select('id').where('id', '=', d.excerpt_id).where('series_id', '=', seriesId).executeTakeFirst())) throw fieldError('excerpt_id', 'is not an excerpt of this series');
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx).insertInto('listening_memos').values({ id, series_id: seriesId, code_id: d.code_id ?? null, excerpt_id: d.excerpt_id ?? null, author_label: actorLabel(ctx), text: d.text.trim(), created_at: nowIso() }).execute();
    await audit({ action: 'listening.memo.create', entityType: 'listening_memo', entityId: id });
  });
  return id;
}

// ---- suggestions ----

// A read, kept importable from here for bench/listening.bench.ts.
export { currentSuggestions } from './store.ts';

/**
 * Accepting a suggestion creates a code named after its top terms (or the name given) and tags each of its
 * answers, whole, with it as the acting coder. Rejecting records the decision so it is not offered again.
 */
export async function decideSuggestion(ctx: Ctx, seriesId: string, decision: 'accept' | 'reject', input: unknown, opts: CommandOptions = {}): Promise<{ code_id: string | null; excerpts: number }> {
  coderInPerson(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(SuggestionDecision, input, opts);
  const s = (await currentSuggestions(ctx.db, seriesId)).find((x) => x.fingerprint === d.fingerprint);
  if (!s) throw notFound('No such open suggestion; the texts may have changed or someone already decided it.');
  const codes = await listCodes(ctx.db, seriesId);
  if (d.parent_id && !codes.some((c) => c.id === d.parent_id)) throw fieldError('parent_id', 'is not a code of this series');
  const name = (d.name?.trim() || s.label).slice(0, 200);
  let codeId: string | null = null;
  let made = 0;
  await runCommand(ctx, async (trx, audit) => {
    if (decision === 'accept') {
      const same = codes.find((c) => (c.parent_id ?? null) === (d.parent_id ?? null) && c.name.toLowerCase() === name.toLowerCase());
      codeId = same?.id ?? newId();
      if (!same) await listeningDb(trx).insertInto('listening_codes').values({ id: codeId, series_id: seriesId, parent_id: d.parent_id ?? null, name, description: `Suggested from the terms: ${s.terms.join(', ')}`, guid: newId(), created_at: nowIso() }).execute();
      for (const answerId of s.member_ids) {
        const a = await getAnswer(trx, answerId);
        if (!a) continue;
        await insertExcerpt(trx, ctx, { id: newId(), seriesId, answerId, start: 0, end: a.text.length, text: a.text, codeIds: [codeId] });
        made++;
      }
    }
    await listeningDb(trx).insertInto('listening_suggestion_decisions').values({ id: newId(), series_id: seriesId, fingerprint: s.fingerprint, decision, code_id: codeId, decided_by: actorLabel(ctx), decided_at: nowIso() }).execute();
    await audit({ action: `listening.suggestion.${decision}`, entityType: 'listening_series', entityId: seriesId, summary: { fingerprint: s.fingerprint, label: s.label, excerpts: made } });
  });
  return { code_id: codeId, excerpts: made };
}

// ---- findings ----

/** Publishes the findings: a snapshot of the suppressed public report and the de-identified CSV. */
export async function publishFindings(ctx: Ctx, seriesId: string): Promise<Series> {
  leadsOnly(ctx);
  const series = await seriesOr404(ctx.db, seriesId);
  const at = nowIso();
  const report = await buildFindings(ctx.db, series, ctx.config.suppressionThreshold, { suppress: true, publishedAt: at });
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx).updateTable('listening_series').set({ published_at: at, report: toJson(report), version: series.version + 1, updated_at: at }).where('id', '=', seriesId).execute();
    await audit({ action: 'listening.findings.publish', entityType: 'listening_series', entityId: seriesId, summary: { themes: report.findings.themes.length } });
  });
  return (await getSeries(ctx.db, seriesId))!;
}

// ---- recommendations ----

async function checkRecommendation(db: Db, seriesId: string, p: Problems, d: { finding_code_id?: string; owner_type?: string; owner_id?: string; excerpt_ids?: string[]; workplan_action_id?: string }) {
  // The work plans module's public lookup (its index.ts): the link must name an action of the plan.
  if (d.workplan_action_id) {
    const item = isUuid(d.workplan_action_id) ? await getWorkplanItem(db, d.workplan_action_id) : undefined;
    if (!item || item.kind !== 'action') p.add('workplan_action_id', 'is not a work plan action');
  }
  if (d.finding_code_id) {
    const code = (await listCodes(db, seriesId)).find((c) => c.id === d.finding_code_id);
    if (!code) p.add('finding_code_id', 'is not a code of this series');
  }
  if (d.owner_id) await checkOwner(db, p, d.owner_type, d.owner_id, ['agency', 'committee', 'partnership']);
  else if (d.owner_type) p.add('owner_id', 'is required with owner_type');
  if (d.excerpt_ids?.length) {
    const found = new Set((await listeningDb(db).selectFrom('listening_excerpts').select('id').where('series_id', '=', seriesId).where('id', 'in', d.excerpt_ids).execute()).map((r) => r.id));
    for (const [i, id] of d.excerpt_ids.entries()) if (!found.has(id)) p.add(`excerpt_ids.${i}`, 'is not an excerpt of this series');
  }
}

async function timeline(trx: Db, ctx: Ctx, recId: string, note: string, status: string | null, date?: string) {
  await listeningDb(trx).insertInto('listening_timeline').values({ id: newId(), recommendation_id: recId, entry_date: date ?? nowIso().slice(0, 10), note, status, author_label: actorLabel(ctx), created_at: nowIso() }).execute();
}

export async function createRecommendation(ctx: Ctx, seriesId: string, input: unknown, opts: CommandOptions = {}): Promise<Recommendation> {
  leadsOnly(ctx);
  await seriesOr404(ctx.db, seriesId);
  const d = validate(RecommendationCreate, input, opts);
  const p = new Problems();
  await checkRecommendation(ctx.db, seriesId, p, d);
  p.throwIfAny();
  const owner = (await loadOwners(ctx.db)).get(d.owner_id);
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await listeningDb(trx)
      .insertInto('listening_recommendations')
      .values({
        id,
        series_id: seriesId,
        finding_code_id: d.finding_code_id ?? null,
        title: d.title.trim(),
        description: d.description || null,
        type: d.type,
        owner_type: owner?.type ?? null,
        owner_id: owner?.id ?? null,
        status: 'proposed',
        decline_reason: null,
        progress: 0,
        weight: d.weight ?? 1,
        workplan_action_id: d.workplan_action_id || null,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const e of d.excerpt_ids ?? []) await listeningDb(trx).insertInto('listening_recommendation_excerpts').values({ recommendation_id: id, excerpt_id: e }).execute();
    await timeline(trx, ctx, id, 'Recommendation proposed.', 'proposed');
    await audit({ action: 'listening.recommendation.create', entityType: 'listening_recommendation', entityId: id, summary: { title: d.title, type: d.type } });
  });
  return (await getRecommendation(ctx.db, id))!;
}

/** Changes a recommendation; every change of status adds a timeline entry, and declining needs a reason. */
export async function updateRecommendation(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Recommendation> {
  leadsOnly(ctx);
  const r = await recommendationOr404(ctx.db, id);
  const d = validate(RecommendationPatch, input, opts);
  const p = new Problems();
  // A link left as it was is not checked again (its action may have left the plan since).
  await checkRecommendation(ctx.db, r.series_id, p, { owner_type: d.owner_type, owner_id: d.owner_id, excerpt_ids: d.excerpt_ids, workplan_action_id: d.workplan_action_id === r.workplan_action_id ? undefined : d.workplan_action_id });
  const status = d.status ?? r.status;
  const reason = d.decline_reason?.trim() || (d.status === undefined ? r.decline_reason : null) || null;
  if (status === 'declined' && !reason) p.add('decline_reason', 'is required when declining a recommendation');
  p.throwIfAny();
  const owner = d.owner_id ? (await loadOwners(ctx.db)).get(d.owner_id) : undefined;
  await runCommand(ctx, async (trx, audit) => {
    const set: Record<string, unknown> = { version: d.version + 1, updated_at: nowIso() };
    for (const k of ['title', 'description', 'type', 'weight', 'workplan_action_id'] as const) if (d[k] !== undefined) set[k] = d[k] === '' ? null : d[k];
    if (owner) Object.assign(set, { owner_type: owner.type, owner_id: owner.id });
    if (d.status !== undefined) set.status = d.status;
    set.decline_reason = status === 'declined' ? reason : null;
    let progress = d.progress ?? r.progress;
    if (status === 'done') progress = 100;
    set.progress = progress;
    const res = await listeningDb(trx).updateTable('listening_recommendations').set(set).where('id', '=', id).where('version', '=', d.version).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict(`This recommendation changed since version ${d.version}; it is now at version ${r.version}. Reload and try again.`);
    if (d.excerpt_ids) {
      await listeningDb(trx).deleteFrom('listening_recommendation_excerpts').where('recommendation_id', '=', id).execute();
      for (const e of d.excerpt_ids) await listeningDb(trx).insertInto('listening_recommendation_excerpts').values({ recommendation_id: id, excerpt_id: e }).execute();
    }
    if (status !== r.status) {
      const note = [`Status changed from ${r.status} to ${status}.`, status === 'declined' ? `Reason: ${reason}` : '', d.note?.trim() ?? ''].filter(Boolean).join(' ');
      await timeline(trx, ctx, id, note, status);
    } else if (d.note?.trim()) await timeline(trx, ctx, id, d.note.trim(), null);
    await audit({ action: 'listening.recommendation.update', entityType: 'listening_recommendation', entityId: id, summary: { changed: Object.keys(d).filter((k) => k !== 'version'), status } });
  });
  return (await getRecommendation(ctx.db, id))!;
}

export async function addTimelineEntry(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<void> {
  leadsOnly(ctx);
  await recommendationOr404(ctx.db, id);
  const d = validate(TimelineCreate, input, opts);
  await runCommand(ctx, async (trx, audit) => {
    await timeline(trx, ctx, id, d.note.trim(), null, d.entry_date);
    await audit({ action: 'listening.recommendation.note', entityType: 'listening_recommendation', entityId: id });
  });
}

// ---- reminders ----

/**
 * E-mails each confirmed registrant of a session starting within its series' reminder window. The message holds
 * the session's public link and calendar file, nothing about other registrants. Each person is reminded once.
 */
export async function sendReminders(ctx: Ctx, now = new Date(), log?: MailLog): Promise<{ sent: number; skipped: number }> {
  leadsOnly(ctx);
  const nowIsoStr = now.toISOString();
  const series = await listeningDb(ctx.db).selectFrom('listening_series').select(['id', 'reminder_days']).execute();
  let sent = 0;
  let skipped = 0;
  for (const sr of series) {
    const days = Number(sr.reminder_days);
    if (days <= 0) continue;
    const horizon = new Date(now.getTime() + days * 86400_000).toISOString();
    for (const s of await listSessions(ctx.db, sr.id)) {
      if (s.starts_at <= nowIsoStr || s.starts_at > horizon) continue;
      const regs = await listeningDb(ctx.db)
        .selectFrom('listening_registrations as r')
        .leftJoin('listening_reminders as m', 'm.registration_id', 'r.id')
        .select(['r.id', 'r.email', 'r.name', 'r.lang'])
        .where('r.session_id', '=', s.id)
        .where('r.status', '=', 'confirmed')
        .where('m.registration_id', 'is', null)
        .orderBy('r.created_at')
        .execute();
      const link = `${ctx.config.publicUrl}/listening/sessions/${s.id}`;
      for (const r of regs) {
        // In the language the person registered in.
        const lang: Lang = isLang(r.lang) ? r.lang : 'en';
        const t = translator(lang);
        const text = [
          t('ls.mail.hello'),
          '',
          t('ls.mail.reminder', { title: s.title }),
          t('ls.mail.when', { when: sessionWhen(lang, s) }),
          '',
          t('ls.mail.details', { url: link }),
          t('ls.mail.calendar', { url: `${ctx.config.publicUrl}/api/listening/sessions/${s.id}/session.ics` }),
          '',
          t('ls.mail.input'),
        ].join('\n');
        const subject = t('ls.mail.subject', { title: s.title });
        const res = await send(ctx.config, { to: r.email, subject, text }, log);
        await listeningDb(ctx.db).insertInto('listening_reminders').values({ registration_id: r.id, sent_at: nowIso() }).execute();
        // The subject only: addresses stay out of logs.
        if (res.sent) log?.(`mail sent: "${subject}"`);
        if (res.sent) sent++;
        else skipped++;
      }
    }
  }
  return { sent, skipped };
}
