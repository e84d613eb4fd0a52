/**
 * `npm run bench -- load`: the product under load (issue 14). A directory of LOAD_BENCH_SERVICES generated services
 * (default 500,000; smaller for a quick run) is imported into a fresh database, then served as `npm start` serves
 * (`taskforce serve` in its own process; on PostgreSQL two of them behind one port, a round-robin TCP proxy in this
 * process), and each request type of the issue is timed twice: with one client (p50 and p95 of LOAD_BENCH_RUNS
 * sequential requests) and with LOAD_BENCH_CONNECTIONS clients (default 50) for LOAD_BENCH_SECONDS (default 10)
 * with autocannon: requests per second, latency p50/p97.5/p99, timeouts (10 s), errors and answers other than 2xx.
 * The searches draw from seeded pools (words in both languages weighted Zipf-like, places, filters, pages 1-3;
 * requestTypes), as a day's traffic would, and the table says how many distinct URLs each row asked for and how many
 * of its searches were answered from the kept answers (each node's /metrics, read with a token made for the run).
 * A bare Fastify "hello" in a process of its own is measured the same way in the same run; each row gives its
 * requests per second as a share of hello's. The mix rotates through every request type.
 * LOAD_BENCH_ONLY=landing,by-id,... runs some types only (and the mix of those).
 * LOAD_BENCH_DATABASE=<a DATABASE_URL> keeps the generated directory for the next run instead of a fresh database
 * dropped at the end (generating 500,000 services takes many minutes): `sqlite:/path/load-500k.db`, or a PostgreSQL
 * database (`postgres://.../tfh_load_500k`, created when missing). A run finding it already holding the N services
 * reuses it (the server migrates it at start as `npm start` does); its keys are kept beside it (`<file>.keys.json`,
 * or a table `bench_load_keys` on PostgreSQL). Pass the same N: a database of another size is refused.
 * LOAD_BENCH_ONLY=generate with it makes the database and stops (to start a long generation early).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrator.ts';
import { performance } from 'node:perf_hooks';
import autocannon, { type Result as LoadResult } from 'autocannon';
import { freePort, makeUser, serveProcess, testDatabase, type ServeProcess, type TestDatabase } from '../src/platform/testing.ts';
import { systemCtx } from '../src/platform/context.ts';
import { generateDirectory } from '../src/modules/directory/generate.ts';
import { uuidv5 } from '../src/modules/directory/model.ts';
import zipcodes from 'zipcodes';
import { measure } from './lib.ts';
import { seededRandom } from '../src/platform/seeded-random.ts';

interface RequestType {
  key: string;
  label: string;
  path: () => string;
  /** The distinct paths it asked for in this run (a type drawing from pools uses many). */
  used: Set<string>;
}

/**
 * What a busy day's searches look like, rather than one URL asked again and again: everyday words in English and
 * Spanish, weighted Zipf-like (the first is asked most; the k-th about 1/k as often), places spread over the
 * generated directory (which spreads its services over the contiguous states' ZIP codes), several filter
 * combinations and pages 1 to 3. Drawn from a seeded generator, so that every run asks the same sequence.
 */
const WORDS = [
  'job', 'food', 'shelter', 'comida', 'housing', 'trabajo', 'lawyer', 'clinic', 'vivienda', 'counseling',
  'empleo', 'immigration', 'abogado', 'rent', 'salud', 'child care', 'refugio', 'training', 'english classes', 'health',
  'inmigración', 'pantry', 'recovery', 'guardería', 'legal help', 'case management', 'clases de inglés', 'doctor', 'consejería', 'apprenticeship',
  'emergency shelter', 'ayuda legal', 'mental health', 'despensa', 'detox', 'escuela',
];
const PLACES = [
  '10001', '60601', '90012', '77002', '85004', '19103', '78205', '92101', '75201', '95113', '78701', '32202', '94103', '43215',
  '28202', '46204', '98101', '80202', '20001', '02108', '37203', '48226', '97204', '89101', '38103', '40202', '21202', '53202',
  '87102', '85701', '93721', '95814', '64106', '30303', '33130', '27601', '68102', '55401', '74103', '70112', '59601', '82001',
];
const RADII = [10, 25, 50];
/** Filter combinations of the API (a need, a language, both, free of charge, a population). */
const API_FILTERS = ['need=employment&language=es', 'need=housing', 'need=legal', 'language=es', 'need=basic-needs&free=true', 'need=mental-health&language=es', 'free=true', 'need=medical'];
/** The search page's filters (its form's fields). */
const PAGE_FILTERS = ['', '', 'need=housing', 'need=employment', 'language=es', 'need=legal&language=es'];


/** A picker of `xs` by Zipf-like weights (the k-th item weighs 1/k). */
function zipf<T>(xs: readonly T[], rand: () => number): () => T {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= xs.length; k++) cumulative.push((total += 1 / k));
  return () => {
    const r = rand() * total;
    let i = 0;
    while (cumulative[i] < r) i++;
    return xs[i];
  };
}

export function requestTypes(n: number): RequestType[] {
  let i = 0;
  // A different service each time, spread over the whole directory (a prime stride).
  const nextId = () => uuidv5(`generated:svc:${(i = (i + 7919) % n)}`);
  const rand = seededRandom(14);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const word = zipf(WORDS, rand);
  const place = zipf(PLACES, rand);
  // Most people stay on the first page; some go on to the second or third.
  const page = () => { const r = rand(); return r < 0.7 ? 1 : r < 0.9 ? 2 : 3; };
  const q = (w: string) => encodeURIComponent(w);
  const paged = (path: string, n = page()) => (n > 1 ? `${path}&page=${n}` : path);
  for (const z of PLACES) if (!zipcodes.lookup(z)) throw new Error(`the bench's place ${z} is not a known ZIP code`);
  const types: Omit<RequestType, 'used'>[] = [
    { key: 'text-radius-filters', label: 'text + radius + filters (API)', path: () => paged(`/api/hsds/services?search=${q(word())}&near=${place()}&radius=${pick(RADII)}&${pick(API_FILTERS)}&per_page=20`) },
    { key: 'radius', label: 'radius only (API)', path: () => paged(`/api/hsds/services?near=${place()}&radius=${pick(RADII)}&per_page=20`) },
    { key: 'by-id', label: 'service by id (API)', path: () => `/api/hsds/services/${nextId()}` },
    { key: 'service-page', label: 'service page', path: () => `/directory/services/${nextId()}` },
    { key: 'search-page', label: 'search page', path: () => { const f = pick(PAGE_FILTERS); return paged(`/directory?q=${q(word())}&near=${place()}&radius=${pick(RADII)}${f ? `&${f}` : ''}`); } },
    { key: 'text-common', label: 'text alone, common word (API)', path: () => paged(`/api/hsds/services?search=${q(word())}&per_page=20`) },
    { key: 'landing', label: 'directory landing page', path: () => '/directory' },
    { key: 'list', label: 'service list, no filter (API)', path: () => paged('/api/hsds/services?per_page=20') },
  ];
  return types.map((t) => {
    const used = new Set<string>();
    return { ...t, used, path: () => { const p = t.path(); used.add(p); return p; } };
  });
}

const HELLO = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/', async () => 'hello');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('listening');
`;

async function startHello(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', HELLO], { cwd: join(import.meta.dirname, '..'), env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout!.on('data', (d) => String(d).includes('listening') && ok());
    child.once('exit', (code) => fail(new Error(`hello exited with ${code}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

/** One port in front of several nodes: each connection goes to the next node in turn. */
async function roundRobin(bases: string[]): Promise<{ base: string; close(): void }> {
  const ports = bases.map((b) => Number(new URL(b).port));
  let next = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(ports[next++ % ports.length], '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as net.AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface Row {
  label: string;
  /** Distinct URLs asked for under load (the mix: per type). */
  distinct?: string;
  /** Kept search answers used under load (directory search-cache.ts), of the searches made. */
  cache?: { hits: number; misses: number };
  one?: { p50: number; p95: number };
  load?: LoadResult;
}

async function underLoad(base: string, paths: (() => string)[], seconds: number, connections: number): Promise<LoadResult> {
  let k = 0;
  return autocannon({
    url: base,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[k++ % paths.length]() }) }],
  });
}

type Secrets = { SESSION_SECRET: string; DATA_KEY: string };

/**
 * The kept database LOAD_BENCH_DATABASE names, migrated, with its keys (made on first use), and whether it already
 * holds the generated directory (n services and the bench's account).
 */
async function keptDatabase(url: string, n: number): Promise<{ db: TestDatabase; secrets: Secrets; ready: boolean }> {
  const fresh = (): Secrets => ({ SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') });
  let secrets: Secrets;
  if (url.startsWith('postgres')) {
    const target = new URL(url);
    const name = target.pathname.slice(1);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`LOAD_BENCH_DATABASE: the database name ${name} must be lower-case letters, digits and _`);
    const server = new URL(url);
    server.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: server.toString() });
    await admin.connect();
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (!found.rowCount) await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('create table if not exists bench_load_keys (session_secret text not null, data_key text not null)');
      const row = (await c.query('select session_secret, data_key from bench_load_keys')).rows[0];
      if (row) secrets = { SESSION_SECRET: row.session_secret, DATA_KEY: row.data_key };
      else {
        secrets = fresh();
        await c.query('insert into bench_load_keys values ($1, $2)', [secrets.SESSION_SECRET, secrets.DATA_KEY]);
      }
    } finally {
      await c.end();
    }
  } else {
    if (!url.startsWith('sqlite:')) throw new Error('LOAD_BENCH_DATABASE: give sqlite:/path/file.db or postgres://host/name');
    const keys = `${url.slice('sqlite:'.length)}.keys.json`;
    if (existsSync(keys)) secrets = JSON.parse(readFileSync(keys, 'utf8')) as Secrets;
    else writeFileSync(keys, JSON.stringify((secrets = fresh())), { mode: 0o600 });
  }
  const config = loadConfig({ ...process.env, ...secrets, DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const handle = openDatabase(config);
  await migrate(handle);
  const count = async (table: string) => Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(handle.db)).rows[0].n);
  const services = await count('directory_service');
  if (services !== 0 && services !== n) {
    await handle.close();
    throw new Error(`LOAD_BENCH_DATABASE holds ${services} services, not ${n}: give LOAD_BENCH_SERVICES=${services} or another database`);
  }
  const ready = services === n && (await count('users')) > 0;
  // Kept: closing the connection is all the run's end does to it.
  return { db: { handle, config, drop: () => handle.close() }, secrets, ready };
}

export async function run(): Promise<void> {
  const n = Number(process.env.LOAD_BENCH_SERVICES ?? 500_000);
  const seconds = Number(process.env.LOAD_BENCH_SECONDS ?? 10);
  const connections = Number(process.env.LOAD_BENCH_CONNECTIONS ?? 50);
  const runs = Number(process.env.LOAD_BENCH_RUNS ?? 50);
  const only = (process.env.LOAD_BENCH_ONLY ?? '').split(',').filter(Boolean);
  const keep = process.env.LOAD_BENCH_DATABASE;
  let secrets: Secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  let db: TestDatabase;
  let ready = false;
  if (keep) ({ db, secrets, ready } = await keptDatabase(keep, n));
  else db = await testDatabase(secrets);
  const nodes: ServeProcess[] = [];
  let proxy: { base: string; close(): void } | undefined;
  let hello: { base: string; child: ChildProcess } | undefined;
  try {
    if (ready) console.log(`reusing the ${n} services in ${keep}`);
    else {
      const t0 = performance.now();
      const ctx = systemCtx(db.handle, db.config, 'bench');
      await generateDirectory(ctx, n, (line) => console.log(line));
      // An account exists, so the server does not take the database for a first start and load the demo.
      await makeUser(ctx, 'member', 'bench@test.example');
      console.log(`generated ${n} services in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }

    if (only.includes('generate')) return;
    const kind = db.handle.kind;
    const count = kind === 'postgresql' ? 2 : 1;
    // A token to read each node's /metrics with: the kept search answers' hits and misses.
    const metricsToken = randomBytes(24).toString('hex');
    for (let i = 0; i < count; i++) nodes.push(await serveProcess({ ...secrets, DATABASE_URL: db.config.databaseUrl, JOBS: 'off', METRICS_TOKEN: metricsToken }));
    const cacheCounts = async () => {
      const out = { hits: 0, misses: 0 };
      for (const node of nodes) {
        const text = await (await fetch(`${node.base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
        for (const m of text.matchAll(/^taskforce_cache_lookups_total\{cache="directory_search",result="(hit|miss)"\} (\d+)/gm)) out[m[1] === 'hit' ? 'hits' : 'misses'] += Number(m[2]);
      }
      return out;
    };
    const cacheSince = async (before: { hits: number; misses: number }) => {
      const now = await cacheCounts();
      return { hits: now.hits - before.hits, misses: now.misses - before.misses };
    };
    if (count > 1) proxy = await roundRobin(nodes.map((s) => s.base));
    const base = proxy?.base ?? nodes[0].base;
    hello = await startHello();

    const types = requestTypes(n).filter((t) => !only.length || only.includes(t.key));
    const rows: Row[] = [];
    const helloRow: Row = { label: 'bare Fastify "hello" (same machine, same run)' };
    helloRow.one = await measure('hello', () => fetch(hello!.base).then((r) => r.text()), runs, 10);
    helloRow.load = await underLoad(hello.base, [() => '/'], seconds, connections);
    for (const t of types) {
      const first = await fetch(base + t.path());
      if (first.status !== 200) console.log(`warning: ${t.label} answered ${first.status}`);
      await first.arrayBuffer();
      const row: Row = { label: t.label };
      row.one = await measure(t.label, () => fetch(base + t.path()).then((r) => r.arrayBuffer()), runs, 3);
      t.used.clear();
      const counted = await cacheCounts();
      row.load = await underLoad(base, [t.path], seconds, connections);
      row.distinct = String(t.used.size);
      row.cache = await cacheSince(counted);
      rows.push(row);
      // Let work from clients that were cut off at the end of the run drain before the next.
      await new Promise((ok) => setTimeout(ok, 1000));
    }
    const mix: Row = { label: 'a mix of all of these' };
    for (const t of types) t.used.clear();
    const counted = await cacheCounts();
    mix.load = await underLoad(base, types.map((t) => t.path), seconds, connections);
    mix.cache = await cacheSince(counted);
    mix.distinct = types.map((t) => `${t.key} ${t.used.size}`).join(', ');
    rows.push(mix);

    const helloRps = helloRow.load.requests.average;
    const hitRate = (c: Row['cache']) => (!c || !(c.hits + c.misses) ? '—' : `${((100 * c.hits) / (c.hits + c.misses)).toFixed(0)}% of ${c.hits + c.misses}`);
    const fmt = (x: number | undefined, d = 1) => (x === undefined ? '—' : x.toFixed(d));
    console.log(`\nLoad, ${n} services, ${kind}${count > 1 ? ` (${count} app processes behind one port)` : ''}; one client: ${runs} requests; ${connections} clients: ${seconds} s each`);
    console.log('| request | one client p50 / p95 ms | clients req/s | p50 / p97.5 / p99 ms | timeouts | errors, non-2xx | × hello req/s | kept answers used | distinct URLs under load |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of [helloRow, ...rows]) {
      const l = r.load!;
      console.log(
        `| ${r.label} | ${r.one ? `${fmt(r.one.p50)} / ${fmt(r.one.p95)}` : '—'} | ${fmt(l.requests.average, 0)} | ${l.latency.p50} / ${l.latency.p97_5} / ${l.latency.p99} | ${l.timeouts} | ${l.errors}, ${l.non2xx} | ${(l.requests.average / helloRps).toFixed(4)} | ${hitRate(r.cache)} | ${r.distinct ?? '—'} |`,
      );
    }
  } finally {
    proxy?.close();
    hello?.child.kill();
    for (const s of nodes) await s.stop();
    await db.drop();
  }
}
