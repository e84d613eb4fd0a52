import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ctx } from '../../platform/context.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { makeUser } from '../../platform/testing.ts';
import { json, referralBody, referralTest, type ReferralTest } from './testkit.ts';
import * as reads from './reads.ts';

// Called with arguments built per name below: the list is read from the module, so that a new command is covered.
type Command = (ctx: Ctx, ...args: unknown[]) => Promise<unknown>;

const LATER = new Date(Date.now() + 400 * 86_400_000);

/** Arguments that would succeed for a caller allowed to act, so that the policy is the only reason for a refusal. */
const ARGS: Record<string, (id: string) => unknown[]> = {
  createReferral: () => [referralBody()],
  transition: (id) => [id, { action: 'receive', version: 1 }],
  revokeConsent: (id) => [id, {}],
  markNotificationsRead: (id) => [id],
  purgeClosed: () => [LATER],
  runReminders: () => [LATER],
};

const TABLES = ['referrals', 'referral_client_fields', 'referral_consents', 'referral_events', 'referral_notifications', 'audit_events'] as const;

async function snapshot(rt: ReferralTest): Promise<string> {
  const all: Record<string, unknown[]> = {};
  for (const t of TABLES) all[t] = (await rt.t.ctx.db.selectFrom(t).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(all);
}

async function expectRefused(rt: ReferralTest, name: string, run: () => Promise<unknown>, status: number) {
  const before = await snapshot(rt);
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof HttpError, `${name}: ${String(err)}`);
    assert.equal(err.status, status, `${name} answers ${status}, not ${err.status} ${err.detail ?? ''}`);
    return true;
  });
  assert.equal(await snapshot(rt), before, `${name} changed no row`);
}

async function asRole(rt: ReferralTest, role: Role): Promise<Ctx> {
  const u = await makeUser(rt.t.ctx, role, `${role}-policy@test.example`);
  return { ...rt.t.ctx, system: undefined, actor: (await loadActor(rt.t.ctx.db, u.id, 'session'))! };
}

test('every referral command and protected read refuses the anonymous (401) and roles without the permission (403), changing nothing', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    // A referral sent and one cancelled, so that each command has work it would do if allowed.
    const { id } = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const other = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    await json(sender, 'POST', `/api/referrals/${other.id}/transitions`, { action: 'cancel', version: 1 });

    const anonymous: Ctx = { ...rt.t.ctx, system: undefined, actor: null };
    const analyst = await asRole(rt, 'analyst');
    const caseworker = await asRole(rt, 'caseworker');

    const commands: [string, Command][] = [];
    for (const [name, x] of Object.entries(await import('./commands.ts'))) if (typeof x === 'function') commands.push([name, x as Command]);
    assert.ok(commands.length >= 6, 'the commands are found');
    for (const [name, command] of commands) {
      const args = (ARGS[name] ?? ((x: string) => [x, {}]))(id);
      await expectRefused(rt, `${name} (anonymous)`, () => command(anonymous, ...args), 401);
      await expectRefused(rt, `${name} (analyst)`, () => command(analyst, ...args), 403);
    }
    // Case workers do referral work but do not run the purge or the reminders by hand.
    for (const name of ['purgeClosed', 'runReminders']) {
      const command = commands.find(([n]) => n === name)![1];
      await expectRefused(rt, `${name} (caseworker)`, () => command(caseworker, ...ARGS[name](id)), 403);
    }

    // Reads that record who read what are refused the same way.
    for (const [name, read] of [
      ['referralFor', (ctx: Ctx) => reads.referralFor(ctx, id)],
      ['readClient', (ctx: Ctx) => reads.readClient(ctx, id)],
    ] as const) {
      await expectRefused(rt, `${name} (anonymous)`, () => read(anonymous), 401);
      await expectRefused(rt, `${name} (analyst)`, () => read(analyst), 403);
    }
  } finally {
    await rt.close();
  }
});

test('the system principal runs the scheduled work and makes no referral in nobody\'s name', async () => {
  const rt = await referralTest();
  try {
    const { createReferral, purgeClosed, runReminders } = await import('./commands.ts');
    await expectRefused(rt, 'createReferral (system)', () => createReferral(rt.t.ctx, referralBody()), 403);
    assert.equal(await purgeClosed(rt.t.ctx, LATER), 0);
    assert.deepEqual(await runReminders(rt.t.ctx, LATER), { reminded: 0, expired: 0, mails: 0 });
  } finally {
    await rt.close();
  }
});
