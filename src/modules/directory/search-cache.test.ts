/**
 * Kept search answers (search-cache.ts): a write through either of two apps on one database (two processes, as
 * PostgreSQL runs) is seen by the next search of both; vetted and unvetted callers never get each other's answers;
 * the hits and misses are in /metrics; SEARCH_CACHE_ENTRIES is checked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { loadConfig, ConfigError } from '../../config.ts';
import { openDatabase, type DatabaseHandle } from '../../platform/db/index.ts';
import { testApp, makeUser, ctxAs, TestClient, type TestApp } from '../../platform/testing.ts';
import { addDemoProviders } from './demo.ts';
import { uuidv5 } from './model.ts';
import { addSteward } from './stewards.ts';
import { approveProposal, proposeChange, updateCapacity } from './editing.ts';
import { Dataset } from './validate.ts';
import { importDataset } from './import.ts';
import { searchServices } from './search.ts';
import { answerCacheOf, dataVersion, searchKey, versionQuery } from './search-cache.ts';
import { sqliteConnection } from '../../platform/db/index.ts';

const ORG = uuidv5('demo:org:freedom-network');
const SHELTER = uuidv5('demo:svc:shelter');
const JOBS = uuidv5('demo:svc:jobs');
const SHELTER_LOC = uuidv5('demo:loc:shelter');
const CAPACITY = uuidv5('demo:cap:shelter');
const TOKEN = 'search-cache-metrics-token-0123456789';

let t: TestApp;
/** A second app on the same database, with its own connections and its own kept answers: another process. */
let other: FastifyInstance;
let otherDb: DatabaseHandle;

before(async () => {
  t = await testApp({ env: { METRICS_TOKEN: TOKEN } });
  await addDemoProviders(t.ctx);
  otherDb = openDatabase(t.db.config);
  const { buildApp } = await import('../../app.tsx');
  other = await buildApp({ config: t.db.config, database: otherDb, logger: false });
  await other.ready();
});

after(async () => {
  await other.close();
  await otherDb.close();
  await t.close();
});

type Listed = { total_items: number; contents: { id: string; name: string }[] };
const list = async (app: FastifyInstance, query: string) => {
  const res = await app.inject({ method: 'GET', url: `/api/hsds/services?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Listed;
};
const ids = (l: Listed) => l.contents.map((c) => c.id).sort();

test('a write through either app (import, approved edit, capacity) is seen by the next search of both', async () => {
  const apps = [t.app, other];
  const both = async (query: string) => Promise.all(apps.map((a) => list(a, query)));

  // Asked twice: the second answer of each app is a kept one.
  const hitsBefore = answerCacheOf(t.db.handle.db)?.counts.hits ?? 0;
  for (let i = 0; i < 2; i++) for (const l of await both('search=quokka')) assert.equal(l.total_items, 0);
  assert.equal(answerCacheOf(t.db.handle.db)!.counts.hits, hitsBefore + 1, 'the same search asked again is answered from the cache');
  assert.ok(answerCacheOf(otherDb.db)!.counts.hits >= 1, 'the other app keeps its own');

  // An import (this process, through neither app's requests).
  const ds = new Dataset();
  const o = { file: 'more.json', row: 1 };
  ds.add('organization', { id: uuidv5('cache:org'), name: 'Quokka Friends', description: 'Mentors.' }, o);
  ds.add('service', { id: uuidv5('cache:svc'), organization_id: uuidv5('cache:org'), name: 'Quokka Mentoring', description: 'Mentoring for young people.', status: 'active' }, o);
  const v0 = await dataVersion(t.db.handle.db);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  assert.ok((await dataVersion(t.db.handle.db)) > v0, 'an import moves the data version');
  for (const l of await both('search=quokka')) assert.deepEqual(ids(l), [uuidv5('cache:svc')], 'both apps see the import');

  // An approved edit, made through the other app's process: the first app sees it.
  for (const l of await both('search=wombat')) assert.equal(l.total_items, 0);
  const staff = await makeUser(t.ctx, 'member', 'staff@cache.example', 'Freedom Cache Staff');
  await addSteward(t.ctx, { directory_organization_id: ORG, account_organization_id: staff.organization_id });
  const admin = await t.user('admin');
  const otherCtx = { ...t.ctx, db: otherDb.db };
  const proposal = await proposeChange(await ctxAs(otherCtx, staff), 'service', JOBS, { name: 'Wombat Job Club' });
  await approveProposal(await ctxAs(otherCtx, admin), proposal.id, {});
  for (const l of await both('search=wombat')) assert.deepEqual(ids(l), [JOBS], 'both apps see the approved edit');

  // Capacity, set through the other app's HTTP API.
  const withBeds = 'capacity_available=true&per_page=50';
  for (const l of await both(withBeds)) assert.ok(ids(l).includes(SHELTER));
  const client = new TestClient(other, otherCtx);
  await client.signIn(admin);
  const set = await client.request('POST', `/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { json: { available: 0 } });
  assert.equal(set.statusCode, 200, set.body);
  for (const l of await both(withBeds)) assert.ok(!ids(l).includes(SHELTER), 'no beds left, in both apps');
  await updateCapacity(await ctxAs(t.ctx, admin), SHELTER, CAPACITY, { available: 2 });
  for (const l of await both(withBeds)) assert.ok(ids(l).includes(SHELTER), 'beds again, in both apps');

  // The search page too.
  const page = await t.app.inject({ method: 'GET', url: '/directory?q=wombat' });
  assert.match(page.body, /Wombat Job Club/);

  // The hits and misses are in /metrics.
  const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.match(metrics.body, /taskforce_cache_lookups_total\{cache="directory_search",result="hit"\} [1-9]/);
  assert.match(metrics.body, /taskforce_cache_lookups_total\{cache="directory_search",result="miss"\} [1-9]/);
});

test('vetted, stewarding and unvetted callers each get their own answer, in either order', async () => {
  const db = t.db.handle.db;
  const kind = t.db.handle.kind;
  const near = { near: '38.93,-77.02', radius: 5, page: 1, perPage: 20 };
  const shelterOf = async (p: Parameters<typeof searchServices>[2]) => (await searchServices(db, kind, p, 100)).hits.find((h) => h.serviceId === SHELTER)!;
  for (let round = 0; round < 2; round++) {
    // Each asked twice, so that the second comes from the cache; the order of callers changes between rounds.
    const callers = [
      { vetted: false },
      { vetted: true },
      { vetted: false, stewarded: new Set([ORG]) },
    ];
    if (round) callers.reverse();
    for (const c of callers) {
      for (let i = 0; i < 2; i++) {
        const hit = await shelterOf({ ...near, ...c });
        const sees = c.vetted || Boolean(c.stewarded);
        if (sees) assert.equal(hit.locationId, SHELTER_LOC, `${JSON.stringify(c)} sees the shelter's location`);
        else {
          assert.equal(hit.locationId, undefined, 'an unvetted caller is not told the location');
          assert.equal(hit.within, true, 'only a band of distance');
        }
      }
    }
  }
  // The same search asked by many at once is worked out once and shared.
  const cache = answerCacheOf(db)!;
  const before = { ...cache.counts };
  const together = await Promise.all(Array.from({ length: 5 }, () => searchServices(db, kind, { q: 'job', near: '20005', radius: 7, page: 1, perPage: 20, vetted: false }, 100)));
  // Each caller finds the answer kept, or being worked out (shared), or works it out; only one does.
  const missed = cache.counts.misses - before.misses;
  assert.equal(missed + cache.counts.hits - before.hits, 5);
  assert.equal(missed - (cache.counts.shared - before.shared), 1, 'worked out once');
  for (const r of together) assert.deepEqual(r, together[0]);
  assert.ok(together[0].hits.length > 0);

  // The page's language is not part of a search: one kept answer serves both.
  const en = await t.app.inject({ method: 'GET', url: '/directory?q=shelter&lang=en' });
  const es = await t.app.inject({ method: 'GET', url: '/directory?q=shelter&lang=es' });
  assert.equal(en.statusCode, 200);
  assert.equal(es.statusCode, 200);
  assert.doesNotMatch(en.body + es.body, /Hidden Lane/, 'no confidential address on a public page');
});

test('SEARCH_CACHE_ENTRIES: 0 keeps nothing; a bad value is refused naming the variable', async () => {
  const base = { DATABASE_URL: 'sqlite::memory:', SESSION_SECRET: 'x'.repeat(44), DATA_KEY: Buffer.alloc(32).toString('base64') };
  assert.equal(loadConfig(base).searchCacheEntries > 0, true, 'on by default');
  assert.equal(loadConfig({ ...base, SEARCH_CACHE_ENTRIES: '0' }).searchCacheEntries, 0);
  for (const bad of ['lots', '-1', '1.5', '99999999']) {
    assert.throws(() => loadConfig({ ...base, SEARCH_CACHE_ENTRIES: bad }), (e: unknown) => e instanceof ConfigError && /^SEARCH_CACHE_ENTRIES: must be/.test(e.message), bad);
  }
  // "Open now" answers are keyed to the minute.
  const at = (iso: string) => searchKey({ q: 'shelter', openNow: true, now: new Date(iso), page: 1, perPage: 20, vetted: false });
  assert.equal(at('2027-01-04T15:30:05Z'), at('2027-01-04T15:30:55Z'), 'the same minute, the same key');
  assert.notEqual(at('2027-01-04T15:30:55Z'), at('2027-01-04T15:31:00Z'), 'the next minute, another key');
  assert.equal(searchKey({ q: 'Shelter  beds', need: ['housing', 'legal'], page: 1, perPage: 20, vetted: false }), searchKey({ q: 'shelter beds', need: ['legal', 'housing', 'legal'], page: 1, perPage: 20, vetted: false }), 'normalised');

  // The version is read by primary key: on SQLite a statement that runs on the event loop's own connection.
  const sqlite = sqliteConnection(t.db.handle.db);
  if (sqlite) {
    const q = versionQuery(t.db.handle.db).compile();
    const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[];
    assert.deepEqual(plan.map((p) => p.detail), ['SEARCH directory_data_version USING INTEGER PRIMARY KEY (rowid=?)']);
  }

  // Off: nothing is kept for a database searched without entries.
  const fresh = openDatabase(t.db.config);
  try {
    await searchServices(fresh.db, fresh.kind, { q: 'shelter', page: 1, perPage: 20, vetted: false }, 0);
    assert.equal(answerCacheOf(fresh.db), undefined);
  } finally {
    await fresh.close();
  }
});

test('a read request reads the data version once, however often its page and its search ask; the next request reads it again', async () => {
  const seen: string[] = [];
  const handle = openDatabase(t.db.config, { onQuery: (s) => seen.push(s) });
  const { buildApp } = await import('../../app.tsx');
  const app = await buildApp({ config: t.db.config, database: handle, logger: false });
  await app.ready();
  const versionReads = () => seen.filter((s) => /directory_data_version/.test(s) && /^select/i.test(s)).length;
  try {
    // The search page (its kept page's state, the kept answer, the kept word sets) and the API's search.
    for (const url of ['/directory?q=shelter&near=20001', '/directory?q=jobs', '/api/hsds/services?search=shelter&near=20001']) {
      seen.length = 0;
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(versionReads(), 1, `${url}: one read of the version`);
    }
    // A write between two requests is seen by the second.
    seen.length = 0;
    const v0 = await dataVersion(handle.db);
    await updateCapacity(await ctxAs(t.ctx, await makeUser(t.ctx, 'admin', 'version-once@cache.example')), SHELTER, CAPACITY, { available: 3 });
    assert.ok((await dataVersion(handle.db)) > v0, 'outside a request every call reads the version');
    assert.equal(versionReads(), 2);
  } finally {
    await app.close();
    await handle.close();
  }
});
