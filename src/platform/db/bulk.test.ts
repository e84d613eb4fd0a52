import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { testDatabase } from '../testing.ts';
import { insertMany, refreshStatistics, upsertMany, valuesInto } from './bulk.ts';

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

test('rows given as objects with a function putting their values are written as rows given as arrays (insert and upsert, both engines)', async () => {
  const td = await testDatabase();
  const db = td.handle.db;
  const run = (q: string) => db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(q, []));
  try {
    await run(`create table bulk_rows (id text primary key, n integer, flag boolean not null, note text)`);
    // More rows than one PostgreSQL statement takes (8,000 values), so that both of its chunks are written.
    const objects = Array.from({ length: 2500 }, (_, i) => ({ id: `r${i}`, n: i, flag: i % 2 === 0, note: i % 3 ? `note ${i}` : undefined }));
    const fill = (o: (typeof objects)[number], v: unknown[]) => {
      v[0] = o.id;
      v[1] = o.n;
      v[2] = o.flag;
      v[3] = o.note;
    };
    await insertMany(db, 'bulk_rows', ['id', 'n', 'flag', 'note'], { rows: objects.slice(0, 2000), values: fill });
    // The rows already held are replaced, the others added.
    await db.transaction().execute((trx) => upsertMany(trx, 'bulk_rows', ['id', 'n', 'flag', 'note'], 'id', { rows: objects.slice(1000).map((o) => ({ ...o, n: o.n * 10 })), values: fill }));
    const rows = (await run(`select id, n, flag, note from bulk_rows order by n`)).rows;
    assert.equal(rows.length, 2500);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const o of objects) {
      const r = byId.get(o.id)!;
      assert.equal(Number(r.n), o.n >= 1000 ? o.n * 10 : o.n, o.id);
      assert.equal(Boolean(r.flag), o.flag, o.id);
      // A value left undefined is written as null.
      assert.equal(r.note, o.note ?? null, o.id);
    }
  } finally {
    await td.drop();
  }
});

test('valuesInto: a row\'s values in the columns\' order, absent or null ones as asked, own names only; a column name that is no identifier is refused', () => {
  const put = valuesInto<Record<string, unknown>>(['id', 'name', 'active', 'count'], (c) => (c === 'active' ? 'false' : 'null'));
  const into: unknown[] = new Array(4);
  put({ id: 'a', name: 'Pantry', active: true, count: 0 }, into);
  assert.deepEqual(into, ['a', 'Pantry', true, 0]);
  put({ id: 'b', count: undefined, name: null }, into);
  assert.deepEqual(into, ['b', null, false, null], 'nothing left from the row before');
  assert.throws(() => valuesInto(['id', 'name; process.exit(1)']), /bad identifier/);
  assert.throws(() => valuesInto(['Name']), /bad identifier/);
});
