/** The review queue: chairs approve submitted updates or return them with a comment. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { Breadcrumbs, Csrf, SubmitButton } from '../../../platform/web/components.tsx';
import { reviewUpdate } from '../commands.ts';
import { PERM } from '../policies.ts';
import { loadPlan, type PlanView, type Update } from '../store.ts';
import { periodLabel } from '../presenters.ts';
import { FormPost, itemLink, StatusTag, type PageReq } from './shared.tsx';

function ReviewPage({ v, queue, plan, errors, errorId }: { v: View; queue: Update[]; plan: PlanView; errors?: FieldError[]; errorId?: string }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.review.title') }]} />
      <h1>{v.t('wp.review.title')}</h1>
      {queue.length === 0 && <p>{v.t('wp.review.empty')}</p>}
      {queue.map((u, n) => {
        const item = plan.byId.get(u.item_id);
        const mine = errorId === u.id ? errors : undefined;
        return (
          <section class="border-top border-base-lighter padding-y-2" aria-labelledby={`u-${n}`}>
            <h2 id={`u-${n}`} class="font-heading-md">
              {item ? itemLink(item) : u.item_id} — {periodLabel(v.lang, u.period)} ({v.t('wp.version')} {u.submission})
            </h2>
            <p>
              <StatusTag v={v} status={u.status} /> {u.submitted_by_label}, {formatDate(v.lang, u.submitted_at)}
            </p>
            <p>{u.narrative}</p>
            <form method="post" action={`/workplans/updates/${u.id}/review`} class="usa-form">
              <Csrf v={v} />
              {/* One form per update on this page: ids carry the row number so that each label finds its own field. */}
              <div class={`usa-form-group${mine?.length ? ' usa-form-group--error' : ''}`}>
                <label class="usa-label" for={`comment-${n}`}>
                  {v.t('wp.review.comment')}
                </label>
                <div class="usa-hint" id={`comment-${n}-hint`}>
                  {v.t('wp.review.comment.hint')}
                </div>
                {mine?.length ? (
                  <span class="usa-error-message" id={`comment-${n}-error`} role="alert">
                    {mine[0].message}
                  </span>
                ) : null}
                <textarea class="usa-textarea" id={`comment-${n}`} name="comment" rows={2} aria-describedby={`comment-${n}-hint${mine?.length ? ` comment-${n}-error` : ''}`} aria-invalid={mine?.length ? 'true' : undefined} />
              </div>
              <SubmitButton name="decision" value="approve">
                {v.t('wp.review.approve')}
              </SubmitButton>
              <SubmitButton name="decision" value="return" secondary>
                {v.t('wp.review.return')}
              </SubmitButton>
            </form>
          </section>
        );
      })}
    </div>
  );
}

async function reviewPage(req: PageReq, reply: FastifyReply, extra: { errors?: FieldError[]; errorId?: string } = {}, status = 200) {
  const plan = await loadPlan(req.ctx.db);
  const queue = plan.updates.filter((u) => u.state === 'submitted');
  const v = req.view();
  return reply.page(v.t('wp.review.title'), <ReviewPage v={v} plan={plan} queue={queue} {...extra} />, status);
}

export async function reviewPages(app: App): Promise<void> {
  app.get('/workplans/review', { config: { access: { permission: PERM.review } }, schema: hidden }, (req, reply) => reviewPage(req, reply));

  app.post('/workplans/updates/:id/review', { config: { access: { permission: PERM.review } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await reviewUpdate(req.ctx, id, formBody(req.body), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return reviewPage(req, reply, { errors, errorId: id }, 400);
      throw err;
    }
    return reply.redirect('/workplans/review');
  });
}
