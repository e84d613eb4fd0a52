/**
 * `npm run screenshot`: pictures of the home page and the task force structure for the README, taken from the real
 * app with the demo data, at 1280 x 900, into docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, newContext, startApp } from './harness.ts';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');

const PAGES: { path: string; file: string; optional?: boolean }[] = [
  { path: '/', file: 'home.png' },
  { path: '/structure', file: 'structure.png', optional: true },
  { path: '/directory?q=job', file: 'directory.png', optional: true },
  { path: '/workplans', file: 'workplans.png', optional: true },
];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const e = await startApp();
  const browser = await launchBrowser();
  try {
    const ctx = await newContext(browser, e, { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    for (const p of PAGES) {
      const res = await page.goto(p.path, { waitUntil: 'networkidle' });
      if (!res || res.status() !== 200) {
        if (p.optional) {
          process.stdout.write(`skipped ${p.path}: HTTP ${res?.status()}\n`);
          continue;
        }
        throw new Error(`${p.path} answered HTTP ${res?.status()}`);
      }
      const file = resolve(OUT, p.file);
      await page.screenshot({ path: file, fullPage: false });
      process.stdout.write(`wrote ${file}\n`);
    }
    await ctx.close();
  } finally {
    await browser.close();
    await e.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshot: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
