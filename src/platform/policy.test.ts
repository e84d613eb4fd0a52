/**
 * The one policy helper: who the principal is, what it may do, and runCommand's refusal of a command that checked
 * no policy (rolled back, so a forgotten check cannot write anything).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Actor, Ctx } from './context.ts';
import { principalOf } from './context.ts';
import { HttpError } from './http/errors.ts';
import { allowAnyone, authorize, hasPermission, requireActor, requirePermission } from './policy.ts';
import { runCommand } from './audit/index.ts';
import { testDatabase } from './testing.ts';
import { systemCtx } from './context.ts';
import { modules } from '../modules/index.ts';

const person = (via: 'session' | 'token', permissions: string[]): Actor => ({
  id: '00000000-0000-4000-8000-000000000001',
  email: 'p@test.example',
  name: 'P',
  role: 'member',
  organizationId: '00000000-0000-4000-8000-000000000002',
  permissions: new Set(permissions),
  via,
  mfaEnabled: false,
});

const status = (fn: () => unknown) => {
  try {
    fn();
    return 0;
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err.status;
  }
};

test('principals: a person, a token, the system by name (never by address), or anonymous', async () => {
  const db = await testDatabase();
  try {
    const sys = systemCtx(db.handle, db.config, 'job:test');
    const anon: Ctx = { ...sys, system: undefined };
    assert.deepEqual(principalOf(sys), { kind: 'system', job: 'job:test' });
    assert.equal(anon.ip, 'local', 'the same address as the command line');
    assert.deepEqual(principalOf(anon), { kind: 'anonymous' }, 'an address grants nothing');
    assert.equal(principalOf({ ...anon, actor: person('session', []) }).kind, 'person');
    assert.equal(principalOf({ ...sys, actor: person('token', []) }).kind, 'token', 'an actor acts in their own name, even in a job');

    assert.equal(hasPermission(sys, 'anything.at_all'), true);
    assert.equal(hasPermission(anon, 'structure.write'), false);
    const reader: Ctx = { ...anon, actor: person('token', ['contacts.read']) };
    assert.equal(hasPermission(reader, 'contacts.read'), true);
    assert.equal(hasPermission(reader, 'structure.write'), false);

    assert.equal(status(() => requirePermission(anon, 'structure.write')), 401);
    assert.equal(status(() => requirePermission(reader, 'structure.write')), 403);
    assert.equal(status(() => requirePermission(reader, 'contacts.read')), 0);
    assert.equal(status(() => requireActor(anon)), 401);
    assert.equal(status(() => authorize(reader, false, 'Not yours.')), 403);
  } finally {
    await db.drop();
  }
});

test('runCommand rolls back a command that checked no policy, and each command must check its own', async () => {
  const db = await testDatabase();
  try {
    const ctx = systemCtx(db.handle, db.config, 'test');
    const write = (id: string) => runCommand(ctx, async (trx) => {
      await trx.insertInto('app_meta').values({ key: id, value: 'x', updated_at: new Date().toISOString() }).execute();
    });
    const count = async () => Number((await db.handle.db.selectFrom('app_meta').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    await assert.rejects(write('unchecked'), /without checking a policy/);
    assert.equal(await count(), before, 'nothing was written');

    requirePermission(ctx, 'structure.write');
    await write('checked');
    assert.equal(await count(), before + 1);
    await assert.rejects(write('second'), /without checking a policy/, 'the check was used by the first command');

    // A check inside the transaction (after loading the row it is about) counts too.
    await runCommand(ctx, async (trx) => {
      allowAnyone(ctx);
      await trx.insertInto('app_meta').values({ key: 'inside', value: 'x', updated_at: new Date().toISOString() }).execute();
    });
    assert.equal(await count(), before + 2);
  } finally {
    await db.drop();
  }
});

test('every module states its policies and tests every command against them', () => {
  const root = resolve(import.meta.dirname, '..', 'modules');
  for (const m of modules) {
    assert.ok(existsSync(join(root, m.name, 'policies.ts')), `${m.name}/policies.ts`);
    assert.ok(existsSync(join(root, m.name, 'policies.test.ts')), `${m.name}/policies.test.ts`);
  }
});
