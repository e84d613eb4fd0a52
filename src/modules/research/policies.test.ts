/**
 * Every exported write command of the module refuses callers its policy does not allow, before it validates or
 * changes anything: an anonymous request gets 401, a signed-in role without the right 403, and staff of another
 * agency 403. The list of commands is read from the module, so that a new command without a case here fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ctx } from '../../platform/context.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { testApp, type TestClient } from '../../platform/testing.ts';
import { ROLES } from '../../platform/auth/index.ts';
import { practicesModule } from '../practices/index.ts';
import { THEMES } from './themes.ts';
import * as commands from './commands.ts';
import { agency, callInput, ctxOf, snapshot, staffOf } from './testkit.ts';

test('every research command: 401 anonymous, 403 without the right or for another agency, nothing changed', async () => {
  const t = await testApp();
  try {
    const dol = await agency(t, 'Department of Labor', 'DOL');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const c = await commands.createCall(t.ctx, callInput([dol, hhs], { due_date: '2020-01-31' }));
    await commands.submitRows(t.ctx, c.id, hhs, { rows: [{ victims: 3, hours: 1 }] });

    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      createCall: (ctx) => commands.createCall(ctx, callInput([dol])),
      setCallStatus: (ctx) => commands.setCallStatus(ctx, c.id, { status: 'closed', version: c.version }),
      setCallPublic: (ctx) => commands.setCallPublic(ctx, c.id, { public: true, version: c.version }),
      submitRows: (ctx) => commands.submitRows(ctx, c.id, dol, { rows: [{ victims: 1, hours: 1 }] }),
      submitCsv: (ctx) => commands.submitCsv(ctx, c.id, dol, { csv: 'victims,hours\n1,1\n' }),
      reviewSubmission: (ctx) => commands.reviewSubmission(ctx, c.id, hhs, { decision: 'accept', version: 1 }),
      sendReminders: (ctx) => commands.sendReminders(ctx, new Date('2020-02-01T12:00:00Z')),
      takeSnapshots: (ctx) => commands.takeSnapshots(ctx),
    };
    const exported = Object.entries(commands)
      .filter(([, f]) => typeof f === 'function')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(exported, Object.keys(calls).sort(), 'every exported command has a case here');

    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };
    // A case worker holds neither permission; HHS staff hold research.submit but do not act for DOL.
    const caseworker = await ctxOf(t, await staffOf(t, dol, 'caseworker'));
    const hhsStaff = await ctxOf(t, await staffOf(t, hhs, 'member'));
    const unlinked = await ctxOf(t, await staffOf(t, null, 'member'));
    const callers: [string, Ctx, number][] = [
      ['anonymous', anonymous, 401],
      ['caseworker', caseworker, 403],
      ['member of HHS', hhsStaff, 403],
      ['member of no agency', unlinked, 403],
    ];
    for (const [name, call] of Object.entries(calls)) {
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(call(ctx), (err: unknown) => err instanceof HttpError && err.status === status, `${name} as ${who}: ${status}`);
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }
  } finally {
    await t.close();
  }
});

test('every insights page, its JSON and CSV, the tabulator and the open data catalog (page, data.json, catalog.jsonld): public, the same figures for anonymous and every role', async () => {
  const t = await testApp({ env: { SUPPRESSION_THRESHOLD: '1' } });
  try {
    await practicesModule.seedDemo!(t.ctx, () => {});
    const clients: [string, TestClient][] = [['anonymous', t.client()]];
    for (const role of ROLES) clients.push([role, await t.signedIn(role)]);
    const urls = [...THEMES.flatMap((th) => [`/research/insights/${th}`, `/api/research/insights/${th}`, `/api/research/insights/${th}.csv`]), '/api/research/tabulate?measure=practices&rows=setting', '/research/tabulator?measure=practices&rows=setting', '/data', '/data.json', '/catalog.jsonld'];
    for (const url of urls) {
      let first: string | undefined;
      for (const [who, c] of clients) {
        const res = await c.get(url);
        assert.equal(res.statusCode, 200, `${url} as ${who}`);
        if (!url.startsWith('/api/')) continue;
        const body = res.body.replace(/"generated_at":"[^"]*"/, '');
        first ??= body;
        assert.equal(body, first, `${url} as ${who}: the same figures`);
      }
    }
  } finally {
    await t.close();
  }
});
