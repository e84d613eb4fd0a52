/**
 * Each module reads and writes only the tables its own migrations create; the platform's tables (accounts,
 * organisations, sessions, audit, jobs) are reached through the platform's functions, and another module's through
 * that module's index.ts. Ownership is measured, not declared: the migrations are applied one by one to an empty
 * database and each new table is owned by the folder of the migration that made it. Then every module's source is
 * read for the tables it names in Kysely calls (`selectFrom('x')`, joins, `insertInto`, `updateTable`,
 * `deleteFrom`, the bulk helpers) and in `sql` templates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { columnTypes, openDatabase } from './db/index.ts';
import { migrationFiles, type Migration } from './db/migrator.ts';

const SRC = resolve(import.meta.dirname, '..');

/** platform/<x>/migrations/... -> 'platform'; modules/<name>/migrations/... -> '<name>'. */
function ownerOfFile(file: string): string {
  const [top, name] = relative(SRC, file).split(sep);
  return top === 'platform' ? 'platform' : name;
}

async function tableOwners(): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  const handle = openDatabase(loadConfig({ ...process.env, DATABASE_URL: 'sqlite::memory:', SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' }));
  try {
    const tables = async () =>
      new Set(
        (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(handle.db)).rows
          .map((r) => r.name)
          // SQLite's own and the full-text index's shadow tables (name_data, name_idx, ...) follow their table.
          .filter((n) => !n.startsWith('sqlite_')),
      );
    let before = await tables();
    for (const file of migrationFiles()) {
      const mod = (await import(pathToFileURL(file).href)) as Migration;
      await handle.db.transaction().execute((trx) => mod.up(trx, columnTypes('sqlite'), 'sqlite'));
      const after = await tables();
      for (const t of after) if (!before.has(t)) owners.set(t, ownerOfFile(file));
      before = after;
    }
  } finally {
    await handle.close();
  }
  return owners;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'migrations' && e.name !== 'demo-data') out.push(...sourceFiles(p));
    } else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !/testkit|testing/.test(e.name)) out.push(p);
  }
  return out;
}

const CALLS = /\b(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|replaceInto|upsertMany|insertMany|deleteMany|withoutSecondaryIndexes)\(\s*(?:[a-zA-Z_.]+,\s*)?['"`]([a-z_][a-z0-9_]*)/g;
const SQL_TEMPLATES = /\bsql(?:<[^>]*>)?`([^`]*)`/g;
const IN_SQL = /\b(?:from|join|into|update|table)\s+"?([a-z_][a-z0-9_]*)/gi;

/** The known tables a file names, with the line of each. */
export function tablesNamed(text: string, known: ReadonlySet<string>): { table: string; line: number }[] {
  const found: { table: string; line: number }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(CALLS)) if (known.has(m[1])) found.push({ table: m[1], line: lineOf(m.index!) });
  for (const block of text.matchAll(SQL_TEMPLATES)) {
    for (const m of block[1].matchAll(IN_SQL)) {
      const t = m[1].toLowerCase();
      if (known.has(t)) found.push({ table: t, line: lineOf(block.index! + m.index!) });
    }
  }
  return found;
}

test('the table scanner finds Kysely calls, bulk helpers and sql templates, and ignores prose', () => {
  const known = new Set(['users', 'networks_member', 'directory_service']);
  const text = [
    "db.selectFrom('users as u').select('u.id')",
    "trx.insertInto('networks_member').values(x)",
    'await upsertMany(trx, "directory_service", rows)',
    'sql`select count(*) from directory_service where id = ${id}`',
    "const message = 'shown to users from the directory';",
  ].join('\n');
  assert.deepEqual(tablesNamed(text, known), [
    { table: 'users', line: 1 },
    { table: 'networks_member', line: 2 },
    { table: 'directory_service', line: 3 },
    { table: 'directory_service', line: 4 },
  ]);
});

test("no module names a table it does not own (the platform's and other modules' tables are reached through their functions)", async () => {
  const owners = await tableOwners();
  assert.ok(owners.size > 40, `migrations made ${owners.size} tables`);
  assert.equal(owners.get('users'), 'platform');
  assert.equal(owners.get('referrals'), 'referrals');
  const known = new Set(owners.keys());
  const trespasses: string[] = [];
  const modulesDir = join(SRC, 'modules');
  for (const mod of readdirSync(modulesDir, { withFileTypes: true })) {
    if (!mod.isDirectory()) continue;
    for (const file of sourceFiles(join(modulesDir, mod.name))) {
      for (const { table, line } of tablesNamed(readFileSync(file, 'utf8'), known)) {
        const owner = owners.get(table)!;
        // FTS5 shadow tables and the like belong to the table they serve.
        if (owner !== mod.name) trespasses.push(`${relative(SRC, file)}:${line} names ${table} (owned by ${owner})`);
      }
    }
  }
  assert.deepEqual(trespasses, [], `modules reaching into tables they do not own:\n  ${trespasses.join('\n  ')}`);
});
