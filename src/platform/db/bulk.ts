/**
 * Bulk writes for imports. Kysely builds and transforms one node per value, which costs microseconds per value and
 * dominated imports of hundreds of thousands of rows; here one multi-row statement text is written per chunk and
 * the values are bound as they are. The statement is the same on both engines except for placeholders and
 * booleans, which SQLite stores as 0/1.
 */
import { CompiledQuery, SqliteAdapter } from 'kysely';
import type { Db } from './index.ts';

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

// Both engines take far more (SQLite 32,766, PostgreSQL 65,535); beyond a few thousand values nothing is gained.
const MAX_PARAMS = 8000;

function checkName(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`bad identifier ${name}`);
  return name;
}

/**
 * Inserts `rows` (values in `columns` order) into `table`, replacing any row with the same `key`: the rows end up
 * exactly as given, as a delete followed by an insert would leave them. `progress` gets the count written so far.
 */
export async function upsertMany(db: Db, table: string, columns: string[], key: string, rows: unknown[][], progress?: (done: number) => void): Promise<void> {
  checkName(table);
  columns.forEach(checkName);
  checkName(key);
  if (!columns.includes(key)) throw new Error(`upsertMany: ${key} is not among the columns`);
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const updates = columns.filter((c) => c !== key).map((c) => `"${c}" = excluded."${c}"`);
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  const tail = updates.length ? ` on conflict ("${key}") do update set ${updates.join(', ')}` : ` on conflict ("${key}") do nothing`;
  const statements = new Map<number, string>();
  const statement = (n: number) => {
    let s = statements.get(n);
    if (s) return s;
    const groups: string[] = [];
    let p = 1;
    for (let r = 0; r < n; r++) {
      const marks: string[] = [];
      for (let c = 0; c < columns.length; c++) marks.push(sqlite ? '?' : `$${p++}`);
      groups.push(`(${marks.join(', ')})`);
    }
    s = head + groups.join(', ') + tail;
    statements.set(n, s);
    return s;
  };
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    const params: unknown[] = [];
    for (const row of chunk) {
      if (row.length !== columns.length) throw new Error(`upsertMany: a row of ${table} has ${row.length} values for ${columns.length} columns`);
      for (const v of row) params.push(sqlite && typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);
    }
    await db.executeQuery(CompiledQuery.raw(statement(chunk.length), params));
    progress?.(Math.min(rows.length, i + perChunk));
  }
}

/**
 * Brings the planner's statistics up to date after a bulk load. PostgreSQL plans from sampled statistics that
 * autovacuum refreshes only after a while: right after an import of hundreds of thousands of rows it drove a filtered
 * search from the wrong table (ten times slower). SQLite plans without statistics unless ANALYZE has been run once,
 * and running it would change every plan in the module that the tests were written against, so it is left alone.
 */
export async function refreshStatistics(db: Db, tables: string[]): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const t of tables) await db.executeQuery(CompiledQuery.raw(`analyze "${checkName(t)}"`, []));
}
