/** A network's area as counties: what coverage is computed over and what the map draws. */
import { counties, countyAt, countyByFips, type UsCounty } from '../../platform/geo/us.ts';
import { haversineMiles } from '../../platform/db/geo.ts';

export interface Area {
  area_kind: string;
  states: string[];
  counties: string[];
  center_lat: number | null;
  center_lng: number | null;
  radius_miles: number | null;
}

/**
 * Every county of the listed states plus the listed counties; or, for a centre and radius, every county whose
 * centre is within the radius, and always the county the centre lies in (a small radius may reach no other centre).
 */
export function areaCounties(a: Area): UsCounty[] {
  const out = new Map<string, UsCounty>();
  if (a.area_kind === 'radius') {
    if (a.center_lat === null || a.center_lng === null || a.radius_miles === null) return [];
    const { center_lat: lat, center_lng: lng, radius_miles: miles } = a;
    const home = countyAt(lat, lng);
    if (home) out.set(home.fips, home);
    for (const c of counties()) if (haversineMiles(lat, lng, c.centroid.lat, c.centroid.lng) <= miles) out.set(c.fips, c);
  } else {
    for (const s of a.states) for (const c of counties(s)) out.set(c.fips, c);
    for (const f of a.counties) {
      const c = countyByFips(f);
      if (c) out.set(c.fips, c);
    }
  }
  return [...out.values()].sort((x, y) => x.state.localeCompare(y.state) || x.name.localeCompare(y.name));
}

/** USPS codes of the states the area touches. */
export function areaStates(a: Area): string[] {
  return [...new Set(areaCounties(a).map((c) => c.state).concat(a.area_kind === 'radius' ? [] : a.states))].sort();
}
