/**
 * Every page a person can reach by following links, anonymous and signed in as a member, scanned with axe against
 * WCAG 2.1 A and AA; plus the pages no link leads to (sign-in steps, error pages, forms shown again with errors).
 * The administrator's crawl is in accessibility-admin.test.ts, so that the two run side by side.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertClean, axe, checkLayout, layoutProblems, crawlAs, noValidate, launchBrowser, newContext, signIn, startApp, type E2eApp, type PageViolation } from './harness.ts';

const log = (line: string) => process.stdout.write(line + '\n');

describe('accessibility (axe, WCAG 2.1 AA)', { timeout: 15 * 60_000 }, () => {
  let e: E2eApp;
  let browser: Browser;

  before(async () => {
    // The optional government banner is on so that its markup is scanned too.
    e = await startApp({ GOV_BANNER: 'true' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await e?.close();
  });

  test('the layout check finds a table wider than its box, a page wider than the window and text under 12 px', async () => {
    const ctx = await newContext(browser, e, { viewport: { width: 390, height: 800 } });
    const page = await ctx.newPage();
    await page.setContent(
      '<main><div style="overflow-x:auto"><table><caption>Wide</caption><tr><td style="white-space:nowrap">' + 'x'.repeat(200) + '</td></tr></table></div>' +
        '<p style="font-size:10px">small print</p><svg viewBox="0 0 1000 100" width="100%"><text x="0" y="50" font-size="14">shrunk</text></svg>' +
        '<div style="width:600px">wide block</div><p class="usa-sr-only" style="position:absolute;left:-999em;font-size:8px">for screen readers</p></main>',
    );
    const found = (await layoutProblems(page)).join('\n');
    assert.match(found, /table "Wide" is \d+px wide in a \d+px box/);
    assert.match(found, /the page is \d+px wide in a 390px window/);
    assert.match(found, /text under 12px in p: 1 piece\(s\), e\.g\. "small print" at 10\.0px/);
    assert.match(found, /text under 12px in svg text: 1 piece\(s\), e\.g\. "shrunk" at 5\.\dpx/);
    assert.doesNotMatch(found, /for screen readers/);
    await ctx.close();
  });

  test('every page reachable from the home page, anonymous', async () => {
    await crawlAs(browser, e, 'anonymous');
  });

  test('every page reachable from the home page, signed in as a member', async () => {
    const r = await crawlAs(browser, e, 'member', 'member');
    assert.ok(r.visited.includes('/account'), 'a member reaches their account page');
  });

  test('pages no link leads to', async () => {
    const violations: PageViolation[] = [];
    const problems: string[] = [];
    const layout: string[] = [];
    const scan = async (page: Page, what: string, expectStatus?: number, status?: number) => {
      if (expectStatus !== undefined && status !== expectStatus) problems.push(`${what}: expected HTTP ${expectStatus}, got ${status}`);
      // Forms shown again with their errors fit at each width too.
      layout.push(...(await checkLayout(page)).map((m) => `${what} at ${m}`));
      const vs = await axe(page);
      log(`  ${what} (${new URL(page.url()).pathname}): ${vs.length ? vs.length + ' violation(s)' : 'no violations'}`);
      violations.push(...vs.map((v) => ({ ...v, url: `${v.url} [${what}]` })));
    };
    const status = async (page: Page, path: string) => (await page.goto(path))?.status();

    log('pages no link leads to:');
    // Anonymous.
    {
      const ctx = await newContext(browser, e);
      const page = await ctx.newPage();
      await scan(page, 'sign-in form', 200, await status(page, '/login'));
      await scan(page, 'API reference', 200, await status(page, '/api/docs'));
      await scan(page, 'not found page', 404, await status(page, '/no-such-page-here'));
      await scan(page, 'not found page, deep path', 404, await status(page, '/a/b/c/d'));
      // A wrong password shows the form again with an error.
      await page.goto('/login');
      await page.getByLabel(/e-mail/i).fill(e.member.email);
      await page.getByLabel(/password/i).fill('not the password at all');
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/login')), page.locator('main form button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'sign-in form after a wrong password', 401, res.status());
      // The second step of signing in, with a wrong code.
      await page.goto('/login');
      await page.getByLabel(/e-mail/i).fill(e.admin.email);
      await page.getByLabel(/password/i).fill(e.admin.password);
      await Promise.all([page.waitForURL(/\/login\/mfa/), page.locator('main form button[type="submit"]').click()]);
      await scan(page, 'second-factor form', 200, 200);
      await page.locator('#field-code').fill('000000');
      const [res2] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/login/mfa')), page.locator('main form button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'second-factor form after a wrong code', 401, res2.status());
      await ctx.close();
    }
    // In Spanish.
    {
      const ctx = await newContext(browser, e, { locale: 'es-ES', extraHTTPHeaders: { 'accept-language': 'es' } });
      const page = await ctx.newPage();
      await scan(page, 'home page in Spanish', 200, await status(page, '/'));
      assert.equal(await page.getAttribute('html', 'lang'), 'es');
      await scan(page, 'sign-in form in Spanish', 200, await status(page, '/login'));
      await scan(page, 'not found page in Spanish', 404, await status(page, '/nada'));
      await ctx.close();
    }
    // A member who has not set up two-step verification.
    {
      const ctx = await newContext(browser, e);
      const page = await ctx.newPage();
      await signIn(page, e, e.freshMember);
      await scan(page, 'two-step verification, before starting', 200, await status(page, '/account/mfa'));
      // Starting asks for the password again: sent without it, the form comes back naming the field.
      const [unproven] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/mfa/start')), page.locator('main form[action="/account/mfa/start"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'two-step set-up start without the password', 400, unproven.status());
      await page.locator('main form[action="/account/mfa/start"] input[name="password"]').fill(e.freshMember.password);
      const [started] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/mfa/start')), page.locator('main form[action="/account/mfa/start"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await page.locator('#field-code').waitFor();
      await scan(page, 'two-step verification set-up', 303, started.status());
      await page.locator('#field-code').fill('000000');
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/mfa')), page.locator('main form[action="/account/mfa"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'two-step set-up after a wrong code', 400, res.status());
      // The token form, sent empty, comes back with errors.
      await page.goto('/account');
      const form = page.locator('main form[action="/account/tokens"]');
      await noValidate(page, 'main form[action="/account/tokens"]');
      const [res3] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/tokens')), form.locator('button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'API token form with errors', 400, res3.status());
      // ... and, filled in, shows the new token once.
      await page.locator('main form[action="/account/tokens"] input[name="name"]').fill('e2e token');
      await page.locator('main form[action="/account/tokens"] input[name="scopes"] + label').first().click();
      const [res4] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/tokens')), page.locator('main form[action="/account/tokens"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'account page showing a new token', 201, res4.status());
      await ctx.close();
    }
    // An administrator's forms with errors, and a page refused for lack of permission.
    {
      const ctx = await newContext(browser, e);
      const page = await ctx.newPage();
      await signIn(page, e, e.admin);
      await page.goto('/admin/users');
      await noValidate(page, 'main form[action="/admin/users/invite"]');
      await page.locator('main form[action="/admin/users/invite"] input[name="email"]').fill('not-an-email');
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/users/invite')), page.locator('main form[action="/admin/users/invite"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      await scan(page, 'invitation form with errors', 400, res.status());
      await scan(page, 'audit log filter with a bad date', 400, await status(page, '/admin/audit?from=yesterday'));
      await ctx.close();

      const mctx = await newContext(browser, e);
      const mpage = await mctx.newPage();
      await signIn(mpage, e, e.member);
      await scan(mpage, 'forbidden page', 403, await status(mpage, '/admin/users'));
      await mctx.close();
    }
    assertClean('pages no link leads to', { violations, problems, layout });
  });
});
