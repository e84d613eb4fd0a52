/**
 * Issue 16 item 6: a goal's status read from its actions (the worst live status under it, shown beside its own), and
 * the update form offering every period an update is owed for, so that "Next update" is always one the form offers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { workplansModule } from './index.ts';
import { derivedStatus } from './rollup.ts';
import { formHtml } from './testkit.ts';
import { periodLabel } from './presenters.ts';
import { makeUser } from '../../platform/testing.ts';

test('derived status: the worst live status under an item; done when all are done; dropped ones do not count', () => {
  assert.equal(derivedStatus(['on_track', 'at_risk', 'done']), 'at_risk');
  assert.equal(derivedStatus(['on_track', 'off_track', 'at_risk']), 'off_track');
  assert.equal(derivedStatus(['done', 'done', 'dropped']), 'done');
  assert.equal(derivedStatus(['not_started', 'on_track']), 'on_track');
  assert.equal(derivedStatus(['not_started', 'not_started']), 'not_started');
  assert.equal(derivedStatus(['dropped']), null);
  assert.equal(derivedStatus([]), null);
});

const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
after(() => t.close());
await structureModule.seedDemo!(t.ctx, () => {});
await workplansModule.seedDemo!(t.ctx, () => {});

interface ItemJson { id: string; kind: string; parent_id: string | null; status: string; lead_agency_id: string | null }

test('a goal whose action is at risk says so on its page, in both languages, beside its own status', async () => {
  const anon = t.client();
  const list = (await anon.get('/api/workplans/items')).json() as ItemJson[];
  const byId = new Map(list.map((i) => [i.id, i]));
  const risky = list.find((i) => i.kind === 'action' && i.status === 'at_risk')!;
  let goal = byId.get(risky.parent_id!)!;
  while (goal.parent_id) goal = byId.get(goal.parent_id)!;
  assert.notEqual(goal.status, 'at_risk', 'the demo goal itself is not marked at risk');
  const page = await anon.get(`/workplans/items/${goal.id}`);
  assert.match(page.body, /<dt>Status of the actions under it<\/dt>\s*<dd><span class="usa-tag[^"]*"[^>]*>At risk/);
  const es = await anon.get(`/workplans/items/${goal.id}`, { cookie: 'lang=es' });
  assert.match(es.body, /<dt>Estado de las acciones que contiene<\/dt>/);
  const api = (await anon.get(`/api/workplans/items/${goal.id}`)).json() as { derived_status: string };
  assert.equal(api.derived_status, 'at_risk');
});

test("the update form offers every period the action owes, and the next update shown is one of them", async () => {
  const anon = t.client();
  const watch = (await anon.get('/api/workplans/watch')).json() as { missing: { id: string; period: string; next_update_period: string }[] };
  const owed = watch.missing[0];
  assert.ok(owed, 'the demo has an action missing an update');
  const item = ((await anon.get('/api/workplans/items')).json() as ItemJson[]).find((i) => i.id === owed.id)!;
  const { linkToAgency } = await import('./testkit.ts');
  const { loadDirectory } = await import('./directory.ts');
  const lead = (await loadDirectory(t.ctx.db)).agencies.find((a) => a.id === item.lead_agency_id)!;
  const u = await makeUser(t.ctx, 'member', 'lead-of-owed@test.example', 'Lead agency staff');
  await linkToAgency(t, u.organization_id, lead.name);
  const c = t.client();
  await c.signIn(u);
  // The action began two years ago: it owes the closed quarters it has no update for, not only the last one.
  await t.ctx.db.updateTable('workplans_items').set({ start_date: `${new Date().getUTCFullYear() - 2}-01-01` }).where('id', '=', owed.id).execute();
  const due = (await anon.get(`/api/workplans/items/${owed.id}`)).json() as { id: string };
  assert.ok(due.id);
  const nowOwed = (await anon.get('/api/workplans/watch')).json() as { missing: { id: string; period: string; next_update_period: string; missing_periods: string[] }[] };
  const mine = nowOwed.missing.find((m) => m.id === owed.id)!;
  assert.ok(mine.missing_periods.length > 1, `owes more than one quarter now (${mine.missing_periods.join(', ')})`);
  const page = await c.get(`/workplans/items/${owed.id}`);
  const form = formHtml(page.body, `/workplans/items/${owed.id}/updates`);
  const offered = [...form.matchAll(/<option value="(\d{4}-Q\d)"/g)].map((m) => m[1]);
  for (const p of mine.missing_periods) assert.ok(offered.includes(p), `the owed period ${p} is offered (offered: ${offered.join(', ')})`);
  assert.ok(offered.includes(mine.next_update_period), 'the next update shown is offered');
  assert.match(page.body, new RegExp(`<dt>Next update</dt>\\s*<dd>${periodLabel('en', mine.next_update_period)}`));
});
