/**
 * Changes to the second factor take a fresh proof in the same form: the current password or a current code (issue
 * 15). A session left open on a shared computer, or taken over, must not be enough to switch the second factor off
 * or to enrol another authenticator. A wrong or missing proof changes nothing and names the field that is wrong, in
 * the person's language; wrong passwords and codes given here count towards the same limits as at sign-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, totpCode, type TestApp, type TestClient, type TestUser } from './testing.ts';
import { beginMfaSetup, enableMfa } from './auth/index.ts';

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

function wrongCode(secret: string): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, Date.now() + d)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

async function state(t: TestApp, userId: string) {
  return t.ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
}

/** A member with the second factor on, signed in. */
async function memberWithMfa(t: TestApp): Promise<{ u: TestUser; c: TestClient }> {
  const u = await t.user('member');
  const { secret } = await beginMfaSetup(t.ctx, u.id);
  await enableMfa(t.ctx, u.id, totpCode(secret));
  u.totpSecret = secret;
  const c = await t.signedIn('member');
  await t.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', u.id).execute();
  return { u, c };
}

const fieldError = (body: string, field: string) => new RegExp(`id="field-${field}-error"`).test(body);

test('turning the second factor off takes the password or a current code; a wrong proof changes nothing and names its field', () =>
  withApp(async (t) => {
    const { u, c } = await memberWithMfa(t);
    const before = await state(t, u.id);
    const page = await c.get('/account');
    assert.match(page.body, /action="\/account\/mfa\/disable"/);
    assert.match(page.body, /name="password"/, 'the form asks for the password');

    const none = await c.request('POST', '/account/mfa/disable', { form: {} });
    assert.equal(none.statusCode, 400);
    assert.ok(fieldError(none.body, 'password'), 'no proof: the password field says so');
    const badPassword = await c.request('POST', '/account/mfa/disable', { form: { password: 'not my password at all' } });
    assert.equal(badPassword.statusCode, 400);
    assert.ok(fieldError(badPassword.body, 'password'));
    assert.ok(!fieldError(badPassword.body, 'code'));
    const badCode = await c.request('POST', '/account/mfa/disable', { form: { code: wrongCode(u.totpSecret!) } });
    assert.equal(badCode.statusCode, 400);
    assert.ok(fieldError(badCode.body, 'code'));
    assert.ok(!fieldError(badCode.body, 'password'));
    const junk = await c.request('POST', '/account/mfa/disable', { form: { code: 'abc' } });
    assert.equal(junk.statusCode, 400);
    assert.ok(fieldError(junk.body, 'code'));
    assert.deepEqual(await state(t, u.id), before, 'nothing changed');

    await c.get('/lang/es');
    const spanish = await c.request('POST', '/account/mfa/disable', { form: { password: 'not my password at all' } });
    assert.equal(spanish.statusCode, 400);
    assert.match(spanish.body, /contraseña no es correcta/i);
    await c.get('/lang/en');

    const byCode = await c.request('POST', '/account/mfa/disable', { form: { code: totpCode(u.totpSecret!) } });
    assert.equal(byCode.statusCode, 302);
    assert.equal((await state(t, u.id)).mfa_enabled ? 1 : 0, 0, 'a current code is proof enough');
  }));

test('turning it off with the password works, and wrong passwords here count towards the sign-in lock', () =>
  withApp(async (t) => {
    const { u, c } = await memberWithMfa(t);
    const ok = await c.request('POST', '/account/mfa/disable', { form: { password: u.password } });
    assert.equal(ok.statusCode, 302);
    assert.ok([false, 0].includes((await state(t, u.id)).mfa_enabled as boolean | number));

    // A taken-over session cannot guess the password here without limit: five wrong ones lock this address.
    for (let i = 0; i < 5; i++) assert.equal((await c.request('POST', '/account/mfa/start', { form: { password: `guess ${i}` } })).statusCode, 400);
    const locked = await c.request('POST', '/account/mfa/start', { form: { password: u.password } });
    assert.equal(locked.statusCode, 400, 'locked: the right password is refused too');
    assert.equal((await state(t, u.id)).totp_pending_secret, null);
  }));

test('enrolling an authenticator, the first time or again, takes a fresh proof; the old one stays in force until the new one is confirmed', () =>
  withApp(async (t) => {
    // First time: the password.
    const chair = await t.user('chair');
    const cc = await t.signedIn('chair');
    const refused = await cc.request('POST', '/account/mfa/start', { form: {} });
    assert.equal(refused.statusCode, 400);
    assert.ok(fieldError(refused.body, 'password'));
    const s0 = await state(t, chair.id);
    assert.equal(s0.totp_secret, null);
    assert.equal(s0.totp_pending_secret, null, 'no key was made');
    assert.equal((await cc.request('POST', '/account/mfa/start', { form: { password: chair.password } })).statusCode, 303);
    assert.ok((await state(t, chair.id)).totp_pending_secret, 'a key is pending');

    // Again, with the second factor on: a current code from the old authenticator, or the password.
    const { u, c } = await memberWithMfa(t);
    const before = await state(t, u.id);
    const setupPage = await c.get('/account/mfa');
    assert.equal(setupPage.statusCode, 200, 'the set-up page offers to replace the authenticator');
    assert.match(setupPage.body, /action="\/account\/mfa\/start"/);
    const wrong = await c.request('POST', '/account/mfa/start', { form: { code: wrongCode(u.totpSecret!) } });
    assert.equal(wrong.statusCode, 400);
    assert.ok(fieldError(wrong.body, 'code'));
    assert.deepEqual(await state(t, u.id), before, 'a wrong code changed nothing');
    assert.equal((await c.request('POST', '/account/mfa/start', { form: { code: totpCode(u.totpSecret!) } })).statusCode, 303);
    const pending = await state(t, u.id);
    assert.equal(pending.totp_secret, before.totp_secret, 'the old authenticator is still the one in force');
    assert.ok([true, 1].includes(pending.mfa_enabled as boolean | number));
    const shown = await c.get('/account/mfa');
    const newSecret = /<code class="token-secret">([A-Z2-7]+)<\/code>/.exec(shown.body)?.[1];
    assert.ok(newSecret && newSecret !== u.totpSecret, 'the page shows the new key');
    const confirm = await c.request('POST', '/account/mfa', { form: { code: totpCode(newSecret) } });
    assert.equal(confirm.statusCode, 302);
    const after = await state(t, u.id);
    assert.notEqual(after.totp_secret, before.totp_secret, 'the new authenticator replaced the old one');
    assert.equal(after.totp_pending_secret, null);
    assert.ok([true, 1].includes(after.mfa_enabled as boolean | number));
  }));
