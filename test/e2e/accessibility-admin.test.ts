/**
 * Every page an administrator can reach by following links, scanned with axe against WCAG 2.1 A and AA (the
 * anonymous and member crawls are in accessibility.test.ts; the files run side by side).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { crawlAs, launchBrowser, startApp, type E2eApp } from './harness.ts';

describe('accessibility as an administrator (axe, WCAG 2.1 AA)', { timeout: 15 * 60_000 }, () => {
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

  test('every page reachable from the home page, signed in as an administrator', async () => {
    const r = await crawlAs(browser, e, 'administrator', 'admin');
    assert.ok(r.visited.includes('/admin/users'), 'the administrator reaches the user administration');
    assert.ok(r.visited.includes('/admin/audit'), 'the administrator reaches the audit log');
  });

});
