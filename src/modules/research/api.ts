/** The research module's JSON routes under /api/research, each with its schema (validation, types, OpenAPI). */
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import type { App } from '../../platform/module.ts';
import { forbidden, notFound } from '../../platform/http/errors.ts';
import { IdParams, ProblemRef, readErrors, secured as security, writeErrors } from '../../platform/http/schemas.ts';
import { principalOf } from '../../platform/policy.ts';
import * as commands from './commands.ts';
import { MANAGE, PUBLISH, SUBMIT } from './permissions.ts';
import { AGENCY_REFUSED, mayManage, maySeeSubmission } from './policies.ts';
import { callOut, compile, compiledCsv, submissionOut } from './presenters.ts';
import { CallAgencyParams, CallCreate, CallOut, CallPublicInput, CallStatusInput, CompiledOut, CsvSubmissionInput, ReviewInput, SubmissionInput, SubmissionOut } from './schema.ts';
import * as store from './store.ts';

const TAGS = ['Research'];
const MANAGERS = { access: { permission: MANAGE } } as const;
const SUBMITTERS = { access: { permission: SUBMIT } } as const;
const CHAIR = { access: { permission: PUBLISH } } as const;
const signedInErrors = { ...readErrors, 401: ProblemRef, 403: ProblemRef };

/** A call the caller may see: the committee sees every call, agency staff the calls asking their agencies. */
export async function visibleCall(ctx: Ctx, id: string): Promise<store.Call> {
  const c = await store.getCall(ctx.db, id);
  if (!c) throw notFound('No such data call.');
  const p = principalOf(ctx);
  if (mayManage(p)) return c;
  const mine = await store.agenciesOf(ctx.db, p);
  if (!c.agency_ids.some((a) => mine.has(a))) throw notFound('No such data call.');
  return c;
}

/** The calls the caller may see, newest due date first. */
export async function visibleCalls(ctx: Ctx): Promise<store.Call[]> {
  const p = principalOf(ctx);
  if (mayManage(p)) return store.listCalls(ctx.db);
  return store.listCalls(ctx.db, { agencyIds: [...(await store.agenciesOf(ctx.db, p))] });
}

/** A call's agency the caller may see the submission of (404 for an agency the call does not ask). */
export async function visibleAgency(ctx: Ctx, c: store.Call, agencyId: string): Promise<void> {
  if (!c.agency_ids.includes(agencyId)) throw notFound('This data call does not ask that agency.');
  const p = principalOf(ctx);
  if (!maySeeSubmission(p, await store.agenciesOf(ctx.db, p), agencyId)) throw forbidden(AGENCY_REFUSED);
}

async function callView(ctx: Ctx, c: store.Call) {
  return callOut(c, await store.agencyNames(ctx.db), await store.submissionsOf(ctx.db, c.id));
}

async function submissionView(ctx: Ctx, callId: string, agencyId: string) {
  const names = await store.agencyNames(ctx.db);
  const s = await store.getSubmission(ctx.db, callId, agencyId);
  return s ? submissionOut(s, names) : { call_id: callId, agency_id: agencyId, agency: names.get(agencyId) ?? agencyId, status: 'not_sent', current_version: 0, versions: [] };
}

export async function compiledOf(ctx: Ctx, c: store.Call) {
  return compile(c, await store.agencyNames(ctx.db), await store.submissionsOf(ctx.db, c.id));
}

export async function researchApi(app: App): Promise<void> {
  app.get('/api/research/calls', { config: SUBMITTERS, schema: { tags: TAGS, summary: 'Data calls: every call for the committee, the calls asking their agencies for agency staff', security, response: { 200: Type.Array(CallOut), ...signedInErrors } } }, async (req) =>
    Promise.all((await visibleCalls(req.ctx)).map((c) => callView(req.ctx, c))),
  );
  app.post('/api/research/calls', { config: MANAGERS, schema: { tags: TAGS, summary: 'Issue a data call: typed fields with units and definitions, the period, the agencies asked, the due date', security, body: CallCreate, response: { 201: CallOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(await callView(req.ctx, await commands.createCall(req.ctx, req.body))),
  );
  app.get('/api/research/calls/:id', { config: SUBMITTERS, schema: { tags: TAGS, summary: 'One data call with the state of each agency asked', security, params: IdParams, response: { 200: CallOut, ...signedInErrors } } }, async (req) =>
    callView(req.ctx, await visibleCall(req.ctx, req.params.id)),
  );
  app.post('/api/research/calls/:id/status', { config: MANAGERS, schema: { tags: TAGS, summary: 'Close a call (no more submissions) or open it again; send the version you read', security, params: IdParams, body: CallStatusInput, response: { 200: CallOut, ...writeErrors } } }, async (req) =>
    callView(req.ctx, await commands.setCallStatus(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/research/calls/:id/public', { config: CHAIR, schema: { tags: TAGS, summary: "The chair lists the call's compiled table in the open data catalog (public: true) or withdraws it; send the version you read", security, params: IdParams, body: CallPublicInput, response: { 200: CallOut, ...writeErrors } } }, async (req) =>
    callView(req.ctx, await commands.setCallPublic(req.ctx, req.params.id, req.body)),
  );
  app.get('/api/research/calls/:id/compiled', { config: MANAGERS, schema: { tags: TAGS, summary: "The compiled table: each agency's accepted rows, subtotals, totals of count and number fields, footnotes, agencies not included", security, params: IdParams, response: { 200: CompiledOut, ...signedInErrors } } }, async (req) =>
    compiledOf(req.ctx, await visibleCall(req.ctx, req.params.id)),
  );
  app.get('/api/research/calls/:id/compiled.csv', { config: MANAGERS, schema: { tags: TAGS, summary: 'The compiled table as CSV', description: 'Columns: agency, line (row, subtotal, total, not included, or a note number), then one per field key.', security, params: IdParams, produces: ['text/csv'], response: { 200: Type.String(), ...signedInErrors } } }, async (req, reply) => {
    const t = await compiledOf(req.ctx, await visibleCall(req.ctx, req.params.id));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="data-call-${t.call_id}.csv"`).send(compiledCsv(t));
  });

  app.get('/api/research/calls/:id/agencies/:agencyId', { config: SUBMITTERS, schema: { tags: TAGS, summary: "An agency's submission with every version and its review", security, params: CallAgencyParams, response: { 200: SubmissionOut, ...signedInErrors } } }, async (req) => {
    const c = await visibleCall(req.ctx, req.params.id);
    await visibleAgency(req.ctx, c, req.params.agencyId);
    return submissionView(req.ctx, c.id, req.params.agencyId);
  });
  app.post('/api/research/calls/:id/agencies/:agencyId', { config: SUBMITTERS, schema: { tags: TAGS, summary: "Send the agency's figures as rows of values (a new version; nothing is stored if any value is wrong)", security, params: CallAgencyParams, body: SubmissionInput, response: { 201: SubmissionOut, ...writeErrors } } }, async (req, reply) => {
    await commands.submitRows(req.ctx, req.params.id, req.params.agencyId, req.body, { source: 'api' });
    return reply.code(201).send(await submissionView(req.ctx, req.params.id, req.params.agencyId));
  });
  app.post('/api/research/calls/:id/agencies/:agencyId/csv', { config: SUBMITTERS, schema: { tags: TAGS, summary: "Send the agency's figures as CSV text (all or nothing; each problem names its row and column)", security, params: CallAgencyParams, body: CsvSubmissionInput, response: { 201: SubmissionOut, ...writeErrors } } }, async (req, reply) => {
    await commands.submitCsv(req.ctx, req.params.id, req.params.agencyId, req.body);
    return reply.code(201).send(await submissionView(req.ctx, req.params.id, req.params.agencyId));
  });
  app.post('/api/research/calls/:id/agencies/:agencyId/review', { config: MANAGERS, schema: { tags: TAGS, summary: 'Accept the latest version, or return it with a note saying what to fix', security, params: CallAgencyParams, body: ReviewInput, response: { 200: SubmissionOut, ...writeErrors } } }, async (req) => {
    await commands.reviewSubmission(req.ctx, req.params.id, req.params.agencyId, req.body);
    return submissionView(req.ctx, req.params.id, req.params.agencyId);
  });
}
