/**
 * A second-factor code signs in once (issue 15, finding 4): parallel checks of the same code, as parallel sign-ins
 * would make, accept it exactly once, on one connection pool and across two (two app nodes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './db/index.ts';
import { systemCtx } from './context.ts';
import { verifyTotp } from './auth/index.ts';
import { makeUser, testDatabase, totpCode } from './testing.ts';

test('one code, eight parallel checks on two connections: accepted exactly once', async () => {
  const db = await testDatabase();
  const second = openDatabase(db.config);
  try {
    const ctx = systemCtx(db.handle, db.config, 'test');
    const other = systemCtx(second, db.config, 'test');
    const u = await makeUser(ctx, 'admin', 'twice@test.example');
    for (let round = 0; round < 3; round++) {
      // Each round starts from a code not used yet.
      await ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', u.id).execute();
      const code = totpCode(u.totpSecret!);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyTotp(i % 2 ? other : ctx, u.id, code)));
      assert.equal(results.filter(Boolean).length, 1, `round ${round}: accepted ${results.filter(Boolean).length} times`);
      assert.equal(await verifyTotp(ctx, u.id, code), false, 'and never again');
    }
  } finally {
    await second.close();
    await db.drop();
  }
});
