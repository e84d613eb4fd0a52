import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import type { App } from '../../platform/module.ts';
import { forbidden, notFound } from '../../platform/http/errors.ts';
import { IdParams, Paged, pageOf, ProblemRef, readErrors, secured as security, writeErrors } from '../../platform/http/schemas.ts';
import {
  AgreementCreate,
  AgreementOut,
  AgreementParams,
  AgreementPatch,
  ContactCreate,
  ContactOut,
  ContactParams,
  ContactPatch,
  CoverageOut,
  CoverageQuery,
  ListQuery,
  MemberAdd,
  MemberOut,
  MemberParams,
  MemberPatch,
  NetworkCreate,
  NetworkOut,
  NetworkPatch,
  NetworkRetire,
  NetworkSummaryOut,
  StatesOut,
  StatesQuery,
  MAX_DISTANCE,
  DEFAULT_DISTANCE,
} from './schema.ts';
import * as store from './store.ts';
import * as commands from './commands.ts';
import { networkCoverage, statesCoverage } from './coverage.ts';
import { CONTACTS_READ, EDIT_OWN, MANAGE } from './permissions.ts';
import { DETAILS_REFUSED } from './policies.ts';
import { coverageCsv, networkFor, pageSlice, viewerOf } from './presenters.ts';

const TAGS = ['Networks'];
const signedInReadErrors = { ...readErrors, 401: ProblemRef, 403: ProblemRef };
const PUBLIC = { access: 'public', publicCache: true } as const;
const EDITORS = { access: { permission: EDIT_OWN } } as const;
const READERS = { access: { permission: CONTACTS_READ } } as const;
const MANAGERS = { access: { permission: MANAGE } } as const;
const EDIT_NOTE = "Network managers (networks.manage) and staff of the convener (their account organisation stewards the convening directory organisation; permission and token scope networks.edit_own) may do this; others get 403.";
const DETAILS_NOTE = "Agreements and contacts are shown to the network's members (staff of an account organisation that stewards a member organisation), its convener and network managers.";

async function found(ctx: Ctx, id: string): Promise<store.NetworkRecord> {
  const n = await store.getNetwork(ctx.db, id);
  if (!n) throw notFound('No such network.');
  return n;
}

/** The network, for its members, its convener and managers only. */
async function insider(ctx: Ctx, id: string): Promise<store.NetworkRecord> {
  const n = await found(ctx, id);
  if (!(await viewerOf(ctx, n)).member_details) throw forbidden(DETAILS_REFUSED);
  return n;
}

export async function networksApi(app: App): Promise<void> {
  app.get(
    '/api/networks',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'List local networks',
        description: 'Active networks by name (`include=retired` adds retired ones); `state` keeps those whose area touches a state, `organization_id` those a directory organisation belongs to.',
        querystring: ListQuery,
        response: { 200: Paged(NetworkSummaryOut), ...readErrors },
      },
    },
    async (req) => {
      const q = req.query;
      const { page, perPage } = pageOf(q);
      const all = await store.listNetworks(req.ctx.db, { state: q.state, organizationId: q.organization_id, includeRetired: q.include === 'retired' });
      return { ...pageSlice(all, page, perPage), page, per_page: perPage };
    },
  );

  app.post(
    '/api/networks',
    {
      config: MANAGERS,
      schema: {
        tags: TAGS,
        summary: 'Create a local network',
        description: 'The area is `regions` (states and/or counties by FIPS code) or `radius` (center_lat, center_lng, radius_miles). The convener becomes the first member.',
        security,
        body: NetworkCreate,
        response: { 201: NetworkOut, ...writeErrors },
      },
    },
    async (req, reply) => {
      const n = await commands.createNetwork(req.ctx, req.body);
      return reply.code(201).send(await networkFor(req.ctx, n));
    },
  );

  app.get(
    '/api/networks/coverage/states',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'National coverage by state',
        description: `For every county of the country: which needs have a provider within \`distance\` miles (default ${DEFAULT_DISTANCE}, at most ${MAX_DISTANCE}) of its centre, summed up by state, with the number of active networks touching each state. Confidential locations count only for callers vetted for them.`,
        querystring: StatesQuery,
        response: { 200: StatesOut, 400: ProblemRef },
      },
    },
    async (req) => statesCoverage(req.ctx, { distance: req.query.distance, needs: req.query.need }),
  );

  app.get(
    '/api/networks/:id',
    {
      config: PUBLIC,
      schema: { tags: TAGS, summary: 'One network', description: `Name, area, convener and members for everyone. ${DETAILS_NOTE} \`viewer\` says what the caller may do.`, params: IdParams, response: { 200: NetworkOut, ...readErrors } },
    },
    async (req) => networkFor(req.ctx, await found(req.ctx, req.params.id)),
  );

  app.patch(
    '/api/networks/:id',
    {
      config: EDITORS,
      schema: {
        tags: TAGS,
        summary: 'Change a network',
        description: `Send \`version\` as read; only the fields sent change. A stale version gets 409 Conflict. ${EDIT_NOTE}`,
        security,
        params: IdParams,
        body: NetworkPatch,
        response: { 200: NetworkOut, ...writeErrors },
      },
    },
    async (req) => networkFor(req.ctx, await commands.updateNetwork(req.ctx, req.params.id, req.body)),
  );

  app.post(
    '/api/networks/:id/retire',
    {
      config: MANAGERS,
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags: TAGS,
        summary: 'Retire a network',
        description: 'Sets `retired_on` (default today). The network, its members and agreements are kept. The body may be empty.',
        security,
        params: IdParams,
        body: NetworkRetire,
        response: { 200: NetworkOut, ...writeErrors },
      },
    },
    async (req) => networkFor(req.ctx, await commands.retireNetwork(req.ctx, req.params.id, req.body ?? {})),
  );

  app.get(
    '/api/networks/:id/coverage',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: "Coverage and gaps in a network's area",
        description: `For each county of the area and each of the network's needs (every need when it names none): whether a provider has a location within \`distance\` miles of the county's centre (default ${DEFAULT_DISTANCE}), the nearest such location's distance and how many organisations are that close. \`scope=members\` counts only the network's members. \`gaps\` lists the uncovered county × need pairs. Confidential locations count only for callers vetted for them.`,
        params: IdParams,
        querystring: CoverageQuery,
        response: { 200: CoverageOut, ...readErrors },
      },
    },
    async (req) => networkCoverage(req.ctx, await found(req.ctx, req.params.id), { distance: req.query.distance, scope: req.query.scope }),
  );

  app.get(
    '/api/networks/:id/coverage.csv',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'The gap report as CSV',
        description: 'One row per county and need of the coverage answer (same parameters): fips, county, state, need, covered, nearest_miles, providers.',
        params: IdParams,
        querystring: CoverageQuery,
        produces: ['text/csv'],
        response: { 200: Type.String(), ...readErrors },
      },
    },
    async (req, reply) => {
      const csv = coverageCsv(await networkCoverage(req.ctx, await found(req.ctx, req.params.id), { distance: req.query.distance, scope: req.query.scope }));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(csv.body);
    },
  );

  // ---------- members ----------

  app.post(
    '/api/networks/:id/members',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Add a member organisation', description: `A directory organisation with its role in the network. ${EDIT_NOTE}`, security, params: IdParams, body: MemberAdd, response: { 201: MemberOut, ...writeErrors } } },
    async (req, reply) => reply.code(201).send(await commands.addMember(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/api/networks/:id/members/:organizationId',
    { config: EDITORS, schema: { tags: TAGS, summary: "Change a member's role, joining date or note", description: EDIT_NOTE, security, params: MemberParams, body: MemberPatch, response: { 200: MemberOut, ...writeErrors } } },
    async (req) => commands.updateMember(req.ctx, req.params.id, req.params.organizationId, req.body),
  );

  app.delete(
    '/api/networks/:id/members/:organizationId',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Remove a member organisation', description: `The convener cannot be removed (409). ${EDIT_NOTE}`, security, params: MemberParams, response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      await commands.removeMember(req.ctx, req.params.id, req.params.organizationId);
      return reply.code(204).send(null);
    },
  );

  // ---------- agreements ----------

  app.get(
    '/api/networks/:id/agreements',
    { config: READERS, schema: { tags: TAGS, summary: "A network's agreements (MOUs)", description: DETAILS_NOTE, security, params: IdParams, response: { 200: Type.Array(AgreementOut), ...signedInReadErrors } } },
    async (req) => store.agreementsOf(req.ctx.db, (await insider(req.ctx, req.params.id)).id),
  );

  app.post(
    '/api/networks/:id/agreements',
    {
      config: EDITORS,
      schema: { tags: TAGS, summary: 'Record an agreement', description: `An MOU or similar agreement, of the whole network or with one member: whether a signed copy is on file, signed and expiry dates. ${EDIT_NOTE}`, security, params: IdParams, body: AgreementCreate, response: { 201: AgreementOut, ...writeErrors } },
    },
    async (req, reply) => reply.code(201).send(await commands.addAgreement(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/api/networks/:id/agreements/:agreementId',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Change an agreement', description: EDIT_NOTE, security, params: AgreementParams, body: AgreementPatch, response: { 200: AgreementOut, ...writeErrors } } },
    async (req) => commands.updateAgreement(req.ctx, req.params.id, req.params.agreementId, req.body),
  );

  app.delete(
    '/api/networks/:id/agreements/:agreementId',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Remove an agreement', description: EDIT_NOTE, security, params: AgreementParams, response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      await commands.removeAgreement(req.ctx, req.params.id, req.params.agreementId);
      return reply.code(204).send(null);
    },
  );

  // ---------- contacts ----------

  app.get(
    '/api/networks/:id/contacts',
    { config: READERS, schema: { tags: TAGS, summary: "A network's contacts", description: DETAILS_NOTE, security, params: IdParams, response: { 200: Type.Array(ContactOut), ...signedInReadErrors } } },
    async (req) => store.contactsOf(req.ctx.db, (await insider(req.ctx, req.params.id)).id),
  );

  app.post(
    '/api/networks/:id/contacts',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Add a contact person', description: `Name, title, e-mail and phone, optionally of a member organisation. ${EDIT_NOTE}`, security, params: IdParams, body: ContactCreate, response: { 201: ContactOut, ...writeErrors } } },
    async (req, reply) => reply.code(201).send(await commands.addContact(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/api/networks/:id/contacts/:contactId',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Change a contact', description: EDIT_NOTE, security, params: ContactParams, body: ContactPatch, response: { 200: ContactOut, ...writeErrors } } },
    async (req) => commands.updateContact(req.ctx, req.params.id, req.params.contactId, req.body),
  );

  app.delete(
    '/api/networks/:id/contacts/:contactId',
    { config: EDITORS, schema: { tags: TAGS, summary: 'Remove a contact', description: EDIT_NOTE, security, params: ContactParams, response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      await commands.removeContact(req.ctx, req.params.id, req.params.contactId);
      return reply.code(204).send(null);
    },
  );
}
