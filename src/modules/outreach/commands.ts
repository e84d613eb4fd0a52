/**
 * The outreach module's writes. Each checks its policy first, validates with the same schema as the API, screens
 * free text about students' work for contact details, and writes with its audit event in one transaction.
 */
import type { Ctx } from '../../platform/context.ts';
import { forUpdate, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize, principalOf, requireActor } from '../../platform/policy.ts';
import { conflict, fieldError, notFound, Problems } from '../../platform/http/errors.ts';
import { validate } from '../../platform/http/validation.ts';
import { isTimeZone, zonedToUtc } from '../listening/index.ts';
import { place, promote } from '../../platform/places.ts';
import { cleanPhoto, PhotoRefused } from './photos.ts';
import { GROUP_REFUSED, MANAGE_REFUSED, MODERATE_REFUSED, REGISTRATION_REFUSED, SPONSOR_REFUSED, mayActForGroup, mayManageOutreach, mayModerate, maySponsor } from './policies.ts';
import { screenProblem } from './screening.ts';
import {
  CampaignCreate,
  CampaignStatus,
  EventCreate,
  EventRegistrationCreate,
  GroupCreate,
  LessonCreate,
  LessonRevise,
  MaterialCreate,
  ReportbackCreate,
  ReportbackReview,
  SignupCreate,
  TermsAccept,
  TERMS_VERSION,
  type Campaign,
  type EventRegistration,
  type Group,
  type Lesson,
  type Material,
  type OutreachEvent,
  type Reportback,
} from './schema.ts';
import { acceptedTermsVersion, eventPlaceCounts, getCampaign, getEvent, getEventRegistration, getGroup, getLesson, getMaterial, getReportback, isOpen, signupOf, today } from './store.ts';
import { outreachDb } from './tables.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

const manage = (ctx: Ctx) => authorize(ctx, mayManageOutreach(principalOf(ctx)), MANAGE_REFUSED);

/** The group, for its own sponsor only: 401 anonymous, 403 without the sponsor permission, 404 unknown, 403 another's. */
async function ownGroup(ctx: Ctx, groupId: string, field = 'group_id'): Promise<Group> {
  const p = principalOf(ctx);
  authorize(ctx, maySponsor(p), SPONSOR_REFUSED);
  const g = await getGroup(ctx.db, groupId);
  if (!g) throw fieldError(field, 'is not a group this site knows');
  authorize(ctx, mayActForGroup(p, g), GROUP_REFUSED);
  return g;
}

function screen(p: Problems, fields: Record<string, string | null | undefined>): void {
  for (const [field, text] of Object.entries(fields)) {
    const problem = screenProblem(text);
    if (problem) p.add(field, problem);
  }
}

// ---------- sponsors and groups ----------

/** A sponsor accepts the terms of use (and affirms being an adult working with the group) before creating groups. */
export async function acceptTerms(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<void> {
  authorize(ctx, maySponsor(principalOf(ctx)), SPONSOR_REFUSED);
  const actor = requireActor(ctx);
  validate(TermsAccept, input, opts);
  await runCommand(ctx, async (trx, audit) => {
    const db = outreachDb(trx);
    await db.deleteFrom('outreach_sponsor').where('user_id', '=', actor.id).execute();
    await db.insertInto('outreach_sponsor').values({ user_id: actor.id, terms_version: TERMS_VERSION, accepted_at: nowIso() }).execute();
    await audit({ action: 'outreach.sponsor.terms', entityType: 'outreach_sponsor', entityId: actor.id, summary: { terms_version: TERMS_VERSION } });
  });
}

export async function createGroup(ctx: Ctx, input: unknown, opts: CommandOptions & { demo?: boolean; sponsorUserId?: string } = {}): Promise<Group> {
  const p = principalOf(ctx);
  authorize(ctx, maySponsor(p), SPONSOR_REFUSED);
  const sponsor = p.kind === 'system' ? opts.sponsorUserId : requireActor(ctx).id;
  if (!sponsor) throw fieldError('sponsor', 'is required');
  if (p.kind !== 'system' && (await acceptedTermsVersion(ctx.db, sponsor)) !== TERMS_VERSION) throw conflict('Accept the sponsor terms of use before creating a group.');
  const d = validate(GroupCreate, input, opts);
  const problems = new Problems();
  screen(problems, { name: d.name });
  problems.throwIfAny();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx)
      .insertInto('outreach_group')
      .values({ id, sponsor_user_id: sponsor, name: d.name.trim(), kind: d.kind, state: d.state, grade_band: d.grade_band, demo: opts.demo ?? false, created_at: nowIso() })
      .execute();
    await audit({ action: 'outreach.group.create', entityType: 'outreach_group', entityId: id, summary: { kind: d.kind, state: d.state, grade_band: d.grade_band } });
  });
  return (await getGroup(ctx.db, id))!;
}

// ---------- campaigns ----------

export async function createCampaign(ctx: Ctx, input: unknown, opts: CommandOptions & { demo?: boolean } = {}): Promise<Campaign> {
  manage(ctx);
  const d = validate(CampaignCreate, input, opts);
  if (d.ends_on < d.starts_on) throw fieldError('ends_on', 'must not be before the start date');
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx)
      .insertInto('outreach_campaign')
      .values({ id, title: d.title.trim(), call_to_action: d.call_to_action.trim(), description: d.description?.trim() || null, starts_on: d.starts_on, ends_on: d.ends_on, goal: d.goal, unit: d.unit.trim(), status: d.status ?? 'draft', demo: opts.demo ?? false, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'outreach.campaign.create', entityType: 'outreach_campaign', entityId: id, summary: { title: d.title, status: d.status ?? 'draft' } });
  });
  return (await getCampaign(ctx.db, id))!;
}

export async function setCampaignStatus(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Campaign> {
  manage(ctx);
  const c = await getCampaign(ctx.db, id);
  if (!c) throw notFound('No such campaign.');
  const d = validate(CampaignStatus, input, opts);
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx).updateTable('outreach_campaign').set({ status: d.status, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit({ action: 'outreach.campaign.status', entityType: 'outreach_campaign', entityId: id, summary: { from: c.status, to: d.status } });
  });
  return (await getCampaign(ctx.db, id))!;
}

async function openCampaign(ctx: Ctx, id: string, on?: string): Promise<Campaign> {
  const c = await getCampaign(ctx.db, id);
  if (!c || c.status === 'draft') throw notFound('No such campaign.');
  if (!isOpen(c, on ?? today())) throw conflict('This campaign is not open: it takes sign-ups and reportbacks between its start and end dates.');
  return c;
}

/** A sponsor signs one of their groups up for an open campaign (once). */
export async function signUp(ctx: Ctx, campaignId: string, input: unknown, opts: CommandOptions & { on?: string } = {}): Promise<{ id: string }> {
  authorize(ctx, maySponsor(principalOf(ctx)), SPONSOR_REFUSED);
  const d = validate(SignupCreate, input, opts);
  const g = await ownGroup(ctx, d.group_id);
  const c = await openCampaign(ctx, campaignId, opts.on);
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    if (await signupOf(trx, c.id, g.id)) throw fieldError('group_id', 'is signed up for this campaign already');
    await outreachDb(trx).insertInto('outreach_signup').values({ id, campaign_id: c.id, group_id: g.id, created_at: nowIso() }).execute();
    await audit({ action: 'outreach.signup.create', entityType: 'outreach_signup', entityId: id, summary: { campaign: c.id, group: g.id } });
  });
  return { id };
}

/**
 * A sponsor reports what their group did, with an optional photo of the work. The photo is re-encoded without its
 * metadata before anything is written, and the reportback waits for moderation before it is public or counted.
 */
export async function submitReportback(ctx: Ctx, campaignId: string, input: unknown, photo?: Buffer, opts: CommandOptions & { on?: string; status?: 'pending' | 'accepted' } = {}): Promise<Reportback> {
  authorize(ctx, maySponsor(principalOf(ctx)), SPONSOR_REFUSED);
  const d = validate(ReportbackCreate, input, opts);
  const g = await ownGroup(ctx, d.group_id);
  const c = await openCampaign(ctx, campaignId, opts.on);
  const signup = await signupOf(ctx.db, c.id, g.id);
  if (!signup) throw fieldError('group_id', 'is not signed up for this campaign');
  const problems = new Problems();
  screen(problems, { summary: d.summary, photo_alt: d.photo_alt });
  let clean: Awaited<ReturnType<typeof cleanPhoto>> | undefined;
  if (photo?.length) {
    if (!d.photo_alt?.trim()) problems.add('photo_alt', 'is required with a photo: describe the work it shows');
    if (d.photo_shows_no_people !== true) problems.add('photo_shows_no_people', 'must be confirmed: photos show the work, never people');
    try {
      clean = await cleanPhoto(photo);
    } catch (err) {
      if (!(err instanceof PhotoRefused)) throw err;
      problems.add('photo', err.message);
    }
  }
  problems.throwIfAny();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    const now = nowIso();
    let photoId: string | null = null;
    if (clean) {
      photoId = newId();
      await outreachDb(trx).insertInto('outreach_photo').values({ id: photoId, mime: clean.mime, width: clean.width, height: clean.height, bytes: clean.data.length, data: clean.data.toString('base64'), created_at: now }).execute();
    }
    await outreachDb(trx)
      .insertInto('outreach_reportback')
      .values({ id, signup_id: signup.id, campaign_id: c.id, group_id: g.id, summary: d.summary.trim(), quantity: d.quantity, photo_id: photoId, photo_alt: clean ? d.photo_alt!.trim() : null, status: opts.status ?? 'pending', review_note: null, reviewed_by: null, reviewed_at: null, created_at: now })
      .execute();
    await audit({ action: 'outreach.reportback.create', entityType: 'outreach_reportback', entityId: id, summary: { campaign: c.id, group: g.id, quantity: d.quantity, photo: Boolean(clean) } });
  });
  return (await getReportback(ctx.db, id))!;
}

/** Moderators accept a reportback (it becomes public and counts toward impact) or reject it. */
export async function reviewReportback(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Reportback> {
  authorize(ctx, mayModerate(principalOf(ctx)), MODERATE_REFUSED);
  const rb = await getReportback(ctx.db, id);
  if (!rb) throw notFound('No such reportback.');
  const d = validate(ReportbackReview, input, opts);
  if (d.decision === 'rejected' && !d.note?.trim()) throw fieldError('note', 'is required to reject a reportback: the sponsor reads it');
  await runCommand(ctx, async (trx, audit) => {
    const row = await forUpdate(outreachDb(trx).selectFrom('outreach_reportback').select('status').where('id', '=', id), ctx.dbKind).executeTakeFirstOrThrow();
    if (row.status !== 'pending') throw conflict(`This reportback was ${row.status} already.`);
    await outreachDb(trx)
      .updateTable('outreach_reportback')
      .set({ status: d.decision, review_note: d.note?.trim() || null, reviewed_by: ctx.actor?.id ?? null, reviewed_at: nowIso() })
      .where('id', '=', id)
      .execute();
    await audit({ action: 'outreach.reportback.review', entityType: 'outreach_reportback', entityId: id, summary: { decision: d.decision } });
  });
  return (await getReportback(ctx.db, id))!;
}

// ---------- toolkit ----------

const lessonContent = (l: Omit<Lesson, 'id' | 'version' | 'uses' | 'demo'>) => ({ title: l.title, summary: l.summary, audience: l.audience, grade_band: l.grade_band, duration_minutes: l.duration_minutes, language: l.language, goals: l.goals, materials: l.materials, steps: l.steps });

export async function createLesson(ctx: Ctx, input: unknown, opts: CommandOptions & { demo?: boolean } = {}): Promise<Lesson> {
  manage(ctx);
  const d = validate(LessonCreate, input, opts);
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx)
      .insertInto('outreach_lesson')
      .values({ id, ...lessonContent(d), version: 1, demo: opts.demo ?? false, created_at: now, updated_at: now })
      .execute();
    await outreachDb(trx).insertInto('outreach_lesson_version').values({ lesson_id: id, version: 1, content: toJson(lessonContent(d)), change_note: 'First version', created_at: now }).execute();
    await audit({ action: 'outreach.lesson.create', entityType: 'outreach_lesson', entityId: id, summary: { title: d.title } });
  });
  return (await getLesson(ctx.db, id))!;
}

/** A new version of a lesson, with its change note; earlier versions stay readable. */
export async function reviseLesson(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Lesson> {
  manage(ctx);
  const l = await getLesson(ctx.db, id);
  if (!l) throw notFound('No such lesson.');
  const d = validate(LessonRevise, input, opts);
  const { version, change_note, ...changes } = d;
  const next = lessonContent({ ...l, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) });
  await runCommand(ctx, async (trx, audit) => {
    const row = await forUpdate(outreachDb(trx).selectFrom('outreach_lesson').select('version').where('id', '=', id), ctx.dbKind).executeTakeFirstOrThrow();
    if (Number(row.version) !== version) throw conflict(`This lesson changed since version ${version}; it is now at version ${row.version}. Reload and try again.`);
    const now = nowIso();
    await outreachDb(trx).updateTable('outreach_lesson').set({ ...next, version: version + 1, updated_at: now }).where('id', '=', id).execute();
    await outreachDb(trx).insertInto('outreach_lesson_version').values({ lesson_id: id, version: version + 1, content: toJson(next), change_note: change_note.trim(), created_at: now }).execute();
    await audit({ action: 'outreach.lesson.revise', entityType: 'outreach_lesson', entityId: id, summary: { version: version + 1, change_note } });
  });
  return (await getLesson(ctx.db, id))!;
}

/** One more use (of a lesson) or download (of a material) today: a number per item and day, nothing about who. */
async function countUse(ctx: Ctx, kind: 'lesson' | 'material', id: string): Promise<void> {
  const on = today();
  await runCommand(ctx, async (trx: Db) => {
    const db = outreachDb(trx);
    const row = await forUpdate(db.selectFrom('outreach_usage').select('count').where('item_kind', '=', kind).where('item_id', '=', id).where('day', '=', on), ctx.dbKind).executeTakeFirst();
    if (row) await db.updateTable('outreach_usage').set({ count: Number(row.count) + 1 }).where('item_kind', '=', kind).where('item_id', '=', id).where('day', '=', on).execute();
    else await db.insertInto('outreach_usage').values({ item_kind: kind, item_id: id, day: on, count: 1 }).execute();
  });
}

/** Anyone may say they used a lesson (the public toolkit); it is counted, not recorded against anyone. */
export async function recordLessonUse(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, true);
  if (!(await getLesson(ctx.db, id))) throw notFound('No such lesson.');
  await countUse(ctx, 'lesson', id);
}

export async function recordDownload(ctx: Ctx, id: string): Promise<Material> {
  authorize(ctx, true);
  const m = await getMaterial(ctx.db, id);
  if (!m) throw notFound('No such material.');
  await countUse(ctx, 'material', id);
  return m;
}

// ---------- materials ----------

export async function createMaterial(ctx: Ctx, input: unknown, opts: CommandOptions & { demo?: boolean } = {}): Promise<Material> {
  manage(ctx);
  const d = validate(MaterialCreate, input, opts);
  const p = new Problems();
  const visual = ['poster', 'fact_sheet', 'social_kit'].includes(d.kind) && ['pdf', 'png', 'jpg', 'zip', 'html'].includes(d.format);
  const media = ['mp4', 'mp3'].includes(d.format) || d.kind === 'psa';
  if (media && !d.transcript?.trim()) p.add('transcript', 'is required for audio and video: people who cannot hear it read it');
  if (!media && !d.alt_text?.trim()) p.add('alt_text', 'is required: people who cannot see the material read it');
  if (visual && d.alt_text && d.alt_text.trim().length < 10) p.add('alt_text', 'must describe the material in at least 10 characters');
  if (d.translation_of) {
    const other = await getMaterial(ctx.db, d.translation_of);
    if (!other) p.add('translation_of', 'is not a material this site knows');
    else if (other.language === d.language) p.add('translation_of', 'must be in the other language');
    else if (other.translation_id) p.add('translation_of', 'has a translation already');
  }
  p.throwIfAny();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx)
      .insertInto('outreach_material')
      .values({ id, title: d.title.trim(), kind: d.kind, audience: d.audience, language: d.language, format: d.format, url: d.url, alt_text: d.alt_text?.trim() || null, transcript: d.transcript?.trim() || null, licence: d.licence.trim(), translation_of: d.translation_of ?? null, demo: opts.demo ?? false, created_at: nowIso() })
      .execute();
    await audit({ action: 'outreach.material.create', entityType: 'outreach_material', entityId: id, summary: { title: d.title, kind: d.kind, language: d.language } });
  });
  return (await getMaterial(ctx.db, id))!;
}

// ---------- events ----------

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export async function createEvent(ctx: Ctx, input: unknown, opts: CommandOptions & { demo?: boolean } = {}): Promise<OutreachEvent> {
  manage(ctx);
  const d = validate(EventCreate, input, opts);
  const p = new Problems();
  if (!isTimeZone(d.time_zone)) p.add('time_zone', 'is not a time zone such as America/New_York');
  const endDate = d.end_date ?? d.date;
  if (endDate < d.date) p.add('end_date', 'must not be before the date');
  if (d.start_time && !d.end_time) p.add('end_time', 'is required with a start time');
  if (d.start_time && d.end_time && endDate === d.date && d.end_time <= d.start_time) p.add('end_time', 'must be after the start time');
  if (['webinar', 'training', 'local'].includes(d.kind) && !d.place?.trim() && !d.online_url) p.add('place', 'give a place or a link for this kind of event');
  p.throwIfAny();
  // Days and months are all-day; times are local to the event's time zone.
  const starts_at = zonedToUtc(d.date, d.start_time ?? '00:00', d.time_zone);
  const ends_at = d.end_time ? zonedToUtc(endDate, d.end_time, d.time_zone) : zonedToUtc(nextDay(endDate), '00:00', d.time_zone);
  const id = newId();
  const now = nowIso();
  await runCommand(ctx, async (trx, audit) => {
    await outreachDb(trx)
      .insertInto('outreach_event')
      .values({ id, title: d.title.trim(), kind: d.kind, description: d.description?.trim() || null, date: d.date, end_date: endDate, start_time: d.start_time ?? null, end_time: d.end_time ?? null, time_zone: d.time_zone, starts_at, ends_at, place: d.place?.trim() || null, online_url: d.online_url ?? null, accessibility: d.accessibility.trim(), capacity: d.capacity ?? null, youth: d.youth ?? false, demo: opts.demo ?? false, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'outreach.event.create', entityType: 'outreach_event', entityId: id, summary: { title: d.title, kind: d.kind, date: d.date, capacity: d.capacity ?? null, youth: d.youth ?? false } });
  });
  return (await getEvent(ctx.db, id))!;
}

// ---------- event registration ----------

/**
 * An adult with an account registers for an event that takes registrations: a head count, and for a youth event one
 * of their own student groups (never a student's name or contact). Places are allotted by the platform's shared
 * place arithmetic (platform/places.ts, as listening sessions are): confirmed while the places last, then waiting.
 * Counting and inserting happen in one transaction holding the event's row, so concurrent registrations cannot
 * overbook.
 */
export async function registerForEvent(ctx: Ctx, eventId: string, input: unknown, opts: CommandOptions & { now?: Date } = {}): Promise<EventRegistration> {
  authorize(ctx, maySponsor(principalOf(ctx)), SPONSOR_REFUSED);
  const userId = requireActor(ctx).id;
  const d = validate(EventRegistrationCreate, input, opts);
  const e = await getEvent(ctx.db, eventId);
  if (!e) throw notFound('No such event.');
  if (e.capacity === null) throw conflict('This event takes no registrations.');
  if ((opts.now ?? new Date()).toISOString() >= e.starts_at) throw conflict('Registration has closed: the event has begun.');
  if (e.youth && !d.group_id) throw fieldError('group_id', 'choose one of your groups: a youth event is registered by group');
  const group = d.group_id ? await ownGroup(ctx, d.group_id) : undefined;
  if (d.head_count > e.capacity) throw fieldError('head_count', `must be at most ${e.capacity}, the places at this event`);
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    await forUpdate(outreachDb(trx).selectFrom('outreach_event').select('id').where('id', '=', e.id), ctx.dbKind).executeTakeFirst();
    let dup = outreachDb(trx).selectFrom('outreach_event_registration').select('id').where('event_id', '=', e.id).where('status', '!=', 'cancelled');
    dup = group ? dup.where('group_id', '=', group.id) : dup.where('registrant_user_id', '=', userId).where('group_id', 'is', null);
    if (await dup.executeTakeFirst()) throw fieldError(group ? 'group_id' : 'head_count', 'is registered for this event already');
    const c = await eventPlaceCounts(trx, e.id);
    const placed = place({ capacity: e.capacity!, heldBack: 0, confirmed: c.confirmed, confirmedHeldBack: 0 }, d.head_count);
    const now = nowIso();
    await outreachDb(trx)
      .insertInto('outreach_event_registration')
      .values({ id, event_id: e.id, registrant_user_id: userId, group_id: group?.id ?? null, head_count: d.head_count, status: placed.status, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'outreach.event_registration.create', entityType: 'outreach_event_registration', entityId: id, summary: { event: e.id, group: group?.id ?? null, head_count: d.head_count, status: placed.status } });
  });
  return (await getEventRegistration(ctx.db, id))!;
}

/** The registrant (or outreach staff) cancels a registration; waiting registrations move up, in order, as places free. */
export async function cancelEventRegistration(ctx: Ctx, id: string): Promise<EventRegistration> {
  const p = principalOf(ctx);
  authorize(ctx, mayManageOutreach(p) || maySponsor(p), SPONSOR_REFUSED);
  const r = await getEventRegistration(ctx.db, id);
  if (!r) throw notFound('No such registration.');
  authorize(ctx, mayManageOutreach(p) || (p.kind !== 'anonymous' && p.kind !== 'system' && p.actor.id === r.registrant_user_id), REGISTRATION_REFUSED);
  if (r.status === 'cancelled') throw conflict('The registration is cancelled already.');
  await runCommand(ctx, async (trx, audit) => {
    const e = await forUpdate(outreachDb(trx).selectFrom('outreach_event').select(['id', 'capacity']).where('id', '=', r.event_id), ctx.dbKind).executeTakeFirstOrThrow();
    await outreachDb(trx).updateTable('outreach_event_registration').set({ status: 'cancelled', updated_at: nowIso() }).where('id', '=', id).execute();
    let promoted = 0;
    if (r.status === 'confirmed' && e.capacity !== null) {
      const c = await eventPlaceCounts(trx, r.event_id);
      const waiting = await outreachDb(trx).selectFrom('outreach_event_registration').select(['id', 'head_count']).where('event_id', '=', r.event_id).where('status', '=', 'waitlisted').orderBy('created_at').orderBy('id').execute();
      const up = promote({ capacity: Number(e.capacity), heldBack: 0, confirmed: c.confirmed, confirmedHeldBack: 0 }, waiting.map((w) => ({ id: w.id, size: Number(w.head_count) })));
      for (const w of up) await outreachDb(trx).updateTable('outreach_event_registration').set({ status: 'confirmed', updated_at: nowIso() }).where('id', '=', w.id).execute();
      promoted = up.length;
    }
    await audit({ action: 'outreach.event_registration.cancel', entityType: 'outreach_event_registration', entityId: id, summary: { event: r.event_id, was: r.status, promoted } });
  });
  return (await getEventRegistration(ctx.db, id))!;
}
