import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Nullable, Uuid, Version } from '../../platform/http/schemas.ts';
import { STATUSES } from './rollup.ts';

export { STATUSES, type Status } from './rollup.ts';

export const OWNER_TYPES = ['committee', 'partnership'] as const;
export const UPDATE_STATES = ['submitted', 'approved', 'returned'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];
export const KINDS = ['goal', 'objective', 'action'] as const;
export type Kind = (typeof KINDS)[number];

/** A string enum as `enum`, so that a bad value gets one message listing the allowed ones. */
function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const strict = { additionalProperties: false } as const;

export const NUMBER_RE = '^[1-9][0-9]{0,2}(\\.[1-9][0-9]{0,2}){0,2}$';
const PlanNumber = Type.String({
  pattern: NUMBER_RE,
  maxLength: 11,
  description: 'National Action Plan numbering: "1" is a goal (pillar), "1.3" an objective, "1.3.2" an action.',
});
export const PeriodKey = Type.String({ pattern: '^[0-9]{4}-Q[1-4]$', description: 'A calendar quarter in America/New_York, e.g. 2026-Q3.' });
const Title = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });
const Link = Type.String({ maxLength: 1000, pattern: '^https?://[^\\s<>"]+$', description: 'An http(s) address.' });

export const MilestoneInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    title: Title,
    due_date: Type.Optional(Nullable(DateStr)),
    done_date: Type.Optional(Nullable(DateStr)),
  },
  strict,
);
export const KeyResultInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    name: Title,
    start_value: Type.Number(),
    target_value: Type.Number(),
    unit: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  },
  strict,
);

const itemFields = {
  title: Title,
  description: Nullable(Type.String({ maxLength: 20000 })),
  lead_agency_id: Nullable(Uuid),
  supporting_agency_ids: Type.Array(Uuid, { maxItems: 50, uniqueItems: true }),
  owner_type: Nullable(OneOf(OWNER_TYPES)),
  owner_id: Nullable(Uuid),
  start_date: Nullable(DateStr),
  due_date: Nullable(DateStr),
  status: OneOf(STATUSES),
  weight: Type.Number({ minimum: 0, maximum: 1000 }),
  milestones: Type.Array(MilestoneInput, { maxItems: 100 }),
  key_results: Type.Array(KeyResultInput, { maxItems: 50 }),
};

export const ItemCreate = Type.Object(
  {
    number: PlanNumber,
    title: itemFields.title,
    description: Type.Optional(itemFields.description),
    lead_agency_id: Type.Optional(itemFields.lead_agency_id),
    supporting_agency_ids: Type.Optional(itemFields.supporting_agency_ids),
    owner_type: Type.Optional(itemFields.owner_type),
    owner_id: Type.Optional(itemFields.owner_id),
    start_date: Type.Optional(itemFields.start_date),
    due_date: Type.Optional(itemFields.due_date),
    status: Type.Optional(itemFields.status),
    weight: Type.Optional(itemFields.weight),
    milestones: Type.Optional(itemFields.milestones),
    key_results: Type.Optional(itemFields.key_results),
  },
  strict,
);
export type ItemCreateInput = Static<typeof ItemCreate>;

export const ItemPatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(itemFields)).properties }, strict);

export const UpdateSubmit = Type.Object(
  {
    period: Type.Optional(PeriodKey),
    status: OneOf(STATUSES),
    narrative: Type.String({ minLength: 1, maxLength: 20000, pattern: '\\S' }),
    key_result_values: Type.Optional(Type.Record(Uuid, Type.Number(), { maxProperties: 50 })),
    evidence: Type.Optional(Type.Array(Link, { maxItems: 20 })),
  },
  strict,
);
export type UpdateSubmitInput = Static<typeof UpdateSubmit>;

export const ReviewInput = Type.Object(
  {
    decision: OneOf(['approve', 'return'] as const),
    comment: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  strict,
);

// ---------- queries ----------

export const ItemListQuery = Type.Object(
  {
    kind: Type.Optional(OneOf(KINDS)),
    lead_agency_id: Type.Optional(Uuid),
    owner_id: Type.Optional(Uuid),
    status: Type.Optional(OneOf(STATUSES)),
  },
  strict,
);
export const RollupQuery = Type.Object({ period: Type.Optional(PeriodKey) }, strict);
export const UpdateListQuery = Type.Object({ state: Type.Optional(OneOf(UPDATE_STATES)), item_id: Type.Optional(Uuid), period: Type.Optional(PeriodKey) }, strict);
export const ReportQuery = Type.Object(
  {
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    period: Type.Optional(PeriodKey),
    agency_id: Type.Optional(Uuid),
    format: Type.Optional(OneOf(['json', 'csv'] as const)),
  },
  strict,
);

// ---------- output ----------

const S = Type.String();
const NS = Nullable(Type.String());
const NN = Nullable(Type.Number());
export const MilestoneOut = Type.Object({ id: S, title: S, due_date: NS, done_date: NS });
export const KeyResultOut = Type.Object({ id: S, name: S, start_value: Type.Number(), target_value: Type.Number(), unit: NS, value: NN, progress: NN });
export const UpdateOut = Type.Object({
  id: S,
  item_id: S,
  item_number: Type.Optional(S),
  item_title: Type.Optional(S),
  period: S,
  submission: Type.Integer(),
  state: S,
  status: S,
  narrative: S,
  key_result_values: Type.Record(Type.String(), Type.Number()),
  evidence: Type.Array(S),
  submitted_by_label: S,
  submitted_at: S,
  reviewed_by_label: NS,
  reviewed_at: NS,
  review_comment: NS,
});
export const ItemOut = Type.Object({
  id: S,
  number: S,
  kind: S,
  parent_id: NS,
  title: S,
  description: NS,
  lead_agency_id: NS,
  lead_agency_name: NS,
  supporting_agency_ids: Type.Array(S),
  owner_type: NS,
  owner_id: NS,
  owner_name: NS,
  start_date: NS,
  due_date: NS,
  status: S,
  derived_status: Type.Union([S, Type.Null()], { description: 'For goals and objectives: the worst live status of the actions under it (off_track, at_risk, on_track, not_started; done when all are done; dropped ones do not count); null for actions and when nothing counts' }),
  weight: Type.Number(),
  progress: NN,
  late: Type.Boolean(),
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
  milestones: Type.Array(MilestoneOut),
  key_results: Type.Array(KeyResultOut),
});
export const ItemDetailOut = Type.Object({ ...ItemOut.properties, children: Type.Array(ItemOut), updates: Type.Array(UpdateOut) });
export interface RollupTree {
  id: string;
  number: string;
  kind: string;
  title: string;
  status: string;
  weight: number;
  progress: number | null;
  children: RollupTree[];
}
export const RollupOut = Type.Recursive((This) =>
  Type.Object({ id: S, number: S, kind: S, title: S, status: S, weight: Type.Number(), progress: NN, children: Type.Array(This) }),
);
export const DueOut = Type.Object({
  id: S,
  number: S,
  title: S,
  status: S,
  due_date: NS,
  late: Type.Boolean(),
  next_update_period: NS,
  next_update_due: NS,
  missing_periods: Type.Array(S),
});
export const AgencyViewOut = Type.Object({ agency: Type.Object({ id: S, name: S, abbreviation: NS }), period: S, leads: Type.Array(DueOut), supports: Type.Array(DueOut) });
export const WatchListOut = Type.Object({ period: S, late: Type.Array(DueOut), at_risk: Type.Array(DueOut), missing: Type.Array(Type.Object({ ...DueOut.properties, period: S })) });
export const ReportRowOut = Type.Object({
  number: S,
  kind: S,
  title: S,
  lead_agency: NS,
  owner: NS,
  status: S,
  progress: NN,
  period: NS,
  update_status: NS,
  narrative: NS,
  evidence: Type.Array(S),
});
export const ReportOut = Type.Object({ year: Type.Integer(), periods: Type.Array(S), agency_id: NS, rows: Type.Array(ReportRowOut) });
export const ImportResultOut = Type.Object({ imported: Type.Integer(), goals: Type.Integer(), objectives: Type.Integer(), actions: Type.Integer() });
export const RefusedRow = Type.Object({ row: Type.Integer(), column: S, reason: S });
export const ImportProblemOut = Type.Object({
  type: S,
  title: S,
  status: Type.Integer(),
  detail: Type.Optional(S),
  errors: Type.Optional(Type.Array(Type.Object({ field: S, message: S }))),
  refused: Type.Array(RefusedRow),
});
export const DigestResultOut = Type.Object({ period: S, digests: Type.Integer(), reminders: Type.Integer(), skipped: Type.Integer() });
