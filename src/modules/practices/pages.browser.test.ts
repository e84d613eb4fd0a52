/**
 * The practices pages in Chromium over the demo data: axe (WCAG 2.1 AA) in English and Spanish for the public and
 * an administrator, nothing wider than a 390-pixel phone, and the search and a review working by keyboard with
 * JavaScript off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, noValidate, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';

let e: E2eApp;
let browser: Browser;
let sector: string;
let study: string;

before(async () => {
  e = await startApp();
  browser = await launchBrowser();
  const p = await e.ctx.db.selectFrom('practices_practice').select('id').where('name', 'like', 'Sector job training%').executeTakeFirstOrThrow();
  sector = String(p.id);
  const s = await e.ctx.db.selectFrom('practices_study').select('id').where('practice_id', '=', sector).orderBy('year', 'desc').executeTakeFirstOrThrow();
  study = String(s.id);
});
after(async () => {
  await browser?.close();
  await e?.close();
});

test('practices pages pass axe in English and Spanish, for the public and an administrator, and fit 390 pixels', { timeout: 300_000 }, async () => {
  const open = ['/practices', '/practices?outcome=employment&rating=effective', `/practices/${sector}`, `/practices/${sector}?zip=20001&radius=100`, `/practices/${sector}/brief`, `/practices/studies/${study}`, '/practices/rules', '/practices/digest', '/practices/digest/confirm?token=abc', '/practices/digest/unsubscribe?token=abc'];
  const signedIn = ['/practices/new', `/practices/${sector}/edit`, `/practices/${sector}/studies/new`, `/practices/${sector}/studies/import`, `/practices/studies/${study}/edit`, '/practices/review', '/practices/agreement', '/practices/nominate', '/practices/nominations', '/practices/nominations/mine'];
  const problems: string[] = [];
  for (const [label, lang, admin] of [['public en', 'en', false], ['public es', 'es', false], ['admin en', 'en', true], ['admin es', 'es', true]] as const) {
    for (const width of [1280, 390]) {
      const ctx = await newContext(browser, e, { viewport: { width, height: 900 } });
      try {
        const page = await ctx.newPage();
        if (admin) await signIn(page, e, e.admin);
        await ctx.addCookies([{ name: 'lang', value: lang, url: e.base }]);
        for (const url of admin ? [...open, ...signedIn] : open) {
          const res = await page.goto(url);
          assert.equal(res?.status(), 200, `${label} ${url}`);
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          if (width === 390) {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth);
            if (wide > 390) problems.push(`${label} ${url}: ${wide}px wide at a 390px viewport`);
            continue;
          }
          const report = formatViolations(`${label} ${url}`, await axe(page));
          if (report) problems.push(report);
        }
        if (admin && width === 1280) {
          // A form with errors, shown again beside its fields.
          await page.goto('/practices/new');
          await noValidate(page, 'main form[action="/practices"]');
          await Promise.all([page.waitForLoadState('load'), page.locator('main form[action="/practices"] button[type="submit"]').click()]);
          assert.match(await page.content(), /usa-error-message/);
          const report = formatViolations(`${label} practice form errors`, await axe(page));
          if (report) problems.push(report);
        }
      } finally {
        await ctx.close();
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('search and a review by keyboard, with JavaScript off', { timeout: 120_000 }, async () => {
  const ctx = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    await page.goto('/practices');
    await page.getByLabel('Words').fill('housing');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=housing/);
    assert.equal(await page.locator('.usa-card__heading a').count(), 1);
    await page.getByRole('link', { name: /Rapid re-housing/ }).click();
    await page.getByRole('heading', { level: 1, name: /Rapid re-housing/ }).waitFor();

    // A study still open for a review: a new one added by hand for this test.
    await signIn(page, e, e.admin);
    await page.goto(`/practices/${sector}/studies/new`);
    await page.getByLabel('Title').fill('Keyboard study (test)');
    await page.getByLabel('Authors').fill('Test, Author');
    await page.locator('#field-design').selectOption('randomised');
    await page.getByLabel('Title').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/practices\/studies\/[0-9a-f-]{36}$/);
    await page.locator('#field-rating').selectOption('high');
    await page.getByLabel('Notes').fill('By keyboard.');
    await page.getByRole('button', { name: 'Rate this study' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Your rating: High').waitFor({ timeout: 20_000 });
  } finally {
    await ctx.close();
  }
});
