/**
 * SQLite reads off the event loop (issue 14; decision 0011). A Kysely driver that sends each plain read (a SELECT
 * built by Kysely, outside a transaction) to a pool of worker threads, each with its own read-only connection to the
 * same file in WAL mode, and runs everything else on the one writer connection, one caller at a time: writes, raw
 * SQL (pragmas, EXPLAIN, DDL), transactions (and the reads inside them, which must see their own rows) and streamed
 * queries. A read sees what was committed before it started, the request's own earlier writes included; it never
 * waits for another caller's transaction, so an import does not hold the readers.
 *
 * A read whose work is abandoned (its client left, its deadline passed; scope.ts) is answered at once with
 * WorkAbandoned, and the worker running it is replaced, so that the reads behind it are not held: they go to the
 * others. The old worker is told to end, which it does when its statement returns: better-sqlite3 offers no
 * interrupt, so a statement already running runs to its end, on its own thread, off the event loop. Searches keep
 * their statements bounded (directory/search.ts) so that this end is never far.
 */
import { Worker } from 'node:worker_threads';
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
}

interface Reader {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Structured cloning hands back Uint8Arrays where better-sqlite3 gave Buffers. */
function asBuffers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) for (const k in row) if (row[k] instanceof Uint8Array && !Buffer.isBuffer(row[k])) row[k] = Buffer.from(row[k] as Uint8Array);
  return rows;
}

export class ReaderPool {
  #readers: Reader[] = [];
  #next = 0;
  #closed = false;
  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    for (let i = 0; i < size; i++) this.#readers.push(this.#start());
  }

  #start(): Reader {
    const worker = new Worker(new URL('./sqlite-reader-worker.mjs', import.meta.url), { workerData: { path: this.path } });
    // Idle readers do not keep a process alive (a test that forgets to close its database still ends).
    worker.unref();
    const reader: Reader = { worker, pending: new Map() };
    worker.on('message', (m: { id: number; rows?: Record<string, unknown>[]; error?: { message: string; code?: string } }) => {
      const p = reader.pending.get(m.id);
      if (!p) return;
      reader.pending.delete(m.id);
      if (reader.pending.size === 0) worker.unref();
      if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(asBuffers(m.rows ?? []));
    });
    worker.on('error', (err) => this.#replace(reader, err));
    worker.on('exit', () => {
      if (!this.#closed && this.#readers.includes(reader)) this.#replace(reader, new Error('a database reader stopped'));
    });
    return reader;
  }

  /** Ends a reader and starts another in its place; its other reads go to the readers left. */
  #replace(reader: Reader, _why: unknown): void {
    const at = this.#readers.indexOf(reader);
    if (at < 0) return;
    const fresh = this.#start();
    this.#readers[at] = fresh;
    void reader.worker.terminate();
    for (const p of reader.pending.values()) this.#send(p);
    reader.pending.clear();
  }

  #send(p: Pending): void {
    // The reader with the fewest reads waiting, starting from the next in turn.
    let best = this.#readers[this.#next++ % this.#readers.length];
    for (const r of this.#readers) if (r.pending.size < best.pending.size) best = r;
    best.pending.set(p.id, p);
    best.worker.ref();
    best.worker.postMessage({ id: p.id, sql: p.sql, parameters: p.parameters });
  }

  #ids = 0;
  run(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    const signal = currentSignal();
    const early = abandonedError(signal);
    if (early) return Promise.reject(early);
    return new Promise((resolve, reject) => {
      const p: Pending = { id: ++this.#ids, sql, parameters: [...parameters], resolve, reject, signal };
      if (signal) {
        p.onAbort = () => {
          const holder = this.#readers.find((r) => r.pending.has(p.id));
          holder?.pending.delete(p.id);
          reject(abandonedError(signal));
          // Its statement may be running: the reader is replaced and told to end (when the statement returns).
          if (holder) this.#replace(holder, 'abandoned');
        };
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.#send(p);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const readers = this.#readers;
    this.#readers = [];
    for (const r of readers) for (const p of r.pending.values()) p.reject(new Error('the database is closed'));
    await Promise.all(readers.map((r) => r.worker.terminate()));
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

class RoutedConnection implements DatabaseConnection {
  /** Set while this connection holds the writer (a transaction, or `exclusively`). */
  release: (() => void) | undefined;
  constructor(private readonly driver: RoutingSqliteDriver) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.release) return onWriter(this.driver.writer, compiled) as QueryResult<R>;
    if (SelectQueryNode.is(compiled.query)) return { rows: (await this.driver.readers.run(compiled.sql, compiled.parameters)) as R[] };
    const release = await this.driver.mutex.lock();
    try {
      return onWriter(this.driver.writer, compiled) as QueryResult<R>;
    } finally {
      release();
    }
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
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
      onWriter(this.writer, CompiledQuery.raw('begin'));
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
