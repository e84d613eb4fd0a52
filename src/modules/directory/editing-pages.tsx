/**
 * Web pages for editing through review: "My listings", the edit forms (organisation, service, location), capacity
 * updates, the review queue and a proposal's diff. The forms call the same commands as the API; bad input comes
 * back in the form with each problem beside its field and the input kept.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { hidden, IdParams, Uuid } from '../../platform/http/schemas.ts';
import { formErrors } from '../../platform/http/forms.ts';
import { FormPost, PageNumber } from './schema.ts';
import type { ComponentChildren } from 'preact';
import { HttpError, forbidden, notFound, type FieldError } from '../../platform/http/errors.ts';
import { formBody } from '../../platform/http/validation.ts';
import type { View } from '../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import { CONFIDENTIAL, MANAGE, PROPOSE } from './permissions.ts';
import { stewardedOrganizations, type Steward } from './stewards.ts';
import {
  DAYS,
  FIELDS,
  SERVICE_STATUSES,
  approveProposal,
  canEdit,
  currentValues,
  listingsOf,
  listProposals,
  proposalDetail,
  proposeChange,
  returnProposal,
  updateCapacity,
  withdrawProposal,
  PROPOSAL_STATUSES,
  type HoursValue,
  type PhoneValue,
  type ProposalDetail,
  type TargetType,
  displayName,
} from './editing.ts';

const PROPOSE_ACCESS = { access: { permission: PROPOSE } } as const;
const MANAGE_ACCESS = { access: { permission: MANAGE } } as const;
const PER_PAGE = 50;
/** Blank rows offered below the existing hours and phones. */
const BLANK_ROWS = 2;
/** Form rows read at most (the API allows 14 hours rows and 10 phones). */
const MAX_ROWS = 20;
const PLURAL: Record<TargetType, string> = { organization: 'organizations', service: 'services', location: 'locations' };

type Form = Record<string, unknown>;
const s = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

// ---------- values as text ----------

export function showValue(v: View, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return '—';
  if (field === 'hours') {
    return (value as HoursValue[])
      .map((h) => [h.byday.map((d) => v.t(`directory.day.short.${d}`)).join(', '), h.opens_at && h.closes_at ? `${h.opens_at}–${h.closes_at}` : '', h.description ?? ''].filter(Boolean).join(' '))
      .join('; ');
  }
  if (field === 'phones') return (value as PhoneValue[]).map((p) => [p.number, p.extension !== null ? `ext. ${p.extension}` : '', p.description ? `(${p.description})` : ''].filter(Boolean).join(' ')).join('; ');
  if (field === 'languages') return (value as string[]).join(', ');
  if (field === 'status') return v.t(`directory.state.${String(value)}`);
  return String(value);
}

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
  const vetted = req.actor?.permissions.has(CONFIDENTIAL) ?? false;
  const withheld = cur.confidential && !vetted;
  return { id, cur, withheld, name: withheld ? req.view().t('directory.confidential.short') : cur.name };
}

// ---------- the proposal page ----------

function ProposalPage({ v, p, errors, notice, confirmNeeded }: { v: View; p: ProposalDetail; errors: FieldError[]; notice?: string; confirmNeeded: boolean }) {
  const reviewer = v.can(MANAGE);
  const title = v.t('directory.proposal.title', { name: p.target_name });
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, reviewer ? { href: '/directory/review', label: v.t('directory.review.title') } : { href: '/directory/my', label: v.t('directory.my.title') }, { label: title }]} />
      <h1>{title}</h1>
      {notice && <Alert type="success" slim>{notice}</Alert>}
      <ErrorSummary v={v} errors={errors} />
      <dl class="directory-facts">
        <div>
          <dt>{v.t('directory.proposal.status')}</dt>
          <dd>
            <strong>{v.t(`directory.proposal.status.${p.status}`)}</strong>
            {p.reviewed_at && ` (${p.reviewed_at.slice(0, 10)})`}
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.proposal.record')}</dt>
          <dd>
            {v.t(`directory.proposal.kind.${p.target_type}`)}: {p.target_type === 'location' ? p.target_name : <a href={`/directory/${PLURAL[p.target_type]}/${p.target_id}`}>{p.target_name}</a>}
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.organization')}</dt>
          <dd>
            <a href={`/directory/organizations/${p.organization_id}`}>{p.organization_name}</a>
          </dd>
        </div>
        <div>
          <dt>{v.t('directory.proposal.by')}</dt>
          <dd>
            {p.proposer_organization_name}, {p.created_at.slice(0, 10)}
          </dd>
        </div>
      </dl>
      {p.status === 'returned' && p.reason && (
        <Alert type="warning" heading={v.t('directory.proposal.reason')}>
          {p.reason}
        </Alert>
      )}
      {p.gone && p.status === 'pending' && <Alert type="warning" slim>{v.t('directory.proposal.gone')}</Alert>}
      {p.stale && <Alert type="warning" slim>{v.t('directory.proposal.stale')}</Alert>}
      {p.redacted && <p class="usa-hint">{v.t('directory.proposal.redacted')}</p>}
      <Table
        wrap
        v={v}
        caption={v.t('directory.proposal.diff')}
        head={[v.t('directory.proposal.field'), v.t('directory.proposal.base'), v.t('directory.proposal.proposed'), v.t('directory.proposal.current')]}
        rows={p.diff.map((d) => [
          <>
            {v.t(`directory.field.${d.field}`)}
            {d.stale && (
              <>
                {' '}
                <strong class="text-secondary-dark">({v.t('directory.proposal.changed')})</strong>
              </>
            )}
          </>,
          p.redacted ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.base),
          p.redacted && d.proposed === null ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.proposed),
          p.redacted ? v.t('directory.proposal.withheld') : showValue(v, d.field, d.current),
        ])}
      />
      {p.status === 'pending' && v.actor?.id === p.proposer_id && (
        <ActionButton v={v} action={`/directory/proposals/${p.id}/withdraw`} secondary>
          {v.t('directory.proposal.withdraw')}
        </ActionButton>
      )}
      {reviewer && p.status === 'pending' && (
        <div class="grid-row grid-gap margin-top-4">
          <div class="tablet:grid-col-6">
            <h2>{v.t('directory.review.approve')}</h2>
            <form method="post" action={`/directory/proposals/${p.id}/approve`} class="usa-form">
              <Csrf v={v} />
              <p>{v.t('directory.review.approve.intro')}</p>
              {(p.stale || confirmNeeded) && <Checkboxes name="confirm_stale" label={v.t('directory.review.confirm.legend')} values={[]} options={[{ value: 'yes', label: v.t('directory.review.confirm') }]} errors={errors} />}
              <SubmitButton>{v.t('directory.review.approve')}</SubmitButton>
            </form>
          </div>
          <div class="tablet:grid-col-6">
            <h2>{v.t('directory.review.return')}</h2>
            <form method="post" action={`/directory/proposals/${p.id}/return`} class="usa-form">
              <Csrf v={v} />
              <TextArea name="reason" label={v.t('directory.review.reason')} hint={v.t('directory.review.reason.hint')} required errors={errors} />
              <SubmitButton secondary>{v.t('directory.review.return')}</SubmitButton>
            </form>
          </div>
        </div>
      )}
    </>
  );
}

async function proposalPage(req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; notice?: string; confirmNeeded?: boolean } = {}, status = 200) {
  const p = await proposalDetail(req.ctx.db, id, req.actor);
  if (!p) throw notFound('No such proposal.');
  const v = req.view();
  return reply.page(v.t('directory.proposal.title', { name: p.target_name }), <ProposalPage v={v} p={p} errors={extra.errors ?? []} notice={extra.notice} confirmNeeded={extra.confirmNeeded ?? false} />, status);
}

// ---------- lists ----------

function ProposalTable({ v, caption, items, showProposer }: { v: View; caption: string; items: Awaited<ReturnType<typeof listProposals>>['items']; showProposer: boolean }) {
  const vetted = v.can(CONFIDENTIAL);
  return (
    <Table
      wrap
      v={v}
      caption={caption}
      head={[v.t('directory.proposal.record'), v.t('directory.organization'), ...(showProposer ? [v.t('directory.proposal.by')] : []), v.t('directory.proposal.submitted'), v.t('directory.proposal.fields'), v.t('directory.proposal.status')]}
      rows={items.map((p) => [
        <a href={`/directory/proposals/${p.id}`}>
          {displayName(p, vetted)} <span class="usa-sr-only">({v.t(`directory.proposal.kind.${p.target_type}`)})</span>
        </a>,
        p.organization_name,
        ...(showProposer ? [p.proposer_organization_name] : []),
        p.created_at.slice(0, 10),
        p.fields.map((f) => v.t(`directory.field.${f}`)).join(', '),
        v.t(`directory.proposal.status.${p.status}`),
      ])}
    />
  );
}


function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class="margin-top-4">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

// ---------- stewards on the organisation page ----------

/** The organisation page's part for directory managers: who acts for the listing, add and remove. */
export function StewardSection({ v, orgId, stewards, choices, errors }: { v: View; orgId: string; stewards: Steward[]; choices: { id: string; name: string }[]; errors: FieldError[] }) {
  const taken = new Set(stewards.map((x) => x.account_organization_id));
  const open = choices.filter((c) => !taken.has(c.id));
  return (
    <section aria-labelledby="stewards" class="margin-top-4" id="stewards-section">
      <h2 id="stewards">{v.t('directory.stewards.title')}</h2>
      <p>{v.t('directory.stewards.intro')}</p>
      <ErrorSummary v={v} errors={errors} />
      <Table
        v={v}
        caption={v.t('directory.stewards.title')}
        head={[v.t('directory.stewards.account'), v.t('directory.stewards.since'), v.t('directory.stewards.action')]}
        rows={stewards.map((x) => [
          x.account_organization_name,
          x.created_at.slice(0, 10),
          <ActionButton v={v} action={`/directory/organizations/${orgId}/stewards/${x.account_organization_id}/remove`} secondary>
            {v.t('directory.stewards.remove')} <span class="usa-sr-only">{x.account_organization_name}</span>
          </ActionButton>,
        ])}
      />
      {open.length > 0 && (
        <form method="post" action={`/directory/organizations/${orgId}/stewards`} class="usa-form">
          <Csrf v={v} />
          <Select name="account_organization_id" label={v.t('directory.stewards.add.label')} blank={v.t('directory.stewards.add.blank')} options={open.map((c) => ({ value: c.id, label: c.name }))} errors={errors} />
          <SubmitButton>{v.t('directory.stewards.add')}</SubmitButton>
        </form>
      )}
    </section>
  );
}

// ---------- routes ----------

type MyQuery = { done?: (typeof DONE)[number]; page?: number };

async function myPage(req: FastifyRequest, reply: FastifyReply, q: MyQuery, errors: FieldError[] = [], form: Form = {}, status = 200) {
    const v = req.view();
    const actor = req.actor!;
    const listings = await listingsOf(req.ctx.db, await stewardedOrganizations(req.ctx.db, actor.organizationId), v.can(CONFIDENTIAL));
    const page = q.page ?? 1;
    const mine = await listProposals(req.ctx.db, { proposerId: actor.id }, PER_PAGE, (page - 1) * PER_PAGE);
    return reply.page(
      v.t('directory.my.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.my.title') }]} />
        <h1>{v.t('directory.my.title')}</h1>
        {q.done === 'capacity' && <Alert type="success" slim>{v.t('directory.capacity.updated')}</Alert>}
        {q.done === 'withdrawn' && <Alert type="success" slim>{v.t('directory.proposal.withdrawn')}</Alert>}
        <ErrorSummary v={v} errors={errors} />
        {listings.length === 0 ? <p>{v.t('directory.my.none')}</p> : <p>{v.t('directory.my.intro')}</p>}
        {listings.map((l, li) => (
          <Section id={`listing-${li}`} title={l.name}>
            <ul class="usa-list">
              <li>
                <a href={`/directory/organizations/${l.id}`}>{v.t('directory.my.view')}</a>
              </li>
              <li>
                <a href={`/directory/organizations/${l.id}/edit`}>
                  {v.t('directory.my.edit.organization')} <span class="usa-sr-only">{l.name}</span>
                </a>
              </li>
            </ul>
            <h3>{v.t('directory.services_of')}</h3>
            <ul class="usa-list">
              {l.services.map((x) => (
                <li>
                  <a href={`/directory/services/${x.id}`}>{x.name}</a> — <a href={`/directory/services/${x.id}/edit`}>{v.t('directory.my.edit')} <span class="usa-sr-only">{x.name}</span></a>
                </li>
              ))}
            </ul>
            {l.services.flatMap((x) =>
              x.capacities.map((c) => (
                <form method="post" action={`/directory/services/${x.id}/capacities/${c.id}`} class="usa-form margin-bottom-2">
                  <Csrf v={v} />
                  <TextInput
                    name={`available-${c.id}`}
                    label={v.t('directory.capacity.label', { unit: c.unit || v.t('directory.capacity.places'), service: x.name })}
                    hint={v.t('directory.capacity.hint', { maximum: c.maximum === null ? '?' : String(c.maximum), updated: c.updated.slice(0, 16).replace('T', ' ') })}
                    inputmode="numeric"
                    value={s(form[`available-${c.id}`]) ?? String(c.available)}
                    errors={errors}
                  />
                  <SubmitButton secondary>{v.t('directory.capacity.update')}</SubmitButton>
                </form>
              )),
            )}
            <h3>{v.t('directory.locations')}</h3>
            <ul class="usa-list">
              {l.locations.map((x) => (
                <li>
                  {x.name} — <a href={`/directory/locations/${x.id}/edit`}>{v.t('directory.my.edit.address')} <span class="usa-sr-only">{x.name}</span></a>
                </li>
              ))}
            </ul>
          </Section>
        ))}
        <Section id="my-proposals" title={v.t('directory.my.proposals')}>
          <ProposalTable v={v} caption={v.t('directory.my.proposals')} items={mine.items} showProposer={false} />
          <Pager v={v} page={page} perPage={PER_PAGE} total={mine.total} />
        </Section>
      </>,
      status,
    );
  }


const DONE = ['capacity', 'withdrawn'] as const;

export async function editingPages(app: App) {
  app.get('/directory/my', { config: PROPOSE_ACCESS, schema: { ...hidden, querystring: Type.Object({ done: Type.Optional(Type.Union(DONE.map((d) => Type.Literal(d)))), page: PageNumber }) } }, (req, reply) => myPage(req, reply, req.query));

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

  app.post('/directory/services/:id/capacities/:capacityId', { config: PROPOSE_ACCESS, schema: { ...hidden, params: Type.Object({ id: Uuid, capacityId: Uuid }), body: FormPost } }, async (req, reply) => {
    const p = req.params;
    const body = formBody(req.body);
    const raw = s(body[`available-${p.capacityId}`]) ?? s(body.available) ?? '';
    try {
      // Not a whole number: passed on as typed, so that the command names the field.
      await updateCapacity(req.ctx, p.id, p.capacityId, { available: /^\d{1,6}$/.test(raw) ? Number(raw) : raw });
    } catch (err) {
      const found = formErrors(err);
      if (!found) throw err;
      const errors = found.map((e) => (e.field === 'available' ? { ...e, field: `available-${p.capacityId}` } : e));
      return myPage(req, reply, {}, errors, body, 400);
    }
    return reply.redirect('/directory/my?done=capacity');
  });

  app.get('/directory/review', { config: MANAGE_ACCESS, schema: { ...hidden, querystring: Type.Object({ status: Type.Optional(Type.Union(PROPOSAL_STATUSES.map((x) => Type.Literal(x)))), page: PageNumber }) } }, async (req, reply) => {
    const q = req.query;
    const status = q.status ?? 'pending';
    const page = q.page ?? 1;
    const { items, total } = await listProposals(req.ctx.db, { status }, PER_PAGE, (page - 1) * PER_PAGE);
    const v = req.view();
    return reply.page(
      v.t('directory.review.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.review.title') }]} />
        <h1>{v.t('directory.review.title')}</h1>
        <p>{v.t('directory.review.intro')}</p>
        <nav aria-label={v.t('directory.review.filter')}>
          <ul class="usa-button-group">
            {PROPOSAL_STATUSES.map((x) => (
              <li class="usa-button-group__item">
                <a href={`/directory/review?status=${x}`} class={`usa-button${x === status ? '' : ' usa-button--outline'}`} aria-current={x === status ? 'page' : undefined}>
                  {v.t(`directory.proposal.status.${x}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ProposalTable v={v} caption={v.t('directory.review.caption', { status: v.t(`directory.proposal.status.${status}`), n: total })} items={items} showProposer />
        <Pager v={v} page={page} perPage={PER_PAGE} total={total} />
      </>,
    );
  });

  app.get('/directory/proposals/:id', { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams, querystring: Type.Object({ sent: Type.Optional(Type.Literal('1')), done: Type.Optional(Type.Union([Type.Literal('approved'), Type.Literal('returned')])) }) } }, async (req, reply) => {
    const q = req.query;
    const v = req.view();
    const notice = q.sent ? v.t('directory.proposal.sent') : q.done ? v.t(`directory.review.done.${q.done}`) : undefined;
    return proposalPage(req, reply, req.params.id, { notice });
  });

  app.post('/directory/proposals/:id/withdraw', { config: PROPOSE_ACCESS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await withdrawProposal(req.ctx, req.params.id);
    return reply.redirect('/directory/my?done=withdrawn');
  });

  app.post('/directory/proposals/:id/approve', { config: MANAGE_ACCESS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const body = formBody(req.body);
    try {
      await approveProposal(req.ctx, id, { ...(list(body.confirm_stale).includes('yes') ? { confirm_stale: true } : {}) });
      return reply.redirect(`/directory/proposals/${id}?done=approved`);
    } catch (err) {
      if (!(err instanceof HttpError) || ![400, 409].includes(err.status)) throw err;
      // A stale proposal comes back with the diff and a box to tick once the reviewer has compared.
      const errors = err.status === 409 ? [{ field: 'confirm_stale', message: err.detail ?? err.title }] : err.errors;
      return proposalPage(req, reply, id, { errors, confirmNeeded: err.status === 409 }, err.status);
    }
  });

  app.post('/directory/proposals/:id/return', { config: MANAGE_ACCESS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await returnProposal(req.ctx, id, { reason: s(formBody(req.body).reason) ?? '' });
      return reply.redirect(`/directory/proposals/${id}?done=returned`);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return proposalPage(req, reply, id, { errors }, 400);
    }
  });
}
