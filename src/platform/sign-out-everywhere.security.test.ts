/**
 * "Sign out everywhere" can end the API tokens too (issue 15: "'sign out everywhere' leaves API tokens working").
 * The account page offers it as a box, ticked by default; an administrator's API call ending someone's sessions
 * takes the same option (`revoke_tokens`). A revoked token answers 401 at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp, type TestClient } from './testing.ts';

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function makeToken(c: TestClient, name: string): Promise<string> {
  const res = await c.request('POST', '/api/tokens', { json: { name, scopes: ['account.self'] } });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { token: string }).token;
}

const withToken = (t: TestApp, token: string) => t.app.inject({ method: 'GET', url: '/api/tokens', headers: { authorization: `Bearer ${token}` } });

test('sign out everywhere, with the box ticked (its default), ends the API tokens too', () =>
  withApp(async (t) => {
    const c = await t.signedIn('analyst');
    const token = await makeToken(c, 'script');
    assert.equal((await withToken(t, token)).statusCode, 200, 'the token works before');

    const page = await c.get('/account');
    assert.match(page.body, /<input[^>]*name="revoke_tokens"[^>]*checked/, 'the box is there, ticked');
    const res = await c.request('POST', '/account/sessions/revoke', { form: { revoke_tokens: 'true' } });
    assert.equal(res.statusCode, 302);
    assert.equal((await withToken(t, token)).statusCode, 401, 'the token is refused after');
    const u = await t.user('analyst');
    const event = await t.ctx.db.selectFrom('audit_events').select('summary').where('entity_id', '=', u.id).where('action', '=', 'user.sessions_revoke').executeTakeFirstOrThrow();
    assert.match(String(typeof event.summary === 'string' ? event.summary : JSON.stringify(event.summary)), /"api_credentials":1/);
  }));

test('sign out everywhere with the box cleared keeps the tokens', () =>
  withApp(async (t) => {
    const c = await t.signedIn('member');
    const token = await makeToken(c, 'script');
    const res = await c.request('POST', '/account/sessions/revoke', { form: {} });
    assert.equal(res.statusCode, 302);
    assert.equal((await withToken(t, token)).statusCode, 200, 'the person chose to keep the token');
    assert.equal((await c.get('/api/session')).json().signed_in, false, 'the sessions ended');
  }));

test('an administrator ends a person\'s sessions and tokens through the API with revoke_tokens', () =>
  withApp(async (t) => {
    const member = await t.signedIn('member');
    const token = await makeToken(member, 'script');
    const memberUser = await t.user('member');
    const admin = await t.signedIn('admin');
    const keep = await admin.request('DELETE', `/api/users/${memberUser.id}/sessions`);
    assert.equal(keep.statusCode, 200);
    assert.equal((await withToken(t, token)).statusCode, 200, 'without the option the tokens stay');
    const bad = await admin.request('DELETE', `/api/users/${memberUser.id}/sessions?revoke_tokens=perhaps`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /revoke_tokens/);
    const res = await admin.request('DELETE', `/api/users/${memberUser.id}/sessions?revoke_tokens=true`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().tokens_revoked, 1);
    assert.equal((await withToken(t, token)).statusCode, 401);
  }));
