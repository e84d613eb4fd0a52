import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import type { App } from '../../platform/module.ts';
import { isUuid } from '../../platform/db/index.ts';
import { fieldError } from '../../platform/http/errors.ts';
import { IdParams, Paged, ProblemRef, pageOf, secured, writeErrors } from '../../platform/http/schemas.ts';
import { createReferral, markNotificationsRead, purgeClosed, readClient, referralFor, revokeConsent, runReminders, transition } from './commands.ts';
import { networkName } from './deps.ts';
import { ADMIN, CLIENT_READ, READ, SEND, STATS } from './permissions.ts';
import {
  CLIENT_FIELDS,
  CONSENT_FORM,
  ClientOut,
  ListQuery,
  NotificationOut,
  ReferralCreate,
  ReferralListItem,
  ReferralOut,
  ReminderResult,
  RevokeInput,
  RunInput,
  RunResult,
  StatsOut,
  StatsQuery,
  TransitionInput,
} from './schema.ts';
import { buildStats, type Stats } from './stats.ts';
import {
  allowedActions,
  clientFieldNames,
  consentActive,
  getConsent,
  listEvents,
  listNotifications,
  listReferrals,
  open,
  readableFields,
  unreadCount,
  type Referral,
  type Side,
} from './store.ts';
import { stewardedOrganizations } from './deps.ts';

const TAGS = ['Referrals'];

/** Everything a party to the referral may see about it; client detail values only through GET .../client. */
export async function referralOut(ctx: Ctx, ref: Referral, side: Side) {
  const [consent, events, stored] = await Promise.all([getConsent(ctx.db, ref.id), listEvents(ctx.db, ref.id), clientFieldNames(ctx.db, ref.id)]);
  const actor = ctx.actor!;
  return {
    id: ref.id,
    version: ref.version,
    status: ref.status,
    side,
    sender_organization: { id: ref.sender_organization_id, name: ref.sender_name },
    receiver_organization: { id: ref.receiver_organization_id, name: ref.receiver_name },
    service: { id: ref.service_id, name: ref.service_name },
    location_id: ref.location_id,
    network: ref.network_id ? { id: ref.network_id, name: ref.network_name ?? '' } : null,
    area: ref.area_fips ? { fips: ref.area_fips, state: ref.area_state } : null,
    needs: ref.needs,
    urgency: ref.urgency,
    note: open(ctx.config, ref.note_enc),
    decline_reason: ref.decline_reason,
    outcome: ref.outcome,
    outcome_reason: ref.outcome_reason,
    created_at: ref.created_at,
    sent_at: ref.sent_at,
    accepted_at: ref.accepted_at,
    closed_at: ref.closed_at,
    updated_at: ref.updated_at,
    purged: Boolean(ref.purged_at),
    consent: consent
      ? { fields: consent.fields, organization_id: consent.organization_id, form_version: consent.form_version, attested_at: consent.attested_at, expires_on: consent.expires_on, revoked_at: consent.revoked_at, active: consentActive(consent) }
      : null,
    client_fields: stored,
    client_visible: readableFields(actor, ref, side, consent, stored).length > 0,
    allowed_actions: allowedActions(actor, ref, side),
    events: events.map((e) => ({ version: e.version, at: e.at, action: e.action, from_status: e.from_status, to_status: e.to_status, actor_name: e.actor_name, actor_organization: e.actor_organization, reason: e.reason, note: open(ctx.config, e.note_enc) })),
  };
}

export function listItem(r: Referral, actedFor: string[]) {
  const sender = actedFor.includes(r.sender_organization_id);
  const receiver = actedFor.includes(r.receiver_organization_id) && r.status !== 'draft';
  return {
    id: r.id,
    version: r.version,
    status: r.status,
    side: sender && receiver ? 'both' : sender ? 'sender' : 'receiver',
    sender_organization: { id: r.sender_organization_id, name: r.sender_name },
    receiver_organization: { id: r.receiver_organization_id, name: r.receiver_name },
    service: { id: r.service_id, name: r.service_name },
    needs: r.needs,
    urgency: r.urgency,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** Statistics for a query; an unknown network is a 400 on the field rather than an empty page. */
export async function statsFor(ctx: Ctx, q: { network_id?: string; from?: string; to?: string }): Promise<Stats> {
  let name: string | undefined;
  if (q.network_id) {
    if (!isUuid(q.network_id)) throw fieldError('network_id', 'must be a valid uuid');
    name = await networkName(ctx.db, q.network_id);
    if (!name) throw fieldError('network_id', 'no network has this id');
  }
  if (q.from && q.to && q.from > q.to) throw fieldError('to', 'must not be before from');
  return buildStats(ctx.db, ctx.config.suppressionThreshold, { networkId: q.network_id, networkName: name, from: q.from, to: q.to });
}

export async function referralsApi(app: App): Promise<void> {
  app.get(
    '/api/referrals/consent-form',
    {
      config: { access: { permission: READ } },
      schema: {
        tags: TAGS,
        summary: 'The current consent form: its version, its text and the client details it can cover',
        security: secured,
        response: { 200: Type.Object({ version: Type.String(), text: Type.String(), fields: Type.Array(Type.String()) }), 401: ProblemRef, 403: ProblemRef },
      },
    },
    async () => ({ version: CONSENT_FORM.version, text: CONSENT_FORM.text, fields: [...CLIENT_FIELDS] }),
  );

  app.get(
    '/api/referrals',
    {
      config: { access: { permission: READ } },
      schema: { tags: TAGS, summary: 'Referrals sent or received by the organisations you act for', security: secured, querystring: ListQuery, response: { 200: Paged(ReferralListItem), ...writeErrors } },
    },
    async (req) => {
      const q = req.query;
      const { page, perPage, offset } = pageOf(q);
      const actedFor = await stewardedOrganizations(req.ctx.db, req.ctx.actor!.organizationId);
      const { items, total } = await listReferrals(req.ctx.db, { actedFor, box: q.box ?? 'all', status: q.status, limit: perPage, offset });
      return { items: items.map((r) => listItem(r, actedFor)), total, page, per_page: perPage };
    },
  );

  app.post(
    '/api/referrals',
    {
      config: { access: { permission: SEND } },
      schema: {
        tags: TAGS,
        summary: 'Make a referral to a directory service (sent at once unless send is false)',
        description:
          'Client details are optional and need a consent that covers each of them. Services never depend on consent: a referral without client details is sent all the same.',
        security: secured,
        body: ReferralCreate,
        response: { 201: ReferralOut, ...writeErrors },
      },
    },
    async (req, reply) => {
      const ref = await createReferral(req.ctx, req.body);
      return reply.code(201).send(await referralOut(req.ctx, ref, (await referralFor(req.ctx, ref.id)).side));
    },
  );

  app.get(
    '/api/referrals/notifications',
    {
      config: { access: { permission: READ } },
      schema: { tags: TAGS, summary: 'Your in-app referral notifications, newest first', security: secured, response: { 200: Type.Object({ unread: Type.Integer(), items: Type.Array(NotificationOut) }), 401: ProblemRef, 403: ProblemRef } },
    },
    async (req) => ({ unread: await unreadCount(req.ctx.db, req.ctx.actor!.id), items: await listNotifications(req.ctx.db, req.ctx.actor!.id) }),
  );

  app.post(
    '/api/referrals/notifications/read',
    {
      config: { access: { permission: READ } },
      schema: {
        tags: TAGS,
        summary: 'Mark your notifications read (all, or those of one referral)',
        security: secured,
        body: Type.Object({ referral_id: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
        response: { 200: RunResult, ...writeErrors },
      },
    },
    async (req) => ({ count: await markNotificationsRead(req.ctx, req.body.referral_id) }),
  );

  app.get(
    '/api/referrals/stats',
    {
      config: { access: { permission: STATS } },
      schema: {
        tags: TAGS,
        summary: 'De-identified referral statistics, small cells suppressed',
        description: 'Counts from 1 to SUPPRESSION_THRESHOLD are null with suppressed: true, and so are the complementary cells that would reveal them.',
        security: secured,
        querystring: StatsQuery,
        response: { 200: StatsOut, ...writeErrors },
      },
    },
    async (req) => statsFor(req.ctx, req.query),
  );

  app.post(
    '/api/referrals/purge',
    {
      config: { access: { permission: ADMIN } },
      schema: { tags: TAGS, summary: 'Purge client details and notes of referrals closed longer than the retention period', security: secured, body: RunInput, response: { 200: RunResult, ...writeErrors } },
    },
    async (req) => {
      const at = req.body.at;
      return { count: await purgeClosed(req.ctx, at ? new Date(at) : new Date()) };
    },
  );

  app.post(
    '/api/referrals/reminders',
    {
      config: { access: { permission: ADMIN } },
      schema: { tags: TAGS, summary: 'Expire referrals nobody acted on and remind receiving organisations of waiting ones', security: secured, body: RunInput, response: { 200: ReminderResult, ...writeErrors } },
    },
    async (req) => {
      const at = req.body.at;
      return runReminders(req.ctx, at ? new Date(at) : new Date(), () => {});
    },
  );

  app.get(
    '/api/referrals/:id',
    {
      config: { access: { permission: READ } },
      schema: { tags: TAGS, summary: 'One referral with its timeline and consent (client detail values excluded)', security: secured, params: IdParams, response: { 200: ReferralOut, ...writeErrors } },
    },
    async (req) => {
      const { ref, side } = await referralFor(req.ctx, req.params.id);
      return referralOut(req.ctx, ref, side);
    },
  );

  app.post(
    '/api/referrals/:id/transitions',
    {
      config: { access: { permission: READ } },
      schema: {
        tags: TAGS,
        summary: 'Take one lifecycle step, based on the version you saw',
        description: 'send, cancel: the sending side; receive, accept, decline (with reason), start, complete (with outcome): the receiving side. A stale version gets 409.',
        security: secured,
        params: IdParams,
        body: TransitionInput,
        response: { 200: ReferralOut, ...writeErrors },
      },
    },
    async (req) => {
      await transition(req.ctx, req.params.id, req.body);
      const { ref, side } = await referralFor(req.ctx, req.params.id);
      return referralOut(req.ctx, ref, side);
    },
  );

  app.post(
    '/api/referrals/:id/consent/revoke',
    {
      config: { access: { permission: READ } },
      schema: { tags: TAGS, summary: "Record that the client withdrew consent: the receiving organisation loses access to the details at once", security: secured, params: IdParams, body: RevokeInput, response: { 200: ReferralOut, ...writeErrors } },
    },
    async (req) => {
      await revokeConsent(req.ctx, req.params.id, req.body);
      const { ref, side } = await referralFor(req.ctx, req.params.id);
      return referralOut(req.ctx, ref, side);
    },
  );

  app.get(
    '/api/referrals/:id/client',
    {
      config: { access: { permission: CLIENT_READ } },
      schema: { tags: TAGS, summary: 'The client details you may read now (each read is audited)', security: secured, params: IdParams, response: { 200: ClientOut, ...writeErrors } },
    },
    async (req, reply) => {
      const fields = await readClient(req.ctx, req.params.id);
      reply.header('cache-control', 'no-store');
      return { referral_id: req.params.id, fields };
    },
  );
}
