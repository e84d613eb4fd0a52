/**
 * The pages and forms of the sign-in hardening (issue 15) in a real browser, at a phone's width (390 px), in English
 * and Spanish: axe-clean (WCAG 2.1 AA), nothing wider than the screen, the proof forms shown again with their errors,
 * the code step refusing a locked account, and the users page with a lock to lift.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../test/e2e/harness.ts';
import { makeUser, totpCode, type TestUser } from './testing.ts';
import { beginMfaSetup, checkPassword, checkSecondFactor, enableMfa } from './auth/index.ts';
import { sha256 } from './crypto/index.ts';
import type { Ctx } from './context.ts';

let e: E2eApp;
let browser: Browser;
let member: TestUser;
let lockedCodes: TestUser;

before(async () => {
  // Single sign-on configured with a provider that is not running: the button shows, and following it explains.
  e = await startApp({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15', OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_CLIENT_ID: 'e2e', OIDC_NAME: 'Test ID' });
  browser = await launchBrowser();
  // A member with the second factor on, so that the account page shows the form that turns it off.
  member = e.member;
  const { secret } = await beginMfaSetup(e.ctx, member.id);
  await enableMfa(e.ctx, member.id, totpCode(secret));
  member.totpSecret = secret;
  // A case worker whose code step is locked: five wrong codes.
  lockedCodes = await makeUser(e.ctx, 'caseworker', 'locked-codes@test.example');
  for (let i = 0; i < 5; i++) await checkSecondFactor({ ...e.ctx, system: undefined }, lockedCodes.id, '000000');
  // The fresh member is locked out from one address by five wrong passwords.
  const from: Ctx = { ...e.ctx, system: undefined, actor: null, ip: '203.0.113.5' };
  for (let i = 0; i < 5; i++) await checkPassword(from, e.freshMember.email, 'not the password');
});
after(async () => {
  await browser?.close();
  await e?.close();
});

async function fits(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** A check of one page in one language: its status, a text it must say, its width and axe; problems are collected. */
function checker(problems: string[], lang: string) {
  return async (page: Page, what: string, status: number | undefined, expected: number, text?: RegExp) => {
    const label = `${lang} ${what}`;
    if (status !== expected) problems.push(`${label}: HTTP ${status}, expected ${expected}`);
    if (text && !text.test(await page.content())) problems.push(`${label}: the page does not say ${text}`);
    if (!(await fits(page))) problems.push(`${label}: wider than 390 px`);
    const report = formatViolations(label, await axe(page));
    if (report) problems.push(report);
  };
}

/** Fills a form of the page's main content and sends it with its button; the answer's status. */
async function post(page: Page, action: string, fill: Record<string, string>): Promise<number> {
  for (const [name, value] of Object.entries(fill)) await page.locator(`main form[action="${action}"] [name="${name}"]`).fill(value);
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(action)), page.locator(`main form[action="${action}"] button[type="submit"]`).click()]);
  await page.waitForLoadState('load');
  return res.status();
}

test('sign-in hardening pages at 390 px, in English and Spanish: axe-clean, within the screen, errors named', { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  for (const lang of ['en', 'es'] as const) {
    const ctx = await newContext(browser, e, { viewport: { width: 390, height: 844 }, locale: lang === 'es' ? 'es-ES' : 'en-US', extraHTTPHeaders: { 'accept-language': lang } });
    const check = checker(problems, lang);
    try {
      // A refused sign-in.
      const page = await ctx.newPage();
      await page.goto('/login');
      await page.locator('#field-email').fill(e.freshMember.email);
      await page.locator('#field-password').fill('certainly not it');
      const refused = await post(page, '/login', {});
      await check(page, 'refused sign-in', refused, 401, lang === 'es' ? /desbloquee su cuenta/ : /unlock your account/);

      // The code step of a locked account: the right code is refused.
      await page.goto('/login');
      await page.locator('#field-email').fill(lockedCodes.email);
      await page.locator('#field-password').fill(lockedCodes.password);
      await Promise.all([page.waitForURL(/\/login\/mfa/), page.locator('main form[action="/login"] button[type="submit"]').click()]);
      const codeStatus = await post(page, '/login/mfa', { code: totpCode(lockedCodes.totpSecret!) });
      await check(page, 'code step, account locked', codeStatus, 429, lang === 'es' ? /Demasiados códigos incorrectos/ : /Too many wrong codes/);

      // The account page of a member with the second factor on: the proof form and the sign-out box.
      // Signed in through the English form (the harness finds its fields by their English labels), then switched.
      const mp = await (await newContext(browser, e, { viewport: { width: 390, height: 844 } })).newPage();
      await signIn(mp, e, member);
      if (lang === 'es') await mp.goto('/lang/es?next=/account');
      await check(mp, 'account page', (await mp.goto('/account'))?.status(), 200, lang === 'es' ? /Confirme que es usted/ : /Confirm it is you/);
      const wrong = await post(mp, '/account/mfa/disable', { password: 'this is not my password' });
      await check(mp, 'turning two-step off with a wrong password', wrong, 400, lang === 'es' ? /La contraseña no es correcta/ : /The password is not right/);
      assert.ok(await mp.locator('#field-password-error').isVisible(), 'the password field shows its error');
      await check(mp, 'replacing the authenticator', (await mp.goto('/account/mfa'))?.status(), 200);
      const badCode = await post(mp, '/account/mfa/start', { code: '000000' });
      await check(mp, 'replacing with a wrong code', badCode, 400);
      await mp.context().close();

      // The users page with a lock to lift.
      const ap = await (await newContext(browser, e, { viewport: { width: 390, height: 844 } })).newPage();
      await signIn(ap, e, e.admin);
      if (lang === 'es') await ap.goto('/lang/es?next=/admin/users');
      await check(ap, 'users page with a lock', (await ap.goto('/admin/users'))?.status(), 200, new RegExp(`/admin/users/${e.freshMember.id}/unlock`));
      await ap.context().close();
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('account pages (issue 16 item 7) at 390 px, in English and Spanish: axe-clean, within the screen, errors named', { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  const target = await makeUser(e.ctx, 'member', 'e2e-accounts@test.example');
  const admin = await makeUser(e.ctx, 'admin', 'e2e-accounts-admin@test.example');
  for (const lang of ['en', 'es'] as const) {
    const es = lang === 'es';
    // Each language's sign-in gives its own code (a code is accepted once per 30-second step).
    await e.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', admin.id).execute();
    const phone = { viewport: { width: 390, height: 844 } };
    const check = checker(problems, lang);
    const ctx = await newContext(browser, e, phone);
    try {
      const page = await ctx.newPage();
      if (es) await page.goto('/lang/es?next=/login');
      await check(page, 'sign-in page with single sign-on', (await page.goto('/login'))?.status(), 200, es ? /Iniciar sesión con Test ID/ : /Sign in with Test ID/);
      await check(page, 'provider unreachable', (await page.goto('/login/oidc'))?.status(), 503, es ? /No se pudo contactar con Test ID/ : /Test ID could not be reached/);
      await check(page, 'forgot password', (await page.goto('/login/forgot'))?.status(), 200);
      await page.locator('main form[action="/login/forgot"]').evaluate((f) => f.setAttribute('novalidate', ''));
      await check(page, 'forgot password, bad address', await post(page, '/login/forgot', { email: 'not an address' }), 400, /href="#field-email"/);
      await page.goto('/login/forgot');
      await check(page, 'forgot password, sent', await post(page, '/login/forgot', { email: 'nobody@test.example' }), 200, es ? /Si una cuenta usa esta dirección/ : /If an account uses this address/);
      const token = `e2e-link-${lang}-0123456789abcdef`;
      await e.ctx.db
        .insertInto('account_links')
        .values({ id: crypto.randomUUID(), user_id: target.id, purpose: 'invite', token_hash: sha256(token), created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3600_000).toISOString(), used_at: null })
        .execute();
      await check(page, 'choose a password', (await page.goto(`/password/set/${token}`))?.status(), 200, es ? /Elija su contraseña/ : /Choose your password/);
      await check(page, 'choose a password, too short', await post(page, `/password/set/${token}`, { new_password: 'short', confirm_password: 'short' }), 400, /href="#field-new_password"/);
      await check(page, 'a link that does not work', (await page.goto('/password/set/not-a-working-link-at-all'))?.status(), 400, es ? /Este enlace no funciona/ : /This link does not work/);

      const ap = await (await newContext(browser, e, phone)).newPage();
      await signIn(ap, e, admin);
      if (es) await ap.goto('/lang/es?next=/admin/users');
      await check(ap, 'account page, wrong current password', ((await ap.goto('/account')), await post(ap, '/account/password', { password: 'certainly not mine', new_password: 'a long new password', confirm_password: 'a long new password' })), 400, /href="#field-password"/);
      await check(ap, 'users page with the invitation form', (await ap.goto('/admin/users'))?.status(), 200, /action="\/admin\/users\/invite"/);
      await check(ap, "an account's page", (await ap.goto(`/admin/users/${target.id}`))?.status(), 200, es ? /Cambiar el rol/ : /Change the role/);
      await Promise.all([ap.waitForURL(/done=disabled/), ap.locator(`main form[action="/admin/users/${target.id}/disable"] button`).click()]);
      await check(ap, 'account disabled, confirmed', 200, 200, es ? /Se desactivó la cuenta/ : /The account was disabled/);
      await Promise.all([ap.waitForURL(/done=enabled/), ap.locator(`main form[action="/admin/users/${target.id}/enable"] button`).click()]);
      await ap.context().close();
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('quick exit (issue 16): Esc twice or the link replaces the page and its history entry with a neutral site; it fits at 390 px', { timeout: 120_000 }, async () => {
  const ctx = await newContext(browser, e, { viewport: { width: 390, height: 844 } });
  // No internet here: the neutral site is answered in the browser.
  await ctx.route('https://www.weather.gov/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>Weather</title><p>Forecast</p>' }));
  const page = await ctx.newPage();
  await page.goto(`${e.base}/`);
  await page.goto(`${e.base}/directory`);
  const bar = await page.locator('.quick-exit').boundingBox();
  assert.ok(bar && bar.y === 0 && bar.width <= 390, 'the bar is at the top, within the screen');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  await page.keyboard.press('Escape');
  assert.match(page.url(), /\/directory$/, 'one Esc does nothing');
  await page.keyboard.press('Escape');
  await page.waitForURL('https://www.weather.gov/');
  await page.goBack();
  assert.match(page.url(), /\/$/, 'Back leads to the page before, not to the page that was left');
  await page.goto(`${e.base}/login`);
  await page.getByRole('link', { name: 'Leave this site' }).click();
  await page.waitForURL('https://www.weather.gov/');
  await ctx.close();
});
