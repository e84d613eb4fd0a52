/**
 * Where SQLite reads run (sqlite-driver.ts): index lookups on the event loop's own read-only connection, everything
 * else on the reader threads, many reads ready together in one message. On a real database file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INLINE_MAX_MS, INLINE_MAX_ROWS, INLINE_RETRY_MS, OFFLOAD_BACKLOG, OFFLOAD_MIN_MS, OFFLOAD_REFRESH, ReaderPool } from './sqlite-driver.ts';

/** A database file in WAL mode with `n` items (id i0..., owner `ownerOf(i)`, n = i), indexed by owner and analysed. */
function itemsFile(n: number, ownerOf: (i: number) => string): { dir: string; file: string; writer: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'tfh-reads-'));
  const file = join(dir, 'reads.db');
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.exec('create table item (id text primary key, owner text not null, n integer not null); create index item_owner_idx on item (owner)');
  const insert = writer.prepare('insert into item values (?, ?, ?)');
  writer.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`i${i}`, ownerOf(i), i);
  })();
  writer.exec('analyze');
  return { dir, file, writer };
}

test('SQLite reads: index lookups run inline, scans and sorts on the readers, a lookup found to return many rows moves to the readers', { skip: process.env.DATABASE_URL?.startsWith('postgres') ? 'SQLite only' : false }, async () => {
  const { dir, file, writer } = itemsFile(2000, (i) => (i < 1000 ? 'big' : `o${i}`));
  writer.exec('create table version (id integer primary key, n integer not null); insert into version values (1, 7)');
  let clock = 0;
  // How long each read takes by the clock (it moves this much between a read's start and its end): 0 unless a test
  // makes a run slow, as a busy machine does when it deschedules the event loop halfway through a lookup.
  let tick = 0;
  // The event loop taken for idle: how busy it is decides nothing here (the next test).
  const pool = new ReaderPool(file, 2, { now: () => (clock += tick), busy: () => false });
  try {
    const counts = () => ({ ...pool.inline.counts });
    const before = counts();
    assert.deepEqual(await pool.run('select * from item where id in (?, ?)', ['i1', 'i2']), [
      { id: 'i1', owner: 'big', n: 1 },
      { id: 'i2', owner: 'big', n: 2 },
    ]);
    assert.deepEqual(await pool.run('select n from item where owner = ?', ['o1500']), [{ n: 1500 }]);
    assert.equal(counts().inline - before.inline, 2, 'two index lookups ran inline');

    // A scan, a sort and a range go to the readers, and answer the same.
    const scans = [
      ['select count(*) as c from item where n % 7 = ?', [0], [{ c: 286 }]],
      ['select id from item where owner = ? order by n desc limit 1', ['big'], [{ id: 'i999' }]],
      ['select id from item where id > ? and id < ?', ['i1998', 'i1999~'], [{ id: 'i1999' }]],
    ] as const;
    for (const [sql, params, rows] of scans) {
      const b = counts();
      assert.deepEqual(await pool.run(sql, params), rows, sql);
      assert.equal(counts().readers - b.readers, 1, `${sql} ran on a reader`);
    }

    // A lookup by a key that many rows share: inline at first, then on the readers once it has been seen to return
    // more than INLINE_MAX_ROWS rows a few times. Same rows either way.
    assert.ok(INLINE_MAX_ROWS < 1000);
    const many = 'select id from item where owner = ?';
    // Qualified by its plan for a key with one row (a plan is read with the statement's first parameters).
    assert.equal((await pool.run(many, ['o1999'])).length, 1);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const b = counts();
      assert.equal((await pool.run(many, ['big'])).length, 1000);
      seen.push(counts().inline - b.inline);
    }
    assert.deepEqual(seen, [1, 1, 1, 0, 0]);
    // A statement sent to the readers is tried here again after a while (a slow moment, a cold cache at start, must
    // not keep a lookup off the event loop for the process's life), for longer each time it is sent back.
    const inlineRuns = async (times: number) => {
      const b = counts();
      for (let i = 0; i < times; i++) await pool.run(many, ['big']);
      return counts().inline - b.inline;
    };
    clock += INLINE_RETRY_MS - 1;
    assert.equal(await inlineRuns(2), 0, 'not yet');
    clock += 1;
    assert.equal(await inlineRuns(5), 3, 'tried again: three strikes, then back to the readers');
    clock += INLINE_RETRY_MS;
    assert.equal(await inlineRuns(1), 0, 'the second wait is twice as long');
    clock += INLINE_RETRY_MS;
    assert.equal(await inlineRuns(1), 1);

    // A busy machine makes some runs of a cheap lookup slow. Runs over the time limit move a lookup to the readers
    // only when they are most of its last few runs; a lookup by the whole of a unique key (one row at most) never moves.
    const runs = async (sql: string, params: unknown[], slow: boolean[]) => {
      const out: number[] = [];
      for (const s of slow) {
        const b = counts();
        tick = s ? INLINE_MAX_MS + 1 : 0;
        await pool.run(sql, params);
        tick = 0;
        out.push(counts().inline - b.inline);
      }
      return out;
    };
    const ones = (n: number) => Array<number>(n).fill(1);
    const byKey = 'select n from item where id = ?';
    assert.deepEqual(await runs(byKey, ['i5'], Array<boolean>(12).fill(true)), ones(12), 'a unique-key lookup stays inline however slow');
    // The rowid, as the directory's data version is read on every search.
    assert.deepEqual(await runs('select n from version where id = ?', [1], Array<boolean>(6).fill(true)), ones(6));
    const byOwner = 'select n from item where owner = ?';
    const nowAndThen = Array.from({ length: 15 }, (_, i) => i % 3 === 0);
    assert.deepEqual(await runs(byOwner, ['o1500'], nowAndThen), ones(15), 'slow now and then: stays inline');
    assert.deepEqual(await runs(byOwner, ['o1500'], Array<boolean>(5).fill(false)), ones(5));
    assert.deepEqual(await runs(byOwner, ['o1500'], [true, true, true, true]), [1, 1, 1, 0], 'slow run after run: to the readers');
    // Not exempt: an IN list on the same key (many rows), nor a key that is part of one.
    assert.deepEqual(await runs('select n from item where id in (?, ?)', ['i5', 'i6'], [true, true, true, true]), [1, 1, 1, 0]);
    assert.deepEqual(await runs('select id from item where owner = ? and n = ?', ['o1500', 1500], [true, true, true, true]), [1, 1, 1, 0], 'a key of an index that is not unique');
    assert.deepEqual(await runs('select id from item where n = ? and id = ?', [5, 'i5'], [true, true, true, true]), [1, 1, 1, 1], 'a unique key with a filter is one row too');

    // Reads ready at the same turn go to the readers together and are each answered with their own rows.
    const many20 = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run('select n from item where n + 0 = ?', [i])));
    assert.deepEqual(
      many20.map((r) => (r as { n: number }[])[0].n),
      Array.from({ length: 20 }, (_, i) => i),
    );
    // A write made after a read is seen by the next read (both connections read the file's last commit).
    writer.prepare('update item set n = ? where id = ?').run(-1, 'i1');
    assert.deepEqual(await pool.run('select n from item where id in (?)', ['i1']), [{ n: -1 }]);
    assert.deepEqual(await pool.run('select count(*) as c from item where n < ?', [0]), [{ c: 1 }]);
  } finally {
    await pool.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite reads: while the event loop is busy, lookups that cost more than a message go to the readers; one-row lookups and cheap ones stay', { skip: process.env.DATABASE_URL?.startsWith('postgres') ? 'SQLite only' : false }, async () => {
  const { dir, file, writer } = itemsFile(200, (i) => `o${i % 20}`);
  let clock = 0;
  // How long each read takes by the clock: a lookup of twenty wide rows takes a few tenths of a millisecond.
  let tick = 0;
  let busy = false;
  const pool = new ReaderPool(file, 2, { now: () => (clock += tick), busy: () => busy });
  try {
    const counts = () => ({ ...pool.inline.counts });
    const ranInline = async (sql: string, params: unknown[], times = 1) => {
      const b = counts();
      for (let i = 0; i < times; i++) await pool.run(sql, params);
      return counts().inline - b.inline;
    };
    const tenRows = 'select * from item where owner = ?';
    const expected = await pool.run(tenRows, ['o3']);
    assert.equal(expected.length, 10);
    assert.ok(OFFLOAD_MIN_MS < INLINE_MAX_MS);
    // Costly by the clock, yet under the limit that sends a lookup to the readers for good.
    tick = OFFLOAD_MIN_MS * 2;
    assert.equal(await ranInline(tenRows, ['o3'], 3), 3, 'an idle loop runs it inline: no message to wait for');
    busy = true;
    const b = counts();
    assert.deepEqual(await pool.run(tenRows, ['o3']), expected, 'the same rows from a reader');
    assert.deepEqual(counts(), { ...b, readers: b.readers + 1 }, 'a busy loop sends it to a reader');
    // A lookup by the whole of a unique key stays inline however busy (a message costs more than it), and so does a
    // lookup measured cheap.
    assert.equal(await ranInline('select n from item where id = ?', ['i5'], 3), 3);
    tick = OFFLOAD_MIN_MS / 4;
    const cheap = 'select id from item where owner = ?';
    busy = false;
    assert.equal(await ranInline(cheap, ['o4']), 1);
    busy = true;
    assert.equal(await ranInline(cheap, ['o4'], 3), 3);
    // A lookup not measured yet counts as costly: one first asked under load goes to the readers (an IN list of
    // another length is another statement; reading 300 rows of text for the first time took 160 ms of the loop).
    assert.equal(await ranInline('select id, n from item where owner in (?, ?)', ['o4', 'o5'], 3), 0);
    // Now and then it runs inline anyway, so that a lookup grown cheap comes back.
    tick = OFFLOAD_MIN_MS * 2;
    assert.equal(await ranInline(tenRows, ['o3'], OFFLOAD_REFRESH), 1, 'one run in OFFLOAD_REFRESH is timed inline');
    tick = 0;
    let back = 0;
    for (let i = 0; i < OFFLOAD_REFRESH * 8 && !back; i++) back = await ranInline(tenRows, ['o3']);
    assert.equal(back, 1, 'measured cheap again: inline');
    assert.equal(await ranInline(tenRows, ['o3'], 5), 5);
    // When the readers have a backlog, the loop reads for itself rather than queue more.
    tick = OFFLOAD_MIN_MS * 2;
    for (let i = 0; i < 20; i++) await pool.run(tenRows, ['o3']);
    const before = counts();
    const all = await Promise.all(Array.from({ length: OFFLOAD_BACKLOG + 40 }, () => pool.run(tenRows, ['o3'])));
    for (const rows of all) assert.deepEqual(rows, expected);
    const after = counts();
    assert.ok(after.readers - before.readers >= OFFLOAD_BACKLOG, 'up to the backlog to the readers');
    assert.ok(after.inline - before.inline >= 30, 'the rest inline');
    // Not busy: inline again.
    busy = false;
    assert.equal(await ranInline(tenRows, ['o3'], 3), 3);
  } finally {
    await pool.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
