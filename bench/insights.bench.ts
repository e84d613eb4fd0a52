import { sql } from 'kysely';
import { testApp } from '../src/platform/testing.ts';
import { insertMany } from '../src/platform/db/bulk.ts';
import { counties, states } from '../src/platform/geo/us.ts';
import { OUTCOME_DOMAINS, POPULATIONS, SETTINGS } from '../src/modules/practices/schema.ts';
import { DIRECTORY_TERMS, NEED_CODES } from '../src/modules/directory/index.ts';
import { REFERRAL_NEEDS } from '../src/modules/referrals/index.ts';
import { clearThemeCache, THEMES } from '../src/modules/research/themes.ts';
import { measure, report } from './lib.ts';
import { seededRandom as rng } from '../src/platform/seeded-random.ts';

/**
 * The research module's insights pages and tabulator, answered through HTTP: the cold build of each (facts read
 * through the owning modules' index functions, every table of the page suppressed together) once, then p95 from
 * the cache. The issue's target: p95 ≤ 100 ms from the cache at 500,000 services and 1,000,000 referrals.
 *
 * Sizes: INSIGHTS_BENCH_SERVICES (default 50000), INSIGHTS_BENCH_REFERRALS (default twice the services),
 * INSIGHTS_BENCH_PRACTICES (default 2000). The facts are written straight into the tables the index functions read
 * (a service, its kept-figure keys, a public location in a state; a sent referral's de-identified columns), which is
 * much faster than the importer and the referral commands and gives the same reads. The other themes run over
 * whatever little data they have: their cost is not what is measured here.
 */
const RATINGS = ['effective', 'promising', 'no_effects', 'negative_effects', 'inconclusive'];
const STATUSES = ['sent', 'received', 'accepted', 'in_progress', 'declined', 'completed', 'completed', 'completed', 'cancelled', 'expired'];
const DECLINES = ['no_capacity', 'not_eligible', 'unable_to_contact', 'other'];

export async function run(): Promise<void> {
  const nServices = Number(process.env.INSIGHTS_BENCH_SERVICES ?? 50000);
  const nReferrals = Number(process.env.INSIGHTS_BENCH_REFERRALS ?? nServices * 2);
  const nPractices = Number(process.env.INSIGHTS_BENCH_PRACTICES ?? 2000);
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const db = t.db.handle.db;
    const rand = rng(20261214);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
    const some = <T>(list: readonly T[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(list)))];
    const now = new Date().toISOString();
    let started = Date.now();

    // Practices (the evidence theme and the practices tabulator).
    const practices: unknown[][] = [];
    const ratings: unknown[][] = [];
    for (let i = 0; i < nPractices; i++) {
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

    // Services: one public location per state, each service at one of them, its needs and populations as kept figures.
    const locations = states().map((s) => ({ id: crypto.randomUUID(), state: s.code }));
    await db.transaction().execute(async (trx) => {
      await insertMany(trx, 'directory_location', ['id', 'location_type', 'name', 'confidential'], locations.map((l) => [l.id, 'physical', `Bench site, ${l.state}`, false]));
      await insertMany(trx, 'directory_address', ['id', 'location_id', 'address_1', 'city', 'state_province', 'postal_code', 'country', 'address_type'], locations.map((l) => [crypto.randomUUID(), l.id, '1 Main St', 'Capital', l.state, '00000', 'US', 'physical']));
    });
    const populations = DIRECTORY_TERMS.population.map((x) => x.code);
    for (let done = 0; done < nServices; done += 50_000) {
      const services: unknown[][] = [];
      const sal: unknown[][] = [];
      const members: unknown[][] = [];
      for (let i = done; i < Math.min(nServices, done + 50_000); i++) {
        const id = crypto.randomUUID();
        services.push([id, `Service ${i}`, 'active']);
        sal.push([crypto.randomUUID(), id, pick(locations).id]);
        members.push([id, ['total', ...some(NEED_CODES, 3).map((n) => `need:${n}`), ...some(populations, 2).map((p) => `population:${p}`)].join('\n')]);
      }
      await db.transaction().execute(async (trx) => {
        await insertMany(trx, 'directory_service', ['id', 'name', 'status'], services);
        await insertMany(trx, 'directory_service_at_location', ['id', 'service_id', 'location_id'], sal);
        await insertMany(trx, 'directory_summary_member', ['service_id', 'keys'], members);
      });
    }
    console.log(`loaded ${nPractices} practices and ${nServices} services in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Referrals: sent over the last two years, to a county, with one to three needs and what became of them.
    started = Date.now();
    const fips = counties().map((c) => c.fips);
    const from = Date.now() - 2 * 365 * 86_400_000;
    const org = crypto.randomUUID();
    for (let done = 0; done < nReferrals; done += 50_000) {
      const rows: unknown[][] = [];
      for (let i = done; i < Math.min(nReferrals, done + 50_000); i++) {
        const status = pick(STATUSES);
        const sent = from + rand() * 2 * 365 * 86_400_000;
        const accepted = ['accepted', 'in_progress', 'completed'].includes(status) ? new Date(sent + rand() * 10 * 86_400_000).toISOString() : null;
        const county = pick(fips);
        rows.push([crypto.randomUUID(), 1, status, org, org, org, 'Bench sender', 'Bench receiver', 'Bench service', county, county.slice(0, 2), JSON.stringify(some(REFERRAL_NEEDS, 3)), 'routine', status === 'declined' ? pick(DECLINES) : null, status === 'completed' ? (rand() < 0.7 ? 'got_help' : 'could_not_get_help') : null, org, now, new Date(sent).toISOString(), accepted, now]);
      }
      await db.transaction().execute(async (trx) => {
        await insertMany(trx, 'referrals', ['id', 'version', 'status', 'sender_organization_id', 'receiver_organization_id', 'service_id', 'sender_name', 'receiver_name', 'service_name', 'area_fips', 'area_state', 'needs', 'urgency', 'decline_reason', 'outcome', 'created_by', 'created_at', 'sent_at', 'accepted_at', 'updated_at'], rows);
      });
    }
    await sql`analyze`.execute(db);
    console.log(`loaded ${nReferrals} referrals in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const get = (url: string) => async () => {
      const res = await t.app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return res;
    };
    const cases: [string, string][] = [
      ...THEMES.map((th): [string, string] => [`GET /research/insights/${th} (HTML page)`, `/research/insights/${th}`]),
      ['GET /api/research/insights/referrals', '/api/research/insights/referrals'],
      ['GET /api/research/insights/referrals.csv', '/api/research/insights/referrals.csv'],
      ['GET /api/research/tabulate?measure=referrals&rows=state&cols=quarter', '/api/research/tabulate?measure=referrals&rows=state&cols=quarter'],
      ['GET /api/research/tabulate?measure=services&rows=state&cols=need', '/api/research/tabulate?measure=services&rows=state&cols=need'],
      ['GET /research/tabulator?measure=practices&rows=setting&cols=rating (HTML page)', '/research/tabulator?measure=practices&rows=setting&cols=rating'],
    ];
    // Each theme page and tabulator query built once with nothing cached, then measured from the cache at once (pages
    // are kept 5 minutes); a theme's JSON and CSV come from the page's cache, so they are measured after its page.
    clearThemeCache();
    const base = await measure('raw query: count the referrals', () => db.selectFrom('referrals').select((eb) => eb.fn.countAll().as('n')).execute(), 50, 5);
    const figures = [];
    for (const [name, url] of cases) {
      if (!url.startsWith('/api/research/insights/')) {
        const cold = Date.now();
        await get(url)();
        console.log(`cold build, ${name}: ${Date.now() - cold} ms`);
      }
      figures.push(await measure(`${name} (from the cache)`, get(url), 200, 10));
    }
    report(`Insights and tabulator, ${nServices} services, ${nReferrals} referrals, ${nPractices} practices (target: p95 ≤ 100 ms from the cache)`, base, figures);
    const worst = Math.max(...figures.map((f) => f.p95));
    console.log(`worst p95 from the cache: ${worst.toFixed(1)} ms (${worst <= 100 ? 'within' : 'OVER'} the 100 ms target)`);
  } finally {
    await t.close();
  }
}
