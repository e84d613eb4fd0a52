import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { csrfFrom, makeUser, testApp, type TestApp } from '../../platform/testing.ts';
import { addSteward } from '../directory/index.ts';
import { tinyDirectory } from './testkit.ts';

const count = async (t: TestApp, table: string) => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);
const assertHas = (body: string, re: RegExp, msg?: string) => assert.ok(re.test(body), msg ?? `page should match ${re}`);
const assertLacks = (body: string, re: RegExp, msg?: string) => assert.ok(!re.test(body), msg ?? `page should not match ${re}`);
const h1s = (html: string) => (html.match(/<h1[ >]/g) ?? []).length;

test('managers create and edit a network through the HTML forms (CSRF, errors inline with the input kept)', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const chair = await t.signedIn('chair');
    const form = await chair.get('/networks/new');
    assert.equal(form.statusCode, 200);
    assertHas(form.body, /name="_csrf"/);
    assertHas(form.body, /Test Jobs Center/, 'directory organisations to choose the convener from');

    // Invalid: a missing name, then an unknown state. The form comes back with the error and what was typed.
    const bad = await chair.request('POST', '/networks', { form: { name: '', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC', 'MD'], needs: ['need.employment'] } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.body.includes('href="#field-name"'), 'name error linked');
    assert.ok(/value="DC" checked/.test(bad.body) && /value="MD" checked/.test(bad.body), 'states kept');
    assert.ok(bad.body.includes('value="need.employment" checked'), 'needs kept');
    const bad2 = await chair.request('POST', '/networks', { form: { name: 'Typo Network', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC', 'QQ'] } });
    assert.equal(bad2.statusCode, 400);
    assert.ok(bad2.body.includes('href="#field-states"') && bad2.body.includes('QQ is not a U.S. state'), 'state error on the states field');
    assert.ok(bad2.body.includes('value="Typo Network"'), 'name kept');
    assert.equal(await count(t, 'networks_network'), 0);

    // Without the CSRF token, nothing happens.
    const forged = await chair.request('POST', '/networks', { form: { _csrf: 'forged', name: 'Forged', convener_organization_id: d.jobs.id, area_kind: 'regions', states: 'DC' } });
    assert.equal(forged.statusCode, 403);
    assert.equal(await count(t, 'networks_network'), 0);

    const ok = await chair.request('POST', '/networks', { form: { name: 'Form Network', convener_organization_id: d.jobs.id, area_kind: 'regions', states: 'DC', counties: '24031', needs: ['need.employment', 'need.emergency-shelter'] } });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
    const url = String(ok.headers.location);
    const id = url.split('/').pop()!;
    const page = await chair.get(url);
    assert.equal(page.statusCode, 200);
    assert.equal(h1s(page.body), 1);
    assertHas(page.body, /<svg role="img" aria-labelledby="coverage-map-title coverage-map-desc"/);
    assertHas(page.body, /Coverage by county, within 10 miles/);
    assertHas(page.body, /Montgomery, MD/);
    assertHas(page.body, new RegExp(`href="/referrals/stats\\?network_id=${id}"`));
    const publicPage = await t.client().get(url);
    assert.ok(!publicPage.body.includes('/referrals/stats'), 'no link to statistics the public may not read');

    // Edit: unticking every need clears them; a stale version is refused.
    const edit = await chair.get(`/networks/${id}/edit`);
    assert.equal(edit.statusCode, 200);
    const saved = await chair.request('POST', `/networks/${id}/edit`, { form: { version: '1', name: 'Form Network, renamed', convener_organization_id: d.jobs.id, area_kind: 'radius', center_lat: '38.9', center_lng: '-77.03', radius_miles: '8' } });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
    const api = (await chair.get(`/api/networks/${id}`)).json();
    assert.equal(api.name, 'Form Network, renamed');
    assert.deepEqual(api.needs, []);
    assert.equal(api.radius_miles, 8);
    const stale = await chair.request('POST', `/networks/${id}/edit`, { form: { version: '1', name: 'Stale', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'] } });
    assert.equal(stale.statusCode, 409);

    // Members, agreements and contacts through their forms.
    assert.equal((await chair.get(`/networks/${id}/members/new`)).statusCode, 200);
    const badMember = await chair.request('POST', `/networks/${id}/members/new`, { form: { directory_organization_id: d.farHousing.id } });
    assert.equal(badMember.statusCode, 400);
    assertHas(badMember.body, /href="#field-role">Role in the network: /);
    assert.equal((await chair.request('POST', `/networks/${id}/members/new`, { form: { directory_organization_id: d.farHousing.id, role: 'housing' } })).statusCode, 303);
    const badAgreement = await chair.request('POST', `/networks/${id}/agreements/new`, { form: { title: 'MOU', signed_on: '2026-05-01', expires_on: '2026-01-01' } });
    assert.equal(badAgreement.statusCode, 400);
    assertHas(badAgreement.body, /href="#field-expires_on">Expires on: must be on or after the date signed \(May 1, 2026\)/, 'named by its label, no internal name, the date as readers read it');
    const badAgreementEs = await chair.request('POST', `/networks/${id}/agreements/new`, { form: { title: 'MOU', signed_on: '2026-05-01', expires_on: '2026-01-01' }, headers: { 'accept-language': 'es' } });
    assertHas(badAgreementEs.body, /href="#field-expires_on">[^<:]+: debe ser igual o posterior a la fecha de firma \(1 may 2026\)/);
    assertHas(badAgreementEs.body, /<span class="usa-error-message" id="field-expires_on-error" role="alert">debe ser igual o posterior/, 'beside the field too');
    assert.equal((await chair.request('POST', `/networks/${id}/agreements/new`, { form: { title: 'MOU on referrals', directory_organization_id: d.farHousing.id, on_file: 'true', signed_on: '2026-05-01' } })).statusCode, 303);
    assert.equal((await chair.request('POST', `/networks/${id}/contacts/new`, { form: { name: 'Pat Example', email: 'pat@example.org' } })).statusCode, 303);
    const full = await chair.get(`/networks/${id}`);
    assertHas(full.body, /Test Far Housing/);
    assertHas(full.body, /MOU on referrals/);
    assertHas(full.body, /mailto:pat@example.org/);

    const agreementId = (await chair.get(`/api/networks/${id}/agreements`)).json()[0].id;
    const contactId = (await chair.get(`/api/networks/${id}/contacts`)).json()[0].id;

    // Change forms: filled in with the record; emptied fields are cleared; bad input comes back with the error.
    const memberEdit = await chair.get(`/networks/${id}/members/${d.farHousing.id}/edit`);
    assert.equal(memberEdit.statusCode, 200);
    assert.ok(memberEdit.body.includes('value="housing" selected'), 'current role selected');
    assert.equal((await chair.request('POST', `/networks/${id}/members/${d.farHousing.id}/edit`, { form: { role: 'legal' } })).statusCode, 303);
    assert.equal((await chair.get(`/api/networks/${id}`)).json().members.find((m: { name: string }) => m.name === 'Test Far Housing').role, 'legal');
    assert.equal((await chair.get(`/networks/${id}/members/${randomUUID()}/edit`)).statusCode, 404);
    const agreementEdit = await chair.get(`/networks/${id}/agreements/${agreementId}/edit`);
    assert.ok(agreementEdit.body.includes('value="MOU on referrals"') && agreementEdit.body.includes('value="true" checked'), 'agreement form filled in');
    const badEdit = await chair.request('POST', `/networks/${id}/agreements/${agreementId}/edit`, { form: { title: 'MOU on referrals', signed_on: '2026-05-01', expires_on: '2025-01-01' } });
    assert.equal(badEdit.statusCode, 400);
    assert.ok(badEdit.body.includes('href="#field-expires_on"') && badEdit.body.includes('value="2025-01-01"'), 'error shown, input kept');
    assert.equal((await chair.request('POST', `/networks/${id}/agreements/${agreementId}/edit`, { form: { title: 'MOU on referrals, renewed', signed_on: '2026-05-01', expires_on: '2028-04-30' } })).statusCode, 303);
    const renewed = (await chair.get(`/api/networks/${id}/agreements`)).json()[0];
    assert.deepEqual([renewed.title, renewed.on_file, renewed.directory_organization_id, renewed.expires_on], ['MOU on referrals, renewed', false, null, '2028-04-30']);
    assert.ok((await chair.get(`/networks/${id}/contacts/${contactId}/edit`)).body.includes('value="pat@example.org"'), 'contact form filled in');
    assert.equal((await chair.request('POST', `/networks/${id}/contacts/${contactId}/edit`, { form: { name: 'Pat Example', phone: '(202) 555-0199' } })).statusCode, 303);
    const pat = (await chair.get(`/api/networks/${id}/contacts`)).json()[0];
    assert.deepEqual([pat.email, pat.phone], [null, '(202) 555-0199']);
    assert.equal((await chair.request('POST', `/networks/${id}/agreements/${agreementId}/remove`, { form: {} })).statusCode, 303);
    assert.equal((await chair.request('POST', `/networks/${id}/members/${d.farHousing.id}/remove`, { form: {} })).statusCode, 303);
    assert.equal(await count(t, 'networks_agreement'), 0);
    assert.equal((await chair.request('POST', `/networks/${id}/retire`, { form: { version: '2' } })).statusCode, 303);
    assertHas((await chair.get(`/networks/${id}`)).body, /This network was retired on/);
  } finally {
    await t.close();
  }
});

test('the public sees names, area, members and coverage but no contacts; outsiders cannot open the edit forms', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const admin = await t.signedIn('admin');
    const id = (await admin.request('POST', '/api/networks', { json: { name: 'Public Network', convener_organization_id: d.jobs.id, area_kind: 'regions', counties: ['11001'] } })).json().id;
    await admin.request('POST', `/api/networks/${id}/contacts`, { json: { name: 'Pat Example', email: 'pat@example.org', phone: '(202) 555-0101' } });

    const anon = t.client();
    for (const url of ['/networks', `/networks/${id}`, `/networks/${id}?distance=3&scope=members`, '/networks/national', '/networks/national?distance=25&need=need.employment']) {
      const r = await anon.get(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal(h1s(r.body), 1, url);
      assertLacks(r.body, /pat@example\.org|Pat Example|555-0101/, url);
      assertLacks(r.body, /action="\/networks\/[^"]*\/(retire|remove)"/, url);
    }
    const detail = (await anon.get(`/networks/${id}`)).body;
    assertHas(detail, /Public Network/);
    assertHas(detail, /Test Jobs Center/);
    assertHas(detail, /agreements and contacts are shown to its members once signed in/);
    assertLacks(detail, /Test Safe House/, 'a confidential site is never named on the public coverage page');

    const inDc = await anon.get('/networks?state=dc');
    assert.ok(inDc.body.includes('Local networks in District of Columbia (1)') && inDc.body.includes('Public Network'), 'list by state');
    assert.ok((await anon.get('/networks?state=TX')).body.includes('Local networks in Texas (0)'), 'no network in Texas');
    const badFilter = await anon.get(`/networks/${id}?distance=-4`);
    assert.equal(badFilter.statusCode, 400);
    assertHas(badFilter.body, /href="#field-distance">Distance \(miles\): /, 'the field named by its label');
    assertHas((await anon.get(`/networks/${id}?distance=-4`, { 'accept-language': 'es' })).body, /href="#field-distance">Distancia \(millas\): debe/, 'in Spanish');
    assert.equal((await anon.get('/networks/national?distance=9999')).statusCode, 400);
    // The states' table reads in the order of the names shown, in each language (Spanish rows were in English order).
    for (const [lang, first, later] of [['en', 'Alaska', 'American Samoa'], ['es', 'Rhode Island', 'Samoa Estadounidense']] as const) {
      const names = [...(await anon.get('/networks/national', { 'accept-language': lang })).body.matchAll(/<td data-label="(?:State|Estado)">([^<]+)<\/td>/g)].map((m) => m[1]);
      assert.ok(names.length > 50, `${lang}: ${names.length} states`);
      assert.deepEqual(names, [...names].sort(new Intl.Collator(lang).compare), `${lang}: in alphabetical order`);
      assert.ok(names.indexOf(first) >= 0 && names.indexOf(first) < names.indexOf(later), `${lang}: ${first} before ${later}`);
    }
    assert.equal((await anon.get(`/networks/${randomUUID()}`)).statusCode, 404);
    assert.equal((await anon.get('/networks/not-an-id')).statusCode, 400);
    assert.equal((await anon.get(`/networks/${id}/edit`)).statusCode, 302, 'anonymous: to the sign-in page');

    const outsider = await t.signedIn('member');
    assert.equal((await outsider.get(`/networks/${id}/edit`)).statusCode, 403);
    assert.equal((await outsider.get(`/networks/${id}/members/new`)).statusCode, 403);
    assert.equal((await outsider.request('POST', `/networks/${id}/contacts/new`, { form: { name: 'Intruder' } })).statusCode, 403);
    assert.equal((await outsider.get('/networks/new')).statusCode, 403);
    assert.equal(await count(t, 'networks_contact'), 1);

    // Staff of the convener get the edit forms for their own network.
    const u = await makeUser(t.ctx, 'member', 'convener-staff@test.example', 'Jobs Center staff');
    await addSteward(t.ctx, { directory_organization_id: d.jobs.id, account_organization_id: u.organization_id });
    const staff = t.client();
    await staff.signIn(u);
    const edit = await staff.get(`/networks/${id}/edit`);
    assert.equal(edit.statusCode, 200);
    csrfFrom(edit.body);
    const staffPage = await staff.get(`/networks/${id}`);
    assertHas(staffPage.body, /mailto:pat@example.org/);
    assertHas(staffPage.body, new RegExp(`href="/networks/${id}/edit"`));
  } finally {
    await t.close();
  }
});

test('Spanish pages have every string translated', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const admin = await t.signedIn('admin');
    const id = (await admin.request('POST', '/api/networks', { json: { name: 'Red', convener_organization_id: d.jobs.id, area_kind: 'regions', counties: ['11001'] } })).json().id;
    const r = await t.client().get(`/networks/${id}`, { 'accept-language': 'es' });
    assert.equal(r.statusCode, 200);
    assertHas(r.body, /Cobertura y carencias/);
    assertLacks(r.body, /networks\.[a-z]/, 'no message key shown instead of text');
  } finally {
    await t.close();
  }
});

test('the network form picks states by name and counties by name within a chosen state (no JavaScript); forged codes are refused naming the field in English and Spanish; pages show names, not codes', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    const chair = await t.signedIn('chair');
    const form = await chair.get('/networks/new');
    assert.equal(form.statusCode, 200);
    assertHas(form.body, /<input class="usa-checkbox__input" id="field-states-\d+" type="checkbox" name="states" value="VA"\/><label class="usa-checkbox__label" for="field-states-\d+">Virginia<\/label>/, 'states as checkboxes by name');
    assertLacks(form.body, /<input[^>]*type="text"[^>]*name="(states|counties)"|<input[^>]*name="(states|counties)"[^>]*type="text"/, 'no typed codes');
    assertHas(form.body, /<select[^>]*name="county_state"/, 'a state to list counties from');
    assertHas(form.body, /<option value="VA">Virginia<\/option>/);

    // Step two, without JavaScript: the same form with the chosen state's counties, what was typed kept, nothing saved.
    const step = await chair.request('POST', '/networks', { form: { name: 'Northern Virginia Network', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'], county_state: 'VA', _show: 'counties' } });
    assert.equal(step.statusCode, 200);
    assertHas(step.body, /value="Northern Virginia Network"/);
    assertHas(step.body, /value="DC" checked/);
    assertHas(step.body, /<legend[^>]*>Counties in Virginia<\/legend>/);
    assertHas(step.body, /name="counties" value="51059"\/><label class="usa-checkbox__label" for="[^"]+">Fairfax<\/label>/);
    assertHas(step.body, /name="counties" value="51600"\/><label class="usa-checkbox__label" for="[^"]+">Fairfax \(city\)<\/label>/, 'a county and a city of one name told apart');
    assertLacks(step.body, />\s*51059\s*</, 'no FIPS code shown');
    assert.equal(await count(t, 'networks_network'), 0);

    // Forged codes: refused, the field named by its label in the reader's language, nothing saved.
    const forged = { name: 'Forged', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC', 'QQ'], counties: ['99999'] };
    const en = await chair.request('POST', '/networks', { form: forged });
    assert.equal(en.statusCode, 400);
    assertHas(en.body, /href="#field-states">States: QQ is not a U\.S\. state/);
    assertHas(en.body, /href="#field-counties">Counties: 99999 is not a county/);
    const es = await chair.request('POST', '/networks', { form: forged, headers: { 'accept-language': 'es' } });
    assert.equal(es.statusCode, 400);
    assertHas(es.body, /href="#field-states">Estados: QQ no es un estado/);
    assertHas(es.body, /href="#field-counties">Condados: 99999 no es un condado/);
    const api = await chair.request('POST', '/api/networks', { json: { name: 'Forged', convener_organization_id: d.jobs.id, area_kind: 'regions', counties: ['99999'] } });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().errors[0].field, 'counties.0');
    assert.equal(await count(t, 'networks_network'), 0);

    const ok = await chair.request('POST', '/networks', { form: { name: 'Northern Virginia Network', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'], counties: ['51059', '51600'], county_state: 'VA' } });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 300));
    const url = String(ok.headers.location);
    const page = await chair.get(url);
    assertHas(page.body, /District of Columbia; Fairfax, VA; Fairfax \(city\), VA/);
    assertLacks(page.body, /51059|51600/, 'no FIPS code on the page');
    const edit = await chair.get(`${url}/edit`);
    assertHas(edit.body, /name="counties" value="51059" checked/, 'the chosen counties are shown ticked, in their state');
    assertHas(edit.body, /<legend[^>]*>Counties in Virginia<\/legend>/);
    const esPage = await chair.get(url, { 'accept-language': 'es' });
    assertHas(esPage.body, /Fairfax \(ciudad\), VA/);
  } finally {
    await t.close();
  }
});
