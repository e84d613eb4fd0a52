import { sql } from 'kysely';
import { testApp } from '../src/platform/testing.ts';
import { insertMany } from '../src/platform/db/bulk.ts';
import { OUTCOME_DOMAINS, POPULATIONS, SETTINGS } from '../src/modules/practices/schema.ts';
import { clearThemeCache } from '../src/modules/research/themes.ts';
import { measure, report } from './lib.ts';
import { rng } from './listening.bench.ts';

/**
 * The research module's insights pages and tabulator, answered through HTTP: the cold build (facts read through the
 * practices index, every table of the page suppressed together) once, then p95 from the cache. Over
 * INSIGHTS_BENCH_PRACTICES (default 20000) practices with one to three outcomes, ratings and populations each.
 * The target (p95 ≤ 100 ms from the cache) is stated for themes over 500,000 services and 1,000,000
 * referrals, which are not built yet: this measures the themes that exist.
 */
const RATINGS = ['effective', 'promising', 'no_effects', 'negative_effects', 'inconclusive'];

export async function run(): Promise<void> {
  const n = Number(process.env.INSIGHTS_BENCH_PRACTICES ?? 20000);
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const db = t.db.handle.db;
    const rand = rng(20261214);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
    const some = <T>(list: readonly T[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(list)))];
    const now = new Date().toISOString();
    const started = Date.now();
    const practices: unknown[][] = [];
    const ratings: unknown[][] = [];
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      const domains = some(OUTCOME_DOMAINS, 3);
      practices.push([id, `Practice ${i}`, 'A practice for the benchmark.', null, JSON.stringify(some(POPULATIONS, 3)), pick(SETTINGS), JSON.stringify(domains), null, '[]', null, null, 'bench', false, 1, now, now]);
      for (const d of domains) {
        const r = pick(RATINGS);
        ratings.push([id, d, r, 1, r === 'inconclusive' ? null : 0, 'multiple', 2, now]);
      }
    }
    await db.transaction().execute(async (trx) => {
      await insertMany(trx, 'practices_practice', ['id', 'name', 'summary', 'components', 'populations', 'setting', 'outcome_domains', 'cost', 'resources', 'contact_name', 'contact_email', 'source', 'demo', 'version', 'created_at', 'updated_at'], practices);
      await insertMany(trx, 'practices_rating', ['practice_id', 'domain', 'rating', 'rule_version', 'rule_index', 'evidence', 'studies', 'computed_at'], ratings);
    });
    await sql`analyze`.execute(db);
    console.log(`loaded ${n} practices, ${ratings.length} ratings in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const get = (url: string) => async () => {
      const res = await t.app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return res;
    };
    const cases = [
      ['GET /research/insights/evidence (HTML page)', '/research/insights/evidence'],
      ['GET /api/research/insights/evidence', '/api/research/insights/evidence'],
      ['GET /api/research/insights/evidence.csv', '/api/research/insights/evidence.csv'],
      ['GET /api/research/tabulate?rows=population&cols=outcome', '/api/research/tabulate?rows=population&cols=outcome'],
      ['GET /research/tabulator?rows=setting&cols=rating (HTML page)', '/research/tabulator?rows=setting&cols=rating'],
    ];
    for (const [name, url] of cases) {
      clearThemeCache();
      const cold = Date.now();
      await get(url)();
      console.log(`cold build, ${name}: ${Date.now() - cold} ms`);
    }
    const base = await measure('raw query: count the practices', () => db.selectFrom('practices_practice').select((eb) => eb.fn.countAll().as('n')).execute(), 200, 20);
    const figures = [];
    for (const [name, url] of cases) figures.push(await measure(`${name} (from the cache)`, get(url), 300, 20));
    report(`Insights and tabulator, ${n} practices (target: p95 ≤ 100 ms from the cache)`, base, figures);
    const worst = Math.max(...figures.map((f) => f.p95));
    console.log(`worst p95 from the cache: ${worst.toFixed(1)} ms (${worst <= 100 ? 'within' : 'OVER'} the 100 ms target)`);
  } finally {
    await t.close();
  }
}
