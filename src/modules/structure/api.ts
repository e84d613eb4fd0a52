import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Actor, Ctx } from '../../platform/context.ts';
import type { App } from '../../platform/module.ts';
import { notFound } from '../../platform/http/errors.ts';
import { IdParams, PageQuery, Paged, pageOf, ProblemRef, readErrors, secured, writeErrors } from '../../platform/http/schemas.ts';
import {
  AgencyCreate,
  AgencyOrganizationInput,
  AgencyOrganizationOut,
  AgencyOrganizationParams,
  AgencyOut,
  AgencyPatch,
  AgencyRetire,
  BodyOut,
  CommitteeCreate,
  CommitteePatch,
  CommitteeRetire,
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
} from './schema.ts';
import * as store from './store.ts';
import * as commands from './commands.ts';
import { WRITE } from './permissions.ts';
import { LINK_ORGANIZATIONS, maySeeContacts } from './policies.ts';
import { presentRepresentative, presentRevision } from './presenters.ts';

const TAGS = ['Structure'];
const HistoryQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

type ListParams = { active_on?: string; include?: 'all'; page?: number; per_page?: number };
type PageOfRows<Row> = { items: Row[]; total: number; page: number; per_page: number };

/** One page of a list query: in effect on `active_on` (default today), or everything with `include=all`. */
async function listed<Row>(q: ListParams, fetch: (opts: store.ListOptions) => Promise<{ items: Row[]; total: number }>): Promise<PageOfRows<Row>> {
  const { page, perPage, offset } = pageOf(q);
  const out = await fetch({ activeOn: q.active_on ?? store.today(), all: q.include === 'all', limit: perPage, offset });
  return { ...out, page, per_page: perPage };
}

// A retire call with no body at all means "today, whatever the version": it is read as {} (after the access check).
async function emptyBodyAsObject(req: FastifyRequest) {
  if (req.body === undefined || req.body === null) req.body = {};
}

/**
 * One kind of record with the same six routes (list, create, one, change, retire, history). The schemas are type
 * parameters so that each handler reads its body and query as its own schema says.
 */
interface Resource<Row, Q extends TSchema, C extends TSchema, P extends TSchema, R extends TSchema> {
  path: string;
  noun: string;
  plural: string;
  entityType: 'agency' | 'committee' | 'partnership' | 'representative';
  out: TSchema;
  create: C;
  patch: P;
  retire: R;
  retireField: string;
  listQuery: Q;
  listNote: string;
  list(ctx: Ctx, q: Static<Q>): Promise<PageOfRows<Row>>;
  get(ctx: Ctx, id: string): Promise<Row | undefined>;
  createFn(ctx: Ctx, input: Static<C>): Promise<Row>;
  updateFn(ctx: Ctx, id: string, input: Static<P>): Promise<Row>;
  retireFn(ctx: Ctx, id: string, input: Static<R>): Promise<Row>;
  present?(actor: Actor | null, item: Row): Row;
}

function registerResource<Row, Q extends TSchema, C extends TSchema, P extends TSchema, R extends TSchema>(app: App, r: Resource<Row, Q, C, P, R>) {
  const present = (actor: Actor | null, x: Row) => (r.present ? r.present(actor, x) : x);
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
      const out = await r.list(req.ctx, req.query);
      return { ...out, items: out.items.map((x) => present(req.actor, x)) };
    },
  );

  app.post(
    r.path,
    {
      config: { access: { permission: WRITE } },
      schema: { tags: TAGS, summary: `Create a ${r.noun}`, security: secured, body: r.create, response: { 201: r.out, ...writeErrors } },
    },
    async (req, reply) => reply.code(201).send(present(req.actor, await r.createFn(req.ctx, req.body))),
  );

  app.get(
    `${r.path}/:id`,
    {
      config: { access: 'public', publicCache: true },
      schema: { tags: TAGS, summary: `One ${r.noun}`, params: IdParams, response: { 200: r.out, ...readErrors } },
    },
    async (req) => present(req.actor, await found(req.ctx, req.params.id)),
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
    async (req) => present(req.actor, await r.updateFn(req.ctx, req.params.id, req.body)),
  );

  app.post(
    `${r.path}/:id/retire`,
    {
      config: { access: { permission: WRITE } },
      preValidation: emptyBodyAsObject,
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
    async (req) => present(req.actor, await r.retireFn(req.ctx, req.params.id, req.body)),
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
      const id = req.params.id;
      await found(req.ctx, id);
      const { page, perPage, offset } = pageOf(req.query);
      const { items, total } = await store.listRevisions(req.ctx.db, r.entityType, id, perPage, offset);
      const contacts = maySeeContacts(req.actor);
      return { items: items.map((x) => presentRevision(x, contacts)), total, page, per_page: perPage };
    },
  );
}

/**
 * Which account organisations act for an agency (their accounts report on its work-plan actions and get its
 * reminders). Administrators only: the names of account organisations are not public, and the link is theirs to set.
 */
function agencyOrganizationRoutes(app: App) {
  const admins = { access: { permission: LINK_ORGANIZATIONS } } as const;
  const { 409: _noConflict, ...refusals } = writeErrors;
  const agencyOr404 = async (ctx: Ctx, id: string) => {
    if (!(await store.getAgency(ctx.db, id))) throw notFound('No such agency.');
  };

  app.get(
    '/api/agencies/:id/organizations',
    {
      config: admins,
      schema: {
        tags: TAGS,
        summary: 'Account organisations that act for an agency',
        description: "Accounts of these organisations count as the agency's staff: they report on the work-plan actions it leads and get its reminders. Needs `users.manage`.",
        security: secured,
        params: IdParams,
        response: { 200: Type.Array(AgencyOrganizationOut), ...refusals },
      },
    },
    async (req) => {
      await agencyOr404(req.ctx, req.params.id);
      return store.listAgencyOrganizations(req.ctx.db, req.params.id);
    },
  );

  app.post(
    '/api/agencies/:id/organizations',
    {
      config: admins,
      schema: {
        tags: TAGS,
        summary: 'Let an account organisation act for an agency',
        description: 'Linking an organisation already linked changes nothing. An unknown organisation gets 400 naming `organization_id`. Audited (`structure.agency.organization.link`). Needs `users.manage`.',
        security: secured,
        params: IdParams,
        body: AgencyOrganizationInput,
        response: { 201: AgencyOrganizationOut, ...refusals },
      },
    },
    async (req, reply) => reply.code(201).send(await commands.linkAgencyOrganization(req.ctx, req.params.id, req.body)),
  );

  app.delete(
    '/api/agencies/:id/organizations/:organizationId',
    {
      config: admins,
      schema: {
        tags: TAGS,
        summary: 'Stop an account organisation acting for an agency',
        description: "Its accounts lose the agency's rights at once. 404 when the organisation does not act for the agency. Audited (`structure.agency.organization.unlink`). Needs `users.manage`.",
        security: secured,
        params: AgencyOrganizationParams,
        response: { 204: Type.Null(), ...refusals },
      },
    },
    async (req, reply) => {
      await commands.unlinkAgencyOrganization(req.ctx, req.params.id, { organization_id: req.params.organizationId });
      return reply.code(204).send(null);
    },
  );
}

export async function structureApi(app: App): Promise<void> {
  app.get(
    '/api/structure',
    {
      config: { access: 'public', publicCache: true },
      schema: {
        tags: TAGS,
        summary: 'The task force at a glance',
        description: 'The task force, its policy operating group, the committees and partnerships in effect on `active_on` (default today), and counts.',
        querystring: Type.Object({ active_on: ListQuery.properties.active_on }, { additionalProperties: false }),
        response: { 200: OverviewOut, 400: ProblemRef },
      },
    },
    async (req) => store.overview(req.ctx.db, req.query.active_on ?? store.today()),
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
    list: (ctx, q) => listed(q, (o) => store.listAgencies(ctx.db, o)),
    get: (ctx, id) => store.getAgency(ctx.db, id),
    createFn: (ctx, input) => commands.createAgency(ctx, input),
    updateFn: (ctx, id, input) => commands.updateAgency(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retireAgency(ctx, id, input),
  });

  agencyOrganizationRoutes(app);

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
    list: (ctx, q) => listed(q, (o) => store.listBodies(ctx.db, 'committee', o)),
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
    async (req) => commands.replaceMembers(req.ctx, req.params.id, req.body),
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
    list: (ctx, q) => listed(q, (o) => store.listPartnerships(ctx.db, o)),
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
    async (req) => commands.replacePartners(req.ctx, req.params.id, req.body),
  );

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
    list: (ctx, q) => listed(q, (o) => store.listRepresentatives(ctx.db, { agencyId: q.agency_id, bodyId: q.body_id, partnershipId: q.partnership_id }, o)),
    get: (ctx, id) => store.getRepresentative(ctx.db, id),
    createFn: (ctx, input) => commands.createRepresentative(ctx, input),
    updateFn: (ctx, id, input) => commands.updateRepresentative(ctx, id, input),
    retireFn: (ctx, id, input) => commands.retireRepresentative(ctx, id, input),
    present: (actor, x) => presentRepresentative(x, maySeeContacts(actor)),
  });
}
