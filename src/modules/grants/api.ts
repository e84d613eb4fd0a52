/** JSON routes under /api/grants: typed by their TypeBox schemas, documented in the OpenAPI. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { fieldError, notFound } from '../../platform/http/errors.ts';
import { stateByCode } from '../../platform/geo/us.ts';
import { IdParams, Paged, pageOf, ProblemRef, readErrors, secured as security, writeErrors } from '../../platform/http/schemas.ts';
import * as commands from './commands.ts';
import * as store from './store.ts';
import { gaps, overlaps, summary, DEFAULT_GAP_MILES } from './analysis.ts';
import { closeDatesCalendar, gapsCsv, opportunityFor, summaryCsv } from './presenters.ts';
import { PLAN, REVIEW } from './permissions.ts';
import {
  AwardCreate,
  AwardImportOut,
  AwardListQuery,
  AwardOut,
  GapOut,
  GapQuery,
  ImportOut,
  LinkOpportunity,
  NoticeCreate,
  NoticeOut,
  OpportunityOut,
  OpportunityParams,
  OpportunityQuery,
  OverlapOut,
  PlanCreate,
  PlanListQuery,
  PlanOut,
  PlanPatch,
  PlanVersionOut,
  ReviewCreate,
  ReviewOut,
  SourceSet,
  SummaryOut,
  WatchAdd,
  WatchOut,
  WatchParams,
  YearQuery,
} from './schema.ts';

import { AWARD_CSV_MAX_BYTES, awardCsvOf } from './upload.ts';

const TAGS = ['Grants'];
const PUBLIC = { access: 'public', publicCache: true } as const;
const PLANNERS = { access: { permission: PLAN } } as const;
const COMMITTEE = { access: { permission: REVIEW } } as const;
const readSigned = { ...readErrors, 401: ProblemRef, 403: ProblemRef };
const AGENCY_NOTE = 'Staff of the agency (grants.plan, and an account organisation an administrator linked to the agency) may do this; others get 403.';

const thisFiscalYear = () => store.fiscalYearOf(store.today());
const gapState = (s: string | undefined) => {
  const code = s ?? 'DC';
  if (!stateByCode(code)) throw fieldError('state', `${code} is not a U.S. state, DC or territory code`);
  return code;
};

export async function grantsApi(app: App): Promise<void> {
  app.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit: AWARD_CSV_MAX_BYTES }, (_req, body, done) => done(null, body));

  // ---------- plans ----------
  app.get('/api/grants/plans', { config: PLANNERS, schema: { tags: TAGS, summary: "Agencies' grant plans", description: 'By fiscal year, agency and status. Shared among member agencies and the Grant making committee.', security, querystring: PlanListQuery, response: { 200: Paged(PlanOut), ...readSigned } } }, async (req) => {
    const { page, perPage, offset } = pageOf(req.query);
    const all = await store.listPlans(req.ctx.db, { fiscalYear: req.query.fiscal_year, agencyId: req.query.agency_id, status: req.query.status });
    return { items: all.slice(offset, offset + perPage), total: all.length, page, per_page: perPage };
  });
  app.post('/api/grants/plans', { config: PLANNERS, schema: { tags: TAGS, summary: 'Enter a grant plan', description: `A planned solicitation for a fiscal year (version 1). ${AGENCY_NOTE}`, security, body: PlanCreate, response: { 201: PlanOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createPlan(req.ctx, req.body)),
  );
  app.get('/api/grants/plans/:id', { config: PLANNERS, schema: { tags: TAGS, summary: 'One grant plan', security, params: IdParams, response: { 200: PlanOut, ...readSigned } } }, async (req) => {
    const p = await store.getPlan(req.ctx.db, req.params.id);
    if (!p) throw notFound('No such grant plan.');
    return p;
  });
  app.patch('/api/grants/plans/:id', { config: PLANNERS, schema: { tags: TAGS, summary: 'Change a grant plan', description: `Send \`version\` as read; a stale version gets 409. Each change keeps a new version. ${AGENCY_NOTE}`, security, params: IdParams, body: PlanPatch, response: { 200: PlanOut, ...writeErrors } } }, async (req) =>
    commands.updatePlan(req.ctx, req.params.id, req.body),
  );
  app.get('/api/grants/plans/:id/versions', { config: PLANNERS, schema: { tags: TAGS, summary: "A plan's versions", description: 'Newest first, each with the fields it changed.', security, params: IdParams, response: { 200: Type.Array(PlanVersionOut), ...readSigned } } }, async (req) => {
    if (!(await store.getPlan(req.ctx.db, req.params.id))) throw notFound('No such grant plan.');
    return store.planVersions(req.ctx.db, req.params.id);
  });
  app.get('/api/grants/plans/:id/reviews', { config: PLANNERS, schema: { tags: TAGS, summary: "The committee's reviews of a plan", security, params: IdParams, response: { 200: Type.Array(ReviewOut), ...readSigned } } }, async (req) => {
    if (!(await store.getPlan(req.ctx.db, req.params.id))) throw notFound('No such grant plan.');
    return store.reviewsOf(req.ctx.db, req.params.id);
  });
  app.post('/api/grants/plans/:id/reviews', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Review a plan', description: 'The Grant making committee records its review of a version of the plan, with a comment.', security, params: IdParams, body: ReviewCreate, response: { 201: ReviewOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.reviewPlan(req.ctx, req.params.id, req.body)),
  );

  // ---------- notices ----------
  app.get('/api/grants/notices', { config: PLANNERS, schema: { tags: TAGS, summary: 'Notices to the SPOG', description: 'Newest first, with due dates, whether each was filed on time, and the acknowledgement trail.', security, querystring: YearQuery, response: { 200: Type.Array(NoticeOut), ...readSigned } } }, async (req) =>
    store.listNotices(req.ctx.db, { fiscalYear: req.query.fiscal_year }),
  );
  app.post('/api/grants/notices', { config: PLANNERS, schema: { tags: TAGS, summary: 'File a notice to the SPOG', description: `Before a final decision (due by the decision date) or after it (due within 30 days). The committee's members are e-mailed a link. ${AGENCY_NOTE}`, security, body: NoticeCreate, response: { 201: NoticeOut, ...writeErrors } } }, async (req, reply) => {
    const { mailed: _m, ...n } = await commands.fileNotice(req.ctx, req.body, { log: (l) => req.log.warn(l) });
    return reply.code(201).send(n);
  });
  app.get('/api/grants/notices/:id', { config: PLANNERS, schema: { tags: TAGS, summary: 'One notice', security, params: IdParams, response: { 200: NoticeOut, ...readSigned } } }, async (req) => {
    const n = await store.getNotice(req.ctx.db, req.params.id);
    if (!n) throw notFound('No such notice.');
    return n;
  });
  app.post('/api/grants/notices/:id/acknowledge', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Acknowledge a notice', description: 'Once per committee member; again changes nothing.', security, params: IdParams, response: { 200: NoticeOut, ...writeErrors } } }, async (req) =>
    commands.acknowledgeNotice(req.ctx, req.params.id),
  );

  // ---------- opportunities ----------
  app.get('/api/grants/opportunities', { config: PUBLIC, schema: { tags: TAGS, summary: 'Funding opportunities for providers serving survivors', description: "Opportunities and forecasts from the Grants.gov extract that match the committee's watch list.", querystring: OpportunityQuery, response: { 200: Paged(OpportunityOut), 400: ProblemRef } } }, async (req) => {
    const q = req.query;
    const { page, perPage, offset } = pageOf(q);
    const planIds = q.need ? (await store.listPlans(req.ctx.db)).filter((p) => p.needs.includes(q.need!)).map((p) => p.id) : undefined;
    const r = await store.listOpportunities(req.ctx.db, { q: q.q, listing: q.listing, kind: q.kind, openOn: q.open_on, planIds }, perPage, offset);
    return { items: r.items.map((o) => opportunityFor(req.ctx, o)), total: r.total, page, per_page: perPage };
  });
  app.get('/api/grants/opportunities/close-dates.ics', { config: PUBLIC, schema: { tags: TAGS, summary: 'Close dates as an iCalendar feed', description: 'One all-day event per opportunity closing today or later.', produces: ['text/calendar'], response: { 200: Type.String() } } }, async (req, reply) =>
    reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'attachment; filename="grant-close-dates.ics"')
      .send(closeDatesCalendar(await store.closingOpportunities(req.ctx.db, store.today()), new URL(req.ctx.config.publicUrl).host)),
  );
  app.get('/api/grants/opportunities/:id', { config: PUBLIC, schema: { tags: TAGS, summary: 'One opportunity', params: OpportunityParams, response: { 200: OpportunityOut, ...readErrors } } }, async (req) => {
    const o = await store.getOpportunity(req.ctx.db, req.params.id);
    if (!o) throw notFound('No such opportunity.');
    return opportunityFor(req.ctx, o);
  });
  app.put('/api/grants/opportunities/:id/plan', { config: PLANNERS, schema: { tags: TAGS, summary: 'Link an opportunity to a grant plan', description: `\`plan_id\` null unlinks. The committee, or staff of the plan's agency. ${AGENCY_NOTE}`, security, params: OpportunityParams, body: LinkOpportunity, response: { 200: Type.Object({ opportunity_id: Type.String(), plan_id: Type.Union([Type.String(), Type.Null()]) }), ...writeErrors } } }, async (req) =>
    commands.linkOpportunity(req.ctx, req.params.id, req.body),
  );

  // ---------- awards ----------
  app.get('/api/grants/awards', { config: PLANNERS, schema: { tags: TAGS, summary: 'Awards with their place of performance', security, querystring: AwardListQuery, response: { 200: Paged(AwardOut), ...readSigned } } }, async (req) => {
    const { page, perPage, offset } = pageOf(req.query);
    const r = await store.listAwards(req.ctx.db, { state: req.query.state, fiscalYear: req.query.fiscal_year, agencyId: req.query.agency_id }, perPage, offset);
    return { ...r, page, per_page: perPage };
  });
  app.post('/api/grants/awards', { config: PLANNERS, schema: { tags: TAGS, summary: 'Enter an award by hand', description: 'The committee for any agency; an agency\'s staff for their own. Place of performance: state and county FIPS.', security, body: AwardCreate, response: { 201: AwardOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await commands.createAward(req.ctx, req.body)),
  );
  app.post(
    '/api/grants/awards/import',
    {
      config: COMMITTEE,
      schema: {
        tags: TAGS,
        summary: "Import awards from a CSV in USAspending's columns",
        description: 'The CSV as the body (Content-Type: text/csv), or as a file uploaded in the field `file` of a multipart/form-data body (or pasted in its field `csv`). Updates by award id (assistance_award_unique_key or award_id_fain); rows with a problem are refused and listed by line and column, the others kept.',
        security,
        body: {
          content: {
            'text/csv': { schema: Type.String({ maxLength: AWARD_CSV_MAX_BYTES }) },
            'multipart/form-data': { schema: Type.Object({ file: Type.Optional(Type.String({ format: 'binary', description: 'The CSV file.' })), csv: Type.Optional(Type.String({ maxLength: AWARD_CSV_MAX_BYTES, description: 'The CSV as text, when no file is sent.' })) }) },
          },
        },
        response: { 200: AwardImportOut, ...writeErrors },
      },
    },
    async (req) => {
      const body: unknown = req.body;
      const text = typeof body === 'string' ? body : typeof body === 'object' && body !== null && 'csv' in body && typeof body.csv === 'string' ? body.csv : undefined;
      return commands.importAwards(req.ctx, awardCsvOf(req, text));
    },
  );

  // ---------- the committee's watch list and imports ----------
  app.get('/api/grants/watch', { config: COMMITTEE, schema: { tags: TAGS, summary: 'The watch list: Assistance Listings and keywords', security, response: { 200: Type.Array(WatchOut), 401: ProblemRef, 403: ProblemRef } } }, async (req) => store.listWatch(req.ctx.db));
  app.post('/api/grants/watch', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Add to the watch list', security, body: WatchAdd, response: { 201: WatchOut, ...writeErrors } } }, async (req, reply) => reply.code(201).send(await commands.addWatch(req.ctx, req.body)));
  app.delete('/api/grants/watch/:id', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Remove from the watch list', security, params: WatchParams, response: { 204: Type.Null(), ...writeErrors } } }, async (req, reply) => {
    await commands.removeWatch(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
  app.put('/api/grants/source', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Where the scheduled import reads the extract', description: 'An http(s) address; empty turns the scheduled import off. A file path is set on the command line.', security, body: SourceSet, response: { 200: SourceSet, ...writeErrors } } }, async (req) => ({
    extract_source: await commands.setExtractSource(req.ctx, req.body),
  }));
  app.get('/api/grants/imports', { config: COMMITTEE, schema: { tags: TAGS, summary: 'Recent extract imports', security, response: { 200: Type.Array(ImportOut), 401: ProblemRef, 403: ProblemRef } } }, async (req) => store.listImports(req.ctx.db));

  // ---------- analysis ----------
  app.get('/api/grants/overlaps', { config: PLANNERS, schema: { tags: TAGS, summary: 'Plans to coordinate', description: 'Pairs of plans of different agencies aimed at the same population, need and area in the same window.', security, querystring: YearQuery, response: { 200: OverlapOut, ...readSigned } } }, async (req) =>
    overlaps(await store.listPlans(req.ctx.db, { fiscalYear: req.query.fiscal_year ?? thisFiscalYear() }), req.query.fiscal_year ?? thisFiscalYear()),
  );
  app.get('/api/grants/gaps', { config: PLANNERS, schema: { tags: TAGS, summary: 'Funding beside coverage, by county', description: `Awards per county of a state and the needs with no provider within \`distance\` miles (default ${DEFAULT_GAP_MILES}); \`gap\` marks an uncovered need with no award.`, security, querystring: GapQuery, response: { 200: GapOut, ...readSigned } } }, async (req) =>
    gaps(req.ctx, gapState(req.query.state), { fiscalYear: req.query.fiscal_year, miles: req.query.distance }),
  );
  app.get('/api/grants/gaps.csv', { config: PLANNERS, schema: { tags: TAGS, summary: 'Funding beside coverage, as CSV', security, querystring: GapQuery, produces: ['text/csv'], response: { 200: Type.String(), ...readSigned } } }, async (req, reply) => {
    const csv = gapsCsv(await gaps(req.ctx, gapState(req.query.state), { fiscalYear: req.query.fiscal_year, miles: req.query.distance }));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(csv.body);
  });
  app.get('/api/grants/summary', { config: PLANNERS, schema: { tags: TAGS, summary: 'The yearly summary for the annual report', security, querystring: YearQuery, response: { 200: SummaryOut, ...readSigned } } }, async (req) => summary(req.ctx.db, req.query.fiscal_year ?? thisFiscalYear()));
  app.get('/api/grants/summary.csv', { config: PLANNERS, schema: { tags: TAGS, summary: 'The yearly summary as CSV', security, querystring: YearQuery, produces: ['text/csv'], response: { 200: Type.String(), ...readSigned } } }, async (req, reply) => {
    const csv = summaryCsv(await summary(req.ctx.db, req.query.fiscal_year ?? thisFiscalYear()));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(csv.body);
  });
}
