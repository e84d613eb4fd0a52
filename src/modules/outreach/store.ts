/** Reads over the outreach module's own tables. */
import { bool, isUuid, type Db } from '../../platform/db/index.ts';
import { publishPage } from '../../platform/stats/page.ts';
import { outreachDb, type CampaignTable, type EventRegistrationTable, type EventTable, type GroupTable, type LessonTable, type MaterialTable } from './tables.ts';
import type { Campaign, EventRegistration, Group, Impact, Lesson, Material, OutreachEvent, Reportback } from './schema.ts';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
export const today = (): string => new Date().toISOString().slice(0, 10);

// ---------- sponsors and groups ----------

export async function acceptedTermsVersion(db: Db, userId: string): Promise<number | null> {
  const r = await outreachDb(db).selectFrom('outreach_sponsor').select('terms_version').where('user_id', '=', userId).executeTakeFirst();
  return r ? Number(r.terms_version) : null;
}

const groupOf = (r: GroupTable): Group => ({ id: r.id, sponsor_user_id: r.sponsor_user_id, name: r.name, kind: r.kind, state: r.state, grade_band: r.grade_band, demo: bool(r.demo), created_at: iso(r.created_at) });

export async function getGroup(db: Db, id: string): Promise<Group | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await outreachDb(db).selectFrom('outreach_group').selectAll().where('id', '=', id).executeTakeFirst();
  return r && groupOf(r);
}

export async function groupsOfSponsor(db: Db, userId: string): Promise<Group[]> {
  return (await outreachDb(db).selectFrom('outreach_group').selectAll().where('sponsor_user_id', '=', userId).orderBy('name').execute()).map(groupOf);
}

// ---------- campaigns ----------

const campaignOf = (r: CampaignTable): Campaign => ({
  id: r.id,
  title: r.title,
  call_to_action: r.call_to_action,
  description: r.description,
  starts_on: day(r.starts_on),
  ends_on: day(r.ends_on),
  goal: Number(r.goal),
  unit: r.unit,
  status: r.status,
  demo: bool(r.demo),
});

export async function getCampaign(db: Db, id: string): Promise<Campaign | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await outreachDb(db).selectFrom('outreach_campaign').selectAll().where('id', '=', id).executeTakeFirst();
  return r && campaignOf(r);
}

export async function listCampaigns(db: Db, opts: { includeDrafts: boolean }): Promise<Campaign[]> {
  let q = outreachDb(db).selectFrom('outreach_campaign').selectAll().orderBy('starts_on', 'desc').orderBy('title').limit(500);
  if (!opts.includeDrafts) q = q.where('status', '!=', 'draft');
  return (await q.execute()).map(campaignOf);
}

export const isOpen = (c: Campaign, on = today()): boolean => c.status === 'published' && c.starts_on <= on && on <= c.ends_on;

export async function signupOf(db: Db, campaignId: string, groupId: string): Promise<{ id: string } | undefined> {
  return outreachDb(db).selectFrom('outreach_signup').select('id').where('campaign_id', '=', campaignId).where('group_id', '=', groupId).executeTakeFirst();
}

export async function signedUpGroups(db: Db, campaignId: string): Promise<string[]> {
  return (await outreachDb(db).selectFrom('outreach_signup').select('group_id').where('campaign_id', '=', campaignId).execute()).map((r) => r.group_id);
}

// ---------- reportbacks ----------

function reportbackQuery(db: Db) {
  return outreachDb(db)
    .selectFrom('outreach_reportback as r')
    .innerJoin('outreach_group as g', 'g.id', 'r.group_id')
    .select(['r.id', 'r.campaign_id', 'r.group_id', 'g.name as group_name', 'g.state as group_state', 'r.summary', 'r.quantity', 'r.photo_id', 'r.photo_alt', 'r.status', 'r.review_note', 'r.created_at']);
}
type RbRow = Awaited<ReturnType<ReturnType<typeof reportbackQuery>['executeTakeFirstOrThrow']>>;
const reportbackOf = (r: RbRow): Reportback => ({ ...r, quantity: Number(r.quantity), created_at: iso(r.created_at) });

export async function getReportback(db: Db, id: string): Promise<Reportback | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await reportbackQuery(db).where('r.id', '=', id).executeTakeFirst();
  return r && reportbackOf(r);
}

export async function listReportbacks(db: Db, f: { campaignId?: string; groupId?: string; status?: string }, limit = 200): Promise<Reportback[]> {
  let q = reportbackQuery(db).orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit);
  if (f.campaignId) q = q.where('r.campaign_id', '=', f.campaignId);
  if (f.groupId) q = q.where('r.group_id', '=', f.groupId);
  if (f.status) q = q.where('r.status', '=', f.status);
  return (await q.execute()).map(reportbackOf);
}

export async function countPending(db: Db): Promise<number> {
  const r = await outreachDb(db).selectFrom('outreach_reportback').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The photo of a reportback, with what decides who may see it. */
export async function getPhoto(db: Db, photoId: string) {
  if (!isUuid(photoId)) return undefined;
  return outreachDb(db)
    .selectFrom('outreach_photo as p')
    .innerJoin('outreach_reportback as r', 'r.photo_id', 'p.id')
    .innerJoin('outreach_group as g', 'g.id', 'r.group_id')
    .select(['p.id', 'p.mime', 'p.data', 'p.bytes', 'r.status', 'g.sponsor_user_id'])
    .where('p.id', '=', photoId)
    .executeTakeFirst();
}

/**
 * Impact of a campaign: the quantities of accepted reportbacks only, in total, per state and per group. The tables
 * are published together with the platform's page-wide suppression (platform/stats/page.ts): each group is one
 * record weighing its quantity, so a figure from 1 to the threshold is hidden, and so is every other figure of
 * either table (or the total) from which it could be worked out, e.g. a state's total minus its other groups.
 */
export async function campaignImpact(db: Db, c: Campaign, threshold: number): Promise<Impact> {
  const rows = await outreachDb(db)
    .selectFrom('outreach_reportback as r')
    .innerJoin('outreach_group as g', 'g.id', 'r.group_id')
    .select(['g.id as group_id', 'g.name', 'g.state', (eb) => eb.fn.sum<number>('r.quantity').as('qty')])
    .where('r.campaign_id', '=', c.id)
    .where('r.status', '=', 'accepted')
    .groupBy(['g.id', 'g.name', 'g.state'])
    .orderBy('g.name')
    .execute();
  const groups = rows.map((r) => ({ group_id: r.group_id, name: r.name, state: r.state, qty: Number(r.qty) }));
  const stateList = [...new Set(groups.map((g) => g.state))].sort();
  const inState = (s: string) => groups.flatMap((g, i) => (g.state === s ? [i] : []));
  // One row each, so that a hidden figure's complement is picked among its own table's figures first.
  const [byState, byGroup] = publishPage(
    [
      { id: 'by-state', caption: '', rowHeader: '', columns: stateList, rows: [{ label: '', cells: stateList.map(inState) }], rowTotals: true },
      { id: 'by-group', caption: '', rowHeader: '', columns: groups.map((g) => g.group_id), rows: [{ label: '', cells: groups.map((_, i) => [i]) }], rowTotals: true },
    ],
    threshold,
    groups.map((g) => g.qty),
  );
  // The total is in both tables; shown only where both may show it.
  const stateTotal = byState.rows[0]?.total ?? null;
  const groupTotal = byGroup.rows[0]?.total ?? null;
  const total = groups.length === 0 ? 0 : stateTotal !== null && groupTotal !== null ? stateTotal : null;
  return {
    campaign_id: c.id,
    unit: c.unit,
    goal: c.goal,
    threshold,
    total,
    by_state: stateList.map((state, i) => ({ state, total: byState.rows[0].cells[i] })),
    by_group: groups.map((g, i) => ({ group_id: g.group_id, name: g.name, state: g.state, total: byGroup.rows[0].cells[i] })),
  };
}

// ---------- toolkit and materials ----------

async function usageTotals(db: Db, kind: string, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await outreachDb(db).selectFrom('outreach_usage').select(['item_id', (eb) => eb.fn.sum<number>('count').as('n')]).where('item_kind', '=', kind).where('item_id', 'in', ids).groupBy('item_id').execute();
  return new Map(rows.map((r) => [r.item_id, Number(r.n)]));
}

const lessonOf = (r: LessonTable, uses: number): Lesson => ({
  id: r.id,
  title: r.title,
  summary: r.summary,
  audience: r.audience,
  grade_band: r.grade_band,
  duration_minutes: Number(r.duration_minutes),
  language: r.language,
  goals: r.goals,
  materials: r.materials,
  steps: r.steps,
  version: Number(r.version),
  uses,
  demo: bool(r.demo),
});

export async function listLessons(db: Db, f: { audience?: string; language?: string } = {}): Promise<Lesson[]> {
  let q = outreachDb(db).selectFrom('outreach_lesson').selectAll().orderBy('title').limit(500);
  if (f.audience) q = q.where('audience', '=', f.audience);
  if (f.language) q = q.where('language', '=', f.language);
  const rows = await q.execute();
  const uses = await usageTotals(db, 'lesson', rows.map((r) => r.id));
  return rows.map((r) => lessonOf(r, uses.get(r.id) ?? 0));
}

export async function getLesson(db: Db, id: string): Promise<Lesson | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await outreachDb(db).selectFrom('outreach_lesson').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return lessonOf(r, (await usageTotals(db, 'lesson', [id])).get(id) ?? 0);
}

export async function lessonVersions(db: Db, id: string): Promise<{ version: number; change_note: string; created_at: string }[]> {
  const rows = await outreachDb(db).selectFrom('outreach_lesson_version').select(['version', 'change_note', 'created_at']).where('lesson_id', '=', id).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: Number(r.version), change_note: r.change_note, created_at: iso(r.created_at) }));
}

const materialOf = (r: MaterialTable, downloads: number, translation: string | null): Material => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  audience: r.audience,
  language: r.language,
  format: r.format,
  url: r.url,
  alt_text: r.alt_text,
  transcript: r.transcript,
  licence: r.licence,
  translation_id: translation,
  downloads,
  demo: bool(r.demo),
});

/** English and Spanish versions point at each other: the link is stored on one and read from both sides. */
async function translations(db: Db, rows: MaterialTable[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of rows) if (r.translation_of) out.set(r.id, r.translation_of);
  const ids = rows.map((r) => r.id);
  if (ids.length) {
    const back = await outreachDb(db).selectFrom('outreach_material').select(['id', 'translation_of']).where('translation_of', 'in', ids).execute();
    for (const b of back) if (b.translation_of && !out.has(b.translation_of)) out.set(b.translation_of, b.id);
  }
  return out;
}

export async function listMaterials(db: Db, f: { kind?: string; language?: string; audience?: string } = {}): Promise<Material[]> {
  let q = outreachDb(db).selectFrom('outreach_material').selectAll().orderBy('title').limit(500);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.language) q = q.where('language', '=', f.language);
  if (f.audience) q = q.where('audience', '=', f.audience);
  const rows = await q.execute();
  const downloads = await usageTotals(db, 'material', rows.map((r) => r.id));
  const tr = await translations(db, rows);
  return rows.map((r) => materialOf(r, downloads.get(r.id) ?? 0, tr.get(r.id) ?? null));
}

export async function getMaterial(db: Db, id: string): Promise<Material | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await outreachDb(db).selectFrom('outreach_material').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return materialOf(r, (await usageTotals(db, 'material', [id])).get(id) ?? 0, (await translations(db, [r])).get(id) ?? null);
}

// ---------- events ----------

const eventOf = (r: EventTable): OutreachEvent => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  description: r.description,
  date: day(r.date),
  end_date: day(r.end_date),
  start_time: r.start_time,
  end_time: r.end_time,
  time_zone: r.time_zone,
  starts_at: iso(r.starts_at),
  ends_at: iso(r.ends_at),
  place: r.place,
  online_url: r.online_url,
  accessibility: r.accessibility,
  capacity: r.capacity === null ? null : Number(r.capacity),
  youth: bool(r.youth),
  places: null,
  demo: bool(r.demo),
});

/** The event with its places counted (when it takes registrations). */
async function withPlaces(db: Db, e: OutreachEvent): Promise<OutreachEvent> {
  if (e.capacity === null) return e;
  const c = await eventPlaceCounts(db, e.id);
  return { ...e, places: { confirmed: c.confirmed, waitlisted: c.waitlisted, free: Math.max(0, e.capacity - c.confirmed) } };
}

/** Places taken by confirmed registrations and asked for by waiting ones (head counts). */
export async function eventPlaceCounts(db: Db, eventId: string): Promise<{ confirmed: number; waitlisted: number }> {
  const rows = await outreachDb(db).selectFrom('outreach_event_registration').select(['status', (eb) => eb.fn.sum<number>('head_count').as('n')]).where('event_id', '=', eventId).groupBy('status').execute();
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { confirmed: n('confirmed'), waitlisted: n('waitlisted') };
}

const registrationOf = (r: EventRegistrationTable & { group_name: string | null }): EventRegistration => ({
  id: r.id,
  event_id: r.event_id,
  group_id: r.group_id,
  group_name: r.group_name,
  head_count: Number(r.head_count),
  status: r.status as EventRegistration['status'],
  created_at: iso(r.created_at),
  registrant_user_id: r.registrant_user_id,
});

function registrationQuery(db: Db) {
  return outreachDb(db).selectFrom('outreach_event_registration as r').leftJoin('outreach_group as g', 'g.id', 'r.group_id').selectAll('r').select('g.name as group_name');
}

/** An event's registrations, oldest first; only those of one account when `userId` is given. */
export async function listEventRegistrations(db: Db, eventId: string, userId?: string): Promise<EventRegistration[]> {
  let q = registrationQuery(db).where('r.event_id', '=', eventId);
  if (userId) q = q.where('r.registrant_user_id', '=', userId);
  return (await q.orderBy('r.created_at').orderBy('r.id').execute()).map(registrationOf);
}

export async function getEventRegistration(db: Db, id: string): Promise<EventRegistration | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await registrationQuery(db).where('r.id', '=', id).executeTakeFirst();
  return r && registrationOf(r);
}

export async function listEvents(db: Db, f: { from?: string } = {}): Promise<OutreachEvent[]> {
  let q = outreachDb(db).selectFrom('outreach_event').selectAll().orderBy('starts_at').limit(500);
  if (f.from) q = q.where('ends_at', '>=', f.from);
  const events = (await q.execute()).map(eventOf);
  const taking = events.filter((e) => e.capacity !== null).map((e) => e.id);
  if (!taking.length) return events;
  // One grouped count for all the events that take registrations.
  const rows = await outreachDb(db).selectFrom('outreach_event_registration').select(['event_id', 'status', (eb) => eb.fn.sum<number>('head_count').as('n')]).where('event_id', 'in', taking).groupBy(['event_id', 'status']).execute();
  const n = (id: string, st: string) => Number(rows.find((r) => r.event_id === id && r.status === st)?.n ?? 0);
  return events.map((e) => (e.capacity === null ? e : { ...e, places: { confirmed: n(e.id, 'confirmed'), waitlisted: n(e.id, 'waitlisted'), free: Math.max(0, e.capacity - n(e.id, 'confirmed')) } }));
}

export async function getEvent(db: Db, id: string): Promise<OutreachEvent | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await outreachDb(db).selectFrom('outreach_event').selectAll().where('id', '=', id).executeTakeFirst();
  return r && withPlaces(db, eventOf(r));
}
