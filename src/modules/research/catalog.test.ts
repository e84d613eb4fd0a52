/**
 * The open data catalog: `/data.json` validates against the Project Open Data v1.1 JSON Schemas (vendored in
 * schemas/pod-1.1, source noted in schemas/SOURCE.md), every distribution and data dictionary it names answers, each
 * data dictionary is a Table Schema naming exactly the columns of its CSV, and the catalog page reads in both languages.
 * `/catalog.jsonld`, the same datasets in DCAT-US 3.0 JSON-LD, validates against the DCAT-US 3.0 JSON Schema
 * (JSON Schema 2020-12, vendored in schemas/dcat-us-3.0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import Ajv04 from 'ajv-draft-04';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parseCsv } from '../../platform/http/csv.ts';
import { testApp } from '../../platform/testing.ts';

const DIR = join(import.meta.dirname, 'schemas', 'pod-1.1');
const load = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;

function podValidator() {
  // The schema's patterns are ECMA-262 without the u flag (\: is an escape there), as JSON Schema draft-04 reads them.
  const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv as never);
  for (const name of ['vcard', 'organization', 'distribution', 'dataset']) ajv.addSchema(load(name));
  return ajv.compile(load('catalog'));
}

const DCAT_DIR = join(import.meta.dirname, 'schemas', 'dcat-us-3.0');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

function dcatValidator() {
  // Strict, except two settings the published schema needs (schemas/SOURCE.md): the hasEmail pattern of Kind is not a
  // valid Unicode-mode expression, and Location's GeoJSON branch requires names it does not declare.
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false, unicodeRegExp: false });
  addFormats.default(ajv as never);
  // "iri" is not a format JSON Schema defines; an absolute IRI is what the schema means by it.
  ajv.addFormat('iri', (s: string) => URL.canParse(s));
  for (const f of readdirSync(join(DCAT_DIR, 'definitions'))) ajv.addSchema(readJson(join(DCAT_DIR, 'definitions', f)));
  return ajv.compile(readJson(join(DCAT_DIR, 'Catalog.json')));
}

test('catalog.jsonld validates against the DCAT-US 3.0 JSON Schema and lists the same datasets as data.json', async () => {
  const t = await testApp({ env: { MAIL_FROM: 'Taskforce Hub <research-data@taskforce.example.gov>' } });
  try {
    const validate = dcatValidator();
    const res = await t.client().get('/catalog.jsonld');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    type Dist = { downloadURL?: string; accessURL?: string; conformsTo?: { '@id': string }[]; describedBy?: { downloadURL: string; conformsTo: { '@id': string }[] } };
    const doc = res.json() as { '@context': unknown; '@type': string; dataset: { '@id': string; title: string; publisher: unknown; contactPoint: unknown; distribution: Dist[] }[] };
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
    assert.ok(doc['@context']);
    assert.equal(doc['@type'], 'dcat:Catalog');

    // The validator is not vacuous: the same document without a dataset's required publisher, or without the
    // catalog's datasets, fails.
    const { publisher: _p, ...noPublisher } = doc.dataset[0];
    assert.equal(validate({ ...doc, dataset: [noPublisher, ...doc.dataset.slice(1)] }), false);
    assert.ok(validate.errors!.some((e) => e.keyword === 'required' && (e.params as { missingProperty: string }).missingProperty === 'publisher'));
    const { dataset: _d, ...noDatasets } = doc;
    assert.equal(validate(noDatasets), false);

    // One list: the datasets of data.json, by title, in the same order.
    const pod = (await t.client().get('/data.json')).json() as { dataset: { title: string }[] };
    assert.deepEqual(doc.dataset.map((d) => d.title), pod.dataset.map((d) => d.title));

    // Each CSV conforms to its Table Schema, which is itself described as a Frictionless Table Schema and answers.
    const base = t.db.config.publicUrl.replace(/\/$/, '');
    const csv = doc.dataset.flatMap((d) => d.distribution).filter((x) => x.describedBy);
    assert.ok(csv.length >= 1);
    for (const x of csv) {
      assert.deepEqual(x.conformsTo!.map((s) => s['@id']), [x.describedBy!.downloadURL]);
      assert.deepEqual(x.describedBy!.conformsTo.map((s) => s['@id']), ['https://specs.frictionlessdata.io/table-schema/']);
      assert.equal((await t.client().get(x.describedBy!.downloadURL.slice(base.length))).statusCode, 200);
    }

    // The catalog page links it.
    const page = await t.client().get('/data');
    assert.match(page.body, /href="\/catalog\.jsonld"/);
  } finally {
    await t.close();
  }
});

test('data.json validates against the Project Open Data v1.1 schema, and what it names answers', async () => {
  const t = await testApp({ env: { MAIL_FROM: 'Taskforce Hub <research-data@taskforce.example.gov>' } });
  try {
    const validate = podValidator();
    // The validator is not vacuous: a dataset without its required fields fails.
    assert.equal(validate({ conformsTo: 'https://project-open-data.cio.gov/v1.1/schema', dataset: [{ title: 'x' }] }), false);

    const res = await t.client().get('/data.json');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const doc = res.json() as { dataset: { identifier: string; describedBy?: string; distribution: { downloadURL?: string; accessURL?: string; describedBy?: string; mediaType: string }[] }[] };
    const ok = validate(doc);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    assert.ok(doc.dataset.length >= 3);
    assert.equal(new Set(doc.dataset.map((d) => d.identifier)).size, doc.dataset.length, 'identifiers are unique');

    const base = t.db.config.publicUrl.replace(/\/$/, '');
    const path = (u: string) => u.slice(base.length);
    for (const d of doc.dataset) {
      for (const x of d.distribution) {
        const url = x.downloadURL ?? x.accessURL!;
        const got = await t.client().get(path(url));
        assert.equal(got.statusCode, 200, url);
        if (!x.describedBy) continue;
        const dict = await t.client().get(path(x.describedBy));
        assert.equal(dict.statusCode, 200, x.describedBy);
        const schema = dict.json() as { fields: { name: string; type: string }[] };
        if (x.mediaType === 'text/csv') {
          const [header] = parseCsv(got.body);
          assert.deepEqual(schema.fields.map((f) => f.name), header, `${x.describedBy} names the columns of ${url}`);
        }
      }
    }
    assert.equal((await t.client().get('/data/dictionary/nothing-1.json')).statusCode, 404);
    assert.equal((await t.client().get('/data/dictionary/..%2Fx.json')).statusCode, 400);

    for (const [lang, heading] of [['en', 'Open data catalog'], ['es', 'Catálogo de datos abiertos']]) {
      const page = await t.client().get('/data', { 'accept-language': lang });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`<h1>${heading}</h1>`));
    }
  } finally {
    await t.close();
  }
});

test('the catalog lists every public dataset (insights themes, a data call the chair made public) and each distribution and dictionary answers with its declared type', async () => {
  const t = await testApp({ env: { MAIL_FROM: 'Taskforce Hub <research-data@taskforce.example.gov>', SUPPRESSION_THRESHOLD: '1' } });
  try {
    const { agency, callInput, staffOf, clientOf } = await import('./testkit.ts');
    const commands = await import('./commands.ts');
    const dol = await agency(t, 'Department of Labor', 'DOL');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const c = await commands.createCall(t.ctx, callInput([dol, hhs]));
    await commands.submitRows(t.ctx, c.id, dol, { rows: [{ victims: 12, hours: 3.5 }] });
    await commands.submitRows(t.ctx, c.id, hhs, { rows: [{ victims: 1, hours: 2 }] });
    for (const a of [dol, hhs]) await commands.reviewSubmission(t.ctx, c.id, a, { decision: 'accept', version: 1 });
    const ids = async () => ((await t.client().get('/data.json')).json() as { dataset: { identifier: string }[] }).dataset.map((d) => d.identifier.split('#')[1]);

    // A call is not public until the chair says so: not listed, its public CSV and dictionary 404.
    assert.equal(c.public, false);
    assert.ok(!(await ids()).includes(`data-call-${c.id}`));
    assert.equal((await t.client().get(`/data/calls/${c.id}/compiled.csv`)).statusCode, 404);
    assert.equal((await t.client().get(`/data/dictionary/data-call-${c.id}-1.json`)).statusCode, 404);

    // Only the chair marks it public (an analyst of the committee is refused, changing nothing); audited.
    const analyst = await clientOf(t, await staffOf(t, null, 'analyst'));
    const chair = await clientOf(t, await staffOf(t, null, 'chair'));
    assert.equal((await analyst.request('POST', `/api/research/calls/${c.id}/public`, { json: { public: true, version: c.version } })).statusCode, 403);
    assert.equal((await chair.request('POST', `/api/research/calls/${c.id}/public`, { json: { public: 'yes', version: c.version } })).statusCode, 400);
    assert.ok(!(await ids()).includes(`data-call-${c.id}`));
    const made = await chair.request('POST', `/api/research/calls/${c.id}/public`, { json: { public: true, version: c.version } });
    assert.equal(made.statusCode, 200, made.body);
    assert.equal((made.json() as { public: boolean }).public, true);
    const events = await t.ctx.db.selectFrom('audit_events').select(['action', 'entity_id']).where('action', '=', 'research.call.public').execute();
    assert.deepEqual(events.map((e) => e.entity_id), [c.id]);

    // Every public dataset of the issue, the data call with the period of its call as its temporal coverage.
    const listed = await ids();
    for (const id of ['service-directory', 'network-coverage', 'promising-practices', 'referral-statistics', 'published-findings', 'work-plan-progress', 'grant-funding', 'outreach-campaigns', `data-call-${c.id}`]) assert.ok(listed.includes(id), `${id} is listed`);
    type PodDist = { downloadURL?: string; accessURL?: string; describedBy?: string; mediaType: string };
    type PodDataset = { identifier: string; temporal?: string; modified: string; distribution: PodDist[] };
    const snapJob = (await import('./index.ts')).researchModule.jobs!.find((j) => j.name === 'research.snapshots')!;
    assert.match(String(await snapJob.run(t.ctx, new Date('2026-03-01T03:30:00Z'), () => {})), new RegExp(`data-call-${c.id}`), 'the snapshots job keeps the public data call');
    const pod = (await t.client().get('/data.json')).json() as { dataset: PodDataset[] };
    assert.ok(podValidator()(pod), 'data.json still validates');
    const call = pod.dataset.find((d) => d.identifier.endsWith(`#data-call-${c.id}`))!;
    assert.equal(call.temporal, '2025-10-01/2025-12-31');
    assert.equal(pod.dataset.find((d) => d.identifier.endsWith('#work-plan-progress'))!.modified, '2026-03-01', 'modified from the latest snapshot');

    // Each distribution and dictionary, in both documents, answers anonymously with the type it declares; each CSV's
    // dictionary names its columns; the insights dictionaries say how a suppressed figure is written.
    const base = t.db.config.publicUrl.replace(/\/$/, '');
    const get = (u: string) => t.client().get(u.slice(base.length));
    for (const d of pod.dataset) {
      for (const x of d.distribution) {
        const url = x.downloadURL ?? x.accessURL!;
        const res = await get(url);
        assert.equal(res.statusCode, 200, url);
        assert.equal(String(res.headers['content-type']).split(';')[0], x.mediaType, url);
        if (!x.describedBy) continue;
        const dict = await get(x.describedBy);
        assert.equal(dict.statusCode, 200, x.describedBy);
        const schema = dict.json() as { fields: { name: string; description: string }[] };
        if (x.mediaType === 'text/csv') assert.deepEqual(schema.fields.map((f) => f.name), parseCsv(res.body)[0], `${x.describedBy} names the columns of ${url}`);
        if (url.includes('/api/research/insights/')) assert.match(schema.fields.find((f) => f.name === 'value')!.description, /suppressed/);
      }
    }
    // The public table suppresses small counts (HHS's 1 victim) and what would reveal them (DOL's 12 or the total of
    // 13); decimal figures that count no one (hours) are shown. The dictionary says so.
    const callCsv = parseCsv((await t.client().get(`/data/calls/${c.id}/compiled.csv`)).body);
    assert.deepEqual(callCsv[0], ['agency', 'line', 'victims', 'hours', 'comment', 'suppressed']);
    const line = (agencyName: RegExp | string, kind: string) => callCsv.find((l) => (typeof agencyName === 'string' ? l[0] === agencyName : agencyName.test(l[0])) && l[1] === kind)!;
    assert.deepEqual([line(/HHS/, 'row')[2], line(/HHS/, 'row')[5]], ['', 'victims']);
    assert.ok(line(/DOL/, 'row')[2] === '' || line('All agencies', 'total')[2] === '', 'the small count cannot be worked out from the others');
    assert.equal(line('All agencies', 'total')[3], '5.5');
    assert.ok(!callCsv.slice(1).some((l) => l[2] === '1'), 'the small count is nowhere');
    const callDict = (await t.client().get(`/data/dictionary/data-call-${c.id}-1.json`)).json() as { fields: { name: string; type: string; description: string }[] };
    assert.deepEqual(callDict.fields.map((f) => f.type), ['string', 'string', 'integer', 'number', 'string', 'string']);
    assert.match(callDict.fields[2].description, /suppressed/);
    // The committee's own CSV still has every figure.
    assert.equal(parseCsv((await chair.get(`/api/research/calls/${c.id}/compiled.csv`)).body).find((l) => /HHS/.test(l[0]))![2], '1');

    const dcat = (await t.client().get('/catalog.jsonld')).json() as { dataset: { identifier: string; distribution: { downloadURL?: string; accessURL?: string; mediaType: string; describedBy?: { downloadURL: string } }[] }[] };
    assert.ok(dcatValidator()(dcat), 'catalog.jsonld still validates');
    assert.deepEqual(dcat.dataset.map((d) => d.identifier.split('#')[1]), listed);
    for (const x of dcat.dataset.flatMap((d) => d.distribution)) {
      const res = await get(x.downloadURL ?? x.accessURL!);
      assert.equal(res.statusCode, 200);
      assert.equal(String(res.headers['content-type']).split(';')[0], x.mediaType);
      if (x.describedBy) assert.equal((await get(x.describedBy.downloadURL)).statusCode, 200);
    }

    // The catalog page shows the dated versions of each snapshotted download, so a figure can be traced to one.
    const snaps = (await t.client().get(`/api/research/snapshots?dataset=data-call-${c.id}`)).json() as { id: string }[];
    assert.equal(snaps.length, 1);
    for (const lang of ['en', 'es']) {
      const page = await t.client().get('/data', { 'accept-language': lang });
      assert.match(page.body, new RegExp(`href="/research/snapshots/${snaps[0].id}"`));
      assert.match(page.body, /href="\/api\/research\/insights\/progress\.csv"/);
      assert.match(page.body, new RegExp(`href="/data/calls/${c.id}/compiled\\.csv"`));
    }

    // The chair's page lists the call as in the catalog; a bad value is refused beside the page in the reader's
    // language, changing nothing; withdrawn through the page's form, it leaves the catalog again.
    assert.equal((await analyst.get('/data/publish')).statusCode, 403);
    assert.match((await chair.get('/research')).body, /href="\/data\/publish"/, 'the chair is led to the page from the research home');
    assert.doesNotMatch((await analyst.get('/research')).body, /href="\/data\/publish"/);
    const publishPage = await chair.get('/data/publish');
    assert.equal(publishPage.statusCode, 200);
    assert.match(publishPage.body, /Withdraw from the catalog<span class="usa-sr-only">: Victims served, FY2026 Q1/);
    const version = String((made.json() as { version: number }).version);
    const refused = await chair.request('POST', `/data/publish/${c.id}`, { form: { public: 'maybe', version }, headers: { 'accept-language': 'es' } });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /En el catálogo: /);
    assert.ok((await ids()).includes(`data-call-${c.id}`), 'nothing changed');
    const again = await chair.request('POST', `/data/publish/${c.id}`, { form: { public: 'false', version } });
    assert.equal(again.statusCode, 303, again.body.slice(0, 300));
    assert.ok(!(await ids()).includes(`data-call-${c.id}`));
    assert.equal((await t.client().get(`/data/calls/${c.id}/compiled.csv`)).statusCode, 404);
  } finally {
    await t.close();
  }
});
