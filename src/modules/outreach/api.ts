/** JSON routes under /api/outreach: typed by their TypeBox schemas, which also make the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { notFound } from '../../platform/http/errors.ts';
import { IdParams, ProblemRef, readErrors, secured as security, writeErrors } from '../../platform/http/schemas.ts';
import type { App } from '../../platform/module.ts';
import { calendar } from '../listening/index.ts';
import * as commands from './commands.ts';
import { MANAGE, MODERATE, SPONSOR } from './permissions.ts';
import { eventIcs, reportbackOut } from './presenters.ts';
import {
  AUDIENCES,
  CampaignCreate,
  CampaignOut,
  EventCreate,
  EventOut,
  EventRegistrationCreate,
  EventRegistrationOut,
  GroupCreate,
  GroupOut,
  ImpactOut,
  LANGUAGES,
  LessonCreate,
  LessonOut,
  MaterialCreate,
  MaterialOut,
  ReportbackCreate,
  ReportbackOut,
  ReportbackReview,
  SignupCreate,
  TermsAccept,
} from './schema.ts';
import * as store from './store.ts';
import { mayManageOutreach } from './policies.ts';
import { principalOf } from '../../platform/policy.ts';

const TAGS = ['Youth and outreach'];
const PUBLIC = { access: 'public' } as const;
const MANAGERS = { access: { permission: MANAGE } } as const;
const MODERATORS = { access: { permission: MODERATE } } as const;
const SPONSORS = { access: { permission: SPONSOR } } as const;
const signedInErrors = { ...readErrors, 401: ProblemRef, 403: ProblemRef };
const Items = <T extends import('@sinclair/typebox').TSchema>(s: T) => Type.Object({ items: Type.Array(s) });
const enumOf = (values: readonly string[]) => Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...values] }));

async function publicCampaign(ctx: import('../../platform/context.ts').Ctx, id: string) {
  const c = await store.getCampaign(ctx.db, id);
  if (!c || c.status === 'draft') throw notFound('No such campaign.');
  return c;
}

function sendIcs(reply: FastifyReply, name: string, body: string) {
  return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

export async function outreachApi(app: App): Promise<void> {
  app.get('/api/outreach/campaigns', { config: PUBLIC, schema: { tags: TAGS, summary: 'Published and closed campaigns', response: { 200: Items(CampaignOut), ...readErrors } } }, async (req) => ({
    items: await store.listCampaigns(req.ctx.db, { includeDrafts: false }),
  }));
  app.post('/api/outreach/campaigns', { config: MANAGERS, schema: { tags: TAGS, summary: 'Create a campaign (outreach staff)', security, body: CampaignCreate, response: { 201: CampaignOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createCampaign(req.ctx, req.body)),
  );
  app.get('/api/outreach/campaigns/:id', { config: PUBLIC, schema: { tags: TAGS, summary: 'One campaign', params: IdParams, response: { 200: CampaignOut, ...readErrors } } }, async (req) => publicCampaign(req.ctx, req.params.id));
  app.get(
    '/api/outreach/campaigns/:id/impact',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Impact of a campaign: accepted reportbacks only, small totals suppressed', description: 'Totals from 1 to the suppression threshold are null, and so is any other that would reveal one.', params: IdParams, response: { 200: ImpactOut, ...readErrors } } },
    async (req) => store.campaignImpact(req.ctx.db, await publicCampaign(req.ctx, req.params.id), req.ctx.config.suppressionThreshold),
  );
  app.get('/api/outreach/campaigns/:id/reportbacks', { config: PUBLIC, schema: { tags: TAGS, summary: 'Accepted reportbacks of a campaign', params: IdParams, response: { 200: Items(ReportbackOut), ...readErrors } } }, async (req) => {
    const c = await publicCampaign(req.ctx, req.params.id);
    return { items: (await store.listReportbacks(req.ctx.db, { campaignId: c.id, status: 'accepted' })).map(reportbackOut) };
  });

  app.post('/api/outreach/sponsor/terms', { config: SPONSORS, schema: { tags: TAGS, summary: 'Accept the sponsor terms of use (and affirm being an adult)', security, body: TermsAccept, response: { 204: Type.Null(), ...writeErrors } } }, async (req, reply) => {
    await commands.acceptTerms(req.ctx, req.body);
    return reply.code(204).send(null);
  });
  app.get('/api/outreach/groups', { config: SPONSORS, schema: { tags: TAGS, summary: "The caller's own student groups", security, response: { 200: Items(GroupOut), ...signedInErrors } } }, async (req) => ({
    items: (await store.groupsOfSponsor(req.ctx.db, req.ctx.actor!.id)).map(({ sponsor_user_id: _s, ...g }) => g),
  }));
  app.post('/api/outreach/groups', { config: SPONSORS, schema: { tags: TAGS, summary: 'Create a student group (no personal data of students: unknown fields are refused)', security, body: GroupCreate, response: { 201: GroupOut, ...writeErrors } } }, async (req, reply) => {
    const { sponsor_user_id: _s, ...g } = await commands.createGroup(req.ctx, req.body);
    return reply.code(201).send(g);
  });
  app.post('/api/outreach/campaigns/:id/signups', { config: SPONSORS, schema: { tags: TAGS, summary: "Sign one of the caller's groups up for an open campaign", security, params: IdParams, body: SignupCreate, response: { 201: Type.Object({ id: Type.String() }), ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.signUp(req.ctx, req.params.id, req.body)),
  );
  app.post(
    '/api/outreach/campaigns/:id/reportbacks',
    { config: SPONSORS, schema: { tags: TAGS, summary: 'Report what a group did (text and quantity; photos go through the HTML form, which strips their metadata)', security, params: IdParams, body: ReportbackCreate, response: { 201: ReportbackOut, ...writeErrors } } },
    async (req, reply) => reply.code(201).send(reportbackOut(await commands.submitReportback(req.ctx, req.params.id, req.body))),
  );
  app.get('/api/outreach/reportbacks/pending', { config: MODERATORS, schema: { tags: TAGS, summary: 'Reportbacks waiting for moderation', security, response: { 200: Items(ReportbackOut), ...signedInErrors } } }, async (req) => ({
    items: (await store.listReportbacks(req.ctx.db, { status: 'pending' })).map(reportbackOut),
  }));
  app.post('/api/outreach/reportbacks/:id/review', { config: MODERATORS, schema: { tags: TAGS, summary: 'Accept or reject a reportback', security, params: IdParams, body: ReportbackReview, response: { 200: ReportbackOut, ...writeErrors } } }, async (req) =>
    reportbackOut(await commands.reviewReportback(req.ctx, req.params.id, req.body)),
  );

  app.get('/api/outreach/lessons', { config: PUBLIC, schema: { tags: TAGS, summary: 'Lessons of the toolkit', querystring: Type.Object({ audience: enumOf(AUDIENCES), language: enumOf(LANGUAGES) }, { additionalProperties: false }), response: { 200: Items(LessonOut), ...readErrors } } }, async (req) => ({
    items: await store.listLessons(req.ctx.db, req.query),
  }));
  app.post('/api/outreach/lessons', { config: MANAGERS, schema: { tags: TAGS, summary: 'Add a lesson to the toolkit', security, body: LessonCreate, response: { 201: LessonOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createLesson(req.ctx, req.body)),
  );
  app.get('/api/outreach/materials', { config: PUBLIC, schema: { tags: TAGS, summary: 'The materials library', querystring: Type.Object({ language: enumOf(LANGUAGES), audience: enumOf(AUDIENCES) }, { additionalProperties: false }), response: { 200: Items(MaterialOut), ...readErrors } } }, async (req) => ({
    items: await store.listMaterials(req.ctx.db, req.query),
  }));
  app.post('/api/outreach/materials', { config: MANAGERS, schema: { tags: TAGS, summary: 'Add a material (alt text or transcript required)', security, body: MaterialCreate, response: { 201: MaterialOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createMaterial(req.ctx, req.body)),
  );
  app.get('/api/outreach/events', { config: PUBLIC, schema: { tags: TAGS, summary: 'Awareness events', response: { 200: Items(EventOut), ...readErrors } } }, async (req) => ({ items: await store.listEvents(req.ctx.db) }));
  app.post('/api/outreach/events', { config: MANAGERS, schema: { tags: TAGS, summary: 'Add an event (local date and time in an IANA time zone)', security, body: EventCreate, response: { 201: EventOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createEvent(req.ctx, req.body)),
  );
  app.get('/api/outreach/events.ics', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Every awareness event as an iCalendar feed', produces: ['text/calendar'], response: { 200: Type.String(), ...readErrors } } }, async (req, reply) =>
    sendIcs(reply, 'outreach-events.ics', calendar('Awareness events', (await store.listEvents(req.ctx.db)).map((e) => eventIcs(req.ctx.config.publicUrl, e)))),
  );
  app.get('/api/outreach/events/:id/event.ics', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'One event as an iCalendar file', params: IdParams, produces: ['text/calendar'], response: { 200: Type.String(), ...readErrors } } }, async (req, reply) => {
    const e = await store.getEvent(req.ctx.db, req.params.id);
    if (!e) throw notFound('No such event.');
    return sendIcs(reply, `outreach-event-${e.date}.ics`, calendar(e.title, [eventIcs(req.ctx.config.publicUrl, e)]));
  });

  // Registration: adults with an account, for themselves or (youth events) a group of theirs, by head count.
  app.get('/api/outreach/events/:id/registrations', { config: SPONSORS, schema: { tags: TAGS, summary: "An event's registrations: your own, or all of them for outreach staff", description: 'Each holds a group (youth events) and a head count, never a name.', security, params: IdParams, response: { 200: Items(EventRegistrationOut), ...signedInErrors } } }, async (req) => {
    const e = await store.getEvent(req.ctx.db, req.params.id);
    if (!e) throw notFound('No such event.');
    const all = mayManageOutreach(principalOf(req.ctx));
    return { items: await store.listEventRegistrations(req.ctx.db, e.id, all ? undefined : req.ctx.actor!.id) };
  });
  app.post('/api/outreach/events/:id/registrations', { config: SPONSORS, schema: { tags: TAGS, summary: 'Register for an event (a group and head count for a youth event)', description: 'Confirmed while places last, then waitlisted; a cancellation moves the waiting list up in order. 409 when the event takes no registrations or has begun.', security, params: IdParams, body: EventRegistrationCreate, response: { 201: EventRegistrationOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.registerForEvent(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/outreach/event-registrations/:id/cancel', { config: SPONSORS, schema: { tags: TAGS, summary: 'Cancel a registration (its registrant, or outreach staff)', security, params: IdParams, response: { 200: EventRegistrationOut, ...writeErrors } } }, async (req) =>
    commands.cancelEventRegistration(req.ctx, req.params.id),
  );
}
