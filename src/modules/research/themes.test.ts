/**
 * The evidence theme over HTTP on the demo practices: the page, its JSON and its CSV show the same figures and hide
 * the same ones, nothing shown is a small count, and the page reads in both languages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../platform/http/csv.ts';
import { testApp } from '../../platform/testing.ts';
import { practicesModule } from '../practices/index.ts';
import { structureModule } from '../structure/index.ts';
import { listWorkplanItems, workplansModule } from '../workplans/index.ts';
import { clearThemeCache } from './themes.ts';

test('insights, evidence: page, JSON and CSV agree, small counts and what reveals them hidden', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '2' } });
  try {
    clearThemeCache();
    await practicesModule.seedDemo!(t.ctx, () => {});
    const c = t.client();
    const json = (await c.get('/api/research/insights/evidence')).json() as { threshold: number; tables: { id: string; rows: { label: string; cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } }[] };
    assert.equal(json.threshold, 2);
    assert.equal(json.tables.length, 2);
    const figures = json.tables.flatMap((tb) => [...tb.rows.flatMap((r) => [...r.cells, r.total]), ...(tb.totals ? [...tb.totals.cells, tb.totals.total] : [])]).filter((x) => x !== undefined);
    assert.ok(figures.some((x) => typeof x === 'number' && x > 2), 'some figures are shown');
    for (const x of figures) assert.ok(x === null || x === 0 || x > 2, `no small count is shown: ${x}`);

    const csv = parseCsv((await c.get('/api/research/insights/evidence.csv')).body).slice(1).filter((l) => l.length > 1);
    const shownInCsv = csv.map((l) => (l[3] === '' ? null : Number(l[3])));
    assert.deepEqual(shownInCsv, figures, 'the CSV carries the same figures and the same suppression');

    const en = await c.get('/research/insights/evidence');
    assert.equal(en.statusCode, 200);
    assert.equal((en.body.match(/<abbr title="Suppressed">/g) ?? []).length, figures.filter((x) => x === null).length);
    const es = await c.get('/research/insights/evidence', { 'accept-language': 'es' });
    assert.match(es.body, /Prácticas por resultado y calificación/);
    assert.equal((await c.get('/research/insights')).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('insights, progress: with nothing to suppress the figures are a fresh count of the work plans', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '0' } });
  try {
    clearThemeCache();
    await structureModule.seedDemo!(t.ctx, () => {});
    await workplansModule.seedDemo!(t.ctx, () => {});
    const items = await listWorkplanItems(t.ctx.db);
    assert.ok(items.length > 0);
    const json = (await t.client().get('/api/research/insights/progress')).json() as { tables: { id: string; rows: { label: string; cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } }[] };
    const [byKind, byLead] = json.tables;
    assert.deepEqual(byKind.rows.map((r) => r.total), ['goal', 'objective', 'action'].map((k) => items.filter((x) => x.kind === k).length));
    assert.equal(byLead.totals?.total, items.filter((x) => x.kind === 'action').length);
    const page = await t.client().get('/research/insights/progress', { 'accept-language': 'es' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Acciones por agencia líder y estado/);
  } finally {
    await t.close();
  }
});
