/**
 * referable=true (issue 13 item 5): services whose organisation receives referrals through the product in a network
 * the caller's organisation belongs to, in the API and the page, with a badge in the page's results; checked for
 * the public, a case worker whose organisation is in the network, one whose organisation is not, and one whose
 * account acts for no organisation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../../platform/testing.ts';
import { referralTest, ORG, SERVICE, type ReferralTest } from '../referrals/testkit.ts';
import { createNetwork, addMember } from '../networks/commands.ts';

let r: ReferralTest;

before(async () => {
  r = await referralTest();
  // Harbor Light (sender) and Riverside (receiver) share a network; Elsewhere Counseling is in none.
  const n = await createNetwork(r.t.ctx, { name: 'Capital Referral Network', convener_organization_id: ORG.sender, area_kind: 'regions', states: ['DC'] });
  await addMember(r.t.ctx, n.id, { directory_organization_id: ORG.receiver, role: 'employment_training' });
});

after(async () => {
  await r.close();
});

const ids = async (c: TestClient, url: string) => {
  const res = await c.get(url);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().contents as { id: string }[]).map((s) => s.id).sort();
};

test('referable=true finds what the caller can refer to through a network, in the API, for each kind of caller', async () => {
  const all = '/api/hsds/services?per_page=50';
  const anon = r.t.client();
  assert.equal((await ids(anon, all)).length, 3);
  assert.deepEqual(await ids(anon, `${all}&referable=true`), [], 'the public belongs to no network');
  assert.deepEqual(await ids(await r.sign(r.users.sender), `${all}&referable=true`), [SERVICE.jobs], "the partner's job programme, not the sender's own service");
  assert.deepEqual(await ids(await r.sign(r.users.receiver), `${all}&referable=true&search=case`), [SERVICE.senderCase], 'both ways, with text');
  assert.deepEqual(await ids(await r.sign(r.users.receiver), `${all}&referable=true&near=20001&radius=25`), [SERVICE.senderCase], 'with a place');
  assert.deepEqual(await ids(await r.sign(r.users.third), `${all}&referable=true`), [], 'an organisation in no network');
  assert.deepEqual(await ids(await r.sign(r.users.unlinked), `${all}&referable=true`), [], 'an account acting for no organisation');
  const bad = await anon.get(`${all}&referable=perhaps`);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /referable/);
});

test('the search page filters by referable and marks those services with a badge, in both languages', async () => {
  const sender = await r.sign(r.users.sender);
  const en = await sender.get('/directory?near=20001&radius=100');
  assert.equal(en.statusCode, 200);
  assert.match(en.body, /value="referable"/, 'the option for signed-in people');
  const badges = en.body.match(/Referral through your network/g) ?? [];
  assert.equal(badges.length, 1, 'one badge: the partner');
  assert.ok(en.body.indexOf('Apprenticeship readiness training') < en.body.indexOf('Referral through your network'));
  const only = await sender.get('/directory?near=20001&radius=100&options=referable', { 'accept-language': 'es' });
  assert.match(only.body, /Apprenticeship readiness training/);
  assert.doesNotMatch(only.body, /Trauma counseling|Survivor case management/);
  assert.match(only.body, /Referencia a través de su red/);
  const anon = await r.t.client().get('/directory?near=20001&radius=100');
  assert.doesNotMatch(anon.body, /value="referable"|Referral through your network/);
});
