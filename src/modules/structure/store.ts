import { isUuid, json, type Db } from '../../platform/db/index.ts';
import { organizationsByIds } from '../../platform/auth/index.ts';
import type { Agency, AgencyOrganization, Body, BodyKind, Membership, Overview, Partner, Partnership, Representative, Revision } from './schema.ts';
import { structureDb } from './tables.ts';

/** Today's calendar date (UTC), the default `active_on`. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export interface ListOptions {
  /** In effect on this date; ignored when `all`. */
  activeOn: string;
  all: boolean;
  limit: number;
  offset: number;
}

/**
 * Restricts a query to rows in effect on a day. `fromRequired`: a null start means "never started" (an agency that
 * is a partner but not a member); otherwise a null start means in effect since before records were kept.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function inEffect(q: any, from: string, until: string, day: string, fromRequired: boolean) {
  return q
    .where((eb: any) => (fromRequired ? eb(from, '<=', day) : eb.or([eb(from, 'is', null), eb(from, '<=', day)])))
    .where((eb: any) => eb.or([eb(until, 'is', null), eb(until, '>=', day)]));
}

export function isInEffect(from: string | null, until: string | null, day: string, fromRequired = false): boolean {
  if (from === null ? fromRequired : from > day) return false;
  return until === null || until >= day;
}

const count = async (q: { select: Function }): Promise<number> => {
  const r = await (q as any).select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
};

// ---------- agencies ----------

function agencyQuery(db: Db) {
  return structureDb(db)
    .selectFrom('structure_agencies as a')
    .leftJoin('structure_agencies as p', 'p.id', 'a.parent_id')
    .select([
      'a.id',
      'a.name',
      'a.abbreviation',
      'a.kind',
      'a.website',
      'a.parent_id',
      'p.name as parent_name',
      'a.member_from',
      'a.member_until',
      'a.version',
      'a.created_at',
      'a.updated_at',
    ]);
}

const toAgency = (r: Agency): Agency => ({ ...r, version: Number(r.version) });

export async function listAgencies(db: Db, o: ListOptions): Promise<{ items: Agency[]; total: number }> {
  let base = db.selectFrom('structure_agencies as a');
  if (!o.all) base = inEffect(base, 'a.member_from', 'a.member_until', o.activeOn, true);
  const total = await count(base);
  let q = agencyQuery(db);
  if (!o.all) q = inEffect(q, 'a.member_from', 'a.member_until', o.activeOn, true);
  const rows = await q.orderBy('a.name').orderBy('a.id').limit(o.limit).offset(o.offset).execute();
  return { items: rows.map(toAgency), total };
}

/** Every agency, member or not, for pick lists. */
export async function allAgencies(db: Db): Promise<Agency[]> {
  return (await agencyQuery(db).orderBy('a.name').execute()).map(toAgency);
}

export async function getAgency(db: Db, id: string): Promise<Agency | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await agencyQuery(db).where('a.id', '=', id).executeTakeFirst();
  return r ? toAgency(r) : undefined;
}

export async function countMemberAgencies(db: Db, day: string): Promise<number> {
  return count(inEffect(db.selectFrom('structure_agencies as a'), 'a.member_from', 'a.member_until', day, true));
}

// ---------- account organisations acting for agencies ----------

/**
 * The agencies whose staff an account organisation's accounts are: set by administrators, never guessed from
 * names. Other modules ask this (work plans: who reports for an agency, who gets its reminders).
 */
export async function agencyIdsOfOrganization(db: Db, organizationId: string): Promise<string[]> {
  if (!isUuid(organizationId)) return [];
  const rows = await structureDb(db).selectFrom('structure_agency_organizations').select('agency_id').where('organization_id', '=', organizationId).execute();
  return rows.map((r) => String(r.agency_id)).sort();
}

/** The account organisations that act for an agency. */
export async function organizationIdsOfAgency(db: Db, agencyId: string): Promise<string[]> {
  if (!isUuid(agencyId)) return [];
  const rows = await structureDb(db).selectFrom('structure_agency_organizations').select('organization_id').where('agency_id', '=', agencyId).execute();
  return rows.map((r) => String(r.organization_id)).sort();
}

/** The links of an agency with the organisations' names (from the platform, which owns them), by name. */
export async function listAgencyOrganizations(db: Db, agencyId: string): Promise<AgencyOrganization[]> {
  if (!isUuid(agencyId)) return [];
  const rows = await structureDb(db).selectFrom('structure_agency_organizations').selectAll().where('agency_id', '=', agencyId).execute();
  const names = new Map((await organizationsByIds(db, rows.map((r) => String(r.organization_id)))).map((o) => [o.id, o.name]));
  return rows
    .filter((r) => names.has(String(r.organization_id)))
    .map((r) => ({
      agency_id: String(r.agency_id),
      organization_id: String(r.organization_id),
      organization_name: names.get(String(r.organization_id))!,
      created_at: new Date(String(r.created_at)).toISOString(),
      created_by: r.created_by === null ? null : String(r.created_by),
    }))
    .sort((x, y) => (x.organization_name < y.organization_name ? -1 : x.organization_name > y.organization_name ? 1 : 0));
}

// ---------- bodies (task force, policy group, committees) ----------

async function membershipsOf(db: Db, bodyIds: string[]): Promise<Map<string, Membership[]>> {
  const out = new Map<string, Membership[]>();
  if (!bodyIds.length) return out;
  const rows = await structureDb(db)
    .selectFrom('structure_memberships as m')
    .innerJoin('structure_agencies as a', 'a.id', 'm.agency_id')
    .leftJoin('structure_agencies as r', 'r.id', 'm.represented_by_id')
    .select([
      'm.id',
      'm.body_id',
      'm.agency_id',
      'a.name as agency_name',
      'a.abbreviation as agency_abbreviation',
      'm.role',
      'm.represented_by_id',
      'r.name as represented_by_name',
      'm.from',
      'm.until',
    ])
    .where('m.body_id', 'in', bodyIds)
    .orderBy('m.position')
    .execute();
  for (const r of rows) {
    const { body_id, ...m } = r;
    const list = out.get(body_id) ?? [];
    list.push(m);
    out.set(body_id, list);
  }
  return out;
}

function bodyQuery(db: Db) {
  return structureDb(db)
    .selectFrom('structure_bodies as b')
    .leftJoin('structure_bodies as p', 'p.id', 'b.parent_id')
    .select([
      'b.id',
      'b.kind',
      'b.name',
      'b.slug',
      'b.charter',
      'b.chair_title',
      'b.parent_id',
      'p.name as parent_name',
      'b.active_from',
      'b.active_until',
      'b.version',
      'b.created_at',
      'b.updated_at',
    ]);
}

async function withMemberships(db: Db, rows: Omit<Body, 'memberships'>[]): Promise<Body[]> {
  const ms = await membershipsOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, version: Number(r.version), memberships: ms.get(r.id) ?? [] }));
}

export async function listBodies(db: Db, kind: BodyKind, o: ListOptions): Promise<{ items: Body[]; total: number }> {
  let base = db.selectFrom('structure_bodies as b').where('b.kind', '=', kind);
  if (!o.all) base = inEffect(base, 'b.active_from', 'b.active_until', o.activeOn, false);
  const total = await count(base);
  let q = bodyQuery(db).where('b.kind', '=', kind);
  if (!o.all) q = inEffect(q, 'b.active_from', 'b.active_until', o.activeOn, false);
  const rows = await q.orderBy('b.position').orderBy('b.name').limit(o.limit).offset(o.offset).execute();
  return { items: await withMemberships(db, rows), total };
}

export async function getBody(db: Db, id: string): Promise<Body | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await bodyQuery(db).where('b.id', '=', id).executeTakeFirst();
  return r ? (await withMemberships(db, [r]))[0] : undefined;
}

export async function getBodyBySlugOrId(db: Db, key: string): Promise<Body | undefined> {
  if (isUuid(key)) return getBody(db, key);
  const r = await bodyQuery(db).where('b.slug', '=', key).executeTakeFirst();
  return r ? (await withMemberships(db, [r]))[0] : undefined;
}

/** The first body of a kind (the task force, the policy group). */
export async function firstBody(db: Db, kind: BodyKind): Promise<Body | undefined> {
  const r = await bodyQuery(db).where('b.kind', '=', kind).orderBy('b.position').executeTakeFirst();
  return r ? (await withMemberships(db, [r]))[0] : undefined;
}

export async function allBodies(db: Db): Promise<{ id: string; name: string; kind: string }[]> {
  return structureDb(db).selectFrom('structure_bodies').select(['id', 'name', 'kind']).orderBy('position').execute();
}

// ---------- partnerships ----------

async function partnersOf(db: Db, ids: string[]): Promise<Map<string, Partner[]>> {
  const out = new Map<string, Partner[]>();
  if (!ids.length) return out;
  const rows = await structureDb(db)
    .selectFrom('structure_partners as x')
    .leftJoin('structure_agencies as a', 'a.id', 'x.agency_id')
    .select(['x.id', 'x.partnership_id', 'x.agency_id', 'a.abbreviation as agency_abbreviation', 'a.name as agency_name', 'a.website as agency_website', 'x.name', 'x.website', 'x.from', 'x.until'])
    .where('x.partnership_id', 'in', ids)
    .orderBy('x.position')
    .execute();
  for (const r of rows) {
    const list = out.get(r.partnership_id) ?? [];
    list.push({
      id: r.id,
      agency_id: r.agency_id ?? null,
      agency_abbreviation: r.agency_abbreviation ?? null,
      name: (r.agency_id ? r.agency_name : r.name) ?? '',
      website: (r.agency_id ? r.agency_website : r.website) ?? null,
      federal: Boolean(r.agency_id),
      from: r.from ?? null,
      until: r.until ?? null,
    });
    out.set(r.partnership_id, list);
  }
  return out;
}

function partnershipQuery(db: Db) {
  return structureDb(db)
    .selectFrom('structure_partnerships as s')
    .leftJoin('structure_agencies as l', 'l.id', 's.lead_agency_id')
    .select(['s.id', 's.name', 's.slug', 's.purpose', 's.goals', 's.lead_agency_id', 'l.name as lead_agency_name', 's.status', 's.from', 's.until', 's.version', 's.created_at', 's.updated_at']);
}

async function withPartners(db: Db, rows: (Omit<Partnership, 'goals' | 'partners'> & { goals: unknown })[]): Promise<Partnership[]> {
  const ps = await partnersOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({
    ...r,
    goals: json<string[]>(r.goals, []),
    version: Number(r.version),
    partners: ps.get(r.id) ?? [],
  }));
}

export async function listPartnerships(db: Db, o: ListOptions): Promise<{ items: Partnership[]; total: number }> {
  let base = db.selectFrom('structure_partnerships as s');
  if (!o.all) base = inEffect(base, 's.from', 's.until', o.activeOn, false);
  const total = await count(base);
  let q = partnershipQuery(db);
  if (!o.all) q = inEffect(q, 's.from', 's.until', o.activeOn, false);
  const rows = await q.orderBy('s.position').orderBy('s.name').limit(o.limit).offset(o.offset).execute();
  return { items: await withPartners(db, rows), total };
}

export async function getPartnership(db: Db, id: string): Promise<Partnership | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await partnershipQuery(db).where('s.id', '=', id).executeTakeFirst();
  return r ? (await withPartners(db, [r]))[0] : undefined;
}

export async function getPartnershipBySlugOrId(db: Db, key: string): Promise<Partnership | undefined> {
  if (isUuid(key)) return getPartnership(db, key);
  const r = await partnershipQuery(db).where('s.slug', '=', key).executeTakeFirst();
  return r ? (await withPartners(db, [r]))[0] : undefined;
}

export async function allPartnerships(db: Db): Promise<{ id: string; name: string }[]> {
  return structureDb(db).selectFrom('structure_partnerships').select(['id', 'name']).orderBy('position').execute();
}

// ---------- representatives ----------

export interface RepresentativeFilter {
  agencyId?: string;
  bodyId?: string;
  partnershipId?: string;
}

function representativeQuery(db: Db) {
  return structureDb(db)
    .selectFrom('structure_representatives as r')
    .innerJoin('structure_agencies as a', 'a.id', 'r.agency_id')
    .leftJoin('structure_bodies as b', 'b.id', 'r.body_id')
    .leftJoin('structure_partnerships as s', 's.id', 'r.partnership_id')
    .select([
      'r.id',
      'r.person_name',
      'r.title',
      'r.email',
      'r.phone',
      'r.agency_id',
      'a.name as agency_name',
      'r.body_id',
      'b.name as body_name',
      'r.partnership_id',
      's.name as partnership_name',
      'r.role',
      'r.from',
      'r.until',
      'r.version',
      'r.created_at',
      'r.updated_at',
    ]);
}

const toRepresentative = (r: Representative): Representative => ({ ...r, version: Number(r.version) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function filterRepresentatives(q: any, f: RepresentativeFilter) {
  if (f.agencyId) q = q.where('r.agency_id', '=', f.agencyId);
  if (f.bodyId) q = q.where('r.body_id', '=', f.bodyId);
  if (f.partnershipId) q = q.where('r.partnership_id', '=', f.partnershipId);
  return q;
}

export async function listRepresentatives(db: Db, f: RepresentativeFilter, o: ListOptions): Promise<{ items: Representative[]; total: number }> {
  let base = filterRepresentatives(db.selectFrom('structure_representatives as r'), f);
  if (!o.all) base = inEffect(base, 'r.from', 'r.until', o.activeOn, false);
  const total = await count(base);
  let q = filterRepresentatives(representativeQuery(db), f);
  if (!o.all) q = inEffect(q, 'r.from', 'r.until', o.activeOn, false);
  const rows = await q.orderBy('r.person_name').orderBy('r.id').limit(o.limit).offset(o.offset).execute();
  return { items: rows.map(toRepresentative), total };
}

export async function getRepresentative(db: Db, id: string): Promise<Representative | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await representativeQuery(db).where('r.id', '=', id).executeTakeFirst();
  return r ? toRepresentative(r) : undefined;
}

// ---------- history ----------

export async function listRevisions(db: Db, entityType: string, entityId: string, limit: number, offset: number): Promise<{ items: Revision[]; total: number }> {
  const base = structureDb(db).selectFrom('structure_revisions').where('entity_type', '=', entityType).where('entity_id', '=', entityId);
  const total = await count(base);
  const rows = await base.select(['id', 'entity_type', 'entity_id', 'version', 'action', 'snapshot', 'actor_label', 'at']).orderBy('version', 'desc').limit(limit).offset(offset).execute();
  return { total, items: rows.map((r): Revision => ({ ...r, version: Number(r.version), snapshot: json<unknown>(r.snapshot, {}) })) };
}


// ---------- overview ----------

/** The task force at a glance on a day: its bodies, committees and partnerships in effect, and counts. */
export async function overview(db: Db, day: string): Promise<Overview> {
  const opts = { activeOn: day, all: false, limit: 200, offset: 0 };
  const [taskForce, policyGroup, committees, partnerships, members, reps] = await Promise.all([
    firstBody(db, 'task_force'),
    firstBody(db, 'policy_group'),
    listBodies(db, 'committee', opts),
    listPartnerships(db, opts),
    countMemberAgencies(db, day),
    listRepresentatives(db, {}, { ...opts, limit: 1 }),
  ]);
  return {
    active_on: day,
    task_force: taskForce ?? null,
    policy_group: policyGroup ?? null,
    committees: committees.items,
    partnerships: partnerships.items,
    counts: { member_agencies: members, committees: committees.total, partnerships: partnerships.total, representatives: reps.total },
  };
}
