import { readdirSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { columnTypes, nowIso, type ColumnTypes, type Db, type DatabaseHandle } from './index.ts';

export interface Migration {
  up(db: Db, types: ColumnTypes, kind: DatabaseHandle['kind']): Promise<void>;
}

const SRC = resolve(import.meta.dirname, '..', '..');

/** The `migrations` folders directly under `<top>/*`. */
export function scanMigrationFolders(top: 'platform' | 'modules'): string[] {
  const base = join(SRC, top);
  if (!existsSync(base)) return [];
  const folders: string[] = [];
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(base, entry.name, 'migrations');
    if (existsSync(dir)) folders.push(dir);
  }
  return folders;
}

/**
 * The platform's migration folders and the modules' (those their manifests declare, or, when none are given, every
 * `migrations` folder under modules/): one sequence ordered by file name.
 */
export function migrationFiles(moduleFolders?: readonly string[]): string[] {
  const folders = [...scanMigrationFolders('platform'), ...(moduleFolders ?? scanMigrationFolders('modules'))];
  const files = folders.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /^\d{12}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => join(dir, f)),
  );
  files.sort((a, b) => basename(a).localeCompare(basename(b)));
  const names = files.map((f) => basename(f));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`Two migrations share the name ${dup}`);
  return files;
}

// Any constant: it only serialises migrators of this application on one PostgreSQL database.
const PG_LOCK_KEY = 7103_2000;

/**
 * Applies pending migrations, each in its own transaction on both engines (SQLite has transactional DDL even
 * though Kysely's own migrator does not use it), so a failed migration leaves nothing half done.
 */
export async function migrate(handle: DatabaseHandle, log: (line: string) => void = () => {}, moduleFolders?: readonly string[]): Promise<string[]> {
  const { db, kind } = handle;
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const types = columnTypes(kind);
  const applied: string[] = [];
  const files = migrationFiles(moduleFolders);
  // Those already applied are skipped without a transaction: a write transaction takes SQLite's write lock as it
  // begins (sqlite-driver.ts), and a process that only checks should not wait for, or hold up, another one's writer.
  const seen = new Set((await db.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
  for (const file of files) {
    const name = basename(file, '.ts');
    if (seen.has(name)) continue;
    const done = await db.transaction().execute(async (trx) => {
      if (kind === 'postgresql') await sql`select pg_advisory_xact_lock(${PG_LOCK_KEY})`.execute(trx);
      const row = await trx.selectFrom('schema_migrations').select('name').where('name', '=', name).executeTakeFirst();
      if (row) return false;
      const mod = (await import(pathToFileURL(file).href)) as Migration;
      await mod.up(trx, types, kind);
      await trx.insertInto('schema_migrations').values({ name, applied_at: nowIso() }).execute();
      return true;
    });
    if (done) {
      applied.push(name);
      log(`migrated ${name} (${applied.length} applied)`);
    }
  }
  return applied;
}
