/**
 * A form that creates something, sent twice, creates it once (issue 15, note): the new-referral form submitted twice
 * (a double click, a resend after a slow answer) made two referrals. The form carries an idempotency key; API
 * clients send the `Idempotency-Key` header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { csrfFrom } from '../../platform/testing.ts';
import { CLIENT, SERVICE, referralBody, referralTest } from './testkit.ts';
import { CONSENT_FORM } from './schema.ts';

async function referralCount(rt: Awaited<ReturnType<typeof referralTest>>): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from referrals`.execute(rt.t.ctx.db);
  return Number(r.rows[0].n);
}

test('the new-referral form sent twice, one after the other and at once, makes one referral each time', async () => {
  const rt = await referralTest();
  try {
    const c = await rt.sign(rt.users.sender);
    for (const parallel of [false, true]) {
      const page = await c.get(`/referrals/new?service_id=${SERVICE.jobs}`);
      assert.equal(page.statusCode, 200);
      const key = /name="_idem" value="([^"]+)"/.exec(page.body)?.[1];
      assert.ok(key, 'the form carries an idempotency key');
      c.csrf = csrfFrom(page.body);
      const form = {
        _idem: key,
        service_id: SERVICE.jobs,
        needs: 'job-training',
        urgency: 'soon',
        note: 'Prefers evening classes.',
        'consent.fields': 'name',
        'consent.attested': 'true',
        'consent.form_version': CONSENT_FORM.version,
        'consent.expires_on': new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        'client.name': CLIENT.name,
      };
      const before = await referralCount(rt);
      const send = () => c.request('POST', '/referrals', { form: form as Record<string, string> });
      const [a, b] = parallel ? await Promise.all([send(), send()]) : [await send(), await send()];
      assert.ok(a.statusCode === 302 || a.statusCode === 303, `${a.statusCode} ${a.body.slice(0, 300)}`);
      assert.ok(b.statusCode === 302 || b.statusCode === 303, `${b.statusCode} ${b.body.slice(0, 300)}`);
      assert.match(String(a.headers.location), /^\/referrals\/[0-9a-f-]{36}$/);
      assert.equal(b.headers.location, a.headers.location, 'both lead to the one referral');
      assert.equal(await referralCount(rt), before + 1, parallel ? 'sent at once' : 'sent one after the other');
    }
  } finally {
    await rt.close();
  }
});

test('a refused form releases its key: corrected and sent again with it, the referral is made once', async () => {
  const rt = await referralTest();
  try {
    const c = await rt.sign(rt.users.sender);
    const page = await c.get(`/referrals/new?service_id=${SERVICE.jobs}`);
    const key = /name="_idem" value="([^"]+)"/.exec(page.body)![1];
    c.csrf = csrfFrom(page.body);
    const bad = await c.request('POST', '/referrals', { form: { _idem: key, service_id: SERVICE.jobs, urgency: 'whenever' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(await referralCount(rt), 0);
    const good = await c.request('POST', '/referrals', { form: { _idem: key, service_id: SERVICE.jobs, needs: 'employment', urgency: 'soon' } });
    assert.ok(good.statusCode === 302 || good.statusCode === 303, `${good.statusCode} ${good.body.slice(0, 300)}`);
    assert.equal(await referralCount(rt), 1);
    const malformed = await c.request('POST', '/referrals', { form: { _idem: 'short', service_id: SERVICE.jobs, needs: 'employment', urgency: 'soon' } });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /_idem/);
    assert.equal(await referralCount(rt), 1);
  } finally {
    await rt.close();
  }
});

test('the API takes an Idempotency-Key: the same request again answers the first referral, 200, and makes none', async () => {
  const rt = await referralTest();
  try {
    const c = await rt.sign(rt.users.sender);
    const headers = { 'idempotency-key': 'k-0123456789abcdef-api' };
    const first = await c.request('POST', '/api/referrals', { json: referralBody(), headers });
    assert.equal(first.statusCode, 201, first.body);
    const [again, alsoAgain] = await Promise.all([c.request('POST', '/api/referrals', { json: referralBody(), headers }), c.request('POST', '/api/referrals', { json: referralBody(), headers })]);
    for (const r of [again, alsoAgain]) {
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['idempotent-replayed'], 'true');
      assert.equal(r.json().id, first.json().id);
    }
    assert.equal(await referralCount(rt), 1);
    // Without a key, two posts make two: the key is the client's choice.
    await c.request('POST', '/api/referrals', { json: referralBody() });
    assert.equal(await referralCount(rt), 2);
    const bad = await c.request('POST', '/api/referrals', { json: referralBody(), headers: { 'idempotency-key': 'no spaces allowed here' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /idempotency-key/i);
    assert.equal(await referralCount(rt), 2);
    // The key is the person's own: another case worker's same key is a new request.
    const other = await rt.sign(rt.users.third);
    const theirs = await other.request('POST', '/api/referrals', { json: referralBody(), headers });
    assert.notEqual(theirs.statusCode, 200, 'not a replay of someone else\'s referral');
  } finally {
    await rt.close();
  }
});
