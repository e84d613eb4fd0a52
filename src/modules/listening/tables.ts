/**
 * The listening module's tables as either database hands them back: dates and instants as text or Date, JSON as
 * text (SQLite) or parsed (PostgreSQL), booleans as 0/1 or true/false. The store normalises them on the way out.
 */
import type { Kysely } from 'kysely';
import type { Db, DateValue, JsonValue, BoolValue } from '../../platform/db/index.ts';

export interface SeriesTable {
  id: string;
  title: string;
  description: string | null;
  owner_type: string;
  owner_id: string;
  reminder_days: number;
  published_at: DateValue | null;
  report: JsonValue;
  /** The series' questions in order (null only if written before the questions migration filled it: the housing set). */
  questions: JsonValue;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface SessionTable {
  id: string;
  series_id: string;
  title: string;
  date: DateValue;
  start_time: string;
  end_time: string;
  time_zone: string;
  starts_at: DateValue;
  ends_at: DateValue;
  format: string;
  location: string | null;
  online_url: string | null;
  audience_provider_types: JsonValue;
  audience_regions: JsonValue;
  capacity: number;
  reserved_places: number;
  registration_opens_at: DateValue | null;
  registration_closes_at: DateValue | null;
  agenda: JsonValue;
  questions: JsonValue;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface RegistrationTable {
  id: string;
  session_id: string;
  name: string;
  email: string;
  organization: string;
  organization_type: string;
  region: string;
  /** Text; the module writes only these. */
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  reserved_place: BoolValue;
  attended: BoolValue;
  created_at: DateValue;
  updated_at: DateValue;
  /** The language the person registered in: their reminder is written in it (null: English). */
  lang: string | null;
}

export interface ReminderTable {
  registration_id: string;
  sent_at: DateValue;
}

export interface InputTable {
  id: string;
  session_id: string;
  series_id: string;
  kind: string;
  organization_type: string | null;
  region: string | null;
  participant_name: string | null;
  attribution: BoolValue;
  quotable: BoolValue;
  created_at: DateValue;
}

export interface AnswerTable {
  id: string;
  input_id: string;
  question_key: string;
  question_label: string;
  text: string;
  position: number;
}

export interface CodeTable {
  id: string;
  series_id: string;
  parent_id: string | null;
  name: string;
  description: string | null;
  guid: string;
  created_at: DateValue;
}

export interface ExcerptTable {
  id: string;
  series_id: string;
  answer_id: string;
  start_offset: number;
  end_offset: number;
  text: string;
  coder_id: string;
  coder_label: string;
  created_at: DateValue;
}

export interface ExcerptCodeTable {
  excerpt_id: string;
  code_id: string;
}

export interface MemoTable {
  id: string;
  series_id: string;
  code_id: string | null;
  excerpt_id: string | null;
  author_label: string;
  text: string;
  created_at: DateValue;
}

export interface SuggestionDecisionTable {
  id: string;
  series_id: string;
  fingerprint: string;
  decision: string;
  code_id: string | null;
  decided_by: string;
  decided_at: DateValue;
}

export interface RecommendationTable {
  id: string;
  series_id: string;
  finding_code_id: string | null;
  title: string;
  description: string | null;
  type: string;
  owner_type: string | null;
  owner_id: string | null;
  status: string;
  decline_reason: string | null;
  progress: number;
  /** `numeric`: a number on SQLite; platform/db parses PostgreSQL's numeric text to a number. */
  weight: number;
  workplan_action_id: string | null;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface RecommendationExcerptTable {
  recommendation_id: string;
  excerpt_id: string;
}

export interface TimelineTable {
  id: string;
  recommendation_id: string;
  entry_date: DateValue;
  note: string;
  status: string | null;
  author_label: string;
  created_at: DateValue;
}

export interface ListeningTables {
  listening_series: SeriesTable;
  listening_sessions: SessionTable;
  listening_registrations: RegistrationTable;
  listening_reminders: ReminderTable;
  listening_inputs: InputTable;
  listening_answers: AnswerTable;
  listening_codes: CodeTable;
  listening_excerpts: ExcerptTable;
  listening_excerpt_codes: ExcerptCodeTable;
  listening_memos: MemoTable;
  listening_suggestion_decisions: SuggestionDecisionTable;
  listening_recommendations: RecommendationTable;
  listening_recommendation_excerpts: RecommendationExcerptTable;
  listening_timeline: TimelineTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const listeningDb = (db: Db): Kysely<ListeningTables> => db;
