/** Distances and bounding boxes on the WGS84 sphere, in miles, for "near me" searches on either engine. */
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
