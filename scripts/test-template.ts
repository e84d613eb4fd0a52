/**
 * Migrates one template database for a test run, so that each test copies it instead of running every migration
 * again: a SQLite file (copied per test database) or a PostgreSQL database (`CREATE DATABASE ... TEMPLATE`).
 *
 *   node --import tsx scripts/test-template.ts create   prints {"sqlite": PATH} or {"postgres": NAME}
 *   node --import tsx scripts/test-template.ts drop NAME|PATH
 *
 * Used by scripts/run-tests.mjs; the kind follows DATABASE_URL as the tests do.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrator.ts';

const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };

async function create(): Promise<Record<string, string>> {
  const base = process.env.DATABASE_URL;
  if (base && base.startsWith('postgres')) {
    const name = 'tfh_template_' + randomBytes(6).toString('hex');
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = '/' + name;
    const handle = openDatabase(loadConfig({ ...process.env, ...secrets, DATABASE_URL: url.toString() }));
    const applied = await migrate(handle);
    await handle.close();
    return { postgres: name, migrations: String(applied.length) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tfh-template-'));
  const file = join(dir, 'template.db');
  const handle = openDatabase(loadConfig({ ...process.env, ...secrets, DATABASE_URL: `sqlite:${file}` }));
  const applied = await migrate(handle);
  // Closing the last connection checkpoints the WAL into the file, so the file alone is the whole database.
  await handle.close();
  if (existsSync(file + '-wal')) throw new Error('the template still has a WAL file after closing');
  return { sqlite: file, migrations: String(applied.length) };
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
else if (command === 'drop' && arg) await drop(arg);
else {
  process.stderr.write('usage: test-template.ts create | drop NAME|PATH\n');
  process.exit(2);
}
