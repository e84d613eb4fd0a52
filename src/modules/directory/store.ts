import { reusedQuery, type Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { indexDocuments, clearIndex, removeDocuments } from '../../platform/db/search.ts';
import { standsForAnother } from './federation-match.ts';
import { upsertMany, valuesInto } from '../../platform/db/bulk.ts';
import { TABLES, TABLE_NAMES, readRow, tableOf, type Row, type TableName } from './model.ts';
import { directoryDb, type HsdsRow } from './tables.ts';
import { clearSummary, updateSummary, writeSummaryCounts } from './summary.ts';
import { directoryChanged } from './search-cache.ts';
import { SEARCH_INDEX, SEARCH_POINTS, addSearchPoints, groupBy, importedSearchInputs, readSearchInputs, replaceSearchPoints, searchPointRows, type ImportedServices, type SearchInputs, type SearchPointRow } from './search-points.ts';

export { SEARCH_INDEX };

/** Rows of a table whose `col` is one of `ids` (nulls ignored), in chunks that both engines accept. */
export async function rowsWhereIn<N extends TableName>(db: Db, table: N, col: string, ids: readonly (string | null)[]): Promise<HsdsRow<N>[]> {
  const out: Row[] = [];
  const unique = [...new Set(ids.filter(Boolean))];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    // One statement per table, column and chunk length, compiled once (platform reusedQuery).
    const rows = await reusedQuery(db, `rowsWhereIn ${table}.${col}`, chunk, (d) => d.selectFrom(tableOf(table)).selectAll().where(col, 'in', chunk));
    for (const r of rows) out.push(readRow(table, r as Row));
  }
  // A stable order (by id) keeps nested lists, and so exports, the same whatever order rows were written in.
  // readRow gives each column of the table's plan its value kind, which is what HsdsRow says.
  return out.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0)) as HsdsRow<N>[];
}

export async function existingIds(db: Db, table: TableName, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom(tableOf(table)).select('id').where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) out.add(String(r.id));
  }
  return out;
}

export async function allRows<N extends TableName>(db: Db, table: N): Promise<HsdsRow<N>[]> {
  const rows = await db.selectFrom(tableOf(table)).selectAll().orderBy('id').execute();
  return rows.map((r) => readRow(table, r as Row) as HsdsRow<N>);
}

export async function count(db: Db, table: TableName): Promise<number> {
  const r = await db.selectFrom(tableOf(table)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Inserts or replaces rows by id. */
export async function upsertRows(db: Db, table: TableName, rows: Row[], progress?: (done: number) => void): Promise<void> {
  await upsertMany(db, tableOf(table), Object.keys(TABLES[table].columns), 'id', { rows, values: valuesOf(table) }, progress);
}

/**
 * Puts a table's row into `into` as the values of its columns, in order (a missing flag false, any other missing
 * value null), for the bulk writer, which reuses one array for every row. Compiled once per table into one
 * assignment per column: an import turns hundreds of thousands of rows into values, and looking each column up by a
 * name held in a variable took two and a half times as long.
 */
const VALUES = new Map<TableName, (r: Row, into: unknown[]) => void>();
function valuesOf(table: TableName): (r: Row, into: unknown[]) => void {
  let f = VALUES.get(table);
  if (!f) {
    const columns = TABLES[table].columns;
    f = valuesInto<Row>(Object.keys(columns), (c) => (columns[c].startsWith('bool') ? 'false' : 'null'));
    VALUES.set(table, f);
  }
  return f;
}

/**
 * What search reads of services: their text (names weigh more than descriptions, taxonomy terms, organisation and
 * languages), their search points (search-points.ts) and the directory's precomputed figures (summary.ts); and
 * marks the directory changed, so that no search answer kept from before is used again (search-cache.ts).
 * `imported`: an import's rows and the services it added, whose inputs are made from those rows rather than read
 * back (importedSearchInputs); the others are read.
 */
export async function reindexServices(db: Db, serviceIds: string[] | 'all', imported?: ImportedServices): Promise<number> {
  if (serviceIds === 'all') {
    await clearIndex(db, SEARCH_INDEX);
    await db.deleteFrom(SEARCH_POINTS).execute();
    await clearSummary(db);
  }
  const ids = serviceIds === 'all' ? (await directoryDb(db).selectFrom('directory_service').select('id').orderBy('id').execute()).map((r) => r.id) : [...new Set(serviceIds.filter(Boolean))];
  const fromImport = imported?.added.size ? importedSearchInputs(db, imported) : null;
  // A service new to the directory has no document, points or summary membership to replace.
  const isNew = (id: string) => !!imported?.added.has(id);
  const counts = new Map<string, number>();
  // A service matched with one from another source seen first is found through that one only (federation).
  const hiddenAll = await standsForAnother(db, ids);
  // The search points of new services, written together at the end (addSearchPoints).
  const newPoints: SearchPointRow[] = [];
  let done = 0;
  const index = async (chunk: string[], input: SearchInputs, added: boolean) => {
    const hidden = hiddenAll.size ? chunk.filter((id) => hiddenAll.has(id)) : [];
    if (hidden.length) {
      input.services = input.services.filter((s) => !hiddenAll.has(String(s.id)));
      await removeDocuments(db, SEARCH_INDEX, hidden);
    }
    const text = (r: Record<string, unknown>, name: string) => (r[name] === null || r[name] === undefined ? '' : String(r[name]));
    // Attributes whose term is not in the directory add no words.
    const named = (a: Record<string, unknown>) => a.term_id !== null && a.term_id !== undefined;
    // Grouped by service: as the import's inputs come already (importedSearchInputs), else here.
    const termsOf = new Map<string, string[]>();
    for (const [id, list] of input.grouped?.attributes ?? groupBy(input.attributes, 'link_id')) {
      const words = list.filter(named).map((a) => text(a, 'term_name'));
      if (words.length) termsOf.set(id, words);
    }
    const langsOf = new Map<string, string[]>();
    for (const [id, list] of input.grouped?.languages ?? groupBy(input.languages, 'service_id')) langsOf.set(id, list.map((l) => text(l, 'name')));
    // A defunct service, which search never finds, has no document: a text search then counts its matches from the
    // index alone, without reading each one's service row (search.ts).
    const defunct = added ? [] : input.services.filter((s) => s.status === 'defunct').map((s) => String(s.id));
    if (defunct.length) await removeDocuments(db, SEARCH_INDEX, defunct);
    const docs = input.services.filter((s) => s.status !== 'defunct').map((s) => {
      const id = String(s.id);
      return {
        id,
        title: [s.name, s.alternate_name].filter(Boolean).join(' '),
        body: [s.description, s.eligibility_description, s.interpretation_services, (termsOf.get(id) ?? []).join(' '), s.organization_name, (langsOf.get(id) ?? []).join(' ')].filter(Boolean).join(' \n '),
      };
    });
    const keys = await indexDocuments(db, SEARCH_INDEX, docs, added ? () => true : undefined);
    const points = searchPointRows(input, keys);
    if (added) for (const p of points) newPoints.push(p);
    else await replaceSearchPoints(db, chunk, points);
    await updateSummary(db, added ? [] : chunk, input, counts);
    done += docs.length;
  };
  // Services stored before: read, in chunks of 500 (one query per table each). Only the columns that make up the
  // text and the points, read once for both: this runs over every service of an import.
  const stored = fromImport ? ids.filter((id) => !isNew(id)) : ids;
  for (let i = 0; i < stored.length; i += 500) {
    const chunk = stored.slice(i, i + 500);
    await index(chunk, await readSearchInputs(db, chunk), false);
  }
  // Services the import added: made from its rows, in larger chunks (nothing is read but the records they name that
  // the import does not carry).
  const added = fromImport ? ids.filter(isNew) : [];
  for (let i = 0; i < added.length; i += 5000) {
    const chunk = added.slice(i, i + 5000);
    await index(chunk, await fromImport!(chunk), true);
  }
  await addSearchPoints(db, newPoints);
  await writeSummaryCounts(db, counts);
  // Last, so that PostgreSQL holds the version's row for as short a time as can be (search-cache.ts).
  await directoryChanged(db);
  return done;
}

export type { DatabaseKind };
export { TABLE_NAMES };

export const today = () => new Date().toISOString().slice(0, 10);

/** The date twelve months before `day`: services last verified before it are overdue. */
export function overdueBefore(day = today(), months = 12): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
}

export interface Unverified {
  id: string;
  name: string;
  organization: string | null;
  assured_date: string | null;
}

/** Active services never verified, or verified more than twelve months ago; oldest first. */
export async function unverifiedServices(db: Db, limit: number, offset: number, day = today()): Promise<{ items: Unverified[]; total: number }> {
  const cutoff = overdueBefore(day);
  const base = directoryDb(db)
    .selectFrom('directory_service as s')
    .leftJoin('directory_organization as o', 'o.id', 's.organization_id')
    .where('s.status', '=', 'active')
    .where((e) => e.or([e('s.assured_date', 'is', null), e('s.assured_date', '<', cutoff)]));
  const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await base.select(['s.id', 's.name', 'o.name as organization', 's.assured_date']).orderBy('s.assured_date').orderBy('s.name').orderBy('s.id').limit(limit).offset(offset).execute();
  return { total, items: rows.map((r) => ({ id: r.id, name: r.name, organization: r.organization ?? null, assured_date: r.assured_date ? String(r.assured_date) : null })) };
}
