/**
 * The scheduled jobs run on their own in servers started as `npm start` starts them (`taskforce serve`): two app
 * nodes on one database, every job due, and each due run happens exactly once between them. On PostgreSQL when
 * DATABASE_URL names a server (as CI runs the suite a second time), on a shared SQLite file otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeUser, serveProcess, testDatabase, type ServeProcess } from '../testing.ts';
import { systemCtx } from '../context.ts';
import { modules } from '../../modules/index.ts';
import { allJobs } from './index.ts';

test('two serve processes run every due job once between them, by themselves', { timeout: 180_000 }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const db = await testDatabase(secrets);
  const servers: ServeProcess[] = [];
  try {
    // An account exists, so neither node takes the database for a first start and loads the demo.
    await makeUser(systemCtx(db.handle, db.config, 'test'), 'member', 'someone@test.example');
    const names = allJobs(modules).map((j) => j.name);
    assert.ok(names.includes('referrals.reminders') && names.includes('referrals.purge') && names.includes('listening.reminders') && names.includes('workplans.digests'));
    const due = new Date(Date.now() - 60_000).toISOString();
    await db.handle.db.insertInto('jobs').values(names.map((name) => ({ name, next_run_at: due, lease_holder: null, lease_until: null, updated_at: due }))).execute();

    const env = { ...secrets, DATABASE_URL: db.config.databaseUrl, JOBS: 'on' };
    servers.push(...(await Promise.all([serveProcess(env), serveProcess(env)])));

    // Each node looks for due runs as it starts; wait until every job has finished one.
    const deadline = Date.now() + 60_000;
    let runs: { job: string; result: string; node: string; trigger: string; started_at?: unknown; detail?: unknown }[] = [];
    for (;;) {
      runs = await db.handle.db.selectFrom('job_runs').select(['job', 'result', 'node', 'trigger']).execute();
      const finished = new Set(runs.filter((r) => r.result !== 'running').map((r) => r.job));
      if (names.every((n) => finished.has(n))) break;
      assert.ok(Date.now() < deadline, `jobs still not run after 60 s: ${names.filter((n) => !finished.has(n)).join(', ')}\n${servers.map((s) => s.output()).join('\n')}`);
      await new Promise((ok) => setTimeout(ok, 250));
    }
    // Give the slower node every chance to run a job twice.
    await new Promise((ok) => setTimeout(ok, 1500));
    runs = await db.handle.db.selectFrom('job_runs').select(['job', 'result', 'node', 'trigger', 'started_at', 'detail']).execute();
    for (const name of names) {
      const mine = runs.filter((r) => r.job === name);
      assert.equal(mine.length, 1, `${name} ran ${mine.length} times`);
      assert.equal(mine[0].trigger, 'schedule');
      assert.equal(mine[0].result, 'ok', `${name}: ${JSON.stringify(mine[0])}`);
    }
    const rows = await db.handle.db.selectFrom('jobs').select(['name', 'next_run_at', 'lease_holder']).execute();
    for (const r of rows) {
      // Next due at the schedule's first slot after the run was claimed: a job run every 5 minutes claimed at 10:04:58
      // is next due at 10:05:00, which a slow machine may pass before this check, so "after now" would be a flaky test.
      const run = runs.find((x) => x.job === r.name)!;
      assert.ok(new Date(String(r.next_run_at)).getTime() > new Date(String(run.started_at)).getTime() - 1000, `${r.name} is next due after its run`);
      assert.ok(new Date(String(r.next_run_at)).getTime() > new Date(due).getTime(), `${r.name} is no longer due at the time it was due`);
      assert.equal(r.lease_holder, null, `${r.name} released its lease`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
});
