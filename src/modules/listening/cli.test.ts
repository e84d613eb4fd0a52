/** The `taskforce listening reminders` command, run as the real command line against a test database. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { app, housingPartnershipId } from './testkit.ts';
import { createSeries, createSession, register } from './commands.ts';
import { runCli } from '../../platform/testing.ts';

const cli = (args: string[], env: Record<string, string>) => runCli(args, env);

test('taskforce listening reminders: prints what was sent and skipped, once per registrant; bad options exit 2', async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const t = await app(secrets);
  try {
    const owner = await housingPartnershipId(t);
    const series = await createSeries(t.ctx, { title: 'Housing', owner_type: 'partnership', owner_id: owner, reminder_days: 2 });
    const soon = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
    const near = await createSession(t.ctx, series.id, { title: 'Rural housing session', date: soon, start_time: '12:00', end_time: '13:00', time_zone: 'UTC', format: 'virtual', capacity: 1 });
    const far = await createSession(t.ctx, series.id, { title: 'Later session', date: later, start_time: '12:00', end_time: '13:00', time_zone: 'UTC', format: 'virtual', capacity: 5 });
    const person = (i: number) => ({ name: `Name ${i}`, email: `person${i}@provider.example`, organization: 'Org', organization_type: 'shelter', region: 'west' });
    await register(t.ctx, near.id, person(1));
    await register(t.ctx, near.id, person(2)); // wait-listed: one place
    await register(t.ctx, far.id, person(3)); // beyond the two-day window
    const env = { ...secrets, DATABASE_URL: t.db.config.databaseUrl };
    const at = new Date(Date.now() + 12 * 3600_000).toISOString();

    const run = await cli(['listening', 'reminders', '--at', at], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /mail skipped \(SMTP_URL is empty\): "Reminder: Rural housing session"/);
    assert.equal(run.stdout.match(/mail skipped/g)?.length, 1, 'only the confirmed registrant of the near session');
    assert.ok(!run.stdout.includes('person1@'), 'no addresses in the output');
    assert.match(run.stdout, new RegExp(`listening reminders as of ${at.replace(/\./g, '\\.')}: 0 sent, 1 skipped`));
    const again = await cli(['listening', 'reminders', '--at', at], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: 0 sent, 0 skipped/, 'each registrant once');
    const now = await cli(['listening', 'reminders'], env);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /: 0 sent, 0 skipped/);

    for (const [args, message] of [
      [['listening', 'reminders', '--at', 'tomorrow'], /listening reminders: --at must be a date or an instant/],
      [['listening', 'reminders', '--at', '2026-02-30T25:00:00Z'], /--at must be a date or an instant/],
      [['listening', 'reminders', '--bogus'], /bogus/],
      [['listening', 'reminders', 'extra'], /extra/],
      [['listening'], /the only subcommand is "reminders"/],
      [['listening', 'remind'], /the only subcommand is "reminders"/],
    ] as const) {
      const res = await cli([...args], env);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const help = await cli(['help'], env);
    assert.match(help.stdout, /listening reminders \[--at INSTANT\]/);
  } finally {
    await t.close();
  }
});
