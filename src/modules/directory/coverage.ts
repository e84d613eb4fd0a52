/**
 * Need coverage: for many points at once (county centroids), which survivor needs have a service within a distance.
 * The candidate locations inside the points' bounding box are loaded in one query with their services' need codes,
 * then matched to the points through a grid, so that the cost grows with points plus locations, not their product.
 */
import type { Db } from '../../platform/db/index.ts';
import { isUuid } from '../../platform/db/index.ts';
import { boundingBox, haversineMiles, whereInBox, type Box } from '../../platform/db/geo.ts';
import { TERMS, termId } from './taxonomy.ts';

/** The shipped need categories (taxonomy.ts), in their display order. */
export const NEED_TERMS: readonly { code: string; en: string; es: string }[] = TERMS.need.map(({ code, en, es }) => ({ code, en, es }));
export const NEED_CODES: readonly string[] = NEED_TERMS.map((t) => t.code);
export const isNeedCode = (code: string) => NEED_CODES.includes(code);

export interface CoveragePoint {
  key: string;
  lat: number;
  lng: number;
}

export interface NeedCoverage {
  covered: boolean;
  /** Miles to the nearest location with the need, when one is within the distance. */
  nearestMiles: number | null;
  /** Distinct organisations with such a location within the distance. */
  providers: number;
}

export interface CoverageOptions {
  miles: number;
  /** Need codes to check; every shipped need when absent. */
  needs?: readonly string[];
  /** May see confidential locations ('directory.confidential'); otherwise they are left out entirely. */
  vetted: boolean;
  /** Count only these directory organisations' services (a network's members). */
  organizationIds?: readonly string[];
}

interface Site {
  lat: number;
  lng: number;
  /** need code -> organisation ids at this site */
  needs: Map<string, Set<string>>;
}

function unionBox(points: readonly CoveragePoint[], miles: number): Box {
  const box: Box = { minLat: 90, maxLat: -90, minLng: 180, maxLng: -180 };
  for (const p of points) {
    const b = boundingBox(p.lat, p.lng, miles);
    box.minLat = Math.min(box.minLat, b.minLat);
    box.maxLat = Math.max(box.maxLat, b.maxLat);
    box.minLng = Math.min(box.minLng, b.minLng);
    box.maxLng = Math.max(box.maxLng, b.maxLng);
  }
  return box;
}

/** Locations (with coordinates) of active services carrying one of the needs, inside the box. */
async function loadSites(db: Db, box: Box, o: CoverageOptions, needs: readonly string[]): Promise<Site[]> {
  const codeOfTerm = new Map(needs.map((c) => [termId(c), c]));
  let q = db
    .selectFrom('directory_location as loc')
    .innerJoin('directory_service_at_location as sal', 'sal.location_id', 'loc.id')
    .innerJoin('directory_service as s', 's.id', 'sal.service_id')
    .innerJoin('directory_attribute as a', 'a.link_id', 's.id')
    .select(['loc.id as location_id', 'loc.latitude as lat', 'loc.longitude as lng', 's.organization_id as organization_id', 'a.taxonomy_term_id as term'])
    .where('s.status', '!=', 'defunct')
    .where('a.taxonomy_term_id', 'in', [...codeOfTerm.keys()])
    .where('loc.latitude', 'is not', null)
    .where('loc.longitude', 'is not', null);
  // Unvetted callers must not learn that a shelter is near a county: its location does not count at all.
  if (!o.vetted) q = q.where((eb) => eb.or([eb('loc.confidential', '=', false), eb('loc.confidential', 'is', null)]));
  if (o.organizationIds) q = q.where('s.organization_id', 'in', [...o.organizationIds]);
  q = whereInBox(q, 'loc.latitude', 'loc.longitude', box);
  const rows = await q.execute();
  const sites = new Map<string, Site>();
  for (const r of rows) {
    const code = codeOfTerm.get(String(r.term));
    if (!code) continue;
    const id = String(r.location_id);
    let site = sites.get(id);
    if (!site) {
      site = { lat: Number(r.lat), lng: Number(r.lng), needs: new Map() };
      sites.set(id, site);
    }
    const orgs = site.needs.get(code) ?? new Set<string>();
    orgs.add(String(r.organization_id ?? id));
    site.needs.set(code, orgs);
  }
  return [...sites.values()].filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lng));
}

/**
 * For each point and each need: is a location offering it within `miles`, how far is the nearest, and how many
 * organisations offer it that close. One query whatever the number of points and needs.
 */
export async function needCoverage(db: Db, points: readonly CoveragePoint[], o: CoverageOptions): Promise<Map<string, Record<string, NeedCoverage>>> {
  const needs = (o.needs ?? NEED_CODES).filter(isNeedCode);
  const out = new Map<string, Record<string, NeedCoverage>>();
  const empty = () => Object.fromEntries(needs.map((n) => [n, { covered: false, nearestMiles: null, providers: 0 } satisfies NeedCoverage]));
  for (const p of points) out.set(p.key, empty());
  if (!points.length || !needs.length || !(o.miles > 0)) return out;
  if (o.organizationIds && !o.organizationIds.filter(isUuid).length) return out;
  const scoped = o.organizationIds ? { ...o, organizationIds: o.organizationIds.filter(isUuid) } : o;
  const sites = await loadSites(db, unionBox(points, o.miles), scoped, needs);

  // A grid of cells about `miles` tall: a point only looks at the cells its own bounding box touches.
  const cell = Math.max(0.05, o.miles / 69);
  const grid = new Map<string, Site[]>();
  const cellKey = (i: number, j: number) => `${i}:${j}`;
  for (const s of sites) {
    const k = cellKey(Math.floor(s.lat / cell), Math.floor(s.lng / cell));
    const list = grid.get(k) ?? [];
    list.push(s);
    grid.set(k, list);
  }
  for (const p of points) {
    const b = boundingBox(p.lat, p.lng, o.miles);
    const result = out.get(p.key)!;
    const orgs = new Map<string, Set<string>>();
    const [i0, i1] = [Math.floor(b.minLat / cell), Math.floor(b.maxLat / cell)];
    // Near the poles the box spans every longitude; the grid is then scanned in full along that row.
    const wide = b.maxLng - b.minLng >= 360;
    const [j0, j1] = wide ? [Math.floor(-180 / cell), Math.floor(180 / cell)] : [Math.floor(b.minLng / cell), Math.floor(b.maxLng / cell)];
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        for (const s of grid.get(cellKey(i, j)) ?? []) {
          const d = haversineMiles(p.lat, p.lng, s.lat, s.lng);
          if (d > o.miles) continue;
          for (const [need, ids] of s.needs) {
            const r = result[need];
            if (!r) continue;
            r.covered = true;
            if (r.nearestMiles === null || d < r.nearestMiles) r.nearestMiles = d;
            const set = orgs.get(need) ?? new Set<string>();
            for (const id of ids) set.add(id);
            orgs.set(need, set);
          }
        }
      }
    }
    for (const [need, set] of orgs) result[need].providers = set.size;
  }
  return out;
}

/** Names of directory organisations by id (unknown ids are left out), for other modules' member lists. */
export async function organizationNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const valid = [...new Set(ids.filter(isUuid))];
  const out = new Map<string, string>();
  for (let i = 0; i < valid.length; i += 500) {
    const rows = await db.selectFrom('directory_organization').select(['id', 'name']).where('id', 'in', valid.slice(i, i + 500)).execute();
    for (const r of rows) out.set(String(r.id), String(r.name));
  }
  return out;
}

/** Every directory organisation's id and name, by name: for pick lists. */
export async function organizationChoices(db: Db): Promise<{ id: string; name: string }[]> {
  const rows = await db.selectFrom('directory_organization').select(['id', 'name']).orderBy('name').orderBy('id').execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name) }));
}

/** Directory organisations whose name is exactly one of these (demo data and imports name them). */
export async function organizationsNamed(db: Db, names: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (!names.length) return [];
  const rows = await db.selectFrom('directory_organization').select(['id', 'name']).where('name', 'in', [...names]).orderBy('name').execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name) }));
}
