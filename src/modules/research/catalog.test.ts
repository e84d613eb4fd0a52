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
