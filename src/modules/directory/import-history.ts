/**
 * The history of directory imports (issue 12 item 4): one entry per import that wrote (or found nothing to write),
 * with what it found, what it changed and every row it quarantined or warned about; and one per refused import
 * (strict refusal, unreadable publication, nothing valid), with why and every refused row, so that failed runs are
 * seen too. A refused import writes nothing in the directory: its entry is written on its own afterwards.
 */
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { bool, newId, type Db } from '../../platform/db/index.ts';
import { insertMany } from '../../platform/db/bulk.ts';
import { toCsv } from '../../platform/http/csv.ts';
import type { Refusal } from './validate.ts';
import { groupFindings, type FindingGroup } from './import.ts';
import { reasonIn } from './import-reasons.ts';
import type { Lang } from '../../platform/web/i18n.ts';

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
  outcome: 'imported' | 'refused';
  /** Why a refused import was refused; null for one that went in. */
  refused: RefusedBecause | null;
  /** The first refusal, as a sentence (with how many more); null for an import that went in. */
  reason: string | null;
}

export const REFUSED_BECAUSE = ['strict', 'unreadable', 'nothing_valid'] as const;
export type RefusedBecause = (typeof REFUSED_BECAUSE)[number];

export interface ImportDetail extends ImportEntry {
  quarantine: FindingGroup[];
  warning: FindingGroup[];
  refusal: FindingGroup[];
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

const sentence = (f: Refusal) => (f.row > 0 ? `${f.file} row ${f.row}, ${f.field}: ${f.reason}` : `${f.file}: ${f.reason}`);

/**
 * Records a refused import on its own (the import's transaction wrote nothing): why, the first refusal (an unreadable
 * one first) as its reason, and every refused row as a finding. Answers the entry's id.
 */
export async function recordRefusal(ctx: Ctx, r: { source: string | null; format: string; found: string; partial: boolean; because: RefusedBecause; refusals: readonly Refusal[] }, unreadable: (f: Refusal) => boolean): Promise<string> {
  const first = r.refusals.find(unreadable) ?? r.refusals[0];
  const reason = first ? sentence(first) + (r.refusals.length > 1 ? ` (and ${r.refusals.length - 1} more)` : '') : r.because;
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const id = newId();
    await loose(trx)
      .insertInto('directory_import')
      .values({ id, source: r.source, actor_id: ctx.actor?.id ?? null, actor_name: ctx.actor?.name ?? ctx.system ?? 'system', imported_at: new Date().toISOString(), format: r.format, found: r.found, partial: ctx.dbKind === 'postgresql' ? r.partial : Number(r.partial), added: 0, changed: 0, unchanged: 0, removed: 0, quarantined: r.refusals.length, warnings: 0, refused: r.because, reason })
      .execute();
    let seq = 0;
    if (r.refusals.length) await insertMany(trx, 'directory_import_finding', ['import_id', 'seq', 'kind', 'file', 'row', 'field', 'reason'], r.refusals.map((f) => [id, ++seq, 'refused', f.file, f.row, f.field, f.reason]));
    await audit({ action: 'directory.import.refused', entityType: 'directory', entityId: id, summary: { source: r.source, format: r.format, found: r.found, refused: r.because, rows: r.refusals.length, reason } });
    return id;
  });
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
  return { id: String(r.id), source: r.source === null ? null : String(r.source), actor: String(r.actor_name), imported_at: String(r.imported_at), format: String(r.format), found: String(r.found), partial: bool(r.partial), added: Number(r.added), changed: Number(r.changed), unchanged: Number(r.unchanged), removed: Number(r.removed), quarantined: Number(r.quarantined), warnings: Number(r.warnings), outcome: r.refused ? 'refused' : 'imported', refused: (r.refused as RefusedBecause | null) ?? null, reason: (r.reason as string | null) ?? null };
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
  return { ...entryOf(row), quarantine: groupFindings(all.filter((f) => f.kind === 'quarantined')), warning: groupFindings(all.filter((f) => f.kind === 'warning')), refusal: groupFindings(all.filter((f) => f.kind === 'refused')) };
}

/**
 * Every quarantined row and warning of an import, as CSV, the reasons in the reader's language (the columns and
 * kinds as they are, for programs); null when there is no such import.
 */
export async function findingsCsvOf(db: Db, id: string, lang: Lang = 'en'): Promise<string | null> {
  const row = await loose(db).selectFrom('directory_import').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const all = await findingsOf(db, id);
  return toCsv(['kind', 'file', 'row', 'field', 'reason'], all.map((f) => [f.kind, f.file, f.row, f.field, reasonIn(lang, f.reason)]));
}
