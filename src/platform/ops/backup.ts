/**
 * Backups of the embedded database: a consistent copy taken while the server runs and writes (SQLite's online
 * backup API, through better-sqlite3), with a manifest beside it (`DEST.json`: the schema version as the list of
 * applied migrations, the SHA-256 of the file, its size). A restore checks the checksum, SQLite's integrity check
 * and the schema version (refusing a backup newer than the code) before it puts the copy in place. The keys
 * (`secrets.json`, `DATA_KEY`) are never in a backup: see docs/operations.md.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync, statSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const MANIFEST_FORMAT = 'taskforce-hub-backup';

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  created_at: string;
  /** The database file beside this manifest. */
  file: string;
  bytes: number;
  sha256: string;
  /** The schema version: every migration applied in the copy, in order, and the last one. */
  schema: { latest: string | null; migrations: string[] };
  /** Always false: the keys are kept apart from backups. */
  keys_included: false;
}

/** A backup or restore that cannot go ahead, with the reason for the operator (exit code 1). */
export class OpsRefusal extends Error {}

export type Progress = (line: string) => void;

export function manifestPath(file: string): string {
  return `${file}.json`;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function appliedMigrations(db: Database.Database): string[] {
  const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'schema_migrations'").get();
  if (!table) return [];
  return (db.prepare('select name from schema_migrations order by name').all() as { name: string }[]).map((r) => r.name);
}

/** SQLite's own check of every page and index; answers the problems found (none when the file is sound). */
function integrityProblems(db: Database.Database): string[] {
  const rows = db.prepare('pragma integrity_check').all() as { integrity_check: string }[];
  const found = rows.map((r) => r.integrity_check);
  return found.length === 1 && found[0] === 'ok' ? [] : found;
}

/**
 * Copies the live database at `source` into `dest` (a new file) and writes `dest.json`. Pages are copied a slice at
 * a time, with progress; if the server writes meanwhile, SQLite would start the copy over, so after the first
 * restart the rest is copied in one step, inside one read transaction (writers are not held up in WAL mode).
 */
export async function backupDatabase(source: string, dest: string, progress: Progress = () => {}): Promise<BackupManifest> {
  if (!existsSync(source)) throw new OpsRefusal(`there is no database at ${source}`);
  if (existsSync(dest) || existsSync(manifestPath(dest))) throw new OpsRefusal(`${dest} already exists; a backup never overwrites a file: choose a new name`);
  const partial = join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(4).toString('hex')}`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    let restarts = 0;
    let lastRemaining = Infinity;
    let lastTenth = -1;
    let oneStep = false;
    const result = await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) {
          restarts++;
          if (!oneStep) progress('  the database changed during the copy: copying the rest in one step');
          oneStep = true;
        }
        lastRemaining = remainingPages;
        const tenth = Math.floor(((totalPages - remainingPages) / Math.max(totalPages, 1)) * 10);
        if (tenth > lastTenth && !oneStep) {
          lastTenth = tenth;
          progress(`  copied ${tenth * 10}% (${totalPages - remainingPages} of ${totalPages} pages)`);
        }
        // About twenty slices of the file, at least 256 pages each; everything at once after a restart.
        return oneStep ? 0x7fffffff : Math.max(256, Math.ceil(totalPages / 20));
      },
    });
    progress(`  copied 100% (${result.totalPages} pages${restarts ? `, started over ${restarts} time(s)` : ''})`);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }

  let migrations: string[];
  try {
    const copy = new Database(partial, { fileMustExist: true });
    try {
      // One self-contained file: the copy carries the source's WAL mode, which would need -wal and -shm beside it.
      copy.pragma('journal_mode = DELETE');
      const problems = integrityProblems(copy);
      if (problems.length) throw new OpsRefusal(`the copy failed SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
      migrations = appliedMigrations(copy);
    } finally {
      copy.close();
    }
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  progress('  integrity check: ok');
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    created_at: new Date().toISOString(),
    file: basename(dest),
    bytes: statSync(partial).size,
    sha256: await sha256File(partial),
    schema: { latest: migrations.at(-1) ?? null, migrations },
    keys_included: false,
  };
  renameSync(partial, dest);
  const tmpManifest = `${partial}.json`;
  writeFileSync(tmpManifest, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmpManifest, manifestPath(dest));
  return manifest;
}

/** Reads and checks `SRC.json`. */
export function readManifest(src: string): BackupManifest {
  const file = manifestPath(src);
  if (!existsSync(file)) throw new OpsRefusal(`${file} is missing: a backup made by "taskforce backup" has its manifest beside it, and without it the copy cannot be checked`);
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Partial<BackupManifest>;
  } catch {
    throw new OpsRefusal(`${file} is not a readable manifest (not JSON)`);
  }
  const ok =
    m.format === MANIFEST_FORMAT &&
    m.version === 1 &&
    typeof m.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(m.sha256) &&
    typeof m.bytes === 'number' &&
    Array.isArray(m.schema?.migrations) &&
    m.schema.migrations.every((n) => typeof n === 'string');
  if (!ok) throw new OpsRefusal(`${file} is not a Taskforce Hub backup manifest (format ${MANIFEST_FORMAT}, version 1)`);
  return m as BackupManifest;
}

export interface VerifiedBackup {
  manifest: BackupManifest;
  /** Migrations this code has that the backup has not: applied at the next start (or by taskforce migrate). */
  pending: string[];
}

/**
 * Checks a backup before it is restored: its checksum against the manifest, SQLite's integrity check, and that
 * every migration in it is one this code knows (a backup made by a newer version is refused).
 */
export async function verifyBackup(src: string, knownMigrations: readonly string[], progress: Progress = () => {}): Promise<VerifiedBackup> {
  const manifest = readManifest(src);
  const size = statSync(src).size;
  if (size !== manifest.bytes) throw new OpsRefusal(`${src} is damaged or incomplete: it has ${size} bytes, its manifest says ${manifest.bytes}`);
  progress(`  checksum of ${size} bytes`);
  const sum = await sha256File(src);
  if (sum !== manifest.sha256) throw new OpsRefusal(`${src} is damaged: its SHA-256 checksum does not match its manifest (the file changed after the backup was made)`);
  let migrations: string[];
  let db: Database.Database | undefined;
  try {
    db = new Database(src, { readonly: true, fileMustExist: true });
    const problems = integrityProblems(db);
    if (problems.length) throw new OpsRefusal(`${src} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
    migrations = appliedMigrations(db);
  } catch (err) {
    if (err instanceof OpsRefusal) throw err;
    throw new OpsRefusal(`${src} cannot be read as a database: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
  progress('  integrity check: ok');
  if (migrations.join('\n') !== manifest.schema.migrations.join('\n')) {
    throw new OpsRefusal(`${src} does not match its manifest: the migrations applied in it differ from those listed`);
  }
  const known = new Set(knownMigrations);
  const unknown = migrations.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new OpsRefusal(
      `${src} was made by a newer version of Taskforce Hub: its schema has ${unknown.length} migration(s) this version does not know (${unknown.slice(0, 3).join(', ')}). Upgrade this installation first, then restore.`,
    );
  }
  const have = new Set(migrations);
  return { manifest, pending: knownMigrations.filter((n) => !have.has(n)) };
}

/**
 * Whether some process (a running server, another command) has the database open: SQLite gives an exclusive lock
 * only to a connection that is alone on the file.
 */
export function databaseInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive');
    db.exec('commit');
    // Alone on it: fold the write-ahead log into the file, so that nothing of it is left beside when we close.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  target: string;
  /** Where the database that was there before was moved, if there was one. */
  previous: string | null;
  pending: string[];
  manifest: BackupManifest;
}

/**
 * Restores a checked backup to `target`: a new file, or (with `replace`) the configured database of a stopped
 * server, which is kept beside as `<target>.before-restore-<time>`. Sessions are ended (everyone signs in again) and
 * job leases of the nodes that wrote the backup are released.
 */
export async function restoreDatabase(src: string, target: string, opts: { knownMigrations: readonly string[]; replace: boolean; progress?: Progress }): Promise<RestoreResult> {
  const progress = opts.progress ?? (() => {});
  const { manifest, pending } = await verifyBackup(src, opts.knownMigrations, progress);
  const exists = existsSync(target);
  if (exists && !opts.replace) throw new OpsRefusal(`${target} already exists: restore into a new folder, or into the configured database of a stopped server`);
  if (exists && databaseInUse(target)) {
    throw new OpsRefusal(`${target} is in use by another process (a running server?): stop every server and command using it, then restore`);
  }
  const staging = join(dirname(target), `.${basename(target)}.restoring-${randomBytes(4).toString('hex')}`);
  copyFileSync(src, staging);
  try {
    const db = new Database(staging, { fileMustExist: true });
    try {
      db.pragma('journal_mode = WAL');
      const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
      if (tables.has('sessions')) db.prepare('delete from sessions').run();
      if (tables.has('jobs')) db.prepare('update jobs set lease_holder = null, lease_until = null').run();
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch (err) {
    rmSync(staging, { force: true });
    throw err;
  }
  let previous: string | null = null;
  if (exists) {
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
    for (const side of ['-wal', '-shm']) if (existsSync(target + side)) renameSync(target + side, previous + side);
  }
  renameSync(staging, target);
  return { target, previous, pending, manifest };
}
