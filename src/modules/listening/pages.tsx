import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../platform/module.ts';
import { Type } from '@sinclair/typebox';
import type { View } from '../../platform/web/view.ts';
import { notFound, type FieldError } from '../../platform/http/errors.ts';
import { formErrors } from '../../platform/http/forms.ts';
import { hidden, IdParams, pageOf } from '../../platform/http/schemas.ts';
import { formBody } from '../../platform/http/validation.ts';
import { isUuid } from '../../platform/db/index.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import {
  CODE,
  MANAGE,
  addTimelineEntry,
  createCode,
  createExcerpt,
  createMemo,
  createRecommendation,
  createSeries,
  createSession,
  currentSuggestions,
  decideSuggestion,
  importCodebook,
  publishFindings,
  register,
  releaseReserved,
  submitInput,
  updateRecommendation,
  updateRegistration,
  updateSession,
} from './commands.ts';
import { FORMATS, FormPost, PROVIDER_TYPES, REC_STATUSES, REC_TYPES, REGIONS } from './schema.ts';
import {
  codeTree,
  getRecommendation,
  getRegistration,
  getSeries,
  listCoders,
  listCodes,
  listExcerpts,
  listInputs,
  listMemos,
  listRecommendations,
  listRegistrations,
  listSeries,
  listSessions,
  listTimeline,
  loadOwners,
  publishedReport,
  rollup,
  themeOf,
  type Code,
  type Input,
  type Recommendation,
  type Series,
  type Session,
} from './store.ts';
import { citedExcerpts, draftFindings, INPUT_RATE_LIMIT, REGISTRATION_RATE_LIMIT, seriesOr404, sessionOr404, sessionOut } from './api.ts';
import { agreementFor } from './agreement.ts';
import { NOT_STATED, type Findings, type PublishedReport } from './findings.ts';
import { cellText, ThemeChart } from './chart.tsx';
import { zonedToUtc } from './time.ts';

type Input_ = Record<string, unknown>;

const opt = (v: View, prefix: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`${prefix}.${x}`) }));
const val = (input: Input_ | undefined, k: string) => (input?.[k] === undefined ? undefined : String(input[k]));
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);

function when(s: Session): string {
  return `${s.date}, ${s.start_time}–${s.end_time} (${s.time_zone})`;
}

function SeriesCrumbs({ v, series, here }: { v: View; series: Series; here: string }) {
  return <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { href: `/listening/series/${series.id}`, label: series.title }, { label: here }]} />;
}

// ---------- series list ----------

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
          <ErrorSummary v={v} errors={errors ?? []} />
          <Csrf v={v} />
          <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} maxLength={200} />
          <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} />
          <Select name="owner_id" label={v.t('ls.owner')} required value={val(input, 'owner_id')} blank={v.t('ls.choose')} errors={errors} options={owners.filter((o) => o.type !== 'agency').map((o) => ({ value: o.id, label: `${o.name} (${v.t(`ls.ownertype.${o.type}`)})` }))} />
          <TextInput name="reminder_days" label={v.t('ls.field.reminder_days')} hint={v.t('ls.field.reminder_days.hint')} type="number" value={val(input, 'reminder_days') ?? '2'} errors={errors} />
          <SubmitButton>{v.t('ls.series.create')}</SubmitButton>
        </form>
      )}
    </div>
  );
}

// ---------- series page ----------

function SessionForm({ v, series, errors, input }: { v: View; series: Series; errors?: FieldError[]; input?: Input_ }) {
  return (
    <form method="post" action={`/listening/series/${series.id}/sessions`} class="usa-form usa-form--large">
      <h2>{v.t('ls.session.new')}</h2>
      <ErrorSummary v={v} errors={errors ?? []} />
      <Csrf v={v} />
      <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} maxLength={200} />
      <TextInput name="date" label={v.t('ls.field.date')} type="date" required value={val(input, 'date')} errors={errors} />
      <TextInput name="start_time" label={v.t('ls.field.start_time')} type="time" required value={val(input, 'start_time')} errors={errors} />
      <TextInput name="end_time" label={v.t('ls.field.end_time')} type="time" required value={val(input, 'end_time')} errors={errors} />
      <TextInput name="time_zone" label={v.t('ls.field.time_zone')} hint={v.t('ls.field.time_zone.hint')} required value={val(input, 'time_zone') ?? 'America/New_York'} errors={errors} />
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

function SeriesPage({ v, series, ownerName, sessions, errors, input }: { v: View; series: Series; ownerName: string; sessions: (Session & { confirmed: number; places_left: number })[]; errors?: FieldError[]; input?: Input_ }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { label: series.title }]} />
      <h1>{series.title}</h1>
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
        rows={sessions.map((s) => [<a href={`/listening/sessions/${s.id}`}>{s.title}</a>, when(s), v.t(`ls.format.${s.format}`), String(s.places_left)])}
      />
      {v.can(MANAGE) && (
        <>
          <SessionForm v={v} series={series} errors={errors} input={input} />
          <h2>{v.t('ls.publish.title')}</h2>
          <p>{series.published_at ? v.t('ls.published.at', { at: series.published_at.slice(0, 10) }) : v.t('ls.notpublished')}</p>
          <ActionButton v={v} action={`/listening/series/${series.id}/publish`}>
            {v.t('ls.publish')}
          </ActionButton>
        </>
      )}
    </div>
  );
}

// ---------- session page ----------

interface SessionPageProps {
  v: View;
  series: Series;
  session: Awaited<ReturnType<typeof sessionOut>>;
  registrants?: Awaited<ReturnType<typeof listRegistrations>>['items'];
  errors?: FieldError[];
  input?: Input_;
  done?: string;
}

function RegistrationForm({ v, session, errors, input, invite }: { v: View; session: Session & { registration_open: boolean }; errors?: FieldError[]; input?: Input_; invite?: boolean }) {
  return (
    <form method="post" action={`/listening/sessions/${session.id}/register`} class="usa-form usa-form--large">
      <h2>{invite ? v.t('ls.invite.title') : v.t('ls.register.title')}</h2>
      {invite && !session.registration_open && <p>{v.t('ls.register.closed')}</p>}
      <ErrorSummary v={v} errors={errors ?? []} />
      <Csrf v={v} />
      {invite && (
        <Checkboxes name="invited" label={v.t('ls.invite.label')} values={list(input?.invited)} options={[{ value: 'true', label: v.t('ls.invite.option') }]} errors={errors} />
      )}
      <TextInput name="name" label={v.t('ls.field.name')} required value={val(input, 'name')} errors={errors} autocomplete="name" />
      <TextInput name="email" label={v.t('ls.field.email')} type="email" required value={val(input, 'email')} errors={errors} autocomplete="email" />
      <TextInput name="organization" label={v.t('ls.field.organization')} required value={val(input, 'organization')} errors={errors} autocomplete="organization" />
      <Select name="organization_type" label={v.t('ls.field.organization_type')} required value={val(input, 'organization_type')} blank={v.t('ls.choose')} options={opt(v, 'ls.ptype', PROVIDER_TYPES)} errors={errors} />
      <Select name="region" label={v.t('ls.field.region')} required value={val(input, 'region')} blank={v.t('ls.choose')} options={opt(v, 'ls.region', REGIONS)} errors={errors} />
      <SubmitButton>{v.t('ls.register.submit')}</SubmitButton>
    </form>
  );
}

function SessionPage({ v, series, session, registrants, errors, input, done }: SessionPageProps) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={session.title} />
      <h1>{session.title}</h1>
      {done && (
        <Alert type="success" slim>
          {done}
        </Alert>
      )}
      <dl>
        <dt class="text-bold">{v.t('ls.when')}</dt>
        <dd>{when(session)}</dd>
        <dt class="text-bold">{v.t('ls.field.format')}</dt>
        <dd>{v.t(`ls.format.${session.format}`)}</dd>
        {session.location && (
          <>
            <dt class="text-bold">{v.t('ls.field.location')}</dt>
            <dd>{session.location}</dd>
          </>
        )}
        {session.audience_provider_types.length > 0 && (
          <>
            <dt class="text-bold">{v.t('ls.field.audience_provider_types')}</dt>
            <dd>{session.audience_provider_types.map((x) => v.t(`ls.ptype.${x}`)).join(', ')}</dd>
          </>
        )}
        {session.audience_regions.length > 0 && (
          <>
            <dt class="text-bold">{v.t('ls.field.audience_regions')}</dt>
            <dd>{session.audience_regions.map((x) => v.t(`ls.region.${x}`)).join(', ')}</dd>
          </>
        )}
        <dt class="text-bold">{v.t('ls.places_left')}</dt>
        <dd>
          {session.places_left} / {session.capacity}
        </dd>
      </dl>
      <p>
        <a href={`/api/listening/sessions/${session.id}/session.ics`}>{v.t('ls.ics')}</a> · <a href={`/listening/sessions/${session.id}/input`}>{v.t('ls.input.link')}</a>
      </p>
      <h2>{v.t('ls.field.agenda')}</h2>
      {session.agenda.length ? (
        <ol class="usa-list">
          {session.agenda.map((a) => (
            <li>
              {a.title}
              {a.minutes ? ` (${v.t('ls.minutes', { n: a.minutes })})` : ''}
            </li>
          ))}
        </ol>
      ) : (
        <p>{v.t('ls.agenda.none')}</p>
      )}
      {registrants ? (
        <RegistrationForm v={v} session={session} invite errors={errors} input={input} />
      ) : session.registration_open ? (
        <RegistrationForm v={v} session={session} errors={errors} input={input} />
      ) : (
        <p>{v.t('ls.register.closed')}</p>
      )}
      {registrants && (
        <>
          <h2>{v.t('ls.registrants')}</h2>
          <p>{v.t('ls.registrants.counts', { confirmed: session.confirmed, waitlisted: session.waitlisted, reserved: session.reserved_places })}</p>
          <Table
            v={v}
            caption={v.t('ls.registrants')}
            head={[v.t('ls.field.name'), v.t('ls.field.email'), v.t('ls.field.organization'), v.t('ls.status'), v.t('ls.attended'), v.t('ls.actions')]}
            rows={registrants.map((r) => [
              r.name,
              r.email,
              `${r.organization} (${v.t(`ls.ptype.${r.organization_type}`)}, ${v.t(`ls.region.${r.region}`)})`,
              v.t(`ls.reg.${r.status}`) + (r.reserved_place ? ` · ${v.t('ls.reserved')}` : ''),
              r.attended ? v.t('ls.yes') : v.t('ls.no'),
              r.status === 'cancelled' ? (
                '—'
              ) : (
                <>
                  {!r.attended && (
                    <ActionButton v={v} action={`/listening/registrations/${r.id}/attended`} secondary>
                      {v.t('ls.mark_attended')}
                      <span class="usa-sr-only"> {r.name}</span>
                    </ActionButton>
                  )}
                  <ActionButton v={v} action={`/listening/registrations/${r.id}/cancel`} secondary>
                    {v.t('ls.cancel')}
                    <span class="usa-sr-only"> {r.name}</span>
                  </ActionButton>
                </>
              ),
            ])}
          />
          {session.reserved_places > 0 && (
            <ActionButton v={v} action={`/listening/sessions/${session.id}/release`}>
              {v.t('ls.release')}
            </ActionButton>
          )}
          <form method="post" action={`/listening/sessions/${session.id}/agenda`} class="usa-form usa-form--large">
            <h2>{v.t('ls.agenda.edit')}</h2>
            <Csrf v={v} />
            <input type="hidden" name="version" value={String(session.version)} />
            <TextArea name="agenda" label={v.t('ls.field.agenda')} hint={v.t('ls.field.agenda.hint')} value={session.agenda.map((a) => (a.minutes ? `${a.title} | ${a.minutes}` : a.title)).join('\n')} />
            <SubmitButton>{v.t('form.save')}</SubmitButton>
          </form>
          <p>
            <a href={`/listening/sessions/${session.id}/notes`}>{v.t('ls.notes.title')}</a>
          </p>
        </>
      )}
    </div>
  );
}

// ---------- input form ----------

function InputFormFields({ v, session, action, notes, errors, input }: { v: View; session: Session; action: string; notes?: boolean; errors?: FieldError[]; input?: Input_ }) {
  return (
    <form method="post" action={action} class="usa-form usa-form--large">
      <ErrorSummary v={v} errors={errors ?? []} />
      <Csrf v={v} />
      {notes && <input type="hidden" name="kind" value="notes" />}
      <Select name="organization_type" label={v.t('ls.field.organization_type')} required={!notes} value={val(input, 'organization_type')} blank={v.t('ls.choose')} options={opt(v, 'ls.ptype', PROVIDER_TYPES)} errors={errors} />
      <Select name="region" label={v.t('ls.field.region')} required={!notes} value={val(input, 'region')} blank={v.t('ls.choose')} options={opt(v, 'ls.region', REGIONS)} errors={errors} />
      {session.questions.map((q) => (
        <TextArea name={`answers.${q.key}`} label={v.t(`ls.q.${q.key}`) === `ls.q.${q.key}` ? q.label : v.t(`ls.q.${q.key}`)} value={val(input, `answers.${q.key}`)} errors={errors} rows={5} />
      ))}
      {!notes && (
        <>
          <TextInput name="participant_name" label={v.t('ls.field.participant_name')} hint={v.t('ls.field.participant_name.hint')} value={val(input, 'participant_name')} errors={errors} autocomplete="name" />
          <Checkboxes
            name="consent"
            label={v.t('ls.consent')}
            values={list(input?.consent)}
            options={[
              { value: 'attribution', label: v.t('ls.field.attribution') },
              { value: 'quotable', label: v.t('ls.field.quotable') },
            ]}
            errors={errors}
          />
        </>
      )}
      <SubmitButton>{notes ? v.t('ls.notes.submit') : v.t('ls.input.submit')}</SubmitButton>
    </form>
  );
}

function InputPage({ v, series, session, errors, input, done }: { v: View; series: Series; session: Session; errors?: FieldError[]; input?: Input_; done?: boolean }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.input.title')} />
      <h1>{v.t('ls.input.title')}</h1>
      <p class="usa-intro">
        {session.title} — {when(session)}
      </p>
      {done ? (
        <Alert type="success" heading={v.t('ls.input.thanks')}>
          {v.t('ls.input.thanks.text')}
        </Alert>
      ) : (
        <>
          <p>{v.t('ls.input.intro')}</p>
          <InputFormFields v={v} session={session} action={`/listening/sessions/${session.id}/input`} errors={errors} input={input} />
        </>
      )}
    </div>
  );
}

function NotesPage({ v, series, session, errors, input, done }: { v: View; series: Series; session: Session; errors?: FieldError[]; input?: Input_; done?: boolean }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.notes.title')} />
      <h1>{v.t('ls.notes.title')}</h1>
      <p class="usa-intro">
        <a href={`/listening/sessions/${session.id}`}>{session.title}</a> — {when(session)}
      </p>
      {done && (
        <Alert type="success" slim>
          {v.t('ls.notes.saved')}
        </Alert>
      )}
      <InputFormFields v={v} session={session} action={`/listening/sessions/${session.id}/notes`} notes errors={errors} input={input} />
    </div>
  );
}

/** The input form's flat fields in the API's shape. */
function inputFromForm(body: Input_): Input_ {
  const out: Input_ = {};
  const answers: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(body)) {
    if (k.startsWith('answers.')) answers[k.slice(8)] = x;
    else if (k === 'consent') {
      const c = list(x);
      out.attribution = c.includes('attribution');
      out.quotable = c.includes('quotable');
    } else out[k] = x;
  }
  out.answers = answers;
  return out;
}

// ---------- coding ----------

function codeOptions(codes: Code[]) {
  return codeTree(codes).map(({ code, depth }) => ({ value: code.id, label: `${'— '.repeat(depth)}${code.name}` }));
}

function CodingPage({ v, series, inputs, codes, mine, total, page, perPage, errors, errorAnswer, input }: { v: View; series: Series; inputs: Input[]; codes: Code[]; mine: Map<string, { text: string; codes: string[] }[]>; total: number; page: number; perPage: number; errors?: FieldError[]; errorAnswer?: string; input?: Input_ }) {
  const name = new Map(codes.map((c) => [c.id, c.name]));
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.coding.title')} />
      <h1>{v.t('ls.coding.title')}</h1>
      <p>{v.t('ls.coding.intro')}</p>
      {codes.length === 0 && <Alert type="info">{v.t('ls.coding.nocodes')}</Alert>}
      {inputs.map((i, n) => (
        <section class="border-top border-base-lighter padding-y-2">
          <h2 class="font-heading-md">
            {v.t('ls.input.n', { n: (page - 1) * perPage + n + 1 })}: {i.kind === 'notes' ? v.t('ls.notes') : `${i.organization_type ? v.t(`ls.ptype.${i.organization_type}`) : '—'}, ${i.region ? v.t(`ls.region.${i.region}`) : '—'}`}
          </h2>
          {i.answers.map((a) => (
            <div class="margin-bottom-2">
              <h3 class="font-heading-sm">{a.question_label}</h3>
              <p>{a.text}</p>
              {(mine.get(a.id) ?? []).length > 0 && (
                <ul class="usa-list">
                  {(mine.get(a.id) ?? []).map((e) => (
                    <li>
                      “{e.text.length > 120 ? e.text.slice(0, 117) + '…' : e.text}” — {e.codes.map((c) => name.get(c)).join(', ')}
                    </li>
                  ))}
                </ul>
              )}
              {codes.length > 0 && (
                <form method="post" action={`/listening/series/${series.id}/excerpts?page=${page}`} class="usa-form">
                  <Csrf v={v} />
                  <input type="hidden" name="answer_id" value={a.id} />
                  <ErrorSummary v={v} errors={errorAnswer === a.id ? (errors ?? []) : []} />
                  <TextArea name={`quote.${a.id}`} label={v.t('ls.field.quote')} hint={v.t('ls.field.quote.hint')} rows={2} value={errorAnswer === a.id ? val(input, `quote.${a.id}`) : undefined} errors={errorAnswer === a.id ? errors : undefined} />
                  <Select name={`code_ids.${a.id}`} label={v.t('ls.field.code')} required options={options} value={errorAnswer === a.id ? val(input, `code_ids.${a.id}`) : undefined} errors={errorAnswer === a.id ? errors : undefined} />
                  <SubmitButton secondary>{v.t('ls.coding.tag')}</SubmitButton>
                </form>
              )}
            </div>
          ))}
        </section>
      ))}
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

// ---------- codebook ----------

function CodebookPage({ v, series, codes, counts, memos, errors, input, imported, importErrors, xml }: { v: View; series: Series; codes: Code[]; counts: Map<string, number>; memos: Awaited<ReturnType<typeof listMemos>>; errors?: FieldError[]; input?: Input_; imported?: string; importErrors?: FieldError[]; xml?: string }) {
  const name = new Map(codes.map((c) => [c.id, c.name]));
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.codebook.title')} />
      <h1>{v.t('ls.codebook.title')}</h1>
      {imported && (
        <Alert type="success" slim>
          {imported}
        </Alert>
      )}
      <Table
        v={v}
        caption={v.t('ls.codebook.title')}
        head={[v.t('ls.field.code'), v.t('ls.field.description'), v.t('ls.excerpts')]}
        rows={codeTree(codes).map(({ code, depth }) => [`${'— '.repeat(depth)}${code.name}`, code.description ?? '', String(counts.get(code.id) ?? 0)])}
      />
      <p>
        <a href={`/api/listening/series/${series.id}/codebook.qdc`}>{v.t('ls.codebook.export')}</a>
      </p>
      <form method="post" action={`/listening/series/${series.id}/codes`} class="usa-form usa-form--large">
        <h2>{v.t('ls.code.new')}</h2>
        <ErrorSummary v={v} errors={errors ?? []} />
        <Csrf v={v} />
        <TextInput name="name" label={v.t('ls.field.code_name')} required value={val(input, 'name')} errors={errors} />
        <Select name="parent_id" label={v.t('ls.field.parent')} blank={v.t('ls.toplevel')} value={val(input, 'parent_id')} options={options} errors={errors} />
        <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} rows={2} />
        <SubmitButton>{v.t('ls.code.create')}</SubmitButton>
      </form>
      <form method="post" action={`/listening/series/${series.id}/codebook/import`} class="usa-form usa-form--large">
        <h2>{v.t('ls.codebook.import')}</h2>
        <ErrorSummary v={v} errors={importErrors ?? []} />
        <Csrf v={v} />
        <TextArea name="codebook" label={v.t('ls.field.qdc')} hint={v.t('ls.field.qdc.hint')} required value={xml} errors={importErrors} rows={8} />
        <SubmitButton>{v.t('ls.codebook.import.submit')}</SubmitButton>
      </form>
      <h2>{v.t('ls.memos')}</h2>
      {memos.length ? (
        <ul class="usa-list">
          {memos.map((m) => (
            <li>
              <strong>{m.author_label}</strong> ({m.created_at.slice(0, 10)}){m.code_id ? ` — ${name.get(m.code_id) ?? ''}` : ''}: {m.text}
            </li>
          ))}
        </ul>
      ) : (
        <p>{v.t('table.none')}</p>
      )}
      <form method="post" action={`/listening/series/${series.id}/memos`} class="usa-form usa-form--large">
        <h3>{v.t('ls.memo.new')}</h3>
        <Csrf v={v} />
        <Select name="code_id" label={v.t('ls.field.code')} blank={v.t('ls.memo.general')} options={options} />
        <TextArea name="text" label={v.t('ls.field.memo')} required rows={3} />
        <SubmitButton>{v.t('ls.memo.create')}</SubmitButton>
      </form>
    </div>
  );
}

// ---------- agreement ----------

function AgreementPage({ v, series, coders, a, b, result }: { v: View; series: Series; coders: { id: string; label: string; excerpts: number }[]; a?: string; b?: string; result?: Awaited<ReturnType<typeof agreementFor>> }) {
  const options = coders.map((c) => ({ value: c.id, label: `${c.label} (${c.excerpts})` }));
  const k = (x: number | null) => (x === null ? v.t('ls.kappa.undefined') : x.toFixed(2));
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.agreement.title')} />
      <h1>{v.t('ls.agreement.title')}</h1>
      <p>{v.t('ls.agreement.unit')}</p>
      <form method="get" action={`/listening/series/${series.id}/agreement`} class="usa-form">
        <Select name="coder_a" label={v.t('ls.coder_a')} required value={a} options={options} blank={v.t('ls.choose')} />
        <Select name="coder_b" label={v.t('ls.coder_b')} required value={b ?? coders.find((c) => c.id !== a)?.id} options={options} blank={v.t('ls.choose')} />
        <SubmitButton>{v.t('ls.agreement.compute')}</SubmitButton>
      </form>
      {result && (
        <>
          <h2>{v.t('ls.kappa.overall', { kappa: k(result.overall.kappa), units: result.units })}</h2>
          <Table
            v={v}
            caption={v.t('ls.kappa.percode')}
            head={[v.t('ls.field.code'), 'κ', v.t('ls.kappa.observed'), v.t('ls.kappa.both'), v.t('ls.kappa.only_a'), v.t('ls.kappa.only_b'), v.t('ls.kappa.neither')]}
            rows={result.per_code.map((p) => [p.code_name, k(p.kappa), `${Math.round(p.observed * 100)}%`, String(p.both), String(p.only_a), String(p.only_b), String(p.neither)])}
          />
        </>
      )}
    </div>
  );
}

// ---------- suggestions ----------

function SuggestionsPage({ v, series, suggestions, codes, done }: { v: View; series: Series; suggestions: Awaited<ReturnType<typeof currentSuggestions>>; codes: Code[]; done?: string }) {
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.suggestions.title')} />
      <h1>{v.t('ls.suggestions.title')}</h1>
      <p>{v.t('ls.suggestions.intro')}</p>
      {done && (
        <Alert type="success" slim>
          {done}
        </Alert>
      )}
      {suggestions.length === 0 && <p>{v.t('table.none')}</p>}
      {suggestions.map((s) => (
        <section class="border-top border-base-lighter padding-y-2">
          <h2 class="font-heading-md">{v.t('ls.suggestion.h', { label: s.label, n: s.member_ids.length })}</h2>
          <ul class="usa-list">
            {s.samples.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
          <form method="post" action={`/listening/series/${series.id}/suggestions/accept`} class="usa-form">
            <Csrf v={v} />
            <input type="hidden" name="fingerprint" value={s.fingerprint} />
            <TextInput name={`name.${s.fingerprint}`} label={v.t('ls.field.code_name')} value={s.label} hint={v.t('ls.suggestion.name.hint')} />
            <Select name={`parent_id.${s.fingerprint}`} label={v.t('ls.field.parent')} blank={v.t('ls.toplevel')} options={options} />
            <SubmitButton>
              {v.t('ls.accept')}
              <span class="usa-sr-only"> {s.label}</span>
            </SubmitButton>
          </form>
          <form method="post" action={`/listening/series/${series.id}/suggestions/reject`} class="margin-top-1">
            <Csrf v={v} />
            <input type="hidden" name="fingerprint" value={s.fingerprint} />
            <SubmitButton secondary>
              {v.t('ls.reject')}
              <span class="usa-sr-only"> {s.label}</span>
            </SubmitButton>
          </form>
        </section>
      ))}
    </div>
  );
}

// ---------- findings ----------

function Breakdown({ v, caption, prefix, b, threshold }: { v: View; caption: string; prefix: string; b: Findings['by_region']; threshold: number }) {
  const label = (c: string) => (c === NOT_STATED ? v.t('ls.not_stated') : v.t(`${prefix}.${c}`));
  return <Table v={v} caption={caption} head={[v.t('ls.theme'), ...b.columns.map(label), v.t('ls.total')]} rows={b.rows.map((r) => [r.name, ...r.cells.map((c) => cellText(v, c, threshold)), cellText(v, r.total, threshold)])} />;
}

function FindingsView({ v, f, recs }: { v: View; f: Findings; recs?: boolean }) {
  return (
    <>
      <p>{v.t('ls.findings.inputs', { n: cellText(v, f.inputs, f.threshold) })}</p>
      <h2>{v.t('ls.themes')}</h2>
      <ThemeChart v={v} id="themes-chart" title={v.t('ls.chart.title')} rows={f.themes} threshold={f.threshold} />
      <Breakdown v={v} caption={v.t('ls.by_region')} prefix="ls.region" b={f.by_region} threshold={f.threshold} />
      <Breakdown v={v} caption={v.t('ls.by_ptype')} prefix="ls.ptype" b={f.by_provider_type} threshold={f.threshold} />
      <p class="usa-hint">{v.t('ls.suppression.note', { n: f.threshold + 1 })}</p>
      {f.themes.map((t) => (
        <section>
          <h3>{t.name}</h3>
          {t.description && <p>{t.description}</p>}
          {t.quotes.map((q) => (
            <blockquote class="border-left-05 border-primary padding-left-2 margin-left-0">
              <p>“{q.text}”</p>
              <footer>— {[q.name, q.organization_type ? v.t(`ls.ptype.${q.organization_type}`) : null].filter(Boolean).join(', ')}</footer>
            </blockquote>
          ))}
        </section>
      ))}
      {recs !== false && (
        <>
          <h2>{v.t('ls.recs.title')}</h2>
          <Table v={v} caption={v.t('ls.recs.title')} head={[v.t('ls.rec'), v.t('ls.field.type'), v.t('ls.status'), v.t('ls.progress')]} rows={f.recommendations.map((r) => [<a href={`/listening/recommendations/${r.id}`}>{r.title}</a>, v.t(`ls.rtype.${r.type}`), v.t(`ls.rstatus.${r.status}`), `${r.progress}%`])} />
        </>
      )}
    </>
  );
}

function FindingsPage({ v, series, f }: { v: View; series: Series; f: Findings }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.findings.title')} />
      <h1>{v.t('ls.findings.title')}</h1>
      <Alert type="info" slim>
        {v.t('ls.findings.draft')}
      </Alert>
      <FindingsView v={v} f={f} />
      {v.can(MANAGE) && (
        <ActionButton v={v} action={`/listening/series/${series.id}/publish`}>
          {v.t('ls.publish')}
        </ActionButton>
      )}
    </div>
  );
}

function ReportPage({ v, series, report }: { v: View; series: Series; report: PublishedReport }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.report.title')} />
      <h1>{v.t('ls.report.heading', { title: series.title })}</h1>
      <p>{v.t('ls.published.at', { at: (report.findings.published_at ?? '').slice(0, 10) })}</p>
      <p>
        <a href={`/api/listening/series/${series.id}/report.csv`}>{v.t('ls.report.csv')}</a> · <a href={`/api/listening/series/${series.id}/report`}>{v.t('ls.report.json')}</a>
      </p>
      <FindingsView v={v} f={report.findings} />
    </div>
  );
}

// ---------- recommendations ----------

function RecsPage({ v, series, recs, themes, owners, errors, input }: { v: View; series: Series; recs: Recommendation[]; themes: Code[]; owners: { id: string; type: string; name: string }[]; errors?: FieldError[]; input?: Input_ }) {
  const r = rollup(recs);
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.recs.title')} />
      <h1>{v.t('ls.recs.title')}</h1>
      <p>{v.t('ls.rollup', { progress: r.progress === null ? '—' : `${r.progress}%`, n: recs.length })}</p>
      <Table
        v={v}
        caption={v.t('ls.recs.title')}
        head={[v.t('ls.rec'), v.t('ls.field.type'), v.t('ls.owner'), v.t('ls.status'), v.t('ls.progress')]}
        rows={recs.map((x) => [<a href={`/listening/recommendations/${x.id}`}>{x.title}</a>, v.t(`ls.rtype.${x.type}`), ownerName.get(x.owner_id ?? '') ?? '—', v.t(`ls.rstatus.${x.status}`), `${x.status === 'done' ? 100 : x.progress}%`])}
      />
      {v.can(MANAGE) && (
        <form method="post" action={`/listening/series/${series.id}/recommendations`} class="usa-form usa-form--large">
          <h2>{v.t('ls.rec.new')}</h2>
          <ErrorSummary v={v} errors={errors ?? []} />
          <Csrf v={v} />
          <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} />
          <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} rows={3} />
          <Select name="type" label={v.t('ls.field.type')} required value={val(input, 'type')} options={opt(v, 'ls.rtype', REC_TYPES)} errors={errors} />
          <Select name="finding_code_id" label={v.t('ls.field.finding')} blank={v.t('ls.none')} value={val(input, 'finding_code_id')} options={themes.map((t) => ({ value: t.id, label: t.name }))} errors={errors} />
          <Select name="owner_id" label={v.t('ls.owner')} blank={v.t('ls.none')} value={val(input, 'owner_id')} options={owners.map((o) => ({ value: o.id, label: `${o.name} (${v.t(`ls.ownertype.${o.type}`)})` }))} errors={errors} />
          <TextInput name="weight" label={v.t('ls.field.weight')} type="number" value={val(input, 'weight') ?? '1'} errors={errors} />
          <TextInput name="workplan_action_id" label={v.t('ls.field.workplan_action_id')} hint={v.t('ls.field.workplan_action_id.hint')} value={val(input, 'workplan_action_id')} errors={errors} />
          <SubmitButton>{v.t('ls.rec.create')}</SubmitButton>
        </form>
      )}
    </div>
  );
}

function RecPage({ v, series, rec, ownerName, findingName, timeline, cited, candidates, errors, input }: { v: View; series: Series; rec: Recommendation; ownerName: string | null; findingName: string | null; timeline: Awaited<ReturnType<typeof listTimeline>>; cited: { id: string; text: string; quotable: boolean }[]; candidates: { id: string; text: string }[]; errors?: FieldError[]; input?: Input_ }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { href: `/listening/series/${series.id}`, label: series.title }, { href: `/listening/series/${series.id}/recommendations`, label: v.t('ls.recs.title') }, { label: rec.title }]} />
      <h1>{rec.title}</h1>
      {rec.description && <p class="usa-intro">{rec.description}</p>}
      <dl>
        <dt class="text-bold">{v.t('ls.field.type')}</dt>
        <dd>{v.t(`ls.rtype.${rec.type}`)}</dd>
        <dt class="text-bold">{v.t('ls.status')}</dt>
        <dd>
          {v.t(`ls.rstatus.${rec.status}`)}
          {rec.decline_reason ? ` — ${rec.decline_reason}` : ''}
        </dd>
        <dt class="text-bold">{v.t('ls.progress')}</dt>
        <dd>{rec.status === 'done' ? 100 : rec.progress}%</dd>
        <dt class="text-bold">{v.t('ls.owner')}</dt>
        <dd>{ownerName ?? '—'}</dd>
        <dt class="text-bold">{v.t('ls.field.finding')}</dt>
        <dd>{findingName ?? '—'}</dd>
        {rec.workplan_action_id && (
          <>
            <dt class="text-bold">{v.t('ls.field.workplan_action_id')}</dt>
            <dd>
              <a href={`/workplans/items/${encodeURIComponent(rec.workplan_action_id)}`}>{rec.workplan_action_id}</a>
            </dd>
          </>
        )}
      </dl>
      <h2>{v.t('ls.rec.evidence')}</h2>
      {cited.length ? (
        <ul class="usa-list">
          {cited.map((e) => (
            <li>{e.text ? `“${e.text}”` : v.t('ls.notquotable')}</li>
          ))}
        </ul>
      ) : (
        <p>{v.t('table.none')}</p>
      )}
      <h2>{v.t('ls.timeline')}</h2>
      <Table v={v} caption={v.t('ls.timeline')} head={[v.t('ls.field.date'), v.t('ls.field.note'), v.t('ls.by')]} rows={timeline.map((t) => [t.entry_date, t.note, t.author_label])} />
      {v.can(MANAGE) && (
        <>
          <form method="post" action={`/listening/recommendations/${rec.id}`} class="usa-form usa-form--large">
            <h2>{v.t('ls.rec.update')}</h2>
            <ErrorSummary v={v} errors={errors ?? []} />
            <Csrf v={v} />
            <input type="hidden" name="version" value={String(rec.version)} />
            <Select name="status" label={v.t('ls.status')} value={val(input, 'status') ?? rec.status} options={opt(v, 'ls.rstatus', REC_STATUSES)} errors={errors} />
            <TextInput name="progress" label={v.t('ls.progress')} type="number" value={val(input, 'progress') ?? String(rec.progress)} errors={errors} />
            <TextArea name="decline_reason" label={v.t('ls.field.decline_reason')} hint={v.t('ls.field.decline_reason.hint')} value={val(input, 'decline_reason') ?? rec.decline_reason} errors={errors} rows={2} />
            <TextArea name="note" label={v.t('ls.field.note')} value={val(input, 'note')} errors={errors} rows={2} />
            <SubmitButton>{v.t('form.save')}</SubmitButton>
          </form>
          {candidates.length > 0 && (
            <form method="post" action={`/listening/recommendations/${rec.id}/excerpts`} class="usa-form usa-form--large">
              <h2>{v.t('ls.rec.cite')}</h2>
              <Csrf v={v} />
              <input type="hidden" name="version" value={String(rec.version)} />
              <Checkboxes name="excerpt_ids" label={v.t('ls.rec.cite.label')} values={rec.excerpt_ids} options={candidates.map((c) => ({ value: c.id, label: c.text.length > 160 ? c.text.slice(0, 157) + '…' : c.text }))} />
              <SubmitButton>{v.t('form.save')}</SubmitButton>
            </form>
          )}
          <form method="post" action={`/listening/recommendations/${rec.id}/timeline`} class="usa-form usa-form--large">
            <h2>{v.t('ls.timeline.add')}</h2>
            <Csrf v={v} />
            <TextInput name="timeline_date" label={v.t('ls.field.date')} type="date" />
            <TextArea name="timeline_note" label={v.t('ls.field.note')} required rows={2} />
            <SubmitButton>{v.t('ls.timeline.add')}</SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

// ---------- handlers ----------

function agendaFromText(text: unknown): { title: string; minutes?: number }[] {
  return String(text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(.*?)\s*\|\s*(\d+)\s*$/.exec(l);
      return m ? { title: m[1], minutes: Number(m[2]) } : { title: l };
    });
}

/** The session form's flat fields in the API's shape; local registration times become instants in the session's zone. */
function sessionFromForm(body: Input_): Input_ {
  const out: Input_ = { ...body };
  if (body.agenda !== undefined) out.agenda = agendaFromText(body.agenda);
  for (const k of ['registration_opens_at', 'registration_closes_at']) {
    const x = body[k];
    if (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(x) && typeof body.time_zone === 'string') {
      try {
        out[k] = zonedToUtc(x.slice(0, 10), x.slice(11), body.time_zone);
      } catch {
        // An unknown zone is reported on its own field.
      }
    }
  }
  return out;
}

async function withOwnerType(req: FastifyRequest, input: Input_): Promise<Input_> {
  const owner = (await loadOwners(req.ctx.db)).get(typeof input.owner_id === 'string' && isUuid(input.owner_id) ? input.owner_id : undefined);
  return owner ? { ...input, owner_type: owner.type } : input;
}

export async function listeningPages(app: App): Promise<void> {
  const seriesListPage = async (req: FastifyRequest, reply: FastifyReply, query: { page?: number }, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const { page, perPage, offset } = pageOf(query);
    const { items, total } = await listSeries(req.ctx.db, perPage, offset);
    const owners = (await loadOwners(req.ctx.db)).all;
    const v = req.view();
    return reply.page(v.t('ls.title'), <SeriesListPage v={v} items={items} owners={owners} total={total} page={page} perPage={perPage} {...extra} />, status);
  };

  const seriesPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const series = await seriesOr404(req, id);
    const sessions = await Promise.all((await listSessions(req.ctx.db, series.id)).map((s) => sessionOut(req, s)));
    const owner = (await loadOwners(req.ctx.db)).get(series.owner_id);
    const v = req.view();
    return reply.page(series.title, <SeriesPage v={v} series={series} ownerName={owner?.name ?? '—'} sessions={sessions} {...extra} />, status);
  };

  const sessionPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Omit<SessionPageProps, 'v' | 'series' | 'session'> = {}, status = 200) => {
    const session = await sessionOut(req, await sessionOr404(req, id));
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    const registrants = v.can(MANAGE) ? (await listRegistrations(req.ctx.db, session.id, 1000, 0)).items : undefined;
    // Registrants' names and e-mail addresses are personal data: each look at them is in the audit log.
    if (registrants) await recordAudit(req.ctx.db, req.ctx, { action: 'listening.registrations.read', entityType: 'listening_session', entityId: session.id, summary: { count: registrants.length } });
    return reply.page(session.title, <SessionPage v={v} series={series} session={session} registrants={registrants} {...extra} />, status);
  };

  const q = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }, { additionalProperties: false });

  app.get('/listening', { config: { access: 'public' }, schema: { ...hidden, querystring: q } }, (req, reply) => seriesListPage(req, reply, req.query));
  app.post('/listening/series', { config: { access: { permission: MANAGE } }, schema: { ...hidden, body: FormPost } }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      const s = await createSeries(req.ctx, await withOwnerType(req, input), { coerce: true });
      return reply.redirect(`/listening/series/${s.id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return seriesListPage(req, reply, {}, { errors: errors.map((e) => (e.field === 'owner_type' ? { ...e, field: 'owner_id' } : e)), input }, 400);
      throw err;
    }
  });

  app.get('/listening/series/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => seriesPage(req, reply, req.params.id));
  app.post('/listening/series/:id/sessions', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      const s = await createSession(req.ctx, id, sessionFromForm(input), { coerce: true });
      return reply.redirect(`/listening/sessions/${s.id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return seriesPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
  });
  app.post('/listening/series/:id/publish', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const s = await seriesOr404(req, req.params.id);
    await publishFindings(req.ctx, s.id);
    return reply.redirect(`/listening/series/${s.id}/report`);
  });

  // ---- session, registration, input ----
  app.get('/listening/sessions/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => sessionPage(req, reply, req.params.id));
  app.post('/listening/sessions/:id/register', { config: { access: 'public', rateLimit: REGISTRATION_RATE_LIMIT }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    await sessionOr404(req, id);
    const input = formBody(req.body);
    const v = req.view();
    try {
      const r = await register(req.ctx, id, input, { coerce: true });
      return sessionPage(req, reply, id, { done: v.t(r.status === 'confirmed' ? 'ls.register.confirmed' : 'ls.register.waitlisted') }, 201);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return sessionPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
  });
  app.post('/listening/sessions/:id/release', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const id = req.params.id;
    await releaseReserved(req.ctx, id, {});
    return reply.redirect(`/listening/sessions/${id}`);
  });
  app.post('/listening/sessions/:id/agenda', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await updateSession(req.ctx, id, { version: input.version, agenda: agendaFromText(input.agenda) }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return sessionPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/sessions/${id}`);
  });
  const notesPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; done?: boolean } = {}, status = 200) => {
    const session = await sessionOr404(req, id);
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    return reply.page(v.t('ls.notes.title'), <NotesPage v={v} series={series} session={session} {...extra} />, status);
  };
  app.get('/listening/sessions/:id/notes', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, (req, reply) => notesPage(req, reply, req.params.id));
  app.post('/listening/sessions/:id/notes', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await submitInput(req.ctx, id, inputFromForm(input), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return notesPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return notesPage(req, reply, id, { done: true }, 201);
  });
  for (const action of ['attended', 'cancel'] as const) {
    app.post(`/listening/registrations/:id/${action}`, { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
      const id = req.params.id;
      const r = await getRegistration(req.ctx.db, id);
      if (!r) throw notFound('No such registration.');
      await updateRegistration(req.ctx, id, action === 'attended' ? { attended: true } : { status: 'cancelled' });
      return reply.redirect(`/listening/sessions/${r.session_id}`);
    });
  }

  const inputPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; done?: boolean } = {}, status = 200) => {
    const session = await sessionOr404(req, id);
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    return reply.page(v.t('ls.input.title'), <InputPage v={v} series={series} session={session} {...extra} />, status);
  };
  app.get('/listening/sessions/:id/input', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => inputPage(req, reply, req.params.id));
  app.post('/listening/sessions/:id/input', { config: { access: 'public', rateLimit: INPUT_RATE_LIMIT }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    await sessionOr404(req, id);
    const input = formBody(req.body);
    try {
      const body = inputFromForm(input);
      delete body.kind;
      await submitInput(req.ctx, id, body, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return inputPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return inputPage(req, reply, id, { done: true }, 201);
  });

  // ---- coding ----
  const codingPage = async (req: FastifyRequest, reply: FastifyReply, id: string, page: number, extra: { errors?: FieldError[]; errorAnswer?: string; input?: Input_ } = {}, status = 200) => {
    const series = await seriesOr404(req, id);
    const perPage = 10;
    const [{ items, total }, codes, { items: excerpts }] = await Promise.all([listInputs(req.ctx.db, { seriesId: series.id }, perPage, (page - 1) * perPage), listCodes(req.ctx.db, series.id), listExcerpts(req.ctx.db, { seriesId: series.id, coderId: req.actor!.id })]);
    const mine = new Map<string, { text: string; codes: string[] }[]>();
    for (const e of excerpts) mine.set(e.answer_id, [...(mine.get(e.answer_id) ?? []), { text: e.text, codes: e.code_ids }]);
    const v = req.view();
    return reply.page(v.t('ls.coding.title'), <CodingPage v={v} series={series} inputs={items} codes={codes} mine={mine} total={total} page={page} perPage={perPage} {...extra} />, status);
  };
  app.get('/listening/series/:id/coding', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: q } }, (req, reply) => codingPage(req, reply, req.params.id, req.query.page ?? 1));
  app.post('/listening/series/:id/excerpts', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: q, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    const answerId = String(input.answer_id ?? '');
    try {
      // Each answer's form names its fields after the answer, so that ids stay unique on the page.
      await createExcerpt(req.ctx, id, { answer_id: input.answer_id, quote: input[`quote.${answerId}`], code_ids: input[`code_ids.${answerId}`] ?? [] }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err)?.map((e) => (/^(quote|code_ids)/.test(e.field) ? { ...e, field: `${e.field.replace(/\..*$/, '')}.${answerId}` } : e));
      if (errors) return codingPage(req, reply, id, req.query.page ?? 1, { errors, errorAnswer: answerId, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/coding?page=${req.query.page ?? 1}`);
  });

  // ---- codebook and memos ----
  const codebookPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; imported?: string; importErrors?: FieldError[]; xml?: string } = {}, status = 200) => {
    const series = await seriesOr404(req, id);
    const [codes, { items }, memos] = await Promise.all([listCodes(req.ctx.db, series.id), listExcerpts(req.ctx.db, { seriesId: series.id }), listMemos(req.ctx.db, series.id)]);
    const counts = new Map<string, number>();
    for (const e of items) for (const c of e.code_ids) counts.set(c, (counts.get(c) ?? 0) + 1);
    const v = req.view();
    return reply.page(v.t('ls.codebook.title'), <CodebookPage v={v} series={series} codes={codes} counts={counts} memos={memos} {...extra} />, status);
  };
  app.get('/listening/series/:id/codebook', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, (req, reply) => codebookPage(req, reply, req.params.id));
  app.post('/listening/series/:id/codes', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await createCode(req.ctx, id, input, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/codebook`);
  });
  app.post('/listening/series/:id/codebook/import', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const xml = String(req.body.codebook ?? '');
    try {
      const r = await importCodebook(req.ctx, id, xml);
      return codebookPage(req, reply, id, { imported: req.view().t('ls.codebook.imported', { added: r.added, existing: r.existing }) });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { importErrors: errors, xml }, 400);
      throw err;
    }
  });
  app.post('/listening/series/:id/memos', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await createMemo(req.ctx, id, formBody(req.body), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/codebook`);
  });

  // ---- agreement ----
  app.get(
    '/listening/series/:id/agreement',
    { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: Type.Object({ coder_a: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })), coder_b: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })) }, { additionalProperties: false }) } },
    async (req, reply) => {
      const series = await seriesOr404(req, req.params.id);
      const coders = await listCoders(req.ctx.db, series.id);
      const qq = req.query;
      const a = qq.coder_a || coders.find((c) => c.id === req.actor!.id)?.id || coders[0]?.id;
      const b = qq.coder_b || coders.find((c) => c.id !== a)?.id;
      const result = a && b && isUuid(a) && isUuid(b) ? await agreementFor(req.ctx.db, series.id, a, b) : undefined;
      const v = req.view();
      return reply.page(v.t('ls.agreement.title'), <AgreementPage v={v} series={series} coders={coders} a={a} b={b} result={result} />);
    },
  );

  // ---- suggestions ----
  const suggestionsPage = async (req: FastifyRequest, reply: FastifyReply, id: string, done?: string) => {
    const series = await seriesOr404(req, id);
    const [suggestions, codes] = await Promise.all([currentSuggestions(req.ctx.db, series.id), listCodes(req.ctx.db, series.id)]);
    const v = req.view();
    return reply.page(v.t('ls.suggestions.title'), <SuggestionsPage v={v} series={series} suggestions={suggestions} codes={codes} done={done} />);
  };
  app.get('/listening/series/:id/suggestions', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, (req, reply) => suggestionsPage(req, reply, req.params.id));
  for (const decision of ['accept', 'reject'] as const) {
    app.post(`/listening/series/:id/suggestions/${decision}`, { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
      const id = req.params.id;
      const input = formBody(req.body);
      const fp = String(input.fingerprint ?? '');
      await decideSuggestion(req.ctx, id, decision, { fingerprint: input.fingerprint, name: input[`name.${fp}`], parent_id: input[`parent_id.${fp}`] }, { coerce: true });
      return reply.redirect(`/listening/series/${id}/suggestions`);
    });
  }

  // ---- findings ----
  app.get('/listening/series/:id/findings', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const series = await seriesOr404(req, req.params.id);
    const { findings } = await draftFindings(req, series);
    const v = req.view();
    return reply.page(v.t('ls.findings.title'), <FindingsPage v={v} series={series} f={findings} />);
  });
  app.get('/listening/series/:id/report', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const series = await seriesOr404(req, req.params.id);
    const report = (await publishedReport(req.ctx.db, series.id)) as PublishedReport | undefined;
    if (!report) throw notFound('These findings are not published yet.');
    const v = req.view();
    return reply.page(v.t('ls.report.heading', { title: series.title }), <ReportPage v={v} series={series} report={report} />);
  });

  // ---- recommendations ----
  const recsPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const series = await seriesOr404(req, id);
    const [{ items }, codes, owners] = await Promise.all([listRecommendations(req.ctx.db, { seriesId: series.id }), listCodes(req.ctx.db, series.id), loadOwners(req.ctx.db)]);
    const v = req.view();
    return reply.page(v.t('ls.recs.title'), <RecsPage v={v} series={series} recs={items} themes={codes.filter((c) => !c.parent_id)} owners={owners.all} {...extra} />, status);
  };
  app.get('/listening/series/:id/recommendations', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => recsPage(req, reply, req.params.id));
  app.post('/listening/series/:id/recommendations', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      const r = await createRecommendation(req.ctx, id, await withOwnerType(req, input), { coerce: true });
      return reply.redirect(`/listening/recommendations/${r.id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recsPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
  });

  const recPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const rec = isUuid(id) ? await getRecommendation(req.ctx.db, id) : undefined;
    if (!rec) throw notFound('No such recommendation.');
    const series = (await getSeries(req.ctx.db, rec.series_id))!;
    const [owners, codes, timeline, cited] = await Promise.all([loadOwners(req.ctx.db), listCodes(req.ctx.db, series.id), listTimeline(req.ctx.db, rec.id), citedExcerpts(req, rec)]);
    const v = req.view();
    let candidates: { id: string; text: string }[] = [];
    if (v.can(MANAGE) && rec.finding_code_id) {
      const theme = themeOf(codes);
      const { items } = await listExcerpts(req.ctx.db, { seriesId: series.id });
      candidates = items.filter((e) => e.code_ids.some((c) => theme.get(c) === rec.finding_code_id)).slice(0, 100);
    }
    return reply.page(
      rec.title,
      <RecPage v={v} series={series} rec={rec} ownerName={owners.get(rec.owner_id)?.name ?? null} findingName={codes.find((c) => c.id === rec.finding_code_id)?.name ?? null} timeline={timeline} cited={cited} candidates={candidates} {...extra} />,
      status,
    );
  };
  app.get('/listening/recommendations/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => recPage(req, reply, req.params.id));
  app.post('/listening/recommendations/:id', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await updateRecommendation(req.ctx, id, input, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
  app.post('/listening/recommendations/:id/excerpts', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await updateRecommendation(req.ctx, id, { version: input.version, excerpt_ids: list(input.excerpt_ids) }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
  app.post('/listening/recommendations/:id/timeline', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      const input = formBody(req.body);
      await addTimelineEntry(req.ctx, id, { entry_date: input.timeline_date, note: input.timeline_note }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err)?.map((e) => ({ ...e, field: e.field === 'note' ? 'timeline_note' : e.field === 'entry_date' ? 'timeline_date' : e.field }));
      if (errors) return recPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
}
