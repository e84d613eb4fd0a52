/** `taskforce referrals purge` and `taskforce referrals reminders`, run as the real command line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCli } from '../../platform/testing.ts';
import { CLIENT, json, referralBody, referralTest } from './testkit.ts';

test('taskforce referrals purge and reminders: progress lines, no details in the output, bad options exit 2', { timeout: 120_000 }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const rt = await referralTest(secrets);
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const closed = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    await json(receiver, 'POST', `/api/referrals/${closed.id}/transitions`, { action: 'decline', version: 1, reason: 'not_eligible' });
    await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const env = { ...secrets, DATABASE_URL: rt.t.db.config.databaseUrl };
    const later = new Date(Date.now() + 100 * 86_400_000).toISOString();

    let run = await runCli(['referrals', 'purge'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 0 referral\(s\) purged \(retention 90 days\)/);
    run = await runCli(['referrals', 'purge', '--at', later], { ...env, REFERRAL_RETENTION_DAYS: '30' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 referral\(s\) closed before .* to purge/);
    assert.match(run.stdout, /referrals purge: 1\/1/);
    assert.match(run.stdout, /: 1 referral\(s\) purged \(retention 30 days\)/);
    assert.equal((await json(sender, 'GET', `/api/referrals/${closed.id}`)).purged, true);

    const soon = new Date(Date.now() + 4 * 86_400_000).toISOString();
    run = await runCli(['referrals', 'reminders', '--at', soon], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /mail skipped \(SMTP_URL is empty\): "Taskforce Hub: a referral is waiting for you"/);
    assert.match(run.stdout, /: 0 expired, 1 reminded, 0 e-mail\(s\) sent/);
    run = await runCli(['referrals', 'reminders', '--at', later], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 1 expired, 0 reminded/);
    for (const out of [run.stdout, run.stderr]) for (const s of Object.values(CLIENT)) assert.ok(!out.includes(s));

    for (const [args, message] of [
      [['referrals'], /the subcommands are "purge", "reminders" and "rekey"/],
      [['referrals', 'delete'], /the subcommands are/],
      [['referrals', 'purge', '--at', 'soon'], /referrals purge: --at must be a date or an instant/],
      [['referrals', 'reminders', '--bogus'], /bogus/],
    ] as const) {
      const res = await runCli([...args], env);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const bad = await runCli(['referrals', 'purge'], { ...env, REFERRAL_RETENTION_DAYS: 'ninety' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /REFERRAL_RETENTION_DAYS: must be a whole number/);
    const help = await runCli(['help'], env);
    assert.match(help.stdout, /referrals purge \[--at INSTANT\]/);
    assert.match(help.stdout, /referrals reminders \[--at INSTANT\]/);
  } finally {
    await rt.close();
  }
});
