import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToString } from 'preact-render-to-string';
import { h } from 'preact';
import { countyAt, counties, countyByFips, stateAt, stateByCode, stateName, states, statesIn, countyNameIn } from './us.ts';
import { SHADE_FILLS, UsMap, shadeOf } from '../web/us-map.tsx';

test('states and counties come from the shipped atlas, with USPS codes and FIPS codes', () => {
  assert.equal(states().length, 56, '50 states, DC and 5 territories');
  assert.equal(stateByCode('dc')?.name, 'District of Columbia');
  assert.equal(stateByCode('ZZ'), undefined);
  assert.equal(counties('DC').length, 1);
  assert.equal(counties('DE').length, 3, 'Delaware has three counties');
  assert.equal(countyByFips('17031')?.name, 'Cook');
  assert.ok(counties().length > 3100);
  for (const c of counties('VA')) assert.match(c.fips, /^51\d{3}$/);
});

test('states are named in the reader\'s language, and listed in its alphabetical order', () => {
  assert.equal(stateName('NY', 'es'), 'Nueva York');
  assert.equal(stateName('dc', 'es'), 'Distrito de Columbia');
  assert.equal(stateName('DC'), 'District of Columbia');
  assert.equal(stateName('TX', 'es'), 'Texas', 'a name Spanish keeps');
  assert.equal(stateName('ZZ', 'es'), 'ZZ', 'a code naming no state is shown as given');
  const es = statesIn('es').map((s) => s.name);
  assert.equal(es.length, 56);
  assert.ok(es.indexOf('Carolina del Norte') < es.indexOf('Colorado'), 'sorted by the Spanish names');
  assert.ok(es.indexOf('Nueva Jersey') < es.indexOf('Nueva York') && es.indexOf('Nueva York') < es.indexOf('Nuevo México'));
  assert.equal(statesIn('en')[0].name, 'Alabama');
  assert.equal(countyNameIn(countyByFips('11001')!, 'es'), 'Distrito de Columbia', 'the District as a county equivalent');
  assert.equal(countyNameIn(countyByFips('17031')!, 'es'), 'Cook');
  assert.equal(states().find((s) => s.code === 'NY')?.name, 'New York', 'the atlas list itself is untouched');
});

test('countyAt finds the county containing a point, and none at sea', () => {
  assert.equal(countyAt(38.8977, -77.0365)?.fips, '11001', 'the White House is in the District');
  assert.equal(countyAt(41.8789, -87.6359)?.name, 'Cook', 'Chicago');
  assert.equal(countyAt(34.0522, -118.2437)?.fips, '06037', 'Los Angeles');
  assert.equal(countyAt(38.8816, -77.091)?.name, 'Arlington', 'across the river from DC');
  assert.equal(stateAt(38.8816, -77.091)?.code, 'VA');
  assert.equal(countyAt(30, -40), undefined, 'the Atlantic');
  assert.equal(countyAt(Number.NaN, 0), undefined);
});

test('a county centroid lies in its county', () => {
  for (const c of counties('MD')) assert.equal(countyAt(c.centroid.lat, c.centroid.lng)?.fips, c.fips, c.name);
});

test('the map draws the shapes asked for, shaded, with a title, description and legend', () => {
  const html = renderToString(
    h(UsMap, {
      level: 'county',
      states: ['DE'],
      shades: { '10001': 4, '10003': 1 },
      labels: { '10001': 'Kent: 12 providers' },
      title: 'Delaware providers',
      description: 'Kent has the most.',
      legend: [{ shade: 0, label: 'None' }, { shade: 4, label: 'Most' }],
      points: [{ lat: 39.16, lng: -75.52, label: 'Dover office', kind: 'place' }],
      id: 'de',
    }),
  );
  assert.match(html, /<svg role="img" aria-labelledby="de-title de-desc"/);
  assert.match(html, /<title id="de-title">Delaware providers<\/title>/);
  assert.equal((html.match(/<path d="M/g) ?? []).length, 3 + 1, 'three counties and one state outline');
  assert.ok(html.includes(`fill="${SHADE_FILLS[4]}"><title>Kent: 12 providers</title>`), 'Kent shaded darkest with its label');
  assert.ok(html.includes(`fill="${SHADE_FILLS[1]}"><title>New Castle</title>`), 'New Castle shaded lightest with its name');
  assert.match(html, /<rect x="[\d.]+" y="[\d.]+" width="12" height="12"[^>]*><title>Dover office<\/title>/);
  assert.match(html, /<li>.*None<\/li>/);
});

test('the map hatches marked shapes over their shade, with the hatch in the legend', () => {
  const html = renderToString(
    h(UsMap, { level: 'county', states: ['DE'], shades: { '10001': 3 }, marks: ['10005'], markLabel: 'Gap: no award', title: 'Delaware awards', description: 'Sussex is a gap.', legend: [{ shade: 0, label: 'No award' }], id: 'de2' }),
  );
  assert.match(html, /<pattern id="de2-hatch"/);
  assert.equal((html.match(/fill="url\(#de2-hatch\)"/g) ?? []).length, 1, 'Sussex alone is hatched');
  assert.match(html, /<li><svg[^>]*>.*url\(#de2-hatch-key\).*<\/svg> Gap: no award<\/li>/);
});

test('shadeOf splits values into four steps above zero', () => {
  assert.equal(shadeOf(0, 10), 0);
  assert.equal(shadeOf(1, 10), 1);
  assert.equal(shadeOf(5, 10), 2);
  assert.equal(shadeOf(10, 10), 4);
  assert.equal(shadeOf(3, 0), 0);
});
