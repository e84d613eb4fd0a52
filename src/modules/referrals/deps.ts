/**
 * What referrals need from the directory, the networks and the map of the United States, read through those
 * modules' public APIs only.
 */
import type { Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { countyAt } from '../../platform/geo/us.ts';
import { listStewards, searchServices, servicesFull, stewardedOrganizations, stewardsOf } from '../directory/index.ts';
import { getNetwork, listNetworks, networksOfOrganization } from '../networks/index.ts';

export interface ServiceInfo {
  id: string;
  /** Whether some account organisation acts for the service's organisation, so that a referral has a recipient. */
  receives?: boolean;
  name: string;
  description: string | null;
  organization_id: string;
  organization_name: string;
  locations: { id: string; name: string; lat: number | null; lng: number | null }[];
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toInfo(s: Obj): ServiceInfo {
  const org = (s.organization ?? {}) as Obj;
  const sals = Array.isArray(s.service_at_locations) ? (s.service_at_locations as Obj[]) : [];
  const locations = sals
    .map((x) => x.location as Obj | undefined)
    .filter((l): l is Obj => Boolean(l && typeof l.id === 'string'))
    // The public view: a confidential location has no name or coordinates here, and so never gives an area.
    .map((l) => ({ id: String(l.id), name: str(l.name) ?? '', lat: num(l.latitude), lng: num(l.longitude) }));
  return { id: String(s.id), name: String(s.name ?? ''), description: str(s.description), organization_id: String(s.organization_id ?? org.id ?? ''), organization_name: String(org.name ?? ''), locations };
}

/** A directory service as anyone may see it (confidential locations redacted), or undefined. */
export async function serviceInfo(db: Db, serviceId: string): Promise<ServiceInfo | undefined> {
  const [s] = await servicesFull(db, [serviceId], { vetted: false, extensions: false });
  return s ? toInfo(s) : undefined;
}

/**
 * Directory search for the referral form, in the public view. Of the 50 best matches, the services whose
 * organisation receives referrals here come first, since only those can take one.
 */
export async function findServices(db: Db, kind: DatabaseKind, q: string, page: number): Promise<{ total: number; items: ServiceInfo[] }> {
  const res = await searchServices(db, kind, { q, page, perPage: 50, vetted: false, facets: false });
  const full = await servicesFull(db, res.hits.map((h) => h.serviceId), { vetted: false, extensions: false });
  const items = full.map(toInfo);
  for (const s of items) s.receives = (await stewardsOf(db, s.organization_id)).length > 0;
  return { total: res.total, items: [...items.filter((s) => s.receives), ...items.filter((s) => !s.receives)].slice(0, 15) };
}

/** The directory organisations an account organisation acts for, with their names. */
export async function organizationsActedFor(db: Db, accountOrganizationId: string): Promise<{ id: string; name: string }[]> {
  const ids = await stewardedOrganizations(db, accountOrganizationId);
  const out: { id: string; name: string }[] = [];
  for (const id of ids) {
    const s = (await listStewards(db, id))[0];
    out.push({ id, name: s?.directory_organization_name || id });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export { stewardedOrganizations, stewardsOf };

/** Networks both directory organisations belong to. */
export async function sharedNetworks(db: Db, a: string, b: string): Promise<{ id: string; name: string }[]> {
  const [na, nb] = await Promise.all([networksOfOrganization(db, a), networksOfOrganization(db, b)]);
  const inB = new Set(nb.map((n) => n.id));
  return na.filter((n) => inB.has(n.id)).map((n) => ({ id: n.id, name: n.name }));
}

export async function networkName(db: Db, id: string): Promise<string | undefined> {
  const n = await getNetwork(db, id);
  return n ? String(n.name) : undefined;
}

/** The county of the chosen location, or of the first of the service's locations that has coordinates. */
export function areaOf(service: ServiceInfo, locationId?: string): { fips: string; state: string } | null {
  const ordered = [...service.locations.filter((l) => l.id === locationId), ...service.locations.filter((l) => l.id !== locationId)];
  for (const l of ordered) {
    if (l.lat === null || l.lng === null) continue;
    const c = countyAt(l.lat, l.lng);
    if (c) return { fips: c.fips, state: c.state };
  }
  return null;
}

/** Every network, for the statistics filter. */
export async function allNetworks(db: Db): Promise<{ id: string; name: string }[]> {
  return (await listNetworks(db)).map((n) => ({ id: n.id, name: n.name }));
}
