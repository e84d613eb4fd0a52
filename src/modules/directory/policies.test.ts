/**
 * Every write of the directory checks its policy before anything else: an anonymous caller gets 401, a signed-in
 * caller without the right gets 403 (or, for another person's proposal, 404: it learns nothing), and nothing
 * changes. The commands are read from commands.ts, so a new one is covered as soon as it is exported there.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, makeUser, type TestApp } from '../../platform/testing.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { addDemoProviders } from './demo.ts';
import { uuidv5, TABLE_NAMES, tableOf } from './model.ts';
import { SEARCH_INDEX } from './store.ts';
import { SEARCH_POINTS } from './search-points.ts';
import * as commands from './commands.ts';

const ORG = uuidv5('demo:org:freedom-network');
const SHELTER = uuidv5('demo:svc:shelter');
const OFFICE_LOC = uuidv5('demo:loc:office');
const CAPACITY = uuidv5('demo:cap:shelter');
const MISSING = uuidv5('policies:nothing-here');

type Command = (ctx: Ctx, ...args: never[]) => Promise<unknown>;

let t: TestApp;
let proposalId: string;
let providerOrgId: string;
let anonymous: Ctx;
let member: Ctx;
let scopeless: Ctx;

/** Arguments that would succeed for an allowed caller, so that only the policy can refuse. */
const realArgs: Record<string, () => unknown[]> = {
  verifyService: () => [SHELTER],
  addSteward: () => [{ directory_organization_id: ORG, account_organization_id: providerOrgId }],
  removeSteward: () => [{ directory_organization_id: ORG, account_organization_id: providerOrgId }],
  proposeChange: () => ['service', SHELTER, { name: 'Renamed by someone without the right' }],
  approveProposal: () => [proposalId, {}],
  returnProposal: () => [proposalId, { reason: 'no' }],
  withdrawProposal: () => [proposalId],
  updateCapacity: () => [SHELTER, CAPACITY, { available: 0 }],
  importPath: () => [import.meta.dirname + '/demo-data/sample-dc-2.0', { skipBrokenReferences: true }],
  importDataset: () => [{}, 'hsds-3.0-json'],
  generateDirectory: () => [1],
};

/** Arguments for a command this file does not know yet: the policy comes first, so they need not be valid. */
const anyArgs = () => [MISSING, MISSING, {}];

const ctxOf = (actor: Actor | null): Ctx => ({ ...t.ctx, system: undefined, actor });

async function snapshot(): Promise<string> {
  const tables = [...TABLE_NAMES.map(tableOf), 'directory_steward', 'directory_proposal', SEARCH_INDEX, SEARCH_POINTS, 'audit_events'];
  const out: Record<string, string[]> = {};
  for (const table of tables) out[table] = (await t.ctx.db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

async function refused(name: string, ctx: Ctx, args: unknown[], status: number): Promise<void> {
  const before = await snapshot();
  const run = (commands as unknown as Record<string, Command>)[name];
  await assert.rejects(run(ctx, ...(args as never[])), (err: unknown) => {
    assert.ok(err instanceof HttpError, `${name}: ${String(err)}`);
    assert.equal(err.status, status, `${name}: ${err.status} ${err.detail ?? ''}`);
    return true;
  });
  assert.equal(await snapshot(), before, `${name} changed nothing`);
}

const commandNames = () => Object.entries(commands).filter(([, x]) => typeof x === 'function').map(([name]) => name);

before(async () => {
  t = await testApp();
  await addDemoProviders(t.ctx);
  const steward = await makeUser(t.ctx, 'member', 'intake@freedom-staff.example', 'Freedom Network Staff');
  providerOrgId = steward.organization_id;
  await commands.addSteward(t.ctx, { directory_organization_id: ORG, account_organization_id: providerOrgId });
  const stewardCtx = ctxOf((await loadActor(t.ctx.db, steward.id, 'session'))!);
  proposalId = (await commands.proposeChange(stewardCtx, 'location', OFFICE_LOC, { address_2: 'Suite 9' })).id;
  // The link is what a member of the provider would need; the refused callers below are of another organisation.
  await commands.removeSteward(t.ctx, { directory_organization_id: ORG, account_organization_id: providerOrgId });
  const other = await makeUser(t.ctx, 'member', 'member@elsewhere.example', 'Elsewhere');
  anonymous = ctxOf(null);
  member = ctxOf((await loadActor(t.ctx.db, other.id, 'session'))!);
  // A program holding a token of the member's with no scope: signed in, yet without any permission.
  scopeless = ctxOf((await loadActor(t.ctx.db, other.id, 'token', []))!);
});

after(async () => {
  await t.close();
});

test('commands.ts lists every write of the directory', () => {
  const names = commandNames();
  for (const name of Object.keys(realArgs)) assert.ok(names.includes(name), `${name} is exported from commands.ts`);
});

test('every command refuses an anonymous caller with 401 before it reads its input, changing nothing', async () => {
  for (const name of commandNames()) {
    await refused(name, anonymous, realArgs[name]?.() ?? anyArgs(), 401);
    if (!realArgs[name]) await refused(name, anonymous, anyArgs(), 401);
  }
});

test('every command refuses a signed-in caller without the permission with 403, changing nothing', async () => {
  for (const name of commandNames()) {
    await refused(name, scopeless, realArgs[name]?.() ?? anyArgs(), 403);
  }
});

test('a member of another organisation may not manage, review, edit the listing or set its capacity (403), nor learn of a proposal not theirs (404)', async () => {
  for (const name of commandNames()) {
    // Every role may propose and withdraw in general; these refusals are about the object.
    const status = name === 'withdrawProposal' ? 404 : 403;
    await refused(name, member, realArgs[name]?.() ?? anyArgs(), status);
  }
});

test('the system principal (command line, seeds, jobs) may import and manage, but acts in no one\'s name', async () => {
  const r = (await commands.verifyService(t.ctx, SHELTER)) as { id: string };
  assert.equal(r.id, SHELTER);
  await refused('approveProposal', t.ctx, [proposalId, {}], 403);
  await refused('proposeChange', t.ctx, ['service', SHELTER, { name: 'x' }], 403);
});

test('downloads: the data package (descriptor and CSVs) answers anyone and every role; the nested services.json only the signed-in', async () => {
  // One account at a time: accounts are made with the test's one system context.
  for (const who of ['anonymous', ...ROLES] as const) {
    const c = who === 'anonymous' ? t.client() : await t.signedIn(who);
    for (const f of ['datapackage.json', 'services.csv', 'locations.csv']) assert.equal((await c.get(`/directory/download/${f}`)).statusCode, 200, `${who}: ${f}`);
    assert.equal((await c.get('/directory/download/services.json')).statusCode, who === 'anonymous' ? 302 : 200, `${who}: services.json`);
  }
});
