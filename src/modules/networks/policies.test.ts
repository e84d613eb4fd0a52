/**
 * Every exported write command of the module refuses callers its policy does not allow, before it validates or
 * changes anything: an anonymous request gets 401, a signed-in role without the right 403. The list of commands is
 * read from the module, so that a new command without a case here fails this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { makeUser, testApp, type TestApp } from '../../platform/testing.ts';
import type { Role } from '../../platform/auth/roles.ts';
import * as commands from './commands.ts';
import { mayEditNetwork, mayManageNetworks, maySeeMemberDetails } from './policies.ts';
import { tinyDirectory } from './testkit.ts';

const TABLES = ['networks_network', 'networks_member', 'networks_agreement', 'networks_contact', 'audit_events'];

/** Every row of the module's tables and of the audit log, to prove a refused command changed none. */
async function snapshot(t: TestApp): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await t.ctx.db.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return JSON.stringify(out);
}

async function personCtx(t: TestApp, role: Role): Promise<Ctx> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`, `Unrelated ${role} organisation`);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor, `${role} loads`);
  return { ...t.ctx, system: undefined, actor, requestId: `test-${role}` };
}

test('every networks command: 401 for an anonymous request, 403 for a role without the right, nothing changed', async () => {
  const t = await testApp();
  try {
    const d = await tinyDirectory(t);
    // The system principal (seed, command line) sets the scene through the same commands.
    const n = await commands.createNetwork(t.ctx, { name: 'Policy Network', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'] });
    await commands.addMember(t.ctx, n.id, { directory_organization_id: d.farHousing.id, role: 'housing' });
    const a = await commands.addAgreement(t.ctx, n.id, { title: 'Charter' });
    const c = await commands.addContact(t.ctx, n.id, { name: 'Pat Example' });

    // Valid input for each command, so that only the policy can refuse it.
    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      createNetwork: (ctx) => commands.createNetwork(ctx, { name: 'Another', convener_organization_id: d.jobs.id, area_kind: 'regions', states: ['DC'] }),
      updateNetwork: (ctx) => commands.updateNetwork(ctx, n.id, { version: n.version, name: 'Hijacked' }),
      retireNetwork: (ctx) => commands.retireNetwork(ctx, n.id, {}),
      addMember: (ctx) => commands.addMember(ctx, n.id, { directory_organization_id: d.shelter.id, role: 'housing' }),
      updateMember: (ctx) => commands.updateMember(ctx, n.id, d.farHousing.id, { role: 'legal' }),
      removeMember: (ctx) => commands.removeMember(ctx, n.id, d.farHousing.id),
      addAgreement: (ctx) => commands.addAgreement(ctx, n.id, { title: 'Another MOU' }),
      updateAgreement: (ctx) => commands.updateAgreement(ctx, n.id, a.id, { title: 'Changed' }),
      removeAgreement: (ctx) => commands.removeAgreement(ctx, n.id, a.id),
      addContact: (ctx) => commands.addContact(ctx, n.id, { name: 'Intruder' }),
      updateContact: (ctx) => commands.updateContact(ctx, n.id, c.id, { name: 'Changed' }),
      removeContact: (ctx) => commands.removeContact(ctx, n.id, c.id),
    };
    const exported = Object.entries(commands)
      .filter(([, f]) => typeof f === 'function')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(exported, Object.keys(calls).sort(), 'every exported command has a case here');

    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };
    // Neither role manages networks, and their organisations steward neither the convener nor a member.
    const callers: [string, Ctx, number][] = [
      ['anonymous', anonymous, 401],
      ['member', await personCtx(t, 'member'), 403],
      ['analyst', await personCtx(t, 'analyst'), 403],
    ];
    for (const [name, call] of Object.entries(calls)) {
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(call(ctx), (err: unknown) => err instanceof HttpError && err.status === status, `${name} as ${who}: ${status}`);
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }

    // A refusal comes before validation: bad input from an anonymous caller is still 401, not 400.
    await assert.rejects(commands.createNetwork(anonymous, { name: '' }), (err: unknown) => err instanceof HttpError && err.status === 401);
    await assert.rejects(commands.addContact(anonymous, n.id, { email: 'not-an-email' }), (err: unknown) => err instanceof HttpError && err.status === 401);
  } finally {
    await t.close();
  }
});

test('the policies as plain answers: system, anonymous, managers, the convener\'s staff, members\' staff', () => {
  const actor = (permissions: string[]) => ({ id: 'u', email: 'u@test.example', name: 'U', role: 'member' as const, organizationId: 'o', permissions: new Set(permissions), via: 'session' as const, mfaEnabled: false });
  const n = { convener_organization_id: 'convener', members: [{ directory_organization_id: 'convener', name: 'C', role: 'victim_service_provider', joined_on: null, note: null, convener: true }, { directory_organization_id: 'member', name: 'M', role: 'housing', joined_on: null, note: null, convener: false }] };
  const none = new Set<string>();
  const system = { kind: 'system', job: 'seed' } as const;
  const anonymous = { kind: 'anonymous' } as const;
  const manager = { kind: 'person', actor: actor(['networks.manage']) } as const;
  const staff = { kind: 'person', actor: actor(['networks.edit_own', 'contacts.read']) } as const;
  const narrowToken = { kind: 'token', actor: actor(['account.self']) } as const;

  assert.equal(mayManageNetworks(system), true);
  assert.equal(mayManageNetworks(anonymous), false);
  assert.equal(mayManageNetworks(manager), true);
  assert.equal(mayManageNetworks(staff), false);

  assert.equal(mayEditNetwork(system, none, n), true);
  assert.equal(mayEditNetwork(anonymous, new Set(['convener']), n), false);
  assert.equal(mayEditNetwork(manager, none, n), true);
  assert.equal(mayEditNetwork(staff, new Set(['convener']), n), true);
  assert.equal(mayEditNetwork(staff, new Set(['member']), n), false, "a member's staff do not edit");
  assert.equal(mayEditNetwork(narrowToken, new Set(['convener']), n), false, 'a token edits only with networks.edit_own');

  assert.equal(maySeeMemberDetails(anonymous, none, n), false);
  assert.equal(maySeeMemberDetails(staff, new Set(['member']), n), true);
  assert.equal(maySeeMemberDetails(staff, none, n), false);
  assert.equal(maySeeMemberDetails(narrowToken, new Set(['convener']), n), false);
});
