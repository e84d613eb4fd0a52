/**
 * Every write of work plans asks its policy before anything else: anonymous callers get 401, signed-in roles
 * without the command's permission 403, whatever the input, and nothing changes. The commands are read from
 * commands.ts, so that a command added there without a case here (and so without a check) fails this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { ROLES, rolesWith, type Role } from '../../platform/auth/roles.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { makeUser, testApp, type TestApp } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { workplansModule } from './index.ts';
import * as commands from './commands.ts';
import { runDigests } from './digests.ts';
import { importPlan, templateCsv } from './import.ts';
import { loadDirectory } from './directory.ts';
import { periodOf } from './periods.ts';
import { PERM } from './policies.ts';
import { listItems, listUpdates } from './store.ts';
import { linkToAgency } from './testkit.ts';

const quiet = () => {};
const TABLES = ['workplans_items', 'workplans_milestones', 'workplans_key_results', 'workplans_updates', 'workplans_notifications', 'audit_events'];

async function snapshot(t: TestApp): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) out[table] = (await t.ctx.db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

async function personCtx(t: TestApp, role: Role, organization = 'Test Organization'): Promise<Ctx> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`, organization);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor, `${role} loads`);
  return { ...t.ctx, system: undefined, actor, requestId: `test-${role}` };
}

const anonymousCtx = (t: TestApp): Ctx => ({ ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' });
const refusedWith = (status: number) => (err: unknown) => err instanceof HttpError && err.status === status;

interface Case {
  permission: string;
  /** Input the command would accept from someone allowed, so that only the policy can refuse it. */
  valid(ctx: Ctx): Promise<unknown>;
  /** Input it would refuse: the policy must answer first, so that a caller learns nothing about the input. */
  invalid(ctx: Ctx): Promise<unknown>;
}

test('every work-plan write: 401 anonymous, 403 without its permission, before its input is read; nothing changes', async () => {
  const t = await testApp();
  try {
    await structureModule.seedDemo!(t.ctx, quiet);
    await workplansModule.seedDemo!(t.ctx, quiet);
    const items = await listItems(t.ctx.db);
    const goal = items.find((i) => i.kind === 'goal')!;
    // An action without an update waiting or approved for the current quarter, for a submission the system makes.
    const waiting = new Set((await listUpdates(t.ctx.db)).filter((u) => u.state !== 'returned').map((u) => `${u.item_id} ${u.period}`));
    const period = periodOf(new Date()).key;
    const open = items.filter((i) => i.kind === 'action' && !waiting.has(`${i.id} ${period}`));
    assert.ok(open.length >= 2, 'two actions without an update for the current quarter');
    const submitted = await commands.submitUpdate(t.ctx, open[0].id, { status: 'on_track', narrative: 'Waiting for review.' });
    const action = open[1];
    const dir = await loadDirectory(t.ctx.db);
    const hhs = dir.agencyByName('HHS')!;

    const cases: Record<string, Case> = {
      createItem: {
        permission: PERM.edit,
        valid: (ctx) => commands.createItem(ctx, { number: '99', title: 'A new goal' }),
        invalid: (ctx) => commands.createItem(ctx, { number: 'x', bogus: true }),
      },
      updateItem: {
        permission: PERM.edit,
        valid: (ctx) => commands.updateItem(ctx, goal.id, { version: goal.version, title: 'Renamed' }),
        invalid: (ctx) => commands.updateItem(ctx, randomUUID(), { bogus: true }),
      },
      submitUpdate: {
        permission: PERM.update,
        valid: (ctx) => commands.submitUpdate(ctx, action.id, { status: 'on_track', narrative: 'On track.' }),
        invalid: (ctx) => commands.submitUpdate(ctx, randomUUID(), { bogus: true }),
      },
      reviewUpdate: {
        permission: PERM.review,
        valid: (ctx) => commands.reviewUpdate(ctx, submitted.id, { decision: 'approve' }),
        invalid: (ctx) => commands.reviewUpdate(ctx, randomUUID(), { decision: 'maybe' }),
      },
    };
    const exported = Object.entries(commands).filter(([, f]) => typeof f === 'function').map(([name]) => name);
    assert.deepEqual(exported.sort(), Object.keys(cases).sort(), 'every export of commands.ts is a command with a case here');
    // Writes that live beside the commands: the import (import.ts) and the e-mails (digests.ts).
    cases.importPlan = { permission: PERM.edit, valid: (ctx) => importPlan(ctx, templateCsv().replace(/^1/gm, '97')), invalid: (ctx) => importPlan(ctx, 'not,a\nplan') };
    cases.runDigests = { permission: PERM.digests, valid: (ctx) => runDigests(ctx, new Date(), quiet), invalid: (ctx) => runDigests(ctx, new Date(Number.NaN), quiet) };

    const anonymous = anonymousCtx(t);
    const people = new Map<Role, Ctx>();
    for (const role of ROLES) people.set(role, await personCtx(t, role, 'HHS'));
    // Their organisation acts for HHS, the demo actions' lead agency (set as an administrator would).
    await linkToAgency(t, people.get('member')!.actor!.organizationId, 'HHS');
    const outsider = await personCtx(t, 'member', 'Somewhere Else');

    const before = await snapshot(t);
    for (const [name, c] of Object.entries(cases)) {
      const lacking = ROLES.filter((r) => !rolesWith(c.permission).includes(r));
      assert.ok(lacking.length > 0, `${name}: some role lacks ${c.permission}`);
      for (const call of [c.valid, c.invalid]) {
        await assert.rejects(call(anonymous), refusedWith(401), `${name} as anonymous: 401`);
        for (const role of lacking) await assert.rejects(call(people.get(role)!), refusedWith(403), `${name} as ${role}: 403`);
      }
    }

    // Reporting progress is for the action's lead agency: a member of another organisation is refused too.
    assert.notEqual(action.lead_agency_id, null);
    assert.equal(action.lead_agency_id, hhs.id, 'the demo actions are led by HHS');
    await assert.rejects(cases.submitUpdate.valid(outsider), (err: unknown) => refusedWith(403)(err) && /lead agency/.test((err as HttpError).detail ?? ''), 'a member outside the lead agency: 403');
    assert.ok((await snapshot(t)) === before, 'no refused call changed a row or wrote an audit event');

    // The same calls go through for those allowed (and so the cases above were refused by the policy alone).
    await cases.submitUpdate.valid(people.get('member')!);
    await cases.reviewUpdate.valid(people.get('chair')!);
    await cases.updateItem.valid(people.get('chair')!);
    await cases.createItem.valid(people.get('admin')!);
    await cases.importPlan.valid(people.get('chair')!);
    await cases.runDigests.valid(people.get('admin')!);
    assert.notEqual(await snapshot(t), before);
  } finally {
    await t.close();
  }
});
