/**
 * SIGTERM on real `taskforce serve` processes (on PostgreSQL when DATABASE_URL names a server, on a SQLite file
 * otherwise): a request in flight is answered before the process ends, nothing new is accepted, the deadline is
 * kept, and a job run cut short is handed back at once to the other node. The slow request and the slow job exist
 * only with TFH_TEST_HOOKS=1 (platform/ops/test-hooks.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeUser, serveProcess, testDatabase, type ServeProcess, type TestDatabase } from '../testing.ts';
import { systemCtx } from '../context.ts';
import { SLOW_JOB } from './test-hooks.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function setUp(): Promise<{ db: TestDatabase; env: Record<string, string> }> {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const db = await testDatabase(secrets);
  // An account exists, so a node does not take the database for a first start and load the demo.
  await makeUser(systemCtx(db.handle, db.config, 'test'), 'member', 'someone@test.example');
  return { db, env: { ...secrets, DATABASE_URL: db.config.databaseUrl, TFH_TEST_HOOKS: '1', LOG_LEVEL: 'info' } };
}

function exited(s: ServeProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((done) => {
    if (s.child.exitCode !== null) return done({ code: s.child.exitCode, at: Date.now() });
    s.child.once('exit', (code) => done({ code, at: Date.now() }));
  });
}

test('SIGTERM: the request in flight is answered, nothing new is accepted, and the process ends cleanly', { timeout: 120_000 }, async () => {
  const { db, env } = await setUp();
  const server = await serveProcess({ ...env, JOBS: 'off', SHUTDOWN_GRACE_SECONDS: '20' });
  try {
    const slow = fetch(`${server.base}/test/slow?ms=3000`).then(async (r) => ({ status: r.status, body: await r.text(), at: Date.now() }));
    await sleep(800);
    const end = exited(server);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await sleep(400);
    // A new request after the signal is not served (the port is closed, or a kept-alive connection gets 503).
    const late = await fetch(`${server.base}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.ok(late === 'refused' || late === 503, `a request after SIGTERM got ${late}`);

    const answered = await slow;
    assert.equal(answered.status, 200, answered.body);
    assert.deepEqual(JSON.parse(answered.body), { slept_ms: 3000 });
    const { code, at } = await end;
    assert.equal(code, 0, server.output());
    assert.ok(at >= answered.at, 'the process ended after it answered');
    assert.ok(at - signalled < 10_000, `stopped ${at - signalled} ms after the signal`);
    assert.match(server.output(), /shutting down/);
    assert.match(server.output(), /"clean":true/);
  } finally {
    await server.stop();
    await db.drop();
  }
});

test('SIGTERM: past SHUTDOWN_GRACE_SECONDS the connections left are closed and the process ends', { timeout: 120_000 }, async () => {
  const { db, env } = await setUp();
  const server = await serveProcess({ ...env, JOBS: 'off', SHUTDOWN_GRACE_SECONDS: '1' });
  try {
    const slow = fetch(`${server.base}/test/slow?ms=30000`).then(
      (r) => r.status,
      () => 'cut',
    );
    await sleep(800);
    const end = exited(server);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const { code, at } = await end;
    assert.equal(code, 0);
    assert.ok(at - signalled < 6000, `stopped ${at - signalled} ms after the signal, with a 1 s deadline`);
    assert.equal(await slow, 'cut', 'the request that outlived the deadline was cut');
    assert.match(server.output(), /shutdown deadline passed/);
  } finally {
    await server.stop();
    await db.drop();
  }
});

test('SIGTERM during a job run: the run is recorded as interrupted and the other node takes the job at once', { timeout: 180_000 }, async () => {
  const { db, env } = await setUp();
  const servers: ServeProcess[] = [];
  try {
    const due = new Date(Date.now() - 60_000).toISOString();
    await db.handle.db.insertInto('jobs').values({ name: SLOW_JOB, next_run_at: due, lease_holder: null, lease_until: null, updated_at: due }).execute();
    const nodeEnv = { ...env, JOBS: 'on', JOBS_POLL_SECONDS: '1', SHUTDOWN_GRACE_SECONDS: '2', TFH_TEST_SLOW_JOB_MS: '600000' };
    servers.push(...(await Promise.all([serveProcess(nodeEnv), serveProcess(nodeEnv)])));

    const runsOf = () => db.handle.db.selectFrom('job_runs').selectAll().where('job', '=', SLOW_JOB).orderBy('started_at').execute();
    let deadline = Date.now() + 30_000;
    let runs = await runsOf();
    while (runs.length === 0) {
      assert.ok(Date.now() < deadline, `nobody took the due job\n${servers.map((s) => s.output()).join('\n')}`);
      await sleep(200);
      runs = await runsOf();
    }
    assert.equal(runs.length, 1);
    const first = runs[0];
    assert.equal(first.result, 'running');
    const pidOf = (node: string) => Number(String(node).split(':')[1]);
    const holder = servers.find((s) => s.child.pid === pidOf(first.node));
    const other = servers.find((s) => s !== holder)!;
    assert.ok(holder, `the run's node ${first.node} is one of the two servers`);

    const end = exited(holder);
    const signalled = Date.now();
    holder.child.kill('SIGTERM');
    const { code, at } = await end;
    assert.equal(code, 0, holder.output());
    assert.ok(at - signalled < 10_000, `the node stopped ${at - signalled} ms after the signal (grace 2 s)`);

    // Long before the 30-minute lease would lapse, the other node runs the job.
    deadline = Date.now() + 15_000;
    for (;;) {
      runs = await runsOf();
      if (runs.length === 2) break;
      assert.ok(Date.now() < deadline, `the other node did not take the job over\n${other.output()}`);
      await sleep(200);
    }
    const [interrupted, taken] = runs;
    assert.equal(interrupted.id, first.id);
    assert.equal(interrupted.result, 'error');
    assert.match(String(interrupted.detail), /^interrupted/);
    assert.ok(interrupted.finished_at);
    assert.equal(pidOf(taken.node), other.child.pid, 'taken by the other node');
    assert.equal(taken.result, 'running');
    assert.ok(Date.parse(taken.started_at) >= signalled - 1000);
    const row = await db.handle.db.selectFrom('jobs').selectAll().where('name', '=', SLOW_JOB).executeTakeFirstOrThrow();
    assert.equal(row.lease_holder, taken.node, 'the other node holds the lease now');
    assert.ok(Date.parse(String(row.next_run_at)) > Date.now(), 'and the schedule moved on to the next slot');
    assert.match(holder.output(), /lease/);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
});
