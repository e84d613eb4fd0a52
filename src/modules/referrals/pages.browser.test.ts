import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, brokenCells, brokenHeadings, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { beginMfaSetup, enableMfa } from '../../platform/auth/index.ts';
import { totpCode, type TestUser } from '../../platform/testing.ts';
import { DEMO_PASSWORD } from '../../platform/seed.ts';
import { DEMO_CASEWORKERS } from './seed.ts';

let e: E2eApp;
let browser: Browser;
let manager: TestUser;
let jobCentre: TestUser;

/** A demo case worker with two-step verification set up, as they would at their first sign-in. */
async function demoCaseworker(email: string): Promise<TestUser> {
  const row = await e.ctx.db.selectFrom('users').select(['id']).where('email', '=', email).executeTakeFirstOrThrow();
  const { secret } = await beginMfaSetup(e.ctx, String(row.id));
  await enableMfa(e.ctx, String(row.id), totpCode(secret));
  return { id: String(row.id), email, password: DEMO_PASSWORD, totpSecret: secret } as TestUser;
}

before(async () => {
  e = await startApp();
  browser = await launchBrowser();
  manager = await demoCaseworker(DEMO_CASEWORKERS.sender.email);
  jobCentre = await demoCaseworker(DEMO_CASEWORKERS.receiver.email);
});
after(async () => {
  await browser?.close();
  await e?.close();
});

test('referral pages pass axe (WCAG 2.1 AA) in English and Spanish, for the sending and the receiving case worker and an administrator', { timeout: 240_000 }, async () => {
  const live = await e.ctx.db.selectFrom('referrals').select(['id', 'service_id', 'status']).where('purged_at', 'is', null).orderBy('created_at').execute();
  assert.equal(live.length, 3, 'the demo has three live referrals');
  const [sent, accepted, started] = live.map((r) => String(r.id));
  const serviceId = String(live[0].service_id);
  const common = ['/referrals', '/referrals?box=sent', '/referrals?box=received', `/referrals/${sent}`, `/referrals/${accepted}`, `/referrals/${started}`, `/referrals/${sent}/client`, '/referrals/stats', '/referrals/stats?from=2026-01-01&to=2026-12-31'];
  const who = [
    ['case manager en', 'en-US', manager, [...common, '/referrals/new', '/referrals/new?q=job+training', `/referrals/new?service_id=${serviceId}`]],
    ['case manager es', 'es-ES', manager, [...common, `/referrals/new?service_id=${serviceId}`]],
    ['job centre en', 'en-US', jobCentre, common],
    ['administrator en', 'en-US', e.admin, ['/referrals/stats', '/referrals/stats?from=bad']],
  ] as const;
  const problems: string[] = [];
  for (const [label, locale, user, urls] of who) {
    const ctx = await newContext(browser, e);
    try {
      const page = await ctx.newPage();
      await signIn(page, e, user);
      if (locale === 'es-ES') await ctx.addCookies([{ name: 'lang', value: 'es', url: e.base }]);
      for (const url of urls) {
        const res = await page.goto(url);
        const ok = res && (res.status() === 200 || (url.includes('=bad') && res.status() === 400));
        assert.ok(ok, `${label} ${url}: ${res?.status()}`);
        const report = formatViolations(`${label} ${url}`, await axe(page));
        if (report) problems.push(report);
        // At 1,280 px no heading or cell of ordinary words is split inside a word ("Accepte|d" in the timeline).
        const broken = [...(await brokenHeadings(page)), ...(await brokenCells(page))];
        if (broken.length) problems.push(`${label} ${url}: broken inside a word: ${broken.join(', ')}`);
      }
      if (user === manager) {
        // The referral form with errors (no need, no attestation), submitted by keyboard-free clicks without JavaScript help.
        await page.goto(`/referrals/new?service_id=${serviceId}`);
        await page.locator('#field-client-name').fill('Test Person');
        await Promise.all([page.waitForLoadState('load'), page.locator('main form[action="/referrals"] button[value="true"]').click()]);
        assert.match(await page.content(), /field-consent-attested|field-needs/);
        const report = formatViolations(`${label} form errors`, await axe(page));
        if (report) problems.push(report);
      }
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('the referral form and the steps work with JavaScript off and with the keyboard', { timeout: 120_000 }, async () => {
  const ctx = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    await signIn(page, e, manager);
    await page.goto('/referrals/new');
    await page.getByLabel('What does the client need?').fill('job training');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=job/);
    const serviceId = String((await e.ctx.db.selectFrom('referrals').select('service_id').orderBy('created_at', 'desc').executeTakeFirstOrThrow()).service_id);
    assert.ok((await page.getByRole('link', { name: /^Refer to / }).count()) > 0, 'the search offers services to refer to');
    await page.goto(`/referrals/new?service_id=${serviceId}`);
    // USWDS draws its own checkbox and moves the input off screen; the label is what a person clicks.
    await page.locator('label[for="field-needs-4"]').click();
    await page.locator('#field-client-name').fill('Made Up Person');
    await page.locator('label[for="field-consent-fields-0"]').click();
    await page.locator('label[for="field-consent-attested-0"]').click();
    await Promise.all([page.waitForURL(/\/referrals\/[0-9a-f-]{36}$/, { timeout: 20_000 }), page.getByRole('button', { name: 'Send referral' }).click()]);
    await page.locator('main .usa-tag', { hasText: 'Sent' }).waitFor();
    const url = page.url();
    await page.getByRole('button', { name: 'Cancel the referral' }).focus();
    // The form posts, and the answer sends the browser back to the referral.
    await page.keyboard.press('Enter');
    await page.locator('main .usa-tag', { hasText: 'Cancelled' }).waitFor({ timeout: 20_000 });
    assert.equal(page.url(), url);
  } finally {
    await ctx.close();
  }
});
