import type { Config, DatabaseKind } from '../../config.ts';
import { decryptField, decryptWithKey, encryptWithKey, keyRing, newDataKey, sealedWith, unwrapDataKey, wrapDataKey, wrappingKeyId, type KeyRing } from '../../platform/crypto/index.ts';
import { isUuid, json, type Db } from '../../platform/db/index.ts';
import { sql, type Selectable } from 'kysely';
import { CLIENT_FIELDS, type Action, type ClientField, type Status } from './schema.ts';
import { referralsDb, type ConsentTable, type EventTable, type ReferralTable } from './tables.ts';

/** A referral as the module works with it: the row, with its needs parsed and its instants in ISO-8601 UTC. */
export interface Referral extends Omit<ReferralTable, 'needs'> {
  needs: string[];
}

export interface Consent extends Omit<ConsentTable, 'fields'> {
  fields: ClientField[];
}

export type ReferralEvent = Selectable<EventTable>;

const instant = (v: string) => new Date(v).toISOString();
const maybeInstant = (v: string | null) => (v === null ? null : instant(v));

export function toReferral(r: Selectable<ReferralTable>): Referral {
  return {
    ...r,
    version: Number(r.version),
    needs: json<string[]>(r.needs, []),
    created_at: instant(r.created_at),
    updated_at: instant(r.updated_at),
    sent_at: maybeInstant(r.sent_at),
    accepted_at: maybeInstant(r.accepted_at),
    closed_at: maybeInstant(r.closed_at),
    reminded_at: maybeInstant(r.reminded_at),
    purged_at: maybeInstant(r.purged_at),
  };
}

function toConsent(r: Selectable<ConsentTable>): Consent {
  return { ...r, fields: json<ClientField[]>(r.fields, []), attested_at: instant(r.attested_at), revoked_at: maybeInstant(r.revoked_at), expires_on: String(r.expires_on).slice(0, 10) };
}

// ---------- encryption ----------

const rings = new Map<string, KeyRing>();
function ring(config: Pick<Config, 'dataKey'>): KeyRing {
  let r = rings.get(config.dataKey);
  if (!r) {
    r = keyRing(config.dataKey);
    rings.set(config.dataKey, r);
  }
  return r;
}

/**
 * A referral's own data key, unwrapped. Its client details and notes are sealed under it; the purge deletes the
 * wrapped key, after which no copy of them can be opened (crypto-shredding).
 */
export interface ReferralKey {
  referralId: string;
  key: Buffer;
}

/** The wrapped key is bound to its referral (associated data): it opens for that referral only. */
const owner = (referralId: string) => `referral:${referralId}`;

export const seal = (k: ReferralKey, text: string) => encryptWithKey(k.key, text);

/** Opens a value of the referral: under its data key, or, for values sealed before data keys, under the master key. */
export function open(config: Pick<Config, 'dataKey'>, k: ReferralKey | undefined, stored: string | null): string | null {
  if (stored === null) return null;
  if (sealedWith(stored) === 'master') return decryptField(ring(config), stored);
  if (!k) throw new Error('This value is sealed under a data key the referral no longer has');
  return decryptWithKey(k.key, stored);
}

/** The referral's data key, or undefined when it has none (purged, or made before data keys and not moved yet). */
export async function referralKey(db: Db, config: Pick<Config, 'dataKey'>, referralId: string): Promise<ReferralKey | undefined> {
  const row = await referralsDb(db).selectFrom('referral_keys').select('wrapped').where('referral_id', '=', referralId).executeTakeFirst();
  return row ? { referralId, key: unwrapDataKey(ring(config), row.wrapped, owner(referralId)) } : undefined;
}

async function storeKey(trx: Db, config: Pick<Config, 'dataKey'>, referralId: string, key: Buffer): Promise<void> {
  const r = ring(config);
  await referralsDb(trx).insertInto('referral_keys').values({ referral_id: referralId, master_key_id: r.current.id, wrapped: wrapDataKey(r, key, owner(referralId)), created_at: new Date().toISOString() }).execute();
}

/** A new referral's data key, to seal its values as it is inserted; stored by `saveReferralKey` after the referral's row. */
export function newReferralKey(referralId: string): ReferralKey {
  return { referralId, key: newDataKey() };
}

export async function saveReferralKey(trx: Db, config: Pick<Config, 'dataKey'>, k: ReferralKey): Promise<void> {
  await storeKey(trx, config, k.referralId, k.key);
}

/**
 * The referral's data key for a change that seals a value. A referral made before data keys gets one here, and its
 * values still sealed under the master key are moved under it in the same transaction (see `moveUnderDataKey`).
 * Call it after the change has locked the referral's row (its conditional update), so that two changes cannot
 * both make one.
 */
export async function keyForWriting(trx: Db, config: Pick<Config, 'dataKey'>, referralId: string): Promise<ReferralKey> {
  return (await referralKey(trx, config, referralId)) ?? (await moveUnderDataKey(trx, config, referralId, { always: true }))!;
}

/**
 * Gives a referral made before data keys a data key of its own and re-seals its values (client details, notes)
 * under it, in the caller's transaction. Without `always`, a referral with no sealed values (purged, or it never
 * had any) is left without a key and undefined is returned. Returns the key and how many values moved.
 */
export async function moveUnderDataKey(trx: Db, config: Pick<Config, 'dataKey'>, referralId: string, opts: { always?: boolean } = {}): Promise<(ReferralKey & { moved: number }) | undefined> {
  const rdb = referralsDb(trx);
  const [ref, fields, events] = await Promise.all([
    rdb.selectFrom('referrals').select('note_enc').where('id', '=', referralId).executeTakeFirst(),
    rdb.selectFrom('referral_client_fields').select(['field', 'value_enc']).where('referral_id', '=', referralId).execute(),
    rdb.selectFrom('referral_events').select(['id', 'note_enc']).where('referral_id', '=', referralId).where('note_enc', 'is not', null).execute(),
  ]);
  const legacy = (v: string | null | undefined): v is string => typeof v === 'string' && sealedWith(v) === 'master';
  const moved = Number(legacy(ref?.note_enc)) + fields.filter((f) => legacy(f.value_enc)).length + events.filter((e) => legacy(e.note_enc)).length;
  if (!moved && !opts.always) return undefined;
  const k = newReferralKey(referralId);
  await saveReferralKey(trx, config, k);
  const reseal = (v: string) => seal(k, open(config, undefined, v)!);
  if (legacy(ref?.note_enc)) await rdb.updateTable('referrals').set({ note_enc: reseal(ref.note_enc) }).where('id', '=', referralId).execute();
  for (const f of fields) if (legacy(f.value_enc)) await rdb.updateTable('referral_client_fields').set({ value_enc: reseal(f.value_enc) }).where('referral_id', '=', referralId).where('field', '=', f.field).execute();
  for (const e of events) if (legacy(e.note_enc)) await rdb.updateTable('referral_events').set({ note_enc: reseal(e.note_enc) }).where('id', '=', e.id).execute();
  return { ...k, moved };
}

/** The master key that wraps the referral's data key, or undefined when it has none. */
export async function wrappingMasterKeyId(db: Db, referralId: string): Promise<string | undefined> {
  const row = await referralsDb(db).selectFrom('referral_keys').select('wrapped').where('referral_id', '=', referralId).executeTakeFirst();
  return row ? wrappingKeyId(row.wrapped) : undefined;
}

/** Wraps the referral's data key again under the current master key when another one wraps it; true if it did. */
export async function rewrapKey(trx: Db, config: Pick<Config, 'dataKey'>, referralId: string): Promise<boolean> {
  const r = ring(config);
  const row = await referralsDb(trx).selectFrom('referral_keys').select(['master_key_id', 'wrapped']).where('referral_id', '=', referralId).executeTakeFirst();
  if (!row || (row.master_key_id === r.current.id && wrappingKeyId(row.wrapped) === r.current.id)) return false;
  const key = unwrapDataKey(r, row.wrapped, owner(referralId));
  await referralsDb(trx).updateTable('referral_keys').set({ master_key_id: r.current.id, wrapped: wrapDataKey(r, key, owner(referralId)) }).where('referral_id', '=', referralId).execute();
  return true;
}

/** How many of these referrals' values are still sealed under the master key (made before data keys). */
export async function masterSealedCount(db: Db, referralIds: string[]): Promise<number> {
  if (!referralIds.length) return 0;
  const rdb = referralsDb(db);
  const values = [
    ...(await rdb.selectFrom('referrals').select('note_enc as v').where('id', 'in', referralIds).where('note_enc', 'like', 'v1.%').execute()),
    ...(await rdb.selectFrom('referral_client_fields').select('value_enc as v').where('referral_id', 'in', referralIds).where('value_enc', 'like', 'v1.%').execute()),
    ...(await rdb.selectFrom('referral_events').select('note_enc as v').where('referral_id', 'in', referralIds).where('note_enc', 'like', 'v1.%').execute()),
  ];
  return values.filter((r) => r.v !== null && sealedWith(r.v) === 'master').length;
}

/**
 * Clears what deleted rows leave behind in the database's own files. On SQLite, where `secure_delete` has already
 * zeroed the deleted content in the pages, the write-ahead log (which still holds the pages as they were) is
 * checkpointed and truncated. On PostgreSQL, deleted rows stay in the table's pages as dead tuples until their space
 * is reused, even after VACUUM; `VACUUM FULL` writes the tables anew and removes the old files. It is run on
 * `referral_keys` (small: a wrapped key per referral), and on `tables` when given. It waits at most 3 seconds for
 * its lock, so as not to hold up requests behind a long transaction; a run that could not is reported, and the next
 * purge does it again.
 */
export async function clearLeftovers(db: Db, kind: DatabaseKind, log: (line: string) => void, tables: ('referrals' | 'referral_client_fields' | 'referral_events')[] = []): Promise<void> {
  if (kind === 'sqlite') {
    const r = await sql<{ busy: number }>`pragma wal_checkpoint(truncate)`.execute(db);
    if (r.rows[0]?.busy) log('referrals: the write-ahead log is in use and was not truncated now; it is at the next checkpoint');
    return;
  }
  // VACUUM FULL needs the table to itself: a busy moment (autovacuum, a reader) can hold it past the lock timeout.
  // A few tries a second apart ride that out; a table still not rewritten is reported, and the next purge tries again.
  const done = new Set<string>();
  await db.connection().execute(async (c) => {
    await sql`set lock_timeout = '3s'`.execute(c);
    try {
      // Twice, a moment apart: rows the purge deleted stay in the rewritten table while a transaction that began
      // before the purge is still open somewhere (PostgreSQL keeps them visible to it); the second pass finds them
      // dead to everyone.
      for (const t of ['referral_keys', 'referral_keys', ...tables]) {
        if (t === 'referral_keys' && done.has(t)) await new Promise((ok) => setTimeout(ok, 1500));
        done.add(t);
        for (let attempt = 1; ; attempt++) {
          try {
            await sql`vacuum full ${sql.table(t)}`.execute(c);
            break;
          } catch (err) {
            if (attempt < 4) {
              await new Promise((ok) => setTimeout(ok, 1000));
              continue;
            }
            log(`referrals: ${t} not rewritten now (${(err as Error).message.split('\n')[0]}); the next purge tries again`);
            break;
          }
        }
      }
    } finally {
      await sql`reset lock_timeout`.execute(c);
    }
  });
}

/** The id of the master key that seals new values and wraps new data keys. */
export const currentMasterKeyId = (config: Pick<Config, 'dataKey'>) => ring(config).current.id;

// ---------- reads ----------

export async function getReferral(db: Db, id: string): Promise<Referral | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await referralsDb(db).selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toReferral(r) : undefined;
}

export async function getConsent(db: Db, referralId: string): Promise<Consent | undefined> {
  const r = await referralsDb(db).selectFrom('referral_consents').selectAll().where('referral_id', '=', referralId).executeTakeFirst();
  return r ? toConsent(r) : undefined;
}

export async function listEvents(db: Db, referralId: string): Promise<ReferralEvent[]> {
  const rows = await referralsDb(db).selectFrom('referral_events').selectAll().where('referral_id', '=', referralId).orderBy('version').execute();
  return rows.map((r) => ({ ...r, version: Number(r.version), at: instant(r.at) }));
}

/** Names of the client details stored on the referral (not their values). */
export async function clientFieldNames(db: Db, referralId: string): Promise<ClientField[]> {
  const rows = await referralsDb(db).selectFrom('referral_client_fields').select('field').where('referral_id', '=', referralId).execute();
  const have = new Set(rows.map((r) => r.field));
  return CLIENT_FIELDS.filter((f) => have.has(f));
}

export async function clientFieldValues(db: Db, config: Pick<Config, 'dataKey'>, referralId: string, fields: readonly ClientField[]): Promise<Partial<Record<ClientField, string>>> {
  if (!fields.length) return {};
  const rows = await referralsDb(db).selectFrom('referral_client_fields').select(['field', 'value_enc']).where('referral_id', '=', referralId).where('field', 'in', [...fields]).execute();
  const key = await referralKey(db, config, referralId);
  const out: Partial<Record<ClientField, string>> = {};
  for (const f of fields) {
    const row = rows.find((r) => r.field === f);
    if (row) out[f] = open(config, key, row.value_enc) ?? '';
  }
  return out;
}

// ---------- lifecycle ----------

/** Where each action leads, and from where. */
export const TRANSITIONS: Record<Action, { from: Status[]; to: Status }> = {
  send: { from: ['draft'], to: 'sent' },
  receive: { from: ['sent'], to: 'received' },
  accept: { from: ['sent', 'received'], to: 'accepted' },
  decline: { from: ['sent', 'received'], to: 'declined' },
  start: { from: ['accepted'], to: 'in_progress' },
  complete: { from: ['accepted', 'in_progress'], to: 'completed' },
  cancel: { from: ['draft', 'sent', 'received', 'accepted', 'in_progress'], to: 'cancelled' },
  expire: { from: ['sent', 'received'], to: 'expired' },
};

// ---------- lists ----------

export interface ListFilter {
  actedFor: string[];
  box: 'all' | 'sent' | 'received';
  status?: Status;
  limit: number;
  offset: number;
}

export async function listReferrals(db: Db, f: ListFilter): Promise<{ items: Referral[]; total: number }> {
  if (!f.actedFor.length) return { items: [], total: 0 };
  let q = referralsDb(db).selectFrom('referrals').where((eb) => {
    const sent = eb('sender_organization_id', 'in', f.actedFor);
    const received = eb.and([eb('receiver_organization_id', 'in', f.actedFor), eb('status', '!=', 'draft')]);
    return f.box === 'sent' ? sent : f.box === 'received' ? received : eb.or([sent, received]);
  });
  if (f.status) q = q.where('status', '=', f.status);
  const totalRow = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return { total: Number(totalRow?.n ?? 0), items: rows.map(toReferral) };
}

export interface Notification {
  id: string;
  referral_id: string;
  kind: string;
  status: string;
  created_at: string;
  read: boolean;
  /** What the notification is about: the referral's service and organisations (never its client). */
  service_name?: string;
  sender_name?: string;
  receiver_name?: string;
}

export async function listNotifications(db: Db, userId: string, opts: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
  let q = referralsDb(db)
    .selectFrom('referral_notifications as n')
    .leftJoin('referrals as r', 'r.id', 'n.referral_id')
    .select(['n.id', 'n.referral_id', 'n.kind', 'n.status', 'n.created_at', 'n.read_at', 'r.service_name', 'r.sender_name', 'r.receiver_name'])
    .where('n.user_id', '=', userId);
  if (opts.unreadOnly) q = q.where('n.read_at', 'is', null);
  const rows = await q.orderBy('n.created_at', 'desc').orderBy('n.id').limit(opts.limit ?? 50).execute();
  return rows.map((r) => ({
    id: r.id,
    referral_id: r.referral_id,
    kind: r.kind,
    status: r.status,
    created_at: instant(r.created_at),
    read: r.read_at !== null && r.read_at !== undefined,
    service_name: r.service_name ?? undefined,
    sender_name: r.sender_name ?? undefined,
    receiver_name: r.receiver_name ?? undefined,
  }));
}

/** Unread notifications of the user, all or those about one referral. */
export async function unreadCount(db: Db, userId: string, referralId?: string): Promise<number> {
  let q = referralsDb(db).selectFrom('referral_notifications').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).where('read_at', 'is', null);
  if (referralId) q = q.where('referral_id', '=', referralId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

