/**
 * Issue 16 item 7: single sign-on through OpenID Connect, against a real provider (oidc-provider) started here on
 * 127.0.0.1. The browser's side is walked over HTTP: the app through app.inject, the provider through fetch.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, testApp, type TestApp, type TestClient } from '../testing.ts';
import { startTestOidcProvider, type TestIdentity, type TestOidcProvider } from './oidc-test-provider.ts';

const REDIRECT = 'http://localhost:3000/login/oidc/callback';
let t: TestApp;
let idp: TestOidcProvider;

before(async () => {
  idp = await startTestOidcProvider(REDIRECT);
  t = await testApp({
    env: { RATE_LIMIT_PER_MINUTE: '100000', OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_REDIRECT_URI: REDIRECT, OIDC_NAME: 'Test ID' },
  });
});
after(async () => {
  await t.close();
  await idp.close();
});

let n = 0;
/** Clicks "Sign in with Test ID", signs in at the provider as `who`, and comes back: the app's answer. */
async function viaProvider(who: Omit<TestIdentity, 'sub'>, c: TestClient = t.client(), next = '/structure') {
  const login = await c.get(`/login?next=${encodeURIComponent(next)}`);
  assert.match(login.body, /href="\/login\/oidc\?next=%2Fstructure"/);
  const start = await c.get(`/login/oidc?next=${encodeURIComponent(next)}`);
  assert.equal(start.statusCode, 303);
  const auth = new URL(String(start.headers.location));
  assert.equal(auth.origin, idp.issuer);
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(auth.searchParams.get('state') && auth.searchParams.get('nonce') && auth.searchParams.get('code_challenge'));
  idp.signInAs({ sub: `sub-${++n}`, ...who });
  const back = new URL(await idp.walk(auth.href));
  const res = await c.get(back.pathname + back.search);
  return { res, c, back };
}

const signedIn = async (c: TestClient) => (await c.get('/api/session')).json().signed_in as boolean;
const lastActions = async (id?: string) =>
  (await t.ctx.db.selectFrom('audit_events').select(['action', 'entity_id']).orderBy('at', 'desc').limit(3).execute()).filter((e) => !id || e.entity_id === id).map((e) => String(e.action));

test('a verified e-mail of an account signs in, matched without regard to case, and lands on the page asked for', async () => {
  const u = await makeUser(t.ctx, 'member', 'oidc-member@test.example');
  const { res, c } = await viaProvider({ email: 'OIDC-Member@Test.example', email_verified: true });
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.location, '/structure');
  assert.equal(await signedIn(c), true);
  assert.equal((await c.get('/api/session')).json().user.id, u.id);
  assert.ok((await lastActions(u.id)).includes('auth.login'));
});

test('the button shows the configured name, in Spanish too', async () => {
  const c = t.client();
  assert.match((await c.get('/login')).body, /Sign in with Test ID/);
  c.cookies.set('lang', 'es');
  assert.match((await c.get('/login')).body, /Iniciar sesión con Test ID/);
});

test('an unknown e-mail is told to ask an administrator, and no account is made', async () => {
  const count = async () => Number((await t.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);
  const before = await count();
  const { res, c } = await viaProvider({ email: 'stranger@elsewhere.example', email_verified: true });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /ask an administrator of the task force to invite you/);
  assert.equal(await count(), before);
  assert.equal(await signedIn(c), false);
  assert.ok((await lastActions()).includes('auth.oidc_refused'));
  const es = t.client();
  es.cookies.set('lang', 'es');
  const { res: resEs } = await viaProvider({ email: 'stranger@elsewhere.example', email_verified: true }, es);
  assert.match(resEs.body, /pida a un administrador del grupo de trabajo que le invite/);
});

test('an unverified e-mail is refused even when an account has it', async () => {
  await makeUser(t.ctx, 'member', 'oidc-unverified@test.example');
  const { res, c } = await viaProvider({ email: 'oidc-unverified@test.example', email_verified: false });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /did not confirm that your e-mail address is verified/);
  assert.equal(await signedIn(c), false);
});

test('a disabled account is refused', async () => {
  const u = await makeUser(t.ctx, 'analyst', 'oidc-disabled@test.example');
  await t.ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', u.id).execute();
  const { res, c } = await viaProvider({ email: 'oidc-disabled@test.example', email_verified: true });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /This account is disabled/);
  assert.equal(await signedIn(c), false);
});

test('an account with a second factor still gives its code after the provider', async () => {
  await makeUser(t.ctx, 'admin', 'oidc-admin@test.example');
  const { res, c } = await viaProvider({ email: 'oidc-admin@test.example', email_verified: true });
  assert.equal(res.statusCode, 302);
  assert.match(String(res.headers.location), /^\/login\/mfa/);
  assert.equal(await signedIn(c), false);
});

test('a return with a wrong state, a replayed code, or without a sign-in started here is refused', async () => {
  await makeUser(t.ctx, 'member', 'oidc-state@test.example');
  const c = t.client();
  const start = await c.get('/login/oidc');
  idp.signInAs({ sub: 'state-test', email: 'oidc-state@test.example', email_verified: true });
  const back = new URL(await idp.walk(String(start.headers.location)));
  const forged = new URL(back);
  forged.searchParams.set('state', 'not-the-state');
  const wrong = await c.get(forged.pathname + forged.search);
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /did not complete/);
  assert.equal(await signedIn(c), false);
  // The session's pending sign-in is used up by any return: the real one now finds none.
  assert.equal((await c.get(back.pathname + back.search)).statusCode, 400);
  assert.equal((await t.client().get(back.pathname + back.search)).statusCode, 400, 'another browser cannot use the code');
  assert.equal(await signedIn(c), false);
});
