/**
 * Issue 16 (items 4 and 5): questions set per series, the published report's recommendations read live with their
 * work plan action, pickers instead of typed ids, errors that name the field's label in the reader's language, and no
 * internal ids in what a page shows. One app for the file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { csrfFrom, snapshotTables, type TestApp, type TestClient } from '../../platform/testing.ts';
import { migrate } from '../../platform/db/migrator.ts';
import { formFields } from '../workplans/testkit.ts';
import { createItem } from '../workplans/commands.ts';
import { allAgencies } from '../structure/index.ts';
import { app, housingPartnershipId, json, sessionBody } from './testkit.ts';
import { createRecommendation, createSeries, createSession, publishFindings, submitInput } from './commands.ts';
import { getSeries, getSession, listInputs } from './store.ts';
import { templateQuestions } from './questions.ts';

const TABLES = ['listening_series', 'listening_sessions', 'listening_inputs', 'listening_answers', 'listening_recommendations', 'listening_timeline', 'audit_events'];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The words a person sees on a page: no markup, attributes, scripts or styles. */
const visible = (html: string) =>
  html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

let t: TestApp;
let owner: string;
let lead: TestClient;

before(async () => {
  t = await app();
  owner = await housingPartnershipId(t);
  lead = await t.signedIn('chair');
});
after(() => t.close());

/** A request in the reader's language (the language cookie, as the switcher sets it). */
async function inLang<T>(c: TestClient, lang: 'es' | undefined, run: () => Promise<T>): Promise<T> {
  if (!lang) return run();
  c.cookies.set('lang', lang);
  try {
    return await run();
  } finally {
    c.cookies.delete('lang');
  }
}

async function page(c: TestClient, url: string, lang?: 'es'): Promise<string> {
  const res = await inLang(c, lang, () => c.get(url));
  assert.equal(res.statusCode, 200, `${url} -> ${res.statusCode}`);
  if (res.body.includes('name="_csrf"')) c.csrf = csrfFrom(res.body);
  return res.body;
}

const post = (c: TestClient, url: string, form: Record<string, string | string[]>, lang?: 'es') => inLang(c, lang, () => c.request('POST', url, { form }));

test('a series asks its own questions: from a template, changed by its lead on its page and through the API, asked by its sessions in both languages', async () => {
  const series = await json<{ id: string; version: number; questions: { key: string; label: string; label_es?: string }[] }>(lead, 'POST', '/api/listening/series', { title: 'Work after trafficking', owner_type: 'partnership', owner_id: owner, template: 'employment' }, 201);
  assert.deepEqual(
    series.questions.map((q) => q.key),
    templateQuestions('employment').map((q) => q.key),
  );
  // The new-series form offers the templates too.
  const listPage = await page(lead, '/listening');
  assert.match(listPage, /<select[^>]*name="template"[\s\S]*?<option value="youth">Youth<\/option>/);
  const made = await post(lead, '/listening/series', { ...formFields(listPage, '/listening/series'), title: 'Young people', owner_id: owner, template: 'youth' });
  assert.equal(made.statusCode, 302, made.body.slice(0, 300));
  assert.deepEqual(
    (await getSeries(t.ctx.db, String(made.headers.location).split('/').pop()!))!.questions.map((q) => q.key),
    templateQuestions('youth').map((q) => q.key),
  );

  const session = await json<{ id: string; questions: { key: string }[]; own_questions: boolean }>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ registration_opens_at: '2020-01-01T00:00:00Z' }), 201);
  assert.deepEqual(session.questions, series.questions, 'a new session asks its series’ questions');
  assert.equal(session.own_questions, false);

  // The public form asks the employment questions, not the housing ones, in English and in Spanish.
  const anon = t.client();
  let html = await page(anon, `/listening/sessions/${session.id}/input`);
  assert.match(html, /What gets in the way of survivors finding and keeping work\?/);
  assert.doesNotMatch(html, /housing and service needs/);
  html = await page(t.client(), `/listening/sessions/${session.id}/input`, 'es');
  assert.match(html, /¿Qué impide que los sobrevivientes encuentren y conserven un empleo\?/);

  // The lead changes the questions on the series page: rewords the first, removes the last, adds one at the top.
  html = await page(lead, `/listening/series/${series.id}`);
  const action = `/listening/series/${series.id}/questions`;
  const fields = formFields(html, action);
  assert.equal(fields.q0_label, 'What gets in the way of survivors finding and keeping work?');
  assert.ok('q6_label' in fields, 'two blank rows to add questions');
  Object.assign(fields, { q0_label: 'What stops survivors from working?', q0_label_es: '¿Qué impide trabajar a los sobrevivientes?', q4_label: '', q4_label_es: '', q5_label: 'Which employers hire survivors?', q5_label_es: '¿Qué empleadores contratan a sobrevivientes?', q5_order: '0' });
  let res = await post(lead, action, fields);
  assert.equal(res.statusCode, 302, res.body.slice(0, 400));
  const changed = (await getSeries(t.ctx.db, series.id))!;
  assert.deepEqual(
    changed.questions.map((q) => q.key),
    ['which_employers_hire_survivors', 'challenges', 'best_practices', 'employers', 'policy_changes'],
  );
  assert.equal(changed.questions[1].label, 'What stops survivors from working?');
  html = await page(t.client(), `/listening/sessions/${session.id}/input`, 'es');
  assert.match(html, /¿Qué empleadores contratan a sobrevivientes\?/);
  assert.ok(html.indexOf('¿Qué empleadores') < html.indexOf('¿Qué impide trabajar'), 'in the new order');

  // An input with no answer is refused on the first question, named by its text in the reader's language.
  const publicPage = t.client();
  await page(publicPage, `/listening/sessions/${session.id}/input`);
  res = await post(publicPage, `/listening/sessions/${session.id}/input`, { organization_type: 'workforce', region: 'west' }, 'es');
  assert.equal(res.statusCode, 400);
  assert.match(visible(res.body), /¿Qué empleadores contratan a sobrevivientes\?: al menos una pregunta necesita respuesta/);

  // Sessions take the change: an answer to the new question is taken, one to the removed question is refused.
  await json(anon, 'POST', `/api/listening/sessions/${session.id}/inputs`, { organization_type: 'workforce', region: 'west', answers: { which_employers_hire_survivors: 'A bakery and two hotels on the coast.' } }, 201);
  const refused = await anon.request('POST', `/api/listening/sessions/${session.id}/inputs`, { json: { organization_type: 'workforce', region: 'west', answers: { technical_assistance: 'Grant writing.' } } });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /answers\.technical_assistance/);

  // A question with Spanish but no English is refused, naming the field by its label in the reader's language; nothing changes.
  const before = await snapshotTables(t.ctx, TABLES);
  html = await page(lead, `/listening/series/${series.id}`);
  const bad = { ...formFields(html, action), q1_label: '' };
  res = await post(lead, action, bad);
  assert.equal(res.statusCode, 400);
  assert.match(visible(res.body), /Question 2 — Text in English: is required/);
  res = await post(lead, action, bad, 'es');
  assert.equal(res.statusCode, 400);
  assert.match(visible(res.body), /Pregunta 2 — Texto en inglés: es obligatorio/);
  assert.equal(await snapshotTables(t.ctx, TABLES), before, 'a refused change changes nothing');

  // The API: the lead sets the questions; a coder may not.
  const current = (await getSeries(t.ctx.db, series.id))!;
  const questions = [{ key: 'barriers', label: 'What are the barriers?', label_es: '¿Cuáles son los obstáculos?' }];
  const analyst = await t.signedIn('analyst');
  assert.equal((await analyst.request('PATCH', `/api/listening/series/${series.id}`, { json: { version: current.version, questions } })).statusCode, 403);
  const dup = await lead.request('PATCH', `/api/listening/series/${series.id}`, { json: { version: current.version, questions: [...questions, { key: 'barriers', label: 'Again' }] } });
  assert.equal(dup.statusCode, 400);
  assert.match(dup.body, /questions\.1\.key/);
  const patched = await json<{ questions: unknown[] }>(lead, 'PATCH', `/api/listening/series/${series.id}`, { version: current.version, questions });
  assert.deepEqual(patched.questions, questions);
  assert.deepEqual((await getSession(t.ctx.db, session.id))!.questions, questions);

  // The coding page shows each answer's question, in Spanish for a Spanish reader.
  const coder = await t.signedIn('analyst');
  await json(lead, 'PATCH', `/api/listening/series/${series.id}`, { version: current.version + 1, questions: changed.questions });
  html = await page(coder, `/listening/series/${series.id}/coding`, 'es');
  assert.match(html, /¿Qué empleadores contratan a sobrevivientes\?/);
});

test('the questions form is the lead’s: the public is asked to sign in, members and analysts are refused, and nothing changes', async () => {
  const series = await createSeries(t.ctx, { title: 'Youth voices', owner_type: 'partnership', owner_id: owner, template: 'youth' });
  assert.equal(series.questions[2].key, 'schools');
  const form = { version: String(series.version), q0_label: 'Changed?' };
  const anon = t.client();
  await page(anon, '/listening');
  const refused = [await t.signedIn('member'), await t.signedIn('analyst')];
  const admin = await t.signedIn('admin');
  const before = await snapshotTables(t.ctx, TABLES);
  assert.equal((await post(anon, `/listening/series/${series.id}/questions`, form)).statusCode, 401);
  for (const c of refused) assert.equal((await post(c, `/listening/series/${series.id}/questions`, form)).statusCode, 403);
  assert.equal(await snapshotTables(t.ctx, TABLES), before);
  assert.equal((await post(admin, `/listening/series/${series.id}/questions`, form)).statusCode, 302);
  assert.deepEqual((await getSeries(t.ctx.db, series.id))!.questions.map((q) => q.label), ['Changed?']);
});

test('the migration puts series made before it on the housing questions and leaves sessions, inputs and answers as they were', async () => {
  const series = await createSeries(t.ctx, { title: 'Before questions', owner_type: 'partnership', owner_id: owner });
  // A session as stored before: the five housing questions in English only.
  const legacy = templateQuestions('housing').map(({ key, label }) => ({ key, label }));
  const session = await createSession(t.ctx, series.id, sessionBody({ questions: legacy }));
  await submitInput(t.ctx, session.id, { organization_type: 'shelter', region: 'west', answers: { challenges: 'Deposits are hard to find.', outreach: 'Radio in Spanish.' } });
  // Back to the schema before the migration: no questions column, the migration not applied.
  await sql`alter table listening_series drop column questions`.execute(t.ctx.db);
  await t.ctx.db.deleteFrom('schema_migrations').where('name', '=', '202612150101_listening_series_questions').execute();
  const kept = ['listening_sessions', 'listening_inputs', 'listening_answers'];
  const before = await snapshotTables(t.ctx, kept);
  const applied = await migrate(t.db.handle);
  assert.deepEqual(applied, ['202612150101_listening_series_questions']);
  assert.equal(await snapshotTables(t.ctx, kept), before, 'sessions, inputs and answers unchanged');
  for (const s of (await t.ctx.db.selectFrom('listening_series').select('id').execute()).map((r) => r.id)) {
    assert.deepEqual((await getSeries(t.ctx.db, s))!.questions, templateQuestions('housing'), 'every series on the housing set');
  }
  assert.deepEqual((await getSession(t.ctx.db, session.id))!.questions, legacy, 'the session asks what it asked');
  const answers = (await listInputs(t.ctx.db, { seriesId: series.id })).items[0].answers.map((a) => a.question_key);
  assert.deepEqual(answers, ['challenges', 'outreach']);
  // The Spanish form still reads in Spanish (the housing set's Spanish for questions stored in English).
  const html = await page(t.client(), `/listening/sessions/${session.id}/input`, 'es');
  assert.match(html, /¿Qué desafíos enfrenta para atender las necesidades de vivienda/);
});

test('the published report shows the recommendations as they stand now, one added after publishing included, with the work plan action and its status', async () => {
  const goal = await createItem(t.ctx, { number: '7', title: 'Stable housing' });
  await createItem(t.ctx, { number: '7.1', title: 'More beds' });
  const agency = (await allAgencies(t.ctx.db))[0];
  const action = await createItem(t.ctx, { number: '7.1.1', title: 'Fund deposits in ten states', status: 'at_risk', lead_agency_id: agency.id });
  assert.ok(goal.id && action.id);
  const series = await createSeries(t.ctx, { title: 'Report live', owner_type: 'partnership', owner_id: owner });
  await createRecommendation(t.ctx, series.id, { title: 'Before publishing', type: 'policy' });
  await publishFindings(t.ctx, series.id);

  // Added after publishing through the page, with the action chosen in the picker (grouped under its goal).
  let html = await page(lead, `/listening/series/${series.id}/recommendations`);
  const picker = /<select[^>]*name="workplan_action_id"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
  assert.match(picker, /<optgroup label="7 Stable housing">[\s\S]*?<option value="[^"]+">7\.1\.1 Fund deposits in ten states<\/option>/);
  assert.doesNotMatch(html, /name="workplan_action_id"[^>]*type="text"|<input[^>]*name="workplan_action_id"/, 'no id typed by hand');
  const res = await post(lead, `/listening/series/${series.id}/recommendations`, { ...formFields(html, `/listening/series/${series.id}/recommendations`), title: 'After publishing', type: 'outreach', workplan_action_id: action.id });
  assert.equal(res.statusCode, 302, res.body.slice(0, 300));
  const recUrl = String(res.headers.location);

  for (const lang of [undefined, 'es'] as const) {
    html = visible(await page(t.client(), `/listening/series/${series.id}/report`, lang));
    assert.match(html, /Before publishing/);
    assert.match(html, lang ? /After publishing [\s\S]*?Difusión [\s\S]*?Propuesta [\s\S]*?7\.1\.1 Fund deposits in ten states [\s\S]*?En riesgo/ : /After publishing [\s\S]*?Outreach [\s\S]*?Proposed [\s\S]*?7\.1\.1 Fund deposits in ten states [\s\S]*?At risk/);
    assert.doesNotMatch(html, UUID, 'no internal id on the report');
  }
  const api = await json<{ recommendations: { title: string; status: string; workplan_action: { number: string; status: string } | null }[] }>(t.client(), 'GET', `/api/listening/series/${series.id}/report`);
  assert.deepEqual(
    api.recommendations.map((r) => [r.title, r.status, r.workplan_action?.number ?? null, r.workplan_action?.status ?? null]),
    [
      ['Before publishing', 'proposed', null, null],
      ['After publishing', 'proposed', '7.1.1', 'at_risk'],
    ],
  );
  // The recommendation's page names the action, never its id.
  html = visible(await page(t.client(), recUrl));
  assert.match(html, /7\.1\.1 Fund deposits in ten states \(At risk\)/);
  assert.doesNotMatch(html, UUID);
});

test('pickers refuse what is not on their list with a field error naming the label, in English and Spanish, and change nothing', async () => {
  const series = await createSeries(t.ctx, { title: 'Pickers', owner_type: 'partnership', owner_id: owner });
  const rec = await createRecommendation(t.ctx, series.id, { title: 'Linked later', type: 'policy' });
  const before = await snapshotTables(t.ctx, TABLES);

  // Work plan action: an id that is not an action (here the series' own id).
  let html = await page(lead, `/listening/recommendations/${rec.id}`);
  const recForm = formFields(html, `/listening/recommendations/${rec.id}`);
  for (const [lang, text] of [
    [undefined, /Work plan action: is not a work plan action/],
    ['es', /Acción del plan de trabajo: no es una acción del plan de trabajo/],
  ] as const) {
    const res = await post(lead, `/listening/recommendations/${rec.id}`, { ...recForm, workplan_action_id: series.id }, lang);
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(visible(res.body), text);
    assert.doesNotMatch(visible(res.body), UUID, 'the refused id is not shown');
  }
  const again = await post(lead, `/listening/recommendations/${rec.id}`, { ...recForm, workplan_action_id: series.id });
  assert.doesNotMatch(/<select[^>]*name="workplan_action_id"[\s\S]*?<\/select>/.exec(again.body)![0], /selected/, 'the refused value is not offered again');
  const api = await lead.request('POST', `/api/listening/series/${series.id}/recommendations`, { json: { title: 'Typed id', type: 'policy', workplan_action_id: 'WP-1.2.3' } });
  assert.equal(api.statusCode, 400);
  assert.match(api.body, /workplan_action_id/);

  // Time zone: a select of IANA zones, the United States' first with readable names; an unknown zone is refused.
  html = await page(lead, `/listening/series/${series.id}`);
  const zones = /<select[^>]*name="time_zone"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
  assert.match(zones, /^<select[^>]*>\s*<optgroup label="United States and territories"><option value="America\/New_York" selected(?:="")?>Eastern Time — New York<\/option><option value="America\/Chicago">Central Time — Chicago<\/option>/);
  assert.match(zones, /<optgroup label="Europe">[\s\S]*<option value="Europe\/Madrid">/);
  assert.ok((zones.match(/<option /g) ?? []).length >= Intl.supportedValuesOf('timeZone').length, 'every zone Intl knows');
  const session = { ...formFields(html, `/listening/series/${series.id}/sessions`), title: 'Zones', date: '2030-05-01', start_time: '10:00', end_time: '11:00', format: 'virtual', capacity: '10', time_zone: 'Nowhere/Land' };
  for (const [lang, text] of [
    [undefined, /Time zone: must be an IANA time zone name/],
    ['es', /Zona horaria: debe ser una de las zonas horarias de la lista/],
  ] as const) {
    const res = await post(lead, `/listening/series/${series.id}/sessions`, session, lang);
    assert.equal(res.statusCode, 400);
    assert.match(visible(res.body), text);
  }
  const es = await page(lead, `/listening/series/${series.id}`, 'es');
  assert.match(es, /<optgroup label="Estados Unidos y territorios"><option value="America\/New_York" selected(?:="")?>Hora oriental — Nueva York<\/option>/);
  assert.equal(await snapshotTables(t.ctx, TABLES), before, 'refusals change nothing');

  // Owners are chosen from groups by kind.
  html = await page(lead, `/listening/series/${series.id}/recommendations`);
  assert.match(/<select[^>]*name="owner_id"[\s\S]*?<\/select>/.exec(html)![0], /<optgroup label="Agencies">[\s\S]*<optgroup label="Committees">[\s\S]*<optgroup label="Partnerships">[\s\S]*>Housing and Social Services for Survivors of Trafficking<\/option>/);

  // A link stored to an action that has left the plan is kept when the rest of the recommendation changes.
  await t.ctx.db.updateTable('listening_recommendations').set({ workplan_action_id: '00000000-0000-4000-8000-000000000000' }).where('id', '=', rec.id).execute();
  html = await page(lead, `/listening/recommendations/${rec.id}`);
  assert.match(visible(html), /Work plan action An action no longer in the work plan/);
  const kept = await post(lead, `/listening/recommendations/${rec.id}`, { ...formFields(html, `/listening/recommendations/${rec.id}`), status: 'accepted' });
  assert.equal(kept.statusCode, 302, kept.body.slice(0, 300));

  // A coder's refused excerpt names the quote field by its label, not by the answer's id.
  const s = await createSession(t.ctx, series.id, sessionBody());
  await submitInput(t.ctx, s.id, { organization_type: 'shelter', region: 'west', answers: { challenges: 'Deposits are hard to find.' } });
  await json(lead, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Money' }, 201);
  const coder = await t.signedIn('analyst');
  html = await page(coder, `/listening/series/${series.id}/coding`);
  const answerId = /name="answer_id" value="([^"]+)"/.exec(html)![1];
  const res = await post(coder, `/listening/series/${series.id}/excerpts?page=1`, { ...formFields(html, `/listening/series/${series.id}/excerpts?page=1`), [`quote.${answerId}`]: 'not in the text' }, 'es');
  assert.equal(res.statusCode, 400);
  assert.match(visible(res.body), /Pasaje que se etiqueta: no aparece en la respuesta/);
  assert.doesNotMatch(visible(res.body), UUID);
});
