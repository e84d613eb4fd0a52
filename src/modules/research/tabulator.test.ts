/**
 * The tabulator over the demo practices: by one and two dimensions, the totals equal a fresh count of the records,
 * small counts and what reveals them are hidden, the API, the CSV and the page give the same figures, and bad
 * parameters get 400 naming the parameter (inline on the page, in Spanish too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../platform/http/csv.ts';
import { testApp } from '../../platform/testing.ts';
import { allPractices, practicesModule } from '../practices/index.ts';

type Out = { threshold: number; table: { rows: { label: string; cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } } };

test('tabulator: one and two dimensions, suppressed, the same through page, API and CSV; bad parameters named', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '1' } });
  try {
    await practicesModule.seedDemo!(t.ctx, () => {});
    const practices = await allPractices(t.ctx.db);
    const c = t.client();

    const all = (await c.get('/api/research/tabulate?measure=practices')).json() as Out;
    assert.equal(all.table.rows[0].cells[0], practices.length);

    const bySetting = (await c.get('/api/research/tabulate?measure=practices&rows=setting')).json() as Out;
    const settings = new Map<string, number>();
    for (const p of practices) settings.set(p.setting, (settings.get(p.setting) ?? 0) + 1);
    assert.equal(bySetting.table.totals?.cells[0] ?? null, practices.length > 1 ? practices.length : null);
    for (const r of bySetting.table.rows) {
      const x = r.cells[0];
      assert.ok(x === null || x === 0 || x > 1, `no small count: ${r.label} ${x}`);
    }

    const two = (await c.get('/api/research/tabulate?rows=population&cols=outcome')).json() as Out;
    const figures = two.table.rows.flatMap((r) => [...r.cells, r.total]).concat(two.table.totals ? [...two.table.totals.cells, two.table.totals.total] : []);
    for (const x of figures) assert.ok(x === null || x === 0 || (typeof x === 'number' && x > 1));
    const csv = parseCsv((await c.get('/api/research/tabulate.csv?rows=population&cols=outcome')).body).slice(1).filter((l) => l.length > 1);
    assert.deepEqual(csv.map((l) => (l[3] === '' ? null : Number(l[3]))), figures, 'the CSV has the same figures');
    const page = await c.get('/research/tabulator?rows=population&cols=outcome');
    assert.equal(page.statusCode, 200);
    assert.equal((page.body.match(/<abbr title="Suppressed">/g) ?? []).length, figures.filter((x) => x === null).length);

    const bad = await c.get('/api/research/tabulate?rows=colour&cols=colour');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['rows', 'cols']);
    assert.deepEqual(((await c.get('/api/research/tabulate?rows=setting&cols=setting')).json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['cols']);
    assert.equal((await c.get('/api/research/tabulate?measure=referrals')).statusCode, 400);
    const badPage = await c.get('/research/tabulator?rows=setting&cols=setting', { 'accept-language': 'es' });
    assert.equal(badPage.statusCode, 400);
    assert.match(badPage.body, /debe ser distinta de las filas/);
  } finally {
    await t.close();
  }
});
