import type { Config } from '../../config.ts';
import { decryptField, encryptField, keyRing, type KeyRing } from '../../platform/crypto/index.ts';
import { isUuid, json, type Db } from '../../platform/db/index.ts';
import type { Selectable } from 'kysely';
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

export const seal = (config: Pick<Config, 'dataKey'>, text: string) => encryptField(ring(config), text);
export const open = (config: Pick<Config, 'dataKey'>, stored: string | null) => (stored === null ? null : decryptField(ring(config), stored));

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
  const out: Partial<Record<ClientField, string>> = {};
  for (const f of fields) {
    const row = rows.find((r) => r.field === f);
    if (row) out[f] = open(config, row.value_enc) ?? '';
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
}

export async function listNotifications(db: Db, userId: string, opts: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
  let q = referralsDb(db).selectFrom('referral_notifications').selectAll().where('user_id', '=', userId);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 50).execute();
  return rows.map((r) => ({ id: r.id, referral_id: r.referral_id, kind: r.kind, status: r.status, created_at: instant(r.created_at), read: r.read_at !== null && r.read_at !== undefined }));
}

/** Unread notifications of the user, all or those about one referral. */
export async function unreadCount(db: Db, userId: string, referralId?: string): Promise<number> {
  let q = referralsDb(db).selectFrom('referral_notifications').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).where('read_at', 'is', null);
  if (referralId) q = q.where('referral_id', '=', referralId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

