/** A session's page: its details, public registration, and for leads the registrants, places and agenda. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { recordAudit } from '../../../platform/audit/index.ts';
import { ActionButton, Alert, Checkboxes, Csrf, ErrorSummary, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { register, releaseReserved, updateRegistration, updateSession } from '../commands.ts';
import { MANAGE, REGISTRATION_RATE_LIMIT } from '../policies.ts';
import { FormPost, PROVIDER_TYPES, REGIONS } from '../schema.ts';
import { getRegistration, getSeries, listRegistrations, sessionOr404, type Series, type Session } from '../store.ts';
import { sessionOut, type SessionView } from '../presenters.ts';
import { agendaFromText, list, opt, SeriesCrumbs, val, when, type Input_, localErrors } from './shared.tsx';


interface SessionPageProps {
  v: View;
  series: Series;
  session: SessionView;
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
      <ErrorSummary v={v} errors={errors ?? []} labels={{ invited: v.t('ls.invite.label'), name: v.t('ls.field.name'), email: v.t('ls.field.email'), organization: v.t('ls.field.organization'), organization_type: v.t('ls.field.organization_type'), region: v.t('ls.field.region') }} />
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
        <dd>{when(v, session)}</dd>
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

export async function sessionPages(app: App): Promise<void> {
  const sessionPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Omit<SessionPageProps, 'v' | 'series' | 'session'> = {}, status = 200) => {
    const session = await sessionOut(req.ctx.db, await sessionOr404(req.ctx.db, id));
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    const registrants = v.can(MANAGE) ? (await listRegistrations(req.ctx.db, session.id, 1000, 0)).items : undefined;
    // Registrants' names and e-mail addresses are personal data: each look at them is in the audit log.
    if (registrants) await recordAudit(req.ctx.db, req.ctx, { action: 'listening.registrations.read', entityType: 'listening_session', entityId: session.id, summary: { count: registrants.length } });
    return reply.page(session.title, <SessionPage v={v} series={series} session={session} registrants={registrants} {...extra} errors={localErrors(v, extra.errors)} />, status);
  };

  app.get('/listening/sessions/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => sessionPage(req, reply, req.params.id));
  app.post('/listening/sessions/:id/register', { config: { access: 'public', rateLimit: REGISTRATION_RATE_LIMIT }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    await sessionOr404(req.ctx.db, id);
    const input = formBody(req.body);
    const v = req.view();
    try {
      const r = await register(req.ctx, id, input, { coerce: true, lang: req.lang });
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
  for (const action of ['attended', 'cancel'] as const) {
    app.post(`/listening/registrations/:id/${action}`, { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
      const id = req.params.id;
      const r = await getRegistration(req.ctx.db, id);
      if (!r) throw notFound('No such registration.');
      await updateRegistration(req.ctx, id, action === 'attended' ? { attended: true } : { status: 'cancelled' });
      return reply.redirect(`/listening/sessions/${r.session_id}`);
    });
  }
}
