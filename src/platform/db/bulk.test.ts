import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { testDatabase } from '../testing.ts';
import { refreshStatistics } from './bulk.ts';

test('after a bulk load, PostgreSQL full-text indexes hold no pending entries (every search would scan them until autovacuum)', { skip: !process.env.DATABASE_URL?.startsWith('postgres') && 'PostgreSQL only' }, async () => {
  const td = await testDatabase();
  const db = td.handle.db;
  const run = (q: string) => db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(q, []));
  try {
    await run(`create table bulk_text (id integer primary key, tsv tsvector not null)`);
    await run(`create index bulk_text_tsv on bulk_text using gin (tsv)`);
    await run(`insert into bulk_text select i, to_tsvector('simple', 'word' || i || ' common') from generate_series(1, 2000) as i`);
    await refreshStatistics(db, ['bulk_text']);
    // The number of pending-list pages a clean-up moves into the index: none left to move.
    const left = await run(`select gin_clean_pending_list('bulk_text_tsv'::regclass) as n`);
    assert.equal(Number(left.rows[0].n), 0);
  } finally {
    await td.drop();
  }
});
