/**
 * Directory search: ranked free text with everyday synonyms, distance from a ZIP code or point, filters and facet
 * counts. Full text and geography go through platform/db (search.ts, geo.ts); the rest is portable SQL and code.
 */
import zipcodes from 'zipcodes';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { searchMatches, queryWords, type SearchQuery } from '../../platform/db/search.ts';
import { boundingBox, haversineMiles, whereInBox } from '../../platform/db/geo.ts';
import { SYNONYMS, TERMS, termId, type Facet } from './taxonomy.ts';
import { rowsWhereIn, SEARCH_INDEX } from './store.ts';
import type { Row } from './model.ts';

export interface SearchParams {
  q?: string;
  /** A 5-digit ZIP code or "lat,lng". */
  near?: string;
  /** Miles; 25 when a place is given without it. */
  radius?: number;
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
  page: number;
  perPage: number;
  vetted: boolean;
  now?: Date;
}

export interface Hit {
  serviceId: string;
  score: number;
  /** Miles to the nearest location the caller may see, when a place was given. */
  distance?: number;
  locationId?: string;
}

export interface SearchResult {
  total: number;
  hits: Hit[];
  facets: Record<Facet | 'language', Record<string, number>>;
  origin?: { lat: number; lng: number; label: string };
}

export class PlaceError extends Error {}

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

/** The user's words, each widened with the words it commonly means. */
export function expandQuery(text: string): SearchQuery {
  return queryWords(text).map((w) => {
    const alts: string[][] = [[w]];
    for (const s of SYNONYMS[w] ?? []) alts.push(s.split(' '));
    return alts;
  });
}

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
/** Directory hours are local to the services; the demo data is on Eastern time. */
export const DIRECTORY_TIME_ZONE = 'America/New_York';

function localNow(now: Date, offsetHours: number | null): { day: string; minutes: number } {
  if (offsetHours !== null) {
    const t = new Date(now.getTime() + offsetHours * 3600_000);
    return { day: DAY_CODES[t.getUTCDay()], minutes: t.getUTCHours() * 60 + t.getUTCMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: DIRECTORY_TIME_ZONE, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
  return { day: get('weekday').slice(0, 2).toUpperCase(), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
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

const FREE_WORDS = ['free', 'no cost', 'no charge', 'gratis'];

function codesToIds(codes: string[] | undefined, facet: Facet): string[] {
  const known = new Set(TERMS[facet].map((t) => t.code));
  return (codes ?? []).map((c) => (c.includes('.') ? c : `${facet}.${c}`)).filter((c) => known.has(c)).map(termId);
}

export async function searchServices(db: Db, kind: DatabaseKind, p: SearchParams): Promise<SearchResult> {
  const place = p.near ? resolvePlace(p.near) : undefined;
  const matches = p.q ? searchMatches(kind, SEARCH_INDEX, expandQuery(p.q)) : null;
  // The text matches drive the query when there are any: a cross join keeps SQLite from re-running the full-text
  // match for every candidate location (it does not reorder cross joins; PostgreSQL plans it as a plain join).
  let q = matches
    ? db.selectFrom(matches.as('m')).crossJoin('directory_service as s').whereRef('s.id', '=', 'm.doc_id').where('s.status', '!=', 'defunct')
    : db.selectFrom('directory_service as s').where('s.status', '!=', 'defunct');
  const anyTerm = (ids: string[]) =>
    q.where(({ exists, selectFrom }) => exists(selectFrom('directory_attribute as a').select('a.id').whereRef('a.link_id', '=', 's.id').where('a.taxonomy_term_id', 'in', ids)));
  for (const facet of ['need', 'population', 'trait'] as const) {
    const ids = codesToIds(p[facet], facet);
    if (p[facet]?.length && !ids.length) return { total: 0, hits: [], facets: { need: {}, population: {}, trait: {}, language: {} }, origin: place };
    if (ids.length) q = anyTerm(ids);
  }
  if (p.referrals) q = anyTerm([termId('trait.hotline-referrals')]);
  if (p.taxonomyTermId?.length) q = anyTerm(p.taxonomyTermId);
  if (p.taxonomyId) {
    const taxonomyId = p.taxonomyId;
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('directory_attribute as a').innerJoin('directory_taxonomy_term as tt', 'tt.id', 'a.taxonomy_term_id').select('a.id').whereRef('a.link_id', '=', 's.id').where('tt.taxonomy_id', '=', taxonomyId)),
    );
  }
  if (p.organizationId) q = q.where('s.organization_id', '=', p.organizationId);
  if (p.modifiedAfter) q = q.where('s.last_modified', '>', p.modifiedAfter);
  if (p.language?.length) {
    const langs = p.language.map((l) => l.toLowerCase());
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('directory_language as l')
          .select('l.id')
          .whereRef('l.service_id', '=', 's.id')
          .where((e) => e.or([e(sql`lower(l.code)`, 'in', langs), e(sql`lower(l.name)`, 'in', langs)])),
      ),
    );
  }
  if (p.free) {
    q = q.where((e) =>
      e.or([
        e.exists(e.selectFrom('directory_cost_option as c').select('c.id').whereRef('c.service_id', '=', 's.id').where('c.amount', '=', 0)),
        ...FREE_WORDS.map((w) => e(sql`lower(coalesce(s.fees_description, ''))`, 'like', `%${w}%`)),
      ]),
    );
  }
  if (p.capacity) {
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('directory_service_capacity as c').select('c.id').whereRef('c.service_id', '=', 's.id').where('c.available', '>', 0)));
  }
  if (p.postcode) {
    const postcode = p.postcode;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('directory_service_at_location as x')
          .innerJoin('directory_location as lo', 'lo.id', 'x.location_id')
          .innerJoin('directory_address as ad', 'ad.location_id', 'lo.id')
          .select('x.id')
          .whereRef('x.service_id', '=', 's.id')
          .where('ad.postal_code', '=', postcode)
          .$if(!p.vetted, (w) => w.where('lo.confidential', '=', false)),
      ),
    );
  }

  let hits: Hit[];
  if (place) {
    const radius = p.radius ?? 25;
    let lq = q
      .innerJoin('directory_service_at_location as sal', 'sal.service_id', 's.id')
      .innerJoin('directory_location as loc', 'loc.id', 'sal.location_id')
      .select(['s.id as id', 's.name as name', 'loc.id as location_id', 'loc.latitude as lat', 'loc.longitude as lng'])
      .where('loc.latitude', 'is not', null);
    // Unvetted callers never learn that a confidential location is near them.
    if (!p.vetted) lq = lq.where('loc.confidential', '=', false);
    lq = whereInBox(lq, 'loc.latitude', 'loc.longitude', boundingBox(place.lat, place.lng, radius));
    if (matches) lq = lq.select('m.score as score');
    const rows = (await lq.execute()) as { id: string; name: string; location_id: string; lat: unknown; lng: unknown; score?: unknown }[];
    const best = new Map<string, Hit & { name: string }>();
    for (const r of rows) {
      const d = haversineMiles(place.lat, place.lng, Number(r.lat), Number(r.lng));
      if (d > radius) continue;
      const prev = best.get(r.id);
      if (!prev || d < prev.distance!) best.set(r.id, { serviceId: r.id, score: Number(r.score ?? 0), distance: d, locationId: r.location_id, name: r.name });
    }
    hits = [...best.values()].sort((a, b) => a.distance! - b.distance! || b.score - a.score || a.name.localeCompare(b.name));
  } else {
    let sq = q.select(['s.id as id', 's.name as name']);
    if (matches) sq = sq.select('m.score as score');
    const rows = (await sq.execute()) as { id: string; name: string; score?: unknown }[];
    hits = rows.map((r) => ({ serviceId: r.id as string, score: Number(r.score ?? 0), name: String(r.name) })).sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  }

  if (p.openNow) {
    const now = p.now ?? new Date();
    const ids = hits.map((h) => h.serviceId);
    const schedules = await rowsWhereIn(db, 'schedule', 'service_id', ids);
    const allDay = new Set((await rowsWhereIn(db, 'attribute', 'link_id', ids)).filter((a) => a.taxonomy_term_id === termId('trait.24-hour')).map((a) => a.link_id));
    const open = new Set(schedules.filter((s) => isOpen(s, now)).map((s) => s.service_id));
    hits = hits.filter((h) => open.has(h.serviceId) || allDay.has(h.serviceId));
  }

  const facets = await facetCounts(db, hits.map((h) => h.serviceId));
  const start = (p.page - 1) * p.perPage;
  return { total: hits.length, hits: hits.slice(start, start + p.perPage).map(({ serviceId, score, distance, locationId }) => ({ serviceId, score, distance, locationId })), facets, origin: place };
}

/** How many of the matching services carry each need, population, trait and language. */
async function facetCounts(db: Db, ids: string[]): Promise<SearchResult['facets']> {
  const out: SearchResult['facets'] = { need: {}, population: {}, trait: {}, language: {} };
  const codeOf = new Map<string, [Facet, string]>();
  for (const f of ['need', 'population', 'trait'] as const) for (const t of TERMS[f]) codeOf.set(termId(t.code), [f, t.code]);
  const attrs = await rowsWhereIn(db, 'attribute', 'link_id', ids);
  const seen = new Set<string>();
  for (const a of attrs) {
    const hit = codeOf.get(a.taxonomy_term_id as string);
    if (!hit) continue;
    const key = `${a.link_id}|${hit[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out[hit[0]][hit[1]] = (out[hit[0]][hit[1]] ?? 0) + 1;
  }
  const langs = await rowsWhereIn(db, 'language', 'service_id', ids);
  for (const l of langs) {
    const key = `${l.service_id}|${l.code ?? l.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const k = String(l.code ?? l.name ?? '').toLowerCase();
    if (k) out.language[k] = (out.language[k] ?? 0) + 1;
  }
  return out;
}
