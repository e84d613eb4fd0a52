/**
 * The test harness's shortcuts stay out of production: the cheap password hash is a test setting that production
 * refuses, production hashes keep OWASP's cost, and a session started directly is an ordinary session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../config.ts';
import { checkPassword, createUser, hashPassword } from './auth/index.ts';
import { systemCtx } from './context.ts';
import { TEST_PASSWORD, testApp, testDatabase } from './testing.ts';

/** The cost parameters written into a PHC-format argon2id hash. */
const paramsOf = (hash: string) => {
  assert.match(hash, /^\$argon2id\$v=19\$/);
  return Object.fromEntries(hash.split('$')[3].split(',').map((kv) => kv.split('=')));
};

const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'sqlite::memory:' };

test('PASSWORD_HASH_COST: standard by default, test only outside production, anything else refused naming the variable', () => {
  assert.equal(loadConfig({ ...secrets }).passwordHashCost, 'standard');
  assert.equal(loadConfig({ ...secrets, NODE_ENV: 'production' }).passwordHashCost, 'standard');
  assert.equal(loadConfig({ ...secrets, PASSWORD_HASH_COST: 'test' }).passwordHashCost, 'test');
  assert.throws(() => loadConfig({ ...secrets, PASSWORD_HASH_COST: 'test', NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && e.variable === 'PASSWORD_HASH_COST');
  assert.throws(() => loadConfig({ ...secrets, PASSWORD_HASH_COST: 'cheap' }), (e: unknown) => e instanceof ConfigError && /PASSWORD_HASH_COST: must be standard or test/.test(e.message));
});

test('accounts made under the standard cost get OWASP argon2id (19 MiB, 2 passes); test-cost hashes still verify', async () => {
  assert.deepEqual(paramsOf(await hashPassword('x'.repeat(12))), { m: '19456', t: '2', p: '1' });
  for (const cost of ['standard', 'test'] as const) {
    const db = await testDatabase({ PASSWORD_HASH_COST: cost });
    try {
      assert.equal(db.config.passwordHashCost, cost);
      const ctx = systemCtx(db.handle, db.config, 'test');
      const u = await createUser(ctx, { email: `${cost}@test.example`, name: 'Cost', role: 'member', organization: 'Org', password: TEST_PASSWORD });
      const row = await db.handle.db.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow();
      assert.deepEqual(paramsOf(String(row.password_hash)), cost === 'standard' ? { m: '19456', t: '2', p: '1' } : { m: '1024', t: '1', p: '1' });
      assert.equal((await checkPassword(ctx, u.email, TEST_PASSWORD)).ok, true);
      assert.equal((await checkPassword(ctx, u.email, TEST_PASSWORD + '!')).ok, false);
    } finally {
      await db.drop();
    }
  }
});

test('a session started directly is an ordinary session: the account page answers, signing out ends it', async () => {
  const t = await testApp();
  try {
    const c = await t.signedIn('member');
    const u = await t.user('member');
    const page = await c.get('/account');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(u.email));
    const out = await c.request('POST', '/logout', { form: {} });
    assert.equal(out.statusCode, 302);
    assert.equal((await c.get('/account')).statusCode, 302, 'signed out: the account page sends to the sign-in page');
  } finally {
    await t.close();
  }
});
