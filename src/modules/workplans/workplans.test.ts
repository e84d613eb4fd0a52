import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, makeUser, readMail, testMailServer, type TestApp, type TestClient } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { workplansModule } from './index.ts';
import { runDigests } from './digests.ts';
import { loadDirectory } from './directory.ts';
import { periodOf, shiftPeriod } from './periods.ts';
import { periodLabel } from './presenters.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { agencyUser, linkToAgency } from './testkit.ts';

const quiet = () => {};

/** Duplicate ids break labels and ARIA references (axe: duplicate-id). */
function assertUniqueIds(html: string) {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  assert.equal(dup, undefined, `duplicate id ${dup}`);
}

async function seeded(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  await structureModule.seedDemo!(t.ctx, quiet);
  await workplansModule.seedDemo!(t.ctx, quiet);
  return t;
}

/** A client signed in to an account of `organization`, which acts for `agency` when one is given. */
async function signIn(t: TestApp, role: 'member' | 'chair' | 'admin', organization: string, agency?: string): Promise<TestClient> {
  const u = await makeUser(t.ctx, role, `${role}-${organization.replace(/\W/g, '').toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@test.example`, organization);
  if (agency) await linkToAgency(t, u.organization_id, agency);
  const c = t.client();
  await c.signIn(u);
  return c;
}

interface ItemJson {
  id: string;
  number: string;
  kind: string;
  version: number;
  status: string;
  lead_agency_id: string | null;
  key_results: { id: string }[];
}

async function items(c: TestClient): Promise<ItemJson[]> {
  const res = await c.get('/api/workplans/items');
  assert.equal(res.statusCode, 200);
  return res.json() as ItemJson[];
}

const count = async (t: TestApp, table: string) => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test('demo data, public pages and read API', async () => {
  const t = await seeded();
  try {
    const anon = t.client();
    const list = await items(anon);
    assert.ok(list.filter((i) => i.kind === 'goal').length >= 9 + 4, 'nine partnership goals and one per committee');
    const watch = (await anon.get('/api/workplans/watch')).json() as { at_risk: unknown[]; missing: unknown[] };
    assert.equal(watch.at_risk.length, 1, 'one action at risk');
    assert.equal(watch.missing.length, 1, 'one update missing');
    const goal = list.find((i) => i.kind === 'goal')!;
    const action = list.find((i) => i.kind === 'action')!;
    const dir = await loadDirectory(t.ctx.db);
    const hhs = dir.agencyByName('HHS')!;
    const owner = dir.owners[0];
    for (const url of ['/workplans', `/workplans/items/${goal.id}`, `/workplans/items/${action.id}`, `/workplans/agencies/${hhs.id}`, `/workplans/owners/${owner.id}`, '/workplans/watch', '/workplans/report', `/workplans/report?year=${periodOf(new Date()).year}&agency_id=${hhs.id}`, '/api/workplans/rollup', `/api/workplans/agencies/${hhs.id}`, '/api/workplans/report', '/api/workplans/report?format=csv', '/api/workplans/import/template.csv']) {
      const res = await anon.get(url);
      assert.equal(res.statusCode, 200, `${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    const page = (await anon.get('/workplans')).body;
    assert.equal(page.match(/<h1/g)?.length, 1, 'one h1');
    assertUniqueIds(page);
    assert.match(page, /<svg role="img" aria-labelledby="chart-all-title chart-all-desc"/);
    assert.match(page, /<title id="chart-all-title">/);
    assert.match(page, /<caption>/);
    assert.equal((await anon.get('/workplans/review')).statusCode, 302, 'the review queue asks anonymous people to sign in');
    assert.equal((await anon.get('/api/workplans/updates')).statusCode, 401);
    const es = await anon.get('/workplans', { cookie: 'lang=es' });
    assert.match(es.body, /Planes de trabajo/);
    const report = (await anon.get('/api/workplans/report')).json() as { rows: { narrative: string | null }[] };
    assert.ok(report.rows.length > 0);
  } finally {
    await t.close();
  }
});

test('updates: lead agency only, reviewed by a chair, history kept, resubmission is a new version', async () => {
  const t = await seeded();
  try {
    const dir = await loadDirectory(t.ctx.db);
    const hhs = dir.agencyByName('HHS')!;
    const anon = t.client();
    const action = (await items(anon)).find((i) => i.kind === 'action' && i.lead_agency_id === hhs.id)!;
    const body = { status: 'on_track', narrative: 'Two more sessions held.', key_result_values: { [action.key_results[0].id]: 6 }, evidence: ['https://example.org/minutes'] };

    const dolMember = await signIn(t, 'member', 'Department of Labor', 'DOL');
    const refused = await dolMember.request('POST', `/api/workplans/items/${action.id}/updates`, { json: body });
    assert.equal(refused.statusCode, 403, 'a member of another agency may not report');

    const hhsMember = await signIn(t, 'member', 'hhs', 'HHS');
    const before = await count(t, 'workplans_updates');
    const bad = await hhsMember.request('POST', `/api/workplans/items/${action.id}/updates`, { json: { ...body, status: 'fine', evidence: ['javascript:alert(1)'] } });
    assert.equal(bad.statusCode, 400);
    const fields = (bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
    assert.ok(fields.includes('status') && fields.includes('evidence.0'), fields.join(','));
    assert.equal(await count(t, 'workplans_updates'), before, 'nothing changed');

    const ok = await hhsMember.request('POST', `/api/workplans/items/${action.id}/updates`, { json: body });
    assert.equal(ok.statusCode, 201, ok.body);
    const update = ok.json() as { id: string; period: string; submission: number };
    assert.equal(update.period, periodOf(new Date()).key);
    assert.equal(update.submission, 1);
    assert.equal((await hhsMember.request('POST', `/api/workplans/items/${action.id}/updates`, { json: body })).statusCode, 409, 'one waits for review at a time');

    // Drafts are for signed-in people only.
    const publicDetail = (await anon.get(`/api/workplans/items/${action.id}`)).json() as { updates: { id: string }[] };
    assert.ok(!publicDetail.updates.some((u) => u.id === update.id));
    const signedDetail = (await hhsMember.get(`/api/workplans/items/${action.id}`)).json() as { updates: { id: string }[] };
    assert.ok(signedDetail.updates.some((u) => u.id === update.id));

    assert.equal((await hhsMember.request('POST', `/api/workplans/updates/${update.id}/review`, { json: { decision: 'approve' } })).statusCode, 403, 'members do not review');
    const chair = await t.signedIn('chair');
    const noComment = await chair.request('POST', `/api/workplans/updates/${update.id}/review`, { json: { decision: 'return' } });
    assert.equal(noComment.statusCode, 400);
    assert.equal((noComment.json() as { errors: { field: string }[] }).errors[0].field, 'comment');
    const formNoComment = await chair.request('POST', `/workplans/updates/${update.id}/review`, { form: { decision: 'return' } });
    assert.equal(formNoComment.statusCode, 400);
    assert.match(formNoComment.body, /usa-error-message/);
    assertUniqueIds(formNoComment.body);
    assertUniqueIds((await hhsMember.get(`/workplans/items/${action.id}`)).body);
    const returned = await chair.request('POST', `/api/workplans/updates/${update.id}/review`, { json: { decision: 'return', comment: 'Add the meeting dates.' } });
    assert.equal(returned.statusCode, 200);
    assert.equal((returned.json() as { state: string }).state, 'returned');
    assert.equal((await chair.request('POST', `/api/workplans/updates/${update.id}/review`, { json: { decision: 'approve' } })).statusCode, 409, 'already reviewed');

    // Resubmission through the HTML form: a new row, version 2.
    const form = await hhsMember.request('POST', `/workplans/items/${action.id}/updates`, {
      form: { period: update.period, status: 'at_risk', narrative: 'Sessions on 3 and 17 March.', [`key_result_values.${action.key_results[0].id}`]: '7', evidence: 'https://example.org/a\nhttps://example.org/b' },
    });
    assert.equal(form.statusCode, 302, form.body.slice(0, 500));
    const queue = (await chair.get('/api/workplans/updates?state=submitted')).json() as { id: string; submission: number; item_id: string; evidence: string[] }[];
    const second = queue.find((u) => u.item_id === action.id)!;
    assert.equal(second.submission, 2);
    assert.deepEqual(second.evidence, ['https://example.org/a', 'https://example.org/b']);
    assert.equal((await chair.get('/workplans/review')).statusCode, 200);
    const approve = await chair.request('POST', `/workplans/updates/${second.id}/review`, { form: { decision: 'approve' } });
    assert.equal(approve.statusCode, 302);
    const after = (await anon.get(`/api/workplans/items/${action.id}`)).json() as { status: string; updates: { period: string; state: string }[] };
    assert.equal(after.status, 'at_risk', 'the approved status becomes the action status');
    assert.deepEqual(after.updates.filter((u) => u.period === update.period).map((u) => u.state), ['approved'], 'the public sees the approved version only');

    // A bad form re-renders with the message and keeps the input.
    const badForm = await hhsMember.request('POST', `/workplans/items/${(await items(anon)).filter((i) => i.kind === 'action' && i.lead_agency_id === hhs.id)[1].id}/updates`, { form: { status: 'on_track', narrative: 'x', evidence: 'not-a-link' } });
    assert.equal(badForm.statusCode, 400);
    assert.match(badForm.body, /usa-error-message/);
  } finally {
    await t.close();
  }
});

test("an account is an agency's through a link an administrator sets, never through its organisation's name", async () => {
  const t = await seeded();
  try {
    const hhs = (await loadDirectory(t.ctx.db)).agencyByName('HHS')!;
    const anon = t.client();
    const action = (await items(anon)).find((i) => i.kind === 'action' && i.lead_agency_id === hhs.id)!;
    const body = { status: 'on_track', narrative: 'Reported by an organisation named like the agency.' };
    const mine = new RegExp(`<a href="/workplans/agencies/${hhs.id}">`);
    const current = periodOf(new Date());
    const digestTime = new Date(Date.parse(current.end) - 5 * 86_400_000);
    const notified = async (userId: string) => Number((await t.ctx.db.selectFrom('workplans_notifications').select((eb) => eb.fn.countAll().as('n')).where('recipient', '=', userId).executeTakeFirstOrThrow()).n);

    // The organisation bears the agency's very name (and another its abbreviation): the old rule took that for
    // membership. Without a link they are nobody's staff.
    const named = await makeUser(t.ctx, 'member', 'named-like-hhs@test.example', 'Department of Health and Human Services');
    const abbreviated = await makeUser(t.ctx, 'member', 'named-hhs@test.example', 'HHS');
    const c = t.client();
    await c.startSession(named);
    const before = await count(t, 'workplans_updates');
    const refused = await c.request('POST', `/api/workplans/items/${action.id}/updates`, { json: body });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal((await c.request('POST', `/workplans/items/${action.id}/updates`, { form: body })).statusCode, 403, 'the form too');
    assert.doesNotMatch((await c.get(`/workplans/items/${action.id}`)).body, /action="\/workplans\/items\/[^"]+\/updates"/, 'no update form');
    assert.doesNotMatch((await c.get('/workplans')).body, mine, 'no "my agency" link');
    assert.equal(await count(t, 'workplans_updates'), before);
    await runDigests(t.ctx, digestTime, quiet);
    assert.equal(await notified(named.id), 0, 'no digest for an unlinked account');
    assert.equal(await notified(abbreviated.id), 0);

    // An administrator links the organisation to HHS: now its accounts are HHS's.
    const admin = await t.signedIn('admin');
    const linked = await admin.request('POST', `/api/agencies/${hhs.id}/organizations`, { json: { organization_id: named.organization_id } });
    assert.equal(linked.statusCode, 201, linked.body);
    assert.match((await c.get('/workplans')).body, mine, '"my agency" link');
    assert.match((await c.get(`/workplans/items/${action.id}`)).body, /action="\/workplans\/items\/[^"]+\/updates"/, 'the update form');
    const ok = await c.request('POST', `/api/workplans/items/${action.id}/updates`, { json: body });
    assert.equal(ok.statusCode, 201, ok.body);
    await runDigests(t.ctx, new Date(Date.parse(current.end) - 4 * 86_400_000), quiet);
    assert.ok((await notified(named.id)) >= 1, 'the linked account gets the digest or the reminder');
    assert.equal(await notified(abbreviated.id), 0, 'the organisation named "HHS" still is not linked');

    // Removing the link ends it at once.
    assert.equal((await admin.request('DELETE', `/api/agencies/${hhs.id}/organizations/${named.organization_id}`)).statusCode, 204);
    assert.doesNotMatch((await c.get('/workplans')).body, mine);
  } finally {
    await t.close();
  }
});

test('editing plans: permission, 400 naming the field with nothing changed, stale version 409', async () => {
  const t = await seeded();
  try {
    const member = await signIn(t, 'member', 'HHS');
    const chair = await t.signedIn('chair');
    const goal = (await items(chair)).find((i) => i.kind === 'goal')!;
    assert.equal((await member.request('POST', '/api/workplans/items', { json: { number: '99', title: 'Nope' } })).statusCode, 403);
    const before = await count(t, 'workplans_items');
    const bad = await chair.request('POST', '/api/workplans/items', { json: { number: '99.1.1', title: 'Orphan', weight: -1 } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['weight']);
    const orphan = await chair.request('POST', '/api/workplans/items', { json: { number: '99.1.1', title: 'Orphan' } });
    assert.equal(orphan.statusCode, 400);
    assert.equal((orphan.json() as { errors: { field: string }[] }).errors[0].field, 'number');
    assert.equal(await count(t, 'workplans_items'), before);
    const created = await chair.request('POST', '/api/workplans/items', { json: { number: '99', title: 'A new goal', weight: 2 } });
    assert.equal(created.statusCode, 201);
    const ok = await chair.request('PATCH', `/api/workplans/items/${goal.id}`, { json: { version: goal.version, weight: 3 } });
    assert.equal(ok.statusCode, 200, ok.body);
    const stale = await chair.request('PATCH', `/api/workplans/items/${goal.id}`, { json: { version: goal.version, weight: 4 } });
    assert.equal(stale.statusCode, 409);
  } finally {
    await t.close();
  }
});

test('CSV import: refusals name row and column, and nothing is imported; a good file imports', async () => {
  const t = await seeded();
  try {
    const chair = await t.signedIn('chair');
    const before = await count(t, 'workplans_items');
    const header = 'number,title,lead_agency,supporting_agencies,owner,start_date,due_date,status,weight,milestones,key_results';
    const bad = [
      header,
      '50,Goal fifty,HHS,,Research and Data,2026-01-01,2026-12-31,on_track,1,,',
      '50.1,Objective,HHS,,,,,,,,',
      '50.1.1,Good action,HHS,DOJ;DOL,,,,,two,,',
      '50.1.2,Unknown agency,Ministry of Magic,,,,,,,,',
      '50.1.x,Bad numbering,HHS,,,,,,,,',
      '50.1.1,Duplicate,HHS,,,,,,,,',
      '50.1.3,Bad key result,HHS,,,,,,,,Briefs|0|lots|briefs',
    ].join('\n');
    const res = await chair.request('POST', '/api/workplans/import', { headers: { 'content-type': 'text/csv' }, ...({} as object) });
    assert.equal(res.statusCode, 400, 'an empty body is refused');
    const refused = await t.app.inject({ method: 'POST', url: '/api/workplans/import', headers: { 'content-type': 'text/csv', cookie: [...chair.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': chair.csrf }, payload: bad });
    assert.equal(refused.statusCode, 400, refused.body);
    const report = refused.json() as { refused: { row: number; column: string; reason: string }[] };
    const got = report.refused.map((r) => `${r.row}:${r.column}`);
    assert.deepEqual(got, ['4:weight', '5:lead_agency', '6:number', '7:number', '8:key_results']);
    assert.match(report.refused[1].reason, /Ministry of Magic/);
    assert.equal(await count(t, 'workplans_items'), before, 'nothing imported');

    const good = [header, '50,Goal fifty,HHS,,Research and Data,2026-01-01,2026-12-31,on_track,1,,', '50.1,Objective,HHS,,,,,,,,', '50.1.1,Good action,HHS,DOJ;DOL,,,,,2,Draft|2026-06-30|;Publish|2026-12-31|,Briefs|0|1|briefs'].join('\n');
    const ok = await t.app.inject({ method: 'POST', url: '/api/workplans/import', headers: { 'content-type': 'text/csv', cookie: [...chair.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': chair.csrf }, payload: good });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.deepEqual(ok.json(), { imported: 3, goals: 1, objectives: 1, actions: 1 });
    assert.equal(await count(t, 'workplans_items'), before + 3);

    // The HTML form: same rules, refusals listed in a table.
    const formRes = await chair.request('POST', '/workplans/import', { form: { csv: bad.replace(/^50/gm, '60') } });
    assert.equal(formRes.statusCode, 400);
    assert.match(formRes.body, /Ministry of Magic/);
    assert.equal((await chair.get('/workplans/import')).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('digests go out over SMTP with a link and no details, once per person and period', async () => {
  const mail = await testMailServer();
  const received = mail.received;
  const t = await seeded({ SMTP_URL: mail.url });
  try {
    const hhsUser = await agencyUser(t, 'member', 'hhs-digest@test.example', 'Department of Health and Human Services', 'HHS');
    const dolUser = await agencyUser(t, 'member', 'dol-digest@test.example', 'DOL', 'DOL');
    // This one last used the workspace in Spanish (kept at sign-in or on switching language).
    const dolSpanish = await agencyUser(t, 'member', 'dol-es-digest@test.example', 'DOL', 'DOL');
    await t.db.handle.db.updateTable('users').set({ lang: 'es' }).where('id', '=', dolSpanish.id).execute();
    await makeUser(t.ctx, 'member', 'other@test.example', 'Somewhere Else');
    // Five days before the current quarter closes.
    const current = periodOf(new Date());
    const now = new Date(Date.parse(current.end) - 5 * 86_400_000);
    const result = await runDigests(t.ctx, now, quiet);
    assert.equal(result.period, current.key);
    assert.ok(result.digests >= 2, `digests: ${JSON.stringify(result)}`);
    assert.equal(result.reminders, 2, 'the missing update of the last closed quarter, to each of its two DOL members');
    const toHhs = received.find((m) => m.to.includes(hhsUser.email));
    assert.ok(toHhs, 'the HHS member gets a digest');
    assert.match(toHhs.data, /\/workplans\/agencies\/[0-9a-f-]{36}/);
    assert.doesNotMatch(toHhs.data, /scheduling across agencies slipped/, 'no narratives in e-mail');
    const reminder = received.find((m) => m.to.includes(dolUser.email) && /Reminder/.test(m.data));
    assert.ok(reminder, 'the lead agency of the missing update gets a reminder');
    const closed = shiftPeriod(current, -1).key;
    const read = readMail(reminder);
    assert.match(read.subject, new RegExp(`^Reminder: \\d+ work plan updates? missing for ${periodLabel('en', closed)}$`), 'the period in words');
    assert.doesNotMatch(read.body, new RegExp(closed), 'not its code');
    const recordatorio = received.find((m) => m.to.includes(dolSpanish.email) && /Recordatorio/.test(readMail(m).subject));
    assert.ok(recordatorio, 'the Spanish reader gets the reminder in Spanish');
    assert.match(readMail(recordatorio).subject, new RegExp(`^Recordatorio: faltan? \\d+ actualizaci(ón|ones) del plan de trabajo de ${periodLabel('es', closed)}$`));
    assert.match(readMail(recordatorio).body, /Vea lo que debe su agencia y envíe las actualizaciones: http/);
    assert.ok(!received.some((m) => m.to.includes('other@test.example')));
    const n = received.length;
    const again = await runDigests(t.ctx, now, quiet);
    assert.equal(again.digests + again.reminders, 0, 'nothing is sent twice');
    assert.equal(received.length, n);

    const chair = await t.signedIn('chair');
    assert.equal((await chair.request('POST', '/api/workplans/digests/run')).statusCode, 403);
    const admin = await t.signedIn('admin');
    const run = await admin.request('POST', '/api/workplans/digests/run');
    assert.equal(run.statusCode, 200, run.body);
  } finally {
    await t.close();
    closeMail();
    await mail.close();
  }
});

test('without SMTP_URL mail is logged as skipped', async () => {
  const t = await seeded();
  try {
    await agencyUser(t, 'member', 'hhs-skip@test.example', 'HHS', 'HHS');
    const lines: string[] = [];
    const current = periodOf(new Date());
    const res = await runDigests(t.ctx, new Date(Date.parse(current.end) - 86_400_000), (l) => lines.push(l));
    assert.ok(res.skipped >= 1);
    assert.equal(res.digests, 0);
    assert.match(lines[0], /mail skipped/);
  } finally {
    await t.close();
  }
});
