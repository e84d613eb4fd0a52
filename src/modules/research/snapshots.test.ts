/**
 * Snapshots through the job: each published dataset is kept as a dated version when it changed (not when it did
 * not), with its SHA-256; a figure on the insights page can be found in the snapshot the page links to, and the
 * snapshot is served byte for byte with its hash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseCsv } from '../../platform/http/csv.ts';
import { testApp } from '../../platform/testing.ts';
import { practicesModule } from '../practices/index.ts';
import { researchModule } from './index.ts';
import { clearThemeCache } from './themes.ts';

test('research.snapshots keeps a dated version of each published dataset that changed, traceable from the page', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '1' } });
  try {
    clearThemeCache();
    const job = researchModule.jobs!.find((j) => j.name === 'research.snapshots')!;
    assert.match(String(await job.run(t.ctx, new Date('2026-03-01T03:30:00Z'), () => {})), /8 taken \(data-json, insights-services, insights-referrals, insights-field, insights-progress, insights-evidence, insights-funding, insights-outreach\), 0 unchanged/);
    assert.match(String(await job.run(t.ctx, new Date('2026-03-02T03:30:00Z'), () => {})), /0 taken \(none\), 8 unchanged/, 'nothing changed, nothing kept');
    await practicesModule.seedDemo!(t.ctx, () => {});
    assert.match(String(await job.run(t.ctx, new Date('2026-03-03T03:30:00Z'), () => {})), /1 taken \(insights-evidence\), 7 unchanged/);

    const c = t.client();
    const list = (await c.get('/api/research/snapshots?dataset=insights-evidence')).json() as { id: string; taken_at: string; sha256: string }[];
    assert.deepEqual(list.map((s) => s.taken_at.slice(0, 10)), ['2026-03-03', '2026-03-01']);
    const snap = await c.get(`/api/research/snapshots/${list[0].id}`);
    assert.equal(snap.statusCode, 200);
    assert.equal(createHash('sha256').update(snap.body).digest('hex'), list[0].sha256);
    assert.equal(snap.headers['x-content-sha256'], list[0].sha256);

    // The insights page links its latest snapshot, and the page's figures are the snapshot's.
    const page = await c.get('/research/insights/evidence');
    assert.match(page.body, new RegExp(`/research/snapshots/${list[0].id}`));
    const json = (await c.get('/api/research/insights/evidence')).json() as { tables: { rows: { cells: (number | null)[]; total?: number | null }[]; totals?: { cells: (number | null)[]; total?: number | null } }[] };
    const figures = json.tables.flatMap((tb) => [...tb.rows.flatMap((r) => [...r.cells, r.total]), ...(tb.totals ? [...tb.totals.cells, tb.totals.total] : [])]).filter((x) => x !== undefined);
    const inSnapshot = parseCsv(snap.body).slice(1).filter((l) => l.length > 1).map((l) => (l[3] === '' ? null : Number(l[3])));
    assert.deepEqual(inSnapshot, figures);
    assert.equal((await c.get('/research/snapshots')).statusCode, 200);
    assert.equal((await c.get('/api/research/snapshots/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  } finally {
    await t.close();
  }
});
