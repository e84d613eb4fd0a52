/**
 * Full-text search and geographic prefilters, the dialect-specific part of directory-style search.
 * SQLite uses an FTS5 table; PostgreSQL a plain table with a generated tsvector and a GIN index. Modules see only
 * the functions below, which speak in documents (an id and some text) and queries (groups of alternatives).
 */
import { sql, SqliteAdapter, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { DatabaseKind } from '../../config.ts';
import type { Db } from './index.ts';
import { insertMany } from './bulk.ts';
import { BoundedLru } from '../lru.ts';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

function checkName(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`bad search index name ${name}`);
  return name;
}

/** Creates a search index (for a migration). Documents are keyed by a UUID. */
export async function createSearchIndex(db: Db, kind: DatabaseKind, name: string): Promise<void> {
  checkName(name);
  if (kind === 'sqlite') {
    // Diacritics folded so that "educacion" finds "educación"; prefixes are matched at query time.
    await sql.raw(`create virtual table ${name} using fts5(doc_id unindexed, title, body, tokenize = 'unicode61 remove_diacritics 2')`).execute(db);
    await keySearchIndex(db, kind, name);
    return;
  }
  // Text is folded (lower case, no accents) before it is stored, so the 'simple' configuration suffices.
  await sql
    .raw(
      `create table ${name} (doc_id uuid primary key, title text not null, body text not null,
       tsv tsvector generated always as (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) stored)`,
    )
    .execute(db);
  await sql.raw(`create index ${name}_tsv on ${name} using gin (tsv)`).execute(db);
}

/**
 * FTS5 cannot look a row up by an unindexed column, so replacing one document scanned the whole index (imports
 * grew quadratically). On SQLite a plain table maps each document id to the FTS rowid; PostgreSQL's index is keyed
 * by doc_id already. Idempotent, for a migration that upgrades an existing index.
 */
export async function keySearchIndex(db: Db, kind: DatabaseKind, name: string): Promise<void> {
  checkName(name);
  if (kind !== 'sqlite') return;
  await sql.raw(`create table if not exists ${name}_ids (n integer primary key, doc_id text not null unique)`).execute(db);
  await sql.raw(`insert into ${name}_ids (n, doc_id) select rowid, doc_id from ${name} where rowid not in (select n from ${name}_ids)`).execute(db);
}

const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;

export interface SearchDocument {
  id: string;
  title: string;
  body: string;
}

/**
 * Replaces the indexed text of these documents. Returns their keys (see documentKeys): on SQLite each document's
 * row number in the index, on PostgreSQL none. `isNew` names documents the caller knows the index does not hold
 * (records it has just added): there is nothing of theirs to remove first.
 */
export async function indexDocuments(db: Db, name: string, docs: SearchDocument[], isNew?: (id: string) => boolean): Promise<Map<string, number>> {
  checkName(name);
  const sqlite = isSqlite(db);
  const out = new Map<string, number>();
  if (!docs.length) return out;
  indexChanged(name);
  const old = isNew ? docs.filter((d) => !isNew(d.id)) : docs;
  await removeDocuments(db, name, old.map((d) => d.id));
  if (!sqlite) {
    await insertMany(db, name, ['doc_id', 'title', 'body'], { rows: docs, values: (d, v) => ((v[0] = d.id), (v[1] = wordsText(d.title)), (v[2] = wordsText(d.body))) });
    return out;
  }
  // Keys numbered here, after the largest in use (as SQLite numbers a row given none), rather than read back
  // after the insert: one query instead of one per 500 documents. The writer holds the database meanwhile.
  const last = await db.selectFrom(`${name}_ids`).select((eb) => eb.fn.max('n').as('n')).executeTakeFirst();
  let key = Number(last?.n ?? 0);
  for (const d of docs) out.set(d.id, ++key);
  // Values put straight into the bulk writer's array, without an array per document.
  await insertMany(db, `${name}_ids`, ['n', 'doc_id'], { rows: docs, values: (d, v) => ((v[0] = out.get(d.id)), (v[1] = d.id)) });
  await insertMany(db, name, ['rowid', 'doc_id', 'title', 'body'], { rows: docs, values: (d, v) => ((v[0] = out.get(d.id)), (v[1] = d.id), (v[2] = foldText(d.title)), (v[3] = foldText(d.body))) });
  return out;
}

/**
 * The keys of these documents: on SQLite the row of each in the full-text index, which documentTexts reads with
 * one seek; on PostgreSQL, where documents are keyed by their id already, none.
 */
export async function documentKeys(db: Db, name: string, ids: readonly string[]): Promise<Map<string, number>> {
  checkName(name);
  const out = new Map<string, number>();
  if (!isSqlite(db)) return out;
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom(`${name}_ids`).select(['n', 'doc_id']).where('doc_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(String(r.doc_id), Number(r.n));
  }
  return out;
}

export async function removeDocuments(db: Db, name: string, ids: string[]): Promise<void> {
  checkName(name);
  if (ids.length) indexChanged(name);
  const sqlite = isSqlite(db);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (!sqlite) {
      await db.deleteFrom(name).where('doc_id', 'in', chunk).execute();
      continue;
    }
    await db.deleteFrom(name).where('rowid', 'in', db.selectFrom(`${name}_ids`).select('n').where('doc_id', 'in', chunk)).execute();
    await db.deleteFrom(`${name}_ids`).where('doc_id', 'in', chunk).execute();
  }
}

export async function clearIndex(db: Db, name: string): Promise<void> {
  await db.deleteFrom(checkName(name)).execute();
  indexChanged(name);
  if (isSqlite(db)) await db.deleteFrom(`${name}_ids`).execute();
}

/** Lower case, accents removed: both engines then see the same words. */
export function foldText(s: string): string {
  // Plain ASCII has no accents to remove (most text: the normalisation is then skipped).
  if (ASCII.test(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The text PostgreSQL's index stores: folded, and words joined by anything but letters and digits parted by a space,
 * as queryWords splits a query and SQLite's tokenizer splits a document. PostgreSQL's parser kept such joins whole:
 * "shelter-based" was indexed as itself besides "shelter" and "based" (the word matched "shelter:*" twice, each
 * counted by ts_rank in full, and lengthened the document), and "dv/family", "24/7" or "u.s" only whole ("family"
 * did not find "DV/Family Law").
 */
export function wordsText(s: string): string {
  const folded = foldText(s);
  return ASCII.test(folded) ? folded.replace(/[^a-z0-9]+/g, ' ') : folded.replace(/[^\p{L}\p{N}]+/gu, ' ');
}

/**
 * Rewrites PostgreSQL's stored text of an index as wordsText gives it (for a migration: text stored before it kept
 * joined words whole). A thousand documents at a time; only those that change are written. Nothing on SQLite.
 */
export async function respaceIndex(db: Db, name: string): Promise<number> {
  checkName(name);
  if (isSqlite(db)) return 0;
  let changed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.selectFrom(name).select(['doc_id', 'title', 'body']).where('doc_id', '>', after).orderBy('doc_id').limit(1000).execute();
    if (!rows.length) break;
    after = String(rows[rows.length - 1].doc_id);
    const redo = rows
      .map((r) => ({ id: String(r.doc_id), title: wordsText(String(r.title)), body: wordsText(String(r.body)), was: r }))
      .filter((r) => r.title !== r.was.title || r.body !== r.was.body);
    if (redo.length) {
      const values = sql.join(redo.map((r) => sql`(${r.id}::uuid, ${r.title}, ${r.body})`));
      await sql`update ${sql.table(name)} as t set title = v.title, body = v.body from (values ${values}) as v(id, title, body) where t.doc_id = v.id`.execute(db);
      changed += redo.length;
    }
  }
  if (changed) indexChanged(name);
  return changed;
}

/** Words of a query: letters and digits only, so nothing a user types can reach the query syntax. */
export function queryWords(text: string): string[] {
  return (foldText(text).match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length <= 40).slice(0, 12);
}

/**
 * A parsed query: every group must match (AND); a group matches when any of its alternatives does (OR); an
 * alternative is a list of words that must all appear (a phrase-like AND). The last word of each alternative is
 * matched as a prefix, so "employ" finds "employment". A group's first alternative is the words typed, the others
 * what they commonly mean (synonyms): PostgreSQL's rank weighs those less (tsRank).
 */
export type SearchQuery = string[][][];

function ftsExpression(q: SearchQuery): string {
  return q
    .map((group) => '(' + group.map((alt) => '(' + alt.map((w) => `"${w}"*`).join(' AND ') + ')').join(' OR ') + ')')
    .join(' AND ');
}

function tsExpression(q: SearchQuery): string {
  return q.map((group) => '(' + group.map((alt) => '(' + alt.map((w) => `${w}:*`).join(' & ') + ')').join(' | ') + ')').join(' & ');
}

function cleanQuery(q: SearchQuery): SearchQuery {
  return q
    .map((g) => g.map((alt) => alt.flatMap((w) => queryWords(w))).filter((alt) => alt.length > 0))
    .filter((g) => g.length > 0);
}

/**
 * A derived table `(doc_id, score)` of the documents matching the query, higher score first; join it to the
 * rows being searched. Returns null when the query has no words.
 */
export function searchMatches(kind: DatabaseKind, name: string, query: SearchQuery, stats?: RankStatistics): RawBuilder<{ doc_id: string; score: number }> | null {
  checkName(name);
  const q = cleanQuery(query);
  if (!q.length) return null;
  if (kind === 'sqlite') {
    return sql<{ doc_id: string; score: number }>`(select doc_id, ${bm25Score(name)} as score from ${sql.table(name)} where ${sql.table(name)} match ${ftsExpression(q)})`;
  }
  return sql<{ doc_id: string; score: number }>`(select doc_id, ${tsRank(name, q, stats)} as score from ${sql.table(name)} where tsv @@ to_tsquery('simple', ${tsExpression(q)}))`;
}

/**
 * What PostgreSQL's rank (tsRank) needs to know of the index besides the query: the inverse document frequency of
 * each alternative of the query, by the expression tsRank ranks it with. Counting them took one count through the
 * GIN index per alternative on every search (a text search of "job" at 20,000 services went from 46 to 68 ms);
 * rankStatistics keeps them per database and index, so an alternative is counted once until this process changes
 * the index (indexDocuments, removeDocuments, clearIndex) or FREQUENCY_TTL_MS passes (for another process's changes).
 */
export interface RankStatistics {
  idf: ReadonlyMap<string, number>;
  /**
   * At most how many documents match the query, by the counted frequencies (for each group the sum of its
   * alternatives', the least of the groups); Infinity when a count reached FREQUENCY_CAP. For choosing a plan only:
   * the counts may be FREQUENCY_TTL_MS old.
   */
  matchBound: number;
}

/** How long counted frequencies are kept when this process sees no change to the index (another process may make one). */
export const FREQUENCY_TTL_MS = 60_000;

interface Counted {
  n: number;
  df: Map<string, number>;
  at: number;
}
/** Per index name, per database (the Kysely instance searches run on): the counts so far. */
const counted = new Map<string, WeakMap<object, Counted>>();

/** Forgets the counted frequencies of an index: its documents changed (indexDocuments, removeDocuments, clearIndex). */
function indexChanged(name: string): void {
  counted.delete(name);
}

const idfOf = (n: number, df: number) => Math.max(Math.log((n + 1) / (df + 0.5)), 0.01);

/** The tsquery text of one alternative, as tsRank ranks it and rankStatistics counts it. */
const rankExpression = (alt: readonly string[]) => alt.map((w) => `${w}:*`).join(' & ');

/**
 * The statistics tsRank needs for this query, counted (in one query) only for the expressions not counted yet;
 * undefined on SQLite, whose bm25 keeps its own. The number of documents is the planner's estimate (a count of up
 * to 100,000 while there is none), each frequency a count of up to FREQUENCY_CAP documents.
 */
export async function rankStatistics(db: Db, name: string, query: SearchQuery): Promise<RankStatistics | undefined> {
  checkName(name);
  if (isSqlite(db)) return undefined;
  const q = cleanQuery(query);
  if (!q.length) return undefined;
  let byDb = counted.get(name);
  if (!byDb) counted.set(name, (byDb = new WeakMap()));
  const key = db as object;
  let entry = byDb.get(key);
  const now = Date.now();
  if (entry && now - entry.at > FREQUENCY_TTL_MS) entry = undefined;
  const exprs = [...new Set(q.flatMap((group) => group.map(rankExpression)))];
  const missing = exprs.filter((e) => !entry?.df.has(e));
  if (missing.length) {
    const table = sql.table(name);
    const n = entry ? sql.lit(entry.n) : sql`(select case when c.reltuples > 0 then c.reltuples::float8 else (select count(*) from (select 1 from ${table} limit 100000) as a)::float8 end from pg_class c where c.oid = to_regclass(${name}))`;
    const counts = missing.map((e, i) => sql`(select count(*) from (select 1 from ${table} where tsv @@ to_tsquery('simple', ${e}) limit ${sql.lit(FREQUENCY_CAP)}) as d)::float8 as ${sql.ref(`c${i}`)}`);
    const row = (await sql<Record<string, unknown>>`select ${n}::float8 as n, ${sql.join(counts)}`.execute(db)).rows[0] ?? {};
    if (!entry) {
      entry = { n: Number(row.n ?? 0), df: new Map(), at: now };
      // Only a cache that is still current is kept: a change to the index meanwhile forgot it.
      if (counted.get(name) === byDb) byDb.set(key, entry);
    }
    missing.forEach((e, i) => entry!.df.set(e, Number(row[`c${i}`] ?? 0)));
  }
  const df = (e: string) => entry!.df.get(e)!;
  const matchBound = Math.min(...q.map((group) => (group.some((alt) => df(rankExpression(alt)) >= FREQUENCY_CAP) ? Infinity : group.reduce((sum, alt) => sum + df(rankExpression(alt)), 0))));
  return { idf: new Map(exprs.map((e) => [e, idfOf(entry!.n, df(e))])), matchBound };
}

/** The lowest and highest of some numbers (a loop: spreading hundreds of thousands of arguments overflows the stack). */
function bounds(xs: readonly number[]): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const x of xs) {
    if (x < low) low = x;
    if (x > high) high = x;
  }
  return [low, high];
}

/**
 * SQLite: the condition matching the query among these row keys only. The match is walked between the lowest and
 * highest key, and the unary plus keeps the key test a filter on it rather than one match per key.
 */
function matchAtKeys(name: string, q: SearchQuery, keys: readonly number[]) {
  const [low, high] = bounds(keys);
  return sql`${sql.table(name)} match ${ftsExpression(q)} and rowid >= ${low} and rowid <= ${high} and +rowid in (select value from json_each(${JSON.stringify(keys)}))`;
}

/** SQLite's score of a match: bm25 is lower for better matches; title words weigh three times the body's. */
const bm25Score = (name: string) => sql<number>`-bm25(${sql.table(name)}, 0, 3.0, 1.0)`;

/**
 * At most `limit` of the documents matching the query, with their scores (as searchMatches scores them), for a
 * search matching too many to rank them all: taken from the index without ranking or reading every match, those
 * whose title has the words typed first (each group's first alternative), then those whose title has any of the
 * query's words, then the others; within each, in the index's order (SQLite: the row number; PostgreSQL: the
 * document id), so that the same query takes the same documents while the index is unchanged. Only the documents
 * taken are scored; each comes with its stored (folded) title.
 */
export async function firstMatches(db: Db, kind: DatabaseKind, name: string, query: SearchQuery, limit: number): Promise<{ id: string; score: number; title: string }[]> {
  checkName(name);
  const q = cleanQuery(query);
  if (!q.length || limit <= 0) return [];
  const table = sql.table(name);
  const typed = q.map((group) => [group[0]]);
  const sqlite = kind === 'sqlite';
  // A weight restricts a PostgreSQL prefix to the title's lexemes (weight A, see createSearchIndex).
  const titled = (x: SearchQuery) => (sqlite ? `title : (${ftsExpression(x)})` : tsExpression(x).replace(/:\*/g, ':*A'));
  const passes = [...new Set([titled(typed), titled(q), sqlite ? ftsExpression(q) : tsExpression(q)])];
  const keys: (string | number)[] = [];
  const seen = new Set<string | number>();
  for (const expr of passes) {
    if (keys.length >= limit) break;
    // At most `limit` rows: those of the earlier passes among them leave room for the rest.
    const rows = sqlite
      ? await sql<{ k: number }>`select rowid as k from ${table} where ${table} match ${expr} limit ${limit}`.execute(db)
      : await sql<{ k: string }>`select doc_id as k from ${table} where tsv @@ to_tsquery('simple', ${expr}) order by doc_id limit ${limit}`.execute(db);
    for (const r of rows.rows) {
      if (keys.length >= limit) break;
      if (seen.has(r.k)) continue;
      seen.add(r.k);
      keys.push(r.k);
    }
  }
  if (!keys.length) return [];
  // Scored in one statement (the index's statistics for the query are read once).
  const rows = sqlite
    ? await sql<{ id: string; score: number; title: string }>`select doc_id as id, ${bm25Score(name)} as score, title from ${table} where ${matchAtKeys(name, q, keys as number[])}`.execute(db)
    : await sql<{ id: string; score: number; title: string }>`select doc_id as id, ${tsRank(name, q, await rankStatistics(db, name, q))} as score, title from ${table} where doc_id = any(${keys}::uuid[])`.execute(db);
  return rows.rows.map((r) => ({ id: String(r.id), score: Number(r.score ?? 0), title: String(r.title) }));
}

/**
 * The scores of these documents for the query (as searchMatches scores them), for ranking a few documents already
 * known to match: only they are scored and read. On SQLite the match is walked between their lowest and highest key
 * (`keys` as documentKeys gives them, looked up when missing) without reading any document's stored text; ranking
 * through searchMatches with a condition on doc_id read the stored id of every match of the query (all 80,000
 * matches of "clinic" at 500,000 documents, to score the 400 near a place). Documents that do not match are left out.
 */
export async function documentScores(db: Db, kind: DatabaseKind, name: string, query: SearchQuery, ids: readonly string[], keys?: ReadonlyMap<string, number>, state?: number): Promise<Map<string, number>> {
  checkName(name);
  const out = new Map<string, number>();
  const q = cleanQuery(query);
  if (!q.length || !ids.length) return out;
  const table = sql.table(name);
  if (kind !== 'sqlite') {
    const stats = await rankStatistics(db, name, q);
    // Unless the query matches fewer documents than are asked about, the rows are found by their ids and each is
    // tested against the query by itself (`is true` keeps the test off the GIN index). PostgreSQL otherwise walked
    // the index for the whole query, every match of a common word (83,000 at 500,000 services, 80 to 270 ms a
    // statement), to intersect it with the few hundred ids asked for.
    const matched = sql`tsv @@ to_tsquery('simple', ${tsExpression(q)})`;
    const test = stats && stats.matchBound < ids.length ? matched : sql`(${matched}) is true`;
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await sql<{ id: string; score: number }>`select doc_id as id, ${tsRank(name, q, stats)} as score from ${table} where doc_id = any(${ids.slice(i, i + 1000)}::uuid[]) and ${test}`.execute(db);
      for (const r of rows.rows) out.set(String(r.id), Number(r.score ?? 0));
    }
    return out;
  }
  const known = keys && ids.every((id) => keys.has(id)) ? keys : await documentKeys(db, name, ids);
  const idOf = new Map<number, string>();
  for (const id of ids) if (known.has(id)) idOf.set(known.get(id)!, id);
  if (!idOf.size) return out;
  // Scores worked out here before for this state of the index (see keptScoresOf) are not worked out again.
  const kept = state !== undefined && !db.isTransaction ? keptScoresOf(db, state, ftsExpression(q)) : undefined;
  if (kept) {
    for (const [key, id] of idOf) {
      const s = kept.get(key);
      if (s === undefined) continue;
      if (s !== null) out.set(id, s);
      idOf.delete(key);
    }
    if (!idOf.size) return out;
  }
  const here = new Map<string, number>();
  if (await scoredHere(db, name, q, idOf, here, state)) {
    for (const [id, s] of here) out.set(id, s);
    if (kept) keepScores(db, kept, idOf, here);
    return out;
  }
  // One statement (the index's statistics for the query are read once).
  const rows = await sql<{ k: number; score: number }>`select rowid as k, ${bm25Score(name)} as score from ${table} where ${matchAtKeys(name, q, [...idOf.keys()])}`.execute(db);
  for (const r of rows.rows) out.set(idOf.get(Number(r.k))!, Number(r.score ?? 0));
  return out;
}

/**
 * SQLite: scores worked out in code (scoredHere) kept per database for one state of the index (a number the caller
 * reads, committed and changed by every write that can change the index: the directory's data version), by query
 * and document key, null for a document that does not match; a newer state drops them all. A place search scores
 * every service near the place that matches (all of them, to blend the score with the distance): reading and
 * scoring their stored text was a third of such a search, and a common word near a busy place is asked again with
 * other radii, filters and pages. Up to SCORES_KEPT scores, the least recently used query's dropped first. Only the
 * scores worked out in code are kept; a document is scored the same whichever others it is asked with.
 */
export const SCORES_KEPT = 250_000;

interface KeptScores {
  state: number;
  count: number;
  byQuery: Map<string, Map<number, number | null>>;
}
const keptScores = new WeakMap<object, KeptScores>();

function keptScoresOf(db: Db, state: number, expr: string): Map<number, number | null> | undefined {
  let kept = keptScores.get(db);
  if (!kept || kept.state < state) keptScores.set(db, (kept = { state, count: 0, byQuery: new Map() }));
  if (kept.state !== state) return undefined;
  let scores = kept.byQuery.get(expr);
  if (scores) kept.byQuery.delete(expr);
  else scores = new Map();
  kept.byQuery.set(expr, scores);
  return scores;
}

function keepScores(db: Db, scores: Map<number, number | null>, idOf: ReadonlyMap<number, string>, found: ReadonlyMap<string, number>): void {
  const kept = keptScores.get(db);
  if (!kept) return;
  for (const [key, id] of idOf) if (!scores.has(key)) {
    scores.set(key, found.get(id) ?? null);
    kept.count++;
  }
  for (const [expr, other] of kept.byQuery) {
    if (kept.count <= SCORES_KEPT || other === scores) break;
    kept.byQuery.delete(expr);
    kept.count -= other.size;
  }
}

/** bm25's constants in SQLite's FTS5 (fts5_aux.c), and the column weights bm25Score gives (doc_id, title, body). */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const COLUMN_WEIGHTS = [0, 3.0, 1.0];

/** The varints of an FTS5 record (SQLite's varint: 7 bits a byte, high bit set on all but the last; a ninth byte whole). */
function varints(blob: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < blob.length) {
    let v = 0;
    let n = 0;
    for (;;) {
      const b = blob[i++];
      if (n === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      n++;
      if (!(b & 0x80) || i >= blob.length) break;
    }
    out.push(v);
  }
  return out;
}

/**
 * Documents containing each word (as a prefix), per index and per state of its totals (FTS5's averages record: rows
 * and tokens per column), so that a count is used only while the index is as it was counted, by any process.
 */
const wordCounts = new Map<string, { state: string; hits: Map<string, number> }>();
const WORD_COUNTS_KEPT = 5_000;

const ASCII_WORD = /^[a-z0-9]+$/;
/** Every word of the query plain ASCII letters and digits, which FTS5 folds and splits as this file does. */
const asciiWords = (q: SearchQuery) => q.every((group) => group.every((alt) => alt.every((w) => ASCII_WORD.test(w))));

/**
 * What FTS5 keeps of the index (rows, tokens in all) and how many documents contain each of these words. With a
 * `state` (see matchingKeySet) the counts are the sizes of the words' kept sets, which a place search has just
 * used to find its points: nothing is counted.
 */
async function wordStatistics(db: Db, name: string, words: readonly string[], state?: number): Promise<{ rowCount: number; tokenCount: number; hits: ReadonlyMap<string, number> } | undefined> {
  const averages = (await sql<{ block: Uint8Array }>`select block from ${sql.table(`${name}_data`)} where id = 1`.execute(db)).rows[0];
  if (!averages) return undefined;
  const totals = varints(averages.block);
  const rowCount = totals[0];
  if (!rowCount) return undefined;
  let tokenCount = 0;
  for (let i = 1; i < totals.length; i++) tokenCount += totals[i];
  const kept = keptFor(db, state);
  if (kept) {
    const sets = await wordSets(db, name, kept, words);
    return { rowCount, tokenCount, hits: new Map([...sets].map(([w, set]) => [w, set.size])) };
  }
  const counted = Buffer.from(averages.block).toString('base64');
  let counts = wordCounts.get(name);
  if (!counts || counts.state !== counted) wordCounts.set(name, (counts = { state: counted, hits: new Map() }));
  for (const w of new Set(words)) {
    if (counts.hits.has(w)) continue;
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)} where ${sql.table(name)} match ${`"${w}"*`}`.execute(db);
    if (counts.hits.size >= WORD_COUNTS_KEPT) counts.hits.clear();
    counts.hits.set(w, Number(r.rows[0]?.n ?? 0));
  }
  return { rowCount, tokenCount, hits: counts.hits };
}

/**
 * SQLite: the bm25 scores of these documents (keys to ids) computed here as FTS5's bm25 computes them, from what FTS5
 * stores of each (its folded text, read by row number, and its token count per column) and of the index (rows and
 * tokens in all, and how many documents contain each word, counted once per state of the index). Scoring a few
 * hundred documents near a place through the index walked the whole posting list of every word of the query (and
 * of each synonym), twice: 15-40 ms for a common word at 500,000 services. False (nothing written) where the
 * result might differ from FTS5's: text or words beyond ASCII letters and digits (whose folding and splitting FTS5
 * may do differently); the index scores those.
 */
async function scoredHere(db: Db, name: string, q: SearchQuery, idOf: ReadonlyMap<number, string>, out: Map<string, number>, state?: number): Promise<boolean> {
  if (!asciiWords(q)) return false;
  // The phrases of the query in FTS5's order: every word of every alternative of every group.
  const phrases = q.flatMap((group) => group.flat());
  const stats = await wordStatistics(db, name, phrases, state);
  if (!stats) return false;
  const { rowCount, tokenCount } = stats;
  const avgdl = tokenCount / rowCount;
  const idf = phrases.map((w) => {
    const nHit = stats.hits.get(w)!;
    const v = Math.log((rowCount - nHit + 0.5) / (nHit + 0.5));
    return v <= 0 ? 1e-6 : v;
  });
  // Which documents to read: every one given, when they are fewer than the index would walk to find the matches
  // among them (each word's documents, synonyms included); else only the matches, found by the index without bm25.
  let keys = [...idOf.keys()];
  let walked = 0;
  for (const w of phrases) walked += stats.hits.get(w)!;
  if (keys.length * READ_PER_WALKED > walked) {
    const found = await sql<{ k: number }>`select rowid as k from ${sql.table(name)} where ${matchAtKeys(name, q, keys)}`.execute(db);
    keys = found.rows.map((r) => Number(r.k));
  }
  const texts = new Map<number, [string, string]>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const r of await db.selectFrom(`${name}_content`).select(['id', 'c1', 'c2']).where('id', 'in', keys.slice(i, i + 500)).execute()) {
      const title = String(r.c1 ?? '');
      const body = String(r.c2 ?? '');
      if (!ASCII.test(title) || !ASCII.test(body)) return false;
      texts.set(Number(r.id), [title, body]);
    }
  }
  const scores = new Map<string, number>();
  for (const [key, [title, body]] of texts) {
    // Instances of each phrase, weighted by column (tokens beginning with its word), and the document's length in
    // tokens (FTS5's tokenizer splits ASCII text into runs of letters and digits, as here).
    const freq = phrases.map(() => 0);
    let d = 0;
    for (let c = 0; c < 2; c++) {
      const weight = COLUMN_WEIGHTS[c + 1];
      for (const token of (c === 0 ? title : body).match(/[a-z0-9]+/g) ?? NO_TOKENS) {
        d++;
        for (let i = 0; i < phrases.length; i++) if (token.startsWith(phrases[i])) freq[i] += weight;
      }
    }
    // A match: every group has an alternative all of whose words are found. As in FTS5, the instances of the words
    // of an alternative that does not match (one word of "child care" only) do not count.
    let at = 0;
    let matches = true;
    for (const group of q) {
      let found = false;
      for (const alt of group) {
        let all = true;
        for (let j = 0; j < alt.length; j++) if (!(freq[at + j] > 0)) all = false;
        if (all) found = true;
        else for (let j = 0; j < alt.length; j++) freq[at + j] = 0;
        at += alt.length;
      }
      if (!found) matches = false;
    }
    if (!matches) continue;
    let score = 0;
    for (let i = 0; i < phrases.length; i++) score += idf[i] * ((freq[i] * (BM25_K1 + 1.0)) / (freq[i] + BM25_K1 * (1 - BM25_B + (BM25_B * d) / avgdl)));
    scores.set(idOf.get(key)!, score);
  }
  for (const [id, s] of scores) out.set(id, s);
  return true;
}
/**
 * How many documents' postings the index walks in the time one document's text is read and scored here (measured at
 * 500,000 services; only which way is cheaper depends on it, not the scores).
 */
const READ_PER_WALKED = 20;
const NO_TOKENS: string[] = [];

/**
 * On PostgreSQL, how much a match through a group's other alternatives (synonyms, see SearchQuery) counts against
 * the same match of the words typed.
 */
export const SYNONYM_WEIGHT = 0.8;
/** Document frequencies are counted up to this many documents: a word in more is as common as one in this many. */
export const FREQUENCY_CAP = 1_000;

/**
 * PostgreSQL's rank of a query. ts_rank alone has no inverse document frequency: a common synonym ("housing" for
 * shelter) weighed as much as the rarer word typed. Here, much as SQLite's bm25 does, every alternative of every
 * group is ranked on its own by ts_rank (title words weigh more, by the index's weights; normalisation 1 divides
 * by the log of the document's length, as bm25 discounts long documents), times its inverse document frequency
 * ln((N + 1) / (df + 0.5)), times SYNONYM_WEIGHT unless it is the first of its group (the words typed); the
 * products are summed. The IDFs come from `stats` (rankStatistics, kept between searches) where given; else N and
 * each df are subqueries without a reference to the row, which PostgreSQL runs once per query: N is the planner's
 * row estimate (a count of up to 100,000 documents while there is none yet), df a count
 * through the GIN index of at most FREQUENCY_CAP rows (a cap of 10,000 made text searches slower by some tens of
 * milliseconds at 20,000 services). Measured with bench/relevance.bench.ts (README): a plain boost of the words
 * typed, or the best alternative of a group instead of the sum, made more judged queries fall.
 */
function tsRank(name: string, q: SearchQuery, stats?: RankStatistics): RawBuilder<number> {
  const table = sql.table(name);
  const n = sql`(select case when c.reltuples > 0 then c.reltuples::float8 else (select count(*) from (select 1 from ${table} limit 100000) as a)::float8 end from pg_class c where c.oid = to_regclass(${name}))`;
  const terms = q.flatMap((group) =>
    group.map((alt, i) => {
      const expr = rankExpression(alt);
      const known = stats?.idf.get(expr);
      const df = sql`(select count(*) from (select 1 from ${table} where tsv @@ to_tsquery('simple', ${expr}) limit ${sql.lit(FREQUENCY_CAP)}) as d)::float8`;
      const idf = known !== undefined ? sql.lit(known) : sql`greatest(ln((${n} + 1) / (${df} + 0.5)), 0.01)`;
      return sql`${sql.lit(i === 0 ? 1 : SYNONYM_WEIGHT)} * ${idf} * ts_rank(tsv, to_tsquery('simple', ${expr}), 1)`;
    }),
  );
  return sql<number>`(${sql.join(terms, sql` + `)})`;
}

/**
 * A condition that the document `docId` (a column reference such as "s.id") matches the query, for searches where
 * something else (a place) drives the rows and the text only filters them: no ranks are computed. Null when the
 * query has no words.
 */
export function documentMatches(kind: DatabaseKind, name: string, query: SearchQuery, docId: string): Expression<SqlBool> | null {
  checkName(name);
  const q = cleanQuery(query);
  if (!q.length) return null;
  const ref = sql.ref(docId);
  if (kind === 'sqlite') {
    // The match set is computed once (FTS5 re-reads a prefix query's doclists for every single-row probe) and
    // tested per row; the unary plus keeps SQLite from turning the test into one lookup per matching document.
    return sql<SqlBool>`exists (select 1 from ${sql.table(`${name}_ids`)} as k where k.doc_id = ${ref} and +k.n in (select rowid from ${sql.table(name)} where ${sql.table(name)} match ${ftsExpression(q)}))`;
  }
  return sql<SqlBool>`exists (select 1 from ${sql.table(name)} as f where f.doc_id = ${ref} and f.tsv @@ to_tsquery('simple', ${tsExpression(q)}))`;
}

/**
 * The stored (folded) text of these documents, title and body joined: for checking a query against a few documents
 * in code (`textMatcher`) where asking the index about each of them would cost more.
 */
export async function documentTexts(db: Db, name: string, ids: readonly string[], keys?: ReadonlyMap<string, number>): Promise<Map<string, string>> {
  checkName(name);
  const out = new Map<string, string>();
  const sqlite = isSqlite(db);
  if (sqlite && keys && ids.every((id) => keys.has(id))) {
    // With the keys known, the text is read by row number alone.
    const idOf = new Map(ids.map((id) => [keys.get(id)!, id]));
    const all = [...idOf.keys()];
    for (let i = 0; i < all.length; i += 500) {
      const rows = await db.selectFrom(`${name}_content`).select(['id', 'c1', 'c2']).where('id', 'in', all.slice(i, i + 500)).execute();
      for (const r of rows) out.set(idOf.get(Number(r.id))!, `${r.c1} \n ${r.c2}`);
    }
    return out;
  }
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    // FTS5 keeps a table's text in its shadow table NAME_content (columns c0, c1, c2 in declaration order), a plain
    // table keyed by rowid: read there, each row is one seek instead of a call into the full-text module.
    const rows = sqlite
      ? await db.selectFrom(`${name}_ids as k`).innerJoin(`${name}_content as f`, 'f.id', 'k.n').select(['k.doc_id', 'f.c1 as title', 'f.c2 as body']).where('k.doc_id', 'in', chunk).execute()
      : await db.selectFrom(name).select(['doc_id', 'title', 'body']).where('doc_id', 'in', chunk).execute();
    for (const r of rows) out.set(String(r.doc_id), `${r.title} \n ${r.body}`);
  }
  return out;
}

/**
 * Whether a stored text matches a query the way the index matches it: every group has an alternative whose words
 * each begin some word of the text (letters and digits, as the index splits them).
 */
export function textMatcher(query: SearchQuery): (text: string) => boolean {
  const q = cleanQuery(query);
  if (!q.length) return () => false;
  // A word begins where no letter or digit precedes it; query words are letters and digits only (cleanQuery).
  const groups = q.map((group) => group.map((alt) => alt.map((w) => new RegExp(`(?<![\\p{L}\\p{N}])${w}`, 'u'))));
  return (text) => groups.every((group) => group.some((alt) => alt.every((re) => re.test(text))));
}

/**
 * A derived table `(doc_key)` of the documents matching the query, unranked (ranking every match of a common word
 * costs far more than finding them); `titleOnly` keeps those whose title matches. Each match comes by its key where
 * the index has one (SQLite: the row number documentKeys gives, read without touching the stored text, several
 * times faster for a common word), else by its id (PostgreSQL, whose documentKeys is empty): a caller that holds
 * the keys of its documents maps them back. Null when the query has no words.
 */
export function matchingKeys(kind: DatabaseKind, name: string, query: SearchQuery, opts: { titleOnly?: boolean } = {}): RawBuilder<{ doc_key: string | number }> | null {
  checkName(name);
  const q = cleanQuery(query);
  if (!q.length) return null;
  if (kind === 'sqlite') {
    const expr = opts.titleOnly ? `title : (${ftsExpression(q)})` : ftsExpression(q);
    return sql<{ doc_key: number }>`(select rowid as doc_key from ${sql.table(name)} where ${sql.table(name)} match ${expr})`;
  }
  // A weight restricts a prefix to the title's lexemes (weight A, see createSearchIndex).
  const expr = opts.titleOnly ? tsExpression(q).replace(/:\*/g, ':*A') : tsExpression(q);
  return sql<{ doc_key: string }>`(select doc_id as doc_key from ${sql.table(name)} where tsv @@ to_tsquery('simple', ${expr}))`;
}

/**
 * SQLite: the documents matching a query (their keys, the row numbers documentKeys gives), as a set a statement can
 * test row by row without the index: `contains(ref)` is true where the key in column `ref` is in the set. A condition
 * `key in (select rowid ... match ...)` had SQLite find every match and build a temporary index of them for each
 * statement: for a common word (83,000 matches of "job" with its synonyms at 500,000 services) that was most of a
 * place search's time, however few of the matches were near. The set is a blob bound as a parameter, six keys to a
 * byte (bits 0-5 of a byte 0x40-0x7f, so that each byte reads as one ASCII character), tested in SQL with substr and
 * unicode: one step per row, no temporary index.
 *
 * With a `state` (a number the caller reads, committed and changed by every write that can change the index: the
 * directory's data version), the set is built from the sets of the query's words, each the documents with a word
 * beginning with it (as FTS5 matches `"word"*`), found once and kept per database for that state (wordSets): a
 * query's groups, alternatives and words are the intersections and unions of its words' documents, so the bits give
 * exactly what the index matches for the whole query. A word comes back in other queries (synonyms are shared:
 * "employment" is a synonym of "job", "trabajo" and "empleo"), and the first search of a query then finds only the
 * words not seen yet. Without a state, or inside a transaction, the set of the whole query is found in one statement
 * and not kept. Undefined on PostgreSQL (which tests the text in its own statements) or when the query has no words.
 */
export interface KeySet {
  /** How many documents match. */
  readonly size: number;
  /** SQL: whether the (integer) key in this column is in the set; null keys are not. */
  contains(ref: string): RawBuilder<SqlBool>;
}

/**
 * The most the kept word sets of one database take (at 500,000 documents a set is at most 83 kB), least recently
 * used dropped first.
 */
export const KEY_SETS_BYTES = 16 * 1024 * 1024;

interface Bits {
  blob: Buffer;
  size: number;
}
interface KeptSets {
  state: number;
  /** By word, up to KEY_SETS_BYTES. */
  words: BoundedLru<Bits>;
  /**
   * Queries' sets as combined from their words', by FTS5 expression, up to QUERY_SETS_BYTES: combining a common
   * word's synonyms (four blobs of 83 kB at 500,000 documents) cost every search about half a millisecond of the
   * event loop, a quarter of a core at 500 searches a second.
   */
  queries: BoundedLru<Bits>;
}
const bitsSize = (b: Bits) => b.blob.length;
const keptSets = new WeakMap<object, KeptSets>();

/** The blob of a set of keys: key k is bit k % 6 of byte k / 6, every byte 0x40 plus its bits. */
export function keySetBlob(keys: Iterable<number>): Buffer {
  let high = -1;
  for (const k of keys) if (k > high) high = k;
  const blob = Buffer.alloc(Math.floor(high / 6) + 1, 0x40);
  for (const k of keys) blob[Math.floor(k / 6)] |= 1 << (k % 6);
  return blob;
}

/** Keys set in each of the 64 values of a byte's low six bits. */
const BITS_IN = Uint8Array.from({ length: 64 }, (_, v) => (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1) + ((v >> 4) & 1) + ((v >> 5) & 1));

function countKeys(blob: Buffer): number {
  let n = 0;
  for (let i = 0; i < blob.length; i++) n += BITS_IN[blob[i] & 0x3f];
  return n;
}

/** The keys in every one of these sets (bytes past the shortest hold none of them). */
function allOf(sets: readonly Bits[]): Bits {
  if (sets.length === 1) return sets[0];
  const blob = Buffer.from(sets.reduce((a, b) => (a.blob.length <= b.blob.length ? a : b)).blob);
  for (const s of sets) for (let i = 0; i < blob.length; i++) blob[i] &= s.blob[i];
  return { blob, size: countKeys(blob) };
}

/** The keys in any of these sets. */
function anyOf(sets: readonly Bits[]): Bits {
  if (sets.length === 1) return sets[0];
  const blob = Buffer.alloc(Math.max(...sets.map((s) => s.blob.length)), 0x40);
  for (const s of sets) for (let i = 0; i < s.blob.length; i++) blob[i] |= s.blob[i];
  return { blob, size: countKeys(blob) };
}

function keySetOf({ blob, size }: Bits): KeySet {
  return {
    size,
    // A key past the blob reads '' (unicode null): not in the set, as a null key is not.
    contains: (ref) => sql<SqlBool>`(((unicode(substr(${blob}, ${sql.ref(ref)} / 6 + 1, 1)) - 64) >> (${sql.ref(ref)} % 6)) & 1) = 1`,
  };
}

/** The documents matching an FTS5 expression, in one row (a row per match cost more than finding them, more still from a reader thread). */
async function foundKeys(db: Db, name: string, expr: string): Promise<Bits> {
  const row = (await db
    .selectFrom(name)
    .select(sql<string>`json_group_array(rowid)`.as('keys'))
    .where(sql<SqlBool>`${sql.table(name)} match ${expr}`)
    .executeTakeFirst()) as { keys: string } | undefined;
  const keys = JSON.parse(row?.keys ?? '[]') as number[];
  return { blob: keySetBlob(keys), size: keys.length };
}

/** The kept word sets of `db` for `state`: undefined inside a transaction or for a state older than the newest seen. */
function keptFor(db: Db, state: number | undefined): KeptSets | undefined {
  if (state === undefined || db.isTransaction) return undefined;
  let kept = keptSets.get(db);
  if (!kept || kept.state < state) {
    kept = { state, words: new BoundedLru(Infinity, KEY_SETS_BYTES, bitsSize), queries: new BoundedLru(Infinity, QUERY_SETS_BYTES, bitsSize) };
    keptSets.set(db, kept);
  }
  return kept.state === state ? kept : undefined;
}

/**
 * The set of each of these words (documents with a word beginning with it), kept ones first; the others are found
 * at once (each its own statement, so that several readers can find them together) and kept.
 */
async function wordSets(db: Db, name: string, kept: KeptSets, words: Iterable<string>): Promise<Map<string, Bits>> {
  const out = new Map<string, Bits>();
  const missing: string[] = [];
  for (const w of new Set(words)) {
    const found = kept.words.get(w);
    if (found) out.set(w, found);
    else missing.push(w);
  }
  const found = await Promise.all(missing.map((w) => foundKeys(db, name, `"${w}"*`)));
  missing.forEach((w, i) => {
    out.set(w, found[i]);
    keepWord(db, kept, w, found[i]);
  });
  return out;
}

/** Keeps a word's set, while the state is still the newest (a newer one dropped these meanwhile). */
function keepWord(db: Db, kept: KeptSets, w: string, set: Bits): void {
  if (keptSets.get(db) === kept && !kept.words.has(w)) kept.words.set(w, set);
}

export async function matchingKeySet(db: Db, kind: DatabaseKind, name: string, query: SearchQuery, state?: number): Promise<KeySet | undefined> {
  checkName(name);
  const q = cleanQuery(query);
  if (kind !== 'sqlite' || !q.length) return undefined;
  const kept = keptFor(db, state);
  const expr = ftsExpression(q);
  if (!kept) return keySetOf(await foundKeys(db, name, expr));
  const known = kept.queries.get(expr);
  if (known) return keySetOf(known);
  const sets = await wordSets(db, name, kept, q.flat(2));
  const set = allOf(q.map((group) => anyOf(group.map((alt) => allOf(alt.map((w) => sets.get(w)!))))));
  if (keptSets.get(db) === kept && !kept.queries.has(expr)) kept.queries.set(expr, set);
  return keySetOf(set);
}

/** The most the kept queries' sets of one database take (a query of one word shares its word's set). */
export const QUERY_SETS_BYTES = 16 * 1024 * 1024;
