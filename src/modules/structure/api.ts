import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { PageQuery, Paged, pageOf } from '../../platform/http/pagination.ts';
import {
  AgencyCreate,
  AgencyOut,
  AgencyPatch,
  AgencyRetire,
  BodyOut,
  CommitteeCreate,
  CommitteePatch,
  CommitteeRetire,
  IdParams,
  ListQuery,
  MembersPut,
  OverviewOut,
  PartnersPut,
  PartnershipCreate,
  PartnershipOut,
  PartnershipPatch,
  PartnershipRetire,
  RepresentativeCreate,
  RepresentativeOut,
  RepresentativePatch,
  RepresentativeQuery,
  RepresentativeRetire,
  RevisionOut,
  type Overview,
} from './schema.ts';
import * as store from './store.ts';
import * as commands from './commands.ts';
import { WRITE } from './permissions.ts';

const TAGS = ['Structure'];
const Problem = Type.Ref('Problem');
const readErrors = { 400: Problem, 404: Problem };
const writeErrors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem };
const secured: { [label: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
const HistoryQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export function listOptions(q: { active_on?: string; include?: string; page?: number; per_page?: number }) {
  const { page, perPage, offset } = pageOf(q);
  return { page, perPage, opts: { activeOn: q.active_on ?? store.today(), all: q.include === 'all', limit: perPage, offset } };
}

export const canSeeContacts = (req: FastifyRequest) => req.actor?.permissions.has('contacts.read') ?? false;


interface Resource {
  path: string;
  noun: string;
  plural: string;
  entityType: 'agency' | 'committee' | 'partnership' | 'representative';
  out: TSchema;
  create: TSchema;
  patch: TSchema;
  retire: TSchema;
  retireField: string;
  listQuery: TSchema;
  listNote: string;
  list(req: FastifyRequest): Promise<{ items: unknown[]; total: number; page: number; per_page: number }>;
  get(ctx: Ctx, id: string): Promise<unknown>;
  createFn(ctx: Ctx, input: unknown): Promise<unknown>;
  updateFn(ctx: Ctx, id: string, input: unknown): Promise<unknown>;
  retireFn(ctx: Ctx, id: string, input: unknown): Promise<unknown>;
  present?(req: FastifyRequest, item: unknown): unknown;
}

function registerResource(app: FastifyInstance, r: Resource) {
  const present = (req: FastifyRequest, x: unknown) => (r.present ? r.present(req, x) : x);
  const found = async (ctx: Ctx, id: string) => {
    const x = await r.get(ctx, id);
    if (!x) throw notFound(`No such ${r.noun}.`);
    return x;
  };

  app.get(
    r.path,
    {
      config: { access: 'public', publicCache: true },
      schema: { tags: TAGS, summary: `List ${r.plural}`, description: r.listNote, querystring: r.listQuery, response: { 200: Paged(r.out), ...readErrors } },
    },
    async (req) => {
      const out = await r.list(req);
      return { ...out, items: out.items.map((x) => present(req, x)) };
    },
  );

  app.post(
    r.path,
    {
      config: { access: { permission: WRITE } },
      schema: { tags: TAGS, summary: `Create a ${r.noun}`, security: secured, body: r.create, response: { 201: r.out, ...writeErrors } },
    },
    async (req, reply) => reply.code(201).send(present(req, await r.createFn(req.ctx, req.body))),
  );

  app.get(
    `${r.path}/:id`,
    {
      config: { access: 'public', publicCache: true },
      schema: { tags: TAGS, summary: `One ${r.noun}`, params: IdParams, response: { 200: r.out, ...readErrors } },
    },
    async (req) => present(req, await found(req.ctx, (req.params as { id: string }).id)),
  );

  app.patch(
    `${r.path}/:id`,
    {
      config: { access: { permission: WRITE } },
      schema: {
        tags: TAGS,
        summary: `Change a ${r.noun}`,
        description: 'Send `version` as read; only the fields sent change. A stale version gets 409 Conflict.',
        security: secured,
        params: IdParams,
        body: r.patch,
        response: { 200: r.out, ...writeErrors },
      },
    },
    async (req) => present(req, await r.updateFn(req.ctx, (req.params as { id: string }).id, req.body)),
  );

  app.post(
    `${r.path}/:id/retire`,
    {
      config: { access: { permission: WRITE } },
      // No body at all means "today, whatever the version": treat it as {} (this runs after the access check).
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags: TAGS,
        summary: `Retire a ${r.noun}`,
        description: `Sets \`${r.retireField}\` (default today); the record and its history are kept. The body may be empty.`,
        security: secured,
        params: IdParams,
        body: r.retire,
        response: { 200: r.out, ...writeErrors },
      },
    },
    async (req) => present(req, await r.retireFn(req.ctx, (req.params as { id: string }).id, req.body ?? {})),
  );

  app.get(
    `${r.path}/:id/history`,
    {
      config: { access: 'public', publicCache: true },
      schema: {
        tags: TAGS,
        summary: `Revisions of a ${r.noun}, newest first`,
        description: 'Each create, update and retire keeps a full snapshot.',
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: Paged(RevisionOut), ...readErrors },
      },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      await found(req.ctx, id);
      const { page, perPage, offset } = pageOf(req.query as { page?: number; per_page?: number });
      const { items, total } = await store.listRevisions(req.ctx.db, r.entityType, id, perPage, offset);
      return { items: items.map((x) => store.presentRevision(x, canSeeContacts(req))), total, page, per_page: perPage };
    },
  );
}

export async function overview(ctx: Ctx, day: string): Promise<Overview> {
  const opts = { activeOn: day, all: false, limit: 200, offset: 0 };
  const [taskForce, policyGroup, committees, partnerships, members, reps] = await Promise.all([
    store.firstBody(ctx.db, 'task_force'),
    store.firstBody(ctx.db, 'policy_group'),
    store.listBodies(ctx.db, 'committee', opts),
    store.listPartnerships(ctx.db, opts),
    store.countMemberAgencies(ctx.db, day),
    store.listRepresentatives(ctx.db, {}, { ...opts, limit: 1 }),
  ]);
  return {
    active_on: day,
    task_force: taskForce ?? null,
    policy_group: policyGroup ?? null,
    committees: committees.items,
    partnerships: partnerships.items,
    counts: { member_agencies: members, committees: committees.total, partnerships: partnerships.total, representatives: reps.total },
  };
}

export async function structureApi(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/structure',
    {
      config: { access: 'public', publicCache: true },
      schema: {
        tags: TAGS,
        summary: 'The task force at a glance',
        description: 'The task force, its policy operating group, the committees and partnerships in effect on `active_on` (default today), and counts.',
        querystring: Type.Object({ active_on: ListQuery.properties.active_on }, { additionalProperties: false }),
        response: { 200: OverviewOut, 400: Problem },
      },
    },
    async (req) => overview(req.ctx, (req.query as { active_on?: string }).active_on ?? store.today()),
  );

  registerResource(app, {
    path: '/api/agencies',
    noun: 'agency',
    plural: 'agencies',
    entityType: 'agency',
    out: AgencyOut,
    create: AgencyCreate,
    patch: AgencyPatch,
    retire: AgencyRetire,
    retireField: 'member_until',
    listQuery: ListQuery,
    listNote: 'Member agencies on `active_on` (default today): member_from on or before it and member_until empty or on or after it. `include=all` lists every agency, members or not.',
    async list(req) {
      const { page, perPage, opts } = listOptions(req.query as never);
      return { ...(await store.listAgencies(req.ctx.db, opts)), page, per_page: perPage };
    },
    get: (ctx, id) => store.getAgency(ctx.db, id),
    createFn: (ctx, input) => commands.createAgency(ctx, input),
    updateFn: (ctx, id, input) => commands.updateAgency(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retireAgency(ctx, id, input),
  });

  registerResource(app, {
    path: '/api/committees',
    noun: 'committee',
    plural: 'committees',
    entityType: 'committee',
    out: BodyOut,
    create: CommitteeCreate,
    patch: CommitteePatch,
    retire: CommitteeRetire,
    retireField: 'active_until',
    listQuery: ListQuery,
    listNote: 'Standing committees in effect on `active_on` (default today), with their member agencies. One-record routes also serve the task force and the policy operating group (see GET /api/structure for their ids).',
    async list(req) {
      const { page, perPage, opts } = listOptions(req.query as never);
      return { ...(await store.listBodies(req.ctx.db, 'committee', opts)), page, per_page: perPage };
    },
    get: (ctx, id) => store.getBody(ctx.db, id),
    createFn: (ctx, input) => commands.createBody(ctx, input),
    updateFn: (ctx, id, input) => commands.updateCommittee(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retireCommittee(ctx, id, input),
  });

  app.put(
    '/api/committees/:id/members',
    {
      config: { access: { permission: WRITE } },
      schema: {
        tags: TAGS,
        summary: 'Replace the member agencies of a committee (or of the task force or policy group)',
        description: 'The list replaces the previous one as a whole; the previous list stays in the history.',
        security: secured,
        params: IdParams,
        body: MembersPut,
        response: { 200: BodyOut, ...writeErrors },
      },
    },
    async (req) => commands.replaceMembers(req.ctx, (req.params as { id: string }).id, req.body),
  );

  registerResource(app, {
    path: '/api/partnerships',
    noun: 'partnership',
    plural: 'partnerships',
    entityType: 'partnership',
    out: PartnershipOut,
    create: PartnershipCreate,
    patch: PartnershipPatch,
    retire: PartnershipRetire,
    retireField: 'until',
    listQuery: ListQuery,
    listNote: 'Partnerships in effect on `active_on` (default today), with their goals and partners.',
    async list(req) {
      const { page, perPage, opts } = listOptions(req.query as never);
      return { ...(await store.listPartnerships(req.ctx.db, opts)), page, per_page: perPage };
    },
    get: (ctx, id) => store.getPartnership(ctx.db, id),
    createFn: (ctx, input) => commands.createPartnership(ctx, input),
    updateFn: (ctx, id, input) => commands.updatePartnership(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retirePartnership(ctx, id, input),
  });

  app.put(
    '/api/partnerships/:id/partners',
    {
      config: { access: { permission: WRITE } },
      schema: {
        tags: TAGS,
        summary: 'Replace the partners of a partnership',
        description: 'Each partner is a federal agency (`agency_id`) or another organisation (`name`, `website`).',
        security: secured,
        params: IdParams,
        body: PartnersPut,
        response: { 200: PartnershipOut, ...writeErrors },
      },
    },
    async (req) => commands.replacePartners(req.ctx, (req.params as { id: string }).id, req.body),
  );

  const presentRep = (req: FastifyRequest, x: unknown) => store.withoutContacts(x as store.RepresentativeLike, canSeeContacts(req));
  registerResource(app, {
    path: '/api/representatives',
    noun: 'representative',
    plural: 'representatives',
    entityType: 'representative',
    out: RepresentativeOut,
    create: RepresentativeCreate,
    patch: RepresentativePatch,
    retire: RepresentativeRetire,
    retireField: 'until',
    listQuery: RepresentativeQuery,
    listNote: 'People who represent an agency, optionally on a body or partnership, in effect on `active_on` (default today). `email` and `phone` are given only to callers with the contacts.read permission.',
    async list(req) {
      const q = req.query as { agency_id?: string; body_id?: string; partnership_id?: string };
      const { page, perPage, opts } = listOptions(req.query as never);
      const out = await store.listRepresentatives(req.ctx.db, { agencyId: q.agency_id, bodyId: q.body_id, partnershipId: q.partnership_id }, opts);
      return { ...out, page, per_page: perPage };
    },
    get: (ctx, id) => store.getRepresentative(ctx.db, id),
    createFn: (ctx, input) => commands.createRepresentative(ctx, input),
    updateFn: (ctx, id, input) => commands.updateRepresentative(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retireRepresentative(ctx, id, input),
    present: presentRep,
  });
}
