import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { makeUser, TestClient, testApp, type TestApp } from '../../platform/testing.ts';
import { addSteward } from '../directory/index.ts';
import { getNetwork, listNetworks, networkMembers, networksOfOrganization } from './index.ts';
import { tinyDirectory, type TinyDirectory } from './testkit.ts';

const count = async (t: TestApp, table: string) => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

async function everything(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['networks_network', 'networks_member', 'networks_agreement', 'networks_contact', 'audit_events']) out[table] = await count(t, table);
  return out;
}

async function setup(): Promise<{ t: TestApp; d: TinyDirectory; admin: TestClient; id: string }> {
  const t = await testApp();
  const d = await tinyDirectory(t);
  const admin = await t.signedIn('admin');
  const r = await admin.request('POST', '/api/networks', { json: { name: 'Test Employment Network', convener_organization_id: d.jobs.id, area_kind: 'regions', counties: ['11001'], needs: ['need.employment', 'need.emergency-shelter'] } });
  assert.equal(r.statusCode, 201, r.body);
  return { t, d, admin, id: r.json().id };
}

/** A signed-in person of an account organisation that stewards `directoryOrgId` (when given). */
async function staffOf(t: TestApp, role: 'member' | 'caseworker', accountOrg: string, directoryOrgId?: string): Promise<TestClient> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`, accountOrg);
  if (directoryOrgId) await addSteward(t.ctx, { directory_organization_id: directoryOrgId, account_organization_id: u.organization_id });
  const c = t.client();
  await c.signIn(u);
  return c;
}

test('create, read, update with optimistic versions, retire; audit events; the service API for referrals', async () => {
  const { t, d, admin, id } = await setup();
  try {
    const got = (await t.client().get(`/api/networks/${id}`)).json();
    assert.equal(got.name, 'Test Employment Network');
    assert.equal(got.version, 1);
    assert.deepEqual(got.members.map((m: { name: string; role: string; convener: boolean }) => [m.name, m.role, m.convener]), [['Test Jobs Center', 'victim_service_provider', true]]);
    assert.equal(got.referral_stats_url, `/referrals/stats?network_id=${id}`);
    assert.equal(got.agreements, undefined, 'the public sees no agreements');
    assert.equal(got.contacts, undefined, 'the public sees no contacts');
    assert.deepEqual(got.viewer, { can_edit: false, member_details: false });

    const upd = await admin.request('PATCH', `/api/networks/${id}`, { json: { version: 1, name: 'Renamed Network', area_kind: 'radius', center_lat: 38.9, center_lng: -77.03, radius_miles: 5 } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().version, 2);
    assert.deepEqual(upd.json().counties, [], 'a radius area keeps no county list');
    const stale = await admin.request('PATCH', `/api/networks/${id}`, { json: { version: 1, name: 'Lost update' } });
    assert.equal(stale.statusCode, 409);
    assert.equal((await t.client().get(`/api/networks/${id}`)).json().name, 'Renamed Network');

    const m = await admin.request('POST', `/api/networks/${id}/members`, { json: { directory_organization_id: d.farHousing.id, role: 'housing', joined_on: '2026-02-01' } });
    assert.equal(m.statusCode, 201, m.body);
    assert.equal(m.json().role, 'housing');
    const mp = await admin.request('PATCH', `/api/networks/${id}/members/${d.farHousing.id}`, { json: { role: 'legal', note: 'also legal clinic' } });
    assert.equal(mp.statusCode, 200, mp.body);
    assert.equal(mp.json().role, 'legal');
    assert.deepEqual((await networkMembers(t.ctx.db, id)).map((x) => [x.name, x.role]), [['Test Jobs Center', 'victim_service_provider'], ['Test Far Housing', 'legal']]);
    assert.deepEqual(await networksOfOrganization(t.ctx.db, d.farHousing.id), [{ id, name: 'Renamed Network' }]);
    assert.deepEqual(await networksOfOrganization(t.ctx.db, 'not-a-uuid'), []);
    assert.equal(await getNetwork(t.ctx.db, 'not-a-uuid'), undefined);

    const a = await admin.request('POST', `/api/networks/${id}/agreements`, { json: { title: 'MOU on referrals', directory_organization_id: d.farHousing.id, on_file: true, signed_on: '2026-01-10', expires_on: '2027-01-09' } });
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(a.json().status, 'in_force');
    const ap = await admin.request('PATCH', `/api/networks/${id}/agreements/${a.json().id}`, { json: { expires_on: '2026-01-31' } });
    assert.equal(ap.json().status, 'expired');
    const c = await admin.request('POST', `/api/networks/${id}/contacts`, { json: { name: 'Pat Example', email: 'pat@example.org', phone: '(202) 555-0101', directory_organization_id: d.jobs.id } });
    assert.equal(c.statusCode, 201, c.body);
    const cp = await admin.request('PATCH', `/api/networks/${id}/contacts/${c.json().id}`, { json: { title: 'Coordinator' } });
    assert.equal(cp.json().title, 'Coordinator');
    const full = (await admin.get(`/api/networks/${id}`)).json();
    assert.equal(full.agreements.length, 1);
    assert.equal(full.contacts[0].email, 'pat@example.org');
    assert.deepEqual(full.viewer, { can_edit: true, member_details: true });

    // The convener cannot leave; others can.
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/members/${d.jobs.id}`)).statusCode, 409);
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/members/${d.farHousing.id}`)).statusCode, 204);
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/members/${d.farHousing.id}`)).statusCode, 404);
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/agreements/${a.json().id}`)).statusCode, 204);
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/contacts/${c.json().id}`)).statusCode, 204);

    assert.equal((await t.client().get('/api/networks')).json().total, 1);
    assert.equal((await t.client().get('/api/networks?state=DC')).json().total, 1);
    assert.equal((await t.client().get('/api/networks?state=TX')).json().total, 0);
    const retired = await admin.request('POST', `/api/networks/${id}/retire`);
    assert.equal(retired.statusCode, 200, retired.body);
    assert.ok(retired.json().retired_on);
    assert.equal((await admin.request('POST', `/api/networks/${id}/retire`)).statusCode, 409, 'retired once');
    assert.equal((await t.client().get('/api/networks')).json().total, 0);
    assert.equal((await t.client().get('/api/networks?include=retired')).json().total, 1);
    assert.equal((await listNetworks(t.ctx.db)).length, 0);

    const actions = (await t.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', id).execute()).map((r) => r.action).sort();
    for (const action of ['networks.network.create', 'networks.network.update', 'networks.network.retire', 'networks.member.add', 'networks.member.update', 'networks.member.remove', 'networks.agreement.add', 'networks.agreement.update', 'networks.agreement.remove', 'networks.contact.add', 'networks.contact.update', 'networks.contact.remove']) {
      assert.ok(actions.includes(action), `audit ${action}`);
    }
    const summaries = JSON.stringify(await t.ctx.db.selectFrom('audit_events').select('summary').where('action', 'like', 'networks.contact.%').execute());
    assert.doesNotMatch(summaries, /pat@example\.org|Pat Example|555-0101/, 'contact details stay out of the audit log');
  } finally {
    await t.close();
  }
});

test('bad input gets 400 naming the field and changes nothing; unknown ids 404; never 500', async () => {
  const { t, d, admin, id } = await setup();
  try {
    const base = { name: 'X', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'] };
    const creates: [Record<string, unknown>, string][] = [
      [{ ...base, name: '' }, 'name'],
      [{ ...base, name: '   ' }, 'name'],
      [{ ...base, convener_organization_id: 'abc' }, 'convener_organization_id'],
      [{ ...base, convener_organization_id: randomUUID() }, 'convener_organization_id'],
      [{ ...base, area_kind: 'planet' }, 'area_kind'],
      [{ ...base, states: ['ZZ'] }, 'states.0'],
      [{ ...base, states: ['dc'] }, 'states.0'],
      [{ ...base, states: [], counties: ['99999'] }, 'counties.0'],
      [{ ...base, states: [] }, 'states'],
      [{ ...base, area_kind: 'radius', states: undefined }, 'center_lat'],
      [{ ...base, area_kind: 'radius', center_lat: 95, center_lng: 0, radius_miles: 5 }, 'center_lat'],
      [{ ...base, area_kind: 'radius', center_lat: 38.9, center_lng: -77, radius_miles: 0 }, 'radius_miles'],
      [{ ...base, needs: ['need.unicorns'] }, 'needs.0'],
      [{ ...base, extra: 1 }, 'extra'],
      [{ ...base, name: 123 }, 'name'],
    ];
    for (const [body, field] of creates) {
      const before = await everything(t);
      const r = await admin.request('POST', '/api/networks', { json: body });
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
      assert.ok(r.json().errors.some((e: { field: string }) => e.field === field), `${field} named in ${r.body}`);
      assert.deepEqual(await everything(t), before, `nothing changed for ${field}`);
    }

    const writes: [string, string, unknown, string][] = [
      ['PATCH', `/api/networks/${id}`, { name: 'no version' }, 'version'],
      ['PATCH', `/api/networks/${id}`, { version: 1, area_kind: 'radius' }, 'center_lat'],
      ['POST', `/api/networks/${id}/members`, { directory_organization_id: d.jobs.id, role: 'housing' }, 'directory_organization_id'],
      ['POST', `/api/networks/${id}/members`, { directory_organization_id: randomUUID(), role: 'housing' }, 'directory_organization_id'],
      ['POST', `/api/networks/${id}/members`, { directory_organization_id: d.shelter.id, role: 'wizard' }, 'role'],
      ['PATCH', `/api/networks/${id}/members/${d.jobs.id}`, { joined_on: '2026-02-30' }, 'joined_on'],
      ['POST', `/api/networks/${id}/agreements`, { title: 'MOU', signed_on: '2026-05-01', expires_on: '2026-04-01' }, 'expires_on'],
      ['POST', `/api/networks/${id}/agreements`, { title: 'MOU', expires_on: '2026-04-01' }, 'signed_on'],
      ['POST', `/api/networks/${id}/agreements`, { title: 'MOU', directory_organization_id: d.shelter.id }, 'directory_organization_id'],
      ['POST', `/api/networks/${id}/agreements`, { title: 'MOU', on_file: 'yes' }, 'on_file'],
      ['POST', `/api/networks/${id}/contacts`, { name: 'Pat', email: 'not-an-email' }, 'email'],
      ['POST', `/api/networks/${id}/contacts`, { name: 'Pat', phone: 'call me' }, 'phone'],
      ['POST', `/api/networks/${id}/contacts`, { name: 'Pat', directory_organization_id: d.farHousing.id }, 'directory_organization_id'],
      ['POST', `/api/networks/${id}/retire`, { retired_on: '2026-13-01' }, 'retired_on'],
    ];
    for (const [method, url, body, field] of writes) {
      const before = await everything(t);
      const r = await admin.request(method, url, { json: body });
      assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`);
      assert.ok(r.json().errors.some((e: { field: string }) => e.field === field), `${field} named in ${r.body}`);
      assert.deepEqual(await everything(t), before, `nothing changed for ${method} ${url} ${field}`);
    }

    for (const url of [`/api/networks/${randomUUID()}`, `/api/networks/${randomUUID()}/coverage`]) assert.equal((await t.client().get(url)).statusCode, 404, url);
    for (const url of ['/api/networks/nope', '/api/networks/nope/coverage', `/api/networks/${id}/coverage?distance=0`, `/api/networks/${id}/coverage?distance=abc`, `/api/networks/${id}/coverage?scope=everything`, '/api/networks/coverage/states?need=need.x', '/api/networks?organization_id=x']) {
      const r = await t.client().get(url);
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
    }
    assert.equal((await admin.request('PATCH', `/api/networks/${randomUUID()}`, { json: { version: 1 } })).statusCode, 404);
    assert.equal((await admin.request('DELETE', `/api/networks/${id}/agreements/${randomUUID()}`)).statusCode, 404);
    assert.equal((await admin.request('PATCH', `/api/networks/${id}/contacts/${randomUUID()}`, { json: {} })).statusCode, 404);
  } finally {
    await t.close();
  }
});

test('who may do what: managers, the convener\'s staff, member organisations\' staff, everyone else', async () => {
  const { t, d, admin, id } = await setup();
  try {
    await admin.request('POST', `/api/networks/${id}/members`, { json: { directory_organization_id: d.farHousing.id, role: 'housing' } });
    await admin.request('POST', `/api/networks/${id}/contacts`, { json: { name: 'Pat Example', email: 'pat@example.org' } });
    const convenerStaff = await staffOf(t, 'member', 'Jobs Center staff', d.jobs.id);
    const memberStaff = await staffOf(t, 'caseworker', 'Far Housing staff', d.farHousing.id);
    const outsider = await staffOf(t, 'member', 'Unrelated organisation');
    const chair = await t.signedIn('chair');
    const analyst = await t.signedIn('analyst');

    // Creating networks is for managers (admin, chair).
    const body = { name: 'Another', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'] };
    assert.equal((await convenerStaff.request('POST', '/api/networks', { json: body })).statusCode, 403);
    assert.equal((await analyst.request('POST', '/api/networks', { json: body })).statusCode, 403);
    assert.equal((await t.client().request('POST', '/api/networks', { json: body })).statusCode, 401);
    assert.equal((await chair.request('POST', '/api/networks', { json: body })).statusCode, 201);

    // The convener's staff edit their network; a member's staff and outsiders do not.
    const v = (await admin.get(`/api/networks/${id}`)).json().version;
    assert.equal((await outsider.request('PATCH', `/api/networks/${id}`, { json: { version: v, name: 'Hijacked' } })).statusCode, 403);
    assert.equal((await memberStaff.request('PATCH', `/api/networks/${id}`, { json: { version: v, name: 'Hijacked' } })).statusCode, 403);
    assert.equal((await analyst.request('POST', `/api/networks/${id}/members`, { json: { directory_organization_id: d.shelter.id, role: 'housing' } })).statusCode, 403);
    const ok = await convenerStaff.request('PATCH', `/api/networks/${id}`, { json: { version: v, description: 'Edited by the convener' } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await convenerStaff.request('POST', `/api/networks/${id}/agreements`, { json: { title: 'Charter' } })).statusCode, 201);
    assert.equal((await convenerStaff.request('POST', `/api/networks/${id}/retire`)).statusCode, 403, 'retiring is for managers');

    // Agreements and contacts: members, the convener and managers.
    for (const [who, c] of [['convener', convenerStaff], ['member', memberStaff], ['chair', chair]] as const) {
      const n = (await c.get(`/api/networks/${id}`)).json();
      assert.equal(n.contacts?.[0]?.email, 'pat@example.org', who);
      assert.equal((await c.get(`/api/networks/${id}/contacts`)).statusCode, 200, who);
      assert.equal((await c.get(`/api/networks/${id}/agreements`)).statusCode, 200, who);
    }
    for (const [who, c] of [['outsider', outsider], ['analyst', analyst]] as const) {
      const n = (await c.get(`/api/networks/${id}`)).json();
      assert.equal(n.contacts, undefined, who);
      assert.doesNotMatch(JSON.stringify(n), /pat@example\.org/, who);
      assert.equal((await c.get(`/api/networks/${id}/contacts`)).statusCode, 403, who);
      assert.equal((await c.get(`/api/networks/${id}/agreements`)).statusCode, 403, who);
    }
    assert.equal((await t.client().get(`/api/networks/${id}/contacts`)).statusCode, 401);

    // A program's token acts for the convener only within its scopes.
    const narrow = (await convenerStaff.request('POST', '/api/tokens', { json: { name: 'read only', scopes: ['account.self'] } })).json().token;
    const wide = (await convenerStaff.request('POST', '/api/tokens', { json: { name: 'network editor', scopes: ['networks.edit_own', 'contacts.read'] } })).json().token;
    const v2 = (await admin.get(`/api/networks/${id}`)).json().version;
    const viaToken = (token: string) => t.client().request('PATCH', `/api/networks/${id}`, { json: { version: v2, description: 'by a program' }, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await viaToken(narrow)).statusCode, 403);
    assert.equal((await t.client().request('GET', `/api/networks/${id}`, { headers: { authorization: `Bearer ${narrow}` } })).json().contacts, undefined, 'no contacts without contacts.read');
    assert.equal((await viaToken(wide)).statusCode, 200);
    const pub = await t.client().get(`/api/networks/${id}`);
    assert.doesNotMatch(pub.body, /pat@example\.org|Pat Example/);
  } finally {
    await t.close();
  }
});

test('OpenAPI documents every networks route with its schemas', async () => {
  const t = await testApp();
  try {
    const doc = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; responses?: Record<string, unknown>; security?: unknown }>> };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/networks'));
    for (const p of ['/api/networks', '/api/networks/{id}', '/api/networks/{id}/retire', '/api/networks/{id}/coverage', '/api/networks/coverage/states', '/api/networks/{id}/members', '/api/networks/{id}/members/{organizationId}', '/api/networks/{id}/agreements', '/api/networks/{id}/agreements/{agreementId}', '/api/networks/{id}/contacts', '/api/networks/{id}/contacts/{contactId}']) {
      assert.ok(paths.includes(p), `${p} documented`);
    }
    for (const p of paths) {
      for (const [method, op] of Object.entries(doc.paths[p])) {
        assert.deepEqual(op.tags, ['Networks'], `${method} ${p} tags`);
        assert.ok(op.summary, `${method} ${p} summary`);
        assert.ok(op.responses && Object.keys(op.responses).some((c) => c.startsWith('2')), `${method} ${p} success response`);
        if (method !== 'get' || p.endsWith('/agreements') || p.endsWith('/contacts')) assert.ok(op.security, `${method} ${p} security`);
      }
    }
  } finally {
    await t.close();
  }
});
