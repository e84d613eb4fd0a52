/**
 * Every exported write command of the structure checks its policy before anything else: an anonymous request gets
 * 401 and a signed-in role without the command's permission (structure.write; users.manage for the links between
 * account organisations and agencies) 403, whatever the input, and nothing changes. The commands are read from the
 * module, so that a command added later without a check fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { ROLES, rolesWith, type Role } from '../../platform/auth/roles.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { makeUser, testApp, type TestApp } from '../../platform/testing.ts';
import * as commands from './commands.ts';
import { WRITE } from './permissions.ts';
import { LINK_ORGANIZATIONS } from './policies.ts';

const TABLES = ['structure_agencies', 'structure_bodies', 'structure_memberships', 'structure_partnerships', 'structure_partners', 'structure_representatives', 'structure_revisions', 'structure_agency_organizations', 'audit_events'];
/** The permission each command needs, where it is not structure.write. */
const PERMISSION: Record<string, string> = { linkAgencyOrganization: LINK_ORGANIZATIONS, unlinkAgencyOrganization: LINK_ORGANIZATIONS };
const permissionOf = (command: string) => PERMISSION[command] ?? WRITE;

async function snapshot(t: TestApp): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) out[table] = (await t.ctx.db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

async function signedInCtx(t: TestApp, role: Role, organization?: string): Promise<Ctx> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`, organization);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor, `${role} loads`);
  return { ...t.ctx, system: undefined, actor, requestId: `test-${role}` };
}

const refusedWith = (status: number) => (err: unknown) => err instanceof HttpError && err.status === status;

test("every structure command: 401 anonymous, 403 without its permission, before its input is read; nothing changes", async () => {
  const t = await testApp();
  try {
    // The system principal (seed, command line) sets the scene through the same commands.
    const agency = await commands.createAgency(t.ctx, { name: 'Department of Examples', kind: 'department', member_from: '2020-01-01' });
    const body = await commands.createBody(t.ctx, { name: 'Examples Committee', members: [{ agency_id: agency.id, role: 'chair' }] });
    const partnership = await commands.createPartnership(t.ctx, { name: 'Example Partnership', partners: [{ agency_id: agency.id }] });
    const rep = await commands.createRepresentative(t.ctx, { person_name: 'Pat Example', agency_id: agency.id });
    const linked = (await makeUser(t.ctx, 'member', `linked-${randomUUID()}@test.example`, 'Linked Organization')).organization_id;
    const unlinked = (await makeUser(t.ctx, 'member', `unlinked-${randomUUID()}@test.example`, 'Unlinked Organization')).organization_id;
    await commands.linkAgencyOrganization(t.ctx, agency.id, { organization_id: linked });

    // Valid input for each command, so that only the policy can refuse it.
    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      createAgency: (ctx) => commands.createAgency(ctx, { name: 'Another Agency', kind: 'agency' }),
      updateAgency: (ctx) => commands.updateAgency(ctx, agency.id, { version: agency.version, name: 'Renamed' }),
      retireAgency: (ctx) => commands.retireAgency(ctx, agency.id, {}),
      createBody: (ctx) => commands.createBody(ctx, { name: 'Another Committee' }),
      updateCommittee: (ctx) => commands.updateCommittee(ctx, body.id, { version: body.version, name: 'Renamed' }),
      replaceMembers: (ctx) => commands.replaceMembers(ctx, body.id, { version: body.version, members: [] }),
      retireCommittee: (ctx) => commands.retireCommittee(ctx, body.id, {}),
      createPartnership: (ctx) => commands.createPartnership(ctx, { name: 'Another Partnership' }),
      updatePartnership: (ctx) => commands.updatePartnership(ctx, partnership.id, { version: partnership.version, name: 'Renamed' }),
      replacePartners: (ctx) => commands.replacePartners(ctx, partnership.id, { version: partnership.version, partners: [] }),
      retirePartnership: (ctx) => commands.retirePartnership(ctx, partnership.id, {}),
      createRepresentative: (ctx) => commands.createRepresentative(ctx, { person_name: 'Another Person', agency_id: agency.id }),
      updateRepresentative: (ctx) => commands.updateRepresentative(ctx, rep.id, { version: rep.version, person_name: 'Renamed' }),
      retireRepresentative: (ctx) => commands.retireRepresentative(ctx, rep.id, {}),
      linkAgencyOrganization: (ctx) => commands.linkAgencyOrganization(ctx, agency.id, { organization_id: unlinked }),
      unlinkAgencyOrganization: (ctx) => commands.unlinkAgencyOrganization(ctx, agency.id, { organization_id: linked }),
    };
    const exported = Object.entries(commands).filter(([, f]) => typeof f === 'function');
    assert.deepEqual(exported.map(([name]) => name).sort(), Object.keys(calls).sort(), 'every exported command has a case here');

    const people = new Map<Role, Ctx>();
    for (const role of ROLES) people.set(role, await signedInCtx(t, role));
    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };
    /** The anonymous public (401) and every role without the command's permission (403). */
    const refusedCallers = (command: string): [string, Ctx, number][] => {
      const holders = rolesWith(permissionOf(command));
      const others = ROLES.filter((r) => !holders.includes(r));
      assert.ok(holders.length > 0 && others.length > 0, `${command}: some roles hold its permission, some do not`);
      return [['anonymous', anonymous, 401], ...others.map((r): [string, Ctx, number] => [r, people.get(r)!, 403])];
    };
    // Structure writers (structure.write) do not link accounts to agencies unless they manage accounts too.
    assert.deepEqual(rolesWith(LINK_ORGANIZATIONS), ['admin']);

    const before = await snapshot(t);
    for (const [name, call] of Object.entries(calls)) {
      for (const [who, ctx, status] of refusedCallers(name)) {
        await assert.rejects(call(ctx), refusedWith(status), `${name} as ${who}: ${status}`);
      }
    }
    // Input that would fail validation: the policy answers first, so a caller learns nothing about the input rules.
    for (const [name, fn] of exported) {
      const run = fn as (...args: unknown[]) => Promise<unknown>;
      for (const [who, ctx, status] of refusedCallers(name)) {
        const call = run.length >= 3 ? run(ctx, randomUUID(), { bogus: true }) : run(ctx, { bogus: true });
        await assert.rejects(call, refusedWith(status), `${name} with bad input as ${who}: ${status}`);
      }
    }
    assert.equal(await snapshot(t), before, 'no refused command changed a row');

    // Holders of the permission get through.
    const admin = people.get(rolesWith(WRITE)[0])!;
    const made = await commands.createAgency(admin, { name: 'Made By An Administrator', kind: 'office' });
    assert.equal(made.name, 'Made By An Administrator');
    const linker = people.get(rolesWith(LINK_ORGANIZATIONS)[0])!;
    assert.equal((await calls.linkAgencyOrganization(linker) as { organization_id: string }).organization_id, unlinked);
    await calls.unlinkAgencyOrganization(linker);
  } finally {
    await t.close();
  }
});
