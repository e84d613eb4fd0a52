/**
 * Malformed input against every JSON API route (platform and modules, read from routeAccessList): wrong types, huge
 * strings, unknown fields, bad ids, odd query strings, broken JSON and wrong content types, sent by an
 * administrator (with the CSRF token, so the input reaches validation) and by the public. Every answer must be a
 * clear 4xx (or a 2xx for a harmless read), never a 5xx, and no table may gain or lose a row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testApp, type TestApp, type TestClient } from './testing.ts';
import type { Db } from './db/index.ts';

const SEED = 20261129;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Tables that legitimately change on any request: sessions, the audit trail of refusals, the migration log. */
const VOLATILE = new Set(['sessions', 'audit_events', 'schema_migrations']);

interface Route {
  method: string;
  url: string;
  /** Properties of the JSON body schema, from the OpenAPI document, when the route declares one. */
  bodyProps: Record<string, { type?: string | string[] }>;
  /** Names of the declared query parameters, so that odd values can reach the handler past the schema. */
  queryNames: string[];
  /** Whether the route takes any input at all (path, query or body); an action without input has nothing to malform. */
  takesInput: boolean;
}

interface Input {
  params: string[];
  query: string;
  body?: { payload: string; contentType?: string };
}

async function tableNames(db: Db, kind: string): Promise<string[]> {
  const rows =
    kind === 'postgresql'
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows;
  return rows.map((r) => r.name).filter((n) => !VOLATILE.has(n)).sort();
}

async function rowCounts(t: TestApp, tables: string[]): Promise<Record<string, number>> {
  // One round trip for all tables: this runs after every generated write.
  const parts = tables.map((name) => sql`select ${name} as name, count(*) as n from ${sql.table(name)}`);
  const r = await sql<{ name: string; n: number | string }>`${sql.join(parts, sql` union all `)}`.execute(t.ctx.db);
  return Object.fromEntries(r.rows.map((x) => [x.name, Number(x.n)]));
}

function apiRoutes(t: TestApp): Route[] {
  const doc = t.app.swagger() as {
    paths?: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Route['bodyProps'] } }> } }>>;
  };
  return t.app
    .routeAccessList()
    .filter((r) => r.url.startsWith('/api/') && METHODS.has(r.method))
    .map((r) => {
      const oaPath = r.url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
      const op = doc.paths?.[oaPath]?.[r.method.toLowerCase()];
      const bodyProps = op?.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      const queryNames = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const takesInput = r.method === 'GET' || paramCount(r.url) > 0 || queryNames.length > 0 || Boolean(op?.requestBody);
      return { method: r.method, url: r.url, bodyProps, queryNames, takesInput };
    });
}

function paramCount(url: string): number {
  return (url.match(/:[A-Za-z0-9_]+/g) ?? []).length + (url.match(/\*/g) ?? []).length;
}

function fill(url: string, params: string[]): string {
  let i = 0;
  return url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?|\*/g, () => encodeURIComponent(params[i++] ?? 'x'));
}

// ---------- generators ----------

const HUGE = 'x'.repeat(100_000);

const badId = fc.oneof(
  fc.constantFrom('not-a-uuid', '0', '-1', '1e9', 'null', 'undefined', '00000000-0000-0000-0000-00000000000g', "' or '1'='1", '../../etc/passwd', '%00', '\u0000', '<script>', 'a'.repeat(150), '{{7*7}}', ' '),
  fc.uuid(),
  fc.string({ maxLength: 40 }).filter((s) => s.length > 0),
  fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => s.length > 0),
);

const rawQuery = fc.oneof(
  fc.constantFrom(
    '',
    '?page=0',
    '?page=-1',
    '?page=1.5',
    '?page=99999999999999999999',
    '?per_page=100000',
    '?per_page=abc',
    '?page=1&page=2',
    '?from=2026-02-30',
    '?from=0000-01-01',
    '?to=10000-01-01',
    '?from=not-a-date',
    '?format=xml',
    '?%zz=1',
    '?a[b]=c',
    '?__proto__[x]=1',
    '?constructor=1',
    '?&&&==&',
    '?q=%00',
    `?q=${HUGE.slice(0, 5000)}`,
    '?sort=1;drop table users',
  ),
  fc
    .dictionary(
      fc.constantFrom('page', 'per_page', 'q', 'from', 'to', 'action', 'format', 'id', 'unknown_field', 'sort', 'lang'),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom('-1', '0', '1e400', 'NaN', 'true', '[]', '{}', '\u0000')),
      { minKeys: 1, maxKeys: 4 },
    )
    .map((d) => '?' + new URLSearchParams(d).toString()),
);

/** Values that no JSON schema type coerces into the expected one (Fastify coerces scalars and one-item arrays). */
function wrongFor(schema: { type?: string | string[] } | undefined): fc.Arbitrary<unknown> {
  const type = schema?.type;
  const obj = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 });
  const twoItems = fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 2, maxLength: 4 });
  if (type === 'object') return fc.oneof(fc.string(), fc.integer(), twoItems);
  if (type === 'array') return fc.oneof(obj, fc.constant({ nested: [{ deep: true }] }));
  return fc.oneof(obj, twoItems.map((a) => [{ x: a }, ...a]));
}

function bodyFor(route: Route): fc.Arbitrary<{ payload: string; contentType?: string } | undefined> {
  const names = Object.keys(route.bodyProps);
  const json = (a: fc.Arbitrary<unknown>) => a.map((v) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json' }));
  const choices: fc.Arbitrary<{ payload: string; contentType?: string } | undefined>[] = [
    // Not an object at all.
    json(fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }))),
    // An object with a field nobody declared.
    json(fc.tuple(fc.dictionary(fc.constantFrom(...(names.length ? names : ['name'])), fc.jsonValue({ maxDepth: 2 })), fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })).map(([o, k, v]) => ({ ...o, ['unknown_' + k]: v }))),
    // Broken JSON text, and JSON that tries prototype pollution.
    fc.constantFrom('{"a":', '{bad json}', '[1,2', 'nul', '{"a":1}}', '\u0000', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '['.repeat(20_000)).map((payload) => ({ payload, contentType: 'application/json' })),
    // Wrong content types.
    fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/octet-stream', 'application/json; charset=utf-16', 'text/html'), fc.string({ maxLength: 50 })).map(([contentType, payload]) => ({ payload, contentType })),
    fc.constant({ payload: 'name=x&unknown_field=1&scopes=', contentType: 'application/x-www-form-urlencoded' }),
    // Too large for the body limit.
    fc.constant({ payload: JSON.stringify({ name: 'x'.repeat(1_200_000) }), contentType: 'application/json' }),
    fc.constant(undefined),
  ];
  if (names.length) {
    // Every declared field present but of a type no coercion can rescue.
    choices.push(json(fc.record(Object.fromEntries(names.map((n) => [n, wrongFor(route.bodyProps[n])])) as Record<string, fc.Arbitrary<unknown>>)));
    // Every declared field a 100,000-character string.
    choices.push(fc.constant({ payload: JSON.stringify(Object.fromEntries(names.map((n) => [n, HUGE]))), contentType: 'application/json' }));
  } else {
    choices.push(fc.constant({ payload: JSON.stringify({ text: HUGE }), contentType: 'application/json' }));
  }
  return fc.oneof(...choices);
}

/** Values that pass a loose schema but may trip the code or the database behind it. */
const ODD_VALUES = ['\u0000', 'a\u0000b', '0000-01-01', '0001-01-01', '9999-12-31', '10000-01-01', '2026-02-30', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-05:00', '-1', '0', '1e400', 'NaN', "' or 1=1 --", '%', '_', '\\', '*', '[]', '{}', 'x'.repeat(10_000)];

function oddQuery(route: Route): fc.Arbitrary<string> {
  if (!route.queryNames.length) return rawQuery;
  return fc
    .dictionary(fc.constantFrom(...route.queryNames), fc.oneof(fc.constantFrom(...ODD_VALUES), fc.string({ maxLength: 20 })), { minKeys: 1, maxKeys: 3 })
    .map((d) => '?' + new URLSearchParams(d).toString());
}

function inputFor(route: Route): fc.Arbitrary<Input> {
  return fc.record({
    params: fc.array(badId, { minLength: paramCount(route.url), maxLength: paramCount(route.url) }),
    query: fc.oneof(rawQuery, oddQuery(route)),
    body: route.method === 'GET' ? fc.constant(undefined) : bodyFor(route),
  });
}

// ---------- sending ----------

function send(t: TestApp, whoIn: TestClient | null, route: Route, input: Input) {
  // A write that takes no input (say "run the digests now") ignores any body, so an administrator's call would simply
  // run it: such routes are only called by the public here, who must be refused.
  const who = route.takesInput ? whoIn : null;
  const headers: Record<string, string> = {};
  if (who) {
    headers.cookie = [...who.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (route.method !== 'GET') headers['x-csrf-token'] = who.csrf;
  }
  if (input.body?.contentType) headers['content-type'] = input.body.contentType;
  return t.app.inject({ method: route.method as 'GET', url: fill(route.url, input.params) + input.query, headers, payload: input.body?.payload });
}

function judge(route: Route, status: number, body: string, who: string, input: Input): void {
  const what = `${who} ${route.method} ${route.url} params=${JSON.stringify(input.params)} query=${input.query.slice(0, 100)} body=${input.body?.contentType} ${input.body?.payload.slice(0, 100)} -> ${status} ${body.slice(0, 200)}`;
  assert.ok(status < 500, `server error: ${what}`);
  const ok = (status >= 400 && status < 500) || (route.method === 'GET' && status >= 200 && status < 300);
  assert.ok(ok, `expected a 4xx (or 2xx for a read): ${what}`);
}

test('malformed input to every API route: never a 5xx, nothing changes', { timeout: 120_000 }, async () => {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const routes = apiRoutes(t);
    assert.ok(routes.length >= 5, 'the API has routes');
    const admin = await t.signedIn('admin');
    const tables = await tableNames(t.ctx.db, t.ctx.dbKind);
    assert.ok(tables.includes('users') && tables.includes('api_tokens'));
    const before = await rowCounts(t, tables);

    // Every route with a fixed set of nasty inputs, so each is covered whatever the random draw.
    const fixed: Input[] = [
      { params: [], query: '?unknown_field=1', body: { payload: '{"a":', contentType: 'application/json' } },
      { params: [], query: '?page=0', body: { payload: '{"unknown_field":1}', contentType: 'application/json' } },
      { params: [], query: '?q=%00', body: { payload: '{"name":"\\u0000","unknown_field":1}', contentType: 'application/json' } },
      { params: [], query: '', body: { payload: 'hello', contentType: 'text/plain' } },
      { params: [], query: '?from=0000-01-01', body: { payload: JSON.stringify({ unknown_field: HUGE }), contentType: 'application/json' } },
    ];
    for (const route of routes) {
      const n = paramCount(route.url);
      for (const [i, base] of fixed.entries()) {
        const input: Input = { ...base, params: Array.from({ length: n }, (_, k) => ['not-a-uuid', '\u0000', "' or 1=1 --", 'a'.repeat(150), '%'][(i + k) % 5]) };
        if (route.method === 'GET') delete input.body;
        for (const [who, client] of [['admin', admin], ['anonymous', null]] as const) {
          const res = await send(t, client, route, input);
          judge(route, res.statusCode, res.body, who, input);
        }
      }
    }

    // Each declared query parameter alone with each odd value.
    for (const route of routes) {
      const params = Array.from({ length: paramCount(route.url) }, () => '00000000-0000-4000-8000-000000000000');
      for (const name of route.queryNames) {
        for (const value of ODD_VALUES) {
          const input: Input = { params, query: '?' + new URLSearchParams({ [name]: value }).toString() };
          if (route.method !== 'GET') input.body = { payload: '{}', contentType: 'application/json' };
          const res = await send(t, admin, route, input);
          judge(route, res.statusCode, res.body, 'admin', input);
        }
      }
    }

    // Then generated inputs, spread over the routes; a fixed seed makes a failure reproducible.
    const numRuns = Math.min(600, Math.max(300, routes.length * 8));
    const sample = fc.constantFrom(...routes).chain((route) => fc.record({ route: fc.constant(route), who: fc.constantFrom('admin', 'anonymous'), input: inputFor(route) }));
    await fc.assert(
      fc.asyncProperty(sample, async ({ route, who, input }) => {
        const res = await send(t, who === 'admin' ? admin : null, route, input);
        judge(route, res.statusCode, res.body, who, input);
        if (route.method !== 'GET' && who === 'admin') assert.deepEqual(await rowCounts(t, tables), before, `rows changed after ${route.method} ${route.url}`);
      }),
      { seed: SEED, numRuns, endOnFailure: true },
    );

    assert.deepEqual(await rowCounts(t, tables), before, 'no table gained or lost a row');
    const me = (await admin.get('/api/session')).json() as { signed_in: boolean };
    assert.equal(me.signed_in, true, 'the administrator stayed signed in throughout, so the input reached validation');
  } finally {
    await t.close();
  }
});
