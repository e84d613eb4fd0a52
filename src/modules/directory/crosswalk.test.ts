/**
 * The taxonomy crosswalk and language names (issue 13 item 3): the real packages, the samples and a 211-style
 * package import with the directory's need, population and trait terms derived from theirs, and language codes
 * from names; an edit to the crosswalk maps stored services again (now, or through the job); the report lists what
 * maps to nothing (API, page, command line); bad input answers field by field and changes nothing; directory
 * managers only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, testApp, type TestApp } from '../../platform/testing.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import { importPath } from './import.ts';
import { searchServices, type SearchParams } from './search.ts';
import { legacyId } from './model.ts';
import { SHARED_HSDS } from './testing.ts';
import { write211Package } from './crosswalk-fixture.ts';
import { compileCrosswalk, DERIVED, entryId, INLINE_LIMIT, prefixOf, reapplyPendingCrosswalk, shippedEntries } from './crosswalk.ts';
import { languageCodeOf } from './languages.ts';

let t: TestApp;
let dir: string;
const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
const svc = (id: string) => legacyId('service', id);

before(async () => {
  t = await testApp({ env: secrets });
  dir = mkdtempSync(join(tmpdir(), 'crosswalk-'));
  await importPath(t.ctx, write211Package(join(dir, 'metro-211')), { skipBrokenReferences: true });
  for (const p of ['sample-dc-2.0/datapackage', 'real/healthleads-1.1', 'real/ilao-legal-aid-1.1', 'sample-example-city-1.1/all_resources']) await importPath(t.ctx, join(SHARED_HSDS, p), { skipBrokenReferences: true });
});

after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Names of the services a search finds (all of them), sorted. */
async function found(p: Omit<SearchParams, 'page' | 'perPage' | 'vetted'>): Promise<string[]> {
  const r = await searchServices(t.db.handle.db, t.db.handle.kind, { ...p, page: 1, perPage: 500, vetted: true, facets: false });
  const ids = r.hits.map((h) => h.serviceId);
  if (!ids.length) return [];
  const rows = await t.ctx.db.selectFrom('directory_service').select('name').where('id', 'in', ids).execute();
  return rows.map((x) => String(x.name)).sort();
}

test('a 211 package: AIRS codes, population names and language names find their services by need, population and language', async () => {
  // Before the crosswalk: no shelter, no trafficking population, language=ht found only "Haitian Creole" (1 of 5).
  const metro = (names: string[]) => names.filter((n) => ['Harbor House', 'Overnight Shelter Program', 'Neighbourhood Food Pantry', 'Immigrant Legal Clinic', 'Pet Adoption Days', 'Farmworker Outreach', 'Recovery Housing'].includes(n));
  assert.deepEqual(metro(await found({ need: ['emergency-shelter'] })), ['Harbor House', 'Overnight Shelter Program']);
  assert.deepEqual(metro(await found({ population: ['sex-trafficking'] })), ['Harbor House', 'Immigrant Legal Clinic']);
  assert.deepEqual(metro(await found({ population: ['labor-trafficking'] })), ['Farmworker Outreach', 'Harbor House']);
  assert.deepEqual(await found({ language: ['ht'] }), ['Harbor House', 'Immigrant Legal Clinic', 'Neighbourhood Food Pantry', 'Overnight Shelter Program', 'Recovery Housing']);
  assert.deepEqual(metro(await found({ language: ['es'] })), ['Farmworker Outreach', 'Neighbourhood Food Pantry']);
  assert.deepEqual(metro(await found({ language: ['fr'] })), ['Recovery Housing'], '"French and Creole" is two languages');
  // The most specific code decides within a facet: RX-8450 is substance use, not R's mental health; BH-8400 housing.
  assert.deepEqual(metro(await found({ need: ['substance-use'] })), ['Recovery Housing']);
  assert.deepEqual(metro(await found({ need: ['mental-health'] })), []);
  assert.deepEqual(metro(await found({ need: ['housing'] })), ['Recovery Housing']);
  // Derived terms are marked apart from the publisher's.
  const derived = await t.ctx.db.selectFrom('directory_attribute').select(['taxonomy_term_id', 'value']).where('link_id', '=', svc('s1')).where('value', '=', DERIVED).execute();
  assert.equal(derived.length, 3, 'emergency shelter (BH-1800 outdoes BH housing), sex and labor trafficking');
});

test('the real packages and samples: DC shelters without the fire inspections, Health Leads pantries as basic needs, ILAO left alone', async () => {
  const shelters = await found({ need: ['emergency-shelter'] });
  for (const n of ['Greentree Shelter (GTS)', 'New Beginning Temporary Shelter', "Betty's House Program"]) assert.ok(shelters.includes(n), n);
  // Before: 13 DC services, among them both fire inspections, filed under "Safe Housing".
  for (const n of ['Fire Prevention Inspections', 'Home Fire Safety Inspections', 'Free Smoke Alarms (A’sia Sutton Program)']) assert.ok(!shelters.includes(n), n);
  assert.equal(shelters.length, 7 + 2);
  // Health Leads "Pantries & Soup Kitchens" (before: no need at all).
  const food = await found({ need: ['basic-needs'], q: 'library' });
  assert.ok(food.length >= 1, 'a Health Leads pantry is a basic need');
  // ILAO publishes no categories: nothing is derived for it, so its legal services do not match words of a term name.
  const ilao = await t.ctx.db.selectFrom('directory_attribute').select('id').where('value', '=', DERIVED).where('link_id', '=', svc('135836')).execute();
  assert.equal(ilao.length, 0);
});

test('matching: code prefixes end at a level, a code may open the name, words are whole (plurals count), loose words map nothing', () => {
  assert.equal(prefixOf('BH', 'BH-1800'), true);
  assert.equal(prefixOf('BH-1800', 'BH-1800.8500-800'), true);
  assert.equal(prefixOf('BH-1800', 'BH-18005'), false);
  assert.equal(prefixOf('B', 'BH'), true);
  const map = compileCrosswalk(shippedEntries());
  const codes = (code: string | null, ...names: string[]) => [...map({ code, names })].sort();
  assert.deepEqual(codes(null, 'BH-1800.8500 Homeless Shelter'), ['need.emergency-shelter']);
  assert.deepEqual(codes('bh-8400', 'Transitional Housing/Shelter'), ['need.housing']);
  assert.deepEqual(codes(null, 'Domestic Violence Shelters'), ['need.emergency-shelter']);
  assert.deepEqual(codes(null, 'Animal Shelters'), []);
  assert.deepEqual(codes(null, 'Safe Housing', 'Immediate Safety', 'Emergency'), ['need.housing'], 'not a shelter');
  assert.deepEqual(codes(null, 'Pantries & Soup Kitchens'), ['need.basic-needs']);
  assert.deepEqual(codes(null, 'Sex Trafficking Survivors'), ['population.sex-trafficking']);
});

test('languages: English and Spanish names, the languages’ own names and qualifiers give ISO 639-1 codes', () => {
  for (const [name, code] of [['Creole', 'ht'], ['Haitian Creole', 'ht'], ['Kreyòl', 'ht'], ['criollo haitiano', 'ht'], ['Spanish', 'es'], ['Español', 'es'], ['Spanish speaking staff', 'es'], ['Vietnamese', 'vi'], ['vietnamita', 'vi'], ['Francés', 'fr'], ['Tagalog', 'tl'], ['ASL', 'ase']] as const) assert.equal(languageCodeOf(name), code, name);
  assert.equal(languageCodeOf('Klingon'), null);
  assert.equal(languageCodeOf('Cape Verdean Creole'), null, 'not Haitian: left for the report');
});

test('the report lists unmapped source terms and language names by services, in the API, the page (both languages) and the command line', async () => {
  const admin = await t.signedIn('admin');
  const r = (await admin.get('/api/directory/crosswalk/report')).json() as { terms: { name: string; code: string | null; services: number }[]; languages: { name: string; services: number }[]; source_terms: number; mapped_terms: number };
  assert.ok(r.terms.some((x) => x.code === 'JB-0500' && x.name === 'Pet Adoption' && x.services === 1), JSON.stringify(r.terms.slice(0, 5)));
  assert.ok(!r.terms.some((x) => x.code === 'BH-1800.8500'));
  assert.ok(r.mapped_terms > 0 && r.mapped_terms < r.source_terms);
  for (let i = 1; i < r.terms.length; i++) assert.ok(r.terms[i - 1].services >= r.terms[i].services, 'most services first');
  assert.deepEqual(r.languages.filter((l) => l.name === 'Klingon'), [{ name: 'Klingon', services: 1 }]);
  for (const [lang, words] of [['en', /Source terms that map to nothing[^]*Pet Adoption[^]*Language names with no code[^]*Klingon/], ['es', /Términos de origen sin equivalencia[^]*Pet Adoption[^]*Nombres de idioma sin código[^]*Klingon/]] as const) {
    const page = await admin.get('/directory/crosswalk/report', { 'accept-language': lang });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, words);
  }
  const env = { ...secrets, DATABASE_URL: t.db.config.databaseUrl };
  const run = await runCli(['directory', 'crosswalk', 'report'], env);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /source term\(s\) carried by services map to a directory term/);
  assert.match(run.stdout, /\s1 {2}JB-0500 Pet Adoption \(AIRS\)/);
  assert.match(run.stdout, /\s1 {2}Klingon/);
  const csv = await runCli(['directory', 'crosswalk', 'report', '--format', 'csv'], env);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^kind,taxonomy,code,name,services/m);
  assert.match(csv.stdout, /^language,,,Klingon,1/m);
  const bad = await runCli(['directory', 'crosswalk', 'report', '--format', 'xml'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be text or csv/);
});

test('an edit to the crosswalk maps stored services again; removing a shipped entry and putting it back; a large directory through the job', async () => {
  const admin = await t.signedIn('admin');
  const pets = () => found({ need: ['basic-needs'], q: 'pet adoption' });
  assert.deepEqual(await pets(), []);
  const add = await admin.request('POST', '/api/directory/crosswalk', { json: { kind: 'code', source: 'jb', term: 'need.basic-needs' } });
  assert.equal(add.statusCode, 201, add.body);
  const added = add.json() as { entry: { id: string; source: string; shipped: boolean }; pending: boolean; reapplied: { services: number; added: number } };
  assert.deepEqual([added.entry.source, added.entry.shipped, added.pending, added.reapplied.services, added.reapplied.added], ['JB', false, false, 1, 1]);
  assert.deepEqual(await pets(), ['Pet Adoption Days']);
  const report = (await admin.get('/api/directory/crosswalk/report')).json() as { terms: { code: string | null }[] };
  assert.ok(!report.terms.some((x) => x.code === 'JB-0500'), 'mapped now');
  const listed = (await admin.get('/api/directory/crosswalk?kind=code&term=need.basic-needs')).json() as { items: { id: string }[] };
  assert.ok(listed.items.some((e) => e.id === added.entry.id));
  const del = await admin.request('DELETE', `/api/directory/crosswalk/${added.entry.id}`);
  assert.equal(del.statusCode, 200, del.body);
  assert.deepEqual(await pets(), []);

  // A shipped entry removed (from the page), then put back.
  const sexTrafficking = entryId('keyword', 'human trafficking', 'population.sex-trafficking');
  const harbor = () => found({ population: ['sex-trafficking'], q: 'harbor' });
  assert.deepEqual(await harbor(), ['Harbor House']);
  const page = await admin.get('/directory/crosswalk?q=trafficking');
  assert.match(page.body, new RegExp(`action="/directory/crosswalk/${sexTrafficking}/remove"`));
  const removed = await admin.request('POST', `/directory/crosswalk/${sexTrafficking}/remove`, { form: {} });
  assert.equal(removed.statusCode, 303);
  assert.deepEqual(await harbor(), [], 'Harbor House carried only "Human Trafficking Survivors"');
  assert.deepEqual(await found({ population: ['labor-trafficking'], q: 'harbor' }), ['Harbor House'], 'the labor entry stays');
  const back = await admin.request('POST', '/directory/crosswalk', { form: { kind: 'keyword', source: 'Human Trafficking', term: 'population.sex-trafficking' } });
  assert.equal(back.statusCode, 303, back.body);
  assert.deepEqual(await harbor(), ['Harbor House']);

  // A large directory: the edit is left to the directory.crosswalk job.
  const limit = INLINE_LIMIT.services;
  INLINE_LIMIT.services = 0;
  try {
    const later = (await admin.request('POST', '/api/directory/crosswalk', { json: { kind: 'name', source: 'Pet Adoption', term: 'need.basic-needs' } })).json() as { pending: boolean; reapplied: null };
    assert.deepEqual([later.pending, later.reapplied], [true, null]);
    assert.deepEqual(await pets(), [], 'not yet');
    assert.match((await admin.get('/directory/crosswalk')).body, /waiting to be mapped again/);
    assert.match(await reapplyPendingCrosswalk(t.ctx), /1 service\(s\) mapped again/);
    assert.deepEqual(await pets(), ['Pet Adoption Days']);
    assert.equal(await reapplyPendingCrosswalk(t.ctx), 'nothing pending');
  } finally {
    INLINE_LIMIT.services = limit;
  }
});

test('bad input on the API and the page: field errors in the reader’s language, nothing changed', async () => {
  const admin = await t.signedIn('admin');
  const count = async () => ((await admin.get('/api/directory/crosswalk')).json() as { total: number }).total;
  const before = await count();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ kind: 'bogus', source: 'BH', term: 'need.housing' }, 'kind', /must be/],
    [{ kind: 'code', source: 'shelters', term: 'need.housing' }, 'source', /must be a taxonomy code such as BH-1800/],
    [{ kind: 'name', source: '  ', term: 'need.housing' }, 'source', /is required/],
    [{ kind: 'keyword', source: '—', term: 'need.housing' }, 'source', /must contain a letter or a digit/],
    [{ kind: 'name', source: 'Food', term: 'need.nope' }, 'term', /need, population or trait terms/],
    [{ kind: 'code', source: 'BH-1800', term: 'need.emergency-shelter' }, 'source', /is already in the crosswalk/],
    [{ kind: 'code', source: 'x'.repeat(201), term: 'need.housing' }, 'source', /at most 200/],
  ];
  for (const [body, field, message] of cases) {
    const r = await admin.request('POST', '/api/directory/crosswalk', { json: body });
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    const errs = (r.json() as { errors: { field: string; message: string }[] }).errors;
    assert.ok(errs.some((e) => e.field.replace(/^\//, '') === field && message.test(e.message)), `${field}: ${JSON.stringify(errs)}`);
  }
  assert.equal((await admin.request('DELETE', '/api/directory/crosswalk/42')).statusCode, 400);
  assert.equal((await admin.request('DELETE', '/api/directory/crosswalk/11111111-1111-4111-8111-111111111111')).statusCode, 404);
  assert.equal((await admin.get('/api/directory/crosswalk?kind=bogus')).statusCode, 400);

  const es = await admin.request('POST', '/directory/crosswalk', { form: { kind: 'code', source: 'refugios', term: 'need.emergency-shelter' }, headers: { 'accept-language': 'es' } });
  assert.equal(es.statusCode, 400);
  assert.match(es.body, /debe ser un código de taxonomía como BH-1800/);
  assert.match(es.body, /href="#field-source"/);
  assert.match(es.body, /value="refugios"/, 'what was typed is kept');
  const en = await admin.request('POST', '/directory/crosswalk', { form: { kind: 'name', source: 'Food', term: '' } });
  assert.equal(en.statusCode, 400);
  assert.match(en.body, /is required/);
  assert.equal(await count(), before);
  // A filter the page does not know narrows nothing, and the page is complete in Spanish.
  const page = await admin.get('/directory/crosswalk?kind=bogus&term=nope', { 'accept-language': 'es' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Equivalencias de taxonomías[^]*Código de taxonomía[^]*Incluida \(airs\)/);
});

test('the crosswalk is for directory managers only: each role, each route; in the API document', async () => {
  const id = entryId('code', 'BH-1800', 'need.emergency-shelter');
  const reads = ['/api/directory/crosswalk', '/api/directory/crosswalk/report', '/directory/crosswalk', '/directory/crosswalk/new', '/directory/crosswalk/report'];
  for (const url of reads) {
    const anon = await t.client().get(url);
    assert.ok(anon.statusCode === 401 || (url.startsWith('/directory') && [302, 303].includes(anon.statusCode)), `anonymous ${url}: ${anon.statusCode}`);
  }
  const entries = async () => JSON.stringify((await t.ctx.db.selectFrom('directory_crosswalk').selectAll().orderBy('id').execute()).map((r) => r.id));
  const before = await entries();
  for (const role of ROLES) {
    const c = await t.signedIn(role);
    const ok = role === 'admin';
    for (const url of reads) assert.equal((await c.get(url)).statusCode, ok ? 200 : 403, `${role} ${url}`);
    if (ok) continue;
    assert.equal((await c.request('POST', '/api/directory/crosswalk', { json: { kind: 'code', source: 'JB', term: 'need.basic-needs' } })).statusCode, 403, role);
    assert.equal((await c.request('DELETE', `/api/directory/crosswalk/${id}`)).statusCode, 403, role);
    assert.equal((await c.request('POST', '/api/directory/crosswalk/reapply', { json: {} })).statusCode, 403, role);
    assert.equal((await c.request('POST', `/directory/crosswalk/${id}/remove`, { form: {} })).statusCode, 403, role);
  }
  assert.equal(await entries(), before, 'nothing changed');
  const spec = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[] }>> };
  for (const [p, m] of [['/api/directory/crosswalk', 'get'], ['/api/directory/crosswalk', 'post'], ['/api/directory/crosswalk/{id}', 'delete'], ['/api/directory/crosswalk/reapply', 'post'], ['/api/directory/crosswalk/report', 'get']] as const) {
    const op = spec.paths[p]?.[m];
    assert.ok(op?.summary && op.tags?.includes('Directory') && op.security?.length, `${m} ${p}`);
  }
  assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/directory/crosswalk')));
});
