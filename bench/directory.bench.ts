import { testApp } from '../src/platform/testing.ts';
import { generateDirectory } from '../src/modules/directory/generate.ts';
import { searchServices, type SearchParams } from '../src/modules/directory/search.ts';
import { measure, report } from './lib.ts';

/**
 * Directory search on a synthetic national directory (DIRECTORY_BENCH_SERVICES, default 20000 services): the
 * search query alone (full text + bounding box + haversine + facets) against the same search through the HSDS API.
 */
export async function run(): Promise<void> {
  const n = Number(process.env.DIRECTORY_BENCH_SERVICES ?? 20000);
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const started = Date.now();
    await generateDirectory(t.ctx, n);
    console.log(`generated ${n} services in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const base: SearchParams = { page: 1, perPage: 20, vetted: false };
    const cases: [string, SearchParams, string][] = [
      ['text "job"', { ...base, q: 'job' }, 'search=job'],
      ['near ZIP 60601, 25 miles', { ...base, near: '60601', radius: 25 }, 'near=60601&radius=25'],
      ['text + near + need + language', { ...base, q: 'job', near: '10001', radius: 50, need: ['employment'], language: ['es'] }, 'search=job&near=10001&radius=50&need=employment&language=es'],
    ];
    for (const [label, params, qs] of cases) {
      const raw = await measure(`query: ${label}`, () => searchServices(db, kind, params), 100, 10);
      const api = await measure(`GET /api/hsds/services?${qs}`, () => t.app.inject({ method: 'GET', url: `/api/hsds/services?${qs}&per_page=20` }), 100, 10);
      report(`Directory search, ${n} services: ${label}`, raw, [api]);
    }
  } finally {
    await t.close();
  }
}
