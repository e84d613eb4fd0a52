import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { importPath, ImportRefused } from './import.ts';
import { SHARED_HSDS } from './testing.ts';

let t: TestApp;
let id: string;

before(async () => {
  t = await testApp();
  // ILAO as published: one blank service row quarantined, 840 warnings.
  id = (await importPath(t.ctx, join(SHARED_HSDS, 'real', 'ilao-legal-aid-1.1'))).importId;
});

after(async () => {
  await t.close();
});

test('an import is in the history with what it found, its counts and every quarantined row; again, unchanged', async () => {
  const admin = await t.signedIn('admin');
  const again = await importPath(t.ctx, join(SHARED_HSDS, 'real', 'ilao-legal-aid-1.1'));
  const list = await admin.get('/api/directory/imports');
  assert.equal(list.statusCode, 200);
  const items = list.json().items as Record<string, unknown>[];
  assert.deepEqual(items.map((i) => i.id), [again.importId, id], 'newest first');
  assert.equal(items[1].found, 'HSDS 1.1 CSV folder, 6 files');
  assert.equal(items[1].source, 'ilao-legal-aid-1.1');
  assert.equal(items[1].quarantined, 1);
  assert.equal(items[1].warnings, 840);
  assert.ok(Number(items[1].added) > 7000);
  assert.deepEqual([items[0].added, items[0].changed, items[0].removed], [0, 0, 0]);

  const one = (await admin.get(`/api/directory/imports/${id}`)).json();
  assert.deepEqual(one.quarantine.map((g: { file: string; field: string; reason: string; count: number }) => [g.file, g.field, g.reason, g.count]), [['services.csv', 'name', 'is required', 1]]);
  const locs = one.warning.find((g: { file: string; field: string }) => g.file === 'locations.csv' && g.field === 'organization_id');
  assert.equal(locs.count, 447);
  assert.equal(locs.examples.length, 3);

  const csv = await admin.get(`/api/directory/imports/${id}/quarantine.csv`);
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines.length, 1 + 1 + 840);
  assert.equal(lines[1], 'quarantined,services.csv,431,name,is required');
  // Downloaded from the Spanish page (or by a reader asking for Spanish): the reasons in Spanish, the columns and
  // kinds as they are (a program reads those).
  const es = await admin.get(`/api/directory/imports/${id}/quarantine.csv`, { 'accept-language': 'es' });
  const esLines = es.body.trim().split('\r\n');
  assert.equal(esLines.length, lines.length);
  assert.equal(esLines[0], lines[0]);
  assert.equal(esLines[1], 'quarantined,services.csv,431,name,es obligatorio');
  assert.doesNotMatch(es.body, /is required|names no |belongs to no record/);

  // Counts as the reader writes numbers, each noun agreeing with its count ("1 warning", "1 advertencia").
  const hl = (await importPath(t.ctx, join(SHARED_HSDS, 'real', 'healthleads-1.1'))).importId;
  for (const [lang, many, single] of [
    ['en', '7,695 added, 0 changed, 0 unchanged, 0 removed, 1 quarantined, 840 warnings', '44 added, 0 changed, 0 unchanged, 0 removed, 0 quarantined, 1 warning<'],
    ['es', '7,695 añadidas, 0 modificadas, 0 sin cambios, 0 retiradas, 1 en cuarentena, 840 advertencias', '44 añadidas, 0 modificadas, 0 sin cambios, 0 retiradas, 0 en cuarentena, 1 advertencia<'],
  ] as const) {
    assert.ok((await admin.get(`/directory/imports/${id}`, { 'accept-language': lang })).body.includes(many), `${lang}: ${many}`);
    assert.ok((await admin.get(`/directory/imports/${hl}`, { 'accept-language': lang })).body.includes(single), `${lang}: ${single}`);
  }
  for (const [lang, words] of [['en', /Directory imports[^]*HSDS 1\.1 CSV folder, 6 files/], ['es', /Importaciones del directorio[^]*Carpeta HSDS 1\.1 en CSV, 6 archivos[^]*en cuarentena/]] as const) {
    const page = await admin.get('/directory/imports', { 'accept-language': lang });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, words);
    const detail = await admin.get(`/directory/imports/${id}`, { 'accept-language': lang });
    assert.equal(detail.statusCode, 200);
    // When, on the task force's clock as every other page shows an instant (Washington, its zone named), not UTC.
    for (const body of [page.body, detail.body]) {
      assert.match(body, /\d{1,2}:\d{2}\s?(?:AM|PM|a\.\s?m\.|p\.\s?m\.)\s?E[SD]T/);
      assert.doesNotMatch(body, /\bUTC\b/);
    }
    assert.match(detail.body, lang === 'en' ? /Quarantined rows, by reason[^]*services\.csv · name: is required[^]*Row 431: is required/ : /Filas en cuarentena, por motivo[^]*services\.csv · name: es obligatorio[^]*Fila 431: es obligatorio/);
    if (lang === 'es') assert.doesNotMatch(detail.body, /is required|names no |belongs to no record/, 'the reasons in Spanish too');
    assert.match(detail.body, new RegExp(`href="/api/directory/imports/${id}/quarantine.csv"`));
  }
});

test('a refused import is in the history too, with its reason: a strict refusal and an unreadable package; API, pages in both languages, CSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'refused-'));
  mkdirSync(join(dir, 'pantry'));
  writeFileSync(join(dir, 'pantry', 'services.json'), JSON.stringify([{ id: '7c1c7a52-9a7e-4c53-9d0e-000000000001', name: 'Pantry', status: 'active' }, { id: '7c1c7a52-9a7e-4c53-9d0e-000000000002', name: '', status: 'active' }]));
  writeFileSync(join(dir, 'broken.zip'), 'not a zip at all');
  const strict = await importPath(t.ctx, join(dir, 'pantry'), { strict: true }).catch((e: unknown) => e);
  assert.ok(strict instanceof ImportRefused);
  const broken = await importPath(t.ctx, join(dir, 'broken.zip'), { source: 'County 211' }).catch((e: unknown) => e);
  assert.ok(broken instanceof ImportRefused);
  assert.equal((await t.ctx.db.selectFrom('directory_service').select('id').where('id', '=', '7c1c7a52-9a7e-4c53-9d0e-000000000001').execute()).length, 0, 'nothing imported');

  const admin = await t.signedIn('admin');
  const items = (await admin.get('/api/directory/imports?per_page=2')).json().items as Record<string, unknown>[];
  assert.deepEqual(items.map((i) => [i.source, i.outcome, i.refused]), [['County 211', 'refused', 'unreadable'], ['pantry', 'refused', 'strict']]);
  assert.deepEqual([items[0].added, items[0].quarantined, items[1].quarantined], [0, 1, 1]);
  assert.match(String(items[0].reason), /^broken\.zip: /);
  assert.equal(items[1].reason, 'services.json row 2, name: is required');
  assert.equal(broken.historyId, items[0].id, 'the refusal names its history entry');
  const one = (await admin.get(`/api/directory/imports/${items[1].id}`)).json();
  assert.deepEqual(one.refusal.map((g: { file: string; field: string; count: number }) => [g.file, g.field, g.count]), [['services.json', 'name', 1]]);
  const csv = await admin.get(`/api/directory/imports/${items[1].id}/quarantine.csv`);
  assert.equal(csv.body.trim().split('\r\n')[1], 'refused,services.json,2,name,is required');
  for (const [lang, list, detail] of [
    // The alert says once that it was refused, then why.
    ['en', /Refused \(--strict\): services\.json row 2, name: is required/, /usa-alert__text">Nothing was imported\. Refused \(--strict\): services\.json row 2[^]*Refused rows, by reason[^]*services\.json · name: is required/],
    ['es', /Rechazada \(--strict\): services\.json, fila 2, name: es obligatorio/, /usa-alert__text">No se importó nada\. Rechazada \(--strict\): services\.json, fila 2[^]*Filas rechazadas, por motivo[^]*services\.json · name: es obligatorio/],
  ] as const) {
    assert.match((await admin.get('/directory/imports', { 'accept-language': lang })).body, list);
    const page = await admin.get(`/directory/imports/${items[1].id}`, { 'accept-language': lang });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, detail);
  }
  const unreadable = (await admin.get(`/directory/imports/${items[0].id}`)).body;
  assert.match(unreadable, /Refused: the publication could not be read/);
  // A whole publication refused is no row of it: no "Row 0".
  assert.doesNotMatch(unreadable, /Row 0/);
  assert.doesNotMatch((await admin.get(`/directory/imports/${items[0].id}`, { 'accept-language': 'es' })).body, /Fila 0/);
});

test('the import history is for directory managers only: each role, each route; a bad id is a 400 naming it, an unknown one 404', async () => {
  // A refused import's entry too (the test before records two).
  const refused = String((await t.ctx.db.selectFrom('directory_import').select('id').where('refused', 'is not', null).executeTakeFirstOrThrow()).id);
  const urls = ['/api/directory/imports', `/api/directory/imports/${id}`, `/api/directory/imports/${id}/quarantine.csv`, '/directory/imports', `/directory/imports/${id}`, `/api/directory/imports/${refused}`, `/directory/imports/${refused}`];
  for (const url of urls) {
    const anon = await t.client().get(url);
    assert.ok(anon.statusCode === 401 || (url.startsWith('/directory') && [302, 303].includes(anon.statusCode)), `anonymous ${url}: ${anon.statusCode}`);
  }
  for (const role of ROLES) {
    const c = await t.signedIn(role);
    for (const url of urls) {
      const r = await c.get(url);
      assert.equal(r.statusCode, role === 'admin' ? 200 : 403, `${role} ${url}`);
    }
  }
  const admin = await t.signedIn('admin');
  const bad = await admin.get('/api/directory/imports/42');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id/);
  assert.equal((await admin.get('/api/directory/imports?per_page=0')).statusCode, 400);
  assert.equal((await admin.get('/api/directory/imports/11111111-1111-4111-8111-111111111111')).statusCode, 404);
  assert.equal((await admin.get('/directory/imports/11111111-1111-4111-8111-111111111111')).statusCode, 404);
  // The page for a bad address names the field in the reader's language, once, without the validator's "path." prefix.
  const items = (html: string) => [.../<main[^>]*>[^]*?<ul>([^]*?)<\/ul>/.exec(html)![1].matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
  for (const [lang, url, want] of [
    ['es', '/directory/imports/42', ['id: debe tener un formato válido (uuid)']],
    ['es', '/directory/imports?page=0', ['page: debe ser como mínimo 1']],
    ['en', '/directory/imports/42', ['id: must be a valid uuid']],
  ] as const) {
    const page = await admin.get(url, { 'accept-language': lang });
    assert.equal(page.statusCode, 400);
    assert.deepEqual(items(page.body), want, `${lang} ${url}`);
    if (lang === 'es') assert.doesNotMatch(page.body, /must be/, 'no English left');
  }

  const spec = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, { get?: { tags?: string[]; summary?: string; security?: unknown[] } }> };
  for (const p of ['/api/directory/imports', '/api/directory/imports/{id}', '/api/directory/imports/{id}/quarantine.csv']) {
    const op = spec.paths[p]?.get;
    assert.ok(op?.summary && op.tags?.includes('Directory') && op.security?.length, p);
  }
  assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/directory/imports')), 'pages are not in the API document');
});

test('an import made by a program (the demo data, the generator) names its format in words, and a missing source in words', async () => {
  const { importDataset } = await import('./import.ts');
  const { demoProviders } = await import('./demo.ts');
  const made = await importDataset(t.ctx, demoProviders(), 'hsds-3.0-json');
  const admin = await t.signedIn('admin');
  for (const [lang, found, none] of [
    ['en', 'HSDS 3.0 JSON', 'Not named'],
    ['es', 'HSDS 3.0 en JSON', 'Sin nombre'],
  ] as const) {
    for (const url of ['/directory/imports', `/directory/imports/${made.importId}`]) {
      const body = (await admin.get(url, { 'accept-language': lang })).body;
      assert.ok(body.includes(found) && body.includes(none), `${lang} ${url}`);
      assert.doesNotMatch(body, /hsds-3\.0-json|>—</, `${lang} ${url}: no format key, no dash`);
    }
  }
});
