import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, brokenHeadings, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { getNetwork, listNetworks } from './index.ts';
import { agreementsOf, contactsOf } from './store.ts';

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

test('the demo networks exist, and every networks page passes axe (WCAG 2.1 AA) in English and Spanish, anonymous and as a manager', { timeout: 300_000 }, async () => {
  const networks = await listNetworks(e.ctx.db);
  assert.deepEqual(networks.map((n) => n.name), ['DC Metro Employment and Training Network', 'DC Survivor Housing Network']);
  assert.ok(networks.every((n) => n.member_count >= 5), 'demo networks have members');
  const [jobs, housing] = networks;
  const PUBLIC = ['/networks', `/networks/${jobs.id}`, `/networks/${housing.id}?distance=5&scope=members`, `/networks/${jobs.id}?distance=-1`, '/networks/national', '/networks/national?distance=25&need=need.employment'];
  const full = await getNetwork(e.ctx.db, jobs.id);
  const [agreement] = await agreementsOf(e.ctx.db, jobs.id);
  const [contact] = await contactsOf(e.ctx.db, jobs.id);
  const MANAGER = ['/networks/new', `/networks/${jobs.id}/edit`, `/networks/${jobs.id}/members/new`, `/networks/${jobs.id}/members/${full!.members[1].directory_organization_id}/edit`, `/networks/${jobs.id}/agreements/new`, `/networks/${jobs.id}/agreements/${agreement.id}/edit`, `/networks/${jobs.id}/contacts/new`, `/networks/${jobs.id}/contacts/${contact.id}/edit`];
  const problems: string[] = [];
  for (const [label, locale, who] of [['anonymous en', 'en-US', undefined], ['anonymous es', 'es-ES', undefined], ['admin', 'en-US', 'admin']] as const) {
    const ctx = await newContext(browser, e, { locale });
    try {
      const page = await ctx.newPage();
      if (who) await signIn(page, e, e[who]);
      for (const url of who ? [...PUBLIC, ...MANAGER] : PUBLIC) {
        const res = await page.goto(url);
        assert.ok(res && (res.status() === 200 || (url.includes('distance=-1') && res.status() === 400)), `${label} ${url}: ${res?.status()}`);
        const report = formatViolations(`${label} ${url}`, await axe(page));
        if (report) problems.push(report);
        // Column headings keep whole words at 1,280 px ("Condad|os", "Red|es" on the national table).
        const broken = await brokenHeadings(page);
        if (broken.length) problems.push(`${label} ${url}: headings broken inside a word: ${broken.join(', ')}`);
      }
      if (who) {
        // A form sent with errors is scanned too: the error summary and the inline messages.
        await page.goto('/networks/new');
        await page.locator('#field-name').fill('Network without an area');
        await page.locator('#field-convener_organization_id').selectOption({ index: 1 });
        // Enter in a field saves (the form's default button is Save, not "Show its counties").
        await page.locator('#field-name').focus();
        await Promise.all([page.waitForURL('**/networks'), page.keyboard.press('Enter')]);
        await page.locator('#error-summary').waitFor({ timeout: 10_000 }).catch(() => {});
        assert.ok((await page.content()).includes('error-summary'), `the form came back with its errors (${page.url()})`);
        const report = formatViolations(`${label} /networks/new with errors`, await axe(page));
        if (report) problems.push(report);
        // The second step without JavaScript, by keyboard: a state chosen, "Show its counties", one ticked with the space bar.
        await page.locator('#field-county_state').selectOption('VA');
        await page.locator('button[name="_show"]').focus();
        await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
        const fairfax = page.locator('input[name="counties"][value="51059"]');
        await fairfax.focus();
        await page.keyboard.press('Space');
        assert.ok(await fairfax.isChecked(), 'a county ticked by keyboard');
        assert.equal(await page.locator('#field-name').inputValue(), 'Network without an area', 'what was typed is kept');
        const shown = formatViolations(`${label} /networks/new with the counties of Virginia`, await axe(page));
        if (shown) problems.push(shown);
      }
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});
