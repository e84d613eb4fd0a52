import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testApp, type TestApp, type TestClient } from '../../platform/testing.ts';
import { importPath } from './import.ts';
import { importDataset } from './import.ts';
import { addDemoProviders } from './demo.ts';
import { Dataset } from './validate.ts';
import { uuidv5 } from './model.ts';
import { termId } from './taxonomy.ts';
import { DC_SAMPLE, assertHsds, assertPage } from './testing.ts';

let t: TestApp;
let anon: TestClient;
let chair: TestClient;
let member: TestClient;
const SHELTER_LOCATION = uuidv5('demo:loc:shelter');
const SHELTER_SERVICE = uuidv5('demo:svc:shelter');
const JOB_SERVICE = uuidv5('test:svc:jobs-es');

before(async () => {
  t = await testApp();
  await importPath(t.ctx, DC_SAMPLE, { skipBrokenReferences: true });
  await addDemoProviders(t.ctx);
  // A free employment program in Arlington, Virginia (about 4 miles from ZIP 20001), for foreign nationals, in Spanish.
  const ds = new Dataset();
  const o = { file: 'test', row: 1 };
  const org = uuidv5('test:org:arlington');
  ds.add('organization', { id: org, name: 'Arlington Worker Center', description: 'Worker center.' }, o);
  ds.add('service', { id: JOB_SERVICE, organization_id: org, name: 'Programa de Empleo para Sobrevivientes', description: 'Employment placement and coaching, en español.', status: 'active', fees_description: 'Free', assured_date: '2026-10-01' }, o);
  ds.add('location', { id: uuidv5('test:loc:arlington'), location_type: 'physical', organization_id: org, name: 'Arlington office', latitude: 38.8816, longitude: -77.091 }, o);
  ds.add('address', { id: uuidv5('test:addr:arlington'), location_id: uuidv5('test:loc:arlington'), address_1: '2100 Washington Blvd', city: 'Arlington', state_province: 'VA', postal_code: '22204', country: 'US', address_type: 'physical' }, o);
  ds.add('service_at_location', { id: uuidv5('test:sal:arlington'), service_id: JOB_SERVICE, location_id: uuidv5('test:loc:arlington') }, o);
  ds.add('language', { id: uuidv5('test:lang:es'), service_id: JOB_SERVICE, name: 'Spanish', code: 'es' }, o);
  ds.add('phone', { id: uuidv5('test:phone'), service_id: JOB_SERVICE, number: '(703) 555-0142' }, o);
  for (const code of ['need.employment', 'population.foreign-nationals']) ds.add('attribute', { id: uuidv5(`test:attr:${code}`), link_id: JOB_SERVICE, link_entity: 'service', link_type: code.split('.')[0], taxonomy_term_id: termId(code) }, o);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  anon = t.client();
  chair = await t.signedIn('chair');
  member = await t.signedIn('member');
});

after(async () => {
  await t.close();
});

async function getJson(c: TestClient, url: string) {
  const res = await c.get(url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
  return res.json() as Record<string, unknown> & { contents: Record<string, unknown>[] };
}

test('every HSDS endpoint answers with data valid against the HSDS 3.0 schemas', async () => {
  const base = await getJson(anon, '/api/hsds');
  assert.equal(base.version, '3.0');
  assert.ok(String(base.openapi_url).endsWith('/api/openapi.json'));

  const services = await getJson(anon, '/api/hsds/services?per_page=100');
  assertPage(services, 'compiled/service_list.json', '/services');
  assert.equal(services.total_items, 505);
  assert.equal(services.total_pages, 6);
  assert.equal(services.first_page, true);
  assert.equal(services.last_page, false);
  const last = await getJson(anon, '/api/hsds/services?per_page=100&page=6');
  assert.equal(last.size, 5);
  assert.equal(last.last_page, true);
  assertPage(await getJson(anon, '/api/hsds/services?full=true&per_page=30'), 'service.json', '/services?full');
  assertPage(await getJson(anon, '/api/hsds/services?minimal=true&per_page=10'), 'compiled/service_list.json', '/services?minimal');
  assertPage(await getJson(anon, '/api/hsds/services?search=housing'), 'compiled/service_list.json', '/services?search');
  const empty = await getJson(anon, '/api/hsds/services?search=zzzzqqqq');
  assert.equal(empty.empty, true);
  assertPage(empty, 'compiled/service_list.json', 'empty');

  for (const s of services.contents.slice(0, 40)) assertHsds('service.json', (await getJson(anon, `/api/hsds/services/${s.id}`)) as unknown, `/services/${s.id}`);
  assertHsds('service.json', await getJson(anon, `/api/hsds/services/${SHELTER_SERVICE}`), 'shelter');
  assertHsds('service.json', await getJson(chair, `/api/hsds/services/${SHELTER_SERVICE}`), 'shelter (vetted)');

  const orgs = await getJson(anon, '/api/hsds/organizations?per_page=100');
  assertPage(orgs, 'compiled/organization_list.json', '/organizations');
  assert.equal(orgs.total_items, 59);
  assertPage(await getJson(anon, '/api/hsds/organizations?full=true&per_page=20'), 'organization.json', '/organizations?full');
  for (const o of orgs.contents.slice(0, 20)) assertHsds('organization.json', await getJson(anon, `/api/hsds/organizations/${o.id}?full_service=true`), `/organizations/${o.id}`);

  const taxonomies = await getJson(anon, '/api/hsds/taxonomies');
  assertPage(taxonomies, 'taxonomy.json', '/taxonomies');
  for (const x of taxonomies.contents) assertHsds('taxonomy.json', await getJson(anon, `/api/hsds/taxonomies/${x.id}`));
  const terms = await getJson(anon, '/api/hsds/taxonomy_terms?per_page=200');
  assertPage(terms, 'taxonomy_term.json', '/taxonomy_terms');
  assertPage(await getJson(anon, `/api/hsds/taxonomy_terms?top_only=true&taxonomy_id=${taxonomies.contents[0].id}`), 'taxonomy_term.json', 'top');
  assertHsds('taxonomy_term.json', await getJson(anon, `/api/hsds/taxonomy_terms/${termId('need.employment')}`));

  const sal = await getJson(anon, '/api/hsds/service_at_locations?per_page=50');
  assertPage(sal, 'compiled/service_at_location_list.json', '/service_at_locations');
  assertPage(await getJson(anon, '/api/hsds/service_at_locations?proximity=38.9122,-77.0177,8000'), 'compiled/service_at_location_list.json', 'proximity');
  assertPage(await getJson(anon, '/api/hsds/service_at_locations?postcode=20001&proximity=5000'), 'compiled/service_at_location_list.json', 'postcode proximity');
  assertPage(await getJson(anon, '/api/hsds/service_at_locations?postcode=20019'), 'compiled/service_at_location_list.json', 'postcode');
  assertPage(await getJson(anon, '/api/hsds/service_at_locations?full=true&per_page=10'), 'service_at_location.json', 'full');
  for (const x of sal.contents.slice(0, 10)) assertHsds('service_at_location.json', await getJson(anon, `/api/hsds/service_at_locations/${x.id}`));

  const nd = await anon.get('/api/hsds/services?format=ndjson&search=employment');
  assert.equal(nd.statusCode, 200);
  assert.match(String(nd.headers['content-type']), /ndjson/);
  for (const line of nd.body.trim().split('\n')) assertHsds('compiled/service_list.json', JSON.parse(line), 'ndjson line');

  for (const bad of ['/api/hsds/services/42', '/api/hsds/services?taxonomy_term_id=x', '/api/hsds/services?modified_after=yesterday', '/api/hsds/services?per_page=0', '/api/hsds/services?near=99999', '/api/hsds/services?bogus=1', '/api/hsds/service_at_locations?proximity=1,2', '/api/hsds/service_at_locations?postcode=abc']) {
    const r = await anon.get(bad);
    assert.equal(r.statusCode, 400, bad);
    assert.match(String(r.headers['content-type']), /problem\+json/, bad);
  }
  assert.equal((await anon.get(`/api/hsds/services/${uuidv5('nothing')}`)).statusCode, 404);
});

test('search: synonyms, ranking, distance order, filters, facets and pagination', async () => {
  const job = await getJson(anon, '/api/hsds/services?search=job&per_page=100');
  assert.ok(job.total_items as number > 0);
  const names = job.contents.map((s) => String(s.name));
  assert.ok(names.some((n) => /employ|work|job|career/i.test(n)), names.slice(0, 10).join(' | '));
  const lawyer = await getJson(anon, '/api/hsds/services?search=lawyer');
  assert.ok((lawyer.total_items as number) > 0, 'lawyer finds legal services');
  const rent = await getJson(anon, '/api/hsds/services?search=rent');
  assert.ok((rent.total_items as number) > 0, 'rent finds housing');

  const near = await getJson(anon, '/api/hsds/services?near=20001&radius=10&per_page=200');
  const d = near.contents.map((s) => s.distance_miles as number);
  assert.ok(d.length > 10);
  assert.deepEqual(d, [...d].sort((a, b) => a - b), 'nearest first');
  assert.ok(d.every((x) => x <= 10));
  const p1 = await getJson(anon, '/api/hsds/services?near=20001&radius=10&per_page=7&page=2');
  assert.deepEqual(p1.contents.map((s) => s.id), near.contents.slice(7, 14).map((s) => s.id));

  const free = await getJson(anon, '/api/hsds/services?free=true&per_page=200');
  assert.ok(free.contents.some((s) => s.id === JOB_SERVICE));
  const cap = await getJson(anon, '/api/hsds/services?capacity_available=true');
  assert.deepEqual(cap.contents.map((s) => s.id), [SHELTER_SERVICE]);
  const ref = await getJson(anon, '/api/hsds/services?accepts_referrals=true');
  assert.equal(ref.total_items, 2);
  const byTerm = await getJson(anon, `/api/hsds/services?taxonomy_term_id=${termId('need.employment')}&per_page=200`);
  assert.ok(byTerm.contents.some((s) => s.id === JOB_SERVICE));
  const open = await t.app.inject({ url: '/api/hsds/services?open_now=true' });
  assert.equal(open.statusCode, 200);
});

test('confidential locations: address, coordinates and phone hidden from the public and unvetted roles, everywhere', async () => {
  const secret = /Hidden Lane|555-0199|38\.93\b|-77\.02\b/;
  for (const [who, c] of [['anonymous', anon], ['member', member]] as const) {
    for (const url of [`/api/hsds/services/${SHELTER_SERVICE}`, '/api/hsds/services?full=true&search=shelter&per_page=200', '/api/hsds/service_at_locations?full=true&per_page=200&search=haven', `/api/hsds/service_at_locations/${uuidv5('demo:sal:shelter')}`, `/api/hsds/organizations/${uuidv5('demo:org:freedom-network')}?full_service=true`, '/api/hsds/organizations?full=true&search=freedom', `/directory/services/${SHELTER_SERVICE}`, `/directory/organizations/${uuidv5('demo:org:freedom-network')}`, '/directory?q=shelter', '/directory?q=haven&near=20010&radius=5']) {
      const r = await c.get(url);
      assert.equal(r.statusCode, 200, `${who} ${url}`);
      assert.doesNotMatch(r.body, secret, `${who} sees the shelter on ${url}`);
    }
    // Distance searches find the confidential location by area only (issue 13): a band of distance, no point.
    const near = await getJson(c, '/api/hsds/services?near=20010&radius=2&per_page=200');
    const found = near.contents.find((s) => s.id === SHELTER_SERVICE);
    assert.ok(found && found.distance_within_miles === 5 && found.distance_miles === undefined, `${who}: shelter in distance results by area only`);
    assert.doesNotMatch(JSON.stringify(near), secret);
    const sal = await getJson(c, '/api/hsds/service_at_locations?proximity=38.93,-77.02,1600');
    assert.ok(!sal.contents.some((s) => s.location_id === SHELTER_LOCATION), `${who}: shelter in proximity results`);
    // The public page offers the organisation's phone instead.
    const page = await c.get(`/directory/services/${SHELTER_SERVICE}`);
    assert.match(page.body, /555-0100/);
    assert.match(page.body, /Confidential location|Ubicación confidencial/);
  }
  // Signed-in downloads and exports are the public view too.
  for (const f of ['services.json', 'addresses.csv', 'locations.csv', 'phones.csv']) {
    const r = await member.get(`/directory/download/${f}`);
    assert.equal(r.statusCode, 200, f);
    assert.doesNotMatch(r.body, secret, f);
  }
  assert.equal((await anon.get('/directory/download/services.json')).statusCode, 302, 'downloads need an account');

  // Vetted roles see it.
  const full = await getJson(chair, `/api/hsds/services/${SHELTER_SERVICE}`);
  assert.match(JSON.stringify(full), /Hidden Lane/);
  const near = await getJson(chair, '/api/hsds/services?near=20010&radius=2&per_page=200');
  assert.ok(near.contents.some((s) => s.id === SHELTER_SERVICE));
  assert.match((await chair.get(`/directory/services/${SHELTER_SERVICE}`)).body, /Hidden Lane/);
});

test('a person finds, on the web, a free employment program within 25 miles of a ZIP code for foreign nationals in Spanish', async () => {
  const start = await anon.get('/directory');
  assert.equal(start.statusCode, 200);
  assert.match(start.body, /<form method="get" action="\/directory"/);
  const url = '/directory?q=&near=20001&radius=25&need=employment&population=foreign-nationals&language=es&options=free';
  const res = await anon.get(url);
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Programa de Empleo para Sobrevivientes/);
  assert.match(res.body, /miles away/);
  assert.match(res.body, /Spanish/);
  assert.match(res.body, /Last verified Oct 1, 2026/, 'last verified date, as people write it');
  // The map's markers are links, so the drawing is a group (an image would hide them from assistive technology).
  assert.match(res.body, /<svg role="group" aria-labelledby="directory-map-svg-title directory-map-svg-desc"/);
  assert.equal((res.body.match(/<h1[ >]/g) ?? []).length, 1);
  const href = `/directory/services/${JOB_SERVICE}`;
  assert.ok(res.body.includes(href));
  const page = await anon.get(href);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /2100 Washington Blvd/);
  assert.match(page.body, /703\) 555-0142/);
  // What the publisher left empty is left out, not shown as a dash (issue 16): no eligibility, hours or way to apply.
  assert.doesNotMatch(page.body, />\s*—\s*</, 'no field shown as a bare dash');
  assert.doesNotMatch(page.body, /Who can get this service|How to apply|>Hours<\/dt>/);
  assert.match(page.body, />Last verified<\/dt><dd[^>]*>Oct 1, 2026</, 'the date as people write it, not 2026-10-01');
  assert.match(page.body, /<h2>Cost<\/h2>\s*<p>Free/);
  const es = await anon.get(url, { cookie: 'lang=es' });
  assert.match(es.body, /Buscar servicios/);
  const bad = await anon.get('/directory?near=abcde');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /usa-error-message/);
});

test('a program does the same through /api/hsds/services', async () => {
  const r = await getJson(anon, `/api/hsds/services?near=20001&radius=25&need=employment&population=foreign-nationals&language=es&free=true`);
  assert.ok(r.contents.some((s) => s.id === JOB_SERVICE), JSON.stringify(r.contents.map((s) => s.name)));
  const hit = r.contents.find((s) => s.id === JOB_SERVICE)!;
  assert.ok((hit.distance_miles as number) < 25);
  assertPage(r, 'compiled/service_list.json', 'journey');
});

test('search parameters never cause a server error (property-based)', async () => {
  const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '20001', '38.9,-77', 'true', 'false', '0', '-1', '1e9', 'employment', 'es', '2026-01-01T00:00:00Z', '%', "'", '"', '∑', 'null'));
  const key = fc.constantFrom('search', 'page', 'per_page', 'near', 'radius', 'need', 'population', 'trait', 'language', 'free', 'open_now', 'accepts_referrals', 'capacity_available', 'taxonomy_term_id', 'taxonomy_id', 'organization_id', 'modified_after', 'minimal', 'full', 'format', 'postcode', 'proximity', 'other');
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 5 }), fc.constantFrom('/api/hsds/services', '/api/hsds/service_at_locations', '/api/hsds/organizations', '/api/hsds/taxonomy_terms', '/directory'), async (pairs, path) => {
      const qs = new URLSearchParams(pairs).toString();
      const r = await t.app.inject({ url: `${path}?${qs}` });
      return r.statusCode >= 200 && r.statusCode < 500;
    }),
    { numRuns: 150 },
  );
});

test('verification: administrators mark a service verified; the 12-month report lists the overdue ones; others may not', async () => {
  const admin = await t.signedIn('admin');
  const report = await getJson(admin, '/api/directory/unverified?per_page=200') as unknown as { items: { id: string; assured_date: string | null }[]; total: number };
  assert.ok(report.total > 400, 'the DC sample carries no verification dates');
  assert.ok(!report.items.some((i) => i.id === JOB_SERVICE), 'verified recently');
  const target = report.items[0].id;
  for (const c of [anon, member, chair]) {
    const r = await c.request('POST', `/api/directory/services/${target}/verify`);
    assert.ok([401, 403].includes(r.statusCode), String(r.statusCode));
    assert.ok([302, 401, 403].includes((await c.get('/directory/unverified')).statusCode));
  }
  const ok = await admin.request('POST', `/api/directory/services/${target}/verify`);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().assured_date, new Date().toISOString().slice(0, 10));
  const after = await getJson(admin, '/api/directory/unverified?per_page=200') as unknown as { total: number };
  assert.equal(after.total, report.total - 1);
  const page = await admin.get('/directory/unverified');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<caption>Services not verified in 12 months<\/caption>/);
  const svc = await admin.get(`/directory/services/${target}`);
  assert.match(svc.body, /action="\/directory\/services\/[^"]+\/verify"/);
  const form = await admin.request('POST', `/directory/services/${report.items[1].id}/verify`, { form: {} });
  assert.equal(form.statusCode, 302);
  const audit = await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', target).execute();
  assert.ok(audit.some((a) => a.action === 'directory.service.verified'));
  assert.equal((await admin.request('POST', `/api/directory/services/${uuidv5('none')}/verify`)).statusCode, 404);
});
