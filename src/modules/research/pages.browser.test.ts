/**
 * The research pages in Chromium over the demo data and a data call: axe (WCAG 2.1 AA) in English and Spanish for the
 * public and an administrator, nothing wider than a 390-pixel phone, and sending figures and reviewing them by
 * keyboard with JavaScript off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, noValidate, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { allAgencies, linkAgencyOrganization } from '../structure/index.ts';
import * as commands from './commands.ts';
import { callInput } from './testkit.ts';
import { makeUser } from '../../platform/testing.ts';

let e: E2eApp;
let browser: Browser;
let callId: string;
let sent: string;
let open: string;

before(async () => {
  e = await startApp();
  browser = await launchBrowser();
  const [a, b] = (await allAgencies(e.ctx.db)).slice(0, 2);
  sent = a.id;
  open = b.id;
  const c = await commands.createCall(e.ctx, callInput([sent, open], { due_date: '2099-01-31', footnotes: 'Figures are as reported.' }));
  callId = c.id;
  await commands.submitRows(e.ctx, callId, sent, { rows: [{ victims: 140, hours: 12.5, comment: 'Region 3' }, { victims: 60, hours: 4 }], note: 'Preliminary.' });
  // The administrator's account organisation acts for the second agency, so that they may fill in its form.
  await linkAgencyOrganization(e.ctx, open, { organization_id: e.admin.organization_id });
  await commands.takeSnapshots(e.ctx);
});
after(async () => {
  await browser?.close();
  await e?.close();
});

// The public pages are the same for everyone: an administrator checks the signed-in pages and two public ones (layout with the signed-in navigation).
test('research pages pass axe in English and Spanish, for the public and an administrator, and fit 390 pixels', { timeout: 300_000 }, async () => {
  const publicPages = ['/research', '/data', '/research/insights', '/research/insights/services', '/research/insights/referrals', '/research/insights/field', '/research/insights/progress', '/research/insights/evidence', '/research/insights/funding', '/research/insights/outreach', '/research/tabulator', '/research/tabulator?rows=population&cols=outcome', '/research/snapshots'];
  const signedIn = ['/research/calls/new', `/research/calls/${callId}`, `/research/calls/${callId}/agencies/${sent}`, `/research/calls/${callId}/agencies/${open}`, `/research/calls/${callId}/compiled`, `/research/calls/${callId}/report`];
  const problems: string[] = [];
  for (const [label, lang, admin] of [['public en', 'en', false], ['public es', 'es', false], ['admin en', 'en', true], ['admin es', 'es', true]] as const) {
    for (const width of [1280, 390]) {
      const ctx = await newContext(browser, e, { viewport: { width, height: 900 } });
      try {
        const page = await ctx.newPage();
        if (admin) await signIn(page, e, e.admin);
        await ctx.addCookies([{ name: 'lang', value: lang, url: e.base }]);
        for (const url of admin ? ['/research', '/research/insights/referrals', ...signedIn] : publicPages) {
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
          // Forms with errors, shown again beside their fields.
          await page.goto('/research/calls/new');
          await noValidate(page, 'main form[action="/research/calls/new"]');
          await Promise.all([page.waitForLoadState('load'), page.locator('main form[action="/research/calls/new"] button[type="submit"]').click()]);
          assert.match(await page.content(), /usa-error-message/);
          let report = formatViolations(`${label} call form errors`, await axe(page));
          if (report) problems.push(report);
          await page.goto(`/research/calls/${callId}/agencies/${open}`);
          await page.locator('#field-rows-0-victims').fill('ten');
          await noValidate(page, '#values-form');
          await Promise.all([page.waitForLoadState('load'), page.locator('#values-form button[type="submit"]').click()]);
          assert.match(await page.content(), /usa-error-message/);
          report = formatViolations(`${label} values form errors`, await axe(page));
          if (report) problems.push(report);
        }
      } finally {
        await ctx.close();
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('sending figures and accepting them by keyboard, with JavaScript off', { timeout: 120_000 }, async () => {
  const ctx = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    await signIn(page, e, e.admin);
    await page.goto(`/research/calls/${callId}/agencies/${open}`);
    await page.locator('#field-rows-0-victims').fill('75');
    await page.locator('#field-rows-0-hours').fill('3.5');
    await page.keyboard.press('Enter');
    await page.getByText('Sent, awaiting review').first().waitFor();
    await page.locator('#field-decision').selectOption('accept');
    await page.getByRole('button', { name: 'Record the decision' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/research/calls/${callId}$`));
    await page.goto(`/research/calls/${callId}/compiled`);
    await page.getByText('Total, all agencies').waitFor();
  } finally {
    await ctx.close();
  }
});

test("the chair lists a data call in the open data catalog by keyboard with JavaScript off; the chair's page and the catalog pass axe in English and Spanish and fit 390 pixels", { timeout: 120_000 }, async () => {
  const chair = await makeUser(e.ctx, 'chair', `chair-${Date.now()}@test.example`);
  const noScript = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await noScript.newPage();
    await signIn(page, e, chair);
    await page.goto('/data/publish');
    await page.getByRole('button', { name: /List in the catalog\s*: Victims served/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /Withdraw from the catalog\s*: Victims served/ }).waitFor();
  } finally {
    await noScript.close();
  }
  const ctx = await newContext(browser, e, { viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  try {
    const page = await ctx.newPage();
    await signIn(page, e, chair);
    for (const lang of ['en', 'es']) {
      await ctx.addCookies([{ name: 'lang', value: lang, url: e.base }]);
      for (const url of ['/data/publish', '/data']) {
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 900 });
          assert.equal((await page.goto(url))?.status(), 200);
          if (width === 390) {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth);
            if (wide > 390) problems.push(`${lang} ${url}: ${wide}px wide at a 390px viewport`);
          } else {
            const report = formatViolations(`chair ${lang} ${url}`, await axe(page));
            if (report) problems.push(report);
          }
        }
      }
    }
    assert.match(await page.content(), new RegExp(`/data/calls/${callId}/compiled\\.csv`), 'the catalog lists the call');
  } finally {
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});
