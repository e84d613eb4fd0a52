import { sql, type Updateable } from 'kysely';
import type { Actor, Ctx } from '../../platform/context.ts';
import { listUsers, permissionsOf } from '../../platform/auth/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { conflict, fieldError } from '../../platform/http/errors.ts';
import { authorize, principalOf, requireActor } from '../../platform/policy.ts';
import { validate } from '../../platform/http/validation.ts';
import { send, type MailLog } from '../../platform/mail/index.ts';
import { translator, type Lang } from '../../platform/web/i18n.ts';
import { areaOf, organizationsActedFor, serviceInfo, sharedNetworks, stewardsOf } from './deps.ts';
import { RECEIVE, SEND } from './permissions.ts';
import { allowedActions, mayKeepNotifications, mayMakeReferrals, mayRecordRevocation, mayRecordRevocationAs, mayRunScheduledWork, mayTakeSteps } from './policies.ts';
import { referralFor } from './reads.ts';
import { CLIENT_FIELDS, CLOSED, CONSENT_FORM, ReferralCreate, RevokeInput, TransitionInput, type Action, type Status } from './schema.ts';
import { clearLeftovers, currentMasterKeyId, getConsent, getReferral, keyForWriting, masterSealedCount, moveUnderDataKey, newReferralKey, rewrapKey, saveReferralKey, seal, TRANSITIONS, wrappingMasterKeyId, type Referral } from './store.ts';
import { referralsDb, type ReferralTable } from './tables.ts';

const DAY = 86_400_000;
const SYSTEM_NAME = 'Taskforce Hub (automatic)';

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

// ---------- who hears about it ----------

type Kind = 'new' | 'update' | 'reminder' | 'consent_revoked';
interface Notice {
  userId: string;
  email: string;
  /** The language the recipient last used the workspace in: the mail is written in it. */
  lang: Lang;
  referralId: string;
  kind: Kind;
  status: Status;
}

async function usersWith(db: Db, permission: string, accountOrganizations: string[]) {
  if (!accountOrganizations.length) return [];
  const set = new Set(accountOrganizations);
  return (await listUsers(db)).filter((u) => !u.disabled && set.has(u.organization_id) && permissionsOf(u.role).has(permission));
}

/** Case workers whose account organisation acts for the receiving organisation. */
async function receivers(db: Db, ref: Referral) {
  return usersWith(db, RECEIVE, await stewardsOf(db, ref.receiver_organization_id));
}

/** The person who made the referral, or, when that account is gone, the sending organisation's case workers. */
async function senders(db: Db, ref: Referral) {
  const all = await usersWith(db, SEND, await stewardsOf(db, ref.sender_organization_id));
  const maker = all.filter((u) => u.id === ref.created_by);
  return maker.length ? maker : all;
}

async function notices(db: Db, ref: Referral, kind: Kind, who: 'receivers' | 'senders' | 'others', actor: Actor | null): Promise<Notice[]> {
  const list = who === 'receivers' ? await receivers(db, ref) : who === 'senders' ? await senders(db, ref) : [...(await receivers(db, ref)), ...(await senders(db, ref))];
  const seen = new Set<string>();
  return list
    .filter((u) => u.id !== actor?.id && !seen.has(u.id) && seen.add(u.id))
    .map((u) => ({ userId: u.id, email: u.email, lang: u.lang, referralId: ref.id, kind, status: ref.status }));
}

async function storeNotices(trx: Db, list: Notice[]): Promise<void> {
  const at = nowIso();
  for (const n of list) {
    await referralsDb(trx).insertInto('referral_notifications').values({ id: newId(), user_id: n.userId, referral_id: n.referralId, kind: n.kind, status: n.status, created_at: at, read_at: null }).execute();
  }
}

/**
 * E-mails carry a link and nothing else about the referral: no names, needs, services or notes (DESIGN.md,
 * privacy). Sent after the change has committed; a mail failure does not undo the change.
 */
async function mail(ctx: Ctx, list: Notice[], log?: MailLog): Promise<number> {
  let sent = 0;
  for (const n of list) {
    const t = translator(n.lang);
    const text = [t(`rf.mail.opener.${n.kind}`), '', t('rf.mail.link', { url: `${ctx.config.publicUrl}/referrals/${n.referralId}` }), '', t('rf.mail.why')].join('\n');
    try {
      const res = await send(ctx.config, { to: n.email, subject: t(`rf.mail.subject.${n.kind}`), text }, log);
      if (res.sent) sent++;
    } catch (err) {
      (log ?? ((l: string) => process.stderr.write(l + '\n')))(`referral mail not sent: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return sent;
}

// ---------- making a referral ----------

/** Makes a referral (sent at once unless `send: false`), with the client's consent and the details it covers. */
export async function createReferral(ctx: Ctx, raw: unknown, opts: { coerce?: boolean } = {}): Promise<Referral> {
  const actor = requireActor(ctx);
  authorize(ctx, mayMakeReferrals(principalOf(ctx)));
  const input = validate(ReferralCreate, raw, opts);
  const service = await serviceInfo(ctx.db, input.service_id);
  if (!service) throw fieldError('service_id', 'no service in the directory has this id');
  if (input.location_id && !service.locations.some((l) => l.id === input.location_id)) throw fieldError('location_id', 'is not a location of this service');

  const mine = await organizationsActedFor(ctx.db, actor.organizationId);
  if (!mine.length) throw fieldError('sender_organization_id', 'your organisation acts for no directory organisation yet; an administrator can link it');
  let sender = mine.length === 1 && !input.sender_organization_id ? mine[0] : mine.find((o) => o.id === input.sender_organization_id);
  if (!sender) throw fieldError('sender_organization_id', input.sender_organization_id ? 'is not an organisation yours acts for' : 'is required: your organisation acts for several');
  if (sender.id === service.organization_id) throw fieldError('service_id', 'is offered by the organisation sending the referral');
  const receiverName = service.organization_name;
  if (!(await stewardsOf(ctx.db, service.organization_id)).length) throw fieldError('service_id', 'this organisation does not receive referrals through Taskforce Hub yet');

  let network: { id: string; name: string } | null = null;
  if (input.network_id) {
    network = (await sharedNetworks(ctx.db, sender.id, service.organization_id)).find((n) => n.id === input.network_id) ?? null;
    if (!network) throw fieldError('network_id', 'is not a network both organisations belong to');
  }

  const client = input.client ?? {};
  const given = CLIENT_FIELDS.filter((f) => client[f] !== undefined && client[f] !== '');
  const consent = input.consent;
  if (given.length && !consent) throw fieldError('consent', 'is required before any client detail is shared');
  if (consent) {
    if (consent.form_version !== CONSENT_FORM.version) throw fieldError('consent.form_version', `must be the current form, ${CONSENT_FORM.version}`);
    const today = dateOnly(new Date());
    const latest = dateOnly(new Date(Date.now() + 366 * DAY));
    if (consent.expires_on < today) throw fieldError('consent.expires_on', 'must be today or later');
    if (consent.expires_on > latest) throw fieldError('consent.expires_on', 'must be within a year');
    for (const f of given) if (!consent.fields.includes(f)) throw fieldError(`client.${f}`, 'is not covered by the consent');
  }

  const now = nowIso();
  const id = newId();
  const status: Status = input.send === false ? 'draft' : 'sent';
  const area = areaOf(service, input.location_id);
  // The referral's own data key: its details and notes are sealed under it, and the purge destroys it.
  const key = newReferralKey(id);
  const ref = await runCommand(ctx, async (trx, audit) => {
    await referralsDb(trx)
      .insertInto('referrals')
      .values({
        id,
        version: 1,
        status,
        sender_organization_id: sender.id,
        receiver_organization_id: service.organization_id,
        sender_name: sender.name,
        receiver_name: receiverName,
        service_id: service.id,
        service_name: service.name,
        location_id: input.location_id ?? null,
        network_id: network?.id ?? null,
        network_name: network?.name ?? null,
        area_fips: area?.fips ?? null,
        area_state: area?.state ?? null,
        needs: toJson(input.needs),
        urgency: input.urgency,
        note_enc: input.note ? seal(key, input.note) : null,
        created_by: actor.id,
        created_at: now,
        sent_at: status === 'sent' ? now : null,
        updated_at: now,
      })
      .execute();
    await saveReferralKey(trx, ctx.config, key);
    for (const f of given) await referralsDb(trx).insertInto('referral_client_fields').values({ referral_id: id, field: f, value_enc: seal(key, String(client[f])) }).execute();
    if (consent) {
      await referralsDb(trx)
        .insertInto('referral_consents')
        .values({ id: newId(), referral_id: id, organization_id: service.organization_id, fields: toJson(consent.fields), form_version: consent.form_version, form_text: CONSENT_FORM.text, attested_by: actor.id, attested_at: now, expires_on: consent.expires_on })
        .execute();
    }
    await referralsDb(trx)
      .insertInto('referral_events')
      .values({ id: newId(), referral_id: id, version: 1, at: now, action: status === 'sent' ? 'send' : 'create', from_status: null, to_status: status, actor_id: actor.id, actor_name: actor.name, actor_organization: sender.name, reason: null, note_enc: null })
      .execute();
    // Names of the details, never their values.
    await audit({ action: 'referrals.create', entityType: 'referral', entityId: id, summary: { status, needs: input.needs, urgency: input.urgency, client_fields: given, consent: Boolean(consent) } });
    const r = (await getReferral(trx, id))!;
    const list = status === 'sent' ? await notices(trx, r, 'new', 'receivers', actor) : [];
    await storeNotices(trx, list);
    return { r, list };
  });
  await mail(ctx, ref.list);
  return ref.r;
}

// ---------- moving it along ----------

function checkDetails(action: Action, input: TransitionInput): void {
  if (action === 'decline' && !input.reason) throw fieldError('reason', 'is required to decline');
  if (action !== 'decline' && input.reason) throw fieldError('reason', 'is only for declining');
  if (action === 'complete' && !input.outcome) throw fieldError('outcome', 'is required to complete');
  if (action !== 'complete' && (input.outcome || input.outcome_reason)) throw fieldError('outcome', 'is only for completing');
  if (input.outcome === 'could_not_get_help' && !input.outcome_reason) throw fieldError('outcome_reason', 'is required when the client could not get help');
  if (input.outcome === 'got_help' && input.outcome_reason) throw fieldError('outcome_reason', 'is only for when the client could not get help');
}

/**
 * One step of the lifecycle. The change is conditional on the version the caller saw (`where version = ?`): of
 * two people acting on the same version, one wins and the other gets 409, on either engine and across app nodes.
 */
async function applyTransition(ctx: Ctx, ref: Referral, action: Action, version: number, details: Partial<TransitionInput>, who: { actor: Actor | null; organization: string | null }, notify: 'receivers' | 'senders' | 'others'): Promise<Referral> {
  const t = TRANSITIONS[action];
  const now = nowIso();
  const set: Updateable<ReferralTable> = { status: t.to, updated_at: now };
  if (action === 'send') set.sent_at = now;
  if (action === 'accept') set.accepted_at = now;
  if (CLOSED.includes(t.to)) set.closed_at = now;
  if (action === 'decline') set.decline_reason = details.reason;
  if (action === 'complete') {
    set.outcome = details.outcome;
    set.outcome_reason = details.outcome_reason ?? null;
  }
  const res = await runCommand(ctx, async (trx, audit) => {
    // The conditional update comes first, so that on SQLite the transaction takes the write lock at once.
    const updated = await referralsDb(trx)
      .updateTable('referrals')
      .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
      .where('id', '=', ref.id)
      .where('version', '=', version)
      .where('status', 'in', t.from)
      .returning('version')
      .executeTakeFirst();
    if (!updated) throw conflict('This referral has changed since you loaded it. Reload it and try again.');
    const newVersion = Number(updated.version);
    await referralsDb(trx)
      .insertInto('referral_events')
      .values({
        id: newId(),
        referral_id: ref.id,
        version: newVersion,
        at: now,
        action,
        from_status: ref.status,
        to_status: t.to,
        actor_id: who.actor?.id ?? null,
        actor_name: who.actor?.name ?? SYSTEM_NAME,
        actor_organization: who.organization,
        reason: details.reason ?? details.outcome_reason ?? null,
        note_enc: details.note ? seal(await keyForWriting(trx, ctx.config, ref.id), details.note) : null,
      })
      .execute();
    await audit({ action: `referrals.${action}`, entityType: 'referral', entityId: ref.id, summary: { from: ref.status, to: t.to, version: newVersion, reason: details.reason ?? null, outcome: details.outcome ?? null } });
    const r = (await getReferral(trx, ref.id))!;
    const list = await notices(trx, r, action === 'send' ? 'new' : 'update', notify, who.actor);
    await storeNotices(trx, list);
    return { r, list };
  });
  await mail(ctx, res.list);
  return res.r;
}

export async function transition(ctx: Ctx, id: string, raw: unknown, opts: { coerce?: boolean } = {}): Promise<Referral> {
  const actor = requireActor(ctx);
  authorize(ctx, mayTakeSteps(principalOf(ctx)));
  const { ref, side } = await referralFor(ctx, id);
  const input = validate(TransitionInput, raw, opts);
  const action = input.action;
  if (input.version !== ref.version) throw conflict('This referral has changed since you loaded it. Reload it and try again.');
  if (!allowedActions(actor, ref, side).includes(action)) {
    // A step this side could take with another role is refused (403); one no role could take now is a conflict.
    const anyRole = { permissions: new Set([SEND, RECEIVE]) };
    if (!allowedActions(anyRole, ref, side).includes(action)) throw conflict(`A referral that is ${ref.status.replace('_', ' ')} cannot take the step "${action}".`);
    authorize(ctx, false, 'Your role does not allow this step.');
  }
  checkDetails(action, input);
  const actingSide = action === 'send' || action === 'cancel' ? 'sender' : 'receiver';
  const organization = actingSide === 'sender' ? ref.sender_name : ref.receiver_name;
  return applyTransition(ctx, ref, action, input.version, input, { actor, organization }, side === 'both' ? 'others' : actingSide === 'sender' ? 'receivers' : 'senders');
}

/**
 * Records that the client withdrew consent. Either side may record it, whatever the referral's version: the
 * receiving organisation loses access to the details at once. The referral itself goes on; services never depend
 * on consent.
 */
export async function revokeConsent(ctx: Ctx, id: string, raw: unknown, opts: { coerce?: boolean } = {}): Promise<Referral> {
  const actor = requireActor(ctx);
  authorize(ctx, mayRecordRevocation(principalOf(ctx)));
  const { ref, side } = await referralFor(ctx, id);
  authorize(ctx, mayRecordRevocationAs(principalOf(ctx), side), 'Withdrawing consent takes the permission to act on your side of this referral.');
  const input = validate(RevokeInput, raw, opts);
  const consent = await getConsent(ctx.db, ref.id);
  if (!consent) throw conflict('This referral has no consent to withdraw.');
  if (consent.revoked_at) throw conflict('The consent on this referral was already withdrawn.');
  const now = nowIso();
  const res = await runCommand(ctx, async (trx, audit) => {
    const done = await referralsDb(trx).updateTable('referral_consents').set({ revoked_at: now, revoked_by: actor.id }).where('id', '=', consent.id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!Number(done.numUpdatedRows)) throw conflict('The consent on this referral was already withdrawn.');
    const updated = await referralsDb(trx).updateTable('referrals').set((eb) => ({ version: eb('version', '+', 1), updated_at: now })).where('id', '=', ref.id).returning(['version', 'status']).executeTakeFirstOrThrow();
    await referralsDb(trx)
      .insertInto('referral_events')
      .values({
        id: newId(),
        referral_id: ref.id,
        version: Number(updated.version),
        at: now,
        action: 'revoke_consent',
        from_status: updated.status,
        to_status: updated.status,
        actor_id: actor.id,
        actor_name: actor.name,
        actor_organization: side === 'receiver' ? ref.receiver_name : ref.sender_name,
        reason: null,
        note_enc: input.note ? seal(await keyForWriting(trx, ctx.config, ref.id), input.note) : null,
      })
      .execute();
    await audit({ action: 'referrals.consent.revoke', entityType: 'referral', entityId: ref.id, summary: { fields: consent.fields } });
    const r = (await getReferral(trx, ref.id))!;
    const list = r.status === 'draft' ? [] : await notices(trx, r, 'consent_revoked', 'receivers', actor);
    await storeNotices(trx, list);
    return { r, list };
  });
  await mail(ctx, res.list);
  return res.r;
}

/** Marks the caller's own notifications read: all of them, or those about one referral. An explicit action, never a side effect of reading. */
export async function markNotificationsRead(ctx: Ctx, referralId?: string): Promise<number> {
  const actor = requireActor(ctx);
  authorize(ctx, mayKeepNotifications(principalOf(ctx)));
  return runCommand(ctx, async (trx, audit) => {
    let q = referralsDb(trx).updateTable('referral_notifications').set({ read_at: nowIso() }).where('user_id', '=', actor.id).where('read_at', 'is', null);
    if (referralId) q = q.where('referral_id', '=', referralId);
    const count = Number((await q.executeTakeFirst()).numUpdatedRows);
    await audit({ action: 'referrals.notifications.read', entityType: 'referral', entityId: referralId ?? null, summary: { count } });
    return count;
  });
}

// ---------- scheduled work ----------

/**
 * The scheduled work's policy. Asked again before each batch's transaction: runCommand consumes the check, so
 * that every transaction of a long run is covered by its own.
 */
function mayRunJob(ctx: Ctx): void {
  authorize(ctx, mayRunScheduledWork(principalOf(ctx)), 'Only administrators run the purge and the reminders by hand.');
}

/**
 * Deletes the client details and every free-text note of referrals closed more than REFERRAL_RETENTION_DAYS ago,
 * leaving the de-identified record (needs, dates, status, reasons, outcome, area, network) and the consent record;
 * and destroys each referral's data key, so that no leftover copy of those values (free space, WAL, dead tuples,
 * backups) can be decrypted. A purged referral that holds a data key again (a note written after the purge, such as
 * on withdrawing consent) is purged again.
 */
export async function purgeClosed(ctx: Ctx, now = new Date(), log: (line: string) => void = () => {}): Promise<number> {
  mayRunJob(ctx);
  const cutoff = new Date(now.getTime() - ctx.config.referralRetentionDays * DAY).toISOString();
  const due = await referralsDb(ctx.db)
    .selectFrom('referrals')
    .select('id')
    .where('status', 'in', [...CLOSED])
    .where('closed_at', '<=', cutoff)
    .where((eb) => eb.or([eb('purged_at', 'is', null), eb.exists(eb.selectFrom('referral_keys').select('referral_keys.referral_id').whereRef('referral_keys.referral_id', '=', 'referrals.id'))]))
    .orderBy('closed_at')
    .execute();
  const ids = due.map((r) => r.id);
  log(`referrals purge: ${ids.length} referral(s) closed before ${cutoff.slice(0, 10)} to purge`);
  let masterSealed = 0;
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    await runCommand(ctx, async (trx, audit) => {
      mayRunJob(ctx);
      // Values sealed under the master key itself (referrals made before data keys) are not shredded by deleting a
      // data key: their leftover copies are cleared from the files below.
      masterSealed += await masterSealedCount(trx, batch);
      await referralsDb(trx).deleteFrom('referral_client_fields').where('referral_id', 'in', batch).execute();
      await referralsDb(trx).updateTable('referral_events').set({ note_enc: null }).where('referral_id', 'in', batch).where('note_enc', 'is not', null).execute();
      await referralsDb(trx).updateTable('referrals').set({ note_enc: null }).where('id', 'in', batch).where('note_enc', 'is not', null).execute();
      await referralsDb(trx).updateTable('referrals').set({ purged_at: now.toISOString() }).where('id', 'in', batch).where('purged_at', 'is', null).execute();
      await referralsDb(trx).deleteFrom('referral_keys').where('referral_id', 'in', batch).execute();
      for (const id of batch) await audit({ action: 'referrals.purge', entityType: 'referral', entityId: id, summary: { retention_days: ctx.config.referralRetentionDays } });
    });
    log(`referrals purge: ${Math.min(i + 100, ids.length)}/${ids.length}`);
  }
  await clearLeftovers(ctx.db, ctx.dbKind, log, masterSealed ? ['referrals', 'referral_client_fields', 'referral_events'] : []);
  return ids.length;
}

export interface RekeyResult {
  /** Referrals made before data keys, now under a data key of their own. */
  moved: number;
  /** Their values re-sealed under it. */
  values: number;
  /** Data keys wrapped again under the current master key. */
  rewrapped: number;
  /** Referrals already under a data key wrapped by the current master key, or with nothing sealed. */
  current: number;
}

/**
 * `taskforce referrals rekey`: moves every referral made before data keys (values sealed under the master key) under
 * a data key of its own, and wraps again under the current master key every data key another master key wraps (after
 * DATA_KEY rotation; the old key can then be dropped). One referral at a time, 100 to a transaction; safe to repeat.
 * Afterwards, on PostgreSQL, the tables that held the old copies are rewritten (see `clearLeftovers`); `vacuum`
 * also rewrites them when nothing moved, and on SQLite rewrites the whole file (VACUUM), for copies of values deleted
 * before secure_delete was on.
 */
export async function rekeyReferrals(ctx: Ctx, log: (line: string) => void = () => {}, opts: { vacuum?: boolean } = {}): Promise<RekeyResult> {
  mayRunJob(ctx);
  const rows = await referralsDb(ctx.db).selectFrom('referrals').select('id').orderBy('created_at').orderBy('id').execute();
  const ids = rows.map((r) => r.id);
  const out: RekeyResult = { moved: 0, values: 0, rewrapped: 0, current: 0 };
  const to = currentMasterKeyId(ctx.config);
  log(`referrals rekey: ${ids.length} referral(s) to check, under master key ${to}`);
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    const done = await runCommand(ctx, async (trx, audit) => {
      mayRunJob(ctx);
      const counts: RekeyResult = { moved: 0, values: 0, rewrapped: 0, current: 0 };
      for (const id of batch) {
        // Takes the referral's row (and, on SQLite, the write lock) first, so no change to it runs meanwhile.
        await referralsDb(trx).updateTable('referrals').set((eb) => ({ version: eb.ref('version') })).where('id', '=', id).execute();
        const from = await wrappingMasterKeyId(trx, id);
        if (from === undefined) {
          const k = await moveUnderDataKey(trx, ctx.config, id);
          if (!k) {
            counts.current++;
            continue;
          }
          counts.moved++;
          counts.values += k.moved;
          await audit({ action: 'referrals.rekey', entityType: 'referral', entityId: id, summary: { moved_values: k.moved, master_key: to } });
        } else if (await rewrapKey(trx, ctx.config, id)) {
          counts.rewrapped++;
          await audit({ action: 'referrals.rekey', entityType: 'referral', entityId: id, summary: { rewrapped_from: from, master_key: to } });
        } else counts.current++;
      }
      return counts;
    });
    for (const k of Object.keys(out) as (keyof RekeyResult)[]) out[k] += done[k];
    log(`referrals rekey: ${Math.min(i + 100, ids.length)}/${ids.length}`);
  }
  const oldCopies = ['referrals', 'referral_client_fields', 'referral_events'] as const;
  if (opts.vacuum && ctx.dbKind === 'sqlite') {
    log('referrals rekey: rewriting the database file (VACUUM)');
    await sql`vacuum`.execute(ctx.db);
  }
  await clearLeftovers(ctx.db, ctx.dbKind, log, out.moved || opts.vacuum ? [...oldCopies] : []);
  return out;
}

/**
 * Expires referrals nobody accepted or declined within REFERRAL_EXPIRY_DAYS of sending, and reminds the receiving
 * organisation of referrals not acted on for REFERRAL_REMINDER_DAYS (once per such period).
 */
export async function runReminders(ctx: Ctx, now = new Date(), log?: MailLog): Promise<{ reminded: number; expired: number; mails: number }> {
  mayRunJob(ctx);
  const say = log ?? (() => {});
  const expiryCutoff = new Date(now.getTime() - ctx.config.referralExpiryDays * DAY).toISOString();
  const stale = await referralsDb(ctx.db).selectFrom('referrals').selectAll().where('status', 'in', ['sent', 'received']).where('sent_at', '<=', expiryCutoff).execute();
  let expired = 0;
  for (const row of stale) {
    const ref = (await getReferral(ctx.db, row.id))!;
    try {
      mayRunJob(ctx);
      await applyTransition(ctx, ref, 'expire', ref.version, {}, { actor: null, organization: null }, 'others');
      expired++;
    } catch (err) {
      // Someone acted on it meanwhile: nothing to expire.
      if ((err as { status?: number }).status !== 409) throw err;
    }
  }
  say(`referrals: ${expired} expired (sent before ${expiryCutoff.slice(0, 10)} and never accepted or declined)`);

  const quietSince = new Date(now.getTime() - ctx.config.referralReminderDays * DAY).toISOString();
  const waiting = await referralsDb(ctx.db)
    .selectFrom('referrals')
    .selectAll()
    .where('status', 'in', ['sent', 'received', 'accepted', 'in_progress'])
    .where('updated_at', '<=', quietSince)
    .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<=', quietSince)]))
    .execute();
  let reminded = 0;
  let mails = 0;
  for (const row of waiting) {
    const ref = (await getReferral(ctx.db, row.id))!;
    const list = await notices(ctx.db, ref, 'reminder', 'receivers', null);
    await runCommand(ctx, async (trx, audit) => {
      mayRunJob(ctx);
      await referralsDb(trx).updateTable('referrals').set({ reminded_at: now.toISOString() }).where('id', '=', ref.id).execute();
      await storeNotices(trx, list);
      await audit({ action: 'referrals.remind', entityType: 'referral', entityId: ref.id, summary: { status: ref.status, recipients: list.length } });
    });
    mails += await mail(ctx, list, log);
    reminded++;
    say(`referrals reminders: ${reminded}/${waiting.length}`);
  }
  return { reminded, expired, mails };
}

