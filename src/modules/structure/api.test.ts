import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { structureModule } from './index.ts';

async function seeded(): Promise<TestApp> {
  const t = await testApp();
  await structureModule.seedDemo!(t.ctx, () => {});
  return t;
}

const MEMBERS = ['DOS', 'Treasury', 'DOD', 'DOJ', 'DOI', 'USDA', 'DOL', 'HHS', 'DOT', 'ED', 'DHS', 'USAID', 'EEOC', 'ODNI', 'USTR'];

// Goal texts as on the seed page (federal-interagency-task-force.txt), verbatim.
const SEED_PAGE = [
  {
    name: 'Housing and Social Services for Survivors of Trafficking',
    partners: ['Department of Health and Human Services', 'Department of Housing and Urban Development'],
    goals: [
      'Understand the challenges in meeting the needs of survivors and those at risk of trafficking for safe and appropriate housing and support services',
      'Recognize best practices in housing and support services for trafficking survivors',
      'Help identify potential changes in policy, technical assistance, outreach, or other areas to help providers to meet the needs of this population',
    ],
  },
  {
    name: 'Youth Engagement and Awareness',
    partners: ['Department of Health and Human Services', 'Department of Education', 'National Trust for Historic Preservation in the United States', "President Lincoln's Cottage"],
    goals: ['Increase youth engagement in preventing and ending human trafficking', 'Raise public awareness about the issue of human trafficking'],
  },
  {
    name: 'Employment and Training for Survivors of Human Trafficking',
    partners: ['Department of Health and Human Services', 'Department of Justice', 'Department of Labor'],
    goals: [
      'Identify existing service programs designed for general populations but that survivors could access',
      'Build on existing relationships between federal and local entities',
      'Develop employment and training focused networks between victim service providers and existing resources at a local level',
      'Work with the Department of Labor Chief Evaluation Office to disseminate information on promising practices and key challenges in service delivery for this population',
    ],
  },
];

async function counts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['structure_agencies', 'structure_bodies', 'structure_memberships', 'structure_partnerships', 'structure_partners', 'structure_representatives', 'structure_revisions']) {
    const r = await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    out[table] = Number(r?.n ?? 0);
  }
  return out;
}

async function agencyId(t: TestApp, abbreviation: string): Promise<string> {
  const r = await t.ctx.db.selectFrom('structure_agencies').select('id').where('abbreviation', '=', abbreviation).executeTakeFirstOrThrow();
  return r.id as string;
}

test('demo seed matches the seed page', async () => {
  const t = await seeded();
  try {
    const c = t.client();
    const agencies = (await c.get('/api/agencies')).json();
    assert.equal(agencies.total, 15);
    assert.equal(agencies.items.length, 15);
    assert.equal(agencies.page, 1);
    assert.deepEqual(agencies.items.map((a: { abbreviation: string }) => a.abbreviation).sort(), [...MEMBERS].sort());
    const all = (await c.get('/api/agencies?include=all')).json();
    assert.equal(all.total, 18);
    const otip = all.items.find((a: { abbreviation: string }) => a.abbreviation === 'OTIP');
    assert.equal(otip.kind, 'office');
    assert.equal(otip.parent_name, 'Department of Health and Human Services');
    const hud = all.items.find((a: { abbreviation: string }) => a.abbreviation === 'HUD');
    assert.equal(hud.member_from, null);

    const committees = (await c.get('/api/committees')).json();
    assert.deepEqual(
      committees.items.map((b: { name: string }) => b.name),
      ['Victims Services', 'Research and Data', 'Grant making', 'Public Awareness and Outreach'],
    );
    for (const b of committees.items) {
      assert.equal(b.kind, 'committee');
      assert.equal(b.parent_name, 'Senior Policy Operating Group');
      assert.ok(b.charter.length > 20);
      const coChairs = b.memberships.filter((m: { role: string }) => m.role === 'co_chair').map((m: { agency_abbreviation: string }) => m.agency_abbreviation);
      assert.deepEqual(coChairs, ['Victims Services', 'Public Awareness and Outreach'].includes(b.name) ? ['HHS'] : []);
    }

    const overview = (await c.get('/api/structure')).json();
    assert.equal(overview.counts.member_agencies, 15);
    assert.equal(overview.counts.committees, 4);
    assert.equal(overview.counts.partnerships, 3);
    assert.equal(overview.task_force.kind, 'task_force');
    assert.equal(overview.task_force.chair_title, 'Secretary of State');
    assert.deepEqual(
      overview.task_force.memberships.filter((m: { role: string }) => m.role === 'chair').map((m: { agency_abbreviation: string }) => m.agency_abbreviation),
      ['DOS'],
    );
    assert.equal(overview.task_force.memberships.length, 15);
    const spog = overview.policy_group;
    assert.equal(spog.name, 'Senior Policy Operating Group');
    assert.equal(spog.parent_id, overview.task_force.id);
    const hhs = spog.memberships.find((m: { agency_abbreviation: string }) => m.agency_abbreviation === 'HHS');
    assert.equal(hhs.represented_by_name, 'Office on Trafficking in Persons');

    const partnerships = (await c.get('/api/partnerships')).json();
    assert.equal(partnerships.total, 3);
    for (const [i, expected] of SEED_PAGE.entries()) {
      const p = partnerships.items[i];
      assert.equal(p.name, expected.name);
      assert.deepEqual(p.goals, expected.goals);
      assert.deepEqual(p.partners.map((x: { name: string }) => x.name), expected.partners);
      assert.equal(p.lead_agency_name, 'Department of Health and Human Services');
      assert.equal(p.status, 'active');
      assert.ok(p.purpose.length > 50);
    }
    const youth = partnerships.items[1];
    assert.deepEqual(youth.partners.map((x: { federal: boolean }) => x.federal), [true, true, false, false]);
    assert.match(youth.partners[3].website, /^https:\/\//);
  } finally {
    await t.close();
  }
});

test('active_on filtering and retiring', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const anon = t.client();
    const dot = await agencyId(t, 'DOT');
    const r = await admin.request('POST', `/api/agencies/${dot}/retire`, { json: { member_until: '2020-01-01', version: 1 } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().member_until, '2020-01-01');
    assert.equal(r.json().version, 2);
    assert.equal((await anon.get('/api/agencies')).json().total, 14);
    assert.equal((await anon.get('/api/agencies?active_on=2019-06-01')).json().total, 15);
    assert.equal((await anon.get('/api/agencies?active_on=2020-01-01')).json().total, 15, 'the last day of membership counts');
    assert.equal((await anon.get('/api/agencies?active_on=2020-01-02')).json().total, 14);
    assert.equal((await anon.get('/api/agencies?active_on=1999-12-31')).json().total, 0, 'before the TVPA nobody was a member');
    assert.equal((await anon.get('/api/agencies?include=all')).json().total, 18, 'retired records are kept');
    assert.equal((await anon.get(`/api/agencies/${dot}`)).statusCode, 200);

    // Retire with no date: today, still a member today.
    const doi = await agencyId(t, 'DOI');
    const r2 = await admin.request('POST', `/api/agencies/${doi}/retire`, { json: {} });
    assert.equal(r2.statusCode, 200, r2.body);
    assert.equal(r2.json().member_until, new Date().toISOString().slice(0, 10));

    // No body at all also retires as of today.
    const usdaId = await agencyId(t, 'USDA');
    const r3 = await admin.request('POST', `/api/agencies/${usdaId}/retire`);
    assert.equal(r3.statusCode, 200, r3.body);
    assert.equal(r3.json().member_until, new Date().toISOString().slice(0, 10));

    // Pagination envelope.
    const page2 = (await anon.get('/api/agencies?include=all&per_page=5&page=2')).json();
    assert.equal(page2.items.length, 5);
    assert.equal(page2.per_page, 5);
    assert.equal(page2.page, 2);

    // Committees and partnerships.
    const committees = (await anon.get('/api/committees')).json();
    const grant = committees.items.find((b: { name: string }) => b.name === 'Grant making');
    const rc = await admin.request('POST', `/api/committees/${grant.id}/retire`, { json: { active_until: '2021-06-30' } });
    assert.equal(rc.statusCode, 200, rc.body);
    assert.equal((await anon.get('/api/committees')).json().total, 3);
    assert.equal((await anon.get('/api/committees?active_on=2021-06-30')).json().total, 4);
    assert.equal((await anon.get('/api/committees?include=all')).json().total, 4);
    assert.equal((await anon.get('/api/structure')).json().counts.committees, 3);

    const partnerships = (await anon.get('/api/partnerships')).json();
    const rp = await admin.request('POST', `/api/partnerships/${partnerships.items[0].id}/retire`, { json: { until: '2022-01-01' } });
    assert.equal(rp.statusCode, 200, rp.body);
    assert.equal((await anon.get('/api/partnerships')).json().total, 2);
    assert.equal((await anon.get('/api/partnerships?active_on=2021-01-01')).json().total, 3);

    // A retirement date before the start is refused on the field.
    const dhs = await agencyId(t, 'DHS');
    const bad = await admin.request('POST', `/api/agencies/${dhs}/retire`, { json: { member_until: '1999-01-01' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'member_until');
  } finally {
    await t.close();
  }
});

test('history keeps every version; a stale version gets 409', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const anon = t.client();
    const ed = await agencyId(t, 'ED');
    const p1 = await admin.request('PATCH', `/api/agencies/${ed}`, { json: { version: 1, website: 'https://www.ed.gov/about' } });
    assert.equal(p1.statusCode, 200, p1.body);
    assert.equal(p1.json().version, 2);
    assert.equal(p1.json().name, 'Department of Education', 'fields not sent stay as they were');
    const stale = await admin.request('PATCH', `/api/agencies/${ed}`, { json: { version: 1, name: 'Something else' } });
    assert.equal(stale.statusCode, 409);
    assert.equal((await anon.get(`/api/agencies/${ed}`)).json().name, 'Department of Education');
    const staleRetire = await admin.request('POST', `/api/agencies/${ed}/retire`, { json: { version: 1 } });
    assert.equal(staleRetire.statusCode, 409);

    const history = (await anon.get(`/api/agencies/${ed}/history`)).json();
    assert.equal(history.total, 2);
    assert.deepEqual(history.items.map((r: { version: number }) => r.version), [2, 1]);
    assert.deepEqual(history.items.map((r: { action: string }) => r.action), ['update', 'create']);
    assert.equal(history.items[0].snapshot.website, 'https://www.ed.gov/about');
    assert.equal(history.items[1].snapshot.website, 'https://www.ed.gov');
    assert.doesNotMatch(history.items[0].actor_label, /@/, 'the public does not see the e-mail of who made the change');

    // Committee memberships: replaced as a whole, the old list kept in history.
    const vs = (await anon.get('/api/committees')).json().items[0];
    const dol = await agencyId(t, 'DOL');
    const hhs = await agencyId(t, 'HHS');
    const put = await admin.request('PUT', `/api/committees/${vs.id}/members`, {
      json: { version: vs.version, members: [{ agency_id: hhs, role: 'co_chair' }, { agency_id: dol, role: 'co_chair', from: '2024-01-01' }] },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().memberships.length, 2);
    const putStale = await admin.request('PUT', `/api/committees/${vs.id}/members`, { json: { version: vs.version, members: [] } });
    assert.equal(putStale.statusCode, 409);
    const vh = (await anon.get(`/api/committees/${vs.id}/history`)).json();
    assert.equal(vh.total, 2);
    assert.equal(vh.items[1].snapshot.memberships.length, 1);
    assert.equal(vh.items[0].action, 'members');

    // Partners of a partnership.
    const housing = (await anon.get('/api/partnerships')).json().items[0];
    const pp = await admin.request('PUT', `/api/partnerships/${housing.id}/partners`, {
      json: { version: housing.version, partners: [{ agency_id: hhs }, { name: 'A housing coalition', website: 'https://example.org' }] },
    });
    assert.equal(pp.statusCode, 200, pp.body);
    assert.deepEqual(pp.json().partners.map((x: { name: string }) => x.name), ['Department of Health and Human Services', 'A housing coalition']);
    assert.equal((await admin.request('PUT', `/api/partnerships/${housing.id}/partners`, { json: { version: housing.version, partners: [] } })).statusCode, 409);

    // Audit events were written with the changes.
    const audit = (await admin.get(`/api/audit?entity_id=${ed}`)).json();
    assert.deepEqual(audit.items.map((e: { action: string }) => e.action).sort(), ['structure.agency.create', 'structure.agency.update']);
  } finally {
    await t.close();
  }
});

test('writes need structure.write: anonymous 401, member 403, admin 201 and audited', async () => {
  const t = await seeded();
  try {
    const body = { name: 'Department of Commerce', abbreviation: 'DOC', kind: 'department', website: 'https://www.commerce.gov', member_from: '2024-01-01' };
    assert.equal((await t.client().request('POST', '/api/agencies', { json: body })).statusCode, 401);
    const member = await t.signedIn('member');
    assert.equal((await member.request('POST', '/api/agencies', { json: body })).statusCode, 403);
    const ed = await agencyId(t, 'ED');
    assert.equal((await member.request('PATCH', `/api/agencies/${ed}`, { json: { version: 1, name: 'x' } })).statusCode, 403);
    assert.equal((await member.request('POST', `/api/agencies/${ed}/retire`, { json: {} })).statusCode, 403);
    assert.equal((await member.request('POST', `/api/agencies/${ed}/retire`)).statusCode, 403, 'no body: still refused first');
    assert.equal((await member.request('POST', '/api/committees', { json: { name: 'X' } })).statusCode, 403);
    assert.equal((await member.request('POST', '/api/partnerships', { json: { name: 'X' } })).statusCode, 403);
    const admin = await t.signedIn('admin');
    const created = await admin.request('POST', '/api/agencies', { json: body });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal((await t.client().get('/api/agencies')).json().total, 16);
    const audit = await admin.get('/api/audit?entity_type=structure.agency&action=structure.agency.create&per_page=200');
    assert.equal(audit.statusCode, 200);
    const event = audit.json().items.find((e: { entity_id: string }) => e.entity_id === id);
    assert.ok(event, 'the creation is in the audit log');
    assert.match(event.actor_label, /admin/);
    assert.equal(event.summary.name, 'Department of Commerce');

    // Committees, partnerships and representatives also answer 201 to an administrator.
    // `new` is the address of the form, so a committee called "New" gets another slug.
    const newish = await admin.request('POST', '/api/committees', { json: { name: 'New' } });
    assert.equal(newish.statusCode, 201, newish.body);
    assert.equal(newish.json().slug, 'new-2');
    assert.equal((await admin.request('POST', '/api/committees', { json: { name: 'X', slug: 'new' } })).statusCode, 400);
    const com = await admin.request('POST', '/api/committees', { json: { name: 'Procurement and Supply Chains', charter: 'Supply chains.' } });
    assert.equal(com.statusCode, 201, com.body);
    assert.equal(com.json().slug, 'procurement-and-supply-chains');
    assert.equal(com.json().parent_name, 'Senior Policy Operating Group');
    const par = await admin.request('POST', '/api/partnerships', { json: { name: 'A new partnership', goals: ['One', 'Two'], partners: [{ agency_id: id }] } });
    assert.equal(par.statusCode, 201, par.body);
    const rep = await admin.request('POST', '/api/representatives', { json: { person_name: 'Pat Example', agency_id: id } });
    assert.equal(rep.statusCode, 201, rep.body);
  } finally {
    await t.close();
  }
});

test('contact details: hidden from the public and the API without contacts.read, shown to signed-in members', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const hhs = await agencyId(t, 'HHS');
    const vs = (await t.client().get('/api/committees')).json().items[0];
    const created = await admin.request('POST', '/api/representatives', {
      json: { person_name: 'Jordan Sample', title: 'Program Specialist', email: 'jordan.sample@example.gov', phone: '202-555-0142', agency_id: hhs, body_id: vs.id, role: 'Co-chair delegate' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.equal(created.json().email, 'jordan.sample@example.gov');

    const anon = t.client();
    const one = (await anon.get(`/api/representatives/${id}`)).json();
    assert.equal(one.person_name, 'Jordan Sample');
    assert.ok(!('email' in one) && !('phone' in one));
    const listed = (await anon.get(`/api/representatives?agency_id=${hhs}`)).json();
    assert.equal(listed.total, 1);
    assert.ok(!('email' in listed.items[0]));
    const hist = await anon.get(`/api/representatives/${id}/history`);
    assert.doesNotMatch(hist.body, /jordan\.sample@example\.gov|555-0142/);
    for (const url of [`/structure/representatives/${id}`, `/structure/agencies/${hhs}`, `/structure/committees/${vs.slug}`, '/structure/representatives', `/structure/representatives/${id}/history`]) {
      const page = await anon.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /Jordan Sample/, url);
      assert.doesNotMatch(page.body, /jordan\.sample@example\.gov|202-555-0142/, url);
    }

    const member = await t.signedIn('member');
    const seen = (await member.get(`/api/representatives/${id}`)).json();
    assert.equal(seen.email, 'jordan.sample@example.gov');
    assert.equal(seen.phone, '202-555-0142');
    const page = await member.get(`/structure/agencies/${hhs}`);
    assert.match(page.body, /jordan\.sample@example\.gov/);
    assert.match((await member.get(`/structure/representatives/${id}`)).body, /202-555-0142/);
  } finally {
    await t.close();
  }
});

test('bad input is a 400 naming the field and changes nothing', async () => {
  const t = await seeded();
  try {
    const admin = await t.signedIn('admin');
    const hhs = await agencyId(t, 'HHS');
    const before = await counts(t);
    const ok = { name: 'Test agency', kind: 'agency' };
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/agencies', { ...ok, member_from: '2020-02-30' }, 'member_from'],
      ['POST', '/api/agencies', { ...ok, member_from: 'yesterday' }, 'member_from'],
      ['POST', '/api/agencies', { ...ok, colour: 'red' }, 'colour'],
      ['POST', '/api/agencies', { ...ok, name: '' }, 'name'],
      ['POST', '/api/agencies', { ...ok, name: '   ' }, 'name'],
      ['POST', '/api/agencies', { kind: 'agency' }, 'name'],
      ['POST', '/api/agencies', { ...ok, kind: 'planet' }, 'kind'],
      ['POST', '/api/agencies', { ...ok, parent_id: 'not-a-uuid' }, 'parent_id'],
      ['POST', '/api/agencies', { ...ok, parent_id: '00000000-0000-4000-8000-000000000000' }, 'parent_id'],
      ['POST', '/api/agencies', { ...ok, website: 'javascript:alert(1)' }, 'website'],
      ['POST', '/api/agencies', { ...ok, member_from: '2020-01-01', member_until: '2019-12-31' }, 'member_until'],
      ['PATCH', `/api/agencies/${hhs}`, { version: 1, member_until: '1999-01-01' }, 'member_until'],
      ['PATCH', `/api/agencies/${hhs}`, { version: 1, name: '' }, 'name'],
      ['PATCH', `/api/agencies/${hhs}`, { name: 'No version' }, 'version'],
      ['PATCH', `/api/agencies/${hhs}`, { version: 1, parent_id: hhs }, 'parent_id'],
      ['PATCH', '/api/agencies/not-a-uuid', { version: 1 }, 'path.id'],
      ['POST', '/api/committees', { name: 'C', active_from: '2020-01-01', active_until: '2010-01-01' }, 'active_until'],
      ['POST', '/api/committees', { name: 'C', members: [{ agency_id: '00000000-0000-4000-8000-000000000000', role: 'member' }] }, 'members.0.agency_id'],
      ['POST', '/api/committees', { name: 'C', members: [{ agency_id: hhs, role: 'boss' }] }, 'members.0.role'],
      ['POST', '/api/committees', { name: 'C', slug: 'Not A Slug' }, 'slug'],
      ['POST', '/api/committees', { name: 'C', slug: 'spog' }, 'slug'],
      ['POST', '/api/partnerships', { name: 'P', from: '2020-01-01', until: '2019-01-01' }, 'until'],
      ['POST', '/api/partnerships', { name: 'P', partners: [{ agency_id: hhs, name: 'Both' }] }, 'partners.0.name'],
      ['POST', '/api/partnerships', { name: 'P', partners: [{}] }, 'partners.0.agency_id'],
      ['POST', '/api/partnerships', { name: 'P', goals: [''] }, 'goals.0'],
      ['POST', '/api/partnerships', { name: 'P', status: 'done' }, 'status'],
      ['POST', '/api/representatives', { person_name: 'R', agency_id: hhs, email: 'not an email' }, 'email'],
      ['POST', '/api/representatives', { person_name: 'R', agency_id: 'nope' }, 'agency_id'],
      ['POST', '/api/representatives', { person_name: 'R', agency_id: hhs, from: '2020-05-01', until: '2020-04-30' }, 'until'],
      ['POST', '/api/representatives', { person_name: 'R' }, 'agency_id'],
    ];
    for (const [method, url, json, field] of cases) {
      const r = await admin.request(method, url, { json });
      assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(json)} → ${r.statusCode} ${r.body}`);
      const fields = (r.json().errors ?? []).map((e: { field: string }) => e.field);
      assert.ok(fields.includes(field), `${JSON.stringify(json)} should name ${field}, named ${fields.join(', ')}`);
    }
    assert.deepEqual(await counts(t), before, 'nothing changed');
    assert.equal((await admin.get(`/api/agencies/${hhs}`)).json().version, 1);

    // Bad and unknown ids: 400 and 404, never 500.
    const anon = t.client();
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const base of ['/api/agencies', '/api/committees', '/api/partnerships', '/api/representatives']) {
      const bad = await anon.get(`${base}/not-a-uuid`);
      assert.equal(bad.statusCode, 400, base);
      assert.equal(bad.json().errors[0].field, 'path.id');
      assert.equal((await anon.get(`${base}/${unknown}`)).statusCode, 404, base);
      assert.equal((await anon.get(`${base}/${unknown}/history`)).statusCode, 404, base);
      assert.equal((await anon.get(`${base}/'%20or%201=1/history`)).statusCode, 400, base);
      assert.equal((await admin.request('PATCH', `${base}/${unknown}`, { json: { version: 1 } })).statusCode, 404, base);
      assert.equal((await admin.request('POST', `${base}/${unknown}/retire`, { json: {} })).statusCode, 404, base);
    }
    const badDay = await anon.get('/api/agencies?active_on=2020-13-01');
    assert.equal(badDay.statusCode, 400);
    assert.equal(badDay.json().errors[0].field, 'active_on');
    assert.equal((await anon.get('/api/agencies?include=some')).statusCode, 400);
    assert.equal((await anon.get('/api/agencies?sort=name')).statusCode, 400);
    assert.deepEqual(await counts(t), before);
  } finally {
    await t.close();
  }
});

test('the API is documented under the Structure tag', async () => {
  const t = await testApp();
  try {
    const doc = (await t.client().get('/api/openapi.json')).json();
    for (const path of ['/api/structure', '/api/agencies', '/api/agencies/{id}', '/api/agencies/{id}/retire', '/api/agencies/{id}/history', '/api/committees/{id}/members', '/api/partnerships/{id}/partners', '/api/representatives']) {
      assert.ok(doc.paths[path], path);
      for (const op of Object.values(doc.paths[path]) as { tags: string[] }[]) assert.deepEqual(op.tags, ['Structure']);
    }
    assert.ok(doc.paths['/api/agencies'].post.security);
  } finally {
    await t.close();
  }
});
