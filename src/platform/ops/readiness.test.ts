/**
 * `/readyz` answers 200 only when the database answers, every migration is applied and the job runner is alive
 * (or this node runs no jobs), and 503 naming the failing check otherwise; `/healthz` stays the liveness check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabase } from '../testing.ts';
import { openDatabase } from '../db/index.ts';
import { JobRunner } from '../jobs/index.ts';
import { NodeState } from './readiness.ts';

test('ready when the database, migrations and job runner are; not while draining, with a migration missing or the runner stopped', async () => {
  const state = new NodeState();
  const db = await testDatabase();
  const { buildApp } = await import('../../app.tsx');
  const app = await buildApp({ config: db.config, database: db.handle, logger: false, state });
  try {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { database: 'ok', migrations: 'ok', jobs: 'off', node: 'ok' } });
    assert.equal(ready.headers['cache-control'], 'no-store');

    // A node that runs jobs is ready once its runner looks for work, and not after the runner has stopped.
    const runner = new JobRunner(db.handle, db.config, [], { tickMs: 60_000 });
    state.jobs = runner;
    let res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().checks.jobs, 'not started');
    await runner.start();
    res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().checks.jobs, 'ok');
    assert.equal(runner.health(Date.now() + 10 * 60_000).ok, false, 'a runner that stopped looking for work is not alive');
    await runner.stop();
    res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().checks.jobs, 'stopped');
    state.jobs = undefined;

    // A migration this code has that the database has not.
    const last = await db.handle.db.selectFrom('schema_migrations').select('name').orderBy('name', 'desc').executeTakeFirstOrThrow();
    await db.handle.db.deleteFrom('schema_migrations').where('name', '=', last.name).execute();
    res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    const body = res.json();
    assert.equal(body.checks.migrations, '1 pending (run taskforce migrate)');
    assert.equal(body.checks.database, 'ok');
    assert.match(body.detail, /migrations: 1 pending/);
    assert.equal(body.request_id, res.headers['x-request-id']);
    await db.handle.db.insertInto('schema_migrations').values({ name: last.name, applied_at: new Date().toISOString() }).execute();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

    // Shutting down: not ready, while still alive.
    state.draining = true;
    res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().checks.node, 'shutting down');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await app.close();
    await db.drop();
  }
});

test('not ready when the database does not answer, without saying where it is', async () => {
  const db = await testDatabase();
  const broken = openDatabase(db.config);
  const { buildApp } = await import('../../app.tsx');
  const app = await buildApp({ config: db.config, database: broken, logger: false });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    await broken.close();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    const body = res.json();
    assert.equal(body.checks.database, 'unreachable');
    assert.doesNotMatch(res.body, /127\.0\.0\.1|5432|tfh_test|\.db/, 'no address or path of the database');
  } finally {
    await app.close();
    await db.drop();
  }
});
