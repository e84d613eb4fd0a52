/**
 * The toolkit (lessons with versions, a printable layout, uses counted), the materials library (downloads
 * counted, English and Spanish versions linked), awareness events with their iCalendar files, and the committee's
 * dashboard. Counting is a POST (no write on a GET) that records a number per item and day, never who.
 */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, FormPage, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { TimeZoneSelect, timeZoneLabel } from '../../../platform/web/pickers.tsx';
import * as commands from '../commands.ts';
import { AUDIENCES, EVENT_KINDS, FormPost, GRADE_BANDS, LANGUAGES, MATERIAL_FORMATS, MATERIAL_KINDS, type EventRegistration as EventRegistration_, type Group, type Lesson, type Material, type OutreachEvent } from '../schema.ts';
import { SPONSOR } from '../permissions.ts';
import * as store from '../store.ts';
import { DemoTag, MANAGERS, PUBLIC, SPONSORS, crumbs, localErrors, opts, str } from './shared.tsx';

// ---------- toolkit ----------

function LessonList({ v, lessons }: { v: View; lessons: Lesson[] }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.toolkit') }]} />
      <h1>{v.t('or.toolkit')}</h1>
      <p class="usa-intro">{v.t('or.toolkit.intro')}</p>
      {v.can('outreach.manage') && (
        <p>
          <a class="usa-button" href="/outreach/toolkit/new">{v.t('or.lesson.new')}</a>
        </p>
      )}
      {!lessons.length && <p>{v.t('or.none')}</p>}
      <ul class="usa-list usa-list--unstyled">
        {lessons.map((l) => (
          <li class="border-top border-base-lighter padding-y-1">
            <a href={`/outreach/toolkit/${l.id}`} lang={l.language === v.lang ? undefined : l.language}>
              {l.title}
            </a>
            <DemoTag v={v} demo={l.demo} />
            <div class="usa-hint">
              {v.t(`or.audience.${l.audience}`)} · {v.t(`or.grade.${l.grade_band}`)} · {v.t('or.minutes', { n: l.duration_minutes })} · {v.t(`or.lang.${l.language}`)}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function LessonBody({ v, l }: { v: View; l: Lesson }) {
  return (
    <div lang={l.language === v.lang ? undefined : l.language}>
      <p class="usa-intro">{l.summary}</p>
      <p>
        {v.t(`or.audience.${l.audience}`)} · {v.t(`or.grade.${l.grade_band}`)} · {v.t('or.minutes', { n: l.duration_minutes })} · {v.t('or.lesson.version', { n: l.version })}
      </p>
      <h2>{v.t('or.field.goals')}</h2>
      <p class="text-pre-line">{l.goals}</p>
      <h2>{v.t('or.field.materials')}</h2>
      <p class="text-pre-line">{l.materials}</p>
      <h2>{v.t('or.field.steps')}</h2>
      <p class="text-pre-line">{l.steps}</p>
    </div>
  );
}

function LessonPage({ v, l, versions, thanks }: { v: View; l: Lesson; versions: { version: number; change_note: string; created_at: string }[]; thanks: boolean }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { href: '/outreach/toolkit', label: v.t('or.toolkit') }, { label: l.title }]} />
      <h1 lang={l.language === v.lang ? undefined : l.language}>
        {l.title}
        <DemoTag v={v} demo={l.demo} />
      </h1>
      {thanks && (
        <Alert type="success" slim>
          {v.t('or.lesson.thanks')}
        </Alert>
      )}
      <p>
        <a href={`/outreach/toolkit/${l.id}/print`}>{v.t('or.lesson.print')}</a>
        {v.can('outreach.manage') && (
          <>
            {' · '}
            <a href={`/outreach/toolkit/${l.id}/revise`}>{v.t('or.lesson.revise')}</a>
          </>
        )}
      </p>
      <LessonBody v={v} l={l} />
      <form method="post" action={`/outreach/toolkit/${l.id}/used`} class="margin-y-2">
        <Csrf v={v} />
        <SubmitButton secondary>{v.t('or.lesson.used')}</SubmitButton>
        <span class="usa-hint margin-left-1">{v.t('or.lesson.used.hint')}</span>
      </form>
      <Table v={v} caption={v.t('or.lesson.history')} head={[v.t('or.lesson.history'), v.t('or.field.change_note'), v.t('or.event.when')]} rows={versions.map((x) => [String(x.version), x.version === 1 ? v.t('or.lesson.first') : x.change_note, formatDate(v.lang, x.created_at)])} wrap />
    </div>
  );
}

/** The printable layout: the lesson alone, in a plain single column; the site's print stylesheet hides the chrome. */
function LessonPrint({ v, l }: { v: View; l: Lesson }) {
  return (
    <article class="measure-6">
      <p class="usa-hint">
        <a href={`/outreach/toolkit/${l.id}`}>{v.t('or.back')}</a> · {v.t('or.lesson.print.hint')}
      </p>
      <h1 lang={l.language === v.lang ? undefined : l.language}>{l.title}</h1>
      <LessonBody v={v} l={l} />
    </article>
  );
}

function LessonForm({ v, values, errors, revise }: { v: View; values: FormValues; errors?: FieldError[]; revise?: Lesson }) {
  const e = localErrors(v, errors);
  const title = revise ? v.t('or.lesson.revise') : v.t('or.lesson.new');
  return (
    <FormPage v={v} save={v.t('or.save')} title={title} action={revise ? `/outreach/toolkit/${revise.id}/revise` : '/outreach/toolkit/new'} errors={localErrors(v, errors)} cancel={revise ? `/outreach/toolkit/${revise.id}` : '/outreach/toolkit'} crumbs={crumbs(v, [{ href: '/outreach/toolkit', label: v.t('or.toolkit') }])}>
      {revise && <input type="hidden" name="version" value={String(revise.version)} />}
      {revise && <TextInput name="change_note" label={v.t('or.field.change_note')} required value={str(values.change_note)} errors={e} />}
      <TextInput name="title" label={v.t('or.field.title')} required value={str(values.title)} errors={e} />
      <TextArea name="summary" label={v.t('or.field.description')} required value={str(values.summary)} errors={e} rows={2} />
      <Select name="audience" label={v.t('or.field.audience')} required blank={v.t('or.choose')} value={str(values.audience)} options={opts(v, 'audience', AUDIENCES)} errors={e} />
      <Select name="grade_band" label={v.t('or.field.grade_band')} required blank={v.t('or.choose')} value={str(values.grade_band)} options={opts(v, 'grade', GRADE_BANDS)} errors={e} />
      <TextInput name="duration_minutes" label={v.t('or.field.duration')} required inputmode="numeric" value={str(values.duration_minutes)} errors={e} />
      <Select name="language" label={v.t('or.field.language')} required blank={v.t('or.choose')} value={str(values.language)} options={opts(v, 'lang', LANGUAGES)} errors={e} />
      <TextArea name="goals" label={v.t('or.field.goals')} required value={str(values.goals)} errors={e} />
      <TextArea name="materials" label={v.t('or.field.materials')} required value={str(values.materials)} errors={e} />
      <TextArea name="steps" label={v.t('or.field.steps')} required value={str(values.steps)} errors={e} rows={8} />
    </FormPage>
  );
}

// ---------- materials ----------

function MaterialList({ v, items }: { v: View; items: Material[] }) {
  const byId = new Map(items.map((m) => [m.id, m]));
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.materials') }]} />
      <h1>{v.t('or.materials')}</h1>
      <p class="usa-intro">{v.t('or.materials.intro')}</p>
      {v.can('outreach.manage') && (
        <p>
          <a class="usa-button" href="/outreach/materials/new">{v.t('or.material.new')}</a>
        </p>
      )}
      {!items.length && <p>{v.t('or.none')}</p>}
      {items.map((m) => {
        const other = m.translation_id ? byId.get(m.translation_id) : undefined;
        return (
          <section class="border-top border-base-lighter padding-y-2" id={`m-${m.id}`} aria-labelledby={`h-${m.id}`}>
            <h2 class="font-heading-md margin-0" id={`h-${m.id}`} lang={m.language === v.lang ? undefined : m.language}>
              {m.title}
              <DemoTag v={v} demo={m.demo} />
            </h2>
            <p class="usa-hint margin-y-05">
              {v.t(`or.mkind.${m.kind}`)} · {v.t(`or.audience.${m.audience}`)} · {v.t(`or.lang.${m.language}`)} · {m.format.toUpperCase()} · {m.licence} · {v.t('or.downloads')}: {m.downloads}
            </p>
            {m.alt_text && (
              <p>
                <span class="text-bold">{v.t('or.material.alt')}:</span> <span lang={m.language === v.lang ? undefined : m.language}>{m.alt_text}</span>
              </p>
            )}
            {m.transcript && (
              <details>
                <summary>{v.t('or.material.transcript')}</summary>
                <p lang={m.language === v.lang ? undefined : m.language}>{m.transcript}</p>
              </details>
            )}
            {other && (
              <p>
                <a href={`#m-${other.id}`}>{v.t('or.material.other_lang', { lang: v.t(`or.lang.${other.language}`) })}</a>
              </p>
            )}
            <form method="post" action={`/outreach/materials/${m.id}/download`}>
              <Csrf v={v} />
              <SubmitButton secondary>
                {v.t('or.material.download')} <span class="usa-sr-only">{m.title}</span>
              </SubmitButton>
            </form>
          </section>
        );
      })}
      <p class="usa-hint">{v.t('or.material.download.hint')}</p>
    </div>
  );
}

function MaterialForm({ v, values, errors, all }: { v: View; values: FormValues; errors?: FieldError[]; all: Material[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('or.save')} title={v.t('or.material.new')} action="/outreach/materials/new" errors={localErrors(v, errors)} cancel="/outreach/materials" crumbs={crumbs(v, [{ href: '/outreach/materials', label: v.t('or.materials') }])}>
      <TextInput name="title" label={v.t('or.field.title')} required value={str(values.title)} errors={e} />
      <Select name="kind" label={v.t('or.field.material_kind')} required blank={v.t('or.choose')} value={str(values.kind)} options={opts(v, 'mkind', MATERIAL_KINDS)} errors={e} />
      <Select name="audience" label={v.t('or.field.audience')} required blank={v.t('or.choose')} value={str(values.audience)} options={opts(v, 'audience', AUDIENCES)} errors={e} />
      <Select name="language" label={v.t('or.field.language')} required blank={v.t('or.choose')} value={str(values.language)} options={opts(v, 'lang', LANGUAGES)} errors={e} />
      <Select name="format" label={v.t('or.field.format')} required blank={v.t('or.choose')} value={str(values.format)} options={MATERIAL_FORMATS.map((f) => ({ value: f, label: f.toUpperCase() }))} errors={e} />
      <TextInput name="url" type="url" label={v.t('or.field.url')} required value={str(values.url)} errors={e} />
      <TextArea name="alt_text" label={v.t('or.field.alt_text')} value={str(values.alt_text)} errors={e} rows={2} />
      <TextArea name="transcript" label={v.t('or.field.transcript')} value={str(values.transcript)} errors={e} />
      <TextInput name="licence" label={v.t('or.field.licence')} required value={str(values.licence)} errors={e} />
      <Select name="translation_of" label={v.t('or.field.translation_of')} blank="—" value={str(values.translation_of)} options={all.filter((m) => !m.translation_id).map((m) => ({ value: m.id, label: `${m.title} (${v.t(`or.lang.${m.language}`)})` }))} errors={e} />
    </FormPage>
  );
}

// ---------- events ----------

function when(v: View, e: OutreachEvent): string {
  const days = e.end_date !== e.date ? `${formatDate(v.lang, e.date)} – ${formatDate(v.lang, e.end_date)}` : formatDate(v.lang, e.date);
  return `${days}, ${e.start_time && e.end_time ? v.t('or.event.time', { from: e.start_time, to: e.end_time, tz: timeZoneLabel(v.lang, e.time_zone) }) : v.t('or.event.all_day', { tz: timeZoneLabel(v.lang, e.time_zone) })}`;
}

function EventDetails({ v, e }: { v: View; e: OutreachEvent }) {
  return (
    <dl>
      <dt class="text-bold">{v.t('or.event.when')}</dt>
      <dd class="margin-left-0">{when(v, e)}</dd>
      {(e.place || e.online_url) && <dt class="text-bold margin-top-1">{v.t('or.event.where')}</dt>}
      {e.place && <dd class="margin-left-0">{e.place}</dd>}
      {e.online_url && (
        <dd class="margin-left-0">
          {v.t('or.event.online')}: <a href={e.online_url}>{e.online_url}</a>
        </dd>
      )}
      <dt class="text-bold margin-top-1">{v.t('or.event.accessibility')}</dt>
      <dd class="margin-left-0">{e.accessibility}</dd>
    </dl>
  );
}

function EventList({ v, events }: { v: View; events: OutreachEvent[] }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.events') }]} />
      <h1>{v.t('or.events')}</h1>
      <p class="usa-intro">{v.t('or.events.intro')}</p>
      <p>
        <a href="/api/outreach/events.ics">{v.t('or.event.feed')}</a>
        {v.can('outreach.manage') && (
          <>
            {' · '}
            <a href="/outreach/events/new">{v.t('or.event.new')}</a>
          </>
        )}
      </p>
      {!events.length && <p>{v.t('or.none')}</p>}
      {events.map((e) => (
        <section class="border-top border-base-lighter padding-y-1" aria-labelledby={`e-${e.id}`}>
          <h2 class="font-heading-md" id={`e-${e.id}`}>
            <a href={`/outreach/events/${e.id}`}>{e.title}</a>
            <DemoTag v={v} demo={e.demo} />
          </h2>
          <p class="usa-hint">
            {v.t(`or.ekind.${e.kind}`)} · {when(v, e)}
          </p>
        </section>
      ))}
    </div>
  );
}

/** Registration on an event's page: places, the form for adults with an account, and their own registrations. */
function EventRegistration({ v, e, groups, mine, values, errors }: { v: View; e: OutreachEvent; groups: Group[]; mine: EventRegistration_[]; values: FormValues; errors?: FieldError[] }) {
  if (e.capacity === null || !e.places) return null;
  const err = localErrors(v, errors);
  const begun = new Date().toISOString() >= e.starts_at;
  const active = mine.filter((r) => r.status !== 'cancelled');
  return (
    <section aria-labelledby="registration" class="margin-top-4">
      <h2 id="registration">{v.t('or.reg')}</h2>
      <p data-testid="places">{v.t('or.reg.places', { capacity: e.capacity, free: e.places.free, waiting: e.places.waitlisted })}</p>
      {e.youth && <p>{v.t('or.reg.youth')}</p>}
      {active.length > 0 && (
        <Table
          v={v}
          caption={v.t('or.reg.mine')}
          head={[v.t('or.group'), v.t('or.field.head_count'), v.t('or.reg.status'), '']}
          rows={active.map((r) => [r.group_name ?? '—', String(r.head_count), v.t(`or.reg.status.${r.status}`), <ActionButton v={v} action={`/outreach/event-registrations/${r.id}/cancel`} secondary>{v.t('or.reg.cancel')}</ActionButton>])}
          wrap
        />
      )}
      {begun ? (
        <p>{v.t('or.reg.closed')}</p>
      ) : !v.can(SPONSOR) ? (
        <p>{v.actor ? v.t('or.reg.adults') : <a href={`/login?next=${encodeURIComponent(`/outreach/events/${e.id}`)}`}>{v.t('or.reg.signin')}</a>}</p>
      ) : e.youth && !groups.length ? (
        <p>
          <a href="/outreach/groups/new">{v.t('or.reg.nogroup')}</a>
        </p>
      ) : (
        <form method="post" action={`/outreach/events/${e.id}/register`} class="usa-form">
          <Csrf v={v} />
          <ErrorSummary v={v} errors={err ?? []} />
          {e.youth && <Select name="group_id" label={v.t('or.group')} required blank={v.t('or.choose')} value={str(values.group_id)} options={groups.map((g) => ({ value: g.id, label: g.name }))} errors={err} />}
          <TextInput name="head_count" label={v.t('or.field.head_count')} hint={v.t(e.youth ? 'or.field.head_count.hint.youth' : 'or.field.head_count.hint')} required inputmode="numeric" value={str(values.head_count) ?? (e.youth ? '' : '1')} errors={err} />
          <SubmitButton>{v.t('or.reg.submit')}</SubmitButton>
        </form>
      )}
    </section>
  );
}

function EventPage({ v, e, reg }: { v: View; e: OutreachEvent; reg?: { groups: Group[]; mine: EventRegistration_[]; values: FormValues; errors?: FieldError[] } }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { href: '/outreach/events', label: v.t('or.events') }, { label: e.title }]} />
      <h1>
        {e.title}
        <DemoTag v={v} demo={e.demo} />
      </h1>
      <p>{v.t(`or.ekind.${e.kind}`)}</p>
      {e.description && <p>{e.description}</p>}
      <EventDetails v={v} e={e} />
      <p>
        <a href={`/api/outreach/events/${e.id}/event.ics`}>{v.t('or.event.ics')}</a>
      </p>
      <EventRegistration v={v} e={e} groups={reg?.groups ?? []} mine={reg?.mine ?? []} values={reg?.values ?? {}} errors={reg?.errors} />
    </div>
  );
}

/** The event form's fields by their labels, for the error summary. */
const eventLabels = (v: View): Record<string, string> =>
  Object.fromEntries(
    (
      [
        ['title', 'or.field.title'],
        ['kind', 'or.field.event_kind'],
        ['description', 'or.field.description'],
        ['date', 'or.field.date'],
        ['end_date', 'or.field.end_date'],
        ['start_time', 'or.field.start_time'],
        ['end_time', 'or.field.end_time'],
        ['time_zone', 'or.field.time_zone'],
        ['place', 'or.field.place'],
        ['online_url', 'or.field.online_url'],
        ['accessibility', 'or.field.accessibility'],
        ['capacity', 'or.field.capacity'],
        ['youth', 'or.field.youth'],
      ] as const
    ).map(([field, key]) => [field, v.t(key)]),
  );

function EventForm({ v, values, errors }: { v: View; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('or.save')} title={v.t('or.event.new')} action="/outreach/events/new" errors={localErrors(v, errors)} labels={eventLabels(v)} cancel="/outreach/events" crumbs={crumbs(v, [{ href: '/outreach/events', label: v.t('or.events') }])}>
      <TextInput name="title" label={v.t('or.field.title')} required value={str(values.title)} errors={e} />
      <Select name="kind" label={v.t('or.field.event_kind')} required blank={v.t('or.choose')} value={str(values.kind)} options={opts(v, 'ekind', EVENT_KINDS)} errors={e} />
      <TextArea name="description" label={v.t('or.field.description')} value={str(values.description)} errors={e} />
      <TextInput name="date" label={v.t('or.field.date')} required value={str(values.date)} errors={e} />
      <TextInput name="end_date" label={v.t('or.field.end_date')} value={str(values.end_date)} errors={e} />
      <TextInput name="start_time" label={v.t('or.field.start_time')} value={str(values.start_time)} errors={e} />
      <TextInput name="end_time" label={v.t('or.field.end_time')} value={str(values.end_time)} errors={e} />
      <TimeZoneSelect v={v} name="time_zone" label={v.t('or.field.time_zone')} required value={str(values.time_zone) ?? 'America/New_York'} errors={e} />
      <TextInput name="place" label={v.t('or.field.place')} value={str(values.place)} errors={e} />
      <TextInput name="online_url" type="url" label={v.t('or.field.online_url')} value={str(values.online_url)} errors={e} />
      <TextArea name="accessibility" label={v.t('or.field.accessibility')} required value={str(values.accessibility)} errors={e} />
      <TextInput name="capacity" label={v.t('or.field.capacity')} hint={v.t('or.field.capacity.hint')} inputmode="numeric" value={str(values.capacity)} errors={e} />
      <Checkboxes name="youth" label={v.t('or.field.youth')} values={values.youth ? ['true'] : []} options={[{ value: 'true', label: v.t('or.field.youth.option') }]} errors={e} />
    </FormPage>
  );
}

// ---------- dashboard ----------

function Dashboard({ v, campaigns, pending, events, lessons, materials }: { v: View; campaigns: import('../schema.ts').Campaign[]; pending: number; events: OutreachEvent[]; lessons: Lesson[]; materials: Material[] }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.dashboard') }]} />
      <h1>{v.t('or.dashboard')}</h1>
      <p>
        <a href="/outreach/moderation">{v.t('or.dashboard.pending', { n: pending })}</a>
      </p>
      <Table v={v} caption={v.t('or.campaigns')} head={[v.t('or.field.title'), v.t('or.campaign.status'), v.t('or.field.starts_on'), v.t('or.field.ends_on')]} rows={campaigns.map((c) => [<a href={`/outreach/campaigns/${c.id}`}>{c.title}</a>, v.t(`or.status.${c.status}`), formatDate(v.lang, c.starts_on), formatDate(v.lang, c.ends_on)])} wrap />
      <Table v={v} caption={v.t('or.dashboard.upcoming')} head={[v.t('or.field.title'), v.t('or.event.when'), v.t('or.reg.taken')]} rows={events.slice(0, 10).map((e) => [<a href={`/outreach/events/${e.id}`}>{e.title}</a>, when(v, e), e.places && e.capacity !== null ? v.t('or.reg.taken.value', { confirmed: e.places.confirmed, capacity: e.capacity, waiting: e.places.waitlisted }) : '—'])} wrap />
      <Table v={v} caption={v.t('or.dashboard.lessons')} head={[v.t('or.field.title'), v.t('or.uses')]} rows={[...lessons].sort((a, b) => b.uses - a.uses).slice(0, 10).map((l) => [<a href={`/outreach/toolkit/${l.id}`}>{l.title}</a>, String(l.uses)])} wrap />
      <Table v={v} caption={v.t('or.dashboard.materials')} head={[v.t('or.field.title'), v.t('or.downloads')]} rows={[...materials].sort((a, b) => b.downloads - a.downloads).slice(0, 10).map((m) => [m.title, String(m.downloads)])} wrap />
    </div>
  );
}

export async function libraryPages(app: App): Promise<void> {
  // toolkit
  app.get('/outreach/toolkit', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('or.toolkit'), <LessonList v={v} lessons={await store.listLessons(req.ctx.db)} />);
  });
  const lessonForm = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[], revise?: Lesson) => reply.page(revise ? v.t('or.lesson.revise') : v.t('or.lesson.new'), <LessonForm v={v} values={values} errors={errors} revise={revise} />, errors ? 400 : 200);
  app.get('/outreach/toolkit/new', { config: MANAGERS, schema: hidden }, async (req, reply) => lessonForm(reply, req.view(), {}));
  app.post('/outreach/toolkit/new', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(reply, async () => `/outreach/toolkit/${(await commands.createLesson(req.ctx, formBody(req.body), { coerce: true })).id}`, (errors) => lessonForm(reply, req.view(), rawValues(req.body), errors)),
  );
  const lessonOr404 = async (db: import('../../../platform/db/index.ts').Db, id: string) => {
    const l = await store.getLesson(db, id);
    if (!l) throw notFound('No such lesson.');
    return l;
  };
  app.get('/outreach/toolkit/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const v = req.view();
    const l = await lessonOr404(req.ctx.db, req.params.id);
    const thanks = new URL(req.url, 'http://x').searchParams.get('counted') === '1';
    return reply.page(l.title, <LessonPage v={v} l={l} versions={await store.lessonVersions(req.ctx.db, l.id)} thanks={thanks} />);
  });
  app.get('/outreach/toolkit/:id/print', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const l = await lessonOr404(req.ctx.db, req.params.id);
    return reply.page(l.title, <LessonPrint v={req.view()} l={l} />);
  });
  app.post('/outreach/toolkit/:id/used', { config: PUBLIC, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    await commands.recordLessonUse(req.ctx, req.params.id);
    return reply.redirect(`/outreach/toolkit/${req.params.id}?counted=1`, 303);
  });
  app.get('/outreach/toolkit/:id/revise', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const l = await lessonOr404(req.ctx.db, req.params.id);
    return lessonForm(reply, req.view(), { ...Object.fromEntries(Object.entries(l).map(([k, x]) => [k, String(x)])) }, undefined, l);
  });
  app.post('/outreach/toolkit/:id/revise', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const l = await lessonOr404(req.ctx.db, req.params.id);
    return submitForm(reply, async () => `/outreach/toolkit/${(await commands.reviseLesson(req.ctx, l.id, formBody(req.body), { coerce: true })).id}`, (errors) => lessonForm(reply, req.view(), rawValues(req.body), errors, l));
  });

  // materials
  app.get('/outreach/materials', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('or.materials'), <MaterialList v={v} items={await store.listMaterials(req.ctx.db)} />);
  });
  app.post('/outreach/materials/:id/download', { config: PUBLIC, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const m = await commands.recordDownload(req.ctx, req.params.id);
    return reply.redirect(m.url, 303);
  });
  const materialForm = async (reply: FastifyReply, v: View, db: import('../../../platform/db/index.ts').Db, values: FormValues, errors?: FieldError[]) =>
    reply.page(v.t('or.material.new'), <MaterialForm v={v} values={values} errors={errors} all={await store.listMaterials(db)} />, errors ? 400 : 200);
  app.get('/outreach/materials/new', { config: MANAGERS, schema: hidden }, async (req, reply) => materialForm(reply, req.view(), req.ctx.db, {}));
  app.post('/outreach/materials/new', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.createMaterial(req.ctx, formBody(req.body), { coerce: true });
        return '/outreach/materials';
      },
      (errors) => materialForm(reply, req.view(), req.ctx.db, rawValues(req.body), errors),
    ),
  );

  // events
  app.get('/outreach/events', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('or.events'), <EventList v={v} events={await store.listEvents(req.ctx.db)} />);
  });
  const eventForm = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => reply.page(v.t('or.event.new'), <EventForm v={v} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/outreach/events/new', { config: MANAGERS, schema: hidden }, async (req, reply) => eventForm(reply, req.view(), {}));
  app.post('/outreach/events/new', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(reply, async () => `/outreach/events/${(await commands.createEvent(req.ctx, formBody(req.body), { coerce: true })).id}`, (errors) => eventForm(reply, req.view(), rawValues(req.body), errors)),
  );
  const eventPage = async (req: { ctx: import('../../../platform/context.ts').Ctx; view(): View }, reply: FastifyReply, id: string, values: FormValues = {}, errors?: FieldError[]) => {
    const e = await store.getEvent(req.ctx.db, id);
    if (!e) throw notFound('No such event.');
    const me = req.ctx.actor?.id;
    const reg = me && e.capacity !== null ? { groups: await store.groupsOfSponsor(req.ctx.db, me), mine: await store.listEventRegistrations(req.ctx.db, e.id, me), values, errors } : { groups: [], mine: [], values, errors };
    return reply.page(e.title, <EventPage v={req.view()} e={e} reg={reg} />, errors ? 400 : 200);
  };
  app.get('/outreach/events/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => eventPage(req, reply, req.params.id));
  app.post('/outreach/events/:id/register', { config: SPONSORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.registerForEvent(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return `/outreach/events/${req.params.id}#registration`;
      },
      (errors) => eventPage(req, reply, req.params.id, rawValues(req.body), errors),
    ),
  );
  app.post('/outreach/event-registrations/:id/cancel', { config: SPONSORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const r = await commands.cancelEventRegistration(req.ctx, req.params.id);
    return reply.redirect(`/outreach/events/${r.event_id}#registration`, 303);
  });

  // the committee's dashboard
  app.get('/outreach/dashboard', { config: MANAGERS, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const db = req.ctx.db;
    return reply.page(
      v.t('or.dashboard'),
      <Dashboard v={v} campaigns={await store.listCampaigns(db, { includeDrafts: true })} pending={await store.countPending(db)} events={await store.listEvents(db, { from: new Date().toISOString() })} lessons={await store.listLessons(db)} materials={await store.listMaterials(db)} />,
    );
  });
}
