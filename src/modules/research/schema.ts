/** TypeBox schemas of the research module's requests and answers; handler and command types come from them. */
import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Instant, Nullable, Uuid, Version } from '../../platform/http/schemas.ts';
import { FormPost as PlatformFormPost } from '../../platform/pages/forms.ts';

/** A string enum as `enum` (not anyOf of literals), so a bad value gets one clear message. */
function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const strict = { additionalProperties: false } as const;
const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) });

/** `count`: a whole number of people, cases or things (0 or more; suppressed when small once published). */
export const FIELD_TYPES = ['count', 'number', 'text'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const CALL_STATUSES = ['open', 'closed'] as const;
export const SUBMISSION_STATUSES = ['submitted', 'returned', 'accepted'] as const;
export const DECISIONS = ['accept', 'return'] as const;
export const MAX_ROWS = 1000;
export const MAX_FIELDS = 40;
export const CSV_MAX_CHARS = 2 * 1024 * 1024;

export const CallField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Column name in CSV files and the API: lower case letters, digits and _, starting with a letter.' }),
    label: Text(120),
    type: OneOf(FIELD_TYPES, { description: 'count (whole number, 0 or more), number (decimal), or text.' }),
    unit: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'e.g. people, cases, USD, days.' }))),
    definition: Text(1000, 'What exactly is counted or measured, so every agency reports the same thing.'),
    required: Type.Optional(Type.Boolean({ default: true })),
  },
  strict,
);
export type CallField = Static<typeof CallField>;

export const CallCreate = Type.Object(
  {
    title: Text(200),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    period_start: DateStr,
    period_end: DateStr,
    due_date: DateStr,
    agency_ids: Type.Array(Uuid, { minItems: 1, maxItems: 200, uniqueItems: true, description: 'The agencies asked (structure module).' }),
    fields: Type.Array(CallField, { minItems: 1, maxItems: MAX_FIELDS }),
    footnotes: Type.Optional(Nullable(Type.String({ maxLength: 4000, description: 'Notes printed under the compiled table, one per line.' }))),
  },
  strict,
);
export type CallCreate = Static<typeof CallCreate>;

export const CallStatusInput = Type.Object({ status: OneOf(CALL_STATUSES), version: Version }, strict);
export const CallPublicInput = Type.Object(
  { public: Type.Boolean({ description: 'true lists the compiled table of accepted submissions in the open data catalog (/data.json); false withdraws it.' }), version: Version },
  strict,
);

const Cell = Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Null()]);
export const SubmissionInput = Type.Object(
  {
    rows: Type.Array(Type.Record(Type.String({ maxLength: 40 }), Cell), { minItems: 1, maxItems: MAX_ROWS, description: "Rows of values keyed by the call's field keys." }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'A note for the committee, printed as a footnote once accepted.' }))),
  },
  strict,
);
export const CsvSubmissionInput = Type.Object(
  {
    csv: Type.String({ minLength: 1, maxLength: CSV_MAX_CHARS, description: "CSV text: a header row naming the call's field keys (or labels), then one row per line." }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  strict,
);
export const ReviewInput = Type.Object(
  {
    decision: OneOf(DECISIONS),
    version: Type.Integer({ minimum: 1, description: 'The version of the submission reviewed; a newer one gets 409.' }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Required to return a submission: what to fix.' }))),
  },
  strict,
);

export const CallAgencyParams = Type.Object({ id: Uuid, agencyId: Uuid });

// ---------- output ----------

export const CallOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: Nullable(Type.String()),
  period_start: Type.String(),
  period_end: Type.String(),
  due_date: Type.String(),
  status: Type.String(),
  fields: Type.Array(CallField),
  footnotes: Nullable(Type.String()),
  public: Type.Boolean({ description: 'Listed in the open data catalog with its compiled table (set by the chair).' }),
  agencies: Type.Array(Type.Object({ id: Uuid, name: Type.String(), status: Type.String() })),
  version: Type.Integer(),
  created_at: Instant,
  updated_at: Instant,
});

const Row = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()]));
export const VersionOut = Type.Object({
  version: Type.Integer(),
  rows: Type.Array(Row),
  note: Nullable(Type.String()),
  source: Type.String(),
  submitted_by: Type.String(),
  submitted_at: Instant,
  review: Nullable(Type.String()),
  review_note: Nullable(Type.String()),
  reviewed_by: Nullable(Type.String()),
  reviewed_at: Nullable(Instant),
});
export const SubmissionOut = Type.Object({
  call_id: Uuid,
  agency_id: Uuid,
  agency: Type.String(),
  status: Type.String(),
  current_version: Type.Integer(),
  versions: Type.Array(VersionOut),
});

export const CompiledOut = Type.Object({
  call_id: Uuid,
  title: Type.String(),
  columns: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), type: Type.String(), unit: Nullable(Type.String()) })),
  rows: Type.Array(Type.Object({ agency: Type.String(), values: Row, kind: Type.String() })),
  totals: Row,
  footnotes: Type.Array(Type.String()),
  missing: Type.Array(Type.Object({ agency: Type.String(), status: Type.String() })),
});

/** An HTML form's body: any fields, read loosely so that bad values come back beside their field. */
/** An HTML form post read loosely, so a bad value comes back beside its field (platform/pages/forms.ts). */
export const FormPost = PlatformFormPost({});
