/**
 * `npm run screenshot`: pictures for the README, taken from the real app with the demo data, into docs/screenshots/:
 * the home page, the task force structure, the service directory and work plans at 1,280 px, the directory on a
 * phone (390 px) and the directory in Spanish.
 *
 * `npm run screenshot -- --review [dir]`: every role's main pages at 1,280 px and 390 px, in English and Spanish,
 * into dir (default /tmp/tfh-screenshots), for people to look at as users do; for each picture it prints what the
 * harness's layout check finds (tables wider than their box, text under 12 px, a page wider than the window) and
 * what a reader should not see (internal ids, ISO timestamps, "—" for empty fields, at 1,280 px words split in a table).
 * A script, not a test.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { brokenCells, brokenHeadings, launchBrowser, layoutProblems, newContext, signIn, startApp, type E2eApp } from './harness.ts';
import { beginMfaSetup, enableMfa } from '../../src/platform/auth/index.ts';
import { DEMO_PASSWORD } from '../../src/platform/seed.ts';
import { totpCode, type TestUser } from '../../src/platform/testing.ts';

const README_DIR = resolve(import.meta.dirname, '../../docs/screenshots');

interface Shot {
  /** A path, or a function that finds one on the page already open (a link to the first service, say). */
  path: string | ((page: Page) => Promise<string>);
  file: string;
  width?: number;
  /** Crop height in CSS pixels; the whole page when 0. */
  height?: number;
  /** The crop starts a little above this element (the results, say) instead of the top of the page. */
  from?: string;
  lang?: 'en' | 'es';
  optional?: boolean;
}

const README_SHOTS: Shot[] = [
  { path: '/', file: 'home.png' },
  { path: '/structure', file: 'structure.png', optional: true },
  // A search's results (the form is above them): cards beside the map.
  { path: '/directory?q=job&near=20001&radius=25', file: 'directory.png', height: 900, from: '#directory-results', optional: true },
  { path: '/workplans', file: 'workplans.png', optional: true },
  // The results of a ZIP search on a phone (the form is above them): cards, one under the other.
  { path: '/directory?q=&near=20001&radius=25', file: 'directory-phone.png', width: 390, height: 1100, from: '#directory-results', optional: true },
  // A search in Spanish, in Spanish words.
  { path: '/directory?q=trabajo&near=20001&radius=25', file: 'directory-es.png', lang: 'es', height: 800, from: '#directory-results', optional: true },
];

/** A seeded demo account made ready to sign in as (a second factor set up where its role needs one). */
async function demoAccount(e: E2eApp, email: string): Promise<TestUser> {
  const row = await e.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const u = { ...row, password: DEMO_PASSWORD } as unknown as TestUser;
  if (row.role === 'admin' || row.role === 'caseworker') {
    const { secret } = await beginMfaSetup(e.ctx, row.id);
    await enableMfa(e.ctx, row.id, totpCode(secret));
    u.totpSecret = secret;
  }
  return u;
}

const firstLink = (prefix: string, from: string, not = '') => async (page: Page) => {
  await page.goto(from);
  const href = await page.locator(`main a[href^="${prefix}"]${not}`).first().getAttribute('href');
  if (!href) throw new Error(`no link to ${prefix}… on ${from}`);
  return href;
};

/** Each role's main pages, for review (the role that has the page's data; home for every role). */
const REVIEW: { who: string; email?: string; pages: [string, Shot['path']][] }[] = [
  {
    who: 'public',
    pages: [
      ['home', '/'],
      ['directory-zip', '/directory?q=&near=20001&radius=25'],
      ['service', firstLink('/directory/services/', '/directory?q=&near=20001&radius=25')],
      ['practices', '/practices'],
      ['outreach', '/outreach'],
      ['data-catalog', '/data'],
      ['research-insights', '/research/insights'],
      ['structure', '/structure'],
    ],
  },
  { who: 'member', email: 'member@demo.taskforce.example', pages: [['home', '/'], ['workplans', '/workplans'], ['grants-gaps', '/grants/gaps'], ['listening', '/listening']] },
  {
    who: 'chair',
    email: 'chair@demo.taskforce.example',
    pages: [
      ['home', '/'],
      ['listening-series', firstLink('/listening/series/', '/listening')],
      ['listening-report', async (p) => (await firstLink('/listening/series/', '/listening')(p)).replace(/\/?$/, '/report')],
      ['workplans-report', '/workplans/report'],
    ],
  },
  { who: 'analyst', email: 'analyst@demo.taskforce.example', pages: [['home', '/'], ['research', '/research'], ['grants-funding', '/grants/funding']] },
  { who: 'admin', email: 'admin@demo.taskforce.example', pages: [['home', '/'], ['manage', '/manage'], ['account', '/account'], ['users', '/admin/users'], ['audit', '/admin/audit']] },
  {
    who: 'caseworker',
    email: 'jobcenter@demo.taskforce.example',
    pages: [
      ['home', '/'],
      ['referrals', '/referrals'],
      ['referral', firstLink('/referrals/', '/referrals', ':not([href$="/new"]):not([href$="/stats"])')],
      ['lists', '/directory/lists'],
      ['referral-stats', '/referrals/stats'],
    ],
  },
];

/** What a reader should not be shown, found in the visible text of the page's main part. */
async function wordsProblems(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText().catch(() => '');
  const out: string[] = [];
  const uuid = text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi);
  if (uuid) out.push(`${uuid.length} internal id(s) shown, e.g. ${uuid[0]}`);
  const iso = text.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g);
  if (iso) out.push(`${iso.length} ISO timestamp(s), e.g. ${iso[0]}`);
  const dashes = text.split('\n').filter((l) => /(^|\t|:\s*)—\s*$/.test(l.trim()) || l.trim() === '—');
  if (dashes.length) out.push(`${dashes.length} empty "—" field(s)`);
  const codes = text.match(/\b[a-z]+_[a-z_]+\b/g);
  if (codes) out.push(`snake_case words: ${[...new Set(codes)].slice(0, 6).join(', ')}`);
  return out;
}

/** Table headings and cells split inside a word, checked on a wide screen only (phones may break them, app.css). */
async function brokenWords(page: Page, width: number): Promise<string[]> {
  if (width < 1024) return [];
  const broken = [...(await brokenHeadings(page)), ...(await brokenCells(page))];
  return broken.length ? [`broken inside a word: ${broken.slice(0, 6).join(', ')}${broken.length > 6 ? ` and ${broken.length - 6} more` : ''}`] : [];
}

async function take(page: Page, shot: Shot, dir: string, log: (l: string) => void, review: boolean): Promise<void> {
  const width = shot.width ?? 1280;
  await page.setViewportSize({ width, height: 900 });
  const path = typeof shot.path === 'string' ? shot.path : await shot.path(page);
  const res = await page.goto(path, { waitUntil: 'networkidle' });
  if (!res || res.status() !== 200) {
    if (shot.optional) return log(`skipped ${path}: HTTP ${res?.status()}`);
    throw new Error(`${path} answered HTTP ${res?.status()}`);
  }
  const file = resolve(dir, shot.file);
  const full = await page.evaluate(() => document.documentElement.scrollHeight);
  const box = shot.from ? await page.locator(shot.from).first().boundingBox() : null;
  const top = box ? Math.max(0, Math.round(box.y) - 16) : 0;
  const height = shot.height === 0 ? full : Math.min(full - top, shot.height ?? 900);
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: top, width, height } });
  const found = review ? [...(await layoutProblems(page)), ...(await wordsProblems(page)), ...(await brokenWords(page, width))] : [];
  log(`wrote ${file} (${path})${found.map((f) => '\n    ' + f).join('')}`);
}

async function readme(browser: Browser, e: E2eApp, log: (l: string) => void): Promise<void> {
  mkdirSync(README_DIR, { recursive: true });
  for (const lang of ['en', 'es'] as const) {
    const ctx = await newContext(browser, e, { deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    if (lang === 'es') await page.goto('/lang/es?next=/');
    for (const shot of README_SHOTS.filter((s) => (s.lang ?? 'en') === lang)) await take(page, shot, README_DIR, log, false);
    await ctx.close();
  }
}

async function review(browser: Browser, e: E2eApp, dir: string, log: (l: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const role of REVIEW) {
    const user = role.email ? await demoAccount(e, role.email) : undefined;
    for (const lang of ['en', 'es'] as const) {
      const ctx = await newContext(browser, e, { deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      if (user) await signIn(page, e, user);
      if (lang === 'es') await page.goto('/lang/es?next=/');
      for (const [name, path] of role.pages) {
        for (const width of [1280, 390]) {
          const shot: Shot = { path, file: `${role.who}-${name}-${lang}-${width}.png`, width, height: 0, optional: true };
          try {
            await take(page, shot, dir, log, true);
          } catch (err) {
            log(`failed ${role.who} ${name}: ${(err as Error).message}`);
          }
        }
      }
      await ctx.close();
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const log = (l: string) => process.stdout.write(l + '\n');
  const e = await startApp();
  const browser = await launchBrowser();
  try {
    if (args[0] === '--review') await review(browser, e, resolve(args[1] ?? '/tmp/tfh-screenshots'), log);
    else await readme(browser, e, log);
  } finally {
    await browser.close();
    await e.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshot: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
