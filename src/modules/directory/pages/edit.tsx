/**
 * The edit forms of a listing (organisation, service, location). They call the same command as the API; bad input
 * comes back in the form with each problem beside its field and the input kept.
 */
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, forbidden, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { type View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Select, SubmitButton, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { FormPost } from '../schema.ts';
import { proposeChange } from '../commands.ts';
import { seesConfidential } from '../policies.ts';
import { DAYS, FIELDS, SERVICE_STATUSES, canEdit, currentValues, type HoursValue, type PhoneValue, type TargetType } from '../editing.ts';
import { PROPOSE_ACCESS, PLURAL, s, list, type Form } from './shared.tsx';

/** Blank rows offered below the existing hours and phones. */
const BLANK_ROWS = 2;
/** Form rows read at most (the API allows 14 hours rows and 10 phones). */
const MAX_ROWS = 20;

// ---------- form <-> input ----------

/** Rows of a repeated group (`hours.3.opens_at` ...), in form order, with their row numbers in the form. */
function rowsOf(body: Form, group: string, fields: readonly string[]): { row: number; values: Form }[] {
  const found = new Map<number, Form>();
  const re = new RegExp(`^${group}\\.(\\d{1,2})\\.(${fields.join('|')})$`);
  for (const [k, val] of Object.entries(body)) {
    const m = re.exec(k);
    if (!m || Number(m[1]) >= MAX_ROWS) continue;
    const row = found.get(Number(m[1])) ?? {};
    row[m[2]] = val;
    found.set(Number(m[1]), row);
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([row, values]) => ({ row, values }));
}

interface FormInput {
  input: Form;
  /** For each list, the form row of each kept item, so that an error is shown beside the right field. */
  rowOf: Record<string, number[]>;
}

/** Turns a submitted form into the command's input: a cleared field clears the value, blank rows are dropped. */
export function changesFromForm(type: TargetType, raw: unknown): FormInput {
  const body = formBody(raw);
  const input: Form = {};
  const rowOf: Record<string, number[]> = { hours: [], phones: [] };
  if (type === 'organization') {
    input.description = body.description ?? '';
    input.website = body.website ?? null;
    input.email = body.email ?? null;
  } else if (type === 'location') {
    for (const f of FIELDS.location) input[f] = body[f] ?? (f === 'address_2' ? null : '');
    if (typeof input.country === 'string') input.country = input.country.toUpperCase();
  } else {
    input.name = body.name ?? '';
    for (const f of ['description', 'eligibility_description', 'application_process', 'fees_description', 'url', 'email']) input[f] = body[f] ?? null;
    if (body.status !== undefined) input.status = body.status;
    input.hours = [];
    for (const { row, values } of rowsOf(body, 'hours', ['byday', 'opens_at', 'closes_at', 'description'])) {
      const h: Form = {};
      const days = list(values.byday);
      if (days.length) h.byday = days;
      for (const f of ['opens_at', 'closes_at', 'description']) if (s(values[f])) h[f] = values[f];
      if (!Object.keys(h).length) continue;
      (input.hours as Form[]).push(h);
      rowOf.hours.push(row);
    }
    input.languages = list(body.languages)
      .join(',')
      .split(/[,;\n]/)
      .map((x) => x.trim())
      .filter(Boolean);
    input.phones = [];
    for (const { row, values } of rowsOf(body, 'phones', ['number', 'extension', 'description'])) {
      if (!s(values.number) && !s(values.extension) && !s(values.description)) continue;
      const ext = s(values.extension);
      (input.phones as Form[]).push({ number: s(values.number) ?? '', ...(ext ? { extension: /^\d+$/.test(ext) ? Number(ext) : ext } : {}), ...(s(values.description) ? { description: values.description } : {}) });
      rowOf.phones.push(row);
    }
  }
  return { input, rowOf };
}

/** Renames `hours.1.opens_at` (the second kept row) to its row in the form. */
function atFormRows(errors: FieldError[], rowOf: Record<string, number[]>): FieldError[] {
  return errors.map((e) => {
    const m = /^(hours|phones)\.(\d+)(\..*)?$/.exec(e.field);
    if (!m) return e;
    const row = rowOf[m[1]]?.[Number(m[2])];
    return row === undefined ? e : { ...e, field: `${m[1]}.${row}${m[3] ?? ''}` };
  });
}

/** The current values as the form's fields, with blank rows to add hours and phones. */
function formOf(type: TargetType, values: Record<string, unknown>): Form {
  const out: Form = {};
  for (const f of FIELDS[type]) if (!['hours', 'languages', 'phones'].includes(f) && values[f] !== null && values[f] !== undefined) out[f] = String(values[f]);
  if (type === 'service') {
    (values.hours as HoursValue[]).forEach((h, i) => {
      out[`hours.${i}.byday`] = h.byday;
      if (h.opens_at) out[`hours.${i}.opens_at`] = h.opens_at;
      if (h.closes_at) out[`hours.${i}.closes_at`] = h.closes_at;
      if (h.description) out[`hours.${i}.description`] = h.description;
    });
    out.languages = (values.languages as string[]).join(', ');
    (values.phones as PhoneValue[]).forEach((p, i) => {
      out[`phones.${i}.number`] = p.number;
      if (p.extension !== null) out[`phones.${i}.extension`] = String(p.extension);
      if (p.description) out[`phones.${i}.description`] = p.description;
    });
  }
  return out;
}

function rowCount(form: Form, group: string): number {
  let n = 0;
  for (const k of Object.keys(form)) {
    const m = new RegExp(`^${group}\\.(\\d{1,2})\\.`).exec(k);
    if (m && Number(m[1]) < MAX_ROWS) n = Math.max(n, Number(m[1]) + 1);
  }
  return Math.min(MAX_ROWS, n + BLANK_ROWS);
}

// ---------- the edit form ----------

interface EditProps {
  v: View;
  type: TargetType;
  id: string;
  name: string;
  form: Form;
  errors: FieldError[];
  /** A confidential location whose address this person may not see: the form starts empty. */
  withheld: boolean;
}

function EditPage({ v, type, id, name, form, errors, withheld }: EditProps) {
  const text = (f: string) => s(form[f]);
  const title = v.t(`directory.edit.title.${type}`, { name });
  const back = type === 'location' ? '/directory/my' : `/directory/${PLURAL[type]}/${id}`;
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/my', label: v.t('directory.my.title') }, { label: title }]} />
      <h1>{title}</h1>
      <p>{v.t('directory.edit.intro')}</p>
      {withheld && <Alert type="info">{v.t('directory.edit.withheld')}</Alert>}
      <ErrorSummary v={v} errors={errors} />
      <form method="post" action={`/directory/${PLURAL[type]}/${id}/edit`} class="usa-form usa-form--large" novalidate>
        <Csrf v={v} />
        {type === 'organization' && (
          <>
            <TextArea name="description" label={v.t('directory.field.description')} value={text('description')} errors={errors} rows={6} />
            <TextInput name="website" label={v.t('directory.field.website')} hint={v.t('directory.edit.url.hint')} type="url" value={text('website')} errors={errors} maxLength={2000} />
            <TextInput name="email" label={v.t('directory.field.email')} type="email" autocomplete="email" value={text('email')} errors={errors} maxLength={254} />
          </>
        )}
        {type === 'location' && (
          <>
            <TextInput name="address_1" label={v.t('directory.field.address_1')} required value={text('address_1')} errors={errors} autocomplete="address-line1" maxLength={4000} />
            <TextInput name="address_2" label={v.t('directory.field.address_2')} value={text('address_2')} errors={errors} autocomplete="address-line2" maxLength={4000} />
            <TextInput name="city" label={v.t('directory.field.city')} required value={text('city')} errors={errors} autocomplete="address-level2" maxLength={200} />
            <TextInput name="state_province" label={v.t('directory.field.state_province')} required value={text('state_province')} errors={errors} autocomplete="address-level1" maxLength={100} />
            <TextInput name="postal_code" label={v.t('directory.field.postal_code')} required value={text('postal_code')} errors={errors} autocomplete="postal-code" maxLength={20} />
            <TextInput name="country" label={v.t('directory.field.country')} hint={v.t('directory.edit.country.hint')} required value={text('country') ?? 'US'} errors={errors} autocomplete="country" maxLength={2} />
          </>
        )}
        {type === 'service' && (
          <>
            <TextInput name="name" label={v.t('directory.field.name')} required value={text('name')} errors={errors} maxLength={4000} />
            <TextArea name="description" label={v.t('directory.field.description')} value={text('description')} errors={errors} rows={6} />
            <TextArea name="eligibility_description" label={v.t('directory.field.eligibility_description')} value={text('eligibility_description')} errors={errors} />
            <TextArea name="application_process" label={v.t('directory.field.application_process')} value={text('application_process')} errors={errors} />
            <TextInput name="fees_description" label={v.t('directory.field.fees_description')} value={text('fees_description')} errors={errors} maxLength={4000} />
            <TextInput name="url" label={v.t('directory.field.url')} hint={v.t('directory.edit.url.hint')} type="url" value={text('url')} errors={errors} maxLength={2000} />
            <TextInput name="email" label={v.t('directory.field.email')} type="email" value={text('email')} errors={errors} maxLength={254} />
            <Select name="status" label={v.t('directory.field.status')} value={text('status') ?? 'active'} options={SERVICE_STATUSES.map((x) => ({ value: x, label: v.t(`directory.state.${x}`) }))} errors={errors} />
            <TextInput name="languages" label={v.t('directory.field.languages')} hint={v.t('directory.edit.languages.hint')} value={text('languages')} errors={errors} />
            <h2>{v.t('directory.field.hours')}</h2>
            <p class="usa-hint">{v.t('directory.edit.hours.hint')}</p>
            {Array.from({ length: rowCount(form, 'hours') }, (_x, i) => (
              <fieldset class="usa-fieldset margin-bottom-3 border-left-05 border-base-lighter padding-left-2">
                <legend class="usa-legend text-bold">{v.t('directory.edit.hours.row', { n: i + 1 })}</legend>
                <Checkboxes name={`hours.${i}.byday`} label={v.t('directory.edit.days')} values={list(form[`hours.${i}.byday`])} options={DAYS.map((d) => ({ value: d, label: v.t(`directory.day.${d}`) }))} errors={errors} />
                <TextInput name={`hours.${i}.opens_at`} label={v.t('directory.edit.opens')} hint="HH:MM" type="time" value={s(form[`hours.${i}.opens_at`])} errors={errors} />
                <TextInput name={`hours.${i}.closes_at`} label={v.t('directory.edit.closes')} hint="HH:MM" type="time" value={s(form[`hours.${i}.closes_at`])} errors={errors} />
                <TextInput name={`hours.${i}.description`} label={v.t('directory.edit.hours.note')} value={s(form[`hours.${i}.description`])} errors={errors} maxLength={500} />
              </fieldset>
            ))}
            <h2>{v.t('directory.field.phones')}</h2>
            {Array.from({ length: rowCount(form, 'phones') }, (_x, i) => (
              <fieldset class="usa-fieldset margin-bottom-3 border-left-05 border-base-lighter padding-left-2">
                <legend class="usa-legend text-bold">{v.t('directory.edit.phone.row', { n: i + 1 })}</legend>
                <TextInput name={`phones.${i}.number`} label={v.t('directory.edit.phone.number')} type="tel" value={s(form[`phones.${i}.number`])} errors={errors} maxLength={50} />
                <TextInput name={`phones.${i}.extension`} label={v.t('directory.edit.phone.extension')} inputmode="numeric" value={s(form[`phones.${i}.extension`])} errors={errors} maxLength={8} />
                <TextInput name={`phones.${i}.description`} label={v.t('directory.edit.phone.description')} value={s(form[`phones.${i}.description`])} errors={errors} maxLength={500} />
              </fieldset>
            ))}
          </>
        )}
        <SubmitButton>{v.t('directory.edit.submit')}</SubmitButton>
        <a href={back} class="usa-button usa-button--unstyled margin-left-2">
          {v.t('directory.edit.cancel')}
        </a>
      </form>
    </>
  );
}

async function editTarget(req: FastifyRequest, type: TargetType, id: string) {
  const cur = await currentValues(req.ctx.db, type, id);
  if (!cur) throw notFound(`No such ${type}.`);
  if (!(await canEdit(req.ctx, cur.organizationId))) throw forbidden('Your organisation does not act for this listing. An administrator can link it.');
  const vetted = seesConfidential(req.ctx);
  const withheld = cur.confidential && !vetted;
  return { id, cur, withheld, name: withheld ? req.view().t('directory.confidential.short') : cur.name };
}


export function editPages(app: App): void {
  for (const type of ['organization', 'service', 'location'] as const) {
    const path = `/directory/${PLURAL[type]}/:id/edit`;
    app.get(path, { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
      const t = await editTarget(req, type, req.params.id);
      const v = req.view();
      const form = t.withheld ? { country: 'US' } : formOf(type, t.cur.values);
      return reply.page(v.t(`directory.edit.title.${type}`, { name: t.name }), <EditPage v={v} type={type} id={t.id} name={t.name} form={form} errors={[]} withheld={t.withheld} />);
    });
    app.post(path, { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
      const t = await editTarget(req, type, req.params.id);
      const { input, rowOf } = changesFromForm(type, req.body);
      try {
        const p = await proposeChange(req.ctx, type, t.id, input);
        return reply.redirect(`/directory/proposals/${p.id}?sent=1`);
      } catch (err) {
        const errors = formErrors(err);
        if (!errors) throw err;
        const v = req.view();
        const form = formBody(req.body);
        return reply.page(v.t(`directory.edit.title.${type}`, { name: t.name }), <EditPage v={v} type={type} id={t.id} name={t.name} form={form} errors={atFormRows(errors, rowOf)} withheld={t.withheld} />, 400);
      }
    });
  }
}
