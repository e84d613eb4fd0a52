/**
 * Confidential locations are found by area (issue 13 item 4): a place search lists the demo shelter (3 beds free, a
 * confidential address in 20010) to the public with a band of distance and no address or point, in the page, the
 * API and its NDJSON export; a vetted caller, and a case worker of the organisation that runs it (a steward), see its
 * address and exact distance; a case worker of another organisation does not. The capacity filter works in place
 * searches.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, testApp, TestClient, type TestApp } from '../../platform/testing.ts';
import { addSteward } from './stewards.ts';
import { Dataset } from './validate.ts';
import { createNetwork, addMember } from '../networks/commands.ts';
import { demoProviders } from './demo.ts';
import { importDataset } from './import.ts';
import { uuidv5 } from './model.ts';
import { searchServices } from './search.ts';

let t: TestApp;
let anon: TestClient;
let chair: TestClient;
let steward: TestClient;
let otherWorker: TestClient;
let partnerWorker: TestClient;
const SHELTER = uuidv5('demo:svc:shelter');
const OFFICE_JOBS = uuidv5('demo:svc:jobs');
// What would give the shelter away: its street, its coordinates (38.93, -77.02) and its house line.
const SECRETS = [/Hidden Lane/, /38\.93\b/, /-77\.02\b/, /555-0199/];

before(async () => {
  t = await testApp();
  await importDataset(t.ctx, demoProviders(), 'hsds-3.0-json');
  anon = t.client();
  chair = await t.signedIn('chair');
  const own = await makeUser(t.ctx, 'caseworker', 'shelter-staff@test.example', 'Freedom Network account');
  const other = await makeUser(t.ctx, 'caseworker', 'other-worker@test.example', 'Other agency account');
  await addSteward(t.ctx, { directory_organization_id: uuidv5('demo:org:freedom-network'), account_organization_id: own.organization_id });
  steward = new TestClient(t.app, t.ctx);
  await steward.signIn(own);
  otherWorker = new TestClient(t.app, t.ctx);
  await otherWorker.signIn(other);
  // A partner agency in a network with the organisation that runs the shelter, and one of its case workers.
  const partnerOrg = uuidv5('test:org:partner');
  const ds = new Dataset();
  ds.add('organization', { id: partnerOrg, name: 'Partner Legal Aid', description: 'A partner agency.' }, { file: 'test', row: 1 });
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  const partner = await makeUser(t.ctx, 'caseworker', 'partner-worker@test.example', 'Partner account');
  await addSteward(t.ctx, { directory_organization_id: partnerOrg, account_organization_id: partner.organization_id });
  const n = await createNetwork(t.ctx, { name: 'Shelter Network', convener_organization_id: partnerOrg, area_kind: 'regions', states: ['DC'] });
  await addMember(t.ctx, n.id, { directory_organization_id: uuidv5('demo:org:freedom-network'), role: 'housing' });
  partnerWorker = new TestClient(t.app, t.ctx);
  await partnerWorker.signIn(partner);
});

after(async () => {
  await t.close();
});

test('the public finds the confidential shelter with free beds near a ZIP code by area only: API, NDJSON and page', async () => {
  for (const zip of ['20010', '20001']) {
    const api = await anon.get(`/api/hsds/services?near=${zip}&radius=10&capacity_available=true&full=true`);
    assert.equal(api.statusCode, 200, api.body);
    const items = api.json().contents as Record<string, unknown>[];
    assert.deepEqual(items.map((s) => s.id), [SHELTER], `${zip}: the shelter with beds`);
    const band = items[0].distance_within_miles as number;
    assert.ok(band % 5 === 0 && band >= (zip === '20010' ? 0.3 : 2.2) && band <= 10, `${zip}: a band of distance (${band}) that holds the true one`);
    if (zip === '20010') assert.equal(band, 5);
    assert.equal(items[0].distance_miles, undefined, 'no exact distance');
    for (const re of SECRETS) assert.doesNotMatch(api.body, re);

    const nd = await anon.get(`/api/hsds/services?near=${zip}&radius=10&format=ndjson`);
    assert.equal(nd.statusCode, 200);
    const lines = nd.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const shelter = lines.find((s) => s.id === SHELTER);
    assert.ok(shelter, 'in the export of the results');
    assert.equal(shelter.distance_within_miles, band);
    assert.ok(typeof lines.find((s) => s.id === OFFICE_JOBS)?.distance_miles === 'number', 'public locations keep their distance');
    for (const re of SECRETS) assert.doesNotMatch(nd.body, re);
  }
  for (const [lang, text] of [
    ['en', 'Within 5 miles (confidential location'],
    ['es', 'A menos de 5 millas (ubicación confidencial'],
  ]) {
    const page = await anon.get('/directory?near=20010&radius=10&options=capacity_available', { 'accept-language': lang });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Safe Haven Emergency Shelter/);
    assert.ok(page.body.includes(text), `${lang}: ${text}`);
    for (const re of SECRETS) assert.doesNotMatch(page.body, re);
  }
  // Outside the radius by its area, it is not listed at all.
  const far = await anon.get('/api/hsds/services?near=22201&radius=2');
  assert.ok(!(far.json().contents as { id: string }[]).some((s) => s.id === SHELTER));
});

test('a vetted caller sees the shelter found near a ZIP code with its address and exact distance', async () => {
  const api = await chair.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&full=true');
  assert.equal(api.statusCode, 200);
  const [item] = api.json().contents as Record<string, unknown>[];
  assert.equal(item.id, SHELTER);
  assert.equal(typeof item.distance_miles, 'number');
  assert.ok((item.distance_miles as number) < 1);
  assert.equal(item.distance_within_miles, undefined);
  assert.match(api.body, /77 Hidden Lane NW/);
  const nd = await chair.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&format=ndjson&full=true');
  assert.match(nd.body, /77 Hidden Lane NW/);
  const page = await chair.get('/directory?near=20010&radius=10&options=capacity_available');
  assert.match(page.body, /77 Hidden Lane NW/);
  assert.doesNotMatch(page.body, /Within 5 miles/);
  // The search itself: exact distance and the location named for the vetted, a band and none for the public.
  const db = t.db.handle.db;
  const kind = t.db.handle.kind;
  for (const plan of [undefined, 'tables'] as const) {
    const open = await searchServices(db, kind, { near: '20010', radius: 10, capacity: true, page: 1, perPage: 5, vetted: false, plan });
    assert.deepEqual(open.hits.map((h) => [h.serviceId, h.distance, h.within, h.locationId]), [[SHELTER, 5, true, undefined]], String(plan));
    const vetted = await searchServices(db, kind, { near: '20010', radius: 10, capacity: true, page: 1, perPage: 5, vetted: true, plan });
    assert.equal(vetted.hits[0].locationId, uuidv5('demo:loc:shelter'));
    assert.ok(vetted.hits[0].distance! < 1 && !vetted.hits[0].within);
  }
});

test('a case worker of the organisation that runs the shelter finds it with its address; one of another organisation by area only', async () => {
  const mine = await steward.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&full=true');
  const [item] = mine.json().contents as Record<string, unknown>[];
  assert.equal(item.id, SHELTER);
  assert.ok(typeof item.distance_miles === 'number' && item.distance_within_miles === undefined, 'exact distance');
  assert.match(mine.body, /77 Hidden Lane NW/);
  assert.match((await steward.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&format=ndjson&full=true')).body, /77 Hidden Lane NW/);
  const page = await steward.get('/directory?near=20010&radius=10&options=capacity_available');
  assert.match(page.body, /77 Hidden Lane NW/);

  const theirs = await otherWorker.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&full=true');
  const [seen] = theirs.json().contents as Record<string, unknown>[];
  assert.equal(seen.id, SHELTER);
  assert.equal(seen.distance_within_miles, 5);
  for (const re of SECRETS) assert.doesNotMatch(theirs.body, re);
  for (const re of SECRETS) assert.doesNotMatch((await otherWorker.get('/directory?near=20010&radius=10&options=capacity_available')).body, re);
});

test('a case worker of an organisation in a network with the one that runs the shelter finds it with its address', async () => {
  const res = await partnerWorker.get('/api/hsds/services?near=20010&radius=10&capacity_available=true&full=true');
  const [item] = res.json().contents as Record<string, unknown>[];
  assert.equal(item.id, SHELTER);
  assert.ok(typeof item.distance_miles === 'number' && item.distance_within_miles === undefined);
  assert.match(res.body, /77 Hidden Lane NW/);
  assert.match((await partnerWorker.get('/directory?near=20010&radius=10&options=capacity_available')).body, /77 Hidden Lane NW/);
});
