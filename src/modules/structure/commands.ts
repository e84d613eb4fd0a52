import type { Ctx } from '../../platform/context.ts';
import { isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { organizationsByIds } from '../../platform/auth/index.ts';
import { runCommand, type Audit } from '../../platform/audit/index.ts';
import { fieldError, notFound, Problems } from '../../platform/http/errors.ts';
import { staleVersion } from '../../platform/http/schemas.ts';
import { authorize } from '../../platform/policy.ts';
import { validate } from '../../platform/http/validation.ts';
import {
  AgencyCreate,
  AgencyOrganizationInput,
  AgencyPatch,
  AgencyRetire,
  CommitteeCreate,
  CommitteePatch,
  CommitteeRetire,
  MembersPut,
  PartnersPut,
  PartnershipCreate,
  PartnershipPatch,
  PartnershipRetire,
  RepresentativeCreate,
  RepresentativePatch,
  RepresentativeRetire,
  type Agency,
  type AgencyOrganization,
  type Body,
  type BodyKind,
  type MemberIn,
  type PartnerIn,
  type Partnership,
  type Representative,
} from './schema.ts';
import { firstBody, getAgency, getBody, getPartnership, getRepresentative, listAgencyOrganizations, today } from './store.ts';
import { mayChangeStructure, mayLinkOrganizations } from './policies.ts';
import { structureDb } from './tables.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

type EntityType = 'agency' | 'committee' | 'partnership' | 'representative';

/** Every command starts here, before it reads its input: 401 for anonymous callers, 403 without structure.write. */
function mayChange(ctx: Ctx) {
  authorize(ctx, mayChangeStructure(ctx), 'Changing the task force structure needs the structure.write permission.');
}

function checkRange(p: Problems, from: string | null | undefined, until: string | null | undefined, fromField: string, untilField: string) {
  if (from && until && until < from) p.add(untilField, `must be on or after ${fromField} (${from})`);
}

function slugify(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s || 'item';
}

const RESERVED_SLUGS = new Set(['new']);

/** A free slug: the one asked for (or a clash is the caller's error), or one made from the name with a suffix. */
async function freeSlug(trx: Db, table: string, p: Problems, wanted: string | undefined, name: string, exceptId?: string): Promise<string> {
  const taken = async (slug: string) => {
    // `/structure/committees/new` is the form, so no record may take that address.
    if (RESERVED_SLUGS.has(slug)) return true;
    let q = trx.selectFrom(table).select('id').where('slug', '=', slug);
    if (exceptId) q = q.where('id', '<>', exceptId);
    return Boolean(await q.executeTakeFirst());
  };
  if (wanted) {
    if (await taken(wanted)) p.add('slug', 'is already used by another record');
    return wanted;
  }
  const base = slugify(name);
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/** The next display position in a table: new records go last. */
async function nextPosition(trx: Db, table: string): Promise<number> {
  const r = await trx.selectFrom(table).select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Number(r?.p ?? 0) + 1;
}

async function exists(trx: Db, table: string, id: string): Promise<boolean> {
  return Boolean(await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst());
}

async function writeRevision(trx: Db, ctx: Ctx, entityType: EntityType, entityId: string, version: number, action: string, snapshot: unknown) {
  await trx
    .insertInto('structure_revisions')
    .values({
      id: newId(),
      entity_type: entityType,
      entity_id: entityId,
      version,
      action,
      snapshot: toJson(snapshot),
      actor_id: ctx.actor?.id ?? null,
      actor_label: ctx.actor ? `${ctx.actor.name} <${ctx.actor.email}>` : `system (${ctx.requestId})`,
      at: nowIso(),
    })
    .execute();
}

/** Optimistic locking: the row changes only if it is still at the version the caller saw. */
async function guardedUpdate(trx: Db, table: string, id: string, version: number, values: Record<string, unknown>) {
  const r = await trx
    .updateTable(table)
    .set({ ...values, version: version + 1, updated_at: nowIso() })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw staleVersion();
}

function checkVersion(current: { version: number }, given: number | undefined) {
  if (given !== undefined && given !== current.version) throw staleVersion();
}

/** Field names whose values differ, for the audit summary (values are in the revision). */
function changedFields(before: Record<string, unknown>, patch: Record<string, unknown>): string[] {
  return Object.keys(patch).filter((k) => k !== 'version' && JSON.stringify(before[k] ?? null) !== JSON.stringify(patch[k] ?? null));
}

async function record(trx: Db, ctx: Ctx, audit: Audit, type: EntityType, id: string, version: number, action: 'create' | 'update' | 'retire' | 'members' | 'partners', snapshot: unknown, summary: Record<string, unknown>) {
  await writeRevision(trx, ctx, type, id, version, action, snapshot);
  await audit({ action: `structure.${type}.${action}`, entityType: `structure.${type}`, entityId: id, summary: { version, ...summary } });
}

// ---------- agencies ----------

async function checkAgencyParent(trx: Db, p: Problems, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return;
  if (parentId === id) return p.add('parent_id', 'cannot be the agency itself');
  if (!(await exists(trx, 'structure_agencies', parentId))) return p.add('parent_id', 'is not a known agency');
  // Walk up from the parent: meeting this agency again would make a loop.
  let cursor: string | null = parentId;
  for (let depth = 0; cursor && depth < 50; depth++) {
    const row = await structureDb(trx).selectFrom('structure_agencies').select('parent_id').where('id', '=', cursor).executeTakeFirst();
    cursor = row?.parent_id ?? null;
    if (cursor && cursor === id) return p.add('parent_id', 'would make the agency its own ancestor');
  }
}

export async function createAgency(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Agency> {
  mayChange(ctx);
  const d = validate(AgencyCreate, input, opts);
  return runCommand(ctx, async (trx, audit) => {
    const p = new Problems();
    checkRange(p, d.member_from, d.member_until, 'member_from', 'member_until');
    await checkAgencyParent(trx, p, null, d.parent_id);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await trx
      .insertInto('structure_agencies')
      .values({
        id,
        name: d.name.trim(),
        abbreviation: d.abbreviation?.trim() || null,
        kind: d.kind,
        website: d.website ?? null,
        parent_id: d.parent_id ?? null,
        member_from: d.member_from ?? null,
        member_until: d.member_until ?? null,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const agency = (await getAgency(trx, id))!;
    await record(trx, ctx, audit, 'agency', id, 1, 'create', agency, { name: agency.name });
    return agency;
  });
}

export async function updateAgency(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Agency> {
  mayChange(ctx);
  const d = validate(AgencyPatch, input, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getAgency(trx, id);
    if (!current) throw notFound('No such agency.');
    checkVersion(current, d.version);
    const { version, ...patch } = d;
    if (patch.name !== undefined) patch.name = patch.name.trim();
    const next = { ...current, ...patch };
    const p = new Problems();
    checkRange(p, next.member_from, next.member_until, 'member_from', 'member_until');
    if ('parent_id' in patch) await checkAgencyParent(trx, p, id, patch.parent_id);
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_agencies', id, version, {
      name: next.name,
      abbreviation: next.abbreviation || null,
      kind: next.kind,
      website: next.website ?? null,
      parent_id: next.parent_id ?? null,
      member_from: next.member_from ?? null,
      member_until: next.member_until ?? null,
    });
    const agency = (await getAgency(trx, id))!;
    await record(trx, ctx, audit, 'agency', id, agency.version, 'update', agency, { changed: changedFields(current, patch) });
    return agency;
  });
}

export async function retireAgency(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Agency> {
  mayChange(ctx);
  const d = validate(AgencyRetire, input ?? {}, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getAgency(trx, id);
    if (!current) throw notFound('No such agency.');
    checkVersion(current, d.version);
    const until = d.member_until ?? today();
    const p = new Problems();
    checkRange(p, current.member_from, until, 'member_from', 'member_until');
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_agencies', id, current.version, { member_until: until });
    const agency = (await getAgency(trx, id))!;
    await record(trx, ctx, audit, 'agency', id, agency.version, 'retire', agency, { member_until: until });
    return agency;
  });
}

// ---------- bodies ----------

async function checkMembers(trx: Db, p: Problems, members: MemberIn[]) {
  for (const [i, m] of members.entries()) {
    if (!(await exists(trx, 'structure_agencies', m.agency_id))) p.add(`members.${i}.agency_id`, 'is not a known agency');
    if (m.represented_by_id && !(await exists(trx, 'structure_agencies', m.represented_by_id))) p.add(`members.${i}.represented_by_id`, 'is not a known agency');
    checkRange(p, m.from, m.until, `members.${i}.from`, `members.${i}.until`);
  }
}

async function writeMembers(trx: Db, bodyId: string, members: MemberIn[]) {
  // Replaced as a whole; the previous list stays in the body's revision history.
  await trx.deleteFrom('structure_memberships').where('body_id', '=', bodyId).execute();
  for (const [i, m] of members.entries()) {
    await trx
      .insertInto('structure_memberships')
      .values({ id: newId(), body_id: bodyId, agency_id: m.agency_id, role: m.role, represented_by_id: m.represented_by_id ?? null, from: m.from ?? null, until: m.until ?? null, position: i })
      .execute();
  }
}

async function checkBodyParent(trx: Db, p: Problems, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return;
  if (parentId === id) return p.add('parent_id', 'cannot be the body itself');
  if (!(await exists(trx, 'structure_bodies', parentId))) return p.add('parent_id', 'is not a known body');
  let cursor: string | null = parentId;
  for (let depth = 0; cursor && depth < 50; depth++) {
    const row = await structureDb(trx).selectFrom('structure_bodies').select('parent_id').where('id', '=', cursor).executeTakeFirst();
    cursor = row?.parent_id ?? null;
    if (cursor && cursor === id) return p.add('parent_id', 'would make the body its own ancestor');
  }
}

/** Creates a committee (the API) or, for the demo data, the task force or the policy group. */
export async function createBody(ctx: Ctx, input: unknown, opts: CommandOptions & { kind?: BodyKind } = {}): Promise<Body> {
  mayChange(ctx);
  const d = validate(CommitteeCreate, input, opts);
  const kind = opts.kind ?? 'committee';
  return runCommand(ctx, async (trx, audit) => {
    const p = new Problems();
    checkRange(p, d.active_from, d.active_until, 'active_from', 'active_until');
    let parentId = d.parent_id;
    if (parentId === undefined && kind === 'committee') parentId = (await firstBody(trx, 'policy_group'))?.id ?? null;
    await checkBodyParent(trx, p, null, parentId);
    await checkMembers(trx, p, d.members ?? []);
    const name = d.name.trim();
    const slug = await freeSlug(trx, 'structure_bodies', p, d.slug, name);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await trx
      .insertInto('structure_bodies')
      .values({
        id,
        kind,
        name,
        slug,
        charter: d.charter ?? null,
        chair_title: d.chair_title ?? null,
        parent_id: parentId ?? null,
        active_from: d.active_from ?? null,
        active_until: d.active_until ?? null,
        position: await nextPosition(trx, 'structure_bodies'),
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await writeMembers(trx, id, d.members ?? []);
    const body = (await getBody(trx, id))!;
    await record(trx, ctx, audit, 'committee', id, 1, 'create', body, { name, kind });
    return body;
  });
}

async function patchBody(ctx: Ctx, id: string, d: Record<string, any> & { version: number }, action: 'update' | 'members'): Promise<Body> {
  return runCommand(ctx, async (trx, audit) => {
    const current = await getBody(trx, id);
    if (!current) throw notFound('No such committee or body.');
    checkVersion(current, d.version);
    const { version, members, ...patch } = d;
    if (patch.name !== undefined) patch.name = patch.name.trim();
    const next = { ...current, ...patch };
    const p = new Problems();
    checkRange(p, next.active_from, next.active_until, 'active_from', 'active_until');
    if ('parent_id' in patch) await checkBodyParent(trx, p, id, patch.parent_id);
    if (members) await checkMembers(trx, p, members);
    if (patch.slug !== undefined && patch.slug !== current.slug) await freeSlug(trx, 'structure_bodies', p, patch.slug, next.name, id);
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_bodies', id, version, {
      name: next.name,
      slug: next.slug,
      charter: next.charter ?? null,
      chair_title: next.chair_title ?? null,
      parent_id: next.parent_id ?? null,
      active_from: next.active_from ?? null,
      active_until: next.active_until ?? null,
    });
    if (members) await writeMembers(trx, id, members);
    const body = (await getBody(trx, id))!;
    const changed = changedFields(current, patch);
    if (members) changed.push('members');
    await record(trx, ctx, audit, 'committee', id, body.version, action, body, { changed });
    return body;
  });
}

export async function updateCommittee(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Body> {
  mayChange(ctx);
  return patchBody(ctx, id, validate(CommitteePatch, input, opts), 'update');
}

export async function replaceMembers(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Body> {
  mayChange(ctx);
  return patchBody(ctx, id, validate(MembersPut, input, opts), 'members');
}

export async function retireCommittee(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Body> {
  mayChange(ctx);
  const d = validate(CommitteeRetire, input ?? {}, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getBody(trx, id);
    if (!current) throw notFound('No such committee or body.');
    checkVersion(current, d.version);
    const until = d.active_until ?? today();
    const p = new Problems();
    checkRange(p, current.active_from, until, 'active_from', 'active_until');
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_bodies', id, current.version, { active_until: until });
    const body = (await getBody(trx, id))!;
    await record(trx, ctx, audit, 'committee', id, body.version, 'retire', body, { active_until: until });
    return body;
  });
}

// ---------- partnerships ----------

async function checkPartners(trx: Db, p: Problems, partners: PartnerIn[]) {
  for (const [i, x] of partners.entries()) {
    if (x.agency_id && x.name) p.add(`partners.${i}.name`, 'give either agency_id (a federal agency) or name (another organisation), not both');
    else if (!x.agency_id && !x.name) p.add(`partners.${i}.agency_id`, 'is required, or give name for a non-federal organisation');
    else if (x.agency_id && !(await exists(trx, 'structure_agencies', x.agency_id))) p.add(`partners.${i}.agency_id`, 'is not a known agency');
    if (x.agency_id && x.website) p.add(`partners.${i}.website`, "is taken from the agency's record; give it only for a non-federal organisation");
    checkRange(p, x.from, x.until, `partners.${i}.from`, `partners.${i}.until`);
  }
}

async function writePartners(trx: Db, partnershipId: string, partners: PartnerIn[]) {
  await trx.deleteFrom('structure_partners').where('partnership_id', '=', partnershipId).execute();
  for (const [i, x] of partners.entries()) {
    await trx
      .insertInto('structure_partners')
      .values({
        id: newId(),
        partnership_id: partnershipId,
        agency_id: x.agency_id ?? null,
        name: x.agency_id ? null : x.name!.trim(),
        website: x.agency_id ? null : (x.website ?? null),
        from: x.from ?? null,
        until: x.until ?? null,
        position: i,
      })
      .execute();
  }
}

export async function createPartnership(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Partnership> {
  mayChange(ctx);
  const d = validate(PartnershipCreate, input, opts);
  return runCommand(ctx, async (trx, audit) => {
    const p = new Problems();
    checkRange(p, d.from, d.until, 'from', 'until');
    if (d.lead_agency_id && !(await exists(trx, 'structure_agencies', d.lead_agency_id))) p.add('lead_agency_id', 'is not a known agency');
    await checkPartners(trx, p, d.partners ?? []);
    const name = d.name.trim();
    const slug = await freeSlug(trx, 'structure_partnerships', p, d.slug, name);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await trx
      .insertInto('structure_partnerships')
      .values({
        id,
        name,
        slug,
        purpose: d.purpose ?? null,
        goals: toJson((d.goals ?? []).map((g) => g.trim())),
        lead_agency_id: d.lead_agency_id ?? null,
        status: d.status ?? 'active',
        from: d.from ?? null,
        until: d.until ?? null,
        position: await nextPosition(trx, 'structure_partnerships'),
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await writePartners(trx, id, d.partners ?? []);
    const partnership = (await getPartnership(trx, id))!;
    await record(trx, ctx, audit, 'partnership', id, 1, 'create', partnership, { name });
    return partnership;
  });
}

async function patchPartnership(ctx: Ctx, id: string, d: Record<string, any> & { version: number }, action: 'update' | 'partners'): Promise<Partnership> {
  return runCommand(ctx, async (trx, audit) => {
    const current = await getPartnership(trx, id);
    if (!current) throw notFound('No such partnership.');
    checkVersion(current, d.version);
    const { version, partners, ...patch } = d;
    if (patch.name !== undefined) patch.name = patch.name.trim();
    if (patch.goals) patch.goals = patch.goals.map((g: string) => g.trim());
    const next = { ...current, ...patch };
    const p = new Problems();
    checkRange(p, next.from, next.until, 'from', 'until');
    if (patch.lead_agency_id && !(await exists(trx, 'structure_agencies', patch.lead_agency_id))) p.add('lead_agency_id', 'is not a known agency');
    if (partners) await checkPartners(trx, p, partners);
    if (patch.slug !== undefined && patch.slug !== current.slug) await freeSlug(trx, 'structure_partnerships', p, patch.slug, next.name, id);
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_partnerships', id, version, {
      name: next.name,
      slug: next.slug,
      purpose: next.purpose ?? null,
      goals: toJson(next.goals),
      lead_agency_id: next.lead_agency_id ?? null,
      status: next.status,
      from: next.from ?? null,
      until: next.until ?? null,
    });
    if (partners) await writePartners(trx, id, partners);
    const partnership = (await getPartnership(trx, id))!;
    const changed = changedFields(current, patch);
    if (partners) changed.push('partners');
    await record(trx, ctx, audit, 'partnership', id, partnership.version, action, partnership, { changed });
    return partnership;
  });
}

export async function updatePartnership(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Partnership> {
  mayChange(ctx);
  return patchPartnership(ctx, id, validate(PartnershipPatch, input, opts), 'update');
}

export async function replacePartners(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Partnership> {
  mayChange(ctx);
  return patchPartnership(ctx, id, validate(PartnersPut, input, opts), 'partners');
}

export async function retirePartnership(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Partnership> {
  mayChange(ctx);
  const d = validate(PartnershipRetire, input ?? {}, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getPartnership(trx, id);
    if (!current) throw notFound('No such partnership.');
    checkVersion(current, d.version);
    const until = d.until ?? today();
    const p = new Problems();
    checkRange(p, current.from, until, 'from', 'until');
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_partnerships', id, current.version, { until });
    const partnership = (await getPartnership(trx, id))!;
    await record(trx, ctx, audit, 'partnership', id, partnership.version, 'retire', partnership, { until });
    return partnership;
  });
}

// ---------- representatives ----------

async function checkRepresentativeLinks(trx: Db, p: Problems, r: { agency_id?: string; body_id?: string | null; partnership_id?: string | null }) {
  if (r.agency_id && !(await exists(trx, 'structure_agencies', r.agency_id))) p.add('agency_id', 'is not a known agency');
  if (r.body_id && !(await exists(trx, 'structure_bodies', r.body_id))) p.add('body_id', 'is not a known committee or body');
  if (r.partnership_id && !(await exists(trx, 'structure_partnerships', r.partnership_id))) p.add('partnership_id', 'is not a known partnership');
}

export async function createRepresentative(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Representative> {
  mayChange(ctx);
  const d = validate(RepresentativeCreate, input, opts);
  return runCommand(ctx, async (trx, audit) => {
    const p = new Problems();
    checkRange(p, d.from, d.until, 'from', 'until');
    await checkRepresentativeLinks(trx, p, d);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await trx
      .insertInto('structure_representatives')
      .values({
        id,
        person_name: d.person_name.trim(),
        title: d.title ?? null,
        email: d.email ?? null,
        phone: d.phone ?? null,
        agency_id: d.agency_id,
        body_id: d.body_id ?? null,
        partnership_id: d.partnership_id ?? null,
        role: d.role ?? null,
        from: d.from ?? null,
        until: d.until ?? null,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const rep = (await getRepresentative(trx, id))!;
    // The audit summary names the person, not their contact details (those are in the revision).
    await record(trx, ctx, audit, 'representative', id, 1, 'create', rep, { person_name: rep.person_name });
    return rep;
  });
}

export async function updateRepresentative(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Representative> {
  mayChange(ctx);
  const d = validate(RepresentativePatch, input, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getRepresentative(trx, id);
    if (!current) throw notFound('No such representative.');
    checkVersion(current, d.version);
    const { version, ...patch } = d;
    if (patch.person_name !== undefined) patch.person_name = patch.person_name.trim();
    const next = { ...current, ...patch };
    const p = new Problems();
    checkRange(p, next.from, next.until, 'from', 'until');
    await checkRepresentativeLinks(trx, p, patch);
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_representatives', id, version, {
      person_name: next.person_name,
      title: next.title ?? null,
      email: next.email ?? null,
      phone: next.phone ?? null,
      agency_id: next.agency_id,
      body_id: next.body_id ?? null,
      partnership_id: next.partnership_id ?? null,
      role: next.role ?? null,
      from: next.from ?? null,
      until: next.until ?? null,
    });
    const rep = (await getRepresentative(trx, id))!;
    await record(trx, ctx, audit, 'representative', id, rep.version, 'update', rep, { changed: changedFields(current, patch) });
    return rep;
  });
}

export async function retireRepresentative(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Representative> {
  mayChange(ctx);
  const d = validate(RepresentativeRetire, input ?? {}, opts);
  return runCommand(ctx, async (trx, audit) => {
    const current = await getRepresentative(trx, id);
    if (!current) throw notFound('No such representative.');
    checkVersion(current, d.version);
    const until = d.until ?? today();
    const p = new Problems();
    checkRange(p, current.from, until, 'from', 'until');
    p.throwIfAny();
    await guardedUpdate(trx, 'structure_representatives', id, current.version, { until });
    const rep = (await getRepresentative(trx, id))!;
    await record(trx, ctx, audit, 'representative', id, rep.version, 'retire', rep, { until });
    return rep;
  });
}

// ---------- account organisations acting for agencies ----------

function mayLink(ctx: Ctx) {
  authorize(ctx, mayLinkOrganizations(ctx), 'Only administrators link account organisations to agencies (users.manage).');
}

/**
 * Lets an account organisation's accounts act for an agency: report on the agency's work-plan actions and get its
 * reminders. Linking twice changes nothing and records nothing.
 */
export async function linkAgencyOrganization(ctx: Ctx, agencyId: string, input: unknown): Promise<AgencyOrganization> {
  mayLink(ctx);
  const d = validate(AgencyOrganizationInput, input);
  await runCommand(ctx, async (trx, audit) => {
    if (!(await getAgency(trx, agencyId))) throw notFound('No such agency.');
    if (!(await organizationsByIds(trx, [d.organization_id])).length) throw fieldError('organization_id', 'is not a known account organisation');
    const links = structureDb(trx);
    const had = await links
      .selectFrom('structure_agency_organizations')
      .select('agency_id')
      .where('agency_id', '=', agencyId)
      .where('organization_id', '=', d.organization_id)
      .executeTakeFirst();
    if (had) return;
    await links.insertInto('structure_agency_organizations').values({ agency_id: agencyId, organization_id: d.organization_id, created_at: nowIso(), created_by: ctx.actor?.id ?? null }).execute();
    await audit({ action: 'structure.agency.organization.link', entityType: 'structure.agency', entityId: agencyId, summary: { organization_id: d.organization_id } });
  });
  return (await listAgencyOrganizations(ctx.db, agencyId)).find((x) => x.organization_id === d.organization_id)!;
}

/** Ends the link: the organisation's accounts stop acting for the agency at once (every check reads the link). */
export async function unlinkAgencyOrganization(ctx: Ctx, agencyId: string, input: unknown): Promise<void> {
  mayLink(ctx);
  const d = validate(AgencyOrganizationInput, input);
  await runCommand(ctx, async (trx, audit) => {
    const gone = isUuid(agencyId)
      ? await structureDb(trx).deleteFrom('structure_agency_organizations').where('agency_id', '=', agencyId).where('organization_id', '=', d.organization_id).executeTakeFirst()
      : undefined;
    if (!Number(gone?.numDeletedRows ?? 0)) throw notFound('This account organisation does not act for that agency.');
    await audit({ action: 'structure.agency.organization.unlink', entityType: 'structure.agency', entityId: agencyId, summary: { organization_id: d.organization_id } });
  });
}
