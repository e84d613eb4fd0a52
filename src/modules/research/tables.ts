/**
 * The research module's tables as either database hands them back: dates and instants as text or Date, JSON as text
 * (SQLite) or parsed (PostgreSQL). The store normalises them on the way out.
 */
import type { Kysely } from 'kysely';
import type { BoolValue, DateValue, Db, JsonValue } from '../../platform/db/index.ts';

/** A data call: what the committee asks agencies for, for which period, by when. */
export interface CallTable {
  id: string;
  title: string;
  description: string | null;
  period_start: DateValue;
  period_end: DateValue;
  due_date: DateValue;
  /** `open` (agencies may send) or `closed`. */
  status: string;
  /** The typed fields, in order: key, label, type, unit, definition, required. */
  fields: JsonValue;
  footnotes: string | null;
  /** Published in the open data catalog (its compiled table as CSV): set by the chair only; false by default. */
  public: BoolValue;
  created_by: string;
  version: number;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface CallAgencyTable {
  call_id: string;
  agency_id: string;
}

/** One agency's answer to a call: its state and the version it is at; every version is kept in the next table. */
export interface SubmissionTable {
  id: string;
  call_id: string;
  agency_id: string;
  /** `submitted` (awaiting review), `returned` or `accepted`. */
  status: string;
  current_version: number;
  updated_at: DateValue;
}

export interface SubmissionVersionTable {
  submission_id: string;
  version: number;
  rows: JsonValue;
  note: string | null;
  /** `form`, `csv` or `api`. */
  source: string;
  submitted_by: string;
  submitted_at: DateValue;
  /** null until reviewed; then `returned` or `accepted`. */
  review: string | null;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: DateValue | null;
}

/** Reminders sent, so that each person gets each kind at most once per call. */
export interface ReminderTable {
  call_id: string;
  agency_id: string;
  recipient: string;
  kind: string;
  sent_at: DateValue;
}

/** A dated version of a published dataset, kept as served. */
export interface SnapshotTable {
  id: string;
  dataset: string;
  taken_at: DateValue;
  media_type: string;
  content: string;
  sha256: string;
  size: number;
}

export interface ResearchTables {
  research_call: CallTable;
  research_call_agency: CallAgencyTable;
  research_submission: SubmissionTable;
  research_submission_version: SubmissionVersionTable;
  research_reminder: ReminderTable;
  research_snapshot: SnapshotTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const researchDb = (db: Db): Kysely<ResearchTables> => db;
