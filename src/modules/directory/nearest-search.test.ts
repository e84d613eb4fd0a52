import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import fc from 'fast-check';
import { testApp } from '../../platform/testing.ts';
import { Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { importDataset } from './import.ts';
import { generateDirectory } from './generate.ts';
import { searchServices, type SearchParams } from './search.ts';
import { uuidv5 } from './model.ts';

const id = (k: string) => uuidv5(`nearest-test:${k}`);

test('a place search without text or facets (the API) reads the nearest points only, and answers as the full search does', { timeout: 300_000 }, async () => {
  const t = await testApp();
  try {
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    await generateDirectory(t.ctx, 3000);
    // Around Chicago: several places of one service (one confidential), two services at the very same spot (a tie
    // broken by name), a confidential shelter of its own, and one service whose places are both near.
    const o = { id: id('org'), name: 'Nearest Cases', description: 'Edge organisation' };
    const loc = (key: string, lat: number, lng: number, confidential = false) => ({ id: id(`sal:${key}`), location: { id: id(`loc:${key}`), location_type: 'physical', organization_id: o.id, name: key, latitude: lat, longitude: lng, confidential } });
    const svc = (key: string, name: string, places: unknown[]) => ({ id: id(key), organization_id: o.id, organization: o, name, description: 'Help', status: 'active', service_at_locations: places });
    const items = [
      svc('two-places', 'Two places', [loc('far', 41.95, -87.7), loc('secret', 41.8858, -87.6182, true)]),
      svc('tie-b', 'Tie B', [loc('tie-b', 41.9, -87.65)]),
      svc('tie-a', 'Tie A', [loc('tie-a', 41.9, -87.65)]),
      svc('shelter', 'Shelter', [loc('shelter', 41.87, -87.62, true)]),
      svc('both-near', 'Both near', [loc('near-1', 41.89, -87.62), loc('near-2', 41.8856, -87.6185)]),
    ];
    const ds = new Dataset();
    const seen = new Map<string, Set<string>>();
    items.forEach((s, i) => flatten(ds, 'service', s, { file: 'nearest.json', row: i + 1 }, undefined, seen));
    await importDataset(t.ctx, ds, 'hsds-3.0-json');

    // Rows the database hands back, counted by a plugin on the real connection.
    let rows = 0;
    const counting: KyselyPlugin = {
      transformQuery: (a) => a.node,
      transformResult: async (a) => {
        rows += a.result.rows.length;
        return a.result;
      },
    };
    const counted = db.withPlugin(counting);
    const base = { near: '60601', radius: 100, page: 1, perPage: 5, vetted: false, facets: false } satisfies SearchParams;
    const everything = await searchServices(db, kind, { ...base, perPage: 10_000 });
    assert.ok(everything.total > 40, `${everything.total} services near Chicago`);
    rows = 0;
    const first = await searchServices(counted, kind, base);
    assert.equal(first.total, everything.total);
    assert.deepEqual(first.hits, everything.hits.slice(0, 5));
    assert.ok(rows < everything.total / 2, `the first page read ${rows} rows for ${everything.total} services within the radius`);

    // Every place search without text answers as the full one (with facets, which reads every point) does.
    const params = fc.record({
      near: fc.constantFrom('60601', '41.8857,-87.6181', '41.9,-87.65', '10001', '20001', '38.9,-77.0'),
      radius: fc.constantFrom(1, 2, 5, 25, 100),
      need: fc.constantFrom(undefined, ['employment'], ['emergency-shelter', 'housing']),
      vetted: fc.boolean(),
      page: fc.integer({ min: 1, max: 4 }),
      perPage: fc.constantFrom(1, 2, 5, 20),
    });
    await fc.assert(
      fc.asyncProperty(params, async (raw) => {
        const p = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as unknown as SearchParams;
        const bounded = await searchServices(db, kind, { ...p, facets: false });
        const full = await searchServices(db, kind, { ...p, facets: true });
        assert.deepEqual({ ...bounded, facets: undefined }, { ...full, facets: undefined }, JSON.stringify(p));
      }),
      { numRuns: 120, seed: 20261205 },
    );
    // The cases themselves: the tie in name order, a confidential place told as a band, the nearer of two places.
    const near = await searchServices(db, kind, { ...base, near: '41.8857,-87.6181', radius: 1, perPage: 50 });
    const byId = new Map(near.hits.map((h) => [h.serviceId, h]));
    assert.equal(byId.get(id('two-places'))?.within, true, 'a confidential place only as a band');
    assert.equal(byId.get(id('two-places'))?.locationId, undefined);
    assert.equal(byId.get(id('both-near'))?.locationId, id('loc:near-2'));
    const ties = (await searchServices(db, kind, { ...base, near: '41.9,-87.65', radius: 1, perPage: 2 })).hits.map((h) => h.serviceId);
    assert.deepEqual(ties, [id('tie-a'), id('tie-b')]);
  } finally {
    await t.close();
  }
});
