import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testApp, testMailServer, makeUser, readMail, csrfFrom, TestClient, type TestApp, type TestMailServer, type TestUser } from '../../platform/testing.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { addDemoProviders } from './demo.ts';
import { uuidv5 } from './model.ts';
import { addSteward } from './stewards.ts';

const ORG = uuidv5('demo:org:freedom-network');
const SHELTER = uuidv5('demo:svc:shelter');
const JOBS = uuidv5('demo:svc:jobs');
const CASE = uuidv5('demo:svc:case');
const SHELTER_LOC = uuidv5('demo:loc:shelter');
const OFFICE_LOC = uuidv5('demo:loc:office');
const CAPACITY = uuidv5('demo:cap:shelter');
const today = () => new Date().toISOString().slice(0, 10);

let t: TestApp;
let mail: TestMailServer;
let anon: TestClient;
let admin: TestClient;
let other: TestClient;
let steward: TestClient;
let stewardUser: TestUser;
let providerOrgId: string;

async function signedInAs(u: TestUser): Promise<TestClient> {
  const c = new TestClient(t.app, t.ctx);
  await c.signIn(u);
  return c;
}

before(async () => {
  mail = await testMailServer();
  t = await testApp({ env: { SMTP_URL: mail.url, PUBLIC_URL: 'http://hub.example' } });
  await addDemoProviders(t.ctx);
  stewardUser = await makeUser(t.ctx, 'member', 'intake@freedom-staff.example', 'Freedom Network Staff');
  providerOrgId = stewardUser.organization_id;
  anon = t.client();
  admin = await t.signedIn('admin');
  other = await t.signedIn('member');
  steward = await signedInAs(stewardUser);
});

after(async () => {
  closeMail();
  await mail.close();
  await t.close();
});

const count = async (table: string) => Number((await t.ctx.db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
const service = (id: string) => t.ctx.db.selectFrom('directory_service').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const fieldsOf = (body: string) => ((JSON.parse(body) as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

async function waitForMail(n: number) {
  for (let i = 0; i < 100 && mail.received.length < n; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(mail.received.length >= n, `expected ${n} messages, got ${mail.received.length}`);
}

test('stewards: directory managers link account organisations to a listing; nobody else may', async () => {
  for (const [c, status] of [[anon, 401], [other, 403], [steward, 403]] as const) {
    assert.equal((await c.request('POST', `/api/directory/organizations/${ORG}/stewards`, { json: { account_organization_id: providerOrgId } })).statusCode, status);
    assert.equal((await c.get(`/api/directory/organizations/${ORG}/stewards`)).statusCode, status);
  }
  const bad = await admin.request('POST', `/api/directory/organizations/${ORG}/stewards`, { json: { account_organization_id: 'nope' } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(fieldsOf(bad.body), ['account_organization_id']);
  const unknown = await admin.request('POST', `/api/directory/organizations/${ORG}/stewards`, { json: { account_organization_id: uuidv5('no-such-account-org') } });
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(fieldsOf(unknown.body), ['account_organization_id']);
  assert.equal((await admin.request('POST', `/api/directory/organizations/${uuidv5('nothing')}/stewards`, { json: { account_organization_id: providerOrgId } })).statusCode, 404);
  assert.equal((await admin.get('/api/directory/organizations/42/stewards')).statusCode, 400);
  assert.equal(await count('directory_steward'), 0, 'refusals change nothing');

  // Through the organisation page's form.
  const page = await admin.get(`/directory/organizations/${ORG}`);
  assert.match(page.body, /Organizations that act for this listing/);
  assert.match(page.body, /Freedom Network Staff/, 'the account organisation is offered');
  const empty = await admin.request('POST', `/directory/organizations/${ORG}/stewards`, { form: { account_organization_id: '' } });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /usa-error-message/);
  const added = await admin.request('POST', `/directory/organizations/${ORG}/stewards`, { form: { account_organization_id: providerOrgId } });
  assert.equal(added.statusCode, 302);
  const list = await admin.get(`/api/directory/organizations/${ORG}/stewards`);
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json().map((s: { account_organization_name: string }) => s.account_organization_name), ['Freedom Network Staff']);
  assert.doesNotMatch((await other.get(`/directory/organizations/${ORG}`)).body, /Organizations that act for this listing/, 'members do not see the steward list');

  // Remove (API) and add again (API).
  const otherOrg = (await t.user('member')).organization_id;
  assert.equal((await admin.request('POST', `/api/directory/organizations/${ORG}/stewards`, { json: { account_organization_id: otherOrg } })).statusCode, 201);
  assert.equal((await other.request('DELETE', `/api/directory/organizations/${ORG}/stewards/${otherOrg}`)).statusCode, 403);
  assert.equal((await admin.request('DELETE', `/api/directory/organizations/${ORG}/stewards/${otherOrg}`)).statusCode, 204);
  assert.equal((await admin.request('DELETE', `/api/directory/organizations/${ORG}/stewards/${otherOrg}`)).statusCode, 404);
  const audit = await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', ORG).execute();
  assert.deepEqual(audit.map((a) => a.action).sort(), ['directory.steward.add', 'directory.steward.add', 'directory.steward.remove']);
});

test('only stewards propose: anonymous 401, a member of another organisation 403, the steward 201', async () => {
  const body = { description: 'Updated description.' };
  assert.equal((await anon.request('POST', `/api/directory/services/${JOBS}/proposals`, { json: body })).statusCode, 401);
  const refused = await other.request('POST', `/api/directory/services/${JOBS}/proposals`, { json: body });
  assert.equal(refused.statusCode, 403);
  assert.equal((await other.get(`/directory/services/${JOBS}/edit`)).statusCode, 403);
  assert.equal((await other.request('POST', `/directory/services/${JOBS}/edit`, { form: { name: 'x' } })).statusCode, 403);
  assert.equal((await other.request('POST', `/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { json: { available: 1 } })).statusCode, 403);
  assert.equal((await anon.get('/directory/my')).statusCode, 302);
  assert.equal(await count('directory_proposal'), 0);
  // A non-steward's "My listings" says how to get linked; the steward's lists the listing.
  assert.match((await other.get('/directory/my')).body, /does not act for any directory listing/);
  const mine = await steward.get('/directory/my');
  assert.equal(mine.statusCode, 200);
  assert.match(mine.body, /Capital Area Freedom Network/);
  assert.match(mine.body, new RegExp(`/directory/services/${JOBS}/edit`));
  // Reviewers only: the queue.
  for (const c of [other, steward]) {
    assert.equal((await c.get('/api/directory/proposals')).statusCode, 403);
    assert.equal((await c.get('/directory/review')).statusCode, 403);
  }
  const listings = await steward.get('/api/directory/listings');
  assert.equal(listings.statusCode, 200);
  assert.equal(listings.json()[0].id, ORG);
  assert.ok(!JSON.stringify(listings.json()).includes('Safe Haven House'), 'a confidential location stays unnamed for unvetted roles');
});

test('propose, review, applied: the listing changes, last verified is today, search finds it, the proposer gets a link by e-mail', async () => {
  const before = await service(JOBS);
  const proposal = {
    name: 'Pathways to Work (Zephyrine program)',
    description: 'Job readiness and apprenticeships.',
    hours: [{ byday: ['MO', 'WE'], opens_at: '10:00', closes_at: '16:00' }, { description: 'Saturdays by appointment' }],
    languages: ['English', 'Spanish', 'Amharic'],
    phones: [{ number: '(202) 555-0123', extension: 12, description: 'Job desk' }],
  };
  const res = await steward.request('POST', `/api/directory/services/${JOBS}/proposals`, { json: proposal });
  assert.equal(res.statusCode, 201, res.body);
  const p = res.json();
  assert.equal(p.status, 'pending');
  assert.deepEqual(p.fields, ['name', 'description', 'hours', 'languages', 'phones']);
  assert.equal((await service(JOBS)).name, before.name, 'nothing changes before review');

  const queue = await admin.get('/api/directory/proposals');
  assert.equal(queue.statusCode, 200);
  assert.deepEqual(queue.json().items.map((i: { id: string }) => i.id), [p.id]);
  const detail = (await admin.get(`/api/directory/proposals/${p.id}`)).json();
  const name = detail.diff.find((d: { field: string }) => d.field === 'name');
  assert.deepEqual([name.base, name.proposed, name.current, name.stale], [before.name, proposal.name, before.name, false]);
  assert.equal((await other.get(`/api/directory/proposals/${p.id}`)).statusCode, 404, 'others cannot see it');
  assert.equal((await steward.get(`/api/directory/proposals/${p.id}`)).statusCode, 200, 'the proposer can');
  assert.equal((await steward.request('POST', `/api/directory/proposals/${p.id}/approve`, { json: {} })).statusCode, 403, 'a proposer cannot approve');

  const ok = await admin.request('POST', `/api/directory/proposals/${p.id}/approve`, { json: {} });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().status, 'approved');
  const after = await service(JOBS);
  assert.equal(after.name, proposal.name);
  assert.equal(String(after.assured_date), today());
  assert.equal(after.assurer_email, (await t.user('admin')).email);
  const hsds = (await anon.get(`/api/hsds/services/${JOBS}`)).json();
  assert.deepEqual(hsds.languages.map((l: { name: string }) => l.name).sort(), ['Amharic', 'English', 'Spanish']);
  assert.ok(hsds.schedules.some((s: { byday?: string; opens_at?: string }) => s.byday === 'MO,WE' && s.opens_at === '10:00'));
  assert.ok(hsds.phones.some((ph: { number: string; extension?: number }) => ph.number === '(202) 555-0123' && ph.extension === 12));
  // The page reads the hours merged, weekdays in order, in the reader's language.
  const page = await anon.get(`/directory/services/${JOBS}`);
  assert.match(page.body, /Mon, Wed 10 am–4 pm; Saturdays by appointment/);
  assert.match((await anon.get(`/directory/services/${JOBS}`, { cookie: 'lang=es' })).body, /lun, mié 10:00–16:00; Saturdays by appointment/);
  const found = (await anon.get('/api/hsds/services?search=zephyrine')).json();
  assert.deepEqual(found.contents.map((s: { id: string }) => s.id), [JOBS], 'reindexed for search');
  assert.equal((await admin.request('POST', `/api/directory/proposals/${p.id}/approve`, { json: {} })).statusCode, 409, 'approved once only');
  const audit = await t.ctx.db.selectFrom('audit_events').select(['action', 'summary']).where('entity_id', '=', JOBS).execute();
  assert.ok(audit.some((a) => a.action === 'directory.proposal.create'));
  assert.ok(audit.some((a) => a.action === 'directory.proposal.approve'));
  assert.ok(audit.some((a) => a.action === 'directory.service.verified'));

  await waitForMail(1);
  const m = mail.received.at(-1)!;
  assert.deepEqual(m.to, [stewardUser.email]);
  assert.ok(m.data.includes(`http://hub.example/directory/proposals/${p.id}`), 'a link to the proposal');
  assert.doesNotMatch(m.data, /Zephyrine|Pathways|555-0123|Job readiness/, 'no listing details in the e-mail');
});

test('a stale proposal is not applied silently: 409 naming the fields, then applied after confirmation', async () => {
  const p = (await steward.request('POST', `/api/directory/services/${CASE}/proposals`, { json: { eligibility_description: 'Adults and minors.', fees_description: 'Free' } })).json();
  // Meanwhile the record changes (another proposal approved, or a re-import).
  await t.ctx.db.updateTable('directory_service').set({ eligibility_description: 'Changed by the import.' }).where('id', '=', CASE).execute();
  const detail = (await admin.get(`/api/directory/proposals/${p.id}`)).json();
  assert.equal(detail.stale, true);
  assert.deepEqual(detail.diff.filter((d: { stale: boolean }) => d.stale).map((d: { field: string }) => d.field), ['eligibility_description']);
  const refused = await admin.request('POST', `/api/directory/proposals/${p.id}/approve`, { json: {} });
  assert.equal(refused.statusCode, 409);
  assert.deepEqual(fieldsOf(refused.body), ['eligibility_description']);
  assert.equal((await service(CASE)).eligibility_description, 'Changed by the import.', 'nothing applied');

  // The web page shows all three values and asks for confirmation.
  const page = await admin.get(`/directory/proposals/${p.id}`);
  assert.match(page.body, /Changed by the import\./);
  assert.match(page.body, /Adults and minors\./);
  assert.match(page.body, /changed since/);
  const form = await admin.request('POST', `/directory/proposals/${p.id}/approve`, { form: {} });
  assert.equal(form.statusCode, 409);
  assert.match(form.body, /name="confirm_stale"/);
  const confirmed = await admin.request('POST', `/directory/proposals/${p.id}/approve`, { form: { confirm_stale: 'yes' } });
  assert.equal(confirmed.statusCode, 302);
  assert.equal((await service(CASE)).eligibility_description, 'Adults and minors.');
});

test('bad input answers 400 naming the field and changes nothing', async () => {
  const proposalsBefore = await count('directory_proposal');
  const svcBefore = await service(SHELTER);
  const cases: [string, unknown, string][] = [
    [`/api/directory/services/${SHELTER}/proposals`, { bogus: 1 }, 'bogus'],
    [`/api/directory/services/${SHELTER}/proposals`, { name: 'x'.repeat(4001) }, 'name'],
    [`/api/directory/services/${SHELTER}/proposals`, { name: '' }, 'name'],
    [`/api/directory/services/${SHELTER}/proposals`, { description: 'y'.repeat(20001) }, 'description'],
    [`/api/directory/services/${SHELTER}/proposals`, { url: 'javascript:alert(1)' }, 'url'],
    [`/api/directory/services/${SHELTER}/proposals`, { email: 'not-an-address' }, 'email'],
    [`/api/directory/services/${SHELTER}/proposals`, { status: 'closed' }, 'status'],
    [`/api/directory/services/${SHELTER}/proposals`, { hours: [{ byday: ['XX'] }] }, 'hours.0.byday.0'],
    [`/api/directory/services/${SHELTER}/proposals`, { hours: [{ opens_at: '25:00', closes_at: '10:00' }] }, 'hours.0.opens_at'],
    [`/api/directory/services/${SHELTER}/proposals`, { hours: [{ byday: ['MO'], opens_at: '09:00' }] }, 'hours.0.closes_at'],
    [`/api/directory/services/${SHELTER}/proposals`, { phones: [{ number: 'call us' }] }, 'phones.0.number'],
    [`/api/directory/services/${SHELTER}/proposals`, { languages: ['x'.repeat(101)] }, 'languages.0'],
    [`/api/directory/services/${SHELTER}/proposals`, { description: 'Emergency shelter beds for women survivors of trafficking, open 24 hours.' }, 'body'],
    ['/api/directory/services/not-a-uuid/proposals', { name: 'x' }, 'path.id'],
    [`/api/directory/organizations/${ORG}/proposals`, { website: 'ftp://x' }, 'website'],
    [`/api/directory/locations/${OFFICE_LOC}/proposals`, { country: 'usa' }, 'country'],
    [`/api/directory/locations/${OFFICE_LOC}/proposals`, { city: '' }, 'city'],
    [`/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { available: -1 }, 'available'],
    [`/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { available: 13 }, 'available'],
    [`/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { available: '3' }, 'available'],
    [`/api/directory/services/${SHELTER}/capacities/not-a-uuid`, { available: 3 }, 'path.capacityId'],
  ];
  for (const [url, body, field] of cases) {
    const r = await steward.request('POST', url, { json: body });
    assert.equal(r.statusCode, 400, `${url} ${JSON.stringify(body).slice(0, 80)}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    assert.match(String(r.headers['content-type']), /problem\+json/);
    assert.ok(fieldsOf(r.body).includes(field), `${JSON.stringify(body).slice(0, 80)} names ${field}: ${fieldsOf(r.body).join(', ')}`);
  }
  assert.equal((await admin.request('POST', '/api/directory/proposals/not-a-uuid/return', { json: { reason: 'x' } })).statusCode, 400);
  const pending = (await steward.request('POST', `/api/directory/organizations/${ORG}/proposals`, { json: { email: 'office@freedom-network.example' } })).json();
  const noReason = await admin.request('POST', `/api/directory/proposals/${pending.id}/return`, { json: { reason: '' } });
  assert.equal(noReason.statusCode, 400);
  assert.deepEqual(fieldsOf(noReason.body), ['reason']);
  assert.equal((await admin.request('POST', `/api/directory/proposals/${pending.id}/approve`, { json: { confirm_stale: 'yes' } })).statusCode, 400);
  assert.equal(await count('directory_proposal'), proposalsBefore + 1, 'only the valid proposal was stored');
  const svcAfter = await service(SHELTER);
  assert.deepEqual(svcAfter, svcBefore, 'the service is untouched');
  const cap = await t.ctx.db.selectFrom('directory_service_capacity').select('available').where('id', '=', CAPACITY).executeTakeFirstOrThrow();
  assert.equal(Number(cap.available), 3);
  // Returning it leaves the organisation as it was.
  assert.equal((await admin.request('POST', `/api/directory/proposals/${pending.id}/return`, { json: { reason: 'Please use the intake address.' } })).statusCode, 200);
  assert.equal((await t.ctx.db.selectFrom('directory_organization').select('email').where('id', '=', ORG).executeTakeFirstOrThrow()).email, 'intake@freedom-network.example');
});

test('the whole flow through HTML forms: edit form, errors kept beside their fields, review page, return with a reason', async () => {
  const sent = mail.received.length;
  const page = await steward.get(`/directory/services/${SHELTER}/edit`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<form method="post" action="\/directory\/services\/[^"]+\/edit"/);
  assert.match(page.body, /name="_csrf"/);
  assert.match(page.body, /value="Safe Haven Emergency Shelter"/);
  assert.equal((page.body.match(/<h1[ >]/g) ?? []).length, 1);
  const form = {
    name: 'Safe Haven Emergency Shelter',
    description: 'Emergency shelter for women and their children.',
    status: 'active',
    languages: 'English, Spanish',
    'hours.0.byday': ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'],
    'hours.0.opens_at': '00:00',
    'hours.0.closes_at': '23:59',
    'hours.2.byday': 'SA',
    'hours.2.opens_at': '25:00',
    'hours.2.closes_at': '12:00',
  };
  const bad = await steward.request('POST', `/directory/services/${SHELTER}/edit`, { form });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#field-hours-2-opens_at"/, 'the error names the form row');
  assert.match(bad.body, /Emergency shelter for women and their children\./, 'input kept');
  const withoutCsrf = await steward.request('POST', `/directory/services/${SHELTER}/edit`, { form: { ...form, _csrf: 'forged' } });
  assert.equal(withoutCsrf.statusCode, 403);
  const { ['hours.2.byday']: _a, ['hours.2.opens_at']: _b, ['hours.2.closes_at']: _c, ...good } = form;
  const ok = await steward.request('POST', `/directory/services/${SHELTER}/edit`, { form: good });
  assert.equal(ok.statusCode, 302, ok.body.slice(0, 500));
  const location = String(ok.headers.location);
  assert.match(location, /^\/directory\/proposals\/[0-9a-f-]{36}\?sent=1$/);
  const id = location.split('/')[3].split('?')[0];
  const shown = await steward.get(location);
  assert.equal(shown.statusCode, 200);
  assert.match(shown.body, /Your proposal was sent for review/);
  assert.match(shown.body, /<caption>Changes proposed, field by field<\/caption>/);

  const queue = await admin.get('/directory/review');
  assert.equal(queue.statusCode, 200);
  assert.ok(queue.body.includes(`/directory/proposals/${id}`));
  const review = await admin.get(`/directory/proposals/${id}`);
  assert.match(review.body, /action="\/directory\/proposals\/[^"]+\/return"/);
  csrfFrom(review.body);
  const noReason = await admin.request('POST', `/directory/proposals/${id}/return`, { form: { reason: '' } });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /usa-error-message/);
  // The steward last used the workspace in Spanish: the notice is in Spanish.
  await t.ctx.db.updateTable('users').set({ lang: 'es' }).where('id', '=', stewardUser.id).execute();
  const returned = await admin.request('POST', `/directory/proposals/${id}/return`, { form: { reason: 'Children are not admitted; please correct.' } });
  assert.equal(returned.statusCode, 302);
  const mine = await steward.get('/directory/my');
  assert.match(mine.body, /Returned/);
  assert.match((await steward.get(`/directory/proposals/${id}`)).body, /Children are not admitted; please correct\./);
  assert.equal((await service(SHELTER)).description, 'Emergency shelter beds for women survivors of trafficking, open 24 hours.');
  await waitForMail(sent + 1);
  const m = mail.received.at(-1)!;
  assert.ok(m.data.includes(`http://hub.example/directory/proposals/${id}`));
  assert.doesNotMatch(m.data, /Children are not admitted|Safe Haven|women/, 'neither the reason nor the listing is in the e-mail');
  assert.equal(readMail(m).subject, 'Se revisó el cambio que propuso al directorio');
  assert.match(readMail(m).body, /^Hola:\n\nSe revisó un cambio que usted propuso a un servicio del directorio\. Vea el resultado:\nhttp:\/\/hub\.example\/directory\/proposals\//);
  await t.ctx.db.updateTable('users').set({ lang: 'en' }).where('id', '=', stewardUser.id).execute();
});

test('a confidential location stays confidential while its address is edited', async () => {
  const secret = /Hidden Lane/;
  const page = await steward.get(`/directory/locations/${SHELTER_LOC}/edit`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, secret, 'an unvetted steward does not see the address');
  assert.doesNotMatch(page.body, /Safe Haven House/);
  assert.match(page.body, /This location is confidential/);
  const res = await steward.request('POST', `/directory/locations/${SHELTER_LOC}/edit`, { form: { address_1: '12 Quiet Court NW', city: 'Washington', state_province: 'DC', postal_code: '20011', country: 'us' } });
  assert.equal(res.statusCode, 302, res.body.slice(0, 400));
  const id = String(res.headers.location).split('/')[3].split('?')[0];
  const own = await steward.get(`/directory/proposals/${id}`);
  assert.doesNotMatch(own.body, secret, 'not the old address either');
  assert.match(own.body, /12 Quiet Court NW/, 'the proposer sees what they typed');
  const myList = (await steward.get('/api/directory/my/proposals')).json();
  assert.equal(myList.items.find((i: { id: string }) => i.id === id).target_name, 'Confidential location');
  assert.doesNotMatch(JSON.stringify(myList), /Safe Haven House|Hidden Lane/);
  const ownJson = (await steward.get(`/api/directory/proposals/${id}`)).json();
  assert.equal(ownJson.redacted, true);
  assert.doesNotMatch(JSON.stringify(ownJson), secret);
  const review = await admin.get(`/directory/proposals/${id}`);
  assert.match(review.body, secret, 'the vetted reviewer compares with the old address');
  assert.equal((await admin.request('POST', `/api/directory/proposals/${id}/approve`, { json: {} })).statusCode, 200);
  const loc = await t.ctx.db.selectFrom('directory_location').selectAll().where('id', '=', SHELTER_LOC).executeTakeFirstOrThrow();
  assert.ok(loc.confidential === true || Number(loc.confidential) === 1, 'still confidential');
  for (const url of [`/api/hsds/services/${SHELTER}`, `/directory/services/${SHELTER}`, `/directory/organizations/${ORG}`, '/directory/download/addresses.csv']) {
    const r = await other.get(url);
    assert.equal(r.statusCode, 200, url);
    assert.doesNotMatch(r.body, /Quiet Court|Hidden Lane/, url);
  }
  assert.match(JSON.stringify((await admin.get(`/api/hsds/services/${SHELTER}`)).json()), /12 Quiet Court NW/);
  // Search follows the move (the location now sits at 20011's centre): vetted callers find it there, nobody else.
  const near = (c: TestClient) => c.get('/api/hsds/services?near=20011&radius=1&need=emergency-shelter&per_page=50').then((r) => (r.json().contents as { id: string }[]).map((x) => x.id));
  assert.ok((await near(admin)).includes(SHELTER), 'found at its new place');
  assert.ok(!(await near(anon)).includes(SHELTER), 'a confidential place is not near anyone unvetted');
  const audit = await t.ctx.db.selectFrom('audit_events').select('summary').where('entity_id', '=', SHELTER_LOC).execute();
  assert.ok(audit.length >= 2);
  assert.doesNotMatch(JSON.stringify(audit), /Quiet Court|Hidden Lane/, 'addresses stay out of the audit log');
});

test('capacity: stewards set it at once (audited), without review', async () => {
  const r = await steward.request('POST', `/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { json: { available: 5 } });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().available, 5);
  const withBeds = async () => ((await anon.get('/api/hsds/services?capacity_available=true&per_page=50')).json().contents as { id: string }[]).map((x) => x.id);
  assert.ok((await withBeds()).includes(SHELTER), 'search sees the beds at once');
  const hsds = (await anon.get(`/api/hsds/services/${SHELTER}`)).json();
  assert.equal(hsds.capacities[0].available, 5);
  assert.equal((await steward.request('POST', `/api/directory/services/${JOBS}/capacities/${CAPACITY}`, { json: { available: 5 } })).statusCode, 404, 'the capacity belongs to another service');
  const form = await steward.request('POST', `/directory/services/${SHELTER}/capacities/${CAPACITY}`, { form: { [`available-${CAPACITY}`]: '0' } });
  assert.equal(form.statusCode, 302);
  const bad = await steward.request('POST', `/directory/services/${SHELTER}/capacities/${CAPACITY}`, { form: { [`available-${CAPACITY}`]: 'many' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, new RegExp(`href="#field-available-${CAPACITY}"`));
  assert.equal((await anon.get('/api/hsds/services?capacity_available=true')).json().total_items, 0, 'no beds left');
  const audit = await t.ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'directory.capacity.update').execute();
  assert.equal(audit.length, 2);
});

test('the proposer withdraws a pending proposal (API and form); nobody else can, and a withdrawn one cannot be approved', async () => {
  const a = (await steward.request('POST', `/api/directory/organizations/${ORG}/proposals`, { json: { description: 'Withdrawn soon.' } })).json();
  assert.equal((await other.request('POST', `/api/directory/proposals/${a.id}/withdraw`)).statusCode, 404);
  assert.equal((await admin.request('POST', `/api/directory/proposals/${a.id}/withdraw`)).statusCode, 404, 'not even a reviewer');
  assert.equal((await anon.request('POST', `/api/directory/proposals/${a.id}/withdraw`)).statusCode, 401);
  const w = await steward.request('POST', `/api/directory/proposals/${a.id}/withdraw`);
  assert.equal(w.statusCode, 200, w.body);
  assert.equal(w.json().status, 'withdrawn');
  assert.equal((await steward.request('POST', `/api/directory/proposals/${a.id}/withdraw`)).statusCode, 409);
  assert.equal((await admin.request('POST', `/api/directory/proposals/${a.id}/approve`, { json: {} })).statusCode, 409);
  assert.ok(!(await admin.get('/api/directory/proposals')).json().items.some((i: { id: string }) => i.id === a.id), 'out of the queue');
  assert.ok((await admin.get('/api/directory/proposals?status=withdrawn')).json().items.some((i: { id: string }) => i.id === a.id));

  const b = (await steward.request('POST', `/api/directory/organizations/${ORG}/proposals`, { json: { description: 'Withdrawn through the page.' } })).json();
  const page = await steward.get(`/directory/proposals/${b.id}`);
  assert.match(page.body, new RegExp(`action="/directory/proposals/${b.id}/withdraw"`));
  assert.doesNotMatch((await admin.get(`/directory/proposals/${b.id}`)).body, /\/withdraw"/, 'reviewers get approve and return instead');
  const form = await steward.request('POST', `/directory/proposals/${b.id}/withdraw`, { form: {} });
  assert.equal(form.statusCode, 302);
  assert.match((await steward.get(String(form.headers.location))).body, /Your proposal was withdrawn/);
  assert.equal((await t.ctx.db.selectFrom('directory_organization').select('description').where('id', '=', ORG).executeTakeFirstOrThrow()).description, 'Comprehensive services for survivors of human trafficking in the national capital region.');
});

test('a case worker at the provider proposes too; removing the link ends the organisation\'s rights at once', async () => {
  const caseworker = await signedInAs(await makeUser(t.ctx, 'caseworker', 'case@freedom-staff.example', 'Freedom Network Staff'));
  const r = await caseworker.request('POST', `/api/directory/organizations/${ORG}/proposals`, { json: { website: 'https://freedom-network.example/en' } });
  assert.equal(r.statusCode, 201, r.body);
  const removed = await admin.request('POST', `/directory/organizations/${ORG}/stewards/${providerOrgId}/remove`, { form: {} });
  assert.equal(removed.statusCode, 302);
  for (const c of [steward, caseworker]) {
    assert.equal((await c.request('POST', `/api/directory/organizations/${ORG}/proposals`, { json: { website: 'https://freedom-network.example/fr' } })).statusCode, 403);
    assert.equal((await c.get(`/directory/services/${SHELTER}/edit`)).statusCode, 403);
    assert.equal((await c.request('POST', `/api/directory/services/${SHELTER}/capacities/${CAPACITY}`, { json: { available: 1 } })).statusCode, 403);
    assert.match((await c.get('/directory/my')).body, /does not act for any directory listing/);
  }
  // The proposal made before stays with its proposer and in the queue.
  assert.equal((await caseworker.get(`/api/directory/proposals/${r.json().id}`)).statusCode, 200);
  assert.ok((await admin.get('/api/directory/proposals')).json().items.some((i: { id: string }) => i.id === r.json().id));
});

test('every editing route is described in OpenAPI with tags, a summary and security', async () => {
  const spec = (await anon.get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[] }>> };
  const routes = Object.entries(spec.paths).filter(([p]) => /\/api\/directory\/(organizations|services|locations|proposals|my|listings)/.test(p));
  assert.ok(routes.length >= 9, routes.map(([p]) => p).join(' '));
  for (const [path, ops] of routes) {
    for (const [method, op] of Object.entries(ops)) {
      // Writes and the signed-in lists need a caller; public reads (a service's provenance) do not.
      const signedIn = method !== 'get' || /\/api\/directory\/(proposals|my|listings)/.test(path);
      assert.ok(op.tags?.length && op.summary && (!signedIn || op.security?.length), `${method} ${path}`);
    }
  }
});

test('any proposal body gets 201 or a 400 that changes nothing, never a server error (property-based)', async () => {
  const fields = ['name', 'description', 'eligibility_description', 'application_process', 'fees_description', 'url', 'email', 'status', 'hours', 'languages', 'phones', 'other'];
  const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(null, '', 'active', 'https://x.example', 'a@b.example', 'MO', '09:00'), fc.integer(), fc.boolean(), fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.record({ byday: fc.array(fc.constantFrom('MO', 'SU', 'XX')), opens_at: fc.constantFrom('09:00', '9', '23:59'), closes_at: fc.constantFrom('17:00', 'x'), number: fc.constantFrom('202 555 0100', '', '+1 (202) 555-0100'), extension: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })) }, { requiredKeys: [] })), { maxLength: 3 }));
  let created = 0;
  let refused = 0;
  // Runs last: it leaves many pending proposals behind. The steward's link was removed by the test before.
  await addSteward(t.ctx, { directory_organization_id: ORG, account_organization_id: providerOrgId });
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 4 }), async (body) => {
      const before = await count('directory_proposal');
      const r = await steward.request('POST', `/api/directory/services/${CASE}/proposals`, { json: body });
      const after = await count('directory_proposal');
      if (r.statusCode === 201) return ++created > 0 && after === before + 1;
      return r.statusCode === 400 && ++refused > 0 && after === before && fieldsOf(r.body).length > 0;
    }),
    { numRuns: 120, seed: 20261201 },
  );
  assert.ok(created > 0 && refused > 0, `both outcomes seen: ${created} created, ${refused} refused`);
});
