/**
 * The web forms for goals, objectives and actions, the import form's file upload, and the `workplans digests`
 * command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { testApp, makeUser, runCli, type TestApp, type TestClient } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { workplansModule } from './index.ts';
import { loadDirectory } from './directory.ts';
import { periodOf } from './periods.ts';
import { agencyUser, assertAccessibleForm, countRows, formFields, itemIdFrom, optionValue, postMultipart } from './testkit.ts';

const quiet = () => {};

async function setup(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  await structureModule.seedDemo!(t.ctx, quiet);
  return t;
}

async function member(t: TestApp, org = 'HHS'): Promise<TestClient> {
  const c = t.client();
  await c.signIn(await makeUser(t.ctx, 'member', `m-${randomBytes(4).toString('hex')}@test.example`, org));
  return c;
}

/** A refused form: 400, the field named in the summary and marked at the field, the input kept, nothing written. */
async function refused(t: TestApp, c: TestClient, url: string, form: Record<string, string | string[]>, field: string, kept?: string) {
  const before = await countRows(t, 'workplans_items');
  const res = await c.request('POST', url, { form });
  assert.equal(res.statusCode, 400, `${field}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const id = `field-${field.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  assert.match(res.body, new RegExp(`<a href="#${id}">${field.replace(/\./g, '\\.')}: `), `the summary names ${field}`);
  assert.match(res.body, new RegExp(`id="${id}-error"`), `the message sits at ${field}`);
  if (kept !== undefined) assert.ok(res.body.includes(kept), `the input "${kept}" is kept`);
  assertAccessibleForm(res.body);
  assert.equal(await countRows(t, 'workplans_items'), before, 'nothing created');
  return res;
}

test('item forms: bad input is refused field by field, with the input kept and nothing created', async () => {
  const t = await setup();
  try {
    const chair = await t.signedIn('chair');
    const page = (await chair.get('/workplans/items/new')).body;
    const base = formFields(page, '/workplans/items');
    const hhs = optionValue(page, 'Department of Health and Human Services (HHS)');

    await refused(t, chair, '/workplans/items', { ...base, title: '' }, 'title');
    await refused(t, chair, '/workplans/items', { ...base, number: '1..2', title: 'Kept title' }, 'number', 'value="1..2"');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Dates', start_date: '2026-05-01', due_date: '2026-04-30' }, 'due_date', 'value="2026-04-30"');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Who?', lead_agency_id: randomUUID() }, 'lead_agency_id');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Who?', lead_agency_id: 'not-an-id' }, 'lead_agency_id');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Helpers?', supporting_agency_ids: [hhs, randomUUID()] }, 'supporting_agency_ids');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Owner?', owner_id: randomUUID() }, 'owner_id');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Heavy', weight: 'heavy' }, 'weight', 'value="heavy"');
    await refused(t, chair, '/workplans/items', { ...base, number: '1.1', title: 'Orphan objective' }, 'number');
    // A problem in the second key-result row is shown at that row, even with the first row left blank.
    await refused(t, chair, '/workplans/items', { ...base, title: 'Rows', 'key_results.1.name': 'Briefs', 'key_results.1.start_value': 'none', 'key_results.1.target_value': '3' }, 'key_results.1.start_value', 'value="none"');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Rows', 'key_results.0.name': 'Briefs', 'key_results.0.start_value': '2', 'key_results.0.target_value': '2' }, 'key_results.0.target_value');
    await refused(t, chair, '/workplans/items', { ...base, title: 'Rows', 'milestones.2.due_date': '2026-01-01' }, 'milestones.2.title');

    // A good goal, then an action without a lead agency is refused.
    const goal = itemIdFrom(await chair.request('POST', '/workplans/items', { form: { ...base, title: 'A goal' } }));
    const objective = itemIdFrom(await chair.request('POST', `/workplans/items?parent=${goal}`, { form: { ...formFields((await chair.get(`/workplans/items/new?parent=${goal}`)).body, `/workplans/items?parent=${goal}`), title: 'An objective' } }));
    const actionForm = formFields((await chair.get(`/workplans/items/new?parent=${objective}`)).body, `/workplans/items?parent=${objective}`);
    await refused(t, chair, `/workplans/items?parent=${objective}`, { ...actionForm, title: 'Leaderless', lead_agency_id: '' }, 'lead_agency_id');
    assert.equal((await chair.get(`/workplans/items/new?parent=${randomUUID()}`)).statusCode, 404);
  } finally {
    await t.close();
  }
});

test('edit form: changes, clears and keeps key results; bad input and a stale version re-render the form', async () => {
  const t = await setup();
  try {
    const chair = await t.signedIn('chair');
    const dir = await loadDirectory(t.ctx.db);
    const hhs = dir.agencyByName('HHS')!;
    const dol = dir.agencyByName('DOL')!;
    for (const [number, title] of [['3', 'Goal'], ['3.1', 'Objective']]) {
      const c = await chair.request('POST', '/api/workplans/items', { json: { number, title } });
      assert.equal(c.statusCode, 201);
    }
    const created = await chair.request('POST', '/api/workplans/items', {
      json: { number: '3.1.1', title: 'Action', description: 'Old words', lead_agency_id: hhs.id, supporting_agency_ids: [dol.id], key_results: [{ name: 'Briefs', start_value: 0, target_value: 2 }], milestones: [{ title: 'Draft' }] },
    });
    const action = created.json() as { id: string; key_results: { id: string }[] };
    const url = `/workplans/items/${action.id}`;

    const editPage = (await chair.get(`${url}/edit`)).body;
    assertAccessibleForm(editPage);
    const fields = formFields(editPage, url);
    assert.equal(fields['key_results.0.id'], action.key_results[0].id);
    assert.deepEqual([fields.supporting_agency_ids].flat(), [dol.id]);

    await refused(t, chair, url, { ...fields, title: ' ' }, 'title');
    await refused(t, chair, url, { ...fields, start_date: '2026-09-01', due_date: '2026-08-01' }, 'due_date', 'value="2026-08-01"');
    await refused(t, chair, url, { ...fields, lead_agency_id: randomUUID() }, 'lead_agency_id');
    await refused(t, chair, url, { ...fields, lead_agency_id: '' }, 'lead_agency_id');
    await refused(t, chair, url, { ...fields, weight: '' }, 'weight');

    // Emptied fields become empty; the key result keeps its id (so reported values stay attached); a new milestone row is added.
    const { supporting_agency_ids: _dropped, ...rest } = fields;
    const ok = await chair.request('POST', url, { form: { ...rest, description: '', title: 'Action, renamed', 'milestones.1.title': 'Publish', 'milestones.1.due_date': '2026-12-31' } });
    assert.equal(itemIdFrom(ok), action.id);
    const after = (await chair.get(`/api/workplans/items/${action.id}`)).json() as { title: string; description: string | null; supporting_agency_ids: string[]; key_results: { id: string }[]; milestones: { title: string }[]; version: number };
    assert.equal(after.title, 'Action, renamed');
    assert.equal(after.description, null);
    assert.deepEqual(after.supporting_agency_ids, []);
    assert.deepEqual(after.key_results.map((k) => k.id), [action.key_results[0].id]);
    assert.deepEqual(after.milestones.map((m) => m.title), ['Draft', 'Publish']);

    // The form read before that change is now stale.
    const stale = await chair.request('POST', url, { form: { ...fields, title: 'Late edit' } });
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /changed since version/);
    assert.ok(stale.body.includes('value="Late edit"'), 'the input is kept');
  } finally {
    await t.close();
  }
});

test('item forms: only chairs and administrators; anonymous people are sent to sign in; links for those who may', async () => {
  const t = await setup();
  try {
    const chair = await t.signedIn('chair');
    const created = await chair.request('POST', '/api/workplans/items', { json: { number: '5', title: 'Goal' } });
    const goal = (created.json() as { id: string }).id;
    const m = await member(t);
    for (const [method, url] of [['GET', '/workplans/items/new'], ['GET', `/workplans/items/new?parent=${goal}`], ['POST', '/workplans/items'], ['GET', `/workplans/items/${goal}/edit`], ['POST', `/workplans/items/${goal}`]]) {
      const res = method === 'GET' ? await m.get(url) : await m.request('POST', url, { form: { number: '6', title: 'Member goal', version: '1' } });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
    assert.equal(await countRows(t, 'workplans_items'), 1);
    const anon = t.client();
    for (const url of ['/workplans/items/new', `/workplans/items/${goal}/edit`]) {
      const res = await anon.get(url);
      assert.equal(res.statusCode, 302, url);
      assert.match(String(res.headers.location), /^\/login\?next=/);
    }
    assert.equal((await anon.request('POST', '/workplans/items', { form: { number: '6', title: 'x' } })).statusCode, 401);

    const linkToNew = /href="\/workplans\/items\/new"/;
    const linkToEdit = new RegExp(`href="/workplans/items/${goal}/edit"`);
    assert.doesNotMatch((await anon.get('/workplans')).body, linkToNew);
    assert.doesNotMatch((await m.get('/workplans')).body, linkToNew);
    assert.doesNotMatch((await m.get(`/workplans/items/${goal}`)).body, linkToEdit);
    assert.match((await chair.get('/workplans')).body, linkToNew);
    const goalPage = (await chair.get(`/workplans/items/${goal}`)).body;
    assert.match(goalPage, linkToEdit);
    assert.match(goalPage, /Add an objective/);
    const admin = await t.signedIn('admin');
    assert.equal((await admin.get('/workplans/items/new')).statusCode, 200);
    chair.cookies.set('lang', 'es');
    const es = await chair.get('/workplans/items/new');
    assert.match(es.body, /Agregar una meta/);
  } finally {
    await t.close();
  }
});

test('import form: a CSV file upload, refused rows in a table, size and count limits, CSRF', async () => {
  const t = await setup();
  try {
    const chair = await t.signedIn('chair');
    const page = (await chair.get('/workplans/import')).body;
    assert.match(page, /enctype="multipart\/form-data"/);
    assert.match(page, /type="file"/);
    assertAccessibleForm(page);
    const header = 'number,title,lead_agency,supporting_agencies,owner,start_date,due_date,status,weight,milestones,key_results';
    const good = ['\ufeff' + header, '8,Goal eight,,,,,,on_track,1,,', '8.1,Objective,,,,,,,,,', '8.1.1,Action,HHS,DOL,,2026-01-01,2026-12-31,,2,Draft|2026-06-30|,Briefs|0|1|briefs'].join('\r\n');
    const bad = [header, '9,Goal nine,,,,,,,,,', '9.1.1,Orphan,HHS,,,,,,,,', '9.2,Objective,Ministry of Magic,,,,,,,,'].join('\n');

    // Refused rows are listed; nothing is imported.
    const no = await postMultipart(t, chair, '/workplans/import', { csv: '' }, [{ field: 'file', filename: 'plan.csv', data: Buffer.from(bad) }]);
    assert.equal(no.statusCode, 400, no.body.slice(0, 300));
    assert.match(no.body, /<caption>Rows refused<\/caption>/);
    assert.match(no.body, /<td data-label="Row">3<\/td><td data-label="Column">number<\/td>/);
    assert.match(no.body, /Ministry of Magic/);
    assert.equal(await countRows(t, 'workplans_items'), 0);

    // A good file (with the byte-order mark spreadsheets write) is imported.
    const yes = await postMultipart(t, chair, '/workplans/import', { csv: '' }, [{ field: 'file', filename: 'plan.csv', data: Buffer.from(good) }]);
    assert.equal(yes.statusCode, 201, yes.body.slice(0, 300));
    assert.match(yes.body, /3 items imported/);
    assert.equal(await countRows(t, 'workplans_items'), 3);

    // Pasted text in the same form, the file input left empty (browsers still send an empty part).
    const pasted = await postMultipart(t, chair, '/workplans/import', { csv: 'number,title\n10,Pasted goal' }, [{ field: 'file', filename: '', type: 'application/octet-stream', data: Buffer.alloc(0) }]);
    assert.equal(pasted.statusCode, 201, pasted.body.slice(0, 300));
    assert.equal(await countRows(t, 'workplans_items'), 4);

    // Nothing chosen or pasted; not UTF-8; too large; two files.
    const empty = await postMultipart(t, chair, '/workplans/import', { csv: '' }, []);
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="field-file-error"/);
    const latin1 = await postMultipart(t, chair, '/workplans/import', {}, [{ field: 'file', filename: 'latin1.csv', data: Buffer.from('number,title\n11,Se\xf1or goal', 'latin1') }]);
    assert.equal(latin1.statusCode, 400);
    assert.match(latin1.body, /not UTF-8/);
    const big = await postMultipart(t, chair, '/workplans/import', {}, [{ field: 'file', filename: 'big.csv', data: Buffer.alloc(2 * 1024 * 1024 + 10, 'a') }]);
    assert.equal(big.statusCode, 413);
    assert.match(big.body, /at most 2 MB/);
    const two = await postMultipart(t, chair, '/workplans/import', {}, [
      { field: 'file', filename: 'a.csv', data: Buffer.from('number,title\n12,A') },
      { field: 'file', filename: 'b.csv', data: Buffer.from('number,title\n13,B') },
    ]);
    assert.equal(two.statusCode, 413);
    assert.equal(await countRows(t, 'workplans_items'), 4);

    // The CSRF token is required in a multipart form too; members may not import.
    const forged = await postMultipart(t, chair, '/workplans/import', {}, [{ field: 'file', filename: 'plan.csv', data: Buffer.from('number,title\n14,Forged') }], { csrf: false });
    assert.equal(forged.statusCode, 403);
    const m = await member(t);
    assert.equal((await postMultipart(t, m, '/workplans/import', {}, [{ field: 'file', filename: 'plan.csv', data: Buffer.from('number,title\n15,Member') }])).statusCode, 403);
    assert.equal(await countRows(t, 'workplans_items'), 4);
  } finally {
    await t.close();
  }
});

// ---------- the command line ----------

const cli = (args: string[], env: Record<string, string>) => runCli(args, env);

test('taskforce workplans digests: prints what was sent and skipped; bad options exit 2', async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const t = await setup(secrets);
  try {
    await workplansModule.seedDemo!(t.ctx, quiet);
    await agencyUser(t, 'member', 'hhs-cli@test.example', 'HHS', 'HHS');
    const env = { ...secrets, DATABASE_URL: t.db.config.databaseUrl };
    const current = periodOf(new Date());
    const at = new Date(Date.parse(current.end) - 3 * 86_400_000).toISOString();
    const run = await cli(['workplans', 'digests', '--at', at], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /mail skipped \(SMTP_URL is empty\): "Work plan updates due/);
    assert.match(run.stdout, new RegExp(`${current.key}: 0 digest\\(s\\) and 0 reminder\\(s\\) sent, [1-9]\\d* skipped`));
    const again = await cli(['workplans', 'digests', '--at', at], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 digest\(s\) and 0 reminder\(s\) sent, 0 skipped/, 'each person once per quarter');

    for (const [args, message] of [
      [['workplans', 'digests', '--at', 'yesterday'], /--at must be a date or an instant/],
      [['workplans', 'digests', '--bogus'], /bogus/],
      [['workplans', 'digests', 'extra'], /extra/],
      [['workplans'], /the only subcommand is "digests"/],
      [['workplans', 'send'], /the only subcommand is "digests"/],
    ] as const) {
      const res = await cli([...args], env);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const help = await cli(['help'], env);
    assert.match(help.stdout, /workplans digests/);
  } finally {
    await t.close();
  }
});
