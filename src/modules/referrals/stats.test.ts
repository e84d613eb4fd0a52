import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId, nowIso, toJson } from '../../platform/db/index.ts';
import { testApp } from '../../platform/testing.ts';
import { buildStats } from './stats.ts';
import { ORG, SERVICE } from './testkit.ts';

type Seed = { status: string; need: string; outcome?: string; outcome_reason?: string; decline_reason?: string; area?: string; network?: string; acceptDays?: number };

async function insert(db: import('../../platform/db/index.ts').Db, rows: Seed[]) {
  const base = Date.parse('2026-06-01T12:00:00Z');
  for (const [i, r] of rows.entries()) {
    const sent = base + i * 3600_000;
    await db
      .insertInto('referrals')
      .values({
        id: newId(),
        version: 2,
        status: r.status,
        sender_organization_id: ORG.sender,
        receiver_organization_id: ORG.receiver,
        sender_name: 'S',
        receiver_name: 'R',
        service_id: SERVICE.jobs,
        service_name: 'Jobs',
        network_id: r.network ?? null,
        network_name: r.network ? 'Capital network' : null,
        area_fips: r.area ?? '11001',
        area_state: 'DC',
        needs: toJson([r.need]),
        urgency: 'routine',
        decline_reason: r.decline_reason ?? null,
        outcome: r.outcome ?? null,
        outcome_reason: r.outcome_reason ?? null,
        created_by: ORG.sender,
        created_at: new Date(sent).toISOString(),
        sent_at: new Date(sent).toISOString(),
        accepted_at: r.acceptDays === undefined ? null : new Date(sent + r.acceptDays * 86_400_000).toISOString(),
        closed_at: nowIso(),
        updated_at: nowIso(),
      })
      .execute();
  }
}

const times = (n: number, s: Seed) => Array.from({ length: n }, () => s);

test('statistics: counts by need, outcome, decline reason, network and area, with small cells and their complements suppressed', async () => {
  const t = await testApp();
  try {
    const net = '0b5c1f4e-5555-4a7b-9c1e-000000000001';
    await insert(t.ctx.db, [
      ...times(14, { status: 'completed', need: 'job-training', outcome: 'got_help', acceptDays: 2, network: net }),
      ...times(3, { status: 'declined', need: 'job-training', decline_reason: 'no_capacity' }),
      ...times(12, { status: 'declined', need: 'housing', decline_reason: 'no_capacity', area: '24510' }),
      ...times(11, { status: 'completed', need: 'housing', outcome: 'could_not_get_help', outcome_reason: 'not_eligible', acceptDays: 4, area: '24510' }),
      { status: 'draft', need: 'legal' },
    ]);
    const s = await buildStats(t.ctx.db, 10);
    // Each hidden count says why (issue 16): from 1 to 10 as small, any other as hidden to protect a small one.
    const open = await buildStats(t.ctx.db, 0);
    const whys = new Set<string>();
    for (const name of ['by_need', 'outcomes', 'decline_reasons', 'by_network', 'by_area', 'unmet_by_area'] as const) {
      s[name].rows.forEach((r, i) => {
        const truth = open[name].rows[i];
        [...r.cells.map((c, j) => [c, truth.cells[j]] as const), [r.total, truth.total] as const].forEach(([c, real]) => {
          if (!c.suppressed) return;
          const n = real.value ?? -1;
          assert.equal(c.why, n >= 1 && n <= 10 ? 'small' : 'complementary', `${name} ${r.key}: ${n}`);
          whys.add(c.why!);
        });
      });
    }
    assert.deepEqual([...whys].sort(), ['complementary', 'small']);
    assert.equal(s.total.suppressed && s.total.why, 'complementary', '40 referrals hidden to protect the 3');
    // 40 referrals (drafts are not counted), but the total is hidden: 40 − 23 (Baltimore) − 14 (DC, got help) = 3.
    assert.equal(s.total.suppressed, true);
    const jobs = s.by_need.rows.find((r) => r.key === 'job-training')!;
    const cols = s.by_need.columns;
    // 14 got help, 3 declined: the 3 is hidden, and so is the row total 17 (else 17 − 14 would give it away:
    // the 14 who got help are shown in other tables).
    assert.equal(jobs.total.suppressed, true);
    assert.equal(jobs.cells[cols.indexOf('declined')].suppressed, true);
    assert.equal(jobs.cells[cols.indexOf('got_help')].suppressed, true);
    assert.equal(jobs.cells[cols.indexOf('open')].value, 0);
    const housing = s.by_need.rows.find((r) => r.key === 'housing')!;
    assert.equal(housing.cells[cols.indexOf('declined')].value, 12);
    assert.equal(housing.cells[cols.indexOf('could_not_get_help')].value, 11);
    assert.ok(!s.by_need.rows.some((r) => r.key === 'legal'), 'a need with no referral is left out');
    // Decline reasons: 15 for lack of capacity, hidden, since 15 − 12 (Baltimore's, shown by county) = 3.
    assert.equal(s.decline_reasons.rows[0].cells[s.decline_reasons.columns.indexOf('no_capacity')].suppressed, true);
    assert.equal(s.decline_reasons.rows[0].total.suppressed, true);
    // No table lets the 3 be computed back from another: every row that holds them hides its total.
    for (const name of ['by_network', 'by_area', 'unmet_by_area'] as const) {
      const holder = s[name].rows.find((r) => r.cells.some((c) => c.suppressed))!;
      assert.equal(holder.total.suppressed, true, name);
    }
    // Outcomes: 14 got help, 11 not eligible.
    const o = s.outcomes.rows[0];
    assert.equal(o.cells[s.outcomes.columns.indexOf('got_help')].value, 14);
    assert.equal(o.cells[s.outcomes.columns.indexOf('not_eligible')].value, 11);
    // Unmet needs by county: DC has 3 (hidden, with its row total or the other cell), Baltimore 12 (shown).
    const dc = s.unmet_by_area.rows.find((r) => r.key === '11001')!;
    assert.equal(dc.cells[0].suppressed, true);
    assert.ok(dc.cells[1].suppressed || dc.total.suppressed);
    assert.equal(dc.label, 'District of Columbia, DC');
    const baltimore = s.unmet_by_area.rows.find((r) => r.key === '24510')!;
    assert.equal(baltimore.cells[0].value, 12);
    assert.match(baltimore.label, /Baltimore/);
    // Time to acceptance: 25 accepted, median 2 days.
    assert.equal(s.time_to_acceptance.accepted.value, 25);
    assert.equal(s.time_to_acceptance.median_days, 2);
    // One network: 14 (shown) of which all got help.
    const byNet = await buildStats(t.ctx.db, 10, { networkId: net, networkName: 'Capital network' });
    assert.equal(byNet.total.value, 14);
    assert.equal(byNet.network?.name, 'Capital network');
    assert.equal(byNet.time_to_acceptance.median_days, 2);
    // A tiny slice hides everything, the median included.
    const tiny = await buildStats(t.ctx.db, 10, { from: '2026-06-01', to: '2026-06-01' });
    assert.ok(tiny.total.value === null || tiny.total.value > 10);
    const few = await buildStats(t.ctx.db, 50);
    assert.equal(few.total.suppressed, true);
    assert.equal(few.time_to_acceptance.median_days, null);
    assert.ok(few.by_need.rows.every((r) => r.cells.every((c) => c.value === 0 || c.suppressed)));

    // Through the API and the page, for an analyst; a bad network or date is a 400 on the field.
    const analyst = await t.signedIn('analyst');
    const api = await analyst.get('/api/referrals/stats');
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().total.suppressed, true);
    assert.equal(api.json().by_area.rows.find((r: { key: string }) => r.key === '24510').total.value, 23);
    assert.equal((await analyst.get('/api/referrals/stats?network_id=nope')).statusCode, 400);
    assert.equal((await analyst.get('/api/referrals/stats?from=2026-13-01')).statusCode, 400);
    assert.equal((await analyst.get('/referrals/stats?from=yesterday')).statusCode, 400);
    const page = await analyst.get('/referrals/stats');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<svg[^>]+role="img"/);
    assert.match(page.body, /Baltimore/);
    assert.match(page.body, /Hidden \(small count\)/);
    assert.match(page.body, /Hidden \(protects another count\)/);
    analyst.cookies.set('lang', 'es');
    assert.match((await analyst.get('/referrals/stats')).body, /Oculta \(protege otra cifra\)/);
    analyst.cookies.delete('lang');
    assert.ok(!page.body.includes('href="/referrals"'), 'no link to the inbox an analyst may not open');
    assert.equal(page.body.match(/<h1[\s>]/g)?.length, 1);
    assert.equal(page.body.match(/<caption>/g)?.length, page.body.match(/<table/g)?.length);
    const member = await t.signedIn('member');
    assert.equal((await member.get('/referrals/stats')).statusCode, 403);
  } finally {
    await t.close();
  }
});
