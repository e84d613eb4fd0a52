import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { importDataset } from './import.ts';
import { generateDirectory } from './generate.ts';
import { searchServices, areaCoversPostcode, type SearchParams } from './search.ts';
import { allRows } from './store.ts';
import { uuidv5 } from './model.ts';
import { TERMS, termId } from './taxonomy.ts';

const id = (k: string) => uuidv5(`search-test:${k}`);
const org = { id: id('org'), name: 'Test Network', description: 'Test organisation' };
const service = (key: string, extra: Record<string, unknown>) => ({ id: id(key), organization_id: org.id, organization: org, name: `Service ${key}`, description: 'Employment help', status: 'active', ...extra });
const at = (key: string, zip: string, confidential = false) => [
  { id: id(`sal:${key}`), location: { id: id(`loc:${key}`), location_type: 'physical', organization_id: org.id, name: key, latitude: 38.9, longitude: -77.0, confidential, addresses: [{ id: id(`addr:${key}`), address_1: '1 Main St', city: 'Washington', state_province: 'DC', postal_code: zip, country: 'US', address_type: 'physical' }] } },
];

test('postcode matches a location address or a service area listing the ZIP code; confidential addresses only for vetted callers', async () => {
  const t = await testApp();
  try {
    const ds = new Dataset();
    const items = [
      service('address', { service_at_locations: at('address', '20002') }),
      service('area-name', { service_areas: [{ id: id('area1'), name: '20001, 20002; 20003' }], service_at_locations: at('area-name', '22201') }),
      service('area-extent', { service_areas: [{ id: id('area2'), name: 'Northeast DC', extent: '20002 20018', extent_type: 'text' }], service_at_locations: at('area-extent', '22202') }),
      // A GeoJSON extent is geometry, not a list: the digits inside it are not ZIP codes.
      service('area-geojson', { service_areas: [{ id: id('area3'), name: 'Polygon', extent: '{"type":"Point","coordinates":[20002, 1]}', extent_type: 'geojson' }], service_at_locations: at('area-geojson', '22203') }),
      service('other-zip', { service_areas: [{ id: id('area4'), name: '200021, 120002' }], service_at_locations: at('other-zip', '20020') }),
      service('shelter', { service_at_locations: at('shelter', '20002', true) }),
    ];
    const seen = new Map<string, Set<string>>();
    items.forEach((s, i) => flatten(ds, 'service', s, { file: 'test.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');
    const found = async (vetted: boolean, postcode: string) =>
      (await searchServices(t.db.handle.db, t.db.handle.kind, { page: 1, perPage: 50, vetted, postcode })).hits.map((h) => h.serviceId).sort();
    assert.deepEqual(await found(false, '20002'), [id('address'), id('area-name'), id('area-extent')].sort());
    assert.deepEqual(await found(true, '20002'), [id('address'), id('area-name'), id('area-extent'), id('shelter')].sort());
    assert.deepEqual(await found(false, '20002-4312'), [id('area-name'), id('area-extent')].sort(), 'ZIP+4: areas by the first five digits');
    assert.deepEqual(await found(false, '20003'), [id('area-name')]);

    const areas = await allRows(t.db.handle.db, 'service_area');
    assert.deepEqual(areas.filter((a) => areaCoversPostcode(a, '20002')).map((a) => a.service_id).sort(), [id('area-name'), id('area-extent')].sort());

    // Through the Open Referral API: the service area brings in the service at each location the caller may see.
    const r = await t.app.inject({ url: '/api/hsds/service_at_locations?postcode=20002&per_page=50' });
    assert.equal(r.statusCode, 200, r.body);
    const sals = (r.json().contents as { service_id: string }[]).map((s) => s.service_id).sort();
    assert.deepEqual(sals, [id('address'), id('area-name'), id('area-extent')].sort());
    assert.doesNotMatch(r.body, new RegExp(id('loc:shelter')));
  } finally {
    await t.close();
  }
});

test('facet counts (counted in SQL) equal the counts over the matching services, with text, place and filters', async () => {
  const t = await testApp();
  try {
    // Over 2,000 matches are counted over the query, fewer over the list of ids: both are checked.
    await generateDirectory(t.ctx, 2100);
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const attrs = await allRows(db, 'attribute');
    const langs = await allRows(db, 'language');
    const code = new Map<string, [string, string]>();
    for (const f of ['need', 'population', 'trait'] as const) for (const term of TERMS[f]) code.set(termId(term.code), [f, term.code]);
    const expected = (ids: Set<string>) => {
      const out: Record<string, Record<string, number>> = { need: {}, population: {}, trait: {}, language: {} };
      const seen = new Set<string>();
      for (const a of attrs) {
        const c = code.get(a.taxonomy_term_id as string);
        if (!c || !ids.has(a.link_id as string) || seen.has(`${a.link_id}|${c[1]}`)) continue;
        seen.add(`${a.link_id}|${c[1]}`);
        out[c[0]][c[1]] = (out[c[0]][c[1]] ?? 0) + 1;
      }
      for (const l of langs) {
        const k = String(l.code ?? l.name ?? '').toLowerCase();
        if (!k || !ids.has(l.service_id as string) || seen.has(`${l.service_id}|${k}`)) continue;
        seen.add(`${l.service_id}|${k}`);
        out.language[k] = (out.language[k] ?? 0) + 1;
      }
      return out;
    };
    const cases: Partial<SearchParams>[] = [{}, { q: 'program' }, { q: 'job' }, { need: ['employment', 'housing'] }, { near: '60601', radius: 300 }, { q: 'clinic', near: '10001', radius: 400, language: ['es'] }, { population: ['adults'], free: true }];
    for (const c of cases) {
      const params = { page: 1, perPage: 10, vetted: false, ...c };
      const page = await searchServices(db, kind, params);
      const all = await searchServices(db, kind, { ...params, perPage: 100000 });
      assert.equal(all.hits.length, page.total, JSON.stringify(c));
      assert.deepEqual(page.hits, all.hits.slice(0, 10), `${JSON.stringify(c)}: the first page is the head of the whole order`);
      assert.deepEqual(page.facets, expected(new Set(all.hits.map((h) => h.serviceId))), JSON.stringify(c));
      assert.ok(page.total > 0, JSON.stringify(c));
      const none = await searchServices(db, kind, { ...params, facets: false });
      assert.deepEqual(none.hits, page.hits);
      assert.deepEqual(none.facets, { need: {}, population: {}, trait: {}, language: {} });
    }
  } finally {
    await t.close();
  }
});
