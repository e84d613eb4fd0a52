import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../platform/web/view.ts';
import { HttpError, notFound, type FieldError } from '../../platform/http/errors.ts';
import { formBody } from '../../platform/http/validation.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import { getUser } from '../../platform/auth/index.ts';
import { organizationMatchesAgency } from './directory.ts';
import { actorLeadsItem, reviewUpdate, submitUpdate } from './commands.ts';
import { ImportRefused, IMPORT_COLUMNS, importPlan, type Refusal } from './import.ts';
import { parsePeriod, periodsBetween, shiftPeriod } from './periods.ts';
import { percent } from './rollup.ts';
import { STATUSES } from './schema.ts';
import type { Item, PlanView, Update } from './store.ts';
import { agencyView, PERM, planFor, reportFor, visibleUpdates, watchList } from './api.ts';
import { ProgressChart } from './chart.tsx';
import { EditLinks } from './forms.tsx';
import { uploadOf } from './upload.ts';
import type { Report } from './report.ts';
import type { DueInfo } from './store.ts';

const hidden = { hide: true } as const;
const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const statusLabel = (v: View, s: string) => v.t(`wp.status.${s}`);

function StatusTag({ v, status }: { v: View; status: string }) {
  const color = status === 'at_risk' ? ' bg-gold text-ink' : status === 'off_track' ? ' bg-secondary-dark' : status === 'done' ? ' bg-green' : status === 'dropped' ? ' bg-base' : '';
  return <span class={`usa-tag${color}`}>{statusLabel(v, status)}</span>;
}

function itemLink(i: { id: string; number: string; title: string }) {
  return (
    <a href={`/workplans/items/${i.id}`}>
      {i.number} {i.title}
    </a>
  );
}

/** Progress of a set of items over the last four closed quarters and the current one. */
function chartPoints(plan: PlanView, items: Item[]) {
  const current = plan.currentPeriod;
  return periodsBetween(shiftPeriod(current, -4), current).map((p) => ({ period: p.key, progress: plan.progressOf(items, p.key) }));
}

function Intro({ v }: { v: View }) {
  return (
    <ul class="usa-button-group margin-y-2">
      <li class="usa-button-group__item">
        <a class="usa-button usa-button--outline" href="/workplans/watch">
          {v.t('wp.watch.title')}
        </a>
      </li>
      <li class="usa-button-group__item">
        <a class="usa-button usa-button--outline" href="/workplans/report">
          {v.t('wp.report.title')}
        </a>
      </li>
      {v.can(PERM.review) && (
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/workplans/review">
            {v.t('wp.review.title')}
          </a>
        </li>
      )}
      {v.can(PERM.edit) && (
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/workplans/import">
            {v.t('wp.import.title')}
          </a>
        </li>
      )}
    </ul>
  );
}

function PlansPage({ v, plan, myAgencyId }: { v: View; plan: PlanView; myAgencyId?: string }) {
  const goals = plan.goals();
  const owners = plan.dir.owners.map((o) => ({ o, goals: goals.filter((g) => plan.owner(g)?.id === o.id) })).filter((x) => x.goals.length);
  return (
    <div>
      <h1>{v.t('wp.title')}</h1>
      <p class="usa-intro">{v.t('wp.intro', { period: plan.currentPeriod.key })}</p>
      {myAgencyId && (
        <p>
          <a href={`/workplans/agencies/${myAgencyId}`}>{v.t('wp.agency.mine')}</a>
        </p>
      )}
      <Intro v={v} />
      <EditLinks v={v} />
      <h2>{v.t('wp.goals')}</h2>
      <Table
        v={v}
        caption={v.t('wp.goals.caption', { period: plan.currentPeriod.key })}
        head={[v.t('wp.item'), v.t('wp.owner'), v.t('wp.status'), v.t('wp.weight'), v.t('wp.progress')]}
        rows={goals.map((g) => [itemLink(g), plan.ownerName(g) ?? '—', <StatusTag v={v} status={g.status} />, String(g.weight), percent(plan.progress(g))])}
      />
      <h2>{v.t('wp.owners')}</h2>
      <Table
        v={v}
        caption={v.t('wp.owners')}
        head={[v.t('wp.owner'), v.t('wp.owner.type'), v.t('wp.goals'), v.t('wp.progress')]}
        rows={owners.map(({ o, goals: gs }) => [<a href={`/workplans/owners/${o.id}`}>{o.name}</a>, v.t(`wp.owner.${o.type}`), String(gs.length), percent(plan.progressOf(gs))])}
      />
      <h2>{v.t('wp.chart.title')}</h2>
      <ProgressChart v={v} id="chart-all" title={v.t('wp.chart.all')} points={chartPoints(plan, goals)} />
    </div>
  );
}

function ItemPage({ v, plan, item, updates, canReport, errors, input }: { v: View; plan: PlanView; item: Item; updates: Update[]; canReport: boolean; errors?: FieldError[]; input?: Record<string, unknown> }) {
  const chain: Item[] = [];
  for (let p = item.parent_id ? plan.byId.get(item.parent_id) : undefined; p; p = p.parent_id ? plan.byId.get(p.parent_id) : undefined) chain.unshift(p);
  const children = plan.childrenOf(item.id);
  const supporting = item.supporting_agency_ids.map((id) => plan.agencyName(id)).filter(Boolean).join('; ');
  const due = plan.due(item);
  const current = plan.currentPeriod;
  const periods = [current, plan.lastClosedPeriod];
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
          {item.start_date ?? '—'} – {item.due_date ?? '—'}
        </dd>
        <dt>{v.t('wp.weight')}</dt>
        <dd>{item.weight}</dd>
        {item.kind === 'action' && (
          <>
            <dt>{v.t('wp.next.update')}</dt>
            <dd>{due.next_update_period ? `${due.next_update_period} (${v.t('wp.due.by', { date: due.next_update_due ?? '' })})` : '—'}</dd>
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
            rows={children.map((c) => [itemLink(c), plan.agencyName(c.lead_agency_id) ?? '—', c.due_date ?? '—', <StatusTag v={v} status={c.status} />, String(c.weight), percent(plan.progress(c))])}
          />
          <ProgressChart v={v} id="chart-item" title={v.t('wp.chart.item', { number: item.number })} points={chartPoints(plan, [item])} />
        </>
      )}
      <h2>{v.t('wp.milestones')}</h2>
      <Table
        v={v}
        caption={v.t('wp.milestones')}
        head={[v.t('wp.milestone'), v.t('wp.due'), v.t('wp.done')]}
        rows={item.milestones.map((m) => [m.title, m.due_date ?? '—', m.done_date ?? (m.due_date && m.due_date < plan.today ? v.t('wp.late') : '—')])}
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
              u.period,
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
              <ErrorSummary v={v} errors={errors ?? []} />
              <Select name="period" label={v.t('wp.period')} value={(input?.period as string) ?? current.key} options={periods.map((p) => ({ value: p.key, label: p.key }))} errors={errors} />
              <Select name="status" label={v.t('wp.status')} required value={(input?.status as string) ?? item.status} options={STATUSES.map((s) => ({ value: s, label: statusLabel(v, s) }))} errors={errors} />
              <TextArea name="narrative" label={v.t('wp.narrative')} required value={input?.narrative as string} errors={errors} />
              {item.key_results.map((k) => (
                <TextInput name={`key_result_values.${k.id}`} label={`${k.name}${k.unit ? ` (${k.unit})` : ''}`} inputmode="decimal" value={input?.[`key_result_values.${k.id}`] as string} errors={errors} />
              ))}
              <TextArea name="evidence" label={v.t('wp.evidence')} hint={v.t('wp.evidence.hint')} value={input?.evidence as string} errors={errors} rows={3} />
              <SubmitButton>{v.t('wp.update.submit')}</SubmitButton>
            </form>
          )}
          {!canReport && v.actor && v.can(PERM.update) && <p>{v.t('wp.update.notlead')}</p>}
        </>
      )}
    </div>
  );
}

function DueTable({ v, caption, rows }: { v: View; caption: string; rows: DueInfo[] }) {
  return (
    <Table
      v={v}
      caption={caption}
      head={[v.t('wp.item'), v.t('wp.status'), v.t('wp.due'), v.t('wp.next.update'), v.t('wp.missing')]}
      rows={rows.map((d) => [
        itemLink(d),
        <>
          <StatusTag v={v} status={d.status} />
          {d.late && (
            <>
              {' '}
              <span class="usa-tag bg-secondary-dark">{v.t('wp.late')}</span>
            </>
          )}
        </>,
        d.due_date ?? '—',
        d.next_update_period ? `${d.next_update_period} (${v.t('wp.due.by', { date: d.next_update_due ?? '' })})` : '—',
        d.missing_periods.join(', ') || '—',
      ])}
    />
  );
}

function AgencyPage({ v, view }: { v: View; view: NonNullable<ReturnType<typeof agencyView>> }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: view.agency.abbreviation ?? view.agency.name }]} />
      <h1>{v.t('wp.agency.title', { agency: view.agency.name })}</h1>
      <p class="usa-intro">{v.t('wp.agency.intro', { period: view.period })}</p>
      <h2>{v.t('wp.agency.leads')}</h2>
      <DueTable v={v} caption={v.t('wp.agency.leads')} rows={view.leads} />
      <h2>{v.t('wp.agency.supports')}</h2>
      <DueTable v={v} caption={v.t('wp.agency.supports')} rows={view.supports} />
    </div>
  );
}

function OwnerPage({ v, plan, owner }: { v: View; plan: PlanView; owner: { id: string; name: string; type: string } }) {
  const goals = plan.goals().filter((g) => plan.owner(g)?.id === owner.id);
  const actions = plan.actions().filter((a) => plan.owner(a)?.id === owner.id);
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: owner.name }]} />
      <h1>{v.t('wp.owner.title', { owner: owner.name })}</h1>
      <p class="usa-intro">
        {v.t(`wp.owner.${owner.type}`)} · {v.t('wp.progress')}: {percent(plan.progressOf(goals))}
      </p>
      <Table
        v={v}
        caption={v.t('wp.goals')}
        head={[v.t('wp.item'), v.t('wp.status'), v.t('wp.progress')]}
        rows={goals.map((g) => [itemLink(g), <StatusTag v={v} status={g.status} />, percent(plan.progress(g))])}
      />
      <h2>{v.t('wp.actions')}</h2>
      <DueTable v={v} caption={v.t('wp.actions')} rows={actions.map((a) => plan.due(a))} />
      <h2>{v.t('wp.chart.title')}</h2>
      <ProgressChart v={v} id="chart-owner" title={v.t('wp.chart.owner', { owner: owner.name })} points={chartPoints(plan, goals)} />
    </div>
  );
}

function WatchPage({ v, w }: { v: View; w: ReturnType<typeof watchList> }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.watch.title') }]} />
      <h1>{v.t('wp.watch.title')}</h1>
      <h2>{v.t('wp.watch.late')}</h2>
      <DueTable v={v} caption={v.t('wp.watch.late')} rows={w.late} />
      <h2>{v.t('wp.watch.risk')}</h2>
      <DueTable v={v} caption={v.t('wp.watch.risk')} rows={w.at_risk} />
      <h2>{v.t('wp.watch.missing', { period: w.missing[0]?.period ?? '' })}</h2>
      <DueTable v={v} caption={v.t('wp.watch.missing', { period: w.missing[0]?.period ?? '' })} rows={w.missing} />
    </div>
  );
}

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
              {item ? itemLink(item) : u.item_id} — {u.period} ({v.t('wp.version')} {u.submission})
            </h2>
            <p>
              <StatusTag v={v} status={u.status} /> {u.submitted_by_label}, {u.submitted_at.slice(0, 10)}
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

function ReportPage({ v, report, plan, q }: { v: View; report: Report; plan: PlanView; q: { year?: number; period?: string; agency_id?: string } }) {
  const years = [plan.currentPeriod.year - 2, plan.currentPeriod.year - 1, plan.currentPeriod.year];
  const qs = new URLSearchParams({ year: String(report.year), ...(q.period ? { period: q.period } : {}), ...(q.agency_id ? { agency_id: q.agency_id } : {}) }).toString();
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.report.title') }]} />
      <h1>{v.t('wp.report.heading', { year: report.year })}</h1>
      <form method="get" action="/workplans/report" class="usa-form usa-form--large">
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-4">
            <Select name="year" label={v.t('wp.year')} value={String(report.year)} options={years.map((y) => ({ value: String(y), label: String(y) }))} />
          </div>
          <div class="tablet:grid-col-4">
            <Select name="period" label={v.t('wp.period')} value={q.period ?? ''} blank={v.t('wp.all')} options={report.periods.length === 1 && q.period ? [{ value: q.period, label: q.period }] : report.periods.map((p) => ({ value: p, label: p }))} />
          </div>
          <div class="tablet:grid-col-4">
            <Select name="agency_id" label={v.t('wp.agency')} value={q.agency_id ?? ''} blank={v.t('wp.all')} options={plan.dir.agencies.map((a) => ({ value: a.id, label: a.name }))} />
          </div>
        </div>
        <SubmitButton>{v.t('wp.report.show')}</SubmitButton>
      </form>
      <p>
        <a href={`/api/workplans/report?${qs}&format=csv`}>{v.t('wp.report.csv')}</a> · <a href={`/api/workplans/report?${qs}`}>{v.t('wp.report.json')}</a>
      </p>
      <Table
        v={v}
        caption={v.t('wp.report.caption', { year: report.year })}
        head={[v.t('wp.item'), v.t('wp.lead'), v.t('wp.owner'), v.t('wp.status'), v.t('wp.progress'), v.t('wp.period'), v.t('wp.narrative')]}
        rows={report.rows.map((r) => [
          `${r.number} ${r.title}`,
          r.lead_agency ?? '—',
          r.owner ?? '—',
          statusLabel(v, r.status),
          percent(r.progress),
          r.period ?? '—',
          r.narrative ? `${statusLabel(v, r.update_status ?? '')}: ${r.narrative}` : '—',
        ])}
      />
    </div>
  );
}

function ImportPage({ v, refused, imported, csv, errors }: { v: View; refused?: Refusal[]; imported?: number; csv?: string; errors?: FieldError[] }) {
  const fileError = errors?.find((e) => e.field === 'file')?.message;
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.import.title') }]} />
      <h1>{v.t('wp.import.title')}</h1>
      <p>
        {v.t('wp.import.intro', { columns: IMPORT_COLUMNS.join(', ') })} <a href="/api/workplans/import/template.csv">{v.t('wp.import.template')}</a>
      </p>
      {imported !== undefined && (
        <Alert type="success" slim>
          {v.t('wp.import.done', { n: imported })}
        </Alert>
      )}
      {refused && refused.length > 0 && (
        <>
          <Alert type="error" heading={v.t('wp.import.refused')}>
            {v.t('wp.import.nothing')}
          </Alert>
          <Table v={v} caption={v.t('wp.import.refused')} head={[v.t('wp.import.row'), v.t('wp.import.column'), v.t('wp.import.reason')]} rows={refused.map((r) => [String(r.row), r.column, r.reason])} />
        </>
      )}
      <form method="post" action="/workplans/import" enctype="multipart/form-data" class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <div class={`usa-form-group${fileError ? ' usa-form-group--error' : ''}`}>
          <label class={`usa-label${fileError ? ' usa-label--error' : ''}`} for="field-file">
            {v.t('wp.import.file')}
          </label>
          <div class="usa-hint" id="field-file-hint">
            {v.t('wp.import.file.hint')}
          </div>
          {fileError && (
            <span class="usa-error-message" id="field-file-error" role="alert">
              {fileError}
            </span>
          )}
          <input class="usa-file-input" id="field-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby={`field-file-hint${fileError ? ' field-file-error' : ''}`} aria-invalid={fileError ? 'true' : undefined} />
        </div>
        <TextArea name="csv" label={v.t('wp.import.csv')} hint={v.t('wp.import.csv.hint')} value={csv} rows={12} errors={refused?.length ? [{ field: 'csv', message: v.t('wp.import.refused') }] : errors} />
        <SubmitButton>{v.t('wp.import.submit')}</SubmitButton>
      </form>
    </div>
  );
}

function formErrors(err: unknown): FieldError[] | undefined {
  return err instanceof HttpError && err.status === 400 ? (err.errors.length ? err.errors : [{ field: 'form', message: err.detail ?? 'is not valid' }]) : undefined;
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

async function itemPage(req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Record<string, unknown> } = {}, status = 200) {
  const plan = await planFor(req);
  const item = plan.byId.get(id);
  if (!item) throw notFound('No such work plan item.');
  const v = req.view();
  const canReport = item.kind === 'action' && v.can(PERM.update) && (await actorLeadsItem(req.ctx, item, plan.dir));
  const updates = visibleUpdates(req, plan.updatesByItem.get(item.id) ?? []);
  return reply.page(`${item.number} ${item.title}`, <ItemPage v={v} plan={plan} item={item} updates={updates} canReport={canReport} {...extra} />, status);
}

async function reviewPage(req: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldError[]; errorId?: string } = {}, status = 200) {
  const plan = await planFor(req);
  const queue = plan.updates.filter((u) => u.state === 'submitted');
  const v = req.view();
  return reply.page(v.t('wp.review.title'), <ReviewPage v={v} plan={plan} queue={queue} {...extra} />, status);
}

export async function workplansPages(app: FastifyInstance): Promise<void> {
  app.get('/workplans', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const plan = await planFor(req);
    let myAgencyId: string | undefined;
    if (req.actor) {
      const user = await getUser(req.ctx.db, req.actor.id);
      myAgencyId = user ? plan.dir.agencies.find((a) => organizationMatchesAgency(user.organization_name, a))?.id : undefined;
    }
    const v = req.view();
    return reply.page(v.t('wp.title'), <PlansPage v={v} plan={plan} myAgencyId={myAgencyId} />);
  });

  app.get('/workplans/items/:id', { config: { access: 'public' }, schema: { ...hidden, params: idParams } }, (req, reply) => itemPage(req, reply, (req.params as { id: string }).id));

  app.post('/workplans/items/:id/updates', { config: { access: { permission: PERM.update } }, schema: { ...hidden, params: idParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const input = formBody(req.body);
    try {
      await submitUpdate(req.ctx, id, updateInputFromForm(input), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return itemPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/workplans/items/${id}`);
  });

  app.get('/workplans/agencies/:id', { config: { access: 'public' }, schema: { ...hidden, params: idParams } }, async (req, reply) => {
    const view = agencyView(await planFor(req), (req.params as { id: string }).id);
    if (!view) throw notFound('No such agency.');
    const v = req.view();
    return reply.page(v.t('wp.agency.title', { agency: view.agency.name }), <AgencyPage v={v} view={view} />);
  });

  app.get('/workplans/owners/:id', { config: { access: 'public' }, schema: { ...hidden, params: idParams } }, async (req, reply) => {
    const plan = await planFor(req);
    const owner = plan.dir.owner((req.params as { id: string }).id);
    if (!owner) throw notFound('No such committee or partnership.');
    const v = req.view();
    return reply.page(v.t('wp.owner.title', { owner: owner.name }), <OwnerPage v={v} plan={plan} owner={owner} />);
  });

  app.get('/workplans/watch', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('wp.watch.title'), <WatchPage v={v} w={watchList(await planFor(req))} />);
  });

  app.get('/workplans/review', { config: { access: { permission: PERM.review } }, schema: hidden }, (req, reply) => reviewPage(req, reply));

  app.post('/workplans/updates/:id/review', { config: { access: { permission: PERM.review } }, schema: { ...hidden, params: idParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    try {
      await reviewUpdate(req.ctx, id, formBody(req.body), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return reviewPage(req, reply, { errors, errorId: id }, 400);
      throw err;
    }
    return reply.redirect('/workplans/review');
  });

  app.get(
    '/workplans/report',
    {
      config: { access: 'public' },
      schema: {
        ...hidden,
        querystring: Type.Object(
          {
            year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
            period: Type.Optional(Type.String({ pattern: '^([0-9]{4}-Q[1-4])?$' })),
            agency_id: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const raw = req.query as { year?: number; period?: string; agency_id?: string };
      const q = { year: raw.year, period: raw.period || undefined, agency_id: raw.agency_id || undefined };
      if (q.period && !parsePeriod(q.period)) throw notFound();
      const plan = await planFor(req);
      const report = await reportFor(req, q);
      const v = req.view();
      return reply.page(v.t('wp.report.heading', { year: report.year }), <ReportPage v={v} report={report} plan={plan} q={q} />);
    },
  );

  app.get('/workplans/import', { config: { access: { permission: PERM.edit } }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('wp.import.title'), <ImportPage v={v} />);
  });

  app.post('/workplans/import', { config: { access: { permission: PERM.edit } }, schema: hidden }, async (req, reply) => {
    // A pasted text (urlencoded or multipart form) or an uploaded file (multipart form, see upload.ts).
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pasted = typeof body.csv === 'string' ? body.csv : '';
    const upload = uploadOf(req);
    const v = req.view();
    const again = (errors: FieldError[], status = 400) => reply.page(v.t('wp.import.title'), <ImportPage v={v} csv={pasted} errors={errors} />, status);
    if (upload.error) return again([{ field: 'file', message: upload.error.message }], upload.error.status);
    const file = upload.files.find((f) => f.field === 'file');
    let csv = pasted;
    if (file) {
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
      } catch {
        return again([{ field: 'file', message: v.t('wp.import.file.encoding', { name: file.filename }) }]);
      }
      if (csv.includes('\u0000')) return again([{ field: 'file', message: v.t('wp.import.file.binary', { name: file.filename }) }]);
    }
    if (!csv.trim()) return again([{ field: 'file', message: v.t('wp.import.empty') }]);
    try {
      const res = await importPlan(req.ctx, csv);
      return reply.page(v.t('wp.import.title'), <ImportPage v={v} imported={res.imported} />, 201);
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      return reply.page(v.t('wp.import.title'), <ImportPage v={v} refused={err.refused} csv={pasted} />, 400);
    }
  });
}


