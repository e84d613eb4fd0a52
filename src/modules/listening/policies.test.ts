/**
 * Every write command of the module, called as the anonymous public and as signed-in roles without the
 * permission: each is refused (401 anonymous, 403 otherwise) and changes nothing. The commands are read from
 * `commands.ts` itself, so that a new one is called here too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { TestApp } from '../../platform/testing.ts';
import { app, housingPartnershipId, quiet, sessionBody } from './testkit.ts';
import { createCode, createExcerpt, createRecommendation, createSeries, createSession, register, submitInput } from './commands.ts';
import { listInputs } from './store.ts';
import { exportQdc } from './qdc.ts';

/** Exports of commands.ts that write nothing (kept there for the benchmarks). */
const READS = new Set(['currentSuggestions']);

const TABLES = [
  'listening_series',
  'listening_sessions',
  'listening_registrations',
  'listening_reminders',
  'listening_inputs',
  'listening_answers',
  'listening_codes',
  'listening_excerpts',
  'listening_excerpt_codes',
  'listening_memos',
  'listening_suggestion_decisions',
  'listening_recommendations',
  'listening_recommendation_excerpts',
  'listening_timeline',
  'audit_events',
];

/** Every row of the module's tables and of the audit log, to compare before and after a refused call. */
async function snapshot(t: TestApp): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) out[table] = (await t.ctx.db.selectFrom(table).selectAll().execute()).map((row) => JSON.stringify(row)).sort();
  return JSON.stringify(out);
}

async function actorCtx(t: TestApp, role: Role): Promise<Ctx> {
  const u = await t.user(role);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor);
  return { ...t.ctx, system: undefined, actor, requestId: `policies-${role}` };
}

interface Case {
  /** The arguments after the context: valid input wherever it matters, so that only the policy can refuse. */
  args: unknown[];
  /** Signed-in roles that must be refused (403). */
  refused: Ctx[];
  /** Public commands (registration, written input) refuse the anonymous part they guard with 403, not 401. */
  anonymous?: 401 | 403;
}

test('policies: every write command refuses the anonymous public (401) and roles without the permission (403), changing nothing', async () => {
  const t = await app();
  try {
    const owner = await housingPartnershipId(t);
    const series = await createSeries(t.ctx, { title: 'Housing', owner_type: 'partnership', owner_id: owner });
    const session = await createSession(t.ctx, series.id, sessionBody({ capacity: 5, reserved_places: 1, registration_opens_at: '2020-01-01T00:00:00Z' }));
    const person = { name: 'Pat', email: 'pat@provider.example', organization: 'Org', organization_type: 'shelter', region: 'west' };
    const registration = await register(t.ctx, session.id, person);
    await submitInput(t.ctx, session.id, { organization_type: 'shelter', region: 'west', answers: { challenges: 'Deposits are hard to find.' } });
    const answer = (await listInputs(t.ctx.db, { seriesId: series.id })).items[0].answers[0];
    const code = await createCode(t.ctx, series.id, { name: 'Deposits' });
    const analyst = await actorCtx(t, 'analyst');
    const excerptId = await createExcerpt(analyst, series.id, { answer_id: answer.id, code_ids: [code.id] });
    const rec = await createRecommendation(t.ctx, series.id, { title: 'Fund deposits', type: 'policy' });

    const member = await actorCtx(t, 'member');
    // A second analyst: a coder, but not the one who made the excerpt.
    const otherAnalyst = { ...(await actorCtx(t, 'analyst')), actor: { ...analyst.actor!, id: randomUUID(), name: 'Another coder' } };
    const leadsOnly = [member, analyst];
    const qdc = exportQdc([{ guid: randomUUID(), name: 'Imported', children: [] }]);

    const cases: Record<string, Case> = {
      createSeries: { args: [{ title: 'Another', owner_type: 'partnership', owner_id: owner }], refused: leadsOnly },
      updateSeries: { args: [series.id, { version: series.version, title: 'Renamed' }], refused: leadsOnly },
      createSession: { args: [series.id, sessionBody()], refused: leadsOnly },
      updateSession: { args: [session.id, { version: session.version, title: 'Renamed' }], refused: leadsOnly },
      register: { args: [session.id, { ...person, email: 'new@provider.example', invited: true }], refused: leadsOnly, anonymous: 403 },
      updateRegistration: { args: [registration.id, { attended: true }], refused: leadsOnly },
      releaseReserved: { args: [session.id, {}], refused: leadsOnly },
      submitInput: { args: [session.id, { kind: 'notes', answers: { challenges: 'Notes of the session.' } }], refused: leadsOnly, anonymous: 403 },
      submitInputs: { args: [session.id, [{ organization_type: 'shelter', region: 'west', answers: { challenges: 'More input.' } }]], refused: leadsOnly },
      createCode: { args: [series.id, { name: 'Beds' }], refused: [member] },
      importCodebook: { args: [series.id, qdc], refused: [member] },
      createExcerpt: { args: [series.id, { answer_id: answer.id, code_ids: [code.id] }], refused: [member] },
      deleteExcerpt: { args: [excerptId], refused: [member, otherAnalyst] },
      createMemo: { args: [series.id, { text: 'A memo.' }], refused: [member] },
      decideSuggestion: { args: [series.id, 'reject', { fingerprint: '0'.repeat(24) }], refused: [member] },
      publishFindings: { args: [series.id], refused: leadsOnly },
      createRecommendation: { args: [series.id, { title: 'Another', type: 'policy' }], refused: leadsOnly },
      updateRecommendation: { args: [rec.id, { version: rec.version, title: 'Renamed' }], refused: leadsOnly },
      addTimelineEntry: { args: [rec.id, { note: 'Met the agency.' }], refused: leadsOnly },
      sendReminders: { args: [new Date(), quiet], refused: leadsOnly },
    };

    const commands = Object.entries(await import('./commands.ts')).filter(([name, fn]) => typeof fn === 'function' && !READS.has(name)) as [string, (ctx: Ctx, ...args: unknown[]) => Promise<unknown>][];
    assert.ok(commands.length >= Object.keys(cases).length);
    for (const name of Object.keys(cases)) assert.ok(commands.some(([n]) => n === name), `${name} is still a command`);
    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };

    for (const [name, run] of commands) {
      // A command added later is called like the others, on the series; refusing first, it needs no exact input.
      const c = cases[name] ?? { args: [series.id, {}], refused: [member] };
      const callers: [string, Ctx, number][] = [['anonymous', anonymous, c.anonymous ?? 401], ...c.refused.map((ctx): [string, Ctx, number] => [ctx.actor!.role + (ctx === otherAnalyst ? ' (not the coder)' : ''), ctx, 403])];
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(
          run({ ...ctx }, ...c.args),
          (err: unknown) => {
            assert.ok(err instanceof HttpError, `${name} as ${who}: ${String(err)}`);
            assert.equal(err.status, status, `${name} as ${who}: ${err.status} ${err.detail ?? ''}`);
            return true;
          },
          `${name} as ${who} is refused`,
        );
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }

    // The same calls pass the policy for the system principal (the command line and the demo data).
    await createCode(t.ctx, series.id, { name: 'Beds' });
  } finally {
    await t.close();
  }
});
