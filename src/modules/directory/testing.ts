/** Test support: the official HSDS 3.0 JSON Schemas (from the team's shared folder), compiled with Ajv 2020. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const SHARED_HSDS = resolve(import.meta.dirname, '../../../../shared/hsds');
export const DC_SAMPLE = join(SHARED_HSDS, 'sample-dc-2.0');
const SCHEMA_DIR = join(SHARED_HSDS, 'spec-3.0', 'schema');

let ajv: Ajv2020.default | undefined;

function instance(): Ajv2020.default {
  if (ajv) return ajv;
  const a = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(a as never);
  for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json') && f !== 'openapi.json')) {
    a.addSchema({ ...JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')), $id: f });
  }
  for (const f of ['service_list.json', 'service_at_location_list.json', 'organization_list.json']) {
    a.addSchema({ ...JSON.parse(readFileSync(join(SCHEMA_DIR, 'compiled', f), 'utf8')), $id: `compiled/${f}` });
  }
  a.addSchema({
    $id: 'page',
    type: 'object',
    required: ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'],
    properties: { total_items: { type: 'integer' }, total_pages: { type: 'integer' }, page_number: { type: 'integer' }, size: { type: 'integer' }, first_page: { type: 'boolean' }, last_page: { type: 'boolean' }, empty: { type: 'boolean' }, contents: { type: 'array' } },
  });
  ajv = a;
  return a;
}

/** The Ajv instance holding the HSDS 3.0 schemas under their file names, for compiling schemas that name them. */
export const hsdsAjv = (): Ajv2020.default => instance();

/** Asserts that `data` is valid against an HSDS schema file name (e.g. "service.json", "compiled/service_list.json"). */
export function assertHsds(schema: string, data: unknown, label = schema): void {
  const fn = instance().getSchema(schema);
  assert.ok(fn, `no schema ${schema}`);
  const ok = fn(data);
  assert.ok(ok, `${label}: ${JSON.stringify(fn.errors?.slice(0, 5))}`);
}

/** A paginated HSDS answer: the envelope, and each item against its schema. */
export function assertPage(data: unknown, item: string, label: string): void {
  assertHsds('page', data, label);
  for (const [i, x] of ((data as { contents: unknown[] }).contents ?? []).entries()) assertHsds(item, x, `${label} item ${i}`);
}
