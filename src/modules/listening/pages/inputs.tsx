/** Written input: the public form of a session, and a lead's facilitator notes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { Alert, Checkboxes, Csrf, ErrorSummary, Select, SubmitButton, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { submitInput } from '../commands.ts';
import { INPUT_RATE_LIMIT, MANAGE } from '../policies.ts';
import { FormPost, PROVIDER_TYPES, REGIONS } from '../schema.ts';
import { getSeries, sessionOr404, type Series, type Session } from '../store.ts';
import { list, opt, SeriesCrumbs, val, when, type Input_, localErrors } from './shared.tsx';
import { questionLabel } from '../questions.ts';


function InputFormFields({ v, session, action, notes, errors, input }: { v: View; session: Session; action: string; notes?: boolean; errors?: FieldError[]; input?: Input_ }) {
  return (
    <form method="post" action={action} class="usa-form usa-form--large">
      <ErrorSummary
        v={v}
        errors={errors ?? []}
        labels={{
          organization_type: v.t('ls.field.organization_type'),
          region: v.t('ls.field.region'),
          participant_name: v.t('ls.field.participant_name'),
          consent: v.t('ls.consent'),
          ...Object.fromEntries(session.questions.map((q) => [`answers.${q.key}`, questionLabel(q, v.lang)])),
        }}
      />
      <Csrf v={v} />
      {notes && <input type="hidden" name="kind" value="notes" />}
      <Select name="organization_type" label={v.t('ls.field.organization_type')} required={!notes} value={val(input, 'organization_type')} blank={v.t('ls.choose')} options={opt(v, 'ls.ptype', PROVIDER_TYPES)} errors={errors} />
      <Select name="region" label={v.t('ls.field.region')} required={!notes} value={val(input, 'region')} blank={v.t('ls.choose')} options={opt(v, 'ls.region', REGIONS)} errors={errors} />
      {session.questions.map((q) => (
        <TextArea name={`answers.${q.key}`} label={questionLabel(q, v.lang)} value={val(input, `answers.${q.key}`)} errors={errors} rows={5} />
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
        {session.title} — {when(v, session)}
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
        <a href={`/listening/sessions/${session.id}`}>{session.title}</a> — {when(v, session)}
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

export async function inputPages(app: App): Promise<void> {
  const notesPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; done?: boolean } = {}, status = 200) => {
    const session = await sessionOr404(req.ctx.db, id);
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    return reply.page(v.t('ls.notes.title'), <NotesPage v={v} series={series} session={session} {...extra} errors={localErrors(v, extra.errors)} />, status);
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

  const inputPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; done?: boolean } = {}, status = 200) => {
    const session = await sessionOr404(req.ctx.db, id);
    const series = (await getSeries(req.ctx.db, session.series_id))!;
    const v = req.view();
    return reply.page(v.t('ls.input.title'), <InputPage v={v} series={series} session={session} {...extra} errors={localErrors(v, extra.errors)} />, status);
  };
  app.get('/listening/sessions/:id/input', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => inputPage(req, reply, req.params.id));
  app.post('/listening/sessions/:id/input', { config: { access: 'public', rateLimit: INPUT_RATE_LIMIT }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    await sessionOr404(req.ctx.db, id);
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
}
