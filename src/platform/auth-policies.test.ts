/**
 * Every write command of accounts (auth/commands.ts, read from its exports so that a new one is covered at once)
 * refuses the public with 401, and with 403 an API token (account security takes the person, signed in) and a
 * signed-in person acting on someone else's account; the refusal comes before the input is looked at, and
 * changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from './testing.ts';
import { HttpError } from './http/errors.ts';
import { createToken, loadActor, permissionsOf } from './auth/index.ts';
import type { Ctx } from './context.ts';

interface Ids {
  user: string;
  token: string;
}

/** Arguments after the context, aimed at an account and one of its tokens. Input is left empty on purpose. */
const CALLS: Record<string, (target: Ids) => unknown[]> = {
  createUser: () => [{}],
  beginMfaSetup: (w) => [w.user],
  enableMfa: (w) => [w.user, '123456'],
  disableMfa: (w) => [w.user],
  revokeSessions: (w) => [w.user],
  createToken: () => [{}],
  revokeToken: (w) => [w.token],
  unlockAccount: (w) => [w.user],
  chooseLanguage: (w) => [w.user, 'es'],
};

/** What a signed-in member gets acting on someone else's account, where it is not a 403. */
const PERSON_ON_OTHER: Record<string, number | 'allowed'> = {
  // Every role may make tokens of its own; the empty input is then refused as input.
  createToken: 'allowed',
  // Someone else's token is "not found", so that token ids reveal nothing.
  revokeToken: 404,
};

async function snapshot(t: TestApp): Promise<string> {
  const db = t.ctx.db;
  const [users, tokens, sessions, orgs, audit] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('api_tokens').selectAll().orderBy('id').execute(),
    db.selectFrom('sessions').select(['sid', 'user_id']).orderBy('sid').execute(),
    db.selectFrom('organizations').selectAll().orderBy('id').execute(),
    db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return JSON.stringify({ users, tokens, sessions, orgs, audit: Number(audit.n) });
}

async function statusOf(run: () => Promise<unknown>): Promise<number | 'allowed'> {
  try {
    await run();
    return 'allowed';
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err;
  }
}

test('every account command refuses the public, tokens, and people acting on another account, changing nothing', async () => {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    type Command = (ctx: Ctx, ...args: unknown[]) => Promise<unknown>;
    const commands = Object.entries(await import('./auth/commands.ts') as Record<string, unknown>)
      .filter(([, f]) => typeof f === 'function')
      .map(([name, f]) => [name, f as Command] as const);
    assert.ok(commands.length >= 7, 'the account commands are found');
    const missing = commands.map(([name]) => name).filter((name) => !CALLS[name]);
    assert.deepEqual(missing, [], 'each command has its arguments in CALLS');

    // Two accounts with sessions and a token each, so that a wrongful change would show.
    await t.signedIn('admin');
    await t.signedIn('member');
    const admin = await t.user('admin');
    const member = await t.user('member');
    const asPerson = async (id: string): Promise<Ctx> => ({ ...t.ctx, system: undefined, actor: (await loadActor(t.ctx.db, id, 'session'))! });
    const adminToken = (await createToken(await asPerson(admin.id), { name: 'admin', scopes: ['account.self'] })).row.id;
    const memberToken = (await createToken(await asPerson(member.id), { name: 'member', scopes: ['account.self'] })).row.id;
    const other: Ids = { user: admin.id, token: adminToken };
    const self: Ids = { user: member.id, token: memberToken };

    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null };
    const memberPerson = await asPerson(member.id);
    const memberViaToken: Ctx = { ...t.ctx, system: undefined, actor: (await loadActor(t.ctx.db, member.id, 'token', [...permissionsOf('member')]))! };

    const failures: string[] = [];
    for (const [name, command] of commands) {
      const cases: [string, Ctx, Ids, number | 'allowed'][] = [
        ['the public', anonymous, other, 401],
        ["a token of the account's owner", memberViaToken, self, 403],
        ['a member on another account', memberPerson, other, PERSON_ON_OTHER[name] ?? 403],
      ];
      for (const [who, ctx, target, expected] of cases) {
        if (expected === 'allowed') continue;
        const before = await snapshot(t);
        const got = await statusOf(() => command({ ...ctx }, ...CALLS[name](target)));
        if (got !== expected) failures.push(`${name} by ${who}: expected ${expected}, got ${got}`);
        if ((await snapshot(t)) !== before) failures.push(`${name} by ${who}: rows changed`);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  } finally {
    await t.close();
  }
});

test('the operator (system principal) may create accounts, end sessions and unlock accounts, but holds no tokens', async () => {
  const t = await testApp();
  try {
    const { createUser, revokeSessions, unlockAccount } = await import('./auth/commands.ts');
    const row = await createUser(t.ctx, { email: 'cli@test.example', name: 'From the command line', role: 'member', organization: 'Ops', password: 'a long enough password' });
    assert.equal(row.email, 'cli@test.example');
    assert.deepEqual(await revokeSessions(t.ctx, row.id), { sessions: 0, tokens: 0 });
    assert.deepEqual(await unlockAccount(t.ctx, row.id), { unlocked: false });
    await assert.rejects(createToken(t.ctx, { name: 'x', scopes: ['account.self'] }), (err: unknown) => err instanceof HttpError && err.status === 403);
  } finally {
    await t.close();
  }
});
