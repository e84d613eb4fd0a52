import { Type, type Static } from '@sinclair/typebox';
import { DateStr, Nullable, PageQuery, Uuid, Version } from '../../platform/http/schemas.ts';

export const AGENCY_KINDS = ['department', 'agency', 'office', 'white_house_office', 'other'] as const;
export const BODY_KINDS = ['task_force', 'policy_group', 'committee'] as const;
export const MEMBER_ROLES = ['chair', 'co_chair', 'member'] as const;
export const PARTNERSHIP_STATUSES = ['active', 'completed', 'paused'] as const;

export type AgencyKind = (typeof AGENCY_KINDS)[number];
export type BodyKind = (typeof BODY_KINDS)[number];
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];

/** A string enum as `enum` (not anyOf of literals), so a bad value gets one clear message. */
function OneOf<T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
const NDate = Nullable(DateStr);
const Name = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' });
const ShortText = Type.String({ maxLength: 300 });
const LongText = Type.String({ maxLength: 20000 });
// Only http(s): a website is rendered as a link, and other schemes (javascript:) must never reach an href.
const Website = Type.String({ maxLength: 500, pattern: '^https?://[^\\s<>"]+$', description: 'An http(s) address.' });
const Slug = Type.String({ minLength: 1, maxLength: 120, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'Lower-case words joined by hyphens.' });
const strict = { additionalProperties: false } as const;

// ---------- input ----------

const agencyFields = {
  name: Name,
  abbreviation: Nullable(Type.String({ maxLength: 40 })),
  kind: OneOf(AGENCY_KINDS),
  website: Nullable(Website),
  parent_id: Nullable(Uuid),
  member_from: Nullable(Type.String({ format: 'date', description: 'Start of task force membership; null for a partner that is not a member.' })),
  member_until: NDate,
};
export const AgencyCreate = Type.Object(
  {
    name: agencyFields.name,
    abbreviation: Type.Optional(agencyFields.abbreviation),
    kind: agencyFields.kind,
    website: Type.Optional(agencyFields.website),
    parent_id: Type.Optional(agencyFields.parent_id),
    member_from: Type.Optional(agencyFields.member_from),
    member_until: Type.Optional(agencyFields.member_until),
  },
  strict,
);
export const AgencyPatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(agencyFields)).properties }, strict);
export const AgencyRetire = Type.Object({ member_until: Type.Optional(DateStr), version: Type.Optional(Version) }, strict);

export const MemberInput = Type.Object(
  {
    agency_id: Uuid,
    role: OneOf(MEMBER_ROLES),
    represented_by_id: Type.Optional(Nullable(Uuid)),
    from: Type.Optional(NDate),
    until: Type.Optional(NDate),
  },
  strict,
);
const Members = Type.Array(MemberInput, { maxItems: 200 });
const bodyFields = {
  name: Name,
  slug: Slug,
  charter: Nullable(LongText),
  chair_title: Nullable(ShortText),
  parent_id: Nullable(Uuid),
  active_from: NDate,
  active_until: NDate,
  members: Members,
};
export const CommitteeCreate = Type.Object(
  {
    name: bodyFields.name,
    slug: Type.Optional(bodyFields.slug),
    charter: Type.Optional(bodyFields.charter),
    chair_title: Type.Optional(bodyFields.chair_title),
    parent_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'Defaults to the Senior Policy Operating Group.' }))),
    active_from: Type.Optional(NDate),
    active_until: Type.Optional(NDate),
    members: Type.Optional(Members),
  },
  strict,
);
export const CommitteePatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(bodyFields)).properties }, strict);
export const MembersPut = Type.Object({ version: Version, members: Members }, strict);
export const CommitteeRetire = Type.Object({ active_until: Type.Optional(DateStr), version: Type.Optional(Version) }, strict);

export const PartnerInput = Type.Object(
  {
    agency_id: Type.Optional(Type.String({ format: 'uuid', description: 'A federal agency; or give name (and website) for a non-federal organisation.' })),
    name: Type.Optional(Name),
    website: Type.Optional(Nullable(Website)),
    from: Type.Optional(NDate),
    until: Type.Optional(NDate),
  },
  strict,
);
const Partners = Type.Array(PartnerInput, { maxItems: 200 });
const Goals = Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }), { maxItems: 50 });
const partnershipFields = {
  name: Name,
  slug: Slug,
  purpose: Nullable(LongText),
  goals: Goals,
  lead_agency_id: Nullable(Uuid),
  status: OneOf(PARTNERSHIP_STATUSES),
  from: NDate,
  until: NDate,
  partners: Partners,
};
export const PartnershipCreate = Type.Object(
  {
    name: partnershipFields.name,
    slug: Type.Optional(partnershipFields.slug),
    purpose: Type.Optional(partnershipFields.purpose),
    goals: Type.Optional(partnershipFields.goals),
    lead_agency_id: Type.Optional(partnershipFields.lead_agency_id),
    status: Type.Optional(partnershipFields.status),
    from: Type.Optional(partnershipFields.from),
    until: Type.Optional(partnershipFields.until),
    partners: Type.Optional(partnershipFields.partners),
  },
  strict,
);
export const PartnershipPatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(partnershipFields)).properties }, strict);
export const PartnersPut = Type.Object({ version: Version, partners: Partners }, strict);
export const PartnershipRetire = Type.Object({ until: Type.Optional(DateStr), version: Type.Optional(Version) }, strict);

const representativeFields = {
  person_name: Name,
  title: Nullable(ShortText),
  email: Nullable(Type.String({ format: 'email', maxLength: 254 })),
  phone: Nullable(Type.String({ maxLength: 40, pattern: '^[0-9+().\\- x]{7,40}$' })),
  agency_id: Uuid,
  body_id: Nullable(Uuid),
  partnership_id: Nullable(Uuid),
  role: Nullable(ShortText),
  from: NDate,
  until: NDate,
};
export const RepresentativeCreate = Type.Object(
  {
    person_name: representativeFields.person_name,
    title: Type.Optional(representativeFields.title),
    email: Type.Optional(representativeFields.email),
    phone: Type.Optional(representativeFields.phone),
    agency_id: representativeFields.agency_id,
    body_id: Type.Optional(representativeFields.body_id),
    partnership_id: Type.Optional(representativeFields.partnership_id),
    role: Type.Optional(representativeFields.role),
    from: Type.Optional(representativeFields.from),
    until: Type.Optional(representativeFields.until),
  },
  strict,
);
export const RepresentativePatch = Type.Object({ version: Version, ...Type.Partial(Type.Object(representativeFields)).properties }, strict);
export const RepresentativeRetire = Type.Object({ until: Type.Optional(DateStr), version: Type.Optional(Version) }, strict);

export type AgencyCreateInput = Static<typeof AgencyCreate>;
export type MemberIn = Static<typeof MemberInput>;
export type PartnerIn = Static<typeof PartnerInput>;

// ---------- queries ----------

export const ListQuery = Type.Object(
  {
    active_on: Type.Optional(Type.String({ format: 'date', description: 'List what is in effect on this date; default today.' })),
    include: Type.Optional(OneOf(['all'] as const, { description: '`all` lists every record, including non-members and retired ones.' })),
    ...PageQuery,
  },
  strict,
);
export const RepresentativeQuery = Type.Object(
  {
    active_on: ListQuery.properties.active_on,
    include: ListQuery.properties.include,
    agency_id: Type.Optional(Uuid),
    body_id: Type.Optional(Uuid),
    partnership_id: Type.Optional(Uuid),
    ...PageQuery,
  },
  strict,
);

/** An account organisation to act for an agency (the agency is in the path). */
export const AgencyOrganizationInput = Type.Object(
  { organization_id: Type.String({ format: 'uuid', description: 'The account organisation (as in the user administration) whose staff act for the agency.' }) },
  strict,
);
export const AgencyOrganizationParams = Type.Object({ id: Uuid, organizationId: Uuid });

// ---------- output ----------

const S = Type.String();
const NS = Nullable(Type.String());
export const AgencyOut = Type.Object({
  id: S,
  name: S,
  abbreviation: NS,
  kind: S,
  website: NS,
  parent_id: NS,
  parent_name: NS,
  member_from: NS,
  member_until: NS,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
});
export const MembershipOut = Type.Object({
  id: S,
  agency_id: S,
  agency_name: S,
  agency_abbreviation: NS,
  role: S,
  represented_by_id: NS,
  represented_by_name: NS,
  from: NS,
  until: NS,
});
export const BodyOut = Type.Object({
  id: S,
  kind: S,
  name: S,
  slug: S,
  charter: NS,
  chair_title: NS,
  parent_id: NS,
  parent_name: NS,
  active_from: NS,
  active_until: NS,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
  memberships: Type.Array(MembershipOut),
});
export const PartnerOut = Type.Object({
  id: S,
  agency_id: NS,
  agency_abbreviation: NS,
  name: S,
  website: NS,
  federal: Type.Boolean(),
  from: NS,
  until: NS,
});
export const PartnershipOut = Type.Object({
  id: S,
  name: S,
  slug: S,
  purpose: NS,
  goals: Type.Array(S),
  lead_agency_id: NS,
  lead_agency_name: NS,
  status: S,
  from: NS,
  until: NS,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
  partners: Type.Array(PartnerOut),
});
export const RepresentativeOut = Type.Object({
  id: S,
  person_name: S,
  title: NS,
  email: Type.Optional(NS),
  phone: Type.Optional(NS),
  agency_id: S,
  agency_name: S,
  body_id: NS,
  body_name: NS,
  partnership_id: NS,
  partnership_name: NS,
  role: NS,
  from: NS,
  until: NS,
  version: Type.Integer(),
  created_at: S,
  updated_at: S,
});
export const RevisionOut = Type.Object({
  id: S,
  entity_type: S,
  entity_id: S,
  version: Type.Integer(),
  action: S,
  snapshot: Type.Unknown(),
  actor_label: S,
  at: S,
});
export const AgencyOrganizationOut = Type.Object({
  agency_id: S,
  organization_id: S,
  organization_name: S,
  created_at: Type.String({ description: 'When an administrator set the link.' }),
  created_by: Type.Union([S, Type.Null()], { description: 'The account that set it; null for links kept from before links were set by hand.' }),
});
export const OverviewOut = Type.Object({
  active_on: S,
  task_force: Nullable(BodyOut),
  policy_group: Nullable(BodyOut),
  committees: Type.Array(BodyOut),
  partnerships: Type.Array(PartnershipOut),
  counts: Type.Object({ member_agencies: Type.Integer(), committees: Type.Integer(), partnerships: Type.Integer(), representatives: Type.Integer() }),
});

export type Agency = Static<typeof AgencyOut>;
export type Membership = Static<typeof MembershipOut>;
export type Body = Static<typeof BodyOut>;
export type Partner = Static<typeof PartnerOut>;
export type Partnership = Static<typeof PartnershipOut>;
export type Representative = Static<typeof RepresentativeOut>;
export type Revision = Static<typeof RevisionOut>;
export type Overview = Static<typeof OverviewOut>;
export type AgencyOrganization = Static<typeof AgencyOrganizationOut>;
