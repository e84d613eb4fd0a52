import { testApp } from '../src/platform/testing.ts';
import { structureModule, allPartnerships } from '../src/modules/structure/index.ts';
import { createSeries, createSession, currentSuggestions, publishFindings, submitInputs } from '../src/modules/listening/commands.ts';
import { suggestThemes } from '../src/modules/listening/suggest.ts';
import { PROVIDER_TYPES, REGIONS, DEFAULT_QUESTIONS } from '../src/modules/listening/schema.ts';
import { measure, report } from './lib.ts';
import { seededRandom } from '../src/platform/seeded-random.ts';

/**
 * Listening sessions at the scale of a national series: LISTENING_BENCH_INPUTS (default 10000) written inputs of
 * one answer each, composed from vocabularies of topics, phrasings and places with a seeded generator, so every
 * run clusters the same texts. Measures the theme suggestions (the pure function, the command that reads the
 * answers and the API) against reading the same texts with one query, and the published report (page and JSON)
 * against the queries behind it.
 */


/** What providers talk about: a few phrasings of each topic, and details that go with it. */
const TOPICS: { claims: string[]; details: string[] }[] = [
  {
    claims: ['landlords refuse survivors who have no credit history', 'property managers screen out applicants with poor credit or eviction records', 'credit checks keep our clients out of the rental market'],
    details: ['a co-signer or a double deposit is often demanded', 'debts taken out in their name by traffickers ruin their credit', 'we need a landlord guarantee fund'],
  },
  {
    claims: ['there are not enough interpreters for intake and case management', 'leases and shelter rules are only available in English', 'language access is the first barrier for foreign national survivors'],
    details: ['Spanish, Tagalog and Mandarin interpreters are hardest to find', 'telephone interpretation is slow and clients lose trust', 'translated documents would help housing staff too'],
  },
  {
    claims: ['rural clients travel hours to reach the nearest shelter', 'in rural and tribal communities there is no public transit', 'transportation is the gap that undoes every referral we make'],
    details: ['gas vouchers run out before the end of the month', 'a ride to a court date can take a whole day', 'mobile outreach vans would reach people where they live'],
  },
  {
    claims: ['emergency shelter beds are full most nights', 'survivors wait weeks for an emergency shelter bed', 'domestic violence shelters turn away trafficking survivors for lack of beds'],
    details: ['hotel vouchers are the only fallback and they are costly', 'men and boys have almost no shelter options', 'families with older sons are split up at intake'],
  },
  {
    claims: ['transitional housing programs end before survivors are stable', 'the time limits of transitional housing are too short', 'people leave transitional housing with nowhere to go'],
    details: ['two years is rarely enough to finish school and find work', 'a step-down rental subsidy would bridge the gap', 'the waiting list for housing vouchers is years long'],
  },
  {
    claims: ['survivors need trauma-informed mental health care', 'counseling waiting lists are months long', 'therapists who understand trafficking trauma are scarce'],
    details: ['peer support groups have worked well for us', 'telehealth sessions helped clients in remote areas', 'insurance rarely covers long-term therapy'],
  },
  {
    claims: ['immigration status blocks access to public housing', 'T visa applications take years and survivors cannot work meanwhile', 'without work authorization survivors cannot pay rent'],
    details: ['continued presence requests are slow to be granted', 'pro bono immigration attorneys are overwhelmed', 'eligibility letters from HHS open some doors'],
  },
  {
    claims: ['criminal records from being trafficked follow survivors into every housing application', 'vacatur and expungement take too long', 'background checks exclude survivors with convictions from their exploitation'],
    details: ['public housing authorities should adopt individualized review', 'legal aid for record relief is underfunded', 'some landlords accept a letter from the advocate'],
  },
  {
    claims: ['funding is short-term and tied to narrow grant rules', 'federal grants do not cover rent for more than a few months', 'grant reporting takes time away from clients'],
    details: ['flexible funding for rent and deposits would change outcomes', 'braiding HUD and OVC funding is confusing', 'small organisations cannot front costs while waiting for reimbursement'],
  },
  {
    claims: ['coordination between victim service providers and housing authorities is weak', 'continuum of care partners rarely know about trafficking', 'coordinated entry assessments miss trafficking survivors'],
    details: ['a shared referral protocol would save weeks', 'we set up monthly case conferences with the housing authority', 'training for coordinated entry staff helped identify survivors'],
  },
  {
    claims: ['youth aging out of foster care are targeted by traffickers', 'homeless youth trade sex for a place to stay', 'runaway and homeless youth programs see labor and sex trafficking every week'],
    details: ['host homes work well for young people', 'drop-in centers are where youth first disclose', 'age limits on shelters leave eighteen to twenty-four year olds out'],
  },
  {
    claims: ['employment support is what makes housing last', 'survivors need job training and stable wages to keep their homes', 'workforce programs do not accommodate survivors’ schedules'],
    details: ['paid apprenticeships kept clients housed', 'employers need guidance on hiring survivors', 'child care is the hidden barrier to steady work'],
  },
  {
    claims: ['safety planning must be part of every housing placement', 'traffickers find survivors at their new address', 'confidential locations are hard to keep confidential'],
    details: ['address confidentiality programs should cover more states', 'emergency transfers under VAWA are rarely used', 'landlords need to know how to keep addresses private'],
  },
  {
    claims: ['outreach to labor trafficking survivors in agriculture is limited', 'farmworkers in employer housing fear losing both job and home', 'labor trafficking survivors rarely reach our programs'],
    details: ['outreach with worker centers brought people in', 'housing tied to the job is the trafficker’s leverage', 'guest workers do not know their rights'],
  },
];

const OPENERS = ['In our experience,', 'The biggest challenge is that', 'We see every week that', 'Honestly,', 'From the front line:', 'Our staff report that', 'What we hear most is that', 'Across our region,', ''];
const JOINERS = ['Also,', 'On top of that,', 'And', 'In addition,', 'What helps:', 'For example,'];
const PLACES = ['in our county', 'in the city', 'on the reservation', 'in the border towns', 'in the suburbs', 'across the state', 'in small towns', 'near the port'];
const CLOSERS = ['', '', 'Please fund this.', 'This needs federal attention.', 'We would welcome technical assistance on this.', 'Thank you for listening.'];

export function composeInput(rand: () => number, i: number) {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const topic = TOPICS[Math.floor(rand() * TOPICS.length)];
  const parts = [pick(OPENERS), `${pick(topic.claims)} ${pick(PLACES)}.`, pick(JOINERS), `${pick(topic.details)}.`];
  // A third of the answers bring up a second topic as well.
  if (rand() < 0.33) {
    const other = TOPICS[Math.floor(rand() * TOPICS.length)];
    parts.push(pick(JOINERS), `${pick(other.claims)}.`);
  }
  parts.push(pick(CLOSERS));
  const text = parts.filter(Boolean).join(' ').replace(/^(\w)/, (c) => c.toUpperCase());
  const question = DEFAULT_QUESTIONS[i % DEFAULT_QUESTIONS.length].key;
  const named = rand() < 0.2;
  return {
    organization_type: pick(PROVIDER_TYPES),
    region: pick(REGIONS),
    answers: { [question]: text },
    quotable: rand() < 0.6,
    attribution: named,
    participant_name: named ? `Participant ${i + 1}` : undefined,
  };
}

export async function run(): Promise<void> {
  const n = Number(process.env.LISTENING_BENCH_INPUTS ?? 10000);
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const db = t.db.handle.db;
    await structureModule.seedDemo!(t.ctx, () => {});
    const partnership = (await allPartnerships(db))[0];
    const series = await createSeries(t.ctx, { title: 'Benchmark series', owner_type: 'partnership', owner_id: partnership.id, reminder_days: 2 });
    const session = await createSession(t.ctx, series.id, { title: 'National session', date: '2026-03-10', start_time: '13:00', end_time: '15:00', time_zone: 'America/New_York', format: 'virtual', capacity: 500 });
    const rand = seededRandom(20261130);
    const started = Date.now();
    const batch = 1000;
    for (let start = 0; start < n; start += batch) {
      const inputs = Array.from({ length: Math.min(batch, n - start) }, (_, k) => composeInput(rand, start + k));
      await submitInputs(t.ctx, session.id, inputs);
      console.log(`generated ${Math.min(n, start + batch)}/${n} inputs (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }

    // (a) Suggestions for every answer, against reading the same texts.
    const texts = () => db.selectFrom('listening_answers as a').innerJoin('listening_inputs as i', 'i.id', 'a.input_id').select(['a.id', 'a.text']).where('i.series_id', '=', series.id).execute();
    const docs = (await texts()).map((r) => ({ id: String(r.id), text: String(r.text) }));
    const first = suggestThemes(docs);
    console.log(`${docs.length} answers give ${first.length} suggestions; the largest: ${first.slice(0, 4).map((s) => `"${s.label}" (${s.member_ids.length})`).join(', ')}`);
    const analyst = await t.signedIn('analyst');
    const cookie = (c: typeof analyst) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const check = await t.app.inject({ method: 'GET', url: `/api/listening/series/${series.id}/suggestions`, headers: { cookie: cookie(analyst) } });
    if (check.statusCode !== 200 || (check.json() as unknown[]).length !== first.length) throw new Error(`suggestions API: ${check.statusCode}`);
    const baseA = await measure(`raw query: ${docs.length} answer texts`, texts, 20, 3);
    const pure = await measure('suggestThemes (pure function)', async () => suggestThemes(docs), 5, 1);
    const command = await measure('currentSuggestions (command: read + compute)', () => currentSuggestions(db, series.id), 5, 1);
    const api = await measure('GET /api/listening/series/:id/suggestions', () => t.app.inject({ method: 'GET', url: `/api/listening/series/${series.id}/suggestions`, headers: { cookie: cookie(analyst) } }), 5, 1);
    report(`Theme suggestions, ${n} inputs (${docs.length} answers)`, baseA, [pure, command, api]);

    // (b) Code the inputs by accepting the largest suggestions, publish, and read the report.
    const t0 = Date.now();
    let coded = 0;
    for (const s of first.slice(0, 8)) {
      const res = await analyst.request('POST', `/api/listening/series/${series.id}/suggestions/accept`, { json: { fingerprint: s.fingerprint } });
      if (res.statusCode !== 200) throw new Error(`accept: ${res.statusCode} ${res.body.slice(0, 300)}`);
      coded += (res.json() as { excerpts: number }).excerpts;
    }
    await publishFindings(t.ctx, series.id);
    console.log(`accepted 8 suggestions (${coded} excerpts) and published in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const behind = async () => {
      await db.selectFrom('listening_series').select(['id', 'title', 'description', 'owner_type', 'owner_id', 'reminder_days', 'published_at', 'version', 'created_at', 'updated_at']).where('id', '=', series.id).executeTakeFirst();
      return db.selectFrom('listening_series').select(['report', 'published_at']).where('id', '=', series.id).executeTakeFirst();
    };
    const size = JSON.stringify((await behind())?.report ?? '').length;
    console.log(`the stored report (findings and CSV) is ${(size / 1024).toFixed(0)} KiB`);
    for (const url of [`/listening/series/${series.id}/report`, `/api/listening/series/${series.id}/report`]) {
      const res = await t.app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    }
    const baseB = await measure('raw queries: series row + stored report', behind, 200, 20);
    const page = await measure('GET /listening/series/:id/report (page)', () => t.app.inject({ method: 'GET', url: `/listening/series/${series.id}/report` }), 100, 10);
    const json = await measure('GET /api/listening/series/:id/report (JSON)', () => t.app.inject({ method: 'GET', url: `/api/listening/series/${series.id}/report` }), 100, 10);
    const chair = await t.signedIn('chair');
    const working = await t.app.inject({ method: 'GET', url: `/listening/series/${series.id}/findings`, headers: { cookie: cookie(chair) } });
    if (working.statusCode !== 200) throw new Error(`findings page: ${working.statusCode}`);
    const draft = await measure('GET /listening/series/:id/findings (working)', () => t.app.inject({ method: 'GET', url: `/listening/series/${series.id}/findings`, headers: { cookie: cookie(chair) } }), 10, 2);
    report(`Published findings, ${n} inputs, ${coded} coded excerpts`, baseB, [page, json, draft]);
  } finally {
    await t.close();
  }
}
