/** Grant plans: the list by fiscal year, entering and changing a plan (each save a version), the committee's review. */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { fieldError, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { Ctx } from '../../../platform/context.ts';
import { principalOf } from '../../../platform/policy.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, Checkboxes, Csrf, FormPage, IdempotencyKey, ErrorSummary, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { NEED_CODES, allAgencies } from './deps.ts';
import * as commands from '../commands.ts';
import { planViewer } from '../presenters.ts';
import { FormPost, PLAN_STATUSES, POPULATION_CODES, REVIEW_OUTCOMES, type Plan } from '../schema.ts';
import * as store from '../store.ts';
import { GrantsNav, PLANNERS, COMMITTEE, crumbs, day, list, localErrors, money, placeOf, str, term, words } from './shared.tsx';
import { formatInstant } from '../../../platform/web/i18n.ts';
import { stateName, statesIn } from '../../../platform/geo/us.ts';

const LIST_FIELDS = ['states', 'populations', 'needs'] as const;
export const FyQuery = Type.Object({ fiscal_year: Type.Optional(Type.String({ maxLength: 10 })) });

/** The fiscal year asked for, or the current one; a bad value falls back to the current year. */
export function fyOf(q: { fiscal_year?: string }): number {
  const n = Number(q.fiscal_year);
  return Number.isInteger(n) && n >= 2000 && n <= 2100 ? n : store.fiscalYearOf(store.today());
}

export function FyForm({ v, fy, action }: { v: View; fy: number; action: string }) {
  const years = Array.from({ length: 6 }, (_, i) => store.fiscalYearOf(store.today()) - 3 + i);
  if (!years.includes(fy)) years.push(fy);
  return (
    <form method="get" action={action} class="usa-form margin-bottom-2">
      <Select name="fiscal_year" label={v.t('grants.fy')} value={String(fy)} options={years.sort().map((y) => ({ value: String(y), label: v.t('grants.fy.value', { fy: y }) }))} />
      <SubmitButton secondary>{v.t('grants.show')}</SubmitButton>
    </form>
  );
}

async function myAgencies(ctx: Ctx): Promise<{ id: string; name: string }[]> {
  const mine = await store.agenciesOf(ctx.db, principalOf(ctx));
  return (await allAgencies(ctx.db)).filter((a) => mine.has(a.id)).map((a) => ({ id: a.id, name: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
}

const areaText = (v: View, p: Pick<Plan, 'nationwide' | 'states'>) => [p.nationwide ? v.t('grants.field.nationwide') : '', ...p.states.map((code) => stateName(code, v.lang))].filter(Boolean).join(', ');

function PlanList({ v, fy, plans, agencies }: { v: View; fy: number; plans: Plan[]; agencies: { id: string; name: string }[] }) {
  return (
    <div>
      <h1>{v.t('grants.title')}</h1>
      <p class="usa-intro">{v.t('grants.intro')}</p>
      <GrantsNav v={v} />
      {agencies.length ? (
        <p>
          {v.t('grants.plan.mine', { agencies: agencies.map((a) => a.name).join(', ') })}{' '}
          <a class="usa-button" href="/grants/plans/new">
            {v.t('grants.plan.new')}
          </a>
        </p>
      ) : (
        <p>{v.t('grants.plan.noagency')}</p>
      )}
      <FyForm v={v} fy={fy} action="/grants" />
      <Table
        v={v}
        caption={v.t('grants.plans.count', { fy, n: plans.length })}
        head={[v.t('grants.field.programme'), v.t('grants.field.agency'), v.t('grants.field.listing'), v.t('grants.field.status'), v.t('grants.field.post_date'), v.t('grants.field.close_date'), v.t('grants.field.estimated_total')]}
        rows={plans.map((p) => [<a href={`/grants/plans/${p.id}`}>{p.programme}</a>, p.agency_name, p.assistance_listing ?? '—', v.t(`grants.status.${p.status}`), p.post_date ? day(v, p.post_date) : '—', p.close_date ? day(v, p.close_date) : '—', money(v, p.estimated_total)])}
      />
    </div>
  );
}

function PlanForm({ v, values, errors, agencies, action, title, cancel, edit }: { v: View; values: FormValues; errors?: FieldError[]; agencies: { id: string; name: string }[]; action: string; title: string; cancel: string; edit: boolean }) {
  const val = (k: string) => str(values[k]);
  const errs = localErrors(v, errors);
  return (
    <FormPage v={v} title={title} action={action} errors={errs} cancel={cancel} crumbs={crumbs(v)} save={v.t('grants.save')}>
      {edit ? <input type="hidden" name="version" value={val('version')} /> : <Select name="agency_id" label={v.t('grants.field.agency')} required blank={agencies.length === 1 ? undefined : v.t('grants.choose')} value={val('agency_id')} options={agencies.map((a) => ({ value: a.id, label: a.name }))} errors={errs} />}
      <TextInput name="fiscal_year" label={v.t('grants.fy')} required inputmode="numeric" value={val('fiscal_year')} errors={errs} />
      <TextInput name="programme" label={v.t('grants.field.programme')} required value={val('programme')} errors={errs} />
      <TextInput name="assistance_listing" label={v.t('grants.field.listing')} hint={v.t('grants.field.listing.hint')} value={val('assistance_listing')} errors={errs} />
      <TextInput name="opportunity_number" label={v.t('grants.field.opportunity_number')} hint={v.t('grants.field.opportunity_number.hint')} value={val('opportunity_number')} errors={errs} />
      <TextArea name="purpose" label={v.t('grants.field.purpose')} required value={val('purpose')} errors={errs} />
      <TextArea name="eligible_applicants" label={v.t('grants.field.eligible')} rows={2} value={val('eligible_applicants')} errors={errs} />
      <Checkboxes name="populations" label={v.t('grants.field.populations')} values={list(values.populations)} options={POPULATION_CODES.map((c) => ({ value: c, label: term(v, c) }))} errors={errs} />
      <Checkboxes name="needs" label={v.t('grants.field.needs')} values={list(values.needs)} options={NEED_CODES.map((c) => ({ value: c, label: term(v, c) }))} errors={errs} />
      <Checkboxes name="states" label={v.t('grants.field.states')} hint={v.t('grants.field.states.hint')} columns values={words(values.states).map((s) => s.toUpperCase())} options={statesIn(v.lang).map((s) => ({ value: s.code, label: s.name }))} errors={errs} />
      <Checkboxes name="nationwide" label={v.t('grants.field.nationwide')} values={list(values.nationwide)} options={[{ value: 'true', label: v.t('grants.field.nationwide.label') }]} errors={errs} />
      <TextInput name="estimated_total" label={v.t('grants.field.estimated_total')} inputmode="decimal" value={val('estimated_total')} errors={errs} />
      <TextInput name="number_of_awards" label={v.t('grants.field.awards')} inputmode="numeric" value={val('number_of_awards')} errors={errs} />
      <TextInput name="post_date" type="date" label={v.t('grants.field.post_date')} value={val('post_date')} errors={errs} />
      <TextInput name="close_date" type="date" label={v.t('grants.field.close_date')} value={val('close_date')} errors={errs} />
      <Select name="status" label={v.t('grants.field.status')} value={val('status') ?? 'planned'} options={PLAN_STATUSES.map((s) => ({ value: s, label: v.t(`grants.status.${s}`) }))} errors={errs} />
    </FormPage>
  );
}

function planValues(p: Plan): FormValues {
  const s = (x: number | string | null) => (x === null ? '' : String(x));
  return {
    version: String(p.version),
    fiscal_year: String(p.fiscal_year),
    programme: p.programme,
    assistance_listing: s(p.assistance_listing),
    opportunity_number: s(p.opportunity_number),
    purpose: p.purpose,
    eligible_applicants: s(p.eligible_applicants),
    populations: p.populations,
    needs: p.needs,
    states: p.states,
    nationwide: p.nationwide ? ['true'] : [],
    estimated_total: s(p.estimated_total),
    number_of_awards: s(p.number_of_awards),
    post_date: s(p.post_date),
    close_date: s(p.close_date),
    status: p.status,
  };
}

/** The form as command input: every field is sent, so that emptied fields and unticked boxes are cleared. */
function planInput(raw: unknown, edit: boolean): Record<string, unknown> {
  const body = formBody(raw);
  const out: Record<string, unknown> = {
    fiscal_year: body.fiscal_year,
    programme: body.programme,
    purpose: body.purpose,
    populations: list(body.populations),
    needs: list(body.needs),
    states: words(body.states).map((s) => s.toUpperCase()),
    nationwide: list(body.nationwide).includes('true'),
    status: body.status,
  };
  if (!edit) out.agency_id = body.agency_id;
  for (const k of ['assistance_listing', 'opportunity_number', 'eligible_applicants', 'estimated_total', 'number_of_awards', 'post_date', 'close_date']) out[k] = body[k] ?? (edit ? null : undefined);
  if (edit) out.version = body.version;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function PlanPage({ v, p, viewer, versions, reviews, notices, opps, awards, errors, values }: {
  v: View;
  p: Plan;
  viewer: { can_edit: boolean; can_review: boolean };
  versions: Awaited<ReturnType<typeof store.planVersions>>;
  reviews: Awaited<ReturnType<typeof store.reviewsOf>>;
  notices: Awaited<ReturnType<typeof store.listNotices>>;
  opps: Awaited<ReturnType<typeof store.opportunitiesOfPlan>>;
  awards: Awaited<ReturnType<typeof store.listAwards>>['items'];
  errors?: FieldError[];
  values?: FormValues;
}) {
  const errs = localErrors(v, errors);
  const Row = ({ k, children }: { k: string; children: preact.ComponentChildren }) => (
    <>
      <dt class="text-bold margin-top-1">{v.t(k)}</dt>
      <dd class="margin-left-0">{children}</dd>
    </>
  );
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: p.programme }])} />
      <h1>{p.programme}</h1>
      <ErrorSummary v={v} errors={errs ?? []} />
      {viewer.can_edit && (
        <p>
          <a class="usa-button usa-button--outline" href={`/grants/plans/${p.id}/edit`}>
            {v.t('grants.plan.edit')}
          </a>{' '}
          <a class="usa-button usa-button--outline" href={`/grants/notices/new?plan_id=${p.id}`}>
            {v.t('grants.notice.new')}
          </a>
        </p>
      )}
      <dl>
        <Row k="grants.field.agency">{p.agency_name}</Row>
        <Row k="grants.fy">{v.t('grants.fy.value', { fy: p.fiscal_year })}</Row>
        <Row k="grants.field.status">{v.t(`grants.status.${p.status}`)}</Row>
        <Row k="grants.field.version">{String(p.version)}</Row>
        <Row k="grants.field.listing">{p.assistance_listing ?? '—'}</Row>
        <Row k="grants.field.opportunity_number">{p.opportunity_number ?? '—'}</Row>
        <Row k="grants.field.purpose">{p.purpose}</Row>
        <Row k="grants.field.eligible">{p.eligible_applicants ?? '—'}</Row>
        <Row k="grants.field.populations">{p.populations.map((c) => term(v, c)).join(', ') || '—'}</Row>
        <Row k="grants.field.needs">{p.needs.map((c) => term(v, c)).join(', ') || '—'}</Row>
        <Row k="grants.field.area">{areaText(v, p)}</Row>
        <Row k="grants.field.estimated_total">{money(v, p.estimated_total)}</Row>
        <Row k="grants.field.awards">{p.number_of_awards === null ? '—' : String(p.number_of_awards)}</Row>
        <Row k="grants.field.window">{`${p.post_date ? day(v, p.post_date) : '—'} – ${p.close_date ? day(v, p.close_date) : '—'}`}</Row>
      </dl>

      <section class="margin-top-4" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">{v.t('grants.reviews')}</h2>
        <Table v={v} wrap caption={v.t('grants.reviews')} head={[v.t('grants.version.when'), v.t('grants.review.by'), v.t('grants.review.of'), v.t('grants.review.outcome'), v.t('grants.review.comment')]} rows={reviews.map((r) => [day(v, r.created_at.slice(0, 10)), r.reviewer_name, String(r.plan_version), v.t(`grants.outcome.${r.outcome}`), r.comment])} />
        {viewer.can_review && (
          <form method="post" action={`/grants/plans/${p.id}/review`} class="usa-form usa-form--large">
            <Csrf v={v} />
            <IdempotencyKey />
            <h3>{v.t('grants.review.add')}</h3>
            <input type="hidden" name="version" value={String(p.version)} />
            <Select name="outcome" label={v.t('grants.review.outcome')} required blank={v.t('grants.choose')} value={str(values?.outcome)} options={REVIEW_OUTCOMES.map((o) => ({ value: o, label: v.t(`grants.outcome.${o}`) }))} errors={errs} />
            <TextArea name="comment" label={v.t('grants.review.comment')} required value={str(values?.comment)} errors={errs} />
            <SubmitButton>{v.t('grants.review.add')}</SubmitButton>
          </form>
        )}
      </section>

      <section class="margin-top-4" aria-labelledby="notices-heading">
        <h2 id="notices-heading">{v.t('grants.notices')}</h2>
        <Table v={v} caption={v.t('grants.notices')} head={[v.t('grants.notice.timing'), v.t('grants.notice.subject'), v.t('grants.notice.decision_on'), v.t('grants.notice.filed')]} rows={notices.map((n) => [<a href={`/grants/notices/${n.id}`}>{v.t(`grants.timing.${n.timing}`)}</a>, v.t(`grants.subject.${n.subject}`), day(v, n.decision_on), `${day(v, n.filed_at.slice(0, 10))} (${v.t(n.on_time ? 'grants.notice.on_time' : 'grants.notice.late')})`])} />
      </section>

      <section class="margin-top-4" aria-labelledby="opps-heading">
        <h2 id="opps-heading">{v.t('grants.linked')}</h2>
        <Table
          v={v}
          caption={v.t('grants.linked')}
          head={[v.t('grants.funding.number'), v.t('grants.field.programme'), v.t('grants.funding.close'), ...(viewer.can_edit || viewer.can_review ? [v.t('grants.link.remove')] : [])]}
          rows={opps.map((o) => [
            o.number ?? o.opportunity_id,
            <a href={`/grants/funding/${o.opportunity_id}`}>{o.title}</a>,
            o.close_date ? day(v, o.close_date) : '—',
            ...(viewer.can_edit || viewer.can_review
              ? [
                  <ActionButton v={v} secondary action={`/grants/plans/${p.id}/unlink/${o.opportunity_id}`}>
                    {v.t('grants.link.remove')} <span class="usa-sr-only">{o.title}</span>
                  </ActionButton>,
                ]
              : []),
          ])}
        />
        {(viewer.can_edit || viewer.can_review) && (
          <form method="post" action={`/grants/plans/${p.id}/link`} class="usa-form">
            <Csrf v={v} />
            <TextInput name="opportunity_id" label={v.t('grants.link.id')} inputmode="numeric" value={str(values?.opportunity_id)} errors={errs} />
            <SubmitButton secondary>{v.t('grants.link.add')}</SubmitButton>
          </form>
        )}
      </section>

      <section class="margin-top-4" aria-labelledby="awards-heading">
        <h2 id="awards-heading">{v.t('grants.awards')}</h2>
        <Table v={v} caption={v.t('grants.awards.caption', { n: awards.length })} head={[v.t('grants.field.recipient'), v.t('grants.field.place'), v.t('grants.field.amount'), v.t('grants.field.action_date')]} rows={awards.map((a) => [a.recipient_name, placeOf(v, a), money(v, a.amount), a.action_date ? day(v, a.action_date) : '—'])} />
      </section>

      <section class="margin-top-4" aria-labelledby="versions-heading">
        <h2 id="versions-heading">{v.t('grants.versions')}</h2>
        <Table v={v} wrap caption={v.t('grants.versions')} head={[v.t('grants.field.version'), v.t('grants.version.saved'), v.t('grants.version.when'), v.t('grants.version.changed')]} rows={versions.map((x) => [String(x.version), x.saved_by, formatInstant(v.lang, x.saved_at), x.changed.length ? x.changed.join(', ') : v.t('grants.version.first')])} />
      </section>
    </div>
  );
}

async function planOr404(ctx: Ctx, id: string): Promise<Plan> {
  const p = await store.getPlan(ctx.db, id);
  if (!p) throw notFound('No such grant plan.');
  return p;
}

export async function planPages(app: App): Promise<void> {
  app.get('/grants', { config: PLANNERS, schema: { ...hidden, querystring: FyQuery } }, async (req, reply) => {
    const fy = fyOf(req.query);
    const v = req.view();
    return reply.page(v.t('grants.title'), <PlanList v={v} fy={fy} plans={await store.listPlans(req.ctx.db, { fiscalYear: fy })} agencies={await myAgencies(req.ctx)} />);
  });

  const newPage = async (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => {
    const agencies = await myAgencies(reply.request.ctx);
    if (!agencies.length) return reply.page(v.t('grants.plan.new'), <div><Breadcrumbs items={crumbs(v, [{ label: v.t('grants.plan.new') }])} /><h1>{v.t('grants.plan.new')}</h1><p>{v.t('grants.plan.noagency')}</p></div>);
    return reply.page(v.t('grants.plan.new'), <PlanForm v={v} values={values} errors={errors} agencies={agencies} action="/grants/plans" title={v.t('grants.plan.new')} cancel="/grants" edit={false} />, errors ? 400 : 200);
  };
  app.get('/grants/plans/new', { config: PLANNERS, schema: hidden }, async (req, reply) => newPage(reply, req.view(), { fiscal_year: String(store.fiscalYearOf(store.today()) + 1), status: 'planned' }));
  app.post('/grants/plans', { config: PLANNERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(reply, async () => `/grants/plans/${(await commands.createPlan(req.ctx, planInput(req.body, false), { coerce: true })).id}`, (errors) => newPage(reply, req.view(), rawValues(req.body), errors), { listFields: LIST_FIELDS }),
  );

  const detail = async (reply: FastifyReply, p: Plan, errors?: FieldError[], values?: FormValues) => {
    const ctx = reply.request.ctx;
    const v = reply.request.view();
    const [viewer, versions, reviews, notices, opps, awards] = await Promise.all([planViewer(ctx, p), store.planVersions(ctx.db, p.id), store.reviewsOf(ctx.db, p.id), store.listNotices(ctx.db, { planId: p.id }), store.opportunitiesOfPlan(ctx.db, p.id), store.listAwards(ctx.db, { planId: p.id }, 500)]);
    return reply.page(p.programme, <PlanPage v={v} p={p} viewer={viewer} versions={versions} reviews={reviews} notices={notices} opps={opps} awards={awards.items} errors={errors} values={values} />, errors ? 400 : 200);
  };
  app.get('/grants/plans/:id', { config: PLANNERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => detail(reply, await planOr404(req.ctx, req.params.id)));

  const editPage = (reply: FastifyReply, v: View, p: Plan, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('grants.plan.edit.title', { name: p.programme });
    return reply.page(title, <PlanForm v={v} values={values} errors={errors} agencies={[]} action={`/grants/plans/${p.id}/edit`} title={title} cancel={`/grants/plans/${p.id}`} edit />, errors ? 400 : 200);
  };
  app.get('/grants/plans/:id/edit', { config: PLANNERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const p = await planOr404(req.ctx, req.params.id);
    if (!(await planViewer(req.ctx, p)).can_edit) return reply.code(403).page(req.view().t('error.403'), <p>{req.view().t('grants.plan.noagency')}</p>, 403);
    return editPage(reply, req.view(), p, planValues(p));
  });
  app.post('/grants/plans/:id/edit', { config: PLANNERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await planOr404(req.ctx, req.params.id);
    return submitForm(reply, async () => `/grants/plans/${(await commands.updatePlan(req.ctx, p.id, planInput(req.body, true), { coerce: true })).id}`, (errors) => editPage(reply, req.view(), p, rawValues(req.body), errors), { listFields: LIST_FIELDS });
  });

  app.post('/grants/plans/:id/review', { config: COMMITTEE, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await planOr404(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => {
        await commands.reviewPlan(req.ctx, p.id, formBody(req.body), { coerce: true });
        return `/grants/plans/${p.id}#reviews-heading`;
      },
      (errors) => detail(reply, p, errors, rawValues(req.body)),
    );
  });

  app.post('/grants/plans/:id/link', { config: PLANNERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await planOr404(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => {
        const id = str(formBody(req.body).opportunity_id) ?? '';
        if (!(await store.getOpportunity(req.ctx.db, id))) throw fieldError('opportunity_id', 'is not an imported opportunity');
        await commands.linkOpportunity(req.ctx, id, { plan_id: p.id });
        return `/grants/plans/${p.id}#opps-heading`;
      },
      (errors) => detail(reply, p, errors, rawValues(req.body)),
    );
  });
  app.post('/grants/plans/:id/unlink/:opportunityId', { config: PLANNERS, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }), opportunityId: Type.String({ pattern: '^\\d{1,20}$' }) }), body: FormPost } }, async (req, reply) => {
    const p = await planOr404(req.ctx, req.params.id);
    const o = await store.getOpportunity(req.ctx.db, req.params.opportunityId);
    if (!o || o.plan_id !== p.id) throw notFound('This opportunity is not linked to this plan.');
    await commands.linkOpportunity(req.ctx, o.opportunity_id, { plan_id: null });
    return reply.redirect(`/grants/plans/${p.id}#opps-heading`, 303);
  });
}
