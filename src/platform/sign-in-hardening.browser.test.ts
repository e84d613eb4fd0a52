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
import type { Ctx } from './context.ts';

let e: E2eApp;
let browser: Browser;
let member: TestUser;
let lockedCodes: TestUser;

before(async () => {
  e = await startApp({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' });
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

test('sign-in hardening pages at 390 px, in English and Spanish: axe-clean, within the screen, errors named', { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  for (const lang of ['en', 'es'] as const) {
    const ctx = await newContext(browser, e, { viewport: { width: 390, height: 844 }, locale: lang === 'es' ? 'es-ES' : 'en-US', extraHTTPHeaders: { 'accept-language': lang } });
    const check = async (page: Page, what: string, status: number | undefined, expected: number, text?: RegExp) => {
      const label = `${lang} ${what}`;
      if (status !== expected) problems.push(`${label}: HTTP ${status}, expected ${expected}`);
      if (text && !text.test(await page.content())) problems.push(`${label}: the page does not say ${text}`);
      if (!(await fits(page))) problems.push(`${label}: wider than 390 px`);
      const report = formatViolations(label, await axe(page));
      if (report) problems.push(report);
    };
    const post = async (page: Page, action: string, fill: Record<string, string>) => {
      for (const [name, value] of Object.entries(fill)) await page.locator(`main form[action="${action}"] [name="${name}"]`).fill(value);
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(action)), page.locator(`main form[action="${action}"] button[type="submit"]`).click()]);
      await page.waitForLoadState('load');
      return res.status();
    };
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
