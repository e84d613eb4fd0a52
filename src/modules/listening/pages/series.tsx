/** Pages of the series: the list of series, one series with its sessions, publication. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams, pageOf } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, IdempotencyKey, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { createSeries, createSession, publishFindings, updateSeries } from '../commands.ts';
import { CODE, MANAGE } from '../policies.ts';
import { FORMATS, FormPost, PROVIDER_TYPES, REGIONS } from '../schema.ts';
import { listSeries, listSessions, loadOwners, seriesOr404, type Series, type Session } from '../store.ts';
import { sessionOut } from '../presenters.ts';
import { list, localErrors, opt, ownerGroups, PageParam, questionErrors, questionsFromForm, sessionFromForm, val, when, withOwnerType, type Input_ } from './shared.tsx';
import { QUESTION_TEMPLATES, questionLabel } from '../questions.ts';
import { GroupedSelect, TimeZoneSelect } from '../../../platform/web/pickers.tsx';
import { idempotent } from '../../../platform/http/idempotency.ts';


function SeriesListPage({ v, items, owners, total, page, perPage, errors, input }: { v: View; items: Series[]; owners: { id: string; type: string; name: string }[]; total: number; page: number; perPage: number; errors?: FieldError[]; input?: Input_ }) {
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return (
    <div>
      <h1>{v.t('ls.title')}</h1>
      <p class="usa-intro">{v.t('ls.intro')}</p>
      <Table
        v={v}
        caption={v.t('ls.series.list')}
        head={[v.t('ls.series'), v.t('ls.owner'), v.t('ls.findings')]}
        rows={items.map((s) => [<a href={`/listening/series/${s.id}`}>{s.title}</a>, ownerName.get(s.owner_id) ?? '—', s.published_at ? <a href={`/listening/series/${s.id}/report`}>{v.t('ls.report.view')}</a> : v.t('ls.notpublished')])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
      {v.can(MANAGE) && (
        <form method="post" action="/listening/series" class="usa-form usa-form--large">
          <h2>{v.t('ls.series.new')}</h2>
          <ErrorSummary v={v} errors={errors ?? []} labels={{ title: v.t('ls.field.title'), description: v.t('ls.field.description'), owner_id: v.t('ls.owner'), reminder_days: v.t('ls.field.reminder_days'), template: v.t('ls.field.template') }} />
          <Csrf v={v} />
          <IdempotencyKey />
          <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} maxLength={200} />
          <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} />
          <GroupedSelect name="owner_id" label={v.t('ls.owner')} required value={val(input, 'owner_id')} blank={v.t('ls.choose')} errors={errors} groups={ownerGroups(v, owners, ['partnership', 'committee'])} />
          <TextInput name="reminder_days" label={v.t('ls.field.reminder_days')} hint={v.t('ls.field.reminder_days.hint')} type="number" value={val(input, 'reminder_days') ?? '2'} errors={errors} />
          <Select name="template" label={v.t('ls.field.template')} hint={v.t('ls.field.template.hint')} value={val(input, 'template') ?? 'housing'} options={opt(v, 'ls.template', QUESTION_TEMPLATES)} errors={errors} />
          <SubmitButton>{v.t('ls.series.create')}</SubmitButton>
        </form>
      )}
    </div>
  );
}


/** The session form's fields by their labels, for the error summary. */
export function sessionLabels(v: View): Record<string, string> {
  const k = ['title', 'date', 'start_time', 'end_time', 'time_zone', 'format', 'location', 'online_url', 'audience_provider_types', 'audience_regions', 'capacity', 'reserved_places', 'agenda'];
  return { ...Object.fromEntries(k.map((x) => [x, v.t(`ls.field.${x}`)])), registration_opens_at: v.t('ls.field.opens'), registration_closes_at: v.t('ls.field.closes') };
}

/** The series' questions, and for its lead a form to change them: one row per question and two blank rows to add. */
function QuestionsSection({ v, series, errors, input }: { v: View; series: Series; errors?: FieldError[]; input?: Input_ }) {
  const rows = input
    ? [...new Set(Object.keys(input).flatMap((k) => /^q(\d{1,2})_/.exec(k)?.[1] ?? []))].map(Number).sort((a, b) => a - b)
    : [];
  const count = Math.max(series.questions.length + 2, rows.length ? Math.max(...rows) + 1 : 0);
  const labels: Record<string, string> = {};
  for (let n = 0; n < count; n++) {
    const which = n < series.questions.length ? v.t('ls.question.n', { n: n + 1 }) : v.t('ls.question.new');
    labels[`q${n}_label`] = `${which} — ${v.t('ls.field.question_label')}`;
    labels[`q${n}_label_es`] = `${which} — ${v.t('ls.field.question_label_es')}`;
  }
  const field = (n: number, k: string, current: string | undefined) => (input ? val(input, `q${n}_${k}`) : current);
  return (
    <section>
      <h2 id="questions">{v.t('ls.questions.title')}</h2>
      <p>{v.t('ls.questions.intro')}</p>
      <ol class="usa-list">
        {series.questions.map((q) => (
          <li>{questionLabel(q, v.lang)}</li>
        ))}
      </ol>
      {v.can(MANAGE) && (
        <form method="post" action={`/listening/series/${series.id}/questions`} class="usa-form usa-form--large">
          <h3>{v.t('ls.questions.edit')}</h3>
          <ErrorSummary v={v} errors={errors ?? []} labels={labels} />
          <Csrf v={v} />
          <input type="hidden" name="version" value={String(series.version)} />
          <p class="usa-hint">{v.t('ls.questions.hint')}</p>
          {Array.from({ length: count }, (_, n) => {
            const q = series.questions[n];
            return (
              <fieldset class="usa-fieldset margin-top-2">
                <legend class="usa-legend usa-legend--large">{n < series.questions.length ? v.t('ls.question.n', { n: n + 1 }) : v.t('ls.question.new')}</legend>
                {q && <input type="hidden" name={`q${n}_key`} value={q.key} />}
                <TextArea name={`q${n}_label`} label={v.t('ls.field.question_label')} value={field(n, 'label', q?.label)} errors={errors} rows={2} />
                <TextArea name={`q${n}_label_es`} label={v.t('ls.field.question_label_es')} value={field(n, 'label_es', q?.label_es)} errors={errors} rows={2} />
                <TextInput name={`q${n}_order`} label={v.t('ls.field.question_order')} type="number" value={field(n, 'order', String(n + 1))} errors={errors} />
              </fieldset>
            );
          })}
          <SubmitButton>{v.t('ls.questions.save')}</SubmitButton>
        </form>
      )}
    </section>
  );
}

function SessionForm({ v, series, errors, input }: { v: View; series: Series; errors?: FieldError[]; input?: Input_ }) {
  return (
    <form method="post" action={`/listening/series/${series.id}/sessions`} class="usa-form usa-form--large">
      <h2>{v.t('ls.session.new')}</h2>
      <ErrorSummary v={v} errors={errors ?? []} labels={sessionLabels(v)} />
      <Csrf v={v} />
      <IdempotencyKey />
      <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} maxLength={200} />
      <TextInput name="date" label={v.t('ls.field.date')} type="date" required value={val(input, 'date')} errors={errors} />
      <TextInput name="start_time" label={v.t('ls.field.start_time')} type="time" required value={val(input, 'start_time')} errors={errors} />
      <TextInput name="end_time" label={v.t('ls.field.end_time')} type="time" required value={val(input, 'end_time')} errors={errors} />
      <TimeZoneSelect v={v} name="time_zone" label={v.t('ls.field.time_zone')} required value={val(input, 'time_zone') ?? 'America/New_York'} errors={errors} />
      <Select name="format" label={v.t('ls.field.format')} required value={val(input, 'format')} options={opt(v, 'ls.format', FORMATS)} errors={errors} />
      <TextInput name="location" label={v.t('ls.field.location')} value={val(input, 'location')} errors={errors} />
      <TextInput name="online_url" label={v.t('ls.field.online_url')} type="url" value={val(input, 'online_url')} errors={errors} />
      <Checkboxes name="audience_provider_types" label={v.t('ls.field.audience_provider_types')} values={list(input?.audience_provider_types)} options={opt(v, 'ls.ptype', PROVIDER_TYPES)} errors={errors} />
      <Checkboxes name="audience_regions" label={v.t('ls.field.audience_regions')} values={list(input?.audience_regions)} options={opt(v, 'ls.region', REGIONS)} errors={errors} />
      <TextInput name="capacity" label={v.t('ls.field.capacity')} type="number" required value={val(input, 'capacity')} errors={errors} />
      <TextInput name="reserved_places" label={v.t('ls.field.reserved_places')} hint={v.t('ls.field.reserved_places.hint')} type="number" value={val(input, 'reserved_places') ?? '0'} errors={errors} />
      <TextInput name="registration_opens_at" label={v.t('ls.field.opens')} hint={v.t('ls.field.window.hint')} type="datetime-local" value={val(input, 'registration_opens_at')} errors={errors} />
      <TextInput name="registration_closes_at" label={v.t('ls.field.closes')} hint={v.t('ls.field.window.hint')} type="datetime-local" value={val(input, 'registration_closes_at')} errors={errors} />
      <TextArea name="agenda" label={v.t('ls.field.agenda')} hint={v.t('ls.field.agenda.hint')} value={val(input, 'agenda')} errors={errors} />
      <SubmitButton>{v.t('ls.session.create')}</SubmitButton>
    </form>
  );
}

function SeriesPage({ v, series, ownerName, sessions, errors, input, questionErrors: qErrors, questionInput, saved }: { v: View; series: Series; ownerName: string; sessions: (Session & { confirmed: number; places_left: number })[]; errors?: FieldError[]; input?: Input_; questionErrors?: FieldError[]; questionInput?: Input_; saved?: boolean }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { label: series.title }]} />
      <h1>{series.title}</h1>
      {saved && (
        <Alert type="success" slim>
          {v.t('ls.questions.saved')}
        </Alert>
      )}
      {series.description && <p class="usa-intro">{series.description}</p>}
      <p>
        {v.t('ls.owner')}: {ownerName}
      </p>
      <ul class="usa-button-group margin-y-2">
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href={`/api/listening/series/${series.id}/feed.ics`}>
            {v.t('ls.feed')}
          </a>
        </li>
        {series.published_at && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href={`/listening/series/${series.id}/report`}>
              {v.t('ls.report.view')}
            </a>
          </li>
        )}
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href={`/listening/series/${series.id}/recommendations`}>
            {v.t('ls.recs.title')}
          </a>
        </li>
        {v.can(CODE) &&
          (['coding', 'codebook', 'agreement', 'suggestions', 'findings'] as const).map((p) => (
            <li class="usa-button-group__item">
              <a class="usa-button usa-button--outline" href={`/listening/series/${series.id}/${p}`}>
                {v.t(`ls.${p}.title`)}
              </a>
            </li>
          ))}
      </ul>
      <Table
        v={v}
        caption={v.t('ls.sessions')}
        head={[v.t('ls.session'), v.t('ls.when'), v.t('ls.field.format'), v.t('ls.places_left')]}
        rows={sessions.map((s) => [<a href={`/listening/sessions/${s.id}`}>{s.title}</a>, when(v, s), v.t(`ls.format.${s.format}`), String(s.places_left)])}
      />
      <QuestionsSection v={v} series={series} errors={qErrors} input={questionInput} />
      {v.can(MANAGE) && (
        <>
          <SessionForm v={v} series={series} errors={errors} input={input} />
          <h2>{v.t('ls.publish.title')}</h2>
          <p>{series.published_at ? v.t('ls.published.at', { at: formatDate(v.lang, series.published_at) }) : v.t('ls.notpublished')}</p>
          <ActionButton v={v} action={`/listening/series/${series.id}/publish`}>
            {v.t('ls.publish')}
          </ActionButton>
        </>
      )}
    </div>
  );
}

const SavedQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 20 })) });

export async function seriesPages(app: App): Promise<void> {
  const seriesListPage = async (req: FastifyRequest, reply: FastifyReply, query: { page?: number }, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const { page, perPage, offset } = pageOf(query);
    const { items, total } = await listSeries(req.ctx.db, perPage, offset);
    const owners = (await loadOwners(req.ctx.db)).all;
    const v = req.view();
    return reply.page(v.t('ls.title'), <SeriesListPage v={v} items={items} owners={owners} total={total} page={page} perPage={perPage} {...extra} errors={localErrors(v, extra.errors)} />, status);
  };

  const seriesPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; questionErrors?: FieldError[]; questionInput?: Input_; saved?: boolean } = {}, status = 200) => {
    const series = await seriesOr404(req.ctx.db, id);
    const sessions = await Promise.all((await listSessions(req.ctx.db, series.id)).map((s) => sessionOut(req.ctx.db, s)));
    const owner = (await loadOwners(req.ctx.db)).get(series.owner_id);
    const v = req.view();
    return reply.page(series.title, <SeriesPage v={v} series={series} ownerName={owner?.name ?? '—'} sessions={sessions} {...extra} errors={localErrors(v, extra.errors)} questionErrors={localErrors(v, extra.questionErrors)} />, status);
  };

  app.get('/listening', { config: { access: 'public' }, schema: { ...hidden, querystring: PageParam } }, (req, reply) => seriesListPage(req, reply, req.query));
  app.post('/listening/series', { config: { access: { permission: MANAGE } }, schema: { ...hidden, body: FormPost } }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      const { location } = await idempotent(req, async () => `/listening/series/${(await createSeries(req.ctx, await withOwnerType(req, input), { coerce: true })).id}`);
      return reply.redirect(location);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return seriesListPage(req, reply, {}, { errors: errors.map((e) => (e.field === 'owner_type' ? { ...e, field: 'owner_id' } : e)), input }, 400);
      throw err;
    }
  });

  app.get('/listening/series/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams, querystring: SavedQuery } }, (req, reply) => seriesPage(req, reply, req.params.id, { saved: req.query.saved === 'questions' }));
  app.post('/listening/series/:id/questions', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    const { questions, rows } = questionsFromForm(input);
    try {
      await updateSeries(req.ctx, id, { version: input.version, questions }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return seriesPage(req, reply, id, { questionErrors: questionErrors(errors, rows), questionInput: input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}?saved=questions#questions`);
  });
  app.post('/listening/series/:id/sessions', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      const { location } = await idempotent(req, async () => `/listening/sessions/${(await createSession(req.ctx, id, sessionFromForm(input), { coerce: true })).id}`);
      return reply.redirect(location);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return seriesPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
  });
  app.post('/listening/series/:id/publish', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const s = await seriesOr404(req.ctx.db, req.params.id);
    await publishFindings(req.ctx, s.id);
    return reply.redirect(`/listening/series/${s.id}/report`);
  });
}
