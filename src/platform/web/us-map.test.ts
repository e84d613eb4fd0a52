import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToString } from 'preact-render-to-string';
import { h } from 'preact';
import { UsMap, mapLayout, type UsMapPoint, type UsMapProps } from './us-map.tsx';

// Two sites a mile apart in Washington, one in Baltimore, and one in Richmond.
const DC1: UsMapPoint = { lat: 38.9072, lng: -77.0369, label: 'Office', key: 'a', href: '#result-a' };
const DC2: UsMapPoint = { lat: 38.92, lng: -77.02, label: 'Clinic', key: 'b', href: '#result-b' };
const BAL: UsMapPoint = { lat: 39.29, lng: -76.61, label: 'Harbor', key: 'c', href: '#result-c' };
const RIC: UsMapPoint = { lat: 37.54, lng: -77.43, label: 'River', key: 'd', href: '#result-d' };
const points = [DC1, DC2, BAL, RIC];
const base: UsMapProps = {
  level: 'state',
  title: 'Results',
  description: 'Results on the map',
  points,
  focus: points,
  width: 600,
  height: 360,
  id: 't',
  cluster: { name: (m) => `${m.length} services here`, href: (c) => `?zoom=${c.zoomIn}` },
  placeLabels: true,
};
const groups = (p: UsMapProps) =>
  mapLayout(p)
    .clusters.map((c) => c.members.map((m) => m.key).join(''))
    .sort();

test('clustering: sites near each other merge at the fitted zoom and split when zoomed in; far ones never merge', () => {
  assert.deepEqual(groups(base), ['ab', 'c', 'd'], 'the two Washington sites are one cluster at the fitted zoom');
  const [cluster] = mapLayout(base).clusters.filter((c) => c.members.length === 2);
  assert.ok(cluster.zoomIn !== null && cluster.zoomIn > 0, 'the cluster knows the zoom at which it splits');
  const split = { ...base, zoom: cluster.zoomIn!, center: cluster };
  assert.deepEqual(groups(split), ['a', 'b'], 'zoomed in on Washington they split');
  assert.deepEqual(
    mapLayout(split).outside.map((q) => q.key),
    ['c', 'd'],
    'Baltimore and Richmond are out of view, and not drawn',
  );
  // Zoomed out to the whole region (a wider focus), Washington and Baltimore merge too.
  assert.deepEqual(groups({ ...base, focus: [...points, { lat: 47.6, lng: -122.3 }, { lat: 25.8, lng: -80.2 }] }), ['abc', 'd']);
  // The same point twice can never split: the cluster says so (zoomIn null) so that the page links to the cards instead.
  const same = mapLayout({ ...base, points: [DC1, { ...DC1, key: 'e' }], focus: [DC1, RIC], zoom: 8, center: DC1 }).clusters;
  assert.equal(same.length, 1);
  assert.equal(same[0].zoomIn, null);
});

test('a cluster is one link with a count badge and a name; a single site is a link to its card', () => {
  const html = renderToString(h(UsMap, base));
  assert.match(html, /<a href="\?zoom=\d+" aria-label="2 services here" class="us-map__marker us-map__cluster"[^>]*>.*?<text[^>]*>2<\/text><\/a>/);
  assert.match(html, /<a href="#result-c" aria-label="Harbor" class="us-map__marker" data-key="c"/);
  assert.match(html, /<svg role="group" aria-labelledby="t-title t-desc"/, 'a map with links is a group, not an image whose children are hidden');
  const zoomed = renderToString(h(UsMap, { ...base, zoom: 5, center: DC1 }));
  assert.doesNotMatch(zoomed, /us-map__cluster/);
  assert.match(zoomed, /<a href="#result-a" aria-label="Office"/);
  assert.match(zoomed, /<a href="#result-b" aria-label="Clinic"/);
});

test('labels: state names (or USPS codes where a name does not fit) from the atlas; county names and lines only zoomed in', () => {
  // The eastern states, fitted between Seattle and Miami: state names, no counties.
  const fitted = mapLayout({ ...base, focus: [...points, { lat: 47.6, lng: -122.3 }, { lat: 25.8, lng: -80.2 }] });
  const names = fitted.labels.map((l) => l.text);
  // Virginia's name would lie under the Richmond marker: its code, clear of it.
  assert.ok(names.includes('Texas') && names.includes('VA'), names.join(', '));
  assert.ok(names.includes('MD') && !names.includes('Maryland'), 'Maryland too small for its name: its code');
  assert.ok(!names.includes('Fairfax'), 'no county names at this zoom');
  assert.equal(fitted.countyLines.length, 0);
  const zoomed = mapLayout({ ...base, zoom: 3, center: DC1 });
  const zNames = zoomed.labels.map((l) => l.text);
  assert.ok(zNames.includes('Arlington') && zNames.includes('Montgomery'), zNames.join(', '));
  assert.ok(zoomed.countyLines.length > 5, 'county boundaries drawn');
  // Labels never overlap one another.
  const ls = zoomed.labels;
  for (let i = 0; i < ls.length; i++)
    for (let j = i + 1; j < ls.length; j++) {
      const [a, b] = [ls[i].box, ls[j].box];
      assert.ok(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], `${ls[i].text} overlaps ${ls[j].text}`);
    }
  const html = renderToString(h(UsMap, { ...base, zoom: 3, center: DC1 }));
  assert.match(html, /<g class="us-map__labels" aria-hidden="true"[^>]*>.*<text[^>]*>Arlington<\/text>/);
  assert.match(html, /<text[^>]*>Prince George&#39;s<\/text>|<text[^>]*>Prince George's<\/text>/);
});

test('maps that do not opt in are drawn as before: an image, no labels, no links, no clusters', () => {
  const html = renderToString(h(UsMap, { level: 'state', title: 'Plain', description: 'Plain', points: points.map(({ lat, lng, label }) => ({ lat, lng, label })), focus: points, id: 'p' }));
  assert.match(html, /<svg role="img" aria-labelledby="p-title p-desc"/);
  assert.doesNotMatch(html, /<text|<a |us-map__cluster/);
  assert.equal((html.match(/<circle /g) ?? []).length, 4, 'a dot per point');
});

test('outlines keep no point within half a pixel of the one before it: the national results map stays small', () => {
  // Results across the country, as on the directory's landing page (its first page in name order).
  const national: UsMapPoint[] = [
    { lat: 47.6, lng: -122.3, label: 'Seattle' },
    { lat: 25.8, lng: -80.2, label: 'Miami' },
    { lat: 44.9, lng: -93.3, label: 'Minneapolis' },
    { lat: 32.8, lng: -117.2, label: 'San Diego' },
    { lat: 42.4, lng: -71.1, label: 'Boston' },
  ];
  const html = renderToString(h(UsMap, { level: 'state', title: 'T', description: 'D', points: national, focus: national, width: 400, height: 380, placeLabels: true, id: 'n' }));
  const paths = [...html.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(paths.length > 40, `${paths.length} shapes drawn`);
  let close = 0;
  for (const d of paths) {
    for (const ring of d.split('M').filter(Boolean)) {
      const pts = [...ring.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      for (let i = 1; i < pts.length - 1; i++) if (Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]) < 0.5) close++;
    }
  }
  assert.equal(close, 0, 'points within half a pixel of the one before');
  assert.ok(html.length < 90_000, `the map is ${html.length} characters`);
});

test('the shapes of a map drawn again with other shades or names show those, and the first look again is unchanged', () => {
  const look = (shades: UsMapProps['shades'], labels: UsMapProps['labels']) => renderToString(h(UsMap, { level: 'state', title: 'Shaded', description: 'D', states: ['VA', 'MD'], shades, labels, id: 's' }));
  const shapesOf = (html: string) => [...html.matchAll(/<path d="[^"]+" fill="([^"]+)"><title>([^<]*)<\/title><\/path>/g)].map((m) => `${m[2]}:${m[1]}`).sort();
  const first = look({ '51': 4 }, { '24': 'Maryland: 3 services' });
  assert.deepEqual(shapesOf(first), ['Maryland: 3 services:#f7f7f7', 'Virginia:#0b4778']);
  const other = look({ '24': 1, '51': 0 }, undefined);
  assert.deepEqual(shapesOf(other), ['Maryland:#cfe8ff', 'Virginia:#dfe1e2']);
  assert.deepEqual(shapesOf(look(undefined, { '51': 'Virginia & <co>' })), ['Maryland:#f7f7f7', 'Virginia &amp; &lt;co>:#f7f7f7'], 'names escaped');
  assert.equal(look({ '51': 4 }, { '24': 'Maryland: 3 services' }), first);
});

test('labels: none lies under a marker; one a marker would cover moves clear of it, or is left out', () => {
  // A site at the District's centroid, where its name is written, and the searched place beside it.
  const centre: UsMapPoint = { lat: 38.9041, lng: -77.0172, label: 'Centre', key: 'e', href: '#result-e' };
  const place: UsMapPoint = { lat: 38.91, lng: -77.0, label: '20001', kind: 'place' };
  for (const zoom of [2, 3, 5]) {
    const p: UsMapProps = { ...base, points: [...points, centre, place], zoom, center: centre };
    const layout = mapLayout(p);
    const html = renderToString(h(UsMap, p));
    const square = html.match(/<rect x="([\d.-]+)" y="([\d.-]+)" width="12"/)!;
    const marks = [
      ...layout.clusters.map((c) => ({ x: c.x, y: c.y, r: c.members.length === 1 ? 8 : c.members.length < 10 ? 13 : 16 })),
      { x: Number(square[1]) + 6, y: Number(square[2]) + 6, r: 8.5 },
    ];
    for (const l of layout.labels)
      for (const m of marks) {
        const [x0, y0, x1, y1] = l.box;
        const nx = Math.max(x0, Math.min(m.x, x1));
        const ny = Math.max(y0, Math.min(m.y, y1));
        assert.ok(Math.hypot(m.x - nx, m.y - ny) >= m.r, `zoom ${zoom}: ${l.text} lies under a marker at ${Math.round(m.x)},${Math.round(m.y)}`);
        assert.ok(x0 >= 0 && y0 >= 0 && x1 <= 600 && y1 <= 360, `zoom ${zoom}: ${l.text} in view`);
      }
    const ls = layout.labels;
    for (let i = 0; i < ls.length; i++)
      for (let j = i + 1; j < ls.length; j++) {
        const [a, b] = [ls[i].box, ls[j].box];
        assert.ok(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], `zoom ${zoom}: ${ls[i].text} overlaps ${ls[j].text}`);
      }
    const dc = ls.find((l) => l.text === 'District of Columbia' || l.text === 'DC');
    assert.ok(dc, `zoom ${zoom}: the District still named, clear of the marker: ${ls.map((l) => l.text).join(', ')}`);
    // The page draws the labels where the layout says.
    assert.match(html, new RegExp(`<text x="${dc.x}" y="${dc.y}"[^>]*>${dc.text}</text>`));
  }
});

test('maps in the same view share one drawing of their shapes, and each still shows its own markers', () => {
  // Two searches near the same place with the same radius: the circle sets the view, their results differ.
  const place: UsMapPoint = { lat: 38.91, lng: -77.0, label: '20001', kind: 'place' };
  const circle = { lat: place.lat, lng: place.lng, miles: 25 };
  const a: UsMapProps = { ...base, points: [DC1, DC2, place], focus: [DC1, DC2, place], circle };
  const b: UsMapProps = { ...base, points: [DC2, place], focus: [DC2, place], circle };
  const [la, lb] = [mapLayout(a), mapLayout(b)];
  assert.ok(la.countyLines.length > 5, 'zoomed in far enough for county lines');
  assert.equal(lb.countyLines, la.countyLines, 'the same drawing of the county lines, not a second one');
  const [ha, hb] = [renderToString(h(UsMap, a)), renderToString(h(UsMap, b))];
  const shapes = (html: string) => html.match(/<g stroke="#71767a" stroke-width="0.5">.*?<\/g>/s)![0];
  assert.equal(shapes(hb), shapes(ha), 'the same shapes');
  const keys = (html: string) => [...html.matchAll(/data-keys?="([\w ]+)"/g)].flatMap((m) => m[1].split(' ')).sort();
  assert.deepEqual(keys(ha), ['a', 'b']);
  assert.deepEqual(keys(hb), ['b']);
  // Another radius is another view.
  assert.notEqual(mapLayout({ ...b, circle: { ...circle, miles: 50 } }).countyLines, la.countyLines);
});

test('a whole-country map (the composite Albers USA projection, which has no center) is drawn, and drawn again the same', () => {
  const whole: UsMapProps = { level: 'state', title: 'Every state', description: 'The country', width: 600, height: 360, id: 'w', points: [DC1, BAL] };
  const first = renderToString(h(UsMap, whole));
  assert.match(first, /<svg/);
  assert.equal(renderToString(h(UsMap, { ...whole })), first);
});
