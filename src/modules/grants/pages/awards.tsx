/** Awards: the list by state and year, entering one by hand, importing USAspending's CSV (the committee). */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors, rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { Ctx } from '../../../platform/context.ts';
import { principalOf } from '../../../platform/policy.ts';
import { statesIn } from '../../../platform/geo/us.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, FormPage, IdempotencyKey, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { allAgencies } from './deps.ts';
import * as commands from '../commands.ts';
import { mayReview } from '../policies.ts';
import { FormPost, type Award, type Plan } from '../schema.ts';
import * as store from '../store.ts';
import { GrantsNav, PLANNERS, COMMITTEE, crumbs, day, localErrors, localMessage, money, placeOf, str } from './shared.tsx';
import { awardCsvOf } from '../upload.ts';
import { fyOf } from './plans.tsx';
import { FormField, FormPost as PlatformFormPost } from '../../../platform/pages/forms.ts';

const PER_PAGE = 100;
const ListQuery = Type.Object({ state: Type.Optional(Type.String({ maxLength: 10 })), fiscal_year: Type.Optional(Type.String({ maxLength: 10 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) });

function AwardList({ v, items, total, page, state, fy, canEnter, canImport }: { v: View; items: Award[]; total: number; page: number; state?: string; fy?: number; canEnter: boolean; canImport: boolean }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.awards') }])} />
      <h1>{v.t('grants.awards')}</h1>
      <GrantsNav v={v} />
      <p>
        {canEnter && (
          <a class="usa-button" href="/grants/awards/new">
            {v.t('grants.award.new')}
          </a>
        )}{' '}
        {canImport && (
          <a class="usa-button usa-button--outline" href="/grants/awards/import">
            {v.t('grants.award.import')}
          </a>
        )}
      </p>
      <form method="get" action="/grants/awards" class="usa-form">
        <Select name="state" label={v.t('grants.gaps.state')} blank={v.t('grants.all')} value={state} options={statesIn(v.lang).map((s) => ({ value: s.code, label: s.name }))} />
        <TextInput name="fiscal_year" label={v.t('grants.fy')} inputmode="numeric" value={fy ? String(fy) : ''} />
        <SubmitButton secondary>{v.t('grants.show')}</SubmitButton>
      </form>
      <Table
        v={v}
        caption={v.t('grants.awards.caption', { n: total })}
        head={[v.t('grants.field.recipient'), v.t('grants.field.agency'), v.t('grants.field.listing'), v.t('grants.field.place'), v.t('grants.field.amount'), v.t('grants.field.action_date')]}
        rows={items.map((a) => [a.recipient_name, a.agency_name ?? a.awarding_agency ?? '—', a.assistance_listing ?? '—', placeOf(v, a), money(v, a.amount), a.action_date ? day(v, a.action_date) : '—'])}
      />
      <Pager v={v} page={page} perPage={PER_PAGE} total={total} />
    </div>
  );
}

function AwardForm({ v, values, errors, agencies, plans }: { v: View; values: FormValues; errors?: FieldError[]; agencies: { id: string; name: string }[]; plans: Plan[] }) {
  const val = (k: string) => str(values[k]);
  const errs = localErrors(v, errors);
  return (
    <FormPage v={v} title={v.t('grants.award.new')} action="/grants/awards" errors={errs} cancel="/grants/awards" crumbs={crumbs(v, [{ href: '/grants/awards', label: v.t('grants.awards') }])} save={v.t('grants.save')}>
      <Select name="agency_id" label={v.t('grants.field.agency')} blank={v.t('grants.none')} value={val('agency_id')} options={agencies.map((a) => ({ value: a.id, label: a.name }))} errors={errs} />
      <Select name="plan_id" label={v.t('grants.notice.plan')} blank={v.t('grants.none')} value={val('plan_id')} options={plans.map((p) => ({ value: p.id, label: `${p.agency_name}: ${p.programme} (${v.t('grants.fy.value', { fy: p.fiscal_year })})` }))} errors={errs} />
      <TextInput name="award_key" label={v.t('grants.field.award_key')} hint={v.t('grants.field.award_key.hint')} value={val('award_key')} errors={errs} />
      <TextInput name="recipient_name" label={v.t('grants.field.recipient')} required value={val('recipient_name')} errors={errs} />
      <TextInput name="recipient_uei" label={v.t('grants.field.uei')} value={val('recipient_uei')} errors={errs} />
      <TextInput name="assistance_listing" label={v.t('grants.field.listing')} hint={v.t('grants.field.listing.hint')} value={val('assistance_listing')} errors={errs} />
      <TextInput name="amount" label={v.t('grants.field.amount')} required inputmode="decimal" value={val('amount')} errors={errs} />
      <TextInput name="action_date" type="date" label={v.t('grants.field.action_date')} value={val('action_date')} errors={errs} />
      <TextInput name="state" label={v.t('grants.field.state')} hint={v.t('grants.field.state.hint')} required value={val('state')} errors={errs} />
      <TextInput name="county_fips" label={v.t('grants.field.county')} hint={v.t('grants.field.county.hint')} inputmode="numeric" value={val('county_fips')} errors={errs} />
      <TextInput name="zip" label={v.t('grants.field.zip')} inputmode="numeric" value={val('zip')} errors={errs} />
      <TextArea name="description" label={v.t('grants.field.description')} rows={2} value={val('description')} errors={errs} />
    </FormPage>
  );
}

async function choices(ctx: Ctx): Promise<{ agencies: { id: string; name: string }[]; plans: Plan[] }> {
  const p = principalOf(ctx);
  const mine = await store.agenciesOf(ctx.db, p);
  const all = mayReview(p);
  const agencies = (await allAgencies(ctx.db)).filter((a) => all || mine.has(a.id)).map((a) => ({ id: a.id, name: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
  const plans = (await store.listPlans(ctx.db)).filter((x) => all || mine.has(x.agency_id));
  return { agencies, plans };
}

function ImportPage({ v, csv, errors, report }: { v: View; csv?: string; errors?: FieldError[]; report?: commands.AwardImportReport }) {
  const errs = localErrors(v, errors);
  const fileErrors = errs?.filter((x) => x.field === 'file') ?? [];
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: '/grants/awards', label: v.t('grants.awards') }, { label: v.t('grants.award.import') }])} />
      <h1>{v.t('grants.award.import')}</h1>
      <p>{v.t('grants.award.import.intro')}</p>
      {report && (
        <>
          <Alert type={report.refused.length ? 'warning' : 'success'} slim>
            {v.t('grants.award.import.done', { inserted: report.inserted, updated: report.updated, refused: report.refused.length })}
          </Alert>
          {report.refused.length > 0 && <Table v={v} wrap caption={v.t('grants.award.refused')} head={[v.t('grants.award.line'), v.t('grants.award.field'), v.t('grants.award.reason')]} rows={report.refused.map((r) => [String(r.line), r.field, localMessage(v, r.reason)])} />}
        </>
      )}
      <form method="post" action="/grants/awards/import" enctype="multipart/form-data" class="usa-form usa-form--large">
        <Csrf v={v} />
        <IdempotencyKey />
        <ErrorSummary v={v} errors={errs ?? []} />
        <div class={`usa-form-group${fileErrors.length ? ' usa-form-group--error' : ''}`}>
          <label class={`usa-label${fileErrors.length ? ' usa-label--error' : ''}`} for="field-file">
            {v.t('grants.award.import.file')}
          </label>
          <div class="usa-hint" id="field-file-hint">
            {v.t('grants.award.import.file.hint')}
          </div>
          {fileErrors.length > 0 && (
            <span class="usa-error-message" id="field-file-error" role="alert">
              {fileErrors.map((x) => x.message).join(' ')}
            </span>
          )}
          <input class="usa-file-input" id="field-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby={`field-file-hint${fileErrors.length ? ' field-file-error' : ''}`} aria-invalid={fileErrors.length ? 'true' : undefined} />
        </div>
        <TextArea name="csv" label={v.t('grants.award.import.csv')} hint={v.t('grants.award.import.csv.hint')} rows={8} value={csv} />
        <SubmitButton>{v.t('grants.award.import')}</SubmitButton>
      </form>
    </div>
  );
}

export async function awardPages(app: App): Promise<void> {
  app.get('/grants/awards', { config: PLANNERS, schema: { ...hidden, querystring: ListQuery } }, async (req, reply) => {
    const v = req.view();
    const state = req.query.state && /^[A-Z]{2}$/.test(req.query.state) ? req.query.state : undefined;
    const fy = req.query.fiscal_year ? fyOf(req.query) : undefined;
    const page = req.query.page ?? 1;
    const r = await store.listAwards(req.ctx.db, { state, fiscalYear: fy }, PER_PAGE, (page - 1) * PER_PAGE);
    const p = principalOf(req.ctx);
    const canEnter = mayReview(p) || (await store.agenciesOf(req.ctx.db, p)).size > 0;
    return reply.page(v.t('grants.awards'), <AwardList v={v} items={r.items} total={r.total} page={page} state={state} fy={fy} canEnter={canEnter} canImport={mayReview(p)} />);
  });

  const newPage = async (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => {
    const c = await choices(reply.request.ctx);
    return reply.page(v.t('grants.award.new'), <AwardForm v={v} values={values} errors={errors} agencies={c.agencies} plans={c.plans} />, errors ? 400 : 200);
  };
  app.get('/grants/awards/new', { config: PLANNERS, schema: hidden }, async (req, reply) => newPage(reply, req.view(), {}));
  app.post('/grants/awards', { config: PLANNERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        const body = formBody(req.body);
        if (typeof body.state === 'string') body.state = body.state.toUpperCase();
        await commands.createAward(req.ctx, body, { coerce: true });
        return '/grants/awards';
      },
      (errors) => newPage(reply, req.view(), rawValues(req.body), errors),
    ),
  );

  app.get('/grants/awards/import', { config: COMMITTEE, schema: hidden }, async (req, reply) => reply.page(req.view().t('grants.award.import'), <ImportPage v={req.view()} />));
  app.post('/grants/awards/import', { config: COMMITTEE, schema: { ...hidden, body: PlatformFormPost({ csv: FormField }) } }, async (req, reply) => {
    // An uploaded file (multipart, field `file`) or pasted text (field `csv`); see ../upload.ts.
    const v = req.view();
    const pasted = str(req.body.csv);
    try {
      const report = await commands.importAwards(req.ctx, awardCsvOf(req, pasted));
      return reply.page(v.t('grants.award.import'), <ImportPage v={v} report={report} />);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return reply.page(v.t('grants.award.import'), <ImportPage v={v} csv={pasted} errors={errors} />, 400);
    }
  });
}
