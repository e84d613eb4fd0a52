/**
 * Issue 16 item 7: administrators change roles, disable and re-enable accounts, reset a second factor and invite
 * people by e-mail, through the pages (and the API), each audited, with a real SMTP server. One app for the file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom, makeUser, testApp, testMailServer, totpCode, type TestApp, type TestClient, type TestMailServer } from '../testing.ts';
import { HttpError } from '../http/errors.ts';
import { loadActor, permissionsOf } from './index.ts';
import { closeMail } from '../mail/index.ts';
import type { Ctx } from '../context.ts';

let t: TestApp;
let mail: TestMailServer;
let admin: TestClient;

before(async () => {
  mail = await testMailServer();
  t = await testApp({ env: { SMTP_URL: mail.url, RATE_LIMIT_PER_MINUTE: '100000' } });
  admin = await t.signedIn('admin');
});
after(async () => {
  await t.close();
  closeMail();
  await mail.close();
});

let n = 0;
const fresh = (role: Parameters<TestApp['user']>[0]) => makeUser(t.ctx, role, `${role}-acct-${++n}@test.example`);
const actions = async (id: string) => (await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', id).orderBy('at').execute()).map((r) => String(r.action));
const row = (id: string) => t.ctx.db.selectFrom('users').select(['role', 'disabled', 'mfa_enabled', 'totp_secret']).where('id', '=', id).executeTakeFirstOrThrow();

async function post(c: TestClient, url: string, form: Record<string, string> = {}) {
  return c.request('POST', url, { form });
}

async function signInStatus(email: string, password: string): Promise<{ status: number; location: string }> {
  const c = t.client();
  c.address = `10.8.0.${++n}`;
  c.csrf = csrfFrom((await c.get('/login')).body);
  const res = await c.request('POST', '/login', { form: { email, password } });
  return { status: res.statusCode, location: String(res.headers.location ?? '') };
}

test('change a role through the pages: confirmed, audited, bad input named in the reader\'s language', async () => {
  const u = await fresh('member');
  const list = await admin.get('/admin/users');
  assert.match(list.body, new RegExp(`href="/admin/users/${u.id}"`));
  const page = await admin.get(`/admin/users/${u.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`action="/admin/users/${u.id}/role"`));

  const bad = await post(admin, `/admin/users/${u.id}/role`, { role: 'emperor' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#field-role"/);
  admin.cookies.set('lang', 'es');
  const badEs = await post(admin, `/admin/users/${u.id}/role`, { role: 'emperor' });
  assert.match(badEs.body, /debe ser uno de/);
  assert.match((await admin.get(`/admin/users/${u.id}`)).body, /Cambiar el rol/);
  admin.cookies.delete('lang');
  assert.equal((await row(u.id)).role, 'member', 'refused input changes nothing');

  const ok = await post(admin, `/admin/users/${u.id}/role`, { role: 'analyst' });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, `/admin/users/${u.id}?done=role`);
  assert.match((await admin.get(`/admin/users/${u.id}?done=role`)).body, /The role was changed/);
  assert.equal((await row(u.id)).role, 'analyst');
  assert.ok((await actions(u.id)).includes('user.role_change'));
});

test('disable stops sign-in, sessions and API tokens at once; re-enable lets the person sign in again', async () => {
  const u = await fresh('member');
  const session = t.client();
  await session.startSession(u);
  session.csrf = csrfFrom((await session.get('/account')).body);
  const made = await session.request('POST', '/account/tokens', { form: { name: 'scripts', scopes: ['account.self'] } });
  const token = /id="new-token">\s*([^<\s]+)/.exec(made.body)![1];
  const whoAmI = () => t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${token}` } });
  assert.equal((await whoAmI()).statusCode, 200);

  const off = await post(admin, `/admin/users/${u.id}/disable`);
  assert.equal(off.statusCode, 303);
  assert.equal(off.headers.location, `/admin/users/${u.id}?done=disabled`);
  assert.match((await admin.get(`/admin/users/${u.id}?done=disabled`)).body, /The account was disabled/);
  assert.equal((await session.get('/account')).statusCode, 302, 'the session stopped');
  assert.equal((await whoAmI()).statusCode, 401, 'the API token stopped');
  assert.equal((await signInStatus(u.email, u.password)).status, 401, 'sign-in is refused');

  const on = await post(admin, `/admin/users/${u.id}/enable`);
  assert.equal(on.headers.location, `/admin/users/${u.id}?done=enabled`);
  assert.equal((await signInStatus(u.email, u.password)).status, 302);
  assert.equal((await whoAmI()).statusCode, 401, 'tokens from before stay revoked');
  const acts = await actions(u.id);
  assert.ok(acts.includes('user.disable') && acts.includes('user.enable'));
});

test('reset a second factor: the key is gone, the role that needs one sets a new one up at the next sign-in', async () => {
  const u = await fresh('caseworker');
  assert.equal(Boolean((await row(u.id)).mfa_enabled), true);
  const res = await post(admin, `/admin/users/${u.id}/reset-mfa`);
  assert.equal(res.statusCode, 303);
  assert.match((await admin.get(String(res.headers.location))).body, /Two-step verification was reset/);
  const r = await row(u.id);
  assert.equal(Boolean(r.mfa_enabled), false);
  assert.equal(r.totp_secret, null);
  const signIn = await signInStatus(u.email, u.password);
  assert.equal(signIn.location, '/account/mfa');
  assert.ok((await actions(u.id)).includes('user.mfa_reset'));
});

test('the last enabled administrator cannot be demoted or disabled; with another one, they can', async () => {
  const me = await t.user('admin');
  await t.ctx.db.updateTable('users').set({ disabled: true }).where('role', '=', 'admin').where('id', '!=', me.id).execute();
  const demote = await post(admin, `/admin/users/${me.id}/role`, { role: 'member' });
  assert.equal(demote.statusCode, 400);
  assert.match(demote.body, /last enabled administrator/);
  const disable = await post(admin, `/admin/users/${me.id}/disable`);
  assert.equal(disable.statusCode, 400);
  assert.match(disable.body, /last enabled administrator/);
  const mine = await row(me.id);
  assert.deepEqual([mine.role, Boolean(mine.disabled), Boolean(mine.mfa_enabled)], ['admin', false, true], 'refused changes change nothing');

  const other = await fresh('admin');
  const ok = await post(admin, `/admin/users/${other.id}/role`, { role: 'chair' });
  assert.equal(ok.statusCode, 303);
  assert.equal((await row(other.id)).role, 'chair');
});

test('invitations by e-mail: a single-use link to choose a password, then sign-in', async () => {
  const page = await admin.get('/admin/users');
  assert.match(page.body, /action="\/admin\/users\/invite"/);
  const bad = await post(admin, '/admin/users/invite', { email: 'not an address', name: 'X', role: 'member', organization: 'Org' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#field-email"/);

  const res = await post(admin, '/admin/users/invite', { email: 'invited@test.example', name: 'Invited Person', role: 'chair', organization: 'County Shelter' });
  assert.equal(res.statusCode, 303);
  assert.match(String(res.headers.location), /^\/admin\/users\/[0-9a-f-]+\?done=invited$/);
  assert.match((await admin.get(String(res.headers.location))).body, /An invitation was sent/);
  const again = await post(admin, '/admin/users/invite', { email: 'invited@test.example', name: 'Invited Person', role: 'chair', organization: 'County Shelter' });
  assert.equal(again.statusCode, 400, 'an address with an account is refused');

  const message = mail.received.find((m) => m.to.includes('invited@test.example'))!;
  assert.match(message.data, /You are invited to Taskforce Hub/);
  const token = /\/password\/set\/([A-Za-z0-9_-]+)/.exec(message.data)![1];
  const c = t.client();
  const form = await c.get(`/password/set/${token}`);
  assert.match(form.body, /Choose your password/);
  c.csrf = csrfFrom(form.body);
  assert.equal((await c.request('POST', `/password/set/${token}`, { form: { new_password: 'my invited password', confirm_password: 'my invited password' } })).statusCode, 303);
  assert.equal((await signInStatus('invited@test.example', 'my invited password')).status, 302);
  const id = String((await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'invited@test.example').executeTakeFirstOrThrow()).id);
  assert.deepEqual((await actions(id)).filter((a) => a.startsWith('user.')), ['user.create', 'user.invite', 'user.invitation_accept']);
});

test('the API: PATCH /api/users/{id} changes role and disabled; a second factor is reset by POST; members are refused', async () => {
  const u = await fresh('member');
  const patched = await admin.request('PATCH', `/api/users/${u.id}`, { json: { role: 'chair' } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().role, 'chair');
  const disabled = await admin.request('PATCH', `/api/users/${u.id}`, { json: { disabled: true } });
  assert.equal(disabled.json().disabled, true);
  const bad = await admin.request('PATCH', `/api/users/${u.id}`, { json: { role: 'emperor' } });
  assert.equal(bad.statusCode, 400);
  const cw = await fresh('caseworker');
  assert.equal((await admin.request('POST', `/api/users/${cw.id}/mfa-reset`)).statusCode, 204);
  assert.equal(Boolean((await row(cw.id)).mfa_enabled), false);
  const member = await t.signedIn('member');
  assert.equal((await member.request('PATCH', `/api/users/${u.id}`, { json: { disabled: false } })).statusCode, 403);
  assert.equal((await member.request('POST', `/api/users/${cw.id}/mfa-reset`)).statusCode, 403);
  assert.equal((await row(u.id)).disabled ? 1 : 0, 1);
});

test('every account command of accounts.ts refuses the public and people without users.manage, changing nothing', async () => {
  const target = await fresh('member');
  const member = await t.user('member');
  const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null };
  const asMember: Ctx = { ...t.ctx, system: undefined, actor: (await loadActor(t.ctx.db, member.id, 'session'))! };
  const adminViaToken: Ctx = { ...t.ctx, system: undefined, actor: (await loadActor(t.ctx.db, (await t.user('admin')).id, 'token', [...permissionsOf('admin')]))! };
  const m = await import('./accounts.ts');
  const calls: [string, (ctx: Ctx) => Promise<unknown>, Ctx[]][] = [
    ['setUserRole', (c) => m.setUserRole(c, target.id, 'admin'), [anonymous, asMember]],
    ['setUserDisabled', (c) => m.setUserDisabled(c, target.id, true), [anonymous, asMember]],
    ['resetSecondFactor', (c) => m.resetSecondFactor(c, target.id), [anonymous, asMember]],
    ['inviteUser', (c) => m.inviteUser(c, { email: 'x@test.example', name: 'x', role: 'admin', organization: 'x' }), [anonymous, asMember]],
    ['changePassword', (c) => m.changePassword(c, target.id, { current: target.password, password: 'new password 123', confirm: 'new password 123' }), [anonymous, asMember, adminViaToken]],
  ];
  const snap = async () => JSON.stringify(await t.ctx.db.selectFrom('users').selectAll().orderBy('id').execute());
  for (const [name, run, refusedFor] of calls) {
    for (const ctx of refusedFor) {
      const before = await snap();
      await assert.rejects(run({ ...ctx }), (err: unknown) => err instanceof HttpError && [401, 403].includes(err.status), `${name} as ${ctx.actor?.role ?? 'the public'}`);
      assert.equal(await snap(), before, `${name} changed nothing`);
    }
  }
  void totpCode;
});
