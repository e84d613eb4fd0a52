import type { Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { indexDocuments, clearIndex } from '../../platform/db/search.ts';
import { TABLES, TABLE_NAMES, readRow, tableOf, type Row, type TableName } from './model.ts';

export const SEARCH_INDEX = 'directory_service_search';

/** Rows of a table whose `col` is one of `ids`, in chunks that both engines accept. */
export async function rowsWhereIn(db: Db, table: TableName, col: string, ids: readonly string[]): Promise<Row[]> {
  const out: Row[] = [];
  const unique = [...new Set(ids.filter(Boolean))];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db.selectFrom(tableOf(table)).selectAll().where(col, 'in', chunk).execute();
    for (const r of rows) out.push(readRow(table, r as Row));
  }
  // A stable order (by id) keeps nested lists, and so exports, the same whatever order rows were written in.
  return out.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
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

export async function allRows(db: Db, table: TableName): Promise<Row[]> {
  const rows = await db.selectFrom(tableOf(table)).selectAll().orderBy('id').execute();
  return rows.map((r) => readRow(table, r as Row));
}

export async function count(db: Db, table: TableName): Promise<number> {
  const r = await db.selectFrom(tableOf(table)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Inserts or replaces rows by id. */
export async function upsertRows(db: Db, table: TableName, rows: Row[], progress?: (done: number) => void): Promise<void> {
  const cols = Object.keys(TABLES[table].columns);
  const size = Math.max(1, Math.floor(800 / cols.length));
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    await db.deleteFrom(tableOf(table)).where('id', 'in', chunk.map((r) => r.id as string)).execute();
    await db
      .insertInto(tableOf(table))
      .values(chunk.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? (c === 'confidential' || c === 'coordinates_approximate' ? false : null)]))))
      .execute();
    progress?.(Math.min(rows.length, i + size));
  }
}

/** Search text of services: names weigh more than descriptions, taxonomy terms, organisation and languages. */
export async function reindexServices(db: Db, serviceIds: string[] | 'all'): Promise<number> {
  if (serviceIds === 'all') await clearIndex(db, SEARCH_INDEX);
  const services = serviceIds === 'all' ? await allRows(db, 'service') : await rowsWhereIn(db, 'service', 'id', serviceIds);
  let done = 0;
  for (let i = 0; i < services.length; i += 500) {
    const chunk = services.slice(i, i + 500);
    const ids = chunk.map((s) => s.id as string);
    const orgs = new Map((await rowsWhereIn(db, 'organization', 'id', chunk.map((s) => s.organization_id as string))).map((o) => [o.id, o]));
    const attrs = await rowsWhereIn(db, 'attribute', 'link_id', ids);
    const terms = new Map((await rowsWhereIn(db, 'taxonomy_term', 'id', attrs.map((a) => a.taxonomy_term_id as string))).map((t) => [t.id, t]));
    const langs = await rowsWhereIn(db, 'language', 'service_id', ids);
    const docs = chunk.map((s) => {
      const org = orgs.get(s.organization_id as string);
      const termNames = attrs.filter((a) => a.link_id === s.id).map((a) => terms.get(a.taxonomy_term_id as string)?.name ?? '');
      const languages = langs.filter((l) => l.service_id === s.id).map((l) => l.name ?? '');
      return {
        id: s.id as string,
        title: [s.name, s.alternate_name].filter(Boolean).join(' '),
        body: [s.description, s.eligibility_description, s.interpretation_services, termNames.join(' '), org?.name, languages.join(' ')].filter(Boolean).join(' \n '),
      };
    });
    await indexDocuments(db, SEARCH_INDEX, docs);
    done += docs.length;
  }
  return done;
}

export type { DatabaseKind };
export { TABLE_NAMES };
