/**
 * The research module's writes: one function per use case, each checking its policy first, validating with the
 * schema the API documents, and writing with its audit event in one runCommand transaction.
 */
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { forUpdate, isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { badRequest, conflict, notFound, Problems } from '../../platform/http/errors.ts';
import { staleVersion } from '../../platform/http/schemas.ts';
import { validate } from '../../platform/http/validation.ts';
import { listUsers } from '../../platform/auth/index.ts';
import { authorize, endPolicyCheck, principalOf, requirePermission } from '../../platform/policy.ts';
import { formatDate, translator } from '../../platform/web/i18n.ts';
import { send, type MailLog } from '../../platform/mail/index.ts';
import { getAgency, organizationIdsOfAgency } from '../structure/index.ts';
import { MANAGE, PUBLISH, SUBMIT } from './permissions.ts';
import { AGENCY_REFUSED, MANAGE_REFUSED, PUBLISH_REFUSED, SUBMIT_REFUSED, maySubmitFor } from './policies.ts';
import { CallCreate, CallPublicInput, CallStatusInput, CsvSubmissionInput, ReviewInput, SubmissionInput } from './schema.ts';
import { agenciesOf, agencyNames, getCall, getSubmission, listCalls, remindersSent, submissionsOf, type Call, type Submission } from './store.ts';
import { researchDb } from './tables.ts';
import { checkRows, csvRows, type Row } from './values.ts';
import { createHash } from 'node:crypto';
import { generateDatasets } from './snapshots.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

const actorLabel = (ctx: Ctx) => (ctx.actor ? ctx.actor.name || ctx.actor.email : `system (${ctx.system ?? ctx.requestId})`);

async function lockCall(ctx: Ctx, trx: Db, id: string): Promise<Call> {
  if (!isUuid(id)) throw notFound('No such data call.');
  await forUpdate(researchDb(trx).selectFrom('research_call').select('id').where('id', '=', id), ctx.dbKind).execute();
  const c = await getCall(trx, id);
  if (!c) throw notFound('No such data call.');
  return c;
}

// ---------- calls ----------

export async function createCall(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Call> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const d = validate(CallCreate, input, opts);
    const p = new Problems();
    if (d.period_end < d.period_start) p.add('period_end', 'must not be before period_start');
    const keys = d.fields.map((f) => f.key);
    keys.forEach((k, i) => {
      if (keys.indexOf(k) !== i) p.add(`fields.${i}.key`, `repeats the key ${k}`);
    });
    for (const [i, a] of d.agency_ids.entries()) if (!(await getAgency(trx, a))) p.add(`agency_ids.${i}`, 'is not an agency this site knows');
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    const fields = d.fields.map((f) => ({ key: f.key, label: f.label.trim(), type: f.type, unit: f.unit?.trim() || null, definition: f.definition.trim(), required: f.required !== false }));
    await researchDb(trx)
      .insertInto('research_call')
      .values({ id, title: d.title.trim(), description: d.description?.trim() || null, period_start: d.period_start, period_end: d.period_end, due_date: d.due_date, status: 'open', fields: toJson(fields), footnotes: d.footnotes?.trim() || null, public: false, created_by: actorLabel(ctx), version: 1, created_at: now, updated_at: now })
      .execute();
    await researchDb(trx).insertInto('research_call_agency').values(d.agency_ids.map((agency_id) => ({ call_id: id, agency_id }))).execute();
    await audit({ action: 'research.call.create', entityType: 'research.call', entityId: id, summary: { title: d.title, agencies: d.agency_ids.length, fields: keys } });
    return (await getCall(trx, id))!;
  });
}

/** Opens or closes a call: a closed call takes no more submissions (reviews go on). */
export async function setCallStatus(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Call> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const c = await lockCall(ctx, trx, id);
    const d = validate(CallStatusInput, input, opts);
    if (d.version !== c.version) throw staleVersion('This data call');
    await researchDb(trx).updateTable('research_call').set({ status: d.status, version: c.version + 1, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit({ action: 'research.call.status', entityType: 'research.call', entityId: id, summary: { from: c.status, to: d.status } });
    return (await getCall(trx, id))!;
  });
}

/**
 * The chair lists a call in the open data catalog (its compiled table of accepted submissions, as CSV with a data
 * dictionary) or withdraws it. Calls are not public until then.
 */
export async function setCallPublic(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Call> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, PUBLISH, PUBLISH_REFUSED);
    const c = await lockCall(ctx, trx, id);
    const d = validate(CallPublicInput, input, opts);
    if (d.version !== c.version) throw staleVersion('This data call');
    await researchDb(trx).updateTable('research_call').set({ public: d.public, version: c.version + 1, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit({ action: 'research.call.public', entityType: 'research.call', entityId: id, summary: { from: c.public, to: d.public } });
    return (await getCall(trx, id))!;
  });
}

// ---------- submissions ----------

/** Checks the caller may answer for the agency, and that the call asks it and is open. */
async function answerable(ctx: Ctx, trx: Db, callId: string, agencyId: string): Promise<Call> {
  requirePermission(ctx, SUBMIT, SUBMIT_REFUSED);
  const c = await lockCall(ctx, trx, callId);
  if (!isUuid(agencyId) || !c.agency_ids.includes(agencyId)) throw notFound('This data call does not ask that agency.');
  authorize(ctx, maySubmitFor(principalOf(ctx), await agenciesOf(trx, principalOf(ctx)), agencyId), AGENCY_REFUSED);
  if (c.status !== 'open') throw conflict('This data call is closed: it takes no more submissions.');
  return c;
}

async function saveVersion(ctx: Ctx, trx: Db, c: Call, agencyId: string, rows: Row[], note: string | null | undefined, source: string): Promise<Submission> {
  const db = researchDb(trx);
  const now = nowIso();
  const had = await db.selectFrom('research_submission').selectAll().where('call_id', '=', c.id).where('agency_id', '=', agencyId).executeTakeFirst();
  if (had?.status === 'accepted') throw conflict('This submission was accepted; ask the committee to return it before sending a new version.');
  const version = had ? Number(had.current_version) + 1 : 1;
  const id = had?.id ?? newId();
  if (had) await db.updateTable('research_submission').set({ status: 'submitted', current_version: version, updated_at: now }).where('id', '=', id).execute();
  else await db.insertInto('research_submission').values({ id, call_id: c.id, agency_id: agencyId, status: 'submitted', current_version: version, updated_at: now }).execute();
  await db.insertInto('research_submission_version').values({ submission_id: id, version, rows: toJson(rows), note: note?.trim() || null, source, submitted_by: actorLabel(ctx), submitted_at: now, review: null, review_note: null, reviewed_by: null, reviewed_at: null }).execute();
  return (await getSubmission(trx, c.id, agencyId))!;
}

/** An agency's answer as rows of values (the form and the API). Nothing is stored when any value is wrong. */
export async function submitRows(ctx: Ctx, callId: string, agencyId: string, input: unknown, opts: CommandOptions & { source?: 'form' | 'api' } = {}): Promise<Submission> {
  return runCommand(ctx, async (trx, audit) => {
    const c = await answerable(ctx, trx, callId, agencyId);
    const d = validate(SubmissionInput, input);
    const checked = checkRows(c.fields, d.rows);
    if (checked.errors.length) throw badRequest(checked.errors);
    const s = await saveVersion(ctx, trx, c, agencyId, checked.rows, d.note, opts.source ?? 'api');
    await audit({ action: 'research.submission.submit', entityType: 'research.submission', entityId: s.id, summary: { call: c.id, agency: agencyId, version: s.current_version, rows: checked.rows.length, source: opts.source ?? 'api' } });
    return s;
  });
}

/** An agency's answer as a CSV file: all or nothing, every problem naming its row and column. */
export async function submitCsv(ctx: Ctx, callId: string, agencyId: string, input: unknown, opts: CommandOptions = {}): Promise<Submission> {
  return runCommand(ctx, async (trx, audit) => {
    const c = await answerable(ctx, trx, callId, agencyId);
    const d = validate(CsvSubmissionInput, input, opts);
    const parsed = csvRows(c.fields, d.csv);
    if (parsed.errors.length) throw badRequest(parsed.errors);
    const s = await saveVersion(ctx, trx, c, agencyId, parsed.rows, d.note, 'csv');
    await audit({ action: 'research.submission.submit', entityType: 'research.submission', entityId: s.id, summary: { call: c.id, agency: agencyId, version: s.current_version, rows: parsed.rows.length, source: 'csv' } });
    return s;
  });
}

/** The committee accepts the latest version or returns it with what to fix. */
export async function reviewSubmission(ctx: Ctx, callId: string, agencyId: string, input: unknown, opts: CommandOptions = {}): Promise<Submission> {
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    await lockCall(ctx, trx, callId);
    const s = isUuid(agencyId) ? await getSubmission(trx, callId, agencyId) : undefined;
    if (!s) throw notFound('This agency has sent nothing for this data call yet.');
    const d = validate(ReviewInput, input, opts);
    if (d.version !== s.current_version) throw conflict(`Version ${s.current_version} is the latest of this submission; review that one.`);
    if (s.status !== 'submitted') throw conflict(`Version ${s.current_version} was ${s.status} already.`);
    if (d.decision === 'return' && !d.note?.trim()) throw badRequest([{ field: 'note', message: 'is required to return a submission: say what to fix' }]);
    const status = d.decision === 'accept' ? 'accepted' : 'returned';
    const now = nowIso();
    const db = researchDb(trx);
    await db.updateTable('research_submission_version').set({ review: status, review_note: d.note?.trim() || null, reviewed_by: actorLabel(ctx), reviewed_at: now }).where('submission_id', '=', s.id).where('version', '=', s.current_version).execute();
    await db.updateTable('research_submission').set({ status, updated_at: now }).where('id', '=', s.id).execute();
    await audit({ action: `research.submission.${status === 'accepted' ? 'accept' : 'return'}`, entityType: 'research.submission', entityId: s.id, summary: { call: callId, agency: agencyId, version: s.current_version } });
    return (await getSubmission(trx, callId, agencyId))!;
  });
}

// ---------- reminders ----------

/** Days before the due date when the "due soon" reminder goes out. */
export const REMIND_DAYS_BEFORE = 7;

/**
 * E-mails the staff of every agency that still owes an open call: once when the due date is within
 * REMIND_DAYS_BEFORE days ("due"), once after it passed ("overdue"). An agency owes a call until its submission is
 * sent and not returned. Each person gets each kind once per call (research_reminder), so the job may run daily.
 * The message carries the call's title, due date and a link: never figures.
 */
export async function sendReminders(ctx: Ctx, now: Date = new Date(), log?: MailLog): Promise<{ sent: number; skipped: number }> {
  const today = now.toISOString().slice(0, 10);
  const soon = new Date(now.getTime() + REMIND_DAYS_BEFORE * 86_400_000).toISOString().slice(0, 10);
  const due = await runCommand(ctx, async (trx) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const calls = (await listCalls(trx, { limit: 1000 })).filter((c) => c.status === 'open' && c.due_date <= soon);
    const out: { call: Call; agencyId: string; kind: 'due' | 'overdue'; sent: Set<string> }[] = [];
    for (const c of calls) {
      const subs = await submissionsOf(trx, c.id);
      const sent = await remindersSent(trx, c.id);
      for (const a of c.agency_ids) {
        const s = subs.get(a);
        if (s && s.status !== 'returned') continue;
        out.push({ call: c, agencyId: a, kind: c.due_date < today ? 'overdue' : 'due', sent });
      }
    }
    return out;
  });
  if (!due.length) return { sent: 0, skipped: 0 };
  const users = (await listUsers(ctx.db)).filter((u) => !u.disabled);
  const names = await agencyNames(ctx.db);
  let sent = 0;
  let skipped = 0;
  for (const d of due) {
    const staff = new Set(await organizationIdsOfAgency(ctx.db, d.agencyId));
    for (const u of users.filter((x) => staff.has(x.organization_id))) {
      if (d.sent.has(`${d.agencyId}/${u.id}/${d.kind}`)) continue;
      const link = `${ctx.config.publicUrl}/research/calls/${d.call.id}/agencies/${d.agencyId}`;
      // In the reader's language, dates as they read them.
      const t = translator(u.lang);
      const vars = {
        title: d.call.title,
        due: formatDate(u.lang, d.call.due_date),
        start: formatDate(u.lang, d.call.period_start),
        end: formatDate(u.lang, d.call.period_end),
        agency: names.get(d.agencyId) ?? t('rs.mail.yourAgency'),
      };
      const subject = t(`rs.mail.${d.kind}.subject`, vars);
      const text = [t(`rs.mail.${d.kind}.text`, vars), '', t('rs.mail.link', { url: link }), '', t('rs.mail.why')].join('\n');
      const res = await send(ctx.config, { to: u.email, subject, text }, log);
      await runCommand(ctx, async (trx) => {
        requirePermission(ctx, MANAGE, MANAGE_REFUSED);
        await researchDb(trx)
          .insertInto('research_reminder')
          .values({ call_id: d.call.id, agency_id: d.agencyId, recipient: u.id, kind: d.kind, sent_at: nowIso() })
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
      if (res.skipped) skipped++;
      else sent++;
    }
  }
  return { sent, skipped };
}

// ---------- snapshots ----------

/**
 * Regenerates every published dataset and keeps a dated version of each one whose content changed since its last
 * snapshot, with its SHA-256, so that a figure in a report can be traced to the snapshot it came from. Safe to repeat.
 */
export async function takeSnapshots(ctx: Ctx, now: Date = new Date()): Promise<{ taken: string[]; unchanged: string[] }> {
  // Refuse before the (costly) generation; the transaction below checks again for itself.
  try {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
  } finally {
    endPolicyCheck(ctx);
  }
  const generated = await generateDatasets(ctx);
  return runCommand(ctx, async (trx, audit) => {
    requirePermission(ctx, MANAGE, MANAGE_REFUSED);
    const taken: string[] = [];
    const unchanged: string[] = [];
    for (const g of generated) {
      const sha256 = createHash('sha256').update(g.content).digest('hex');
      const last = await researchDb(trx).selectFrom('research_snapshot').select('sha256').where('dataset', '=', g.dataset).orderBy('taken_at', 'desc').limit(1).executeTakeFirst();
      if (last?.sha256 === sha256) {
        unchanged.push(g.dataset);
        continue;
      }
      const id = newId();
      await researchDb(trx).insertInto('research_snapshot').values({ id, dataset: g.dataset, taken_at: now.toISOString(), media_type: g.media_type, content: g.content, sha256, size: Buffer.byteLength(g.content) }).execute();
      await audit({ action: 'research.snapshot.take', entityType: 'research.snapshot', entityId: id, summary: { dataset: g.dataset, sha256 } });
      taken.push(g.dataset);
    }
    return { taken, unchanged };
  });
}
