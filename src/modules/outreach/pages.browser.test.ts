import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, noValidate, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import * as store from './store.ts';
import { photoWithGps } from './testkit.ts';

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

/** Presses Enter in a field and waits for the page the form posts to (a 400 with the form again, or the next page). */
async function submitFrom(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator(selector).press('Enter')]);
  await page.waitForLoadState('load');
}

async function fitsWidth(page: Page, width: number): Promise<boolean> {
  return page.evaluate((w) => document.documentElement.scrollWidth <= w, width);
}

test('outreach pages pass axe (WCAG 2.1 AA) in English and Spanish and fit 390 px, for the public, a sponsor and staff', { timeout: 300_000 }, async () => {
  const campaign = (await store.listCampaigns(e.ctx.db, { includeDrafts: true })).find((c) => c.demo)!;
  const lesson = (await store.listLessons(e.ctx.db))[0];
  const event = (await store.listEvents(e.ctx.db))[0];
  // The youth event's registration form, as a sponsor with a group of their own sees it.
  const youth = (await store.listEvents(e.ctx.db)).find((x) => x.youth && x.capacity !== null)!;
  const { acceptTerms, createGroup } = await import('./commands.ts');
  const { ctxAs } = await import('../../platform/testing.ts');
  const memberCtx = await ctxAs(e.ctx, e.member);
  await acceptTerms(memberCtx, { accept: true, adult: true });
  await createGroup(memberCtx, { name: 'Axe club', kind: 'club', state: 'DC', grade_band: 'high' });
  const publicUrls = ['/outreach', `/outreach/campaigns/${campaign.id}`, '/outreach/toolkit', `/outreach/toolkit/${lesson.id}`, `/outreach/toolkit/${lesson.id}/print`, '/outreach/materials', '/outreach/events', `/outreach/events/${event.id}`, `/outreach/events/${youth.id}`];
  const sponsorUrls = ['/outreach/sponsor', '/outreach/sponsor/terms', '/outreach/groups/new', `/outreach/events/${youth.id}`];
  const staffUrls = ['/outreach/dashboard', '/outreach/moderation', '/outreach/campaigns/new', '/outreach/toolkit/new', `/outreach/toolkit/${lesson.id}/revise`, '/outreach/materials/new', '/outreach/events/new'];
  const problems: string[] = [];
  for (const lang of ['en', 'es']) {
    for (const [label, user, urls] of [['public', null, publicUrls], ['sponsor', e.member, sponsorUrls], ['staff', e.admin, staffUrls]] as const) {
      for (const width of [1280, 390]) {
        const ctx = await newContext(browser, e, { viewport: { width, height: 800 } });
        try {
          const page = await ctx.newPage();
          if (user) await signIn(page, e, user);
          await ctx.addCookies([{ name: 'lang', value: lang, url: e.base }]);
          for (const url of urls) {
            const res = await page.goto(url);
            assert.equal(res?.status(), 200, `${lang} ${label} ${url}`);
            if (width === 1280) {
              const report = formatViolations(`${lang} ${label} ${url}`, await axe(page));
              if (report) problems.push(report);
            } else if (!(await fitsWidth(page, width))) problems.push(`${lang} ${label} ${url}: wider than ${width} px`);
          }
        } finally {
          await ctx.close();
        }
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('a sponsor goes from terms to a reportback with a photo by keyboard, without JavaScript, at 390 px', { timeout: 180_000 }, async () => {
  const campaign = (await store.listCampaigns(e.ctx.db, { includeDrafts: true })).find((c) => c.demo)!;
  const photoPath = join(tmpdir(), `outreach-${process.pid}.jpg`);
  writeFileSync(photoPath, await photoWithGps(1200, 800));
  const ctx = await newContext(browser, e, { javaScriptEnabled: false, viewport: { width: 390, height: 800 }, isMobile: true });
  try {
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, e, e.freshMember);
    await page.goto('/outreach/sponsor/terms');
    await page.locator('#field-accept-0').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'submit', 'the save button follows the boxes');
    await Promise.all([page.waitForURL(/\/outreach\/sponsor$/), page.keyboard.press('Enter')]);
    assert.match(await page.content(), /You accepted the terms of use/);

    await page.goto('/outreach/groups/new');
    await page.locator('#field-name').fill('Hallway Heroes, call 202-555-0143');
    await page.locator('#field-kind').selectOption('club');
    await page.locator('#field-state').selectOption('DC');
    await page.locator('#field-grade_band').selectOption('middle');
    await submitFrom(page, '#field-name');
    assert.match(await page.content(), /must not contain a telephone number/);
    await page.locator('#field-name').fill('Hallway Heroes');
    await submitFrom(page, '#field-name');
    assert.match(page.url(), /\/outreach\/sponsor$/);
    assert.match(await page.content(), /Hallway Heroes/);

    await page.goto(`/outreach/campaigns/${campaign.id}`);
    await page.locator('#field-group_id').selectOption({ label: 'Hallway Heroes' });
    await page.locator('main form[action$="/signup"] button[type="submit"]').focus();
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    await page.goto(`/outreach/campaigns/${campaign.id}/reportback`);
    await page.locator('#field-quantity').fill('30');
    await page.locator('#field-summary').fill('Posters on every floor.');
    await page.locator('#field-photo').setInputFiles(photoPath);
    await page.locator('#field-photo_alt').fill('Posters on a stairwell wall');
    await page.locator('#field-photo_shows_no_people-0').focus();
    await page.keyboard.press('Space');
    await submitFrom(page, '#field-photo_alt');
    assert.match(page.url(), new RegExp(`/outreach/campaigns/${campaign.id}$`));
    assert.ok(await fitsWidth(page, 390));
    const pending = await store.listReportbacks(e.ctx.db, { status: 'pending' });
    assert.ok(pending.some((r) => r.summary === 'Posters on every floor.' && r.photo_id), 'stored with its photo, waiting for moderation');
  } finally {
    await ctx.close();
  }
});

test('forms shown again with their problems pass axe, in English and Spanish', { timeout: 180_000 }, async () => {
  const ctx = await newContext(browser, e);
  try {
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, e, e.admin);
    const problems: string[] = [];
    for (const lang of ['en', 'es']) {
      await ctx.addCookies([{ name: 'lang', value: lang, url: e.base }]);
      for (const [url, field, value] of [['/outreach/sponsor/terms', null, null], ['/outreach/campaigns/new', '#field-goal', 'many'], ['/outreach/materials/new', '#field-title', 'Poster'], ['/outreach/events/new', '#field-title', 'Event']] as const) {
        await page.goto(url);
        await noValidate(page, 'main form');
        if (field) await page.locator(field).fill(value);
        await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('main form button[type="submit"]').first().click()]);
        await page.waitForLoadState('load');
        assert.match(await page.content(), /usa-error-message/, `${lang} ${url} shows its problems`);
        const report = formatViolations(`${lang} ${url} with errors`, await axe(page));
        if (report) problems.push(report);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  } finally {
    await ctx.close();
  }
});
