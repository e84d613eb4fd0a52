/**
 * The search page's map and result cards without JavaScript (issue 13 item 6, issue 16 item 1): the server draws
 * state and county labels, clusters with a count, and markers that link to the result cards; zoom links re-render
 * on the server; the cards show what a person decides on and nothing empty. English and Spanish.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { Dataset } from './validate.ts';
import { demoProviders } from './demo.ts';
import { importDataset } from './import.ts';
import { uuidv5 } from './model.ts';
import { distanceText, openState } from './presenters.ts';
import { translator } from '../../platform/web/i18n.ts';

let t: TestApp;
const id = (k: string) => uuidv5(`result-map-test:${k}`);
const CASE = uuidv5('demo:svc:case');
const JOBS = uuidv5('demo:svc:jobs');
const SHELTER = uuidv5('demo:svc:shelter');

before(async () => {
  t = await testApp();
  await importDataset(t.ctx, demoProviders(), 'hsds-3.0-json');
  // Two services a few hundred metres apart in Baltimore, and one in Annapolis with nothing but a name and a place.
  const ds = new Dataset();
  const o = { file: 'test', row: 1 };
  const org = id('org');
  ds.add('organization', { id: org, name: 'Harbor Alliance', description: 'Test organisation' }, o);
  for (const [k, name, lat, lng] of [
    ['bal1', 'Harbor Legal Clinic', 39.29, -76.61],
    ['bal2', 'Harbor Housing Desk', 39.292, -76.613],
    ['ann', 'Annapolis Drop-in', 38.978, -76.49],
  ] as const) {
    ds.add('service', { id: id(k), organization_id: org, name, description: 'Help for survivors.', status: 'active' }, o);
    ds.add('location', { id: id(`loc:${k}`), location_type: 'physical', organization_id: org, name, latitude: lat, longitude: lng }, o);
    ds.add('service_at_location', { id: id(`sal:${k}`), service_id: id(k), location_id: id(`loc:${k}`) }, o);
  }
  // Sixteen more, a grid in Virginia about seven miles apart, so that the results take two pages.
  for (let i = 0; i < 16; i++) {
    const k = `va${i}`;
    ds.add('service', { id: id(k), organization_id: org, name: `Valley Service ${i}`, description: 'Help for survivors.', status: 'active' }, o);
    ds.add('location', { id: id(`loc:${k}`), location_type: 'physical', organization_id: org, name: k, latitude: 38.45 + Math.floor(i / 4) * 0.1, longitude: -77.75 + (i % 4) * 0.1 }, o);
    ds.add('service_at_location', { id: id(`sal:${k}`), service_id: id(k), location_id: id(`loc:${k}`) }, o);
  }
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
});

after(async () => {
  await t.close();
});

const get = (url: string, lang = 'en') => t.app.inject({ url, headers: { 'accept-language': lang } });
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
const results = (body: string) => body.slice(body.indexOf('id="directory-results"'));

test('the map without JavaScript: labels, a cluster count, markers that link to the cards, exactly the page results', async () => {
  const res = await get('/directory?near=20001&radius=50');
  assert.equal(res.statusCode, 200);
  const body = res.body;
  assert.match(body, /<g class="us-map__labels" aria-hidden="true"[^>]*>.*<text[^>]*>(Maryland|MD)<\/text>/s, 'state labels');
  // The two demo services share an office: one marker with a count, that can never split, so it leads to the first card.
  const office = new RegExp(`<a href="#result-(${CASE}|${JOBS})" aria-label="2 services here: ([^"]+)" class="us-map__marker us-map__cluster"[^>]*>.*?>2</text></a>`).exec(body);
  assert.ok(office, 'the office cluster');
  assert.deepEqual(office[2].split(', ').sort(), ['Pathways to Work for Survivors', 'Survivor Case Management (TVAP)']);
  // Every card with a place on the map has a marker, and every marker a card: the map shows exactly the page.
  const cards = [...body.matchAll(/<li class="usa-card[^"]*" id="result-([0-9a-f-]+)"/g)].map((m) => m[1]);
  const marked = [...body.matchAll(/data-keys?="([^"]+)"/g)].flatMap((m) => m[1].split(' '));
  assert.deepEqual([...marked].sort(), cards.filter((c) => c !== SHELTER).sort(), 'the confidential shelter has a card and no marker');
  assert.ok(cards.includes(SHELTER) && cards.includes(id('ann')));
  assert.match(body, new RegExp(`<a href="#result-${id('ann')}" aria-label="Annapolis Drop-in" class="us-map__marker"`));
  // The Baltimore pair: a cluster that zooms in on itself, re-rendered by the server, where it splits.
  const zoomHref = decode(new RegExp(`<a href="([^"#]+)#directory-map" aria-label="2 services here: Harbor`).exec(body)?.[1] ?? '');
  assert.match(zoomHref, /zoom=\d+&center=39\.29\d*%2C-76\.61\d*/);
  const split = await get(zoomHref);
  assert.equal(split.statusCode, 200);
  assert.match(split.body, new RegExp(`<a href="#result-${id('bal1')}" aria-label="Harbor Legal Clinic" class="us-map__marker"`));
  assert.match(split.body, new RegExp(`<a href="#result-${id('bal2')}" aria-label="Harbor Housing Desk" class="us-map__marker"`));
  assert.match(split.body, /<text[^>]*>Baltimore<\/text>/, 'county names once zoomed in');
  assert.match(split.body, /results on this page are outside the map/, 'those out of view are said to be');
  const next = decode(/<a href="([^"]+)" class="usa-pagination__link usa-pagination__next-page"/.exec(split.body)?.[1] ?? '');
  assert.match(next, /page=2/, 'a second page of results');
  assert.doesNotMatch(next, /zoom=|center=/, 'another page is fitted afresh');
  // Zoom in and out as links; out stops at the fitted view.
  assert.match(body, /<a[^>]*href="[^"]*zoom=1[^"]*#directory-map"[^>]*>Zoom in<\/a>/);
  assert.doesNotMatch(body, />Zoom out<\/a>/);
  assert.match(split.body, />Zoom out<\/a>/);
});

test('the map in Spanish, and a bad zoom or centre is an error naming the field, in the reader language', async () => {
  const es = await get('/directory?near=20001&radius=50', 'es');
  assert.match(es.body, /aria-label="2 servicios aquí: (Survivor Case Management \(TVAP\) y Pathways to Work for Survivors|Pathways to Work for Survivors y Survivor Case Management \(TVAP\))"/);
  assert.match(es.body, />Acercar<\/a>/);
  assert.match(es.body, /<ul class="usa-list usa-list--unstyled us-map__legend">.*Un servicio: lleva a su resultado.*Varios servicios cercanos, con su número.*El lugar de búsqueda<\/li>/s, 'a legend');
  for (const [q, message] of [
    ['zoom=99', /Zoom del mapa: debe ser un número entero de 0 a 8/],
    ['zoom=x', /Zoom del mapa: debe ser un número entero de 0 a 8/],
    ['center=north', /Centro del mapa: debe ser &quot;latitud,longitud&quot;/],
    ['center=95,10', /Centro del mapa: debe ser &quot;latitud,longitud&quot;/],
  ] as const) {
    const bad = await get(`/directory?near=20001&${q}`, 'es');
    assert.equal(bad.statusCode, 400, q);
    assert.match(bad.body, message, q);
    assert.doesNotMatch(bad.body, /usa-card__heading/, `${q}: no results shown`);
  }
  const en = await get('/directory?near=20001&zoom=-1');
  assert.equal(en.statusCode, 400);
  assert.match(en.body, /must be a whole number from 0 to 8/);
});

test('result cards: what a person decides on, nothing empty, in both languages', async () => {
  for (const [lang, beds, verified, langs] of [
    ['en', '3 beds free', 'Last verified', 'Languages'],
    ['es', '3 camas libres', 'Última verificación', 'Idiomas'],
  ] as const) {
    const body = results((await get('/directory?near=20001&radius=50', lang)).body);
    assert.doesNotMatch(body, /—/, `${lang}: no dash for an empty field`);
    const card = (sid: string) => {
      const from = body.indexOf(`id="result-${sid}"`);
      assert.ok(from > 0, `${lang}: a card for ${sid}`);
      const next = body.indexOf('<li class="usa-card', from);
      return body.slice(from, next > 0 ? next : body.indexOf('</ol>', from));
    };
    const shelter = card(SHELTER);
    assert.match(body, /<ol class="usa-card-group/, `${lang}: the results are a USWDS card group`);
    assert.match(shelter, /usa-card__heading/, `${lang}: each a USWDS card`);
    assert.ok(shelter.includes(beds), `${lang}: beds free`);
    assert.ok(shelter.includes(verified), `${lang}: last verified`);
    assert.ok(shelter.includes('Capital Area Freedom Network'), 'organisation');
    assert.match(decode(shelter), lang === 'en' ? /Open 24 hours|Closed now/ : /Abierto las 24 horas|Cerrado ahora/);
    const jobs = card(JOBS);
    // Named in the reader's language (a Spanish page said "Spanish and English").
    assert.ok(jobs.includes(langs) && (lang === 'en' ? /Spanish and English/ : /español e inglés/).test(jobs), `${lang}: languages`);
    assert.match(jobs, lang === 'en' ? /[\d.]+ miles away/ : /a [\d.]+ millas/);
    // A place at the ZIP code's centre is not "0.0 miles away"; an approximate location's note is not bracketed twice.
    assert.equal(distanceText({ t: translator(lang) }, 0.02), lang === 'en' ? 'Less than 0.1 miles away' : 'A menos de 0.1 millas');
    assert.equal(distanceText({ t: translator(lang) }, 1.04), lang === 'en' ? '1.0 miles away' : 'a 1.0 millas');
    assert.doesNotMatch(body, /0\.0 mil/);
    assert.doesNotMatch(decode(body), /\)\)/);
    // A service with nothing but a name and a place: no empty labels.
    const ann = card(id('ann'));
    for (const label of lang === 'en' ? ['Languages', 'Last verified', 'Phone', 'Address'] : ['Idiomas', 'Última verificación', 'Teléfono', 'Dirección']) assert.ok(!ann.includes(label), `${lang}: ${label} left out when empty`);
  }
});

test('open now and the closing time come from the weekly schedule, in the reader language', () => {
  const rows = [{ byday: 'MO,TU,WE,TH,FR', opens_at: '09:00', closes_at: '17:00', timezone: -5, freq: 'WEEKLY' }];
  // Wednesday 3 December 2025, 15:00 UTC = 10:00 at UTC-5.
  const wed10 = new Date('2025-12-03T15:00:00Z');
  assert.deepEqual(openState(rows, wed10, 'en'), { open: true, text: 'Open now · closes 5 pm' });
  assert.deepEqual(openState(rows, wed10, 'es'), { open: true, text: 'Abierto ahora · cierra a las 17:00' });
  assert.deepEqual(openState(rows, new Date('2025-12-06T15:00:00Z'), 'en'), { open: false, text: 'Closed now' }, 'Saturday');
  assert.equal(openState([{ description: 'By appointment' }], wed10, 'en'), undefined, 'no times: nothing said');
  assert.deepEqual(openState([{ byday: 'MO,TU,WE,TH,FR,SA,SU', opens_at: '00:00', closes_at: '23:59', timezone: -5 }], wed10, 'es'), { open: true, text: 'Abierto las 24 horas' });
});
