/** `taskforce backup DEST` and `taskforce restore SRC [--data DIR]`. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { migrationFiles } from '../db/migrator.ts';
import { UsageError, type Log } from '../module.ts';
import { OpsRefusal, backupDatabase, restoreDatabase } from './backup.ts';

export { OpsRefusal };

import { BACKUP_HELP } from '../cli/help.ts';
export { BACKUP_HELP };

const PG_ADVICE =
  'on PostgreSQL, back up with pg_dump and restore with pg_restore (see "Backups on PostgreSQL" in docs/operations.md)';

function positional(command: string, args: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument "${positionals[1]}"`);
  return { values, value: positionals[0] };
}

export async function backupCommand(config: Config, args: string[], log: Log): Promise<number> {
  const { value } = positional('backup', args, {});
  if (!value) throw new UsageError('backup: give DEST, the file (or folder) to write the backup to, e.g. taskforce backup /var/backups/taskforce/');
  if (config.databaseKind !== 'sqlite') throw new UsageError(`backup: ${PG_ADVICE}`);
  if (config.sqlitePath === ':memory:') throw new UsageError('backup: DATABASE_URL names an in-memory database, which has nothing to back up');
  let dest = resolve(value);
  if (existsSync(dest) && statSync(dest).isDirectory()) {
    dest = join(dest, `taskforce-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`);
  } else if (value.endsWith('/')) {
    throw new UsageError(`backup: DEST folder ${value} does not exist`);
  } else if (!existsSync(resolve(dest, '..'))) {
    throw new UsageError(`backup: DEST: the folder ${resolve(dest, '..')} does not exist`);
  }
  log(`backing up ${config.sqlitePath} to ${dest}`);
  const m = await backupDatabase(resolve(config.sqlitePath), dest, log);
  log(`backup written: ${dest} (${m.bytes} bytes, sha256 ${m.sha256})`);
  log(`manifest:       ${dest}.json (schema ${m.schema.latest ?? 'empty'}, ${m.schema.migrations.length} migrations)`);
  log('The keys are not in the backup: keep secrets.json (or SESSION_SECRET and DATA_KEY) in a separate, safe place.');
  return 0;
}

export async function restoreCommand(config: Config, args: string[], log: Log, migrationFolders: readonly string[]): Promise<number> {
  const { values, value } = positional('restore', args, { data: { type: 'string' } });
  if (!value) throw new UsageError('restore: give SRC, the backup file to restore (its SRC.json manifest beside it)');
  const src = resolve(value);
  if (!existsSync(src) || !statSync(src).isFile()) throw new UsageError(`restore: SRC: there is no backup file at ${value}`);
  const data = values.data as string | undefined;
  if (data !== undefined && data.trim() === '') throw new UsageError('restore: --data needs a folder');
  let target: string;
  let replace: boolean;
  if (data !== undefined) {
    const dir = resolve(data);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`restore: --data: ${data} is a file, not a folder`);
    const name = config.databaseKind === 'sqlite' && config.sqlitePath !== ':memory:' ? basename(config.sqlitePath) : 'taskforce.db';
    target = join(dir, name);
    if (existsSync(target)) throw new UsageError(`restore: --data: ${target} already exists; give a new or empty folder`);
    mkdirSync(dir, { recursive: true });
    replace = false;
  } else {
    if (config.databaseKind !== 'sqlite') throw new UsageError(`restore: ${PG_ADVICE}; or restore an embedded backup into a folder with --data DIR`);
    if (config.sqlitePath === ':memory:') throw new UsageError('restore: DATABASE_URL names an in-memory database; give --data DIR');
    target = resolve(config.sqlitePath);
    replace = true;
  }
  // Known: every migration in this code, declared by a manifest or not (a folder on disk, as the test databases
  // are made); a backup with any other is from a newer version. Pending: those a start of this version applies.
  const declared = knownMigrations(migrationFolders);
  const known = [...new Set([...declared, ...knownMigrations()])].sort();
  log(`checking ${src}`);
  const r = await restoreDatabase(src, target, { knownMigrations: known, replace, progress: log });
  r.pending = r.pending.filter((n) => declared.includes(n));
  log(`restored the backup of ${r.manifest.created_at} to ${r.target}`);
  if (r.previous) log(`the database that was there is kept as ${r.previous}`);
  if (r.pending.length) log(`${r.pending.length} migration(s) newer than the backup will be applied at the next start (or by taskforce migrate)`);
  log('Sessions in the backup were ended: everyone signs in again.');
  log(`Keys: the server needs the DATA_KEY and SESSION_SECRET in use when the backup was made (in the environment, or in ${join(resolve(target, '..'), 'secrets.json')}); without DATA_KEY the encrypted fields cannot be read.`);
  if (data !== undefined) log(`Start a server on it with DATABASE_URL=sqlite:${r.target}`);
  return 0;
}

/** The names of the migrations in these module folders and the platform's (every module folder when not given). */
export function knownMigrations(migrationFolders?: readonly string[]): string[] {
  return migrationFiles(migrationFolders).map((f) => basename(f, '.ts'));
}
