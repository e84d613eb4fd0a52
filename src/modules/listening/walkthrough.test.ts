import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom, readMail, testMailServer, type TestClient } from '../../platform/testing.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { formatDate, missingTranslations } from '../../platform/web/i18n.ts';
import { timeZoneLabel } from '../../platform/web/pickers.tsx';
import { app, assertUniqueIds, housingPartnershipId, json, quiet, sessionBody } from './testkit.ts';
import { listeningModule } from './index.ts';
import { sendReminders } from './commands.ts';

function page(html: string) {
  assert.equal(html.match(/<h1[\s>]/g)?.length, 1, 'one h1');
  assertUniqueIds(html);
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g)) {
    if (/type="hidden"/.test(m[0])) continue;
    assert.ok(html.includes(`for="${m[2]}"`), `field ${m[2]} has a label`);
  }
  assert.ok(!/<a\b[^>]*>\s*<\/a>/.test(html), 'no empty links');
  const tables = html.match(/<table/g)?.length ?? 0;
  assert.equal(html.match(/<caption>/g)?.length ?? 0, tables, 'every table has a caption');
  // No internal id in what a person reads (markup, scripts and styles left out).
  const text = html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ');
  const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text);
  assert.equal(id, null, `an internal id on the page: …${id ? text.slice(Math.max(0, id.index - 80), id.index + 40) : ''}…`);
  return html;
}

async function form(c: TestClient, url: string, fields: Record<string, string | string[]>, status = 302) {
  const res = await c.request('POST', url, { form: fields });
  assert.equal(res.statusCode, status, `${url} -> ${res.statusCode} ${res.body.slice(0, 600)}`);
  return res;
}

async function getPage(c: TestClient, url: string) {
  const res = await c.get(url);
  assert.equal(res.statusCode, 200, `${url} -> ${res.statusCode}`);
  c.csrf = csrfFrom(res.body);
  return page(res.body);
}

test('walkthrough through HTML forms: session, registration, input, coding, kappa, publication, a recommendation done', async () => {
  const t = await app();
  try {
    const owner = await housingPartnershipId(t);
    const lead = await t.signedIn('chair');
    await getPage(lead, '/listening');
    let res = await form(lead, '/listening/series', { title: 'Housing voices', owner_id: owner, reminder_days: '3' });
    const seriesUrl = String(res.headers.location);
    const seriesId = seriesUrl.split('/').pop()!;
    await getPage(lead, seriesUrl);
    // A form error keeps the input and names the field.
    res = await form(lead, `/listening/series/${seriesId}/sessions`, { title: 'Session one', date: '2030-05-01', start_time: '10:00', end_time: '11:30', time_zone: 'Nowhere/Land', format: 'hybrid', capacity: '20' }, 400);
    assert.match(res.body, /href="#field-time_zone"/);
    assert.match(res.body, /value="Session one"/);
    res = await form(lead, `/listening/series/${seriesId}/sessions`, {
      title: 'Session one',
      date: '2030-05-01',
      start_time: '10:00',
      end_time: '11:30',
      time_zone: 'America/Denver',
      format: 'hybrid',
      capacity: '20',
      reserved_places: '2',
      audience_provider_types: ['shelter', 'housing_provider'],
      agenda: 'Welcome | 10\nWhat gets in the way | 40',
    });
    const sessionUrl = String(res.headers.location);
    const sessionId = sessionUrl.split('/').pop()!;
    const leadView = await getPage(lead, sessionUrl);
    assert.match(leadView, /What gets in the way/);
    assert.match(leadView, /May 1, 2030, 10:00–11:30 \(Mountain Time — Denver\)/, 'the day as people read it and the zone named for a reader, not by its IANA id');

    // Two providers register and write in.
    const providers = [t.client(), t.client()];
    const texts = [
      'Landlords turn survivors away for lack of credit history. Our shelter beds are always full.',
      'Landlords want deposits we cannot pay from our grant. Interpreters are hard to find.',
    ];
    for (const [i, p] of providers.entries()) {
      await getPage(p, sessionUrl);
      res = await form(p, `/listening/sessions/${sessionId}/register`, { name: `Provider ${i}`, email: `provider${i}@example.org`, organization: `Shelter ${i}`, organization_type: 'shelter', region: 'west' }, 201);
      assert.match(res.body, /You are registered/);
      await getPage(p, `/listening/sessions/${sessionId}/input`);
      res = await form(p, `/listening/sessions/${sessionId}/input`, { organization_type: 'shelter', region: 'west', 'answers.challenges': texts[i], consent: 'quotable' }, 201);
      assert.match(res.body, /Thank you/);
    }
    assert.equal((await providers[0].get(`/listening/series/${seriesId}/coding`)).statusCode, 302, 'the public is sent to sign in');
    const withList = await getPage(lead, sessionUrl);
    assert.match(withList, /provider1@example\.org/, 'leads see registrants');
    assert.ok(!(await providers[0].get(sessionUrl)).body.includes('provider1@example.org'), 'the public does not');

    // Two analysts code.
    const analysts = [await t.signedIn('analyst'), await (async () => {
      const { makeUser } = await import('../../platform/testing.ts');
      const u = await makeUser(t.ctx, 'analyst', 'second-analyst@test.example');
      const c = t.client();
      await c.signIn(u);
      return c;
    })()];
    await getPage(analysts[0], `/listening/series/${seriesId}/codebook`);
    await form(analysts[0], `/listening/series/${seriesId}/codes`, { name: 'Landlord engagement' });
    await form(analysts[0], `/listening/series/${seriesId}/codes`, { name: 'Funding rules' });
    const codebook = await getPage(analysts[0], `/listening/series/${seriesId}/codebook`);
    const codeId = (name: string) => new RegExp(`<option value="([^"]+)">${name}</option>`).exec(codebook)![1];
    const coding = await getPage(analysts[0], `/listening/series/${seriesId}/coding`);
    const answers = [...coding.matchAll(/name="answer_id" value="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(answers.length, 2);
    const plan: [number, number, string, string][] = [
      [0, 0, 'Landlords turn survivors away', 'Landlord engagement'],
      [0, 1, 'Landlords want deposits', 'Landlord engagement'],
      [1, 0, 'Landlords turn survivors away', 'Landlord engagement'],
      [1, 1, 'deposits we cannot pay from our grant', 'Funding rules'],
    ];
    for (const [a, answer, quote, code] of plan) {
      await getPage(analysts[a], `/listening/series/${seriesId}/coding`);
      await form(analysts[a], `/listening/series/${seriesId}/excerpts?page=1`, { answer_id: answers[answer], [`quote.${answers[answer]}`]: quote, [`code_ids.${answers[answer]}`]: codeId(code) });
    }
    res = await form(analysts[0], `/listening/series/${seriesId}/excerpts?page=1`, { answer_id: answers[0], [`quote.${answers[0]}`]: 'not in the text', [`code_ids.${answers[0]}`]: codeId('Funding rules') }, 400);
    assert.ok(res.body.includes(`href="#field-quote-${answers[0]}"`), 'the error links to the field');
    assert.match(res.body, /Passage to tag: does not appear in the answer/, 'named by its label, not by the answer’s id');
    page(res.body);
    const agreement = await getPage(analysts[0], `/listening/series/${seriesId}/agreement`);
    // Units: both answers. Landlord: yes/yes, yes/no; Funding: no/no, no/yes. Pooled Po = 0.5, Pe = 0.5: kappa 0.
    assert.match(agreement, /Overall kappa: 0\.00 over 2 answers/);
    assert.equal((await analysts[0].request('POST', `/listening/series/${seriesId}/publish`, { form: {} })).statusCode, 403, 'analysts do not publish');

    // The lead publishes; the report is public.
    await getPage(lead, `/listening/series/${seriesId}/findings`);
    res = await form(lead, `/listening/series/${seriesId}/publish`, {});
    assert.equal(res.headers.location, `/listening/series/${seriesId}/report`);
    const report = await t.client().get(`/listening/series/${seriesId}/report`);
    assert.equal(report.statusCode, 200);
    page(report.body);
    assert.match(report.body, /Landlord engagement/);

    // A recommendation traced to its excerpts, moved to done.
    await getPage(lead, `/listening/series/${seriesId}/recommendations`);
    res = await form(lead, `/listening/series/${seriesId}/recommendations`, { title: 'Landlord risk-mitigation fund guidance', type: 'technical_assistance', finding_code_id: codeId('Landlord engagement'), owner_id: owner, weight: '2' });
    const recUrl = String(res.headers.location);
    let rec = await getPage(lead, recUrl);
    const cite = [...rec.matchAll(/name="excerpt_ids" value="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(cite.length, 3, 'the excerpts coded under the finding');
    await form(lead, `${recUrl}/excerpts`, { version: '1', excerpt_ids: cite.slice(0, 2) });
    rec = await getPage(lead, recUrl);
    res = await form(lead, recUrl, { version: '2', status: 'declined' }, 400);
    assert.match(res.body, /decline_reason/);
    await form(lead, recUrl, { version: '2', status: 'in_progress', progress: '50' });
    await getPage(lead, recUrl);
    await form(lead, recUrl, { version: '3', status: 'done', note: 'Guidance published.' });
    await form(lead, `${recUrl}/timeline`, { timeline_note: 'Shared with grantees', timeline_date: '2030-06-01' });
    const done = await t.client().get(recUrl);
    page(done.body);
    assert.match(done.body, /Done/);
    assert.match(done.body, /Status changed from In progress to Done\. Guidance published\./);
    assert.match(done.body, /“Landlords turn survivors away”/);
    const recId = recUrl.split('/').pop()!;
    const api = await json<{ status: string; progress: number; excerpt_ids: string[]; timeline: { status: string | null }[] }>(t.client(), 'GET', `/api/listening/recommendations/${recId}`);
    assert.equal(api.status, 'done');
    assert.equal(api.progress, 100);
    assert.equal(api.excerpt_ids.length, 2);
    assert.deepEqual(api.timeline.filter((x) => x.status).map((x) => x.status), ['proposed', 'in_progress', 'done']);
    const roll = await json<{ progress: number }>(t.client(), 'GET', `/api/listening/series/${seriesId}/rollup`);
    assert.equal(roll.progress, 100);
    const es = await t.client().get(recUrl, { cookie: 'lang=es' });
    assert.match(es.body, /Cumplida/);
    // The status notes the module writes read in the reader's language; the lead's own words stay as written.
    assert.match(es.body, /El estado cambió de En curso a Cumplida\. Guidance published\./);
    assert.match(es.body, /Recomendación propuesta\./);
  } finally {
    await t.close();
  }
});

test('demo data loads, every page renders, strings exist in both languages', async () => {
  const t = await app();
  try {
    await listeningModule.seedDemo!(t.ctx, quiet);
    assert.deepEqual(missingTranslations().filter((m) => m.key.startsWith('ls.')), []);
    const anon = t.client();
    const series = (await json<{ items: { id: string; published_at: string | null }[] }>(anon, 'GET', '/api/listening/series')).items[0];
    assert.ok(series.published_at);
    const sessions = (await json<{ items: { id: string; registration_open: boolean }[] }>(anon, 'GET', `/api/listening/series/${series.id}/sessions`)).items;
    assert.equal(sessions.length, 3);
    assert.deepEqual(sessions.map((s) => s.registration_open), [false, false, true]);
    const recs = (await json<{ items: { id: string; status: string }[] }>(anon, 'GET', `/api/listening/series/${series.id}/recommendations`)).items;
    assert.ok(recs.some((r) => r.status === 'done'));
    const admin = await t.signedIn('admin');
    const coders = await json<{ id: string }[]>(admin, 'GET', `/api/listening/series/${series.id}/coders`);
    assert.equal(coders.length, 2);
    const k = await json<{ overall: { kappa: number }; units: number }>(admin, 'GET', `/api/listening/series/${series.id}/agreement?coder_a=${coders[0].id}&coder_b=${coders[1].id}`);
    assert.ok(k.units > 50 && k.overall.kappa < 1 && k.overall.kappa > 0.6, `some disagreement: ${k.overall.kappa}`);
    const inputs = await json<{ total: number }>(admin, 'GET', `/api/listening/series/${series.id}/inputs?per_page=1`);
    assert.ok(inputs.total >= 55, `about sixty inputs, got ${inputs.total}`);
    for (const url of ['/listening', `/listening/series/${series.id}`, `/listening/sessions/${sessions[2].id}`, `/listening/sessions/${sessions[2].id}/input`, `/listening/series/${series.id}/report`, `/listening/series/${series.id}/recommendations`, `/listening/recommendations/${recs[0].id}`]) {
      for (const lang of ['en', 'es']) {
        const r = await anon.get(url, { cookie: `lang=${lang}` });
        assert.equal(r.statusCode, 200, url);
        page(r.body);
      }
    }
    for (const url of ['/listening', `/listening/series/${series.id}`, `/listening/sessions/${sessions[2].id}`, `/listening/series/${series.id}/coding`, `/listening/series/${series.id}/codebook`, `/listening/series/${series.id}/agreement`, `/listening/series/${series.id}/suggestions`, `/listening/series/${series.id}/findings`, `/listening/recommendations/${recs[0].id}`]) {
      const r = await admin.get(url);
      assert.equal(r.statusCode, 200, url);
      page(r.body);
    }
  } finally {
    await t.close();
  }
});

test('reminders: e-mailed once to confirmed registrants in the window, with a link and nothing about others', async () => {
  const mail = await testMailServer();
  const received = mail.received;
  const t = await app({ SMTP_URL: mail.url });
  try {
    const lead = await t.signedIn('chair');
    const owner = await housingPartnershipId(t);
    const series = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Housing', owner_type: 'partnership', owner_id: owner, reminder_days: 2 }, 201);
    const soon = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
    const s1 = await json<{ id: string }>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ date: soon, start_time: '12:00', end_time: '13:00', time_zone: 'America/New_York', capacity: 2 }), 201);
    const s2 = await json<{ id: string }>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ date: later }), 201);
    const reg = async (sid: string, i: number, lang = 'en') => {
      const res = await lead.request('POST', `/api/listening/sessions/${sid}/registrations`, { json: { name: `Name ${i}`, email: `person${i}@provider.example`, organization: 'Org', organization_type: 'shelter', region: 'west' }, headers: { 'accept-language': lang } });
      assert.equal(res.statusCode, 201, res.body);
    };
    await reg(s1.id, 1);
    await reg(s1.id, 2, 'es'); // registers in Spanish
    await reg(s1.id, 3); // wait-listed: capacity 2
    await reg(s2.id, 4); // too far ahead
    const now = new Date(Date.now() + 12 * 3600_000);
    assert.deepEqual(await sendReminders(t.ctx, now, quiet), { sent: 2, skipped: 0 });
    assert.deepEqual(await sendReminders(t.ctx, now, quiet), { sent: 0, skipped: 0 }, 'once only');
    assert.equal(received.length, 2);
    assert.deepEqual(received.map((m) => m.to[0]).sort(), ['person1@provider.example', 'person2@provider.example']);
    for (const m of received) {
      assert.ok(m.data.includes(`${t.db.config.publicUrl}/listening/sessions/${s1.id}`));
      assert.ok(!m.data.includes('person3') && !m.data.includes('Name 3'), 'nothing about other registrants');
    }
    // Each in the language they registered in, the date and time zone in words.
    const en = readMail(received.find((m) => m.to[0] === 'person1@provider.example')!);
    const es = readMail(received.find((m) => m.to[0] === 'person2@provider.example')!);
    assert.match(en.subject, /^Reminder: /);
    assert.match(en.body, new RegExp(`When: ${formatDate('en', soon)}, 12:00–13:00 \\(${timeZoneLabel('en', 'America/New_York')}\\)`));
    assert.match(es.subject, /^Recordatorio: /);
    assert.match(es.body, new RegExp(`Cuándo: ${formatDate('es', soon)}, 12:00–13:00 \\(${timeZoneLabel('es', 'America/New_York')}\\)`));
    assert.match(es.body, /Le recordamos la sesión de escucha en la que se inscribió/);
    assert.equal((await (await t.signedIn('analyst')).request('POST', '/api/listening/reminders/run', { json: {} })).statusCode, 403);
    assert.deepEqual(await json(lead, 'POST', '/api/listening/reminders/run', { now: now.toISOString() }), { sent: 0, skipped: 0 });
  } finally {
    await t.close();
    closeMail();
    await mail.close();
  }
});
