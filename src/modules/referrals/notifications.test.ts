import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom } from '../../platform/testing.ts';
import { json, referralBody, referralTest } from './testkit.ts';

const notificationRows = (rt: Awaited<ReturnType<typeof referralTest>>) => rt.t.ctx.db.selectFrom('referral_notifications').selectAll().orderBy('id').execute();

test('opening a referral changes no row; its notifications are marked read only by the explicit Mark as read form', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const { id } = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    assert.equal((await json(receiver, 'GET', '/api/referrals/notifications')).unread, 1);

    const before = await notificationRows(rt);
    const page = await receiver.get(`/referrals/${id}`);
    assert.equal(page.statusCode, 200);
    assert.deepEqual(await notificationRows(rt), before, 'a GET of the referral page wrote nothing');
    assert.equal((await json(receiver, 'GET', '/api/referrals/notifications')).unread, 1);

    // The page offers the explicit action, as a form that works without JavaScript and carries its CSRF token.
    const action = `/referrals/${id}/notifications/read`;
    const form = new RegExp(`<form method="post" action="${action}"[^>]*>\\s*<input type="hidden" name="_csrf"`);
    assert.match(page.body, form);
    assert.match(page.body, /Mark as read/);
    // A referral sent but not yet accepted or closed has no Accepted or Closed line reading '—' (issue 16).
    assert.doesNotMatch(page.body, /<dd[^>]*>—<\/dd>/);
    assert.doesNotMatch(page.body, />(Accepted|Closed):<\/dt>/);
    assert.match(page.body, />Sent:<\/dt>/);

    // Without the CSRF token the post is refused and nothing changes.
    const forged = await receiver.request('POST', action, { form: {}, csrf: false });
    assert.equal(forged.statusCode, 403);
    assert.deepEqual(await notificationRows(rt), before);

    receiver.csrf = csrfFrom(page.body);
    const res = await receiver.request('POST', action, { form: {} });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/referrals/${id}`);
    assert.equal((await json(receiver, 'GET', '/api/referrals/notifications')).unread, 0);
    const after = await receiver.get(`/referrals/${id}`);
    assert.doesNotMatch(after.body, form, 'nothing left to mark read');

    // Another person's notifications are not theirs to mark.
    const third = await rt.sign(rt.users.third);
    const other = await third.request('POST', action, { form: {} });
    assert.equal(other.statusCode, 404);
  } finally {
    await rt.close();
  }
});

test('the inbox and the API list notifications without marking them read', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const { id } = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const before = await notificationRows(rt);
    for (const url of ['/referrals', '/api/referrals/notifications', `/api/referrals/${id}`]) {
      assert.equal((await receiver.get(url)).statusCode, 200, url);
      assert.deepEqual(await notificationRows(rt), before, `GET ${url} wrote nothing`);
    }
    // The API's explicit action, for one referral.
    assert.deepEqual(await json(receiver, 'POST', '/api/referrals/notifications/read', { referral_id: id }), { count: 1 });
    assert.equal((await json(receiver, 'GET', '/api/referrals/notifications')).unread, 0);
  } finally {
    await rt.close();
  }
});
