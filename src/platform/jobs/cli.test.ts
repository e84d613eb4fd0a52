import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCli, testDatabase } from '../testing.ts';

test('taskforce jobs lists the jobs; jobs run NAME runs one now; a bad name exits 2 naming it', async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const db = await testDatabase(secrets);
  try {
    const env = { ...secrets, DATABASE_URL: db.config.databaseUrl };
    const list = await runCli(['jobs'], env);
    assert.equal(list.code, 0, list.stderr);
    for (const name of ['sessions.purge', 'referrals.reminders', 'referrals.purge', 'listening.reminders', 'workplans.digests']) assert.match(list.stdout, new RegExp(`^${name.replace('.', '\\.')}  \\(`, 'm'));
    assert.match(list.stdout, /referrals\.purge  \(daily at 03:00 UTC\)/);
    assert.match(list.stdout, /last run: never/);
    assert.match(list.stdout, /next run: \d{4}-\d{2}-\d{2}T/);

    const run = await runCli(['jobs', 'run', 'referrals.purge'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /job referrals\.purge: ok in [\d.]+ s: referrals purge as of .*: 0 referral\(s\) purged \(retention 90 days\)/);
    const after = await runCli(['jobs'], env);
    assert.match(after.stdout, /referrals\.purge [^\n]*\n {2}last run: \S+ ok: referrals purge as of/);
    const recorded = await db.handle.db.selectFrom('job_runs').selectAll().execute();
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].trigger, 'manual');

    for (const [args, says] of [
      [['jobs', 'run', 'referrals.frobnicate'], /no job named "referrals\.frobnicate"; the jobs are .*referrals\.purge/],
      [['jobs', 'run'], /jobs run: give the NAME/],
      [['jobs', 'start'], /the only subcommand is "run"/],
      [['jobs', 'run', 'referrals.purge', 'extra'], /extra/],
    ] as const) {
      const r = await runCli([...args], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, says);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const help = await runCli(['help'], env);
    assert.match(help.stdout, /jobs run NAME/);
    assert.match(help.stdout, /JOBS/);
    const badSetting = await runCli(['serve'], { ...env, JOBS: 'sometimes' });
    assert.equal(badSetting.code, 2);
    assert.match(badSetting.stderr, /JOBS: must be on or off/);
  } finally {
    await db.drop();
  }
});
