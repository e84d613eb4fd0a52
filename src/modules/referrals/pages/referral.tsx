import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../../platform/web/i18n.ts';
import type { View } from '../../../platform/web/view.ts';
import type { App } from '../../../platform/module.ts';
import { HttpError, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { ActionButton, Alert, Breadcrumbs, Csrf, ErrorSummary, Select, SubmitButton, Table } from '../../../platform/web/components.tsx';
import { markNotificationsRead, revokeConsent, transition } from '../commands.ts';
import { CLIENT_READ, READ } from '../permissions.ts';
import { referralOut, type ReferralView } from '../presenters.ts';
import { readClient, referralFor } from '../reads.ts';
import { CLIENT_FIELDS, DECLINE_REASONS, OUTCOME_REASONS, OUTCOMES, type ClientField } from '../schema.ts';
import { unreadCount } from '../store.ts';
import { FormPost, IdPage, opts, StatusTag, val, when, type Input } from './common.tsx';

type Out = ReferralView;

function ActionForm({ v, r, action, errors, input }: { v: View; r: Out; action: string; errors?: FieldError[]; input?: Input }) {
  const mine = input?.action === action;
  const e = mine ? errors : undefined;
  return (
    <form method="post" action={`/referrals/${r.id}/transition`} class="usa-form margin-bottom-4 border-top-1px border-base-lighter padding-top-2">
      <h3>{v.t(`rf.action.${action}`)}</h3>
      <Csrf v={v} />
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="version" value={String(r.version)} />
      {action === 'decline' && <Select name="reason" label={v.t('rf.decline.reason')} required value={mine ? val(input, 'reason') : undefined} blank={v.t('rf.choose')} options={opts(v, 'rf.reason', DECLINE_REASONS)} errors={e} />}
      {action === 'complete' && (
        <>
          <Select name="outcome" label={v.t('rf.outcome')} required value={mine ? val(input, 'outcome') : undefined} blank={v.t('rf.choose')} options={opts(v, 'rf.outcome', OUTCOMES)} errors={e} />
          <Select name="outcome_reason" label={v.t('rf.outcome.reason')} hint={v.t('rf.outcome.reason.hint')} value={mine ? val(input, 'outcome_reason') : undefined} blank={v.t('rf.none')} options={opts(v, 'rf.reason', OUTCOME_REASONS)} errors={e} />
        </>
      )}
      {/* Each form has its own ids: several forms on one page share field names. */}
      <div class="usa-form-group">
        <label class="usa-label" for={`note-${action}`}>
          {v.t('rf.step.note')}
        </label>
        <div class="usa-hint" id={`note-${action}-hint`}>
          {v.t('rf.step.note.hint')}
        </div>
        <textarea class="usa-textarea" id={`note-${action}`} name="note" rows={2} aria-describedby={`note-${action}-hint`}>
          {mine ? (val(input, 'note') ?? '') : ''}
        </textarea>
      </div>
      <SubmitButton secondary={action === 'cancel'}>{v.t(`rf.action.${action}`)}</SubmitButton>
    </form>
  );
}

function ReferralPage({ v, r, unread, errors, input, problem }: { v: View; r: Out; unread: number; errors?: FieldError[]; input?: Input; problem?: string }) {
  const reasons = r.events.some((e) => e.reason);
  const notes = r.events.some((e) => e.note);
  const rows: [string, string][] = [
    [v.t('rf.from'), r.sender_organization.name],
    [v.t('rf.to'), r.receiver_organization.name],
    [v.t('rf.needs'), r.needs.map((n) => v.t(`rf.need.${n}`)).join(', ')],
    [v.t('rf.urgency'), v.t(`rf.urgency.${r.urgency}`)],
    [v.t('rf.network'), r.network?.name ?? v.t('rf.network.none')],
    [v.t('rf.created'), when(r.created_at, v.lang)],
    [v.t('rf.sent'), when(r.sent_at, v.lang)],
    [v.t('rf.accepted'), when(r.accepted_at, v.lang)],
    [v.t('rf.closed'), when(r.closed_at, v.lang)],
  ];
  if (r.decline_reason) rows.push([v.t('rf.decline.reason'), v.t(`rf.reason.${r.decline_reason}`)]);
  if (r.outcome) rows.push([v.t('rf.outcome'), v.t(`rf.outcome.${r.outcome}`) + (r.outcome_reason ? ` — ${v.t(`rf.reason.${r.outcome_reason}`)}` : '')]);
  return (
    <div>
      <Breadcrumbs items={[{ href: '/referrals', label: v.t('rf.title') }, { label: r.service.name }]} />
      <h1>
        {v.t('rf.referral')}: {r.service.name}
      </h1>
      <p>
        <StatusTag v={v} status={r.status} /> {v.t(`rf.side.${r.side}`)}
      </p>
      {unread > 0 && (
        <div class="margin-bottom-2">
          <Alert type="info" slim>
            {v.t('rf.notifications.here', { n: unread })}
          </Alert>
          <div class="margin-top-1">
            <ActionButton v={v} action={`/referrals/${r.id}/notifications/read`} secondary>
              {v.t('rf.notifications.mark')}
            </ActionButton>
          </div>
        </div>
      )}
      {problem && (
        <Alert type="error" heading={v.t('rf.conflict')}>
          {problem}
        </Alert>
      )}
      <dl class="usa-list usa-list--unstyled">
        {/* A step not taken yet (accepted, closed) is left out rather than shown as a dash. */}
        {rows.filter(([, x]) => x !== '—').map(([k, x]) => (
          <div class="margin-bottom-1">
            <dt class="text-bold display-inline">{k}:</dt> <dd class="display-inline margin-left-0">{x}</dd>
          </div>
        ))}
      </dl>
      <h2>{v.t('rf.note')}</h2>
      <p>{r.purged ? v.t('rf.purged') : (r.note ?? v.t('rf.none'))}</p>

      <h2>{v.t('rf.consent')}</h2>
      {r.consent ? (
        <>
          <p>
            {v.t('rf.consent.summary', { version: r.consent.form_version, at: when(r.consent.attested_at, v.lang), until: formatDate(v.lang, r.consent.expires_on) })}
          </p>
          <p>
            {v.t('rf.consent.fields')}: {r.consent.fields.map((f) => v.t(`rf.client.${f}`)).join(', ')}
          </p>
          <p>{r.consent.revoked_at ? v.t('rf.consent.revoked', { at: when(r.consent.revoked_at, v.lang) }) : r.consent.active ? v.t('rf.consent.active') : v.t('rf.consent.expired')}</p>
          {!r.consent.revoked_at && (
            <form method="post" action={`/referrals/${r.id}/revoke`} class="usa-form">
              <Csrf v={v} />
              <div class="usa-form-group">
                <label class="usa-label" for="revoke-note">
                  {v.t('rf.step.note')}
                </label>
                <textarea class="usa-textarea" id="revoke-note" name="note" rows={2}></textarea>
              </div>
              <SubmitButton secondary>{v.t('rf.consent.revoke')}</SubmitButton>
            </form>
          )}
        </>
      ) : (
        <p>{v.t('rf.consent.none')}</p>
      )}

      <h2>{v.t('rf.client.title')}</h2>
      {r.purged ? (
        <p>{v.t('rf.purged')}</p>
      ) : r.client_visible ? (
        <p>
          {v.t('rf.client.shared', { fields: r.client_fields.map((f) => v.t(`rf.client.${f}`)).join(', ') })} <a href={`/referrals/${r.id}/client`}>{v.t('rf.client.show')}</a>
        </p>
      ) : (
        <p>{r.client_fields.length ? v.t('rf.client.hidden') : v.t('rf.client.none')}</p>
      )}

      {r.allowed_actions.length > 0 && (
        <section aria-labelledby="next-steps">
          <h2 id="next-steps">{v.t('rf.steps')}</h2>
          <ErrorSummary v={v} errors={errors ?? []} />
          {r.allowed_actions.map((a) => (
            <ActionForm v={v} r={r} action={a} errors={errors} input={input} />
          ))}
        </section>
      )}

      {/* The reason and note columns only where a step has one: a column of dashes says nothing. */}
      <Table
        v={v}
        caption={v.t('rf.timeline')}
        head={[v.t('rf.when'), v.t('rf.step'), v.t('rf.by'), ...(reasons ? [v.t('rf.reason')] : []), ...(notes ? [v.t('rf.timeline.note')] : [])]}
        rows={r.events.map((e) => [
          when(e.at, v.lang),
          v.t(`rf.event.${e.action}`),
          e.actor_organization ? `${e.actor_name} (${e.actor_organization})` : e.actor_name,
          ...(reasons ? [e.reason ? v.t(`rf.reason.${e.reason}`) : '—'] : []),
          ...(notes ? [e.note ?? '—'] : []),
        ])}
      />
    </div>
  );
}

function ClientPage({ v, r, fields }: { v: View; r: Out; fields: Partial<Record<ClientField, string>> }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/referrals', label: v.t('rf.title') }, { href: `/referrals/${r.id}`, label: r.service.name }, { label: v.t('rf.client.title') }]} />
      <h1>{v.t('rf.client.title')}</h1>
      <Alert type="info" slim>
        {v.t('rf.client.audited')}
      </Alert>
      <Table v={v} caption={v.t('rf.client.title')} head={[v.t('rf.client.field'), v.t('rf.client.value')]} rows={CLIENT_FIELDS.filter((f) => fields[f] !== undefined).map((f) => [v.t(`rf.client.${f}`), fields[f]!])} />
    </div>
  );
}

export async function referralPages(app: App): Promise<void> {
  const referralPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input; problem?: string } = {}, status = 200) => {
    const { ref, side } = await referralFor(req.ctx, id);
    const [r, unread] = await Promise.all([referralOut(req.ctx, ref, side), unreadCount(req.ctx.db, req.ctx.actor!.id, ref.id)]);
    const v = req.view();
    return reply.page(`${v.t('rf.referral')}: ${r.service.name}`, <ReferralPage v={v} r={r} unread={unread} {...extra} />, status);
  };

  // Opening a referral changes nothing: its notifications are marked read by the form on the page.
  app.get('/referrals/:id', { config: { access: { permission: READ } }, schema: IdPage }, (req, reply) => referralPage(req, reply, req.params.id));
  app.post('/referrals/:id/notifications/read', { config: { access: { permission: READ } }, schema: IdPage }, async (req, reply) => {
    const { ref } = await referralFor(req.ctx, req.params.id);
    await markNotificationsRead(req.ctx, ref.id);
    return reply.redirect(`/referrals/${ref.id}`, 303);
  });
  app.post('/referrals/:id/transition', { config: { access: { permission: READ } }, schema: { ...IdPage, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await transition(req.ctx, id, input, { coerce: true });
      return reply.redirect(`/referrals/${id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return referralPage(req, reply, id, { errors, input }, 400);
      if (err instanceof HttpError && err.status === 409) return referralPage(req, reply, id, { problem: err.detail }, 409);
      throw err;
    }
  });
  app.post('/referrals/:id/revoke', { config: { access: { permission: READ } }, schema: { ...IdPage, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await revokeConsent(req.ctx, id, formBody(req.body), { coerce: true });
      return reply.redirect(`/referrals/${id}`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) return referralPage(req, reply, id, { problem: err.detail }, 409);
      const errors = formErrors(err);
      if (errors) return referralPage(req, reply, id, { problem: errors.map((e) => `${e.field}: ${e.message}`).join('; ') }, 400);
      throw err;
    }
  });
  app.get('/referrals/:id/client', { config: { access: { permission: CLIENT_READ } }, schema: IdPage }, async (req, reply) => {
    const id = req.params.id;
    const fields = await readClient(req.ctx, id);
    const { ref, side } = await referralFor(req.ctx, id);
    const r = await referralOut(req.ctx, ref, side);
    const v = req.view();
    reply.header('cache-control', 'no-store');
    return reply.page(v.t('rf.client.title'), <ClientPage v={v} r={r} fields={fields} />);
  });
}
