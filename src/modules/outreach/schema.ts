import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Nullable, Uuid } from '../../platform/http/schemas.ts';
import { FormPost as PlatformFormPost } from '../../platform/pages/forms.ts';

export const GROUP_KINDS = ['club', 'class', 'youth_program', 'other'] as const;
/** Grade bands of student groups. Every band is welcome: students give no data at all, whatever their age. */
export const GRADE_BANDS = ['elementary', 'middle', 'high', 'college', 'mixed'] as const;
export const AUDIENCES = ['students', 'teachers', 'parents', 'community'] as const;
export const LANGUAGES = ['en', 'es'] as const;
export const MATERIAL_KINDS = ['poster', 'fact_sheet', 'social_kit', 'psa'] as const;
export const MATERIAL_FORMATS = ['pdf', 'png', 'jpg', 'mp4', 'mp3', 'zip', 'html'] as const;
export const EVENT_KINDS = ['national_day', 'national_month', 'webinar', 'training', 'local'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'published', 'closed'] as const;
export const REPORTBACK_STATUSES = ['pending', 'accepted', 'rejected'] as const;
/** The sponsor terms of use now in force; a change of terms asks every sponsor to accept again. */
export const TERMS_VERSION = 1;

export const STATE_CODES = ['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'AS', 'GU', 'MP', 'PR', 'VI'] as const;

function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
const HttpUrl = Type.String({ maxLength: 2000, pattern: '^https?://\\S+$' });
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Local time, HH:MM.' });

// ---------- input ----------

/** A sponsor accepts the terms of use and affirms they are an adult who works with the group. */
export const TermsAccept = Type.Object({ accept: Type.Literal(true), adult: Type.Literal(true) }, strict);

/**
 * A student group. There is deliberately no field for a student: no names, ages, e-mail, school address or photo.
 * Unknown fields are refused, so none can be slipped in.
 */
export const GroupCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S', description: 'The group as it is known, e.g. "Roosevelt High Advocacy Club"; no names of students.' }),
    kind: OneOf(GROUP_KINDS),
    state: OneOf(STATE_CODES, { description: 'Two-letter USPS code of the state where the group meets.' }),
    grade_band: OneOf(GRADE_BANDS),
  },
  strict,
);

export const CampaignCreate = Type.Object(
  {
    title: Name,
    call_to_action: Text(500),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    starts_on: DateStr,
    ends_on: DateStr,
    goal: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    unit: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S', description: 'What is counted, e.g. "posters put up", "people reached".' }),
    status: Type.Optional(OneOf(CAMPAIGN_STATUSES)),
  },
  strict,
);
export const CampaignStatus = Type.Object({ status: OneOf(CAMPAIGN_STATUSES) }, strict);

export const SignupCreate = Type.Object({ group_id: Uuid }, strict);

/** A reportback: what the group did and how much; an optional photo of the work (never of people) comes beside it. */
export const ReportbackCreate = Type.Object(
  {
    group_id: Uuid,
    summary: Text(2000),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    photo_alt: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    photo_shows_no_people: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const ReportbackReview = Type.Object({ decision: OneOf(['accepted', 'rejected'] as const), note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))) }, strict);

export const LessonCreate = Type.Object(
  {
    title: Name,
    summary: Text(1000),
    audience: OneOf(AUDIENCES),
    grade_band: OneOf(GRADE_BANDS),
    duration_minutes: Type.Integer({ minimum: 5, maximum: 600 }),
    language: OneOf(LANGUAGES),
    goals: Text(4000),
    materials: Text(4000),
    steps: Text(20000),
  },
  strict,
);
export const LessonRevise = Type.Object({ version: Type.Integer({ minimum: 1 }), change_note: Text(500), ...Type.Partial(LessonCreate).properties }, strict);

export const MaterialCreate = Type.Object(
  {
    title: Name,
    kind: OneOf(MATERIAL_KINDS),
    audience: OneOf(AUDIENCES),
    language: OneOf(LANGUAGES),
    format: OneOf(MATERIAL_FORMATS),
    url: HttpUrl,
    alt_text: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    transcript: Type.Optional(Nullable(Type.String({ maxLength: 50000 }))),
    licence: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'e.g. "Public domain (U.S. government work)", "CC BY 4.0".' }),
    translation_of: Type.Optional(Nullable(Uuid)),
  },
  strict,
);

export const EventCreate = Type.Object(
  {
    title: Name,
    kind: OneOf(EVENT_KINDS),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    date: DateStr,
    end_date: Type.Optional(Nullable(DateStr)),
    start_time: Type.Optional(Nullable(Time)),
    end_time: Type.Optional(Nullable(Time)),
    time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York.' }),
    place: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    online_url: Type.Optional(Nullable(HttpUrl)),
    accessibility: Text(2000),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Places for registration; none (null) when the event takes no registrations.' }))),
    youth: Type.Optional(Type.Boolean({ description: 'A youth event: adult sponsors register a student group and its head count, never names.' })),
  },
  strict,
);

/** A registration for an event: a head count, and for a youth event one of the sponsor's groups; no names. */
export const EventRegistrationCreate = Type.Object(
  {
    group_id: Type.Optional(Nullable(Uuid)),
    head_count: Type.Integer({ minimum: 1, maximum: 500, description: 'People coming (a group: its students and adults).' }),
  },
  strict,
);

/** An HTML form post: loose, so that bad values come back beside their fields; the command validates. */
/** An HTML form post read loosely, so a bad value comes back beside its field (platform/pages/forms.ts). */
export const FormPost = PlatformFormPost({});

export type GroupInput = Static<typeof GroupCreate>;

// ---------- output ----------

export const GroupOut = Type.Object({ id: Uuid, name: Type.String(), kind: Type.String(), state: Type.String(), grade_band: Type.String(), demo: Type.Boolean(), created_at: Type.String() });
export const CampaignOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  call_to_action: Type.String(),
  description: Nullable(Type.String()),
  starts_on: Type.String(),
  ends_on: Type.String(),
  goal: Type.Integer(),
  unit: Type.String(),
  status: Type.String(),
  demo: Type.Boolean(),
});
const SuppressedCount = Nullable(Type.Integer({ description: 'null when suppressed: counts from 1 to the threshold are hidden, and any that would reveal them.' }));
export const ImpactOut = Type.Object({
  campaign_id: Uuid,
  unit: Type.String(),
  goal: Type.Integer(),
  threshold: Type.Integer(),
  total: SuppressedCount,
  by_state: Type.Array(Type.Object({ state: Type.String(), total: SuppressedCount })),
  by_group: Type.Array(Type.Object({ group_id: Uuid, name: Type.String(), state: Type.String(), total: SuppressedCount })),
});
export const ReportbackOut = Type.Object({
  id: Uuid,
  campaign_id: Uuid,
  group_id: Uuid,
  group_name: Type.String(),
  summary: Type.String(),
  quantity: Type.Integer(),
  photo_url: Nullable(Type.String()),
  photo_alt: Nullable(Type.String()),
  status: Type.String(),
  created_at: Type.String(),
});
export const LessonOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  summary: Type.String(),
  audience: Type.String(),
  grade_band: Type.String(),
  duration_minutes: Type.Integer(),
  language: Type.String(),
  goals: Type.String(),
  materials: Type.String(),
  steps: Type.String(),
  version: Type.Integer(),
  uses: Type.Integer(),
  demo: Type.Boolean(),
});
export const MaterialOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  kind: Type.String(),
  audience: Type.String(),
  language: Type.String(),
  format: Type.String(),
  url: Type.String(),
  alt_text: Nullable(Type.String()),
  transcript: Nullable(Type.String()),
  licence: Type.String(),
  translation_id: Nullable(Uuid),
  downloads: Type.Integer(),
  demo: Type.Boolean(),
});
export const EventOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  kind: Type.String(),
  description: Nullable(Type.String()),
  date: Type.String(),
  end_date: Type.String(),
  start_time: Nullable(Type.String()),
  end_time: Nullable(Type.String()),
  time_zone: Type.String(),
  starts_at: Type.String(),
  ends_at: Type.String(),
  place: Nullable(Type.String()),
  online_url: Nullable(Type.String()),
  accessibility: Type.String(),
  capacity: Nullable(Type.Integer()),
  youth: Type.Boolean(),
  places: Nullable(Type.Object({ confirmed: Type.Integer(), waitlisted: Type.Integer(), free: Type.Integer() }, { description: 'Places taken and free; null when the event takes no registrations.' })),
  demo: Type.Boolean(),
});
export const EventRegistrationOut = Type.Object({
  id: Uuid,
  event_id: Uuid,
  group_id: Nullable(Uuid),
  group_name: Nullable(Type.String()),
  head_count: Type.Integer(),
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('waitlisted'), Type.Literal('cancelled')]),
  created_at: Type.String(),
});

export type Group = Static<typeof GroupOut> & { sponsor_user_id: string };
export type Campaign = Static<typeof CampaignOut>;
export type Impact = Static<typeof ImpactOut>;
export type Lesson = Static<typeof LessonOut>;
export type Material = Static<typeof MaterialOut>;
export type OutreachEvent = Static<typeof EventOut>;
export type EventRegistration = Static<typeof EventRegistrationOut> & { registrant_user_id: string };
export interface Reportback {
  id: string;
  campaign_id: string;
  group_id: string;
  group_name: string;
  group_state: string;
  summary: string;
  quantity: number;
  photo_id: string | null;
  photo_alt: string | null;
  status: string;
  review_note: string | null;
  created_at: string;
}
