import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { notFound } from '../../platform/http/errors.ts';
import { IdParams, ProblemRef, secured, writeErrors } from '../../platform/http/schemas.ts';
import { principalOf } from '../../platform/policy.ts';
import { createItem, reviewUpdate, submitUpdate, updateItem } from './commands.ts';
import { runDigests } from './digests.ts';
import { ImportRefused, importPlan, templateCsv } from './import.ts';
import { PERM } from './policies.ts';
import { agencyView, itemOut, reportOf, rollupTree, updateOut, visibleUpdates, watchList } from './presenters.ts';
import { reportCsv } from './report.ts';
import {
  AgencyViewOut,
  DigestResultOut,
  ImportProblemOut,
  ImportResultOut,
  ItemCreate,
  ItemDetailOut,
  ItemListQuery,
  ItemOut,
  ItemPatch,
  ReportOut,
  ReportQuery,
  ReviewInput,
  RollupOut,
  RollupQuery,
  UpdateListQuery,
  UpdateOut,
  UpdateSubmit,
  WatchListOut,
} from './schema.ts';
import { listUpdates, loadPlan } from './store.ts';

const TAGS = ['Work plans'];

function sendCsv(reply: FastifyReply, name: string, body: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

export async function workplansApi(app: App): Promise<void> {
  // CSV bodies for the import; only this module's routes see this parser.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.get(
    '/api/workplans/items',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Goals, objectives and actions, in plan order, with progress', querystring: ItemListQuery, response: { 200: Type.Array(ItemOut), ...writeErrors } } },
    async (req) => {
      const q = req.query;
      const plan = await loadPlan(req.ctx.db);
      return plan.items
        .filter((i) => (!q.kind || i.kind === q.kind) && (!q.lead_agency_id || i.lead_agency_id === q.lead_agency_id) && (!q.status || i.status === q.status) && (!q.owner_id || plan.owner(i)?.id === q.owner_id))
        .map((i) => itemOut(plan, i));
    },
  );

  app.get(
    '/api/workplans/items/:id',
    { config: { access: 'public' }, schema: { tags: TAGS, summary: 'One item with its children and its progress updates', params: IdParams, response: { 200: ItemDetailOut, ...writeErrors } } },
    async (req) => {
      const plan = await loadPlan(req.ctx.db);
      const item = plan.byId.get(req.params.id);
      if (!item) throw notFound('No such work plan item.');
      return { ...itemOut(plan, item), children: plan.childrenOf(item.id).map((c) => itemOut(plan, c)), updates: visibleUpdates(principalOf(req.ctx), plan.updatesByItem.get(item.id) ?? []) };
    },
  );

  app.post(
    '/api/workplans/items',
    { config: { access: { permission: PERM.edit } }, schema: { tags: TAGS, summary: 'Create a goal, objective or action (its number says which)', security: secured, body: ItemCreate, response: { 201: ItemOut, ...writeErrors } } },
    async (req, reply) => {
      const item = await createItem(req.ctx, req.body);
      const plan = await loadPlan(req.ctx.db);
      return reply.code(201).send(itemOut(plan, plan.byId.get(item.id)!));
    },
  );

  app.patch(
    '/api/workplans/items/:id',
    { config: { access: { permission: PERM.edit } }, schema: { tags: TAGS, summary: 'Change an item; send the version you read (a stale one gets 409)', security: secured, params: IdParams, body: ItemPatch, response: { 200: ItemOut, ...writeErrors } } },
    async (req) => {
      const item = await updateItem(req.ctx, req.params.id, req.body);
      const plan = await loadPlan(req.ctx.db);
      return itemOut(plan, plan.byId.get(item.id)!);
    },
  );

  app.get(
    '/api/workplans/rollup',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Weighted progress of every goal and objective as of a period (default: the current quarter)', querystring: RollupQuery, response: { 200: Type.Object({ period: Type.String(), goals: Type.Array(RollupOut) }), ...writeErrors } } },
    async (req) => {
      const plan = await loadPlan(req.ctx.db);
      const period = req.query.period ?? plan.currentPeriod.key;
      return { period, goals: plan.goals().map((g) => rollupTree(plan, g, period)) };
    },
  );

  app.get(
    '/api/workplans/watch',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Late items, at-risk actions, and actions missing an update for the quarter that last closed', response: { 200: WatchListOut, ...writeErrors } } },
    async (req) => watchList(await loadPlan(req.ctx.db)),
  );

  app.get(
    '/api/workplans/agencies/:id',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'What an agency owes and when: the actions it leads and supports, with the next update due', params: IdParams, response: { 200: AgencyViewOut, ...writeErrors } } },
    async (req) => {
      const view = agencyView(await loadPlan(req.ctx.db), req.params.id);
      if (!view) throw notFound('No such agency.');
      return view;
    },
  );

  app.get(
    '/api/workplans/updates',
    { config: { access: 'signed-in' }, schema: { tags: TAGS, summary: 'Progress updates; state=submitted is the review queue', security: secured, querystring: UpdateListQuery, response: { 200: Type.Array(UpdateOut), ...writeErrors } } },
    async (req) => {
      const q = req.query;
      const plan = await loadPlan(req.ctx.db);
      const list = await listUpdates(req.ctx.db, { state: q.state, itemId: q.item_id, period: q.period });
      return list.map((u) => updateOut(plan, u));
    },
  );

  app.post(
    '/api/workplans/items/:id/updates',
    {
      config: { access: { permission: PERM.update } },
      schema: { tags: TAGS, summary: "Submit a progress update for an action (members of the action's lead agency only)", security: secured, params: IdParams, body: UpdateSubmit, response: { 201: UpdateOut, ...writeErrors } },
    },
    async (req, reply) => reply.code(201).send(await submitUpdate(req.ctx, req.params.id, req.body)),
  );

  app.post(
    '/api/workplans/updates/:id/review',
    { config: { access: { permission: PERM.review } }, schema: { tags: TAGS, summary: 'Approve or return (with a comment) a submitted update', security: secured, params: IdParams, body: ReviewInput, response: { 200: UpdateOut, ...writeErrors } } },
    async (req) => reviewUpdate(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/api/workplans/report',
    {
      config: { access: 'public', publicCache: true },
      schema: { tags: TAGS, summary: 'The annual progress report from approved updates; format=csv for a spreadsheet', querystring: ReportQuery, response: { 200: ReportOut, ...writeErrors } },
    },
    async (req, reply) => {
      const q = req.query;
      const report = reportOf(await loadPlan(req.ctx.db), q);
      if (q.format === 'csv') return sendCsv(reply, `workplans-report-${report.year}.csv`, reportCsv(report));
      return report;
    },
  );

  app.get(
    '/api/workplans/import/template.csv',
    { config: { access: 'public' }, schema: { tags: TAGS, summary: 'The CSV template for importing a work plan (see docs/workplans-import.md)', response: { 200: Type.String() } } },
    async (_req, reply) => sendCsv(reply, 'workplans-template.csv', templateCsv()),
  );

  app.post(
    '/api/workplans/import',
    {
      config: { access: { permission: PERM.edit } },
      schema: {
        tags: TAGS,
        summary: 'Import a work plan from CSV (Content-Type: text/csv): every row or none; refused rows are listed',
        security: secured,
        consumes: ['text/csv'],
        body: Type.String({ description: 'CSV text in the template format.' }),
        response: { 201: ImportResultOut, 400: ImportProblemOut, 401: ProblemRef, 403: ProblemRef, 415: ProblemRef },
      },
    },
    async (req, reply) => {
      try {
        return reply.code(201).send(await importPlan(req.ctx, req.body));
      } catch (err) {
        if (!(err instanceof ImportRefused)) throw err;
        return reply
          .code(400)
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: 'Import refused',
            status: 400,
            detail: err.message,
            errors: err.refused.map((r) => ({ field: `row ${r.row}: ${r.column}`, message: r.reason })),
            refused: err.refused,
          });
      }
    },
  );

  app.post(
    '/api/workplans/digests/run',
    { config: { access: { permission: PERM.digests } }, schema: { tags: TAGS, summary: 'Send the due-update digests and late reminders now (administrators)', security: secured, response: { 200: DigestResultOut, ...writeErrors } } },
    async (req) => runDigests(req.ctx, new Date(), (line) => req.log.info(line)),
  );
}
