import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabase, type TestDatabase } from '../testing.ts';
import { openDatabase } from '../db/index.ts';
import type { Job } from '../module.ts';
import { JobBusy, JobRunner, jobStatuses, nextSlot } from './index.ts';

const at = (iso: string) => new Date(iso);

/** A clock the test moves by hand. */
function clockAt(iso: string) {
  let now = at(iso);
  return { now: () => now, set: (v: string) => (now = at(v)) };
}

async function runsOf(db: TestDatabase, job: string) {
  return db.handle.db.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('started_at').execute();
}

test('slots: every N minutes from midnight UTC, daily at HH:MM UTC', () => {
  assert.equal(nextSlot({ everyMinutes: 60 }, at('2026-03-01T10:05:00Z')).toISOString(), '2026-03-01T11:00:00.000Z');
  assert.equal(nextSlot({ everyMinutes: 60 }, at('2026-03-01T11:00:00Z')).toISOString(), '2026-03-01T12:00:00.000Z', 'strictly after');
  assert.equal(nextSlot({ everyMinutes: 15 }, at('2026-03-01T23:50:00Z')).toISOString(), '2026-03-02T00:00:00.000Z');
  assert.equal(nextSlot({ everyMinutes: 7 * 60 }, at('2026-03-01T22:00:00Z')).toISOString(), '2026-03-02T00:00:00.000Z', 'a step that does not divide the day restarts at midnight');
  assert.equal(nextSlot({ dailyAt: '03:00' }, at('2026-03-01T02:59:59Z')).toISOString(), '2026-03-01T03:00:00.000Z');
  assert.equal(nextSlot({ dailyAt: '03:00' }, at('2026-03-01T03:00:00Z')).toISOString(), '2026-03-02T03:00:00.000Z');
});

test('a due job runs once, on its schedule, with the system principal of the job', async () => {
  const db = await testDatabase();
  try {
    const clock = clockAt('2026-03-01T10:05:00Z');
    const seen: { system?: string; now: string }[] = [];
    const job: Job = {
      name: 'test.count',
      description: 'counts',
      schedule: { everyMinutes: 60 },
      run: async (ctx, now) => {
        seen.push({ system: ctx.system, now: now.toISOString() });
        return `run ${seen.length}`;
      },
    };
    const runner = new JobRunner(db.handle, db.config, [job], { clock: clock.now });
    assert.equal((await runner.tick()).length, 0, 'not due before its first slot');
    clock.set('2026-03-01T11:00:05Z');
    const runs = await runner.tick();
    assert.equal(runs.length, 1);
    assert.equal((await runner.tick()).length, 0, 'the same slot does not run twice');
    assert.deepEqual(seen, [{ system: 'job:test.count', now: '2026-03-01T11:00:05.000Z' }]);
    const [row] = await runsOf(db, 'test.count');
    assert.equal(row.result, 'ok');
    assert.equal(row.detail, 'run 1');
    assert.equal(row.trigger, 'schedule');
    assert.equal(row.slot, '2026-03-01T11:00:00.000Z');
    const [status] = await jobStatuses(db.handle.db, [job], clock.now());
    assert.equal(status.next_run_at, '2026-03-01T12:00:00.000Z');
    assert.equal(status.last_run?.result, 'ok');
    assert.equal(status.running, false);
    // Down for three hours: one catch-up run, then the schedule again.
    clock.set('2026-03-01T14:30:00Z');
    assert.equal((await runner.tick()).length, 1);
    assert.equal((await runner.tick()).length, 0);
    assert.equal((await jobStatuses(db.handle.db, [job], clock.now()))[0].next_run_at, '2026-03-01T15:00:00.000Z');
  } finally {
    await db.drop();
  }
});

test('two runners on one database (two connections or pools) run each due run exactly once', async () => {
  const db = await testDatabase();
  const second = openDatabase(db.config);
  try {
    const clock = clockAt('2026-03-01T00:00:30Z');
    const ran: string[] = [];
    const mk = (name: string, minutes: number): Job => ({
      name,
      description: name,
      schedule: { everyMinutes: minutes },
      run: async (ctx, now) => {
        ran.push(`${name}@${now.toISOString()}`);
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    const jobs = [mk('test.a', 5), mk('test.b', 10)];
    const one = new JobRunner(db.handle, db.config, jobs, { clock: clock.now });
    const two = new JobRunner(second, db.config, jobs, { clock: clock.now });
    // Both see the jobs for the first time at once: each job is scheduled once, at its next slot.
    assert.deepEqual(await Promise.all([one.tick(), two.tick()]), [[], []]);
    let expected = 0;
    for (let minute = 5; minute <= 60; minute += 5) {
      clock.set(new Date(Date.parse('2026-03-01T00:00:00Z') + minute * 60_000 + 1000).toISOString());
      expected += 1 + (minute % 10 === 0 ? 1 : 0);
      const started = await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
      assert.equal(started.flat().length, 1 + (minute % 10 === 0 ? 1 : 0), `minute ${minute}: one run per due job`);
    }
    assert.equal(ran.length, expected);
    assert.equal(new Set(ran).size, ran.length, 'no run twice');
    const rows = await db.handle.db.selectFrom('job_runs').select(['job', 'slot', 'node', 'result']).execute();
    assert.equal(rows.length, expected);
    assert.equal(new Set(rows.map((r) => `${r.job} ${r.slot}`)).size, expected, 'one record per slot');
    assert.ok(rows.every((r) => r.result === 'ok'));
  } finally {
    await second.close();
    await db.drop();
  }
});

test('a failing job records its error, lets go of the job, and its next run still happens', async () => {
  const db = await testDatabase();
  try {
    const clock = clockAt('2026-03-01T02:00:00Z');
    let calls = 0;
    const job: Job = {
      name: 'test.flaky',
      description: 'fails once',
      schedule: { dailyAt: '03:00' },
      run: async () => {
        if (++calls === 1) throw new Error('the mail server said no');
        return 'fine';
      },
    };
    const lines: string[] = [];
    const runner = new JobRunner(db.handle, db.config, [job], { clock: clock.now, log: (l) => lines.push(l) });
    await runner.tick();
    clock.set('2026-03-01T03:00:01Z');
    const [failed] = await runner.tick();
    assert.equal(failed.result, 'error');
    assert.equal(failed.detail, 'the mail server said no');
    assert.ok(lines.some((l) => l.includes('test.flaky') && l.includes('the mail server said no')));
    const [status] = await jobStatuses(db.handle.db, [job], clock.now());
    assert.equal(status.last_run?.result, 'error');
    assert.equal(status.running, false, 'the lease is released');
    assert.equal(status.next_run_at, '2026-03-02T03:00:00.000Z');
    clock.set('2026-03-02T03:00:01Z');
    const [next] = await runner.tick();
    assert.equal(next.result, 'ok');
    assert.equal(next.detail, 'fine');
    assert.deepEqual((await runsOf(db, 'test.flaky')).map((r) => r.result), ['error', 'ok']);
  } finally {
    await db.drop();
  }
});

test('a run by hand leaves the schedule alone, and is refused while another node holds the job', async () => {
  const db = await testDatabase();
  const second = openDatabase(db.config);
  try {
    const clock = clockAt('2026-03-01T10:05:00Z');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const isRunning = new Promise<void>((r) => (started = r));
    const job: Job = {
      name: 'test.slow',
      description: 'slow',
      schedule: { everyMinutes: 60 },
      run: async () => {
        started();
        return gate;
      },
    };
    // Leases longer than the test's jump in time, as a runner that renews its lease each tick would keep it.
    const one = new JobRunner(db.handle, db.config, [job], { clock: clock.now, leaseMs: 4 * 3600_000 });
    const two = new JobRunner(second, db.config, [job], { clock: clock.now, leaseMs: 4 * 3600_000 });
    const running = one.runNow('test.slow');
    // Node one holds the job once its run has begun (a fixed pause was a race on a busy machine: node two could
    // claim first, and the test then waited forever on a gate nobody would open).
    await isRunning;
    await assert.rejects(two.runNow('test.slow'), (err: unknown) => err instanceof JobBusy && /test\.slow is running on/.test(err.message));
    clock.set('2026-03-01T11:00:01Z');
    assert.equal((await two.tick()).length, 0, 'a due slot waits while the job is held');
    release();
    const run = await running;
    assert.equal(run.trigger, 'manual');
    assert.equal(run.result, 'ok');
    assert.equal((await two.tick()).length, 1, 'then the due slot runs');
    const [status] = await jobStatuses(db.handle.db, [job], clock.now());
    assert.equal(status.next_run_at, '2026-03-01T12:00:00.000Z');
    await assert.rejects(one.runNow('test.nope'), /no job named "test.nope"/);
  } finally {
    await second.close();
    await db.drop();
  }
});

test('started, the runner runs due jobs on its own, and stop waits for a run in progress', async () => {
  const db = await testDatabase();
  try {
    const clock = clockAt('2026-03-01T10:05:00Z');
    let finished = 0;
    const job: Job = {
      name: 'test.auto',
      description: 'auto',
      schedule: { everyMinutes: 60 },
      run: async () => {
        await new Promise((r) => setTimeout(r, 100));
        finished++;
      },
    };
    const runner = new JobRunner(db.handle, db.config, [job], { clock: clock.now, tickMs: 20 });
    await runner.start();
    clock.set('2026-03-01T11:00:01Z');
    const deadline = Date.now() + 5000;
    while ((await runsOf(db, 'test.auto')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    assert.equal(finished, 1, 'the run finished before stop returned');
    const rows = await runsOf(db, 'test.auto');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].result, 'ok');
  } finally {
    await db.drop();
  }
});
