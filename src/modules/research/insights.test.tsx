/**
 * The suppression test: a page whose small cell (3 housing referrals) could be worked out from a total in one
 * table and a breakdown in another. Suppressing each table on its own leaves it derivable; suppressing the page as a
 * whole (platform/stats/page.ts over suppressLinked) hides it, and every figure that would give it back, on the
 * rendered page and in its CSV alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'preact-render-to-string';
import { parseCsv } from '../../platform/http/csv.ts';
import { suppressCount, suppressRow } from '../../platform/stats/suppress.ts';
import { defineMessages, translator } from '../../platform/web/i18n.ts';
import type { View } from '../../platform/web/view.ts';
import { pageCsv, publishPage, type CountTable } from '../../platform/stats/page.ts';
import { messages } from './messages.ts';
import { InsightsTables } from './pages/insights.tsx';

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const THRESHOLD = 10;

// 50 referrals: 3 for housing (0-2), 22 legal (3-24: 11 accepted, 11 declined), 25 employment (25-49).
const PAGE: CountTable[] = [
  { id: 'by-need', caption: 'Referrals by need', rowHeader: 'Region', columns: ['housing', 'legal', 'employment'], rows: [{ label: 'DC', cells: [ids(0, 2), ids(3, 24), ids(25, 49)] }], rowTotals: true },
  { id: 'legal-outcomes', caption: 'Legal referrals by outcome', rowHeader: 'Need', columns: ['accepted', 'declined'], rows: [{ label: 'legal', cells: [ids(3, 13), ids(14, 24)] }] },
  { id: 'housing-by-month', caption: 'Housing referrals by month', rowHeader: 'Month', columns: ['count'], rows: [{ label: '2026-01', cells: [ids(0, 2)] }] },
];

function view(lang: 'en' | 'es'): View {
  defineMessages(messages);
  return { lang, t: translator(lang), actor: null, csrf: () => '', path: '/research/insights', url: '/research/insights', govBanner: false, can: () => false };
}

test('a cell of 3 derivable from a total and another table is suppressed everywhere on the page and in its CSV', () => {
  // Each table on its own: the row of "by-need" hides 3 and its smallest neighbour (22 legal), but the other table
  // shows 11 accepted and 11 declined, neither small, so 50 - 25 - 11 - 11 = 3 can be read off the page.
  const alone = suppressRow([3, 22, 25], 50, THRESHOLD);
  assert.deepEqual(alone.cells.map((c) => c.value), [null, null, 25]);
  assert.equal(alone.total.value, 50);
  assert.deepEqual(PAGE[1].rows[0].cells.map((c) => suppressCount(c.length, THRESHOLD).value), [11, 11], 'its own table hides nothing');
  assert.equal(50 - 25 - 11 - 11, 3, 'the leak suppression per table leaves');

  const page = publishPage(PAGE, THRESHOLD);
  const [byNeed, legal, housing] = page;
  assert.equal(byNeed.rows[0].cells[0], null, 'the 3 is hidden in its own table');
  assert.equal(housing.rows[0].cells[0], null, 'and in every other table of the page that shows it');
  // Whatever stays visible no longer gives it back: total - employment - accepted - declined needs all four.
  const visible = [byNeed.rows[0].total, byNeed.rows[0].cells[2], legal.rows[0].cells[0], legal.rows[0].cells[1]];
  assert.ok(visible.some((x) => x === null), `one of total, employment, accepted and declined is hidden: ${JSON.stringify(visible)}`);
  // Nothing visible is small, and what is hidden is as little as needed: the 25 employment referrals stay.
  for (const t of page) for (const r of t.rows) for (const x of [...r.cells, r.total]) if (typeof x === 'number') assert.ok(x === 0 || x > THRESHOLD, `${t.id} shows ${x}`);

  // The rendered page, in both languages: the housing cells are marked, never the number.
  for (const lang of ['en', 'es'] as const) {
    const html = render(<InsightsTables v={view(lang)} tables={page} threshold={THRESHOLD} />);
    const cells = [...html.matchAll(/<td data-label="([^"]*)">(.*?)<\/td>/g)].map((m) => [m[1], m[2]]);
    const housingCells = cells.filter(([label]) => label === 'housing' || label === 'count');
    assert.equal(housingCells.length, 2);
    for (const [, body] of housingCells) assert.match(body, /\(s\)/);
    assert.doesNotMatch(html, />3</, 'the number 3 appears nowhere as a figure');
    assert.match(html, lang === 'en' ? /Counts from 1 to 10 are not published/ : /No se publican los recuentos de 1 a 10/);
  }

  // The CSV carries the same suppression: the housing lines are empty and marked, and the sums give nothing back.
  const csv = parseCsv(pageCsv(page));
  assert.deepEqual(csv[0], ['table', 'row', 'column', 'value', 'note']);
  const lines = csv.slice(1).filter((l) => l.length > 1);
  const at = (table: string, row: string, column: string) => lines.find((l) => l[0] === table && l[1] === row && l[2] === column);
  assert.deepEqual(at('by-need', 'DC', 'housing'), ['by-need', 'DC', 'housing', '', 'suppressed']);
  assert.deepEqual(at('housing-by-month', '2026-01', 'count'), ['housing-by-month', '2026-01', 'count', '', 'suppressed']);
  for (const l of lines) assert.equal(l[3] === '', l[4] === 'suppressed');
  const csvVisible = [at('by-need', 'DC', 'Total'), at('by-need', 'DC', 'employment'), at('legal-outcomes', 'legal', 'accepted'), at('legal-outcomes', 'legal', 'declined')].map((l) => l![3]);
  assert.ok(csvVisible.includes(''), 'the CSV hides what the page hides');
  assert.ok(!lines.some((l) => l[3] === '3'));
});
