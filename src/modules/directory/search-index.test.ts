/**
 * An import indexes the services it adds from its own rows (search-points.ts importedSearchInputs) instead of reading
 * them back. What search keeps of them must be exactly what indexing them from the database gives: the search text,
 * the search points and the directory's figures after the imports equal those after reindexing everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabase } from '../../platform/testing.ts';
import { systemCtx } from '../../platform/context.ts';
import { sqliteConnection, type Db } from '../../platform/db/index.ts';
import { importPath } from './import.ts';
import { reindexServices, SEARCH_INDEX } from './store.ts';
import { generatedServices, writeGeneratedPackage } from './generate.ts';
import { SEARCH_POINTS } from './search-points.ts';
import { SUMMARY, SUMMARY_MEMBER } from './summary.ts';
import { uuidv5 } from './model.ts';
import { termId } from './taxonomy.ts';
import { DC_SAMPLE } from './testing.ts';

const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? String(Number(v)) : String(v));

/** Everything search keeps, as sorted lines; a search point's document key is named by its document's id. */
async function searchState(db: Db): Promise<Record<string, string[]>> {
  const sqlite = !!sqliteConnection(db);
  const docs = sqlite
    ? await db.selectFrom(`${SEARCH_INDEX}_ids as k`).innerJoin(`${SEARCH_INDEX}_content as f`, 'f.id', 'k.n').select(['k.n', 'k.doc_id', 'f.c1 as title', 'f.c2 as body']).execute()
    : await db.selectFrom(SEARCH_INDEX).select(['doc_id', 'title', 'body']).execute();
  const docOf = new Map(docs.map((d) => [text((d as Record<string, unknown>).n), text(d.doc_id)]));
  const points = await db.selectFrom(SEARCH_POINTS).selectAll().execute();
  const lines = (rows: Record<string, unknown>[]) => rows.map((r) => Object.keys(r).sort().map((k) => `${k}=${text(r[k])}`).join(' ')).sort();
  return {
    documents: lines(docs.map((d) => ({ doc_id: d.doc_id, title: d.title, body: d.body }))),
    points: lines(points.map((p) => ({ ...p, doc: p.doc === null ? null : docOf.get(text(p.doc)) }))),
    summary: lines(await db.selectFrom(SUMMARY).selectAll().where('n', '<>', 0).execute()),
    members: lines(await db.selectFrom(SUMMARY_MEMBER).selectAll().execute()),
  };
}

test('services an import adds are indexed as reindexing them from the database indexes them', async () => {
  const db = await testDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'tfh-search-index-'));
  try {
    const ctx = systemCtx(db.handle, db.config, 'test');
    // HSDS 2.0 CSV with organisations, taxonomy, languages and cost options; then generated services with the
    // directory's own terms and confidential locations.
    await importPath(ctx, DC_SAMPLE, { skipBrokenReferences: true });
    const generated = join(dir, 'generated.ndjson');
    writeGeneratedPackage(generated, generatedServices(40), 40);
    await importPath(ctx, generated);
    // A third import adds services that name records only earlier imports carried: a location, an organisation
    // and the directory's terms. With a price of nothing, free beds and a language without a code.
    const location = uuidv5('generated:loc:3');
    const organization = uuidv5('generated:org:0');
    const id = (k: string) => uuidv5(`search-index-test:${k}`);
    const services = [0, 1].map((i) => ({
      id: id(`svc${i}`),
      organization_id: organization,
      name: `Ñandú Night Shelter ${i}`,
      alternate_name: i ? 'Refugio' : null,
      description: 'Beds for the night.',
      eligibility_description: 'Adults',
      status: i ? 'defunct' : 'active',
      fees_description: i ? 'No charge' : null,
      service_at_locations: [{ id: id(`sal${i}`), location_id: location }],
      attributes: [
        { id: id(`b${i}`), link_type: 'need', taxonomy_term_id: termId('need.emergency-shelter') },
        { id: id(`a${i}`), link_type: 'population', taxonomy_term_id: termId('population.adults') },
      ],
      languages: [
        { id: id(`l2${i}`), name: 'Spanish', code: 'es' },
        { id: id(`l1${i}`), name: 'Haitian Creole', code: null },
      ],
      cost_options: [{ id: id(`c${i}`), amount: 0, currency: 'USD' }],
      capacities: [{ id: id(`cap${i}`), available: 3, maximum: 10, unit: { id: id('unit'), name: 'beds' }, updated: '2026-11-01T00:00:00Z' }],
    }));
    const extra = join(dir, 'services.json');
    writeFileSync(extra, JSON.stringify(services));
    await importPath(ctx, extra);

    const afterImports = await searchState(db.handle.db);
    assert.ok(afterImports.documents.length > 540, `${afterImports.documents.length} documents`);
    assert.ok(afterImports.documents.some((d) => d.includes('nandu night shelter 0') && d.includes('haitian creole') && d.includes('beds for the night')), 'the new service is indexed');
    assert.ok(!afterImports.documents.some((d) => d.includes('nandu night shelter 1')), 'a defunct service has no document');
    assert.ok(afterImports.points.some((p) => p.includes(`service_id=${id('svc0')}`) && p.includes('capacity=1') && p.includes('free=1')), 'free beds reach the search points');
    await reindexServices(db.handle.db, 'all');
    assert.deepEqual(afterImports, await searchState(db.handle.db));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});
