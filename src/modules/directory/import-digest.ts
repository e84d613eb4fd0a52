/**
 * Importing the same publication again (issue 12 item 8). An import from a path records, per source, the digest of
 * the publication's bytes and of the options that change what an import does, with what it found. Importing again
 * a publication with the same digest, when no directory write has been audited since that import, would read,
 * check and compare every row only to find them all unchanged: it records an unchanged import instead, with the
 * counts, notes, quarantined rows and warnings of the import it repeats. Any audited directory write since (an
 * approved edit, a capacity update, another import from any source) means the full comparison runs.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { countAuditEvents } from '../../platform/audit/index.ts';
import type { Refusal } from './validate.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

/** Raised when the importer changes what it makes of the same bytes: digests taken before no longer match. */
const IMPORTER_VERSION = 8;

/**
 * Directory writes are counted from this long before an import started, as the import saw them when it ended and
 * again when it is repeated: on PostgreSQL a transaction that began earlier can commit after the import with an
 * earlier audit time, and counting it only then tells it apart.
 */
const CONCURRENT_MARGIN_MS = 10 * 60 * 1000;

/** What changes an import's outcome besides the bytes. */
export interface DigestOptions {
  strict: boolean;
  partial: boolean;
  skipBrokenReferences: boolean;
}

/** The publication's digest: every file under `path` (or the file itself), by relative name and content. Null when it cannot be read. */
export function publicationDigest(path: string, options: DigestOptions): string | null {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: IMPORTER_VERSION, ...options }));
  const buf = Buffer.allocUnsafe(1 << 20);
  const add = (file: string, name: string) => {
    hash.update(`\u0000${name}\u0000`);
    const fd = openSync(file, 'r');
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(n === buf.length ? buf : buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  };
  try {
    if (!statSync(path).isDirectory()) add(path, '');
    else {
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
          const full = join(dir, e.name);
          if (e.isDirectory()) walk(full);
          else if (e.isFile()) add(full, relative(path, full));
        }
      };
      walk(path);
    }
  } catch {
    return null;
  }
  return hash.digest('hex');
}

export interface Repeated {
  importId: string;
  format: string;
  found: string;
  counts: Record<string, number>;
  notes: string[];
  approximate: number;
  quarantined: Refusal[];
  warnings: Refusal[];
}

/** The import of `source` this one would repeat exactly, if its digest matches and nothing was written since. */
export async function repeatedImport(db: Db, source: string, digest: string): Promise<Repeated | null> {
  const q = loose(db);
  const row = await q.selectFrom('directory_import_digest').selectAll().where('source', '=', source).where('digest', '=', digest).executeTakeFirst();
  if (!row) return null;
  const importId = String(row.import_id);
  if ((await writesAround(db, source, new Date(String(row.started_at)).toISOString())) !== Number(row.seen)) return null;
  const findings = await q.selectFrom('directory_import_finding').select(['kind', 'file', 'row', 'field', 'reason']).where('import_id', '=', importId).orderBy('seq').execute();
  const of = (kind: string) => findings.filter((f) => f.kind === kind).map((f) => ({ file: String(f.file), row: Number(f.row), field: String(f.field), reason: String(f.reason) }));
  return { importId, format: String(row.format), found: String(row.found), counts: JSON.parse(String(row.counts)) as Record<string, number>, notes: JSON.parse(String(row.notes)) as string[], approximate: Number(row.approximate), quarantined: of('quarantined'), warnings: of('warning') };
}

/**
 * The audited directory writes from a while before `startedAt` on, but for `source`'s own imports up to then (a
 * later one would have replaced the digest). Counted again when the import is repeated: one more means a write.
 */
async function writesAround(db: Db, source: string, startedAt: string): Promise<number> {
  const since = new Date(new Date(startedAt).getTime() - CONCURRENT_MARGIN_MS).toISOString();
  const own = await loose(db).selectFrom('directory_import').select(sql<string>`cast(id as text)`.as('id')).where('source', '=', source).where('imported_at', '<=', startedAt).execute();
  return countAuditEvents(db, { since, actionPrefix: 'directory.', except: { action: 'directory.import', entityIds: own.map((r) => String(r.id)) } });
}

/** Records, inside the import's transaction, what `source`'s import from a path with this digest found. */
export async function rememberDigest(db: Db, source: string, digest: string, importId: string, startedAt: string, found: { format: string; found: string; counts: Record<string, number>; notes: string[]; approximate: number }): Promise<void> {
  const q = loose(db);
  await q.deleteFrom('directory_import_digest').where('source', '=', source).execute();
  await q
    .insertInto('directory_import_digest')
    .values({ source, digest, import_id: importId, started_at: startedAt, seen: await writesAround(db, source, startedAt), format: found.format, found: found.found, counts: JSON.stringify(found.counts), notes: JSON.stringify(found.notes), approximate: found.approximate })
    .execute();
}
