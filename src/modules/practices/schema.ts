/** The practices module's vocabularies and the TypeBox schemas of its requests and answers. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Instant, Nullable, Uuid, Version } from '../../platform/http/schemas.ts';
import { DIRECTORY_TERMS } from '../directory/index.ts';
import { FormPost as PlatformFormPost } from '../../platform/pages/forms.ts';

const literals = <T extends readonly string[]>(values: T, description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}) as unknown as TSchema & { static: T[number] };

export const OUTCOME_DOMAINS = ['employment', 'earnings', 'housing_stability', 'safety', 'well_being', 'education', 'legal_status', 'service_access'] as const;
export type OutcomeDomain = (typeof OUTCOME_DOMAINS)[number];
export const SETTINGS = ['community', 'residential', 'workplace', 'justice', 'school', 'health', 'online'] as const;
export const DESIGNS = ['randomised', 'quasi_experimental', 'interrupted_time_series', 'pre_post', 'implementation', 'qualitative'] as const;
export type Design = (typeof DESIGNS)[number];
/** The causal-evidence rubric's ratings of a study (after CLEAR's high / moderate / low). */
export const STUDY_RATINGS = ['high', 'moderate', 'low'] as const;
export type StudyRating = (typeof STUDY_RATINGS)[number];
/** A practice's rating on one outcome; `inconclusive` when no rule of the rule set matched. */
export const PRACTICE_RATINGS = ['effective', 'promising', 'no_effects', 'negative_effects', 'inconclusive'] as const;
export type PracticeRating = (typeof PRACTICE_RATINGS)[number];
export const DIRECTIONS = ['favourable', 'none', 'unfavourable'] as const;
export const RESOURCE_KINDS = ['manual', 'training', 'fidelity', 'other'] as const;
export const LINK_KINDS = ['service', 'recommendation', 'series', 'workplan_item'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
/** The directory's population terms (HSDS taxonomy of the directory module). */
export const POPULATIONS = DIRECTORY_TERMS.population.map((t) => t.code) as readonly string[];

/**
 * The highest rating the rubric allows a design: only designs that can show cause (randomised trials and
 * interrupted time series) reach high; a comparison-group design at most moderate; the others are low.
 */
export const MAX_RATING: Record<Design, StudyRating> = {
  randomised: 'high',
  interrupted_time_series: 'high',
  quasi_experimental: 'moderate',
  pre_post: 'low',
  implementation: 'low',
  qualitative: 'low',
};

const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });
const WebUrl = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$', description: 'An http or https address.' });
const Email = Type.String({ format: 'email', maxLength: 320 });

export const Resource = Type.Object({ kind: literals(RESOURCE_KINDS), title: Text(300), url: Type.Optional(Nullable(WebUrl)) }, { additionalProperties: false });

const practiceFields = {
  name: Text(200),
  summary: Text(4000),
  components: Type.Optional(Nullable(Text(4000))),
  populations: Type.Array(literals(POPULATIONS as readonly string[]), { maxItems: 20, uniqueItems: true }),
  setting: literals(SETTINGS),
  outcome_domains: Type.Array(literals(OUTCOME_DOMAINS), { minItems: 1, maxItems: OUTCOME_DOMAINS.length, uniqueItems: true }),
  cost: Type.Optional(Nullable(Text(2000))),
  resources: Type.Optional(Type.Array(Resource, { maxItems: 20 })),
  contact_name: Type.Optional(Nullable(Text(200))),
  contact_email: Type.Optional(Nullable(Email)),
  source: Type.Optional(Nullable(Text(500))),
};
export const PracticeCreate = Type.Object({ ...practiceFields, demo: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const PracticePatch = Type.Object({ ...Type.Partial(Type.Object(practiceFields)).properties, version: Version }, { additionalProperties: false });

export const Outcome = Type.Object(
  {
    domain: literals(OUTCOME_DOMAINS),
    measure: Text(300),
    direction: literals(DIRECTIONS, 'favourable, none (no difference) or unfavourable'),
    effect_size: Type.Optional(Nullable(Type.Number({ minimum: -10, maximum: 10, description: 'Standardised effect size (e.g. Hedges g).' }))),
    significant: Type.Boolean({ description: 'Statistically significant at the 5% level.' }),
    follow_up_months: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 240 }))),
  },
  { additionalProperties: false },
);
export type Outcome = Static<typeof Outcome>;

const studyFields = {
  title: Text(1000),
  authors: Text(2000),
  year: Type.Optional(Nullable(Type.Integer({ minimum: 1900, maximum: 2100 }))),
  journal: Type.Optional(Nullable(Text(500))),
  doi: Type.Optional(Nullable(Type.String({ maxLength: 300, pattern: '^10\\.\\S+/\\S+$', description: 'A DOI such as 10.1234/abc.' }))),
  url: Type.Optional(Nullable(WebUrl)),
  design: literals(DESIGNS),
  sample_size: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100000000 }))),
  setting: Type.Optional(Nullable(Text(500))),
  attrition: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100, description: 'Overall attrition, percent.' }))),
  outcomes: Type.Array(Outcome, { maxItems: 50 }),
};
export const StudyCreate = Type.Object(studyFields, { additionalProperties: false });
export const StudyPatch = Type.Object({ ...Type.Partial(Type.Object(studyFields)).properties, version: Version }, { additionalProperties: false });
export const StudyImport = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1_000_000, description: 'The contents of an RIS (.ris) or BibTeX (.bib) file as a reference manager exports it.' }),
    design: literals(DESIGNS, 'The design given to every imported study; change it per study afterwards.'),
  },
  { additionalProperties: false },
);

export const ReviewInput = Type.Object({ rating: literals(STUDY_RATINGS), notes: Type.Optional(Nullable(Text(4000))) }, { additionalProperties: false });
export const ReconcileInput = Type.Object({ rating: literals(STUDY_RATINGS), reason: Text(4000, 10) }, { additionalProperties: false });

const Range = Type.Object({ min: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })), max: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) }, { additionalProperties: false });
export const Rule = Type.Object(
  {
    rating: literals(PRACTICE_RATINGS.filter((r) => r !== 'inconclusive')),
    label: Text(300),
    studies: Type.Optional(Range),
    favourable: Type.Optional(Range),
    unfavourable: Type.Optional(Range),
    sustained: Type.Optional(Type.Object({ min: Type.Integer({ minimum: 1, maximum: 100 }), months: Type.Integer({ minimum: 1, maximum: 240 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Rule = Static<typeof Rule>;
export const RuleSet = Type.Object(
  {
    qualifying: Type.Array(literals(STUDY_RATINGS), { minItems: 1, uniqueItems: true, description: 'Study ratings that count as evidence.' }),
    rules: Type.Array(Rule, { minItems: 1, maxItems: 20, description: 'Tried in order; the first that holds gives the rating.' }),
  },
  { additionalProperties: false },
);
export type RuleSet = Static<typeof RuleSet>;
export const RuleSetInput = Type.Object({ rules: RuleSet, note: Text(2000) }, { additionalProperties: false });

export const LinkInput = Type.Object({ kind: literals(LINK_KINDS), target_id: Uuid }, { additionalProperties: false });

export const NominationCreate = Type.Object(
  {
    name: Text(200),
    summary: Text(4000),
    materials: Type.Optional(Nullable(Text(4000))),
    outcome_domains: Type.Array(literals(OUTCOME_DOMAINS), { minItems: 1, maxItems: OUTCOME_DOMAINS.length, uniqueItems: true }),
    populations: Type.Optional(Type.Array(literals(POPULATIONS as readonly string[]), { maxItems: 20, uniqueItems: true })),
    organization_name: Type.Optional(Nullable(Text(300))),
  },
  { additionalProperties: false },
);
export const NominationDecision = Type.Object({ decision: literals(['accept', 'decline'] as const), reason: Type.Optional(Nullable(Text(2000))), setting: Type.Optional(literals(SETTINGS)) }, { additionalProperties: false });

export const SubscribeInput = Type.Object({ email: Email, lang: Type.Optional(literals(['en', 'es'] as const)) }, { additionalProperties: false });
export const TokenInput = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });

// ---------- answers ----------

export const RatingOut = Type.Object({
  domain: Type.String(),
  rating: Type.String(),
  evidence: Type.String({ description: 'none, single (one study) or multiple (two or more).' }),
  studies: Type.Integer(),
  rule_version: Type.Integer(),
  rule_index: Nullable(Type.Integer()),
  rule_label: Nullable(Type.String()),
  computed_at: Instant,
});
export const LinkOut = Type.Object({ kind: Type.String(), target_id: Uuid, label: Type.String(), href: Type.String() });
export const PracticeSummaryOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  summary: Type.String(),
  setting: Type.String(),
  populations: Type.Array(Type.String()),
  outcome_domains: Type.Array(Type.String()),
  ratings: Type.Array(Type.Object({ domain: Type.String(), rating: Type.String(), evidence: Type.String() })),
  demo: Type.Boolean(),
  updated_at: Instant,
});
export const PracticeOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  summary: Type.String(),
  components: Nullable(Type.String()),
  populations: Type.Array(Type.String()),
  setting: Type.String(),
  outcome_domains: Type.Array(Type.String()),
  cost: Nullable(Type.String()),
  resources: Type.Array(Type.Object({ kind: Type.String(), title: Type.String(), url: Type.Optional(Nullable(Type.String())) })),
  contact_name: Nullable(Type.String()),
  contact_email: Nullable(Type.String()),
  source: Nullable(Type.String()),
  demo: Type.Boolean(),
  version: Type.Integer(),
  created_at: Instant,
  updated_at: Instant,
  ratings: Type.Array(RatingOut),
  links: Type.Array(LinkOut),
  studies: Type.Integer(),
});
export const ReviewOut = Type.Object({ reviewer_id: Uuid, reviewer_label: Type.String(), rating: Type.String(), notes: Nullable(Type.String()), created_at: Instant });
export const StudyOut = Type.Object({
  id: Uuid,
  practice_id: Uuid,
  title: Type.String(),
  authors: Type.String(),
  year: Nullable(Type.Integer()),
  journal: Nullable(Type.String()),
  doi: Nullable(Type.String()),
  url: Nullable(Type.String()),
  design: Type.String(),
  sample_size: Nullable(Type.Integer()),
  setting: Nullable(Type.String()),
  attrition: Nullable(Type.Number()),
  outcomes: Type.Array(Outcome),
  origin: Type.String(),
  version: Type.Integer(),
  review_state: Type.String({ description: 'unreviewed, one_review, agreed, disagreed or reconciled.' }),
  final_rating: Nullable(Type.String()),
  reconciliation: Nullable(Type.Object({ rating: Type.String(), reason: Type.String(), lead_label: Type.String(), created_at: Instant })),
  reviews: Type.Array(ReviewOut, { description: "Each reviewer sees only their own rating until both have rated; the public sees none." }),
  created_at: Instant,
  updated_at: Instant,
});
export const RuleSetOut = Type.Object({ version: Type.Integer(), rules: RuleSet, note: Type.String(), created_by: Type.String(), created_at: Instant });
export const AgreementOut = Type.Object({
  studies: Type.Integer({ description: 'Studies rated by two reviewers.' }),
  agreed: Type.Integer(),
  kappa: Nullable(Type.Number()),
  observed: Type.Number(),
  expected: Type.Number(),
});
export const NominationOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  summary: Type.String(),
  materials: Nullable(Type.String()),
  outcome_domains: Type.Array(Type.String()),
  populations: Type.Array(Type.String()),
  organization_name: Nullable(Type.String()),
  status: Type.String(),
  reason: Nullable(Type.String()),
  practice_id: Nullable(Uuid),
  created_at: Instant,
  decided_at: Nullable(Instant),
});
export const ImportOut = Type.Object({ imported: Type.Array(StudyOut) });

export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  population: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(Type.String({ maxLength: 100 })),
  rating: Type.Optional(Type.String({ maxLength: 100 })),
  setting: Type.Optional(Type.String({ maxLength: 100 })),
  design: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export const FacetCount = Type.Object({ value: Type.String(), count: Type.Integer() });
export const SearchOut = Type.Object({
  items: Type.Array(PracticeSummaryOut),
  total: Type.Integer(),
  page: Type.Integer(),
  per_page: Type.Integer(),
  facets: Type.Record(Type.String(), Type.Array(FacetCount)),
});

/** HTML form posts: read loosely, checked by the command so that a bad value is shown beside its field. */
/** An HTML form post read loosely, so a bad value comes back beside its field (platform/pages/forms.ts). */
export const FormPost = PlatformFormPost({});
