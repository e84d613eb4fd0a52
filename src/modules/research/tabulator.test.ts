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
import { structureModule } from '../structure/index.ts';
import { directoryModule, serviceFacts } from '../directory/index.ts';
import { networksModule } from '../networks/index.ts';
import { referralFacts, referralsModule } from '../referrals/index.ts';
import { listWorkplanItems, workplansModule } from '../workplans/index.ts';
import { grantsModule, listAwards } from '../grants/index.ts';
import { quarterOf } from './themes.ts';
import { stateName } from '../../platform/geo/us.ts';

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
    assert.equal((await c.get('/api/research/tabulate?measure=colour')).statusCode, 400);
    assert.deepEqual(((await c.get('/api/research/tabulate?measure=practices&rows=state')).json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['rows'], 'a dimension the measure lacks');
    const badPage = await c.get('/research/tabulator?rows=setting&cols=setting', { 'accept-language': 'es' });
    assert.equal(badPage.statusCode, 400);
    assert.match(badPage.body, /debe ser distinta de las filas/);
  } finally {
    await t.close();
  }
});

test('tabulator over services, referrals, awards and work-plan actions: need, state, quarter, agency and population, each a fresh count', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '0' } });
  try {
    for (const m of [structureModule, directoryModule, networksModule, referralsModule, workplansModule, grantsModule]) await m.seedDemo!(t.ctx, () => {});
    const c = t.client();
    const get = async (q: string) => {
      const res = await c.get(`/api/research/tabulate?${q}`);
      assert.equal(res.statusCode, 200, `${q}: ${res.body.slice(0, 200)}`);
      return res.json() as Out;
    };
    const cell = (o: Out, label: string, col = 0) => o.table.rows.find((r) => r.label === label)?.cells[col];

    const services = await serviceFacts(t.ctx.db);
    const byNeed = await get('measure=services&rows=need');
    assert.ok(services.some((s) => s.needs.includes('need.housing')));
    assert.equal(cell(byNeed, 'Transitional and permanent housing'), services.filter((s) => s.needs.includes('need.housing')).length);
    const byState = await get('measure=services&rows=state&cols=population');
    assert.ok(byState.table.rows.length > 0);
    const st = services.find((s) => s.states.length)!.states[0];
    assert.equal(byState.table.rows.find((r) => r.label === stateName(st))?.total, services.filter((s) => s.states.includes(st) && s.populations.length).length, 'a row total counts each service once');

    const referrals = await referralFacts(t.ctx.db);
    assert.ok(referrals.length > 0);
    const byQuarter = await get('measure=referrals&rows=quarter&cols=need');
    const q = quarterOf(referrals[0].sent_at);
    assert.equal(byQuarter.table.rows.find((r) => r.label === q)?.total, referrals.filter((r) => quarterOf(r.sent_at) === q && r.needs.length).length);
    assert.equal((await get('measure=referrals')).table.rows[0].cells[0], referrals.length);

    const awards = (await listAwards(t.ctx.db, {})).items;
    const byAgency = await get('measure=awards&rows=agency&cols=state');
    assert.equal(byAgency.table.totals?.total, awards.filter((a) => (a.agency_name || a.awarding_agency) && a.state).length);

    const actions = (await listWorkplanItems(t.ctx.db)).filter((x) => x.kind === 'action');
    const byStatus = await get('measure=actions&rows=status');
    assert.equal(byStatus.table.totals?.cells[0], actions.length);
    assert.equal((await c.get('/api/research/tabulate?measure=actions&rows=need')).statusCode, 400);

    const page = await c.get('/research/tabulator?measure=referrals&rows=state&cols=quarter', { 'accept-language': 'es' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Derivaciones por Estado y Trimestre/);
  } finally {
    await t.close();
  }
});
