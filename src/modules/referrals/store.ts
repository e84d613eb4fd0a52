import type { Config } from '../../config.ts';
import { decryptField, encryptField, keyRing, type KeyRing } from '../../platform/crypto/index.ts';
import { isUuid, json, type Db } from '../../platform/db/index.ts';
import { CLIENT_FIELDS, type Action, type ClientField, type Status } from './schema.ts';

export interface Referral {
  id: string;
  version: number;
  status: Status;
  sender_organization_id: string;
  receiver_organization_id: string;
  sender_name: string;
  receiver_name: string;
  service_id: string;
  service_name: string;
  location_id: string | null;
  network_id: string | null;
  network_name: string | null;
  area_fips: string | null;
  area_state: string | null;
  needs: string[];
  urgency: string;
  note_enc: string | null;
  decline_reason: string | null;
  outcome: string | null;
  outcome_reason: string | null;
  created_by: string;
  created_at: string;
  sent_at: string | null;
  accepted_at: string | null;
  closed_at: string | null;
  updated_at: string;
  reminded_at: string | null;
  purged_at: string | null;
}

export interface Consent {
  id: string;
  referral_id: string;
  organization_id: string;
  fields: ClientField[];
  form_version: string;
  form_text: string;
  attested_by: string;
  attested_at: string;
  expires_on: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface ReferralEvent {
  version: number;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string;
  actor_name: string;
  actor_organization: string | null;
  reason: string | null;
  note_enc: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());

export function toReferral(r: Record<string, unknown>): Referral {
  return {
    ...(r as unknown as Referral),
    version: Number(r.version),
    needs: json<string[]>(r.needs, []),
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
    sent_at: iso(r.sent_at),
    accepted_at: iso(r.accepted_at),
    closed_at: iso(r.closed_at),
    reminded_at: iso(r.reminded_at),
    purged_at: iso(r.purged_at),
  };
}

function toConsent(r: Record<string, unknown>): Consent {
  return { ...(r as unknown as Consent), fields: json<ClientField[]>(r.fields, []), attested_at: iso(r.attested_at)!, revoked_at: iso(r.revoked_at), expires_on: String(r.expires_on).slice(0, 10) };
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
  const r = await db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toReferral(r) : undefined;
}

export async function getConsent(db: Db, referralId: string): Promise<Consent | undefined> {
  const r = await db.selectFrom('referral_consents').selectAll().where('referral_id', '=', referralId).executeTakeFirst();
  return r ? toConsent(r) : undefined;
}

export async function listEvents(db: Db, referralId: string): Promise<ReferralEvent[]> {
  const rows = await db.selectFrom('referral_events').selectAll().where('referral_id', '=', referralId).orderBy('version').execute();
  return rows.map((r) => ({ ...(r as unknown as ReferralEvent), version: Number(r.version), at: iso(r.at)! }));
}

/** Names of the client details stored on the referral (not their values). */
export async function clientFieldNames(db: Db, referralId: string): Promise<ClientField[]> {
  const rows = await db.selectFrom('referral_client_fields').select('field').where('referral_id', '=', referralId).execute();
  const have = new Set(rows.map((r) => String(r.field)));
  return CLIENT_FIELDS.filter((f) => have.has(f));
}

export async function clientFieldValues(db: Db, config: Pick<Config, 'dataKey'>, referralId: string, fields: readonly ClientField[]): Promise<Partial<Record<ClientField, string>>> {
  if (!fields.length) return {};
  const rows = await db.selectFrom('referral_client_fields').select(['field', 'value_enc']).where('referral_id', '=', referralId).where('field', 'in', [...fields]).execute();
  const out: Partial<Record<ClientField, string>> = {};
  for (const r of rows) out[r.field as ClientField] = open(config, String(r.value_enc)) ?? '';
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
  let q = db.selectFrom('referrals').where((eb) => {
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
  let q = db.selectFrom('referral_notifications').selectAll().where('user_id', '=', userId);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 50).execute();
  return rows.map((r) => ({ id: String(r.id), referral_id: String(r.referral_id), kind: String(r.kind), status: String(r.status), created_at: iso(r.created_at)!, read: r.read_at !== null && r.read_at !== undefined }));
}

/** Unread notifications of the user, all or those about one referral. */
export async function unreadCount(db: Db, userId: string, referralId?: string): Promise<number> {
  let q = db.selectFrom('referral_notifications').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).where('read_at', 'is', null);
  if (referralId) q = q.where('referral_id', '=', referralId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

