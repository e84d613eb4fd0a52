/**
 * The states and counties of the United States, from the us-atlas package (Census Bureau cartographic boundaries at
 * 1:10,000,000, shipped as TopoJSON, so no network is needed): names, FIPS codes, centroids, and which county a
 * point falls in. Loaded once, on first use.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { geoBounds, geoCentroid, geoContains } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { Lang } from '../web/i18n.ts';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface UsState {
  /** Two-digit FIPS code, e.g. "11". */
  fips: string;
  /** USPS code, e.g. "DC". */
  code: string;
  name: string;
  centroid: LatLng;
}

export interface UsCounty {
  /** Five-digit FIPS code, e.g. "11001". */
  fips: string;
  name: string;
  /** USPS code of its state. */
  state: string;
  centroid: LatLng;
}

/** USPS codes by state FIPS code: the 50 states, DC and the five inhabited territories. */
export const STATE_CODES: Record<string, string> = {
  '01': 'AL', '02': 'AK', '04': 'AZ', '05': 'AR', '06': 'CA', '08': 'CO', '09': 'CT', '10': 'DE', '11': 'DC', '12': 'FL',
  '13': 'GA', '15': 'HI', '16': 'ID', '17': 'IL', '18': 'IN', '19': 'IA', '20': 'KS', '21': 'KY', '22': 'LA', '23': 'ME',
  '24': 'MD', '25': 'MA', '26': 'MI', '27': 'MN', '28': 'MS', '29': 'MO', '30': 'MT', '31': 'NE', '32': 'NV', '33': 'NH',
  '34': 'NJ', '35': 'NM', '36': 'NY', '37': 'NC', '38': 'ND', '39': 'OH', '40': 'OK', '41': 'OR', '42': 'PA', '44': 'RI',
  '45': 'SC', '46': 'SD', '47': 'TN', '48': 'TX', '49': 'UT', '50': 'VT', '51': 'VA', '53': 'WA', '54': 'WV', '55': 'WI',
  '56': 'WY', '60': 'AS', '66': 'GU', '69': 'MP', '72': 'PR', '78': 'VI',
};

type Shape = Feature<Geometry, { name: string }>;

interface Atlas {
  states: UsState[];
  counties: UsCounty[];
  stateShapes: Map<string, Shape>;
  countyShapes: Map<string, Shape>;
  /** [west, south, east, north] per county, to test few polygons per point. */
  countyBoxes: Map<string, [number, number, number, number]>;
  stateByCode: Map<string, UsState>;
  countyByFips: Map<string, UsCounty>;
}

let atlas: Atlas | undefined;

function centroidOf(shape: Shape): LatLng {
  const [lng, lat] = geoCentroid(shape);
  return { lat: Math.round(lat * 1e5) / 1e5, lng: Math.round(lng * 1e5) / 1e5 };
}

function load(): Atlas {
  if (atlas) return atlas;
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve('us-atlas/counties-10m.json'), 'utf8')) as Topology<{
    counties: GeometryCollection<{ name: string }>;
    states: GeometryCollection<{ name: string }>;
  }>;
  const stateFc = feature(topology, topology.objects.states) as FeatureCollection<Geometry, { name: string }>;
  const countyFc = feature(topology, topology.objects.counties) as FeatureCollection<Geometry, { name: string }>;
  const stateShapes = new Map<string, Shape>();
  const states: UsState[] = [];
  for (const f of stateFc.features) {
    const fips = String(f.id);
    const code = STATE_CODES[fips];
    if (!code) continue;
    stateShapes.set(fips, f);
    states.push({ fips, code, name: f.properties.name, centroid: centroidOf(f) });
  }
  states.sort((a, b) => a.name.localeCompare(b.name));
  const countyShapes = new Map<string, Shape>();
  const countyBoxes = new Map<string, [number, number, number, number]>();
  const counties: UsCounty[] = [];
  for (const f of countyFc.features) {
    const fips = String(f.id);
    const state = STATE_CODES[fips.slice(0, 2)];
    if (!state) continue;
    countyShapes.set(fips, f);
    const [[w, s], [e, n]] = geoBounds(f);
    countyBoxes.set(fips, [w, s, e, n]);
    counties.push({ fips, name: f.properties.name, state, centroid: centroidOf(f) });
  }
  counties.sort((a, b) => a.state.localeCompare(b.state) || a.name.localeCompare(b.name) || a.fips.localeCompare(b.fips));
  atlas = {
    states,
    counties,
    stateShapes,
    countyShapes,
    countyBoxes,
    stateByCode: new Map(states.map((s) => [s.code, s])),
    countyByFips: new Map(counties.map((c) => [c.fips, c])),
  };
  return atlas;
}

/** Every state, DC and territory, by name. */
export function states(): UsState[] {
  return load().states;
}

/** Every county (or county equivalent), by state then name; only those of one state when a USPS code is given. */
export function counties(stateCode?: string): UsCounty[] {
  const all = load().counties;
  if (stateCode === undefined) return all;
  const code = stateCode.toUpperCase();
  return all.filter((c) => c.state === code);
}

/**
 * The names Spanish gives states and territories where it does not keep the English one, as the US government's
 * Spanish-language pages (USAGov en Español) write them. The atlas names every place in English.
 */
const SPANISH_STATE_NAMES: Record<string, string> = {
  AS: 'Samoa Estadounidense', DC: 'Distrito de Columbia', HI: 'Hawái', LA: 'Luisiana', MO: 'Misuri', MP: 'Islas Marianas del Norte',
  MS: 'Misisipi', NC: 'Carolina del Norte', ND: 'Dakota del Norte', NJ: 'Nueva Jersey', NM: 'Nuevo México', NY: 'Nueva York',
  PA: 'Pensilvania', SC: 'Carolina del Sur', SD: 'Dakota del Sur', VI: 'Islas Vírgenes de los Estados Unidos', WV: 'Virginia Occidental',
};

/** A state's (or territory's) name in the reader's language; the code itself, upper-cased, when it names none. */
export function stateName(code: string, lang: Lang = 'en'): string {
  const upper = code.toUpperCase();
  const state = load().stateByCode.get(upper);
  if (!state) return code;
  return (lang === 'es' && SPANISH_STATE_NAMES[upper]) || state.name;
}

const statesByLang = new Map<Lang, UsState[]>();

/** Every state, DC and territory named in the reader's language and in its alphabetical order (for pickers and tables). */
export function statesIn(lang: Lang): UsState[] {
  let list = statesByLang.get(lang);
  if (!list) {
    const collator = new Intl.Collator(lang);
    list = load()
      .states.map((s) => ({ ...s, name: stateName(s.code, lang) }))
      .sort((a, b) => collator.compare(a.name, b.name));
    statesByLang.set(lang, list);
  }
  return list;
}

/**
 * A county's name in the reader's language: the atlas's, except for a county equivalent named as its state is (the
 * District of Columbia), which is named as the state is.
 */
export function countyNameIn(c: UsCounty, lang: Lang): string {
  return c.name === load().stateByCode.get(c.state)?.name ? stateName(c.state, lang) : c.name;
}

/** A county by its FIPS code with its state's USPS code, "Cook, IL", named in the reader's language; undefined when unknown. */
export function countyWithState(fips: string, lang: Lang): string | undefined {
  const c = load().countyByFips.get(fips);
  return c ? `${countyNameIn(c, lang)}, ${c.state}` : undefined;
}

/** The state names that read differently in Spanish, in English (for the Spanish pages' test). */
export function englishOnlyStateNames(): string[] {
  return Object.keys(SPANISH_STATE_NAMES).map((code) => load().stateByCode.get(code)!.name);
}

export function stateByCode(code: string): UsState | undefined {
  return load().stateByCode.get(code.toUpperCase());
}

export function countyByFips(fips: string): UsCounty | undefined {
  return load().countyByFips.get(fips);
}

function inBox(box: [number, number, number, number], lat: number, lng: number): boolean {
  const [w, s, e, n] = box;
  if (lat < s || lat > n) return false;
  // A box that crosses the antimeridian has west > east (the Aleutians).
  return w <= e ? lng >= w && lng <= e : lng >= w || lng <= e;
}

/** The county that contains the point, if any (points at sea, or outside the United States, have none). */
export function countyAt(lat: number, lng: number): UsCounty | undefined {
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  const a = load();
  for (const [fips, box] of a.countyBoxes) {
    if (!inBox(box, lat, lng)) continue;
    if (geoContains(a.countyShapes.get(fips)!, [lng, lat])) return a.countyByFips.get(fips);
  }
  return undefined;
}

/** The state (by USPS code) that contains the point, through its county. */
export function stateAt(lat: number, lng: number): UsState | undefined {
  const c = countyAt(lat, lng);
  return c ? stateByCode(c.state) : undefined;
}

/** Shapes for drawing: states by two-digit FIPS, counties by five-digit FIPS. For platform/web/us-map.tsx. */
export function stateShape(fips: string): Shape | undefined {
  return load().stateShapes.get(fips);
}

export function countyShape(fips: string): Shape | undefined {
  return load().countyShapes.get(fips);
}
