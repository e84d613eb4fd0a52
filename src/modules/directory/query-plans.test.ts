/**
 * Lookups cost the same at any size (issue 14): every query behind the directory's routes is run on a generated
 * directory, its plan read from the engine after ANALYZE (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (FORMAT JSON) on
 * PostgreSQL), and the test fails on a full scan of a large table, naming the route, the table and the statement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { testDatabase } from '../../platform/testing.ts';
import { openDatabase, type Db } from '../../platform/db/index.ts';
import { systemCtx } from '../../platform/context.ts';
import { generateDirectory } from './generate.ts';
import { uuidv5 } from './model.ts';

const SERVICES = 3000;
/** Tables with at least this many rows count as large: a scan of one grows with the directory. */
const LARGE = 1000;
/**
 * Small tables read on every answer: a scan of one costs each request whatever its size, so they are checked as if
 * large. directory_organization_match is read for the organisations an HSDS answer names (by key, never whole).
 */
const READ_PER_ANSWER = ['directory_organization_match'];

interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** Table names by the names a statement gives them (`"directory_service" as "s"`, or the table's own name). */
function aliasesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/"(\w+)"(?:\s+as\s+"(\w+)")?/g)) {
    if (m[1].startsWith('directory_')) {
      out.set(m[1], m[1]);
      if (m[2]) out.set(m[2], m[1]);
    }
  }
  return out;
}

/** The large tables a statement reads whole, by its plan. */
async function fullScans(db: Db, kind: string, st: Statement, large: Set<string>): Promise<string[]> {
  if (kind === 'sqlite') {
    const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${st.sql}`, [...st.parameters]));
    const names = aliasesOf(st.sql);
    const found: string[] = [];
    // Walking an index in the order asked for, under a LIMIT, reads one page of entries and stops.
    const pageInIndexOrder = /\blimit\b/i.test(st.sql) && !plan.rows.some((r) => /TEMP B-TREE/.test(r.detail));
    for (const { detail } of plan.rows) {
      // "SCAN t", "SCAN t USING INDEX i", "SCAN t USING COVERING INDEX i": every row (or index entry) of t is read.
      // A SEARCH is an index lookup; a virtual table (the full-text index) is searched by its own index.
      const m = /^SCAN (\w+)(.*)$/.exec(detail);
      if (!m || /VIRTUAL TABLE/.test(m[2])) continue;
      if (pageInIndexOrder && /USING (COVERING )?INDEX/.test(m[2])) continue;
      const table = names.get(m[1]);
      if (table && large.has(table)) found.push(`${table} (${detail})`);
    }
    return found;
  }
  // PostgreSQL rightly prefers reading a table of a few thousand rows whole to twenty index lookups; with sequential
  // scans priced out, a Seq Scan left in the plan is one that no index could replace, at any size.
  const plan = await db.connection().execute(async (c) => {
    await c.executeQuery(CompiledQuery.raw('set enable_seqscan = off'));
    try {
      return await c.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${st.sql}`, [...st.parameters]));
    } finally {
      await c.executeQuery(CompiledQuery.raw('reset enable_seqscan'));
    }
  });
  const found: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    const rel = node['Relation Name'];
    if (node['Node Type'] === 'Seq Scan' && typeof rel === 'string' && large.has(rel)) found.push(`${rel} (Seq Scan)`);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const doc = plan.rows[0]['QUERY PLAN'];
  const top = (typeof doc === 'string' ? JSON.parse(doc) : doc) as { Plan: Record<string, unknown> }[];
  walk(top[0].Plan);
  return found;
}

test('the queries behind the directory routes read large tables through indexes, never whole', { timeout: 600_000 }, async () => {
  const td = await testDatabase({ RATE_LIMIT_PER_MINUTE: '1000000' });
  let capturing = false;
  const seen: Statement[] = [];
  // A second connection to the same database, which records what the app asks of it.
  const handle = openDatabase(td.config, { onQuery: (sql, parameters) => capturing && seen.push({ sql, parameters }) });
  const { buildApp } = await import('../../app.tsx');
  const app = await buildApp({ config: td.config, database: handle, logger: false });
  try {
    await app.ready();
    await generateDirectory(systemCtx(td.handle, td.config, 'test'), SERVICES);
    await td.handle.db.executeQuery(CompiledQuery.raw('analyze'));
    const large = new Set<string>();
    const tables =
      handle.kind === 'sqlite'
        ? (await handle.db.executeQuery<{ name: string }>(CompiledQuery.raw(`select name from sqlite_master where type = 'table' and name like 'directory_%'`))).rows
        : (await handle.db.executeQuery<{ name: string }>(CompiledQuery.raw(`select tablename as name from pg_tables where schemaname = current_schema() and tablename like 'directory_%'`))).rows;
    for (const { name } of tables) {
      const n = Number((await handle.db.executeQuery<{ n: unknown }>(CompiledQuery.raw(`select count(*) as n from "${name}"`))).rows[0].n);
      if (n >= LARGE) large.add(name);
    }
    for (const name of READ_PER_ANSWER) large.add(name);
    assert.ok(large.has('directory_schedule') && large.has('directory_service'), `large tables: ${[...large].join(', ')}`);

    const id = (k: string, i: number) => uuidv5(`generated:${k}:${i}`);
    const svc = id('svc', 1234);
    const org = uuidv5(`generated:org:${Math.floor(1234 / 5)}`);
    const routes = [
      `/api/hsds/services/${svc}`,
      `/directory/services/${svc}`,
      `/api/hsds/service_at_locations/${id('sal', 1234)}`,
      `/api/hsds/organizations/${org}`,
      `/api/hsds/organizations/${org}?full_service=true`,
      `/directory/organizations/${org}`,
      '/api/hsds/services?search=job&near=10001&radius=50&need=employment&language=es',
      '/api/hsds/services?near=60601&radius=25',
      '/api/hsds/services?near=60601&radius=25&full=true',
      '/api/hsds/services?search=clinic&near=60601&radius=100',
      // Text alone, matching more services than are ranked (every generated one says "area"): counted and taken from
      // the full-text index, the ranked ones' rows read by id.
      '/api/hsds/services?search=area',
      '/directory?q=area',
      '/api/hsds/services?need=housing&population=foreign-nationals&language=es&free=true',
      '/api/hsds/service_at_locations?proximity=41.88,-87.63,40000',
      '/directory?near=60601&radius=25&need=housing',
      '/directory?q=clinic&near=10001&radius=25',
      // The landing page and the unfiltered list: the kept figures (summary.ts) and one page in name order.
      '/directory',
      '/api/hsds/services?page=3&per_page=20',
      '/api/hsds/services?page=2&per_page=20&full=true',
      '/api/hsds/organizations?page=2&per_page=20',
    ];
    const problems: string[] = [];
    for (const url of routes) {
      seen.length = 0;
      capturing = true;
      const r = await app.inject({ method: 'GET', url });
      capturing = false;
      assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 300)}`);
      const selects = seen.filter((s) => /^\s*(select|with)\b/i.test(s.sql));
      assert.ok(selects.length > 0, `${url} ran no query`);
      for (const st of selects) {
        const scans = await fullScans(handle.db, handle.kind, st, large);
        if (scans.length) problems.push(`${url}\n    scans ${scans.join(', ')}\n    in: ${st.sql.slice(0, 400)}`);
      }
    }
    assert.deepEqual(problems, [], `full scans of large tables:\n${problems.join('\n')}`);
  } finally {
    await app.close();
    await handle.close();
    await td.drop();
  }
});
