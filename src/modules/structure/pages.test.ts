import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { structureModule } from './index.ts';

async function seeded(): Promise<TestApp> {
  const t = await testApp();
  await structureModule.seedDemo!(t.ctx, () => {});
  return t;
}

async function idOf(t: TestApp, table: string, column: string, value: string): Promise<string> {
  const r = await t.ctx.db.selectFrom(table).select('id').where(column, '=', value).executeTakeFirstOrThrow();
  return r.id as string;
}

const count = async (t: TestApp, table: string) => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

test('the pages answer 200 to anonymous visitors, with the diagram and its text alternative', async () => {
  const t = await seeded();
  try {
    const c = t.client();
    const overview = await c.get('/structure');
    assert.equal(overview.statusCode, 200);
    const html = overview.body;
    assert.match(html, /<svg[^>]*role="img"[^>]*aria-labelledby="structure-diagram-title structure-diagram-desc"/);
    assert.match(html, /<title id="structure-diagram-title">/);
    assert.match(html, /<desc id="structure-diagram-desc">/);
    for (const name of ['Victims Services', 'Research and Data', 'Grant making', 'Public Awareness and Outreach', 'Senior Policy Operating Group', 'Youth Engagement and Awareness']) {
      // Once in the drawing (or its description) and again in the text alternative below it.
      assert.ok(html.split(name).length - 1 >= 2, name);
    }
    assert.match(html, /<caption>Partnerships<\/caption>/);
    assert.equal((html.match(/<h1[ >]/g) ?? []).length, 1);
    assert.match(html, /href="\/structure"/, 'navigation link');

    const hhs = await idOf(t, 'structure_agencies', 'abbreviation', 'HHS');
    const housing = await idOf(t, 'structure_partnerships', 'name', 'Housing and Social Services for Survivors of Trafficking');
    const urls = [
      '/structure/agencies',
      '/structure/agencies?active_on=&include=all',
      '/structure/agencies?active_on=2010-01-01',
      `/structure/agencies/${hhs}`,
      `/structure/agencies/${hhs}/history`,
      '/structure/committees',
      '/structure/committees/victims-services',
      '/structure/committees/spog',
      '/structure/committees/pitf',
      '/structure/partnerships',
      '/structure/partnerships/youth-engagement-and-awareness',
      `/structure/partnerships/${housing}`,
      `/structure/partnerships/${housing}/history`,
      '/structure/representatives',
    ];
    for (const url of urls) {
      const r = await c.get(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal((r.body.match(/<h1[ >]/g) ?? []).length, 1, url);
      assert.doesNotMatch(r.body, /action="\/structure\/[^"]*\/retire"/, `no admin forms for the public on ${url}`);
    }
    const list = (await c.get('/structure/agencies')).body;
    assert.equal((list.match(/href="\/structure\/agencies\/[0-9a-f-]{36}"/g) ?? []).length, 15);
    assert.match(list, /<form method="get" action="\/structure\/agencies"/);
    const all = (await c.get('/structure/agencies?include=all')).body;
    assert.match(all, /Department of Housing and Urban Development/);
    assert.doesNotMatch(list, /Department of Housing and Urban Development/);

    const youth = (await c.get('/structure/partnerships/youth-engagement-and-awareness')).body;
    assert.match(youth, /Increase youth engagement in preventing and ending human trafficking/);
    assert.match(youth, /President Lincoln&#39;s Cottage|President Lincoln's Cottage/);
    assert.match(youth, /Department of Health and Human Services/);

    const spog = (await c.get('/structure/committees/spog')).body;
    assert.match(spog, /Office on Trafficking in Persons/);

    // Spanish.
    const es = await c.get('/structure', { cookie: 'lang=es' });
    assert.match(es.body, /Estructura del grupo de trabajo/);

    // Bad filter date: the form shows the error; bad and unknown ids are 400 and 404.
    const badDay = await c.get('/structure/agencies?active_on=2020-02-31');
    assert.equal(badDay.statusCode, 400);
    assert.match(badDay.body, /usa-error-message/);
    assert.equal((await c.get('/structure/agencies/not-a-uuid')).statusCode, 400);
    assert.equal((await c.get('/structure/agencies/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await c.get('/structure/committees/no-such-committee')).statusCode, 404);
    assert.equal((await c.get('/structure/partnerships/no-such-partnership')).statusCode, 404);

    // Admin pages send the public to sign in.
    const form = await c.get('/structure/agencies/new');
    assert.equal(form.statusCode, 302);
    assert.match(String(form.headers.location), /^\/login/);
  } finally {
    await t.close();
  }
});

test('a partnership named with markup is shown escaped', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const hhs = await idOf(t, 'structure_agencies', 'abbreviation', 'HHS');
    const evil = '<script>alert(1)</script>';
    const r = await admin.request('POST', '/api/partnerships', { json: { name: evil, purpose: evil, goals: [evil], lead_agency_id: hhs, partners: [{ name: evil }] } });
    assert.equal(r.statusCode, 201, r.body);
    const slug = r.json().slug;
    const anon = t.client();
    for (const url of [`/structure/partnerships/${slug}`, '/structure', '/structure/partnerships', `/structure/partnerships/${r.json().id}/history`]) {
      const page = await anon.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.ok(!page.body.includes(evil), `raw tag on ${url}`);
      assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;') || page.body.includes('&lt;script>alert(1)&lt;/script>'), `escaped form on ${url}`);
    }
  } finally {
    await t.close();
  }
});

test('admin forms: create, edit, retire, members; bad input re-renders with errors and the input kept', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const member = await t.signedIn('member');
    assert.equal((await member.get('/structure/agencies/new')).statusCode, 403);
    assert.equal((await member.request('POST', '/structure/agencies', { form: { name: 'X', kind: 'agency' } })).statusCode, 403);

    for (const url of ['/structure/agencies/new', '/structure/committees/new', '/structure/partnerships/new', '/structure/representatives/new']) {
      const r = await admin.get(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(r.body, /name="_csrf"/);
    }

    // Agency: bad input, then good.
    const before = await count(t, 'structure_agencies');
    const bad = await admin.request('POST', '/structure/agencies', { form: { name: '', kind: 'agency', abbreviation: 'KEEP', member_from: '2020-01-01', member_until: '2019-01-01' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /usa-error-message/);
    assert.match(bad.body, /href="#field-name"/);
    assert.match(bad.body, /value="KEEP"/, 'the input is kept');
    assert.match(bad.body, /value="2020-01-01"/);
    assert.equal(await count(t, 'structure_agencies'), before);
    const bad2 = await admin.request('POST', '/structure/agencies', { form: { name: 'Bad dates', kind: 'agency', member_from: '2020-01-01', member_until: '2019-01-01' } });
    assert.equal(bad2.statusCode, 400);
    assert.match(bad2.body, /href="#field-member_until"/);

    const ok = await admin.request('POST', '/structure/agencies', { form: { name: 'Department of Commerce', abbreviation: 'DOC', kind: 'department', member_from: '2022-01-01' } });
    assert.ok([302, 303].includes(ok.statusCode), ok.body);
    const location = String(ok.headers.location);
    assert.match(location, /^\/structure\/agencies\/[0-9a-f-]{36}$/);
    const id = location.split('/').pop()!;
    const detail = await admin.get(location);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /Department of Commerce/);
    assert.match(detail.body, /\/history"/);

    const edit = await admin.get(`/structure/agencies/${id}/edit`);
    assert.equal(edit.statusCode, 200);
    assert.match(edit.body, /name="version" value="1"/);
    const badEdit = await admin.request('POST', `/structure/agencies/${id}/edit`, { form: { version: '1', name: '', kind: 'department', member_from: '2022-01-01' } });
    assert.equal(badEdit.statusCode, 400);
    assert.match(badEdit.body, /href="#field-name"/);
    const goodEdit = await admin.request('POST', `/structure/agencies/${id}/edit`, { form: { version: '1', name: 'Department of Commerce', abbreviation: 'DOC', kind: 'department', member_from: '2022-01-01', website: 'https://www.commerce.gov' } });
    assert.equal(goodEdit.statusCode, 303, goodEdit.body);
    const staleEdit = await admin.request('POST', `/structure/agencies/${id}/edit`, { form: { version: '1', name: 'Stale', kind: 'department' } });
    assert.equal(staleEdit.statusCode, 409);
    const badRetire = await admin.request('POST', `/structure/agencies/${id}/retire`, { form: { version: '2', member_until: '2021-01-01' } });
    assert.equal(badRetire.statusCode, 400);
    assert.match(badRetire.body, /href="#field-member_until"/);
    const retire = await admin.request('POST', `/structure/agencies/${id}/retire`, { form: { version: '2', member_until: '2023-01-01' } });
    assert.equal(retire.statusCode, 303);
    const agency = (await admin.get(`/api/agencies/${id}`)).json();
    assert.equal(agency.member_until, '2023-01-01');
    assert.equal(agency.website, 'https://www.commerce.gov');
    const history = await admin.get(`/structure/agencies/${id}/history`);
    assert.equal(history.statusCode, 200);
    assert.match(history.body, /Retired/);

    // Committee.
    const com = await admin.request('POST', '/structure/committees', { form: { name: 'Procurement and Supply Chains', charter: 'Supply chains free of forced labor.' } });
    assert.equal(com.statusCode, 303, com.body);
    assert.equal(com.headers.location, '/structure/committees/procurement-and-supply-chains');
    const comId = await idOf(t, 'structure_bodies', 'slug', 'procurement-and-supply-chains');
    const badCom = await admin.request('POST', `/structure/committees/${comId}/edit`, { form: { version: '1', name: 'Procurement', slug: 'procurement-and-supply-chains', active_from: '2020-01-01', active_until: '2019-01-01' } });
    assert.equal(badCom.statusCode, 400);
    assert.match(badCom.body, /href="#field-active_until"/);
    const dol = await idOf(t, 'structure_agencies', 'abbreviation', 'DOL');
    const ceo = await idOf(t, 'structure_agencies', 'abbreviation', 'CEO');
    const membersForm = await admin.get(`/structure/committees/${comId}/members`);
    assert.equal(membersForm.statusCode, 200);
    const members = await admin.request('POST', `/structure/committees/${comId}/members`, { form: { version: '1', [`role_${dol}`]: 'chair', [`rep_${dol}`]: ceo } });
    assert.equal(members.statusCode, 303, members.body);
    const body = (await admin.get(`/api/committees/${comId}`)).json();
    assert.equal(body.memberships.length, 1);
    assert.equal(body.memberships[0].role, 'chair');
    assert.equal(body.memberships[0].represented_by_name, 'Chief Evaluation Office');
    assert.equal(body.parent_name, 'Senior Policy Operating Group');

    // Partnership with goals and partners from the form.
    const hhs = await idOf(t, 'structure_agencies', 'abbreviation', 'HHS');
    const p = await admin.request('POST', '/structure/partnerships', {
      form: { name: 'Supply chain partnership', goals: 'First goal\r\nSecond goal', lead_agency_id: hhs, status: 'active', partner_agency_ids: [hhs, dol], partners: 'A coalition | https://example.org\nA union' },
    });
    assert.equal(p.statusCode, 303, p.body);
    const made = (await admin.get(`/api/partnerships/${await idOf(t, 'structure_partnerships', 'slug', 'supply-chain-partnership')}`)).json();
    assert.deepEqual(made.goals, ['First goal', 'Second goal']);
    assert.deepEqual(made.partners.map((x: { name: string }) => x.name), ['Department of Health and Human Services', 'Department of Labor', 'A coalition', 'A union']);
    assert.equal(made.partners[2].website, 'https://example.org');
    const badP = await admin.request('POST', '/structure/partnerships', { form: { name: 'Broken', from: '2020-01-01', until: '2019-01-01', goals: 'Kept goal' } });
    assert.equal(badP.statusCode, 400);
    assert.match(badP.body, /Kept goal/);
    assert.match(badP.body, /href="#field-until"/);
    const badPartner = await admin.request('POST', '/structure/partnerships', { form: { name: 'Broken partner', partners: 'A coalition | not-a-website' } });
    assert.equal(badPartner.statusCode, 400);
    assert.match(badPartner.body, /href="#field-partners"/, 'a partner error points at the partners field');
    assert.match(badPartner.body, /A coalition \| not-a-website/);

    // Representative.
    const rep = await admin.request('POST', '/structure/representatives', { form: { person_name: 'Alex Placeholder', agency_id: hhs, email: 'alex@example.gov' } });
    assert.equal(rep.statusCode, 303, rep.body);
    const badRep = await admin.request('POST', '/structure/representatives', { form: { person_name: 'Alex Placeholder', agency_id: hhs, email: 'not-an-email' } });
    assert.equal(badRep.statusCode, 400);
    assert.match(badRep.body, /value="not-an-email"/);
  } finally {
    await t.close();
  }
});
