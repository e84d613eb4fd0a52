import { bool, isUuid, json, type Db } from '../../platform/db/index.ts';
import { notFound } from '../../platform/http/errors.ts';
import { allAgencies, allBodies, allPartnerships } from '../structure/index.ts';
import { suggestThemes } from './suggest.ts';
import { templateQuestions, type Question } from './questions.ts';
import { listeningDb, type CodeTable, type InputTable, type RecommendationTable, type RegistrationTable, type SeriesTable, type SessionTable } from './tables.ts';

export interface Series {
  id: string;
  title: string;
  description: string | null;
  owner_type: string;
  owner_id: string;
  reminder_days: number;
  published_at: string | null;
  /** The questions its sessions ask, in order. */
  questions: Question[];
  version: number;
  created_at: string;
  updated_at: string;
}

export type { Question };

export interface Session {
  id: string;
  series_id: string;
  title: string;
  date: string;
  start_time: string;
  end_time: string;
  time_zone: string;
  starts_at: string;
  ends_at: string;
  format: string;
  location: string | null;
  online_url: string | null;
  audience_provider_types: string[];
  audience_regions: string[];
  capacity: number;
  reserved_places: number;
  registration_opens_at: string | null;
  registration_closes_at: string | null;
  agenda: { title: string; minutes?: number }[];
  /** The questions it asks: its own when it has them, otherwise its series' (read with it). */
  questions: Question[];
  own_questions: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Registration {
  id: string;
  session_id: string;
  name: string;
  email: string;
  organization: string;
  organization_type: string;
  region: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  reserved_place: boolean;
  attended: boolean;
  created_at: string;
}

export interface Answer {
  id: string;
  input_id: string;
  question_key: string;
  question_label: string;
  text: string;
  position: number;
}

export interface Input {
  id: string;
  session_id: string;
  series_id: string;
  kind: string;
  organization_type: string | null;
  region: string | null;
  participant_name: string | null;
  attribution: boolean;
  quotable: boolean;
  created_at: string;
  answers: Answer[];
}

export interface Code {
  id: string;
  series_id: string;
  parent_id: string | null;
  name: string;
  description: string | null;
  guid: string;
  created_at: string;
}

export interface Excerpt {
  id: string;
  series_id: string;
  answer_id: string;
  input_id: string;
  start_offset: number;
  end_offset: number;
  text: string;
  coder_id: string;
  coder_label: string;
  created_at: string;
  code_ids: string[];
}

export interface Recommendation {
  id: string;
  series_id: string;
  finding_code_id: string | null;
  title: string;
  description: string | null;
  type: string;
  owner_type: string | null;
  owner_id: string | null;
  status: string;
  decline_reason: string | null;
  progress: number;
  weight: number;
  workplan_action_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  excerpt_ids: string[];
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function seriesOf(r: Omit<SeriesTable, 'report'>): Series {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    owner_type: r.owner_type,
    owner_id: r.owner_id,
    reminder_days: Number(r.reminder_days),
    published_at: str(r.published_at),
    questions: seriesQuestions(r.questions),
    version: Number(r.version),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
  };
}

const SERIES_COLUMNS = ['id', 'title', 'description', 'owner_type', 'owner_id', 'reminder_days', 'published_at', 'questions', 'version', 'created_at', 'updated_at'] as const;

/** A series' stored questions; none stored means the housing set (see the questions migration). */
function seriesQuestions(v: unknown): Question[] {
  const list = json<Question[] | null>(v, null);
  return list && list.length ? list : templateQuestions('housing');
}

export async function listSeries(db: Db, limit: number, offset: number): Promise<{ items: Series[]; total: number }> {
  const total = await listeningDb(db).selectFrom('listening_series').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await listeningDb(db).selectFrom('listening_series').select(SERIES_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  return { items: rows.map(seriesOf), total: Number(total?.n ?? 0) };
}

export async function getSeries(db: Db, id: string): Promise<Series | undefined> {
  const r = await listeningDb(db).selectFrom('listening_series').select(SERIES_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? seriesOf(r) : undefined;
}

export async function publishedReport(db: Db, id: string): Promise<unknown | undefined> {
  const r = await listeningDb(db).selectFrom('listening_series').select(['report', 'published_at']).where('id', '=', id).executeTakeFirst();
  return r?.published_at ? json<unknown>(r.report, undefined) : undefined;
}

/**
 * A session as stored; `seriesQs` (its series' questions, stored as such) are the questions it asks unless it
 * stored its own (sessions made before series had questions, or given their own through the API).
 */
export function sessionOf(r: SessionTable, seriesQs?: unknown): Session {
  const own = json<Question[]>(r.questions, []);
  return {
    id: r.id,
    series_id: r.series_id,
    title: r.title,
    date: String(r.date),
    start_time: r.start_time,
    end_time: r.end_time,
    time_zone: r.time_zone,
    starts_at: String(r.starts_at),
    ends_at: String(r.ends_at),
    format: r.format,
    location: r.location,
    online_url: r.online_url,
    audience_provider_types: json<string[]>(r.audience_provider_types, []),
    audience_regions: json<string[]>(r.audience_regions, []),
    capacity: Number(r.capacity),
    reserved_places: Number(r.reserved_places),
    registration_opens_at: str(r.registration_opens_at),
    registration_closes_at: str(r.registration_closes_at),
    agenda: json(r.agenda, []),
    questions: own.length ? own : seriesQuestions(seriesQs),
    own_questions: own.length > 0,
    version: Number(r.version),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
  };
}

export async function listSessions(db: Db, seriesId: string): Promise<Session[]> {
  const [rows, series] = await Promise.all([
    listeningDb(db).selectFrom('listening_sessions').selectAll().where('series_id', '=', seriesId).orderBy('starts_at').orderBy('id').execute(),
    listeningDb(db).selectFrom('listening_series').select('questions').where('id', '=', seriesId).executeTakeFirst(),
  ]);
  return rows.map((r) => sessionOf(r, series?.questions));
}

export async function getSession(db: Db, id: string): Promise<Session | undefined> {
  const r = await listeningDb(db).selectFrom('listening_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  const series = await listeningDb(db).selectFrom('listening_series').select('questions').where('id', '=', r.series_id).executeTakeFirst();
  return sessionOf(r, series?.questions);
}

export interface PlaceCounts {
  confirmed: number;
  confirmedReserved: number;
  waitlisted: number;
}

export async function placeCounts(db: Db, sessionId: string): Promise<PlaceCounts> {
  const rows = await listeningDb(db)
    .selectFrom('listening_registrations')
    .select(['status', 'reserved_place', (eb) => eb.fn.countAll().as('n')])
    .where('session_id', '=', sessionId)
    .groupBy(['status', 'reserved_place'])
    .execute();
  const out: PlaceCounts = { confirmed: 0, confirmedReserved: 0, waitlisted: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.status === 'confirmed') {
      out.confirmed += n;
      if (bool(r.reserved_place)) out.confirmedReserved += n;
    } else if (r.status === 'waitlisted') out.waitlisted += n;
  }
  return out;
}

export function registrationOpen(s: Session, now = new Date()): boolean {
  const t = now.toISOString();
  if (s.registration_opens_at && t < s.registration_opens_at) return false;
  if (s.registration_closes_at && t >= s.registration_closes_at) return false;
  return t < s.starts_at;
}

export function registrationOf(r: RegistrationTable): Registration {
  return {
    id: r.id,
    session_id: r.session_id,
    name: r.name,
    email: r.email,
    organization: r.organization,
    organization_type: r.organization_type,
    region: r.region,
    status: r.status,
    reserved_place: bool(r.reserved_place),
    attended: bool(r.attended),
    created_at: String(r.created_at),
  };
}

export async function listRegistrations(db: Db, sessionId: string, limit: number, offset: number): Promise<{ items: Registration[]; total: number }> {
  const base = listeningDb(db).selectFrom('listening_registrations').where('session_id', '=', sessionId);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  return { items: rows.map(registrationOf), total: Number(total?.n ?? 0) };
}

export async function getRegistration(db: Db, id: string): Promise<Registration | undefined> {
  const r = await listeningDb(db).selectFrom('listening_registrations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? registrationOf(r) : undefined;
}

function inputOf(r: InputTable, answers: Answer[]): Input {
  return {
    id: r.id,
    session_id: r.session_id,
    series_id: r.series_id,
    kind: r.kind,
    organization_type: r.organization_type,
    region: r.region,
    participant_name: r.participant_name,
    attribution: bool(r.attribution),
    quotable: bool(r.quotable),
    created_at: String(r.created_at),
    answers,
  };
}

export async function listInputs(db: Db, f: { seriesId?: string; sessionId?: string; ids?: string[] }, limit = 100000, offset = 0): Promise<{ items: Input[]; total: number }> {
  // No ids, no inputs (as `id = NULL` would answer).
  if (f.ids && !f.ids.length) return { items: [], total: 0 };
  let base = listeningDb(db).selectFrom('listening_inputs');
  if (f.seriesId) base = base.where('series_id', '=', f.seriesId);
  if (f.sessionId) base = base.where('session_id', '=', f.sessionId);
  if (f.ids) base = base.where('id', 'in', f.ids);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  const ids = rows.map((r) => r.id);
  const answers = ids.length ? await listeningDb(db).selectFrom('listening_answers').selectAll().where('input_id', 'in', ids).orderBy('position').execute() : [];
  const byInput = new Map<string, Answer[]>();
  for (const a of answers) {
    const list = byInput.get(a.input_id) ?? [];
    list.push({ id: a.id, input_id: a.input_id, question_key: a.question_key, question_label: a.question_label, text: a.text, position: Number(a.position) });
    byInput.set(a.input_id, list);
  }
  return { items: rows.map((r) => inputOf(r, byInput.get(r.id) ?? [])), total: Number(total?.n ?? 0) };
}

export async function getAnswer(db: Db, id: string): Promise<(Answer & { series_id: string }) | undefined> {
  const r = await listeningDb(db)
    .selectFrom('listening_answers as a')
    .innerJoin('listening_inputs as i', 'i.id', 'a.input_id')
    .select(['a.id', 'a.input_id', 'a.question_key', 'a.question_label', 'a.text', 'a.position', 'i.series_id'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  return r ? { id: r.id, input_id: r.input_id, question_key: r.question_key, question_label: r.question_label, text: r.text, position: Number(r.position), series_id: r.series_id } : undefined;
}

export function codeOf(r: CodeTable): Code {
  return { id: r.id, series_id: r.series_id, parent_id: r.parent_id, name: r.name, description: r.description, guid: r.guid, created_at: String(r.created_at) };
}

export async function listCodes(db: Db, seriesId: string): Promise<Code[]> {
  const rows = await listeningDb(db).selectFrom('listening_codes').selectAll().where('series_id', '=', seriesId).orderBy('name').orderBy('id').execute();
  return rows.map(codeOf);
}

/** Codes in tree order (parents first, siblings by name), each with its depth. */
export function codeTree(codes: Code[]): { code: Code; depth: number }[] {
  const children = new Map<string | null, Code[]>();
  for (const c of codes) {
    const key = c.parent_id && codes.some((x) => x.id === c.parent_id) ? c.parent_id : null;
    children.set(key, [...(children.get(key) ?? []), c]);
  }
  const out: { code: Code; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      out.push({ code: c, depth });
      if (depth < 20) walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The top-level code (theme) above each code. */
export function themeOf(codes: Code[]): Map<string, string> {
  const byId = new Map(codes.map((c) => [c.id, c]));
  const out = new Map<string, string>();
  for (const c of codes) {
    let cur = c;
    for (let i = 0; i < 50 && cur.parent_id && byId.has(cur.parent_id); i++) cur = byId.get(cur.parent_id)!;
    out.set(c.id, cur.id);
  }
  return out;
}

export async function listExcerpts(db: Db, f: { seriesId: string; coderId?: string; ids?: string[] }, limit = 1000000, offset = 0): Promise<{ items: Excerpt[]; total: number }> {
  // No ids, no excerpts (as `e.id = NULL` would answer).
  if (f.ids && !f.ids.length) return { items: [], total: 0 };
  let base = listeningDb(db).selectFrom('listening_excerpts as e').innerJoin('listening_answers as a', 'a.id', 'e.answer_id').where('e.series_id', '=', f.seriesId);
  if (f.coderId) base = base.where('e.coder_id', '=', f.coderId);
  if (f.ids) base = base.where('e.id', 'in', f.ids);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base
    .select(['e.id', 'e.series_id', 'e.answer_id', 'a.input_id', 'e.start_offset', 'e.end_offset', 'e.text', 'e.coder_id', 'e.coder_label', 'e.created_at'])
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(limit)
    .offset(offset)
    .execute();
  const ids = rows.map((r) => r.id);
  const tags = ids.length ? await listeningDb(db).selectFrom('listening_excerpt_codes').select(['excerpt_id', 'code_id']).where('excerpt_id', 'in', ids).execute() : [];
  const byExcerpt = new Map<string, string[]>();
  for (const t of tags) byExcerpt.set(t.excerpt_id, [...(byExcerpt.get(t.excerpt_id) ?? []), t.code_id]);
  return {
    total: Number(total?.n ?? 0),
    items: rows.map((r) => ({
      id: r.id,
      series_id: r.series_id,
      answer_id: r.answer_id,
      input_id: r.input_id,
      start_offset: Number(r.start_offset),
      end_offset: Number(r.end_offset),
      text: r.text,
      coder_id: r.coder_id,
      coder_label: r.coder_label,
      created_at: String(r.created_at),
      code_ids: (byExcerpt.get(r.id) ?? []).sort(),
    })),
  };
}

export async function listMemos(db: Db, seriesId: string) {
  const rows = await listeningDb(db).selectFrom('listening_memos').selectAll().where('series_id', '=', seriesId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, code_id: r.code_id, excerpt_id: r.excerpt_id, author_label: r.author_label, text: r.text, created_at: String(r.created_at) }));
}

export async function listCoders(db: Db, seriesId: string): Promise<{ id: string; label: string; excerpts: number }[]> {
  const rows = await listeningDb(db)
    .selectFrom('listening_excerpts')
    .select(['coder_id', (eb) => eb.fn.max('coder_label').as('label'), (eb) => eb.fn.countAll().as('n')])
    .where('series_id', '=', seriesId)
    .groupBy('coder_id')
    .execute();
  return rows.map((r) => ({ id: r.coder_id, label: r.label, excerpts: Number(r.n) })).sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
}

export function recommendationOf(r: RecommendationTable, excerptIds: string[]): Recommendation {
  return {
    id: r.id,
    series_id: r.series_id,
    finding_code_id: r.finding_code_id,
    title: r.title,
    description: r.description,
    type: r.type,
    owner_type: r.owner_type,
    owner_id: r.owner_id,
    status: r.status,
    decline_reason: r.decline_reason,
    progress: Number(r.progress),
    weight: Number(r.weight),
    workplan_action_id: r.workplan_action_id,
    version: Number(r.version),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    excerpt_ids: excerptIds,
  };
}

export async function listRecommendations(db: Db, f: { seriesId?: string; id?: string }, limit = 100000, offset = 0): Promise<{ items: Recommendation[]; total: number }> {
  let base = listeningDb(db).selectFrom('listening_recommendations');
  if (f.seriesId) base = base.where('series_id', '=', f.seriesId);
  if (f.id) base = base.where('id', '=', f.id);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  const ids = rows.map((r) => r.id);
  const links = ids.length ? await listeningDb(db).selectFrom('listening_recommendation_excerpts').select(['recommendation_id', 'excerpt_id']).where('recommendation_id', 'in', ids).execute() : [];
  const by = new Map<string, string[]>();
  for (const l of links) by.set(l.recommendation_id, [...(by.get(l.recommendation_id) ?? []), l.excerpt_id]);
  return { items: rows.map((r) => recommendationOf(r, (by.get(r.id) ?? []).sort())), total: Number(total?.n ?? 0) };
}

export async function getRecommendation(db: Db, id: string): Promise<Recommendation | undefined> {
  return (await listRecommendations(db, { id })).items[0];
}

export async function listTimeline(db: Db, recommendationId: string) {
  const rows = await listeningDb(db).selectFrom('listening_timeline').selectAll().where('recommendation_id', '=', recommendationId).orderBy('entry_date').orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, entry_date: String(r.entry_date), note: r.note, status: r.status, author_label: r.author_label, created_at: String(r.created_at) }));
}

/** Weighted progress of a series' recommendations: declined ones do not count, done ones count as 100%. */
export function rollup(recs: Recommendation[]): { progress: number | null; by_status: Record<string, number> } {
  const by_status: Record<string, number> = {};
  let w = 0;
  let sum = 0;
  for (const r of recs) {
    by_status[r.status] = (by_status[r.status] ?? 0) + 1;
    if (r.status === 'declined') continue;
    const p = r.status === 'done' ? 100 : r.progress;
    w += r.weight;
    sum += r.weight * p;
  }
  return { progress: w > 0 ? Math.round((sum / w) * 10) / 10 : null, by_status };
}

export interface OwnerRef {
  id: string;
  type: 'agency' | 'committee' | 'partnership';
  name: string;
}

/** Agencies, committees and partnerships, read through the structure module's public functions. */
export async function loadOwners(db: Db): Promise<{ all: OwnerRef[]; get(id: string | null | undefined): OwnerRef | undefined }> {
  const [agencies, bodies, partnerships] = await Promise.all([allAgencies(db), allBodies(db), allPartnerships(db)]);
  const all: OwnerRef[] = [
    ...partnerships.map((p) => ({ id: p.id, type: 'partnership' as const, name: p.name })),
    ...bodies.filter((b) => b.kind === 'committee').map((b) => ({ id: b.id, type: 'committee' as const, name: b.name })),
    ...agencies.map((a) => ({ id: a.id, type: 'agency' as const, name: a.name })),
  ];
  const byId = new Map(all.map((o) => [o.id, o]));
  return { all, get: (id) => (id ? byId.get(id) : undefined) };
}

/** Units of the suggestions: every answer in the series, by its text. */
export async function currentSuggestions(db: Db, seriesId: string) {
  const { items } = await listInputs(db, { seriesId });
  const answers = items.flatMap((i) => i.answers);
  const decided = new Set((await listeningDb(db).selectFrom('listening_suggestion_decisions').select('fingerprint').where('series_id', '=', seriesId).execute()).map((r) => r.fingerprint));
  const text = new Map(answers.map((a) => [a.id, a.text]));
  return suggestThemes(answers.map((a) => ({ id: a.id, text: a.text })))
    .filter((s) => !decided.has(s.fingerprint))
    .map((s) => ({ ...s, samples: s.member_ids.slice(0, 3).map((id) => (text.get(id) ?? '').slice(0, 200)) }));
}

// ---- lookups by id that answer 404 ----

export async function seriesOr404(db: Db, id: string): Promise<Series> {
  const s = isUuid(id) ? await getSeries(db, id) : undefined;
  if (!s) throw notFound('No such listening-session series.');
  return s;
}

export async function sessionOr404(db: Db, id: string): Promise<Session> {
  const s = isUuid(id) ? await getSession(db, id) : undefined;
  if (!s) throw notFound('No such listening session.');
  return s;
}

export async function recommendationOr404(db: Db, id: string): Promise<Recommendation> {
  const r = isUuid(id) ? await getRecommendation(db, id) : undefined;
  if (!r) throw notFound('No such recommendation.');
  return r;
}
