import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testApp } from '../src/platform/testing.ts';
import { generatedServices, writeGeneratedPackage, GENERATE_BATCH } from '../src/modules/directory/generate.ts';
import { importPath, readPath } from '../src/modules/directory/import.ts';
import { TABLES, tableOf, type TableName } from '../src/modules/directory/model.ts';
import { exclusively, sqliteConnection } from '../src/platform/db/index.ts';
import { CompiledQuery } from 'kysely';
import { searchServices, type SearchParams } from '../src/modules/directory/search.ts';
import { sql } from 'kysely';
import { uuidv5 } from '../src/modules/directory/model.ts';
import { servicesFull } from '../src/modules/directory/hsds.ts';
import { measure, report, type Figures } from './lib.ts';

/**
 * The service directory at national scale (DIRECTORY_BENCH_SERVICES, default 20000; the README's figures are for
 * 100000 and 500000). The directory is filled through the real importer: the synthetic services are written as
 * HSDS 3.0 NDJSON publications of 25,000 services and each is imported with importPath (all or nothing, checked,
 * indexed), timed without the writing, as services per second. Then four searches, each timed as the query the API
 * runs (searchServices, without facets, which the API does not return) and through GET /api/hsds/services; the
 * ratio is the product's own overhead (loading and nesting 20 services, serialising, validating). Searches that the
 * search points answer are also timed over the HSDS tables (SearchParams.plan 'tables'), the plan they replaced.
 * DIRECTORY_BENCH_RUNS sets the timed runs per case (default 30, after 3 warm-up runs).
 *
 * Before the searches, lookups by id (GET /api/hsds/services/:id and the service page), over services spread through
 * the directory, each also timed without the indexes that migration 202612050010 added (dropped for the run and
 * made again): the cost of a lookup should not grow with the directory. DIRECTORY_BENCH_ONLY=lookups stops there.
 *
 * First (DIRECTORY_BENCH_ONLY=import stops after it), the import against its ceiling at two sizes
 * (DIRECTORY_BENCH_IMPORT_SIZES, default 5000,20000), each in a new database: the first import of one publication,
 * where its time goes (from its progress lines), importing it again unchanged (recognised by its digest), and again
 * with --strict, which the digest does not cover (every row read, checked and compared), and the raw-insert ceiling, the same
 * rows written into another new database by a bare insert in one transaction (SQLite: one better-sqlite3 prepared
 * statement run per row; PostgreSQL: multi-row statements of up to 8,000 values), with the import's speed as a share
 * of it. Each also in CPU time (process.cpuUsage, every thread of the process), which moves far less than the time
 * on the clock when the machine is shared: the share of the ceiling is given in both. Each case is run
 * DIRECTORY_BENCH_IMPORT_RUNS times (default 3), alternately, each in a new database, and its best kept. On PostgreSQL the server's own
 * work is not in it (it runs in other processes), so there the clock's share is the one to read.
 */
export async function run(): Promise<void> {
  const sizes = (process.env.DIRECTORY_BENCH_IMPORT_SIZES ?? '5000,20000').split(',').map(Number).filter((x) => x > 0);
  for (const size of sizes) await importCeiling(size);
  if (process.env.DIRECTORY_BENCH_ONLY === 'import') return;
  const n = Number(process.env.DIRECTORY_BENCH_SERVICES ?? 20000);
  const runs = Number(process.env.DIRECTORY_BENCH_RUNS ?? 30);
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  const dir = mkdtempSync(join(tmpdir(), 'tfh-directory-bench-'));
  try {
    const services = generatedServices(n);
    let imported = 0;
    let importMs = 0;
    let writeMs = 0;
    const rates: number[] = [];
    while (imported < n) {
      const file = join(dir, `services-${imported}.ndjson`);
      const w0 = performance.now();
      const count = writeGeneratedPackage(file, services, Math.min(GENERATE_BATCH, n - imported));
      writeMs += performance.now() - w0;
      const t0 = performance.now();
      await importPath(t.ctx, file);
      const ms = performance.now() - t0;
      rmSync(file);
      importMs += ms;
      imported += count;
      rates.push((count / ms) * 1000);
      console.log(`imported ${imported}/${n} services (this publication: ${Math.round((count / ms) * 1000)} services/s)`);
    }
    console.log(
      `\nImport of ${n} services (HSDS 3.0 NDJSON, ${Math.ceil(n / GENERATE_BATCH)} publication(s) of up to ${GENERATE_BATCH}): ` +
        `${Math.round((n / importMs) * 1000)} services/s overall; first publication ${Math.round(rates[0])}/s, last ${Math.round(rates[rates.length - 1])}/s ` +
        `(${(importMs / 1000).toFixed(1)} s importing, ${(writeMs / 1000).toFixed(1)} s generating and writing the files)`,
    );

    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const base: SearchParams = { page: 1, perPage: 20, vetted: false, facets: false };
    const cases: [string, SearchParams, string][] = [
      ['text "job"', { ...base, q: 'job' }, 'search=job'],
      ['text + radius + filters', { ...base, q: 'job', near: '10001', radius: 50, need: ['employment'], language: ['es'] }, 'search=job&near=10001&radius=50&need=employment&language=es'],
      ['radius only (60601, 25 miles)', { ...base, near: '60601', radius: 25 }, 'near=60601&radius=25'],
      ['filters only', { ...base, need: ['housing'], population: ['foreign-nationals'], language: ['es'], free: true }, 'need=housing&population=foreign-nationals&language=es&free=true'],
    ];
    await lookups(t, n, runs);
    if (process.env.DIRECTORY_BENCH_ONLY === 'lookups') return;
    for (const [label, params, qs] of cases) {
      const first = await searchServices(db, kind, params);
      const raw = await measure(`query: ${label}`, () => searchServices(db, kind, params), runs, 3);
      const api = await measure(`GET /api/hsds/services?${qs}`, () => t.app.inject({ method: 'GET', url: `/api/hsds/services?${qs}&per_page=20` }), runs, 3);
      // The same search over the HSDS tables, as it ran before the search points (text alone still runs so).
      const tables = params.near || params.need ? [await measure(`same search over the HSDS tables`, () => searchServices(db, kind, { ...params, plan: 'tables' }), Math.min(runs, 10), 1)] : [];
      report(`Directory search, ${n} services: ${label} (${first.total} results)`, raw, [api, ...tables]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
}

async function importCeiling(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfh-directory-import-bench-'));
  const file = join(dir, `services-${n}.ndjson`);
  // Each case is run this many times, each in a new database, alternately, and its best time kept (on the clock and
  // in CPU, each the least of its runs): on a shared machine the others' work only ever adds time.
  const runs = Math.max(1, Number(process.env.DIRECTORY_BENCH_IMPORT_RUNS ?? 3));
  try {
    writeGeneratedPackage(file, generatedServices(n), n);
    let best: Awaited<ReturnType<typeof firstImport>> | undefined;
    let ceiling = Infinity;
    let ceilingCpu = Infinity;
    let again = Infinity;
    let compared = Infinity;
    let againCpu = Infinity;
    let comparedCpu = Infinity;
    for (let i = 0; i < runs; i++) {
      const r = await firstImport(file);
      if (!best || r.cpu < best.cpu) best = { ...r, ms: Math.min(r.ms, best?.ms ?? Infinity) };
      else best.ms = Math.min(best.ms, r.ms);
      again = Math.min(again, r.again);
      compared = Math.min(compared, r.compared);
      againCpu = Math.min(againCpu, r.againCpu);
      comparedCpu = Math.min(comparedCpu, r.comparedCpu);
      const c = await rawInsert(file);
      ceiling = Math.min(ceiling, c.ms);
      ceilingCpu = Math.min(ceilingCpu, c.cpu);
    }
    const { ms: first, cpu: firstCpu, rows, phases, phaseCpu } = best!;
    console.log(`\nImport of ${n} generated services (${rows} rows, HSDS 3.0 NDJSON) against the raw-insert ceiling, best of ${runs} run(s) each`);
    console.log(`${'case'.padEnd(48)} ${'ms'.padStart(9)} ${'rows/s'.padStart(9)} ${'share'.padStart(7)} ${'cpu ms'.padStart(9)} ${'share'.padStart(7)}`);
    const line = (name: string, ms: number, share: string, cpu: number, cpuShare: string) => console.log(`${name.padEnd(48)} ${ms.toFixed(0).padStart(9)} ${Math.round((rows / ms) * 1000).toString().padStart(9)} ${share.padStart(7)} ${cpu.toFixed(0).padStart(9)} ${cpuShare.padStart(7)}`);
    line('raw insert (the ceiling)', ceiling, '100%', ceilingCpu, '100%');
    line('first import', first, `${((ceiling / first) * 100).toFixed(0)}%`, firstCpu, `${((ceilingCpu / firstCpu) * 100).toFixed(0)}%`);
    // Where the time went, in the run of least CPU.
    for (const [name, ms] of phases) console.log(`  ${name.padEnd(46)} ${ms.toFixed(0).padStart(9)} ${((ms / best!.phaseMs) * 100).toFixed(0).padStart(5)}% of the import, CPU ${phaseCpu.get(name)!.toFixed(0)} ms (${((phaseCpu.get(name)! / firstCpu) * 100).toFixed(0)}%)`);
    const share = (x: number, of: number) => `${((x / of) * 100).toFixed(1)}%`;
    console.log(`${'importing it again, unchanged'.padEnd(48)} ${again.toFixed(0).padStart(9)} ${''.padStart(9)} ${share(again, first).padStart(7)} ${againCpu.toFixed(0).padStart(9)} ${share(againCpu, firstCpu).padStart(7)}  (of the first import)`);
    console.log(`${'again, every row compared (--strict)'.padEnd(48)} ${compared.toFixed(0).padStart(9)} ${''.padStart(9)} ${share(compared, first).padStart(7)} ${comparedCpu.toFixed(0).padStart(9)} ${share(comparedCpu, firstCpu).padStart(7)}  (of the first import)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One first import of the publication into a new database, with where its time went (from its progress lines), then importing it again unchanged. */
async function firstImport(file: string) {
  const phases = new Map<string, number>();
  const phaseCpu = new Map<string, number>();
  let last = 0;
  let lastCpu = 0;
  let phase = 'opening and reading the publication';
  const progress = (line: string) => {
    const now = performance.now();
    const cpu = cpuMs();
    phases.set(phase, (phases.get(phase) ?? 0) + now - last);
    phaseCpu.set(phase, (phaseCpu.get(phase) ?? 0) + cpu - lastCpu);
    last = now;
    lastCpu = cpu;
    // What the time until the next line went on.
    phase = /^checking/.test(line) ? 'checking values' : /values checked/.test(line) ? 'checking references' : /references checked/.test(line) ? 'reading and comparing stored rows' : /loading \d+ table/.test(line) || /^\s+\w+: \d+\/\d+$/.test(line) ? 'writing rows (and rebuilding indexes)' : /secondary indexes rebuilt/.test(line) ? 'source snapshot' : /search index/.test(line) ? 'search index, history, audit, commit' : phase;
  };
  const app = await testApp();
  try {
    last = performance.now();
    const t0 = last;
    const c0 = cpuMs();
    lastCpu = c0;
    const r = await importPath(app.ctx, file, { progress });
    const ms = performance.now() - t0;
    const cpu = cpuMs() - c0;
    phaseCpu.set(phase, (phaseCpu.get(phase) ?? 0) + c0 + cpu - lastCpu);
    phases.set(phase, (phases.get(phase) ?? 0) + performance.now() - last);
    const rows = r.added;
    const t1 = performance.now();
    const a0 = cpuMs();
    const r2 = await importPath(app.ctx, file);
    const again = performance.now() - t1;
    const againCpu = cpuMs() - a0;
    if (r2.added + r2.changed || r2.unchanged !== rows) throw new Error('importing again changed something');
    // Again, with --strict, which the digest of the first import does not cover: every row read, checked and
    // compared with the stored one (what a re-import costs after any other directory write).
    const t2 = performance.now();
    const b0 = cpuMs();
    const r3 = await importPath(app.ctx, file, { strict: true });
    const compared = performance.now() - t2;
    const comparedCpu = cpuMs() - b0;
    if (r3.added + r3.changed || r3.unchanged !== rows) throw new Error('importing again (compared) changed something');
    return { ms, cpu, rows, phases, phaseCpu, phaseMs: ms, again, againCpu, compared, comparedCpu };
  } finally {
    await app.close();
  }
}

/** CPU time of the process so far (user and system, all threads), in milliseconds. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Milliseconds (on the clock and of CPU) to write the publication's rows into a new database by a bare insert, in one transaction. */
async function rawInsert(file: string): Promise<{ ms: number; cpu: number }> {
  const { ds } = await readPath(file);
  const app = await testApp();
  try {
    const db = app.db.handle.db;
    const tables = [...ds.rows.keys()].filter((t) => ds.get(t).length) as TableName[];
    const data = tables.map((t) => {
      const cols = Object.keys(TABLES[t].columns);
      const flags = new Set(cols.filter((c) => TABLES[t].columns[c].startsWith('bool')));
      const sqlite = !!sqliteConnection(db);
      const values = ds.get(t).map((r) => cols.map((c) => {
        const v = r[c] ?? (flags.has(c) ? false : null);
        return sqlite && typeof v === 'boolean' ? (v ? 1 : 0) : v;
      }));
      return { table: tableOf(t), cols, values };
    });
    const head = (table: string, cols: string[]) => `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values `;
    const sqlite = sqliteConnection(db);
    const t0 = performance.now();
    const c0 = cpuMs();
    if (sqlite) {
      await exclusively(db, () =>
        sqlite.transaction(() => {
          for (const { table, cols, values } of data) {
            const st = sqlite.prepare(`${head(table, cols)}(${cols.map(() => '?').join(', ')})`);
            for (const v of values) st.run(v);
          }
        })(),
      );
    } else {
      await db.transaction().execute(async (trx) => {
        for (const { table, cols, values } of data) {
          const per = Math.floor(8000 / cols.length);
          for (let i = 0; i < values.length; i += per) {
            const chunk = values.slice(i, i + per);
            let p = 1;
            const text = head(table, cols) + chunk.map(() => `(${cols.map(() => `$${p++}`).join(', ')})`).join(', ');
            await trx.executeQuery(CompiledQuery.raw(text, chunk.flat()));
          }
        }
      });
    }
    return { ms: performance.now() - t0, cpu: cpuMs() - c0 };
  } finally {
    await app.close();
  }
}

/** The references migration 202612050010 indexed for the first time (the others it only made partial). */
const LOOKUP_INDEXES: [string, string][] = [
  ['schedule', 'service_at_location_id'],
  ['phone', 'service_at_location_id'],
  ['phone', 'contact_id'],
  ['contact', 'service_at_location_id'],
  ['contact', 'location_id'],
  ['language', 'phone_id'],
];

async function lookups(t: Awaited<ReturnType<typeof testApp>>, n: number, runs: number): Promise<void> {
  const db = t.db.handle.db;
  let i = 0;
  // A different service each call, spread over the whole directory (a prime stride), so no one row stays cached.
  const nextId = () => uuidv5(`generated:svc:${(i = (i + 7919) % n)}`);
  const raw = await measure('query: servicesFull (one service)', () => servicesFull(db, [nextId()], { vetted: false }), runs, 3);
  const time = async (label: string): Promise<Figures[]> => [
    await measure(`GET /api/hsds/services/:id${label}`, () => t.app.inject({ method: 'GET', url: `/api/hsds/services/${nextId()}` }), runs, 3),
    await measure(`GET /directory/services/:id${label}`, () => t.app.inject({ method: 'GET', url: `/directory/services/${nextId()}` }), runs, 3),
  ];
  const withIndexes = await time('');
  for (const [table, col] of LOOKUP_INDEXES) await sql.raw(`drop index directory_${table}_${col}_idx`).execute(db);
  const slowRuns = Math.max(3, Math.min(runs, 10));
  let without: Figures[];
  try {
    without = [
      await measure('GET /api/hsds/services/:id without the new indexes', () => t.app.inject({ method: 'GET', url: `/api/hsds/services/${nextId()}` }), slowRuns, 1),
      await measure('GET /directory/services/:id without the new indexes', () => t.app.inject({ method: 'GET', url: `/directory/services/${nextId()}` }), slowRuns, 1),
    ];
  } finally {
    for (const [table, col] of LOOKUP_INDEXES) await sql.raw(`create index directory_${table}_${col}_idx on directory_${table} (${col}) where ${col} is not null`).execute(db);
  }
  report(`Directory lookups by id, ${n} services`, raw, [...withIndexes, ...without]);
}
