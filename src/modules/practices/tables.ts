/**
 * The practices module's tables as either database hands them back: instants as text or Date, JSON as text
 * (SQLite) or parsed (PostgreSQL), booleans as 0/1 or true/false. The store normalises them on the way out.
 */
import type { Kysely } from 'kysely';
import type { BoolValue, Db, DateValue, JsonValue } from '../../platform/db/index.ts';

export interface PracticeTable {
  id: string;
  name: string;
  summary: string;
  components: string | null;
  populations: JsonValue;
  setting: string;
  outcome_domains: JsonValue;
  cost: string | null;
  resources: JsonValue;
  contact_name: string | null;
  contact_email: string | null;
  source: string | null;
  demo: BoolValue;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface FacetTable {
  practice_id: string;
  facet: string;
  value: string;
}

export interface IndexStateTable {
  id: number;
  seq: number;
}

export interface IndexChangeTable {
  seq: number;
  practice_id: string;
}

export interface FacetCountTable {
  facet: string;
  value: string;
  n: number;
}

export interface LinkTable {
  practice_id: string;
  kind: string;
  target_id: string;
  created_at: DateValue;
}

export interface StudyTable {
  id: string;
  practice_id: string;
  title: string;
  authors: string;
  year: number | null;
  journal: string | null;
  doi: string | null;
  url: string | null;
  design: string;
  sample_size: number | null;
  setting: string | null;
  attrition: number | null;
  outcomes: JsonValue;
  origin: string;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface ReviewTable {
  study_id: string;
  reviewer_id: string;
  reviewer_label: string;
  rating: string;
  notes: string | null;
  created_at: DateValue;
}

export interface ReconciliationTable {
  study_id: string;
  rating: string;
  reason: string;
  lead_id: string | null;
  lead_label: string;
  created_at: DateValue;
}

export interface RuleSetTable {
  version: number;
  rules: JsonValue;
  note: string;
  created_by: string;
  created_at: DateValue;
}

export interface RatingTable {
  practice_id: string;
  domain: string;
  rating: string;
  rule_version: number;
  rule_index: number | null;
  evidence: string;
  studies: number;
  computed_at: DateValue;
}

export interface EventTable {
  id: string;
  practice_id: string;
  kind: string;
  at: DateValue;
  detail: JsonValue;
}

export interface NominationTable {
  id: string;
  name: string;
  summary: string;
  materials: string | null;
  outcome_domains: JsonValue;
  populations: JsonValue;
  organization_name: string | null;
  nominator_id: string;
  nominator_email: string;
  status: string;
  reason: string | null;
  practice_id: string | null;
  decided_at: DateValue | null;
  created_at: DateValue;
}

export interface SubscriberTable {
  id: string;
  email: string;
  lang: string;
  confirm_hash: string;
  unsubscribe_hash: string;
  confirmed_at: DateValue | null;
  unsubscribed_at: DateValue | null;
  last_sent_at: DateValue | null;
  created_at: DateValue;
}

export interface PracticesTables {
  practices_practice: PracticeTable;
  practices_facet: FacetTable;
  practices_facet_count: FacetCountTable;
  practices_index_state: IndexStateTable;
  practices_index_change: IndexChangeTable;
  practices_link: LinkTable;
  practices_study: StudyTable;
  practices_review: ReviewTable;
  practices_reconciliation: ReconciliationTable;
  practices_rule_set: RuleSetTable;
  practices_rating: RatingTable;
  practices_event: EventTable;
  practices_nomination: NominationTable;
  practices_subscriber: SubscriberTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const practicesDb = (db: Db): Kysely<PracticesTables> => db;
