/**
 * Every exported write command of the grants module refuses callers its policy does not allow, and changes
 * nothing: an anonymous request gets 401, a signed-in role without the right 403, and agency staff acting for
 * another agency 403. The list of commands is read from the module, so a new command without a case fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ctx } from '../../platform/context.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { testApp } from '../../platform/testing.ts';
import * as commands from './commands.ts';
import { mayEnterAward, mayPlanFor, mayReview } from './policies.ts';
import { agency, ctxOf, extractXml, snapshot, staffOf, tempFile } from './testkit.ts';

test('every grants command: 401 anonymous, 403 without the right or for another agency, nothing changed', async () => {
  const t = await testApp();
  try {
    const doj = await agency(t, 'Department of Justice', 'DOJ');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const plan = await commands.createPlan(t.ctx, { agency_id: doj, fiscal_year: 2027, programme: 'Services for victims', purpose: 'Comprehensive services', nationwide: true });
    const notice = await commands.fileNotice(t.ctx, { agency_id: doj, timing: 'before', subject: 'planned_solicitation', summary: 'Planned', decision_on: '2027-01-15' });
    const watch = await commands.addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    const file = tempFile('extract.xml', extractXml([{ id: '350001', title: 'Services for victims of trafficking', listings: ['16.320'] }]));
    await commands.importExtract(t.ctx, file);

    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      createPlan: (ctx) => commands.createPlan(ctx, { agency_id: doj, fiscal_year: 2027, programme: 'Another', purpose: 'x', nationwide: true }),
      updatePlan: (ctx) => commands.updatePlan(ctx, plan.id, { version: plan.version, programme: 'Hijacked' }),
      reviewPlan: (ctx) => commands.reviewPlan(ctx, plan.id, { version: 1, outcome: 'noted', comment: 'Fine' }),
      fileNotice: (ctx) => commands.fileNotice(ctx, { agency_id: doj, timing: 'after', subject: 'awards_made', summary: 'Made', decision_on: '2027-02-01' }),
      acknowledgeNotice: (ctx) => commands.acknowledgeNotice(ctx, notice.id),
      linkOpportunity: (ctx) => commands.linkOpportunity(ctx, '350001', { plan_id: plan.id }),
      createAward: (ctx) => commands.createAward(ctx, { agency_id: doj, recipient_name: 'Shelter', amount: 1000, state: 'DC', county_fips: '11001' }),
      importAwards: (ctx) => commands.importAwards(ctx, 'award_id_fain,recipient_name,total_obligated_amount,primary_place_of_performance_state_code\nX1,Shelter,100,DC\n'),
      addWatch: (ctx) => commands.addWatch(ctx, { kind: 'keyword', value: 'forced labor' }),
      removeWatch: (ctx) => commands.removeWatch(ctx, watch.id),
      setExtractSource: (ctx) => commands.setExtractSource(ctx, { extract_source: 'https://example.org/extract.zip' }),
      importExtract: (ctx) => commands.importExtract(ctx, file),
    };
    const exported = Object.entries(commands)
      .filter(([name, f]) => typeof f === 'function' && name !== 'committeeRecipients' && name !== 'matchesOf')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(exported, Object.keys(calls).sort(), 'every exported command has a case here');

    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };
    const analyst = await ctxOf(t, await staffOf(t, doj, 'analyst')); // no grants permission at all
    const hhsStaff = await ctxOf(t, await staffOf(t, hhs, 'member')); // grants.plan, but another agency
    const unlinked = await ctxOf(t, await staffOf(t, null, 'member')); // grants.plan, no agency
    // Commands of the committee refuse agency staff; commands of an agency refuse other agencies' staff.
    const callers: [string, Ctx, number][] = [
      ['anonymous', anonymous, 401],
      ['analyst', analyst, 403],
      ['HHS staff', hhsStaff, 403],
      ['unlinked member', unlinked, 403],
    ];
    for (const [name, call] of Object.entries(calls)) {
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(call(ctx), (err: unknown) => err instanceof HttpError && err.status === status, `${name} as ${who}: ${status}`);
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }
    // A refusal comes before validation: bad input from an anonymous caller is still 401.
    await assert.rejects(commands.createPlan(anonymous, { programme: '' }), (err: unknown) => err instanceof HttpError && err.status === 401);
    await assert.rejects(commands.updatePlan(anonymous, plan.id, { version: 'x' }), (err: unknown) => err instanceof HttpError && err.status === 401);

    // And the agency's own staff may: DOJ staff change DOJ's plan; the committee reviews it.
    const dojStaff = await ctxOf(t, await staffOf(t, doj, 'member'));
    const changed = await commands.updatePlan(dojStaff, plan.id, { version: 1, programme: 'Services for victims of trafficking' });
    assert.equal(changed.version, 2);
    const chair = await ctxOf(t, await staffOf(t, null, 'chair'));
    const review = await commands.reviewPlan(chair, plan.id, { version: 2, outcome: 'coordinate', comment: 'Talk to HHS first.' });
    assert.equal(review.plan_version, 2);
  } finally {
    await t.close();
  }
});

test('the policies as plain answers', () => {
  const actor = (permissions: string[]) => ({ id: 'u', email: 'u@test.example', name: 'U', role: 'member' as const, organizationId: 'o', permissions: new Set(permissions), via: 'session' as const, mfaEnabled: false });
  const staff = { kind: 'person', actor: actor(['grants.plan']) } as const;
  const committee = { kind: 'person', actor: actor(['grants.plan', 'grants.review']) } as const;
  const narrowToken = { kind: 'token', actor: actor(['account.self']) } as const;
  const system = { kind: 'system', job: 'seed' } as const;
  const mine = new Set(['doj']);
  assert.equal(mayPlanFor(system, new Set(), 'doj'), true);
  assert.equal(mayPlanFor(staff, mine, 'doj'), true);
  assert.equal(mayPlanFor(staff, mine, 'hhs'), false);
  assert.equal(mayPlanFor(committee, new Set(), 'doj'), false, 'the committee reviews plans; agencies write them');
  assert.equal(mayPlanFor(narrowToken, mine, 'doj'), false, 'a token acts for the agency only with grants.plan');
  assert.equal(mayReview(staff), false);
  assert.equal(mayReview(committee), true);
  assert.equal(mayEnterAward(committee, new Set(), 'hhs'), true);
  assert.equal(mayEnterAward(staff, mine, 'hhs'), false);
  assert.equal(mayEnterAward(staff, mine, null), true);
  assert.equal(mayEnterAward(staff, new Set(), null), false);
});
