import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axe, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { uuidv5 } from './model.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { addSteward } from './stewards.ts';
import { proposeChange } from './editing.ts';

let e: E2eApp;
let browser: Browser;
let proposalId: string;

before(async () => {
  e = await startApp();
  browser = await launchBrowser();
  // The member's organisation acts for the demo provider and has proposed a change, so that every editing page has
  // something to show.
  await addSteward(e.ctx, { directory_organization_id: ORG, account_organization_id: e.member.organization_id });
  const actor = await loadActor(e.ctx.db, e.member.id, 'session');
  proposalId = (await proposeChange({ ...e.ctx, actor: actor! }, 'service', SHELTER, { description: 'Emergency shelter beds for women, open 24 hours.', languages: ['English', 'Spanish'] })).id;
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

test('directory pages pass axe (WCAG 2.1 AA) in English and Spanish, anonymous and signed in', { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  for (const [label, locale, who] of [['anonymous en', 'en-US', undefined], ['anonymous es', 'es-ES', undefined], ['member', 'en-US', 'member'], ['admin', 'en-US', 'admin']] as const) {
    const ctx = await newContext(browser, e, { locale });
    try {
      const page = await ctx.newPage();
      if (who) await signIn(page, e, e[who]);
      const extra =
        who === 'admin'
          ? ['/directory/unverified', '/directory/unverified?page=2', '/directory/review', '/directory/review?status=approved', `/directory/proposals/${proposalId}`]
          : who === 'member'
            ? ['/directory/my', `/directory/services/${SHELTER}/edit`, `/directory/organizations/${ORG}/edit`, `/directory/locations/${uuidv5('demo:loc:shelter')}/edit`, `/directory/proposals/${proposalId}?sent=1`]
            : [];
      for (const url of [...PAGES, ...extra]) {
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

test('an edit form with errors passes axe, and the form works from the keyboard without JavaScript', { timeout: 120_000 }, async () => {
  const url = `/directory/services/${uuidv5('demo:svc:jobs')}/edit`;
  const submitOf = (page: Page) => page.locator('main form.usa-form--large button[type="submit"]');
  // axe runs as a script in the page, so the page with errors is scanned with JavaScript on.
  const scripted = await newContext(browser, e);
  try {
    const page = await scripted.newPage();
    await signIn(page, e, e.member);
    await page.goto(url);
    await page.locator('#field-url').fill('javascript:alert(1)');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), submitOf(page).press('Enter')]);
    await page.waitForSelector('#error-summary');
    assert.match(await page.content(), /href="#field-url"/);
    const report = formatViolations('edit form with errors', await axe(page));
    assert.equal(report, '', report);
  } finally {
    await scripted.close();
  }
  const plain = await newContext(browser, e, { javaScriptEnabled: false });
  try {
    const page = await plain.newPage();
    await signIn(page, e, e.member);
    await page.goto(url);
    await page.locator('#field-url').fill('https://freedom-network.example/jobs');
    await Promise.all([page.waitForURL(/\/directory\/proposals\/.+sent=1/), submitOf(page).press('Enter')]);
    assert.match(await page.content(), /Your proposal was sent for review/);
  } finally {
    await plain.close();
  }
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
