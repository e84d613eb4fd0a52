/**
 * The directory module's tables as either database hands them back: dates and instants as text or Date, JSON as
 * text (SQLite) or parsed (PostgreSQL), booleans as 0/1 or true/false. Readers normalise them on the way out
 * (model.ts readRow, bool, json).
 *
 * The HSDS tables follow the column plan of migrations/202611300201_directory.ts (HSDS_TABLES_V1), one interface per
 * `directory_<name>` table: `id!` and `text!` are non-null strings, `num` numbers, `date` and `instant` DateValue,
 * `bool` never null (the migration gives flags a default); a column without `!` may be null.
 */
import type { Kysely } from 'kysely';
import type { Db, DateValue, JsonValue, BoolValue } from '../../platform/db/index.ts';

// ---------- HSDS (migrations/202611300201_directory.ts) ----------

export interface OrganizationTable {
  id: string;
  name: string;
  alternate_name: string | null;
  description: string;
  email: string | null;
  website: string | null;
  tax_status: string | null;
  tax_id: string | null;
  year_incorporated: number | null;
  legal_status: string | null;
  logo: string | null;
  uri: string | null;
  parent_organization_id: string | null;
}

export interface ProgramTable {
  id: string;
  organization_id: string;
  name: string;
  alternate_name: string | null;
  description: string;
}

export interface ServiceTable {
  id: string;
  organization_id: string | null;
  program_id: string | null;
  name: string;
  alternate_name: string | null;
  description: string | null;
  url: string | null;
  email: string | null;
  status: string;
  interpretation_services: string | null;
  application_process: string | null;
  fees_description: string | null;
  wait_time: string | null;
  fees: string | null;
  accreditations: string | null;
  eligibility_description: string | null;
  minimum_age: number | null;
  maximum_age: number | null;
  assured_date: DateValue | null;
  assurer_email: string | null;
  licenses: string | null;
  alert: string | null;
  last_modified: DateValue | null;
}

export interface AttributeTable {
  id: string;
  link_id: string;
  taxonomy_term_id: string;
  link_type: string | null;
  link_entity: string;
  value: string | null;
}

export interface ServiceAtLocationTable {
  id: string;
  service_id: string;
  location_id: string;
  description: string | null;
}

export interface LocationTable {
  id: string;
  location_type: string;
  url: string | null;
  organization_id: string | null;
  name: string | null;
  alternate_name: string | null;
  description: string | null;
  transportation: string | null;
  latitude: number | null;
  longitude: number | null;
  external_identifier: string | null;
  external_identifier_type: string | null;
  confidential: BoolValue;
  coordinates_approximate: BoolValue;
}

export interface PhoneTable {
  id: string;
  location_id: string | null;
  service_id: string | null;
  organization_id: string | null;
  contact_id: string | null;
  service_at_location_id: string | null;
  number: string;
  extension: number | null;
  type: string | null;
  description: string | null;
}

export interface ContactTable {
  id: string;
  organization_id: string | null;
  service_id: string | null;
  service_at_location_id: string | null;
  location_id: string | null;
  name: string | null;
  title: string | null;
  department: string | null;
  email: string | null;
}

export interface AddressTable {
  id: string;
  location_id: string | null;
  attention: string | null;
  address_1: string;
  address_2: string | null;
  city: string;
  region: string | null;
  state_province: string;
  postal_code: string;
  country: string;
  address_type: string;
}

export interface ScheduleTable {
  id: string;
  service_id: string | null;
  location_id: string | null;
  service_at_location_id: string | null;
  valid_from: DateValue | null;
  valid_to: DateValue | null;
  dtstart: DateValue | null;
  timezone: number | null;
  until: DateValue | null;
  count: number | null;
  wkst: string | null;
  freq: string | null;
  interval: number | null;
  byday: string | null;
  byweekno: string | null;
  bymonthday: string | null;
  byyearday: string | null;
  description: string | null;
  opens_at: string | null;
  closes_at: string | null;
  schedule_link: string | null;
  attending_type: string | null;
  notes: string | null;
}

export interface FundingTable {
  id: string;
  organization_id: string | null;
  service_id: string | null;
  source: string | null;
}

export interface ServiceAreaTable {
  id: string;
  service_id: string | null;
  name: string | null;
  description: string | null;
  extent: string | null;
  extent_type: string | null;
  uri: string | null;
}

export interface RequiredDocumentTable {
  id: string;
  service_id: string | null;
  document: string | null;
  uri: string | null;
}

export interface LanguageTable {
  id: string;
  service_id: string | null;
  location_id: string | null;
  phone_id: string | null;
  name: string | null;
  code: string | null;
  note: string | null;
}

export interface AccessibilityTable {
  id: string;
  location_id: string | null;
  description: string | null;
  details: string | null;
  url: string | null;
}

export interface TaxonomyTable {
  id: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
}

export interface TaxonomyTermTable {
  id: string;
  code: string | null;
  name: string;
  description: string;
  parent_id: string | null;
  taxonomy: string | null;
  language: string | null;
  taxonomy_id: string | null;
  term_uri: string | null;
}

export interface MetadataTable {
  id: string;
  resource_id: string;
  resource_type: string;
  last_action_date: DateValue;
  last_action_type: string;
  field_name: string;
  previous_value: string;
  replacement_value: string;
  updated_by: string;
}

export interface CostOptionTable {
  id: string;
  service_id: string;
  valid_from: DateValue | null;
  valid_to: DateValue | null;
  option: string | null;
  currency: string | null;
  amount: number | null;
  amount_description: string | null;
}

export interface OrganizationIdentifierTable {
  id: string;
  organization_id: string;
  identifier_scheme: string | null;
  identifier_type: string;
  identifier: string;
}

export interface UnitTable {
  id: string;
  name: string;
  scheme: string | null;
  identifier: string | null;
  uri: string | null;
}

export interface ServiceCapacityTable {
  id: string;
  service_id: string;
  unit_id: string;
  available: number;
  maximum: number | null;
  description: string | null;
  updated: DateValue;
}

export interface HsdsTables {
  directory_organization: OrganizationTable;
  directory_program: ProgramTable;
  directory_service: ServiceTable;
  directory_attribute: AttributeTable;
  directory_service_at_location: ServiceAtLocationTable;
  directory_location: LocationTable;
  directory_phone: PhoneTable;
  directory_contact: ContactTable;
  directory_address: AddressTable;
  directory_schedule: ScheduleTable;
  directory_funding: FundingTable;
  directory_service_area: ServiceAreaTable;
  directory_required_document: RequiredDocumentTable;
  directory_language: LanguageTable;
  directory_accessibility: AccessibilityTable;
  directory_taxonomy: TaxonomyTable;
  directory_taxonomy_term: TaxonomyTermTable;
  directory_metadata: MetadataTable;
  directory_cost_option: CostOptionTable;
  directory_organization_identifier: OrganizationIdentifierTable;
  directory_unit: UnitTable;
  directory_service_capacity: ServiceCapacityTable;
}

// ---------- this directory's own tables ----------

/** Which account organisations act for which directory organisation (202612010001_directory_steward.ts). */
export interface StewardTable {
  directory_organization_id: string;
  account_organization_id: string;
  created_at: DateValue;
  created_by: string | null;
}

/**
 * Changes that providers propose to their own listings (202612010002_directory_proposal.ts). The text columns
 * target_type and status hold only the values editing.ts writes (TARGET_TYPES, PROPOSAL_STATUSES).
 */
export interface ProposalTable {
  id: string;
  target_type: 'organization' | 'service' | 'location';
  target_id: string;
  target_name: string;
  organization_id: string;
  base: JsonValue;
  proposed: JsonValue;
  status: 'pending' | 'approved' | 'returned' | 'withdrawn';
  reason: string | null;
  proposer_id: string;
  proposer_organization_id: string;
  created_at: DateValue;
  reviewed_at: DateValue | null;
  reviewer_id: string | null;
}

/** One row per service, place and need that search reads (202612010020_directory_search_point.ts, search-points.ts). */
export interface SearchPointTable {
  cell: number;
  need: number;
  service_id: string;
  location_id: string;
  latitude: number | null;
  longitude: number | null;
  confidential: BoolValue;
  needs: number;
  populations: number;
  traits: number;
  languages: string;
  language_keys: string;
  free: BoolValue;
  capacity: BoolValue;
  name: string;
  doc: number | null;
}

export interface DirectoryTables extends HsdsTables {
  directory_steward: StewardTable;
  directory_proposal: ProposalTable;
  directory_search_point: SearchPointTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const directoryDb = (db: Db): Kysely<DirectoryTables> => db;

// ---------- HSDS rows as model.ts readRow hands them out ----------

/** An HSDS table's name without the prefix: `service` for directory_service. */
export type HsdsName = keyof HsdsTables extends infer K ? (K extends `directory_${infer N}` ? N : never) : never;

/** readRow's value of a column: flags as booleans, dates and instants as text, numbers as numbers. */
type ReadValue<V> = [boolean] extends [V] ? boolean : Exclude<V, Date>;

/** A row of an HSDS table after readRow; for a table name known only as a string, any row. */
export type HsdsRow<N extends string> = N extends HsdsName ? { [C in keyof HsdsTables[`directory_${N}`]]: ReadValue<HsdsTables[`directory_${N}`][C]> } : Record<string, unknown>;
