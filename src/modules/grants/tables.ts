/**
 * The grants module's tables as either database hands them back: dates and instants as text or Date, JSON as text
 * (SQLite) or parsed (PostgreSQL), booleans as 0/1 or true/false. The store normalises them on the way out.
 */
import type { Kysely } from 'kysely';
import type { BoolValue, DateValue, Db, JsonValue } from '../../platform/db/index.ts';

export interface PlanTable {
  id: string;
  agency_id: string;
  fiscal_year: number;
  programme: string;
  assistance_listing: string | null;
  opportunity_number: string | null;
  purpose: string;
  eligible_applicants: string | null;
  populations: JsonValue;
  needs: JsonValue;
  states: JsonValue;
  nationwide: BoolValue;
  estimated_total: number | null;
  number_of_awards: number | null;
  post_date: DateValue | null;
  close_date: DateValue | null;
  status: string;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

/** Each version of a plan as it was saved: the plan's fields, who saved it and when. */
export interface PlanVersionTable {
  plan_id: string;
  version: number;
  data: JsonValue;
  saved_by: string;
  saved_at: DateValue;
}

export interface ReviewTable {
  id: string;
  plan_id: string;
  plan_version: number;
  outcome: string;
  comment: string;
  reviewer_id: string | null;
  reviewer_name: string;
  created_at: DateValue;
}

export interface NoticeTable {
  id: string;
  agency_id: string;
  plan_id: string | null;
  timing: string;
  subject: string;
  summary: string;
  decision_on: DateValue;
  due_on: DateValue;
  filed_at: DateValue;
  filed_by: string;
}

export interface AckTable {
  notice_id: string;
  user_id: string;
  user_name: string;
  acknowledged_at: DateValue;
}

export interface OpportunityTable {
  opportunity_id: string;
  kind: string;
  number: string | null;
  title: string;
  agency_code: string | null;
  agency_name: string | null;
  listings: JsonValue;
  listing_keys: string;
  eligible: JsonValue;
  instruments: JsonValue;
  category: string | null;
  post_date: DateValue | null;
  close_date: DateValue | null;
  archive_date: DateValue | null;
  last_updated: DateValue;
  award_ceiling: number | null;
  award_floor: number | null;
  estimated_total: number | null;
  expected_awards: number | null;
  fiscal_year: number | null;
  description: string | null;
  url: string | null;
  matched: JsonValue;
  plan_id: string | null;
  imported_at: DateValue;
}

export interface AwardTable {
  id: string;
  award_key: string;
  source: string;
  agency_id: string | null;
  awarding_agency: string | null;
  recipient_name: string;
  recipient_uei: string | null;
  assistance_listing: string | null;
  action_date: DateValue | null;
  amount: number;
  state: string;
  county_fips: string | null;
  zip: string | null;
  description: string | null;
  plan_id: string | null;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface WatchTable {
  id: string;
  kind: string;
  value: string;
  created_at: DateValue;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: DateValue;
}

export interface ImportTable {
  id: string;
  source: string;
  started_at: DateValue;
  finished_at: DateValue | null;
  status: string;
  records: number;
  kept: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  detail: string | null;
}

export interface GrantsTables {
  grants_plan: PlanTable;
  grants_plan_version: PlanVersionTable;
  grants_review: ReviewTable;
  grants_notice: NoticeTable;
  grants_notice_ack: AckTable;
  grants_opportunity: OpportunityTable;
  grants_award: AwardTable;
  grants_watch: WatchTable;
  grants_setting: SettingTable;
  grants_import: ImportTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const grantsDb = (db: Db): Kysely<GrantsTables> => db;
