/** Distances and bounding boxes on the WGS84 sphere, in miles, for "near me" searches on either engine. */
import { sql, type RawBuilder } from 'kysely';

const EARTH_RADIUS_MILES = 3958.8;

export interface Box {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/** The latitude/longitude box that contains every point within `miles` of the centre: a cheap prefilter. */
export function boundingBox(lat: number, lng: number, miles: number): Box {
  const dLat = (miles / EARTH_RADIUS_MILES) * (180 / Math.PI);
  const cos = Math.cos((lat * Math.PI) / 180);
  const dLng = cos < 1e-6 ? 180 : Math.min(180, dLat / cos);
  return { minLat: Math.max(-90, lat - dLat), maxLat: Math.min(90, lat + dLat), minLng: lng - dLng, maxLng: lng + dLng };
}

/** Great-circle distance in miles. */
export function haversineMiles(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * haversineMiles from (lat, lng) to the point in these columns, as an SQL expression, the same on both engines (SQLite
 * is built with its math functions): a query can count, filter and order by distance in the database, handing back
 * only the rows it keeps. The same steps as haversineMiles, so the two agree to the last digit or so (the engines'
 * sine and arcsine are not V8's).
 */
export function distanceMilesSql(latCol: string, lngCol: string, lat: number, lng: number): RawBuilder<number> {
  const rad = Math.PI / 180;
  const num = (x: number) => sql`cast(${x} as double precision)`;
  const lat2 = sql.ref(latCol);
  const lng2 = sql.ref(lngCol);
  const a = sql`power(sin(((${lat2} - ${num(lat)}) * ${num(rad)}) / 2), 2) + ${num(Math.cos(lat * rad))} * cos(${lat2} * ${num(rad)}) * power(sin(((${lng2} - ${num(lng)}) * ${num(rad)}) / 2), 2)`;
  // min(1, sqrt(a)) is sqrt(min(1, a)); written with CASE, which both engines have (min/least differ).
  return sql<number>`(2 * ${num(EARTH_RADIUS_MILES)} * asin(sqrt(case when ${a} > 1 then 1 else ${a} end)))`;
}

/**
 * Applies a box to a Kysely query on latitude/longitude columns (plain comparisons, identical on both engines).
 * Boxes crossing the antimeridian are widened to every longitude rather than split.
 */
export function whereInBox<Q extends { where: (...args: never[]) => Q }>(q: Q, latCol: string, lngCol: string, box: Box): Q {
  const w = q.where as unknown as (c: string, op: string, v: number) => Q;
  let out = w.call(q, latCol, '>=', box.minLat);
  out = (out.where as unknown as (c: string, op: string, v: number) => Q).call(out, latCol, '<=', box.maxLat);
  if (box.minLng >= -180 && box.maxLng <= 180) {
    out = (out.where as unknown as (c: string, op: string, v: number) => Q).call(out, lngCol, '>=', box.minLng);
    out = (out.where as unknown as (c: string, op: string, v: number) => Q).call(out, lngCol, '<=', box.maxLng);
  }
  return out;
}
