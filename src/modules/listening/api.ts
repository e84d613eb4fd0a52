import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { notFound } from '../../platform/http/errors.ts';
import { pageOf, Paged, secured, writeErrors } from '../../platform/http/schemas.ts';
import {
  addTimelineEntry,
  createCode,
  createExcerpt,
  createMemo,
  createRecommendation,
  createSeries,
  createSession,
  decideSuggestion,
  deleteExcerpt,
  importCodebook,
  publishFindings,
  register,
  releaseReserved,
  sendReminders,
  submitInput,
  updateRecommendation,
  updateRegistration,
  updateSeries,
  updateSession,
} from './commands.ts';
import {
  AgreementOut,
  AgreementQuery,
  CodeCreate,
  CodeOut,
  CoderOut,
  ExcerptCreate,
  ExcerptOut,
  FindingsOut,
  IdParams,
  InputCreate,
  InputOut,
  InputReceipt,
  ListQuery,
  MemoCreate,
  MemoOut,
  RecommendationCreate,
  RecommendationDetailOut,
  RecommendationOut,
  RecommendationPatch,
  RegistrationCreate,
  RegistrationOut,
  RegistrationPatch,
  RegistrationReceipt,
  ReleaseInput,
  ReminderResultOut,
  ReminderRun,
  RollupOut,
  SeriesCreate,
  SeriesOut,
  SeriesPatch,
  SessionCreate,
  SessionOut,
  SessionPatch,
  SuggestionDecision,
  SuggestionOut,
  TimelineCreate,
  TimelineOut,
} from './schema.ts';
import {
  codeTree,
  currentSuggestions,
  getSeries,
  listCoders,
  listCodes,
  listExcerpts,
  listInputs,
  listMemos,
  listRecommendations,
  listRegistrations,
  listSeries,
  listSessions,
  listTimeline,
  publishedReport,
  recommendationOr404,
  rollup,
  seriesOr404,
  sessionOr404,
} from './store.ts';
import { citedExcerpts, codebookQdc, draftFindings, liveRecommendations, recommendationOut, seriesOut, sessionEvent, sessionOut } from './presenters.ts';
import { CODE, INPUT_RATE_LIMIT, MANAGE, REGISTRATION_RATE_LIMIT } from './policies.ts';
import type { PublishedReport } from './findings.ts';
import { agreementFor } from './agreement.ts';
import { calendar } from './ics.ts';

const TAGS = ['Listening sessions'];
const manage = { access: { permission: MANAGE } } as const;
const code = { access: { permission: CODE } } as const;

function sendIcs(reply: FastifyReply, name: string, body: string) {
  return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

export async function listeningApi(app: App): Promise<void> {
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  // ---- series ----
  app.get('/api/listening/series', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Listening-session series, newest first', querystring: ListQuery, response: { 200: Paged(SeriesOut), ...writeErrors } } }, async (req) => {
    const { page, perPage, offset } = pageOf(req.query);
    const { items, total } = await listSeries(req.ctx.db, perPage, offset);
    return { items: await Promise.all(items.map((s) => seriesOut(req.ctx.db, s))), total, page, per_page: perPage };
  });
  app.post('/api/listening/series', { config: manage, schema: { tags: TAGS, summary: 'Create a series owned by a partnership or committee', security: secured, body: SeriesCreate, response: { 201: SeriesOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await seriesOut(req.ctx.db, await createSeries(req.ctx, req.body))),
  );
  app.get('/api/listening/series/:id', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'One series', params: IdParams, response: { 200: SeriesOut, ...writeErrors } } }, async (req) => seriesOut(req.ctx.db, await seriesOr404(req.ctx.db, req.params.id)));
  app.patch('/api/listening/series/:id', { config: manage, schema: { tags: TAGS, summary: 'Change a series; send the version you read (a stale one gets 409)', security: secured, params: IdParams, body: SeriesPatch, response: { 200: SeriesOut, ...writeErrors } } }, async (req) =>
    seriesOut(req.ctx.db, await updateSeries(req.ctx, req.params.id, req.body)),
  );

  // ---- sessions ----
  app.get('/api/listening/series/:id/sessions', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Sessions of a series, in date order', params: IdParams, querystring: ListQuery, response: { 200: Paged(SessionOut), ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const { page, perPage, offset } = pageOf(req.query);
    const all = await listSessions(req.ctx.db, s.id);
    return { items: await Promise.all(all.slice(offset, offset + perPage).map((x) => sessionOut(req.ctx.db, x))), total: all.length, page, per_page: perPage };
  });
  app.post('/api/listening/series/:id/sessions', { config: manage, schema: { tags: TAGS, summary: 'Add a session (local date and time in an IANA time zone)', security: secured, params: IdParams, body: SessionCreate, response: { 201: SessionOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await sessionOut(req.ctx.db, await createSession(req.ctx, req.params.id, req.body))),
  );
  app.get('/api/listening/sessions/:id', { config: { access: 'public' }, schema: { tags: TAGS, summary: 'One session with its places', params: IdParams, response: { 200: SessionOut, ...writeErrors } } }, async (req) => sessionOut(req.ctx.db, await sessionOr404(req.ctx.db, req.params.id)));
  app.patch('/api/listening/sessions/:id', { config: manage, schema: { tags: TAGS, summary: 'Change a session, its agenda or questions; send the version you read', security: secured, params: IdParams, body: SessionPatch, response: { 200: SessionOut, ...writeErrors } } }, async (req) =>
    sessionOut(req.ctx.db, await updateSession(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/listening/sessions/:id/release', { config: manage, schema: { tags: TAGS, summary: 'Release held-back places; the waiting list moves up', security: secured, params: IdParams, body: ReleaseInput, response: { 200: SessionOut, ...writeErrors } } }, async (req) =>
    sessionOut(req.ctx.db, await releaseReserved(req.ctx, req.params.id, req.body)),
  );
  app.get('/api/listening/sessions/:id/session.ics', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'The session as an iCalendar (RFC 5545) file', params: IdParams, produces: ['text/calendar'], response: { 200: Type.String(), ...writeErrors } } }, async (req, reply) => {
    const s = await sessionOr404(req.ctx.db, req.params.id);
    const series = (await getSeries(req.ctx.db, s.series_id))!;
    return sendIcs(reply, `listening-session-${s.date}.ics`, calendar(s.title, [sessionEvent(req.ctx.config.publicUrl, s, series.title)]));
  });
  app.get('/api/listening/series/:id/feed.ics', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Every session of the series as an iCalendar feed', params: IdParams, produces: ['text/calendar'], response: { 200: Type.String(), ...writeErrors } } }, async (req, reply) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const sessions = await listSessions(req.ctx.db, s.id);
    return sendIcs(reply, 'listening-sessions.ics', calendar(s.title, sessions.map((x) => sessionEvent(req.ctx.config.publicUrl, x, s.title))));
  });

  // ---- registration ----
  app.post(
    '/api/listening/sessions/:id/registrations',
    { config: { access: 'public', rateLimit: REGISTRATION_RATE_LIMIT }, schema: { tags: TAGS, summary: 'Register for a session: confirmed while places last, then wait-listed', params: IdParams, body: RegistrationCreate, response: { 201: RegistrationReceipt, ...writeErrors } } },
    async (req, reply) => {
      await sessionOr404(req.ctx.db, req.params.id);
      const r = await register(req.ctx, req.params.id, req.body, { lang: req.lang });
      return reply.code(201).send({ id: r.id, status: r.status, reserved_place: r.reserved_place });
    },
  );
  app.get('/api/listening/sessions/:id/registrations', { config: manage, schema: { tags: TAGS, summary: 'Registrants of a session (personal data: leads only)', security: secured, params: IdParams, querystring: ListQuery, response: { 200: Paged(RegistrationOut), ...writeErrors } } }, async (req) => {
    const s = await sessionOr404(req.ctx.db, req.params.id);
    const { page, perPage, offset } = pageOf(req.query);
    const { items, total } = await listRegistrations(req.ctx.db, s.id, perPage, offset);
    await recordAudit(req.ctx.db, req.ctx, { action: 'listening.registrations.read', entityType: 'listening_session', entityId: s.id, summary: { count: items.length } });
    return { items, total, page, per_page: perPage };
  });
  app.patch('/api/listening/registrations/:id', { config: manage, schema: { tags: TAGS, summary: 'Mark attendance, or cancel a registration (the waiting list moves up)', security: secured, params: IdParams, body: RegistrationPatch, response: { 200: RegistrationOut, ...writeErrors } } }, async (req) =>
    updateRegistration(req.ctx, req.params.id, req.body),
  );

  // ---- input ----
  app.post(
    '/api/listening/sessions/:id/inputs',
    { config: { access: 'public', rateLimit: INPUT_RATE_LIMIT }, schema: { tags: TAGS, summary: "A participant's written input (anonymous allowed), or a lead's facilitator notes (kind=notes)", params: IdParams, body: InputCreate, response: { 201: InputReceipt, ...writeErrors } } },
    async (req, reply) => {
      await sessionOr404(req.ctx.db, req.params.id);
      return reply.code(201).send(await submitInput(req.ctx, req.params.id, req.body));
    },
  );
  app.get('/api/listening/series/:id/inputs', { config: code, schema: { tags: TAGS, summary: 'Inputs of a series with their answers (coders and leads)', security: secured, params: IdParams, querystring: ListQuery, response: { 200: Paged(InputOut), ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const { page, perPage, offset } = pageOf(req.query);
    const { items, total } = await listInputs(req.ctx.db, { seriesId: s.id }, perPage, offset);
    return { items, total, page, per_page: perPage };
  });

  // ---- codebook ----
  app.get('/api/listening/series/:id/codes', { config: code, schema: { tags: TAGS, summary: 'The codebook, in tree order (parents before their children)', security: secured, params: IdParams, querystring: ListQuery, response: { 200: Paged(CodeOut), ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const { page, perPage, offset } = pageOf(req.query);
    const codes = codeTree(await listCodes(req.ctx.db, s.id));
    const { items } = await listExcerpts(req.ctx.db, { seriesId: s.id });
    const counts = new Map<string, number>();
    for (const e of items) for (const c of e.code_ids) counts.set(c, (counts.get(c) ?? 0) + 1);
    const list = codes.slice(offset, offset + perPage).map(({ code: c }) => ({ id: c.id, parent_id: c.parent_id, name: c.name, description: c.description, guid: c.guid, excerpts: counts.get(c.id) ?? 0 }));
    return { items: list, total: codes.length, page, per_page: perPage };
  });
  app.post('/api/listening/series/:id/codes', { config: code, schema: { tags: TAGS, summary: 'Add a code (under a parent for a sub-code)', security: secured, params: IdParams, body: CodeCreate, response: { 201: CodeOut, ...writeErrors } } }, async (req, reply) => {
    const c = await createCode(req.ctx, req.params.id, req.body);
    return reply.code(201).send({ id: c.id, parent_id: c.parent_id, name: c.name, description: c.description, guid: c.guid, excerpts: 0 });
  });
  app.get('/api/listening/series/:id/codebook.qdc', { config: code, schema: { tags: TAGS, summary: 'Export the codebook as REFI-QDA (.qdc)', security: secured, params: IdParams, produces: ['application/xml'], response: { 200: Type.String(), ...writeErrors } } }, async (req, reply) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    return reply.type('application/xml; charset=utf-8').header('content-disposition', 'attachment; filename="codebook.qdc"').send(await codebookQdc(req.ctx.db, s));
  });
  app.post(
    '/api/listening/series/:id/codebook.qdc',
    { config: code, schema: { tags: TAGS, summary: 'Import a REFI-QDA codebook (Content-Type: application/xml); malformed XML is refused with the reason', security: secured, params: IdParams, consumes: ['application/xml'], body: Type.String(), response: { 200: Type.Object({ added: Type.Integer(), existing: Type.Integer() }), ...writeErrors } } },
    async (req) => importCodebook(req.ctx, (await seriesOr404(req.ctx.db, req.params.id)).id, typeof req.body === 'string' ? req.body : ''),
  );

  // ---- excerpts, memos, agreement ----
  app.get('/api/listening/series/:id/excerpts', { config: code, schema: { tags: TAGS, summary: 'Coded excerpts of a series', security: secured, params: IdParams, querystring: Type.Object({ ...ListQuery.properties, coder_id: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }), response: { 200: Paged(ExcerptOut), ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const q = req.query;
    const { page, perPage, offset } = pageOf(q);
    const { items, total } = await listExcerpts(req.ctx.db, { seriesId: s.id, coderId: q.coder_id }, perPage, offset);
    return { items, total, page, per_page: perPage };
  });
  app.post('/api/listening/series/:id/excerpts', { config: code, schema: { tags: TAGS, summary: 'Tag a passage of an answer (character offsets, or a quote) with codes, as yourself', security: secured, params: IdParams, body: ExcerptCreate, response: { 201: ExcerptOut, ...writeErrors } } }, async (req, reply) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const id = await createExcerpt(req.ctx, s.id, req.body);
    return reply.code(201).send((await listExcerpts(req.ctx.db, { seriesId: s.id, ids: [id] })).items[0]);
  });
  app.delete('/api/listening/excerpts/:id', { config: code, schema: { tags: TAGS, summary: 'Remove one of your own excerpts', security: secured, params: IdParams, response: { 204: Type.Null(), ...writeErrors } } }, async (req, reply) => {
    await deleteExcerpt(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
  app.get('/api/listening/series/:id/memos', { config: code, schema: { tags: TAGS, summary: 'Analytic memos, newest first', security: secured, params: IdParams, querystring: ListQuery, response: { 200: Paged(MemoOut), ...writeErrors } } }, async (req) => {
    const { page, perPage, offset } = pageOf(req.query);
    const all = await listMemos(req.ctx.db, (await seriesOr404(req.ctx.db, req.params.id)).id);
    return { items: all.slice(offset, offset + perPage), total: all.length, page, per_page: perPage };
  });
  app.post('/api/listening/series/:id/memos', { config: code, schema: { tags: TAGS, summary: 'Write a memo, about a code or an excerpt or the whole series', security: secured, params: IdParams, body: MemoCreate, response: { 201: Type.Object({ id: Type.String() }), ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send({ id: await createMemo(req.ctx, (await seriesOr404(req.ctx.db, req.params.id)).id, req.body) }),
  );
  app.get('/api/listening/series/:id/coders', { config: code, schema: { tags: TAGS, summary: 'Who has coded in this series', security: secured, params: IdParams, response: { 200: Type.Array(CoderOut), ...writeErrors } } }, async (req) => listCoders(req.ctx.db, (await seriesOr404(req.ctx.db, req.params.id)).id));
  app.get('/api/listening/series/:id/agreement', { config: code, schema: { tags: TAGS, summary: "Cohen's kappa between two coders, per code and overall (unit: an answer both coded; see docs/listening.md)", security: secured, params: IdParams, querystring: AgreementQuery, response: { 200: AgreementOut, ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const q = req.query;
    return agreementFor(req.ctx.db, s.id, q.coder_a, q.coder_b);
  });

  // ---- suggestions ----
  app.get('/api/listening/series/:id/suggestions', { config: code, schema: { tags: TAGS, summary: 'Candidate themes computed locally (TF-IDF and clustering), not yet accepted or rejected', security: secured, params: IdParams, response: { 200: Type.Array(SuggestionOut), ...writeErrors } } }, async (req) => currentSuggestions(req.ctx.db, (await seriesOr404(req.ctx.db, req.params.id)).id));
  for (const decision of ['accept', 'reject'] as const) {
    app.post(`/api/listening/series/:id/suggestions/${decision}`, { config: code, schema: { tags: TAGS, summary: decision === 'accept' ? 'Accept a suggestion: creates a code and tags its answers' : 'Reject a suggestion', security: secured, params: IdParams, body: SuggestionDecision, response: { 200: Type.Object({ code_id: Type.Union([Type.String(), Type.Null()]), excerpts: Type.Integer() }), ...writeErrors } } }, async (req) =>
      decideSuggestion(req.ctx, (await seriesOr404(req.ctx.db, req.params.id)).id, decision, req.body),
    );
  }

  // ---- findings ----
  app.get('/api/listening/series/:id/findings', { config: code, schema: { tags: TAGS, summary: 'Working findings with unsuppressed counts (coders and leads)', security: secured, params: IdParams, response: { 200: FindingsOut, ...writeErrors } } }, async (req) => (await draftFindings(req.ctx, await seriesOr404(req.ctx.db, req.params.id))).findings);
  app.post('/api/listening/series/:id/publish', { config: manage, schema: { tags: TAGS, summary: 'Publish the findings: the public report (small cells suppressed) and the de-identified CSV', security: secured, params: IdParams, response: { 200: SeriesOut, ...writeErrors } } }, async (req) =>
    seriesOut(req.ctx.db, await publishFindings(req.ctx, (await seriesOr404(req.ctx.db, req.params.id)).id)),
  );
  app.get('/api/listening/series/:id/report', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'The published findings (404 until published)', params: IdParams, response: { 200: FindingsOut, ...writeErrors } } }, async (req) => {
    const report = (await publishedReport(req.ctx.db, (await seriesOr404(req.ctx.db, req.params.id)).id)) as PublishedReport | undefined;
    if (!report) throw notFound('These findings are not published yet.');
    return { ...report.findings, recommendations: await liveRecommendations(req.ctx.db, req.params.id) };
  });
  app.get('/api/listening/series/:id/report.csv', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'De-identified coded excerpts of the published findings, as CSV', params: IdParams, produces: ['text/csv'], response: { 200: Type.String(), ...writeErrors } } }, async (req, reply) => {
    const report = (await publishedReport(req.ctx.db, (await seriesOr404(req.ctx.db, req.params.id)).id)) as PublishedReport | undefined;
    if (!report) throw notFound('These findings are not published yet.');
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="listening-excerpts.csv"').send(report.csv);
  });

  // ---- recommendations ----
  app.get('/api/listening/series/:id/recommendations', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Recommendations of a series', params: IdParams, querystring: ListQuery, response: { 200: Paged(RecommendationOut), ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const { page, perPage, offset } = pageOf(req.query);
    const { items, total } = await listRecommendations(req.ctx.db, { seriesId: s.id }, perPage, offset);
    return { items: await Promise.all(items.map((r) => recommendationOut(req.ctx.db, r))), total, page, per_page: perPage };
  });
  app.post('/api/listening/series/:id/recommendations', { config: manage, schema: { tags: TAGS, summary: 'Propose a recommendation citing its supporting excerpts', security: secured, params: IdParams, body: RecommendationCreate, response: { 201: RecommendationOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await recommendationOut(req.ctx.db, await createRecommendation(req.ctx, (await seriesOr404(req.ctx.db, req.params.id)).id, req.body))),
  );
  app.get('/api/listening/recommendations/:id', { config: { access: 'public' }, schema: { tags: TAGS, summary: 'One recommendation with its timeline and cited excerpts', params: IdParams, response: { 200: RecommendationDetailOut, ...writeErrors } } }, async (req) => {
    const r = await recommendationOr404(req.ctx.db, req.params.id);
    return { ...(await recommendationOut(req.ctx.db, r)), timeline: await listTimeline(req.ctx.db, r.id), excerpts: await citedExcerpts(req.ctx, r) };
  });
  app.patch('/api/listening/recommendations/:id', { config: manage, schema: { tags: TAGS, summary: 'Change a recommendation or its status (declined needs a reason); send the version you read', security: secured, params: IdParams, body: RecommendationPatch, response: { 200: RecommendationOut, ...writeErrors } } }, async (req) =>
    recommendationOut(req.ctx.db, await updateRecommendation(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/listening/recommendations/:id/timeline', { config: manage, schema: { tags: TAGS, summary: 'Add a dated note to the timeline', security: secured, params: IdParams, body: TimelineCreate, response: { 201: Type.Array(TimelineOut), ...writeErrors } } }, async (req, reply) => {
    await addTimelineEntry(req.ctx, req.params.id, req.body);
    return reply.code(201).send(await listTimeline(req.ctx.db, req.params.id));
  });
  app.get('/api/listening/series/:id/rollup', { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: "Weighted progress of the series' recommendations", params: IdParams, response: { 200: RollupOut, ...writeErrors } } }, async (req) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    const { items } = await listRecommendations(req.ctx.db, { seriesId: s.id });
    return { series_id: s.id, recommendations: items.length, ...rollup(items) };
  });

  // ---- reminders ----
  app.post('/api/listening/reminders/run', { config: manage, schema: { tags: TAGS, summary: 'Send due reminder e-mails to registrants now', security: secured, body: ReminderRun, response: { 200: ReminderResultOut, ...writeErrors } } }, async (req) => {
    const q = req.body;
    return sendReminders(req.ctx, q.now ? new Date(q.now) : new Date(), (line) => req.log.info(line));
  });
}
