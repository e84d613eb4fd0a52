/** One goal, objective or action, with its updates and, for its lead agency, the form to report progress. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { principalOf } from '../../../platform/policy.ts';
import { Breadcrumbs, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { submitUpdate } from '../commands.ts';
import { actorLeadsItem } from '../directory.ts';
import { mayReportOn, PERM } from '../policies.ts';
import { periodLabel, visibleUpdates } from '../presenters.ts';
import { percent } from '../rollup.ts';
import { STATUSES } from '../schema.ts';
import { loadPlan, type Item, type PlanView, type Update } from '../store.ts';
import { ProgressChart } from '../chart.tsx';
import { chartPoints, EditLinks, FormPost, itemLink, statusLabel, StatusTag, type PageReq } from './shared.tsx';
import { idempotent } from '../../../platform/http/idempotency.ts';

/** A value as it was typed into the update form, to show it again. */
const typed = (input: Record<string, unknown> | undefined, name: string): string | undefined => {
  const x = input?.[name];
  return typeof x === 'string' ? x : undefined;
};

function ItemPage({ v, plan, item, updates, canReport, errors, input }: { v: View; plan: PlanView; item: Item; updates: Update[]; canReport: boolean; errors?: FieldError[]; input?: Record<string, unknown> }) {
  const chain: Item[] = [];
  for (let p = item.parent_id ? plan.byId.get(item.parent_id) : undefined; p; p = p.parent_id ? plan.byId.get(p.parent_id) : undefined) chain.unshift(p);
  const children = plan.childrenOf(item.id);
  const supporting = item.supporting_agency_ids.map((id) => plan.agencyName(id)).filter(Boolean).join('; ');
  const due = plan.due(item);
  const current = plan.currentPeriod;
  const periods = plan.openPeriods(item);
  const derived = plan.derivedStatus(item);
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, ...chain.map((c) => ({ href: `/workplans/items/${c.id}`, label: c.number })), { label: item.number }]} />
      <h1>
        {item.number} {item.title}
      </h1>
      {item.description && <p class="usa-intro">{item.description}</p>}
      <EditLinks v={v} item={item} />
      <dl class="workplans-facts">
        <dt>{v.t('wp.kind')}</dt>
        <dd>{v.t(`wp.kind.${item.kind}`)}</dd>
        <dt>{v.t('wp.status')}</dt>
        <dd>
          <StatusTag v={v} status={item.status} />
          {plan.isLate(item) && (
            <>
              {' '}
              <span class="usa-tag bg-secondary-dark">{v.t('wp.late')}</span>
            </>
          )}
        </dd>
        {derived && (
          <>
            <dt>{v.t('wp.status.derived')}</dt>
            <dd>
              <StatusTag v={v} status={derived} />
            </dd>
          </>
        )}
        <dt>{v.t('wp.progress')}</dt>
        <dd>{percent(plan.progress(item))}</dd>
        <dt>{v.t('wp.lead')}</dt>
        <dd>{item.lead_agency_id ? <a href={`/workplans/agencies/${item.lead_agency_id}`}>{plan.agencyName(item.lead_agency_id)}</a> : '—'}</dd>
        <dt>{v.t('wp.supporting')}</dt>
        <dd>{supporting || '—'}</dd>
        <dt>{v.t('wp.owner')}</dt>
        <dd>{plan.ownerName(item) ?? '—'}</dd>
        <dt>{v.t('wp.dates')}</dt>
        <dd>
          {item.start_date ? formatDate(v.lang, item.start_date) : '—'} – {item.due_date ? formatDate(v.lang, item.due_date) : '—'}
        </dd>
        <dt>{v.t('wp.weight')}</dt>
        <dd>{item.weight}</dd>
        {item.kind === 'action' && (
          <>
            <dt>{v.t('wp.next.update')}</dt>
            <dd>{due.next_update_period ? `${periodLabel(v.lang, due.next_update_period)} (${v.t('wp.due.by', { date: due.next_update_due ? formatDate(v.lang, due.next_update_due) : '' })})` : '—'}</dd>
          </>
        )}
      </dl>
      {children.length > 0 && (
        <>
          <h2>{v.t('wp.children')}</h2>
          <Table
            v={v}
            caption={v.t('wp.children.caption', { number: item.number })}
            head={[v.t('wp.item'), v.t('wp.lead'), v.t('wp.due'), v.t('wp.status'), v.t('wp.weight'), v.t('wp.progress')]}
            rows={children.map((c) => [itemLink(c), plan.agencyName(c.lead_agency_id) ?? '—', c.due_date ? formatDate(v.lang, c.due_date) : '—', <StatusTag v={v} status={c.status} />, String(c.weight), percent(plan.progress(c))])}
          />
          <ProgressChart v={v} id="chart-item" title={v.t('wp.chart.item', { number: item.number })} points={chartPoints(plan, [item])} />
        </>
      )}
      <h2>{v.t('wp.milestones')}</h2>
      <Table
        v={v}
        caption={v.t('wp.milestones')}
        head={[v.t('wp.milestone'), v.t('wp.due'), v.t('wp.done')]}
        rows={item.milestones.map((m) => [m.title, m.due_date ? formatDate(v.lang, m.due_date) : '—', m.done_date ? formatDate(v.lang, m.done_date) : (m.due_date && m.due_date < plan.today ? v.t('wp.late') : '—')])}
      />
      <h2>{v.t('wp.krs')}</h2>
      <Table
        v={v}
        caption={v.t('wp.krs')}
        head={[v.t('wp.kr'), v.t('wp.kr.start'), v.t('wp.kr.target'), v.t('wp.kr.value'), v.t('wp.progress')]}
        rows={item.key_results.map((k) => {
          const kv = plan.keyResultValue(item, k.id);
          const unit = k.unit ? ` ${k.unit}` : '';
          return [k.name, `${k.start_value}${unit}`, `${k.target_value}${unit}`, kv.value === null ? '—' : `${kv.value}${unit}`, percent(kv.progress)];
        })}
      />
      {item.kind === 'action' && (
        <>
          <h2>{v.t('wp.updates')}</h2>
          <Table
            v={v}
            caption={v.t('wp.updates.caption', { number: item.number })}
            head={[v.t('wp.period'), v.t('wp.version'), v.t('wp.state'), v.t('wp.status'), v.t('wp.narrative'), v.t('wp.evidence'), v.t('wp.review.comment')]}
            rows={[...updates].reverse().map((u) => [
              periodLabel(v.lang, u.period),
              String(u.submission),
              v.t(`wp.state.${u.state}`),
              statusLabel(v, u.status),
              u.narrative,
              u.evidence.length ? (
                <ul class="usa-list usa-list--unstyled">
                  {u.evidence.map((e) => (
                    <li>
                      <a href={e} rel="noopener noreferrer">
                        {e}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              ),
              u.review_comment ?? '—',
            ])}
          />
          {canReport && (
            <form method="post" action={`/workplans/items/${item.id}/updates`} class="usa-form usa-form--large">
              <h2>{v.t('wp.update.new')}</h2>
              <Csrf v={v} />
              <IdempotencyKey />
              <ErrorSummary v={v} errors={errors ?? []} />
              <Select name="period" label={v.t('wp.period')} value={typed(input, 'period') ?? current.key} options={periods.map((p) => ({ value: p.key, label: periodLabel(v.lang, p.key) }))} errors={errors} />
              <Select name="status" label={v.t('wp.status')} required value={typed(input, 'status') ?? item.status} options={STATUSES.map((s) => ({ value: s, label: statusLabel(v, s) }))} errors={errors} />
              <TextArea name="narrative" label={v.t('wp.narrative')} required value={typed(input, 'narrative')} errors={errors} />
              {item.key_results.map((k) => (
                <TextInput name={`key_result_values.${k.id}`} label={`${k.name}${k.unit ? ` (${k.unit})` : ''}`} inputmode="decimal" value={typed(input, `key_result_values.${k.id}`)} errors={errors} />
              ))}
              <TextArea name="evidence" label={v.t('wp.evidence')} hint={v.t('wp.evidence.hint')} value={typed(input, 'evidence')} errors={errors} rows={3} />
              <SubmitButton>{v.t('wp.update.submit')}</SubmitButton>
            </form>
          )}
          {!canReport && v.actor && v.can(PERM.update) && <p>{v.t('wp.update.notlead')}</p>}
        </>
      )}
    </div>
  );
}

/** Turns the flat form fields of the update form into the API's shape. */
function updateInputFromForm(body: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(body)) {
    if (k.startsWith('key_result_values.')) values[k.slice('key_result_values.'.length)] = val;
    else if (k === 'evidence') out.evidence = String(val).split(/\s+/).filter(Boolean);
    else out[k] = val;
  }
  if (Object.keys(values).length) out.key_result_values = values;
  return out;
}

async function itemPage(req: PageReq, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Record<string, unknown> } = {}, status = 200) {
  const plan = await loadPlan(req.ctx.db);
  const item = plan.byId.get(id);
  if (!item) throw notFound('No such work plan item.');
  const v = req.view();
  const principal = principalOf(req.ctx);
  const canReport = item.kind === 'action' && mayReportOn(principal, item, await actorLeadsItem(req.ctx, item));
  const updates = visibleUpdates(principal, plan.updatesByItem.get(item.id) ?? []);
  return reply.page(`${item.number} ${item.title}`, <ItemPage v={v} plan={plan} item={item} updates={updates} canReport={canReport} {...extra} />, status);
}

export async function itemPages(app: App): Promise<void> {
  app.get('/workplans/items/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => itemPage(req, reply, req.params.id));

  app.post('/workplans/items/:id/updates', { config: { access: { permission: PERM.update } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await idempotent(req, async () => {
        await submitUpdate(req.ctx, id, updateInputFromForm(input), { coerce: true });
        return `/workplans/items/${id}`;
      });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return itemPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/workplans/items/${id}`);
  });
}
