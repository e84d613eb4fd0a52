import type { Ctx } from '../../platform/context.ts';
import { forUpdate, isUuid, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize, principalOf } from '../../platform/policy.ts';
import { conflict, notFound, Problems } from '../../platform/http/errors.ts';
import { staleVersion } from '../../platform/http/schemas.ts';
import { validate } from '../../platform/http/validation.ts';
import { countyByFips, stateByCode } from '../../platform/geo/us.ts';
import { organizationNames } from '../directory/index.ts';
import {
  AgreementCreate,
  AgreementPatch,
  ContactCreate,
  ContactPatch,
  MemberAdd,
  MemberPatch,
  NetworkCreate,
  NetworkPatch,
  NetworkRetire,
  type Agreement,
  type Contact,
  type Member,
} from './schema.ts';
import { getAgreement, getContact, getNetwork, networkMembers, stewardedBy, today, type NetworkRecord } from './store.ts';
import { EDIT_REFUSED, MANAGE_REFUSED, mayEditNetwork, mayManageNetworks } from './policies.ts';
import { networksDb } from './tables.ts';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

const changedElsewhere = () => staleVersion('This network');

function mayManage(ctx: Ctx): void {
  authorize(ctx, mayManageNetworks(principalOf(ctx)), MANAGE_REFUSED);
}

/**
 * The network to change, for a principal allowed to change it: an anonymous caller gets 401 before anything is
 * read; then an unknown network 404 (so that ids reveal nothing new to those who may edit), then 403.
 */
async function editableNetwork(ctx: Ctx, trx: Db, id: string): Promise<NetworkRecord> {
  const p = principalOf(ctx);
  if (p.kind === 'anonymous') authorize(ctx, false);
  const n = await loadForChange(ctx, trx, id);
  authorize(ctx, mayEditNetwork(p, await stewardedBy(trx, p), n), EDIT_REFUSED);
  return n;
}

async function loadForChange(ctx: Ctx, trx: Db, id: string): Promise<NetworkRecord> {
  if (!isUuid(id)) throw notFound('No such network.');
  // Serialise concurrent changes of one network on PostgreSQL; SQLite has a single writer anyway.
  await forUpdate(networksDb(trx).selectFrom('networks_network').select('id').where('id', '=', id), ctx.dbKind).execute();
  const n = await getNetwork(trx, id);
  if (!n) throw notFound('No such network.');
  return n;
}

async function knownOrganization(trx: Db, id: string): Promise<boolean> {
  return (await organizationNames(trx, [id])).has(id);
}

interface AreaFields {
  area_kind: string;
  states: string[];
  counties: string[];
  center_lat: number | null;
  center_lng: number | null;
  radius_miles: number | null;
}

/** An area must name real places: at least one state or county, or a complete centre and radius. */
function checkArea(p: Problems, a: AreaFields): AreaFields {
  if (a.area_kind === 'radius') {
    if (a.center_lat === null) p.add('center_lat', 'is required for an area by centre and radius');
    if (a.center_lng === null) p.add('center_lng', 'is required for an area by centre and radius');
    if (a.radius_miles === null) p.add('radius_miles', 'is required for an area by centre and radius');
    return { ...a, states: [], counties: [] };
  }
  a.states.forEach((s, i) => {
    if (!stateByCode(s)) p.add(`states.${i}`, `${s} is not a U.S. state, DC or territory code`);
  });
  a.counties.forEach((c, i) => {
    if (!countyByFips(c)) p.add(`counties.${i}`, `${c} is not a county FIPS code`);
  });
  if (!a.states.length && !a.counties.length) p.add('states', 'name at least one state or county');
  return { ...a, center_lat: null, center_lng: null, radius_miles: null };
}

const CONVENER_ROLE = 'victim_service_provider';

async function ensureMember(trx: Db, networkId: string, orgId: string): Promise<boolean> {
  const has = await networksDb(trx).selectFrom('networks_member').select('network_id').where('network_id', '=', networkId).where('directory_organization_id', '=', orgId).executeTakeFirst();
  if (has) return false;
  await networksDb(trx).insertInto('networks_member').values({ network_id: networkId, directory_organization_id: orgId, role: CONVENER_ROLE, joined_on: null, note: null, created_at: nowIso() }).execute();
  return true;
}

// ---------- networks ----------

/** Creates a network; its convener becomes its first member (as a victim service provider, which conveners are). */
export async function createNetwork(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<NetworkRecord> {
  return runCommand(ctx, async (trx, audit) => {
    mayManage(ctx);
    const d = validate(NetworkCreate, input, opts);
    const p = new Problems();
    const name = d.name.trim();
    if (!(await knownOrganization(trx, d.convener_organization_id))) p.add('convener_organization_id', 'is not an organisation in the directory');
    const area = checkArea(p, { area_kind: d.area_kind, states: d.states ?? [], counties: d.counties ?? [], center_lat: d.center_lat ?? null, center_lng: d.center_lng ?? null, radius_miles: d.radius_miles ?? null });
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await networksDb(trx)
      .insertInto('networks_network')
      .values({
        id,
        name,
        description: d.description ?? null,
        convener_organization_id: d.convener_organization_id,
        area_kind: area.area_kind,
        states: toJson(area.states),
        counties: toJson(area.counties),
        center_lat: area.center_lat,
        center_lng: area.center_lng,
        radius_miles: area.radius_miles,
        needs: toJson(d.needs ?? []),
        retired_on: null,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await ensureMember(trx, id, d.convener_organization_id);
    await audit({ action: 'networks.network.create', entityType: 'networks.network', entityId: id, summary: { name, area_kind: area.area_kind, convener_organization_id: d.convener_organization_id } });
    return (await getNetwork(trx, id))!;
  });
}

/** Changes the fields sent; `version` must be the one read (else 409). A new convener joins as a member. */
export async function updateNetwork(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<NetworkRecord> {
  return runCommand(ctx, async (trx, audit) => {
    const current = await editableNetwork(ctx, trx, id);
    const d = validate(NetworkPatch, input, opts);
    if (d.version !== current.version) throw changedElsewhere();
    const { version, ...patch } = d;
    const p = new Problems();
    if (patch.convener_organization_id !== undefined && patch.convener_organization_id !== current.convener_organization_id && !(await knownOrganization(trx, patch.convener_organization_id))) {
      p.add('convener_organization_id', 'is not an organisation in the directory');
    }
    const next = { ...current, ...patch, name: (patch.name ?? current.name).trim() };
    const area = checkArea(p, { area_kind: next.area_kind, states: next.states, counties: next.counties, center_lat: next.center_lat, center_lng: next.center_lng, radius_miles: next.radius_miles });
    p.throwIfAny();
    const res = await networksDb(trx)
      .updateTable('networks_network')
      .set({
        name: next.name,
        description: next.description ?? null,
        convener_organization_id: next.convener_organization_id,
        area_kind: area.area_kind,
        states: toJson(area.states),
        counties: toJson(area.counties),
        center_lat: area.center_lat,
        center_lng: area.center_lng,
        radius_miles: area.radius_miles,
        needs: toJson(next.needs),
        version: version + 1,
        updated_at: nowIso(),
      })
      .where('id', '=', current.id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw changedElsewhere();
    await ensureMember(trx, current.id, next.convener_organization_id);
    const changed = Object.keys(patch).filter((k) => JSON.stringify((current as Record<string, unknown>)[k] ?? null) !== JSON.stringify((patch as Record<string, unknown>)[k] ?? null));
    await audit({ action: 'networks.network.update', entityType: 'networks.network', entityId: current.id, summary: { version: version + 1, changed } });
    return (await getNetwork(trx, current.id))!;
  });
}

/** Retires a network (default today); it and its history stay, but it leaves lists and the national view. */
export async function retireNetwork(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<NetworkRecord> {
  return runCommand(ctx, async (trx, audit) => {
    mayManage(ctx);
    const current = await loadForChange(ctx, trx, id);
    const d = validate(NetworkRetire, input ?? {}, opts);
    if (d.version !== undefined && d.version !== current.version) throw changedElsewhere();
    if (current.retired_on) throw conflict(`This network was already retired on ${current.retired_on}.`);
    const retired_on = d.retired_on ?? today();
    await networksDb(trx).updateTable('networks_network').set({ retired_on, version: current.version + 1, updated_at: nowIso() }).where('id', '=', current.id).execute();
    await audit({ action: 'networks.network.retire', entityType: 'networks.network', entityId: current.id, summary: { retired_on, version: current.version + 1 } });
    return (await getNetwork(trx, current.id))!;
  });
}

// ---------- members ----------

async function findMember(trx: Db, networkId: string, orgId: string): Promise<Member | undefined> {
  return (await networkMembers(trx, networkId)).find((m) => m.directory_organization_id === orgId);
}

export async function addMember(ctx: Ctx, networkId: string, input: unknown, opts: CommandOptions = {}): Promise<Member> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const d = validate(MemberAdd, input, opts);
    const p = new Problems();
    if (!(await knownOrganization(trx, d.directory_organization_id))) p.add('directory_organization_id', 'is not an organisation in the directory');
    else if (n.members.some((m) => m.directory_organization_id === d.directory_organization_id)) p.add('directory_organization_id', 'is already a member of this network');
    p.throwIfAny();
    await networksDb(trx)
      .insertInto('networks_member')
      .values({ network_id: n.id, directory_organization_id: d.directory_organization_id, role: d.role, joined_on: d.joined_on ?? null, note: d.note ?? null, created_at: nowIso() })
      .execute();
    await audit({ action: 'networks.member.add', entityType: 'networks.network', entityId: n.id, summary: { directory_organization_id: d.directory_organization_id, role: d.role } });
    return (await findMember(trx, n.id, d.directory_organization_id))!;
  });
}

export async function updateMember(ctx: Ctx, networkId: string, orgId: string, input: unknown, opts: CommandOptions = {}): Promise<Member> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const current = n.members.find((m) => m.directory_organization_id === orgId);
    if (!current) throw notFound('This organisation is not a member of the network.');
    const d = validate(MemberPatch, input, opts);
    const next = { role: d.role ?? current.role, joined_on: d.joined_on === undefined ? current.joined_on : d.joined_on, note: d.note === undefined ? current.note : d.note };
    await networksDb(trx).updateTable('networks_member').set(next).where('network_id', '=', n.id).where('directory_organization_id', '=', orgId).execute();
    await audit({ action: 'networks.member.update', entityType: 'networks.network', entityId: n.id, summary: { directory_organization_id: orgId, changed: Object.keys(d) } });
    return (await findMember(trx, n.id, orgId))!;
  });
}

/** Removes a member; the convener cannot leave until another organisation convenes. */
export async function removeMember(ctx: Ctx, networkId: string, orgId: string): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    if (!n.members.some((m) => m.directory_organization_id === orgId)) throw notFound('This organisation is not a member of the network.');
    if (orgId === n.convener_organization_id) throw conflict('The convener cannot leave its own network: make another member the convener first.');
    await networksDb(trx).deleteFrom('networks_member').where('network_id', '=', n.id).where('directory_organization_id', '=', orgId).execute();
    await audit({ action: 'networks.member.remove', entityType: 'networks.network', entityId: n.id, summary: { directory_organization_id: orgId } });
  });
}

// ---------- agreements ----------

interface AgreementFields {
  directory_organization_id: string | null;
  signed_on: string | null;
  expires_on: string | null;
}

function checkAgreement(p: Problems, n: NetworkRecord, a: AgreementFields) {
  if (a.directory_organization_id && !n.members.some((m) => m.directory_organization_id === a.directory_organization_id)) p.add('directory_organization_id', 'is not a member of this network');
  if (a.signed_on && a.expires_on && a.expires_on < a.signed_on) p.add('expires_on', `must be on or after the date signed (${a.signed_on})`);
  if (!a.signed_on && a.expires_on) p.add('signed_on', 'is required when an expiry date is given');
}

export async function addAgreement(ctx: Ctx, networkId: string, input: unknown, opts: CommandOptions = {}): Promise<Agreement> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const d = validate(AgreementCreate, input, opts);
    const fields = { directory_organization_id: d.directory_organization_id ?? null, signed_on: d.signed_on ?? null, expires_on: d.expires_on ?? null };
    const p = new Problems();
    checkAgreement(p, n, fields);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await networksDb(trx)
      .insertInto('networks_agreement')
      .values({ id, network_id: n.id, title: d.title.trim(), ...fields, on_file: d.on_file ?? false, note: d.note ?? null, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'networks.agreement.add', entityType: 'networks.network', entityId: n.id, summary: { agreement_id: id, directory_organization_id: fields.directory_organization_id, on_file: d.on_file ?? false } });
    return (await getAgreement(trx, n.id, id))!;
  });
}

export async function updateAgreement(ctx: Ctx, networkId: string, agreementId: string, input: unknown, opts: CommandOptions = {}): Promise<Agreement> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const current = await getAgreement(trx, n.id, agreementId);
    if (!current) throw notFound('No such agreement in this network.');
    const d = validate(AgreementPatch, input, opts);
    const next = { ...current, ...d };
    const p = new Problems();
    checkAgreement(p, n, next);
    p.throwIfAny();
    await networksDb(trx)
      .updateTable('networks_agreement')
      .set({ title: next.title.trim(), directory_organization_id: next.directory_organization_id, on_file: next.on_file, signed_on: next.signed_on, expires_on: next.expires_on, note: next.note, updated_at: nowIso() })
      .where('id', '=', current.id)
      .execute();
    await audit({ action: 'networks.agreement.update', entityType: 'networks.network', entityId: n.id, summary: { agreement_id: current.id, changed: Object.keys(d) } });
    return (await getAgreement(trx, n.id, current.id))!;
  });
}

export async function removeAgreement(ctx: Ctx, networkId: string, agreementId: string): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    if (!(await getAgreement(trx, n.id, agreementId))) throw notFound('No such agreement in this network.');
    await networksDb(trx).deleteFrom('networks_agreement').where('id', '=', agreementId).execute();
    await audit({ action: 'networks.agreement.remove', entityType: 'networks.network', entityId: n.id, summary: { agreement_id: agreementId } });
  });
}

// ---------- contacts ----------

function checkContact(p: Problems, n: NetworkRecord, orgId: string | null) {
  if (orgId && !n.members.some((m) => m.directory_organization_id === orgId)) p.add('directory_organization_id', 'is not a member of this network');
}

// Audit summaries name the contact by id only: names, e-mail addresses and phones stay out of the log.
export async function addContact(ctx: Ctx, networkId: string, input: unknown, opts: CommandOptions = {}): Promise<Contact> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const d = validate(ContactCreate, input, opts);
    const p = new Problems();
    checkContact(p, n, d.directory_organization_id ?? null);
    p.throwIfAny();
    const id = newId();
    const now = nowIso();
    await networksDb(trx)
      .insertInto('networks_contact')
      .values({ id, network_id: n.id, name: d.name.trim(), title: d.title ?? null, email: d.email ?? null, phone: d.phone ?? null, directory_organization_id: d.directory_organization_id ?? null, created_at: now, updated_at: now })
      .execute();
    await audit({ action: 'networks.contact.add', entityType: 'networks.network', entityId: n.id, summary: { contact_id: id } });
    return (await getContact(trx, n.id, id))!;
  });
}

export async function updateContact(ctx: Ctx, networkId: string, contactId: string, input: unknown, opts: CommandOptions = {}): Promise<Contact> {
  return runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    const current = await getContact(trx, n.id, contactId);
    if (!current) throw notFound('No such contact in this network.');
    const d = validate(ContactPatch, input, opts);
    const next = { ...current, ...d };
    const p = new Problems();
    checkContact(p, n, next.directory_organization_id);
    p.throwIfAny();
    await networksDb(trx)
      .updateTable('networks_contact')
      .set({ name: next.name.trim(), title: next.title, email: next.email, phone: next.phone, directory_organization_id: next.directory_organization_id, updated_at: nowIso() })
      .where('id', '=', current.id)
      .execute();
    await audit({ action: 'networks.contact.update', entityType: 'networks.network', entityId: n.id, summary: { contact_id: current.id, changed: Object.keys(d) } });
    return (await getContact(trx, n.id, current.id))!;
  });
}

export async function removeContact(ctx: Ctx, networkId: string, contactId: string): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    const n = await editableNetwork(ctx, trx, networkId);
    if (!(await getContact(trx, n.id, contactId))) throw notFound('No such contact in this network.');
    await networksDb(trx).deleteFrom('networks_contact').where('id', '=', contactId).execute();
    await audit({ action: 'networks.contact.remove', entityType: 'networks.network', entityId: n.id, summary: { contact_id: contactId } });
  });
}
