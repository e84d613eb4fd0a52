/**
 * Write transactions on SQLite when another process writes to the same file (two `taskforce serve` nodes on one
 * database): a transaction that reads before it writes must not fail because the other process committed in between.
 * With SQLite's default deferred BEGIN it does, at once and whatever the busy timeout (SQLITE_BUSY: the snapshot it
 * read is stale); a transaction that takes the write lock as it begins waits for the other writer instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { testDatabase } from '../testing.ts';

test('a write transaction that reads first is not broken by another process writing meanwhile', { skip: process.env.DATABASE_URL?.startsWith('postgres') ? 'SQLite only' : false }, async () => {
  const db = await testDatabase();
  // Another process's connection to the same file; it gives up at once rather than wait, so the test cannot hang.
  const other = new Database(db.config.databaseUrl.slice('sqlite:'.length));
  other.pragma('busy_timeout = 0');
  const at = new Date().toISOString();
  try {
    let otherWrote = false;
    await db.handle.db.transaction().execute(async (trx) => {
      await trx.selectFrom('jobs').select('name').execute();
      try {
        other.prepare('insert into jobs (name, next_run_at, updated_at) values (?, ?, ?)').run('other.node', at, at);
        otherWrote = true;
      } catch (err) {
        assert.match(String(err), /SQLITE_BUSY|database is locked/);
      }
      await trx.insertInto('jobs').values({ name: 'this.node', next_run_at: at, lease_holder: null, lease_until: null, updated_at: at }).execute();
    });
    const names = (await db.handle.db.selectFrom('jobs').select('name').execute()).map((r) => r.name);
    assert.ok(names.includes('this.node'), 'the transaction committed its write');
    assert.equal(otherWrote, false, 'the other process had to wait for the write lock this transaction took as it began');
  } finally {
    other.close();
    await db.drop();
  }
});
