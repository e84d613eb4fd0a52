/**
 * Issue 16 items 1 and 6: work plan pages name reporting periods in words ("Oct–Dec 2026", "oct–dic 2026"), never by
 * their code ("2026-Q4"), which stays only in form values, links and the API; the annual report has no empty "—" cells.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { seedDemo } from '../../platform/seed.ts';
import { modules } from '../index.ts';
import { periodOf } from './periods.ts';
import { periodLabel } from './presenters.ts';
import { listItems } from './store.ts';

const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
after(() => t.close());
await seedDemo(t.ctx, modules, () => {});

/** What a reader sees: the text outside tags and scripts (attribute values such as option values are left out). */
const visible = (html: string) => html.replace(/<(script|style)[\s\S]*?<\/\1>/g, '').replace(/<[^>]*>/g, ' ');

test('periods read as months and year, in English and Spanish', () => {
  assert.equal(periodLabel('en', '2026-Q4'), 'Oct–Dec 2026');
  assert.equal(periodLabel('es', '2026-Q4'), 'oct–dic 2026');
  assert.equal(periodLabel('en', '2027-Q1'), 'Jan–Mar 2027');
});

test('no work plan page shows a period code or a plain ISO date to people, in either language; option values keep the code', async () => {
  const chair = await t.signedIn('chair');
  const action = (await listItems(t.ctx.db)).find((i) => i.kind === 'action' && i.lead_agency_id)!;
  const year = periodOf(new Date()).year;
  const paths = ['/workplans', '/workplans/watch', `/workplans/report?year=${year}`, `/workplans/report?year=${year - 1}`, `/workplans/items/${action.id}`, `/workplans/agencies/${action.lead_agency_id}`, '/workplans/review'];
  for (const lang of ['en', 'es']) {
    chair.cookies.set('lang', lang);
    for (const path of paths) {
      const res = await chair.get(path);
      assert.equal(res.statusCode, 200, path);
      const codes = visible(res.body).match(/\d{4}-Q[1-4]/g);
      assert.equal(codes, null, `${lang} ${path} shows ${codes?.join(', ')}`);
      const dates = visible(res.body).match(/\b\d{4}-\d{2}-\d{2}\b/g);
      assert.equal(dates, null, `${lang} ${path} shows plain dates ${dates?.join(', ')}`);
    }
  }
  chair.cookies.set('lang', 'en');
  const report = (await chair.get(`/workplans/report?year=${year}`)).body;
  assert.match(report, new RegExp(`<option value="${year}-Q1"[^>]*>Jan–Mar ${year}</option>`));
  chair.cookies.set('lang', 'es');
  assert.match((await chair.get('/workplans')).body, new RegExp(`${periodLabel('es', periodOf(new Date()).key)}`));
});

test('the annual report has no empty or "—" cells, on screen in both languages', async () => {
  const year = periodOf(new Date()).year;
  for (const lang of ['en', 'es']) {
    const body = (await t.client().get(`/workplans/report?year=${year}`, { cookie: `lang=${lang}` })).body;
    const cells = [...body.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => visible(m[1]).trim());
    assert.ok(cells.length > 20, 'the report has rows');
    const empty = cells.filter((c) => c === '' || c === '—');
    assert.equal(empty.length, 0, `${lang}: ${empty.length} empty cells`);
  }
});
