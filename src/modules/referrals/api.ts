import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { IdParams, Paged, ProblemRef, pageOf, secured, writeErrors } from '../../platform/http/schemas.ts';
import { createReferral, markNotificationsRead, purgeClosed, revokeConsent, runReminders, transition } from './commands.ts';
import { stewardedOrganizations } from './deps.ts';
import { ADMIN, CLIENT_READ, READ, SEND, STATS } from './permissions.ts';
import { listItem, referralOut } from './presenters.ts';
import { readClient, referralFor, statsFor } from './reads.ts';
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
import { listNotifications, listReferrals, unreadCount } from './store.ts';
import { IdempotencyHeaders, idempotent } from '../../platform/http/idempotency.ts';

const TAGS = ['Referrals'];

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
        headers: IdempotencyHeaders,
        body: ReferralCreate,
        response: { 200: ReferralOut, 201: ReferralOut, ...writeErrors },
      },
    },
    async (req, reply) => {
      // With an Idempotency-Key, sending the same referral twice makes one (issue 15); the repeat answers it, 200.
      const { location, replayed } = await idempotent(req, async () => `/api/referrals/${(await createReferral(req.ctx, req.body)).id}`);
      const { ref, side } = await referralFor(req.ctx, location.slice(location.lastIndexOf('/') + 1));
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(replayed ? 200 : 201).send(await referralOut(req.ctx, ref, side));
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
