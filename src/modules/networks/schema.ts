import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Nullable, PageQuery, Uuid, Version } from '../../platform/http/schemas.ts';
import { NEED_CODES } from '../directory/index.ts';

/** What a member organisation brings to the network. */
export const MEMBER_ROLES = ['victim_service_provider', 'employment_training', 'housing', 'legal', 'health', 'education', 'other'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export const AREA_KINDS = ['regions', 'radius'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];
export const SCOPES = ['directory', 'members'] as const;
export type Scope = (typeof SCOPES)[number];

/** Distance used for coverage when none is asked for, and the largest accepted. */
export const DEFAULT_DISTANCE = 10;
export const MAX_DISTANCE = 250;

function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const strict = { additionalProperties: false } as const;

const Name = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' });
const ShortText = Type.String({ maxLength: 300 });
const LongText = Type.String({ maxLength: 20000 });
const StateCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'Two-letter USPS code, e.g. DC.' });
const CountyFips = Type.String({ pattern: '^\\d{5}$', description: 'Five-digit county FIPS code, e.g. 24031.' });
const Need = OneOf(NEED_CODES, { description: 'A need code of the shipped taxonomy, e.g. need.employment.' });

// ---------- input ----------

const networkFields = {
  name: Name,
  description: Nullable(LongText),
  convener_organization_id: Type.String({ format: 'uuid', description: 'The directory organisation that convenes the network; it becomes a member.' }),
  area_kind: OneOf(AREA_KINDS, { description: '`regions`: whole states and single counties; `radius`: every county whose centre is within radius_miles of the centre.' }),
  states: Type.Array(StateCode, { maxItems: 60, uniqueItems: true }),
  counties: Type.Array(CountyFips, { maxItems: 500, uniqueItems: true }),
  center_lat: Nullable(Type.Number({ minimum: -90, maximum: 90 })),
  center_lng: Nullable(Type.Number({ minimum: -180, maximum: 180 })),
  radius_miles: Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 500 })),
  needs: Type.Array(Need, { maxItems: 20, uniqueItems: true, description: 'The needs the network focuses on; empty means every need.' }),
};
export const NetworkCreate = Type.Object(
  {
    name: networkFields.name,
    description: Type.Optional(networkFields.description),
    convener_organization_id: networkFields.convener_organization_id,
    area_kind: networkFields.area_kind,
    states: Type.Optional(networkFields.states),
    counties: Type.Optional(networkFields.counties),
    center_lat: Type.Optional(networkFields.center_lat),
    center_lng: Type.Optional(networkFields.center_lng),
    radius_miles: Type.Optional(networkFields.radius_miles),
    needs: Type.Optional(networkFields.needs),
  },
  strict,
);
export const NetworkPatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(networkFields)).properties }, strict);
export const NetworkRetire = Type.Object({ retired_on: Type.Optional(DateStr), version: Type.Optional(Version) }, strict);

export const MemberAdd = Type.Object(
  {
    directory_organization_id: Uuid,
    role: OneOf(MEMBER_ROLES),
    joined_on: Type.Optional(Nullable(DateStr)),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  strict,
);
export const MemberPatch = Type.Object(
  {
    role: Type.Optional(OneOf(MEMBER_ROLES)),
    joined_on: Type.Optional(Nullable(DateStr)),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  strict,
);

const agreementFields = {
  title: Name,
  directory_organization_id: Nullable(Type.String({ format: 'uuid', description: 'The member organisation that signed; null for an agreement of the whole network.' })),
  on_file: Type.Boolean({ description: 'A signed copy (MOU) is on file with the convener.' }),
  signed_on: Nullable(DateStr),
  expires_on: Nullable(DateStr),
  note: Nullable(Type.String({ maxLength: 2000 })),
};
export const AgreementCreate = Type.Object(
  {
    title: agreementFields.title,
    directory_organization_id: Type.Optional(agreementFields.directory_organization_id),
    on_file: Type.Optional(agreementFields.on_file),
    signed_on: Type.Optional(agreementFields.signed_on),
    expires_on: Type.Optional(agreementFields.expires_on),
    note: Type.Optional(agreementFields.note),
  },
  strict,
);
export const AgreementPatch = Type.Object(Type.Partial(Type.Object(agreementFields)).properties, strict);

const contactFields = {
  name: Name,
  title: Nullable(ShortText),
  email: Nullable(Type.String({ format: 'email', maxLength: 254 })),
  phone: Nullable(Type.String({ maxLength: 40, pattern: '^[0-9+().\\- x]{7,40}$' })),
  directory_organization_id: Nullable(Type.String({ format: 'uuid', description: 'The member organisation the person works for.' })),
};
export const ContactCreate = Type.Object(
  {
    name: contactFields.name,
    title: Type.Optional(contactFields.title),
    email: Type.Optional(contactFields.email),
    phone: Type.Optional(contactFields.phone),
    directory_organization_id: Type.Optional(contactFields.directory_organization_id),
  },
  strict,
);
export const ContactPatch = Type.Object(Type.Partial(Type.Object(contactFields)).properties, strict);

export type NetworkCreateInput = Static<typeof NetworkCreate>;

// ---------- queries and parameters ----------

export const MemberParams = Type.Object({ id: Uuid, organizationId: Uuid }, strict);
export const AgreementParams = Type.Object({ id: Uuid, agreementId: Uuid }, strict);
export const ContactParams = Type.Object({ id: Uuid, contactId: Uuid }, strict);
export const ListQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Networks whose area touches this state.' })),
    organization_id: Type.Optional(Type.String({ format: 'uuid', description: 'Networks this directory organisation belongs to.' })),
    include: Type.Optional(OneOf(['retired'] as const, { description: '`retired` lists retired networks too.' })),
    ...PageQuery,
  },
  strict,
);
const Distance = Type.Number({ exclusiveMinimum: 0, maximum: MAX_DISTANCE, description: `Miles from each county's centre; default ${DEFAULT_DISTANCE}.` });
export const CoverageQuery = Type.Object(
  {
    distance: Type.Optional(Distance),
    scope: Type.Optional(OneOf(SCOPES, { description: '`directory`: any provider in the directory (default); `members`: the network\'s member organisations only.' })),
  },
  strict,
);
export const StatesQuery = Type.Object(
  {
    distance: Type.Optional(Distance),
    need: Type.Optional(Type.Array(Need, { maxItems: 20, uniqueItems: true, description: 'Needs to count; every need when absent.' })),
  },
  strict,
);

// ---------- HTML pages ----------

/**
 * A posted HTML form: its fields arrive as text (or lists of text) and are checked by the command, so that a bad
 * value is shown beside its field in the form instead of on an error page.
 */
export const FormPost = Type.Object({}, { additionalProperties: true });
export const ListPageQuery = Type.Object({ state: Type.Optional(Type.String({ maxLength: 10 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) });
// Filter forms send text; the page checks it itself so that a bad value is shown beside its field.
export const CoverageForm = Type.Object({
  distance: Type.Optional(Type.String({ maxLength: 20 })),
  scope: Type.Optional(Type.String({ maxLength: 20 })),
  need: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
});

// ---------- output ----------

const S = Type.String();
const NS = Nullable(Type.String());
export const MemberOut = Type.Object({
  directory_organization_id: S,
  name: S,
  role: S,
  joined_on: NS,
  note: NS,
  convener: Type.Boolean(),
});
export const AgreementOut = Type.Object({
  id: S,
  title: S,
  directory_organization_id: NS,
  organization_name: NS,
  on_file: Type.Boolean(),
  signed_on: NS,
  expires_on: NS,
  status: Type.Unsafe<'in_force' | 'expired' | 'not_signed'>({ type: 'string', enum: ['in_force', 'expired', 'not_signed'] }),
  note: NS,
  created_at: S,
  updated_at: S,
});
export const ContactOut = Type.Object({
  id: S,
  name: S,
  title: NS,
  email: NS,
  phone: NS,
  directory_organization_id: NS,
  organization_name: NS,
  created_at: S,
  updated_at: S,
});
export const NetworkOut = Type.Object({
  id: S,
  name: S,
  description: NS,
  convener_organization_id: S,
  convener_name: S,
  area_kind: S,
  states: Type.Array(S),
  counties: Type.Array(S),
  center_lat: Nullable(Type.Number()),
  center_lng: Nullable(Type.Number()),
  radius_miles: Nullable(Type.Number()),
  needs: Type.Array(S),
  retired_on: NS,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
  members: Type.Array(MemberOut),
  agreements: Type.Optional(Type.Array(AgreementOut, { description: 'Only for the network\'s members, its convener and managers.' })),
  contacts: Type.Optional(Type.Array(ContactOut, { description: 'Only for the network\'s members, its convener and managers.' })),
  viewer: Type.Object({ can_edit: Type.Boolean(), member_details: Type.Boolean() }),
  referral_stats_url: S,
});
export const NetworkSummaryOut = Type.Object({
  id: S,
  name: S,
  convener_organization_id: S,
  convener_name: S,
  area_kind: S,
  states: Type.Array(S),
  member_count: Type.Integer(),
  retired_on: NS,
});
const NeedCell = Type.Object({ need: S, covered: Type.Boolean(), nearest_miles: Nullable(Type.Number()), providers: Type.Integer() });
export const CoverageOut = Type.Object({
  network_id: S,
  distance_miles: Type.Number(),
  scope: S,
  confidential_included: Type.Boolean({ description: 'Whether confidential locations (shelters) were counted: only for callers vetted for them.' }),
  needs: Type.Array(S),
  counties: Type.Array(
    Type.Object({ fips: S, name: S, state: S, lat: Type.Number(), lng: Type.Number(), covered_needs: Type.Integer(), needs: Type.Array(NeedCell) }),
  ),
  summary: Type.Array(Type.Object({ need: S, covered_counties: Type.Integer(), counties: Type.Integer() })),
  gaps: Type.Array(Type.Object({ fips: S, name: S, state: S, need: S })),
});
export const StatesOut = Type.Object({
  distance_miles: Type.Number(),
  confidential_included: Type.Boolean(),
  needs: Type.Array(S),
  states: Type.Array(
    Type.Object({
      code: S,
      fips: S,
      name: S,
      counties: Type.Integer(),
      networks: Type.Integer(),
      covered_share: Type.Number({ description: 'Share of county × need pairs with a provider within the distance, 0 to 1.' }),
      needs: Type.Array(Type.Object({ need: S, covered_counties: Type.Integer() })),
    }),
  ),
});

export type Member = Static<typeof MemberOut>;
export type Agreement = Static<typeof AgreementOut>;
export type Contact = Static<typeof ContactOut>;
export type Network = Static<typeof NetworkOut>;
export type NetworkSummary = Static<typeof NetworkSummaryOut>;
export type Coverage = Static<typeof CoverageOut>;
export type StatesCoverage = Static<typeof StatesOut>;
