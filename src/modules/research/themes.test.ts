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
import { clearThemeCache, themePage } from './themes.ts';
import { stateName } from '../../platform/geo/us.ts';
import { translator } from '../../platform/web/i18n.ts';
import { directoryModule, NEED_CODES, serviceFacts } from '../directory/index.ts';
import { listNetworks, networksModule } from '../networks/index.ts';
import { listeningModule, listRecommendations, RECOMMENDATION_STATUSES } from '../listening/index.ts';
import { grantsModule, listAwards } from '../grants/index.ts';
import { campaignImpact, listCampaigns, outreachModule } from '../outreach/index.ts';
import { buildStats, referralsModule } from '../referrals/index.ts';

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

test('insights, services and referrals: with nothing to suppress they agree with the referral statistics; suppressed, nothing small is shown', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '3' } });
  try {
    clearThemeCache();
    for (const m of [structureModule, directoryModule, networksModule, referralsModule]) await m.seedDemo!(t.ctx, () => {});
    type Page = { tables: { id: string; rows: { label: string; cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } }[] };
    // Unsuppressed (threshold 0), built directly: the figures as the referral statistics and the directory count them.
    const raw = { ...t.ctx, config: { ...t.ctx.config, suppressionThreshold: 0 } };
    const tr = translator('en');
    const refs = (await themePage(raw, 'referrals', 'en', tr)) as Page;
    const stats = await buildStats(t.ctx.db, 0);
    assert.ok((stats.total.value ?? 0) > 0, 'the demo has referrals');
    const byState = refs.tables.find((x) => x.id === 'referrals-by-state-and-result')!;
    assert.equal(byState.totals?.total, stats.total.value, 'every referral is counted once');
    const byNeed = refs.tables.find((x) => x.id === 'referrals-by-need-and-result')!;
    assert.deepEqual(byNeed.rows.map((r) => r.total), stats.by_need.rows.map((r) => r.total.value), 'per need, as the referral statistics count them');
    assert.deepEqual(byNeed.rows.map((r) => r.cells), stats.by_need.rows.map((r) => r.cells.map((x) => x.value)));
    const byTime = refs.tables.find((x) => x.id === 'referrals-by-time-to-acceptance')!;
    assert.equal(byTime.totals?.cells[0], stats.total.value);
    assert.equal(byTime.rows.slice(0, 3).reduce((a, r) => a + r.cells[0]!, 0), stats.time_to_acceptance.accepted.value, 'accepted ones in the three bands');

    const facts = await serviceFacts(t.ctx.db);
    const svc = (await themePage(raw, 'services', 'en', tr)) as Page;
    const needs = svc.tables.find((x) => x.id === 'services-by-need')!;
    assert.ok(facts.length > 0);
    assert.deepEqual(needs.rows.map((r) => r.cells[0]), NEED_CODES.map((n) => facts.filter((f) => f.needs.includes(n)).length));
    const states = svc.tables.find((x) => x.id === 'services-by-state')!;
    assert.ok(states.rows.length > 0 && states.rows.every((r) => (r.cells[0] ?? 0) > 0));
    const networks = await listNetworks(t.ctx.db);
    assert.ok(networks.length > 0, 'the demo has networks');
    const netByState = svc.tables.find((x) => x.id === 'networks-by-state')!;
    assert.equal(netByState.totals?.cells[0], networks.filter((n) => n.states.length).length, 'each network counted once, apart from the services');
    const st = networks.find((n) => n.states.length)!.states[0];
    assert.equal(netByState.rows.find((r) => r.label === stateName(st))?.cells[0], networks.filter((n) => n.states.includes(st)).length);

    // Over HTTP with counts of 1 to 3 suppressed: nothing small shown on either page, and the CSV hides the same.
    for (const theme of ['services', 'referrals']) {
      const page = (await t.client().get(`/api/research/insights/${theme}`)).json() as Page;
      const figures = page.tables.flatMap((tb) => [...tb.rows.flatMap((r) => [...r.cells, r.total]), ...(tb.totals ? [...tb.totals.cells, tb.totals.total] : [])]).filter((x) => x !== undefined);
      assert.ok(figures.some((x) => x === null), `${theme}: the demo has something to hide`);
      for (const x of figures) assert.ok(x === null || x === 0 || x > 3, `${theme}: no small count is shown: ${x}`);
      const csv = parseCsv((await t.client().get(`/api/research/insights/${theme}.csv`)).body).slice(1).filter((l) => l.length > 1);
      assert.deepEqual(csv.map((l) => (l[3] === '' ? null : Number(l[3]))), figures, `${theme}: the CSV carries the same figures`);
      const html = await t.client().get(`/research/insights/${theme}`, { 'accept-language': 'es' });
      assert.equal(html.statusCode, 200);
      assert.match(html.body, theme === 'services' ? /Servicios por necesidad atendida/ : /Derivaciones por necesidad y resultado/);
      assert.match(html.body, /<figure[^>]*aria-hidden="true"/, 'the page has its chart');
    }
  } finally {
    await t.close();
  }
});

test('insights, voice of the field, funding and outreach: unsuppressed, fresh counts of the recommendations, awards and report-backs', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '0' } });
  try {
    clearThemeCache();
    for (const m of [structureModule, workplansModule, listeningModule, grantsModule, outreachModule]) await m.seedDemo!(t.ctx, () => {});
    type Page = { tables: { id: string; rows: { label: string; cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } }[] };
    const recs = (await listRecommendations(t.ctx.db, {})).items;
    const awards = (await listAwards(t.ctx.db, {})).items;
    assert.ok(recs.length > 0 && awards.length > 0, 'the demo has recommendations and awards');
    const field = (await t.client().get('/api/research/insights/field')).json() as Page;
    assert.equal(field.tables[0].totals?.total, recs.length);
    assert.deepEqual(field.tables[0].totals?.cells, RECOMMENDATION_STATUSES.map((s) => recs.filter((r) => r.status === s).length));
    const funding = (await t.client().get('/api/research/insights/funding')).json() as Page;
    const [byState, byYear] = funding.tables;
    assert.equal(byState.totals?.cells[0], awards.filter((a) => a.state).length);
    assert.equal(byYear.totals?.total, awards.length);
    const tx = awards.filter((a) => a.state?.toUpperCase() === 'TX').length;
    if (tx) assert.equal(byState.rows.find((r) => r.label === 'Texas')?.cells[0], tx);
    // Outreach: per campaign, the groups its own (unsuppressed) impact lists.
    const outreach = (await t.client().get('/api/research/insights/outreach')).json() as Page;
    const expected: [string, number][] = [];
    for (const c of await listCampaigns(t.ctx.db, { includeDrafts: false })) {
      const n = (await campaignImpact(t.ctx.db, c, 0)).by_group.length;
      if (n) expected.push([c.title, n]);
    }
    assert.ok(expected.length > 0, 'the demo has report-backs');
    assert.deepEqual(outreach.tables[0].rows.map((r) => [r.label, r.cells[0]]), expected.sort((a, b) => a[0].localeCompare(b[0])));
    for (const [theme, caption] of [['field', 'Recomendaciones por tipo y estado'], ['funding', 'Subvenciones por estado del beneficiario'], ['outreach', 'Grupos que informaron, por campaña']]) {
      const page = await t.client().get(`/research/insights/${theme}`, { 'accept-language': 'es' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(caption));
    }
  } finally {
    await t.close();
  }
});
