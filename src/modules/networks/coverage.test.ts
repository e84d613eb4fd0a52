import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { needCoverage } from '../directory/index.ts';
import { areaCounties } from './area.ts';
import { DC, tinyDirectory } from './testkit.ts';

test('directory coverage: a provider 5 miles away covers at 10 miles, not at 3; confidential sites count only when vetted', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const points = [{ key: 'dc', lat: DC.lat, lng: DC.lng }];
    const at = async (miles: number, vetted = false, organizationIds?: string[]) => (await needCoverage(t.ctx.db, points, { miles, vetted, organizationIds })).get('dc')!;

    const ten = await at(10);
    assert.equal(ten['need.employment'].covered, true);
    assert.ok(Math.abs(ten['need.employment'].nearestMiles! - 5) < 0.05, `about 5 miles: ${ten['need.employment'].nearestMiles}`);
    assert.equal(ten['need.employment'].providers, 1);
    assert.equal(ten['need.housing'].covered, false, 'housing is 40 miles away');
    assert.equal(ten['need.legal'].covered, false);
    assert.equal((await at(3))['need.employment'].covered, false);
    assert.equal((await at(45))['need.housing'].covered, true);
    assert.equal((await at(35))['need.housing'].covered, false);

    // The shelter is 2 miles away at a confidential location.
    assert.equal(ten['need.emergency-shelter'].covered, false, 'unvetted: the shelter is not counted');
    assert.equal(ten['need.emergency-shelter'].nearestMiles, null);
    assert.equal((await at(10, true))['need.emergency-shelter'].covered, true, 'vetted: it is');

    // Limited to some organisations (a network's members).
    assert.equal((await at(10, false, [d.farHousing.id]))['need.employment'].covered, false);
    assert.equal((await at(10, false, [d.jobs.id]))['need.employment'].covered, true);
    assert.equal((await at(10, false, ['not-a-uuid']))['need.employment'].covered, false);

    // Only the needs asked for; no points, no query.
    const one = (await needCoverage(t.ctx.db, points, { miles: 10, vetted: false, needs: ['need.employment'] })).get('dc')!;
    assert.deepEqual(Object.keys(one), ['need.employment']);
    assert.equal((await needCoverage(t.ctx.db, [], { miles: 10, vetted: false })).size, 0);
  } finally {
    await t.close();
  }
});

test('network coverage through the API: gaps, scope=members, and the confidential rule per caller', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const admin = await t.signedIn('admin');
    const r = await admin.request('POST', '/api/networks', { json: { name: 'Housing-led network', convener_organization_id: d.farHousing.id, area_kind: 'regions', counties: ['11001'], needs: ['need.employment', 'need.emergency-shelter'] } });
    const id = r.json().id;
    const cov = async (c = t.client(), q = '') => (await c.get(`/api/networks/${id}/coverage${q}`)).json();

    const pub = await cov(t.client(), '?distance=10');
    assert.equal(pub.confidential_included, false);
    assert.deepEqual(pub.counties.map((c: { fips: string }) => c.fips), ['11001']);
    const cell = (c: { counties: { needs: { need: string; covered: boolean }[] }[] }, need: string) => c.counties[0].needs.find((x) => x.need === need)!;
    assert.equal(cell(pub, 'need.employment').covered, true);
    assert.equal(cell(pub, 'need.emergency-shelter').covered, false);
    assert.deepEqual(pub.gaps, [{ fips: '11001', name: 'District of Columbia', state: 'DC', need: 'need.emergency-shelter' }]);
    assert.deepEqual(pub.summary, [
      { need: 'need.emergency-shelter', covered_counties: 0, counties: 1 },
      { need: 'need.employment', covered_counties: 1, counties: 1 },
    ]);
    assert.equal(cell(await cov(t.client(), '?distance=3'), 'need.employment').covered, false);
    assert.equal(cell(await cov(t.client()), 'need.employment').covered, true, 'default distance is 10 miles');

    // The gap report as CSV: one row per county and need.
    const csv = await t.client().get(`/api/networks/${id}/coverage.csv?distance=10`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.deepEqual(csv.body.trim().split('\r\n'), ['fips,county,state,need,covered,nearest_miles,providers', '11001,District of Columbia,DC,need.emergency-shelter,no,,0', '11001,District of Columbia,DC,need.employment,yes,5,1']);

    // Members only: the jobs centre is not a member until it joins.
    assert.equal(cell(await cov(t.client(), '?distance=10&scope=members'), 'need.employment').covered, false);
    await admin.request('POST', `/api/networks/${id}/members`, { json: { directory_organization_id: d.jobs.id, role: 'employment_training' } });
    assert.equal(cell(await cov(t.client(), '?distance=10&scope=members'), 'need.employment').covered, true);

    // Vetted roles (directory.confidential: chair, admin) count the shelter; members and the public do not.
    const chair = await cov(await t.signedIn('chair'), '?distance=10');
    assert.equal(chair.confidential_included, true);
    assert.equal(cell(chair, 'need.emergency-shelter').covered, true);
    assert.equal(cell(await cov(await t.signedIn('member'), '?distance=10'), 'need.emergency-shelter').covered, false);

    // The national view: the District has one network; its counties are counted with the same rule.
    const states = (await t.client().get('/api/networks/coverage/states?distance=10&need=need.employment&need=need.emergency-shelter')).json();
    const dc = states.states.find((s: { code: string }) => s.code === 'DC');
    assert.equal(dc.counties, 1);
    assert.equal(dc.networks, 1);
    assert.deepEqual(dc.needs, [
      { need: 'need.emergency-shelter', covered_counties: 0 },
      { need: 'need.employment', covered_counties: 1 },
    ]);
    assert.equal(dc.covered_share, 0.5);
    const tx = states.states.find((s: { code: string }) => s.code === 'TX');
    assert.equal(tx.covered_share, 0);
    const vettedStates = (await (await t.signedIn('admin')).get('/api/networks/coverage/states?distance=10&need=need.emergency-shelter')).json();
    assert.equal(vettedStates.states.find((s: { code: string }) => s.code === 'DC').covered_share, 1);
  } finally {
    await t.close();
  }
});

test('areas: states and counties, or every county whose centre is within the radius (and the centre\'s own)', () => {
  const regions = areaCounties({ area_kind: 'regions', states: ['DC'], counties: ['24031', '51013'], center_lat: null, center_lng: null, radius_miles: null });
  assert.deepEqual(regions.map((c) => c.fips).sort(), ['11001', '24031', '51013']);
  const small = areaCounties({ area_kind: 'radius', states: [], counties: [], center_lat: 38.9072, center_lng: -77.0369, radius_miles: 1 });
  assert.deepEqual(small.map((c) => c.fips), ['11001']);
  const ten = areaCounties({ area_kind: 'radius', states: [], counties: [], center_lat: 38.9072, center_lng: -77.0369, radius_miles: 10 }).map((c) => c.fips);
  assert.ok(ten.includes('11001') && ten.includes('51013'), ten.join());
  assert.ok(!ten.includes('24031'), 'Montgomery County is about 15 miles out');
  assert.equal(areaCounties({ area_kind: 'regions', states: ['TX'], counties: [], center_lat: null, center_lng: null, radius_miles: null }).length, 254);
});
