/**
 * Security behaviour of the platform: CSRF, sessions, sign-in lockout, two-step verification, API tokens, the audit
 * log, headers, error answers and redirects. Each test runs on its own fresh app and database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, csrfFrom, totpCode, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from './testing.ts';
import { createUser } from './auth/index.ts';
import { sha256 } from './crypto/index.ts';
import type { Db } from './db/index.ts';

async function withApp(fn: (t: TestApp) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function signedIn(c: TestClient): Promise<boolean> {
  const res = await c.get('/api/session');
  return res.statusCode === 200 && (res.json() as { signed_in: boolean }).signed_in;
}

/** Posts the sign-in form the way a browser would: fetch the page for its CSRF token, then submit. */
async function postLogin(c: TestClient, email: string, password: string, next?: string) {
  c.csrf = csrfFrom((await c.get('/login')).body);
  return c.request('POST', '/login', { form: { email, password, ...(next ? { next } : {}) } });
}

async function tableNames(db: Db, kind: string): Promise<string[]> {
  if (kind === 'postgresql') {
    const r = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
    return r.rows.map((x) => x.name);
  }
  const r = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return r.rows.map((x) => x.name);
}

/** A code from the secret that is none of the three the server accepts right now (previous, current, next step). */
function wrongCode(secret: string): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, Date.now() + d)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

function secretFromSetupPage(html: string): string {
  const m = /<code class="token-secret">([A-Z2-7]+)<\/code>/.exec(html);
  assert.ok(m, 'the setup page shows the key');
  return m[1];
}

// ---------- CSRF ----------

test('CSRF: signed-in writes without a token are refused, with the token they pass', () =>
  withApp(async (t) => {
    const c = await t.signedIn('member');
    const formNo = await c.request('POST', '/account/tokens', { form: { name: 'no token', scopes: 'account.self' }, csrf: false });
    assert.equal(formNo.statusCode, 403);
    const jsonNo = await c.request('POST', '/api/tokens', { json: { name: 'no token', scopes: ['account.self'] }, csrf: false });
    assert.equal(jsonNo.statusCode, 403);
    assert.match(String(jsonNo.headers['content-type']), /application\/problem\+json/);
    const jsonWrong = await c.request('POST', '/api/tokens', { json: { name: 'forged', scopes: ['account.self'] }, csrf: false, headers: { 'x-csrf-token': 'forged-token' } });
    assert.equal(jsonWrong.statusCode, 403);
    const delNo = await c.request('DELETE', '/api/tokens/00000000-0000-4000-8000-000000000000', { csrf: false });
    assert.equal(delNo.statusCode, 403);
    assert.equal((await c.get('/api/tokens')).json().length, 0, 'nothing was created without a token');

    // A token from someone else's session does not work either.
    const other = await t.signedIn('chair');
    const stolen = await c.request('POST', '/api/tokens', { json: { name: 'stolen', scopes: ['account.self'] }, csrf: false, headers: { 'x-csrf-token': other.csrf } });
    assert.equal(stolen.statusCode, 403);

    const formOk = await c.request('POST', '/account/tokens', { form: { name: 'with token', scopes: 'account.self' } });
    assert.equal(formOk.statusCode, 201);
    const jsonOk = await c.request('POST', '/api/tokens', { json: { name: 'with token 2', scopes: ['account.self'] } });
    assert.equal(jsonOk.statusCode, 201);
    assert.equal((await c.get('/api/tokens')).json().length, 2);
  }));

test('CSRF: the public sign-in form needs its token too', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const c = t.client();
    await c.get('/login');
    const res = await c.request('POST', '/login', { form: { email: u.email, password: u.password }, csrf: false });
    assert.equal(res.statusCode, 403);
    assert.equal(await signedIn(c), false);
  }));

// ---------- sessions ----------

test('sessions: an administrator ends a member\'s sessions; the member is then anonymous', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    const member = await t.signedIn('member');
    const memberUser = await t.user('member');
    assert.equal(await signedIn(member), true);
    const res = await admin.request('DELETE', `/api/users/${memberUser.id}/sessions`);
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().revoked >= 1);
    assert.equal(await signedIn(member), false);
    const page = await member.get('/account');
    assert.equal(page.statusCode, 302);
    assert.match(String(page.headers.location), /^\/login/);
    assert.equal((await member.get('/api/tokens')).statusCode, 401);
    assert.equal(await signedIn(admin), true, "the administrator's own session is untouched");

    const missing = await admin.request('DELETE', '/api/users/00000000-0000-4000-8000-000000000000/sessions');
    assert.equal(missing.statusCode, 404);
    const badId = await admin.request('DELETE', '/api/users/not-a-uuid/sessions');
    assert.equal(badId.statusCode, 400);

    const audit = await admin.get(`/api/audit?action=user.sessions_revoke&entity_id=${memberUser.id}`);
    assert.equal(audit.json().total, 1);
  }));

test('sessions: "sign out everywhere" ends every session of the account', () =>
  withApp(async (t) => {
    const u = await t.user('chair');
    const laptop = await t.signedIn('chair');
    const phone = t.client();
    await phone.signIn(u);
    assert.equal(await signedIn(laptop), true);
    assert.equal(await signedIn(phone), true);
    const res = await laptop.request('POST', '/account/sessions/revoke', { form: {} });
    assert.equal(res.statusCode, 302);
    assert.equal(await signedIn(laptop), false);
    assert.equal(await signedIn(phone), false);
  }));

test('logout ends the session, and the old cookie is worthless afterwards', () =>
  withApp(async (t) => {
    const c = await t.signedIn('analyst');
    const oldCookies = new Map(c.cookies);
    const res = await c.request('POST', '/logout', { form: {} });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/');
    assert.equal(await signedIn(c), false);
    const replay = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: [...oldCookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(replay.json().signed_in, false);
    assert.equal(await signedIn(await t.signedIn('analyst')), true, 'signing in again works');
  }));

test('sessions: a new session id at sign-in; a disabled account loses its sessions and tokens at once', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const c = t.client();
    c.csrf = csrfFrom((await c.get('/login')).body);
    const before = c.cookies.get('sid');
    assert.ok(before, 'the sign-in page starts an anonymous session for its CSRF token');
    await c.request('POST', '/login', { form: { email: u.email, password: u.password } });
    const after = c.cookies.get('sid');
    assert.ok(after && after !== before, 'the session id changes at sign-in (no fixation)');
    await c.refreshCsrf();
    const token = (await c.request('POST', '/api/tokens', { json: { name: 'x', scopes: ['account.self'] } })).json().token as string;
    assert.equal((await bearer(t, 'GET', '/api/tokens', token)).statusCode, 200);

    await t.ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', u.id).execute();
    assert.equal(await signedIn(c), false);
    assert.equal((await bearer(t, 'GET', '/api/tokens', token)).statusCode, 401);
    assert.equal((await postLogin(t.client(), u.email, u.password)).statusCode, 401);
  }));

// ---------- sign-in ----------

test('sign-in lockout: after 5 failures from one address even the right password fails there, until the lock expires', () =>
  withApp(
    async (t) => {
      const u = await t.user('member');
      const c = t.client();
      for (let i = 0; i < 5; i++) {
        const res = await postLogin(c, u.email, 'not the password at all');
        assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
      }
      const lockRow = () => t.ctx.db.selectFrom('auth_throttle').select(['locked_until', 'failures']).where('user_id', '=', u.id).where('address', '=', '127.0.0.1').executeTakeFirst();
      assert.ok((await lockRow())?.locked_until, 'the account is locked for this address');
      const locked = await postLogin(c, u.email, u.password);
      assert.equal(locked.statusCode, 401, 'locked: the right password fails');
      assert.equal(await signedIn(c), false);

      // Fifteen minutes later (LOGIN_LOCK_MINUTES): move the lock into the past instead of waiting.
      await t.ctx.db.updateTable('auth_throttle').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', u.id).execute();
      const ok = await postLogin(c, u.email, u.password);
      assert.equal(ok.statusCode, 302);
      assert.equal(await signedIn(c), true);
      assert.equal(await lockRow(), undefined, 'the success cleared the count of this address');

      const actions = (await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', u.id).execute()).map((r) => r.action);
      assert.ok(actions.includes('auth.lockout'));
      assert.ok(actions.includes('auth.login_locked'));
    },
    { LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' },
  ));

test('sign-in failure says the same thing whether or not the e-mail exists', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const normalise = (html: string, email: string) => html.replaceAll(email, 'EMAIL').replace(/value="[^"]*"/g, 'value=""');
    const known = await postLogin(t.client(), u.email, 'wrong password here');
    const unknown = await postLogin(t.client(), 'nobody-here@test.example', 'wrong password here');
    assert.equal(known.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(normalise(known.body, u.email), normalise(unknown.body, 'nobody-here@test.example'));
    assert.doesNotMatch(unknown.body, /no account|not found|unknown/i);
  }));

// ---------- two-step verification ----------

test('MFA: an administrator without it is held on /account/mfa until it is set up', () =>
  withApp(async (t) => {
    const row = await createUser(t.ctx, { email: 'new-admin@test.example', name: 'New Admin', role: 'admin', organization: 'Test Organization', password: TEST_PASSWORD });
    const c = t.client();
    const login = await postLogin(c, row.email, TEST_PASSWORD);
    assert.equal(login.statusCode, 302);
    assert.equal(login.headers.location, '/account/mfa');

    for (const url of ['/', '/account', '/admin/users']) {
      const res = await c.get(url);
      assert.equal(res.statusCode, 302, url);
      assert.equal(res.headers.location, '/account/mfa', url);
    }
    const api = await c.get('/api/users');
    assert.equal(api.statusCode, 403);
    assert.match(String(api.headers['content-type']), /application\/problem\+json/);
    assert.match(api.json().detail, /two-step/i);

    const start = await c.get('/account/mfa');
    assert.equal(start.statusCode, 200);
    c.csrf = csrfFrom(start.body);
    assert.equal((await c.request('POST', '/account/mfa/start', { form: { password: TEST_PASSWORD } })).statusCode, 303, 'starting set-up (with the password again) is allowed while held');
    const setup = await c.get('/account/mfa');
    assert.equal(setup.statusCode, 200);
    const secret = secretFromSetupPage(setup.body);
    c.csrf = csrfFrom(setup.body);
    // The pending secret is stored encrypted, never as typed.
    const stored = await t.ctx.db.selectFrom('users').select('totp_pending_secret').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.ok(stored.totp_pending_secret && !String(stored.totp_pending_secret).includes(secret));

    const wrong = await c.request('POST', '/account/mfa', { form: { code: wrongCode(secret) } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(secretFromSetupPage(wrong.body), secret, 'a wrong code keeps the same pending key');
    assert.equal((await c.get('/api/users')).statusCode, 403, 'still held');

    const code = totpCode(secret);
    const good = await c.request('POST', '/account/mfa', { form: { code } });
    assert.equal(good.statusCode, 302);
    assert.equal(good.headers.location, '/account');
    assert.equal((await c.get('/api/users')).statusCode, 200, 'free to work once set up');

    // Signing in again now asks for a code, and the code used a moment ago is not accepted twice.
    await c.request('POST', '/logout', { form: {}, csrf: true });
    await c.refreshCsrf();
    const again = await postLogin(c, row.email, TEST_PASSWORD);
    assert.equal(again.statusCode, 302);
    assert.match(String(again.headers.location), /^\/login\/mfa/);
    c.csrf = csrfFrom((await c.get('/login/mfa')).body);
    const replay = await c.request('POST', '/login/mfa', { form: { code } });
    assert.equal(replay.statusCode, 401, 'a code is good once only');
    assert.equal(await signedIn(c), false);
    const bad = await c.request('POST', '/login/mfa', { form: { code: wrongCode(secret) } });
    assert.equal(bad.statusCode, 401);
    const nextCode = totpCode(secret, Date.now() + 30_000);
    const ok = await c.request('POST', '/login/mfa', { form: { code: nextCode } });
    assert.equal(ok.statusCode, 302);
    assert.equal(await signedIn(c), true);

    // The same fresh code cannot open a second session.
    const other = t.client();
    await postLogin(other, row.email, TEST_PASSWORD);
    other.csrf = csrfFrom((await other.get('/login/mfa')).body);
    assert.equal((await other.request('POST', '/login/mfa', { form: { code: nextCode } })).statusCode, 401);
  }));

test('MFA: a member can turn it on and off; an administrator cannot turn it off', () =>
  withApp(async (t) => {
    const m = await t.signedIn('member');
    const memberUser = await t.user('member');
    assert.equal((await m.request('POST', '/account/mfa/start', { form: { password: memberUser.password } })).statusCode, 303);
    const setup = await m.get('/account/mfa');
    assert.equal(setup.statusCode, 200);
    const secret = secretFromSetupPage(setup.body);
    const on = await m.request('POST', '/account/mfa', { form: { code: totpCode(secret) } });
    assert.equal(on.statusCode, 302);
    const mfaOf = async (id: string) => (await t.ctx.db.selectFrom('users').select('mfa_enabled').where('id', '=', id).executeTakeFirstOrThrow()).mfa_enabled;
    assert.ok([true, 1].includes(await mfaOf(memberUser.id)));
    const off = await m.request('POST', '/account/mfa/disable', { form: { password: memberUser.password } });
    assert.equal(off.statusCode, 302);
    assert.ok([false, 0].includes(await mfaOf(memberUser.id)));

    const a = await t.signedIn('admin');
    const adminUser = await t.user('admin');
    const refused = await a.request('POST', '/account/mfa/disable', { form: { password: adminUser.password } });
    assert.equal(refused.statusCode, 403);
    assert.ok([true, 1].includes(await mfaOf(adminUser.id)));
  }));

// ---------- API tokens ----------

async function allDatabaseText(t: TestApp): Promise<string> {
  const parts: string[] = [];
  for (const name of await tableNames(t.ctx.db, t.ctx.dbKind)) {
    const rows = await t.ctx.db.selectFrom(name).selectAll().execute();
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

function bearer(t: TestApp, method: string, url: string, token: string, json?: unknown) {
  return t.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    payload: json !== undefined ? JSON.stringify(json) : undefined,
  });
}

test('API tokens: shown once, stored hashed, limited by scope, refused when revoked or expired', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    const created = await admin.request('POST', '/api/tokens', { json: { name: 'account only', scopes: ['account.self'] } });
    assert.equal(created.statusCode, 201);
    const { token, id } = created.json() as { token: string; id: string };
    assert.match(token, /^tfh_/);

    const list = await admin.get('/api/tokens');
    assert.ok(!list.body.includes(token), 'listing never shows the secret');
    assert.ok(!(await admin.get('/account')).body.includes(token), 'nor does the account page');
    const everything = await allDatabaseText(t);
    assert.ok(!everything.includes(token), 'the secret is nowhere in the database');
    assert.ok(everything.includes(sha256(token)), 'only its hash is kept');

    // The token works on its own, without cookies or CSRF, but only within its scopes.
    const mine = await bearer(t, 'GET', '/api/tokens', token);
    assert.equal(mine.statusCode, 200);
    const me = await bearer(t, 'GET', '/api/session', token);
    assert.equal(me.json().user.via, 'token');
    assert.deepEqual(me.json().permissions, ['account.self']);
    assert.equal((await bearer(t, 'GET', '/api/audit', token)).statusCode, 403, "an admin's token without audit.read cannot read the audit log");
    assert.equal((await bearer(t, 'GET', '/api/users', token)).statusCode, 403);
    const viaToken = await bearer(t, 'POST', '/api/tokens', token, { name: 'made by a program', scopes: ['account.self'] });
    assert.equal(viaToken.statusCode, 403, 'a token cannot mint tokens: account security takes a session (issue 15)');
    const manager = (await admin.request('POST', '/api/tokens', { json: { name: 'user manager', scopes: ['users.manage'] } })).json().token as string;
    const made = await bearer(t, 'POST', '/api/users', manager, { email: 'by-program@test.example', name: 'By Program', role: 'member', organization: 'Test Organization', password: 'a long enough password' });
    assert.equal(made.statusCode, 201, 'bearer writes need no CSRF token');

    const auditToken = (await admin.request('POST', '/api/tokens', { json: { name: 'auditor', scopes: ['audit.read'] } })).json().token as string;
    assert.equal((await bearer(t, 'GET', '/api/audit', auditToken)).statusCode, 200);

    // Revoked: refused at once.
    assert.equal((await admin.request('DELETE', `/api/tokens/${id}`)).statusCode, 204);
    const revoked = await bearer(t, 'GET', '/api/tokens', token);
    assert.equal(revoked.statusCode, 401);
    assert.match(String(revoked.headers['www-authenticate']), /Bearer/);

    // Expired: refused.
    const exp = (await admin.request('POST', '/api/tokens', { json: { name: 'short lived', scopes: ['account.self'], expires_in_days: 1 } })).json() as { token: string; id: string };
    assert.equal((await bearer(t, 'GET', '/api/tokens', exp.token)).statusCode, 200);
    await t.ctx.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', exp.id).execute();
    assert.equal((await bearer(t, 'GET', '/api/tokens', exp.token)).statusCode, 401);

    // Unknown and malformed tokens.
    assert.equal((await bearer(t, 'GET', '/api/tokens', 'tfh_' + 'x'.repeat(43))).statusCode, 401);
    assert.equal((await bearer(t, 'GET', '/api/session', 'not-a-token')).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: 'Basic YTpi' } })).statusCode, 401);

    // Someone else's token cannot be revoked.
    const member = await t.signedIn('member');
    const auditId = (await admin.get('/api/tokens')).json().find((x: { name: string }) => x.name === 'auditor').id as string;
    assert.equal((await member.request('DELETE', `/api/tokens/${auditId}`)).statusCode, 404);
    assert.equal((await bearer(t, 'GET', '/api/audit', auditToken)).statusCode, 200);
  }));

test('API tokens: a scope the role does not hold is refused at creation', () =>
  withApp(async (t) => {
    const member = await t.signedIn('member');
    const res = await member.request('POST', '/api/tokens', { json: { name: 'too much', scopes: ['account.self', 'audit.read'] } });
    assert.equal(res.statusCode, 400);
    const p = res.json() as { errors: { field: string; message: string }[] };
    assert.ok(p.errors.some((e) => e.field === 'scopes'), JSON.stringify(p));
    const form = await member.request('POST', '/account/tokens', { form: { name: 'too much', scopes: ['users.manage'] } });
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /users\.manage/);
    assert.equal((await member.get('/api/tokens')).json().length, 0);
    // A token cannot grant more than its owner: a token made by a program with a narrow token stays narrow.
    const narrow = (await member.request('POST', '/api/tokens', { json: { name: 'narrow', scopes: ['account.self'] } })).json().token as string;
    const escalate = await bearer(t, 'POST', '/api/tokens', narrow, { name: 'wider', scopes: ['contacts.read'] });
    assert.equal(escalate.statusCode, 403, escalate.body);
  }));

// ---------- audit ----------

test('audit: a user created by an administrator is in the log and its CSV; the table is append-only', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    const res = await admin.request('POST', '/api/users', { json: { email: 'Audited@Test.Example', name: 'Audited Person', role: 'member', organization: 'Audit Org', password: 'a long enough password' } });
    assert.equal(res.statusCode, 201);
    const user = res.json() as { id: string; email: string };
    assert.equal(user.email, 'audited@test.example');

    const log = await admin.get('/api/audit?action=user.create');
    assert.equal(log.statusCode, 200);
    const ev = (log.json().items as { entity_id: string; actor_id: string; summary: Record<string, unknown> }[]).find((e) => e.entity_id === user.id);
    assert.ok(ev, 'the creation is in the audit log');
    assert.equal(ev.actor_id, (await t.user('admin')).id);
    assert.ok(!JSON.stringify(ev).includes('a long enough password'), 'no password in the log');

    const csv = await admin.get('/admin/audit.csv?action=user.create');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.ok(csv.body.includes(user.id));
    const csvApi = await admin.get('/api/audit?format=csv&entity_type=user');
    assert.ok(csvApi.body.includes(user.id));

    const db = t.ctx.db;
    const before = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    await assert.rejects(db.updateTable('audit_events').set({ action: 'tampered' }).execute(), /append-only/);
    await assert.rejects(db.deleteFrom('audit_events').execute(), /append-only/);
    await assert.rejects(db.deleteFrom('audit_events').where('entity_id', '=', user.id).execute(), /append-only/);
    const after = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
    const tampered = await db.selectFrom('audit_events').select('id').where('action', '=', 'tampered').execute();
    assert.equal(tampered.length, 0);
  }));

// ---------- headers, errors, redirects ----------

/** Every security header, as helmet writes them for the app's settings (HSTS only behind https). */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const securityHeadersOf = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k in SECURITY_HEADERS || k === 'strict-transport-security' || k === 'x-powered-by'));

test('security headers on pages and API answers', () =>
  withApp(async (t) => {
    const c = t.client();
    // The same full set on every kind of answer: a page, the API, a 404, a refused input, an asset, a refused write.
    for (const [method, url] of [['GET', '/'], ['GET', '/api/session'], ['GET', '/no-such-page'], ['GET', '/api/no-such'], ['GET', '/api/hsds/services?per_page=0'], ['GET', '/assets/app.css'], ['POST', '/login']] as const) {
      const res = await c.request(method, url);
      assert.deepEqual(securityHeadersOf(res.headers), SECURITY_HEADERS, `${method} ${url} (${res.statusCode})`);
    }
    for (const url of ['/', '/login', '/api/session', '/no-such-page']) {
      const res = await c.get(url);
      const csp = String(res.headers['content-security-policy'] ?? '');
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1];
      assert.ok(scriptSrc, `${url}: CSP has script-src`);
      assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|\*/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /object-src 'none'/, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.ok(res.headers['referrer-policy'], url);
    }
    const u = await t.user('member');
    const login = await postLogin(c, u.email, u.password);
    const sid = (login.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((x) => x.name === 'sid');
    assert.ok(sid, 'a session cookie is set at sign-in');
    assert.equal(sid.httpOnly, true);
    assert.equal(String(sid.sameSite).toLowerCase(), 'lax');
    assert.equal((await c.get('/account')).headers['cache-control'], 'no-store', 'private pages are not cached');
  }));

test('behind https the security headers add HSTS', () =>
  withApp(
    async (t) => {
      const res = await t.client().get('/login');
      assert.deepEqual(securityHeadersOf(res.headers), { ...SECURITY_HEADERS, 'strict-transport-security': 'max-age=31536000; includeSubDomains' });
    },
    { PUBLIC_URL: 'https://hub.test.example' },
  ));

test('errors: friendly pages for people, problem details for programs', () =>
  withApp(async (t) => {
    const anon = t.client();
    const notFound = await anon.get('/no-such-page', { accept: 'text/html' });
    assert.equal(notFound.statusCode, 404);
    assert.match(String(notFound.headers['content-type']), /text\/html/);
    assert.match(notFound.body, /<h1[^>]*>[^<]*404/);
    assert.match(notFound.body, /href="\/"/);

    const member = await t.signedIn('member');
    const forbidden = await member.get('/admin/users', { accept: 'text/html' });
    assert.equal(forbidden.statusCode, 403);
    assert.match(String(forbidden.headers['content-type']), /text\/html/);
    assert.match(forbidden.body, /<h1[^>]*>[^<]*403/);
    assert.doesNotMatch(forbidden.body, /at \w+ \(|node_modules|stack/i, 'no stack traces');

    for (const [client, url, status] of [
      [anon, '/api/no-such-thing', 404],
      [anon, '/api/users', 401],
      [member, '/api/users', 403],
      [member, '/api/audit?page=0', 403],
    ] as const) {
      const res = await client.get(url);
      assert.equal(res.statusCode, status, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
      const p = res.json() as { status: number; title: string; type: string };
      assert.equal(p.status, status, url);
      assert.equal(typeof p.title, 'string');
      assert.ok(p.title.length > 0);
    }
    const admin = await t.signedIn('admin');
    const invalid = await admin.get('/api/audit?page=0&bogus=1');
    assert.equal(invalid.statusCode, 400);
    assert.match(String(invalid.headers['content-type']), /^application\/problem\+json/);
    const p = invalid.json() as { errors: { field: string }[] };
    assert.ok(p.errors.some((e) => e.field === 'page'));
  }));

test('open redirects: next= never leaves the site', () =>
  withApp(async (t) => {
    const evil = ['//evil.example', 'https://evil.example', '/\\evil.example', '\\\\evil.example', 'javascript:alert(1)', '/%2F/evil.example'];
    const c = t.client();
    for (const next of evil.slice(0, 5)) {
      const page = await c.get(`/login?next=${encodeURIComponent(next)}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /name="next" value="\/"/, next);
      const lang = await c.get(`/lang/es?next=${encodeURIComponent(next)}`);
      assert.equal(lang.statusCode, 302);
      assert.equal(lang.headers.location, '/', next);
    }
    const raw = await c.get('/login?next=//evil.example');
    assert.match(raw.body, /name="next" value="\/"/);
    assert.equal((await c.get('/lang/es?next=https://evil.example')).headers.location, '/');
    assert.equal((await c.get('/lang/en?next=/account')).headers.location, '/account', 'same-site paths are kept');

    const u = await t.user('member');
    for (const next of evil) {
      const res = await postLogin(t.client(), u.email, u.password, next);
      assert.equal(res.statusCode, 302);
      const loc = String(res.headers.location);
      assert.ok(loc === '/' || (loc.startsWith('/') && !loc.startsWith('//') && !loc.startsWith('/\\')), `${next} -> ${loc}`);
    }
    const good = await postLogin(t.client(), u.email, u.password, '/account');
    assert.equal(good.headers.location, '/account');

    const admin: TestUser = await t.user('admin');
    const viaMfa = t.client();
    const first = await postLogin(viaMfa, admin.email, admin.password, '//evil.example');
    assert.equal(first.headers.location, `/login/mfa?next=${encodeURIComponent('/')}`);
    await t.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', admin.id).execute();
    viaMfa.csrf = csrfFrom((await viaMfa.get('/login/mfa?next=//evil.example')).body);
    const second = await viaMfa.request('POST', '/login/mfa', { form: { code: totpCode(admin.totpSecret!), next: 'https://evil.example' } });
    assert.equal(second.statusCode, 302);
    assert.equal(second.headers.location, '/');
  }));

test('MFA: after five wrong codes the half-finished sign-in is dropped and the password is asked again', () =>
  withApp(async (t) => {
    const admin = await t.user('admin');
    const c = t.client();
    const login = await postLogin(c, admin.email, admin.password);
    assert.match(String(login.headers.location), /^\/login\/mfa/);
    c.csrf = csrfFrom((await c.get('/login/mfa')).body);
    for (let i = 1; i <= 4; i++) {
      const res = await c.request('POST', '/login/mfa', { form: { code: wrongCode(admin.totpSecret!) } });
      assert.equal(res.statusCode, 401, `try ${i}`);
    }
    const fifth = await c.request('POST', '/login/mfa', { form: { code: wrongCode(admin.totpSecret!) } });
    assert.equal(fifth.statusCode, 302);
    assert.equal(fifth.headers.location, '/login');
    // Even the right code no longer completes that sign-in.
    assert.equal((await c.get('/login/mfa')).headers.location, '/login');
    assert.equal(await signedIn(c), false);
  }));

test('JSON bodies are taken as sent: wrong types are refused, not coerced', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    const before = (await admin.get('/api/tokens')).json().length;
    const res = await admin.request('POST', '/api/tokens', { json: { name: 123, scopes: 'account.self' } });
    assert.equal(res.statusCode, 400);
    const fields = (res.json().errors as { field: string }[]).map((e) => e.field).sort();
    assert.deepEqual(fields, ['name', 'scopes']);
    assert.equal((await admin.get('/api/tokens')).json().length, before);
    // Query strings still arrive as text and are read as numbers where the schema says so.
    assert.equal((await admin.get('/api/audit?per_page=2')).json().per_page, 2);
  }));

test('audit: the actor filter treats % and _ literally', () =>
  withApp(async (t) => {
    const admin = await t.signedIn('admin');
    await admin.request('POST', '/api/users', { json: { email: 'someone@test.example', name: 'Someone', role: 'member', organization: 'Org', password: TEST_PASSWORD } });
    const all = (await admin.get('/api/audit?actor=' + encodeURIComponent('test admin'))).json();
    assert.ok(all.total > 0);
    const wild = (await admin.get('/api/audit?actor=' + encodeURIComponent('%'))).json();
    assert.equal(wild.total, 0);
    const under = (await admin.get('/api/audit?actor=' + encodeURIComponent('t_st'))).json();
    assert.equal(under.total, 0);
  }));
