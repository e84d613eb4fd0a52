/**
 * SQLite reads off the event loop (issue 14; decision 0011). A Kysely driver that sends each plain read (a SELECT
 * built by Kysely, outside a transaction) to a pool of worker threads, each with its own read-only connection to the
 * same file in WAL mode, and runs everything else on the one writer connection, one caller at a time: writes, raw
 * SQL (pragmas, EXPLAIN, DDL), transactions (and the reads inside them, which must see their own rows) and streamed
 * queries. A read sees what was committed before it started, the request's own earlier writes included; it never
 * waits for another caller's transaction, so an import does not hold the readers.
 *
 * Index lookups run on the event loop's own read-only connection instead (InlineReads), and the reads sent to the
 * workers go in batches (ReaderPool).
 *
 * A read whose work is abandoned (its client left, its deadline passed; scope.ts) is answered at once with
 * WorkAbandoned; when its statement has not returned ABANDONED_GRACE_MS later, the worker running it is replaced,
 * so that the reads behind it are not held: they go to the others. The old worker is told to end, which it does when its statement returns: better-sqlite3 offers no
 * interrupt, so a statement already running runs to its end, on its own thread, off the event loop. Searches keep
 * their statements bounded (directory/search.ts) so that this end is never far.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';
import { abandonedError, currentSignal, throwIfAbandoned } from './scope.ts';

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  /** Resolves, once every earlier holder has released, with the function that releases. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((done) => (release = done));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

interface Pending {
  id: number;
  sql: string;
  parameters: unknown[];
  resolve(rows: unknown[]): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Answered already (its client left): the reader's rows for it are dropped. */
  settled?: boolean;
}

interface Reader {
  worker: Worker;
  /** The reads sent to it in one message, while it runs them; null when it is idle. */
  batch: Pending[] | null;
  /** A timer that replaces the reader when a read of its batch was abandoned and the batch has not returned. */
  stuck?: NodeJS.Timeout;
}

/** Structured cloning hands back Uint8Arrays where better-sqlite3 gave Buffers. */
function asBuffers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) for (const k in row) if (row[k] instanceof Uint8Array && !Buffer.isBuffer(row[k])) row[k] = Buffer.from(row[k] as Uint8Array);
  return rows;
}

/**
 * A statement run inline that takes longer than this or returns more rows than INLINE_MAX_ROWS on INLINE_STRIKES of
 * its last INLINE_WINDOW runs goes to the readers for a while (INLINE_RETRY_MS). Most of its last runs, not any three
 * in the process's life: on a busy machine the event loop is now and then descheduled halfway through a lookup of
 * twenty microseconds, which then takes milliseconds; a statement that is really slow, or returns many rows, is so run
 * after run. A lookup by the whole of a unique key (one row at most, `oneRow`) is never sent for its time.
 */
export const INLINE_MAX_MS = 2;
export const INLINE_MAX_ROWS = 200;
const INLINE_STRIKES = 3;
const INLINE_WINDOW = 5;
/**
 * How long a statement sent to the readers that way stays there before it is tried here again, doubled each time it
 * is sent back (up to INLINE_RETRY_MAX_MS). Without it a cold page cache at start or a busy moment of the machine
 * (three slow lookups of twenty rows) kept a lookup on the readers for the process's life: at 500,000 services the
 * services and organisations of every HSDS list went by message to a worker that way.
 */
export const INLINE_RETRY_MS = 10_000;
const INLINE_RETRY_MAX_MS = 600_000;

/**
 * While the event loop is busy (other requests wait for it), a qualified statement whose runs here cost at least
 * OFFLOAD_MIN_MS (its recent average) goes to the readers, unless OFFLOAD_BACKLOG reads already wait for them: the
 * loop then renders and answers other requests while a reader reads. The loop pays for the message and for copying
 * the rows back, a tenth or less of reading them here (twenty service rows: about 0.2 ms to read, 0.03 ms to copy),
 * and a search page's twenty cards took seven such lookups, a quarter of the loop's time under load. A lookup by a
 * whole unique key, and any lookup cheaper than that, stays here: a message costs the loop more than it saves. One
 * run in OFFLOAD_REFRESH is made here anyway, so that the average follows a statement that has grown cheap; one not
 * yet run here counts as costly (under load, a text search's first read of 300 stored texts took 160 ms of the loop,
 * and an IN list of another length is another statement). With the loop idle (one client) everything qualified
 * stays here, as before: there is nothing to overlap the read with.
 */
export const OFFLOAD_MIN_MS = 0.1;
export const OFFLOAD_REFRESH = 16;
export const OFFLOAD_BACKLOG = 64;
/** The event loop counts as busy when it was working this share of the last BUSY_SAMPLE_MS or more. */
const BUSY_UTILIZATION = 0.75;
const BUSY_SAMPLE_MS = 100;

/** Whether the event loop has been busy lately: its utilisation (Node's, time working over time) over the last sample. */
export function loopBusy(): () => boolean {
  let last = performance.eventLoopUtilization();
  let at = performance.now();
  let busy = false;
  return () => {
    const t = performance.now();
    if (t - at >= BUSY_SAMPLE_MS) {
      const now = performance.eventLoopUtilization();
      busy = performance.eventLoopUtilization(now, last).utilization >= BUSY_UTILIZATION;
      last = now;
      at = t;
    }
    return busy;
  };
}

interface Verdict {
  st: Database.Statement;
  /** Its last INLINE_WINDOW runs here, the latest in the lowest bit: 1 for a run over the limits. */
  recent: number;
  /** Its plan is one search of a unique index or key, equal on all of its columns: one row at most. */
  oneRow: boolean;
  /** While set, the statement goes to the readers, until this time (the clock's). */
  readersUntil?: number;
  /** How many times it has been sent to the readers. */
  demotions: number;
  /** Its runs here, in milliseconds: a moving average (each run weighs half), OFFLOAD_MIN_MS before any. */
  cost: number;
  /** How many times it went to the readers because the loop was busy (OFFLOAD_REFRESH). */
  offloads: number;
}
const INDEX_SEEK = /^SEARCH \S+(?: AS \S+)? USING (?:INTEGER PRIMARY KEY|PRIMARY KEY|(?:COVERING )?INDEX \S+) \(([^)]*)\)$/;

/**
 * Reads run on the event loop's own read-only connection, for statements that are index lookups: a message to a
 * reader and its answer cost the event loop more than such a lookup does (a service's page makes some thirty of
 * them), and each waits for a thread to be scheduled, which on a busy machine takes longer still. A statement
 * qualifies, once, by its query plan (SQLite's EXPLAIN QUERY PLAN): every step a search of an index or key by
 * equality (`col = ?`, `col IN (...)`), nothing scanned, no sorting. A qualified statement that takes longer
 * than INLINE_MAX_MS or returns more than INLINE_MAX_ROWS rows (a long IN list, a key with many rows) on most of its
 * last few runs goes to the readers for INLINE_RETRY_MS, then is tried here again (the wait doubling each time it is sent back).
 * Anything else goes to them from the start.
 */
export class InlineReads {
  #db: Database.Database;
  #verdicts = new Map<string, Verdict | false>();
  /** How many reads ran here and on the readers (for tests and the benchmark). */
  readonly counts = { inline: 0, readers: 0 };
  constructor(
    path: string,
    private readonly now: () => number = performance.now.bind(performance),
    private readonly busy: () => boolean = loopBusy(),
  ) {
    this.#db = new Database(path, { readonly: true, fileMustExist: true });
    this.#db.pragma('busy_timeout = 5000');
  }

  #qualifies(sql: string, parameters: readonly unknown[]): Verdict | false {
    let found = this.#verdicts.get(sql);
    if (found !== undefined) {
      this.#verdicts.delete(sql);
      this.#verdicts.set(sql, found);
      return found;
    }
    found = false;
    try {
      const plan = this.#db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[];
      const seeks = plan.length > 0 && plan.every((step) => INDEX_SEEK.exec(step.detail)?.[1].split(' AND ').every((c) => /^\S+=\?$/.test(c)));
      if (seeks) {
        const st = this.#db.prepare(sql);
        if (st.reader) found = { st, recent: 0, oneRow: this.#oneRow(sql, plan), demotions: 0, cost: OFFLOAD_MIN_MS, offloads: 0 };
      }
    } catch {
      found = false;
    }
    this.#verdicts.set(sql, found);
    if (this.#verdicts.size > 2000) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    return found;
  }

  /**
   * A plan of one step, a search of a unique index (or the rowid) equal on every column of it, in a statement with no
   * IN list (which the plan shows as `col=?` too): at most one row. An index read by its name in the schema; the key
   * of a WITHOUT ROWID table is not recognised (none here), so such a lookup is timed like any other.
   */
  #oneRow(sql: string, plan: { detail: string }[]): boolean {
    if (plan.length !== 1 || /\bin\s*\(/i.test(sql)) return false;
    const m = /USING (?:INTEGER PRIMARY KEY|(?:COVERING )?INDEX (\S+)) \(([^)]*)\)$/.exec(plan[0].detail);
    if (!m) return false;
    const equal = m[2].split(' AND ').length;
    if (m[1] === undefined) return equal === 1;
    const unique = this.#db.prepare(`select il."unique" as u from sqlite_master m, pragma_index_list(m.tbl_name) il where m.type = 'index' and m.name = ? and il.name = m.name`).get(m[1]) as { u: number } | undefined;
    if (!unique?.u) return false;
    return (this.#db.prepare('select count(*) as n from pragma_index_info(?)').get(m[1]) as { n: number }).n === equal;
  }

  /**
   * The rows, when the statement qualifies to run here; undefined when it goes to the readers. `readersFree`: fewer
   * than OFFLOAD_BACKLOG reads wait for the readers.
   */
  run(sql: string, parameters: readonly unknown[], readersFree = true): unknown[] | undefined {
    const verdict = this.#qualifies(sql, parameters);
    if (verdict && verdict.readersUntil !== undefined && this.now() >= verdict.readersUntil) {
      verdict.readersUntil = undefined;
      verdict.recent = 0;
    }
    if (!verdict || verdict.readersUntil !== undefined || verdict.st.busy) {
      this.counts.readers++;
      return undefined;
    }
    if (!verdict.oneRow && readersFree && verdict.cost >= OFFLOAD_MIN_MS && this.busy() && ++verdict.offloads % OFFLOAD_REFRESH !== 0) {
      this.counts.readers++;
      return undefined;
    }
    const t0 = this.now();
    const rows = verdict.st.all(...parameters);
    if (!verdict.oneRow) {
      const ms = this.now() - t0;
      verdict.cost = (verdict.cost + ms) / 2;
      const over = ms > INLINE_MAX_MS || rows.length > INLINE_MAX_ROWS;
      verdict.recent = ((verdict.recent << 1) | (over ? 1 : 0)) & ((1 << INLINE_WINDOW) - 1);
      if (over && bitsSet(verdict.recent) >= INLINE_STRIKES) {
        verdict.readersUntil = this.now() + Math.min(INLINE_RETRY_MAX_MS, INLINE_RETRY_MS * 2 ** verdict.demotions++);
      }
    }
    this.counts.inline++;
    return rows;
  }

  close(): void {
    this.#db.close();
  }
}

function bitsSet(n: number): number {
  let c = 0;
  for (; n; n &= n - 1) c++;
  return c;
}

/** Reads sent to one reader in one message at most. */
const MAX_BATCH = 32;
/** How long a batch holding an abandoned read may still run before its reader is replaced. */
export const ABANDONED_GRACE_MS = 100;

/**
 * The readers and the reads waiting for them. Reads wait in one queue; an idle reader takes the next of them in one
 * message (up to MAX_BATCH, shared fairly among the idle readers) and answers them in one message. Each message
 * costs the event loop more than a cheap statement does, and under load many requests have a read ready at the
 * same turn, so batching them halves or better what the loop spends per read; with one client a batch is one read.
 * A reader busy with a long statement takes nothing more, so the reads behind go to the others.
 */
export class ReaderPool {
  #readers: Reader[] = [];
  #queue: Pending[] = [];
  #flushing = false;
  #closed = false;
  readonly inline: InlineReads;
  constructor(
    readonly path: string,
    readonly size: number,
    opts: { now?: () => number; busy?: () => boolean } = {},
  ) {
    this.inline = new InlineReads(path, opts.now, opts.busy);
    for (let i = 0; i < size; i++) this.#readers.push(this.#start());
  }

  #start(): Reader {
    const worker = new Worker(new URL('./sqlite-reader-worker.mjs', import.meta.url), { workerData: { path: this.path } });
    // Idle readers do not keep a process alive (a test that forgets to close its database still ends).
    worker.unref();
    const reader: Reader = { worker, batch: null };
    worker.on('message', (m: { results: { id: number; rows?: Record<string, unknown>[]; error?: { message: string; code?: string } }[] }) => {
      const batch = reader.batch;
      if (!batch || !this.#readers.includes(reader)) return;
      reader.batch = null;
      if (reader.stuck) clearTimeout(reader.stuck);
      reader.stuck = undefined;
      worker.unref();
      const byId = new Map(batch.map((p) => [p.id, p]));
      for (const r of m.results) {
        const p = byId.get(r.id);
        if (!p || p.settled) continue;
        this.#settle(p);
        if (r.error) p.reject(Object.assign(new Error(r.error.message), { code: r.error.code }));
        else p.resolve(asBuffers(r.rows ?? []));
      }
      this.#flush();
    });
    worker.on('error', (err) => this.#replace(reader, err));
    worker.on('exit', () => {
      if (!this.#closed && this.#readers.includes(reader)) this.#replace(reader, new Error('a database reader stopped'));
    });
    return reader;
  }

  #settle(p: Pending): void {
    p.settled = true;
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
  }

  /** Ends a reader and starts another in its place; the reads of its batch still wanted go back to the queue's head. */
  #replace(reader: Reader, _why: unknown): void {
    const at = this.#readers.indexOf(reader);
    if (at < 0) return;
    if (reader.stuck) clearTimeout(reader.stuck);
    this.#readers[at] = this.#start();
    void reader.worker.terminate();
    this.#queue.unshift(...(reader.batch ?? []).filter((p) => !p.settled));
    reader.batch = null;
    this.#flush();
  }

  /** Hands the queued reads to the idle readers, on the next turn of the event loop (so that reads ready together go together). */
  #flush(): void {
    if (this.#flushing || !this.#queue.length) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      this.#send();
    });
  }

  #send(): void {
    const idle = this.#readers.filter((r) => !r.batch);
    for (let i = 0; i < idle.length && this.#queue.length; i++) {
      const take = Math.min(MAX_BATCH, Math.ceil(this.#queue.length / (idle.length - i)));
      const batch = this.#queue.splice(0, take);
      const reader = idle[i];
      reader.batch = batch;
      reader.worker.ref();
      reader.worker.postMessage(batch.map((p) => ({ id: p.id, sql: p.sql, parameters: p.parameters })));
    }
  }

  #ids = 0;
  run(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    const signal = currentSignal();
    const early = abandonedError(signal);
    if (early) return Promise.reject(early);
    try {
      const rows = this.inline.run(sql, parameters, this.#queue.length < OFFLOAD_BACKLOG);
      if (rows) return Promise.resolve(rows);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { id: ++this.#ids, sql, parameters: [...parameters], resolve, reject, signal };
      if (signal) {
        p.onAbort = () => {
          if (p.settled) return;
          this.#settle(p);
          reject(abandonedError(signal));
          const queued = this.#queue.indexOf(p);
          if (queued >= 0) {
            this.#queue.splice(queued, 1);
            return;
          }
          // Its statement may be running. Most batches return within moments (the rows for it are then dropped);
          // one still running after the grace period holds a long statement: its reader is replaced, and told to
          // end, which it does when the statement returns.
          const holder = this.#readers.find((r) => r.batch?.includes(p));
          if (holder && !holder.stuck) {
            const batch = holder.batch;
            holder.stuck = setTimeout(() => {
              holder.stuck = undefined;
              if (holder.batch === batch) this.#replace(holder, 'abandoned');
            }, ABANDONED_GRACE_MS);
            holder.stuck.unref();
          }
        };
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.#queue.push(p);
      this.#flush();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const readers = this.#readers;
    this.#readers = [];
    const waiting = [...this.#queue, ...readers.flatMap((r) => r.batch ?? [])].filter((p) => !p.settled);
    this.#queue = [];
    for (const p of waiting) {
      this.#settle(p);
      p.reject(new Error('the database is closed'));
    }
    for (const r of readers) if (r.stuck) clearTimeout(r.stuck);
    await Promise.all(readers.map((r) => r.worker.terminate()));
    this.inline.close();
  }
}

/** Runs a statement on the writer, as Kysely's own SQLite connection does. */
function onWriter(db: SqliteDatabase, compiled: CompiledQuery): QueryResult<unknown> {
  const stmt = db.prepare(compiled.sql);
  if (stmt.reader) return { rows: stmt.all(compiled.parameters) as unknown[] };
  const { changes, lastInsertRowid } = stmt.run(compiled.parameters);
  return {
    numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
    insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}

/** better-sqlite3 refuses to bind booleans: SQLite stores them as 1 and 0 (the SELECTs' the plugin in index.ts leaves to here). */
export function bindable(compiled: CompiledQuery): CompiledQuery {
  const params = compiled.parameters;
  for (let i = 0; i < params.length; i++) {
    if (typeof params[i] === 'boolean') return { ...compiled, parameters: params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) };
  }
  return compiled;
}

class RoutedConnection implements DatabaseConnection {
  /** Set while this connection holds the writer (a transaction, or `exclusively`). */
  release: (() => void) | undefined;
  constructor(private readonly driver: RoutingSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const compiled = bindable(query);
    if (this.release) return onWriter(this.driver.writer, compiled) as QueryResult<R>;
    if (SelectQueryNode.is(compiled.query)) return { rows: (await this.driver.readers.run(compiled.sql, compiled.parameters)) as R[] };
    const release = await this.driver.mutex.lock();
    try {
      return onWriter(this.driver.writer, compiled) as QueryResult<R>;
    } finally {
      release();
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const compiled = bindable(query);
    if (!SelectQueryNode.is(compiled.query)) throw new Error('Sqlite driver only supports streaming of select queries');
    const release = this.release ? undefined : await this.driver.mutex.lock();
    try {
      const stmt = this.driver.writer.prepare(compiled.sql);
      for (const row of stmt.iterate(compiled.parameters)) yield { rows: [row as R] };
    } finally {
      release?.();
    }
  }
}

export class RoutingSqliteDriver implements Driver {
  readonly mutex = new Mutex();
  constructor(
    readonly writer: SqliteDatabase,
    readonly readers: ReaderPool,
  ) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as RoutedConnection;
    throwIfAbandoned();
    c.release = await this.mutex.lock();
    try {
      // IMMEDIATE: the write lock is taken now, waiting for another process's writer up to the busy timeout. A
      // deferred BEGIN would read a snapshot first and fail at its first write, at once, if another process (a second
      // `serve` node on the same file) had committed meanwhile (SQLITE_BUSY_SNAPSHOT; sqlite-transactions.test.ts).
      // Within this process the mutex already lets one transaction run at a time, so nothing waits longer here.
      onWriter(this.writer, CompiledQuery.raw('begin immediate'));
    } catch (err) {
      this.#letGo(c);
      throw err;
    }
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      onWriter(this.writer, CompiledQuery.raw('commit'));
    } finally {
      this.#letGo(connection as RoutedConnection);
    }
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      onWriter(this.writer, CompiledQuery.raw('rollback'));
    } finally {
      this.#letGo(connection as RoutedConnection);
    }
  }
  #letGo(c: RoutedConnection): void {
    const release = c.release;
    c.release = undefined;
    release?.();
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.readers.close();
    this.writer.close();
  }

  /** Runs `fn` holding the writer, as a transaction would, for callers that use the connection directly (bulk.ts). */
  async exclusively<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.mutex.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export class RoutingSqliteDialect implements Dialect {
  constructor(readonly driver: RoutingSqliteDriver) {}
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
