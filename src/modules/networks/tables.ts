/**
 * The networks module's tables as either database hands them back: dates and instants as text or Date, JSON as
 * text (SQLite) or parsed (PostgreSQL), booleans as 0/1 or true/false. The store normalises them on the way out.
 */
import type { Kysely } from 'kysely';
import type { Db, DateValue, JsonValue, BoolValue } from '../../platform/db/index.ts';

export interface NetworkTable {
  id: string;
  name: string;
  description: string | null;
  convener_organization_id: string;
  area_kind: string;
  states: JsonValue;
  counties: JsonValue;
  center_lat: number | null;
  center_lng: number | null;
  radius_miles: number | null;
  needs: JsonValue;
  retired_on: DateValue | null;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface MemberTable {
  network_id: string;
  directory_organization_id: string;
  role: string;
  joined_on: DateValue | null;
  note: string | null;
  created_at: DateValue;
}

export interface AgreementTable {
  id: string;
  network_id: string;
  title: string;
  directory_organization_id: string | null;
  on_file: BoolValue;
  signed_on: DateValue | null;
  expires_on: DateValue | null;
  note: string | null;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface ContactTable {
  id: string;
  network_id: string;
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  directory_organization_id: string | null;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface NetworksTables {
  networks_network: NetworkTable;
  networks_member: MemberTable;
  networks_agreement: AgreementTable;
  networks_contact: ContactTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const networksDb = (db: Db): Kysely<NetworksTables> => db;
