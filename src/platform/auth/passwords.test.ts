/**
 * Issue 16 item 7: changing one's password on /account and resetting it through a link sent by e-mail, through the
 * pages, with a real SMTP server. One app for the file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom, testApp, testMailServer, type TestApp, type TestClient, type TestMailServer } from '../testing.ts';
import { settleMail } from './index.ts';
import { closeMail } from '../mail/index.ts';

let t: TestApp;
let mail: TestMailServer;

before(async () => {
  mail = await testMailServer();
  t = await testApp({ env: { SMTP_URL: mail.url, RATE_LIMIT_PER_MINUTE: '100000' } });
});
after(async () => {
  await t.close();
  closeMail();
  await mail.close();
});

let addr = 0;
/** A client at an address of its own, so that the per-address limits of one step do not touch another. */
function client(): TestClient {
  const c = t.client();
  c.address = `10.9.0.${++addr}`;
  return c;
}

const signedInCount = async (userId: string) => Number((await t.ctx.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirst())?.n ?? 0);
const mailsTo = (email: string) => mail.received.filter((m) => m.to.includes(email));
const hashOf = async (id: string) => (await t.ctx.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;
const actions = async (id: string) => (await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', id).orderBy('at').execute()).map((r) => String(r.action));

async function passwordSignIn(email: string, password: string, c = client()): Promise<{ status: number; location: string; c: TestClient }> {
  c.csrf = csrfFrom((await c.get('/login')).body);
  const res = await c.request('POST', '/login', { form: { email, password } });
  return { status: res.statusCode, location: String(res.headers.location ?? ''), c };
}

test('change password on /account: current one required, at least 12 characters, other sessions end, a notice is mailed', async () => {
  const u = await t.user('member');
  const here = client();
  await here.signIn(u);
  const elsewhere = client();
  await elsewhere.signIn(u);
  const page = await here.get('/account');
  assert.match(page.body, /action="\/account\/password"/);
  const before = await hashOf(u.id);

  const wrong = await here.request('POST', '/account/password', { form: { password: 'not the password at all', new_password: 'a brand new password', confirm_password: 'a brand new password' } });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /The password is not right/);
  const short = await here.request('POST', '/account/password', { form: { password: u.password, new_password: 'short', confirm_password: 'short' } });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /href="#field-new_password"/);
  assert.match(short.body, /at least 12 characters/);
  const mismatch = await here.request('POST', '/account/password', { form: { password: u.password, new_password: 'a brand new password', confirm_password: 'another new password' } });
  assert.equal(mismatch.statusCode, 400);
  assert.match(mismatch.body, /href="#field-confirm_password"/);
  here.cookies.set('lang', 'es');
  const shortEs = await here.request('POST', '/account/password', { form: { password: u.password, new_password: 'corta', confirm_password: 'corta' } });
  assert.equal(shortEs.statusCode, 400);
  assert.match(shortEs.body, /debe tener al menos 12 caracteres/);
  here.cookies.delete('lang');
  assert.equal(await hashOf(u.id), before, 'refused changes change nothing');
  assert.equal(await signedInCount(u.id), 2);

  const ok = await here.request('POST', '/account/password', { form: { password: u.password, new_password: 'a brand new password', confirm_password: 'a brand new password' } });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/account?done=password');
  const shown = await here.get('/account?done=password');
  assert.equal(shown.statusCode, 200);
  assert.match(shown.body, /Your password was changed/);
  assert.equal((await elsewhere.get('/account')).statusCode, 302, 'the other session ended');
  assert.equal(await signedInCount(u.id), 1);
  assert.ok((await actions(u.id)).includes('user.password_change'));
  const notice = mailsTo(u.email).at(-1);
  assert.ok(notice, 'a notice was mailed');
  assert.match(notice.data, /Your Taskforce Hub password was changed/);

  assert.equal((await passwordSignIn(u.email, u.password)).status, 401, 'the old password no longer works');
  assert.equal((await passwordSignIn(u.email, 'a brand new password')).status, 302);
  u.password = 'a brand new password';
});

test('change password: an API token cannot, even with every scope', async () => {
  const u = await t.user('analyst');
  const c = client();
  await c.signIn(u);
  c.csrf = csrfFrom((await c.get('/account')).body);
  const made = await c.request('POST', '/account/tokens', { form: { name: 'all', scopes: ['account.self'] } });
  const token = /id="new-token">\s*([^<\s]+)/.exec(made.body)![1];
  const res = await t.app.inject({ method: 'POST', url: '/account/password', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: `password=${encodeURIComponent(u.password)}&new_password=xxxxxxxxxxxxxxxx&confirm_password=xxxxxxxxxxxxxxxx` });
  assert.equal(res.statusCode, 403);
});

async function askReset(email: string, c = client(), lang?: string) {
  if (lang) c.cookies.set('lang', lang);
  const page = await c.get('/login/forgot');
  assert.equal(page.statusCode, 200);
  c.csrf = csrfFrom(page.body);
  const res = await c.request('POST', '/login/forgot', { form: { email } });
  await settleMail();
  return res;
}

const linkIn = (data: string) => /http:\/\/[^\s]+\/password\/set\/([A-Za-z0-9_-]+)/.exec(data)?.[1];

test('password reset by e-mail: the same answer for any address, a single-use link stored as a hash, every session ended', async () => {
  const login = await client().get('/login');
  assert.match(login.body, /href="\/login\/forgot"/);
  assert.match(login.body, /Forgot your password\?/);

  const u = await t.user('chair');
  const signedIn = client();
  await signedIn.signIn(u);
  const known = await askReset(u.email.toUpperCase());
  const unknown = await askReset('nobody-here@test.example');
  assert.equal(known.statusCode, 200);
  assert.equal(unknown.statusCode, 200);
  const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '').replace(/<meta name="csrf-token"[^>]*>/g, '');
  assert.equal(strip(known.body), strip(unknown.body), 'the answer does not tell whether the address has an account');
  assert.match(known.body, /If an account uses this address/);
  assert.equal(mail.received.filter((m) => m.to.includes('nobody-here@test.example')).length, 0);
  const sent = mailsTo(u.email).at(-1)!;
  const token = linkIn(sent.data)!;
  assert.ok(token, 'the message carries the link');
  const rows = await t.ctx.db.selectFrom('account_links').selectAll().execute();
  assert.ok(!JSON.stringify(rows).includes(token), 'the token is stored only as a hash');

  const bad = await askReset('not an address');
  assert.equal(bad.statusCode, 400, bad.body.replace(/<head>.*<main/s, ''));
  assert.match(bad.body, /href="#field-email"/);

  const c = client();
  const form = await c.get(`/password/set/${token}`);
  assert.equal(form.statusCode, 200);
  c.csrf = csrfFrom(form.body);
  const short = await c.request('POST', `/password/set/${token}`, { form: { new_password: 'short', confirm_password: 'short' } });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /href="#field-new_password"/);
  const done = await c.request('POST', `/password/set/${token}`, { form: { new_password: 'reset password here', confirm_password: 'reset password here' } });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/login?done=password');
  assert.match((await c.get('/login?done=password')).body, /Your password is set/);
  assert.equal(await signedInCount(u.id), 0, 'using the link signs every session out');
  assert.equal((await signedIn.get('/account')).statusCode, 302);
  assert.ok((await actions(u.id)).includes('user.password_reset'));

  c.csrf = csrfFrom((await c.get('/login/forgot')).body);
  const again = await c.request('POST', `/password/set/${token}`, { form: { new_password: 'another password here', confirm_password: 'another password here' } });
  assert.equal(again.statusCode, 400, 'the link works once');
  assert.match(again.body, /This link does not work/);
  assert.equal((await c.get(`/password/set/${token}`)).statusCode, 400);
  assert.equal((await passwordSignIn(u.email, 'reset password here')).status, 302);
  u.password = 'reset password here';
});

test('password reset: links expire, a few an hour per account, the second factor is still asked, Spanish pages', async () => {
  const admin = await t.user('admin');
  await askReset(admin.email);
  const token = linkIn(mailsTo(admin.email).at(-1)!.data)!;
  await t.ctx.db.updateTable('account_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', admin.id).execute();
  assert.equal((await client().get(`/password/set/${token}`)).statusCode, 400, 'an expired link is refused');

  const before = mailsTo(admin.email).length;
  for (let i = 0; i < 4; i++) assert.equal((await askReset(admin.email)).statusCode, 200);
  assert.equal(mailsTo(admin.email).length - before, 2, 'three links an hour at most (one sent above)');

  const fresh = linkIn(mailsTo(admin.email).at(-1)!.data)!;
  const c = client();
  c.csrf = csrfFrom((await c.get(`/password/set/${fresh}`)).body);
  assert.equal((await c.request('POST', `/password/set/${fresh}`, { form: { new_password: 'admin reset password', confirm_password: 'admin reset password' } })).statusCode, 303);
  const signIn = await passwordSignIn(admin.email, 'admin reset password');
  assert.equal(signIn.status, 302);
  assert.match(signIn.location, /^\/login\/mfa/, 'the second factor is still asked');

  const es = client();
  es.cookies.set('lang', 'es');
  assert.match((await es.get('/login')).body, /¿Olvidó su contraseña\?/);
  assert.match((await es.get('/login/forgot')).body, /Restablecer su contraseña/);
  const sentEs = await askReset('nadie@test.example', es, 'es');
  assert.match(sentEs.body, /Si una cuenta usa esta dirección/);
  assert.match((await es.get('/password/set/not-a-real-token-at-all-xx')).body, /Este enlace no funciona/);
});
