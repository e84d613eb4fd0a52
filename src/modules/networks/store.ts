import type { Principal } from '../../platform/context.ts';
import { bool, isUuid, json, type Db } from '../../platform/db/index.ts';
import { organizationNames, stewardedOrganizations } from '../directory/index.ts';
import { areaStates } from './area.ts';
import { networksDb, type AgreementTable, type ContactTable, type NetworkTable } from './tables.ts';
import type { Agreement, Contact, Member, Network, NetworkSummary } from './schema.ts';

/** A network as stored, with its members: what other modules (referrals) read. */
export type NetworkRecord = Omit<Network, 'agreements' | 'contacts' | 'viewer' | 'referral_stats_url'>;

const MISSING = 'Organisation no longer in the directory';
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const day = (v: unknown) => (v === null || v === undefined ? null : String(v).slice(0, 10));
const iso = (v: unknown) => new Date(String(v)).toISOString();

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

async function namesOf(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  return organizationNames(db, ids.filter((x): x is string => typeof x === 'string'));
}

function baseOf(r: NetworkTable, names: Map<string, string>): Omit<NetworkRecord, 'members'> {
  const convener = r.convener_organization_id;
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? null,
    convener_organization_id: convener,
    convener_name: names.get(convener) ?? MISSING,
    area_kind: r.area_kind,
    states: json<string[]>(r.states, []),
    counties: json<string[]>(r.counties, []),
    center_lat: num(r.center_lat),
    center_lng: num(r.center_lng),
    radius_miles: num(r.radius_miles),
    needs: json<string[]>(r.needs, []),
    retired_on: day(r.retired_on),
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** Members of a network, the convener first, then by name. */
export async function networkMembers(db: Db, networkId: string): Promise<Member[]> {
  if (!isUuid(networkId)) return [];
  const net = await networksDb(db).selectFrom('networks_network').select('convener_organization_id').where('id', '=', networkId).executeTakeFirst();
  if (!net) return [];
  const rows = await networksDb(db).selectFrom('networks_member').selectAll().where('network_id', '=', networkId).execute();
  const names = await namesOf(db, rows.map((r) => r.directory_organization_id));
  return rows
    .map((r) => {
      const id = r.directory_organization_id;
      return { directory_organization_id: id, name: names.get(id) ?? MISSING, role: r.role, joined_on: day(r.joined_on), note: r.note ?? null, convener: id === net.convener_organization_id };
    })
    .sort((a, b) => Number(b.convener) - Number(a.convener) || a.name.localeCompare(b.name) || a.directory_organization_id.localeCompare(b.directory_organization_id));
}

export async function getNetwork(db: Db, id: string): Promise<NetworkRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await networksDb(db).selectFrom('networks_network').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  const names = await namesOf(db, [r.convener_organization_id]);
  return { ...baseOf(r, names), members: await networkMembers(db, id) };
}

export interface ListOptions {
  /** USPS code: networks whose area touches the state. */
  state?: string;
  organizationId?: string;
  includeRetired?: boolean;
}

/** Networks by name, active ones unless `includeRetired`. Networks are few: filters on the JSON area run here. */
export async function listNetworks(db: Db, o: ListOptions = {}): Promise<NetworkSummary[]> {
  let q = networksDb(db).selectFrom('networks_network').selectAll();
  if (!o.includeRetired) q = q.where('retired_on', 'is', null);
  if (o.organizationId !== undefined) {
    if (!isUuid(o.organizationId)) return [];
    const orgId = o.organizationId;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('networks_member as m').select('m.network_id').whereRef('m.network_id', '=', 'networks_network.id').where('m.directory_organization_id', '=', orgId)));
  }
  const rows = await q.orderBy('name').orderBy('id').execute();
  const counts = new Map<string, number>();
  if (rows.length) {
    const cs = await networksDb(db)
      .selectFrom('networks_member')
      .select(['network_id', (eb) => eb.fn.countAll().as('n')])
      .groupBy('network_id')
      .execute();
    for (const c of cs) counts.set(c.network_id, Number(c.n));
  }
  const names = await namesOf(db, rows.map((r) => r.convener_organization_id));
  const out = rows.map((r) => {
    const b = baseOf(r, names);
    return { id: b.id, name: b.name, convener_organization_id: b.convener_organization_id, convener_name: b.convener_name, area_kind: b.area_kind, states: areaStates(b), member_count: counts.get(b.id) ?? 0, retired_on: b.retired_on };
  });
  if (!o.state) return out;
  const code = o.state.toUpperCase();
  return out.filter((n) => n.states.includes(code));
}

/** Active networks a directory organisation belongs to (as convener or member). */
export async function networksOfOrganization(db: Db, directoryOrganizationId: string): Promise<{ id: string; name: string }[]> {
  return (await listNetworks(db, { organizationId: directoryOrganizationId })).map((n) => ({ id: n.id, name: n.name }));
}

export function agreementStatus(a: { signed_on: string | null; expires_on: string | null }, on = today()): Agreement['status'] {
  if (!a.signed_on) return 'not_signed';
  if (a.expires_on && a.expires_on < on) return 'expired';
  return 'in_force';
}

function toAgreement(r: AgreementTable, names: Map<string, string>): Agreement {
  const org = r.directory_organization_id ?? null;
  const signed_on = day(r.signed_on);
  const expires_on = day(r.expires_on);
  return {
    id: r.id,
    title: r.title,
    directory_organization_id: org,
    organization_name: org ? (names.get(org) ?? MISSING) : null,
    on_file: bool(r.on_file),
    signed_on,
    expires_on,
    status: agreementStatus({ signed_on, expires_on }),
    note: r.note ?? null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

function toContact(r: ContactTable, names: Map<string, string>): Contact {
  const org = r.directory_organization_id ?? null;
  return {
    id: r.id,
    name: r.name,
    title: r.title ?? null,
    email: r.email ?? null,
    phone: r.phone ?? null,
    directory_organization_id: org,
    organization_name: org ? (names.get(org) ?? MISSING) : null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function agreementsOf(db: Db, networkId: string): Promise<Agreement[]> {
  const rows = await networksDb(db).selectFrom('networks_agreement').selectAll().where('network_id', '=', networkId).orderBy('title').orderBy('id').execute();
  const names = await namesOf(db, rows.map((r) => r.directory_organization_id));
  return rows.map((r) => toAgreement(r, names));
}

export async function getAgreement(db: Db, networkId: string, id: string): Promise<Agreement | undefined> {
  if (!isUuid(networkId) || !isUuid(id)) return undefined;
  const r = await networksDb(db).selectFrom('networks_agreement').selectAll().where('network_id', '=', networkId).where('id', '=', id).executeTakeFirst();
  return r ? toAgreement(r, await namesOf(db, [r.directory_organization_id])) : undefined;
}

export async function contactsOf(db: Db, networkId: string): Promise<Contact[]> {
  const rows = await networksDb(db).selectFrom('networks_contact').selectAll().where('network_id', '=', networkId).orderBy('name').orderBy('id').execute();
  const names = await namesOf(db, rows.map((r) => r.directory_organization_id));
  return rows.map((r) => toContact(r, names));
}

export async function getContact(db: Db, networkId: string, id: string): Promise<Contact | undefined> {
  if (!isUuid(networkId) || !isUuid(id)) return undefined;
  const r = await networksDb(db).selectFrom('networks_contact').selectAll().where('network_id', '=', networkId).where('id', '=', id).executeTakeFirst();
  return r ? toContact(r, await namesOf(db, [r.directory_organization_id])) : undefined;
}

/** The directory organisations the principal's account organisation stewards: what its network rights rest on. */
export async function stewardedBy(db: Db, p: Principal): Promise<ReadonlySet<string>> {
  if (p.kind !== 'person' && p.kind !== 'token') return new Set();
  return new Set(await stewardedOrganizations(db, p.actor.organizationId));
}
