import { sql } from 'kysely';
import { testApp, type TestApp } from '../src/platform/testing.ts';
import { insertMany } from '../src/platform/db/bulk.ts';
import { indexDocuments } from '../src/platform/db/search.ts';
import { DESIGNS, OUTCOME_DOMAINS, POPULATIONS, SETTINGS } from '../src/modules/practices/schema.ts';
import { measure, measureConcurrent, report, type Figures } from './lib.ts';
import { seededRandom as rng } from '../src/platform/seeded-random.ts';

/**
 * The practices library at the scale: PRACTICES_BENCH_PRACTICES (default 20000) practices with
 * PRACTICES_BENCH_STUDIES (default 100000) studies, their ratings and facet rows, loaded in bulk with a seeded
 * generator (names start with one of 20 topics; summaries draw from some 400 words). Measures the public search through the API (words, filters, both, and facet counts over the whole match)
 * against the raw query that finds one page of the same practices. The target: p95 at most 30 ms.
 */

const TOPICS = ['employment', 'housing', 'coaching', 'mentoring', 'legal', 'clinic', 'training', 'navigation', 'peer', 'trauma-informed', 'apprenticeship', 'rental', 'subsidy', 'literacy', 'counselling', 'outreach', 'sector', 'retention', 'childcare', 'transport'];
// A vocabulary of some 400 words (the topics and made-up words of two syllables), each in about one summary of 30,
// rather than 20 words each in half of them.
const SYLLABLES = ['ka', 'lo', 'mi', 'ner', 'sto', 'va', 'ri', 'den', 'pa', 'tru', 'bel', 'gor', 'fi', 'sun', 'hal', 'ez', 'qui', 'mon', 'dra', 'ple'];
const WORDS = [...TOPICS, ...SYLLABLES.flatMap((a) => SYLLABLES.map((b) => a + b))];
const RATINGS = ['effective', 'promising', 'no_effects', 'negative_effects', 'inconclusive'];

/** Loads a generated library of `nPractices` practices and `nStudies` studies in bulk (seeded: the same each run). */
export async function loadLibrary(t: TestApp, nPractices: number, nStudies: number): Promise<void> {
  {
    const db = t.db.handle.db;
    const rand = rng(20261206);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
    const some = <T>(list: readonly T[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(list)))];
    const now = new Date().toISOString();
    const started = Date.now();
    const practices: unknown[][] = [];
    const facets: unknown[][] = [];
    const ratings: unknown[][] = [];
    const docs: { id: string; title: string; body: string }[] = [];
    const ids: string[] = [];
    for (let i = 0; i < nPractices; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      const name = `${pick(TOPICS)} ${pick(WORDS)} programme ${i}`;
      const summary = Array.from({ length: 12 }, () => pick(WORDS)).join(' ');
      const populations = some(POPULATIONS, 3);
      const domains = some(OUTCOME_DOMAINS, 3);
      const setting = pick(SETTINGS);
      practices.push([id, name, summary, null, JSON.stringify(populations), setting, JSON.stringify(domains), null, '[]', null, null, 'bench', false, 1, now, now]);
      docs.push({ id, title: name, body: summary });
      const rows = new Set<string>([...populations.map((p) => `population|${p}`), ...domains.map((d) => `outcome|${d}`), `setting|${setting}`]);
      for (const d of domains) {
        const r = pick(RATINGS);
        ratings.push([id, d, r, 1, r === 'inconclusive' ? null : 0, 'multiple', 2, now]);
        if (r !== 'inconclusive') {
          rows.add(`rating|${r}`);
          rows.add(`outcome_rating|${d}:${r}`);
        }
      }
      for (const x of rows) {
        const [facet, value] = x.split('|');
        facets.push([id, facet, value]);
      }
    }
    const studies: unknown[][] = [];
    for (let i = 0; i < nStudies; i++) {
      const practice = ids[i % ids.length];
      const design = pick(DESIGNS);
      studies.push([crypto.randomUUID(), practice, `Study ${i} of ${pick(WORDS)}`, 'Bench, Author', 2000 + (i % 25), null, null, null, design, 100 + (i % 900), null, null, JSON.stringify([{ domain: pick(OUTCOME_DOMAINS), measure: 'm', direction: 'favourable', significant: true }]), 'form', 1, now, now]);
      facets.push([practice, 'design', design]);
    }
    // One row per (facet, value, practice): a practice's studies share designs.
    const uniqueFacets = [...new Map(facets.map((f) => [f.join('|'), f])).values()];
    await db.transaction().execute(async (trx) => {
      await insertMany(trx, 'practices_practice', ['id', 'name', 'summary', 'components', 'populations', 'setting', 'outcome_domains', 'cost', 'resources', 'contact_name', 'contact_email', 'source', 'demo', 'version', 'created_at', 'updated_at'], practices);
      await insertMany(trx, 'practices_study', ['id', 'practice_id', 'title', 'authors', 'year', 'journal', 'doi', 'url', 'design', 'sample_size', 'setting', 'attrition', 'outcomes', 'origin', 'version', 'created_at', 'updated_at'], studies);
      await insertMany(trx, 'practices_rating', ['practice_id', 'domain', 'rating', 'rule_version', 'rule_index', 'evidence', 'studies', 'computed_at'], ratings);
      await insertMany(trx, 'practices_facet', ['practice_id', 'facet', 'value'], uniqueFacets);
      await indexDocuments(trx, 'practices_search', docs);
      const counts = new Map<string, number>();
      for (const [, facet, value] of uniqueFacets) counts.set(`${facet}|${value}`, (counts.get(`${facet}|${value}`) ?? 0) + 1);
      await insertMany(trx, 'practices_facet_count', ['facet', 'value', 'n'], [...counts].map(([k, n]) => [...k.split('|'), n]));
    });
    await sql`analyze`.execute(db);
    console.log(`loaded ${nPractices} practices, ${nStudies} studies, ${uniqueFacets.length} facet rows, ${ratings.length} ratings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}


const CASES = [
  ['GET /api/practices (all, facets)', '/api/practices'],
  ['GET /api/practices?q=housing', '/api/practices?q=housing'],
  ['GET /api/practices?outcome=employment&rating=effective', '/api/practices?outcome=employment&rating=effective'],
  ['GET /api/practices?q=housing&population&setting', '/api/practices?q=housing&population=population.adults&setting=community'],
  ['GET /api/practices?design=randomised&outcome=earnings', '/api/practices?design=randomised&outcome=earnings'],
  ['GET /api/practices?population=population.adults', '/api/practices?population=population.adults'],
  ['GET /api/practices?q=ka (a prefix of 20 words)', '/api/practices?q=ka'],
  ['GET /practices?q=coaching (HTML page)', '/practices?q=coaching'],
];

/**
 * At each size of PRACTICES_BENCH_SIZES (practices:studies, default 5000:25000 and 20000:100000), one client and
 * PRACTICES_BENCH_CLIENTS (default 8) clients at once, each figure with its ratio to the raw query's p50.
 */
export async function run(): Promise<void> {
  const sizes = (process.env.PRACTICES_BENCH_SIZES ?? '5000:25000,20000:100000').split(',').map((x) => x.split(':').map(Number) as [number, number]);
  const clients = Number(process.env.PRACTICES_BENCH_CLIENTS ?? 8);
  const worst: string[] = [];
  for (const [nPractices, nStudies] of sizes) {
    const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    try {
      await loadLibrary(t, nPractices, nStudies);
      const db = t.db.handle.db;
      const get = (url: string) => async () => {
        const res = await t.app.inject({ method: 'GET', url });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        return res;
      };
      const first = (await get('/api/practices?q=housing&outcome=employment&rating=effective')()).json() as { total: number };
      console.log(`"housing" with employment rated effective: ${first.total} practices`);
      // The raw query: one page of practices with a filter, by name, with nothing else (no count, no facets, no ratings).
      const raw = () =>
        db
          .selectFrom('practices_practice as p')
          .selectAll('p')
          .where(({ exists, selectFrom }) => exists(selectFrom('practices_facet as f').select('f.practice_id').whereRef('f.practice_id', '=', 'p.id').where('f.facet', '=', 'outcome_rating').where('f.value', '=', 'employment:effective')))
          .orderBy('p.name')
          .limit(50)
          .execute();
      const base = await measure('raw query: a page of practices, one filter', raw, 200, 20);
      const one: Figures[] = [];
      for (const [name, url] of CASES) one.push(await measure(name, get(url), 100, 10));
      report(`Practice search, ${nPractices} practices and ${nStudies} studies, one client (target: API p95 ≤ 30 ms)`, base, one);
      const many: Figures[] = [];
      for (const [name, url] of CASES) many.push(await measureConcurrent(name, get(url), clients, 200, 10));
      report(`The same, ${clients} clients at once (each figure: one request as its caller waits for it)`, base, many);
      const api = (fs: Figures[]) => Math.max(...fs.filter((f) => f.name.startsWith('GET /api')).map((f) => f.p95));
      worst.push(`${nPractices} practices: worst API p95 ${api(one).toFixed(1)} ms with one client (${api(one) <= 30 ? 'within' : 'OVER'} the 30 ms target), ${api(many).toFixed(1)} ms with ${clients} at once`);
    } finally {
      await t.close();
    }
  }
  console.log('');
  for (const line of worst) console.log(line);
}
