import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../platform/http/errors.ts';
import { loadDirectory } from './directory.ts';
import { createItem, reviewUpdate, submitUpdate, updateItem } from './commands.ts';
import { runDigests } from './digests.ts';
import { ImportRefused, importPlan, templateCsv } from './import.ts';
import { parsePeriod } from './periods.ts';
import { buildReport, reportCsv } from './report.ts';
import {
  AgencyViewOut,
  DigestResultOut,
  IdParams,
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
  type RollupTree,
} from './schema.ts';
import { listUpdates, loadPlanView, type Item, type PlanView, type Update } from './store.ts';
import type { UpdateState } from './schema.ts';

export const PERM = { edit: 'workplans.edit', update: 'workplans.update', review: 'workplans.review', digests: 'workplans.digests' } as const;

const TAGS = ['Work plans'];
const Problem = Type.Ref('Problem');
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem };
const security: { [name: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

export async function planFor(req: FastifyRequest): Promise<PlanView> {
  return loadPlanView(req.ctx.db, await loadDirectory(req.ctx.db));
}

/** Drafts and returned updates are for signed-in people; approved ones are public. */
export function visibleUpdates(req: FastifyRequest, updates: Update[]): Update[] {
  return req.actor ? updates : updates.filter((u) => u.state === 'approved');
}

export function itemOut(plan: PlanView, i: Item) {
  return {
    id: i.id,
    number: i.number,
    kind: i.kind,
    parent_id: i.parent_id,
    title: i.title,
    description: i.description,
    lead_agency_id: i.lead_agency_id,
    lead_agency_name: plan.agencyName(i.lead_agency_id),
    supporting_agency_ids: i.supporting_agency_ids,
    owner_type: plan.owner(i)?.type ?? null,
    owner_id: plan.owner(i)?.id ?? null,
    owner_name: plan.ownerName(i),
    start_date: i.start_date,
    due_date: i.due_date,
    status: i.status,
    weight: i.weight,
    progress: plan.progress(i),
    late: plan.isLate(i),
    version: i.version,
    created_at: i.created_at,
    updated_at: i.updated_at,
    milestones: i.milestones,
    key_results: i.key_results.map((k) => ({ ...k, ...plan.keyResultValue(i, k.id) })),
  };
}

export function rollupTree(plan: PlanView, i: Item, period: string): RollupTree {
  return {
    id: i.id,
    number: i.number,
    kind: i.kind,
    title: i.title,
    status: plan.statusAsOf(i, period),
    weight: i.weight,
    progress: plan.progress(i, period),
    children: plan.childrenOf(i.id).map((c) => rollupTree(plan, c, period)),
  };
}

export function watchList(plan: PlanView) {
  const actions = plan.actions();
  const closed = plan.lastClosedPeriod.key;
  return {
    period: plan.currentPeriod.key,
    late: plan.items.filter((i) => plan.isLate(i)).map((i) => plan.due(i)),
    at_risk: actions.filter((i) => plan.isAtRisk(i)).map((i) => plan.due(i)),
    missing: actions.filter((i) => plan.owesUpdate(i, plan.lastClosedPeriod) && !plan.hasSubmitted(i.id, closed)).map((i) => ({ ...plan.due(i), period: closed })),
  };
}

export function agencyView(plan: PlanView, agencyId: string) {
  const agency = plan.dir.agency(agencyId);
  if (!agency) return undefined;
  const byDue = (a: { next_update_due: string | null; number: string }, b: typeof a) => (a.next_update_due ?? '9').localeCompare(b.next_update_due ?? '9') || a.number.localeCompare(b.number);
  return {
    agency,
    period: plan.currentPeriod.key,
    leads: plan.actions().filter((i) => i.lead_agency_id === agencyId).map((i) => plan.due(i)).sort(byDue),
    supports: plan.actions().filter((i) => i.supporting_agency_ids.includes(agencyId)).map((i) => plan.due(i)).sort(byDue),
  };
}

export async function reportFor(req: FastifyRequest, q: { year?: number; period?: string; agency_id?: string }) {
  const plan = await planFor(req);
  const year = q.year ?? (q.period ? parsePeriod(q.period)!.year : plan.currentPeriod.year);
  return buildReport(plan, { year, period: q.period && parsePeriod(q.period)!.year === year ? q.period : undefined, agencyId: q.agency_id });
}

function sendCsv(reply: FastifyReply, name: string, body: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

export async function workplansApi(app: FastifyInstance): Promise<void> {
  // CSV bodies for the import; only this module's routes see this parser.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.get(
    '/api/workplans/items',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Goals, objectives and actions, in plan order, with progress', querystring: ItemListQuery, response: { 200: Type.Array(ItemOut), ...errors } } },
    async (req) => {
      const q = req.query as { kind?: string; lead_agency_id?: string; owner_id?: string; status?: string };
      const plan = await planFor(req);
      return plan.items
        .filter((i) => (!q.kind || i.kind === q.kind) && (!q.lead_agency_id || i.lead_agency_id === q.lead_agency_id) && (!q.status || i.status === q.status) && (!q.owner_id || plan.owner(i)?.id === q.owner_id))
        .map((i) => itemOut(plan, i));
    },
  );

  app.get(
    '/api/workplans/items/:id',
    { config: { access: 'public' }, schema: { tags: TAGS, summary: 'One item with its children and its progress updates', params: IdParams, response: { 200: ItemDetailOut, ...errors } } },
    async (req) => {
      const plan = await planFor(req);
      const item = plan.byId.get((req.params as { id: string }).id);
      if (!item) throw notFound('No such work plan item.');
      return { ...itemOut(plan, item), children: plan.childrenOf(item.id).map((c) => itemOut(plan, c)), updates: visibleUpdates(req, plan.updatesByItem.get(item.id) ?? []) };
    },
  );

  app.post(
    '/api/workplans/items',
    { config: { access: { permission: PERM.edit } }, schema: { tags: TAGS, summary: 'Create a goal, objective or action (its number says which)', security, body: ItemCreate, response: { 201: ItemOut, ...errors } } },
    async (req, reply) => {
      const item = await createItem(req.ctx, req.body);
      const plan = await planFor(req);
      return reply.code(201).send(itemOut(plan, plan.byId.get(item.id)!));
    },
  );

  app.patch(
    '/api/workplans/items/:id',
    { config: { access: { permission: PERM.edit } }, schema: { tags: TAGS, summary: 'Change an item; send the version you read (a stale one gets 409)', security, params: IdParams, body: ItemPatch, response: { 200: ItemOut, ...errors } } },
    async (req) => {
      const item = await updateItem(req.ctx, (req.params as { id: string }).id, req.body);
      const plan = await planFor(req);
      return itemOut(plan, plan.byId.get(item.id)!);
    },
  );

  app.get(
    '/api/workplans/rollup',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Weighted progress of every goal and objective as of a period (default: the current quarter)', querystring: RollupQuery, response: { 200: Type.Object({ period: Type.String(), goals: Type.Array(RollupOut) }), ...errors } } },
    async (req) => {
      const plan = await planFor(req);
      const period = (req.query as { period?: string }).period ?? plan.currentPeriod.key;
      return { period, goals: plan.goals().map((g) => rollupTree(plan, g, period)) };
    },
  );

  app.get(
    '/api/workplans/watch',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'Late items, at-risk actions, and actions missing an update for the quarter that last closed', response: { 200: WatchListOut, ...errors } } },
    async (req) => watchList(await planFor(req)),
  );

  app.get(
    '/api/workplans/agencies/:id',
    { config: { access: 'public', publicCache: true }, schema: { tags: TAGS, summary: 'What an agency owes and when: the actions it leads and supports, with the next update due', params: IdParams, response: { 200: AgencyViewOut, ...errors } } },
    async (req) => {
      const view = agencyView(await planFor(req), (req.params as { id: string }).id);
      if (!view) throw notFound('No such agency.');
      return view;
    },
  );

  app.get(
    '/api/workplans/updates',
    { config: { access: 'signed-in' }, schema: { tags: TAGS, summary: 'Progress updates; state=submitted is the review queue', security, querystring: UpdateListQuery, response: { 200: Type.Array(UpdateOut), ...errors } } },
    async (req) => {
      const q = req.query as { state?: UpdateState; item_id?: string; period?: string };
      const plan = await planFor(req);
      const list = await listUpdates(req.ctx.db, { state: q.state, itemId: q.item_id, period: q.period });
      return list.map((u) => ({ ...u, item_number: plan.byId.get(u.item_id)?.number, item_title: plan.byId.get(u.item_id)?.title }));
    },
  );

  app.post(
    '/api/workplans/items/:id/updates',
    {
      config: { access: { permission: PERM.update } },
      schema: { tags: TAGS, summary: "Submit a progress update for an action (members of the action's lead agency only)", security, params: IdParams, body: UpdateSubmit, response: { 201: UpdateOut, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await submitUpdate(req.ctx, (req.params as { id: string }).id, req.body)),
  );

  app.post(
    '/api/workplans/updates/:id/review',
    { config: { access: { permission: PERM.review } }, schema: { tags: TAGS, summary: 'Approve or return (with a comment) a submitted update', security, params: IdParams, body: ReviewInput, response: { 200: UpdateOut, ...errors } } },
    async (req) => reviewUpdate(req.ctx, (req.params as { id: string }).id, req.body),
  );

  app.get(
    '/api/workplans/report',
    {
      config: { access: 'public', publicCache: true },
      schema: { tags: TAGS, summary: 'The annual progress report from approved updates; format=csv for a spreadsheet', querystring: ReportQuery, response: { 200: ReportOut, ...errors } },
    },
    async (req, reply) => {
      const q = req.query as { year?: number; period?: string; agency_id?: string; format?: string };
      const report = await reportFor(req, q);
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
        security,
        consumes: ['text/csv'],
        body: Type.String({ description: 'CSV text in the template format.' }),
        response: { 201: ImportResultOut, 400: ImportProblemOut, 401: Problem, 403: Problem, 415: Problem },
      },
    },
    async (req, reply) => {
      try {
        return reply.code(201).send(await importPlan(req.ctx, req.body as string));
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
    { config: { access: { permission: PERM.digests } }, schema: { tags: TAGS, summary: 'Send the due-update digests and late reminders now (administrators)', security, response: { 200: DigestResultOut, ...errors } } },
    async (req) => runDigests(req.ctx, new Date(), (line) => req.log.info(line)),
  );
}
