import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import {
  Kysely,
  OperationNodeTransformer,
  PostgresDialect,
  SelectQueryNode,
  SqliteDialect,
  type KyselyPlugin,
  type LogEvent,
  type PostgresPool,
  type PostgresPoolClient,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type SqliteDatabase,
  type ValueNode,
  type Compilable,
  type CompiledQuery,
} from 'kysely';
import type { Config, DatabaseKind } from '../../config.ts';
import { abandonedError, currentSignal, throwIfAbandoned } from './scope.ts';
import { ReaderPool, RoutingSqliteDialect, RoutingSqliteDriver } from './sqlite-driver.ts';

// Module code is typed against its own table interfaces (see `tables()`); the shared handle stays untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>;

/**
 * Column values as either engine hands them back, for modules' table interfaces (`tables.ts`): dates and instants
 * as text (SQLite) or Date (PostgreSQL), JSON as text or parsed, booleans as 0/1 or true/false. Read through the
 * normalisers below (`bool`, `json`, instants as ISO strings).
 */
export type DateValue = string | Date;
export type JsonValue = unknown;
export type BoolValue = boolean | number;

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseKind;
  close(): Promise<void>;
  /** The connection pool's numbers, for the metrics (PostgreSQL; SQLite has one connection and no pool). */
  poolStats?(): { total: number; idle: number; waiting: number };
}

/** better-sqlite3 refuses to bind booleans; SQLite stores them as 0/1. */
class BooleanToIntegerTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = node.value;
    if (typeof value === 'boolean') return { ...node, value: value ? 1 : 0 };
    return super.transformValue(node);
  }
  protected override transformPrimitiveValueList(node: import('kysely').PrimitiveValueListNode) {
    return { ...node, values: node.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) };
  }
}

class SqliteBooleanPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanToIntegerTransformer();
  /**
   * @param selectsBound the driver binds a SELECT's booleans itself (sqlite-driver.ts bindable), so that the plugin
   * need not copy the whole tree of every read (a good part of building a short read) to find the few that have any.
   */
  constructor(private readonly selectsBound = false) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.selectsBound && SelectQueryNode.is(args.node)) return args.node;
    return this.#transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

let pgParsersSet = false;
function setPgTypeParsers(): void {
  if (pgParsersSet) return;
  pgParsersSet = true;
  // One wire format for both engines: instants as ISO-8601 UTC strings, calendar dates as YYYY-MM-DD.
  const toIso = (v: string) => new Date(v).toISOString();
  pg.types.setTypeParser(1184, toIso); // timestamptz
  pg.types.setTypeParser(1114, (v: string) => new Date(v + 'Z').toISOString()); // timestamp
  pg.types.setTypeParser(1082, (v: string) => v); // date
  pg.types.setTypeParser(20, (v: string) => Number(v)); // int8: counts
  pg.types.setTypeParser(1700, (v: string) => Number(v)); // numeric
}

// The better-sqlite3 connection behind each SQLite Kysely instance. Keyed by the instance's adapter, which its
// transactions (and withPlugin/withSchema copies) share, so that any of them finds the same connection.
const sqliteConnections = new WeakMap<object, Database.Database>();

/**
 * The better-sqlite3 connection under `db` (a Kysely instance or one of its transactions), or undefined on
 * PostgreSQL. For platform code that needs what Kysely does not offer (prepared statements reused across calls, for
 * bulk writes). The connection is the one Kysely runs on: use it only while holding it, that is inside a
 * transaction of `db` or `db.connection().execute(...)`, or it may write into another caller's open transaction.
 */
export function sqliteConnection(db: Db): Database.Database | undefined {
  return sqliteConnections.get(db.getExecutor().adapter);
}

const routingDrivers = new WeakMap<object, RoutingSqliteDriver>();

/**
 * Runs `fn` while holding the connection under `db`, for code that uses it directly (`sqliteConnection`) outside
 * a transaction: no other caller's statement or transaction runs on it meanwhile.
 */
export async function exclusively<T>(db: Db, fn: () => T | Promise<T>): Promise<T> {
  const driver = routingDrivers.get(db.getExecutor().adapter);
  if (driver) return driver.exclusively(fn);
  return db.connection().execute(async () => fn());
}

/**
 * The better-sqlite3 connection as Kysely's SQLite dialect sees it, keeping prepared statements by their text (the
 * 500 most recently used): Kysely prepares every query anew, and parsing and planning were a good part of a short
 * search's time. A statement still being iterated (a streamed query) is not handed out again; SQLite prepares a kept
 * statement again by itself after a schema change.
 */
function cachingStatements(sqlite: Database.Database, size = 500): SqliteDatabase {
  const kept = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      // Every statement passes here before it runs: one for a request whose client left or whose deadline passed
      // is not started (platform/db/scope.ts). A statement already running on SQLite cannot be stopped from here.
      throwIfAbandoned();
      const found = kept.get(text);
      if (found && !found.busy) {
        kept.delete(text);
        kept.set(text, found);
        return found;
      }
      const fresh = sqlite.prepare(text);
      kept.set(text, fresh);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
      return fresh;
    },
  };
}

/** Compiled statements kept per database (its adapter: a transaction shares it), by the caller's key for their shape. */
const reusable = new WeakMap<object, Map<string, CompiledQuery<unknown> | false>>();
const REUSED_MAX = 2000;

/**
 * Runs the query `build` makes from `parameters`, building and compiling it once per `key` and then reusing the
 * compiled statement with the new parameters: building a query with Kysely and compiling it cost a read of a service
 * (some thirty statements of a handful of shapes) about as much as running them. The caller promises that the
 * statement's text depends only on `key` and the number of parameters, and that `build` binds exactly
 * `parameters`, in order, and nothing else; a build whose compiled parameters are anything else (a constant bound
 * too, a value a plugin rewrote) is not kept, and is built anew each time, so that a wrong promise costs speed,
 * never a wrong answer. Inside a transaction of `db` the statement runs on the transaction's connection.
 */
export async function reusedQuery<R>(db: Db, key: string, parameters: readonly unknown[], build: (db: Db) => Compilable<R>): Promise<R[]> {
  const adapter = db.getExecutor().adapter;
  let kept = reusable.get(adapter);
  if (!kept) reusable.set(adapter, (kept = new Map()));
  const fullKey = `${key}#${parameters.length}`;
  const found = kept.get(fullKey);
  if (found) {
    kept.delete(fullKey);
    kept.set(fullKey, found);
    return (await db.executeQuery<R>({ ...found, parameters } as CompiledQuery<R>)).rows;
  }
  const compiled = build(db).compile();
  if (found === undefined) {
    const same = compiled.parameters.length === parameters.length && compiled.parameters.every((v, i) => v === parameters[i]);
    kept.set(fullKey, same ? (compiled as CompiledQuery<unknown>) : false);
    if (kept.size > REUSED_MAX) kept.delete(kept.keys().next().value!);
  }
  return (await db.executeQuery<R>(compiled)).rows;
}

export interface OpenOptions {
  /** Called with every statement run (its text and parameters), for tests that read query plans. */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

type PgClient = pg.PoolClient & { processID: number | null; secretKey: number | null; host: string; port: number };

/**
 * Asks the server to cancel what `client`'s backend is running (the protocol's CancelRequest, on a connection of its
 * own: the busy one cannot carry it). The statement then fails with "canceling statement due to user request".
 */
function cancelBackend(client: PgClient): void {
  if (client.processID === null || client.secretKey === null) return;
  // pg's own Connection class (its types leave out these methods): what pg's Client.cancel uses.
  const con = new pg.Connection() as unknown as {
    on(event: string, fn: () => void): void;
    connect(portOrPath: number | string, host?: string): void;
    cancel(processID: number, secretKey: number): void;
    end(): void;
  };
  con.on('error', () => {});
  con.on('connect', () => con.cancel(client.processID!, client.secretKey!));
  if (client.host?.startsWith('/')) con.connect(`${client.host}/.s.PGSQL.${client.port}`);
  else con.connect(client.port, client.host);
}

/**
 * The pool as Kysely sees it, with each statement tied to the work it is run for (platform/db/scope.ts): a statement
 * for abandoned work is not sent, and one running when its work is abandoned (the client left, the deadline passed)
 * is cancelled on the server, so that it stops taking a connection and the server's time.
 */
function cancellingPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: PgClient): PostgresPoolClient => ({
    release: (destroy?: boolean) => client.release(destroy),
    query: ((text: unknown, parameters?: readonly unknown[]) => {
      const signal = currentSignal();
      if (!signal || typeof text !== 'string') return (client.query as (...a: unknown[]) => unknown)(text, parameters);
      const early = abandonedError(signal);
      if (early) return Promise.reject(early);
      const onAbort = () => cancelBackend(client);
      signal.addEventListener('abort', onAbort, { once: true });
      return client.query(text, parameters as unknown[]).then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          return r;
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          throw abandonedError(signal) ?? err;
        },
      );
    }) as PostgresPoolClient['query'],
  });
  return {
    async connect() {
      throwIfAbandoned();
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) wrapped.set(client, (w = wrap(client as PgClient)));
      return w;
    },
    end: () => pool.end(),
  };
}

export function openDatabase(config: Pick<Config, 'databaseUrl' | 'databaseKind' | 'sqlitePath'> & Partial<Pick<Config, 'sqliteReadWorkers'>>, opts: OpenOptions = {}): DatabaseHandle {
  const onQuery = opts.onQuery;
  const log = onQuery ? (e: LogEvent) => onQuery(e.query.sql, e.query.parameters) : undefined;
  if (config.databaseKind === 'sqlite') {
    if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
    const sqlite = new Database(config.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    // Deleted and overwritten content is overwritten with zeros in the file, instead of lingering in free space
    // (a purged referral's wrapped data key must not survive its deletion; see docs/privacy.md).
    sqlite.pragma('secure_delete = ON');
    // Up to 256 MiB of page cache (the default is 16 MiB; memory is taken only as pages are read): a directory of
    // 500,000 services is over a gigabyte, and imports into one that size slowed to half speed on cache misses.
    sqlite.pragma('cache_size = -262144');
    // Reads on worker threads (sqlite-driver.ts), unless none are asked for or the database lives in this process's
    // memory, where no other connection can reach it.
    const workers = config.sqlitePath === ':memory:' ? 0 : (config.sqliteReadWorkers ?? 0);
    const driver = workers > 0 ? new RoutingSqliteDriver(cachingStatements(sqlite), new ReaderPool(config.sqlitePath, workers)) : undefined;
    const dialect = driver ? new RoutingSqliteDialect(driver) : new SqliteDialect({ database: cachingStatements(sqlite) });
    const db = new Kysely<unknown>({ dialect, plugins: [new SqliteBooleanPlugin(Boolean(driver))], log });
    sqliteConnections.set(db.getExecutor().adapter, sqlite);
    if (driver) routingDrivers.set(db.getExecutor().adapter, driver);
    return { db: db as Db, kind: 'sqlite', close: () => db.destroy() };
  }
  setPgTypeParsers();
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  // An idle connection closed by the server (restart, failover, an administrator) is dropped from the pool and the
  // next query opens a new one; without a listener the pool's error event would end the process.
  pool.on('error', () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: cancellingPool(pool) }), log });
  return {
    db: db as Db,
    kind: 'postgresql',
    close: () => db.destroy(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

/** Column types per engine, for migrations. Values are normalised on read by the helpers below. */
export interface ColumnTypes {
  id: 'uuid' | 'text';
  instant: 'timestamptz' | 'text';
  date: 'date' | 'text';
  bool: 'boolean' | 'integer';
  json: 'jsonb' | 'text';
}

export function columnTypes(kind: DatabaseKind): ColumnTypes {
  return kind === 'postgresql'
    ? { id: 'uuid', instant: 'timestamptz', date: 'date', bool: 'boolean', json: 'jsonb' }
    : { id: 'text', instant: 'text', date: 'text', bool: 'integer', json: 'text' };
}

/** Reads a boolean column on either engine. */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** Reads a JSON column on either engine: PostgreSQL parses jsonb, SQLite returns text. */
export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}

/** Writes a JSON column on either engine. */
export function toJson(v: unknown): string {
  return JSON.stringify(v);
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function newId(): string {
  return crypto.randomUUID();
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: string): boolean {
  return UUID_RE.test(v);
}

/** Case-insensitive substring match that works on both engines (SQLite has no ILIKE). */
export function likePattern(text: string): string {
  return '%' + text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/**
 * Locks the selected rows until the transaction ends, on PostgreSQL (`FOR UPDATE`). SQLite has no row locks and
 * runs one writer at a time anyway, so there the query is left as it is.
 */
export function forUpdate<QB extends { forUpdate(): QB }>(qb: QB, kind: DatabaseKind): QB {
  return kind === 'postgresql' ? qb.forUpdate() : qb;
}
