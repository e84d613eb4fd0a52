import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newContext } from '../../../test/e2e/harness.ts';
import { browserFixture, scanAs } from './pages-testkit.ts';

const f = browserFixture();

test('directory pages pass axe (WCAG 2.1 AA) in English and Spanish, anonymous', { timeout: 150_000 }, async () => {
  const problems = [...(await scanAs(f, 'anonymous en', 'en-US', undefined)), ...(await scanAs(f, 'anonymous es', 'es-ES', undefined))];
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('the search form works with JavaScript off', { timeout: 60_000 }, async () => {
  const ctx = await newContext(f.browser, f.e, { javaScriptEnabled: false });
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
