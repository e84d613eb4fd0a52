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
import { testApp, snapshotTables, runCli, type TestApp } from '../../platform/testing.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from '../../platform/http/csv.ts';
import { tmpdir } from 'node:os';
import { ROLES, rolesWith } from '../../platform/auth/roles.ts';
import { PROPOSE } from './permissions.ts';
import { TABLE_NAMES, tableOf } from './model.ts';
import { join } from 'node:path';
import { SHARED_HSDS } from './testing.ts';
import { JobRunner } from '../../platform/jobs/runner.ts';
import { directoryModule } from './index.ts';
import { PULL_LIMITS, pullDueSources, pullSource, registerSource } from './federation.ts';
import { CONFLICTS_PAGE } from './federation-match.ts';
import { searchServices } from './search.ts';
import { makeUser, TestClient } from '../../platform/testing.ts';
import { addSteward } from './stewards.ts';
import { pullResultIn } from './federation-messages.ts';
import { translator } from '../../platform/web/i18n.ts';

const ORG = '0b5a5d3e-1c1a-4c53-9d0e-000000000001';
const S1 = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a1';
const SHARED = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a2';
const S3 = '0b5a5d3e-1c1a-4c53-9d0e-0000000000b3';
// The same help line under each source's own id.
const TENANTS_API = '0b5a5d3e-1c1a-4c53-9d0e-0000000000a4';
const TENANTS_PKG = '0b5a5d3e-1c1a-4c53-9d0e-0000000000b4';

const organization = { id: ORG, name: 'Example Food Network', description: 'Food help', website: 'https://food.example.org/' };
// A third source publishes the same organisation under its own id (and its own spelling).
const ORG_COUNTY = '0b5a5d3e-1c1a-4c53-9d0e-0000000000c1';
const EAST = '0b5a5d3e-1c1a-4c53-9d0e-0000000000c2';
const OTHER_ORG = '0b5a5d3e-1c1a-4c53-9d0e-0000000000c3';
const LEGAL = '0b5a5d3e-1c1a-4c53-9d0e-0000000000c4';
const service = (id: string, name: string, description = `${name}, weekdays`) => ({ id, name, description, status: 'active', organization_id: ORG, organization });

// What each source publishes now; the tests change it between pulls.
let apiServices = [service(S1, 'Pantry North'), service(SHARED, 'Community Kitchen'), { ...service(TENANTS_API, 'Tenant Help-Line', 'Advice for renters'), url: 'https://tenants.example.org/' }];
let apiEtag = '"a1"';
let packageServices = [[SHARED, 'Community Kitchen'], [S3, 'Diaper Bank'], [TENANTS_PKG, 'TENANT HELP LINE', 'http://www.tenants.example.org']];
const packageModified = 'Sat, 05 Dec 2026 01:00:00 GMT';
// A third API whose pages each carry their own ETag.
const PAGED = ['0b5a5d3e-1c1a-4c53-9d0e-0000000000d1', '0b5a5d3e-1c1a-4c53-9d0e-0000000000d2', '0b5a5d3e-1c1a-4c53-9d0e-0000000000d3', '0b5a5d3e-1c1a-4c53-9d0e-0000000000d4'];
let pagedServices = [service(PAGED[0], 'Clothing Closet'), service(PAGED[1], 'Job Club'), service(PAGED[2], 'Rent Help')];
// What the paged API answers for a page past the last: an empty page, or 404.
let pastTheEnd: 200 | 404 = 200;
const requests: { url: string; status: number }[] = [];

function csv(rows: string[][]): string {
  return rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}

let server: Server;
const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
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
      if (req.headers['if-none-match'] === apiEtag) return send(304, '');
      const page = Number(url.searchParams.get('page'));
      const per = Number(url.searchParams.get('per_page'));
      const contents = apiServices.slice((page - 1) * per, page * per);
      const pages = Math.max(1, Math.ceil(apiServices.length / per));
      return send(200, JSON.stringify({ total_items: apiServices.length, total_pages: pages, page_number: page, size: contents.length, first_page: page === 1, last_page: page >= pages, empty: !contents.length, contents }), { 'content-type': 'application/json', etag: apiEtag });
    }
    if (url.pathname === '/paged/services') {
      // Each page carries an ETag of the records on it, as a server computing it from them does (the totals in the
      // envelope are not in it).
      const page = Number(url.searchParams.get('page'));
      const per = Number(url.searchParams.get('per_page'));
      const pages = Math.max(1, Math.ceil(pagedServices.length / per));
      if (page > pages && pastTheEnd === 404) return send(404, 'no such page');
      const contents = pagedServices.slice((page - 1) * per, page * per);
      const body = JSON.stringify({ total_items: pagedServices.length, total_pages: pages, page_number: page, size: contents.length, first_page: page === 1, last_page: page >= pages, empty: !contents.length, contents });
      const etag = `"${createHash('sha1').update(JSON.stringify(contents)).digest('hex')}"`;
      return req.headers['if-none-match'] === etag ? send(304, '') : send(200, body, { 'content-type': 'application/json', etag });
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
    if (url.pathname === '/pkg/organizations.csv') return file(csv([['id', 'name', 'description', 'website'], [ORG, organization.name, organization.description, organization.website]]));
    if (url.pathname === '/county/services') {
      const county = { id: ORG_COUNTY, name: 'EXAMPLE FOOD-NETWORK', description: 'Groceries', website: 'http://www.food.example.org' };
      const other = { id: OTHER_ORG, name: 'Example Legal Aid', description: 'Law', website: 'https://legal.example.org/' };
      const contents = [
        { id: EAST, name: 'Food Pantry East', description: 'Pantry', status: 'active', organization_id: ORG_COUNTY, organization: county },
        { id: LEGAL, name: 'Legal Clinic', description: 'Advice', status: 'active', organization_id: OTHER_ORG, organization: other },
      ];
      return send(200, JSON.stringify({ total_items: 2, total_pages: 1, page_number: 1, size: 2, first_page: true, last_page: true, empty: false, contents }), { 'content-type': 'application/json' });
    }
    if (url.pathname === '/pkg/services.csv') return file(csv([['id', 'organization_id', 'name', 'description', 'status', 'url'], ...packageServices.map(([id, name, url]) => [id, ORG, name, `${name}, weekdays`, 'active', url ?? ''])]));
    if (url.pathname === '/huge') return send(200, 'x'.repeat(4096));
    if (url.pathname === '/not-hsds.json') return send(200, JSON.stringify([{ colour: 'blue' }]));
    send(404, 'no');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await testApp({ env: secrets });
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
  // The API's three pages each answer 304, and the page after the last, asked once for services added on a new
  // page, is empty.
  assert.deepEqual(requests.filter((r) => r.url.startsWith('/hsds')).slice(-4).map((r) => [r.url.replace(/&.*/, ''), r.status]), [['/hsds/services?page=1', 304], ['/hsds/services?page=2', 304], ['/hsds/services?page=3', 304], ['/hsds/services?page=4', 200]]);
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

const ids = (body: string) => body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string);

test('a service matched across sources is found once (the one seen first): search API and NDJSON, both plans, the page; counts and pages agree', async () => {
  // The help line is listed by both sources under two ids (matched above): the directory has five service records.
  const all = (await t.client().get('/api/hsds/services?per_page=50')).json();
  assert.equal(all.total_items, 4, 'five records, four services');
  const listed = all.contents.map((s: { id: string }) => s.id);
  assert.ok(listed.includes(TENANTS_API) && !listed.includes(TENANTS_PKG), 'the record seen first stands for both');
  const pages = await Promise.all([1, 2].map(async (n) => (await t.client().get(`/api/hsds/services?per_page=2&page=${n}`)).json()));
  assert.deepEqual(pages.flatMap((p) => p.contents.map((s: { id: string }) => s.id)).sort(), [...listed].sort());
  assert.deepEqual(pages.map((p) => p.total_items), [4, 4]);
  assert.deepEqual(ids((await t.client().get('/api/hsds/services?format=ndjson')).body).sort(), [...listed].sort());
  const text = await t.client().get('/api/hsds/services?search=tenant');
  assert.deepEqual([text.json().total_items, text.json().contents.map((s: { id: string }) => s.id)], [1, [TENANTS_API]]);
  assert.deepEqual(ids((await t.client().get('/api/hsds/services?search=tenant&format=ndjson')).body), [TENANTS_API]);
  for (const plan of [undefined, 'tables'] as const) {
    for (const q of [undefined, 'tenant', 'help line']) {
      const r = await searchServices(t.db.handle.db, t.db.handle.kind, { q, plan, page: 1, perPage: 50, vetted: false });
      assert.ok(!r.hits.some((h) => h.serviceId === TENANTS_PKG), `${plan} ${q}`);
      assert.equal(r.total, r.hits.length, `${plan} ${q}: the count is of what is shown`);
    }
  }
  const page = await t.client().get('/directory?q=tenant');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`/directory/services/${TENANTS_API}`));
  assert.ok(!page.body.includes(`/directory/services/${TENANTS_PKG}`));
  // Its page shows both sources.
  assert.match((await t.client().get(`/directory/services/${TENANTS_API}`)).body, /From City API[^]*Food Bank package|From Food Bank package[^]*City API/);
});

test('the conflicts list is paged, API and page: page and per_page, a total, a pager in both languages; bad paging named by field', async () => {
  const admin = await t.signedIn('admin');
  const all = (await admin.get('/api/directory/sources/conflicts')).json();
  assert.deepEqual([all.total, all.page, all.per_page, all.items.length], [3, 1, 50, 3]);
  const pages = await Promise.all([1, 2, 3].map(async (n) => (await admin.get(`/api/directory/sources/conflicts?per_page=2&page=${n}`)).json()));
  assert.deepEqual(pages.map((p) => [p.items.length, p.total, p.page, p.per_page]), [[2, 3, 1, 2], [1, 3, 2, 2], [0, 3, 3, 2]]);
  assert.deepEqual(pages.flatMap((p) => p.items), all.items, 'the pages are the list, in order');
  assert.equal(pages[1].matches, 1);
  for (const [q, field] of [['page=0', 'page'], ['per_page=500', 'per_page'], ['page=abc', 'page']]) {
    const bad = await admin.get(`/api/directory/sources/conflicts?${q}`);
    assert.equal(bad.statusCode, 400, q);
    assert.match(bad.body, new RegExp(field), q);
  }
  const was = CONFLICTS_PAGE.perPage;
  CONFLICTS_PAGE.perPage = 2;
  try {
    const first = await admin.get('/directory/sources/conflicts', { 'accept-language': 'es' });
    assert.match(first.body, /Página 1[^]*href="\/directory\/sources\/conflicts\?page=2"/);
    assert.match(first.body, />Nombre<\/td>[^]*>Descripción<\/td>/);
    assert.doesNotMatch(first.body, />Sitio web<\/td>/);
    const second = await admin.get('/directory/sources/conflicts?page=2');
    assert.equal(second.statusCode, 200);
    assert.match(second.body, />Website<\/td>/);
    assert.doesNotMatch(second.body, />Name<\/td>/);
    assert.match(second.body, /name="page" value="2"/, 'keeping a value comes back to this page');
    assert.equal((await admin.get('/directory/sources/conflicts?page=0')).statusCode, 400);
  } finally {
    CONFLICTS_PAGE.perPage = was;
  }
  // A value one source leaves empty is named as such, to the eye and to a screen reader, not drawn as a dash.
  const first = String(all.items[0].same_as);
  await t.ctx.db.updateTable('directory_service').set({ email: 'help@food.example.org' }).where('id', '=', first).execute();
  try {
    for (const [lang, none, field] of [['en', 'No value', 'Email'], ['es', 'Sin valor', 'Correo electrónico']] as const) {
      const body = (await admin.get('/directory/sources/conflicts', { 'accept-language': lang })).body;
      assert.match(body, /help@food\.example\.org/, lang);
      assert.ok(body.includes(`${field}: ${none}`), `${lang}: the button names the empty value`);
      assert.doesNotMatch(/<table[^]*<\/table>/.exec(body)![0], />\s*—\s*</, `${lang}: no dash`);
    }
  } finally {
    await t.ctx.db.updateTable('directory_service').set({ email: null }).where('id', '=', first).execute();
  }
});

test('a steward keeps one of two conflicting values: per field, audited, kept across the next pulls until the source changes it; bad input; each role', async () => {
  const admin = await t.signedIn('admin');
  const stewardUser = await makeUser(t.ctx, 'member', 'steward@food-network.example', 'Food Network Staff');
  const outsiderUser = await makeUser(t.ctx, 'member', 'staff@legal.example', 'Legal Aid Staff');
  await addSteward(t.ctx, { directory_organization_id: ORG, account_organization_id: stewardUser.organization_id });
  // Stewards another listing: not this one.
  await addSteward(t.ctx, { directory_organization_id: '0b5a5d3e-1c1a-4c53-9d0e-00000000dead', account_organization_id: outsiderUser.organization_id }).catch(() => undefined);
  const steward = new TestClient(t.app, t.ctx);
  await steward.signIn(stewardUser);
  const outsider = new TestClient(t.app, t.ctx);
  await outsider.signIn(outsiderUser);
  const url = `/api/directory/sources/conflicts/${TENANTS_PKG}`;
  const svc = (id: string) => t.ctx.db.selectFrom('directory_service').select(['name', 'description', 'url']).where('id', '=', id).executeTakeFirstOrThrow();
  const watched = [...DIRECTORY_TABLES, 'directory_service_choice'];
  const resolutions = async () => t.ctx.db.selectFrom('audit_events').select(['action', 'actor_id']).where('action', '=', 'directory.conflict.resolve').execute();

  // The steward sees the conflicts of their organisation's services; one who stewards another listing cannot act.
  const theirs = await steward.get('/directory/sources/conflicts', { 'accept-language': 'es' });
  assert.equal(theirs.statusCode, 200);
  assert.match(theirs.body, />Nombre<\/td>[^]*>Descripción<\/td>[^]*>Sitio web<\/td>/, 'fields named in the reader\'s language, not as columns');
  assert.doesNotMatch(theirs.body, />(name|description|url)<\/td>/);
  assert.match((await admin.get('/directory/sources/conflicts')).body, />Name<\/td>[^]*>Description<\/td>[^]*>Website<\/td>/);
  const untouched = await snapshotTables(t.ctx, watched);
  assert.equal((await outsider.request('POST', url, { json: { field: 'name', value: 'Tenant Help-Line' } })).statusCode, 403);
  // One who stewards another listing sees an empty list (not a refusal of a permission the role holds), and no value.
  const outsiders = await outsider.get('/directory/sources/conflicts');
  assert.equal(outsiders.statusCode, 200);
  assert.doesNotMatch(outsiders.body, /Tenant Help/);
  assert.deepEqual((await outsider.get('/api/directory/sources/conflicts')).json().items, []);
  const outsiderCsrf = /name="_csrf" value="([^"]+)"/.exec((await outsider.get('/directory')).body)?.[1] ?? '';
  assert.equal((await outsider.request('POST', `/directory/sources/conflicts/${TENANTS_PKG}`, { form: { _csrf: outsiderCsrf, field: 'name', value: 'Tenant Help-Line' } })).statusCode, 403);
  assert.equal((await (await t.signedIn('member')).request('POST', url, { json: { field: 'name', value: 'Tenant Help-Line' } })).statusCode, 403);
  assert.ok([401, 403].includes((await t.client().request('POST', url, { json: { field: 'name', value: 'x' } })).statusCode));

  // Bad input: named by field, in both languages, nothing changed, never a 500.
  const unknown = await steward.request('POST', url, { json: { field: 'colour', value: 'blue' } });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.deepEqual(unknown.json().errors.map((e: { field: string }) => e.field), ['field']);
  const neither = await steward.request('POST', url, { json: { field: 'name', value: 'Tenants United' } });
  assert.equal(neither.statusCode, 400);
  assert.deepEqual(neither.json().errors.map((e: { field: string; message: string }) => [e.field, e.message]), [['value', 'must be one of the two values']]);
  assert.equal((await steward.request('POST', url, { json: { field: 'name' } })).statusCode, 400);
  assert.equal((await steward.request('POST', `/api/directory/sources/conflicts/${TENANTS_API}`, { json: { field: 'name', value: 'x' } })).statusCode, 404, 'the id is the matched record seen later');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(theirs.body)?.[1] ?? '';
  const form = await steward.request('POST', `/directory/sources/conflicts/${TENANTS_PKG}`, { form: { _csrf: csrf, field: 'name', value: 'Tenants United' }, headers: { 'accept-language': 'es' } });
  assert.equal(form.statusCode, 400);
  assert.match(form.body, /debe ser uno de los dos valores/);
  const formField = await steward.request('POST', `/directory/sources/conflicts/${TENANTS_PKG}`, { form: { _csrf: csrf, field: 'colour', value: 'x' } });
  assert.equal(formField.statusCode, 400);
  assert.match(formField.body, /must be one of: /);
  assert.equal(await snapshotTables(t.ctx, watched), untouched);
  assert.equal((await resolutions()).length, 0);

  // The steward keeps the API's name (through the page's form); an administrator the package's description.
  const kept = await steward.request('POST', `/directory/sources/conflicts/${TENANTS_PKG}`, { form: { _csrf: csrf, field: 'name', value: 'Tenant Help-Line' } });
  assert.equal(kept.statusCode, 303, kept.body);
  assert.equal(kept.headers.location, '/directory/sources/conflicts?kept=1');
  assert.match((await steward.get(kept.headers.location as string)).body, /The value chosen was kept/);
  const desc = await admin.request('POST', url, { json: { field: 'description', value: 'TENANT HELP LINE, weekdays' } });
  assert.equal(desc.statusCode, 200, desc.body);
  assert.deepEqual([(await svc(TENANTS_PKG)).name, (await svc(TENANTS_API)).description], ['Tenant Help-Line', 'TENANT HELP LINE, weekdays']);
  const left = (await admin.get('/api/directory/sources/conflicts')).json().items.map((c: { field: string }) => c.field);
  assert.deepEqual(left, ['url'], 'resolved fields are no longer listed');
  const audited = await resolutions();
  assert.deepEqual(audited.map((a) => a.actor_id).sort(), [stewardUser.id, (await t.user('admin')).id].sort());
  assert.equal((await t.client().get('/api/hsds/services?search=renters')).json().total_items, 0, 'the search text follows the kept value');

  // Both sources pulled again, unchanged where it matters: neither puts its value back, and nothing is rewritten.
  apiEtag = '"a4"';
  const again = await pullSource(t.ctx, apiId);
  assert.match(again.detail, /0 added, 0 changed/);
  const stamp = async () => (await t.ctx.db.selectFrom('directory_service').select('last_modified').where('id', '=', TENANTS_PKG).executeTakeFirstOrThrow()).last_modified;
  const stamped = await stamp();
  packageServices = [...packageServices, [S3, 'Diaper Bank']];
  const pkg = await pullSource(t.ctx, packageId);
  assert.match(pkg.detail, /1 changed/, 'only the diaper bank, listed again, is written');
  assert.equal(await stamp(), stamped, 'the help line is not rewritten');
  assert.deepEqual([(await svc(TENANTS_PKG)).name, (await svc(TENANTS_API)).description], ['Tenant Help-Line', 'TENANT HELP LINE, weekdays']);

  // The API changes its description: its new value stands, and the difference is listed again.
  apiServices = [{ ...service(TENANTS_API, 'Tenant Help-Line', 'Advice for renters, landlords and families'), url: 'https://tenants.example.org/' }];
  apiEtag = '"a5"';
  await pullSource(t.ctx, apiId);
  assert.equal((await svc(TENANTS_API)).description, 'Advice for renters, landlords and families');
  assert.deepEqual((await admin.get('/api/directory/sources/conflicts')).json().items.map((c: { field: string }) => c.field).sort(), ['description', 'url']);
  assert.equal((await svc(TENANTS_PKG)).name, 'Tenant Help-Line', 'the name choice stays while its source gives the same value');

  // The API stops listing the help line: the package's record, still listed, stands for it in search now.
  apiServices = [service(S1, 'Pantry North')];
  apiEtag = '"a6"';
  await pullSource(t.ctx, apiId);
  assert.equal(await statusOf(TENANTS_API), 'inactive');
  assert.deepEqual((await t.client().get('/api/hsds/services?search=tenant')).json().contents.map((s: { id: string }) => s.id), [TENANTS_PKG]);
  assert.equal((await t.client().get('/api/hsds/services')).json().total_items, 4, 'Pantry North back, the help line still once');
  assert.match((await t.client().get(`/directory/services/${TENANTS_PKG}`)).body, /Listed by City API until[^]*From Food Bank package|From Food Bank package[^]*Listed by City API until/);
});

test("a steward's choice holds on every import path: the command line under the source's name (--source) does not put the replaced value back", async () => {
  // The package's help line, as the package publishes it (the name the steward replaced), imported by hand.
  const dir = mkdtempSync(join(tmpdir(), 'federation-cli-'));
  writeFileSync(join(dir, 'datapackage.json'), JSON.stringify({ name: 'food-bank', profile: 'tabular-data-package', resources: [{ name: 'organization', path: 'organizations.csv' }, { name: 'service', path: 'services.csv' }] }));
  writeFileSync(join(dir, 'organizations.csv'), csv([['id', 'name', 'description', 'website'], [ORG, organization.name, organization.description, organization.website]]));
  writeFileSync(join(dir, 'services.csv'), csv([['id', 'organization_id', 'name', 'description', 'status', 'url'], ...packageServices.map(([id, name, url]) => [id, ORG, name, `${name}, weekdays`, 'active', url ?? ''])]));
  const name = async () => (await t.ctx.db.selectFrom('directory_service').select('name').where('id', '=', TENANTS_PKG).executeTakeFirstOrThrow()).name;
  assert.equal(await name(), 'Tenant Help-Line');
  const run = await runCli(['directory', 'import', dir, '--source', 'Food Bank package'], { ...secrets, DATABASE_URL: t.db.config.databaseUrl });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /1 value\(s\) kept by a steward over this source's/);
  assert.match(run.stdout, /added 0, changed 0/);
  assert.equal(await name(), 'Tenant Help-Line', 'the kept value stands');
  assert.equal((await t.ctx.db.selectFrom('directory_service_choice').select('field').where('service_id', '=', TENANTS_PKG).execute()).length, 1, 'and is still remembered');
});

test('the same organisation from two sources under different ids: matched (name and website), shown once with both provenances', async () => {
  const admin = await t.signedIn('admin');
  const county = await registerSource(t.ctx, { name: 'County API', kind: 'hsds-api', location: `${base}/county/`, schedule: 'daily', enabled: false });
  const r = await pullSource(t.ctx, county.id);
  assert.equal(r.outcome, 'imported', r.detail);
  assert.match(r.detail, /1 organisation\(s\) matched/);
  const found = (await admin.get('/api/directory/sources/conflicts')).json();
  assert.deepEqual(found.organizations.map((o: { organization_id: string; same_as: string; matched_on: string }) => [o.organization_id, o.same_as, o.matched_on]), [[ORG_COUNTY, ORG, 'website']]);
  // The matched organisations are paged on their own (organizations_page, the same per_page).
  assert.equal(found.organizations_total, 1);
  const second = (await admin.get('/api/directory/sources/conflicts?per_page=1&organizations_page=2')).json();
  assert.deepEqual([second.organizations, second.organizations_total, second.organizations_page, second.items.length], [[], 1, 2, 1]);
  assert.equal((await admin.get('/api/directory/sources/conflicts?organizations_page=0')).statusCode, 400);
  // On the page, with a second match (written here as a pull would) and one of each a page.
  await t.ctx.db.insertInto('directory_organization_match').values({ organization_id: OTHER_ORG, same_as: ORG, matched_on: 'phone', matched_at: new Date(Date.now() + 1000).toISOString() }).execute();
  CONFLICTS_PAGE.perPage = 1;
  try {
    const paged = await admin.get('/directory/sources/conflicts?organizations_page=2&page=2', { 'accept-language': 'es' });
    assert.match(paged.body, /Organizaciones de dos fuentes[^]*Example Legal Aid[^]*href="\/directory\/sources\/conflicts\?organizations_page=1&amp;page=2"/, 'the organisations\' pager keeps the values\' page');
    assert.doesNotMatch(paged.body, /EXAMPLE FOOD-NETWORK/);
  } finally {
    CONFLICTS_PAGE.perPage = 50;
    await t.ctx.db.deleteFrom('directory_organization_match').where('organization_id', '=', OTHER_ORG).execute();
  }
  const prov = (await admin.get(`/api/directory/organizations/${ORG_COUNTY}/provenance`)).json();
  assert.deepEqual([...new Set(prov.sources.map((s: { source: string }) => s.source))].sort(), ['City API', 'County API', 'Food Bank package']);
  assert.deepEqual((await t.client().get(`/api/directory/organizations/${OTHER_ORG}/provenance`)).json().sources.map((s: { source: string }) => s.source), ['County API'], 'not matched: another name');
  assert.equal((await t.client().get('/api/directory/organizations/11111111-1111-4111-8111-111111111111/provenance')).statusCode, 404);
  assert.match((await admin.get('/directory/sources/conflicts', { 'accept-language': 'es' })).body, /Organizaciones de dos fuentes[^]*EXAMPLE FOOD-NETWORK[^]*Mismo nombre y sitio web/);
  // Shown once: search by organisation finds the services of both records, the record seen first standing for both.
  const byOrg = await searchServices(t.db.handle.db, t.db.handle.kind, { organizationId: ORG, page: 1, perPage: 50, vetted: false, plan: 'tables' });
  assert.ok(byOrg.hits.some((h) => h.serviceId === EAST), 'the county pantry is among the network\'s services');
  // Listed once: the organisation list leaves out the record matched with one seen first, whose page lists both's services.
  const listed = (await t.client().get('/api/hsds/organizations?per_page=200')).json().contents.map((o: { id: string }) => o.id);
  assert.ok(listed.includes(ORG) && !listed.includes(ORG_COUNTY), 'the matched organisation is listed once');
  assert.match((await t.client().get(`/directory/organizations/${ORG}`)).body, /Food Pantry East/, 'its page lists the services the other source gives it');
});

test('a matched pair is one record outward: the HSDS API by id redirects the later record to the first, whose organisation carries both\'s services; downloads and the CLI export carry one record', async () => {
  // Here: the help line's package record stands for the pair (the API left it), the county's organisation is the later.
  const anon = t.client();
  const org = await anon.get(`/api/hsds/organizations/${ORG_COUNTY}?full_service=true`);
  assert.equal(org.statusCode, 307, org.body);
  assert.equal(org.headers.location, `/api/hsds/organizations/${ORG}?full_service=true`);
  const svcLater = await anon.get(`/api/hsds/services/${TENANTS_API}`);
  assert.equal(svcLater.statusCode, 307);
  assert.equal(svcLater.headers.location, `/api/hsds/services/${TENANTS_PKG}`);
  assert.equal((await anon.get(`/api/hsds/services/${TENANTS_PKG}`)).json().id, TENANTS_PKG);
  const first = (await anon.get(`/api/hsds/organizations/${ORG}`)).json();
  const serviceIds = first.services.map((s: { id: string }) => s.id);
  assert.ok(serviceIds.includes(EAST) && serviceIds.includes(TENANTS_PKG), 'the services of both records');
  assert.ok(!serviceIds.includes(TENANTS_API), 'a matched service once');
  const full = (await anon.get(String(org.headers.location))).json();
  assert.deepEqual(full.services.map((s: { id: string }) => s.id).sort(), [...serviceIds].sort());
  assert.ok(full.services.every((s: { organization_id: string }) => s.organization_id === ORG));
  const spec = (await anon.get('/api/openapi.json')).json() as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
  for (const p of ['/api/hsds/organizations/{id}', '/api/hsds/services/{id}']) assert.ok(spec.paths[p].get.responses['307'], p);

  // The public data package: one record of each match, references pointing at the record that stands.
  const table = async (file: string) => {
    const [head, ...rows] = parseCsv((await anon.get(`/directory/download/${file}`)).body).filter((r) => r.length > 1);
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  };
  const orgs = await table('organizations.csv');
  const services = await table('services.csv');
  assert.ok(!orgs.some((o) => o.id === ORG_COUNTY) && orgs.some((o) => o.id === ORG));
  assert.ok(!services.some((s) => s.id === TENANTS_API) && services.some((s) => s.id === TENANTS_PKG));
  assert.equal(services.find((s) => s.id === EAST)?.organization_id, ORG);
  const orgIds = new Set(orgs.map((o) => o.id));
  const svcIds = new Set(services.map((s) => s.id));
  assert.ok(services.every((s) => !s.organization_id || orgIds.has(s.organization_id)), 'every service names an exported organisation');
  assert.ok((await table('service_at_location.csv')).every((r) => svcIds.has(r.service_id)));
  assert.equal((await anon.get('/directory/download/datapackage.json')).statusCode, 200);

  // The command line's export (JSON): the same.
  const dir = mkdtempSync(join(tmpdir(), 'federation-export-'));
  const run = await runCli(['directory', 'export', '--format', 'json', dir], { ...secrets, DATABASE_URL: t.db.config.databaseUrl });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>[];
  const exported = json('services.json');
  assert.ok(!exported.some((s) => s.id === TENANTS_API) && exported.some((s) => s.id === TENANTS_PKG));
  const east = exported.find((s) => s.id === EAST) as { organization_id: string; organization?: { id: string } };
  assert.equal(east.organization_id, ORG);
  assert.equal(east.organization?.id, ORG);
  assert.ok(!json('organizations.json').some((o) => o.id === ORG_COUNTY));
  assert.ok(!JSON.stringify(json('locations.json')).includes(ORG_COUNTY));

  // The pages still show it once.
  const found = (await anon.get('/directory?q=tenant')).body;
  assert.ok(found.includes(`/directory/services/${TENANTS_PKG}`) && !found.includes(`/directory/services/${TENANTS_API}`));
});

test('one record outward in the API lists and by service at location: the first organisation\'s id everywhere, a later service\'s row redirected to its counterpart', async () => {
  const anon = t.client();
  // Locations as a pull would write them: the help line at one place from both sources, and once at a place only the later record gives.
  const SHARED_PLACE = '0b5a5d3e-1c1a-4c53-9d0e-0000000000d1';
  const ONLY_LATER = '0b5a5d3e-1c1a-4c53-9d0e-0000000000d2';
  const SAME_ADDRESS = '0b5a5d3e-1c1a-4c53-9d0e-0000000000d3';
  const [ROW_FIRST, ROW_LATER, ROW_ALONE, ROW_EAST, ROW_MOVED] = ['e1', 'e2', 'e3', 'e4', 'e5'].map((x) => `0b5a5d3e-1c1a-4c53-9d0e-0000000000${x}`);
  const places = [SHARED_PLACE, ONLY_LATER, SAME_ADDRESS];
  for (const id of places) await t.ctx.db.insertInto('directory_location').values({ id, location_type: 'physical', name: `Place ${id.slice(-2)}`, confidential: 0, coordinates_approximate: 0 } as never).execute();
  // The same address under each source's own location id (spelt differently).
  const address = (id: string, line: string, location_id: string) => ({ id, location_id, attention: null, address_1: line, address_2: null, city: 'Springfield', region: null, state_province: 'IL', postal_code: '62701', country: 'US', address_type: 'physical' });
  const ADDRESSES = ['0b5a5d3e-1c1a-4c53-9d0e-0000000000f1', '0b5a5d3e-1c1a-4c53-9d0e-0000000000f2', '0b5a5d3e-1c1a-4c53-9d0e-0000000000f3'];
  await t.ctx.db.insertInto('directory_address').values([address(ADDRESSES[0], '12 Main St.', SHARED_PLACE), address(ADDRESSES[1], '12 MAIN ST', SAME_ADDRESS), address(ADDRESSES[2], '99 Elm St', ONLY_LATER)]).execute();
  await t.ctx.db
    .insertInto('directory_service_at_location')
    .values([
      { id: ROW_FIRST, service_id: TENANTS_PKG, location_id: SHARED_PLACE, description: null },
      { id: ROW_LATER, service_id: TENANTS_API, location_id: SHARED_PLACE, description: null },
      { id: ROW_ALONE, service_id: TENANTS_API, location_id: ONLY_LATER, description: null },
      { id: ROW_EAST, service_id: EAST, location_id: SHARED_PLACE, description: null },
      { id: ROW_MOVED, service_id: TENANTS_API, location_id: SAME_ADDRESS, description: null },
    ])
    .execute();
  try {
    // By id: the later service's row at a place the first also has answers 307 to the first's row there (query kept).
    const later = await anon.get(`/api/hsds/service_at_locations/${ROW_LATER}?x=1`);
    assert.equal(later.statusCode, 307, later.body);
    assert.equal(later.headers.location, `/api/hsds/service_at_locations/${ROW_FIRST}?x=1`);
    assert.equal((await anon.get(String(later.headers.location))).json().service_id, TENANTS_PKG);
    const moved = await anon.get(`/api/hsds/service_at_locations/${ROW_MOVED}`);
    assert.equal(moved.statusCode, 307, 'the same address under another location id');
    assert.equal(moved.headers.location, `/api/hsds/service_at_locations/${ROW_FIRST}`);
    // A row only the later record has is not one outward (the exports leave it out): 404, naming the service that stands.
    const alone = await anon.get(`/api/hsds/service_at_locations/${ROW_ALONE}`, { 'accept-language': 'es' });
    assert.equal(alone.statusCode, 404, alone.body);
    assert.ok(alone.body.includes(`/api/hsds/services/${TENANTS_PKG}`), alone.body);
    // The service of the later organisation: its row and its service name the organisation seen first.
    const east = (await anon.get(`/api/hsds/service_at_locations/${ROW_EAST}`)).json();
    assert.equal(east.service.organization_id, ORG);
    const spec = (await anon.get('/api/openapi.json')).json() as { paths: Record<string, { get: { responses: Record<string, unknown>; description?: string } }> };
    assert.ok(spec.paths['/api/hsds/service_at_locations/{id}'].get.responses['307']);
    assert.match(String(spec.paths['/api/hsds/service_at_locations/{id}'].get.description), /307/);

    // Lists: no item names the later organisation, in any shape; the first's id stands instead.
    const bodies = await Promise.all(
      ['/api/hsds/services?per_page=200', '/api/hsds/services?per_page=200&full=true', '/api/hsds/services?search=pantry', '/api/hsds/services?format=ndjson', '/api/hsds/services?minimal=true', '/api/hsds/service_at_locations?per_page=200', '/api/hsds/service_at_locations?per_page=200&full=true', '/api/hsds/service_at_locations?format=ndjson', `/api/hsds/services/${EAST}`].map(async (u) => [u, (await anon.get(u)).body] as const),
    );
    for (const [u, body] of bodies) assert.ok(!body.includes(ORG_COUNTY), u);
    const listed = (await anon.get('/api/hsds/services?per_page=200')).json().contents.find((s: { id: string }) => s.id === EAST);
    assert.deepEqual([listed.organization_id, listed.organization.id, listed.organization.name], [ORG, ORG, organization.name]);
    // Only the organisations an answer names are looked up: one not matched keeps its own id, in a list and alone.
    const legal = (await anon.get('/api/hsds/services?per_page=200')).json().contents.find((s: { id: string }) => s.id === LEGAL);
    assert.deepEqual([legal.organization_id, legal.organization.id], [OTHER_ORG, OTHER_ORG]);
    const byId = (await anon.get(`/api/hsds/services/${LEGAL}`)).json();
    assert.deepEqual([byId.organization_id, byId.organization.id], [OTHER_ORG, OTHER_ORG]);
    const atLocations = (await anon.get('/api/hsds/service_at_locations?per_page=200')).json().contents;
    assert.equal(atLocations.find((r: { id: string }) => r.id === ROW_EAST)?.service.organization_id, ORG);
    assert.ok(!atLocations.some((r: { id: string }) => [ROW_LATER, ROW_ALONE, ROW_MOVED].includes(r.id)), 'the later service is not listed');
  } finally {
    await t.ctx.db.deleteFrom('directory_service_at_location').where('id', 'in', [ROW_FIRST, ROW_LATER, ROW_ALONE, ROW_EAST, ROW_MOVED]).execute();
    await t.ctx.db.deleteFrom('directory_address').where('id', 'in', ADDRESSES).execute();
    await t.ctx.db.deleteFrom('directory_location').where('id', 'in', places).execute();
  }
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
  // The refused pull links to its entry in the import history, in both languages; a fetch that failed links to none.
  const entry = (await admin.get(`/api/directory/sources/${notHsds.id}`)).json();
  assert.equal(entry.last_import_id, null);
  const history = await t.ctx.db.selectFrom('directory_import').select(['id', 'refused']).where('source', '=', 'Not HSDS').execute();
  assert.equal(history.length, 1);
  assert.equal(entry.last_refusal_id, history[0].id);
  assert.ok(list.body.includes(`<a href="/directory/imports/${history[0].id}">Why the pull of Not HSDS was refused</a>`), 'the entry linked');
  assert.ok((await admin.get('/directory/sources', { 'accept-language': 'es' })).body.includes(`<a href="/directory/imports/${history[0].id}">Por qué se rechazó la consulta de Not HSDS</a>`));
  assert.equal((await admin.get(`/api/directory/sources/${missing.id}`)).json().last_refusal_id, null);
  // A refusal imported nothing: the source may still be renamed.
  const renamed = await admin.request('PUT', `/api/directory/sources/${notHsds.id}`, { json: { name: 'Not HSDS (fixed)', kind: 'package-url', location: `${base}/not-hsds.json`, schedule: 'daily' } });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.equal(renamed.json().last_refusal_id, history[0].id);

  // A folder on the server, pulled from the page's "pull now": imported, then unchanged files are not read again.
  const folder = await registerSource(t.ctx, { name: 'Example City', kind: 'path', location: join(SHARED_HSDS, 'sample-example-city-1.1', 'simple'), schedule: 'weekly' });
  const csrf2 = /name="_csrf" value="([^"]+)"/.exec(list.body)?.[1] ?? '';
  const pulled = await admin.request('POST', `/directory/sources/${folder.id}/pull`, { form: { _csrf: csrf2 } });
  assert.equal(pulled.statusCode, 303);
  assert.equal(pulled.headers.location, `/directory/sources#source-${folder.id}`);
  assert.match((await admin.get(`/api/directory/sources/${folder.id}`)).json().last_result, /^imported: HSDS 1\.1/);
  assert.equal((await pullSource(t.ctx, folder.id)).outcome, 'not-modified');
  // The last pull of each source, in the reader's language: a Spanish page names what happened in Spanish.
  const es = (await admin.get('/directory/sources', { 'accept-language': 'es' })).body;
  assert.match(es, /Falló: \S*nothing\.zip respondió 404/);
  assert.match(es, /Falló: \d+ fila\(s\) rechazada\(s\); no se importó nada \(data\.json, fila 1, id: es obligatorio\)/);
  assert.match(es, /Sin cambios desde la consulta anterior: no se escribió nada/);
  assert.doesNotMatch(es, /answered|refused|nothing was imported|not modified|failed:|imported:|not-modified:/);
  // Last and next pulls on the task force's clock, as every other page shows an instant.
  assert.match(es, /E[SD]T/);
  assert.doesNotMatch(es, /\bUTC\b/);
  // A source pulled only by hand has no next pull: said in words, not a dash.
  assert.match(es, /data-label="Próxima consulta">Sin programar</);
  assert.match((await admin.get('/directory/sources')).body, /data-label="Next pull">Not scheduled</);
  assert.doesNotMatch(/<table[^]*<\/table>/.exec(es)![0], />\s*—\s*</);
  // In English the outcome is a word, not the stored code ("not-modified:", "failed:").
  const en = (await admin.get('/directory/sources')).body;
  assert.match(en, />Not modified since the last pull: nothing written</);
  assert.match(en, /Failed: \S*nothing\.zip answered 404/);
  assert.doesNotMatch(en, /failed:|imported:|not-modified:/);
});

test("a source's last pull in each language: counts grouped as the reader writes them, each noun agreeing with its count", () => {
  const stored = "imported: HSDS 1.1 CSV folder, 6 files: 7695 added, 1 changed, 0 unchanged, 0 removed, 1 quarantined; 2 matched with another source's";
  assert.equal(pullResultIn({ lang: 'en', t: translator('en') }, stored), "Imported: HSDS 1.1 CSV folder, 6 files: 7,695 added, 1 changed, 0 unchanged, 0 removed, 1 quarantined; 2 matched with another source's");
  assert.equal(pullResultIn({ lang: 'es', t: translator('es') }, stored), 'Importada: Carpeta HSDS 1.1 en CSV, 6 archivos: 7,695 añadidas, 1 modificada, 0 sin cambios, 0 retiradas, 1 en cuarentena; 2 emparejado(s) con el de otra fuente');
  assert.equal(pullResultIn({ lang: 'es', t: translator('es') }, 'failed: something new went wrong'), 'Falló: something new went wrong', 'a reason of no known form as written');
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
    ['POST', `/api/directory/sources/conflicts/${TENANTS_PKG}`, { field: 'name', value: 'Tenant Help-Line' }],
  ];
  for (const role of ROLES) {
    if (role === 'admin') continue;
    const c = await t.signedIn(role);
    for (const [method, url, json] of routes) {
      const r = await c.request(method, url, { json });
      // The conflicts list answers whoever may propose changes with their stewarded listings' conflicts: none here.
      if (method === 'GET' && url.endsWith('/sources/conflicts') && rolesWith(PROPOSE).includes(role)) {
        assert.equal(r.statusCode, 200, `${role} ${method} ${url}`);
        assert.doesNotMatch(r.body, /Tenant Help/, `${role} ${method} ${url}: no conflict of a listing not theirs`);
      } else if (method === 'POST' && url.includes('/sources/conflicts/') && rolesWith(PROPOSE).includes(role)) {
        // A role that may propose is refused the match (403), or told there is none to resolve (404): never 200.
        assert.ok([403, 404].includes(r.statusCode), `${role} ${method} ${url}: ${r.statusCode}`);
      } else assert.equal(r.statusCode, 403, `${role} ${method} ${url}`);
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
  for (const [p, m] of [['/api/directory/sources', 'get'], ['/api/directory/sources', 'post'], ['/api/directory/sources/{id}', 'put'], ['/api/directory/sources/{id}/pull', 'post'], ['/api/directory/services/{id}/provenance', 'get'], ['/api/directory/sources/conflicts', 'get'], ['/api/directory/sources/conflicts/{id}', 'post'], ['/api/directory/organizations/{id}/provenance', 'get']]) {
    const op = spec.paths[p]?.[m];
    assert.ok(op?.summary && op.tags?.includes('Directory'), `${m} ${p}`);
  }
});

test('an API whose pages carry their own ETags: a change on a later page, or a service on a new page, is pulled although the first page answers 304', async () => {
  const paged = await registerSource(t.ctx, { name: 'Paged API', kind: 'hsds-api', location: `${base}/paged`, schedule: 'weekly' });
  const pulls = () => requests.filter((r) => r.url.startsWith('/paged')).map((r) => [r.url.replace(/&.*/, '').replace('/paged/services?', ''), r.status]);
  const first = await pullSource(t.ctx, paged.id);
  assert.match(first.detail, /3 added/);
  assert.deepEqual(pulls(), [['page=1', 200], ['page=2', 200], ['page=3', 200]]);

  // Nothing changed: every page answers 304, and the page after the last is empty.
  requests.length = 0;
  const entries = await imports();
  assert.equal((await pullSource(t.ctx, paged.id)).outcome, 'not-modified');
  assert.deepEqual(pulls(), [['page=1', 304], ['page=2', 304], ['page=3', 304], ['page=4', 200]]);
  assert.equal(await imports(), entries, 'no import entry');

  // The third page changes, the first two do not: imported, the unchanged pages asked again whole (the importer
  // reads the source as one snapshot, and a page left out would make its services leave the directory).
  requests.length = 0;
  pagedServices[2] = service(PAGED[2], 'Rent Help', 'Rent and utility help, weekdays');
  const changed = await pullSource(t.ctx, paged.id);
  assert.equal(changed.outcome, 'imported', changed.detail);
  // Rows: the changed service; the two others and their organisation unchanged.
  assert.match(changed.detail, /0 added, 1 changed, 3 unchanged, 0 removed/);
  assert.deepEqual(pulls(), [['page=1', 304], ['page=2', 304], ['page=3', 200], ['page=1', 200], ['page=2', 200]]);
  assert.equal((await t.ctx.db.selectFrom('directory_service').select('description').where('id', '=', PAGED[2]).executeTakeFirstOrThrow()).description, 'Rent and utility help, weekdays');
  for (const id of PAGED.slice(0, 3)) assert.equal(await statusOf(id), 'active', 'no service left because its page was unchanged');

  // A service added on a page of its own, every page before it unchanged.
  requests.length = 0;
  pagedServices = [...pagedServices, service(PAGED[3], 'Tax Clinic')];
  const added = await pullSource(t.ctx, paged.id);
  assert.match(added.detail, /1 added, 0 changed, 4 unchanged, 0 removed/);
  assert.deepEqual(pulls(), [['page=1', 304], ['page=2', 304], ['page=3', 304], ['page=4', 200], ['page=1', 200], ['page=2', 200], ['page=3', 200]]);

  // A server answering 404 for the page after the last: the end of the list, not a failed pull.
  pastTheEnd = 404;
  requests.length = 0;
  const again = await pullSource(t.ctx, paged.id);
  assert.equal(again.outcome, 'not-modified', again.detail);
  assert.deepEqual(pulls(), [['page=1', 304], ['page=2', 304], ['page=3', 304], ['page=4', 304], ['page=5', 404]]);
});
