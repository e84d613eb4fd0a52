/**
 * Sign-in lockout that slows an attacker down without letting anyone lock a person out (issue 15, finding 6: "five
 * wrong passwords from anyone lock anyone out for 15 minutes").
 *
 * - Failures are counted per (client address, account): five from one address lock that address out of that
 *   account; the person signing in from elsewhere is not locked out.
 * - Failures are counted per account too, across addresses: past twice the limit, every attempt on that e-mail
 *   waits a little longer (doubling, capped), whether or not an account has that e-mail, so the wait reveals nothing.
 * - Administrators unlock an account: on the users page, through the API and on the command line; each audited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, csrfFrom, runCli, type TestApp, type TestClient } from './testing.ts';
import { createUser } from './auth/index.ts';

const ENV = { RATE_LIMIT_PER_MINUTE: '100000', LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' };

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp({ env: ENV });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

function clientAt(t: TestApp, address: string): TestClient {
  const c = t.client();
  c.address = address;
  return c;
}

async function postLogin(c: TestClient, email: string, password: string) {
  c.csrf = csrfFrom((await c.get('/login')).body);
  return c.request('POST', '/login', { form: { email, password } });
}

async function signedIn(c: TestClient): Promise<boolean> {
  const res = await c.get('/api/session');
  return res.statusCode === 200 && (res.json() as { signed_in: boolean }).signed_in;
}

async function actions(t: TestApp, userId: string): Promise<string[]> {
  return (await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', userId).orderBy('at').execute()).map((r) => String(r.action));
}

test('five wrong passwords lock the attacker\'s address out of the account, not the person at another address', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const attacker = clientAt(t, '203.0.113.7');
    for (let i = 0; i < 5; i++) assert.equal((await postLogin(attacker, u.email, `guess number ${i}`)).statusCode, 401, `guess ${i + 1}`);
    const locked = await postLogin(attacker, u.email, u.password);
    assert.equal(locked.statusCode, 401, 'from the attacker\'s address even the right password is refused now');
    assert.equal(await signedIn(attacker), false);

    const person = clientAt(t, '198.51.100.20');
    const ok = await postLogin(person, u.email, u.password);
    assert.equal(ok.statusCode, 302, 'the person at another address signs in');
    assert.equal(await signedIn(person), true);
    assert.ok((await actions(t, u.id)).includes('auth.lockout'), 'the lock is audited');

    // The person's own mistakes count at the person's address, and a success there clears them.
    const typo = clientAt(t, '198.51.100.20');
    for (let i = 0; i < 4; i++) assert.equal((await postLogin(typo, u.email, 'typo typo typo')).statusCode, 401);
    assert.equal((await postLogin(typo, u.email, u.password)).statusCode, 302, 'four mistakes, then the right password: in');
    for (let i = 0; i < 4; i++) assert.equal((await postLogin(typo, u.email, 'typo typo typo')).statusCode, 401);
    assert.equal((await postLogin(typo, u.email, u.password)).statusCode, 302, 'the success started the count again');
  }));

test('addresses of one IPv6 /64 count as one address: rotating through them does not get more guesses', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    for (let i = 1; i <= 5; i++) assert.equal((await postLogin(clientAt(t, `2001:db8:5:6::${i}`), u.email, `guess ${i}`)).statusCode, 401);
    assert.equal((await postLogin(clientAt(t, '2001:db8:5:6:a:b:c:d'), u.email, u.password)).statusCode, 401, 'the whole /64 is locked out');
    assert.equal((await postLogin(clientAt(t, '2001:db8:5:7::1'), u.email, u.password)).statusCode, 302, 'the next /64 is not');
  }));

test('failures from many addresses slow every attempt on that e-mail down, known or not, and the right password still works', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const unknown = 'nobody-at-all@test.example';
    // Twelve failures against each e-mail, four from each of three addresses: no address is locked.
    for (const email of [u.email, unknown]) {
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        const c = clientAt(t, address);
        for (let i = 0; i < 4; i++) assert.equal((await postLogin(c, email, `guess ${i}`)).statusCode, 401);
      }
    }
    const timed = async (email: string, password: string, address: string) => {
      const c = clientAt(t, address);
      c.csrf = csrfFrom((await c.get('/login')).body);
      const t0 = Date.now();
      const res = await c.request('POST', '/login', { form: { email, password } });
      return { status: res.statusCode, ms: Date.now() - t0, c };
    };
    // A fresh e-mail with no failures answers at once (the test hash cost is about a millisecond).
    const calm = await timed('calm@test.example', 'whatever it is', '192.0.2.50');
    assert.ok(calm.ms < 200, `an e-mail without failures answered in ${calm.ms} ms`);

    // Twelve failures, over the ten that two addresses' worth would be: 100 ms doubled twice, about 400 ms.
    const known = await timed(u.email, u.password, '192.0.2.51');
    assert.equal(known.status, 302, 'the right password from a new address still signs in');
    assert.equal(await signedIn(known.c), true);
    assert.ok(known.ms >= 350, `the attempt on the attacked account waited ${known.ms} ms`);
    const nobody = await timed(unknown, 'whatever it is', '192.0.2.52');
    assert.equal(nobody.status, 401);
    assert.ok(nobody.ms >= 350, `an attempt on an attacked e-mail without an account waits alike: ${nobody.ms} ms`);
  }));

test('an administrator unlocks an account on the users page, through the API and on the command line, each audited', () =>
  withApp(async (t) => {
    const u = await t.user('member');
    const lockFrom = async (address: string) => {
      const c = clientAt(t, address);
      for (let i = 0; i < 5; i++) await postLogin(c, u.email, 'not it at all');
      assert.equal((await postLogin(c, u.email, u.password)).statusCode, 401, `locked from ${address}`);
      return c;
    };

    // The users page shows the lock and offers to unlock.
    const admin = await t.signedIn('admin');
    let attacker = await lockFrom('203.0.113.30');
    let page = await admin.get('/admin/users');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`action="/admin/users/${u.id}/unlock"`));
    admin.csrf = csrfFrom(page.body);
    const unlocked = await admin.request('POST', `/admin/users/${u.id}/unlock`, { form: {} });
    assert.equal(unlocked.statusCode, 303);
    assert.equal(unlocked.headers.location, '/admin/users');
    assert.equal((await postLogin(attacker, u.email, u.password)).statusCode, 302, 'unlocked: the right password works from there again');
    page = await admin.get('/admin/users');
    assert.doesNotMatch(page.body, new RegExp(`action="/admin/users/${u.id}/unlock"`), 'nothing left to unlock');

    // The API, for administrators only.
    attacker = await lockFrom('203.0.113.31');
    const member = await t.signedIn('member');
    assert.equal((await member.request('POST', `/api/users/${u.id}/unlock`)).statusCode, 403);
    assert.equal((await postLogin(attacker, u.email, u.password)).statusCode, 401, 'a refused unlock changed nothing');
    const listed = (await admin.get('/api/users')).json() as { id: string; locked_until: string | null }[];
    assert.ok(listed.find((x) => x.id === u.id)?.locked_until, 'the API shows the lock');
    const api = await admin.request('POST', `/api/users/${u.id}/unlock`);
    assert.equal(api.statusCode, 200, api.body);
    assert.deepEqual(api.json(), { unlocked: true });
    assert.equal((await admin.request('POST', '/api/users/00000000-0000-4000-8000-000000000000/unlock')).statusCode, 404);
    assert.equal((await admin.request('POST', '/api/users/not-an-id/unlock')).statusCode, 400);
    assert.equal((await postLogin(attacker, u.email, u.password)).statusCode, 302);

    // The command line, by e-mail.
    attacker = await lockFrom('203.0.113.32');
    const env = { DATABASE_URL: t.db.config.databaseUrl, SESSION_SECRET: t.db.config.sessionSecret, DATA_KEY: t.db.config.dataKey };
    const cli = await runCli(['users', 'unlock', u.email.toUpperCase()], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`unlocked ${u.email}`));
    const missing = await runCli(['users', 'unlock', 'nobody@test.example'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nobody@test\.example/);
    const noEmail = await runCli(['users', 'unlock'], env);
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.stderr, /e-mail/i);
    assert.equal((await postLogin(attacker, u.email, u.password)).statusCode, 302);

    const unlocks = (await t.ctx.db.selectFrom('audit_events').select(['action', 'actor_id']).where('entity_id', '=', u.id).where('action', '=', 'user.unlock').execute());
    assert.equal(unlocks.length, 3, 'each unlock is audited');
    const adminUser = await t.user('admin');
    assert.equal(unlocks.filter((e) => e.actor_id === adminUser.id).length, 2, 'by the administrator who did it');
  }));

test('an account made with a locked e-mail before it existed is not born locked for others', () =>
  withApp(async (t) => {
    // Failures against an e-mail without an account lock that address only; the account made later is usable.
    const attacker = clientAt(t, '203.0.113.40');
    for (let i = 0; i < 6; i++) await postLogin(attacker, 'later@test.example', 'nothing');
    const row = await createUser(t.ctx, { email: 'later@test.example', name: 'Later', role: 'member', organization: 'Test Organization', password: 'a good long password' });
    assert.equal((await postLogin(clientAt(t, '198.51.100.40'), row.email, 'a good long password')).statusCode, 302);
  }));
