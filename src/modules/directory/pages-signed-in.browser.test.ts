import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axe, formatViolations, newContext, signIn } from '../../../test/e2e/harness.ts';
import { uuidv5 } from './model.ts';
import { browserFixture, scanAs } from './pages-testkit.ts';
import { reindexServices } from './store.ts';
import { CONFLICTS_PAGE } from './federation-match.ts';

const f = browserFixture();

test('directory pages pass axe (WCAG 2.1 AA) signed in, with the editing and review pages', { timeout: 150_000 }, async () => {
  const problems = [...(await scanAs(f, 'member', 'en-US', 'member')), ...(await scanAs(f, 'admin', 'en-US', 'admin'))];
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('an edit form with errors passes axe, and the form works from the keyboard without JavaScript', { timeout: 120_000 }, async () => {
  const url = `/directory/services/${uuidv5('demo:svc:jobs')}/edit`;
  const submitOf = (page: Page) => page.locator('main form.usa-form--large button[type="submit"]');
  // axe runs as a script in the page, so the page with errors is scanned with JavaScript on.
  const scripted = await newContext(f.browser, f.e);
  try {
    const page = await scripted.newPage();
    await signIn(page, f.e, f.e.member);
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
  const plain = await newContext(f.browser, f.e, { javaScriptEnabled: false });
  try {
    const page = await plain.newPage();
    await signIn(page, f.e, f.e.member);
    await page.goto(url);
    await page.locator('#field-url').fill('https://freedom-network.example/jobs');
    await Promise.all([page.waitForURL(/\/directory\/proposals\/.+sent=1/), submitOf(page).press('Enter')]);
    assert.match(await page.content(), /Your proposal was sent for review/);
  } finally {
    await plain.close();
  }
});


test('the sources pages at 390 px in Spanish: within the screen, and the form sent by keyboard without JavaScript shows its errors by field, axe-clean', { timeout: 120_000 }, async () => {
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  const plain = await newContext(f.browser, f.e, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  try {
    const page = await plain.newPage();
    await signIn(page, f.e, f.e.admin);
    await page.goto('/lang/es?next=%2Fdirectory%2Fsources');
    // With the other data managers' pages of issues 12 and 13: the import history, an import with its warnings, the
    // crosswalk and its report (the wide tables stack on a phone).
    for (const url of ['/directory/sources', `/directory/sources/${f.sourceId}/edit`, '/directory/sources/conflicts', '/directory/imports', `/directory/imports/${f.importId}`, '/directory/crosswalk', '/directory/crosswalk/report']) {
      await page.goto(url);
      assert.equal(await fits(page), true, url);
    }
    // A refused pull links to its entry in the import history: followed by keyboard, without JavaScript.
    const { name, historyId } = f.refusedSource;
    await page.goto('/directory/sources');
    const why = page.locator(`main a[href="/directory/imports/${historyId}"]`);
    assert.equal(await why.textContent(), `Por qué se rechazó la consulta de ${name}`);
    await why.focus();
    await Promise.all([page.waitForURL(new RegExp(`/directory/imports/${historyId}$`)), page.keyboard.press('Enter')]);
    assert.equal(await fits(page), true, 'the refusal in the history');
    await page.goto('/directory/sources/new');
    await page.locator('#field-name').fill('Otra');
    await page.locator('#field-kind').selectOption('hsds-api');
    await page.locator('#field-location').fill('ftp://example.org');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), page.locator('main form.usa-form--large button[type="submit"]').press('Enter')]);
    assert.match(await page.content(), /debe ser una dirección http o https/);
    assert.equal(await fits(page), true, 'form with errors');
  } finally {
    await plain.close();
  }
  const scripted = await newContext(f.browser, f.e, { viewport: { width: 390, height: 844 } });
  try {
    const page = await scripted.newPage();
    await signIn(page, f.e, f.e.admin);
    await page.goto('/lang/es?next=%2Fdirectory%2Fsources');
    await page.goto('/directory/sources/new');
    await page.locator('#field-name').fill('Otra');
    await page.locator('#field-kind').selectOption('hsds-api');
    await page.locator('#field-location').fill('ftp://example.org');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), page.locator('main form.usa-form--large button[type="submit"]').press('Enter')]);
    await page.waitForSelector('#error-summary');
    const report = formatViolations('sources form with errors', await axe(page));
    assert.equal(report, '', report);
    // The list with a refused pull's link, in Spanish (scanAs covers it in English).
    await page.goto('/directory/sources');
    const list = formatViolations('sources list with a refused pull', await axe(page));
    assert.equal(list, '', list);
  } finally {
    await scripted.close();
  }
});

test('the conflicts page with two matched services: a value kept by keyboard without JavaScript at 390 px in Spanish; axe-clean in both languages', { timeout: 120_000 }, async () => {
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  const db = f.e.ctx.db;
  // Two imported services (Health Leads) matched as if from two sources; they differ in name and description.
  const [later, first] = (await db.selectFrom('directory_service').select('id').where('id', 'not in', ['case', 'jobs', 'shelter'].map((k) => uuidv5(`demo:svc:${k}`))).orderBy('id').limit(2).execute()).map((r) => String(r.id));
  await db.insertInto('directory_service_match').values({ service_id: later, same_as: first, matched_on: 'phone', matched_at: new Date().toISOString() }).execute();
  const keeps = (page: Page) => page.locator('main form[action^="/directory/sources/conflicts/"] button').count();
  try {
    const plain = await newContext(f.browser, f.e, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    try {
      const page = await plain.newPage();
      await signIn(page, f.e, f.e.admin);
      // Paged: one differing value a page here; the pager's next link followed by keyboard.
      CONFLICTS_PAGE.perPage = 1;
      try {
        await page.goto('/lang/es?next=%2Fdirectory%2Fsources%2Fconflicts');
        assert.equal(await keeps(page), 2, 'one differing value, its two buttons');
        const next = page.locator('main nav.usa-pagination a.usa-pagination__next-page');
        assert.equal(await next.isVisible(), true, 'the next link is shown at 390 px');
        await next.focus();
        await Promise.all([page.waitForURL(/\/directory\/sources\/conflicts\?page=2$/), page.keyboard.press('Enter')]);
        assert.match(await page.content(), /Página 2/);
        assert.equal(await keeps(page), 2);
        assert.equal(await page.locator('main form[action^="/directory/sources/conflicts/"] input[name="page"][value="2"]').count(), 2, 'keeping comes back to page 2');
        assert.equal(await fits(page), true, 'conflicts page 2 at 390 px');
      } finally {
        CONFLICTS_PAGE.perPage = 50;
      }
      await page.goto('/directory/sources/conflicts');
      const before = await keeps(page);
      assert.ok(before >= 2, 'each differing value has its button');
      assert.equal(await fits(page), true, 'conflicts at 390 px');
      const button = page.locator('main form[action^="/directory/sources/conflicts/"] button').first();
      await button.focus();
      await Promise.all([page.waitForURL(/\/directory\/sources\/conflicts\?kept=1$/), page.keyboard.press('Enter')]);
      assert.match(await page.content(), /Se conservó el valor elegido/);
      assert.equal(await keeps(page), before - 2, 'the field kept is no longer listed');
      assert.match(await page.content(), /Conservar este valor/);
    } finally {
      await plain.close();
    }
    const scripted = await newContext(f.browser, f.e);
    try {
      const page = await scripted.newPage();
      await signIn(page, f.e, f.e.admin);
      for (const url of ['/directory/sources/conflicts?kept=1', '/lang/es?next=%2Fdirectory%2Fsources%2Fconflicts', '/directory/sources/conflicts?page=2']) {
        // The last with a pager: one value a page.
        if (url.includes('page=2')) CONFLICTS_PAGE.perPage = 1;
        try {
          await page.goto(url);
          const report = formatViolations(`conflicts ${url}`, await axe(page));
          assert.equal(report, '', report);
        } finally {
          CONFLICTS_PAGE.perPage = 50;
        }
      }
      await page.goto('/lang/en?next=%2Fdirectory');
    } finally {
      await scripted.close();
    }
  } finally {
    await db.deleteFrom('directory_service_match').where('service_id', '=', later).execute();
    await reindexServices(db, [later, first]);
  }
});

test('saved lists: saved from the service page by keyboard without JavaScript, the list, print view and shared page axe-clean, within 390 px, the shared page in Spanish', { timeout: 120_000 }, async () => {
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  let listUrl = '';
  const plain = await newContext(f.browser, f.e, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  try {
    const page = await plain.newPage();
    await signIn(page, f.e, f.e.member);
    await page.goto(`/directory/services/${uuidv5('demo:svc:jobs')}`);
    await page.locator('#field-list_id').selectOption('new');
    await page.locator('#field-new_name').fill('Jobs in DC');
    await Promise.all([page.waitForURL(/\/directory\/lists\/[0-9a-f-]{36}\?added=1/), page.locator('#field-new_name').press('Enter')]);
    listUrl = new URL(page.url()).pathname;
    assert.match(await page.content(), /Pathways to Work for Survivors/);
    assert.equal(await fits(page), true, 'list page at 390 px');
  } finally {
    await plain.close();
  }
  const scripted = await newContext(f.browser, f.e);
  let link = '';
  try {
    const page = await scripted.newPage();
    await signIn(page, f.e, f.e.member);
    for (const url of ['/directory/lists', listUrl, `${listUrl}/print`]) {
      await page.goto(url);
      const report = formatViolations(`saved lists ${url}`, await axe(page));
      assert.equal(report, '', report);
    }
    await page.goto(listUrl);
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 200), page.locator(`form[action="${listUrl}/share"] button[type="submit"]`).click()]);
    link = new URL(await page.locator('main .usa-alert--success a').first().getAttribute('href') ?? '').pathname;
    const report = formatViolations('list with its new link', await axe(page));
    assert.equal(report, '', report);
  } finally {
    await scripted.close();
  }
  const survivor = await newContext(f.browser, f.e, { locale: 'es-ES', viewport: { width: 390, height: 844 } });
  try {
    const page = await survivor.newPage();
    const res = await page.goto(link);
    assert.equal(res?.status(), 200);
    assert.match(await page.content(), /Servicios guardados para usted/);
    assert.equal(await fits(page), true, 'shared page at 390 px');
    const report = formatViolations('shared list (es)', await axe(page));
    assert.equal(report, '', report);
  } finally {
    await survivor.close();
  }
});
