import { Type, type Static, type TLiteral } from '@sinclair/typebox';
import { DateStr, Instant, Nullable, PageQuery, Uuid } from '../../platform/http/schemas.ts';

// Typed as the union of its values so that handlers read e.g. a status, not any string.
const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as TLiteral<T[number]>[], description ? { description } : {});

/** What the client needs help with; the codes are the directory taxonomy's needs (without the `need.` prefix). */
export const NEEDS = [
  'case-management',
  'emergency-shelter',
  'housing',
  'employment',
  'job-training',
  'education',
  'legal',
  'medical',
  'mental-health',
  'substance-use',
  'language-access',
  'basic-needs',
  'transportation',
  'child-care',
  'other',
] as const;
export type Need = (typeof NEEDS)[number];

export const URGENCIES = ['routine', 'soon', 'urgent'] as const;

export const STATUSES = ['draft', 'sent', 'received', 'accepted', 'declined', 'in_progress', 'completed', 'cancelled', 'expired'] as const;
export type Status = (typeof STATUSES)[number];
export const CLOSED: readonly Status[] = ['declined', 'completed', 'cancelled', 'expired'];

/** What a person does to a referral. `expire` is done by the reminder run, never by a person. */
export const ACTIONS = ['send', 'receive', 'accept', 'decline', 'start', 'complete', 'cancel'] as const;
export type Action = (typeof ACTIONS)[number] | 'expire';

export const DECLINE_REASONS = ['no_capacity', 'not_eligible', 'unable_to_contact', 'other'] as const;
export const OUTCOMES = ['got_help', 'could_not_get_help'] as const;
export const OUTCOME_REASONS = ['no_capacity', 'not_eligible', 'unable_to_contact', 'no_longer_interested', 'other'] as const;

/**
 * The client details a referral may carry, each chosen per referral, each covered by the consent and each encrypted
 * on its own. Nothing else about the client is ever stored.
 */
export const CLIENT_FIELDS = ['name', 'phone', 'email', 'preferred_language', 'date_of_birth', 'safe_contact'] as const;
export type ClientField = (typeof CLIENT_FIELDS)[number];

/** The consent form the case manager goes through with the client; its version is stored with each consent. */
export const CONSENT_FORM = {
  version: '2026-12-v1',
  text:
    'I agree that my case manager may share the details I have chosen below with the one organisation named on this referral, ' +
    'so that it can contact me about the service I asked for. I understand that: I do not have to agree, and saying no will not ' +
    'change any service I receive; only the details I chose are shared, and only with that organisation; my consent ends on the ' +
    'date shown, or earlier if I withdraw it, which I can do at any time by telling my case manager; and the details are deleted ' +
    'after the referral is closed.',
};

const Note = Type.String({ maxLength: 4000, description: 'Free text. Encrypted at rest; removed by the purge. Prefer the client details section for anything identifying.' });
const ClientValue = Type.String({ minLength: 1, maxLength: 200 });

export const ClientDetails = Type.Object(
  {
    name: Type.Optional(ClientValue),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9+()\\-. x]+$' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    preferred_language: Type.Optional(ClientValue),
    date_of_birth: Type.Optional(DateStr),
    safe_contact: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'When and how it is safe to contact the client.' })),
  },
  { additionalProperties: false },
);
export type ClientDetails = Static<typeof ClientDetails>;

export const ConsentInput = Type.Object(
  {
    fields: Type.Array(literals(CLIENT_FIELDS), { minItems: 1, uniqueItems: true, description: 'The details the client agreed to share.' }),
    attested: Type.Literal(true, { description: 'The case manager attests that the client gave informed, written consent on the current form.' }),
    form_version: Type.String({ maxLength: 40, description: 'Version of the consent form the client saw (GET /api/referrals/consent-form).' }),
    expires_on: Type.String({ format: 'date', description: 'The last day the consent holds; at most a year ahead.' }),
  },
  { additionalProperties: false },
);
export type ConsentInput = Static<typeof ConsentInput>;

export const ReferralCreate = Type.Object(
  {
    service_id: Uuid,
    location_id: Type.Optional(Uuid),
    sender_organization_id: Type.Optional(Type.String({ format: 'uuid', description: 'The directory organisation sending; needed when your organisation acts for several.' })),
    network_id: Type.Optional(Type.String({ format: 'uuid', description: 'A network both organisations belong to.' })),
    needs: Type.Array(literals(NEEDS), { minItems: 1, maxItems: NEEDS.length, uniqueItems: true }),
    urgency: literals(URGENCIES),
    note: Type.Optional(Note),
    send: Type.Optional(Type.Boolean({ default: true, description: 'false keeps the referral as a draft.' })),
    consent: Type.Optional(ConsentInput),
    client: Type.Optional(ClientDetails),
  },
  { additionalProperties: false },
);
export type ReferralCreate = Static<typeof ReferralCreate>;

export const TransitionInput = Type.Object(
  {
    action: literals(ACTIONS),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'The version the change is based on; a stale one gets 409.' }),
    reason: Type.Optional(literals(DECLINE_REASONS, 'Why it is declined (decline only).')),
    outcome: Type.Optional(literals(OUTCOMES, 'Whether the client got help (complete only).')),
    outcome_reason: Type.Optional(literals(OUTCOME_REASONS, 'Why the client could not get help.')),
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
);
export type TransitionInput = Static<typeof TransitionInput>;

export const RevokeInput = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false });

const Named = Type.Object({ id: Type.String(), name: Type.String() });

export const EventOut = Type.Object({
  version: Type.Integer(),
  at: Instant,
  action: Type.String(),
  from_status: Nullable(Type.String()),
  to_status: Type.String(),
  actor_name: Type.String(),
  actor_organization: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const ConsentOut = Type.Object({
  fields: Type.Array(Type.String()),
  organization_id: Type.String(),
  form_version: Type.String(),
  attested_at: Instant,
  expires_on: DateStr,
  revoked_at: Nullable(Instant),
  active: Type.Boolean(),
});

export const ReferralOut = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  status: literals(STATUSES),
  side: literals(['sender', 'receiver', 'both'] as const),
  sender_organization: Named,
  receiver_organization: Named,
  service: Named,
  location_id: Nullable(Type.String()),
  network: Nullable(Named),
  area: Nullable(Type.Object({ fips: Type.String(), state: Nullable(Type.String()) })),
  needs: Type.Array(Type.String()),
  urgency: Type.String(),
  note: Nullable(Type.String()),
  decline_reason: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  outcome_reason: Nullable(Type.String()),
  created_at: Instant,
  sent_at: Nullable(Instant),
  accepted_at: Nullable(Instant),
  closed_at: Nullable(Instant),
  updated_at: Instant,
  purged: Type.Boolean(),
  consent: Nullable(ConsentOut),
  client_fields: Type.Array(Type.String(), { description: 'Names of the client details on this referral (values: GET .../client).' }),
  client_visible: Type.Boolean({ description: 'Whether you may read the client details now.' }),
  allowed_actions: Type.Array(Type.String()),
  events: Type.Array(EventOut),
});

export const ReferralListItem = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  status: Type.String(),
  side: Type.String(),
  sender_organization: Named,
  receiver_organization: Named,
  service: Named,
  needs: Type.Array(Type.String()),
  urgency: Type.String(),
  created_at: Instant,
  updated_at: Instant,
});

export const ListQuery = Type.Object(
  {
    box: Type.Optional(literals(['all', 'sent', 'received'] as const)),
    status: Type.Optional(literals(STATUSES)),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ClientOut = Type.Object({
  referral_id: Uuid,
  fields: Type.Record(Type.String(), Type.String()),
});

export const NotificationOut = Type.Object({
  id: Uuid,
  referral_id: Uuid,
  kind: Type.String(),
  status: Type.String(),
  created_at: Instant,
  read: Type.Boolean(),
  service_name: Type.Optional(Type.String({ description: 'The service the referral is to' })),
  sender_name: Type.Optional(Type.String({ description: 'The sending organisation' })),
  receiver_name: Type.Optional(Type.String({ description: 'The receiving organisation' })),
});

const CellOut = Type.Object({ value: Nullable(Type.Integer()), suppressed: Type.Boolean() });
const RowOut = Type.Object({ key: Type.String(), label: Type.String(), cells: Type.Array(CellOut), total: CellOut });
const TableOut = Type.Object({ columns: Type.Array(Type.String()), rows: Type.Array(RowOut) });

export const StatsQuery = Type.Object(
  {
    network_id: Type.Optional(Uuid),
    from: Type.Optional(DateStr),
    to: Type.Optional(DateStr),
  },
  { additionalProperties: false },
);

export const StatsOut = Type.Object({
  threshold: Type.Integer(),
  network: Nullable(Named),
  total: CellOut,
  by_need: TableOut,
  outcomes: TableOut,
  decline_reasons: TableOut,
  by_network: TableOut,
  by_area: TableOut,
  unmet_by_area: TableOut,
  time_to_acceptance: Type.Object({ accepted: CellOut, median_days: Nullable(Type.Number()), p90_days: Nullable(Type.Number()) }),
});

export const RunResult = Type.Object({ count: Type.Integer() });
export const ReminderResult = Type.Object({ reminded: Type.Integer(), expired: Type.Integer(), mails: Type.Integer() });
export const RunInput = Type.Object({ at: Type.Optional(Type.String({ format: 'date-time', description: 'Act as of this instant (default now).' })) }, { additionalProperties: false });
