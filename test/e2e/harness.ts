/**
 * Browser test support: the real app listening on a free local port over a fresh test database with the demo
 * data, and Debian's Chromium driven by playwright-core (no browser is ever downloaded).
 */
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { testDatabase, makeUser, totpCode, type TestDatabase, type TestUser } from '../../src/platform/testing.ts';
import { systemCtx, type Ctx } from '../../src/platform/context.ts';
import { seedDemo } from '../../src/platform/seed.ts';
import { modules } from '../../src/modules/index.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface E2eApp {
  app: FastifyInstance;
  db: TestDatabase;
  ctx: Ctx;
  base: string;
  admin: TestUser;
  member: TestUser;
  /** A second member who has never signed in, for pages that only a fresh account sees. */
  freshMember: TestUser;
  close(): Promise<void>;
}

/**
 * The run's database with the demo data already loaded (scripts/run-tests.mjs --browser makes it once, on SQLite),
 * and the keys its encrypted values were written with; none when the file runs alone or on PostgreSQL.
 */
function seededTemplate(env: Record<string, string>): { file: string; keys: Record<string, string> } | undefined {
  const file = process.env.TFH_TEST_SEEDED_SQLITE;
  if (!file || !process.env.TFH_TEST_SEEDED_KEYS || !existsSync(file) || process.env.DATABASE_URL?.startsWith('postgres')) return undefined;
  // A test that brings its own keys could not read the seeded values: it seeds its own.
  if (env.DATA_KEY || env.SESSION_SECRET) return undefined;
  return { file, keys: JSON.parse(process.env.TFH_TEST_SEEDED_KEYS ?? '{}') as Record<string, string> };
}

/** Starts the real app on 127.0.0.1 with a random port, demo data loaded, and accounts the tests can sign in as. */
export async function startApp(env: Record<string, string> = {}): Promise<E2eApp> {
  // A crawl loads many pages and assets a second; the site-wide limit is tested elsewhere.
  const seeded = seededTemplate(env);
  const db = await testDatabase({ RATE_LIMIT_PER_MINUTE: '1000000', ...seeded?.keys, ...env }, { copyOf: seeded?.file });
  const ctx = systemCtx(db.handle, db.config, 'e2e');
  const lines: string[] = [];
  try {
    // Nothing to do on a copy of the seeded template (it says the demo is loaded).
    await seedDemo(ctx, modules, (l) => lines.push(l));
  } catch (err) {
    process.stderr.write(lines.join('\n') + '\n');
    throw err;
  }
  const admin = await makeUser(ctx, 'admin', 'e2e-admin@test.example');
  const member = await makeUser(ctx, 'member', 'e2e-member@test.example');
  const freshMember = await makeUser(ctx, 'member', 'e2e-fresh@test.example');
  const { buildApp } = await import('../../src/app.tsx');
  const app = await buildApp({ config: db.config, database: db.handle, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    db,
    ctx,
    base: `http://127.0.0.1:${port}`,
    admin,
    member,
    freshMember,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function newContext(browser: Browser, e: E2eApp, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL: e.base, viewport: { width: 1280, height: 900 }, locale: 'en-US', ...opts });
}

/** Signs in through the real form, and the second-factor form when the account has one. */
export async function signIn(page: Page, e: E2eApp, u: TestUser): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/e-mail/i).fill(u.email);
  await page.getByLabel(/password/i).fill(u.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.locator('main form[action="/login"] button[type="submit"]').click()]);
  if (new URL(page.url()).pathname === '/login/mfa') {
    if (!u.totpSecret) throw new Error(`${u.email} was asked for a second factor but has no secret`);
    const secret = u.totpSecret;
    const submit = async () => {
      // A code is accepted once per 30-second step; tests sign in more often than that.
      await e.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', u.id).execute();
      await page.locator('#field-code').fill(totpCode(secret));
      await Promise.all([page.waitForURL((url) => url.pathname !== '/login/mfa', { timeout: 15_000 }), page.locator('main form[action="/login/mfa"] button[type="submit"]').click()]);
    };
    // Once more with a fresh code if the step was refused: a CI run timed out here once, on a code made at a step's edge.
    await submit().catch(submit);
  }
  const path = new URL(page.url()).pathname;
  if (path === '/login' || path === '/login/mfa') throw new Error(`sign-in as ${u.email} failed: still on ${path}`);
}

export interface PageViolation {
  url: string;
  id: string;
  impact: string | null | undefined;
  help: string;
  helpUrl: string;
  targets: string[];
}

/** Runs axe with the WCAG 2.1 A and AA rules on the page as it is now. */
export async function axe(page: Page): Promise<PageViolation[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const url = new URL(page.url());
  return result.violations.map((v) => ({
    url: url.pathname + url.search,
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.slice(0, 8).map((n) => `${n.target.join(' ')}${n.failureSummary ? '\n        ' + n.failureSummary.replace(/\n/g, '\n        ') : ''}`),
  }));
}

export function formatViolations(label: string, vs: PageViolation[]): string {
  if (!vs.length) return '';
  const byPage = new Map<string, PageViolation[]>();
  for (const v of vs) byPage.set(v.url, [...(byPage.get(v.url) ?? []), v]);
  const out = [`${label}: ${vs.length} accessibility violation(s) on ${byPage.size} page(s)`];
  for (const [url, list] of byPage) {
    out.push(`  ${url}`);
    for (const v of list) {
      out.push(`    [${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})`);
      for (const t of v.targets) out.push(`      - ${t}`);
    }
  }
  return out.join('\n');
}

const SKIP = [/^\/assets\//, /^\/api\/openapi\.json$/, /\.csv$/, /^\/lang\//, /^\/logout/];
/** Downloads (CSV and other exports asked for by a query parameter) are not pages. */
const SKIP_QUERY = /(^|&)format=(csv|json|xlsx|ics|geojson)(&|$)/;

/** The crawl key of a link: same-site paths only, no fragment; every `/login?next=...` is one page. */
export function crawlKey(href: string, from: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(href, from);
  } catch {
    return null;
  }
  if (url.origin !== new URL(base).origin) return null;
  if (SKIP.some((re) => re.test(url.pathname)) || SKIP_QUERY.test(url.search.slice(1))) return null;
  if (url.pathname === '/login') return '/login';
  url.hash = '';
  return url.pathname + url.search;
}

/**
 * The page template a path stands for: ids and numbers in the path replaced by placeholders, and any query
 * string by one. `/workplans/items/<uuid>` for every item is one template.
 */
export function templateOf(key: string): string {
  const url = new URL(key, 'http://x');
  const path = url.pathname.replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi, '/:id').replace(/\/\d+(?=\/|$)/g, '/:n');
  // Any query makes one template per path: faceted search links combine filters without end.
  return url.search ? `${path}?…` : path;
}

export interface CrawlResult {
  visited: string[];
  violations: PageViolation[];
  /** Pages that answered 4xx/5xx, threw script errors, or broke the content security policy. */
  problems: string[];
  /** What did not fit (layoutProblems) on the pages scanned, at each width and in print. */
  layout: string[];
}

/** The widths every page must fit (issue 16): a laptop and a phone; and a printed US Letter page's text width. */
export const WIDTHS = { wide: 1280, phone: 390, print: 720 } as const;
/** No visible text smaller than this many CSS pixels, diagrams and charts included. */
export const MIN_TEXT_PX = 12;

/**
 * What does not fit the page as it is laid out now: a table wider than the box that holds it (a scrolling box
 * counts too, since the columns past its edge are hidden until scrolled to: tables wrap, or stack on a phone, as
 * USWDS intends), a page wider than the window, and, unless `tablesOnly`, visible text under MIN_TEXT_PX pixels
 * as drawn (text in an SVG is measured after the drawing's scaling).
 */
export async function layoutProblems(page: Page, opts: { tablesOnly?: boolean } = {}): Promise<string[]> {
  return (await measureLayout(page, opts)).problems;
}

async function measureLayout(page: Page, opts: { tablesOnly?: boolean } = {}): Promise<{ problems: string[]; tables: number }> {
  // Sent as text: the test runner's compiler would wrap named functions in a helper the page does not have.
  return page.evaluate(`(${LAYOUT_SCRIPT})(${MIN_TEXT_PX}, ${opts.tablesOnly ? 'true' : 'false'})`) as Promise<{ problems: string[]; tables: number }>;
}

const LAYOUT_SCRIPT = `function (minPx, tablesOnly) {
  var out = [];
  var root = document.documentElement;
  var tables = document.querySelectorAll('table');
  function name(el) {
    var caption = el.querySelector('caption');
    if (caption && caption.textContent.trim()) return '"' + caption.textContent.trim().slice(0, 60) + '"';
    var cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls).slice(0, 80);
  }
  if (root.scrollWidth > root.clientWidth + 1) out.push('the page is ' + root.scrollWidth + 'px wide in a ' + root.clientWidth + 'px window');
  tables.forEach(function (table) {
    if (!table.getClientRects().length) return;
    var box = table.parentElement;
    var width = Math.max(table.getBoundingClientRect().width, table.scrollWidth);
    if (width > box.clientWidth + 1) out.push('table ' + name(table) + ' is ' + Math.round(width) + 'px wide in a ' + box.clientWidth + 'px box');
  });
  if (tablesOnly) return { problems: out, tables: tables.length };
  var small = new Map();
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    var text = (node.textContent || '').trim();
    var el = node.parentElement;
    if (!text || !el) continue;
    var r = el.getBoundingClientRect();
    // Not drawn: hidden, closed, or moved off the page for screen readers only.
    if (!el.getClientRects().length || r.width < 2 || r.height < 2 || r.right <= 0 || r.bottom <= 0) continue;
    var style = getComputedStyle(el);
    if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
    var px = parseFloat(style.fontSize);
    if (el instanceof SVGGraphicsElement) {
      var m = el.getScreenCTM();
      if (m) px *= Math.hypot(m.a, m.b);
    }
    if (px >= minPx - 0.05) continue;
    var where = (el.closest('svg') ? 'svg ' : '') + name(el);
    var seen = small.get(where) || { n: 0, sample: '"' + text.slice(0, 30) + '" at ' + px.toFixed(1) + 'px' };
    seen.n++;
    small.set(where, seen);
  }
  small.forEach(function (v, where) { out.push('text under ' + minPx + 'px in ' + where + ': ' + v.n + ' piece(s), e.g. ' + v.sample); });
  return { problems: out, tables: tables.length };
}`;

/**
 * Column headings broken inside a word as laid out now ("Counti|es"): a heading takes more lines than it has places
 * to break (spaces, slashes, hyphens). Tables let long words in cells break anywhere rather than widen the page; on
 * a wide screen (64em and up, app.css) their headings keep whole words.
 */
export async function brokenHeadings(page: Page): Promise<string[]> {
  return brokenInsideWords(page, 'main table thead th');
}

/**
 * Table cells of ordinary words broken inside a word at the width laid out now ("Accepte|d" in a timeline's step
 * column). Cells holding a token longer than 20 characters (an address, a link, an id) may break it and are not
 * counted.
 */
export async function brokenCells(page: Page): Promise<string[]> {
  return brokenInsideWords(page, 'main table tbody td', 20);
}

/**
 * The elements matching `selector` with a piece of text laid out on more lines than it has places to break: each
 * text node is measured on its own (a tag's padding or a smaller font beside it is not a line).
 */
async function brokenInsideWords(page: Page, selector: string, longest = Infinity): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].flatMap(function (el) {
    if (!el.getClientRects().length) return [];
    var texts = [];
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node);
    var broken = texts.some(function (node) {
      var words = (node.textContent || '').split(/[\\s/\\u2010-\\u2014-]+/).filter(Boolean);
      if (!words.length || words.some(function (w) { return w.length > ${Number.isFinite(longest) ? longest : 1e9}; })) return false;
      var range = document.createRange();
      range.selectNodeContents(node);
      var lines = new Set([...range.getClientRects()].filter(function (r) { return r.width > 0; }).map(function (r) { return Math.round(r.bottom); })).size;
      return lines > words.length;
    });
    return broken ? [(el.innerText || '').trim().replace(/\\n/g, ' ')] : [];
  })`) as Promise<string[]>;
}

/**
 * The page checked at each width of WIDTHS without loading it again: as it is (1,280 px), printed (pages with a
 * table: the print check is about columns on paper), and on a phone; it is left at 1,280 px. Each problem is
 * prefixed with where it was seen. Resizing is most of the cost (about 70 ms a page on the CI machine).
 */
export async function checkLayout(page: Page): Promise<string[]> {
  const out: string[] = [];
  const height = page.viewportSize()?.height ?? 900;
  const at = (label: string, list: string[]) => out.push(...list.map((p) => `${label}: ${p}`));
  let printing = false;
  try {
    const wide = await measureLayout(page);
    at(`${WIDTHS.wide}px`, wide.problems);
    if (wide.tables) {
      printing = true;
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: WIDTHS.print, height });
      at('print', (await measureLayout(page, { tablesOnly: true })).problems);
      await page.emulateMedia({ media: 'screen' });
      printing = false;
    }
    await page.setViewportSize({ width: WIDTHS.phone, height });
    at(`${WIDTHS.phone}px`, (await measureLayout(page)).problems);
  } finally {
    if (printing) await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: WIDTHS.wide, height });
  }
  return out;
}

export async function crawl(
  page: Page,
  base: string,
  opts: { start?: string; limit?: number; perTemplate?: number; log?: (line: string) => void; layout?: boolean } = {},
): Promise<CrawlResult> {
  const limit = opts.limit ?? 150;
  const perTemplate = opts.perTemplate ?? 3;
  const templates = new Map<string, number>();
  let sampledOut = 0;
  const queue: string[] = [opts.start ?? '/'];
  const seen = new Set(queue);
  templates.set(templateOf(queue[0]), 1);
  const scanned = new Set<string>();
  const visited: string[] = [];
  const violations: PageViolation[] = [];
  const problems: string[] = [];
  const layout: string[] = [];
  let layoutMs = 0;
  const crawlStarted = performance.now();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    // Failed loads are reported below with their address.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  // A subresource still loading when the crawl moves on (an icon the 390 px check made visible, the favicon) is
  // cancelled, not broken: a missing one answers 404 and is reported above.
  page.on('requestfailed', (r) => {
    if (r.resourceType() !== 'document' && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    consoleErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  while (queue.length && visited.length < limit) {
    const path = queue.shift()!;
    consoleErrors.length = 0;
    let res;
    try {
      res = await page.goto(path, { waitUntil: 'load' });
    } catch (err) {
      // A link that answers with an attachment is a download, not a page.
      if (/Download is starting/.test(String(err))) {
        opts.log?.(`  ${path}: a download, not scanned`);
        visited.push(path);
        continue;
      }
      throw err;
    }
    const landed = new URL(page.url());
    const here = landed.pathname + landed.search;
    visited.push(path);
    const status = res?.status() ?? 0;
    if (status >= 400) problems.push(`${path}: HTTP ${status}`);
    const type = res?.headers()['content-type'] ?? '';
    if (!type.startsWith('text/html')) continue;
    // A redirect may land on a page already scanned (a sign-in page, say): scan each page once.
    const landedKey = crawlKey(here, page.url(), base) ?? here;
    if (scanned.has(landedKey)) {
      opts.log?.(`  ${path} -> ${here} (already scanned)`);
    } else {
      scanned.add(landedKey);
      const vs = await axe(page);
      violations.push(...vs);
      // In the same visit: fits at each width and in print (issue 16).
      const started = performance.now();
      const misfits = opts.layout === false ? [] : await checkLayout(page);
      layoutMs += performance.now() - started;
      layout.push(...misfits.map((m) => `${here} at ${m}`));
      opts.log?.(`  ${path}${here !== path ? ' -> ' + here : ''}: ${status}, ${vs.length ? vs.length + ' violation(s)' : 'no violations'}${misfits.length ? `, ${misfits.length} layout problem(s)` : ''}`);
    }
    for (const e of consoleErrors) problems.push(`${path}: browser console: ${e}`);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const h of hrefs) {
      const key = crawlKey(h, page.url(), base);
      if (key && !seen.has(key)) {
        seen.add(key);
        const tpl = templateOf(key);
        const n = templates.get(tpl) ?? 0;
        if (n >= perTemplate) {
          sampledOut++;
          continue;
        }
        templates.set(tpl, n + 1);
        queue.push(key);
      }
    }
  }
  if (queue.length) opts.log?.(`  stopped at the limit of ${limit} pages; ${queue.length} more were queued`);
  opts.log?.(`  ${templates.size} page template(s); ${sampledOut} more link(s) to already sampled templates not followed`);
  opts.log?.(`  layout checks: ${(layoutMs / 1000).toFixed(1)} s of the crawl's ${((performance.now() - crawlStarted) / 1000).toFixed(1)} s`);
  return { visited, violations, problems, layout };
}

/** Turns off the browser's own form checks, so that the server's validation answers. */
export async function noValidate(page: Page, formSelector: string): Promise<void> {
  await page.$eval(formSelector, (f) => ((f as HTMLFormElement).noValidate = true));
}

/** Paths of the primary navigation links, in document order. */
export async function navHrefs(page: Page): Promise<string[]> {
  return page.$$eval('nav.usa-nav .usa-nav__primary a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
}

const say = (line: string) => process.stdout.write(line + '\n');

/** Fails with a readable report when a scan found violations, pages that did not load cleanly, or did not fit. */
export function assertClean(label: string, result: { violations: PageViolation[]; problems: string[]; layout?: string[] }): void {
  const report = formatViolations(label, result.violations);
  if (report) say(report);
  if (result.problems.length) say(`${label}: problems:\n  ${result.problems.join('\n  ')}`);
  const layout = result.layout ?? [];
  if (layout.length) say(`${label}: ${layout.length} layout problem(s):\n  ${layout.join('\n  ')}`);
  assert.equal(result.violations.length, 0, report);
  assert.deepEqual(result.problems, [], `${label}: pages that failed to load cleanly`);
  assert.deepEqual(layout, [], `${label}: pages that do not fit at ${WIDTHS.wide}px, ${WIDTHS.phone}px or in print, or show text under ${MIN_TEXT_PX}px`);
}

/** Crawls every page reachable from the home page, anonymous or signed in as one of the harness's accounts. */
export async function crawlAs(browser: Browser, e: E2eApp, label: string, who?: 'admin' | 'member'): Promise<CrawlResult> {
  const ctx = await newContext(browser, e);
  try {
    const page = await ctx.newPage();
    if (who) await signIn(page, e, e[who]);
    say(`crawl as ${label}:`);
    const result = await crawl(page, e.base, { log: say });
    say(`crawl as ${label}: ${result.visited.length} page(s) visited`);
    assert.ok(result.visited.length >= 1);
    assertClean(`crawl as ${label}`, result);
    return result;
  } finally {
    await ctx.close();
  }
}
