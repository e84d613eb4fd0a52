/**
 * Every exported command of the practices module refuses callers its policy does not allow, before it validates or
 * changes anything: an anonymous request gets 401, a signed-in role without the right 403, and no row changes. The
 * list of commands is read from the module, so a new command without a case here fails this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ctx } from '../../platform/context.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { testApp, type TestApp, snapshotTables } from '../../platform/testing.ts';
import * as commands from './commands.ts';
import { mayReconcile, visibleReviews } from './policies.ts';
import { PRACTICE, TWO_STUDIES_RIS, anonymousCtx, personCtx } from './testkit.ts';

const TABLES = ['practices_practice', 'practices_facet', 'practices_link', 'practices_study', 'practices_review', 'practices_reconciliation', 'practices_rule_set', 'practices_rating', 'practices_event', 'practices_nomination', 'practices_subscriber', 'audit_events'];

const snapshot = (t: TestApp): Promise<string> => snapshotTables(t.ctx, TABLES);

const refused = (status: number) => (err: unknown) => err instanceof HttpError && err.status === status;

test('every practices command: 401 for an anonymous request, 403 for a role without the right, nothing changed', async () => {
  const t = await testApp();
  try {
    const p = await commands.createPractice(t.ctx, PRACTICE);
    const [s1, s2] = await commands.importStudies(t.ctx, p.id, { text: TWO_STUDIES_RIS, design: 'randomised' });
    const r1 = await personCtx(t, 'analyst', 'reviewer-one');
    const r2 = await personCtx(t, 'analyst', 'reviewer-two');
    await commands.reviewStudy(r1, s1.id, { rating: 'high' });
    await commands.reviewStudy(r2, s1.id, { rating: 'low' });
    const n = await commands.nominate(await personCtx(t, 'member', 'nominator'), { name: 'Peer mentoring', summary: 'Survivor peer mentors.', outcome_domains: ['well_being'] });
    const rules = (await import('./rules.ts')).DEFAULT_RULES;

    // Valid input for each command, so that only the policy can refuse it.
    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      createPractice: (ctx) => commands.createPractice(ctx, PRACTICE),
      updatePractice: (ctx) => commands.updatePractice(ctx, p.id, { version: p.version, name: 'Hijacked' }),
      addLink: (ctx) => commands.addLink(ctx, p.id, { kind: 'service', target_id: s2.id }),
      removeLink: (ctx) => commands.removeLink(ctx, p.id, { kind: 'service', target_id: s2.id }),
      createStudy: (ctx) => commands.createStudy(ctx, p.id, { title: 'T', authors: 'A', design: 'pre_post', outcomes: [] }),
      updateStudy: (ctx) => commands.updateStudy(ctx, s2.id, { version: s2.version, title: 'Changed' }),
      importStudies: (ctx) => commands.importStudies(ctx, p.id, { text: TWO_STUDIES_RIS, design: 'pre_post' }),
      reviewStudy: (ctx) => commands.reviewStudy(ctx, s2.id, { rating: 'low' }),
      reconcileStudy: (ctx) => commands.reconcileStudy(ctx, s1.id, { rating: 'moderate', reason: 'Attrition was high; moderate at most.' }),
      saveRuleSet: (ctx) => commands.saveRuleSet(ctx, { rules, note: 'Same rules again' }),
      nominate: (ctx) => commands.nominate(ctx, { name: 'X', summary: 'Y', outcome_domains: ['safety'] }),
      decideNomination: (ctx) => commands.decideNomination(ctx, n.id, { decision: 'decline', reason: 'Out of scope' }),
      sendDigests: (ctx) => commands.sendDigests(ctx, new Date()),
      // Public by design (double opt-in and one-click unsubscribe need no account): checked below.
      subscribe: async () => undefined,
      confirmSubscription: async () => undefined,
      unsubscribe: async () => undefined,
    };
    const exported = Object.entries(commands)
      .filter(([, f]) => typeof f === 'function')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(exported, Object.keys(calls).sort(), 'every exported command has a case here');

    const anonymous = anonymousCtx(t);
    const member = await personCtx(t, 'member');
    const caseworker = await personCtx(t, 'caseworker');
    const analyst = await personCtx(t, 'analyst');
    // Who lacks what: members and case workers hold only practices.nominate; analysts manage and review but do not lead.
    const refusedTo: Record<string, [string, Ctx, number][]> = {};
    const everyoneBut = (...roles: [string, Ctx][]) => [['anonymous', anonymous, 401] as [string, Ctx, number], ...roles.map(([w, c]) => [w, c, 403] as [string, Ctx, number])];
    for (const name of ['createPractice', 'updatePractice', 'addLink', 'removeLink', 'createStudy', 'updateStudy', 'importStudies', 'saveRuleSet', 'decideNomination', 'sendDigests', 'reviewStudy']) refusedTo[name] = everyoneBut(['member', member], ['caseworker', caseworker]);
    refusedTo.reconcileStudy = everyoneBut(['member', member], ['analyst', analyst]);
    refusedTo.nominate = everyoneBut();

    for (const [name, callers] of Object.entries(refusedTo)) {
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(calls[name](ctx), refused(status), `${name} as ${who}: ${status}`);
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }

    // A refusal comes before validation: bad input from an anonymous caller is still 401, not 400.
    await assert.rejects(commands.createPractice(anonymous, { name: '' }), refused(401));
    await assert.rejects(commands.reviewStudy(member, s2.id, { rating: 'excellent' }), refused(403));

    // A lead who rated the study may not settle it; another lead may.
    const lead = await personCtx(t, 'chair', 'lead');
    const reviewingLead = await personCtx(t, 'chair', 'reviewing-lead');
    await commands.reviewStudy(reviewingLead, s2.id, { rating: 'high' });
    await commands.reviewStudy(r1, s2.id, { rating: 'moderate' });
    const before = await snapshot(t);
    await assert.rejects(commands.reconcileStudy(reviewingLead, s2.id, { rating: 'high', reason: 'I rated it, so I know best.' }), refused(403));
    assert.equal(await snapshot(t), before);
    await commands.reconcileStudy(lead, s2.id, { rating: 'moderate', reason: 'Baseline equivalence not shown.' });

    // The public commands: anyone may ask for the digest; a made-up token changes nothing (400 naming the field).
    await commands.subscribe(anonymous, { email: 'reader@test.example' });
    const beforeToken = await snapshot(t);
    await assert.rejects(commands.confirmSubscription(anonymous, { token: 'x'.repeat(32) }), (err: unknown) => err instanceof HttpError && err.status === 400 && err.errors[0].field === 'token');
    await assert.rejects(commands.unsubscribe(anonymous, { token: 'y'.repeat(32) }), (err: unknown) => err instanceof HttpError && err.status === 400 && err.errors[0].field === 'token');
    assert.equal(await snapshot(t), beforeToken);
  } finally {
    await t.close();
  }
});

test('the policies as plain answers: reconciling and blind reviews', () => {
  const actor = (id: string, permissions: string[]) => ({ id, email: `${id}@test.example`, name: id, role: 'analyst' as const, organizationId: 'o', permissions: new Set(permissions), via: 'session' as const, mfaEnabled: false });
  const one = { kind: 'person', actor: actor('one', ['practices.review']) } as const;
  const two = { kind: 'person', actor: actor('two', ['practices.review']) } as const;
  const lead = { kind: 'person', actor: actor('lead', ['practices.lead', 'practices.review']) } as const;
  const reader = { kind: 'person', actor: actor('reader', ['practices.nominate']) } as const;
  const anonymous = { kind: 'anonymous' } as const;
  const system = { kind: 'system', job: 'seed' } as const;
  const first = [{ reviewer_id: 'one', rating: 'high' }];
  const both = [...first, { reviewer_id: 'two', rating: 'low' }];

  assert.deepEqual(visibleReviews(one, first), first, 'a reviewer sees their own rating');
  assert.deepEqual(visibleReviews(two, first), [], 'the other reviewer sees nothing before rating');
  assert.deepEqual(visibleReviews(lead, first), [], 'nor does a lead');
  assert.deepEqual(visibleReviews(two, both), both, 'once both rated, both see both');
  assert.deepEqual(visibleReviews(lead, both), both);
  assert.deepEqual(visibleReviews(reader, both), [], 'people without the review permissions never see single reviews');
  assert.deepEqual(visibleReviews(anonymous, both), []);
  assert.deepEqual(visibleReviews(system, first), first);

  assert.equal(mayReconcile(lead, both), true);
  assert.equal(mayReconcile({ kind: 'person', actor: actor('one', ['practices.lead']) }, both), false, 'a reviewer of the study may not settle it');
  assert.equal(mayReconcile(one, both), false);
  assert.equal(mayReconcile(anonymous, both), false);
  assert.equal(mayReconcile(system, both), true);
});
