/**
 * The structure module's tables. Dates and instants are text in application code (platform/db hands them back so
 * on both engines); `goals` and `snapshot` are JSON, text on SQLite and parsed on PostgreSQL, read through `json`.
 */
import type { Kysely } from 'kysely';
import type { Db, JsonValue } from '../../platform/db/index.ts';

export interface AgencyTable {
  id: string;
  name: string;
  abbreviation: string | null;
  kind: string;
  website: string | null;
  parent_id: string | null;
  member_from: string | null;
  member_until: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface BodyTable {
  id: string;
  kind: string;
  name: string;
  slug: string;
  charter: string | null;
  chair_title: string | null;
  parent_id: string | null;
  active_from: string | null;
  active_until: string | null;
  position: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface MembershipTable {
  id: string;
  body_id: string;
  agency_id: string;
  role: string;
  represented_by_id: string | null;
  from: string | null;
  until: string | null;
  position: number;
}

export interface PartnershipTable {
  id: string;
  name: string;
  slug: string;
  purpose: string | null;
  goals: JsonValue;
  lead_agency_id: string | null;
  status: string;
  from: string | null;
  until: string | null;
  position: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface PartnerTable {
  id: string;
  partnership_id: string;
  agency_id: string | null;
  name: string | null;
  website: string | null;
  from: string | null;
  until: string | null;
  position: number;
}

export interface RepresentativeTable {
  id: string;
  person_name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  agency_id: string;
  body_id: string | null;
  partnership_id: string | null;
  role: string | null;
  from: string | null;
  until: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface RevisionTable {
  id: string;
  entity_type: string;
  entity_id: string;
  version: number;
  action: string;
  snapshot: JsonValue;
  actor_id: string | null;
  actor_label: string;
  at: string;
}

/** An account organisation (the platform's `organizations`) whose staff act for an agency. */
export interface AgencyOrganizationTable {
  agency_id: string;
  organization_id: string;
  created_at: string;
  created_by: string | null;
}

export interface StructureTables {
  structure_agencies: AgencyTable;
  structure_bodies: BodyTable;
  structure_memberships: MembershipTable;
  structure_partnerships: PartnershipTable;
  structure_partners: PartnerTable;
  structure_representatives: RepresentativeTable;
  structure_revisions: RevisionTable;
  structure_agency_organizations: AgencyOrganizationTable;
}

/** The database (or a transaction) as this module sees it: its own tables only. */
export const structureDb = (db: Db): Kysely<StructureTables> => db;
