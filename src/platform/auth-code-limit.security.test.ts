/**
 * Wrong second-factor codes are limited per account, not only per address and per half-finished sign-in (issue 15,
 * finding 8: "27 wrong codes across four password sign-ins, then the right one, signed in"). After five wrong codes
 * for an account (LOGIN_MAX_FAILURES) within LOGIN_LOCK_MINUTES, the code step of that account refuses every code,
 * the right one too, from any address and any sign-in, until the time passes or an administrator unlocks it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, csrfFrom, totpCode, type TestApp, type TestClient, type TestUser } from './testing.ts';

const ENV = { RATE_LIMIT_PER_MINUTE: '100000', LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' };

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: ENV });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** A code from the secret that is none of the three the server accepts right now (previous, current, next step). */
function wrongCode(secret: string, n = 0): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, Date.now() + d)));
  for (let i = n; ; i++) {
    const code = String(i).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

/** Signs in with the password from this address; answers a client waiting at the code step. */
async function passwordStep(t: TestApp, u: TestUser, address: string): Promise<TestClient> {
  const c = t.client();
  c.address = address;
  c.csrf = csrfFrom((await c.get('/login')).body);
  const res = await c.request('POST', '/login', { form: { email: u.email, password: u.password } });
  assert.equal(res.statusCode, 302);
  assert.match(String(res.headers.location), /^\/login\/mfa/);
  c.csrf = csrfFrom((await c.get('/login/mfa')).body);
  return c;
}

async function signedIn(c: TestClient): Promise<boolean> {
  const res = await c.get('/api/session');
  return res.statusCode === 200 && (res.json() as { signed_in: boolean }).signed_in;
}

async function countEvents(t: TestApp, userId: string, action: string): Promise<number> {
  const r = await t.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('entity_id', '=', userId).where('action', '=', action).executeTakeFirstOrThrow();
  return Number(r.n);
}

test('the attack of finding 8 fails: 27 wrong codes over seven password sign-ins, then the right code, is refused', () =>
  withApp(async (t) => {
    const u = await t.user('admin');
    let wrong = 0;
    let c: TestClient | undefined;
    for (let signIn = 0; wrong < 27; signIn++) {
      c = await passwordStep(t, u, `203.0.113.${10 + signIn}`);
      for (let i = 0; i < 4 && wrong < 27; i++, wrong++) {
        const res = await c.request('POST', '/login/mfa', { form: { code: wrongCode(u.totpSecret!, wrong) } });
        assert.notEqual(res.statusCode, 302, `wrong code ${wrong + 1} was not accepted`);
      }
    }
    const right = await c!.request('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret!) } });
    assert.notEqual(right.statusCode, 302, 'the right code after 27 wrong ones is refused');
    assert.equal(await signedIn(c!), false);
    assert.equal(right.statusCode, 429);
    assert.match(right.body, /too many wrong codes/i);

    // From a new address and a new password sign-in: still refused.
    const fresh = await passwordStep(t, u, '198.51.100.77');
    const again = await fresh.request('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret!) } });
    assert.equal(again.statusCode, 429);
    assert.equal(await signedIn(fresh), false);
    assert.equal(await countEvents(t, u.id, 'auth.mfa_failed'), 5, 'five codes were checked; the rest were refused unchecked');
    assert.equal(await countEvents(t, u.id, 'auth.mfa_lockout'), 1);

    // In Spanish too.
    const es = await passwordStep(t, u, '198.51.100.78');
    await es.get('/lang/es');
    const spanish = await es.request('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret!) } });
    assert.equal(spanish.statusCode, 429);
    assert.match(spanish.body, /demasiados códigos incorrectos/i);

    // An administrator unlocks it; then the right code signs in.
    const admin = await t.signedIn('admin');
    assert.equal((await admin.request('POST', `/api/users/${u.id}/unlock`)).statusCode, 200);
    const ok = await passwordStep(t, u, '198.51.100.79');
    await t.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', u.id).execute();
    assert.equal((await ok.request('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret!) } })).statusCode, 302);
    assert.equal(await signedIn(ok), true);
  }));

test('twelve wrong codes at once from twelve sign-ins: five are checked, the others refused', () =>
  withApp(async (t) => {
    const u = await t.user('caseworker');
    const clients: TestClient[] = [];
    for (let i = 0; i < 12; i++) clients.push(await passwordStep(t, u, `203.0.113.${100 + i}`));
    const answers = await Promise.all(clients.map((c, i) => c.request('POST', '/login/mfa', { form: { code: wrongCode(u.totpSecret!, i * 7) } })));
    assert.ok(answers.every((r) => r.statusCode !== 302));
    assert.equal(await countEvents(t, u.id, 'auth.mfa_failed'), 5);
    assert.equal(answers.filter((r) => r.statusCode === 429).length, 7);
  }));
