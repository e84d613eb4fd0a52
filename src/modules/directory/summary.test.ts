import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { generateDirectory, generatedServices } from './generate.ts';
import { Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { importDataset } from './import.ts';
import { searchServices } from './search.ts';
import { readSummary, rebuildSummary } from './summary.ts';

test('the kept figures of the whole directory equal the counted ones after imports that add, change and retire services', async () => {
  const t = await testApp();
  try {
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    // Counted over the tables, the way a search with nothing in it counted before the figures were kept.
    const counted = async () => {
      const r = await searchServices(db, kind, { page: 1, perPage: 1, vetted: false, plan: 'tables' });
      return { total: r.total, facets: r.facets };
    };
    const kept = async () => {
      const s = await readSummary(db);
      return { total: s.total, facets: s.facets };
    };
    await generateDirectory(t.ctx, 400);
    const first = await counted();
    assert.equal(first.total, 400);
    assert.deepEqual(await kept(), first);

    // The same services again, one retired, one in another language, one with a need more: counts move by the
    // difference, and a retired service leaves every count.
    const [a, b, c] = [...generatedServices(400)].slice(0, 3);
    const ds = new Dataset();
    const seen = new Map<string, Set<string>>();
    const changed = [
      { ...a, status: 'defunct' },
      { ...b, languages: [{ id: 'f7f36a77-6f1f-4d0c-9d1f-7c3f3e1f0a01', name: 'Vietnamese', code: 'vi' }] },
      { ...c, attributes: [...(c.attributes as object[]), { id: 'f7f36a77-6f1f-4d0c-9d1f-7c3f3e1f0a02', link_type: 'need', taxonomy_term_id: (a.attributes as { taxonomy_term_id: string }[])[0].taxonomy_term_id }] },
    ];
    changed.forEach((s, i) => flatten(ds, 'service', s, { file: 'changes.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');
    const second = await counted();
    assert.equal(second.total, 399);
    assert.equal(second.facets.language.vi, 1);
    assert.deepEqual(await kept(), second);

    // And counted from scratch, the same.
    await rebuildSummary(db);
    assert.deepEqual(await kept(), second);

    // The landing page's answer reads them: the total and the facets of a search with nothing in it.
    const landing = await searchServices(db, kind, { page: 1, perPage: 20, vetted: false });
    assert.equal(landing.total, 399);
    assert.deepEqual(landing.facets, second.facets);
    assert.equal(landing.hits.length, 20);
    const names = await db.selectFrom('directory_service').select(['id', 'name']).where('id', 'in', landing.hits.map((h) => h.serviceId)).execute();
    const byId = new Map(names.map((r) => [String(r.id), String(r.name)]));
    const inOrder = landing.hits.map((h) => byId.get(h.serviceId)!);
    assert.deepEqual(inOrder, [...inOrder].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)), 'a page in name order');
  } finally {
    await t.close();
  }
});
