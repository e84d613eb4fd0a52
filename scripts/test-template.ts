/**
 * Migrates one template database for a test run, so that each test copies it instead of running every migration
 * again: a SQLite file (copied per test database) or a PostgreSQL database (`CREATE DATABASE ... TEMPLATE`).
 *
 *   node --import tsx scripts/test-template.ts create   prints {"sqlite": PATH} or {"postgres": NAME}
 *   node --import tsx scripts/test-template.ts seed PATH      (SQLite) a copy of the template at PATH with the demo
 *                                                            data: prints {"seeded": PATH, "keys": {...}}, the
 *                                                            secrets its encrypted values need
 *   node --import tsx scripts/test-template.ts drop NAME|PATH
 *
 * Used by scripts/run-tests.mjs; the kind follows DATABASE_URL as the tests do.
 */
import { copyFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrator.ts';
import { emptyDatabase } from '../src/platform/testing.ts';

const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };

async function create(): Promise<Record<string, string>> {
  const db = await emptyDatabase('tfh_template');
  const handle = openDatabase(loadConfig({ ...process.env, ...secrets, DATABASE_URL: db.url }));
  const applied = await migrate(handle);
  // Closing the last connection checkpoints SQLite's WAL into the file, so the file alone is the whole database,
  // and leaves nobody connected to a PostgreSQL template.
  await handle.close();
  const sqlite = db.url.startsWith('sqlite:') ? db.url.slice('sqlite:'.length) : undefined;
  if (sqlite && existsSync(sqlite + '-wal')) throw new Error('the template still has a WAL file after closing');
  return { ...(sqlite ? { sqlite } : { postgres: new URL(db.url).pathname.slice(1) }), migrations: String(applied.length) };
}

/**
 * The browser tests' start: the migrated template with the demo data loaded, made once per run instead of once per
 * browser test file (each copies it). The demo's encrypted values need its DATA_KEY, so the keys go with it.
 */
async function seed(template: string): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tfh_seeded-'));
  const file = join(dir, 'tfh_seeded.db');
  copyFileSync(template, file);
  const config = loadConfig({ ...process.env, ...secrets, DATABASE_URL: `sqlite:${file}` });
  const handle = openDatabase(config);
  const { systemCtx } = await import('../src/platform/context.ts');
  const { seedDemo } = await import('../src/platform/seed.ts');
  const { modules } = await import('../src/modules/index.ts');
  await migrate(handle);
  await seedDemo(systemCtx(handle, config, 'e2e'), modules, () => {});
  await handle.close();
  if (existsSync(file + '-wal')) throw new Error('the seeded template still has a WAL file after closing');
  return { seeded: file, keys: { SESSION_SECRET: secrets.SESSION_SECRET, DATA_KEY: secrets.DATA_KEY } };
}

async function drop(what: string): Promise<void> {
  if (what.endsWith('.db')) {
    rmSync(dirname(what), { recursive: true, force: true });
    return;
  }
  if (!/^tfh_template_[0-9a-f]{12}$/.test(what)) throw new Error(`not a test template: ${what}`);
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${what} with (force)`);
  await admin.end();
}

const [command, arg] = process.argv.slice(2);
if (command === 'create') process.stdout.write(JSON.stringify(await create()) + '\n');
else if (command === 'seed' && arg) process.stdout.write(JSON.stringify(await seed(arg)) + '\n');
else if (command === 'drop' && arg) await drop(arg);
else {
  process.stderr.write('usage: test-template.ts create | seed PATH | drop NAME|PATH\n');
  process.exit(2);
}
