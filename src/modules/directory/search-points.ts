/**
 * Search points: one row per service, place it is offered at and need it meets, carrying what the common searches filter on
 * (grid cell and coordinates, confidentiality, needs, populations and traits as bit masks, language codes and names,
 * free of cost, capacity available, the name to order by). A search near a place then reads the rows of a few grid
 * cells and tests each with plain column comparisons, instead of following every location in a bounding box to its
 * service, attributes and languages through index lookups. Rows are keyed by (cell, need, service, location), so
 * that a search for a need near a place seeks straight to that need's rows in each cell.
 *
 * The rows are derived data: `writeSearchPoints` rebuilds them for the services it is given, and every command that
 * changes what they hold (import, approved edits, capacity) calls it through `reindexServices`. A service has a row
 * per located location (cell -1 and no location when it has none) and need (-1 when it has none); defunct
 * services have none. Bits follow the order
 * of TERMS in taxonomy.ts: a change to that order needs a migration that calls `rebuildSearchPoints`.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Box } from '../../platform/db/geo.ts';
import { deleteMany, insertMany, insertManyLoading, valuesInto } from '../../platform/db/bulk.ts';
import { documentKeys } from '../../platform/db/search.ts';
import { FACETS, TERMS, termId, type Facet } from './taxonomy.ts';
import { tableOf, type Row, type TableName } from './model.ts';

export const SEARCH_POINTS = 'directory_search_point';
/** The directory's full-text index of services (platform/db/search.ts). */
export const SEARCH_INDEX = 'directory_service_search';

/** Grid cells of a quarter degree (about 17 miles north to south): a 50-mile search reads some 60 cells. */
export const CELL_DEGREES = 0.25;
const COLUMNS = Math.round(360 / CELL_DEGREES);
const ROWS = Math.round(180 / CELL_DEGREES);
/** The cell of services without coordinates. */
export const NO_CELL = -1;
/** The need of services that meet none. */
export const NO_NEED = -1;

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));
const rowOf = (lat: number) => clamp(Math.floor((lat + 90) / CELL_DEGREES), 0, ROWS - 1);
const columnOf = (lng: number) => clamp(Math.floor((lng + 180) / CELL_DEGREES), 0, COLUMNS - 1);

export function cellOf(lat: number, lng: number): number {
  return rowOf(lat) * COLUMNS + columnOf(lng);
}

/**
 * The cells covering a box, as ranges of cell numbers (one per row of cells; whole rows merge into one range).
 * A box that crosses the antimeridian covers every longitude, as whereInBox does.
 */
export function cellRanges(box: Box): [number, number][] {
  const wrap = box.minLng < -180 || box.maxLng > 180;
  const c0 = wrap ? 0 : columnOf(box.minLng);
  const c1 = wrap ? COLUMNS - 1 : columnOf(box.maxLng);
  const out: [number, number][] = [];
  for (let r = rowOf(box.minLat); r <= rowOf(box.maxLat); r++) {
    const range: [number, number] = [r * COLUMNS + c0, r * COLUMNS + c1];
    const last = out[out.length - 1];
    if (last && last[1] + 1 === range[0]) last[1] = range[1];
    else out.push(range);
  }
  return out;
}

const BIT_OF_TERM = new Map<string, [Facet, number]>();
for (const f of FACETS) {
  // Bits 0..30 of a signed 32-bit integer on both engines.
  if (TERMS[f].length > 31) throw new Error(`search points: facet ${f} has more than 31 terms`);
  TERMS[f].forEach((t, i) => BIT_OF_TERM.set(termId(t.code), [f, 1 << i]));
}

/** The mask of these taxonomy term ids within a facet (ids of other terms add nothing). */
export function maskOf(facet: Facet, termIds: string[]): number {
  let mask = 0;
  for (const id of termIds) {
    const b = BIT_OF_TERM.get(id);
    if (b && b[0] === facet) mask |= b[1];
  }
  return mask;
}

/** The bit numbers set in a mask. */
export function bitsOf(mask: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 31; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/** The shipped term codes of a facet set in a mask. */
export function codesOf(facet: Facet, mask: number): string[] {
  return TERMS[facet].filter((_, i) => mask & (1 << i)).map((t) => t.code);
}

/** Words of `fees_description` that make a service free of cost (with a cost option of amount 0). */
export const FREE_WORDS = ['free', 'no cost', 'no charge', 'gratis'];

/** Language codes and names of a service as the search matches them: "|es|spanish|", lower case. */
const languageList = (values: string[]) => (values.length ? `|${[...new Set(values)].join('|')}|` : '');

export interface SearchPointRow {
  cell: number;
  need: number;
  service_id: string;
  location_id: string;
  latitude: number | null;
  longitude: number | null;
  confidential: boolean;
  needs: number;
  populations: number;
  traits: number;
  languages: string;
  language_keys: string;
  free: boolean;
  capacity: boolean;
  name: string;
  /** The service's key in the search index (documentKeys), when the engine has one. */
  doc: number | null;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * What search keeps of some services (at most a few hundred ids), read in one query per table: the service rows
 * with their organisation's name, their located and unlocated places, attributes with their term names, languages,
 * and which are free or have capacity. Both the search text (store.ts) and the search points are made from it.
 */
export interface SearchInputs {
  services: Record<string, unknown>[];
  places: Record<string, unknown>[];
  attributes: Record<string, unknown>[];
  languages: Record<string, unknown>[];
  free: Set<string>;
  open: Set<string>;
  /**
   * The places, attributes and languages already grouped by service (as groupBy on service_id / link_id groups
   * them), when whoever made the inputs had them so (importedSearchInputs): not grouped again for the text and
   * the points.
   */
  grouped?: { places: Map<string, Record<string, unknown>[]>; attributes: Map<string, Record<string, unknown>[]>; languages: Map<string, Record<string, unknown>[]> };
}

export async function readSearchInputs(db: Db, ids: string[]): Promise<SearchInputs> {
  if (!ids.length) return { services: [], places: [], attributes: [], languages: [], free: new Set(), open: new Set() };
  const services = await db
    .selectFrom('directory_service as s')
    .leftJoin('directory_organization as o', 'o.id', 's.organization_id')
    .select(['s.id', 's.name', 's.alternate_name', 's.description', 's.eligibility_description', 's.interpretation_services', 's.status', 's.fees_description', 'o.name as organization_name'])
    .where('s.id', 'in', ids)
    .orderBy('s.id')
    .execute();
  const places = await db
    .selectFrom('directory_service_at_location as x')
    .innerJoin('directory_location as l', 'l.id', 'x.location_id')
    .select(['x.service_id', 'l.id as location_id', 'l.latitude', 'l.longitude', 'l.confidential'])
    .where('x.service_id', 'in', ids)
    .execute();
  const attributes = await db
    .selectFrom('directory_attribute as a')
    .leftJoin('directory_taxonomy_term as t', 't.id', 'a.taxonomy_term_id')
    .select(['a.link_id', 'a.taxonomy_term_id', 't.id as term_id', 't.name as term_name'])
    .where('a.link_id', 'in', ids)
    .orderBy('a.id')
    .execute();
  const languages = await db.selectFrom('directory_language').select(['service_id', 'code', 'name']).where('service_id', 'in', ids).orderBy('id').execute();
  const free = await db.selectFrom('directory_cost_option').select('service_id').where('service_id', 'in', ids).where('amount', '=', 0).execute();
  const open = await db.selectFrom('directory_service_capacity').select('service_id').where('service_id', 'in', ids).where('available', '>', 0).execute();
  return { services, places, attributes, languages, free: new Set(free.map((r) => str(r.service_id))), open: new Set(open.map((r) => str(r.service_id))) };
}

/** Rows an import holds, by table (a Dataset's `get`), and which of its services the directory did not have before. */
export interface ImportedServices {
  rows: (table: TableName) => Row[];
  added: ReadonlySet<string>;
}

const byId = (a: Row, b: Row) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0);

/**
 * The search inputs of services an import has just added, made from the import's rows instead of read back (six
 * queries per 500 services, a tenth of a large first import). A service new to the directory has exactly the rows the
 * import wrote for it: its places, attributes, languages, cost options and capacities can only have come with it,
 * since a row naming a service the directory lacks is refused. The records those rows name may be older (the
 * directory's own taxonomy terms, a location stored before, the real record behind an exported redacted location):
 * whatever the import does not carry is read from the database, once each. The result is what readSearchInputs
 * would read, in the same order; search-index.test.ts compares the two.
 */
export function importedSearchInputs(db: Db, imported: ImportedServices): (ids: string[]) => Promise<SearchInputs> {
  const own = <T extends Row>(table: TableName, col: string) => {
    const out = new Map<string, T[]>();
    for (const r of imported.rows(table)) {
      const k = r[col];
      if (typeof k !== 'string' || !imported.added.has(k)) continue;
      const list = out.get(k);
      if (list) list.push(r as T);
      else out.set(k, [r as T]);
    }
    return out;
  };
  const services = new Map<string, Row>();
  for (const s of imported.rows('service')) if (imported.added.has(s.id as string)) services.set(s.id as string, s);
  const placesOf = own('service_at_location', 'service_id');
  const attributesOf = own('attribute', 'link_id');
  const languagesOf = own('language', 'service_id');
  const costsOf = own('cost_option', 'service_id');
  const capacitiesOf = own('service_capacity', 'service_id');
  for (const list of [...attributesOf.values(), ...languagesOf.values()]) list.sort(byId);
  // Records named, from the import where it has them, else from the database (null: the database has none either).
  const known = (table: TableName) => new Map<string, Row | null>(imported.rows(table).map((r) => [r.id as string, r]));
  const locations = known('location');
  const organizations = known('organization');
  const terms = known('taxonomy_term');
  const fetch = async (table: TableName, into: Map<string, Row | null>, ids: Iterable<unknown>, columns: string[]) => {
    const missing = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && !into.has(id)))];
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      for (const id of chunk) into.set(id, null);
      for (const r of await db.selectFrom(tableOf(table)).select(columns).where('id', 'in', chunk).execute()) into.set(String(r.id), r as Row);
    }
  };
  return async (ids) => {
    const list = ids.map((id) => services.get(id)).filter((s): s is Row => !!s).sort(byId);
    const places = list.flatMap((s) => placesOf.get(s.id as string) ?? []);
    const attributes = list.flatMap((s) => attributesOf.get(s.id as string) ?? []);
    await fetch('organization', organizations, list.map((s) => s.organization_id), ['id', 'name']);
    await fetch('location', locations, places.map((p) => p.location_id), ['id', 'latitude', 'longitude', 'confidential']);
    await fetch('taxonomy_term', terms, attributes.map((a) => a.taxonomy_term_id), ['id', 'name']);
    const grouped = { places: new Map<string, Row[]>(), attributes: new Map<string, Row[]>(), languages: new Map<string, Row[]>() };
    const out: SearchInputs = { services: [], places: [], attributes: [], languages: [], free: new Set(), open: new Set(), grouped };
    // Each row also listed under its service, in the same order, as groupBy would list it.
    const push = (all: Row[], by: Map<string, Row[]>, id: string, r: Row) => {
      all.push(r);
      const list = by.get(id);
      if (list) list.push(r);
      else by.set(id, [r]);
    };
    for (const s of list) {
      const id = s.id as string;
      const org = typeof s.organization_id === 'string' ? organizations.get(s.organization_id) : null;
      out.services.push({ id, name: s.name, alternate_name: s.alternate_name, description: s.description, eligibility_description: s.eligibility_description, interpretation_services: s.interpretation_services, status: s.status, fees_description: s.fees_description, organization_name: org ? org.name : null });
      for (const p of placesOf.get(id) ?? []) {
        // An inner join: a place whose location is nowhere is no place.
        const l = typeof p.location_id === 'string' ? locations.get(p.location_id) : null;
        if (l) push(out.places, grouped.places, id, { service_id: id, location_id: l.id, latitude: l.latitude, longitude: l.longitude, confidential: l.confidential });
      }
      for (const a of attributesOf.get(id) ?? []) {
        const t = typeof a.taxonomy_term_id === 'string' ? terms.get(a.taxonomy_term_id) : null;
        push(out.attributes, grouped.attributes, id, { link_id: id, taxonomy_term_id: a.taxonomy_term_id, term_id: t ? t.id : null, term_name: t ? t.name : null });
      }
      for (const l of languagesOf.get(id) ?? []) push(out.languages, grouped.languages, id, { service_id: id, code: l.code, name: l.name });
      if ((costsOf.get(id) ?? []).some((c) => c.amount !== null && Number(c.amount) === 0)) out.free.add(id);
      if ((capacitiesOf.get(id) ?? []).some((c) => c.available !== null && Number(c.available) > 0)) out.open.add(id);
    }
    return out;
  };
}

/** Rows of a list grouped by the text of one column. */
export function groupBy<T extends Record<string, unknown>>(rows: T[], key: string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = str(r[key]);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** The search points of the services read. */
export function searchPointRows(input: SearchInputs, docKeys: ReadonlyMap<string, number>): SearchPointRow[] {
  const placesOf = input.grouped?.places ?? groupBy(input.places, 'service_id');
  const attrsOf = input.grouped?.attributes ?? groupBy(input.attributes, 'link_id');
  const langsOf = input.grouped?.languages ?? groupBy(input.languages, 'service_id');
  const out: SearchPointRow[] = [];
  // Written out rather than spread from shared parts: this runs for every service of an import.
  for (const s of input.services) {
    if (s.status === 'defunct') continue;
    const id = str(s.id);
    const masks = { need: 0, population: 0, trait: 0 };
    for (const a of attrsOf.get(id) ?? NONE) {
      const b = BIT_OF_TERM.get(str(a.taxonomy_term_id));
      if (b) masks[b[0]] |= b[1];
    }
    const match: string[] = [];
    const keys: string[] = [];
    for (const l of langsOf.get(id) ?? NONE) {
      const code = str(l.code).toLowerCase();
      const name = str(l.name).toLowerCase();
      if (code) match.push(code);
      if (name) match.push(name);
      const key = l.code === null || l.code === undefined ? name : code;
      if (key) keys.push(key);
    }
    const fees = str(s.fees_description).toLowerCase();
    const languages = languageList(match);
    const language_keys = languageList(keys);
    const free = input.free.has(id) || FREE_WORDS.some((w) => fees.includes(w));
    const capacity = input.open.has(id);
    const name = str(s.name);
    const doc = docKeys.get(id) ?? null;
    const point = (cell: number, need: number, location_id: string, latitude: number | null, longitude: number | null, confidential: boolean): SearchPointRow => ({
      cell,
      need,
      service_id: id,
      location_id,
      latitude,
      longitude,
      confidential,
      needs: masks.need,
      populations: masks.population,
      traits: masks.trait,
      languages,
      language_keys,
      free,
      capacity,
      name,
      doc,
    });
    const needs = bitsOf(masks.need);
    if (!needs.length) needs.push(NO_NEED);
    let located = false;
    let seen: Set<string> | undefined;
    for (const p of placesOf.get(id) ?? NONE) {
      if (p.latitude === null || p.longitude === null) continue;
      located = true;
      const loc = str(p.location_id);
      if (seen?.has(loc)) continue;
      (seen ??= new Set()).add(loc);
      const lat = Number(p.latitude);
      const lng = Number(p.longitude);
      const cell = cellOf(lat, lng);
      for (const need of needs) out.push(point(cell, need, loc, lat, lng, Boolean(p.confidential)));
    }
    if (!located) for (const need of needs) out.push(point(NO_CELL, need, '', null, null, false));
  }
  return out;
}
const NONE: readonly Record<string, unknown>[] = [];

const POINT_COLUMNS: (keyof SearchPointRow)[] = ['cell', 'need', 'service_id', 'location_id', 'latitude', 'longitude', 'confidential', 'needs', 'populations', 'traits', 'languages', 'language_keys', 'free', 'capacity', 'name', 'doc'];

/** Replaces the search points of the services `ids` (at most a few hundred) with `rows`, which may add others' (new services). */
export async function replaceSearchPoints(db: Db, ids: string[], rows: SearchPointRow[]): Promise<void> {
  await deleteMany(db, SEARCH_POINTS, 'service_id', ids);
  await insertMany(db, SEARCH_POINTS, POINT_COLUMNS, { rows, values: pointValues });
}

/** A search point's values in POINT_COLUMNS order, put into the bulk writer's array: compiled, no array per point. */
const pointValues = valuesInto<SearchPointRow>(POINT_COLUMNS);

const byKey = (a: SearchPointRow, b: SearchPointRow) => a.cell - b.cell || a.need - b.need || (a.service_id < b.service_id ? -1 : a.service_id > b.service_id ? 1 : 0) || (a.location_id < b.location_id ? -1 : a.location_id > b.location_id ? 1 : 0);

/**
 * Writes the search points of services that have none (an import's new services), in the order of the table's key,
 * so that the rows go in side by side rather than all over the table. A load larger than what the table holds goes in
 * without its secondary indexes, built again afterwards (as an import loads the HSDS tables).
 */
export async function addSearchPoints(db: Db, rows: SearchPointRow[]): Promise<void> {
  if (!rows.length) return;
  rows.sort(byKey);
  await insertManyLoading(db, SEARCH_POINTS, POINT_COLUMNS, { rows, values: pointValues });
}

/** Rebuilds the search points of these services (all of a service's rows, from its current records). */
export async function writeSearchPoints(db: Db, serviceIds: string[]): Promise<number> {
  const ids = [...new Set(serviceIds.filter(Boolean))];
  let written = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = searchPointRows(await readSearchInputs(db, chunk), await documentKeys(db, SEARCH_INDEX, chunk));
    await replaceSearchPoints(db, chunk, rows);
    written += rows.length;
  }
  return written;
}

/** Rebuilds every search point (a migration, or after the term order changed). */
export async function rebuildSearchPoints(db: Db): Promise<void> {
  await db.deleteFrom(SEARCH_POINTS).execute();
  let after: string | null = null;
  for (;;) {
    const from: string | null = after;
    const ids: string[] = (await db.selectFrom('directory_service').select('id').$if(from !== null, (q) => q.where('id', '>', from)).orderBy('id').limit(5000).execute()).map((r) => String(r.id));
    if (!ids.length) return;
    await writeSearchPoints(db, ids);
    after = ids[ids.length - 1];
  }
}

/** What a search asks of the points: masks are "any of" within a facet, all facets together. */
export interface PointFilters {
  needs?: number;
  populations?: number;
  traits?: number[];
  languages?: string[];
  free?: boolean;
  capacity?: boolean;
  box?: Box;
  /** With a box: whether confidential locations count (vetted callers only). */
  confidential: boolean;
}

export interface PointHit {
  service_id: string;
  location_id: string;
  confidential: boolean;
  latitude: number | null;
  longitude: number | null;
  needs: number;
  populations: number;
  traits: number;
  language_keys: string;
  name: string;
  doc: number | null;
}

const MAX_CELLS_LISTED = 400;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The points matching the filters (all rows of a service that match; callers keep one per service). `from` is a
 * query that already names the points `sp` (joined to text matches, say). Without `facets` the rows leave out the
 * masks and language keys.
 */
export function pointQuery(db: Db, f: PointFilters, from?: any, facets = true) {
  // A distance search may read tens of thousands of rows: the facets' columns only when they are counted.
  const columns = ['sp.service_id', 'sp.location_id', 'sp.latitude', 'sp.longitude', 'sp.confidential', 'sp.name', 'sp.doc', ...(facets ? ['sp.needs', 'sp.populations', 'sp.traits', 'sp.language_keys'] : [])];
  return pointsWhere((from ?? db.selectFrom(`${SEARCH_POINTS} as sp`)).select(columns), f);
}

/** The filters as conditions on a query that names the points `sp` (pointQuery's, or one selecting other columns). */
export function pointsWhere(query: any, f: PointFilters) {
  let q = query;
  if (f.box) {
    const box = f.box;
    const ranges = cellRanges(box);
    const cells = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
    // The cells one by one (with the needs, each pair a seek) unless there are very many (a radius of hundreds of
    // miles): then ranges of cells, each scanned.
    if (cells <= MAX_CELLS_LISTED) q = q.where('sp.cell', 'in', ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)));
    else q = q.where((e: any) => e.or(ranges.map(([a, b]) => e.and([e('sp.cell', '>=', a), e('sp.cell', '<=', b)]))));
    q = q.where('sp.latitude', '>=', box.minLat).where('sp.latitude', '<=', box.maxLat);
    if (box.minLng >= -180 && box.maxLng <= 180) q = q.where('sp.longitude', '>=', box.minLng).where('sp.longitude', '<=', box.maxLng);
    if (!f.confidential) q = q.where('sp.confidential', '=', false);
  }
  const masked = (col: string, mask: number) => sql<boolean>`(${sql.ref(col)} & ${mask}) <> 0`;
  if (f.needs) q = q.where('sp.need', 'in', bitsOf(f.needs));
  if (f.populations) q = q.where(masked('sp.populations', f.populations));
  for (const t of f.traits ?? []) q = q.where(masked('sp.traits', t));
  if (f.languages?.length) {
    const langs = f.languages;
    const tests = langs.map((l) => sql`${sql.ref('sp.languages')} like ${`%|${likeEscape(l)}|%`} escape '\\'`);
    q = q.where(sql<boolean>`(${sql.join(tests, sql` or `)})`);
  }
  if (f.free) q = q.where('sp.free', '=', true);
  if (f.capacity) q = q.where('sp.capacity', '=', true);
  return q;
}

