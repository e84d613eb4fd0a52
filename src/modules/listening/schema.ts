import { Type, type Static } from '@sinclair/typebox';
import { QUESTION_TEMPLATES, templateQuestions } from './questions.ts';
import { DateStr, IdParams, Instant, Nullable, PageQuery, Uuid, Version } from '../../platform/http/schemas.ts';

export { IdParams };

export const PROVIDER_TYPES = ['victim_service_provider', 'housing_provider', 'shelter', 'legal_services', 'health_provider', 'workforce', 'government', 'other'] as const;
export const REGIONS = ['northeast', 'southeast', 'midwest', 'southwest', 'west', 'national'] as const;
export const FORMATS = ['virtual', 'in_person', 'hybrid'] as const;
export const REC_TYPES = ['policy', 'technical_assistance', 'outreach', 'other'] as const;
export const REC_STATUSES = ['proposed', 'accepted', 'in_progress', 'done', 'declined'] as const;
export const OWNER_TYPES = ['partnership', 'committee'] as const;
export const REC_OWNER_TYPES = ['agency', 'committee', 'partnership'] as const;

/** The housing set, which a series asks unless given another (see questions.ts). */
export const DEFAULT_QUESTIONS = templateQuestions('housing');

const lit = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)) as never) as unknown as ReturnType<typeof Type.String>;
const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });

/**
 * An HTML form post as the browser sends it: each field a string, or a list for repeated names. Its fields are
 * checked by the command, so that a bad value re-renders the form beside its field instead of an error page.
 */
export const FormPost = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

export const ListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const Question = Type.Object(
  { key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Stable: answers are stored under it.' }), label: Text(300), label_es: Type.Optional(Text(300, 0)) },
  { additionalProperties: false },
);
const Questions = Type.Array(Question, { minItems: 1, maxItems: 20 });
export const AgendaItem = Type.Object({ title: Text(200), minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })) }, { additionalProperties: false });

export const SeriesCreate = Type.Object(
  {
    title: Text(200),
    description: Type.Optional(Text(4000, 0)),
    owner_type: lit(OWNER_TYPES),
    owner_id: Uuid,
    reminder_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 2 })),
    template: Type.Optional(Type.Union(QUESTION_TEMPLATES.map((x) => Type.Literal(x)), { description: 'The questions to start from (housing when neither this nor questions is sent).' })),
    questions: Type.Optional(Questions),
  },
  { additionalProperties: false },
);
export const SeriesPatch = Type.Object(
  {
    version: Version,
    title: Type.Optional(Text(200)),
    description: Type.Optional(Text(4000, 0)),
    owner_type: Type.Optional(lit(OWNER_TYPES)),
    owner_id: Type.Optional(Uuid),
    reminder_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
    questions: Type.Optional(Questions),
  },
  { additionalProperties: false },
);

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

const sessionFields = {
  title: Text(200),
  date: DateStr,
  start_time: Time,
  end_time: Time,
  time_zone: Text(64),
  format: lit(FORMATS),
  location: Type.Optional(Text(300, 0)),
  online_url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 })),
  audience_provider_types: Type.Optional(Type.Array(lit(PROVIDER_TYPES), { uniqueItems: true, maxItems: 20 })),
  audience_regions: Type.Optional(Type.Array(lit(REGIONS), { uniqueItems: true, maxItems: 20 })),
  capacity: Type.Integer({ minimum: 1, maximum: 100000 }),
  reserved_places: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  registration_opens_at: Type.Optional(Instant),
  registration_closes_at: Type.Optional(Instant),
  agenda: Type.Optional(Type.Array(AgendaItem, { maxItems: 50 })),
  questions: Type.Optional(Type.Array(Question, { minItems: 1, maxItems: 20, description: 'Questions of this session only; without them it asks its series’ questions.' })),
};
export const SessionCreate = Type.Object(sessionFields, { additionalProperties: false });
export const SessionPatch = Type.Object({ version: Version, ...Type.Partial(SessionCreate).properties }, { additionalProperties: false });

export const RegistrationCreate = Type.Object(
  {
    name: Text(200),
    email: Type.String({ format: 'email', maxLength: 254 }),
    organization: Text(200),
    organization_type: lit(PROVIDER_TYPES),
    region: lit(REGIONS),
    invited: Type.Optional(Type.Boolean({ description: 'Takes one of the places held back for invited organisations (leads only).' })),
  },
  { additionalProperties: false },
);
export const RegistrationPatch = Type.Object(
  { attended: Type.Optional(Type.Boolean()), status: Type.Optional(Type.Literal('cancelled')) },
  { additionalProperties: false },
);
export const ReleaseInput = Type.Object({ places: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'How many held-back places to release; all unused ones when absent.' })) }, { additionalProperties: false });

export const InputCreate = Type.Object(
  {
    kind: Type.Optional(lit(['submission', 'notes'] as const)),
    organization_type: Type.Optional(lit(PROVIDER_TYPES)),
    region: Type.Optional(lit(REGIONS)),
    participant_name: Type.Optional(Text(200, 0)),
    attribution: Type.Optional(Type.Boolean({ default: false })),
    quotable: Type.Optional(Type.Boolean({ default: false })),
    answers: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ maxLength: 10000 })),
  },
  { additionalProperties: false },
);

export const CodeCreate = Type.Object({ name: Text(200), parent_id: Type.Optional(Uuid), description: Type.Optional(Text(2000, 0)) }, { additionalProperties: false });
export const ExcerptCreate = Type.Object(
  {
    answer_id: Uuid,
    start_offset: Type.Optional(Type.Integer({ minimum: 0 })),
    end_offset: Type.Optional(Type.Integer({ minimum: 1 })),
    quote: Type.Optional(Text(10000)),
    code_ids: Type.Array(Uuid, { minItems: 1, maxItems: 20, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export const MemoCreate = Type.Object({ text: Text(5000), code_id: Type.Optional(Uuid), excerpt_id: Type.Optional(Uuid) }, { additionalProperties: false });
export const AgreementQuery = Type.Object({ coder_a: Uuid, coder_b: Uuid }, { additionalProperties: false });
export const SuggestionDecision = Type.Object(
  { fingerprint: Type.String({ pattern: '^[0-9a-f]{24}$' }), name: Type.Optional(Text(200)), parent_id: Type.Optional(Uuid) },
  { additionalProperties: false },
);

export const RecommendationCreate = Type.Object(
  {
    title: Text(300),
    description: Type.Optional(Text(5000, 0)),
    type: lit(REC_TYPES),
    finding_code_id: Type.Optional(Uuid),
    owner_type: Type.Optional(lit(REC_OWNER_TYPES)),
    owner_id: Type.Optional(Uuid),
    weight: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    excerpt_ids: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
    workplan_action_id: Type.Optional(Text(100, 0)),
  },
  { additionalProperties: false },
);
export const RecommendationPatch = Type.Object(
  {
    version: Version,
    title: Type.Optional(Text(300)),
    description: Type.Optional(Text(5000, 0)),
    type: Type.Optional(lit(REC_TYPES)),
    status: Type.Optional(lit(REC_STATUSES)),
    decline_reason: Type.Optional(Text(2000, 0)),
    progress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    weight: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    owner_type: Type.Optional(lit(REC_OWNER_TYPES)),
    owner_id: Type.Optional(Uuid),
    excerpt_ids: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
    workplan_action_id: Type.Optional(Text(100, 0)),
    note: Type.Optional(Text(2000, 0)),
  },
  { additionalProperties: false },
);
export const TimelineCreate = Type.Object({ entry_date: Type.Optional(DateStr), note: Text(2000) }, { additionalProperties: false });
export const ReminderRun = Type.Object({ now: Type.Optional(Instant) }, { additionalProperties: false });

export type SeriesCreateInput = Static<typeof SeriesCreate>;
export type SessionCreateInput = Static<typeof SessionCreate>;

// ---- answers ----
const NStr = Nullable(Type.String());
const QuestionOut = Type.Object({ key: Type.String(), label: Type.String(), label_es: Type.Optional(Type.String()) });

export const SeriesOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: NStr,
  owner_type: Type.String(),
  owner_id: Type.String(),
  owner_name: NStr,
  reminder_days: Type.Integer(),
  published_at: NStr,
  questions: Type.Array(QuestionOut),
  version: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const SessionOut = Type.Object({
  id: Type.String(),
  series_id: Type.String(),
  title: Type.String(),
  date: Type.String(),
  start_time: Type.String(),
  end_time: Type.String(),
  time_zone: Type.String(),
  starts_at: Type.String(),
  ends_at: Type.String(),
  format: Type.String(),
  location: NStr,
  online_url: NStr,
  audience_provider_types: Type.Array(Type.String()),
  audience_regions: Type.Array(Type.String()),
  capacity: Type.Integer(),
  reserved_places: Type.Integer(),
  registration_opens_at: NStr,
  registration_closes_at: NStr,
  agenda: Type.Array(Type.Object({ title: Type.String(), minutes: Type.Optional(Type.Integer()) })),
  questions: Type.Array(QuestionOut),
  own_questions: Type.Boolean({ description: 'Whether the session has its own questions rather than its series’.' }),
  confirmed: Type.Integer(),
  waitlisted: Type.Integer(),
  places_left: Type.Integer(),
  registration_open: Type.Boolean(),
  version: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const RegistrationOut = Type.Object({
  id: Type.String(),
  session_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  organization: Type.String(),
  organization_type: Type.String(),
  region: Type.String(),
  status: Type.String(),
  reserved_place: Type.Boolean(),
  attended: Type.Boolean(),
  created_at: Type.String(),
});
export const RegistrationReceipt = Type.Object({ id: Type.String(), status: Type.String(), reserved_place: Type.Boolean() });
export const AnswerOut = Type.Object({ id: Type.String(), question_key: Type.String(), question_label: Type.String(), text: Type.String() });
export const InputOut = Type.Object({
  id: Type.String(),
  session_id: Type.String(),
  kind: Type.String(),
  organization_type: NStr,
  region: NStr,
  participant_name: NStr,
  attribution: Type.Boolean(),
  quotable: Type.Boolean(),
  created_at: Type.String(),
  answers: Type.Array(AnswerOut),
});
export const InputReceipt = Type.Object({ id: Type.String() });
export const CodeOut = Type.Object({ id: Type.String(), parent_id: NStr, name: Type.String(), description: NStr, guid: Type.String(), excerpts: Type.Integer() });
export const ExcerptOut = Type.Object({
  id: Type.String(),
  answer_id: Type.String(),
  input_id: Type.String(),
  start_offset: Type.Integer(),
  end_offset: Type.Integer(),
  text: Type.String(),
  coder_id: Type.String(),
  coder_label: Type.String(),
  code_ids: Type.Array(Type.String()),
  created_at: Type.String(),
});
export const MemoOut = Type.Object({ id: Type.String(), code_id: NStr, excerpt_id: NStr, author_label: Type.String(), text: Type.String(), created_at: Type.String() });
export const CoderOut = Type.Object({ id: Type.String(), label: Type.String(), excerpts: Type.Integer() });
const KappaFields = { kappa: Type.Union([Type.Number(), Type.Null()]), observed: Type.Number(), expected: Type.Number(), n: Type.Integer() };
export const AgreementOut = Type.Object({
  unit: Type.String(),
  units: Type.Integer(),
  overall: Type.Object(KappaFields),
  per_code: Type.Array(Type.Object({ code_id: Type.String(), code_name: Type.String(), ...KappaFields, both: Type.Integer(), only_a: Type.Integer(), only_b: Type.Integer(), neither: Type.Integer() })),
});
export const SuggestionOut = Type.Object({ fingerprint: Type.String(), label: Type.String(), terms: Type.Array(Type.String()), member_ids: Type.Array(Type.String()), cohesion: Type.Number(), samples: Type.Array(Type.String()) });
const CellOut = Type.Object({ value: Type.Union([Type.Integer(), Type.Null()]), suppressed: Type.Boolean(), why: Type.Optional(Type.Union([Type.Literal('small'), Type.Literal('complementary')], { description: 'Why a hidden count is hidden: small itself, or hidden so that a small count cannot be worked out' })) });
const BreakdownOut = Type.Object({ columns: Type.Array(Type.String()), rows: Type.Array(Type.Object({ code_id: Type.String(), name: Type.String(), cells: Type.Array(CellOut), total: CellOut })) });
export const FindingsOut = Type.Object({
  series_id: Type.String(),
  title: Type.String(),
  published_at: NStr,
  threshold: Type.Integer(),
  inputs: CellOut,
  themes: Type.Array(Type.Object({ code_id: Type.String(), name: Type.String(), description: NStr, total: CellOut, quotes: Type.Array(Type.Object({ text: Type.String(), name: NStr, organization_type: NStr })) })),
  by_region: BreakdownOut,
  by_provider_type: BreakdownOut,
  recommendations: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      type: Type.String(),
      status: Type.String(),
      progress: Type.Integer(),
      finding_code_id: NStr,
      workplan_action: Type.Optional(Nullable(Type.Object({ id: Type.String(), number: Type.String(), title: Type.String(), status: Type.String() }))),
    }),
    { description: 'In a published report: the recommendations as they stand now (read at each request), not as they were when published.' },
  ),
});
export const TimelineOut = Type.Object({ id: Type.String(), entry_date: Type.String(), note: Type.String(), status: NStr, author_label: Type.String(), created_at: Type.String() });
export const RecommendationOut = Type.Object({
  id: Type.String(),
  series_id: Type.String(),
  finding_code_id: NStr,
  finding_name: NStr,
  title: Type.String(),
  description: NStr,
  type: Type.String(),
  owner_type: NStr,
  owner_id: NStr,
  owner_name: NStr,
  status: Type.String(),
  decline_reason: NStr,
  progress: Type.Integer(),
  weight: Type.Number(),
  workplan_action_id: NStr,
  excerpt_ids: Type.Array(Type.String()),
  version: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const RecommendationDetailOut = Type.Object({
  ...RecommendationOut.properties,
  timeline: Type.Array(TimelineOut),
  excerpts: Type.Array(Type.Object({ id: Type.String(), text: Type.String(), quotable: Type.Boolean() })),
});
export const RollupOut = Type.Object({ series_id: Type.String(), recommendations: Type.Integer(), progress: Type.Union([Type.Number(), Type.Null()]), by_status: Type.Record(Type.String(), Type.Integer()) });
export const ReminderResultOut = Type.Object({ sent: Type.Integer(), skipped: Type.Integer() });
