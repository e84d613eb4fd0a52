import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { uuidv5 } from './model.ts';

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

const SHELTER = uuidv5('demo:svc:shelter');
const ORG = uuidv5('demo:org:freedom-network');
const PAGES = [
  '/directory',
  '/directory?q=job&near=20001&radius=25',
  '/directory?q=&near=20001&radius=10&need=employment&language=es&options=free&options=accepts_referrals',
  '/directory?near=abcde',
  '/directory?q=zzzzqq',
  `/directory/services/${SHELTER}`,
  `/directory/services/${uuidv5('demo:svc:jobs')}`,
  `/directory/organizations/${ORG}`,
];

test('directory pages pass axe (WCAG 2.1 AA) in English and Spanish, anonymous and signed in', { timeout: 120_000 }, async () => {
  const problems: string[] = [];
  for (const [label, locale, who] of [['anonymous en', 'en-US', undefined], ['anonymous es', 'es-ES', undefined], ['member', 'en-US', 'member'], ['admin', 'en-US', 'admin']] as const) {
    const ctx = await newContext(browser, e, { locale });
    try {
      const page = await ctx.newPage();
      if (who) await signIn(page, e, e[who]);
      for (const url of who === 'admin' ? [...PAGES, '/directory/unverified', '/directory/unverified?page=2'] : PAGES) {
        const res = await page.goto(url);
        assert.ok(res && (res.status() === 200 || (url.includes('abcde') && res.status() === 400)), `${label} ${url}: ${res?.status()}`);
        const report = formatViolations(`${label}`, await axe(page));
        if (report) problems.push(report);
      }
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('the search form works with JavaScript off', { timeout: 60_000 }, async () => {
  const ctx = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    {
      {
        await page.goto('/directory');
        await page.getByLabel('Near (ZIP code)').fill('20001');
        await page.getByLabel('What do you need?').fill('employment');
        await Promise.all([page.waitForURL(/near=20001/), page.locator('main form[action="/directory"] button[type="submit"]').click()]);
        assert.match(await page.content(), /services within 25 miles/);
      }
    }
  } finally {
    await ctx.close();
  }
});
