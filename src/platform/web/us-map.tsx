/**
 * A map of the United States rendered on the server as SVG: states or counties shaded in up to five steps, with
 * optional points and a distance circle. No script. The SVG carries a title and a description; the page that
 * shows a map also shows the same figures as a table, which is the text alternative.
 */
import { createHash } from 'node:crypto';
import { geoAlbersUsa, geoBounds, geoCircle, geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { counties, countyShape, states, stateShape, type LatLng } from '../geo/us.ts';

/** 0 is "none" (light grey); 1 to 4 are increasingly dark blues. */
export type Shade = 0 | 1 | 2 | 3 | 4;
export const SHADE_FILLS: Record<Shade, string> = { 0: '#dfe1e2', 1: '#cfe8ff', 2: '#73b3e7', 3: '#2378c3', 4: '#0b4778' };
const UNSHADED = '#f7f7f7';

export interface UsMapPoint extends LatLng {
  label: string;
  /** A place searched from (square) or a provider (dot). */
  kind?: 'place' | 'site';
}

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
}

type Shape = Feature<Geometry, { name: string }>;

interface Drawn {
  shapes: { fips: string; name: string; d: string }[];
  outlines: string[];
  projection: GeoProjection;
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

function draw(p: UsMapProps, width: number, height: number): Drawn {
  const key = JSON.stringify([p.level, p.states ?? null, p.fips ?? null, p.focus ?? null, p.circle ?? null, width, height]);
  const hit = cache.get(key);
  if (hit) return hit;
  const shapes = shapesFor(p);
  const pad = 12;
  const extent: [[number, number], [number, number]] = [[pad, pad], [width - pad, height - pad]];
  const whole = !p.states && !p.fips && !p.focus;
  let projection: GeoProjection;
  if (whole) {
    // Alaska and Hawaii as insets; the territories fall outside this projection and are not drawn.
    projection = geoAlbersUsa().fitExtent(extent, { type: 'FeatureCollection', features: shapes.map((s) => s.shape) } as FeatureCollection) as unknown as GeoProjection;
  } else {
    const fitTo: Feature<Geometry>[] = p.focus?.length
      ? [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPoint', coordinates: p.focus.map((q) => [q.lng, q.lat]) } }]
      : shapes.map((s) => s.shape);
    if (p.circle) fitTo.push(circleFeature(p.circle));
    projection = geoMercator().fitExtent(extent, { type: 'FeatureCollection', features: fitTo } as FeatureCollection);
    // A single point (or a few very close together) would zoom in without end.
    const maxScale = 60_000;
    if (projection.scale() > maxScale) {
      const center = projection.invert!([width / 2, height / 2])!;
      projection = geoMercator().scale(maxScale).center(center).translate([width / 2, height / 2]);
    }
  }
  const path = geoPath(projection).digits(1);
  const visible = whole ? shapes : shapes.filter((s) => overlaps(boundsOf(s), viewBox(projection, width, height)));
  const drawn: Drawn = {
    shapes: visible.map((s) => ({ fips: s.fips, name: s.shape.properties.name, d: path(s.shape) ?? '' })).filter((s) => s.d),
    // County maps get their states' outlines on top, so that state lines read clearly.
    outlines:
      p.level === 'county'
        ? [...new Set(visible.map((s) => s.fips.slice(0, 2)))].flatMap((f) => {
            const st = stateShape(f);
            const d = st ? path(st) : null;
            return d ? [d] : [];
          })
        : [],
    projection,
  };
  if (cache.size > 100) cache.delete(cache.keys().next().value!);
  cache.set(key, drawn);
  return drawn;
}

export function UsMap(p: UsMapProps) {
  const width = p.width ?? 640;
  const height = p.height ?? 400;
  const drawn = draw(p, width, height);
  const id = p.id ?? 'usmap-' + createHash('sha1').update(p.title).digest('hex').slice(0, 8);
  const project = (q: LatLng) => drawn.projection([q.lng, q.lat]);
  const circle = p.circle ? geoPath(drawn.projection).digits(1)(circleFeature(p.circle)) : null;
  const marked = new Set(p.marks ?? []);
  return (
    <figure class="us-map margin-x-0">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${width} ${height}`} width="100%" class="us-map__svg">
        <title id={`${id}-title`}>{p.title}</title>
        <desc id={`${id}-desc`}>{p.description}</desc>
        {p.marks && p.marks.length > 0 && (
          <defs>
            <Hatch id={`${id}-hatch`} />
          </defs>
        )}
        <g stroke="#71767a" stroke-width="0.5">
          {drawn.shapes.map((s) => {
            const shade = p.shades?.[s.fips];
            return (
              <path d={s.d} fill={shade === undefined ? UNSHADED : SHADE_FILLS[shade]}>
                <title>{p.labels?.[s.fips] ?? s.name}</title>
              </path>
            );
          })}
        </g>
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
        {drawn.outlines.length > 0 && (
          <g fill="none" stroke="#1b1b1b" stroke-width="1">
            {drawn.outlines.map((d) => (
              <path d={d} />
            ))}
          </g>
        )}
        {circle && <path d={circle} fill="none" stroke="#1a4480" stroke-width="1.5" stroke-dasharray="4 3" />}
        {(p.points ?? []).map((q) => {
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
