/**
 * Every write of account security data (second factor, password, sessions, tokens) leaves an audit event, written
 * by the same command: a step that changes the account without one is a failure here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, csrfFrom, totpCode, type TestApp, type TestClient } from './testing.ts';

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function securityState(t: TestApp, userId: string): Promise<string> {
  const user = await t.ctx.db
    .selectFrom('users')
    .select(['mfa_enabled', 'totp_secret', 'totp_pending_secret', 'password_hash', 'disabled'])
    .where('id', '=', userId)
    .executeTakeFirst();
  const sessions = await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', userId).orderBy('sid').execute();
  const tokens = await t.ctx.db.selectFrom('api_tokens').select(['id', 'revoked_at']).where('user_id', '=', userId).orderBy('id').execute();
  return JSON.stringify({ user, sessions, tokens });
}

async function eventsFor(t: TestApp, ids: string[]): Promise<{ action: string; entity_id: string | null }[]> {
  if (!ids.length) return [];
  return t.ctx.db.selectFrom('audit_events').select(['action', 'entity_id']).where('entity_id', 'in', ids).orderBy('at').execute() as Promise<{ action: string; entity_id: string | null }[]>;
}

/**
 * Runs one step and returns the audit actions it recorded about the account and its tokens; fails when the
 * step changed the account's security data and recorded nothing.
 */
async function step(t: TestApp, userId: string, what: string, run: () => Promise<unknown>): Promise<string[]> {
  const ids = async () => [userId, ...(await t.ctx.db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).execute()).map((r) => String(r.id))];
  const stateBefore = await securityState(t, userId);
  const before = await eventsFor(t, await ids());
  await run();
  const after = await eventsFor(t, await ids());
  const added = after.slice(before.length).map((e) => e.action);
  if ((await securityState(t, userId)) !== stateBefore) assert.ok(added.length > 0, `${what} changed the account's security data without an audit event`);
  return added;
}

test('second factor: starting enrolment, turning it on and off are each audited', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const c: TestClient = t.client();
    await c.signIn(u);
    let secret = '';
    // No write on a GET: the page offers to start; the key is made by the explicit step.
    const shown = await step(t, u.id, 'GET /account/mfa', async () => {
      const res = await c.get('/account/mfa');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /action="\/account\/mfa\/start"/);
    });
    assert.deepEqual(shown, []);
    const pending = await t.ctx.db.selectFrom('users').select(['totp_secret', 'totp_pending_secret']).where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.equal(pending.totp_secret, null, 'showing the page stored no key');
    assert.equal(pending.totp_pending_secret, null, 'showing the page stored no key');
    const started = await step(t, u.id, 'POST /account/mfa/start', async () => {
      const res = await c.request('POST', '/account/mfa/start', { form: { password: u.password } });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/account/mfa');
      secret = /<code class="token-secret">([A-Z2-7]+)<\/code>/.exec((await c.get('/account/mfa')).body)![1];
    });
    assert.deepEqual(started, ['user.mfa_setup_start']);
    // Showing the page again keeps the pending key: nothing new is stored, nothing new is recorded.
    assert.deepEqual(await step(t, u.id, 'GET /account/mfa again', () => c.get('/account/mfa')), []);

    const on = await step(t, u.id, 'POST /account/mfa', async () => assert.equal((await c.request('POST', '/account/mfa', { form: { code: totpCode(secret) } })).statusCode, 302));
    assert.deepEqual(on, ['user.mfa_enable']);
    const off = await step(t, u.id, 'POST /account/mfa/disable', async () => assert.equal((await c.request('POST', '/account/mfa/disable', { form: { password: u.password } })).statusCode, 302));
    assert.deepEqual(off, ['user.mfa_disable']);
  }));

test('tokens and sessions: creating and revoking a token, signing out everywhere are each audited', () =>
  withApp(async (t) => {
    const u = await t.user('analyst');
    const c = t.client();
    await c.signIn(u);
    let id = '';
    const created = await step(t, u.id, 'POST /api/tokens', async () => {
      const res = await c.request('POST', '/api/tokens', { json: { name: 'audited', scopes: ['account.self'] } });
      assert.equal(res.statusCode, 201);
      id = res.json().id;
    });
    assert.deepEqual(created, ['token.create']);
    const formCreated = await step(t, u.id, 'POST /account/tokens', async () => assert.equal((await c.request('POST', '/account/tokens', { form: { name: 'by form', scopes: 'account.self' } })).statusCode, 201));
    assert.deepEqual(formCreated, ['token.create']);
    const revoked = await step(t, u.id, 'DELETE /api/tokens/:id', async () => assert.equal((await c.request('DELETE', `/api/tokens/${id}`)).statusCode, 204));
    assert.deepEqual(revoked, ['token.revoke']);
    const again = await step(t, u.id, 'DELETE /api/tokens/:id again', async () => assert.equal((await c.request('DELETE', `/api/tokens/${id}`)).statusCode, 204));
    assert.deepEqual(again, [], 'revoking a revoked token changes nothing and records nothing');
    const everywhere = await step(t, u.id, 'POST /account/sessions/revoke', async () => assert.equal((await c.request('POST', '/account/sessions/revoke', { form: {} })).statusCode, 302));
    assert.deepEqual(everywhere, ['user.sessions_revoke']);
  }));

test('passwords: an account created with its first password is audited, without the password', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    const res = await admin.request('POST', '/api/users', { json: { email: 'new@test.example', name: 'New', role: 'member', organization: 'Test Organization', password: 'a long enough password' } });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id as string;
    const events = await t.ctx.db.selectFrom('audit_events').select(['action', 'summary']).where('entity_id', '=', id).execute();
    assert.deepEqual(events.map((e) => e.action), ['user.create']);
    assert.ok(!String(events[0].summary).includes('a long enough password'));
  }));

test('signing in is audited', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const c = t.client();
    c.csrf = csrfFrom((await c.get('/login')).body);
    const ok = await step(t, u.id, 'POST /login', () => c.request('POST', '/login', { form: { email: u.email, password: u.password } }));
    assert.deepEqual(ok, ['auth.login']);
  }));
