/**
 * The "Done when", through the HTML forms: nominate, accept (the nominator is told by e-mail), add two
 * studies from an RIS file, two reviewers rate, the lead reconciles, the ratings appear per outcome with their rule,
 * a directory service shows the practice, and the Atom feed and the digest (double opt-in, one-click unsubscribe,
 * a real SMTP server) carry it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { closeMail } from '../../platform/mail/index.ts';
import { TestClient, csrfFrom, makeUser, readMail, testApp, testMailServer, type TestApp } from '../../platform/testing.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { importPath } from '../directory/index.ts';
import { practicesLinkedTo } from './index.ts';
import { sendDigests } from './commands.ts';
import { TWO_STUDIES_RIS, TWO_STUDIES_RIS_FILE } from './testkit.ts';

async function person(t: TestApp, role: Role, name: string): Promise<TestClient> {
  const u = await makeUser(t.ctx, role, `${name}-${randomUUID()}@test.example`, `${name} organisation`);
  const c = new TestClient(t.app, t.ctx);
  await c.startSession(u);
  return c;
}

/** Posts a form the way a browser does: the page's CSRF and idempotency tokens, the fields given. */
async function submit(c: TestClient, pageUrl: string, action: string, fields: Record<string, string | string[]>) {
  const page = await c.get(pageUrl);
  assert.equal(page.statusCode, 200, `${pageUrl}: ${page.body.slice(0, 300)}`);
  const form = new RegExp(`<form[^>]*action="${action.replace(/[.?*+()[\]]/g, '\\$&')}"[\\s\\S]*?</form>`).exec(page.body);
  assert.ok(form, `${pageUrl} has a form posting to ${action}`);
  const idem = /name="_idem" value="([^"]+)"/.exec(form[0]);
  return c.request('POST', action, { form: { _csrf: csrfFrom(form[0]), ...(idem ? { _idem: idem[1] } : {}), ...fields } });
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

async function oneService(t: TestApp): Promise<string> {
  const service = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'tfh-practices-'));
  try {
    const org = randomUUID();
    // One location in Washington, DC (ZIP 20001 is about a mile away; 10001, New York, some 200 miles).
    const location = { id: randomUUID(), location_type: 'physical', organization_id: org, name: 'Main office', latitude: 38.9, longitude: -77.02, addresses: [{ id: randomUUID(), address_1: '1 Main St', city: 'Washington', state_province: 'DC', postal_code: '20001', country: 'US', address_type: 'physical' }] };
    writeFileSync(join(dir, 'organizations.json'), JSON.stringify([{ id: org, name: 'Test Career Center', description: 'Jobs', services: [{ id: service, name: 'Job coaching', status: 'active', service_at_locations: [{ id: randomUUID(), location }] }] }]));
    await importPath(t.ctx, join(dir, 'organizations.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return service;
}

test('walkthrough: nomination to rated practice, listed with a service, in the feed and the digest', async () => {
  const mail = await testMailServer();
  const t = await testApp({ env: { SMTP_URL: mail.url, PUBLIC_URL: 'http://hub.test.example' } });
  try {
    const provider = await person(t, 'member', 'provider');
    const committee = await person(t, 'analyst', 'committee');
    const reviewerOne = await person(t, 'analyst', 'reviewer-one');
    const reviewerTwo = await person(t, 'analyst', 'reviewer-two');
    const lead = await person(t, 'chair', 'lead');

    // 1. A provider nominates a practice.
    let res = await submit(provider, '/practices/nominate', '/practices/nominate', {
      name: 'Survivor-centred sector training',
      summary: 'Sector job training with a trauma-informed coach for each trainee.',
      materials: 'Curriculum: https://example.org/curriculum',
      outcome_domains: ['employment', 'earnings'],
      populations: ['population.adults'],
      organization_name: 'Example Career Services',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.match(text((await provider.get(String(res.headers.location))).body), /Survivor-centred sector training.*Waiting for moderation/);

    // 2. The committee accepts it from the moderation queue; the nominator is told by e-mail, in the language they
    // last used the workspace in (Spanish here).
    await t.db.handle.db.updateTable('users').set({ lang: 'es' }).where('email', 'like', 'provider-%').execute();
    const queue = await committee.get('/practices/nominations');
    const nominationId = /\/practices\/nominations\/([0-9a-f-]{36})\/decision/.exec(queue.body)![1];
    res = await submit(committee, '/practices/nominations', `/practices/nominations/${nominationId}/decision`, { decision: 'accept', setting: 'workplace' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const told = mail.received.find((m) => readMail(m).subject === 'Su nominación de práctica: aceptada');
    assert.ok(told, 'the nominator is told');
    assert.match(readMail(told).body, /^Hola:\n\nGracias por nominar «Survivor-centred sector training»\. Se aceptó/);
    const practiceId = /hub\.test\.example\/practices\/([0-9a-f-]{36})/.exec(told.data)![1];
    assert.match(told.to[0], /^provider-/);

    // 3. Two studies from an RIS file, chosen in the form's file input (multipart, as a browser sends it).
    const importUrl = `/practices/${practiceId}/studies/import`;
    const importForm = /<form[^>]*enctype="multipart\/form-data"[\s\S]*?<\/form>/.exec((await committee.get(importUrl)).body);
    assert.ok(importForm && importForm[0].includes('type="file"'), 'the import page has a file input in a multipart form');
    const idem = /name="_idem" value="([^"]+)"/.exec(importForm[0]);
    const ris = { field: 'file', name: basename(TWO_STUDIES_RIS_FILE), type: 'application/x-research-info-systems', data: readFileSync(TWO_STUDIES_RIS_FILE) };
    const fields = { _csrf: csrfFrom(importForm[0]), ...(idem ? { _idem: idem[1] } : {}), design: 'randomised' };
    // A broken record is refused at the file input, naming the record and the field, in Spanish for a Spanish reader.
    res = await committee.postFile(importUrl, fields, { ...ris, data: TWO_STUDIES_RIS.replace('PY  - 2020', 'PY  - circa 2020') }, { headers: { 'accept-language': 'es' } });
    assert.equal(res.statusCode, 400);
    assert.match(text(res.body), /line \d+: PY: "circa 2020" no empieza con un año de cuatro cifras/);
    res = await committee.postFile(importUrl, fields, ris);
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    const page = (await committee.get(`/practices/${practiceId}`)).body;
    const studyIds = [...page.matchAll(/href="\/practices\/studies\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(new Set(studyIds).size, 2);
    for (const [i, id] of [...new Set(studyIds)].entries()) {
      res = await submit(committee, `/practices/studies/${id}/edit`, `/practices/studies/${id}/edit`, {
        version: '1',
        title: i === 0 ? 'Sector training for survivors of trafficking: a randomised trial' : 'Coaching and job retention: a comparison-group study',
        authors: i === 0 ? 'Rivera, Ana; Chen, Li' : 'Okafor, Ngozi',
        design: i === 0 ? 'randomised' : 'quasi_experimental',
        sample_size: '420',
        'outcomes.0.domain': 'employment',
        'outcomes.0.measure': 'Employed 12 months after enrolment',
        'outcomes.0.direction': 'favourable',
        'outcomes.0.effect_size': '0.18',
        'outcomes.0.significant': 'yes',
        'outcomes.0.follow_up_months': '12',
        'outcomes.1.domain': 'earnings',
        'outcomes.1.measure': 'Quarterly earnings',
        'outcomes.1.direction': 'none',
        'outcomes.1.significant': 'no',
      });
      assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    }
    const [rct, qed] = [...new Set(studyIds)];

    // 4. Two reviewers rate each study independently; they agree on the trial and disagree on the other.
    for (const [c, id, rating] of [[reviewerOne, rct, 'high'], [reviewerTwo, rct, 'high'], [reviewerOne, qed, 'moderate'], [reviewerTwo, qed, 'low']] as const) {
      res = await submit(c, `/practices/studies/${id}`, `/practices/studies/${id}/reviews`, { rating, notes: 'Against the rubric.' });
      assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    }
    // 5. The lead reconciles with a reason.
    res = await submit(lead, `/practices/studies/${qed}`, `/practices/studies/${qed}/reconciliation`, { rating: 'moderate', reason: 'Baseline equivalence was shown on earnings and employment.' });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));

    // 6. The ratings appear per outcome with the rule that produced them.
    const shown = text((await t.client().get(`/practices/${practiceId}`)).body);
    assert.match(shown, /Employment Effective Multiple studies \(2\) Two or more high- or moderate-rated studies found a significant favourable effect/);
    assert.match(shown, /Earnings No effects Multiple studies \(2\) High- or moderate-rated studies found no significant effect/);
    const es = text((await t.client().get(`/practices/${practiceId}`, { 'accept-language': 'es' })).body);
    void es;

    // 7. A directory service that uses it: linked, shown on the practice, and known to the directory's side.
    const service = await oneService(t);
    res = await submit(committee, `/practices/${practiceId}`, `/practices/${practiceId}/links`, { kind: 'service', target_id: service });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    assert.match(text((await t.client().get(`/practices/${practiceId}`)).body), /Directory services that use it Job coaching — Test Career Center/);
    const linked = await practicesLinkedTo(t.ctx.db, 'service', [service]);
    assert.equal(linked.get(service)?.[0].id, practiceId);
    // The directory's own listing shows it, linked to the practice, in both languages.
    const listing = await t.client().get(`/directory/services/${service}`);
    assert.equal(listing.statusCode, 200);
    assert.match(listing.body, new RegExp(`<a href="/practices/${practiceId}">Uses a practice rated effective: Survivor-centred sector training</a>`));
    const listingEs = await t.client().get(`/directory/services/${service}`, { 'accept-language': 'es' });
    assert.match(text(listingEs.body), /Usa una práctica calificada como eficaz: Survivor-centred sector training/);

    // A case manager finds it by place: the services using it near a ZIP code, in both languages; bad input is
    // refused naming the field, in the reader's language.
    const near = text((await t.client().get(`/practices/${practiceId}?zip=20001&radius=10`)).body);
    assert.match(near, /1 service within 10 miles of 20001 \(Washington, DC\): Job coaching — Test Career Center · \d\.\d miles away \(Washington, DC\)/);
    assert.match(text((await t.client().get(`/practices/${practiceId}?zip=10001&radius=25`)).body), /No service linked to this practice has a location within 25 miles of 10001 \(New York, NY\)/);
    assert.match(text((await t.client().get(`/practices/${practiceId}?zip=20001&radius=10`, { 'accept-language': 'es' })).body), /1 servicio a menos de 10 millas de 20001 .*Job coaching — Test Career Center · a \d\.\d millas/);
    const badZip = await t.client().get(`/practices/${practiceId}?zip=2000x`, { 'accept-language': 'es' });
    assert.equal(badZip.statusCode, 400);
    assert.match(text(badZip.body), /Código postal \(ZIP\).*debe ser un código postal \(ZIP\) de 5 dígitos/);
    const badRadius = await t.client().get(`/practices/${practiceId}?zip=20001&radius=7`);
    assert.equal(badRadius.statusCode, 400);
    assert.match(text(badRadius.body), /must be one of: 10, 25, 50, 100/);

    // 8. The Atom feed carries it, new and re-rated.
    const feed = (await t.client().get('/api/practices/feed.atom')).body;
    assert.match(feed, /<title>New practice: Survivor-centred sector training<\/title>/);
    assert.match(feed, /<title>Re-rated: Survivor-centred sector training<\/title>[\s\S]*employment: (\w+ to )?effective/);

    // 9. The digest: double opt-in, then the digest carries it, then one-click unsubscribe.
    const reader = t.client();
    res = await submit(reader, '/practices/digest', '/practices/digest', { email: 'reader@test.example', lang: 'en' });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 500));
    assert.equal(await sendDigests(t.ctx, new Date()).then((r) => r.sent), 0, 'nothing before the address is confirmed');
    const qp = (s: string) => s.replace(/=3D/g, '=');
    const confirmMail = mail.received.find((m) => m.to.includes('reader@test.example') && qp(m.data).includes('/practices/digest/confirm?token='))!;
    const confirmUrl = /http:\/\/hub\.test\.example(\/practices\/digest\/confirm\?token=[A-Za-z0-9_-]+)/.exec(qp(confirmMail.data))![1];
    res = await submit(reader, confirmUrl, '/practices/digest/confirm', { token: new URL(confirmUrl, 'http://x').searchParams.get('token')! });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    assert.match(text((await reader.get(String(res.headers.location))).body), /You are subscribed/);
    // Events up to the confirmation are not news to the subscriber; a later re-rating is.
    await new Promise((r) => setTimeout(r, 5));
    res = await submit(committee, '/practices/rules', '/practices/rules', { rules: JSON.stringify({ qualifying: ['high'], rules: [{ rating: 'promising', label: 'One high-rated study with a favourable effect.', favourable: { min: 1 } }] }), note: 'High-rated studies only, for the walkthrough.' });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    const digest = await sendDigests(t.ctx, new Date());
    assert.equal(digest.sent, 1);
    const digestMail = mail.received.filter((m) => m.to.includes('reader@test.example')).at(-1)!;
    assert.match(qp(digestMail.data), /Re-rated: Survivor-centred sector training \(employment: promising/);
    const unsubUrl = /http:\/\/hub\.test\.example(\/practices\/digest\/unsubscribe\?token=[A-Za-z0-9_-]+)/.exec(qp(digestMail.data))![1];
    // One-click unsubscribe (RFC 8058): the headers as the SMTP server received them carry the body's link.
    const head = digestMail.data.slice(0, digestMail.data.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
    assert.equal(/^List-Unsubscribe: (.*)$/im.exec(head)?.[1].trim(), `<http://hub.test.example${unsubUrl}>`);
    assert.equal(/^List-Unsubscribe-Post: (.*)$/im.exec(head)?.[1].trim(), 'List-Unsubscribe=One-Click');
    const subscribed = async () => (await t.ctx.db.selectFrom('practices_subscriber').select('unsubscribed_at').where('email', '=', 'reader@test.example').executeTakeFirstOrThrow()).unsubscribed_at === null;
    // Opened in a browser, the link asks to confirm and changes nothing.
    const ask = await t.client().get(unsubUrl);
    assert.equal(ask.statusCode, 200);
    assert.match(ask.body, /<form[^>]*action="\/practices\/digest\/unsubscribe"/);
    assert.ok(await subscribed(), 'opening the link does not unsubscribe');
    // A mail client's POST: no cookie, no CSRF token, the one-click body. Answered the same when repeated, naming nobody.
    const oneClick = (url: string) => t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const forged = await oneClick(unsubUrl.replace(/token=[^&]+/, `token=${'x'.repeat(43)}`));
    assert.equal(forged.statusCode, 400);
    assert.ok(await subscribed(), 'a token this site did not send unsubscribes nobody');
    const first = await oneClick(unsubUrl);
    assert.equal(first.statusCode, 200, first.body.slice(0, 300));
    assert.ok(!(await subscribed()), 'one click unsubscribes');
    const again = await oneClick(unsubUrl);
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body);
    assert.doesNotMatch(first.body, /reader@/);
    // Without the one-click body a POST is the page's form, whose token field is required; the form works and agrees.
    const noToken = await t.app.inject({ method: 'POST', url: unsubUrl, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x=1' });
    assert.equal(noToken.statusCode, 400);
    assert.match(text(noToken.body), /token/);
    res = await submit(t.client(), unsubUrl, '/practices/digest/unsubscribe', { token: new URL(unsubUrl, 'http://x').searchParams.get('token')! });
    assert.equal(res.statusCode, 303, text(res.body).slice(0, 800));
    await submit(committee, '/practices/rules', '/practices/rules', { rules: JSON.stringify({ qualifying: ['high', 'moderate'], rules: [{ rating: 'effective', label: 'Back to many.', favourable: { min: 2 } }] }), note: 'Again.' });
    assert.equal((await sendDigests(t.ctx, new Date())).sent, 0, 'no digest after unsubscribing');
  } finally {
    closeMail();
    await t.close();
    await mail.close();
  }
});
