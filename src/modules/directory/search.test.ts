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
import fc from 'fast-check';

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

test('the search points answer every common search exactly as the HSDS tables do (property-based)', async () => {
  const t = await testApp();
  try {
    await generateDirectory(t.ctx, 1500);
    // Cases the generator does not make: several locations (one confidential), none, a defunct service, a cost
    // option of nothing, capacity, traits, a language known by name only, and a service whose location moved away.
    const o = { id: id('edge-org'), name: 'Edge Cases Inc', description: 'Edge organisation' };
    const loc = (key: string, lat: number, lng: number, confidential = false) => ({ id: id(`sal:${key}`), location: { id: id(`loc:${key}`), location_type: 'physical', organization_id: o.id, name: key, latitude: lat, longitude: lng, confidential } });
    const attr = (key: string, code: string) => ({ id: id(`attr:${key}:${code}`), link_type: code.split('.')[0], taxonomy_term_id: termId(code) });
    const edge = (key: string, extra: Record<string, unknown>) => ({ id: id(key), organization_id: o.id, organization: o, name: `Edge ${key} job help`, description: 'Employment and housing help', status: 'active', ...extra });
    const items = [
      edge('two-places', { service_at_locations: [loc('ny-secret', 40.75, -73.99, true), loc('chicago', 41.88, -87.63)], attributes: [attr('two', 'need.employment'), attr('two', 'trait.24-hour'), attr('two', 'trait.hotline-referrals')], languages: [{ id: id('lang:two'), name: 'Haitian Creole' }] }),
      edge('nowhere', { attributes: [attr('nowhere', 'need.employment'), attr('nowhere', 'population.foreign-nationals')], languages: [{ id: id('lang:nowhere'), name: 'Spanish', code: 'es' }], fees_description: 'Sliding scale', cost_options: [{ id: id('cost:nowhere'), amount: 0, currency: 'USD' }] }),
      edge('closed-down', { status: 'defunct', service_at_locations: [loc('closed', 40.76, -73.98)], attributes: [attr('closed', 'need.employment')] }),
      edge('beds', { service_at_locations: [loc('beds', 40.7, -74.0)], attributes: [attr('beds', 'need.emergency-shelter')], capacities: [{ id: id('cap:beds'), unit_id: id('unit'), available: 3, updated: '2026-11-30T12:00:00Z', unit: { id: id('unit'), name: 'beds' } }] }),
    ];
    const ds = new Dataset();
    const seen = new Map<string, Set<string>>();
    items.forEach((s, i) => flatten(ds, 'service', s, { file: 'edge.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const now = new Date('2026-12-02T15:00:00Z');
    // Filters mostly absent, so that many searches find something.
    const subset = <T,>(xs: T[]) => fc.oneof({ arbitrary: fc.constant([] as T[]), weight: 3 }, { arbitrary: fc.subarray(xs, { minLength: 1, maxLength: 2 }), weight: 1 });
    const rarely = fc.constantFrom(false, false, false, true);
    const params = fc.record({
      q: fc.constantFrom(undefined, undefined, undefined, 'job', 'clinic', 'housing help', 'legal aid', 'edge', 'zzzz'),
      near: fc.constantFrom(undefined, undefined, '10001', '60601', '20001', '38.9,-77.0', '40.75,-73.99'),
      radius: fc.constantFrom(undefined, 2, 25, 100, 400),
      need: subset(['employment', 'housing', 'emergency-shelter', 'legal', 'nonsense']),
      population: subset(['adults', 'foreign-nationals', 'minors']),
      trait: subset(['24-hour', 'trauma-informed']),
      language: subset(['es', 'en', 'spanish', 'haitian creole', 'e_', '%']),
      free: rarely,
      capacity: rarely,
      referrals: rarely,
      openNow: rarely,
      vetted: fc.boolean(),
      page: fc.integer({ min: 1, max: 3 }),
      perPage: fc.constantFrom(5, 20, 50),
    });
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(params, async (raw) => {
        const p: SearchParams = { ...(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length))) as unknown as SearchParams), now };
        const points = await searchServices(db, kind, p);
        const tables = await searchServices(db, kind, { ...p, plan: 'tables' });
        const rounded = (r: typeof points) => ({ ...r, hits: r.hits.map((h) => ({ ...h, distance: h.distance === undefined ? undefined : Math.round(h.distance * 1e6) })) });
        assert.deepEqual(rounded(points), rounded(tables), JSON.stringify(p));
        if (points.total) nonEmpty++;
      }),
      { numRuns: 150, seed: 20261202 },
    );
    assert.ok(nonEmpty > 30, `only ${nonEmpty} of the generated searches found anything`);
    // The edge cases themselves, each found (or not) for the right reason.
    const ids = async (p: Partial<SearchParams>) => (await searchServices(db, kind, { page: 1, perPage: 100, vetted: false, ...p })).hits.map((h) => h.serviceId);
    const unvetted = (await searchServices(db, kind, { q: 'edge', near: '40.75,-73.99', radius: 2, page: 1, perPage: 100, vetted: false })).hits.find((h) => h.serviceId === id('two-places'));
    assert.ok(unvetted?.within && unvetted.locationId === undefined && unvetted.distance === 5, 'a confidential place is near an unvetted caller only as a band, with no location');
    assert.ok((await ids({ q: 'edge', near: '40.75,-73.99', radius: 2, vetted: true })).includes(id('two-places')));
    assert.ok((await ids({ q: 'edge', language: ['haitian creole'], referrals: true })).includes(id('two-places')));
    assert.ok((await ids({ q: 'edge', free: true, population: ['foreign-nationals'] })).includes(id('nowhere')), 'free through a cost option of 0');
    assert.ok(!(await ids({ q: 'edge' })).includes(id('closed-down')), 'defunct services are never found');
    assert.deepEqual(await ids({ q: 'edge', capacity: true }), [id('beds')]);
  } finally {
    await t.close();
  }
});

test('best match near a place: a relevant service 1.5 miles away before a passing mention next door; nearest on request; stable ties and pages; synonyms in both languages', async () => {
  const t = await testApp();
  try {
    const o = { id: id('rank-org'), name: 'Ranking Org', description: 'Ranking organisation' };
    // 20001's centroid is about 38.9097,-77.0175; a degree of latitude is about 69 miles.
    const near = (key: string, milesNorth: number) => [{ id: id(`sal:${key}`), location: { id: id(`loc:${key}`), location_type: 'physical', organization_id: o.id, name: key, latitude: 38.9097 + milesNorth / 69, longitude: -77.0175 } }];
    const svc = (key: string, name: string, description: string, miles: number) => ({ id: id(key), organization_id: o.id, organization: o, name, description, status: 'active', service_at_locations: near(key, miles) });
    const items = [
      svc('training', 'Job Training and Placement', 'Job training, job readiness and job placement for adults looking for work.', 1.5),
      svc('lab', 'Home Movie Digitising Lab', 'Digitise your home movies. Volunteers sometimes mention a job board.', 0),
      svc('twin-a', 'Twin Food Pantry', 'Food pantry.', 3),
      svc('twin-b', 'Twin Food Pantry', 'Food pantry.', 3),
      svc('twin-c', 'Twin Food Pantry', 'Food pantry.', 3),
      svc('refuge', 'Harbor Emergency Shelter', 'Emergency shelter beds for families.', 2),
    ];
    const ds = new Dataset();
    const seen = new Map<string, Set<string>>();
    items.forEach((s, i) => flatten(ds, 'service', s, { file: 'rank.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const order = async (p: Partial<SearchParams>) => (await searchServices(db, kind, { page: 1, perPage: 20, vetted: false, ...p })).hits.map((h) => h.serviceId);

    assert.deepEqual((await order({ q: 'job', near: '20001' })).slice(0, 2), [id('training'), id('lab')], 'best match by default');
    assert.deepEqual((await order({ q: 'job', near: '20001', sort: 'relevance' })).slice(0, 2), [id('training'), id('lab')]);
    assert.deepEqual((await order({ q: 'job', near: '20001', sort: 'distance' })).slice(0, 2), [id('lab'), id('training')], 'nearest first on request');
    // Equal matches at one distance: by name, then id, the same on every page.
    const twins = [id('twin-a'), id('twin-b'), id('twin-c')].sort();
    assert.deepEqual(await order({ q: 'pantry', near: '20001' }), twins);
    const paged = [...(await order({ q: 'pantry', near: '20001', perPage: 1, page: 1 })), ...(await order({ q: 'pantry', near: '20001', perPage: 1, page: 2 })), ...(await order({ q: 'pantry', near: '20001', perPage: 1, page: 3 }))];
    assert.deepEqual(paged, twins, 'pages follow one order');
    assert.deepEqual(await order({ q: 'pantry' }), twins, 'without a place too');

    // Everyday words, English and Spanish; filler words do not empty a search.
    for (const q of ['albergue', 'refugio', 'shelter', 'beds']) assert.deepEqual(await order({ q }), [id('refuge')], q);
    assert.deepEqual(await order({ q: 'trabajo' }), [id('training'), id('lab')], 'trabajo is work: the job programme first');
    assert.deepEqual(await order({ q: 'comida' }), twins);
    assert.deepEqual(await order({ q: 'ayuda para trabajo cerca de mi', near: '20001' }), [id('training'), id('lab')], 'filler and joining words left out when nothing has them');
    assert.ok((await order({ q: 'help' })).length === items.length, 'a query of filler words asks for nothing');

    // The API and the page take the order; a wrong one is a field error in the person's language.
    const api = await t.app.inject({ url: '/api/hsds/services?search=job&near=20001&sort=distance&per_page=2' });
    assert.equal(api.statusCode, 200, api.body);
    assert.deepEqual((api.json().contents as { id: string }[]).map((s) => s.id), [id('lab'), id('training')]);
    const best = await t.app.inject({ url: '/api/hsds/services?search=job&near=20001&per_page=2' });
    assert.deepEqual((best.json().contents as { id: string }[]).map((s) => s.id), [id('training'), id('lab')]);
    const bad = await t.app.inject({ url: '/api/hsds/services?search=job&near=20001&sort=closest' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /sort/);
    const page = await t.app.inject({ url: '/directory?q=job&near=20001&sort=distance', headers: { 'accept-language': 'es' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Mejor coincidencia/);
    assert.match(page.body, /<option value="distance" selected/);
    assert.ok(page.body.indexOf('Home Movie Digitising Lab') < page.body.indexOf('Job Training and Placement'), 'nearest first on the page');
    const wrong = await t.app.inject({ url: '/directory?q=job&near=20001&sort=closest', headers: { 'accept-language': 'es' } });
    assert.equal(wrong.statusCode, 400);
    // The choices named as the form shows them, not as the URL spells them.
    assert.match(wrong.body, /field-sort-error[^>]*>debe ser uno de: Mejor coincidencia, Más cercano</, 'the error in Spanish');
    const wrongEn = await t.app.inject({ url: '/directory?q=job&near=20001&sort=closest' });
    assert.match(wrongEn.body, /field-sort-error[^>]*>must be one of: Best match, Nearest</);
    const option = await t.app.inject({ url: '/directory?q=job&options=cheap', headers: { 'accept-language': 'es' } });
    assert.equal(option.statusCode, 400);
    assert.match(option.body, /field-options-error[^>]*>debe estar entre: Gratuito, Abierto ahora, Acepta referencias de la línea directa, Tiene cupo disponible</);
    const badZip = await t.app.inject({ url: '/directory?q=job&near=00000', headers: { 'accept-language': 'es' } });
    assert.match(badZip.body, /el código postal 00000 no es conocido/);
  } finally {
    await t.close();
  }
});

test('ranking: a service with the word typed comes before one with only a common synonym of it, on both engines', async () => {
  const t = await testApp();
  try {
    const o = { id: id('syn-org'), name: 'Synonym Org', description: 'Synonym organisation' };
    const svc = (key: string, name: string) => ({ id: id(key), organization_id: o.id, organization: o, name, description: 'Beds for families.', status: 'active' });
    // "housing" is a synonym of "shelter" (synonyms.ts) and common here; "Anchor" sorts first when the scores tie.
    const items = [svc('typed', 'Harbor Shelter'), svc('synonym', 'Anchor Housing'), ...[1, 2, 3, 4].map((i) => svc(`housing-${i}`, `Housing Program ${i}`))];
    const ds = new Dataset();
    const seen = new Map<string, Set<string>>();
    items.forEach((s, i) => flatten(ds, 'service', s, { file: 'syn.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');
    const hits = (await searchServices(t.db.handle.db, t.db.handle.kind, { page: 1, perPage: 20, vetted: false, q: 'shelter' })).hits;
    assert.equal(hits.length, items.length, 'the synonym widens the search');
    assert.equal(hits[0].serviceId, id('typed'), 'the word typed first');
    assert.ok(hits[0].score > hits[1].score, 'by score, not by name');
  } finally {
    await t.close();
  }
});
