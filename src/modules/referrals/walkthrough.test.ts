import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom, testMailServer, type TestClient } from '../../platform/testing.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { missingTranslations } from '../../platform/web/i18n.ts';
import { CLIENT, SERVICE, inDays, referralTest } from './testkit.ts';
import { CONSENT_FORM } from './schema.ts';
import { buildStats } from './stats.ts';
import { purgeClosed } from './commands.ts';

/** The checks axe makes that a string can show: one h1, labelled fields, unique ids, captions, no empty links. */
function page(html: string) {
  assert.equal(html.match(/<h1[\s>]/g)?.length, 1, 'one h1');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `unique ids: ${ids.filter((x, i) => ids.indexOf(x) !== i).join(', ')}`);
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g)) {
    if (/type="hidden"/.test(m[0])) continue;
    assert.ok(html.includes(`for="${m[2]}"`), `field ${m[2]} has a label`);
  }
  assert.ok(!/<a\b[^>]*>\s*<\/a>/.test(html), 'no empty links');
  assert.ok(!/\brf\.[a-z_]+\.?[a-z_-]*/.test(html.replace(/<[^>]+>/g, ' ')), `an untranslated message key: ${/\brf\.[\w.-]+/.exec(html.replace(/<[^>]+>/g, ' '))?.[0]}`);
  assert.equal(html.match(/<caption>/g)?.length ?? 0, html.match(/<table/g)?.length ?? 0, 'every table has a caption');
  return html;
}

async function getPage(c: TestClient, url: string, status = 200) {
  const res = await c.get(url);
  assert.equal(res.statusCode, status, `${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (res.body.includes('name="_csrf"')) c.csrf = csrfFrom(res.body);
  return page(res.body);
}

async function form(c: TestClient, url: string, fields: Record<string, string | string[]>, status = 302) {
  const res = await c.request('POST', url, { form: fields });
  assert.equal(res.statusCode, status, `${url} -> ${res.statusCode} ${res.body.slice(0, 800)}`);
  return res;
}

test('done when: a case manager finds a job-training program, refers with consent, the job centre accepts and completes, the outcome and statistics show, no survivor detail leaks', async () => {
  const mail = await testMailServer();
  const rt = await referralTest({ SMTP_URL: mail.url });
  try {
    assert.deepEqual(missingTranslations().filter((m) => m.key.startsWith('rf.')), []);
    const manager = await rt.sign(rt.users.sender);
    const jobCentre = await rt.sign(rt.users.receiver);

    // The directory has the program, and the referral form searches it.
    assert.match(await getPage(manager, '/directory?q=job+training'), /Apprenticeship readiness training/);
    let html = await getPage(manager, '/referrals');
    assert.match(html, /Harbor Light Survivor Services/);
    html = await getPage(manager, '/referrals/new?q=job+training');
    assert.ok(html.includes(`href="/referrals/new?service_id=${SERVICE.jobs}"`), 'a Refer link for the program');
    const servicePage = await getPage(manager, `/directory/services/${SERVICE.jobs}`);
    assert.ok(servicePage.includes(`href="/referrals/new?service_id=${SERVICE.jobs}"`), "the directory's service page links to the referral form");
    const publicServicePage = (await rt.t.client().get(`/directory/services/${SERVICE.jobs}`)).body;
    assert.ok(!publicServicePage.includes('/referrals/new'), 'the public sees no referral link');
    html = await getPage(manager, `/referrals/new?service_id=${SERVICE.jobs}`);
    assert.ok(html.includes(CONSENT_FORM.text.slice(0, 60)), 'the consent form text is shown');
    assert.ok(html.includes(`value="${CONSENT_FORM.version}"`));

    const fields = {
      service_id: SERVICE.jobs,
      needs: ['job-training', 'employment'],
      urgency: 'soon',
      note: 'Evening classes work best.',
      'consent.form_version': CONSENT_FORM.version,
      'consent.fields': ['name', 'phone', 'email'],
      'consent.expires_on': inDays(60),
      'client.name': CLIENT.name,
      'client.phone': CLIENT.phone,
      'client.email': CLIENT.email,
      send: 'true',
    };
    // Without the attestation: refused, the input kept, the field named.
    let res = await form(manager, '/referrals', fields, 400);
    page(res.body);
    assert.ok(res.body.includes('href="#field-consent-attested"'), res.body.slice(0, 2000));
    assert.ok(res.body.includes(`value="${CLIENT.name}"`), 'the input is kept');
    // A detail the consent does not cover: refused.
    res = await form(manager, '/referrals', { ...fields, 'consent.attested': 'true', 'client.preferred_language': 'Portuguese' }, 400);
    assert.ok(res.body.includes('href="#field-client-preferred_language"'));
    res = await form(manager, '/referrals', { ...fields, 'consent.attested': 'true' });
    const url = String(res.headers.location);
    const id = url.split('/').pop()!;
    html = await getPage(manager, url);
    assert.match(html, /Apprenticeship readiness training/);
    assert.match(html, /Sent/);
    assert.ok(!html.includes(CLIENT.name), 'the referral page shows no client detail by itself');

    // The job centre is told (in the app and by e-mail with a link only), opens it, reads the details, accepts.
    html = await getPage(jobCentre, '/referrals');
    assert.match(html, /Unread notifications: 1/);
    assert.match(html, /New referral received/);
    html = await getPage(jobCentre, url);
    assert.match(html, /Accept/);
    assert.match(await getPage(jobCentre, `${url}/client`), new RegExp(CLIENT.name));
    // Reading is not marking read: that takes the explicit action on the referral page.
    assert.match(await getPage(jobCentre, '/referrals'), /Unread notifications: 1/);
    assert.match(await getPage(jobCentre, url), /Mark as read/);
    await form(jobCentre, `${url}/notifications/read`, {}, 303);
    assert.match(await getPage(jobCentre, '/referrals'), /Unread notifications: 0/);
    await getPage(jobCentre, url);
    await form(jobCentre, `/referrals/${id}/transition`, { action: 'accept', version: '1', note: 'We will call this week.' });
    // The same form sent again (a second tab, a double click) is stale: 409, nothing overwritten.
    res = await form(jobCentre, `/referrals/${id}/transition`, { action: 'decline', version: '1', reason: 'no_capacity' }, 409);
    page(res.body);
    assert.match(res.body, /changed since you loaded it/);
    // Completing without an outcome is a form error on that form.
    await getPage(jobCentre, url);
    res = await form(jobCentre, `/referrals/${id}/transition`, { action: 'complete', version: '2' }, 400);
    assert.ok(res.body.includes('href="#field-outcome"'));
    await form(jobCentre, `/referrals/${id}/transition`, { action: 'complete', version: '2', outcome: 'got_help', note: 'Enrolled in the spring cohort.' });

    // The case manager sees the outcome and the timeline.
    html = await getPage(manager, url);
    assert.match(html, /Got help/);
    assert.match(html, /Enrolled in the spring cohort/);
    assert.match(html, /Riverside Job Center/);
    // The timeline's headings name its columns; "(optional)" belongs to the form's field, not to a column.
    const timeline = html.slice(html.indexOf('<caption>Timeline'));
    assert.match(timeline, /<th[^>]*>Note<\/th>/);
    assert.doesNotMatch(timeline, /<th[^>]*>Note \(optional\)<\/th>/);
    await form(manager, `${url}/notifications/read`, {}, 303);
    assert.match(await getPage(manager, '/referrals'), /Unread notifications: 0/);

    // Statistics reflect it: one referral is a small cell on the page, and the record is there de-identified.
    html = await getPage(manager, '/referrals/stats');
    assert.match(html, /Hidden \(small count\)/);
    const api = (await manager.get('/api/referrals/stats')).json();
    assert.equal(api.total.suppressed, true);
    const raw = await buildStats(rt.t.ctx.db, 0);
    assert.equal(raw.by_need.rows.find((r) => r.key === 'job-training')?.cells[raw.by_need.columns.indexOf('got_help')].value, 1);
    assert.equal(raw.by_area.rows[0].label, 'District of Columbia, DC');
    await purgeClosed(rt.t.ctx, new Date(Date.now() + 91 * 86_400_000));
    const kept = (await manager.get(`/api/referrals/${id}`)).json();
    assert.equal(kept.purged, true);
    assert.equal(kept.outcome, 'got_help');
    assert.equal((await manager.get(`/api/referrals/${id}/client`)).statusCode, 403);

    // Every e-mail was a link and nothing more.
    await new Promise((ok) => setTimeout(ok, 200));
    assert.ok(mail.received.length >= 3);
    for (const m of mail.received) {
      for (const s of [CLIENT.name, CLIENT.phone, CLIENT.email, 'Evening classes', 'Enrolled', 'Apprenticeship']) assert.ok(!m.data.includes(s), `an e-mail holds ${s}`);
      assert.match(m.data, new RegExp(`/referrals/${id}`));
    }

    // Spanish pages too.
    const es = await manager.get(`${url}?lang=es`);
    assert.equal(es.statusCode, 200);
  } finally {
    closeMail();
    await mail.close();
    await rt.close();
  }
});
