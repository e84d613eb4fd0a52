/** Studies: the form (with outcome rows), the import from a reference manager's file, and the study page with its reviews. */
import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../../platform/context.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, FormPage, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { principalOf } from '../../../platform/policy.ts';
import * as commands from '../commands.ts';
import { LEAD, MANAGE, REVIEW } from '../permissions.ts';
import { mayReconcile } from '../policies.ts';
import { studyFor } from '../presenters.ts';
import { DESIGNS, DIRECTIONS, FormPost, MAX_RATING, OUTCOME_DOMAINS, STUDY_RATINGS, type Design } from '../schema.ts';
import { getPractice, getStudy, type Practice, type Study } from '../store.ts';
import { asFileProblems, citationTextOf } from '../upload.ts';
import { Dl, MANAGERS, PUBLIC, REVIEWERS, LEADS, crumbs, label, localErrors, str } from './shared.tsx';

const OUTCOME_ROWS = 3;

async function practiceOr404(ctx: Ctx, id: string): Promise<Practice> {
  const p = await getPractice(ctx.db, id);
  if (!p) throw notFound();
  return p;
}

async function studyOr404(ctx: Ctx, id: string): Promise<Study> {
  const s = await getStudy(ctx.db, id);
  if (!s) throw notFound();
  return s;
}

/** Outcome rows of the form (outcomes.N.field); a row whose measure is empty is left out. */
function outcomesOf(body: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < 50; i++) {
    const f = (k: string) => body[`outcomes.${i}.${k}`];
    if (f('measure') === undefined && f('domain') === undefined) {
      if (i >= OUTCOME_ROWS) break;
      continue;
    }
    if (f('measure') === undefined) continue;
    const o: Record<string, unknown> = { domain: f('domain'), measure: f('measure'), direction: f('direction'), significant: f('significant') === 'yes' };
    if (f('effect_size') !== undefined) o.effect_size = f('effect_size');
    if (f('follow_up_months') !== undefined) o.follow_up_months = f('follow_up_months');
    out.push(o);
  }
  return out;
}

function studyInput(body: Record<string, unknown>, edit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { title: body.title ?? '', authors: body.authors ?? '', design: body.design ?? '', outcomes: outcomesOf(body) };
  for (const k of ['year', 'journal', 'doi', 'url', 'sample_size', 'setting', 'attrition']) {
    if (body[k] !== undefined) out[k] = body[k];
    else if (edit) out[k] = null;
  }
  if (edit) out.version = body.version;
  return out;
}

function studyValues(s: Study): FormValues {
  const v: FormValues = { title: s.title, authors: s.authors, year: s.year?.toString() ?? '', journal: s.journal ?? '', doi: s.doi ?? '', url: s.url ?? '', design: s.design, sample_size: s.sample_size?.toString() ?? '', setting: s.setting ?? '', attrition: s.attrition?.toString() ?? '' };
  s.outcomes.forEach((o, i) => {
    v[`outcomes.${i}.domain`] = o.domain;
    v[`outcomes.${i}.measure`] = o.measure;
    v[`outcomes.${i}.direction`] = o.direction;
    v[`outcomes.${i}.effect_size`] = o.effect_size?.toString() ?? '';
    v[`outcomes.${i}.significant`] = o.significant ? 'yes' : 'no';
    v[`outcomes.${i}.follow_up_months`] = o.follow_up_months?.toString() ?? '';
  });
  return v;
}

function StudyForm({ v, p, title, action, cancel, values, errors, version }: { v: View; p: Practice; title: string; action: string; cancel: string; values: FormValues; errors?: FieldError[]; version?: number }) {
  const e = localErrors(v, errors);
  const rows = Math.max(OUTCOME_ROWS, Object.keys(values).filter((k) => /^outcomes\.\d+\.measure$/.test(k)).length + 1);
  return (
    <FormPage v={v} save={v.t('pr.save')} title={title} action={action} errors={localErrors(v, errors)} cancel={cancel} crumbs={crumbs(v, [{ href: `/practices/${p.id}`, label: p.name }])}>
      {version !== undefined && <input type="hidden" name="version" value={String(version)} />}
      <TextInput name="title" label={v.t('pr.field.title')} required value={str(values.title)} errors={e} maxLength={1000} />
      <TextInput name="authors" label={v.t('pr.field.authors')} required value={str(values.authors)} errors={e} maxLength={2000} />
      <TextInput name="year" label={v.t('pr.field.year')} inputmode="numeric" value={str(values.year)} errors={e} maxLength={4} />
      <TextInput name="journal" label={v.t('pr.field.journal')} value={str(values.journal)} errors={e} maxLength={500} />
      <TextInput name="doi" label={v.t('pr.field.doi')} value={str(values.doi)} errors={e} maxLength={300} />
      <TextInput name="url" type="url" label={v.t('pr.field.url')} value={str(values.url)} errors={e} maxLength={2000} />
      <Select name="design" label={v.t('pr.field.design')} required value={str(values.design)} blank="—" errors={e} options={DESIGNS.map((d) => ({ value: d, label: label(v, 'design', d) }))} />
      <TextInput name="sample_size" label={v.t('pr.field.sample_size')} inputmode="numeric" value={str(values.sample_size)} errors={e} maxLength={9} />
      <TextInput name="setting" label={v.t('pr.field.study_setting')} value={str(values.setting)} errors={e} maxLength={500} />
      <TextInput name="attrition" label={v.t('pr.field.attrition')} inputmode="decimal" value={str(values.attrition)} errors={e} maxLength={6} />
      <h2>{v.t('pr.study.outcomes')}</h2>
      <p class="usa-hint">{v.t('pr.study.outcome.hint')}</p>
      {Array.from({ length: rows }, (_, i) => (
        <fieldset class="usa-fieldset margin-top-2">
          <legend class="usa-legend usa-legend">{v.t('pr.study.outcome.n', { n: i + 1 })}</legend>
          <Select name={`outcomes.${i}.domain`} label={v.t('pr.field.outcome')} value={str(values[`outcomes.${i}.domain`])} errors={e} options={OUTCOME_DOMAINS.map((d) => ({ value: d, label: label(v, 'domain', d) }))} />
          <TextInput name={`outcomes.${i}.measure`} label={v.t('pr.field.measure')} value={str(values[`outcomes.${i}.measure`])} errors={e} maxLength={300} />
          <Select name={`outcomes.${i}.direction`} label={v.t('pr.field.direction')} value={str(values[`outcomes.${i}.direction`])} errors={e} options={DIRECTIONS.map((d) => ({ value: d, label: label(v, 'direction', d) }))} />
          <TextInput name={`outcomes.${i}.effect_size`} label={v.t('pr.field.effect_size')} inputmode="decimal" value={str(values[`outcomes.${i}.effect_size`])} errors={e} maxLength={8} />
          <Select name={`outcomes.${i}.significant`} label={v.t('pr.field.significant')} value={str(values[`outcomes.${i}.significant`]) ?? 'no'} errors={e} options={[{ value: 'yes', label: v.t('pr.yes') }, { value: 'no', label: v.t('pr.no') }]} />
          <TextInput name={`outcomes.${i}.follow_up_months`} label={v.t('pr.field.follow_up_months')} inputmode="numeric" value={str(values[`outcomes.${i}.follow_up_months`])} errors={e} maxLength={3} />
        </fieldset>
      ))}
    </FormPage>
  );
}

function ImportForm({ v, p, values, errors }: { v: View; p: Practice; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  // Problems of an uploaded file name it ("file (record at line 3: title)"): shown at the file input.
  const fileErrors = e?.filter((x) => x.field === 'file' || x.field.startsWith('file (')) ?? [];
  return (
    <FormPage v={v} save={v.t('pr.save')} title={v.t('pr.study.import')} action={`/practices/${p.id}/studies/import`} enctype="multipart/form-data" errors={localErrors(v, errors)} cancel={`/practices/${p.id}`} crumbs={crumbs(v, [{ href: `/practices/${p.id}`, label: p.name }])}>
      <Select name="design" label={v.t('pr.field.design')} required value={str(values.design)} blank="—" errors={e} options={DESIGNS.map((d) => ({ value: d, label: label(v, 'design', d) }))} />
      <div class={`usa-form-group${fileErrors.length ? ' usa-form-group--error' : ''}`}>
        <label class={`usa-label${fileErrors.length ? ' usa-label--error' : ''}`} for="field-file">
          {v.t('pr.field.upload')}
        </label>
        <div class="usa-hint" id="field-file-hint">
          {v.t('pr.field.upload.hint')}
        </div>
        {fileErrors.length > 0 && (
          <span class="usa-error-message" id="field-file-error" role="alert">
            <ul class="usa-list margin-0">
              {fileErrors.map((x) => (
                <li>{x.field === 'file' ? x.message : `${x.field.slice('file ('.length, -1)}: ${x.message}`}</li>
              ))}
            </ul>
          </span>
        )}
        <input class="usa-file-input" id="field-file" name="file" type="file" accept=".ris,.bib,.bibtex,.txt,application/x-research-info-systems,application/x-bibtex,text/plain" aria-describedby={`field-file-hint${fileErrors.length ? ' field-file-error' : ''}`} aria-invalid={fileErrors.length ? 'true' : undefined} />
      </div>
      <TextArea name="text" label={v.t('pr.field.file')} hint={v.t('pr.field.file.hint')} value={str(values.text)} errors={e} rows={10} />
    </FormPage>
  );
}

function StudyPage({ v, ctx, s, p, errors, values }: { v: View; ctx: Ctx; s: Study; p: Practice; errors?: FieldError[]; values?: FormValues }) {
  const seen = studyFor(ctx, s);
  const mine = v.actor ? s.reviews.find((r) => r.reviewer_id === v.actor!.id) : undefined;
  const canRate = v.can(REVIEW) && s.reviews.length < 2;
  const canSettle = v.can(LEAD) && s.review_state === 'disagreed' && mayReconcile(principalOf(ctx), s.reviews);
  const e = localErrors(v, errors);
  const cap = MAX_RATING[s.design as Design];
  const allowed = STUDY_RATINGS.filter((r) => STUDY_RATINGS.indexOf(r) >= STUDY_RATINGS.indexOf(cap));
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: `/practices/${p.id}`, label: p.name }, { label: s.title }])} />
      <h1>{s.title}</h1>
      {v.can(MANAGE) && (
        <p>
          <a href={`/practices/studies/${s.id}/edit`}>{v.t('pr.study.edit')}</a>
        </p>
      )}
      <Dl
        items={[
          [v.t('pr.field.authors'), s.authors],
          [v.t('pr.field.year'), s.year ?? '—'],
          [v.t('pr.field.journal'), s.journal ?? '—'],
          ...(s.doi ? [[v.t('pr.field.doi'), <a href={`https://doi.org/${s.doi}`}>{s.doi}</a>] as [string, preact.ComponentChildren]] : []),
          ...(s.url ? [[v.t('pr.field.url'), <a href={s.url}>{s.url}</a>] as [string, preact.ComponentChildren]] : []),
          [v.t('pr.field.design'), label(v, 'design', s.design)],
          [v.t('pr.field.sample_size'), s.sample_size ?? '—'],
          [v.t('pr.field.study_setting'), s.setting ?? '—'],
          [v.t('pr.field.attrition'), s.attrition === null ? '—' : `${s.attrition}%`],
          [v.t('pr.field.review_state'), label(v, 'state', s.review_state)],
          [v.t('pr.field.final_rating'), s.final_rating ? label(v, 'study', s.final_rating) : '—'],
        ]}
      />
      {s.reconciliation && <p>{v.t('pr.study.reconciled', { rating: label(v, 'study', s.reconciliation.rating), lead: s.reconciliation.lead_label, reason: s.reconciliation.reason })}</p>}
      <h2>{v.t('pr.study.outcomes')}</h2>
      <Table
        v={v}
        wrap
        caption={v.t('pr.study.outcomes')}
        head={[v.t('pr.field.outcome'), v.t('pr.field.measure'), v.t('pr.field.direction'), v.t('pr.field.effect_size'), v.t('pr.field.significant'), v.t('pr.field.follow_up_months')]}
        rows={s.outcomes.map((o) => [label(v, 'domain', o.domain), o.measure, label(v, 'direction', o.direction), o.effect_size ?? '—', o.significant ? v.t('pr.yes') : v.t('pr.no'), o.follow_up_months ?? '—'])}
      />
      {(v.can(REVIEW) || v.can(LEAD)) && (
        <section class="margin-top-4" aria-labelledby="reviews-heading">
          <h2 id="reviews-heading">{v.t('pr.study.reviews')}</h2>
          {s.reviews.length < 2 && <p class="usa-hint">{v.t('pr.study.reviews.blind')}</p>}
          <Table v={v} wrap caption={v.t('pr.study.reviews')} head={[v.t('pr.field.authors'), v.t('pr.field.rating'), v.t('pr.field.notes')]} rows={seen.reviews.map((r) => [r.reviewer_label, label(v, 'study', r.rating), r.notes ?? '—'])} />
          <p class="usa-prose">{v.t('pr.study.rubric')}</p>
          {canRate && (
            <form method="post" action={`/practices/studies/${s.id}/reviews`} class="usa-form">
              <h3>{v.t('pr.study.rate')}</h3>
              <Csrf v={v} />
              <IdempotencyKey />
              <ErrorSummary v={v} errors={e ?? []} />
              {mine && <p>{v.t('pr.study.your_rating', { rating: label(v, 'study', mine.rating) })}</p>}
              <Select name="rating" label={v.t('pr.field.rating')} required value={str(values?.rating) ?? mine?.rating} blank="—" errors={e} options={allowed.map((r) => ({ value: r, label: label(v, 'study', r) }))} />
              <TextArea name="notes" label={v.t('pr.field.notes')} value={str(values?.notes) ?? mine?.notes ?? ''} errors={e} rows={3} />
              <SubmitButton>{v.t('pr.study.rate')}</SubmitButton>
            </form>
          )}
          {canSettle && (
            <form method="post" action={`/practices/studies/${s.id}/reconciliation`} class="usa-form">
              <h3>{v.t('pr.study.reconcile')}</h3>
              <Csrf v={v} />
              <ErrorSummary v={v} errors={e ?? []} />
              <Select name="rating" label={v.t('pr.field.rating')} required value={str(values?.rating)} blank="—" errors={e} options={allowed.map((r) => ({ value: r, label: label(v, 'study', r) }))} />
              <TextArea name="reason" label={v.t('pr.field.reason')} required value={str(values?.reason)} errors={e} rows={3} />
              <SubmitButton>{v.t('pr.study.reconcile')}</SubmitButton>
            </form>
          )}
        </section>
      )}
    </div>
  );
}

export async function studyPages(app: App): Promise<void> {
  const newPage = (reply: FastifyReply, v: View, p: Practice, values: FormValues, errors?: FieldError[]) =>
    reply.page(v.t('pr.study.add'), <StudyForm v={v} p={p} title={v.t('pr.study.add')} action={`/practices/${p.id}/studies`} cancel={`/practices/${p.id}`} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/practices/:id/studies/new', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => newPage(reply, req.view(), await practiceOr404(req.ctx, req.params.id), {}));
  app.post('/practices/:id/studies', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await practiceOr404(req.ctx, req.params.id);
    return submitForm(reply, async () => `/practices/studies/${(await commands.createStudy(req.ctx, p.id, studyInput(formBody(req.body), false), { coerce: true })).id}`, (errors) => newPage(reply, req.view(), p, rawValues(req.body), errors));
  });

  const importPage = (reply: FastifyReply, v: View, p: Practice, values: FormValues, errors?: FieldError[]) => reply.page(v.t('pr.study.import'), <ImportForm v={v} p={p} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/practices/:id/studies/import', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => importPage(reply, req.view(), await practiceOr404(req.ctx, req.params.id), {}));
  app.post('/practices/:id/studies/import', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await practiceOr404(req.ctx, req.params.id);
    const body = formBody(req.body);
    // Pasted text is taken as it is (its line breaks and spaces matter), not trimmed like other fields.
    const raw = rawValues(req.body);
    return submitForm(
      reply,
      async () => {
        const got = citationTextOf(req, raw.text === undefined ? undefined : String(raw.text));
        await asFileProblems(got.fromFile, () => commands.importStudies(req.ctx, p.id, { design: body.design ?? '', text: got.text }, { coerce: true }));
        return `/practices/${p.id}#studies-heading`;
      },
      (errors) => importPage(reply, req.view(), p, raw, errors),
    );
  });

  const studyPage = async (req: { ctx: Ctx; view(): View }, reply: FastifyReply, id: string, errors?: FieldError[], values?: FormValues) => {
    const s = await studyOr404(req.ctx, id);
    const p = (await getPractice(req.ctx.db, s.practice_id))!;
    const v = req.view();
    return reply.page(s.title, <StudyPage v={v} ctx={req.ctx} s={s} p={p} errors={errors} values={values} />, errors ? 400 : 200);
  };
  app.get('/practices/studies/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => studyPage(req, reply, req.params.id));

  const editPage = (reply: FastifyReply, v: View, p: Practice, s: Study, values: FormValues, errors?: FieldError[]) =>
    reply.page(v.t('pr.study.edit'), <StudyForm v={v} p={p} title={v.t('pr.study.edit')} action={`/practices/studies/${s.id}/edit`} cancel={`/practices/studies/${s.id}`} values={values} errors={errors} version={s.version} />, errors ? 400 : 200);
  app.get('/practices/studies/:id/edit', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const s = await studyOr404(req.ctx, req.params.id);
    return editPage(reply, req.view(), (await getPractice(req.ctx.db, s.practice_id))!, s, studyValues(s));
  });
  app.post('/practices/studies/:id/edit', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const s = await studyOr404(req.ctx, req.params.id);
    const p = (await getPractice(req.ctx.db, s.practice_id))!;
    return submitForm(reply, async () => `/practices/studies/${(await commands.updateStudy(req.ctx, s.id, studyInput(formBody(req.body), true), { coerce: true })).id}`, (errors) => editPage(reply, req.view(), p, s, rawValues(req.body), errors), { keepPath: true });
  });

  app.post('/practices/studies/:id/reviews', { config: REVIEWERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/practices/studies/${(await commands.reviewStudy(req.ctx, req.params.id, formBody(req.body), { coerce: true })).id}`,
      (errors) => studyPage(req, reply, req.params.id, errors, rawValues(req.body)),
    ),
  );
  app.post('/practices/studies/:id/reconciliation', { config: LEADS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/practices/studies/${(await commands.reconcileStudy(req.ctx, req.params.id, formBody(req.body), { coerce: true })).id}`,
      (errors) => studyPage(req, reply, req.params.id, errors, rawValues(req.body)),
    ),
  );
  void Alert;
}
