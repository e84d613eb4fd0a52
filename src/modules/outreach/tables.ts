/** The outreach module's tables as either database hands them back; the store normalises them on the way out. */
import type { Kysely } from 'kysely';
import type { BoolValue, DateValue, Db, JsonValue } from '../../platform/db/index.ts';

export interface SponsorTable {
  user_id: string;
  terms_version: number;
  accepted_at: DateValue;
}

export interface GroupTable {
  id: string;
  sponsor_user_id: string;
  name: string;
  kind: string;
  state: string;
  grade_band: string;
  demo: BoolValue;
  created_at: DateValue;
}

export interface CampaignTable {
  id: string;
  title: string;
  call_to_action: string;
  description: string | null;
  starts_on: DateValue;
  ends_on: DateValue;
  goal: number;
  unit: string;
  status: string;
  demo: BoolValue;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface SignupTable {
  id: string;
  campaign_id: string;
  group_id: string;
  created_at: DateValue;
}

export interface PhotoTable {
  id: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  data: string;
  created_at: DateValue;
}

export interface ReportbackTable {
  id: string;
  signup_id: string;
  campaign_id: string;
  group_id: string;
  summary: string;
  quantity: number;
  photo_id: string | null;
  photo_alt: string | null;
  status: string;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: DateValue | null;
  created_at: DateValue;
}

export interface LessonTable {
  id: string;
  title: string;
  summary: string;
  audience: string;
  grade_band: string;
  duration_minutes: number;
  language: string;
  goals: string;
  materials: string;
  steps: string;
  version: number;
  demo: BoolValue;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface LessonVersionTable {
  lesson_id: string;
  version: number;
  content: JsonValue;
  change_note: string;
  created_at: DateValue;
}

export interface MaterialTable {
  id: string;
  title: string;
  kind: string;
  audience: string;
  language: string;
  format: string;
  url: string;
  alt_text: string | null;
  transcript: string | null;
  licence: string;
  translation_of: string | null;
  demo: BoolValue;
  created_at: DateValue;
}

export interface UsageTable {
  item_kind: string;
  item_id: string;
  day: DateValue;
  count: number;
}

export interface EventTable {
  id: string;
  title: string;
  kind: string;
  description: string | null;
  date: DateValue;
  end_date: DateValue;
  start_time: string | null;
  end_time: string | null;
  time_zone: string;
  starts_at: DateValue;
  ends_at: DateValue;
  place: string | null;
  online_url: string | null;
  accessibility: string;
  /** Places for registration; null when the event takes none. */
  capacity: number | null;
  /** A youth event: registered by group and head count. */
  youth: BoolValue;
  demo: BoolValue;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface EventRegistrationTable {
  id: string;
  event_id: string;
  registrant_user_id: string;
  group_id: string | null;
  head_count: number;
  status: string;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface OutreachTables {
  outreach_sponsor: SponsorTable;
  outreach_group: GroupTable;
  outreach_campaign: CampaignTable;
  outreach_signup: SignupTable;
  outreach_photo: PhotoTable;
  outreach_reportback: ReportbackTable;
  outreach_lesson: LessonTable;
  outreach_lesson_version: LessonVersionTable;
  outreach_material: MaterialTable;
  outreach_usage: UsageTable;
  outreach_event: EventTable;
  outreach_event_registration: EventRegistrationTable;
}

/** The database (or transaction) as this module sees it: its own tables only. */
export const outreachDb = (db: Db): Kysely<OutreachTables> => db;
