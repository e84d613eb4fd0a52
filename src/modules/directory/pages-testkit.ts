/**
 * Shared set-up of the directory's browser tests (pages.test.ts, pages-signed-in.test.ts): the app on the demo data,
 * Chromium, and a proposal from the member's organisation so that every editing page has something to show. Two
 * files, so that each stays well inside the test runner's per-file limit.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, brokenCells, brokenHeadings, formatViolations, launchBrowser, newContext, signIn, startApp, type E2eApp } from '../../../test/e2e/harness.ts';
import { uuidv5 } from './model.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { addSteward } from './stewards.ts';
import { proposeChange } from './editing.ts';
import { importPath } from './import.ts';
import { SHARED_HSDS } from './testing.ts';
import { join } from 'node:path';
import { pullSource, registerSource } from './federation.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const SHELTER = uuidv5('demo:svc:shelter');
export const ORG = uuidv5('demo:org:freedom-network');
export const PAGES = [
  '/directory',
  '/directory?q=job&near=20001&radius=25',
  '/directory?q=&near=20001&radius=10&need=employment&language=es&options=free&options=accepts_referrals',
  '/directory?near=20010&radius=10&options=capacity_available&sort=distance',
  '/directory?near=abcde&sort=closest',
  '/directory?q=zzzzqq',
  `/directory/services/${SHELTER}`,
  `/directory/services/${uuidv5('demo:svc:jobs')}`,
  `/directory/organizations/${ORG}`,
];

export interface BrowserFixture {
  e: E2eApp;
  browser: Browser;
  proposalId: string;
  /** An import in the history (Health Leads, with a warning), for the administrators' import pages. */
  importId: string;
  /** A refused import in the history (an unreadable path), for its page. */
  refusedId: string;
  /** A registered federation source, for the sources pages. */
  sourceId: string;
  /** A source whose pull was refused at import: the sources page links its entry in the import history. */
  refusedSource: { id: string; name: string; historyId: string };
}

/** Registers before/after hooks in the calling test file and hands back the fixture, filled in once `before` ran. */
export function browserFixture(): BrowserFixture {
  const f = {} as BrowserFixture;
  before(async () => {
    f.e = await startApp();
    f.browser = await launchBrowser();
    await addSteward(f.e.ctx, { directory_organization_id: ORG, account_organization_id: f.e.member.organization_id });
    const actor = await loadActor(f.e.ctx.db, f.e.member.id, 'session');
    f.importId = (await importPath(f.e.ctx, join(SHARED_HSDS, 'real', 'healthleads-1.1'))).importId;
    f.refusedId = String(await importPath(f.e.ctx, join(SHARED_HSDS, 'no-such-publication')).then(() => '', (err: { historyId?: string }) => err.historyId));
    f.sourceId = (await registerSource(f.e.ctx, { name: 'Health Leads', kind: 'package-url', location: 'https://data.example.org/healthleads/datapackage.json', schedule: 'daily' })).id;
    // A folder of something other than HSDS, pulled: refused, recorded on the source and in the import history.
    const notHsds = mkdtempSync(join(tmpdir(), 'directory-not-hsds-'));
    writeFileSync(join(notHsds, 'data.json'), JSON.stringify([{ colour: 'blue' }]));
    const refused = await registerSource(f.e.ctx, { name: 'Fuente rechazada', kind: 'path', location: notHsds, schedule: 'weekly', enabled: false });
    const pulled = await pullSource(f.e.ctx, refused.id);
    assert.ok(pulled.outcome === 'failed' && pulled.refusalId, pulled.detail);
    f.refusedSource = { id: refused.id, name: refused.name, historyId: pulled.refusalId };
    f.proposalId = (await proposeChange({ ...f.e.ctx, actor: actor! }, 'service', SHELTER, { description: 'Emergency shelter beds for women, open 24 hours.', languages: ['English', 'Spanish'] })).id;
  });
  after(async () => {
    await f.browser?.close();
    await f.e?.close();
  });
  return f;
}

/**
 * Scans the directory pages, and the extra pages of that caller, with axe, and their tables for words split at
 * 1,280 px; returns the problems found.
 */
export async function scanAs(f: BrowserFixture, label: string, locale: string, who: 'member' | 'admin' | undefined): Promise<string[]> {
  const { e, browser, proposalId, importId, refusedId, sourceId } = f;
  const problems: string[] = [];
  const ctx = await newContext(browser, e, { locale });
  try {
    const page = await ctx.newPage();
    if (who) await signIn(page, e, e[who]);
    const extra =
      who === 'admin'
        ? ['/directory/unverified', '/directory/unverified?page=2', '/directory/review', '/directory/review?status=approved', `/directory/proposals/${proposalId}`, '/directory/imports', `/directory/imports/${importId}`, `/directory/imports/${refusedId}`, '/directory/sources', '/directory/sources/new', `/directory/sources/${sourceId}/edit`, '/directory/sources/conflicts', '/directory/crosswalk', '/directory/crosswalk?q=shelter&kind=keyword', '/directory/crosswalk/new', '/directory/crosswalk/report']
        : who === 'member'
          ? ['/directory/my', `/directory/services/${SHELTER}/edit`, `/directory/organizations/${ORG}/edit`, `/directory/locations/${uuidv5('demo:loc:shelter')}/edit`, `/directory/proposals/${proposalId}?sent=1`]
          : [];
    for (const url of [...PAGES, ...extra]) {
      const res = await page.goto(url);
      assert.ok(res && (res.status() === 200 || (url.includes('abcde') && res.status() === 400)), `${label} ${url}: ${res?.status()}`);
      const report = formatViolations(`${label}`, await axe(page));
      if (report) problems.push(report);
      // At 1,280 px a table keeps whole words (the crosswalk's source terms were split: "apprentices|hip").
      const broken = [...(await brokenHeadings(page)), ...(await brokenCells(page))];
      if (broken.length) problems.push(`${label} ${url}: broken inside a word at 1,280 px: ${broken.slice(0, 6).join(' | ')}`);
    }
  } finally {
    await ctx.close();
  }
  return problems;
}
