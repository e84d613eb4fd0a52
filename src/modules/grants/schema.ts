/** TypeBox schemas of the grants module's requests and answers; handler and command types come from them. */
import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Nullable, PageQuery, Uuid, Version } from '../../platform/http/schemas.ts';
import { DIRECTORY_TERMS, NEED_CODES } from '../directory/index.ts';
import { FormPost as PlatformFormPost } from '../../platform/pages/forms.ts';

/** A string enum as `enum` (not anyOf of literals), so a bad value gets one clear message. */
function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const strict = { additionalProperties: false } as const;

export const PLAN_STATUSES = ['planned', 'posted', 'awarded', 'cancelled'] as const;
export const NOTICE_TIMINGS = ['before', 'after'] as const;
export const NOTICE_SUBJECTS = ['planned_solicitation', 'changed_priorities', 'awards_made', 'other'] as const;
export const REVIEW_OUTCOMES = ['noted', 'coordinate', 'concerns'] as const;
export const WATCH_KINDS = ['listing', 'keyword'] as const;
export const OPPORTUNITY_KINDS = ['posted', 'forecast'] as const;
export const POPULATION_CODES: readonly string[] = DIRECTORY_TERMS.population.map((t) => t.code);
/** An "after" notice is due within this many days of the decision it reports. */
export const AFTER_NOTICE_DAYS = 30;

export type PlanStatus = (typeof PLAN_STATUSES)[number];

const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) });
export const Listing = Type.String({ pattern: '^\\d{2}\\.\\d{3}$', description: 'An Assistance Listing (CFDA) number, NN.NNN, e.g. 16.320.' });
const State = Type.String({ pattern: '^[A-Z]{2}$', description: 'USPS code of a state, DC or territory.' });
const Population = OneOf(POPULATION_CODES, { description: "A population term of the directory's taxonomy, e.g. population.minors." });
const Need = OneOf(NEED_CODES, { description: "A need term of the directory's taxonomy, e.g. need.housing." });
const Money = Type.Number({ minimum: 0, maximum: 1e12, description: 'US dollars.' });
const FiscalYear = Type.Integer({ minimum: 2000, maximum: 2100, description: 'Federal fiscal year (October to September), e.g. 2027.' });

// ---------- input ----------

const planFields = {
  agency_id: Type.String({ format: 'uuid', description: 'The agency whose plan it is (structure module); its staff enter it.' }),
  fiscal_year: FiscalYear,
  programme: Text(300, 'Programme or solicitation name.'),
  assistance_listing: Nullable(Listing),
  opportunity_number: Nullable(Type.String({ maxLength: 40, pattern: '^\\S+$', description: "Grants.gov funding opportunity number, once known: the extract import links its opportunity to this plan." })),
  purpose: Text(4000),
  eligible_applicants: Nullable(Type.String({ maxLength: 2000 })),
  populations: Type.Array(Population, { maxItems: 20, uniqueItems: true }),
  needs: Type.Array(Need, { maxItems: 30, uniqueItems: true }),
  states: Type.Array(State, { maxItems: 60, uniqueItems: true }),
  nationwide: Type.Boolean(),
  estimated_total: Nullable(Money),
  number_of_awards: Nullable(Type.Integer({ minimum: 0, maximum: 100000 })),
  post_date: Nullable(DateStr),
  close_date: Nullable(DateStr),
  status: OneOf(PLAN_STATUSES),
};
export const PlanCreate = Type.Object(
  {
    agency_id: planFields.agency_id,
    fiscal_year: planFields.fiscal_year,
    programme: planFields.programme,
    assistance_listing: Type.Optional(planFields.assistance_listing),
    opportunity_number: Type.Optional(planFields.opportunity_number),
    purpose: planFields.purpose,
    eligible_applicants: Type.Optional(planFields.eligible_applicants),
    populations: Type.Optional(planFields.populations),
    needs: Type.Optional(planFields.needs),
    states: Type.Optional(planFields.states),
    nationwide: Type.Optional(planFields.nationwide),
    estimated_total: Type.Optional(planFields.estimated_total),
    number_of_awards: Type.Optional(planFields.number_of_awards),
    post_date: Type.Optional(planFields.post_date),
    close_date: Type.Optional(planFields.close_date),
    status: Type.Optional(planFields.status),
  },
  strict,
);
const { agency_id: _agency, ...patchable } = planFields;
export const PlanPatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(patchable)).properties }, strict);

export const ReviewCreate = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'The version of the plan reviewed.' }),
    outcome: OneOf(REVIEW_OUTCOMES, { description: '`noted`; `coordinate`: talk to the other agencies first; `concerns`.' }),
    comment: Text(4000),
  },
  strict,
);

export const NoticeCreate = Type.Object(
  {
    agency_id: Type.String({ format: 'uuid' }),
    plan_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: "One of the agency's plans this notice is about." }))),
    timing: OneOf(NOTICE_TIMINGS, { description: '`before` a final decision (planned solicitation, changed priorities) or `after` it (awards made).' }),
    subject: OneOf(NOTICE_SUBJECTS),
    summary: Text(4000),
    decision_on: Type.String({ format: 'date', description: `Date of the final decision. A \`before\` notice is due by then; an \`after\` notice within ${AFTER_NOTICE_DAYS} days of it.` }),
  },
  strict,
);

export const AwardCreate = Type.Object(
  {
    award_key: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$', description: "The award's id (FAIN or USAspending's unique key); one is made when absent." })),
    agency_id: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
    awarding_agency: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    recipient_name: Text(300),
    recipient_uei: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z0-9]{12}$', description: 'Unique Entity ID, 12 letters and digits.' }))),
    assistance_listing: Type.Optional(Nullable(Listing)),
    action_date: Type.Optional(Nullable(DateStr)),
    amount: Type.Number({ minimum: -1e12, maximum: 1e12, description: 'Obligated amount, US dollars (a de-obligation is negative).' }),
    state: State,
    county_fips: Type.Optional(Nullable(Type.String({ pattern: '^\\d{5}$', description: 'Five-digit county FIPS code of the place of performance.' }))),
    zip: Type.Optional(Nullable(Type.String({ pattern: '^\\d{5}(-?\\d{4})?$' }))),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    plan_id: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  },
  strict,
);

export const WatchAdd = Type.Object(
  {
    kind: OneOf(WATCH_KINDS, { description: '`listing`: an Assistance Listing number; `keyword`: a word or phrase looked for in titles and descriptions.' }),
    value: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' }),
  },
  strict,
);

export const SourceSet = Type.Object(
  { extract_source: Type.String({ maxLength: 1000, description: 'A file path on the server or an http(s) address of the extract (zip or XML); empty turns the scheduled import off.' }) },
  strict,
);

export const LinkOpportunity = Type.Object({ plan_id: Nullable(Type.String({ format: 'uuid' })) }, strict);

// ---------- queries and parameters ----------

export const PlanListQuery = Type.Object(
  {
    fiscal_year: Type.Optional(FiscalYear),
    agency_id: Type.Optional(Type.String({ format: 'uuid' })),
    status: Type.Optional(OneOf(PLAN_STATUSES)),
    ...PageQuery,
  },
  strict,
);
export const OpportunityQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Words in the title or description.' })),
    listing: Type.Optional(Listing),
    kind: Type.Optional(OneOf(OPPORTUNITY_KINDS)),
    need: Type.Optional(Need),
    open_on: Type.Optional(Type.String({ format: 'date', description: 'Only opportunities still open (or with no close date) on this date.' })),
    ...PageQuery,
  },
  strict,
);
export const OpportunityParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,20}$', description: 'Grants.gov OpportunityID.' }) }, strict);
export const YearQuery = Type.Object({ fiscal_year: Type.Optional(FiscalYear) }, strict);
export const GapQuery = Type.Object(
  {
    state: Type.Optional(State),
    fiscal_year: Type.Optional(FiscalYear),
    distance: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 200, description: "Miles from a county's centre within which a provider counts; default 25." })),
  },
  strict,
);
export const AwardListQuery = Type.Object(
  { state: Type.Optional(State), fiscal_year: Type.Optional(FiscalYear), agency_id: Type.Optional(Type.String({ format: 'uuid' })), ...PageQuery },
  strict,
);
export const WatchParams = Type.Object({ id: Uuid }, strict);

/** A posted HTML form: fields arrive as text and are checked by the command, so a bad value is shown beside its field. */
/** An HTML form post read loosely, so a bad value comes back beside its field (platform/pages/forms.ts). */
export const FormPost = PlatformFormPost({});

// ---------- output ----------

const S = Type.String();
const NS = Nullable(Type.String());
const NN = Nullable(Type.Number());
export const PlanOut = Type.Object({
  id: S,
  agency_id: S,
  agency_name: S,
  fiscal_year: Type.Integer(),
  programme: S,
  assistance_listing: NS,
  opportunity_number: NS,
  purpose: S,
  eligible_applicants: NS,
  populations: Type.Array(S),
  needs: Type.Array(S),
  states: Type.Array(S),
  nationwide: Type.Boolean(),
  estimated_total: NN,
  number_of_awards: Nullable(Type.Integer()),
  post_date: NS,
  close_date: NS,
  status: S,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
});
export const PlanVersionOut = Type.Object({ version: Type.Integer(), saved_by: S, saved_at: S, changed: Type.Array(S) });
export const ReviewOut = Type.Object({ id: S, plan_id: S, plan_version: Type.Integer(), outcome: S, comment: S, reviewer_name: S, created_at: S });
export const AckOut = Type.Object({ user_id: S, user_name: S, acknowledged_at: S });
export const NoticeOut = Type.Object({
  id: S,
  agency_id: S,
  agency_name: S,
  plan_id: NS,
  plan_programme: NS,
  timing: S,
  subject: S,
  summary: S,
  decision_on: S,
  due_on: S,
  filed_at: S,
  filed_by: S,
  on_time: Type.Boolean(),
  acknowledgements: Type.Array(AckOut),
});
export const OpportunityOut = Type.Object({
  opportunity_id: S,
  kind: S,
  number: NS,
  title: S,
  agency_code: NS,
  agency_name: NS,
  listings: Type.Array(S),
  eligible: Type.Array(S),
  post_date: NS,
  close_date: NS,
  last_updated: S,
  award_ceiling: NN,
  award_floor: NN,
  estimated_total: NN,
  expected_awards: Nullable(Type.Integer()),
  fiscal_year: Nullable(Type.Integer()),
  description: NS,
  url: NS,
  matched: Type.Array(S),
  plan_id: NS,
  grants_gov_url: S,
});
export const AwardOut = Type.Object({
  id: S,
  award_key: S,
  source: S,
  agency_id: NS,
  agency_name: NS,
  awarding_agency: NS,
  recipient_name: S,
  recipient_uei: NS,
  assistance_listing: NS,
  action_date: NS,
  amount: Type.Number(),
  state: S,
  county_fips: NS,
  county_name: NS,
  zip: NS,
  description: NS,
  plan_id: NS,
});
export const WatchOut = Type.Object({ id: S, kind: S, value: S, created_at: S });
export const ImportOut = Type.Object({
  id: S,
  source: S,
  started_at: S,
  finished_at: NS,
  status: S,
  records: Type.Integer(),
  kept: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  quarantined: Type.Integer(),
  detail: NS,
});
export const AwardImportOut = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  refused: Type.Array(Type.Object({ line: Type.Integer(), field: S, reason: S })),
});
export const OverlapOut = Type.Object({
  fiscal_year: Type.Integer(),
  pairs: Type.Array(
    Type.Object({
      a: Type.Object({ id: S, agency_name: S, programme: S }),
      b: Type.Object({ id: S, agency_name: S, programme: S }),
      populations: Type.Array(S),
      needs: Type.Array(S),
      states: Type.Array(S, { description: 'Shared states; ["nationwide"] when either plan is nationwide and the other names none.' }),
      window: Type.Object({ from: S, to: S }),
    }),
  ),
});
export const GapOut = Type.Object({
  state: S,
  fiscal_year: Nullable(Type.Integer()),
  distance_miles: Type.Number(),
  confidential_included: Type.Boolean(),
  counties: Type.Array(
    Type.Object({
      fips: S,
      name: S,
      awards: Type.Integer(),
      amount: Type.Number(),
      uncovered_needs: Type.Array(S),
      gap: Type.Boolean({ description: 'A need with no provider within the distance, and no award in the county.' }),
    }),
  ),
});
export const SummaryOut = Type.Object({
  fiscal_year: Type.Integer(),
  plans: Type.Array(Type.Object({ agency_name: S, planned: Type.Integer(), posted: Type.Integer(), awarded: Type.Integer(), cancelled: Type.Integer(), estimated_total: Type.Number() })),
  notices: Type.Object({ filed: Type.Integer(), on_time: Type.Integer(), late: Type.Integer() }),
  awards_by_agency: Type.Array(Type.Object({ name: S, awards: Type.Integer(), amount: Type.Number() })),
  awards_by_need: Type.Array(Type.Object({ need: S, awards: Type.Integer(), amount: Type.Number() })),
  awards_by_state: Type.Array(Type.Object({ state: S, awards: Type.Integer(), amount: Type.Number() })),
});

export type Plan = Static<typeof PlanOut>;
export type Review = Static<typeof ReviewOut>;
export type Notice = Static<typeof NoticeOut>;
export type Opportunity = Static<typeof OpportunityOut>;
export type Award = Static<typeof AwardOut>;
export type Watch = Static<typeof WatchOut>;
export type ImportRun = Static<typeof ImportOut>;
export type Overlap = Static<typeof OverlapOut>;
export type Gaps = Static<typeof GapOut>;
export type Summary = Static<typeof SummaryOut>;
