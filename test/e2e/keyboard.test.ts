/**
 * Keyboard only: the skip link comes first and lands in main, the menu is reachable in order, and on a phone-sized
 * screen the USWDS menu button opens the menu from the keyboard.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, navHrefs, newContext, signIn, startApp, type E2eApp } from './harness.ts';

/** What has focus now: its tag, href, id and classes. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      href: el?.getAttribute('href') ?? null,
      id: el?.id ?? '',
      cls: el?.className ?? '',
      inNav: Boolean(el?.closest('nav.usa-nav .usa-nav__primary')),
    };
  });
}

/**
 * Presses Tab until `pred` holds for the focused element, at most `max` times; returns the path of hrefs seen. A
 * closed menu submenu ("More") reached on the way is opened with Enter, as a keyboard user would.
 */
async function tabUntil(page: Page, pred: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 40) {
  const seen: Awaited<ReturnType<typeof focused>>[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.matches('nav.usa-nav .usa-nav__primary button[aria-controls][aria-expanded="false"]') ?? false)) await page.keyboard.press('Enter');
    const f = await focused(page);
    seen.push(f);
    if (pred(f)) return seen;
  }
  throw new Error(`focus never reached the element; went through:\n${seen.map((f) => `  <${f.tag}${f.href ? ' href=' + f.href : ''}${f.id ? ' id=' + f.id : ''} class="${f.cls}">`).join('\n')}`);
}

describe('keyboard only', { timeout: 5 * 60_000 }, () => {
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

  for (const who of ['anonymous', 'admin'] as const) {
    test(`skip link, then the menu in order, and Enter follows a link (${who}, desktop)`, async () => {
      const ctx = await newContext(browser, e);
      try {
        const page = await ctx.newPage();
        if (who === 'admin') await signIn(page, e, e.admin);
        await page.goto('/');
        await page.keyboard.press('Tab');
        const first = await focused(page);
        assert.match(first.cls, /usa-skipnav/, `the first Tab should reach the skip link, reached <${first.tag} class="${first.cls}">`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'main-content', null, { timeout: 5000 }).catch(() => {});
        assert.equal((await focused(page)).id, 'main-content', 'the skip link moves focus to main');

        await page.goto('/');
        const hrefs = await navHrefs(page);
        assert.ok(hrefs.length >= 1, 'the menu has links');
        const last = hrefs[hrefs.length - 1];
        const path = await tabUntil(page, (f) => f.inNav && f.href === last);
        const order = path.filter((f) => f.inNav && f.href).map((f) => f.href);
        assert.deepEqual(order, hrefs, 'Tab goes through each menu link, in order');

        // Enter on a menu link that is not the current page follows it.
        const target = hrefs.find((h) => h !== '/') ?? '/';
        await page.goto('/');
        await tabUntil(page, (f) => f.inNav && f.href === target);
        await Promise.all([page.waitForURL((u) => u.pathname === target || target === '/'), page.keyboard.press('Enter')]);
        assert.equal(new URL(page.url()).pathname, target);
      } finally {
        await ctx.close();
      }
    });
  }

  test('on a phone-sized screen the menu button opens the menu from the keyboard', async () => {
    const ctx = await newContext(browser, e, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
      const page = await ctx.newPage();
      await signIn(page, e, e.admin);
      await page.goto('/');
      const hrefs = await navHrefs(page);
      const menuButton = page.locator('button.usa-menu-btn');
      assert.ok(await menuButton.isVisible(), 'the menu button shows on a narrow screen');
      assert.equal(await page.locator('nav.usa-nav .usa-nav__primary a').first().isVisible(), false, 'the menu starts closed');

      await page.keyboard.press('Tab');
      assert.match((await focused(page)).cls, /usa-skipnav/, 'the skip link still comes first');
      await tabUntil(page, (f) => f.tag === 'button' && /usa-menu-btn/.test(f.cls), 10);
      await page.keyboard.press('Enter');
      await page.locator('nav.usa-nav.is-visible').waitFor({ state: 'visible', timeout: 5000 });
      // USWDS moves focus into the open menu (its close button) and keeps it there until the menu closes.
      assert.match((await focused(page)).cls, /usa-nav__close/, 'focus moves into the open menu');

      const last = hrefs[hrefs.length - 1];
      const path = await tabUntil(page, (f) => f.inNav && f.href === last, 20);
      assert.deepEqual(path.filter((f) => f.inNav).map((f) => f.href), hrefs, 'Tab goes through each menu link, in order');
      for (const h of hrefs) assert.ok(await page.locator(`nav.usa-nav .usa-nav__primary a[href="${h}"]`).isVisible(), `${h} is visible in the open menu`);

      const target = hrefs.find((h) => h !== '/') ?? '/';
      await page.locator(`nav.usa-nav .usa-nav__primary a[href="${target}"]`).focus();
      await Promise.all([page.waitForURL((u) => u.pathname === target || target === '/'), page.keyboard.press('Enter')]);
      assert.equal(new URL(page.url()).pathname, target);

      // Escape closes an open menu.
      await page.locator('button.usa-menu-btn').focus();
      await page.keyboard.press('Enter');
      await page.locator('nav.usa-nav.is-visible').waitFor({ state: 'visible', timeout: 5000 });
      await page.keyboard.press('Escape');
      await page.locator('nav.usa-nav.is-visible').waitFor({ state: 'detached', timeout: 5000 });
    } finally {
      await ctx.close();
    }
  });
});
