/** JSON routes for stewards, proposals, review and capacity (tag "Directory editing"). */
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { notFound } from '../../platform/http/errors.ts';
import { IdParams, Nullable, Paged, pageOf, PageQuery, ProblemRef, secured, Uuid, writeErrors } from '../../platform/http/schemas.ts';
import { MANAGE, PROPOSE } from './permissions.ts';
import { seesConfidential } from './policies.ts';
import { addSteward, listStewards, removeSteward, stewardedOrganizations, StewardInput } from './stewards.ts';
import {
  ApproveInput,
  CapacityInput,
  CHANGES,
  approveProposal,
  listingsOf,
  listProposals,
  displayName,
  proposalDetail,
  proposeChange,
  returnProposal,
  ReturnInput,
  updateCapacity,
  withdrawProposal,
  PROPOSAL_STATUSES,
  TARGET_TYPES,
  type TargetType,
} from './editing.ts';

const TAGS = ['Directory editing'];
// Writes that cannot conflict: no 409.
const { 409: _stale, ...refusals } = writeErrors;
const NullableString = Nullable(Type.String());

const StewardSchema = Type.Object({
  directory_organization_id: Type.String(),
  directory_organization_name: Type.String(),
  account_organization_id: Type.String(),
  account_organization_name: Type.String(),
  created_at: Type.String(),
});

const Status = Type.Union(PROPOSAL_STATUSES.map((x) => Type.Literal(x)));
const ProposalSchema = Type.Object({
  id: Type.String(),
  target_type: Type.Union(TARGET_TYPES.map((t) => Type.Literal(t))),
  target_id: Type.String(),
  target_name: Type.String(),
  organization_id: Type.String(),
  organization_name: Type.String(),
  status: Status,
  reason: NullableString,
  fields: Type.Array(Type.String(), { description: 'The fields the proposal changes.' }),
  proposer_id: Type.String(),
  proposer_organization_id: Type.String(),
  proposer_organization_name: Type.String(),
  created_at: Type.String(),
  reviewed_at: NullableString,
  confidential: Type.Boolean({ description: 'The record is a confidential location.' }),
});
const DetailSchema = Type.Composite([
  ProposalSchema,
  Type.Object({
    diff: Type.Array(
      Type.Object({
        field: Type.String(),
        base: Type.Unknown({ description: 'The value when the proposal was made.' }),
        proposed: Type.Unknown(),
        current: Type.Unknown({ description: 'The value now.' }),
        stale: Type.Boolean({ description: 'Changed by someone else since the proposal was made.' }),
      }),
    ),
    stale: Type.Boolean(),
    gone: Type.Boolean({ description: 'The record no longer exists.' }),
    redacted: Type.Boolean({ description: "A confidential location's address is withheld from this caller." }),
  }),
]);
const CapacitySchema = Type.Object({ id: Type.String(), service_id: Type.String(), available: Type.Number(), maximum: Nullable(Type.Number()), unit: Type.String(), description: NullableString, updated: Type.String() });
const ListingSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  services: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), status: Type.String(), capacities: Type.Array(CapacitySchema) })),
  locations: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), confidential: Type.Boolean() })),
});

const PLURAL: Record<TargetType, string> = { organization: 'organizations', service: 'services', location: 'locations' };

export async function editingApi(app: App) {
  const manage = { access: { permission: MANAGE } } as const;
  const propose = { access: { permission: PROPOSE } } as const;

  app.get(
    '/api/directory/organizations/:id/stewards',
    { config: manage, schema: { tags: TAGS, summary: 'Account organisations that act for a directory organisation', security: secured, params: IdParams, response: { 200: Type.Array(StewardSchema), ...refusals } } },
    async (req) => {
      const id = req.params.id;
      const org = await req.ctx.db.selectFrom('directory_organization').select('id').where('id', '=', id).executeTakeFirst();
      if (!org) throw notFound('No such organization.');
      return listStewards(req.ctx.db, id);
    },
  );

  app.post(
    '/api/directory/organizations/:id/stewards',
    {
      config: manage,
      schema: {
        tags: TAGS,
        summary: 'Let an account organisation act for a directory organisation (edit its listing through review)',
        security: secured,
        params: IdParams,
        body: Type.Object({ account_organization_id: StewardInput.properties.account_organization_id }, { additionalProperties: false }),
        response: { 201: StewardSchema, ...refusals },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const org = await req.ctx.db.selectFrom('directory_organization').select('id').where('id', '=', id).executeTakeFirst();
      if (!org) throw notFound('No such organization.');
      const s = await addSteward(req.ctx, { ...req.body, directory_organization_id: id });
      return reply.code(201).send(s);
    },
  );

  app.delete(
    '/api/directory/organizations/:id/stewards/:accountOrganizationId',
    {
      config: manage,
      schema: { tags: TAGS, summary: 'Stop an account organisation acting for a directory organisation', security: secured, params: Type.Object({ id: Uuid, accountOrganizationId: Uuid }), response: { 204: Type.Null(), ...refusals } },
    },
    async (req, reply) => {
      const p = req.params;
      await removeSteward(req.ctx, { directory_organization_id: p.id, account_organization_id: p.accountOrganizationId });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/directory/listings',
    { config: propose, schema: { tags: TAGS, summary: "The listings the caller's account organisation acts for, with services, locations and capacities", security: secured, response: { 200: Type.Array(ListingSchema), 401: ProblemRef, 403: ProblemRef } } },
    async (req) => listingsOf(req.ctx.db, await stewardedOrganizations(req.ctx.db, req.actor!.organizationId), seesConfidential(req.ctx)),
  );

  for (const type of TARGET_TYPES) {
    app.post(
      `/api/directory/${PLURAL[type]}/:id/proposals`,
      {
        config: propose,
        schema: {
          tags: TAGS,
          summary: `Propose changes to a ${type} of a listing the caller's organisation acts for (goes to review)`,
          description: 'Fields left out stay as they are; null clears a field. Lists (hours, languages, phones) replace the whole list. 403 unless the caller\'s account organisation stewards the listing.',
          security: secured,
          params: IdParams,
          body: CHANGES[type],
          response: { 201: ProposalSchema, ...refusals },
        },
      },
      async (req, reply) => reply.code(201).send(await proposeChange(req.ctx, type, req.params.id, req.body ?? {})),
    );
  }

  app.get(
    '/api/directory/proposals',
    {
      config: manage,
      schema: {
        tags: TAGS,
        summary: 'The review queue: proposals by status (pending by default), oldest first',
        security: secured,
        querystring: Type.Object({ status: Type.Optional(Status), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Paged(ProposalSchema), 400: ProblemRef, 401: ProblemRef, 403: ProblemRef },
      },
    },
    async (req) => {
      const q = req.query;
      const { page, perPage, offset } = pageOf(q);
      const { items, total } = await listProposals(req.ctx.db, { status: q.status ?? 'pending' }, perPage, offset);
      return { items: items.map((p) => ({ ...p, target_name: displayName(p, seesConfidential(req.ctx)) })), total, page, per_page: perPage };
    },
  );

  app.get(
    '/api/directory/my/proposals',
    {
      config: propose,
      schema: { tags: TAGS, summary: "The caller's own proposals and their status, newest first", security: secured, querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: Paged(ProposalSchema), 400: ProblemRef, 401: ProblemRef, 403: ProblemRef } },
    },
    async (req) => {
      const { page, perPage, offset } = pageOf(req.query);
      const { items, total } = await listProposals(req.ctx.db, { proposerId: req.actor!.id }, perPage, offset);
      // A confidential location's name is withheld from unvetted roles, its own stewards included.
      return { items: items.map((p) => ({ ...p, target_name: displayName(p, seesConfidential(req.ctx)) })), total, page, per_page: perPage };
    },
  );

  app.get(
    '/api/directory/proposals/:id',
    {
      config: propose,
      schema: { tags: TAGS, summary: 'One proposal with a field-by-field diff (its proposer and reviewers only)', security: secured, params: IdParams, response: { 200: DetailSchema, ...refusals } },
    },
    async (req) => {
      const d = await proposalDetail(req.ctx.db, req.params.id, req.actor);
      if (!d) throw notFound('No such proposal.');
      return d;
    },
  );

  app.post(
    '/api/directory/proposals/:id/approve',
    {
      config: manage,
      schema: {
        tags: TAGS,
        summary: "Approve a proposal: apply it, set the service's last verified date, reindex; 409 if the record changed meanwhile",
        description: 'When a field the proposal changes was changed by someone else since, the answer is 409 naming those fields; after comparing, send `confirm_stale: true` to apply anyway.',
        security: secured,
        params: IdParams,
        body: ApproveInput,
        response: { 200: DetailSchema, ...writeErrors },
      },
    },
    async (req) => approveProposal(req.ctx, req.params.id, req.body ?? {}),
  );

  app.post(
    '/api/directory/proposals/:id/return',
    {
      config: manage,
      schema: { tags: TAGS, summary: 'Return a proposal to its proposer with a reason; the listing does not change', security: secured, params: IdParams, body: ReturnInput, response: { 200: DetailSchema, ...writeErrors } },
    },
    async (req) => returnProposal(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/directory/proposals/:id/withdraw',
    {
      config: propose,
      schema: { tags: TAGS, summary: 'Withdraw one of your own proposals while it awaits review', security: secured, params: IdParams, response: { 200: DetailSchema, ...writeErrors } },
    },
    async (req) => withdrawProposal(req.ctx, req.params.id),
  );

  app.post(
    '/api/directory/services/:id/capacities/:capacityId',
    {
      config: propose,
      schema: {
        tags: TAGS,
        summary: 'Set the places a service has available now (HSDS 3.1 service_capacity), without review; audited',
        description: "For stewards of the service's organisation and for directory managers.",
        security: secured,
        params: Type.Object({ id: Uuid, capacityId: Uuid }),
        body: CapacityInput,
        response: { 200: CapacitySchema, ...refusals },
      },
    },
    async (req) => {
      const p = req.params;
      return updateCapacity(req.ctx, p.id, p.capacityId, req.body);
    },
  );
}
