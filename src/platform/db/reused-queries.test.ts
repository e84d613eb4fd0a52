/**
 * Compiled statements reused with new parameters (reusedQuery): built once per shape, the same rows as a query built
 * each time, on the transaction's connection inside one, and a build that binds more than it was given is never
 * reused. On either engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDatabase } from '../testing.ts';
import { reusedQuery, type Db } from './index.ts';

test('reusedQuery: built once per shape, answers as a fresh build does, inside a transaction too, never reuses a build that binds a constant', async () => {
  const tdb = await testDatabase();
  const db = tdb.handle.db;
  try {
    await sql`create table reuse_probe (id text primary key, n integer not null)`.execute(db);
    await db.insertInto('reuse_probe').values(Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, n: i }))).execute();
    let builds = 0;
    const byIds = (d: Db, ids: string[]) =>
      reusedQuery<{ id: string; n: number }>(d, 'probe by id', ids, (q) => {
        builds++;
        return q.selectFrom('reuse_probe').selectAll().where('id', 'in', ids).orderBy('id');
      });
    assert.deepEqual(await byIds(db, ['r1', 'r2']), [{ id: 'r1', n: 1 }, { id: 'r2', n: 2 }]);
    assert.deepEqual(await byIds(db, ['r7', 'r3']), [{ id: 'r3', n: 3 }, { id: 'r7', n: 7 }], 'new parameters, the same statement');
    assert.deepEqual(await byIds(db, ['r9', 'none']), [{ id: 'r9', n: 9 }]);
    assert.equal(builds, 1, 'two ids: built once');
    assert.deepEqual(await byIds(db, ['r4']), [{ id: 'r4', n: 4 }], 'another length is another statement');
    assert.deepEqual(await byIds(db, ['r5']), [{ id: 'r5', n: 5 }]);
    assert.equal(builds, 2);

    // Inside a transaction the statement runs on its connection: it sees the transaction's own rows.
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('reuse_probe').values({ id: 'r10', n: 10 }).execute();
      assert.deepEqual(await byIds(trx, ['r10', 'r1']), [{ id: 'r1', n: 1 }, { id: 'r10', n: 10 }]);
    });
    assert.equal(builds, 2, 'the transaction reused it too');

    // A build binding a constant besides the parameters: never reused, so never answered with a stale constant.
    let limited = 0;
    const above = (min: number, ids: string[]) =>
      reusedQuery<{ id: string }>(db, 'probe above', ids, (q) => {
        limited++;
        return q.selectFrom('reuse_probe').select('id').where('id', 'in', ids).where('n', '>', min).orderBy('id');
      });
    assert.deepEqual(await above(2, ['r1', 'r3']), [{ id: 'r3' }]);
    assert.deepEqual(await above(0, ['r1', 'r3']), [{ id: 'r1' }, { id: 'r3' }]);
    assert.equal(limited, 2, 'built each time');
  } finally {
    await sql`drop table if exists reuse_probe`.execute(db).catch(() => {});
    await tdb.drop();
  }
});

test('booleans in reads bind as SQLite stores them, outside and inside a transaction and in a reused statement', async () => {
  const tdb = await testDatabase();
  const db = tdb.handle.db;
  const bool = tdb.handle.kind === 'postgresql' ? sql`boolean` : sql`integer`;
  try {
    await sql`create table bool_probe (id text primary key, on_call ${bool} not null)`.execute(db);
    await db.insertInto('bool_probe').values([{ id: 'a', on_call: true }, { id: 'b', on_call: false }, { id: 'c', on_call: true }]).execute();
    const ids = async (d: Db, on: boolean) => (await d.selectFrom('bool_probe').select('id').where('on_call', '=', on).orderBy('id').execute()).map((r) => r.id);
    assert.deepEqual(await ids(db, true), ['a', 'c']);
    assert.deepEqual(await ids(db, false), ['b']);
    assert.deepEqual((await db.selectFrom('bool_probe').select('id').where('on_call', 'in', [false]).execute()).map((r) => r.id), ['b'], 'in a list');
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('bool_probe').set({ on_call: false }).where('id', '=', 'a').execute();
      assert.deepEqual(await ids(trx, true), ['c'], 'the transaction sees its own write');
    });
    const reused = (on: boolean) => reusedQuery<{ id: string }>(db, 'bool probe', [on], (q) => q.selectFrom('bool_probe').select('id').where('on_call', '=', on).orderBy('id'));
    assert.deepEqual((await reused(true)).map((r) => r.id), ['c']);
    assert.deepEqual((await reused(false)).map((r) => r.id), ['a', 'b']);
  } finally {
    await sql`drop table if exists bool_probe`.execute(db).catch(() => {});
    await tdb.drop();
  }
});
