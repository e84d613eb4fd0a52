/**
 * Federation (issue 12 item 6, Done when): two sources that share services, an HSDS 3.0 API and a data package,
 * served by a real HTTP server on localhost, pulled twice: changed-only writes (a 304 writes nothing), provenance
 * per source, one record for the shared service with both provenances, and a service leaving a source.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { testApp, snapshotTables, type TestApp } from '../../platform/testing.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import { TABLE_NAMES, tableOf } from './model.ts';
import { join } from 'node:path';
import { SHARED_HSDS } from './testing.ts';
import { JobRunner } from '../../platform/jobs/runner.ts';
import { directoryModule } from './index.ts';
import { PULL_LIMITS, pullDueSources, pullSource, registerSource } from './federation.ts';

const ORG = '0b5a5d3e-1c1a-4c53-9d0e-000000000001';
const S1 = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a1';
const SHARED = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a2';
const S3 = '0b5a5d3e-1c1a-4c53-9d0e-0000000000b3';
// The same help line under each source's own id.
const TENANTS_API = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a4';
const TENANTS_PKG = '0b5a5d3e-1c1a-4c53-9d0e-0000000000b4';

const organization = { id: ORG, name: 'Example Food Network', description: 'Food help' };
const service = (id: string, name: string, description = `${name}, weekdays`) => ({ id, name, description, status: 'active', organization_id: ORG, organization });

// What each source publishes now; the tests change it between pulls.
let apiServices = [service(S1, 'Pantry North'), service(SHARED, 'Community Kitchen'), { ...service(TENANTS_API, 'Tenant Help-Line', 'Advice for renters'), url: 'https://tenants.example.org/' }];
let apiEtag = '"a1"';
let packageServices = [[SHARED, 'Community Kitchen'], [S3, 'Diaper Bank'], [TENANTS_PKG, 'TENANT HELP LINE', 'http://www.tenants.example.org']];
const packageModified = 'Sat, 05 Dec 2026 01:00:00 GMT';
const requests: { url: string; status: number }[] = [];

function csv(rows: string[][]): string {
  return rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}

let server: Server;
let base: string;
let t: TestApp;
let apiId: string;
let packageId: string;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      requests.push({ url: url.pathname + url.search, status });
      res.writeHead(status, headers).end(status === 304 ? undefined : body);
    };
    if (url.pathname === '/hsds/services') {
      if (req.headers['if-none-match'] === apiEtag && url.searchParams.get('page') === '1') return send(304, '');
      const page = Number(url.searchParams.get('page'));
      const per = Number(url.searchParams.get('per_page'));
      const contents = apiServices.slice((page - 1) * per, page * per);
      const pages = Math.max(1, Math.ceil(apiServices.length / per));
      return send(200, JSON.stringify({ total_items: apiServices.length, total_pages: pages, page_number: page, size: contents.length, first_page: page === 1, last_page: page >= pages, empty: !contents.length, contents }), { 'content-type': 'application/json', etag: apiEtag });
    }
    if (url.pathname === '/pkg/datapackage.json') {
      if (req.headers['if-modified-since'] === packageModified) return send(304, '');
      return send(200, JSON.stringify({ name: 'food-bank', profile: 'tabular-data-package', resources: [{ name: 'organization', path: 'organizations.csv' }, { name: 'service', path: 'services.csv' }] }), { 'last-modified': packageModified });
    }
    // The resources carry an ETag of their content: a resource changes on its own, the descriptor staying as it was.
    const file = (body: string) => {
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      return req.headers['if-none-match'] === etag ? send(304, '') : send(200, body, { etag });
    };
    if (url.pathname === '/pkg/organizations.csv') return file(csv([['id', 'name', 'description'], [ORG, organization.name, organization.description]]));
    if (url.pathname === '/pkg/services.csv') return file(csv([['id', 'organization_id', 'name', 'description', 'status', 'url'], ...packageServices.map(([id, name, url]) => [id, ORG, name, `${name}, weekdays`, 'active', url ?? ''])]));
    if (url.pathname === '/huge') return send(200, 'x'.repeat(4096));
    if (url.pathname === '/not-hsds.json') return send(200, JSON.stringify([{ colour: 'blue' }]));
    send(404, 'no');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await testApp();
  PULL_LIMITS.perPage = 1; // every service on a page of its own: the walk follows the pages
});

after(async () => {
  await t?.close();
  await new Promise((done) => server.close(done));
});

const DIRECTORY_TABLES = TABLE_NAMES.map(tableOf);
const statusOf = async (id: string) => (await t.ctx.db.selectFrom('directory_service').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const imports = async () => (await t.ctx.db.selectFrom('directory_import').select('id').execute()).length;

test('two sources sharing a service: pulled, pulled again (304 and unchanged), a change and a service leaving; provenance and one record', async () => {
  const admin = await t.signedIn('admin');
  const made = await admin.request('POST', '/api/directory/sources', { json: { name: 'City API', kind: 'hsds-api', location: `${base}/hsds/`, schedule: 'hourly' } });
  assert.equal(made.statusCode, 201, made.body);
  apiId = made.json().id;
  packageId = (await registerSource(t.ctx, { name: 'Food Bank package', kind: 'package-url', location: `${base}/pkg/datapackage.json`, schedule: 'daily' })).id;

  // The job runner's job pulls both: they are due at once.
  const run = await new JobRunner(t.db.handle, t.db.config, directoryModule.jobs ?? []).runNow('directory.federation');
  assert.deepEqual([run.result, run.detail], ['ok', 'City API: imported; Food Bank package: imported']);
  assert.deepEqual(requests.filter((r) => r.url.startsWith('/hsds')).map((r) => r.url), [1, 2, 3].map((n) => `/hsds/services?page=${n}&per_page=1&full=true`));
  assert.equal((await t.ctx.db.selectFrom('directory_service').select('id').execute()).length, 5, 'the shared service is one record');

  // The help line under two ids: matched on its name and website, each showing both sources; the values on which
  // they disagree are listed for a steward.
  const tenants = (await admin.get(`/api/directory/services/${TENANTS_API}/provenance`)).json().sources as { service_id: string; source: string }[];
  assert.deepEqual(tenants.map((s) => [s.source, s.service_id]).sort(), [['City API', TENANTS_API], ['Food Bank package', TENANTS_PKG]]);
  assert.match((await t.client().get(`/directory/services/${TENANTS_PKG}`)).body, /From City API, updated[^]*From Food Bank package|From Food Bank package, updated[^]*From City API/);
  const found = (await admin.get('/api/directory/sources/conflicts')).json();
  assert.equal(found.matches, 1);
  assert.deepEqual(found.items.map((c: { field: string; value: string; other_value: string; matched_on: string; same_as: string }) => [c.same_as, c.matched_on, c.field, c.other_value, c.value]), [
    [TENANTS_API, 'website', 'name', 'Tenant Help-Line', 'TENANT HELP LINE'],
    [TENANTS_API, 'website', 'description', 'Advice for renters', 'TENANT HELP LINE, weekdays'],
    [TENANTS_API, 'website', 'url', 'https://tenants.example.org/', 'http://www.tenants.example.org'],
  ]);
  assert.match((await admin.get('/directory/sources/conflicts', { 'accept-language': 'es' })).body, /Servicios de dos fuentes[^]*Mismo nombre y sitio web[^]*Advice for renters/);
  const prov = (await admin.get(`/api/directory/services/${SHARED}/provenance`)).json();
  assert.deepEqual(prov.sources.map((s: { source: string; source_id: string; left_at: null }) => [s.source, s.source_id, s.left_at]).sort(), [['City API', SHARED, null], ['Food Bank package', SHARED, null]]);
  const page = await t.client().get(`/directory/services/${SHARED}`);
  assert.match(page.body, /From City API, updated [A-Z][a-z]{2} \d+, 2026/);
  assert.match(page.body, /From Food Bank package, updated/);
  assert.match((await t.client().get(`/directory/services/${SHARED}`, { 'accept-language': 'es' })).body, /De Food Bank package, actualizado el/);
  assert.equal(await pullDueSources(t.ctx, new Date()), 'no source due', 'nothing is due until its schedule says');

  // Pulled again: both answer 304; nothing is written, not even an import entry, and the pull is recorded.
  const before = await snapshotTables(t.ctx, [...DIRECTORY_TABLES, 'directory_provenance', 'directory_import']);
  const again = await pullDueSources(t.ctx, new Date(Date.now() + 8 * 86_400_000));
  assert.equal(again, 'City API: not-modified; Food Bank package: not-modified');
  assert.equal(await snapshotTables(t.ctx, [...DIRECTORY_TABLES, 'directory_provenance', 'directory_import']), before);
  assert.equal(requests.at(-1)?.status, 304);
  const listed = (await admin.get('/api/directory/sources')).json().items as { name: string; last_result: string; last_pull_at: string }[];
  const city = listed.find((s) => s.name === 'City API')!;
  assert.match(city.last_result, /^not-modified/);
  const seenNow = (await admin.get(`/api/directory/services/${S1}/provenance`)).json().sources[0];
  assert.equal(seenNow.last_seen, city.last_pull_at, 'last seen: the pull that found the source unchanged, without writing the record');

  // A new ETag but the same services: imported, and nothing in the directory is written.
  apiEtag = '"a2"';
  const unchanged = await snapshotTables(t.ctx, [...DIRECTORY_TABLES, 'directory_provenance', 'directory_service_match']);
  const same = await pullSource(t.ctx, apiId);
  assert.equal(same.outcome, 'imported');
  assert.match(same.detail, /0 added, 0 changed, \d+ unchanged, 0 removed/);
  assert.equal(await snapshotTables(t.ctx, [...DIRECTORY_TABLES, 'directory_provenance', 'directory_service_match']), unchanged, 'no directory record written, nor its provenance');

  // The API drops Pantry North and the shared service, which it listed last, and changes the help line's description.
  const firstSeen = (await admin.get(`/api/directory/services/${TENANTS_API}/provenance`)).json().sources.find((s: { source: string }) => s.source === 'City API').first_seen;
  apiServices = [{ ...service(TENANTS_API, 'Tenant Help-Line', 'Advice for renters and landlords'), url: 'https://tenants.example.org/' }];
  apiEtag = '"a3"';
  const changed = await pullSource(t.ctx, apiId);
  assert.match(changed.detail, /0 added, 1 changed/);
  assert.equal(await statusOf(S1), 'inactive', 'a service its only source lists no longer leaves the directory');
  assert.equal(await statusOf(SHARED), 'active', 'the package still lists it: it stays');
  const after = (await admin.get(`/api/directory/services/${SHARED}/provenance`)).json().sources as { source: string; left_at: string | null }[];
  assert.ok(after.find((s) => s.source === 'City API')!.left_at, 'the API no longer lists it');
  assert.equal(after.find((s) => s.source === 'Food Bank package')!.left_at, null);
  const tenants2 = (await admin.get(`/api/directory/services/${TENANTS_API}/provenance`)).json().sources as { source: string; first_seen: string; last_changed: string }[];
  const fromApi = tenants2.find((s) => s.source === 'City API')!;
  assert.equal(fromApi.first_seen, firstSeen);
  assert.ok(fromApi.last_changed > firstSeen, 'last changed moves with the change');
  const s1 = (await admin.get(`/api/directory/services/${S1}/provenance`)).json().sources;
  assert.ok(s1[0].left_at);
  assert.ok(s1[0].last_seen < s1[0].left_at, 'last seen: the last import that listed it');
  assert.match((await t.client().get(`/directory/services/${S1}`)).body, /Listed by City API until/);

  // The package drops the diaper bank: its services.csv changed under an unchanged datapackage.json.
  packageServices = packageServices.filter(([id]) => id !== S3);
  const dropped = await (await t.signedIn('admin')).request('POST', `/api/directory/sources/${packageId}/pull`);
  assert.equal(dropped.statusCode, 200, dropped.body);
  assert.equal(dropped.json().outcome, 'imported', 'a resource changed under an unchanged datapackage.json: pulled whole');
  // The descriptor and the organisations are as they were: asked again whole, since the package is read as one.
  assert.deepEqual(requests.slice(-5).map((r) => [r.url, r.status]), [['/pkg/datapackage.json', 304], ['/pkg/datapackage.json', 200], ['/pkg/organizations.csv', 304], ['/pkg/services.csv', 200], ['/pkg/organizations.csv', 200]]);
  assert.equal(await statusOf(S3), 'inactive');
  assert.equal(await statusOf(SHARED), 'active');
});

test('sources: bad input named by field in both languages, nothing written; limits; a source that fails is recorded, not a 500', async () => {
  const admin = await t.signedIn('admin');
  const count = async () => (await t.ctx.db.selectFrom('directory_source').select('id').execute()).length;
  const n = await count();
  const bad = await admin.request('POST', '/api/directory/sources', { json: { name: ' ', kind: 'package-url', location: 'file:///etc/passwd', schedule: 'daily' } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field).sort(), ['location', 'name']);
  const typo = await admin.request('POST', '/api/directory/sources', { json: { name: 'X', kind: 'ftp', location: 'x', schedule: 'monthly' } });
  assert.equal(typo.statusCode, 400);
  assert.match(typo.body, /kind/);
  assert.equal((await admin.request('POST', '/api/directory/sources', { json: { name: 'City API', kind: 'hsds-api', location: 'https://example.org/', schedule: 'daily' } })).statusCode, 400, 'a name taken');
  const page = await admin.get('/directory/sources/new', { 'accept-language': 'es' });
  assert.equal(page.statusCode, 200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const form = await admin.request('POST', '/directory/sources', { form: { _csrf: csrf, name: 'Y', kind: 'hsds-api', location: 'ftp://example.org', schedule: 'daily' }, headers: { 'accept-language': 'es' } });
  assert.equal(form.statusCode, 400);
  assert.match(form.body, /debe ser una dirección http o https/);
  assert.match(form.body, /value="ftp:\/\/example.org"/);
  assert.equal(await count(), n);
  assert.equal((await admin.request('PUT', `/api/directory/sources/${apiId}`, { json: { name: 'Renamed', kind: 'hsds-api', location: `${base}/hsds/`, schedule: 'daily' } })).statusCode, 400, 'a pulled source keeps its name');

  const huge = await registerSource(t.ctx, { name: 'Too big', kind: 'package-url', location: `${base}/huge`, schedule: 'daily', enabled: false });
  const was = PULL_LIMITS.bytes;
  PULL_LIMITS.bytes = 1000;
  try {
    const r = await pullSource(t.ctx, huge.id);
    assert.equal(r.outcome, 'failed');
    assert.match(r.detail, /larger than the limit of 1000 bytes/);
  } finally {
    PULL_LIMITS.bytes = was;
  }
  const missing = await registerSource(t.ctx, { name: 'Gone', kind: 'package-url', location: `${base}/nothing.zip`, schedule: 'daily', enabled: 'false' });
  const res = await admin.request('POST', `/api/directory/sources/${missing.id}/pull`);
  assert.equal(res.statusCode, 200);
  assert.match(res.json().detail, /answered 404/);
  const notHsds = await registerSource(t.ctx, { name: 'Not HSDS', kind: 'package-url', location: `${base}/not-hsds.json`, schedule: 'daily', enabled: false });
  const refused = await pullSource(t.ctx, notHsds.id);
  assert.equal(refused.outcome, 'failed');
  assert.match(refused.detail, /refused; nothing was imported \(data\.json:1:id: is required\)/);
  const list = await admin.get('/directory/sources');
  assert.match(list.body, /answered 404/);
  assert.match(list.body, /Pull Gone now/);

  // A folder on the server, pulled from the page's "pull now": imported, then unchanged files are not read again.
  const folder = await registerSource(t.ctx, { name: 'Example City', kind: 'path', location: join(SHARED_HSDS, 'sample-example-city-1.1', 'simple'), schedule: 'weekly' });
  const csrf2 = /name="_csrf" value="([^"]+)"/.exec(list.body)?.[1] ?? '';
  const pulled = await admin.request('POST', `/directory/sources/${folder.id}/pull`, { form: { _csrf: csrf2 } });
  assert.equal(pulled.statusCode, 303);
  assert.equal(pulled.headers.location, `/directory/sources#source-${folder.id}`);
  assert.match((await admin.get(`/api/directory/sources/${folder.id}`)).json().last_result, /^imported: HSDS 1\.1/);
  assert.equal((await pullSource(t.ctx, folder.id)).outcome, 'not-modified');
});

test('sources are for directory managers only: each role, each route; in the API document', async () => {
  const id = apiId;
  const body = { name: 'Z', kind: 'hsds-api', location: 'https://example.org/', schedule: 'daily' };
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/directory/sources'],
    ['GET', `/api/directory/sources/${id}`],
    ['GET', '/directory/sources'],
    ['GET', '/directory/sources/new'],
    ['GET', '/api/directory/sources/conflicts'],
    ['GET', '/directory/sources/conflicts'],
    ['GET', `/directory/sources/${id}/edit`],
    ['POST', '/api/directory/sources', body],
    ['PUT', `/api/directory/sources/${id}`, body],
    ['POST', `/api/directory/sources/${id}/pull`],
  ];
  for (const role of ROLES) {
    if (role === 'admin') continue;
    const c = await t.signedIn(role);
    for (const [method, url, json] of routes) {
      const r = await c.request(method, url, { json });
      assert.equal(r.statusCode, 403, `${role} ${method} ${url}`);
    }
  }
  for (const [method, url, json] of routes) assert.ok([401, 302, 303, 403].includes((await t.client().request(method, url, { json })).statusCode), `anonymous ${method} ${url}`);
  const admin = await t.signedIn('admin');
  for (const url of ['/directory/sources', `/directory/sources/${id}/edit`, '/directory/sources/conflicts']) {
    for (const lang of ['en', 'es']) assert.equal((await admin.get(url, { 'accept-language': lang })).statusCode, 200);
  }
  assert.equal((await admin.get('/api/directory/sources/42')).statusCode, 400);
  assert.equal((await admin.get('/api/directory/sources/11111111-1111-4111-8111-111111111111')).statusCode, 404);
  assert.equal((await t.client().get('/api/directory/services/11111111-1111-4111-8111-111111111111/provenance')).statusCode, 404);
  const spec = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
  for (const [p, m] of [['/api/directory/sources', 'get'], ['/api/directory/sources', 'post'], ['/api/directory/sources/{id}', 'put'], ['/api/directory/sources/{id}/pull', 'post'], ['/api/directory/services/{id}/provenance', 'get'], ['/api/directory/sources/conflicts', 'get']]) {
    const op = spec.paths[p]?.[m];
    assert.ok(op?.summary && op.tags?.includes('Directory'), `${m} ${p}`);
  }
});
