import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, formatViolations, newContext } from '../../../test/e2e/harness.ts';
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
        // The map without script: a cluster is a link the server zooms in on; a marker is a link to its card.
        let target: string | null = null;
        for (let i = 0; i < 8 && !target; i++) {
          const href = await page.locator('a.us-map__marker').first().getAttribute('href');
          assert.ok(href, 'a marker');
          await page.locator('a.us-map__marker').first().click();
          if (href.startsWith('#result-')) target = href;
          else await page.waitForURL(/zoom=\d/);
        }
        assert.ok(target, 'a marker that leads to a card');
        assert.equal(await page.evaluate(() => document.querySelector(':target')?.id), target.slice(1), 'the card is the target');
      }
    }
  } finally {
    await ctx.close();
  }
});

test('the results map: keyboard reaches a marker and it focuses its card; clusters zoom in place; axe clean; 390 px fits (en, es)', { timeout: 120_000 }, async () => {
  const ctx = await newContext(f.browser, f.e);
  try {
    const page = await ctx.newPage();
    for (const [locale, zoomOut] of [
      ['en', 'Zoom out'],
      ['es', 'Alejar'],
    ] as const) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`/lang/${locale}?next=${encodeURIComponent('/directory?q=&near=20001&radius=25')}`);
      assert.ok((await page.locator('.us-map__label--state').count()) > 0, `${locale}: state labels`);
      // No place name lies under a marker as drawn (a cluster on the District's centroid hid the middle of its name).
      const covered = await page.evaluate(() => {
        const marks = [...document.querySelectorAll('.us-map__svg circle, .us-map__svg rect')].map((m) => m.getBoundingClientRect());
        return [...document.querySelectorAll('.us-map__label')].flatMap((t) => {
          const b = t.getBoundingClientRect();
          const hit = marks.find((m) => {
            const [x, y, r] = [m.x + m.width / 2, m.y + m.height / 2, m.width / 2 - 1];
            return Math.hypot(x - Math.max(b.left, Math.min(x, b.right)), y - Math.max(b.top + 2, Math.min(y, b.bottom - 2))) < r;
          });
          return hit ? [`${t.textContent} under a marker at ${Math.round(hit.x)},${Math.round(hit.y)}`] : [];
        });
      });
      assert.deepEqual(covered, [], `${locale}: ${covered.join('; ')}`);
      await page.evaluate(() => ((window as unknown as { stay: boolean }).stay = true));
      // Keyboard only: Tab from the link to the map; a cluster (Enter) zooms in on itself and the map is redrawn with
      // the focus on it; go on until a marker that leads to a card has the focus, then Enter.
      await page.locator('a[href="#directory-map"]').focus();
      let marker: string | null = null;
      let zooms = 0;
      for (let i = 0; i < 300 && !marker; i++) {
        await page.keyboard.press('Tab');
        const href = await page.evaluate(() => (document.activeElement?.matches('a.us-map__marker') ? document.activeElement.getAttribute('href') : null));
        if (href?.startsWith('#result-')) marker = href;
        else if (href) {
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.activeElement?.hasAttribute('data-directory-map'));
          zooms++;
        }
      }
      assert.ok(marker, `${locale}: a marker reached by Tab (after ${zooms} zooms)`);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), marker!.slice(1), `${locale}: the marker focuses its card`);
      assert.equal(await page.locator(`${marker}.is-selected`).count(), 1, `${locale}: the card is outlined`);
      assert.equal(await page.evaluate(() => (window as unknown as { stay?: boolean }).stay), true, `${locale}: no page load`);
      if (zooms) assert.equal(await page.locator('[data-directory-map] a[data-map-zoom]', { hasText: zoomOut }).count(), 1, `${locale}: zoom out offered`);
      const problems = formatViolations(`map ${locale}`, await axe(page));
      assert.equal(problems, '', problems);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `${locale}: ${wide} px wider than a 1,280 px screen`);
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${locale}: ${overflow} px wider than a 390 px screen`);
    }
  } finally {
    await ctx.close();
  }
});
