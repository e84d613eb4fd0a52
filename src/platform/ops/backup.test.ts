/**
 * `taskforce backup` and `taskforce restore` on the embedded database, run as the real command line while this
 * process keeps writing to the database: the restored copy holds every row committed before the backup began, no
 * gap after them, and passes SQLite's integrity check; damaged, unreadable, newer or unlisted backups are refused
 * with a reason, as is a restore over a database in use. On PostgreSQL both commands point at pg_dump.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../db/index.ts';
import { migrate } from '../db/migrator.ts';
import { runCli } from '../testing.ts';
import type { BackupManifest } from './backup.ts';

const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
let dir = '';
let source = '';

const cli = (args: string[], database = `sqlite:${source}`) => runCli(args, { ...secrets, DATABASE_URL: database });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const manifestOf = (file: string) => JSON.parse(readFileSync(`${file}.json`, 'utf8')) as BackupManifest;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tfh-backup-'));
  mkdirSync(join(dir, 'live'));
  source = join(dir, 'live', 'taskforce.db');
  // A SQLite database whatever DATABASE_URL says: backups are of the embedded database.
  const template = process.env.TFH_TEST_TEMPLATE_SQLITE;
  if (template && existsSync(template)) copyFileSync(template, source);
  const handle = openDatabase(loadConfig({ ...process.env, ...secrets, DATABASE_URL: `sqlite:${source}` }));
  await migrate(handle);
  await handle.close();
  const db = new Database(source);
  db.pragma('journal_mode = WAL');
  db.exec('create table backup_probe (n integer primary key, pad blob not null)');
  // About 16 MB, so that the copy takes many steps while rows keep arriving.
  const insert = db.prepare('insert into backup_probe (n, pad) values (?, ?)');
  db.transaction(() => {
    for (let n = 1; n <= 16_000; n++) insert.run(n, randomBytes(1000));
  })();
  db.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a backup taken while rows are written restores every committed row, and passes the integrity check', { timeout: 120_000 }, async () => {
  const db = new Database(source);
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare('insert into backup_probe (n, pad) values (?, ?)');
  let committed = 16_000;
  let writing = true;
  // Each row its own transaction, one after another, for as long as the backup runs.
  const writer = (async () => {
    while (writing) {
      insert.run(committed + 1, randomBytes(1000));
      committed++;
      await new Promise((ok) => setTimeout(ok, 1));
    }
  })();
  try {
    await new Promise((ok) => setTimeout(ok, 50));
    const atStart = committed;
    const dest = join(dir, 'nightly.db');
    const run = await cli(['backup', dest]);
    const atEnd = committed;
    writing = false;
    await writer;
    assert.equal(run.code, 0, run.stderr + run.stdout);
    // The command now runs in this process (runCli), taking turns with the writer: on a fast machine a few dozen rows
    // land during the copy (34 on Node 24 in CI), enough to show the backup saw writes it had to leave out or keep.
    assert.ok(atEnd - atStart >= 5, `rows were written during the backup (${atEnd - atStart})`);
    assert.match(run.stdout, /copied 100%/, 'progress is shown');
    assert.match(run.stdout, /The keys are not in the backup/);

    const m = manifestOf(dest);
    assert.equal(m.format, 'taskforce-hub-backup');
    assert.equal(m.sha256, sha256(dest));
    assert.equal(m.bytes, statSync(dest).size);
    assert.equal(m.keys_included, false);
    const live = (db.prepare('select name from schema_migrations order by name').all() as { name: string }[]).map((r) => r.name);
    assert.deepEqual(m.schema.migrations, live, 'the schema version is recorded');
    assert.equal(m.schema.latest, live.at(-1));
    // The keys are nowhere in it: not in the file, not beside it.
    const bytes = readFileSync(dest);
    for (const key of Object.values(secrets)) assert.ok(!bytes.includes(Buffer.from(key)), 'no key in the backup');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('nightly')).sort(), ['nightly.db', 'nightly.db.json']);

    const into = join(dir, 'restored');
    const restore = await cli(['restore', dest, '--data', into]);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /integrity check: ok/);
    assert.match(restore.stdout, /DATA_KEY/, 'the restore says which keys the copy needs');
    const copy = new Database(join(into, 'taskforce.db'), { readonly: true });
    try {
      assert.deepEqual(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const { n, max } = copy.prepare('select count(*) as n, max(n) as max from backup_probe').get() as { n: number; max: number };
      assert.ok(max >= atStart, `every row committed before the backup began is there (${max} >= ${atStart})`);
      assert.ok(max <= atEnd);
      assert.equal(n, max, 'and no row is missing before the last one: one consistent moment');
    } finally {
      copy.close();
    }
    // A second restore into the same folder is refused: it never overwrites.
    const again = await cli(['restore', dest, '--data', into]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /--data: .*already exists/);
  } finally {
    writing = false;
    await writer;
    db.close();
  }
});

test('damaged, unreadable, newer and unlisted backups are refused with the reason, and nothing is restored', { timeout: 120_000 }, async () => {
  const good = join(dir, 'good.db');
  assert.equal((await cli(['backup', good])).code, 0);

  // One byte changed after the backup: the checksum says so.
  const flipped = join(dir, 'flipped.db');
  copyFileSync(good, flipped);
  copyFileSync(`${good}.json`, `${flipped}.json`);
  const fd = openSync(flipped, 'r+');
  writeSync(fd, Buffer.from([0x5a]), 0, 1, Math.floor(statSync(flipped).size / 2));
  closeSync(fd);
  let r = await cli(['restore', flipped, '--data', join(dir, 'from-flipped')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is damaged: its SHA-256 checksum does not match its manifest/);
  assert.ok(!existsSync(join(dir, 'from-flipped', 'taskforce.db')));

  // Pages overwritten and the manifest made to match: SQLite's own check finds it.
  const mangled = join(dir, 'mangled.db');
  copyFileSync(good, mangled);
  const size = statSync(mangled).size;
  const fd2 = openSync(mangled, 'r+');
  for (let page = 2; page * 4096 < size; page += 7) writeSync(fd2, randomBytes(4096), 0, 4096, page * 4096);
  closeSync(fd2);
  writeFileSync(`${mangled}.json`, JSON.stringify({ ...manifestOf(good), sha256: sha256(mangled), bytes: size }));
  r = await cli(['restore', mangled, '--data', join(dir, 'from-mangled')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /fails SQLite's integrity check|cannot be read as a database/);
  assert.ok(!existsSync(join(dir, 'from-mangled', 'taskforce.db')));

  // A backup made by a newer version (a migration this code does not know).
  const db = new Database(source);
  db.prepare('insert into schema_migrations (name, applied_at) values (?, ?)').run('299901010000_from_the_future', new Date().toISOString());
  db.close();
  const newer = join(dir, 'newer.db');
  try {
    assert.equal((await cli(['backup', newer])).code, 0);
  } finally {
    const d = new Database(source);
    d.prepare('delete from schema_migrations where name = ?').run('299901010000_from_the_future');
    d.close();
  }
  r = await cli(['restore', newer, '--data', join(dir, 'from-newer')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /made by a newer version of Taskforce Hub.*299901010000_from_the_future.*Upgrade/);

  // No manifest beside it.
  const bare = join(dir, 'bare.db');
  copyFileSync(good, bare);
  r = await cli(['restore', bare, '--data', join(dir, 'from-bare')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bare\.db\.json is missing/);
});

test('restore over the configured database: refused while a process has it open, done (keeping the old file) once stopped', { timeout: 120_000 }, async () => {
  const backup = join(dir, 'for-replace.db');
  assert.equal((await cli(['backup', backup])).code, 0);
  const target = join(dir, 'server', 'taskforce.db');
  mkdirSync(join(dir, 'server'));
  const server = new Database(target);
  server.pragma('journal_mode = WAL');
  server.exec('create table marker (x text)');
  server.prepare('insert into marker values (?)').run('the old database');
  let r = await cli(['restore', backup], `sqlite:${target}`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /in use by another process \(a running server\?\)/);
  assert.equal((server.prepare('select x from marker').get() as { x: string }).x, 'the old database', 'untouched');
  server.close();

  r = await cli(['restore', backup], `sqlite:${target}`);
  assert.equal(r.code, 0, r.stderr);
  const kept = readdirSync(join(dir, 'server')).filter((f) => f.startsWith('taskforce.db.before-restore-') && !/-(wal|shm)$/.test(f));
  assert.equal(kept.length, 1, 'the database that was there is kept beside');
  const old = new Database(join(dir, 'server', kept[0]), { readonly: true });
  assert.equal((old.prepare('select x from marker').get() as { x: string }).x, 'the old database');
  old.close();
  const restored = new Database(target, { readonly: true });
  assert.ok(restored.prepare('select count(*) as n from backup_probe').get());
  assert.equal((restored.prepare('select count(*) as n from sessions').get() as { n: number }).n, 0, 'sessions are ended');
  restored.close();
});

test('bad command-line input names the option and exits with 2; PostgreSQL points at pg_dump', { timeout: 120_000 }, async () => {
  const cases: [string[], RegExp][] = [
    [['backup'], /backup: give DEST/],
    [['backup', join(dir, 'x.db'), 'extra'], /unexpected argument "extra"/],
    [['backup', '--bogus', join(dir, 'x.db')], /--bogus/],
    [['backup', join(dir, 'no-such-folder', 'x.db')], /DEST: the folder .* does not exist/],
    [['restore'], /restore: give SRC/],
    [['restore', join(dir, 'nothing-here.db')], /SRC: there is no backup file/],
    [['restore', join(dir, 'good.db'), '--data'], /--data/],
    [['restore', join(dir, 'good.db'), '--data', join(dir, 'good.db')], /--data: .* is a file/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  // A backup never overwrites one already there.
  const r = await cli(['backup', join(dir, 'good.db')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already exists/);

  const pg = 'postgres://nobody:nothing@127.0.0.1:9/none';
  for (const args of [['backup', join(dir, 'pg.db')], ['restore', join(dir, 'good.db')]]) {
    const out = await cli(args, pg);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /pg_dump/);
    assert.match(out.stderr, /docs\/operations\.md/);
  }
});
