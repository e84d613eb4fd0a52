/**
 * The referrals module's tables (migrations/202612010201_referrals.ts). Instants and dates are text in application
 * code; `needs` and `fields` are JSON, text on SQLite and parsed on PostgreSQL, read through `json`. Columns
 * ending in `_enc` hold AES-256-GCM ciphertext (see store.ts `seal`/`open`), never plaintext: under the referral's own
 * data key (`referral_keys`), or, for referrals made before data keys, under the master key.
 */
import type { Kysely } from 'kysely';
import type { Db, JsonValue } from '../../platform/db/index.ts';
import type { Status } from './schema.ts';

export interface ReferralTable {
  id: string;
  version: number;
  status: Status;
  sender_organization_id: string;
  receiver_organization_id: string;
  service_id: string;
  location_id: string | null;
  network_id: string | null;
  sender_name: string;
  receiver_name: string;
  service_name: string;
  network_name: string | null;
  area_fips: string | null;
  area_state: string | null;
  needs: JsonValue;
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

export interface ClientFieldTable {
  referral_id: string;
  field: string;
  value_enc: string;
}

export interface ConsentTable {
  id: string;
  referral_id: string;
  organization_id: string;
  fields: JsonValue;
  form_version: string;
  form_text: string;
  attested_by: string;
  attested_at: string;
  expires_on: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface EventTable {
  id: string;
  referral_id: string;
  version: number;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string;
  actor_id: string | null;
  actor_name: string;
  actor_organization: string | null;
  reason: string | null;
  note_enc: string | null;
}

/** A referral's data key, wrapped by the master key `master_key_id`; deleted by the purge. */
export interface KeyTable {
  referral_id: string;
  master_key_id: string;
  wrapped: string;
  created_at: string;
}

export interface NotificationTable {
  id: string;
  user_id: string;
  referral_id: string;
  kind: string;
  status: string;
  created_at: string;
  read_at: string | null;
}

export interface ReferralTables {
  referrals: ReferralTable;
  referral_client_fields: ClientFieldTable;
  referral_consents: ConsentTable;
  referral_events: EventTable;
  referral_notifications: NotificationTable;
  referral_keys: KeyTable;
}

/** The database (or a transaction) as this module sees it: its own tables only. */
export const referralsDb = (db: Db): Kysely<ReferralTables> => db;
