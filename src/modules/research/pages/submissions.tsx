/** An agency's answer to a data call: the form, the CSV upload, every version with its review, the review form. */
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../../platform/context.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import { principalOf } from '../../../platform/policy.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { registerUploads, uploadOf } from '../../workplans/index.ts';
import { visibleAgency, visibleCall } from '../api.ts';
import * as commands from '../commands.ts';
import { maySubmitFor } from '../policies.ts';
import { CallAgencyParams, CSV_MAX_CHARS, FormPost, type CallField } from '../schema.ts';
import * as store from '../store.ts';
import type { Row } from '../values.ts';
import { Definitions } from './calls.tsx';
import { MANAGERS, SUBMITTERS, crumbs, fieldHeading, fmt, localErrors, stateLabel, str } from './shared.tsx';
import { FormField, FormPost as PlatformFormPost, one } from '../../../platform/pages/forms.ts';
import { formatDate, formatInstant } from '../../../platform/web/i18n.ts';

const BLANK_ROWS = 2;
const MAX_FORM_ROWS = 50;
const RowsQuery = Type.Object({ blank: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FORM_ROWS })) });

interface PageData {
  c: store.Call;
  agencyId: string;
  agency: string;
  s: store.Submission | undefined;
  maySubmit: boolean;
}

function inputName(i: number, key: string) {
  return `rows.${i}.${key}`;
}

function RowsTable({ v, fields, rows, caption }: { v: View; fields: CallField[]; rows: Row[]; caption: string }) {
  return <Table v={v} wrap caption={caption} head={fields.map(fieldHeading)} rows={rows.map((r) => fields.map((f) => fmt(v, r[f.key])))} />;
}

/** The values form: a fieldset per row (one under another, so that it fits a phone), blank rows to add more. */
function ValuesForm({ v, d, values, count, errors }: { v: View; d: PageData; values: FormValues; count: number; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  const base = `/research/calls/${d.c.id}/agencies/${d.agencyId}`;
  return (
    <form method="post" action={`${base}/form`} class="usa-form usa-form--large" id="values-form">
      <Csrf v={v} />
      <IdempotencyKey />
      <ErrorSummary v={v} errors={e ?? []} />
      {Array.from({ length: count }, (_, i) => (
        <fieldset class="usa-fieldset margin-top-2">
          <legend class="usa-legend usa-legend--large">{v.t('rs.row', { n: i + 1 })}</legend>
          {d.c.fields.map((f) => (
            <TextInput
              name={inputName(i, f.key)}
              label={fieldHeading(f)}
              hint={f.definition}
              required={f.required !== false && i === 0}
              inputmode={f.type === 'text' ? undefined : f.type === 'count' ? 'numeric' : 'decimal'}
              value={str(values[inputName(i, f.key)])}
              errors={e}
              maxLength={500}
            />
          ))}
        </fieldset>
      ))}
      <p>
        <a href={`?blank=${Math.min(MAX_FORM_ROWS, BLANK_ROWS + 5)}#values-form`}>{v.t('rs.rows.more')}</a>
      </p>
      <TextArea name="note" label={v.t('rs.field.note')} hint={v.t('rs.field.note.hint')} value={str(values.note)} errors={e} rows={2} />
      <SubmitButton>{v.t('rs.submit.form')}</SubmitButton>
    </form>
  );
}

function UploadForm({ v, d, errors, csv }: { v: View; d: PageData; errors?: FieldError[]; csv?: string }) {
  const e = localErrors(v, errors);
  const fileErrors = e?.filter((x) => x.field === 'file') ?? [];
  const base = `/research/calls/${d.c.id}/agencies/${d.agencyId}`;
  return (
    <form method="post" action={`${base}/upload`} enctype="multipart/form-data" class="usa-form usa-form--large" id="upload-form">
      <Csrf v={v} />
      <ErrorSummary v={v} errors={e ?? []} />
      <div class={`usa-form-group${fileErrors.length ? ' usa-form-group--error' : ''}`}>
        <label class={`usa-label${fileErrors.length ? ' usa-label--error' : ''}`} for="field-file">
          {v.t('rs.field.file')}
        </label>
        <div class="usa-hint" id="field-file-hint">
          {v.t('rs.field.file.hint', { columns: d.c.fields.map((f) => f.key).join(',') })}
        </div>
        {fileErrors.length > 0 && (
          <span class="usa-error-message" id="field-file-error" role="alert">
            {fileErrors.length === 1 ? (
              fileErrors[0].message
            ) : (
              <ul class="usa-list margin-0">
                {fileErrors.map((x) => (
                  <li>{x.message}</li>
                ))}
              </ul>
            )}
          </span>
        )}
        <input class="usa-file-input" id="field-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby={`field-file-hint${fileErrors.length ? ' field-file-error' : ''}`} aria-invalid={fileErrors.length ? 'true' : undefined} />
      </div>
      <TextArea name="csv" label={v.t('rs.field.csv')} hint={v.t('rs.field.csv.hint')} value={csv} rows={4} />
      <TextArea name="note" label={v.t('rs.field.note')} hint={v.t('rs.field.note.hint')} rows={2} />
      <SubmitButton>{v.t('rs.submit.csv')}</SubmitButton>
    </form>
  );
}

function ReviewForm({ v, d, errors, values }: { v: View; d: PageData; errors?: FieldError[]; values?: FormValues }) {
  const e = localErrors(v, errors);
  const s = d.s!;
  return (
    <form method="post" action={`/research/calls/${d.c.id}/agencies/${d.agencyId}/review`} class="usa-form usa-form--large" id="review-form">
      <Csrf v={v} />
      <ErrorSummary v={v} errors={e ?? []} />
      <input type="hidden" name="version" value={String(s.current_version)} />
      <Select name="decision" label={v.t('rs.field.decision')} required value={str(values?.decision)} blank="—" errors={e} options={[{ value: 'accept', label: v.t('rs.decision.accept') }, { value: 'return', label: v.t('rs.decision.return') }]} />
      <TextArea name="note" label={v.t('rs.field.review_note')} hint={v.t('rs.field.review_note.hint')} value={str(values?.note)} errors={e} rows={3} />
      <SubmitButton>{v.t('rs.review.submit')}</SubmitButton>
    </form>
  );
}

function SubmissionPage({ v, d, form, upload, review, blank }: { v: View; d: PageData; form?: { values: FormValues; errors?: FieldError[] }; upload?: { errors?: FieldError[]; csv?: string }; review?: { errors?: FieldError[]; values?: FormValues }; blank: number }) {
  const { c, s } = d;
  const latest = s?.versions[0];
  const canSend = d.maySubmit && c.status === 'open' && s?.status !== 'accepted';
  const prefill: FormValues = {};
  if (!form && latest) latest.rows.forEach((r, i) => c.fields.forEach((f) => (prefill[inputName(i, f.key)] = r[f.key] === null || r[f.key] === undefined ? '' : String(r[f.key]))));
  const count = Math.min(MAX_FORM_ROWS, Math.max(form ? Math.max(...Object.keys(form.values).map((k) => Number(/^rows\.(\d+)\./.exec(k)?.[1] ?? -1))) + 1 : 0, latest?.rows.length ?? 0) + blank);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: `/research/calls/${c.id}`, label: c.title }, { label: d.agency }])} />
      <h1>{v.t('rs.submission.title', { agency: d.agency })}</h1>
      <p class="usa-intro">{c.title}</p>
      <p>
        {v.t('rs.field.period')}: {formatDate(v.lang, c.period_start)} – {formatDate(v.lang, c.period_end)}. {v.t('rs.field.due_date')}: <strong>{formatDate(v.lang, c.due_date)}</strong>. {v.t('rs.field.status')}: <strong>{stateLabel(v, s?.status ?? 'not_sent')}</strong>
        {s ? ` (${v.t('rs.version', { n: s.current_version })})` : ''}.
      </p>
      {latest?.review === 'returned' && (
        <Alert type="warning" heading={v.t('rs.returned.heading')}>
          {latest.review_note}
        </Alert>
      )}
      {c.status !== 'open' && (
        <Alert type="info" slim>
          {v.t('rs.call.closed')}
        </Alert>
      )}
      {s?.status === 'accepted' && (
        <Alert type="success" slim>
          {v.t('rs.accepted')}
        </Alert>
      )}
      <h2>{v.t('rs.definitions')}</h2>
      <Definitions v={v} fields={c.fields} />
      {canSend && (
        <>
          <h2 id="form-heading">{v.t('rs.submit.form.heading')}</h2>
          <ValuesForm v={v} d={d} values={form?.values ?? prefill} count={Math.max(count, 1)} errors={form?.errors} />
          <h2 id="upload-heading">{v.t('rs.submit.csv.heading')}</h2>
          <UploadForm v={v} d={d} errors={upload?.errors} csv={upload?.csv} />
        </>
      )}
      {v.can('research.manage') && s?.status === 'submitted' && (
        <>
          <h2 id="review-heading">{v.t('rs.review.heading', { n: s.current_version })}</h2>
          <ReviewForm v={v} d={d} errors={review?.errors} values={review?.values} />
        </>
      )}
      <h2>{v.t('rs.versions')}</h2>
      {!s && <p>{v.t('rs.versions.none')}</p>}
      {s?.versions.map((x) => (
        <section class="margin-bottom-3" aria-labelledby={`version-${x.version}`}>
          <h3 id={`version-${x.version}`} class="font-heading-sm">
            {v.t('rs.version', { n: x.version })} · {v.t(`rs.source.${x.source}`)} · {x.submitted_by} · {formatInstant(v.lang, x.submitted_at)}
          </h3>
          <p>
            {x.review ? v.t(`rs.review.${x.review}`, { by: x.reviewed_by ?? '', at: (x.reviewed_at ?? '').slice(0, 10) }) : v.t('rs.review.pending')}
            {x.review_note ? `: ${x.review_note}` : ''}
          </p>
          {x.note && (
            <p>
              {v.t('rs.field.note')}: {x.note}
            </p>
          )}
          <RowsTable v={v} fields={c.fields} rows={x.rows} caption={v.t('rs.version.rows', { n: x.version })} />
        </section>
      ))}
    </div>
  );
}

async function pageData(ctx: Ctx, id: string, agencyId: string): Promise<PageData> {
  const c = await visibleCall(ctx, id);
  await visibleAgency(ctx, c, agencyId);
  const names = await store.agencyNames(ctx.db);
  const p = principalOf(ctx);
  const s = await store.getSubmission(ctx.db, c.id, agencyId);
  return { c, agencyId, agency: names.get(agencyId) ?? agencyId, s, maySubmit: maySubmitFor(p, await store.agenciesOf(ctx.db, p), agencyId) };
}

/** The form's rows as command input, blank rows left out; `at` maps each sent row back to the row shown. */
function formRows(body: Record<string, unknown>, fields: CallField[]): { rows: Record<string, unknown>[]; at: number[] } {
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const [k, x] of Object.entries(body)) {
    const m = /^rows\.(\d{1,3})\.([a-z][a-z0-9_]{0,39})$/.exec(k);
    if (!m || !fields.some((f) => f.key === m[2])) continue;
    const i = Number(m[1]);
    if (i >= MAX_FORM_ROWS) continue;
    byIndex.set(i, { ...(byIndex.get(i) ?? {}), [m[2]]: x });
  }
  const at = [...byIndex.keys()].sort((a, b) => a - b);
  return { rows: at.map((i) => byIndex.get(i)!), at };
}

export async function submissionPages(app: App): Promise<void> {
  await registerUploads(app, CSV_MAX_CHARS);

  const show = async (req: { ctx: Ctx; view(): View }, reply: FastifyReply, id: string, agencyId: string, extra: { form?: { values: FormValues; errors?: FieldError[] }; upload?: { errors?: FieldError[]; csv?: string }; review?: { errors?: FieldError[]; values?: FormValues }; blank?: number } = {}, status = 200) => {
    const d = await pageData(req.ctx, id, agencyId);
    const v = req.view();
    return reply.page(v.t('rs.submission.title', { agency: d.agency }), <SubmissionPage v={v} d={d} blank={extra.blank ?? BLANK_ROWS} form={extra.form} upload={extra.upload} review={extra.review} />, status);
  };

  app.get('/research/calls/:id/agencies/:agencyId', { config: SUBMITTERS, schema: { ...hidden, params: CallAgencyParams, querystring: RowsQuery } }, async (req, reply) => show(req, reply, req.params.id, req.params.agencyId, { blank: req.query.blank }));

  app.post('/research/calls/:id/agencies/:agencyId/form', { config: SUBMITTERS, schema: { ...hidden, params: CallAgencyParams, body: FormPost } }, async (req, reply) => {
    const { id, agencyId } = req.params;
    const c = await visibleCall(req.ctx, id);
    const body = formBody(req.body);
    const { rows, at } = formRows(body, c.fields);
    return submitForm(
      reply,
      async () => {
        await commands.submitRows(req.ctx, id, agencyId, { rows, ...(body.note ? { note: body.note } : {}) }, { source: 'form' });
        return `/research/calls/${id}/agencies/${agencyId}`;
      },
      (errors) => {
        const mapped = errors.map((e) => {
          const m = /^rows\.(\d+)(\.?.*)$/.exec(e.field);
          if (m) return { field: `rows.${at[Number(m[1])] ?? 0}${m[2]}`, message: e.message };
          return e.field === 'rows' ? { field: inputName(0, c.fields[0].key), message: v0(e.message) } : e;
        });
        return show(req, reply, id, agencyId, { form: { values: rawValues(req.body), errors: mapped } }, 400);
      },
    );
  });

  app.post('/research/calls/:id/agencies/:agencyId/upload', { config: SUBMITTERS, schema: { ...hidden, params: CallAgencyParams, body: PlatformFormPost({ csv: FormField }) } }, async (req, reply) => {
    const { id, agencyId } = req.params;
    const upload = uploadOf(req);
    const pasted = one(req.body.csv);
    const again = (errors: FieldError[], status = 400) => show(req, reply, id, agencyId, { upload: { errors, csv: pasted } }, status);
    if (upload.error) return again([{ field: 'file', message: upload.error.message }], upload.error.status);
    const file = upload.files.find((f) => f.field === 'file');
    let csv = pasted;
    if (file) {
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
      } catch {
        return again([{ field: 'file', message: 'is not valid UTF-8 text' }]);
      }
    }
    if (!csv.trim()) return again([{ field: 'file', message: 'choose a CSV file or paste its text' }]);
    const note = formBody(req.body).note;
    return submitForm(
      reply,
      async () => {
        await commands.submitCsv(req.ctx, id, agencyId, { csv, ...(note ? { note } : {}) });
        return `/research/calls/${id}/agencies/${agencyId}`;
      },
      (errors) => again(errors.map((e) => (e.field === 'csv' ? { field: 'file', message: e.message } : e))),
    );
  });

  app.post('/research/calls/:id/agencies/:agencyId/review', { config: MANAGERS, schema: { ...hidden, params: CallAgencyParams, body: FormPost } }, async (req, reply) => {
    const { id, agencyId } = req.params;
    return submitForm(
      reply,
      async () => {
        await commands.reviewSubmission(req.ctx, id, agencyId, formBody(req.body), { coerce: true });
        return `/research/calls/${id}`;
      },
      (errors) => show(req, reply, id, agencyId, { review: { errors, values: rawValues(req.body) } }, 400),
    );
  });
}

const v0 = (m: string) => (m === 'must have at least 1 item(s)' ? 'is required' : m);
