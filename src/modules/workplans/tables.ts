/**
 * The work-plan tables (migrations/). Dates and instants are text in application code; `numeric` columns come back
 * as text from PostgreSQL, so they are read through Number(); JSON columns are text on SQLite and parsed on
 * PostgreSQL, read through `json` and written with `toJson`.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Status } from './rollup.ts';
import type { Kind, UpdateState } from './schema.ts';

type Numeric = ColumnType<number | string, number, number>;
type Json = ColumnType<unknown, string, string>;

export interface ItemTable {
  id: string;
  number: string;
  kind: Kind;
  parent_id: string | null;
  title: string;
  description: string | null;
  lead_agency_id: string | null;
  supporting_agency_ids: Json;
  owner_type: 'committee' | 'partnership' | null;
  owner_id: string | null;
  start_date: string | null;
  due_date: string | null;
  status: Status;
  weight: Numeric;
  sort_key: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface MilestoneTable {
  id: string;
  item_id: string;
  title: string;
  due_date: string | null;
  done_date: string | null;
  position: number;
}

export interface KeyResultTable {
  id: string;
  item_id: string;
  name: string;
  start_value: Numeric;
  target_value: Numeric;
  unit: string | null;
  position: number;
}

export interface UpdateTable {
  id: string;
  item_id: string;
  period: string;
  submission: number;
  state: UpdateState;
  status: Status;
  narrative: string;
  kr_values: Json;
  evidence: Json;
  submitted_by: string | null;
  submitted_by_label: string;
  submitted_at: string;
  reviewed_by_label: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
}

export interface NotificationTable {
  id: string;
  kind: 'digest' | 'reminder';
  period: string;
  recipient: string;
  sent_at: string;
}

export interface WorkplansTables {
  workplans_items: ItemTable;
  workplans_milestones: MilestoneTable;
  workplans_key_results: KeyResultTable;
  workplans_updates: UpdateTable;
  workplans_notifications: NotificationTable;
}

/** The database (or a transaction) as this module sees it: its own tables only. */
export const workplansDb = (db: Db): Kysely<WorkplansTables> => db;
