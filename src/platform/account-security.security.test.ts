/**
 * Account security (second factor, sessions, tokens, the account page) answers a signed-in session only: an API
 * token, whatever its scopes, is refused and changes nothing (issue 15, finding 1). A stolen token must not be
 * able to switch its owner's second factor off, enrol an attacker's authenticator, end sessions or mint tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, totpCode, type TestApp, type TestClient, type TestUser } from './testing.ts';
import { beginMfaSetup, enableMfa, permissionsOf } from './auth/index.ts';

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** Everything about an account that these routes could change. */
async function securityState(t: TestApp, userId: string) {
  const user = await t.ctx.db
    .selectFrom('users')
    .select(['mfa_enabled', 'totp_secret', 'totp_last_step', 'password_hash', 'updated_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const sessions = await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', userId).orderBy('sid').execute();
  const tokens = await t.ctx.db.selectFrom('api_tokens').select(['id', 'revoked_at']).where('user_id', '=', userId).orderBy('id').execute();
  return { user, sessions, tokens };
}

function bearer(t: TestApp, token: string, method: string, url: string, body?: { form?: Record<string, string>; json?: unknown }) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: string | undefined;
  if (body?.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(body.form).toString();
  } else if (body?.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  }
  return t.app.inject({ method: method as 'GET', url, headers, payload });
}

async function makeToken(c: TestClient, name: string, scopes: string[]): Promise<{ token: string; id: string }> {
  const res = await c.request('POST', '/api/tokens', { json: { name, scopes } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { token: string; id: string };
}

/** The account-security routes, each with a body a browser or program would send. */
function securityRoutes(tokenId: string): { method: string; url: string; body?: { form?: Record<string, string>; json?: unknown } }[] {
  return [
    { method: 'GET', url: '/account' },
    { method: 'GET', url: '/account/mfa' },
    { method: 'POST', url: '/account/mfa/start', body: { form: {} } },
    { method: 'POST', url: '/account/mfa', body: { form: { code: '123456' } } },
    { method: 'POST', url: '/account/mfa/disable', body: { form: {} } },
    { method: 'POST', url: '/account/sessions/revoke', body: { form: {} } },
    { method: 'POST', url: '/account/tokens', body: { form: { name: 'minted by a token', scopes: 'contacts.read' } } },
    { method: 'POST', url: `/account/tokens/${tokenId}/revoke`, body: { form: {} } },
    { method: 'POST', url: '/api/tokens', body: { json: { name: 'minted by a token', scopes: ['contacts.read'] } } },
    { method: 'DELETE', url: `/api/tokens/${tokenId}` },
  ];
}

for (const mfa of [true, false]) {
  test(`a token of any scope is refused on every account-security route and changes nothing (second factor ${mfa ? 'on' : 'off'})`, () =>
    withApp(async (t) => {
      const u: TestUser = await t.user('member');
      if (mfa) {
        const { secret } = await beginMfaSetup(t.ctx, u.id);
        await enableMfa(t.ctx, u.id, totpCode(secret));
        u.totpSecret = secret;
      }
      const c = t.client();
      await c.signIn(u);
      const narrow = await makeToken(c, 'contacts only', ['contacts.read']);
      const wide = await makeToken(c, 'everything the role holds', [...permissionsOf('member')].sort());
      const before = await securityState(t, u.id);
      assert.equal(before.sessions.length, 1);
      assert.equal(before.tokens.length, 2);

      const failures: string[] = [];
      for (const { token, id } of [narrow, wide]) {
        for (const r of securityRoutes(id)) {
          const res = await bearer(t, token, r.method, r.url, r.body);
          const label = `${r.method} ${r.url} with the ${token === narrow.token ? 'narrow' : 'wide'} token -> ${res.statusCode}`;
          if (res.statusCode !== 401 && res.statusCode !== 403) failures.push(`${label}: expected 401 or 403`);
          if (res.body.includes('token-secret')) failures.push(`${label}: showed a secret`);
          assert.deepEqual(await securityState(t, u.id), before, `${label}: changed the account`);
        }
      }
      assert.deepEqual(failures, [], failures.join('\n'));

      // The owner's session still does all of it; listing tokens (no secrets) stays open to a token with account.self.
      assert.equal((await c.get('/account')).statusCode, 200);
      assert.equal((await bearer(t, wide.token, 'GET', '/api/tokens')).statusCode, 200);
      assert.equal((await bearer(t, narrow.token, 'GET', '/api/tokens')).statusCode, 403);
    }));
}

test('the attack of finding 1 fails: a token cannot enrol its own authenticator in place of the owner', () =>
  withApp(async (t) => {
    const u = await t.user('chair');
    const c = t.client();
    await c.signIn(u);
    const { token } = await makeToken(c, 'contacts only', ['contacts.read']);
    const start = await bearer(t, token, 'POST', '/account/mfa/start');
    assert.ok([401, 403].includes(start.statusCode), `starting set-up answered ${start.statusCode}`);
    const page = await bearer(t, token, 'GET', '/account/mfa');
    assert.ok([401, 403].includes(page.statusCode), `setup page answered ${page.statusCode}`);
    const m = /<code class="token-secret">([A-Z2-7]+)<\/code>/.exec(page.body);
    assert.equal(m, null, 'no enrolment key is shown to a token');
    const row = await t.ctx.db.selectFrom('users').select(['mfa_enabled', 'totp_secret']).where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.ok([false, 0].includes(row.mfa_enabled as boolean | number));
    assert.equal(row.totp_secret, null, 'no pending secret was stored');
  }));
