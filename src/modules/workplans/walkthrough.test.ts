/**
 * Issue #6, tried as a new user would, through the web pages only (form posts, ids read from redirects and pages):
 * a committee chair sets up a work plan, two agencies submit quarterly updates, the chair reviews them, the agency
 * view shows what is due, and the annual report prints with correct roll-ups. The JSON API is then asked for the
 * same numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestClient } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { periodOf, shiftPeriod } from './periods.ts';
import { periodLabel } from './presenters.ts';
import { formatDate } from '../../platform/web/i18n.ts';
import { agencyUser, assertAccessibleForm, cell, formFields, itemIdFrom, optionValue } from './testkit.ts';

const quiet = () => {};
const UUID = '[0-9a-f-]{36}';

/** The pending updates on the review page: update id -> item id. */
function reviewQueue(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of html.split('<section').slice(1)) {
    const item = new RegExp(`href="/workplans/items/(${UUID})"`).exec(s);
    const update = new RegExp(`action="/workplans/updates/(${UUID})/review"`).exec(s);
    if (item && update) out.set(update[1], item[1]);
  }
  return out;
}

/** Opens an action's page and submits its progress form, as the member would. */
async function report(c: TestClient, actionId: string, status: string, narrative: string, value: string) {
  const page = await c.get(`/workplans/items/${actionId}`);
  assert.equal(page.statusCode, 200);
  const fields = formFields(page.body, `/workplans/items/${actionId}/updates`);
  const kr = Object.keys(fields).find((k) => k.startsWith('key_result_values.'));
  assert.ok(kr, 'the form asks for the key result value');
  const res = await c.request('POST', `/workplans/items/${actionId}/updates`, { form: { ...fields, status, narrative, [kr]: value } });
  assert.equal(res.statusCode, 302, res.body.slice(0, 800));
}

test('walkthrough: a chair sets up a plan, two agencies report, the chair reviews, the report rolls up', async () => {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    await structureModule.seedDemo!(t.ctx, quiet);
    const current = periodOf(new Date());
    const next = shiftPeriod(current, 1);
    const year = current.year;
    const chair = await t.signedIn('chair');

    // --- The chair sets up the work plan from the web pages. ---
    const home = await chair.get('/workplans');
    assert.match(home.body, /href="\/workplans\/items\/new"/, 'the chair sees "Add a goal"');
    const newGoal = await chair.get('/workplans/items/new');
    assert.equal(newGoal.statusCode, 200);
    assertAccessibleForm(newGoal.body);
    const hhs = optionValue(newGoal.body, 'Department of Health and Human Services (HHS)');
    const dol = optionValue(newGoal.body, 'Department of Labor (DOL)');
    const committee = new RegExp(`<option value="(${UUID})"[^>]*>([^<]+) \\(Committee\\)</option>`).exec(newGoal.body);
    assert.ok(committee, 'committees are offered as owners');
    const goalFields = formFields(newGoal.body, '/workplans/items');
    assert.equal(goalFields.number, '1', 'the next free number is suggested');
    const goalId = itemIdFrom(
      await chair.request('POST', '/workplans/items', {
        form: { ...goalFields, title: 'End forced labor in supply chains', owner_id: committee[1], start_date: current.startDate, due_date: `${year + 1}-12-31`, status: 'on_track' },
      }),
    );

    const goalPage = await chair.get(`/workplans/items/${goalId}`);
    assert.match(goalPage.body, new RegExp(`href="/workplans/items/new\\?parent=${goalId}"`), 'the goal page offers "Add an objective"');
    const newObjective = await chair.get(`/workplans/items/new?parent=${goalId}`);
    const objectiveFields = formFields(newObjective.body, `/workplans/items?parent=${goalId}`);
    assert.equal(objectiveFields.number, '1.1');
    const objectiveId = itemIdFrom(await chair.request('POST', `/workplans/items?parent=${goalId}`, { form: { ...objectiveFields, title: 'Train the people who find victims' } }));

    const newAction = (await chair.get(`/workplans/items/new?parent=${objectiveId}`)).body;
    const actionAt = `/workplans/items?parent=${objectiveId}`;
    const a1Fields = formFields(newAction, actionAt);
    assert.equal(a1Fields.number, '1.1.1');
    const a1 = itemIdFrom(
      await chair.request('POST', actionAt, {
        form: {
          ...a1Fields,
          title: 'Run training sessions for health workers',
          lead_agency_id: hhs,
          supporting_agency_ids: [dol],
          start_date: current.startDate,
          due_date: `${year + 1}-06-30`,
          status: 'on_track',
          weight: '1',
          'milestones.0.title': 'Curriculum approved',
          'milestones.0.due_date': current.endDate,
          'key_results.0.name': 'Training sessions held',
          'key_results.0.start_value': '0',
          'key_results.0.target_value': '10',
          'key_results.0.unit': 'sessions',
        },
      }),
    );
    const a2Fields = formFields((await chair.get(`/workplans/items/new?parent=${objectiveId}`)).body, actionAt);
    assert.equal(a2Fields.number, '1.1.2');
    const a2 = itemIdFrom(
      await chair.request('POST', actionAt, {
        form: {
          ...a2Fields,
          title: 'Train labor inspectors in field offices',
          lead_agency_id: dol,
          start_date: current.startDate,
          due_date: `${year + 1}-06-30`,
          status: 'on_track',
          weight: '1',
          'key_results.0.name': 'Field offices trained',
          'key_results.0.start_value': '0',
          'key_results.0.target_value': '4',
          'key_results.0.unit': 'offices',
        },
      }),
    );

    // The chair weighs the labor action four times as much, through its edit form (the rest of the form unchanged).
    const edit = await chair.get(`/workplans/items/${a2}/edit`);
    assert.equal(edit.statusCode, 200);
    assertAccessibleForm(edit.body);
    const editFields = formFields(edit.body, `/workplans/items/${a2}`);
    assert.equal(editFields['key_results.0.name'], 'Field offices trained');
    itemIdFrom(await chair.request('POST', `/workplans/items/${a2}`, { form: { ...editFields, weight: '4' } }));
    const a2Page = (await chair.get(`/workplans/items/${a2}`)).body;
    assert.match(a2Page, /<dt>Weight<\/dt><dd>4<\/dd>/);
    assert.match(a2Page, /Field offices trained/, 'the key result survived the edit');
    const a1Page = (await chair.get(`/workplans/items/${a1}`)).body;
    assert.match(a1Page, /Curriculum approved/);
    assert.match(a1Page, /Department of Labor \(DOL\)/, 'supporting agency shown');

    // --- Two agencies' members: an administrator has linked their organisations to the agencies. ---
    const hhsMember = t.client();
    await hhsMember.signIn(await agencyUser(t, 'member', 'analyst@hhs.test.example', 'Department of Health and Human Services', 'HHS'));
    const dolMember = t.client();
    await dolMember.signIn(await agencyUser(t, 'member', 'inspector@dol.test.example', 'DOL', 'DOL'));
    assert.doesNotMatch((await dolMember.get('/workplans')).body, /href="\/workplans\/items\/new"/, 'members get no "Add a goal"');

    // The agency view shows what is due: an update for the current quarter, by its last day.
    const dueNow = (await dolMember.get(`/workplans/agencies/${dol}`)).body;
    assert.equal(cell(dueNow, '1.1.2', 'Next update'), `${periodLabel('en', current.key)} (due by ${formatDate('en', current.endDate)})`);
    assert.match((await dolMember.get('/workplans')).body, new RegExp(`href="/workplans/agencies/${dol}"`), '"What my agency owes" link');

    // --- Each member submits a quarterly update from the action page. ---
    assert.doesNotMatch((await dolMember.get(`/workplans/items/${a1}`)).body, /action="\/workplans\/items\/[^"]+\/updates"/, 'no form for an action of another agency');
    assert.equal((await dolMember.request('POST', `/workplans/items/${a1}/updates`, { form: { status: 'on_track', narrative: 'Not ours.' } })).statusCode, 403);
    await report(hhsMember, a1, 'on_track', 'Four sessions held in three regions.', '4');
    await report(dolMember, a2, 'at_risk', 'One field office trained.', '1');

    // --- The chair reviews: approves one, returns the other with a comment. ---
    let queue = reviewQueue((await chair.get('/workplans/review')).body);
    assert.equal(queue.size, 2);
    const u1 = [...queue].find(([, item]) => item === a1)![0];
    const u2 = [...queue].find(([, item]) => item === a2)![0];
    assert.equal((await chair.request('POST', `/workplans/updates/${u1}/review`, { form: { decision: 'approve', comment: '' } })).statusCode, 302);
    assert.equal((await chair.request('POST', `/workplans/updates/${u2}/review`, { form: { decision: 'return', comment: 'Name the field office, please.' } })).statusCode, 302);

    // The member sees why it came back and resubmits; the chair approves.
    const returned = (await dolMember.get(`/workplans/items/${a2}`)).body;
    assert.match(returned, /Name the field office, please\./);
    assert.match(returned, /Returned/);
    await report(dolMember, a2, 'on_track', 'Two field offices trained: Atlanta and Denver.', '2');
    queue = reviewQueue((await chair.get('/workplans/review')).body);
    assert.deepEqual([...queue.values()], [a2]);
    assert.equal((await chair.request('POST', `/workplans/updates/${[...queue.keys()][0]}/review`, { form: { decision: 'approve' } })).statusCode, 302);
    assert.match((await chair.get('/workplans/review')).body, /No update is waiting for review/);

    // --- The agency view now shows the next quarter as what is due. ---
    const dueNext = (await dolMember.get(`/workplans/agencies/${dol}`)).body;
    assert.equal(cell(dueNext, '1.1.2', 'Next update'), `${periodLabel('en', next.key)} (due by ${formatDate('en', next.endDate)})`);
    assert.equal(cell(dueNext, '1.1.2', 'Missing updates'), 'None');
    const hhsDue = (await t.client().get(`/workplans/agencies/${hhs}`)).body;
    assert.equal(cell(hhsDue, '1.1.1', 'Next update'), `${periodLabel('en', next.key)} (due by ${formatDate('en', next.endDate)})`);
    assert.match(hhsDue, /Actions it supports/);
    const dolSupports = dueNext.slice(dueNext.indexOf('Actions it supports'));
    assert.match(dolSupports, /1\.1\.1 Run training sessions/, 'DOL sees the action it supports');

    // --- Roll-ups, worked out by hand:
    //   1.1.1: 4 of 10 sessions            -> 0.40
    //   1.1.2: 2 of 4 offices              -> 0.50 (the returned value, 1, never counted)
    //   1.1:   (1 × 0.40 + 4 × 0.50) / 5   -> 0.48
    //   1:     its only objective          -> 0.48; and so the committee's plan -> 0.48
    const anon = t.client();
    const printed = await anon.get(`/workplans/report?year=${year}`);
    assert.equal(printed.statusCode, 200);
    assert.equal(cell(printed.body, '1.1.1 ', 'Progress'), '40%');
    assert.equal(cell(printed.body, '1.1.2 ', 'Progress'), '50%');
    assert.equal(cell(printed.body, '1.1 ', 'Progress'), '48%');
    assert.equal(cell(printed.body, '1 ', 'Progress'), '48%');
    assert.match(cell(printed.body, '1.1.2 ', 'Approved update'), /Atlanta and Denver/);
    assert.doesNotMatch(printed.body, /One field office trained/, 'the returned update is not in the report');
    assert.equal(cell((await anon.get('/workplans')).body, committee[2], 'Progress'), '48%', 'the committee roll-up');
    assert.match((await anon.get(`/workplans/items/${goalId}`)).body, /<dt>Progress<\/dt><dd>48%<\/dd>/);

    // --- The same numbers from the API. ---
    const close = (a: number | null | undefined, b: number, what: string) => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${what}: ${a} should be ${b}`);
    const api = (await anon.get(`/api/workplans/report?year=${year}`)).json() as { rows: { number: string; progress: number | null; narrative: string | null }[] };
    const progress = (n: string) => api.rows.find((r) => r.number === n)?.progress;
    close(progress('1.1.1'), 0.4, '1.1.1');
    close(progress('1.1.2'), 0.5, '1.1.2');
    close(progress('1.1'), 0.48, '1.1');
    close(progress('1'), 0.48, '1');
    const rollup = (await anon.get('/api/workplans/rollup')).json() as { goals: { number: string; progress: number; children: { progress: number; children: { number: string; progress: number }[] }[] }[] };
    const goal = rollup.goals.find((g) => g.number === '1')!;
    close(goal.progress, 0.48, 'goal roll-up');
    close(goal.children[0].progress, 0.48, 'objective roll-up');
    assert.deepEqual(goal.children[0].children.map((c) => [c.number, c.progress]), [['1.1.1', 0.4], ['1.1.2', 0.5]]);
    const agency = (await anon.get(`/api/workplans/agencies/${dol}`)).json() as { leads: { number: string; next_update_period: string; missing_periods: string[] }[] };
    assert.deepEqual(agency.leads.map((l) => [l.number, l.next_update_period, l.missing_periods]), [['1.1.2', next.key, []]]);
    const detail = (await anon.get(`/api/workplans/items/${a2}`)).json() as { status: string; weight: number; updates: { state: string }[] };
    assert.equal(detail.weight, 4);
    assert.equal(detail.status, 'on_track', 'the approved status became the action status');
    assert.deepEqual(detail.updates.map((u) => u.state), ['approved'], 'the public sees the approved update only');
  } finally {
    await t.close();
  }
});
