/**
 * Search answers kept in memory (issue 14): the same search asked again is answered without being worked out again,
 * for as long as the directory has not changed.
 *
 * The directory's data version is one row of `directory_data_version`, bumped by `directoryChanged` in the
 * transaction of every write that can change a search: `reindexServices` (store.ts; imports, approved edits,
 * federation pulls and matches, crosswalk re-application, removals), `writeSearchPoints` (capacity) and the
 * verification of a service (its modification time, which `modified_after` filters on). Each search reads the
 * version first (one lookup by key; on SQLite on the event loop's own read-only connection, sqlite-driver.ts
 * InlineReads; once per read request, which then sees one version throughout) and keys its answer by it, so an
 * answer is never served after a write committed by this process or any other on the same database (PostgreSQL runs
 * two) before the request that follows it. The answer of a search that started after the version was
 * read is at least as new as that version; a transaction's uncommitted version is never read, since searches made
 * inside a transaction are not kept.
 *
 * The key holds every parameter that changes the answer, normalised: the words as search reads them, lists sorted,
 * whether the caller is vetted, the organisations whose confidential locations they see (stewarded), the
 * organisations they may refer to, and for "open now" the minute. A vetted caller's answer (which names
 * confidential locations) is never served to an unvetted one, nor the other way round. The page's language is not
 * part of a search and not of its key. Answers are kept as JSON (each caller gets its own copy) in a least recently
 * used list bounded by entries (`SEARCH_CACHE_ENTRIES`) and by size (MAX_BYTES). Callers asking a search that is
 * being worked out at the time wait for that answer rather than working it out again.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { DatabaseKind } from '../../config.ts';
import { queryWords } from '../../platform/db/search.ts';
import { countCacheLookup } from '../../platform/ops/metrics.ts';
import { BoundedLru } from '../../platform/lru.ts';
import { oncePerRequest } from '../../platform/db/scope.ts';
import type { SearchParams, SearchResult } from './search.ts';

/** Pages longer than this (the API's whole-result downloads) are not kept. */
export const MAX_KEPT_PAGE = 200;

/** The most the kept answers of one database take, counted as their JSON's length. */
export const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Marks the directory changed in the transaction `db` (a write that can change a search): every process keeping
 * search answers stops using them when it commits. Called last in a write, so that the row is held for as short a
 * time as can be (PostgreSQL locks it until the commit; SQLite has one writer anyway).
 */
export async function directoryChanged(db: Db): Promise<void> {
  await db.updateTable('directory_data_version').set({ n: sql`n + 1` }).where('id', '=', 1).execute();
}

/** The statement reading the data version: a lookup by primary key (search-cache.test.ts reads its plan). */
export const versionQuery = (db: Db) => db.selectFrom('directory_data_version').select('n').where('id', '=', 1);

/**
 * The directory's data version, as committed: read once per read request (platform oncePerRequest), which sees one
 * version throughout; inside a transaction, read there (its own writes count).
 */
export async function dataVersion(db: Db): Promise<number> {
  const read = async () => Number((await versionQuery(db).executeTakeFirst())?.n ?? 0);
  return db.isTransaction ? read() : oncePerRequest(db, 'directory data version', read);
}

const sorted = (xs: readonly string[] | ReadonlySet<string> | undefined) => (xs === undefined ? null : [...new Set(xs)].sort());

/** Every parameter that changes the answer, in one string; the same for searches that must answer the same. */
export function searchKey(p: SearchParams): string {
  const now = p.openNow ? Math.floor((p.now ?? new Date()).getTime() / 60_000) : null;
  return JSON.stringify([
    p.q === undefined ? null : queryWords(p.q).join(' '),
    p.near?.trim() ?? null,
    p.near ? (p.radius ?? 25) : null,
    p.sort ?? null,
    sorted(p.need),
    sorted(p.population),
    sorted(p.trait),
    sorted(p.language?.map((l) => l.toLowerCase())),
    Boolean(p.free),
    Boolean(p.openNow),
    now,
    Boolean(p.referrals),
    Boolean(p.capacity),
    sorted(p.taxonomyTermId),
    p.taxonomyId ?? null,
    p.organizationId ?? null,
    p.modifiedAfter ?? null,
    p.postcode ?? null,
    p.facets !== false,
    p.plan ?? null,
    p.page,
    p.perPage,
    Boolean(p.vetted),
    sorted(p.organizationIds),
    sorted(p.stewarded),
  ]);
}

/** Kept answers of one database (their JSON), least recently used first. */
export class AnswerCache extends BoundedLru<string> {
  /** The newest data version seen: answers of older ones are dropped when a newer one is seen. */
  #version = -1;
  /** `shared`: answers taken from the same search being worked out at the time (not counted in hits). */
  override readonly counts = { hits: 0, misses: 0, shared: 0 };
  /** Searches being worked out, by key: callers asking the same meanwhile wait for that answer. */
  readonly running = new Map<string, Promise<string>>();
  constructor(entries: number, maxBytes = MAX_BYTES) {
    super(entries, maxBytes, (json) => json.length);
  }

  /** Notes the version a search read; a newer one drops every answer kept (none of them can be used again). */
  seen(version: number): void {
    if (version <= this.#version) return;
    this.#version = version;
    this.clear();
  }
}

/** Per database (the Kysely instance searches run on). */
const caches = new WeakMap<object, AnswerCache>();

/** The answers kept for `db` (for tests and the benchmark), if any. */
export function answerCacheOf(db: Db): AnswerCache | undefined {
  return caches.get(db);
}

/**
 * `search(db, kind, p)`'s answer, kept for the data version when `entries` > 0. Searches inside a transaction
 * (which may see its own uncommitted writes) and pages longer than MAX_KEPT_PAGE are neither kept nor answered from
 * the cache.
 */
export async function cachedSearch(search: (db: Db, kind: DatabaseKind, p: SearchParams) => Promise<SearchResult>, db: Db, kind: DatabaseKind, p: SearchParams, entries: number | undefined): Promise<SearchResult> {
  if (!entries || db.isTransaction || p.perPage > MAX_KEPT_PAGE) return search(db, kind, p);
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new AnswerCache(entries)));
  cache.entries = entries;
  const version = await dataVersion(db);
  cache.seen(version);
  const key = `${version}\n${searchKey(p)}`;
  const kept = cache.get(key);
  if (kept !== undefined) {
    countCacheLookup('directory_search', true);
    return JSON.parse(kept) as SearchResult;
  }
  // The same search already being worked out (a popular one, asked by many at once): its answer is shared. When
  // that work fails (its client left, its deadline passed), this caller works it out itself.
  const running = cache.running.get(key);
  if (running) {
    const json = await running.catch(() => undefined);
    if (json !== undefined) {
      cache.counts.shared++;
      countCacheLookup('directory_search', true);
      return JSON.parse(json) as SearchResult;
    }
  }
  countCacheLookup('directory_search', false);
  let result!: SearchResult;
  const work = search(db, kind, p).then((r) => JSON.stringify((result = r)));
  cache.running.set(key, work);
  try {
    cache.set(key, await work);
    return result;
  } finally {
    if (cache.running.get(key) === work) cache.running.delete(key);
  }
}
