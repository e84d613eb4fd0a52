/**
 * A map of the United States rendered on the server as SVG: states or counties shaded in up to five steps, with
 * optional points and a distance circle. No script. The SVG carries a title and a description; the page that
 * shows a map also shows the same figures as a table, which is the text alternative.
 *
 * Options a map may opt into (others draw exactly as before): `placeLabels` (state names, or USPS codes where a name
 * does not fit; county boundaries and names once zoomed in far enough), `zoom`/`center` (steps of doubling from the
 * fitted view), and `cluster` (points near each other on screen drawn as one marker with a count, which splits when
 * zoomed in). Points with an `href` become links named by their label, reachable by keyboard.
 */
import { createHash } from 'node:crypto';
import { geoAlbersUsa, geoBounds, geoCircle, geoContains, geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { renderToString } from 'preact-render-to-string';
import { counties, countyByFips, countyNameIn, countyShape, stateName, states, stateShape, STATE_CODES, type LatLng } from '../geo/us.ts';
import type { Lang } from './i18n.ts';

let centroids: Map<string, LatLng> | undefined;
const stateCentroids = () => (centroids ??= new Map(states().map((st) => [st.fips, st.centroid])));

/** 0 is "none" (light grey); 1 to 4 are increasingly dark blues. */
export type Shade = 0 | 1 | 2 | 3 | 4;
export const SHADE_FILLS: Record<Shade, string> = { 0: '#dfe1e2', 1: '#cfe8ff', 2: '#73b3e7', 3: '#2378c3', 4: '#0b4778' };
const UNSHADED = '#f7f7f7';

export interface UsMapPoint extends LatLng {
  label: string;
  /** A place searched from (square) or a provider (dot). */
  kind?: 'place' | 'site';
  /** Makes the marker a link named by `label` (e.g. to the result's card). */
  href?: string;
  /** Written to the marker as data-key, so that a script can find the marker of a result. */
  key?: string;
}

/** Sites drawn as one marker because they are close together on screen at this zoom. */
export interface UsMapCluster {
  x: number;
  y: number;
  lat: number;
  lng: number;
  members: UsMapPoint[];
  /** The zoom at which the cluster's members start to come apart; null when they never do (the same point, or zoomed in as far as the map goes). */
  zoomIn: number | null;
}

/** The deepest zoom step: 2^8 times the fitted scale, no further than about a mile across. */
export const MAX_ZOOM = 8;

export interface UsMapProps {
  level: 'state' | 'county';
  /** USPS codes: only these states (and their counties) are drawn. All of them when absent. */
  states?: string[];
  /** County level: only these counties (five-digit FIPS) are drawn. */
  fips?: string[];
  /** Shade of each shape by FIPS code (two digits for states, five for counties). */
  shades?: Record<string, Shade>;
  /** A tooltip per shape by FIPS code; the shape's name when absent. */
  labels?: Record<string, string>;
  title: string;
  description: string;
  legend?: { shade: Shade; label: string }[];
  /** FIPS codes of shapes hatched over their shade (a second variable, e.g. funding gaps), with `markLabel` in the legend. */
  marks?: string[];
  markLabel?: string;
  points?: UsMapPoint[];
  circle?: LatLng & { miles: number };
  /** Fit the view to these points (and the circle) rather than to the shapes; shapes outside are cut off. */
  focus?: LatLng[];
  width?: number;
  height?: number;
  /** Distinguishes several maps on one page (ids of title and description). */
  id?: string;
  /** State names or codes; county boundaries and names once zoomed in (Mercator views only). */
  placeLabels?: boolean;
  /** The language states are named in (labels and tooltips); English when absent. */
  lang?: Lang;
  /** Steps of doubling the fitted scale (Mercator views only), around `center` or the fitted view's centre. */
  zoom?: number;
  center?: LatLng;
  /** Sites closer than `radius` pixels are drawn as one marker, a link (href) named by `name`. */
  cluster?: { radius?: number; name: (members: UsMapPoint[]) => string; href: (c: UsMapCluster) => string };
}

type Shape = Feature<Geometry, { name: string }>;

/** A label placed on the map, with the box it takes up ([x0, y0, x1, y1]) so that labels never overlap. */
export interface UsMapLabel {
  text: string;
  x: number;
  y: number;
  kind: 'state' | 'county';
  box: [number, number, number, number];
  /** A shorter text for the same place (a state's USPS code), for when the text has no room clear of the markers. */
  short?: string;
}

interface Drawn {
  shapes: { fips: string; name: string; d: string }[];
  outlines: string[];
  projection: GeoProjection;
  labels: UsMapLabel[];
  countyLines: string[];
  /** The scale of the fitted view, before any zoom. */
  fittedScale: number;
}

const MILES_PER_DEGREE = 69.0468;
const cache = new Map<string, Drawn>();

function shapesFor(p: UsMapProps): { fips: string; shape: Shape }[] {
  const wanted = p.states?.map((s) => s.toUpperCase());
  if (p.level === 'state') {
    const list = states().filter((s) => !wanted || wanted.includes(s.code));
    return list.flatMap((s) => {
      const shape = stateShape(s.fips);
      return shape ? [{ fips: s.fips, shape }] : [];
    });
  }
  const only = p.fips ? new Set(p.fips) : undefined;
  const list = counties().filter((c) => (!wanted || wanted.includes(c.state)) && (!only || only.has(c.fips)));
  return list.flatMap((c) => {
    const shape = countyShape(c.fips);
    return shape ? [{ fips: c.fips, shape }] : [];
  });
}

function circleFeature(c: LatLng & { miles: number }): Feature<Geometry> {
  return { type: 'Feature', properties: {}, geometry: geoCircle().center([c.lng, c.lat]).radius(c.miles / MILES_PER_DEGREE).precision(2)() };
}

type Box = [number, number, number, number];
const bounds = new Map<string, Box>();

/** [west, south, east, north] of a shape, computed once per shape. */
function boundsOf(s: { fips: string; shape: Shape }): Box {
  let b = bounds.get(s.fips);
  if (!b) {
    const [[w, so], [e, n]] = geoBounds(s.shape);
    b = [w, so, e, n];
    bounds.set(s.fips, b);
  }
  return b;
}

/** The longitudes and latitudes a Mercator view shows. */
function viewBox(projection: GeoProjection, width: number, height: number): Box {
  const [w, n] = projection.invert!([0, 0])!;
  const [e, so] = projection.invert!([width, height])!;
  return [w, so, e, n];
}

function overlaps(a: Box, b: Box): boolean {
  // Shapes that cross the antimeridian (west > east) are kept: there are few, and they are large.
  if (a[0] > a[2]) return true;
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

const MAX_SCALE = 60_000;
/** Zooming goes further than fitting does: down to a mile or two across. */
const MAX_ZOOM_SCALE = 1_000_000;
/** From this Mercator scale on (about 9 degrees of longitude across 600 pixels), counties are drawn and named. */
const COUNTY_SCALE = 4_000;
const STATE_FONT = 14;
const COUNTY_FONT = 14;
/** Width of a label in pixels, roughly: average glyph widths of a sans-serif face. */
const textWidth = (t: string, size: number) => t.length * size * 0.56;

/** The fitted view zoomed `zoom` steps around `center` (or the view's centre), no further than MAX_SCALE. */
function zoomed(projection: GeoProjection, width: number, height: number, zoom: number, center?: LatLng): GeoProjection {
  const at = center ? [center.lng, center.lat] : projection.invert!([width / 2, height / 2])!;
  const scale = Math.min(MAX_ZOOM_SCALE, projection.scale() * 2 ** zoom);
  return geoMercator().scale(scale).center(at as [number, number]).translate([width / 2, height / 2]);
}

/**
 * Labels for the shapes in view, biggest first, each where its shape is (its centroid, or the middle of its visible
 * part) and only where the text fits inside the shape's extent and over no other label.
 */
function placeLabels(projection: GeoProjection, width: number, height: number, stateList: { fips: string; shape: Shape }[], countyList: { fips: string; shape: Shape }[], mercator: boolean, lang: Lang): UsMapLabel[] {
  const path = geoPath(projection);
  // On a Mercator view a shape's screen extent is its geographic extent projected (kept per shape), and its centroid
  // the atlas's: far cheaper than measuring every path again for each new view.
  const extent = (s: { fips: string; shape: Shape }): [[number, number], [number, number]] => {
    const box = boundsOf(s);
    if (!mercator || box[0] > box[2]) return path.bounds(s.shape);
    const nw = projection([box[0], box[3]]);
    const se = projection([box[2], box[1]]);
    return nw && se ? [nw, se] : path.bounds(s.shape);
  };
  const centroidOf = (s: { fips: string; shape: Shape }): [number, number] => {
    const c = mercator ? (s.fips.length === 2 ? stateCentroids().get(s.fips) : countyByFips(s.fips)?.centroid) : undefined;
    return (c && projection([c.lng, c.lat])) || path.centroid(s.shape);
  };
  const taken: UsMapLabel['box'][] = [];
  const out: UsMapLabel[] = [];
  const free = (b: UsMapLabel['box']) => b[0] >= 2 && b[1] >= 2 && b[2] <= width - 2 && b[3] <= height - 2 && taken.every((t) => b[2] <= t[0] || t[2] <= b[0] || b[3] <= t[1] || t[3] <= b[1]);
  const place = (list: { fips: string; shape: Shape }[], kind: UsMapLabel['kind'], size: number, texts: (s: { fips: string; shape: Shape }) => string[]) => {
    const sized = list
      .map((s) => ({ s, b: extent(s) }))
      .filter(({ b }) => Number.isFinite(b[0][0]))
      .sort((a, b) => (b.b[1][0] - b.b[0][0]) * (b.b[1][1] - b.b[0][1]) - (a.b[1][0] - a.b[0][0]) * (a.b[1][1] - a.b[0][1]) || a.s.fips.localeCompare(b.s.fips));
    for (const { s, b } of sized) {
      // The visible part of the shape's extent.
      const vx0 = Math.max(0, b[0][0]);
      const vy0 = Math.max(0, b[0][1]);
      const vx1 = Math.min(width, b[1][0]);
      const vy1 = Math.min(height, b[1][1]);
      if (vx1 - vx0 < 16 || vy1 - vy0 < size) continue;
      const c = centroidOf(s);
      let xy: [number, number] = c[0] >= vx0 && c[0] <= vx1 && c[1] >= vy0 && c[1] <= vy1 ? c : [(vx0 + vx1) / 2, (vy0 + vy1) / 2];
      const ll = projection.invert!(xy);
      if (!ll || !geoContains(s.shape, ll)) {
        if (xy === c) continue;
        xy = c;
        if (!(c[0] >= vx0 && c[0] <= vx1 && c[1] >= vy0 && c[1] <= vy1)) continue;
      }
      const all = texts(s);
      for (const [i, text] of all.entries()) {
        const w = textWidth(text, size);
        if (w > vx1 - vx0) continue;
        const box: UsMapLabel['box'] = [xy[0] - w / 2, xy[1] - size / 2, xy[0] + w / 2, xy[1] + size / 2];
        if (!free(box)) continue;
        taken.push(box);
        out.push({ text, x: Math.round(xy[0] * 10) / 10, y: Math.round(xy[1] * 10) / 10, kind, box, ...(all[i + 1] ? { short: all[i + 1] } : {}) });
        break;
      }
    }
  };
  place(stateList, 'state', STATE_FONT, (s) => [shapeName(s, lang), STATE_CODES[s.fips]].filter(Boolean));
  place(countyList, 'county', COUNTY_FONT, (s) => [shapeName(s, lang)]);
  return out;
}

/** A state's or county's name in the reader's language (the atlas names them in English). */
function shapeName(s: { fips: string; shape: Shape }, lang: Lang): string {
  if (s.fips.length === 2 && STATE_CODES[s.fips]) return stateName(STATE_CODES[s.fips], lang);
  const county = countyByFips(s.fips);
  return county ? countyNameIn(county, lang) : s.shape.properties.name;
}

/** The same Mercator view, cutting what it draws to the rectangle shown. */
function clippedTo(projection: GeoProjection, width: number, height: number): GeoProjection {
  return geoMercator().scale(projection.scale()).center(projection.center()).translate(projection.translate()).clipExtent([[0, 0], [width, height]]);
}

/** County boundaries cut to the view (only the part that shows is written). */
function countyPaths(projection: GeoProjection, width: number, height: number, list: { fips: string; shape: Shape }[]): string[] {
  const path = geoPath(clippedTo(projection, width, height)).digits(1);
  return list.map((c) => thinPath(path(c.shape) ?? '')).filter(Boolean);
}

/** The counties whose extent meets the view. */
function countiesInView(view: Box): { fips: string; shape: Shape }[] {
  return counties().flatMap((c) => {
    const shape = countyShape(c.fips);
    return shape && overlaps(boundsOf({ fips: c.fips, shape }), view) ? [{ fips: c.fips, shape }] : [];
  });
}

/**
 * A path with every point within `tolerance` pixels of the last one kept left out (a ring's first and last points
 * always stay). The atlas is finer than a map a few hundred pixels wide shows: at half a pixel nothing visible
 * changes, and the national map of a results page loses a third of its size (issue 14: the directory's landing page
 * spent more on writing, hashing and sending its map than on its search). Anything but M/L/Z is left as it is.
 */
export function thinPath(d: string, tolerance = 0.5): string {
  let out = '';
  for (const sub of d.split('M')) {
    if (!sub) continue;
    const closed = sub.endsWith('Z');
    const pts = (closed ? sub.slice(0, -1) : sub).split('L');
    const xy = pts.map((q) => q.split(',').map(Number));
    if (xy.some((q) => q.length !== 2 || !Number.isFinite(q[0]) || !Number.isFinite(q[1]))) {
      out += `M${sub}`;
      continue;
    }
    const kept = [pts[0]];
    let [lx, ly] = xy[0];
    for (let i = 1; i < pts.length - 1; i++) {
      const [x, y] = xy[i];
      if (Math.hypot(x - lx, y - ly) < tolerance) continue;
      kept.push(pts[i]);
      lx = x;
      ly = y;
    }
    if (pts.length > 1) kept.push(pts[pts.length - 1]);
    out += `M${kept.join('L')}${closed ? 'Z' : ''}`;
  }
  return out;
}

/**
 * What a map shows of its shapes in one view (the shapes cut to it, county lines, place labels): the same for every
 * map whose projection comes out the same, whatever its points. A search near a place is fitted to its radius's
 * circle, so every search near that place with that radius shares one drawing (issue 14: projecting, cutting and
 * labelling the shapes anew was most of a search page's own cost).
 */
type ViewDrawing = Pick<Drawn, 'shapes' | 'outlines' | 'labels' | 'countyLines'>;
const views = new Map<string, ViewDrawing>();

/** The projection of a map: Albers USA for the whole country, else Mercator fitted to its focus or shapes, then zoomed. */
function projectionOf(p: UsMapProps, shapes: { fips: string; shape: Shape }[], width: number, height: number, whole: boolean): { projection: GeoProjection; fittedScale: number } {
  const pad = 12;
  const extent: [[number, number], [number, number]] = [[pad, pad], [width - pad, height - pad]];
  if (whole) {
    // Alaska and Hawaii as insets; the territories fall outside this projection and are not drawn.
    const projection = geoAlbersUsa().fitExtent(extent, { type: 'FeatureCollection', features: shapes.map((s) => s.shape) } as FeatureCollection) as unknown as GeoProjection;
    return { projection, fittedScale: projection.scale() };
  }
  const fitTo: Feature<Geometry>[] = p.focus?.length
    ? [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPoint', coordinates: p.focus.map((q) => [q.lng, q.lat]) } }]
    : shapes.map((s) => s.shape);
  if (p.circle) fitTo.push(circleFeature(p.circle));
  let projection = geoMercator().fitExtent(extent, { type: 'FeatureCollection', features: fitTo } as FeatureCollection);
  // A single point (or a few very close together) would zoom in without end.
  if (projection.scale() > MAX_SCALE) {
    const center = projection.invert!([width / 2, height / 2])!;
    projection = geoMercator().scale(MAX_SCALE).center(center).translate([width / 2, height / 2]);
  }
  const fittedScale = projection.scale();
  if (p.zoom && p.zoom > 0) projection = zoomed(projection, width, height, Math.min(MAX_ZOOM, p.zoom), p.center);
  return { projection, fittedScale };
}

function draw(p: UsMapProps, width: number, height: number): Drawn {
  const key = JSON.stringify([p.level, p.states ?? null, p.fips ?? null, p.focus ?? null, p.circle ?? null, width, height, p.zoom ?? 0, p.center ?? null, Boolean(p.placeLabels), p.lang ?? 'en']);
  const hit = cache.get(key);
  if (hit) return hit;
  const shapes = shapesFor(p);
  const whole = !p.states && !p.fips && !p.focus;
  const { projection, fittedScale } = projectionOf(p, shapes, width, height, whole);
  // The view: everything the drawing below depends on besides the projection's own figures (the composite Albers USA
  // projection of a whole-country map has a scale and a translation but no center).
  const viewKey = JSON.stringify([p.level, p.states ?? null, p.fips ?? null, width, height, Boolean(p.placeLabels), p.lang ?? 'en', whole, projection.scale(), projection.translate(), typeof projection.center === 'function' ? projection.center() : null]);
  let seen = views.get(viewKey);
  if (!seen) {
    seen = drawView(p, shapes, projection, width, height, whole);
    if (views.size > 200) views.delete(views.keys().next().value!);
    views.set(viewKey, seen);
  }
  const drawn: Drawn = { ...seen, projection, fittedScale };
  if (cache.size > 100) cache.delete(cache.keys().next().value!);
  cache.set(key, drawn);
  return drawn;
}

function drawView(p: UsMapProps, shapes: { fips: string; shape: Shape }[], projection: GeoProjection, width: number, height: number, whole: boolean): ViewDrawing {
  // Maps with place labels are often zoomed in: their shapes are cut to the view, so only what shows is written.
  const drawPath = p.placeLabels && !whole ? geoPath(clippedTo(projection, width, height)).digits(1) : geoPath(projection).digits(1);
  const path = (shape: Shape | Feature<Geometry>) => {
    const d = drawPath(shape);
    return d ? thinPath(d) : d;
  };
  const view = whole ? undefined : viewBox(projection, width, height);
  const visible = !view ? shapes : shapes.filter((s) => overlaps(boundsOf(s), view));
  // Counties, on maps that ask for place labels, once zoomed in far enough to tell them apart.
  const countyDetail = Boolean(p.placeLabels && view && p.level === 'state' && projection.scale() >= COUNTY_SCALE);
  const inView = countyDetail ? countiesInView(view!) : [];
  return {
    shapes: visible.map((s) => ({ fips: s.fips, name: shapeName(s, p.lang ?? 'en'), d: path(s.shape) ?? '' })).filter((s) => s.d),
    // County maps get their states' outlines on top, so that state lines read clearly.
    outlines:
      p.level === 'county'
        ? [...new Set(visible.map((s) => s.fips.slice(0, 2)))].flatMap((f) => {
            const st = stateShape(f);
            const d = st ? path(st) : null;
            return d ? [d] : [];
          })
        : [],
    labels: p.placeLabels ? placeLabels(projection, width, height, p.level === 'state' ? visible : [], countyDetail ? inView : [], !whole, p.lang ?? 'en') : [],
    // Cut to the view: a county's path is only the part that shows.
    countyLines: inView.length ? countyPaths(projection, width, height, inView) : [],
  };
}

/**
 * Sites near each other on screen as one group: each point joins the first group whose centre is within `radius`
 * pixels, in the order given (so the same points always cluster the same way), and the centre moves to the mean.
 */
export function clusterPoints(points: UsMapPoint[], project: (q: LatLng) => [number, number] | null, radius: number): { x: number; y: number; members: UsMapPoint[] }[] {
  const groups: { x: number; y: number; members: UsMapPoint[]; at: [number, number][] }[] = [];
  for (const q of points) {
    const xy = project(q);
    if (!xy) continue;
    const g = groups.find((c) => Math.hypot(c.x - xy[0], c.y - xy[1]) <= radius);
    if (!g) {
      groups.push({ x: xy[0], y: xy[1], members: [q], at: [xy] });
      continue;
    }
    g.members.push(q);
    g.at.push(xy);
    g.x = g.at.reduce((a, b) => a + b[0], 0) / g.at.length;
    g.y = g.at.reduce((a, b) => a + b[1], 0) / g.at.length;
  }
  return groups.map(({ x, y, members }) => ({ x, y, members }));
}

export interface UsMapLayout {
  clusters: UsMapCluster[];
  labels: UsMapLabel[];
  countyLines: string[];
  /** Sites that fall outside the (zoomed) view and are not drawn. */
  outside: UsMapPoint[];
}

const CLUSTER_RADIUS = 22;

/** Where the markers and labels of a map go: what UsMap draws, for pages (and tests) that need to know. */
export function mapLayout(p: UsMapProps): UsMapLayout {
  const width = p.width ?? 640;
  const height = p.height ?? 400;
  const drawn = draw(p, width, height);
  const layout = layoutOf(p, drawn, width, height);
  return { ...layout, labels: clearOfMarkers(drawn.labels, markerDiscs(p, drawn, layout), width, height), countyLines: drawn.countyLines };
}

/** What the map draws over its labels, as discs (centre and radius, white edge included): sites, clusters, places. */
function markerDiscs(p: UsMapProps, drawn: Drawn, layout: { clusters: UsMapCluster[] } | undefined): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const q of p.points ?? []) {
    if (layout && q.kind !== 'place') continue;
    const xy = drawn.projection([q.lng, q.lat]);
    // A place is a 12-pixel square (its corners reach 8.5 from the centre); a site a dot of radius 6 or 7.
    if (xy) out.push([xy[0], xy[1], q.kind === 'place' ? 8.5 : 7.5]);
  }
  for (const c of layout?.clusters ?? []) out.push([c.x, c.y, c.members.length === 1 ? 8 : c.members.length < 10 ? 13 : 16]);
  return out;
}

/**
 * The labels moved clear of the markers drawn over them (a cluster on a state's centroid hid the middle of its name):
 * a covered label goes the shortest way up or down to where no marker, other label or edge of the map is in its way,
 * within a few lines of where it was; it is left out when there is no such place.
 */
function clearOfMarkers(labels: UsMapLabel[], discs: [number, number, number][], width: number, height: number): UsMapLabel[] {
  if (!discs.length || !labels.length) return labels;
  const under = (b: UsMapLabel['box']) =>
    discs.some(([x, y, r]) => Math.hypot(x - Math.max(b[0], Math.min(x, b[2])), y - Math.max(b[1], Math.min(y, b[3]))) < r);
  if (!labels.some((l) => under(l.box))) return labels;
  const taken = labels.filter((l) => !under(l.box)).map((l) => l.box);
  // Each covered label's new place; all are drawn in the order they were placed, as before.
  const moved = new Map<UsMapLabel, UsMapLabel[]>();
  const free = (b: UsMapLabel['box']) => b[0] >= 2 && b[1] >= 2 && b[2] <= width - 2 && b[3] <= height - 2 && !under(b) && taken.every((t) => b[2] <= t[0] || t[2] <= b[0] || b[3] <= t[1] || t[3] <= b[1]);
  for (const l of labels) {
    if (!under(l.box)) continue;
    const h = l.box[3] - l.box[1];
    for (const text of [l.text, l.short].filter((t): t is string => Boolean(t))) {
      const w = text === l.text ? l.box[2] - l.box[0] : textWidth(text, h);
      const x0 = l.x - w / 2;
      // Nearest first: straight up or down, then a little to either side as well.
      const moves: [number, number][] = [];
      for (let dy = 0; dy <= 3 * h; dy += 2) for (const dx of [0, -w / 4, w / 4]) moves.push([dx, dy], [dx, -dy]);
      moves.sort((a, b) => Math.hypot(a[0], a[1]) - Math.hypot(b[0], b[1]));
      const move = moves.find(([dx, dy]) => free([x0 + dx, l.box[1] + dy, x0 + w + dx, l.box[3] + dy]));
      if (!move) continue;
      const [dx, dy] = move;
      const box: UsMapLabel['box'] = [x0 + dx, l.box[1] + dy, x0 + w + dx, l.box[3] + dy];
      taken.push(box);
      moved.set(l, [{ ...l, text, x: Math.round((l.x + dx) * 10) / 10, y: Math.round((l.y + dy) * 10) / 10, box }]);
      break;
    }
  }
  return labels.flatMap((l) => moved.get(l) ?? (under(l.box) ? [] : [l]));
}

function layoutOf(p: UsMapProps, drawn: Drawn, width: number, height: number): { clusters: UsMapCluster[]; outside: UsMapPoint[] } {
  const sites = (p.points ?? []).filter((q) => q.kind !== 'place');
  const project = (q: LatLng) => drawn.projection([q.lng, q.lat]) as [number, number] | null;
  const shown = (xy: [number, number] | null) => Boolean(xy && xy[0] >= 0 && xy[0] <= width && xy[1] >= 0 && xy[1] <= height);
  const inside = sites.filter((q) => shown(project(q)));
  const outside = sites.filter((q) => !shown(project(q)));
  const radius = p.cluster?.radius ?? CLUSTER_RADIUS;
  const zoom = Math.min(MAX_ZOOM, Math.max(0, p.zoom ?? 0));
  const scale = drawn.projection.scale();
  const groups = p.cluster ? clusterPoints(inside, project, radius) : inside.map((q) => ({ ...(project(q) ? { x: project(q)![0], y: project(q)![1] } : { x: 0, y: 0 }), members: [q] }));
  const clusters = groups.map((g) => {
    const lat = g.members.reduce((a, m) => a + m.lat, 0) / g.members.length;
    const lng = g.members.reduce((a, m) => a + m.lng, 0) / g.members.length;
    return { x: g.x, y: g.y, lat, lng, members: g.members, zoomIn: g.members.length > 1 ? splitZoom(g.members, project, radius, scale, drawn.fittedScale, zoom) : null };
  });
  return { clusters, outside };
}

/** The first zoom step at which a cluster's members lie further apart than the cluster radius; null if none does. */
function splitZoom(members: UsMapPoint[], project: (q: LatLng) => [number, number] | null, radius: number, scale: number, fitted: number, zoom: number): number | null {
  let d = 0;
  const xy = members.map(project).filter((x): x is [number, number] => Boolean(x));
  for (let i = 0; i < xy.length; i++) for (let j = i + 1; j < xy.length; j++) d = Math.max(d, Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]));
  if (d < 1e-6) return null;
  // Pixel distances grow with the scale: the members come apart once the scale passes this.
  const needed = (scale * radius * 1.05) / d;
  if (needed > MAX_ZOOM_SCALE) return null;
  for (let z = zoom + 1; z <= MAX_ZOOM; z++) if (Math.min(MAX_ZOOM_SCALE, fitted * 2 ** z) >= needed) return z;
  return null;
}

export function UsMap(p: UsMapProps) {
  const width = p.width ?? 640;
  const height = p.height ?? 400;
  const drawn = draw(p, width, height);
  const linked = Boolean(p.cluster) || (p.points ?? []).some((q) => q.href);
  const layout = linked ? layoutOf(p, drawn, width, height) : undefined;
  const labels = clearOfMarkers(drawn.labels, markerDiscs(p, drawn, layout), width, height);
  const id = p.id ?? 'usmap-' + createHash('sha1').update(p.title).digest('hex').slice(0, 8);
  const project = (q: LatLng) => drawn.projection([q.lng, q.lat]);
  const circle = p.circle ? geoPath(drawn.projection).digits(1)(circleFeature(p.circle)) : null;
  const marked = new Set(p.marks ?? []);
  return (
    <figure class="us-map margin-x-0">
      <svg role={linked ? 'group' : 'img'} aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${width} ${height}`} width="100%" class="us-map__svg">
        <title id={`${id}-title`}>{p.title}</title>
        <desc id={`${id}-desc`}>{p.description}</desc>
        {p.marks && p.marks.length > 0 && (
          <defs>
            <Hatch id={`${id}-hatch`} />
          </defs>
        )}
        <g stroke="#71767a" stroke-width="0.5" dangerouslySetInnerHTML={{ __html: shapeLayer(drawn, p.shades, p.labels) }} />
        {p.marks && p.marks.length > 0 && (
          <g stroke="none">
            {drawn.shapes
              .filter((s) => marked.has(s.fips))
              .map((s) => (
                <path d={s.d} fill={`url(#${id}-hatch)`}>
                  <title>{p.labels?.[s.fips] ?? s.name}</title>
                </path>
              ))}
          </g>
        )}
        {drawn.countyLines.length > 0 && (
          <>
            <g fill="none" stroke="#a9aeb1" stroke-width="0.6" class="us-map__counties">
              {drawn.countyLines.map((d) => (
                <path d={d} />
              ))}
            </g>
            <g fill="none" stroke="#565c65" stroke-width="1.2">
              {drawn.shapes.map((s) => (
                <path d={s.d} />
              ))}
            </g>
          </>
        )}
        {drawn.outlines.length > 0 && (
          <g fill="none" stroke="#1b1b1b" stroke-width="1">
            {drawn.outlines.map((d) => (
              <path d={d} />
            ))}
          </g>
        )}
        {circle && <path d={circle} fill="none" stroke="#1a4480" stroke-width="1.5" stroke-dasharray="4 3" />}
        {labels.length > 0 && (
          <g class="us-map__labels" aria-hidden="true" text-anchor="middle" dominant-baseline="central" paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round">
            {labels.map((l) => (
              <text x={l.x} y={l.y} font-size={l.kind === 'state' ? STATE_FONT : COUNTY_FONT} fill={l.kind === 'state' ? '#1b1b1b' : '#3d4551'} font-weight={l.kind === 'state' ? 'bold' : undefined} class={`us-map__label us-map__label--${l.kind}`}>
                {l.text}
              </text>
            ))}
          </g>
        )}
        {layout && (p.points ?? []).filter((q) => q.kind === 'place').map((q) => {
          const xy = project(q);
          if (!xy) return null;
          return (
            <rect x={xy[0] - 6} y={xy[1] - 6} width="12" height="12" fill="#1a4480" stroke="#fff" stroke-width="1.5">
              <title>{q.label}</title>
            </rect>
          );
        })}
        {layout?.clusters.map((c) =>
          c.members.length === 1 ? (
            <Marker q={c.members[0]} x={c.x} y={c.y} />
          ) : (
            <a href={p.cluster!.href(c)} aria-label={p.cluster!.name(c.members)} class="us-map__marker us-map__cluster" data-keys={c.members.map((m) => m.key ?? '').join(' ')}>
              <circle cx={r1(c.x)} cy={r1(c.y)} r={c.members.length < 10 ? 12 : 15} fill="#1a4480" stroke="#fff" stroke-width="2" />
              <text x={r1(c.x)} y={r1(c.y)} text-anchor="middle" dominant-baseline="central" font-size="14" font-weight="bold" fill="#fff" aria-hidden="true">
                {c.members.length}
              </text>
            </a>
          ),
        )}
        {!layout && (p.points ?? []).map((q) => {
          const xy = project(q);
          if (!xy) return null;
          return q.kind === 'place' ? (
            <rect x={xy[0] - 6} y={xy[1] - 6} width="12" height="12" fill="#1a4480" stroke="#fff" stroke-width="1.5">
              <title>{q.label}</title>
            </rect>
          ) : (
            <circle cx={xy[0]} cy={xy[1]} r="6" fill="#d83933" stroke="#fff" stroke-width="1.5">
              <title>{q.label}</title>
            </circle>
          );
        })}
      </svg>
      {((p.legend && p.legend.length > 0) || p.markLabel) && (
        <figcaption>
          <ul class="usa-list usa-list--unstyled us-map__legend">
            {(p.legend ?? []).map((l) => (
              <li>
                <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16">
                  <rect width="16" height="16" fill={SHADE_FILLS[l.shade]} stroke="#71767a" />
                </svg>{' '}
                {l.label}
              </li>
            ))}
            {p.markLabel && (
              <li>
                <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16">
                  <defs>
                    <Hatch id={`${id}-hatch-key`} />
                  </defs>
                  <rect width="16" height="16" fill="#fff" stroke="#71767a" />
                  <rect width="16" height="16" fill={`url(#${id}-hatch-key)`} stroke="#71767a" />
                </svg>{' '}
                {p.markLabel}
              </li>
            )}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}

/** The shapes' markup by drawing, then by their shades and labels: the same for every page that shows that map. */
const layers = new WeakMap<Drawn['shapes'], Map<string, string>>();

/**
 * The shaded shapes of a drawing as markup, rendered once per drawing, shades and labels: a national map's shapes are
 * most of a results page (some 80 kB of path data), and rendering and escaping them took about as long as the rest of
 * the page.
 */
function shapeLayer(drawn: Drawn, shades: UsMapProps['shades'], labels: UsMapProps['labels']): string {
  let byLook = layers.get(drawn.shapes);
  if (!byLook) layers.set(drawn.shapes, (byLook = new Map()));
  const key = JSON.stringify([shades ?? null, labels ?? null]);
  let html = byLook.get(key);
  if (html === undefined) {
    html = renderToString(
      <>
        {drawn.shapes.map((s) => {
          const shade = shades?.[s.fips];
          return (
            <path d={s.d} fill={shade === undefined ? UNSHADED : SHADE_FILLS[shade]}>
              <title>{labels?.[s.fips] ?? s.name}</title>
            </path>
          );
        })}
      </>,
    );
    byLook.set(key, html);
    if (byLook.size > 50) byLook.delete(byLook.keys().next().value!);
  }
  return html;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** One site: a dot, and a link named by its label when it has an href. */
function Marker({ q, x, y }: { q: UsMapPoint; x: number; y: number }) {
  const dot = <circle cx={r1(x)} cy={r1(y)} r="7" fill="#b50909" stroke="#fff" stroke-width="2" />;
  if (!q.href)
    return (
      <g>
        {dot}
        <title>{q.label}</title>
      </g>
    );
  return (
    <a href={q.href} aria-label={q.label} class="us-map__marker" data-key={q.key}>
      {dot}
    </a>
  );
}

/** Diagonal dark lines, readable over every shade (and in greyscale print). */
function Hatch({ id }: { id: string }) {
  return (
    <pattern id={id} patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
      <line x1="0" y1="0" x2="0" y2="6" stroke="#1b1b1b" stroke-width="2" />
    </pattern>
  );
}

/** The shade of a value in [0, max]: 0 for nothing, then four equal steps. */
export function shadeOf(value: number, max: number): Shade {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.min(4, Math.max(1, Math.ceil((value / max) * 4))) as Shade;
}
