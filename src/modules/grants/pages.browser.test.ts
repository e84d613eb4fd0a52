/**
 * The grants pages in Chromium: axe (WCAG 2.1 AA) in English and Spanish at 1280 and 390 pixels with nothing wider
 * than the phone, for the public, an agency's staff and the committee; a plan entered by keyboard with JavaScript
 * off, its errors passing axe too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { makeUser, type TestUser } from '../../platform/testing.ts';
import { allAgencies, linkAgencyOrganization } from '../structure/index.ts';
import * as store from './store.ts';

let e: E2eApp;
let browser: Browser;
let staff: TestUser;

before(async () => {
  e = await startApp();
  browser = await launchBrowser();
  const doj = (await allAgencies(e.ctx.db)).find((a) => a.abbreviation === 'DOJ')!;
  staff = await makeUser(e.ctx, 'member', 'e2e-doj@test.example', 'E2E Justice Grants Office');
  await linkAgencyOrganization(e.ctx, doj.id, { organization_id: staff.organization_id });
});
after(async () => {
  await browser?.close();
  await e?.close();
});

const fitsWidth = (page: Page, width: number) => page.evaluate((w) => document.documentElement.scrollWidth <= w, width);

test('grants pages pass axe in English and Spanish and fit 390 px, for the public, agency staff and the committee', { timeout: 600_000 }, async () => {
  const plans = await store.listPlans(e.ctx.db);
  const plan = plans.find((p) => p.programme.includes('Services for Victims'))!;
  const notice = (await store.listNotices(e.ctx.db))[0];
  const pub = ['/grants/funding', '/grants/funding?kind=forecast&open_on=2020-01-01', '/grants/funding?listing=bad', '/grants/funding/990001'];
  const mine = ['/grants', '/grants/plans/new', `/grants/plans/${plan.id}`, `/grants/plans/${plan.id}/edit`, '/grants/notices', '/grants/notices/new', `/grants/notices/${notice.id}`, '/grants/awards', '/grants/awards/new', '/grants/overlaps', '/grants/gaps?state=MD', '/grants/gaps?state=MD&distance=999', '/grants/summary'];
  const committee = ['/grants/watch', '/grants/awards/import', `/grants/notices/${notice.id}`, `/grants/plans/${plan.id}`];
  const who: [string, 'en' | 'es', TestUser | null, string[]][] = [
    ['public en', 'en', null, pub],
    ['public es', 'es', null, pub],
    ['DOJ staff en', 'en', staff, mine],
    ['DOJ staff es', 'es', staff, mine],
    ['committee en', 'en', e.admin, committee],
    ['committee es', 'es', e.admin, committee],
  ];
  const problems: string[] = [];
  for (const [label, lang, user, urls] of who) {
    for (const width of [1280, 390]) {
      const ctx = await newContext(browser, e, { viewport: { width, height: 900 }, isMobile: width === 390 });
      try {
        const page = await ctx.newPage();
        if (user) await signIn(page, e, user);
        if (lang === 'es') await ctx.addCookies([{ name: 'lang', value: 'es', url: e.base }]);
        for (const url of urls) {
          const res = await page.goto(url);
          const expected = /=bad|distance=999/.test(url) ? 400 : 200;
          assert.equal(res?.status(), expected, `${label} ${url}`);
          if (lang === 'es') assert.equal(await page.getAttribute('html', 'lang'), 'es');
          const report = formatViolations(`${label} ${width}px ${url}`, await axe(page));
          if (report) problems.push(report);
          if (width === 390 && !(await fitsWidth(page, 390))) problems.push(`${label} ${url}: wider than 390 px`);
        }
      } finally {
        await ctx.close();
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('a plan entered by keyboard without JavaScript at 390 px; the form with errors passes axe', { timeout: 180_000 }, async () => {
  const ctx = await newContext(browser, e, { javaScriptEnabled: false, viewport: { width: 390, height: 800 }, isMobile: true });
  try {
    const page = await ctx.newPage();
    await signIn(page, e, staff);
    await page.goto('/grants/plans/new');
    // Text the browser lets through (the field is required, not numeric): the server's answer is what is tested.
    await page.locator('#field-fiscal_year').fill('next year');
    await page.locator('#field-programme').focus();
    await page.keyboard.type('Keyboard programme');
    await page.locator('#field-purpose').fill('Typed by keyboard.');
    await Promise.all([page.waitForLoadState('load'), page.locator('main form[action="/grants/plans"] button[type="submit"]').press('Enter')]);
    const html = await page.content();
    assert.match(html, /id="field-fiscal_year-error"/);
    assert.match(html, /value="Keyboard programme"/);
    await page.locator('#field-fiscal_year').fill('2027');
    // A state is ticked by name, from the keyboard.
    await page.getByLabel('Maryland', { exact: true }).focus();
    await page.keyboard.press('Space');
    assert.ok(await page.getByLabel('Maryland', { exact: true }).isChecked());
    await Promise.all([page.waitForURL(/\/grants\/plans\/[0-9a-f-]{36}$/, { timeout: 20_000 }).catch(async (err) => {
      throw new Error(`${(err as Error).message}\n${page.url()}\n${(await page.content()).replace(/<head>[\s\S]*?<main/, '<main').slice(0, 3000)}`);
    }), page.locator('main form[action="/grants/plans"] button[type="submit"]').press('Enter')]);
    assert.match(await page.content(), /Keyboard programme/);
    assert.match(await page.content(), /Maryland/, 'the ticked state saved');
    assert.ok(await fitsWidth(page, 390));
  } finally {
    await ctx.close();
  }
  // axe runs as a script, so the form with its errors is checked in a context with JavaScript on, in both languages.
  for (const lang of ['en', 'es']) {
    const js = await newContext(browser, e, { viewport: { width: 390, height: 800 }, isMobile: true });
    try {
      const page = await js.newPage();
      await signIn(page, e, staff);
      if (lang === 'es') await js.addCookies([{ name: 'lang', value: 'es', url: e.base }]);
      await page.goto('/grants/plans/new');
      await page.locator('#field-fiscal_year').fill('next year');
      await page.locator('#field-programme').fill('With errors');
      await page.locator('#field-purpose').fill('x');
      await page.locator('#field-states label', { hasText: 'Alaska' }).click();
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/grants/plans') && r.request().method() === 'POST'), page.locator('main form[action="/grants/plans"] button[type="submit"]').click()]);
      await page.waitForLoadState('load');
      assert.match(await page.content(), /id="field-fiscal_year-error"/);
      const report = formatViolations(`plan form with errors ${lang}`, await axe(page));
      assert.equal(report, '', report);
      assert.ok(await fitsWidth(page, 390));
    } finally {
      await js.close();
    }
  }
});
