/**
 * HSDS API conformance (issue 12, item 7): the HSDS 3.0 OpenAPI document in the team's shared folder is walked path
 * by path and parameter by parameter against the running API, each answer checked against the response schema the
 * document gives; then what the standard says in words is checked: `proximity` in metres, `modified_after` on or
 * after a date or a date-time, the Page fields, `/organizations/{id}` naming its services. Where this directory
 * deliberately differs, the difference is named here (DIFFERENCES) and in docs/directory.md.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { testApp, type TestApp, type TestClient } from '../../platform/testing.ts';
import { importDataset, importPath } from './import.ts';
import { addDemoProviders } from './demo.ts';
import { Dataset } from './validate.ts';
import { uuidv5 } from './model.ts';
import { termId } from './taxonomy.ts';
import { DC_SAMPLE, SHARED_HSDS, hsdsAjv } from './testing.ts';

type Json = Record<string, unknown>;
type Schema = Json | Json[] | unknown;

const SPEC = JSON.parse(readFileSync(join(SHARED_HSDS, 'spec-3.0', 'schema', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Json>>;
  components: { parameters: Record<string, Json>; schemas: Record<string, Json> };
};
const BASE = '/api/hsds';
const REMOTE = 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/';

/** Where this directory, or the test, departs from the 3.0 document, and why. Each is asserted below. */
const DIFFERENCES = {
  // The document names compiled/service.json and compiled/organization.json, which the 3.0 release does not ship:
  // the schema files they are compiled from (same content, references unresolved) are used instead.
  missingCompiled: { 'compiled/service.json': 'service.json', 'compiled/organization.json': 'organization.json' } as Record<string, string>,
  // GET /service_at_locations/{id} is documented (by an error in the document) as answering a service; it answers
  // the service_at_location its own description and every HSDS publisher give.
  salById: 'service_at_location.json',
  // `minimal` items keep name and status besides id and last_modified, so that they are still valid service_list items.
  minimalKeeps: ['id', 'name', 'status', 'last_modified'],
  // Confidential locations are never given to callers not vetted for them: `proximity` leaves them out.
  confidentialLeftOut: true,
};

// ---------- data ----------

let t: TestApp;
let anon: TestClient;
let chair: TestClient;
const ORG = uuidv5('conformance:org');
const SERVICE = uuidv5('conformance:svc');
const OTHER_SERVICE = uuidv5('conformance:svc:2');
const LOCATION = uuidv5('conformance:loc');
const SAL = uuidv5('conformance:sal');
const SHELTER_SAL = uuidv5('demo:sal:shelter');
/** Cheyenne, Wyoming: ZIP 82001's centroid (zipcodes package), far from every sample record. */
const ZIP = '82001';
const CENTRE = { lat: 41.1437, lng: -104.7962 };
/** 1,000 m due north of the centroid, on the 6,371 km sphere of the mean Earth radius. */
const NORTH_1000M = { lat: CENTRE.lat + (1000 / 6_371_008.8) * (180 / Math.PI), lng: CENTRE.lng };
const STAMP = '2026-03-15T10:30:45.123Z';
let taxonomyId = '';
let parentTermId = '';
const sampleServices = new Map<string, string[]>();

async function serviceIds(): Promise<Set<string>> {
  return new Set((await sql<{ id: string }>`select id from directory_service`.execute(t.ctx.db)).rows.map((r) => String(r.id)));
}

/** Imports a publication and remembers which services it added. */
async function importSample(name: string, load: () => Promise<unknown>) {
  const before = await serviceIds();
  await load();
  sampleServices.set(name, [...(await serviceIds())].filter((id) => !before.has(id)));
}

before(async () => {
  t = await testApp();
  // Every import path: HSDS 2.0 CSV (legacy), HSDS 1.1 CSV data package (legacy), HSDS 3.0 CSV, HSDS 3.0 JSON objects.
  await importSample('HSDS 2.0 CSV', () => importPath(t.ctx, DC_SAMPLE, { skipBrokenReferences: true }));
  await importSample('HSDS 1.1 data package', () => importPath(t.ctx, join(SHARED_HSDS, 'sample-example-city-1.1', 'all_resources')));
  await importSample('HSDS 3.0 CSV', () => importPath(t.ctx, join(SHARED_HSDS, 'spec-3.0', 'examples', 'csv')));
  await importSample('HSDS 3.0 JSON', () => addDemoProviders(t.ctx));
  const ds = new Dataset();
  const o = { file: 'conformance', row: 1 };
  ds.add('organization', { id: ORG, name: 'Prairie Conformance Center', description: 'Two services, one location north of the ZIP centroid.' }, o);
  ds.add('service', { id: SERVICE, organization_id: ORG, name: 'Prairie Food Pantry', description: 'Groceries once a week.', status: 'active' }, o);
  ds.add('service', { id: OTHER_SERVICE, organization_id: ORG, name: 'Prairie Job Club', description: 'Job search help.', status: 'active' }, o);
  ds.add('location', { id: LOCATION, location_type: 'physical', organization_id: ORG, name: 'Prairie office', latitude: NORTH_1000M.lat, longitude: NORTH_1000M.lng }, o);
  ds.add('service_at_location', { id: SAL, service_id: SERVICE, location_id: LOCATION }, o);
  ds.add('attribute', { id: uuidv5('conformance:attr'), link_id: SERVICE, link_entity: 'service', link_type: 'need', taxonomy_term_id: termId('need.employment') }, o);
  await importSample('HSDS 3.0 JSON dataset', () => importDataset(t.ctx, ds, 'hsds-3.0-json'));
  // A known modification time for one service (what a publisher's or an editor's change leaves).
  await sql`update directory_service set last_modified = ${STAMP} where id = ${SERVICE}`.execute(t.ctx.db);
  const term = (await sql<{ taxonomy_id: string }>`select taxonomy_id from directory_taxonomy_term where id = ${termId('need.employment')}`.execute(t.ctx.db)).rows[0];
  taxonomyId = term.taxonomy_id;
  parentTermId = (await sql<{ parent_id: string }>`select parent_id from directory_taxonomy_term where parent_id is not null order by id limit 1`.execute(t.ctx.db)).rows[0].parent_id;
  anon = t.client();
  chair = await t.signedIn('chair');
});

after(async () => {
  await t?.close();
});

// ---------- the document ----------

const clone = <T>(x: T): T => structuredClone(x);

/** A schema of the document with its references made local: HSDS files by their name in the test Ajv, components inline. */
function localized(s: Schema): Schema {
  if (Array.isArray(s)) return s.map(localized);
  if (!s || typeof s !== 'object') return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(REMOTE)) {
      const file = v.slice(REMOTE.length);
      out.$ref = DIFFERENCES.missingCompiled[file] ?? file;
    } else if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      Object.assign(out, localized(clone(SPEC.components.schemas[v.slice('#/components/schemas/'.length)])));
    } else out[k] = localized(v);
  }
  return out;
}

interface Operation {
  path: string;
  schema: Json;
  params: { name: string; in: string }[];
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(SPEC.paths)) {
    assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters'), ['get'], `${path}: only GET is documented`);
    const shared = (item.parameters as unknown as Json[] | undefined) ?? [];
    const op = item.get;
    const params = [...shared, ...((op.parameters as Json[] | undefined) ?? [])].map((p) => (typeof p.$ref === 'string' ? SPEC.components.parameters[p.$ref.split('/').pop()!] : p)) as { name: string; in: string }[];
    const ok = ((op.responses as Record<string, Json>)['200'].content as Record<string, Json>)['application/json'];
    let schema = localized(ok.schema) as Json;
    if (path === '/service_at_locations/{id}') schema = { $ref: DIFFERENCES.salById };
    out.push({ path, schema, params });
  }
  return out;
}

const compiled = new Map<string, ReturnType<ReturnType<typeof hsdsAjv>['compile']>>();
function validator(path: string, schema: Json) {
  let fn = compiled.get(path);
  if (!fn) compiled.set(path, (fn = hsdsAjv().compile(schema)));
  return fn;
}

/** A valid id for each path parameter, and valid values (query fragments) for each query parameter. */
function pathIds(): Record<string, string> {
  return { '/services/{id}': SERVICE, '/taxonomies/{id}': taxonomyId, '/taxonomy_terms/{id}': termId('need.employment'), '/organizations/{id}': ORG, '/service_at_locations/{id}': SAL };
}
function validValues(): Record<string, string[]> {
  return {
    search: ['search=pantry'],
    page: ['page=2&per_page=3'],
    per_page: ['per_page=3'],
    format: ['format=json', 'format=ndjson'],
    taxonomy_term_id: [`taxonomy_term_id=${termId('need.employment')}`],
    taxonomy_id: [`taxonomy_id=${taxonomyId}`],
    organization_id: [`organization_id=${ORG}`],
    modified_after: ['modified_after=2026-03-15', `modified_after=${STAMP}`],
    minimal: ['minimal=true', 'minimal=false'],
    full: ['full=true', 'full=false'],
    full_service: ['full_service=true', 'full_service=false'],
    top_only: ['top_only=true'],
    parent_id: [`parent_id=${parentTermId}`],
    postcode: ['postcode=20001'],
    proximity: [`postcode=${ZIP}&proximity=1200`, `proximity=${NORTH_1000M.lat},${NORTH_1000M.lng},50`],
  };
}
/** An invalid value of each parameter: the answer is 400 naming it. */
const BAD: Record<string, string> = {
  search: `search=${'x'.repeat(201)}`,
  page: 'page=first',
  per_page: 'per_page=0',
  format: 'format=xml',
  taxonomy_term_id: 'taxonomy_term_id=42',
  taxonomy_id: 'taxonomy_id=42',
  organization_id: 'organization_id=42',
  modified_after: 'modified_after=yesterday',
  minimal: 'minimal=perhaps',
  full: 'full=perhaps',
  full_service: 'full_service=perhaps',
  top_only: 'top_only=perhaps',
  parent_id: 'parent_id=42',
  postcode: 'postcode=abc',
  proximity: `postcode=${ZIP}&proximity=far`,
};

function checkPage(body: Json, url: string) {
  for (const k of ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents']) assert.ok(k in body, `${url}: Page lacks ${k}`);
  const q = new URL(url, 'http://x').searchParams;
  const page = Number(q.get('page') ?? 1);
  const perPage = Number(q.get('per_page') ?? 50);
  const total = body.total_items as number;
  const contents = body.contents as unknown[];
  assert.equal(body.page_number, page, `${url}: page_number`);
  assert.equal(body.size, contents.length, `${url}: size is the number of items on the page`);
  // An empty result is one empty page (the document does not say; total_pages 1 lets a client's loop run once).
  const pages = Math.max(1, Math.ceil(total / perPage));
  assert.equal(body.total_pages, pages, `${url}: total_pages`);
  assert.equal(body.first_page, page === 1, `${url}: first_page`);
  assert.equal(body.last_page, page >= pages, `${url}: last_page`);
  assert.equal(body.empty, total === 0, `${url}: empty`);
  assert.equal(contents.length, Math.max(0, Math.min(perPage, total - (page - 1) * perPage)), `${url}: items on the page`);
}

async function call(c: TestClient, url: string, schema: Json, path: string) {
  const res = await c.get(url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
  const fn = validator(path, schema);
  if (/[?&]format=ndjson/.test(url)) {
    assert.match(String(res.headers['content-type']), /ndjson/, url);
    const items = ((schema.properties as Json).contents as Json).items as Json;
    const item = validator(`${path} item`, items);
    const lines = res.body.trim().split('\n').filter(Boolean);
    for (const line of lines) assert.ok(item(JSON.parse(line)), `${url} line: ${JSON.stringify(item.errors?.slice(0, 3))}`);
    return lines.map((l) => JSON.parse(l) as Json);
  }
  const body = res.json() as Json;
  assert.ok(fn(body), `${url}: ${JSON.stringify(fn.errors?.slice(0, 3))}`);
  if ('contents' in body || (schema.allOf as unknown[] | undefined)?.length) checkPage(body, url);
  return body;
}

const urlOf = (path: string, query = '') => `${BASE}${path === '/' ? '' : path.replace('{id}', pathIds()[path] ?? '')}${query ? `?${query}` : ''}`;

// ---------- the walk ----------

test('every path and parameter of the HSDS 3.0 OpenAPI answers with a body valid against its response schema', async () => {
  const ops = operations();
  assert.deepEqual(ops.map((o) => o.path).sort(), ['/', '/organizations', '/organizations/{id}', '/service_at_locations', '/service_at_locations/{id}', '/services', '/services/{id}', '/taxonomies', '/taxonomies/{id}', '/taxonomy_terms', '/taxonomy_terms/{id}']);
  const values = validValues();
  let calls = 0;
  for (const op of ops) {
    await call(anon, urlOf(op.path), op.schema, op.path);
    calls++;
    for (const p of op.params) {
      if (p.in === 'path') {
        assert.equal(p.name, 'id');
        assert.ok(pathIds()[op.path], `${op.path}: a valid id`);
        const bad = await anon.get(`${BASE}${op.path.replace('{id}', '42')}`);
        assert.equal(bad.statusCode, 400, `${op.path} with id 42`);
        const missing = await anon.get(`${BASE}${op.path.replace('{id}', uuidv5('conformance:nothing'))}`);
        assert.equal(missing.statusCode, 404, `${op.path} with an unknown id`);
        continue;
      }
      assert.equal(p.in, 'query', `${op.path} ${p.name}`);
      const valid = values[p.name];
      assert.ok(valid, `${op.path}: the test has no valid value for the parameter ${p.name}`);
      for (const v of valid) {
        await call(anon, urlOf(op.path, v), op.schema, op.path);
        calls++;
      }
      // A bad value answers 400 naming the parameter, never 500.
      const bad = await anon.get(urlOf(op.path, BAD[p.name]));
      assert.equal(bad.statusCode, 400, `${op.path}?${BAD[p.name]}: ${bad.body.slice(0, 200)}`);
      assert.match(String(bad.headers['content-type']), /problem\+json/);
      const errors = (bad.json() as { errors?: { field: string }[] }).errors ?? [];
      assert.ok(errors.some((e) => e.field === p.name || e.field.endsWith(`.${p.name}`)), `${op.path}?${BAD[p.name]}: errors name ${p.name}: ${JSON.stringify(errors)}`);
    }
  }
  assert.ok(calls > 40, `${calls} calls`);
});

// ---------- what the standard says in words ----------

const salIds = async (c: TestClient, q: string) => ((await c.get(`${BASE}/service_at_locations?${q}&per_page=200`)).json() as { contents?: Json[] }).contents?.map((s) => s.id) ?? [];

test('proximity is in metres: a location 1,000 m from the centre is in at 1,200 m and out at 800 m', async () => {
  for (const [label, at] of [
    ['postcode centroid (the standard)', (m: number) => `postcode=${ZIP}&proximity=${m}`],
    ['"lat,lng,metres" (extension)', (m: number) => `proximity=${CENTRE.lat},${CENTRE.lng},${m}`],
  ] as const) {
    assert.ok((await salIds(anon, at(1200))).includes(SAL), `${label}: in at 1,200 m`);
    assert.ok(!(await salIds(anon, at(800))).includes(SAL), `${label}: out at 800 m`);
  }
  // Out of range, or from a postcode the directory cannot place: 400 naming the parameter at fault.
  for (const [q, field] of [[`postcode=${ZIP}&proximity=-5`, 'proximity'], [`postcode=${ZIP}&proximity=900000`, 'proximity'], ['proximity=1200', 'proximity'], ['postcode=00000&proximity=1200', 'postcode'], ['proximity=91,0,1200', 'proximity']] as const) {
    const r = await anon.get(`${BASE}/service_at_locations?${q}`);
    assert.equal(r.statusCode, 400, q);
    assert.deepEqual((r.json() as { errors: { field: string }[] }).errors.map((e) => e.field), [field], q);
  }
  // The product's own description says so.
  const doc = (await anon.get('/api/openapi.json')).json() as { paths: Record<string, { get: { parameters: { name: string; description?: string }[] } }> };
  const proximity = doc.paths[`${BASE}/service_at_locations`].get.parameters.find((p) => p.name === 'proximity');
  assert.match(String(proximity?.description), /metres|meters/);
  const radius = doc.paths[`${BASE}/services`].get.parameters.find((p) => p.name === 'radius');
  assert.match(String(radius?.description), /miles/, 'the extension radius of /services stays in miles (the search page)');
  // Deliberate difference: a confidential location is left out for callers not vetted for it, found for those vetted.
  assert.ok(DIFFERENCES.confidentialLeftOut);
  const nearShelter = 'proximity=38.93,-77.02,500';
  assert.ok(!(await salIds(anon, nearShelter)).includes(SHELTER_SAL), 'the public does not find the confidential shelter');
  assert.ok((await salIds(chair, nearShelter)).includes(SHELTER_SAL), 'a vetted role does');
});

test('modified_after takes a date or a date-time and means on or after it', async () => {
  const ids = async (q: string) => ((await anon.get(`${BASE}/services?${q}&organization_id=${ORG}`)).json() as { contents: Json[] }).contents.map((s) => s.id);
  assert.deepEqual((await ids('modified_after=2026-03-15')).sort(), [OTHER_SERVICE, SERVICE].sort(), 'a date: from the start of that day (UTC)');
  assert.deepEqual(await ids('modified_after=2026-03-16'), [OTHER_SERVICE], 'the next day: only the service imported today');
  assert.ok((await ids(`modified_after=${STAMP}`)).includes(SERVICE), 'the exact time: on or after');
  assert.ok((await ids('modified_after=2026-03-15T11:30:45.123%2B01:00')).includes(SERVICE), 'the same instant with an offset');
  assert.ok(!(await ids('modified_after=2026-03-15T10:30:45.124Z')).includes(SERVICE), 'a millisecond later: not');
  const sal = await salIds(anon, `modified_after=2026-03-15&organization_id=${ORG}`);
  assert.ok(sal.includes(SAL), 'service_at_locations too');
});

test('every import path sets last_modified, so modified_after finds what it brought', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const none = (await sql<{ n: number }>`select count(*) as n from directory_service where last_modified is null`.execute(t.ctx.db)).rows[0];
  assert.equal(Number(none.n), 0, 'services without last_modified');
  const found = new Set<unknown>();
  for (let page = 1; ; page++) {
    const r = (await anon.get(`${BASE}/services?modified_after=${today}&minimal=true&per_page=200&page=${page}`)).json() as { contents: Json[]; last_page: boolean };
    for (const s of r.contents) found.add(s.id);
    if (r.last_page) break;
  }
  for (const [name, ids] of sampleServices) {
    if (name === 'HSDS 3.0 JSON dataset') continue; // one of its services was given an older time above
    assert.ok(ids.length > 0, `${name}: imported services`);
    const missed = ids.filter((id) => !found.has(id));
    assert.deepEqual(missed, [], `${name}: services modified_after=${today} does not find`);
  }
});

test('pagination: the Page fields agree with the request', async () => {
  const all = (await anon.get(`${BASE}/services?per_page=200`)).json() as Json;
  const total = all.total_items as number;
  const last = Math.ceil(total / 7);
  for (const q of ['per_page=7', 'per_page=7&page=2', `per_page=7&page=${last}`, `per_page=7&page=${last + 1}`]) {
    const r = await anon.get(`${BASE}/services?${q}`);
    assert.equal(r.statusCode, 200);
    checkPage(r.json() as Json, `${BASE}/services?${q}`);
  }
  const empty = (await anon.get(`${BASE}/services?search=zzqqxxnothing`)).json() as Json;
  assert.deepEqual([empty.total_items, empty.total_pages, empty.empty, empty.size], [0, 1, true, 0]);
  // Deliberate difference: minimal items keep name and status (still valid service_list items).
  const minimal = (await anon.get(`${BASE}/services?minimal=true&per_page=5`)).json() as { contents: Json[] };
  for (const s of minimal.contents) assert.deepEqual(Object.keys(s).sort(), [...DIFFERENCES.minimalKeeps].sort());
});

test('/organizations/{id} carries the ids of its services; with full_service, the services themselves', async () => {
  const o = (await anon.get(`${BASE}/organizations/${ORG}`)).json() as { services?: Json[] };
  assert.ok(Array.isArray(o.services), 'services listed');
  assert.deepEqual(o.services.map((s) => s.id).sort(), [OTHER_SERVICE, SERVICE].sort());
  assert.ok(o.services.every((s) => Object.keys(s).join() === 'id'), 'only their ids');
  const full = (await anon.get(`${BASE}/organizations/${ORG}?full_service=true`)).json() as { services: Json[] };
  assert.deepEqual(full.services.map((s) => s.id).sort(), [OTHER_SERVICE, SERVICE].sort());
  const service = hsdsAjv().getSchema('service.json')!;
  for (const s of full.services) assert.ok(service(s), JSON.stringify(service.errors?.slice(0, 3)));
  assert.ok(full.services.some((s) => Array.isArray(s.service_at_locations) && s.service_at_locations.length === 1), 'fully nested');
});

test('a change to a location, its address or the organisation gives the services it concerns a new last_modified', async () => {
  const times = async () => {
    const rows = (await sql<{ id: string; last_modified: unknown }>`select id, last_modified from directory_service where organization_id = ${ORG}`.execute(t.ctx.db)).rows;
    return Object.fromEntries(rows.map((r) => [String(r.id), new Date(r.last_modified as string).toISOString()]));
  };
  const o = { file: 'conformance-2', row: 1 };
  const org = { id: ORG, name: 'Prairie Conformance Center', description: 'Two services, one location north of the ZIP centroid.' };
  const loc = { id: LOCATION, location_type: 'physical', organization_id: ORG, name: 'Prairie office', latitude: NORTH_1000M.lat, longitude: NORTH_1000M.lng };
  await sql`update directory_service set last_modified = ${STAMP} where organization_id = ${ORG}`.execute(t.ctx.db);

  // The location gains an address: the service given there changes, the other does not.
  let ds = new Dataset();
  ds.add('organization', org, o);
  ds.add('location', loc, o);
  ds.add('address', { id: uuidv5('conformance:addr'), location_id: LOCATION, address_1: '1 Prairie Way', city: 'Cheyenne', state_province: 'WY', postal_code: ZIP, country: 'US', address_type: 'physical' }, o);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  let now = await times();
  assert.ok(now[SERVICE] > STAMP, `the service at the location: ${now[SERVICE]}`);
  assert.equal(now[OTHER_SERVICE], STAMP, 'the service elsewhere is unchanged');

  // The location is renamed.
  await sql`update directory_service set last_modified = ${STAMP} where organization_id = ${ORG}`.execute(t.ctx.db);
  ds = new Dataset();
  ds.add('organization', org, o);
  ds.add('location', { ...loc, name: 'Prairie office, north door' }, o);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  now = await times();
  assert.ok(now[SERVICE] > STAMP && now[OTHER_SERVICE] === STAMP, JSON.stringify(now));

  // The organisation's description changes: each of its services (whose list item carries the organisation).
  await sql`update directory_service set last_modified = ${STAMP} where organization_id = ${ORG}`.execute(t.ctx.db);
  ds = new Dataset();
  ds.add('organization', { ...org, description: 'Two services in Cheyenne.' }, o);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  now = await times();
  assert.ok(now[SERVICE] > STAMP && now[OTHER_SERVICE] > STAMP, JSON.stringify(now));

  // Nothing changed: nothing moves.
  await sql`update directory_service set last_modified = ${STAMP} where organization_id = ${ORG}`.execute(t.ctx.db);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  assert.deepEqual(Object.values(await times()), [STAMP, STAMP]);
});
