/**
 * Every exported write command refuses callers its policy does not allow before it changes anything: anonymous
 * 401, a role without the right 403, a sponsor acting for another sponsor's group 403. Counting a lesson's use or
 * a material's download is open to everyone by design (the public toolkit), and records no one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { makeUser, testApp, type TestApp, snapshotTables } from '../../platform/testing.ts';
import type { Role } from '../../platform/auth/roles.ts';
import * as commands from './commands.ts';
import { isoDay } from './testkit.ts';

const TABLES = ['outreach_sponsor', 'outreach_group', 'outreach_campaign', 'outreach_signup', 'outreach_photo', 'outreach_reportback', 'outreach_lesson', 'outreach_lesson_version', 'outreach_material', 'outreach_usage', 'outreach_event', 'outreach_event_registration', 'audit_events'];

const snapshot = (t: TestApp): Promise<string> => snapshotTables(t.ctx, TABLES);

async function personCtx(t: TestApp, role: Role): Promise<Ctx> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor);
  return { ...t.ctx, system: undefined, actor, requestId: `test-${role}` };
}

test('every outreach command: 401 anonymous, 403 without the right or for another sponsor\'s group, nothing changed', async () => {
  const t = await testApp();
  try {
    const owner = await personCtx(t, 'member');
    await commands.acceptTerms(owner, { accept: true, adult: true });
    const g = await commands.createGroup(owner, { name: 'Owner club', kind: 'club', state: 'DC', grade_band: 'high' });
    const c = await commands.createCampaign(t.ctx, { title: 'C', call_to_action: 'Act.', starts_on: isoDay(-1), ends_on: isoDay(9), goal: 10, unit: 'posters', status: 'published' });
    await commands.signUp(owner, c.id, { group_id: g.id });
    const rb = await commands.submitReportback(owner, c.id, { group_id: g.id, summary: 'Posters.', quantity: 12 });
    const l = await commands.createLesson(t.ctx, { title: 'L', summary: 'S', audience: 'students', grade_band: 'high', duration_minutes: 30, language: 'en', goals: 'G', materials: 'M', steps: 'S' });
    const ev = await commands.createEvent(t.ctx, { title: 'Summit', kind: 'local', date: isoDay(9), time_zone: 'America/New_York', place: 'A hall', accessibility: 'Step-free.', capacity: 40, youth: true });
    const reg = await commands.registerForEvent(owner, ev.id, { group_id: g.id, head_count: 12 });
    const m = await commands.createMaterial(t.ctx, { title: 'P', kind: 'poster', audience: 'community', language: 'en', format: 'pdf', url: 'https://example.org/p.pdf', alt_text: 'A poster with the hotline.', licence: 'Public domain' });

    const calls: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      acceptTerms: (ctx) => commands.acceptTerms(ctx, { accept: true, adult: true }),
      createGroup: (ctx) => commands.createGroup(ctx, { name: 'Intruders', kind: 'club', state: 'DC', grade_band: 'high' }),
      createCampaign: (ctx) => commands.createCampaign(ctx, { title: 'X', call_to_action: 'Y', starts_on: isoDay(0), ends_on: isoDay(1), goal: 1, unit: 'u' }),
      setCampaignStatus: (ctx) => commands.setCampaignStatus(ctx, c.id, { status: 'closed' }),
      signUp: (ctx) => commands.signUp(ctx, c.id, { group_id: g.id }),
      submitReportback: (ctx) => commands.submitReportback(ctx, c.id, { group_id: g.id, summary: 'Not ours.', quantity: 99 }),
      reviewReportback: (ctx) => commands.reviewReportback(ctx, rb.id, { decision: 'accepted' }),
      createLesson: (ctx) => commands.createLesson(ctx, { title: 'L2', summary: 'S', audience: 'students', grade_band: 'high', duration_minutes: 30, language: 'en', goals: 'G', materials: 'M', steps: 'S' }),
      reviseLesson: (ctx) => commands.reviseLesson(ctx, l.id, { version: 1, change_note: 'Hijack', title: 'Changed' }),
      createMaterial: (ctx) => commands.createMaterial(ctx, { title: 'P2', kind: 'poster', audience: 'community', language: 'es', format: 'pdf', url: 'https://example.org/p2.pdf', alt_text: 'Un cartel con la línea.', licence: 'Public domain' }),
      createEvent: (ctx) => commands.createEvent(ctx, { title: 'E', kind: 'national_day', date: isoDay(3), time_zone: 'America/New_York', accessibility: 'Captions.' }),
      registerForEvent: (ctx) => commands.registerForEvent(ctx, ev.id, { group_id: g.id, head_count: 5 }),
      cancelEventRegistration: (ctx) => commands.cancelEventRegistration(ctx, reg.id),
    };
    const open: Record<string, (ctx: Ctx) => Promise<unknown>> = {
      recordLessonUse: (ctx) => commands.recordLessonUse(ctx, l.id),
      recordDownload: (ctx) => commands.recordDownload(ctx, m.id),
    };
    const exported = Object.entries(commands).filter(([, f]) => typeof f === 'function').map(([n]) => n).sort();
    assert.deepEqual(exported, [...Object.keys(calls), ...Object.keys(open)].sort(), 'every exported command has a case here');

    const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' };
    const caseworker = await personCtx(t, 'caseworker');
    const otherSponsor = await personCtx(t, 'analyst');
    await commands.acceptTerms(otherSponsor, { accept: true, adult: true });
    const sponsorOnly = new Set(['acceptTerms', 'createGroup']);
    const ownGroupOnly = new Set(['signUp', 'submitReportback', 'registerForEvent', 'cancelEventRegistration']);
    for (const [name, call] of Object.entries(calls)) {
      const callers: [string, Ctx, number][] = [['anonymous', anonymous, 401], ['caseworker', caseworker, 403]];
      if (!sponsorOnly.has(name)) callers.push(['a sponsor of another group', otherSponsor, 403]);
      if (!sponsorOnly.has(name) && !ownGroupOnly.has(name)) callers.push(['the sponsor (member)', owner, 403]);
      for (const [who, ctx, status] of callers) {
        const before = await snapshot(t);
        await assert.rejects(call(ctx), (err: unknown) => err instanceof HttpError && err.status === status, `${name} as ${who}: ${status}`);
        assert.equal(await snapshot(t), before, `${name} as ${who} changed nothing`);
      }
    }
    for (const [name, call] of Object.entries(open)) {
      await call(anonymous);
      const audit = await t.ctx.db.selectFrom('audit_events').select('action').where('action', 'like', 'outreach.%use%').execute();
      assert.equal(audit.length, 0, `${name}: counted without an audit trail of who`);
    }
    const usage = await t.ctx.db.selectFrom('outreach_usage').selectAll().execute();
    assert.deepEqual(Object.keys(usage[0]).sort(), ['count', 'day', 'item_id', 'item_kind'], 'a count per item and day, nothing about who');
  } finally {
    await t.close();
  }
});
