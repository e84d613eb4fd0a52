/**
 * Studies from reference managers' files, blind reviews, reconciliation, and ratings recomputed when a study, a
 * review or the rules change: through the API as a program would, on the real database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { parseCitations, CitationFileError } from './citations.ts';
import { DEFAULT_RULES } from './rules.ts';
import { PRACTICE, TWO_STUDIES_RIS, assertFacetCounts } from './testkit.ts';

const BIBTEX = `@article{rivera2022,
  author = {Rivera, Ana and Chen, Li},
  title = {Sector training for survivors: a {randomised} trial},
  journal = {Journal of Employment Evaluation},
  year = {2022},
  doi = {10.5555/jee.2022.7}
}

@techreport{okafor2020,
  author = {Okafor, Ngozi},
  title = {Coaching and job retention},
  institution = {Example Institute},
  year = 2020,
  url = {https://example.org/reports/coaching}
}
`;

test('RIS and BibTeX as reference managers export them', async () => {
  const ris = await parseCitations(TWO_STUDIES_RIS);
  assert.equal(ris.format, 'ris');
  assert.deepEqual(
    ris.records.map((r) => [r.line, r.title, r.authors, r.year, r.journal, r.doi, r.url]),
    [
      [1, 'Sector training for survivors of trafficking: a randomised trial', 'Rivera, Ana; Chen, Li', 2022, 'Journal of Employment Evaluation', '10.5555/jee.2022.7', null],
      [13, 'Coaching and job retention: a comparison-group study', 'Okafor, Ngozi', 2020, 'Example Institute', null, 'https://example.org/reports/coaching'],
    ],
  );
  const crlf = await parseCitations('\uFEFF' + TWO_STUDIES_RIS.replace(/\n/g, '\r\n'));
  assert.equal(crlf.records.length, 2, 'Windows line ends and a byte-order mark');
  const bib = await parseCitations(BIBTEX);
  assert.equal(bib.format, 'bibtex');
  assert.deepEqual(
    bib.records.map((r) => [r.line, r.title, r.authors, r.year, r.doi]),
    [
      [1, 'Sector training for survivors: a randomised trial', 'Rivera, Ana; Chen, Li', 2022, '10.5555/jee.2022.7'],
      [9, 'Coaching and job retention', 'Okafor, Ngozi', 2020, null],
    ],
  );
});

test('bad files are refused naming the line and the field', async () => {
  const problems = async (text: string) => {
    try {
      await parseCitations(text);
    } catch (err) {
      assert.ok(err instanceof CitationFileError, String(err));
      return err.errors.map((e) => `${e.field}: ${e.message}`);
    }
    assert.fail('the file was accepted');
  };
  assert.match((await problems('hello world'))[0], /^file: is neither RIS .* nor BibTeX/);
  assert.match((await problems('TY  - JOUR\nTI  - No end\n'))[0], /^line 1: the record that starts here has no end/);
  assert.match((await problems('TY  - JOUR\nAU  - Someone\nER  - \n'))[0], /^record at line 1: title: is missing \(TI or T1\)/);
  assert.match((await problems('TY  - JOUR\nTI  - A\nPY  - soon\nER  - \n'))[0], /^line 3: PY: "soon" does not start with a four-digit year/);
  assert.match((await problems('TY  - JOUR\nTI  - A\nER  - \nAU  - Stray\n'))[0], /^line 4: AU comes before any record/);
  assert.match((await problems('TY  - JOUR\nTI  - A\nDO  - not-a-doi\nER  - \n'))[0], /^line 3: DO: "not-a-doi" is not a DOI/);
  assert.match((await problems('@article{x,\n  title = {unclosed\n'))[0], /^line \d+: is not valid BibTeX/);
  assert.match((await problems('@article{nokey2020,\n  author = {A, B},\n  year = {2020}\n}\n'))[0], /^entry nokey2020 at line 1: title: is missing/);
  assert.match((await problems('@article{old,\n  title = {Old},\n  year = {1850}\n}\n'))[0], /^entry old at line 1: year: "1850" is not a year between 1900 and 2100/);
});

test('import through the API: all or nothing, then blind reviews, reconciliation and ratings that follow', async () => {
  const t = await testApp();
  try {
    const admin = await t.signedIn('admin');
    const created = await admin.request('POST', '/api/practices', { json: PRACTICE });
    assert.equal(created.statusCode, 201, created.body);
    const p = created.json() as { id: string; ratings: { domain: string; rating: string }[] };
    assert.deepEqual(p.ratings.map((r) => [r.domain, r.rating]), [['employment', 'inconclusive'], ['earnings', 'inconclusive']]);

    // A file with one good and one bad record adds nothing, and says where the bad one is.
    const bad = await admin.request('POST', `/api/practices/${p.id}/studies/import`, { json: { design: 'randomised', text: TWO_STUDIES_RIS.replace('TI  - Coaching', 'T9 - Coaching') } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(JSON.stringify(bad.json()), /record at line 13: title/);
    assert.equal((await admin.get(`/api/practices/${p.id}/studies`)).json().length, 0, 'nothing was added');

    // The file itself, multipart: its problems name the file field and the record; a file that is not UTF-8 text,
    // or none at all, is refused naming the file field. Nothing is added.
    const url = `/api/practices/${p.id}/studies/import`;
    const ris = { field: 'file', name: 'studies.ris', type: 'application/x-research-info-systems' };
    const badFile = await admin.postFile(url, { design: 'randomised' }, { ...ris, data: TWO_STUDIES_RIS.replace('TI  - Coaching', 'T9 - Coaching') });
    assert.equal(badFile.statusCode, 400, badFile.body);
    assert.ok((badFile.json() as { errors: { field: string }[] }).errors.some((e) => e.field === 'file (record at line 13: title)'), badFile.body);
    const latin1 = await admin.postFile(url, { design: 'randomised' }, { ...ris, data: Buffer.from(TWO_STUDIES_RIS.replace('Rivera, Ana', 'Rivera, Añá'), 'latin1') });
    assert.deepEqual((latin1.json() as { errors: unknown[] }).errors, [{ field: 'file', message: 'is not valid UTF-8 text' }]);
    const noDesign = await admin.postFile(url, {}, { ...ris, data: TWO_STUDIES_RIS });
    assert.equal(noDesign.statusCode, 400, noDesign.body);
    assert.match(noDesign.body, /design/);
    assert.equal((await admin.get(`/api/practices/${p.id}/studies`)).json().length, 0, 'nothing was added');
    const openapi = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, { post?: { requestBody?: { content?: Record<string, unknown> } } }> };
    assert.deepEqual(Object.keys(openapi.paths['/api/practices/{id}/studies/import'].post?.requestBody?.content ?? {}).sort(), ['application/json', 'multipart/form-data']);

    const good = await admin.postFile(url, { design: 'randomised' }, { ...ris, data: TWO_STUDIES_RIS });
    assert.equal(good.statusCode, 201, good.body);
    const [s1, s2] = (good.json() as { imported: { id: string; version: number; origin: string }[] }).imported;
    assert.equal(s1.origin, 'ris');
    // Outcomes are entered by hand after the import.
    for (const s of [s1, s2]) {
      const res = await admin.request('PATCH', `/api/practices/studies/${s.id}`, { json: { version: s.version, sample_size: 400, attrition: 12, outcomes: [{ domain: 'employment', measure: 'Employed at 12 months', direction: 'favourable', effect_size: 0.21, significant: true, follow_up_months: 12 }] } });
      assert.equal(res.statusCode, 200, res.body);
    }

    // Two reviewers rate s1 blind: the second sees nothing of the first until they rate.
    const one = await t.signedIn('analyst');
    const two = await t.signedIn('chair');
    const rated = await one.request('POST', `/api/practices/studies/${s1.id}/reviews`, { json: { rating: 'high', notes: 'Random assignment, low attrition.' } });
    assert.equal(rated.statusCode, 200, rated.body);
    assert.equal((rated.json() as { reviews: unknown[] }).reviews.length, 1, 'the reviewer sees their own');
    assert.deepEqual((await two.get(`/api/practices/studies/${s1.id}`)).json().reviews, [], "the other reviewer does not see the first's rating");
    assert.deepEqual((await t.client().get(`/api/practices/studies/${s1.id}`)).json().reviews, [], 'nor the public');
    const second = await two.request('POST', `/api/practices/studies/${s1.id}/reviews`, { json: { rating: 'high' } });
    assert.equal((second.json() as { reviews: unknown[]; final_rating: string }).reviews.length, 2);
    assert.equal((second.json() as { final_rating: string }).final_rating, 'high');
    const third = await admin.request('POST', `/api/practices/studies/${s1.id}/reviews`, { json: { rating: 'low' } });
    assert.equal(third.statusCode, 409, 'a study has two reviewers');
    const cap = await one.request('POST', `/api/practices/studies/${s2.id}/reviews`, { json: { rating: 'high' } });
    assert.equal(cap.statusCode, 200);

    let view = (await t.client().get(`/api/practices/${p.id}`)).json() as { ratings: { domain: string; rating: string; evidence: string; rule_version: number; rule_label: string | null }[] };
    assert.deepEqual(view.ratings.find((r) => r.domain === 'employment'), { ...view.ratings.find((r) => r.domain === 'employment')!, rating: 'promising', evidence: 'single', rule_version: 1, rule_label: DEFAULT_RULES.rules[1].label });

    // s2: the reviewers disagree; the lead (admin, who rated neither) settles it with a reason.
    await two.request('POST', `/api/practices/studies/${s2.id}/reviews`, { json: { rating: 'low' } });
    const noReason = await admin.request('POST', `/api/practices/studies/${s2.id}/reconciliation`, { json: { rating: 'moderate', reason: '' } });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().errors[0].field, 'reason');
    const settled = await admin.request('POST', `/api/practices/studies/${s2.id}/reconciliation`, { json: { rating: 'moderate', reason: 'Random assignment held, but attrition was differential.' } });
    assert.equal(settled.statusCode, 200, settled.body);
    assert.equal(settled.json().review_state, 'reconciled');
    view = (await t.client().get(`/api/practices/${p.id}`)).json();
    assert.deepEqual(view.ratings.map((r) => [r.domain, r.rating, r.evidence]), [['employment', 'effective', 'multiple'], ['earnings', 'inconclusive', 'none']]);

    // The agreement report: two studies rated twice, one alike.
    const agreement = (await one.get('/api/practices/agreement')).json();
    assert.equal(agreement.studies, 2);
    assert.equal(agreement.agreed, 1);

    // A rule change re-rates the practice: counting only high-rated studies, employment falls back to promising.
    const before = (await t.client().get('/api/practices/feed.atom')).body;
    const saved = await admin.request('POST', '/api/practices/rules', { json: { rules: { ...DEFAULT_RULES, qualifying: ['high'] }, note: 'Count high-rated studies only.' } });
    assert.equal(saved.statusCode, 201, saved.body);
    assert.deepEqual(saved.json(), { version: 2, rerated: 1 });
    view = (await t.client().get(`/api/practices/${p.id}`)).json();
    const employment = view.ratings.find((r) => r.domain === 'employment')!;
    assert.equal(employment.rating, 'promising');
    assert.equal(employment.rule_version, 2);
    const feed = (await t.client().get('/api/practices/feed.atom')).body;
    assert.notEqual(feed, before);
    assert.match(feed, /Re-rated: Sector-based job training[\s\S]*employment: effective to promising/);

    // Bad rules change nothing.
    const badRules = await admin.request('POST', '/api/practices/rules', { json: { rules: { qualifying: [], rules: [] }, note: 'x' } });
    assert.equal(badRules.statusCode, 400);
    assert.equal((await t.client().get('/api/practices/rules')).json().length, 2);

    // The study's outcome changes: ratings follow (a study change recomputes).
    const s1now = (await admin.get(`/api/practices/studies/${s1.id}`)).json() as { version: number };
    await admin.request('PATCH', `/api/practices/studies/${s1.id}`, { json: { version: s1now.version, outcomes: [{ domain: 'employment', measure: 'Employed at 12 months', direction: 'unfavourable', significant: true }] } });
    view = (await t.client().get(`/api/practices/${p.id}`)).json();
    assert.equal(view.ratings.find((r) => r.domain === 'employment')!.rating, 'negative_effects');
    await assertFacetCounts(t);
  } finally {
    await t.close();
  }
});
