/**
 * Platform pieces: configuration, translations, CSV, field encryption, HTTP caching, health and the OpenAPI document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import { loadConfig, ConfigError } from '../config.ts';
import { missingTranslations } from './web/i18n.ts';
import { csvField, parseCsv, toCsv } from './http/csv.ts';
import { decryptField, encryptField, keyRing } from './crypto/index.ts';
import { validate } from './http/validation.ts';
import { HttpError } from './http/errors.ts';
import { testApp } from './testing.ts';
import type { AppModule } from './module.ts';

// ---------- configuration ----------

const key = () => randomBytes(32).toString('base64');

test('configuration: bad values are refused naming the variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfh-config-'));
  try {
    const base = { DATABASE_URL: `sqlite:${join(dir, 'x.db')}`, SESSION_SECRET: 'y'.repeat(40), DATA_KEY: key() };
    const refused = (env: Record<string, string>, variable: string) => {
      assert.throws(
        () => loadConfig({ ...base, ...env }),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(variable),
        `${JSON.stringify(env)} names ${variable}`,
      );
    };
    refused({ PORT: 'eighty' }, 'PORT');
    refused({ PORT: '-1' }, 'PORT');
    refused({ PORT: '70000' }, 'PORT');
    refused({ PORT: '80.5' }, 'PORT');
    refused({ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL');
    refused({ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL');
    refused({ DATA_KEY: 'too-short' }, 'DATA_KEY');
    refused({ DATA_KEY: randomBytes(16).toString('base64') }, 'DATA_KEY');
    refused({ SESSION_SECRET: 'short' }, 'SESSION_SECRET');
    refused({ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL');
    refused({ GOV_BANNER: 'perhaps' }, 'GOV_BANNER');
    refused({ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES');

    const ok = loadConfig({ ...base, PORT: '8080', PUBLIC_URL: 'https://hub.example.gov/', GOV_BANNER: 'yes' });
    assert.equal(ok.port, 8080);
    assert.equal(ok.databaseKind, 'sqlite');
    assert.equal(ok.publicUrl, 'https://hub.example.gov');
    assert.equal(ok.secureCookies, true, 'https turns on Secure cookies');
    assert.equal(ok.govBanner, true);
    assert.equal(loadConfig({ ...base, DATABASE_URL: 'postgres://u:p@db/x' }).databaseKind, 'postgresql');
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db/x', NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && e.variable === 'SESSION_SECRET');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------- translations ----------

test('i18n: every message exists in English and Spanish once every module is loaded', async () => {
  await import('../app.tsx');
  assert.deepEqual(missingTranslations(), []);
});

// ---------- CSV ----------

test('CSV: what toCsv writes, parseCsv reads back (fast-check)', () => {
  // Fields that do not start with a formula character come back exactly.
  const safe = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/^[=+\-@\t\r]/.test(s));
  fc.assert(
    fc.property(fc.array(safe, { minLength: 1, maxLength: 6 }), fc.array(fc.array(safe, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (headers, rows) => {
      const width = headers.length;
      const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
      const parsed = parseCsv(toCsv(headers, table));
      assert.deepEqual(parsed, [headers, ...table]);
    }),
    { seed: 4242, numRuns: 300 },
  );
});

test('CSV: formula-like fields are defused, and still read back as text', () => {
  for (const evil of ['=1+1', '+SUM(A1:A2)', '-2+3', '@cmd', '\tTAB', '\rCR', '=HYPERLINK("http://evil.example","x")']) {
    const field = csvField(evil);
    const unquoted = field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
    assert.ok(unquoted.startsWith("'"), `${JSON.stringify(evil)} is defused: ${field}`);
    const [row] = parseCsv(toCsv([evil], []));
    assert.equal(row[0], "'" + evil);
  }
  fc.assert(
    fc.property(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.string({ maxLength: 20 }), (c, rest) => {
      const [[back]] = parseCsv(csvField(c + rest) + '\r\n');
      assert.equal(back, "'" + c + rest);
    }),
    { seed: 99, numRuns: 200 },
  );
  assert.equal(csvField(null), '');
  assert.equal(csvField({ a: 1 }), '"{""a"":1}"');
  assert.throws(() => parseCsv('a,"b\nc'), /line 1/);
  assert.deepEqual(parseCsv('\ufeffa,b\r\n1,2'), [['a', 'b'], ['1', '2']], 'a byte-order mark is ignored');
});

// ---------- field encryption ----------

test('crypto: round trip, tamper detection, key rotation', () => {
  const k1 = key();
  const k2 = key();
  const ring = keyRing(k1);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      const sealed = encryptField(ring, text);
      assert.ok(!sealed.includes(text) || text.length < 4);
      assert.equal(decryptField(ring, sealed), text);
    }),
    { seed: 7, numRuns: 200 },
  );
  const a = encryptField(ring, 'same');
  const b = encryptField(ring, 'same');
  assert.notEqual(a, b, 'a fresh IV every time');

  // Tampering with any part is detected.
  const parts = a.split('.');
  for (const i of [2, 3, 4]) {
    const bytes = Buffer.from(parts[i], 'base64url');
    bytes[0] ^= 1;
    const forged = [...parts.slice(0, i), bytes.toString('base64url'), ...parts.slice(i + 1)].join('.');
    assert.throws(() => decryptField(ring, forged), Error, `part ${i} altered`);
  }
  assert.throws(() => decryptField(ring, 'plain text'), /Not an encrypted field/);

  // Rotation: the new key first, the old one second; old values still open, new ones use the new key.
  const rotated = keyRing(`${k2},${k1}`);
  assert.equal(decryptField(rotated, a), 'same');
  const fresh = encryptField(rotated, 'new secret');
  assert.equal(fresh.split('.')[1], rotated.current.id);
  assert.notEqual(rotated.current.id, ring.current.id);
  assert.throws(() => decryptField(ring, fresh), /No key/, 'the old ring alone cannot open values under the new key');
  assert.throws(() => decryptField(keyRing(k2), a), /No key/, 'dropping the old key too early is reported, not silent');
  assert.throws(() => keyRing(`${k2},short`), /32 bytes/);
});

// ---------- validation helper ----------

test('validation: dates the database cannot store are refused as input, not as a 500', () => {
  const S = Type.Object({ d: Type.String({ format: 'date' }), at: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false });
  assert.deepEqual(validate(S, { d: '2026-02-28', at: '2026-02-28T10:00:00Z' }), { d: '2026-02-28', at: '2026-02-28T10:00:00Z' });
  for (const bad of [{ d: '0000-01-01' }, { d: '2026-02-30' }, { d: '10000-01-01' }, { d: '2026-01-01', at: '0000-01-01T00:00:00Z' }, { d: '2026-01-01', at: '9999-12-31T23:00:00-05:00' }]) {
    assert.throws(() => validate(S, bad), (e: unknown) => e instanceof HttpError && e.status === 400, JSON.stringify(bad));
  }
});

// ---------- HTTP: caching, health, OpenAPI ----------

const cacheModule: AppModule = {
  name: 'cache-probe',
  async register(app) {
    app.get('/api/test-cacheable', { config: { access: 'public', publicCache: true }, schema: { hide: true } }, async (req) => ({ hello: 'world', lang: req.lang }));
  },
};

test('ETag and 304 on a public cacheable read; private and signed-in answers are not cached', async () => {
  const t = await testApp({ extraModules: [cacheModule] });
  try {
    const c = t.client();
    const first = await c.get('/api/test-cacheable');
    assert.equal(first.statusCode, 200);
    const etag = String(first.headers.etag ?? '');
    assert.match(etag, /^W\/".+"$/);
    assert.match(String(first.headers['cache-control']), /public/);
    const again = await c.get('/api/test-cacheable', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const changed = await c.get('/api/test-cacheable', { 'if-none-match': 'W/"something-else"' });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().hello, 'world');

    const signedIn = await t.signedIn('member');
    const mine = await signedIn.get('/api/test-cacheable');
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.headers.etag, undefined, 'nothing shared for a signed-in caller');
    assert.equal(mine.headers['cache-control'], 'no-store');

    const health = await c.get('/healthz');
    assert.equal(health.headers['cache-control'], 'no-store', '/healthz is never cached');
  } finally {
    await t.close();
  }
});

test('healthz reports the database kind', async () => {
  const t = await testApp();
  try {
    const res = await t.client().get('/healthz');
    assert.equal(res.statusCode, 200);
    const body = res.json() as { status: string; database: string; time: string };
    assert.equal(body.status, 'ok');
    assert.equal(body.database, t.ctx.dbKind);
    assert.equal(body.database, process.env.DATABASE_URL?.startsWith('postgres') ? 'postgresql' : 'sqlite');
    assert.ok(!Number.isNaN(Date.parse(body.time)));
  } finally {
    await t.close();
  }
});

test('OpenAPI 3.1.0 describes every /api route', async () => {
  const t = await testApp();
  try {
    const res = await t.client().get('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses?: unknown }>>; components: { securitySchemes: Record<string, unknown> } };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.components.securitySchemes.bearerAuth && doc.components.securitySchemes.cookieAuth);
    const missing: string[] = [];
    const unsecured: string[] = [];
    for (const r of t.app.routeAccessList()) {
      if (!r.url.startsWith('/api/') || r.url === '/api/openapi.json' || r.url === '/api/docs') continue;
      const path = r.url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      if (!op) missing.push(`${r.method} ${r.url}`);
      else if (r.access !== 'public' && !(op.security && op.security.length)) unsecured.push(`${r.method} ${r.url}`);
    }
    assert.deepEqual(missing, [], `missing from the OpenAPI document: ${missing.join(', ')}`);
    assert.deepEqual(unsecured, [], `protected routes without security in the OpenAPI document: ${unsecured.join(', ')}`);
    const docs = await t.client().get('/api/docs');
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers['content-type']), /text\/html/);
  } finally {
    await t.close();
  }
});
