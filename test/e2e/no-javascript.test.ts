/**
 * Without JavaScript the site still works: the menu is shown inline on a narrow screen and its links work, and a
 * member can sign in with the plain form.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, navHrefs, newContext, startApp, type E2eApp } from './harness.ts';

describe('without JavaScript', { timeout: 5 * 60_000 }, () => {
  let e: E2eApp;
  let browser: Browser;

  before(async () => {
    e = await startApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await e?.close();
  });

  test('on a phone-sized screen the menu links are visible and work', async () => {
    const ctx = await newContext(browser, e, { javaScriptEnabled: false, viewport: { width: 375, height: 740 }, isMobile: true });
    try {
      const page = await ctx.newPage();
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'class'), 'no-js', 'no script ran');
      assert.equal(await page.locator('button.usa-menu-btn').isVisible(), false, 'a menu button that cannot work is hidden');
      const hrefs = await navHrefs(page);
      assert.ok(hrefs.length >= 1);
      for (const h of hrefs) {
        const link = page.locator(`nav.usa-nav .usa-nav__primary a[href="${h}"]`);
        assert.ok(await link.isVisible(), `${h} is visible`);
        const box = await link.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375 + 1, `${h} fits on the screen`);
      }
      assert.ok(await page.locator('nav.usa-nav a[href^="/login"]').isVisible(), 'the sign-in link is visible');
      for (const h of hrefs) {
        await page.goto('/');
        const res = await Promise.all([page.waitForURL((u) => u.pathname === h), page.locator(`nav.usa-nav .usa-nav__primary a[href="${h}"]`).click()]);
        void res;
        assert.equal(new URL(page.url()).pathname, h);
      }
    } finally {
      await ctx.close();
    }
  });

  test('a member signs in with the plain form and lands signed in', async () => {
    const ctx = await newContext(browser, e, { javaScriptEnabled: false, viewport: { width: 375, height: 740 }, isMobile: true });
    try {
      const page = await ctx.newPage();
      await page.goto('/');
      await Promise.all([page.waitForURL(/\/login/), page.locator('nav.usa-nav a[href^="/login"]').click()]);
      await page.getByLabel(/e-mail/i).fill(e.member.email);
      await page.getByLabel(/password/i).fill(e.member.password);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form[action="/login"] button[type="submit"]').click()]);
      assert.equal(new URL(page.url()).pathname, '/', 'back where the member started');
      const account = page.locator('nav.usa-nav a[href="/account"]');
      assert.ok(await account.isVisible(), 'the account link shows');
      assert.match((await account.textContent()) ?? '', new RegExp(e.member.name));
      assert.ok(await page.locator('nav.usa-nav form[action="/logout"] button').isVisible(), 'sign out is offered');
      await Promise.all([page.waitForURL((u) => u.pathname === '/account'), account.click()]);
      assert.match(await page.locator('main').innerText(), new RegExp(e.member.email.replace(/[.]/g, '\\.')));
      // Signing out works without script too.
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('nav.usa-nav form[action="/logout"] button').click()]);
      assert.ok(await page.locator('nav.usa-nav a[href^="/login"]').isVisible(), 'signed out again');
    } finally {
      await ctx.close();
    }
  });
});
