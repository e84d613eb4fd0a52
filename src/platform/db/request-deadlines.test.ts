/**
 * Requests carry a deadline and a saturated node sheds load (issue 14), on real `taskforce serve` processes (on
 * PostgreSQL when DATABASE_URL names a server, a SQLite file otherwise): database work for a client that left
 * stops, a read past its deadline is stopped and answered 503, a running PostgreSQL statement is cancelled, and past
 * MAX_REQUESTS_IN_FLIGHT the answer is a fast 503 with Retry-After while /healthz and /readyz still answer.
 * The slow and busy routes exist only with TFH_TEST_HOOKS=1 (platform/ops/test-hooks.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { makeUser, serveProcess, testDatabase } from '../testing.ts';
import { systemCtx } from '../context.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

test('work for a client that left stops, a read past its deadline is stopped with 503, a saturated node sheds load', { timeout: 120_000 }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const db = await testDatabase(secrets);
  await makeUser(systemCtx(db.handle, db.config, 'test'), 'member', 'someone@test.example');
  const server = await serveProcess({ ...secrets, DATABASE_URL: db.config.databaseUrl, TFH_TEST_HOOKS: '1', JOBS: 'off', REQUEST_DEADLINE_SECONDS: '2', MAX_REQUESTS_IN_FLIGHT: '3' });
  const count = async () => ((await (await fetch(`${server.base}/test/busy/count`)).json()) as { queries: number }).queries;
  try {
    // The client gives up after half a second: its statements stop with it.
    const gone = new AbortController();
    const leaving = fetch(`${server.base}/test/busy?ms=8000&mode=loop`, { signal: gone.signal }).catch(() => 'aborted');
    await sleep(500);
    gone.abort();
    assert.equal(await leaving, 'aborted');
    await sleep(300);
    const afterLeaving = await count();
    assert.ok(afterLeaving > 0, 'the busy request ran statements before its client left');
    await sleep(1000);
    assert.equal(await count(), afterLeaving, 'statements went on for a client that had left');

    // Past its deadline (2 s here), a read is stopped and answered 503 with Retry-After.
    const t0 = Date.now();
    const late = await fetch(`${server.base}/test/busy?ms=8000&mode=loop`, { headers: { accept: 'application/json' } });
    const took = Date.now() - t0;
    assert.equal(late.status, 503, await late.clone().text());
    assert.ok(took >= 1900 && took < 4000, `answered after ${took} ms`);
    assert.ok(late.headers.get('retry-after'), 'Retry-After on a passed deadline');
    assert.match(((await late.json()) as { detail: string }).detail, /deadline of 2 s/);
    const afterDeadline = await count();
    await sleep(600);
    assert.equal(await count(), afterDeadline, 'statements went on past the deadline');

    if (db.handle.kind === 'postgresql') {
      // One long statement: cancelled on the server when its client leaves, not left to run for ten seconds.
      const watcher = new pg.Client({ connectionString: db.config.databaseUrl });
      await watcher.connect();
      try {
        const sleeping = async () => Number((await watcher.query(`select count(*) as n from pg_stat_activity where state = 'active' and query like 'select pg_sleep%'`)).rows[0].n);
        const c = new AbortController();
        const req = fetch(`${server.base}/test/busy?ms=10000&mode=sleep`, { signal: c.signal }).catch(() => 'aborted');
        await sleep(600);
        assert.equal(await sleeping(), 1, 'the long statement is running');
        c.abort();
        await req;
        let n = 1;
        for (let i = 0; i < 20 && n > 0; i++) {
          await sleep(100);
          n = await sleeping();
        }
        assert.equal(n, 0, 'the statement still ran after its client left');
      } finally {
        await watcher.end();
      }
    }

    // Three requests in flight fill the node: the next is refused at once, health and readiness still answer.
    const slow = [1, 2, 3].map(() => fetch(`${server.base}/test/slow?ms=1500`).then((r) => r.status));
    await sleep(400);
    const s0 = Date.now();
    const shed = await fetch(`${server.base}/api/hsds`);
    assert.equal(shed.status, 503);
    assert.ok(Date.now() - s0 < 300, `a refusal took ${Date.now() - s0} ms`);
    assert.equal(shed.headers.get('retry-after'), '1');
    assert.match(shed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const page = await fetch(`${server.base}/directory`, { headers: { 'accept-language': 'es' } });
    assert.equal(page.status, 503);
    assert.match(await page.text(), /El servidor está ocupado/);
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
    assert.deepEqual(await Promise.all(slow), [200, 200, 200]);
    assert.equal((await fetch(`${server.base}/api/hsds`)).status, 200, 'served again once the node has room');
  } finally {
    await server.stop();
    await db.drop();
  }
});

// A running SQLite statement cannot be interrupted (better-sqlite3 has no sqlite3_interrupt): at the deadline the
// request is answered and its reader replaced, and the old reader's statement runs to its end off the event loop
// (eight seconds of counting here, so that the node's shutdown at the end does not wait long for it).
test('SQLite: a long read runs off the event loop, so other requests are answered meanwhile, and it is answered at its deadline', { timeout: 180_000, skip: process.env.DATABASE_URL?.startsWith('postgres') ? 'SQLite only' : false }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const db = await testDatabase(secrets);
  await makeUser(systemCtx(db.handle, db.config, 'test'), 'member', 'someone@test.example');
  const workers = process.env.TFH_TEST_SQLITE_READ_WORKERS ?? '2';
  const server = await serveProcess({ ...secrets, DATABASE_URL: db.config.databaseUrl, TFH_TEST_HOOKS: '1', JOBS: 'off', REQUEST_DEADLINE_SECONDS: '3', SQLITE_READ_WORKERS: workers });
  try {
    const t0 = Date.now();
    const long = fetch(`${server.base}/test/busy?ms=8000&mode=sleep`, { headers: { accept: 'application/json' } }).then((r) => ({ status: r.status, at: Date.now() }));
    await sleep(500);
    for (const path of ['/healthz', '/api/hsds/services?per_page=5', '/directory']) {
      const s0 = Date.now();
      const r = await fetch(`${server.base}${path}`);
      await r.arrayBuffer();
      assert.equal(r.status, 200, path);
      assert.ok(Date.now() - s0 < 1000, `${path} took ${Date.now() - s0} ms while a long read ran`);
    }
    const { status, at } = await long;
    assert.equal(status, 503, 'the long read is answered at its deadline');
    assert.ok(at - t0 < 5000, `answered after ${at - t0} ms`);
    const s1 = Date.now();
    assert.equal((await fetch(`${server.base}/api/hsds/services?per_page=5`)).status, 200);
    assert.ok(Date.now() - s1 < 1000, 'reads go on after a reader was stopped');
  } finally {
    await server.stop();
    await db.drop();
  }
});
