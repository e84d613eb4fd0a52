/**
 * Bulk writes for imports. Kysely builds and transforms one node per value, which costs microseconds per value and
 * dominated imports of hundreds of thousands of rows; here the statement text is written once and the values are
 * bound as they are. On PostgreSQL one multi-row statement is sent per chunk. On SQLite, where a statement costs no
 * round trip, one single-row statement prepared once per connection is run for each row through the better-sqlite3
 * connection itself: twice as fast as multi-row statements, which SQLite parses and plans on every call. Booleans are
 * bound as 0/1 there, as SQLite stores them.
 */
import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter } from 'kysely';
import { exclusively, sqliteConnection, type Db } from './index.ts';

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

// Both engines take far more (SQLite 32,766, PostgreSQL 65,535); beyond a few thousand values nothing is gained.
const MAX_PARAMS = 8000;

function checkName(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`bad identifier ${name}`);
  return name;
}

/**
 * A function, compiled once, that puts a row object's values for `columns`, in that order, into the array it is given
 * (the `values` of Rows): each property is read by a name written in its code, where a name held in a variable made
 * every read a lookup by name. A value absent or null is `absent(column)`: null, or false for a flag.
 */
export function valuesInto<T>(columns: readonly string[], absent: (column: string) => 'null' | 'false' = () => 'null'): (row: T, into: unknown[]) => void {
  columns.forEach(checkName);
  return new Function('r', 'v', columns.map((c, i) => `v[${i}] = r.${c} ?? ${absent(c)};`).join('\n')) as (row: T, into: unknown[]) => void;
}

/**
 * Inserts `rows` (values in `columns` order) into `table`, replacing any row with the same `key`: the rows end up
 * exactly as given, as a delete followed by an insert would leave them. `progress` gets the count written so far.
 */
export async function upsertMany<T>(db: Db, table: string, columns: string[], key: string, rows: Rows<T>, progress?: (done: number) => void): Promise<void> {
  checkName(key);
  if (!columns.includes(key)) throw new Error(`upsertMany: ${key} is not among the columns`);
  const updates = columns.filter((c) => c !== key).map((c) => `"${checkName(c)}" = excluded."${c}"`);
  const tail = updates.length ? ` on conflict ("${key}") do update set ${updates.join(', ')}` : ` on conflict ("${key}") do nothing`;
  await writeMany(db, table, columns, tail, rows, progress);
}

/** Inserts `rows` (values in `columns` order) into `table`, as upsertMany does but without replacing anything. */
export async function insertMany<T>(db: Db, table: string, columns: string[], rows: Rows<T>, progress?: (done: number) => void): Promise<void> {
  await writeMany(db, table, columns, '', rows, progress);
}

/**
 * Rows to write: arrays of values in the columns' order, or objects with a function that puts an object's values, in
 * that order, into the array it is given. The second writes without an array per row: an import writes hundreds of
 * thousands of rows, and the arrays made only to be read once were a share of its garbage collection.
 */
export type Rows<T> = unknown[][] | { rows: readonly T[]; values: (row: T, into: unknown[]) => void };

async function writeMany<T>(db: Db, table: string, columns: string[], tail: string, given: Rows<T>, progress?: (done: number) => void): Promise<void> {
  const source = Array.isArray(given) ? null : given;
  const rows: readonly unknown[] = source ? source.rows : (given as unknown[][]);
  checkName(table);
  columns.forEach(checkName);
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const checkRow = (row: unknown[]) => {
    if (row.length !== columns.length) throw new Error(`bulk write: a row of ${table} has ${row.length} values for ${columns.length} columns`);
  };
  const sqlite = sqliteConnection(db);
  if (sqlite) {
    const write = () => {
      const statement = prepared(sqlite, `${head}(${columns.map(() => '?').join(', ')})${tail}`);
      const values: unknown[] = new Array(columns.length);
      for (let i = 0; i < rows.length; i++) {
        if (source) {
          values.fill(undefined);
          source.values(rows[i] as T, values);
          checkRow(values);
          for (let c = 0; c < values.length; c++) {
            const v = values[c];
            if (typeof v === 'boolean') values[c] = v ? 1 : 0;
            else if (v === undefined) values[c] = null;
          }
        } else {
          const row = rows[i] as unknown[];
          checkRow(row);
          for (let c = 0; c < row.length; c++) {
            const v = row[c];
            values[c] = typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v;
          }
        }
        statement.run(values);
        if ((i + 1) % perChunk === 0 || i + 1 === rows.length) progress?.(i + 1);
      }
    };
    // The connection is Kysely's: inside a transaction this caller holds it; otherwise it is taken for the writes.
    if (db.isTransaction) write();
    else await exclusively(db, write);
    return;
  }
  const statements = new Map<number, string>();
  const statement = (n: number) => {
    let s = statements.get(n);
    if (s) return s;
    const groups: string[] = [];
    let p = 1;
    for (let r = 0; r < n; r++) {
      const marks: string[] = [];
      for (let c = 0; c < columns.length; c++) marks.push(`$${p++}`);
      groups.push(`(${marks.join(', ')})`);
    }
    s = head + groups.join(', ') + tail;
    statements.set(n, s);
    return s;
  };
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const params: unknown[] = [];
    for (const r of chunk) {
      let row = r as unknown[];
      if (source) source.values(r as T, (row = new Array(columns.length)));
      checkRow(row);
      for (const v of row) params.push(v === undefined ? null : v);
    }
    await db.executeQuery(CompiledQuery.raw(statement(chunk.length), params));
    progress?.(Math.min(rows.length, i + perChunk));
  }
}

/**
 * Deletes the rows of `table` whose `column` is one of `values`. On SQLite one prepared single-value delete runs per
 * value: a DELETE with a long IN list took fifteen times as long on a table with several indexes.
 */
export async function deleteMany(db: Db, table: string, column: string, values: readonly unknown[]): Promise<void> {
  checkName(table);
  checkName(column);
  if (!values.length) return;
  const sqlite = sqliteConnection(db);
  if (sqlite) {
    const write = () => {
      const statement = prepared(sqlite, `delete from "${table}" where "${column}" = ?`);
      for (const v of values) statement.run(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    };
    if (db.isTransaction) write();
    else await exclusively(db, write);
    return;
  }
  for (let i = 0; i < values.length; i += MAX_PARAMS) {
    const chunk = values.slice(i, i + MAX_PARAMS);
    await db.executeQuery(CompiledQuery.raw(`delete from "${table}" where "${column}" in (${chunk.map((_, j) => `$${j + 1}`).join(', ')})`, [...chunk]));
  }
}

// Prepared statements by connection and text. A statement stays valid when the schema changes (SQLite prepares it
// again on its next run), and goes with its connection.
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(sqlite: Database.Database, text: string): Database.Statement {
  let byText = statementCache.get(sqlite);
  if (!byText) statementCache.set(sqlite, (byText = new Map()));
  let statement = byText.get(text);
  if (!statement) byText.set(text, (statement = sqlite.prepare(text)));
  return statement;
}

/**
 * Brings the planner's statistics up to date after a bulk load. PostgreSQL plans from sampled statistics that
 * autovacuum refreshes only after a while: right after an import of hundreds of thousands of rows it drove a filtered
 * search from the wrong table (ten times slower). SQLite plans without statistics unless ANALYZE has been run once,
 * and running it would change every plan in the module that the tests were written against, so it is left alone.
 * On PostgreSQL the GIN (full-text) indexes of the tables also take in their pending entries: rows written since
 * are kept in an unordered list that every search through the index reads in full, and only VACUUM or autovacuum's
 * analyze (not this one) empties it. Right after generating 100,000 services, counting the matches of "job" took
 * 118 ms in the index instead of 6.
 */
export async function refreshStatistics(db: Db, tables: string[]): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const t of tables) {
    await db.executeQuery(CompiledQuery.raw(`analyze "${checkName(t)}"`, []));
    await db.executeQuery(
      CompiledQuery.raw(
        `select gin_clean_pending_list(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam where i.indrelid = to_regclass($1) and a.amname = 'gin'`,
        [t],
      ),
    );
  }
}

export interface SecondaryIndex {
  name: string;
  /** The statement that creates it, as the database keeps it (sqlite_master.sql, pg_indexes.indexdef). */
  definition: string;
}

/**
 * A table's secondary indexes: every index but those of its primary key and of unique constraints or unique
 * indexes, which guard the data (and an upsert's conflict target) and so stay in place during a load.
 */
export async function secondaryIndexes(db: Db, table: string): Promise<SecondaryIndex[]> {
  checkName(table);
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    // Indexes SQLite makes for PRIMARY KEY and UNIQUE constraints have no sql.
    const r = await db.executeQuery<{ name: string; sql: string }>(CompiledQuery.raw(`select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null order by name`, [table]));
    return r.rows.filter((i) => !/^\s*create\s+unique\s/i.test(i.sql)).map((i) => ({ name: i.name, definition: i.sql }));
  }
  const r = await db.executeQuery<{ name: string; definition: string }>(
    CompiledQuery.raw(
      `select i.indexname as name, i.indexdef as definition
         from pg_indexes i
         join pg_namespace n on n.nspname = i.schemaname
         join pg_class c on c.relname = i.indexname and c.relnamespace = n.oid
         join pg_index x on x.indexrelid = c.oid
        where i.schemaname = current_schema() and i.tablename = $1 and not x.indisunique and not x.indisprimary
          and not exists (select 1 from pg_constraint k where k.conindid = c.oid)
        order by i.indexname`,
      [table],
    ),
  );
  return r.rows;
}

/**
 * The tables, of those about to receive `rows[table]` rows, worth loading without their secondary indexes: those
 * getting more rows than they hold (and at least `minRows`), where building each index once afterwards costs less
 * than updating it row by row. Counting stops once a table is known to hold enough rows.
 */
export async function tablesForBulkLoad(db: Db, rows: Record<string, number>, minRows = 1000): Promise<string[]> {
  const out: string[] = [];
  for (const [table, n] of Object.entries(rows)) {
    if (n < minRows) continue;
    checkName(table);
    const r = await db.executeQuery<{ n: number | string }>(CompiledQuery.raw(`select count(*) as n from (select 1 from "${table}" limit ${Math.floor(n)}) as held`, []));
    if (Number(r.rows[0]?.n ?? 0) < n) out.push(table);
  }
  return out;
}

/**
 * Inserts rows (insertMany); inside a transaction, a load larger than what the table holds goes in without the
 * table's secondary indexes, built again after (tablesForBulkLoad, withoutSecondaryIndexes).
 */
export async function insertManyLoading<T>(db: Db, table: string, columns: string[], rows: Rows<T>): Promise<void> {
  const write = () => insertMany(db, table, columns, rows);
  const n = Array.isArray(rows) ? rows.length : rows.rows.length;
  const bulk = n && db.isTransaction ? await tablesForBulkLoad(db, { [table]: n }) : [];
  if (bulk.length) await withoutSecondaryIndexes(db, bulk, write);
  else await write();
}

/**
 * Runs `write` with the secondary indexes of `tables` dropped, then creates them again from their saved
 * definitions: for bulk loads, where one index build is much cheaper than maintaining the index row by row. Must
 * run inside a transaction, so that a failed load leaves every index as it was (both engines roll back DDL); if
 * `write` throws, nothing is recreated here, the rollback restores them. Other tables (full-text indexes included)
 * are not touched. On PostgreSQL dropping an index locks its table until the transaction ends, so readers of these
 * tables wait for the load.
 */
export async function withoutSecondaryIndexes<T>(db: Db, tables: string[], write: () => Promise<T>): Promise<T> {
  if (!db.isTransaction) throw new Error('withoutSecondaryIndexes must run inside a transaction');
  const saved: SecondaryIndex[] = [];
  for (const table of tables) saved.push(...(await secondaryIndexes(db, table)));
  for (const i of saved) await db.executeQuery(CompiledQuery.raw(`drop index "${i.name.replace(/"/g, '""')}"`, []));
  const result = await write();
  for (const i of saved) await db.executeQuery(CompiledQuery.raw(i.definition, []));
  return result;
}
