/**
 * The history of directory imports (issue 12 item 4): one entry per import that wrote (or found nothing to write),
 * with what it found, what it changed and every row it quarantined or warned about. Refused imports change nothing,
 * this history included; the command line reports them.
 */
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { bool, newId, type Db } from '../../platform/db/index.ts';
import { insertMany } from '../../platform/db/bulk.ts';
import { toCsv } from '../../platform/http/csv.ts';
import type { Refusal } from './validate.ts';
import { groupFindings, type FindingGroup } from './import.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

export interface ImportEntry {
  id: string;
  source: string | null;
  actor: string;
  imported_at: string;
  format: string;
  found: string;
  partial: boolean;
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  quarantined: number;
  warnings: number;
}

export interface ImportDetail extends ImportEntry {
  quarantine: FindingGroup[];
  warning: FindingGroup[];
}

export interface Recorded {
  source: string | null;
  format: string;
  found: string;
  partial: boolean;
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  quarantined: Refusal[];
  warnings: Refusal[];
}

/** Records an import inside its transaction; returns the entry's id. */
export async function recordImport(db: Db, ctx: Ctx, r: Recorded, at: string): Promise<string> {
  const id = newId();
  await loose(db)
    .insertInto('directory_import')
    .values({ id, source: r.source, actor_id: ctx.actor?.id ?? null, actor_name: ctx.actor?.name ?? ctx.system ?? 'system', imported_at: at, format: r.format, found: r.found, partial: ctx.dbKind === 'postgresql' ? r.partial : Number(r.partial), added: r.added, changed: r.changed, unchanged: r.unchanged, removed: r.removed, quarantined: r.quarantined.length, warnings: r.warnings.length })
    .execute();
  let seq = 0;
  const rows = [...r.quarantined.map((f) => [id, ++seq, 'quarantined', f.file, f.row, f.field, f.reason]), ...r.warnings.map((f) => [id, ++seq, 'warning', f.file, f.row, f.field, f.reason])];
  if (rows.length) await insertMany(db, 'directory_import_finding', ['import_id', 'seq', 'kind', 'file', 'row', 'field', 'reason'], rows);
  return id;
}

function entryOf(r: Record<string, unknown>): ImportEntry {
  return { id: String(r.id), source: r.source === null ? null : String(r.source), actor: String(r.actor_name), imported_at: String(r.imported_at), format: String(r.format), found: String(r.found), partial: bool(r.partial), added: Number(r.added), changed: Number(r.changed), unchanged: Number(r.unchanged), removed: Number(r.removed), quarantined: Number(r.quarantined), warnings: Number(r.warnings) };
}

/** Imports, newest first. */
export async function listImports(db: Db, limit: number, offset: number): Promise<{ items: ImportEntry[]; total: number }> {
  const q = loose(db);
  const rows = await q.selectFrom('directory_import').selectAll().orderBy('imported_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  const n = await q.selectFrom('directory_import').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return { items: rows.map(entryOf), total: Number(n?.n ?? 0) };
}

async function findingsOf(db: Db, id: string, kind?: string): Promise<(Refusal & { kind: string })[]> {
  let q = loose(db).selectFrom('directory_import_finding').select(['kind', 'file', 'row', 'field', 'reason']).where('import_id', '=', id);
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('seq').execute();
  return rows.map((r) => ({ kind: String(r.kind), file: String(r.file), row: Number(r.row), field: String(r.field), reason: String(r.reason) }));
}

/** One import with its findings grouped by reason (three examples each); null when there is none. */
export async function importDetail(db: Db, id: string): Promise<ImportDetail | null> {
  const row = await loose(db).selectFrom('directory_import').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const all = await findingsOf(db, id);
  return { ...entryOf(row), quarantine: groupFindings(all.filter((f) => f.kind === 'quarantined')), warning: groupFindings(all.filter((f) => f.kind === 'warning')) };
}

/** Every quarantined row and warning of an import, as CSV; null when there is no such import. */
export async function findingsCsvOf(db: Db, id: string): Promise<string | null> {
  const row = await loose(db).selectFrom('directory_import').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const all = await findingsOf(db, id);
  return toCsv(['kind', 'file', 'row', 'field', 'reason'], all.map((f) => [f.kind, f.file, f.row, f.field, f.reason]));
}
