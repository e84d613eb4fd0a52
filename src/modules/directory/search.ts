/**
 * Directory search: ranked free text with everyday synonyms, distance from a ZIP code or point, filters and facet
 * counts. Full text and geography go through platform/db (search.ts, geo.ts); the rest is portable SQL and code.
 */
import zipcodes from 'zipcodes';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { documentMatches, documentScores, documentTexts, firstMatches, matchingKeys, matchingKeySet, rankStatistics, searchMatches, queryWords, textMatcher, type SearchQuery } from '../../platform/db/search.ts';
import { boundingBox, distanceMilesSql, haversineMiles, whereInBox } from '../../platform/db/geo.ts';
import { TERMS, termId, type Facet } from './taxonomy.ts';
import { FILLER_WORDS, STOP_WORDS, SYNONYMS } from './synonyms.ts';
import { bestOf, blended, withName, coarsePoint, CONFIDENTIAL_GRID_DEGREES, withinBand, type SearchSort } from './relevance.ts';
import { rowsWhereIn, SEARCH_INDEX } from './store.ts';
import { codesOf, FREE_WORDS, maskOf, pointQuery, pointsWhere, SEARCH_POINTS, type PointFilters, type PointHit } from './search-points.ts';
import type { Row } from './model.ts';
import { readSummary } from './summary.ts';
import { cachedSearch, dataVersion } from './search-cache.ts';

export interface SearchParams {
  q?: string;
  /** A 5-digit ZIP code or "lat,lng". */
  near?: string;
  /** Miles; 25 when a place is given without it. */
  radius?: number;
  /**
   * With text and a place: 'relevance' ("Best match", the default) blends how well each service matches with how
   * near it is (relevance.ts); 'distance' ("Nearest") orders by distance alone. Without both, it changes nothing.
   */
  sort?: SearchSort;
  need?: string[];
  population?: string[];
  trait?: string[];
  language?: string[];
  free?: boolean;
  openNow?: boolean;
  referrals?: boolean;
  capacity?: boolean;
  taxonomyTermId?: string[];
  taxonomyId?: string;
  organizationId?: string;
  modifiedAfter?: string;
  postcode?: string;
  /** Facet counts cost a grouped query or two; callers that show none (the API) pass false. */
  facets?: boolean;
  /** 'tables' answers from the HSDS tables even where the search points could (tests compare the two). */
  plan?: 'tables';
  page: number;
  perPage: number;
  vetted: boolean;
  /** Only services of these organisations (an empty list finds nothing): `referable` (search-audience.ts). */
  organizationIds?: readonly string[];
  /** Directory organisations whose confidential locations the caller sees although not vetted (hsds.ts Audience). */
  stewarded?: ReadonlySet<string>;
  now?: Date;
}

export interface Hit {
  serviceId: string;
  score: number;
  /** Miles to the nearest location the caller may see, when a place was given. */
  distance?: number;
  /**
   * Set when `distance` is a band ("within 5 miles") to a confidential location the caller may not see: no location
   * is named then (relevance.ts).
   */
  within?: boolean;
  locationId?: string;
}

export interface SearchResult {
  total: number;
  hits: Hit[];
  facets: Record<Facet | 'language', Record<string, number>>;
  origin?: { lat: number; lng: number; label: string };
  /**
   * Set when the text matched more services than are ranked: `hits` are `ranked` of them taken from the index without
   * ranking every match (text alone: those whose name has the words typed first, then those whose name has any of
   * the query's words, then the others, each in the index's order; platform firstMatches), ranked among themselves;
   * `total` counts every match (up to TEXT_COUNTED; `more` when there are more still), and the facets are over the
   * ranked ones.
   */
  bounded?: { ranked: number; more: boolean };
}

export class PlaceError extends Error {}

/** Half the diagonal of a confidential grid cell at this latitude, in miles (the most a cell centre is off by). */
function cellSlack(lat: number): number {
  const half = CONFIDENTIAL_GRID_DEGREES / 2;
  return haversineMiles(lat - half, -half, lat + half, half) / 2 + 0.01;
}

/**
 * How far a location is from the searched place, as this caller may learn it: exactly, or for a confidential
 * location the caller may not see, as a band measured to its grid cell (relevance.ts); null when outside the radius.
 */
export function placeDistance(place: { lat: number; lng: number }, radius: number, lat: number, lng: number, hidden: boolean): { distance: number; within: boolean } | null {
  if (!hidden) {
    const d = haversineMiles(place.lat, place.lng, lat, lng);
    return d > radius ? null : { distance: d, within: false };
  }
  const c = coarsePoint(lat, lng);
  const d = haversineMiles(place.lat, place.lng, c.lat, c.lng);
  return d > radius ? null : { distance: withinBand(d, cellSlack(c.lat)), within: true };
}

/** Where "near" is: a ZIP code centroid (from the zipcodes package's data) or explicit coordinates. */
export function resolvePlace(near: string): { lat: number; lng: number; label: string } {
  const s = near.trim();
  const zip = /^(\d{5})(?:-\d{4})?$/.exec(s);
  if (zip) {
    const hit = zipcodes.lookup(zip[1]);
    if (!hit) throw new PlaceError(`ZIP code ${zip[1]} is not known`);
    return { lat: hit.latitude, lng: hit.longitude, label: `${zip[1]} (${hit.city}, ${hit.state})` };
  }
  const m = /^(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$/.exec(s);
  if (m) {
    const lat = Number(m[1]);
    const lng = Number(m[2]);
    if (lat < -90 || lat > 90 || lng < -180 || lng > 180) throw new PlaceError('coordinates are out of range');
    return { lat, lng, label: `${lat}, ${lng}` };
  }
  throw new PlaceError('must be a 5-digit ZIP code or "latitude,longitude"');
}

/**
 * The user's words, each widened with the words it commonly means (synonyms.ts). Joining words ("for", "cerca de")
 * are left out when there are others; with `withoutFiller`, so are filler words ("help", "ayuda"), and a query of
 * such words only asks for nothing (an empty query).
 */
export function expandQuery(text: string, withoutFiller = false): SearchQuery {
  const all = queryWords(text);
  const joined = all.filter((w) => !STOP_WORDS.has(w));
  const words = joined.length ? joined : all;
  const meaningful = withoutFiller ? words.filter((w) => !FILLER_WORDS.has(w) && !STOP_WORDS.has(w)) : words;
  return meaningful.map((w) => {
    const alts: string[][] = [[w]];
    // A one-word synonym that begins with the word typed ("classes" for "class") is left out: the word, matched as a
    // prefix, finds every record the synonym finds, and each such record was counted again (as a synonym) on both
    // engines, so that "classes" outranked "class".
    for (const s of SYNONYMS[w] ?? []) if (s.includes(' ') || !s.startsWith(w)) alts.push(s.split(' '));
    return alts;
  });
}

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
/** Directory hours are local to the services; the demo data is on Eastern time. */
export const DIRECTORY_TIME_ZONE = 'America/New_York';

let directoryClock: Intl.DateTimeFormat | undefined;
/** The last instant read on the directory's clock: a page's cards ask for the same instant once per schedule row. */
let lastLocal: { at: number; local: { day: string; minutes: number } } | undefined;

function localNow(now: Date, offsetHours: number | null): { day: string; minutes: number } {
  if (offsetHours !== null) {
    const t = new Date(now.getTime() + offsetHours * 3600_000);
    return { day: DAY_CODES[t.getUTCDay()], minutes: t.getUTCHours() * 60 + t.getUTCMinutes() };
  }
  if (lastLocal?.at === now.getTime()) return lastLocal.local;
  // One formatter for the process: making one costs more than the rest of a page's opening hours together.
  const parts = (directoryClock ??= new Intl.DateTimeFormat('en-US', { timeZone: DIRECTORY_TIME_ZONE, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).formatToParts(now);
  const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
  const local = { day: get('weekday').slice(0, 2).toUpperCase(), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
  lastLocal = { at: now.getTime(), local };
  return local;
}

const minutesOf = (t: unknown) => {
  const m = typeof t === 'string' ? /^(\d{1,2}):(\d{2})/.exec(t) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** Whether a weekly schedule row is open at `now`. Rows without days or times say nothing. */
export function isOpen(s: Row, now: Date): boolean {
  const open = minutesOf(s.opens_at);
  const close = minutesOf(s.closes_at);
  if (open === null || close === null) return false;
  if (s.valid_from && String(s.valid_from) > now.toISOString().slice(0, 10)) return false;
  if (s.valid_to && String(s.valid_to) < now.toISOString().slice(0, 10)) return false;
  const { day, minutes } = localNow(now, typeof s.timezone === 'number' ? s.timezone : null);
  const days = typeof s.byday === 'string' && s.byday ? s.byday.split(',').map((d) => d.trim().slice(-2)) : DAY_CODES;
  if (!days.includes(day)) return false;
  return close > open ? minutes >= open && minutes < close : minutes >= open || minutes < close;
}

function codesToIds(codes: string[] | undefined, facet: Facet): string[] {
  const known = new Set(TERMS[facet].map((t) => t.code));
  return (codes ?? []).map((c) => (c.includes('.') ? c : `${facet}.${c}`)).filter((c) => known.has(c)).map(termId);
}

const EMPTY_FACETS = (): SearchResult['facets'] => ({ need: {}, population: {}, trait: {}, language: {} });

/**
 * The filters as conditions on the service `s` (whose id is the column `sid`), each a lookup through an index per
 * candidate. Null when a filter
 * names nothing known (no results). Builders are untyped: `Db` is Kysely<any> and the query shapes vary.
 */
function serviceFilters(p: SearchParams, termsMayDrive: boolean, sid: string): ((q: any) => any)[] | null {
  const out: ((q: any) => any)[] = [(q) => q.where('s.status', '!=', 'defunct'), notStoodFor(sid)];
  let driving = termsMayDrive;
  const anyTerm = (ids: string[]) => {
    // With nothing else to start from, the first term filter is written as "id in (services with the term)", which
    // lets SQLite walk the term's index instead of every service; the others are lookups per candidate.
    if (driving) {
      driving = false;
      return (q: any) => q.where('s.id', 'in', (e: any) => e.selectFrom('directory_attribute as a').select('a.link_id').where('a.taxonomy_term_id', 'in', ids));
    }
    return (q: any) =>
      q.where(({ exists, selectFrom }: any) => exists(selectFrom('directory_attribute as a').select('a.id').whereRef('a.link_id', '=', sid).where('a.taxonomy_term_id', 'in', ids)));
  };
  for (const facet of ['need', 'population', 'trait'] as const) {
    const ids = codesToIds(p[facet], facet);
    if (p[facet]?.length && !ids.length) return null;
    if (ids.length) out.push(anyTerm(ids));
  }
  if (p.referrals) out.push(anyTerm([termId('trait.hotline-referrals')]));
  if (p.taxonomyTermId?.length) out.push(anyTerm(p.taxonomyTermId));
  if (p.taxonomyId) {
    const taxonomyId = p.taxonomyId;
    out.push((q) =>
      q.where(({ exists, selectFrom }: any) =>
        exists(selectFrom('directory_attribute as a').innerJoin('directory_taxonomy_term as tt', 'tt.id', 'a.taxonomy_term_id').select('a.id').whereRef('a.link_id', '=', sid).where('tt.taxonomy_id', '=', taxonomyId)),
      ),
    );
  }
  if (p.organizationId) {
    const org = p.organizationId;
    // With the organisations matched with it from other sources (federation): one organisation, shown once.
    out.push((q) =>
      q.where((e: any) =>
        e.or([
          e('s.organization_id', '=', org),
          e('s.organization_id', 'in', e.selectFrom('directory_organization_match').select('organization_id').where('same_as', '=', org)),
          e('s.organization_id', 'in', e.selectFrom('directory_organization_match').select('same_as').where('organization_id', '=', org)),
        ]),
      ),
    );
  }
  if (p.organizationIds) {
    if (!p.organizationIds.length) return null;
    const orgs = [...p.organizationIds];
    out.push((q) => q.where('s.organization_id', 'in', orgs));
  }
  if (p.modifiedAfter) {
    const after = p.modifiedAfter;
    out.push((q) => q.where('s.last_modified', '>=', after));
  }
  if (p.language?.length) {
    const langs = p.language.map((l) => l.toLowerCase());
    out.push((q) =>
      q.where(({ exists, selectFrom }: any) =>
        exists(
          selectFrom('directory_language as l')
            .select('l.id')
            .whereRef('l.service_id', '=', sid)
            .where((e: any) => e.or([e(sql`lower(l.code)`, 'in', langs), e(sql`lower(l.name)`, 'in', langs)])),
        ),
      ),
    );
  }
  if (p.free) {
    out.push((q) =>
      q.where((e: any) =>
        e.or([
          e.exists(e.selectFrom('directory_cost_option as c').select('c.id').whereRef('c.service_id', '=', sid).where('c.amount', '=', 0)),
          ...FREE_WORDS.map((w) => e(sql`lower(coalesce(s.fees_description, ''))`, 'like', `%${w}%`)),
        ]),
      ),
    );
  }
  if (p.capacity) {
    out.push((q) => q.where(({ exists, selectFrom }: any) => exists(selectFrom('directory_service_capacity as c').select('c.id').whereRef('c.service_id', '=', sid).where('c.available', '>', 0))));
  }
  if (p.postcode) out.push(postcodeFilter(p.postcode, p.vetted, sid));
  return out;
}

/** The first five digits of a ZIP code ("20001-1234" covers as "20001"). */
const zip5 = (postcode: string) => postcode.trim().slice(0, 5);

/**
 * A service is at a postcode when one of its locations has that postal code (confidential ones only for vetted
 * callers), or when one of its service areas lists the ZIP code: HSDS 3.0 keeps a free-text area in `name` and,
 * with `extent_type` "text" (or none), in `extent`, e.g. "20001, 20002, 20003".
 */
function postcodeFilter(postcode: string, vetted: boolean, sid: string) {
  const zip = zip5(postcode);
  // Separators become spaces on both sides, so that the ZIP code matches as a whole word only.
  const words = (col: string) => sql`(' ' || replace(replace(replace(replace(coalesce(${sql.ref(col)}, ''), ',', ' '), ';', ' '), '|', ' '), '/', ' ') || ' ')`;
  return (q: any) =>
    q.where((e: any) =>
      e.or([
        e.exists(
          e
            .selectFrom('directory_service_at_location as x')
            .innerJoin('directory_location as lo', 'lo.id', 'x.location_id')
            .innerJoin('directory_address as ad', 'ad.location_id', 'lo.id')
            .select('x.id')
            .whereRef('x.service_id', '=', sid)
            .where('ad.postal_code', '=', postcode)
            .$if(!vetted, (w: any) => w.where('lo.confidential', '=', false)),
        ),
        e.exists(
          e
            .selectFrom('directory_service_area as sa')
            .select('sa.id')
            .whereRef('sa.service_id', '=', sid)
            .where((w: any) =>
              w.or([
                w(words('sa.name'), 'like', `% ${zip} %`),
                w.and([w.or([w('sa.extent_type', 'is', null), w(sql`lower(sa.extent_type)`, '=', 'text')]), w(words('sa.extent'), 'like', `% ${zip} %`)]),
              ]),
            ),
        ),
      ]),
    );
}

/** Whether a service area lists this ZIP code (the rule of `postcodeFilter`, for rows already loaded). */
export function areaCoversPostcode(area: Row, postcode: string): boolean {
  const zip = zip5(postcode);
  const listed = (v: unknown) => typeof v === 'string' && v.split(/[\s,;|/]+/).includes(zip);
  const textual = area.extent_type === null || area.extent_type === undefined || String(area.extent_type).toLowerCase() === 'text';
  return listed(area.name) || (textual && listed(area.extent));
}

/**
 * The filters as a search of the search points (search-points.ts), when every filter given is one the points
 * carry; null when one is not (taxonomy ids, organisation, modification date, postcode), 'none' when a filter
 * names nothing known.
 */
function pointFiltersOf(p: SearchParams): PointFilters | null | 'none' {
  if (p.taxonomyTermId?.length || p.taxonomyId || p.organizationId || p.organizationIds || p.modifiedAfter || p.postcode) return null;
  const f: PointFilters = { confidential: p.vetted, traits: [] };
  for (const facet of ['need', 'population', 'trait'] as const) {
    const ids = codesToIds(p[facet], facet);
    if (p[facet]?.length && !ids.length) return 'none';
    if (!ids.length) continue;
    const mask = maskOf(facet, ids);
    if (facet === 'need') f.needs = mask;
    else if (facet === 'population') f.populations = mask;
    else f.traits!.push(mask);
  }
  if (p.referrals) f.traits!.push(maskOf('trait', [termId('trait.hotline-referrals')]));
  if (p.language?.length) f.languages = p.language.map((l) => l.toLowerCase());
  f.free = p.free;
  f.capacity = p.capacity;
  return f;
}

/**
 * Searches the directory. A text search that finds nothing with every word is run again without its filler words
 * ("help for sex trafficking survivors" is then a search for survivors of sex trafficking; "ayuda" alone, for
 * anything the filters and place allow): "immigration help" still prefers services that say "help".
 */
export async function searchServices(db: Db, kind: DatabaseKind, p: SearchParams, cacheEntries?: number): Promise<SearchResult> {
  // With `cacheEntries` (the config's SEARCH_CACHE_ENTRIES; the API and the search page pass it), the answer is kept
  // until the directory changes (search-cache.ts).
  return cachedSearch(searchFresh, db, kind, p, cacheEntries);
}

async function searchFresh(db: Db, kind: DatabaseKind, p: SearchParams): Promise<SearchResult> {
  const first = await searchOnce(db, kind, p, false);
  if (first.total > 0 || !p.q || !queryWords(p.q).some((w) => FILLER_WORDS.has(w))) return first;
  return searchOnce(db, kind, p, true);
}

async function searchOnce(db: Db, kind: DatabaseKind, p: SearchParams, withoutFiller: boolean): Promise<SearchResult> {
  const place = p.near ? resolvePlace(p.near) : undefined;
  const expanded = p.q ? expandQuery(p.q, withoutFiller) : [];
  const query = expanded.length ? expanded : null;
  const points = pointFiltersOf(p);
  if (points === 'none') return { total: 0, hits: [], facets: EMPTY_FACETS(), origin: place };
  // Text alone (or nothing at all) stays with the general search: the points add nothing to a text match there.
  const narrows = points && (place || points.needs || points.populations || points.traits?.length || points.languages?.length || points.free || points.capacity);
  if (points && narrows && p.plan !== 'tables') return searchByPoints(db, kind, p, points, place, query);
  // Nothing asked at all (the landing page, the unfiltered list): the directory's kept figures and one page read
  // in name order through its index, instead of every service read, sorted and counted.
  if (points && !place && !query && !p.openNow && p.plan !== 'tables') return everyService(db, p);
  // Term filters may drive only when neither a place nor the text does. With a place, the lookups name the service
  // through service_at_location, so that SQLite makes them before reading the (wide) service row at all.
  const filters = serviceFilters(p, !place && !query, place ? 'sal.service_id' : 's.id');
  if (!filters) return { total: 0, hits: [], facets: EMPTY_FACETS(), origin: place };
  const filtered = (q: any) => filters.reduce((acc, f) => f(acc), q);
  const withFacets = p.facets !== false;
  const textMatches = query && !place ? searchMatches(kind, SEARCH_INDEX, query, await rankStatistics(db, SEARCH_INDEX, query)) : null;
  // The text matches drive the query when there are any: a cross join keeps SQLite from re-running the full-text
  // match for every service (it does not reorder cross joins; PostgreSQL plans it as a plain join).
  const matchingServices = () =>
    filtered(textMatches ? db.selectFrom(textMatches.as('m')).crossJoin('directory_service as s').whereRef('s.id', '=', 'm.doc_id') : db.selectFrom('directory_service as s'));

  let hits: (Hit & { name?: string })[];
  if (place) {
    const radius = p.radius ?? 25;
    // The place drives: locations in the bounding box (an index range), then their services through the filters,
    // and the text checked for those candidates only.
    let lq = db
      .selectFrom('directory_location as loc')
      .crossJoin('directory_service_at_location as sal')
      .crossJoin('directory_service as s')
      .whereRef('sal.location_id', '=', 'loc.id')
      .whereRef('s.id', '=', 'sal.service_id')
      .select(['s.id as id', 'loc.id as location_id', 'loc.latitude as lat', 'loc.longitude as lng', 'loc.confidential as confidential', 'loc.organization_id as org'])
      .where('loc.latitude', 'is not', null);
    // The box widened by a confidential cell, so that a confidential location whose cell centre is in the radius is
    // read; unvetted callers learn of one only as a band of distance (placeDistance).
    lq = whereInBox(lq, 'loc.latitude', 'loc.longitude', boundingBox(place.lat, place.lng, radius + (p.vetted ? 0 : cellSlack(place.lat))));
    lq = filtered(lq);
    const text = query ? documentMatches(kind, SEARCH_INDEX, query, 'sal.service_id') : null;
    if (text) lq = lq.where(text);
    const rows = (await lq.execute()) as { id: string; location_id: string; lat: unknown; lng: unknown; confidential: unknown; org: unknown }[];
    const best = new Map<string, Hit>();
    for (const r of rows) {
      const at = placeDistance(place, radius, Number(r.lat), Number(r.lng), Boolean(r.confidential) && !p.vetted && !p.stewarded?.has(String(r.org)));
      if (!at) continue;
      const prev = best.get(r.id);
      if (!prev || closer(at, prev)) best.set(r.id, { serviceId: r.id, score: 0, distance: at.distance, ...(at.within ? { within: true } : { locationId: r.location_id }) });
    }
    hits = [...best.values()];
    await orderNear(db, kind, query, hits, p.sort);
  } else {
    // A broad text search (a common word) is bounded: its matches are counted (up to TEXT_COUNTED) without being
    // ranked or read, and only TEXT_RANKED of them are read and ranked among themselves. Ranking, reading and sorting
    // every match of a common word took over a second at 500,000 services (ranking them all in SQL and keeping the
    // best, about as long), and the facets over them as long again.
    // Text alone (no filter but the ones every search has) is counted and taken from the full-text index only: it
    // holds the services search can find and no others (store.ts reindexServices), so no service row is read but
    // those of the ranked matches. Counting through the service rows cost about 90 ms for "job" at 200,000 services.
    const alone = Boolean(query) && Boolean(points) && !narrows && p.plan !== 'tables';
    const indexed = alone ? matchingKeys(kind, SEARCH_INDEX, query!) : null;
    // SQLite, outside a transaction: the count is the size of the query's set of matches, built from its words' sets
    // kept for the data version (platform matchingKeySet), which the place searches with the same words share: the
    // same words on another page, or asked near a place first, count nothing. Else counted in the index.
    const version = indexed && kind === 'sqlite' && !db.isTransaction ? await dataVersion(db) : undefined;
    const kept = version !== undefined ? await matchingKeySet(db, kind, SEARCH_INDEX, query!, version) : undefined;
    const many = kept
      ? Math.min(kept.size, TEXT_COUNTED + 1)
      : indexed
        ? await countUpTo(db, db.selectFrom(indexed.as('m')).select('m.doc_key'), TEXT_COUNTED)
        : textMatches
          ? await countUpTo(db, matchingServices().select('s.id as id'), TEXT_COUNTED)
          : 0;
    if (many > TEXT_RANKED) {
      if (indexed) {
        // Those named for the words first (platform firstMatches), ranked among themselves; ties are broken by the
        // indexed title (the name, folded, with the alternate name) rather than by reading a thousand service rows.
        hits = (await firstMatches(db, kind, SEARCH_INDEX, query!, TEXT_RANKED)).map((f) => ({ serviceId: f.id, score: f.score, name: f.title }));
      } else {
        const rows = (await matchingServices().select(['s.id as id', 's.name as name', 'm.score as score']).limit(TEXT_RANKED).execute()) as { id: string; name: string; score: unknown }[];
        hits = rows.map((r) => ({ serviceId: r.id, score: Number(r.score ?? 0), name: String(r.name) }));
      }
      rankText(hits, query);
      if (p.openNow) hits = await openNowOnly(db, hits, p.now ?? new Date());
      const facets = withFacets ? await facetCounts(db, hits.map((h) => h.serviceId)) : EMPTY_FACETS();
      const page = resultPage(p, hits, facets, place);
      // Without hours to check, the count is of every match; with them, of the ranked matches open now.
      return { ...page, total: p.openNow ? hits.length : Math.min(many, TEXT_COUNTED), bounded: { ranked: TEXT_RANKED, more: many > TEXT_COUNTED } };
    }
    // One pass: every matching id with its name and rank, ordered here. Counting and paging in SQL instead ran the
    // match and the filters twice, which cost more than sorting even tens of thousands of rows.
    let sq = matchingServices().select(['s.id as id', 's.name as name']);
    if (textMatches) sq = sq.select('m.score as score');
    const rows = (await sq.execute()) as { id: string; name: string; score?: unknown }[];
    hits = rows.map((r) => ({ serviceId: r.id as string, score: Number(r.score ?? 0), name: String(r.name) }));
    rankText(hits, query);
  }

  if (p.openNow) hits = await openNowOnly(db, hits, p.now ?? new Date());

  // Facets of a long result are counted over the query itself (no place or hours to apply afterwards), of a short
  // one over its ids.
  const facets = !withFacets ? EMPTY_FACETS() : hits.length > 2000 && !place && !p.openNow ? await facetCounts(db, matchingServices().select('s.id as id')) : await facetCounts(db, hits.map((h) => h.serviceId));
  return resultPage(p, hits, facets, place);
}

/**
 * Leaves out a service matched with one from another source seen first (federation-match.ts): that one stands for
 * both, as it does in the search text, the search points and the kept figures (store.ts reindexServices).
 */
function notStoodFor(sid: string) {
  return (q: any) => q.where(({ not, exists, selectFrom }: any) => not(exists(selectFrom('directory_service_match as dm').select('dm.service_id').whereRef('dm.service_id', '=', sid))));
}

/** Every service search can find, a page at a time in name order, with the figures summary.ts keeps. */
async function everyService(db: Db, p: SearchParams): Promise<SearchResult> {
  const summary = await readSummary(db);
  const rows = await db
    .selectFrom('directory_service as s')
    .select('s.id as id')
    .where('s.status', '!=', 'defunct')
    .$call(notStoodFor('s.id'))
    .orderBy('s.name')
    .orderBy('s.id')
    .limit(p.perPage)
    .offset((p.page - 1) * p.perPage)
    .execute();
  return { total: summary.total, hits: rows.map((r: { id: unknown }) => ({ serviceId: String(r.id), score: 0 })), facets: p.facets !== false ? summary.facets : EMPTY_FACETS() };
}

/** Text matches ranked at most; a search matching more shows that many of them (SearchResult.bounded). */
export const TEXT_RANKED = 1000;
/** Text matches counted at most. */
export const TEXT_COUNTED = 100_000;

/** How many rows `q` has, counting no further than `limit + 1`. */
async function countUpTo(db: Db, q: any, limit: number): Promise<number> {
  const r = await db.selectFrom(q.limit(limit + 1).as('c')).select((e: any) => e.fn.countAll().as('n')).executeTakeFirst();
  return Number((r as { n?: unknown } | undefined)?.n ?? 0);
}

type Named = Hit & { name?: string };
/** The last tie-break, so that equal hits keep one order from page to page. */
const byId = (a: Hit, b: Hit) => (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0);
/** Without a place: rank, then name, then id. */
const byRank = (a: Named, b: Named) => b.score - a.score || (a.name ?? '').localeCompare(b.name ?? '') || byId(a, b);
/**
 * Orders text matches without a place: by each score with its name's share (relevance.ts withName), then as byRank.
 * The hits keep the index's score.
 */
function rankText(hits: Named[], query: SearchQuery | null): void {
  if (!query) {
    hits.sort(byRank);
    return;
  }
  const value = new Map(hits.map((h) => [h, withName(h.score, h.name ?? '', query)]));
  hits.sort((a, b) => value.get(b)! - value.get(a)! || byRank(a, b));
}
/** Near a place: distance, then as byRank. */
const byDistance = (a: Named, b: Named) => a.distance! - b.distance! || byRank(a, b);

/** Whether a location's distance beats the hit so far: nearer, or as near and told exactly rather than as a band. */
const closer = (at: { distance: number; within: boolean }, prev: Hit) => at.distance < prev.distance! || (at.distance === prev.distance && !at.within && Boolean(prev.within));

/** The requested page of the ordered hits, with the result's total and facets. */
function resultPage(p: SearchParams, hits: Hit[], facets: SearchResult['facets'], origin: SearchResult['origin']): SearchResult {
  const start = (p.page - 1) * p.perPage;
  return { total: hits.length, hits: hits.slice(start, start + p.perPage).map(({ serviceId, score, distance, within, locationId }) => ({ serviceId, score, distance, ...(within ? { within } : {}), locationId })), facets, origin };
}

/** The hits open at `now` by their weekly hours, or open around the clock. */
async function openNowOnly<H extends Hit>(db: Db, hits: H[], now: Date): Promise<H[]> {
  const ids = hits.map((h) => h.serviceId);
  const schedules = await rowsWhereIn(db, 'schedule', 'service_id', ids);
  const allDay = new Set((await rowsWhereIn(db, 'attribute', 'link_id', ids)).filter((a) => a.taxonomy_term_id === termId('trait.24-hour')).map((a) => a.link_id));
  const open = new Set(schedules.filter((s) => isOpen(s, now)).map((s) => s.service_id));
  return hits.filter((h) => open.has(h.serviceId) || allDay.has(h.serviceId));
}

/**
 * The common searches, answered from the search points alone: near a place, the rows of the grid cells around it;
 * with text and no place, the text matches joined to their points; with neither, every point. Each row carries
 * the filters' columns, so the filters are column tests on the row, and the facets are counted from the rows too.
 * Text near a place is checked in code against the stored text of the few services left after the filters.
 */
async function searchByPoints(db: Db, kind: DatabaseKind, p: SearchParams, f: PointFilters, place: SearchResult['origin'], query: SearchQuery | null): Promise<SearchResult> {
  type PHit = Hit & { name: string; row: PointHit };
  let hits: PHit[];
  if (place && !query && !p.openNow && p.facets === false && (p.vetted || !p.stewarded?.size)) return nearestByPoints(db, kind, p, f, place);
  if (place) {
    const radius = p.radius ?? 25;
    // Confidential points too: unvetted callers learn of them only as a band of distance (placeDistance).
    const box = boundingBox(place.lat, place.lng, radius + (p.vetted ? 0 : cellSlack(place.lat)));
    const area = { ...f, confidential: true, box };
    let read = pointQuery(db, area, undefined, p.facets !== false);
    // The directory's data version: what is kept of the text's matches and scores is kept for it.
    let version: number | undefined;
    if (query) {
      // SQLite: only the points of services that match the text are read, tested against the set of the text's
      // matches (platform matchingKeySet, kept for the directory's data version): none match, and nothing is read.
      // Reading every point in the box and finding their matches afterwards cost up to fifteen times as much for a
      // dense box; testing `doc in (the matches)` in SQL had SQLite find every match of a common word and index
      // them for each statement.
      version = db.isTransaction ? undefined : await dataVersion(db);
      const matching = await matchingKeySet(db, kind, SEARCH_INDEX, query, version);
      if (matching) {
        if (!matching.size) return resultPage(p, [], EMPTY_FACETS(), place);
        // Points without the service's key in the index (none are expected) are checked as before.
        read = read.where((e: any) => e.or([matching.contains('sp.doc'), e('sp.doc', 'is', null)]));
      }
    }
    const rows = (await read.execute()) as PointHit[];
    // The points do not carry the location's organisation: looked up for the confidential ones, when the caller
    // stewards any organisation.
    const owners = new Map<string, string>();
    const secret = p.vetted || !p.stewarded?.size ? [] : [...new Set(rows.filter((r) => r.confidential).map((r) => r.location_id))];
    for (let i = 0; i < secret.length; i += 500) {
      for (const l of await db.selectFrom('directory_location').select(['id', 'organization_id']).where('id', 'in', secret.slice(i, i + 500)).execute()) owners.set(String(l.id), String(l.organization_id));
    }
    const best = new Map<string, PHit>();
    for (const r of rows) {
      const at = placeDistance(place, radius, Number(r.latitude), Number(r.longitude), Boolean(r.confidential) && !p.vetted && !p.stewarded?.has(owners.get(r.location_id) ?? ''));
      if (!at) continue;
      const prev = best.get(r.service_id);
      if (!prev || closer(at, prev)) best.set(r.service_id, { serviceId: r.service_id, score: 0, distance: at.distance, ...(at.within ? { within: true } : { locationId: r.location_id }), name: r.name, row: r });
    }
    hits = [...best.values()];
    let scores: Map<string, number> | undefined;
    if (query) {
      const keys = new Map<string, number>();
      for (const h of hits) if (h.row.doc !== null && h.row.doc !== undefined) keys.set(h.serviceId, Number(h.row.doc));
      if (p.sort !== 'distance') {
        // Best match needs every hit's score: the index scores the hits that match, by their keys, in one statement,
        // and that tells which match too (the stored texts are not read).
        scores = await documentScores(db, kind, SEARCH_INDEX, query, hits.map((h) => h.serviceId), keys, version);
        hits = hits.filter((h) => scores!.has(h.serviceId));
      } else {
        const texts = await documentTexts(db, SEARCH_INDEX, hits.map((h) => h.serviceId), keys);
        const matches = textMatcher(query);
        hits = hits.filter((h) => matches(texts.get(h.serviceId) ?? ''));
      }
    }
    await orderNear(db, kind, query, hits, p.sort, scores);
  } else {
    const matches = query ? searchMatches(kind, SEARCH_INDEX, query, await rankStatistics(db, SEARCH_INDEX, query)) : null;
    // As in the general search, the text matches drive through a cross join (SQLite keeps its order).
    const from = matches ? (db.selectFrom(matches.as('m')).crossJoin(`${SEARCH_POINTS} as sp`).whereRef('sp.service_id', '=', 'm.doc_id').select('m.score as score') as any) : undefined;
    const rows = (await pointQuery(db, f, from, p.facets !== false).execute()) as (PointHit & { score?: unknown })[];
    const one = new Map<string, PHit>();
    for (const r of rows) if (!one.has(r.service_id)) one.set(r.service_id, { serviceId: r.service_id, score: Number(r.score ?? 0), name: r.name, row: r });
    hits = [...one.values()];
    rankText(hits, query);
  }
  if (p.openNow) hits = await openNowOnly(db, hits, p.now ?? new Date());
  const facets = EMPTY_FACETS();
  if (p.facets !== false) {
    const add = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
    for (const { row } of hits) {
      for (const c of codesOf('need', row.needs)) add(facets.need, c);
      for (const c of codesOf('population', row.populations)) add(facets.population, c);
      for (const c of codesOf('trait', row.traits)) add(facets.trait, c);
      for (const k of row.language_keys.split('|')) if (k) add(facets.language, k);
    }
  }
  return resultPage(p, hits, facets, place);
}

/**
 * A place search without text, hours or facets (the API's `near`), answered by the database: the services within the
 * radius are counted there and only the nearest points are read, a page's worth and a little more, instead of every
 * point within the radius read, measured and sorted here (3,300 points within 25 miles of Chicago at 500,000
 * services; reading them cost more than everything else the request does). Distances in SQL are haversineMiles
 * written out (geo.ts distanceMilesSql); the points read are measured again here. Confidential points the caller
 * may not see are few, and read and measured as the full search does (a band from their grid cell, placeDistance).
 * The answer is the full search's (nearest-search.test.ts).
 */
async function nearestByPoints(db: Db, kind: DatabaseKind, p: SearchParams, f: PointFilters, place: NonNullable<SearchResult['origin']>): Promise<SearchResult> {
  type NHit = Hit & { name?: string };
  const radius = p.radius ?? 25;
  const box = boundingBox(place.lat, place.lng, radius + (p.vetted ? 0 : cellSlack(place.lat)));
  const distance = distanceMilesSql('sp.latitude', 'sp.longitude', place.lat, place.lng);
  // Points measured exactly: all of them for a vetted caller, else those not confidential.
  const exact = (q: any) => pointsWhere(q, { ...f, confidential: p.vetted, box }).where(distance, '<=', radius);
  const points = () => db.selectFrom(`${SEARCH_POINTS} as sp`);
  const counted = (await exact(points().select((e: any) => e.fn.count('sp.service_id').distinct().as('n'))).executeTakeFirst()) as { n: unknown } | undefined;
  let total = Number(counted?.n ?? 0);

  const best = new Map<string, NHit>();
  const keep = (serviceId: string, name: string | undefined, locationId: string, at: { distance: number; within: boolean } | null) => {
    if (!at) return;
    const prev = best.get(serviceId);
    if (!prev || closer(at, prev)) best.set(serviceId, { serviceId, score: 0, distance: at.distance, ...(at.within ? { within: true } : { locationId }), ...(name === undefined ? {} : { name }) });
  };
  if (!p.vetted) {
    type Secret = { service_id: string; location_id: string; latitude: unknown; longitude: unknown; name: string };
    const secret = (await pointsWhere(points().select(['sp.service_id', 'sp.location_id', 'sp.latitude', 'sp.longitude', 'sp.name']), { ...f, confidential: true, box }).where('sp.confidential', '=', true).execute()) as Secret[];
    for (const r of secret) keep(r.service_id, r.name, r.location_id, placeDistance(place, radius, Number(r.latitude), Number(r.longitude), true));
    // Services found through a confidential place only add to the count.
    const banded = [...best.keys()];
    for (let i = 0; i < banded.length; i += 500) {
      const chunk = banded.slice(i, i + 500);
      const also = (await exact(points().select('sp.service_id').distinct().where('sp.service_id', 'in', chunk)).execute()) as unknown[];
      total += chunk.length - also.length;
    }
  }

  // The nearest points in order, within a circle that starts at an eighth of the radius (a few grid cells) and
  // doubles, until the services settled (nearer than anything not read) fill the pages asked for.
  const wanted = p.page * p.perPage;
  const bands = new Map(best);
  let certain: NHit[] = [];
  let within = Math.min(radius, Math.max(radius / 8, 0.5));
  let limit = wanted * 2 + 32;
  for (;;) {
    // No names: read from the index alone. orderNear looks up the names of services at the same distance.
    type Near = { service_id: string; location_id: string; latitude: unknown; longitude: unknown };
    const ring = boundingBox(place.lat, place.lng, within);
    const rows = (await pointsWhere(points().select(['sp.service_id', 'sp.location_id', 'sp.latitude', 'sp.longitude']), { ...f, confidential: p.vetted, box: ring })
      .where(distance, '<=', within)
      .orderBy(distance)
      .orderBy('sp.service_id')
      .orderBy('sp.location_id')
      .limit(limit)
      .execute()) as Near[];
    best.clear();
    for (const [k, v] of bands) best.set(k, v);
    let last = 0;
    for (const r of rows) {
      const d = haversineMiles(place.lat, place.lng, Number(r.latitude), Number(r.longitude));
      keep(r.service_id, undefined, r.location_id, { distance: d, within: false });
      last = d;
    }
    // Every point within the circle read: what is that near is settled. Cut short by the limit: only what is nearer
    // than the last point read (others may lie at its distance).
    const full = rows.length < limit;
    certain = [...best.values()].filter((h) => (full ? h.distance! <= within : h.distance! < last));
    if (full && within >= radius) {
      certain = [...best.values()];
      break;
    }
    if (certain.length >= wanted) break;
    if (full) within = Math.min(radius, within * 2);
    else limit *= 4;
  }
  await orderNear(db, kind, null, certain, p.sort);
  return { ...resultPage(p, certain, EMPTY_FACETS(), place), total };
}

/**
 * Orders the hits of a place search. With text and the 'relevance' sort (the default), by the blend of text score and
 * distance (relevance.ts), then distance, name and id; otherwise by distance, then text score, name and id. Scores
 * are looked up for the hits only (ranking means running the whole text match, which the distance search itself
 * avoids): for every hit when they are blended, else for hits at the same distance as another; `known` gives them
 * when the caller has them.
 */
async function orderNear(db: Db, kind: DatabaseKind, query: SearchQuery | null, hits: (Hit & { name?: string })[], sort: SearchSort | undefined, known?: ReadonlyMap<string, number>): Promise<void> {
  const blend = Boolean(query) && sort !== 'distance';
  const sameDistance = new Map<number, number>();
  for (const h of hits) sameDistance.set(h.distance!, (sameDistance.get(h.distance!) ?? 0) + 1);
  const wanted = blend ? hits : hits.filter((h) => sameDistance.get(h.distance!)! > 1);
  const names = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const unnamed = wanted.slice(i, i + 500).filter((h) => h.name === undefined).map((h) => h.serviceId);
    if (unnamed.length) for (const r of await db.selectFrom('directory_service').select(['id', 'name']).where('id', 'in', unnamed).execute()) names.set(String(r.id), String(r.name));
  }
  // Only the hits are scored (`known`: scores the caller has already).
  const scores = known ?? (query && wanted.length ? await documentScores(db, kind, SEARCH_INDEX, query, wanted.map((h) => h.serviceId)) : new Map<string, number>());
  for (const h of hits) {
    h.name = h.name ?? names.get(h.serviceId) ?? '';
    h.score = scores.get(h.serviceId) ?? 0;
  }
  if (!blend) {
    hits.sort(byDistance);
    return;
  }
  const named = new Map(hits.map((h) => [h.serviceId, withName(h.score, h.name ?? '', query)]));
  const best = bestOf(named.values());
  const value = new Map(hits.map((h) => [h.serviceId, blended(named.get(h.serviceId)!, best, h.distance!)]));
  hits.sort((a, b) => value.get(b.serviceId)! - value.get(a.serviceId)! || byDistance(a, b));
}

const FACET_TERMS = new Map<string, [Facet, string]>();
for (const f of ['need', 'population', 'trait'] as const) for (const t of TERMS[f]) FACET_TERMS.set(termId(t.code), [f, t.code]);

/**
 * How many of the matching services carry each need, population, trait and language, counted in SQL: grouped
 * counts over the matching services (a subquery, or a list of ids) instead of loading their rows.
 */
async function facetCounts(db: Db, services: any | string[]): Promise<SearchResult['facets']> {
  const out = EMPTY_FACETS();
  const lists: any[] = Array.isArray(services) ? chunks(services, 500) : [services];
  const langKey = sql<string>`lower(coalesce(l.code, l.name))`;
  for (const list of lists) {
    if (Array.isArray(list) && !list.length) continue;
    const hit = Array.isArray(list) ? null : list.as('hit');
    const attrs = hit ? db.selectFrom(hit).crossJoin('directory_attribute as a').whereRef('a.link_id', '=', 'hit.id') : db.selectFrom('directory_attribute as a').where('a.link_id', 'in', list);
    // Grouped over every term and sorted out here: a condition on the term would lead SQLite to walk the term index
    // (every service carrying a need) instead of the matching services' attributes.
    const termRows = await attrs
      .select(['a.taxonomy_term_id as term', (e: any) => e.fn.count('a.link_id').distinct().as('n')])
      .groupBy('a.taxonomy_term_id')
      .execute();
    for (const r of termRows as unknown as { term: string; n: unknown }[]) {
      const known = FACET_TERMS.get(String(r.term));
      if (!known) continue;
      const [facet, code] = known;
      out[facet][code] = (out[facet][code] ?? 0) + Number(r.n);
    }
    const langs = hit ? db.selectFrom(list.as('hit')).crossJoin('directory_language as l').whereRef('l.service_id', '=', 'hit.id') : db.selectFrom('directory_language as l').where('l.service_id', 'in', list);
    const langRows = await langs
      .where(langKey, 'is not', null)
      .where(langKey, '!=', '')
      .select([langKey.as('k'), (e: any) => e.fn.count('l.service_id').distinct().as('n')])
      .groupBy(langKey)
      .execute();
    for (const r of langRows as unknown as { k: string; n: unknown }[]) out.language[String(r.k)] = (out.language[String(r.k)] ?? 0) + Number(r.n);
  }
  return out;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
