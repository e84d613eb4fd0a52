/**
 * The link between account organisations and agencies: administrators set it (API and the agency page), everyone
 * else is refused, bad input changes nothing, the demo seed sets the demo accounts' links, and the migration keeps
 * the ties the old name rule made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { columnTypes } from '../../platform/db/index.ts';
import { makeUser, testApp, type TestApp, type TestClient } from '../../platform/testing.ts';
import { structureModule } from './index.ts';
import { agencyIdsOfOrganization, organizationIdsOfAgency } from './store.ts';
import * as backfill from './migrations/202612040030_structure_agency_organizations.ts';

const quiet = () => {};

async function seeded(): Promise<TestApp> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  await structureModule.seedDemo!(t.ctx, quiet);
  return t;
}

async function agencyId(t: TestApp, abbreviation: string): Promise<string> {
  const r = await t.ctx.db.selectFrom('structure_agencies').select('id').where('abbreviation', '=', abbreviation).executeTakeFirstOrThrow();
  return String(r.id);
}

/** An account organisation of this name (made with an account in it). */
async function organization(t: TestApp, name: string): Promise<string> {
  return (await makeUser(t.ctx, 'member', `${randomUUID()}@test.example`, name)).organization_id;
}

const count = async (t: TestApp, table: string, where?: [string, string]) => {
  let q = t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  if (where) q = q.where(where[0], '=', where[1]);
  return Number((await q.executeTakeFirstOrThrow()).n);
};
const links = (t: TestApp) => count(t, 'structure_agency_organizations');
const audits = (t: TestApp) => count(t, 'audit_events');
const fieldsOf = (body: unknown) => ((body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

test('API: administrators list, add and remove the organisations of an agency; every other role is refused', async () => {
  const t = await seeded();
  try {
    const hhs = await agencyId(t, 'HHS');
    const org = await organization(t, 'HHS Regional Office');
    const base = `/api/agencies/${hhs}/organizations`;

    const callers: [string, TestClient, number][] = [['anonymous', t.client(), 401]];
    for (const role of ['member', 'chair', 'analyst', 'caseworker'] as const) callers.push([role, await t.signedIn(role), 403]);
    for (const [who, c, status] of callers) {
      assert.equal((await c.get(base)).statusCode, status, `GET as ${who}`);
      assert.equal((await c.request('POST', base, { json: { organization_id: org } })).statusCode, status, `POST as ${who}`);
      assert.equal((await c.request('DELETE', `${base}/${org}`)).statusCode, status, `DELETE as ${who}`);
    }
    assert.equal(await links(t), 0, 'no refused call made a link');

    const admin = await t.signedIn('admin');
    assert.deepEqual((await admin.get(base)).json(), []);
    const made = await admin.request('POST', base, { json: { organization_id: org } });
    assert.equal(made.statusCode, 201, made.body);
    const link = made.json() as { agency_id: string; organization_id: string; organization_name: string; created_by: string | null };
    assert.deepEqual([link.agency_id, link.organization_id, link.organization_name], [hhs, org, 'HHS Regional Office']);
    assert.equal(link.created_by, (await t.user('admin')).id);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, org), [hhs]);
    assert.deepEqual(await organizationIdsOfAgency(t.ctx.db, hhs), [org]);
    assert.equal(await count(t, 'audit_events', ['action', 'structure.agency.organization.link']), 1, 'audited');

    // Linking again changes nothing and records nothing.
    assert.equal((await admin.request('POST', base, { json: { organization_id: org } })).statusCode, 201);
    assert.equal(await links(t), 1);
    assert.equal(await count(t, 'audit_events', ['action', 'structure.agency.organization.link']), 1);
    const listed = (await admin.get(base)).json() as { organization_name: string }[];
    assert.deepEqual(listed.map((x) => x.organization_name), ['HHS Regional Office']);

    for (const [who, c, status] of callers) assert.equal((await c.request('DELETE', `${base}/${org}`)).statusCode, status, `DELETE as ${who}`);
    assert.equal(await links(t), 1);

    const gone = await admin.request('DELETE', `${base}/${org}`);
    assert.equal(gone.statusCode, 204, gone.body);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, org), []);
    assert.equal(await count(t, 'audit_events', ['action', 'structure.agency.organization.unlink']), 1, 'audited');
    assert.equal((await admin.request('DELETE', `${base}/${org}`)).statusCode, 404, 'no such link any more');

    // The routes are described in the OpenAPI document with the others of the structure.
    const doc = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[] }>> };
    const path = doc.paths['/api/agencies/{id}/organizations'];
    assert.ok(path?.get && path.post, 'GET and POST documented');
    assert.ok(doc.paths['/api/agencies/{id}/organizations/{organizationId}']?.delete, 'DELETE documented');
    for (const op of [path.get, path.post]) {
      assert.deepEqual(op.tags, ['Structure']);
      assert.ok(op.summary && op.security?.length);
    }
  } finally {
    await t.close();
  }
});

test('API tokens: only a token with users.manage links; structure.write alone is not enough', async () => {
  const t = await seeded();
  try {
    const dol = await agencyId(t, 'DOL');
    const org = await organization(t, 'Wage and Hour Division');
    const admin = await t.signedIn('admin');
    const token = async (scopes: string[]) => {
      const res = await admin.request('POST', '/api/tokens', { json: { name: scopes.join(' '), scopes } });
      assert.equal(res.statusCode, 201, res.body);
      return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
    };
    const narrow = await token(['structure.write']);
    const base = `/api/agencies/${dol}/organizations`;
    assert.equal((await t.client().request('GET', base, { headers: narrow })).statusCode, 403);
    assert.equal((await t.client().request('POST', base, { json: { organization_id: org }, headers: narrow })).statusCode, 403);
    assert.equal(await links(t), 0);
    const wide = await token(['users.manage']);
    assert.equal((await t.client().request('POST', base, { json: { organization_id: org }, headers: wide })).statusCode, 201);
    assert.equal((await t.client().request('DELETE', `${base}/${org}`, { headers: narrow })).statusCode, 403);
    assert.equal(await links(t), 1);
  } finally {
    await t.close();
  }
});

test('API: bad input gets 400 naming the field (or 404 for an unknown agency) and changes nothing', async () => {
  const t = await seeded();
  try {
    const hhs = await agencyId(t, 'HHS');
    const org = await organization(t, 'Administration for Children and Families');
    const admin = await t.signedIn('admin');
    const base = `/api/agencies/${hhs}/organizations`;
    const before = [await links(t), await audits(t)];

    for (const [body, field] of [
      [{ organization_id: randomUUID() }, 'organization_id'],
      [{ organization_id: 'not-a-uuid' }, 'organization_id'],
      [{}, 'organization_id'],
      [{ organization_id: org, role: 'lead' }, 'role'],
    ] as const) {
      const res = await admin.request('POST', base, { json: body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.deepEqual(fieldsOf(res.json()), [field], JSON.stringify(body));
    }
    assert.equal((await admin.request('POST', `/api/agencies/${randomUUID()}/organizations`, { json: { organization_id: org } })).statusCode, 404);
    assert.equal((await admin.get(`/api/agencies/${randomUUID()}/organizations`)).statusCode, 404);
    const malformed = await admin.request('DELETE', `${base}/not-a-uuid`);
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /organizationId/);
    assert.equal((await admin.request('DELETE', `${base}/${org}`)).statusCode, 404, 'not linked');
    assert.deepEqual([await links(t), await audits(t)], before, 'nothing changed');
  } finally {
    await t.close();
  }
});

test('agency page: administrators see, add and remove the organisations acting for it without JavaScript; others see nothing', async () => {
  const t = await seeded();
  try {
    const dol = await agencyId(t, 'DOL');
    const org = await organization(t, 'Employment and Training Administration');
    const page = `/structure/agencies/${dol}`;
    const admin = await t.signedIn('admin');

    const before = (await admin.get(page)).body;
    assert.match(before, /<h2 id="organizations">Account organizations acting for this agency<\/h2>/);
    assert.match(before, new RegExp(`<form method="post" action="${page}/organizations"`));
    assert.match(before, /name="_csrf"/);
    assert.match(before, new RegExp(`<option value="${org}">Employment and Training Administration</option>`));

    // Nothing chosen: the page again, 400, the message in the summary and at the select.
    const blank = await admin.request('POST', `${page}/organizations`, { form: { organization_id: '' } });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /<a href="#field-organization_id">organization_id: /);
    assert.match(blank.body, /id="field-organization_id-error"/);
    const unknown = await admin.request('POST', `${page}/organizations`, { form: { organization_id: randomUUID() } });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /is not a known account organisation/);
    assert.equal(await links(t), 0);

    // Without the CSRF token nothing happens.
    assert.equal((await admin.request('POST', `${page}/organizations`, { form: { organization_id: org }, csrf: false })).statusCode, 403);
    assert.equal(await links(t), 0);

    const added = await admin.request('POST', `${page}/organizations`, { form: { organization_id: org } });
    assert.equal(added.statusCode, 302, added.body.slice(0, 300));
    assert.equal(added.headers.location, `${page}#organizations`);
    const after = (await admin.get(page)).body;
    assert.match(after, new RegExp(`action="${page}/organizations/${org}/remove"`));
    assert.match(after, /<td[^>]*>Employment and Training Administration<\/td>/);
    assert.doesNotMatch(after, new RegExp(`<option value="${org}">`), 'a linked organisation is not offered again');
    assert.match((await admin.get(page, { 'accept-language': 'es' })).body, /Organizaciones de cuentas que actúan por esta agencia/);

    // Others: no section, and their posts are refused.
    for (const role of ['member', 'chair', 'analyst', 'caseworker'] as const) {
      const c = await t.signedIn(role);
      assert.doesNotMatch((await c.get(page)).body, /id="organizations"|Employment and Training Administration/, role);
      assert.equal((await c.request('POST', `${page}/organizations/${org}/remove`, { form: {} })).statusCode, 403, role);
      assert.equal((await c.request('POST', `${page}/organizations`, { form: { organization_id: org } })).statusCode, 403, role);
    }
    const anon = t.client();
    assert.doesNotMatch((await anon.get(page)).body, /id="organizations"/);
    assert.equal(await links(t), 1);

    const removed = await admin.request('POST', `${page}/organizations/${org}/remove`, { form: {} });
    assert.equal(removed.statusCode, 302);
    assert.equal(await links(t), 0);
    assert.doesNotMatch((await admin.get(page)).body, new RegExp(`${org}/remove`));
  } finally {
    await t.close();
  }
});

test("demo seed: the demo accounts' organisations act for HHS, DOL and DOJ", async () => {
  const t = await testApp();
  try {
    const otip = await organization(t, 'Office on Trafficking in Persons (HHS)');
    const labor = await organization(t, 'Department of Labor');
    const justice = await organization(t, 'Department of Justice');
    const other = await organization(t, 'Department of Health and Human Services');
    await structureModule.seedDemo!(t.ctx, quiet);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, otip), [await agencyId(t, 'HHS')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, labor), [await agencyId(t, 'DOL')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, justice), [await agencyId(t, 'DOJ')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, other), [], 'a name alone links nothing');
  } finally {
    await t.close();
  }
});

test("the migration links the organisations the old name rule matched, and no others", async () => {
  const t = await seeded();
  try {
    const labor = await organization(t, ' department of labor ');
    const dol = await organization(t, 'dol');
    const hhs = await organization(t, 'HHS');
    const elsewhere = await organization(t, 'Labor Department');
    const kind = t.db.handle.kind;
    await t.ctx.db.transaction().execute(async (trx) => {
      await trx.schema.dropTable('structure_agency_organizations').execute();
      await backfill.up(trx, columnTypes(kind), kind);
    });
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, labor), [await agencyId(t, 'DOL')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, dol), [await agencyId(t, 'DOL')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, hhs), [await agencyId(t, 'HHS')]);
    assert.deepEqual(await agencyIdsOfOrganization(t.ctx.db, elsewhere), []);
    assert.equal(await links(t), 3);
  } finally {
    await t.close();
  }
});
