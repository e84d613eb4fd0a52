/** A proposal with its diff, and the review queue: approve, return, withdraw. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { notFound, HttpError, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { type View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, SubmitButton, Table, TextArea } from '../../../platform/web/components.tsx';
import { FormPost, PageNumber } from '../schema.ts';
import { approveProposal, returnProposal, withdrawProposal } from '../commands.ts';
import { MANAGE } from '../permissions.ts';
import { listProposals, proposalDetail, PROPOSAL_STATUSES, type HoursValue, type PhoneValue, type ProposalDetail } from '../editing.ts';
import { PROPOSE_ACCESS, MANAGE_ACCESS, PLURAL, s, list, ProposalTable, LIST_PAGE } from './shared.tsx';

// ---------- values as text ----------

export function showValue(v: View, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return '—';
  if (field === 'hours') {
    return (value as HoursValue[])
      .map((h) => [h.byday.map((d) => v.t(`directory.day.short.${d}`)).join(', '), h.opens_at && h.closes_at ? `${h.opens_at}–${h.closes_at}` : '', h.description ?? ''].filter(Boolean).join(' '))
      .join('; ');
  }
  if (field === 'phones') return (value as PhoneValue[]).map((p) => [p.number, p.extension !== null ? `ext. ${p.extension}` : '', p.description ? `(${p.description})` : ''].filter(Boolean).join(' ')).join('; ');
  if (field === 'languages') return (value as string[]).join(', ');
  if (field === 'status') return v.t(`directory.state.${String(value)}`);
  return String(value);
}


// ---------- the proposal page ----------

function ProposalPage({ v, p, errors, notice, confirmNeeded }: { v: View; p: ProposalDetail; errors: FieldError[]; notice?: string; confirmNeeded: boolean }) {
  const reviewer = v.can(MANAGE);
  const title = v.t('directory.proposal.title', { name: p.target_name });
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, reviewer ? { href: '/directory/review', label: v.t('directory.review.title') } : { href: '/directory/my', label: v.t('directory.my.title') }, { label: title }]} />
      <h1>{title}</h1>
      {notice && <Alert type="success" slim>{notice}</Alert>}
      <ErrorSummary v={v} errors={errors} />
      <dl class="directory-facts">
        <div>
          <dt>{v.t('directory.proposal.status')}</dt>
          <dd>
            <strong>{v.t(`directory.proposal.status.${p.status}`)}</strong>
            {p.reviewed_at && ` (${p.reviewed_at.slice(0, 10)})`}
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.proposal.record')}</dt>
          <dd>
            {v.t(`directory.proposal.kind.${p.target_type}`)}: {p.target_type === 'location' ? p.target_name : <a href={`/directory/${PLURAL[p.target_type]}/${p.target_id}`}>{p.target_name}</a>}
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.organization')}</dt>
          <dd>
            <a href={`/directory/organizations/${p.organization_id}`}>{p.organization_name}</a>
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.proposal.by')}</dt>
          <dd>
            {p.proposer_organization_name}, {p.created_at.slice(0, 10)}
          </dd>
        </div>
      </dl>
      {p.status === 'returned' && p.reason && (
        <Alert type="warning" heading={v.t('directory.proposal.reason')}>
          {p.reason}
        </Alert>
      )}
      {p.gone && p.status === 'pending' && <Alert type="warning" slim>{v.t('directory.proposal.gone')}</Alert>}
      {p.stale && <Alert type="warning" slim>{v.t('directory.proposal.stale')}</Alert>}
      {p.redacted && <p class="usa-hint">{v.t('directory.proposal.redacted')}</p>}
      <Table
        wrap
        v={v}
        caption={v.t('directory.proposal.diff')}
        head={[v.t('directory.proposal.field'), v.t('directory.proposal.base'), v.t('directory.proposal.proposed'), v.t('directory.proposal.current')]}
        rows={p.diff.map((d) => [
          <>
            {v.t(`directory.field.${d.field}`)}
            {d.stale && (
              <>
                {' '}
                <strong class="text-secondary-dark">({v.t('directory.proposal.changed')})</strong>
              </>
            )}
          </>,
          p.redacted ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.base),
          p.redacted && d.proposed === null ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.proposed),
          p.redacted ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.current),
        ])}
      />
      {p.status === 'pending' && v.actor?.id === p.proposer_id && (
        <ActionButton v={v} action={`/directory/proposals/${p.id}/withdraw`} secondary>
          {v.t('directory.proposal.withdraw')}
        </ActionButton>
      )}
      {reviewer && p.status === 'pending' && (
        <div class="grid-row grid-gap margin-top-4">
          <div class="tablet:grid-col-6">
            <h2>{v.t('directory.review.approve')}</h2>
            <form method="post" action={`/directory/proposals/${p.id}/approve`} class="usa-form">
              <Csrf v={v} />
              <p>{v.t('directory.review.approve.intro')}</p>
              {(p.stale || confirmNeeded) && <Checkboxes name="confirm_stale" label={v.t('directory.review.confirm.legend')} values={[]} options={[{ value: 'yes', label: v.t('directory.review.confirm') }]} errors={errors} />}
              <SubmitButton>{v.t('directory.review.approve')}</SubmitButton>
            </form>
          </div>
          <div class="tablet:grid-col-6">
            <h2>{v.t('directory.review.return')}</h2>
            <form method="post" action={`/directory/proposals/${p.id}/return`} class="usa-form">
              <Csrf v={v} />
              <TextArea name="reason" label={v.t('directory.review.reason')} hint={v.t('directory.review.reason.hint')} required errors={errors} />
              <SubmitButton secondary>{v.t('directory.review.return')}</SubmitButton>
            </form>
          </div>
        </div>
      )}
    </>
  );
}

async function proposalPage(req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; notice?: string; confirmNeeded?: boolean } = {}, status = 200) {
  const p = await proposalDetail(req.ctx.db, id, req.actor);
  if (!p) throw notFound('No such proposal.');
  const v = req.view();
  return reply.page(v.t('directory.proposal.title', { name: p.target_name }), <ProposalPage v={v} p={p} errors={extra.errors ?? []} notice={extra.notice} confirmNeeded={extra.confirmNeeded ?? false} />, status);
}


export function proposalPages(app: App): void {
  app.get('/directory/review', { config: MANAGE_ACCESS, schema: { ...hidden, querystring: Type.Object({ status: Type.Optional(Type.Union(PROPOSAL_STATUSES.map((x) => Type.Literal(x)))), page: PageNumber }) } }, async (req, reply) => {
    const q = req.query;
    const status = q.status ?? 'pending';
    const page = q.page ?? 1;
    const { items, total } = await listProposals(req.ctx.db, { status }, LIST_PAGE, (page - 1) * LIST_PAGE);
    const v = req.view();
    return reply.page(
      v.t('directory.review.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.review.title') }]} />
        <h1>{v.t('directory.review.title')}</h1>
        <p>{v.t('directory.review.intro')}</p>
        <nav aria-label={v.t('directory.review.filter')}>
          <ul class="usa-button-group">
            {PROPOSAL_STATUSES.map((x) => (
              <li class="usa-button-group__item">
                <a href={`/directory/review?status=${x}`} class={`usa-button${x === status ? '' : ' usa-button--outline'}`} aria-current={x === status ? 'page' : undefined}>
                  {v.t(`directory.proposal.status.${x}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ProposalTable v={v} caption={v.t('directory.review.caption', { status: v.t(`directory.proposal.status.${status}`), n: total })} items={items} showProposer />
        <Pager v={v} page={page} perPage={LIST_PAGE} total={total} />
      </>,
    );
  });

  app.get('/directory/proposals/:id', { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams, querystring: Type.Object({ sent: Type.Optional(Type.Literal('1')), done: Type.Optional(Type.Union([Type.Literal('approved'), Type.Literal('returned')])) }) } }, async (req, reply) => {
    const q = req.query;
    const v = req.view();
    const notice = q.sent ? v.t('directory.proposal.sent') : q.done ? v.t(`directory.review.done.${q.done}`) : undefined;
    return proposalPage(req, reply, req.params.id, { notice });
  });

  app.post('/directory/proposals/:id/withdraw', { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await withdrawProposal(req.ctx, req.params.id);
    return reply.redirect('/directory/my?done=withdrawn');
  });

  app.post('/directory/proposals/:id/approve', { config: MANAGE_ACCESS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const body = formBody(req.body);
    try {
      await approveProposal(req.ctx, id, { ...(list(body.confirm_stale).includes('yes') ? { confirm_stale: true } : {}) });
      return reply.redirect(`/directory/proposals/${id}?done=approved`);
    } catch (err) {
      if (!(err instanceof HttpError) || ![400, 409].includes(err.status)) throw err;
      // A stale proposal comes back with the diff and a box to tick once the reviewer has compared.
      const errors = err.status === 409 ? [{ field: 'confirm_stale', message: err.detail ?? err.title }] : err.errors;
      return proposalPage(req, reply, id, { errors, confirmNeeded: err.status === 409 }, err.status);
    }
  });

  app.post('/directory/proposals/:id/return', { config: MANAGE_ACCESS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await returnProposal(req.ctx, id, { reason: s(formBody(req.body).reason) ?? '' });
      return reply.redirect(`/directory/proposals/${id}?done=returned`);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return proposalPage(req, reply, id, { errors }, 400);
    }
  });
}
