/** Pieces the structure pages share: route options, the date filter, record panels, the form shell. */
import { formatDate } from '../../../platform/web/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { FieldError } from '../../../platform/http/errors.ts';
import type { FormValues } from '../../../platform/http/forms.ts';
import { Uuid } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Checkboxes, Csrf, ErrorSummary, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import type { Agency, Representative } from '../schema.ts';
import * as store from '../store.ts';
import { WRITE } from '../permissions.ts';
import { CONTACTS_READ } from '../policies.ts';

export type Values = FormValues;
/** What a page needs from its request: the reader's context and view. */
export type PageReq = Pick<FastifyRequest, 'ctx' | 'view' | 'actor'>;
/** A detail page shown again after a refused retirement, with the problem and the date as typed. */
export type RetireState = { retireErrors?: FieldError[]; retireValue?: string };

export const IdParam = Type.Object({ id: Uuid });
export const KeyParam = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });
// Filter forms send `active_on=` when the date is left empty, so the page checks the date itself.
export const PageListQuery = Type.Object({
  active_on: Type.Optional(Type.String({ maxLength: 40 })),
  include: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Array(Type.String({ maxLength: 10 }), { maxItems: 5 })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
/**
 * A posted HTML form, field by field as typed. Its values are checked by the command, so that a bad value comes
 * back beside its field on the form rather than as an error page.
 */
export const FormPost = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
export const ADMIN = { access: { permission: WRITE } } as const;
export const PUBLIC = { access: 'public', publicCache: true } as const;
// List fields (goals, partners, members) are one control each on the forms: their items' errors go to that control.
export const LIST_FIELDS = ['goals', 'partners', 'members'] as const;

// ---------- small helpers ----------

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);
export const lines = (x: unknown): string[] => (str(x) ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

export function span(v: View, from: string | null, until: string | null): string {
  return `${from ? formatDate(v.lang, from) : '…'} – ${until ? formatDate(v.lang, until) : v.t('structure.present')}`;
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().slice(0, 10) === s;
}

export interface Filter {
  activeOn: string;
  all: boolean;
  raw: string;
  errors: FieldError[];
  page: number;
  perPage: number;
  offset: number;
}

export function filterOf(q: { active_on?: string; include?: string | string[]; page?: number; per_page?: number }): Filter {
  const raw = (q.active_on ?? '').trim();
  const errors: FieldError[] = raw && !isDate(raw) ? [{ field: 'active_on', message: 'must be a valid date (YYYY-MM-DD)' }] : [];
  const page = q.page ?? 1;
  const perPage = q.per_page ?? 50;
  return { activeOn: raw && !errors.length ? raw : store.today(), all: list(q.include).includes('all'), raw, errors, page, perPage, offset: (page - 1) * perPage };
}

export function FilterForm({ v, f }: { v: View; f: Filter }) {
  return (
    <form method="get" action={v.path} class="usa-form margin-bottom-3" aria-label={v.t('structure.filter.legend')}>
      <ErrorSummary v={v} errors={f.errors} />
      <TextInput name="active_on" type="date" label={v.t('structure.filter.date')} hint={v.t('structure.filter.date.hint')} value={f.raw} errors={f.errors} />
      <Checkboxes name="include" label={v.t('structure.filter.legend')} values={f.all ? ['all'] : []} options={[{ value: 'all', label: v.t('structure.filter.all') }]} />
      <SubmitButton>{v.t('structure.filter')}</SubmitButton>
    </form>
  );
}

export function AdminLink({ v, href, children }: { v: View; href: string; children: ComponentChildren }) {
  if (!v.can(WRITE)) return null;
  return (
    <a class="usa-button usa-button--outline margin-bottom-2" href={href}>
      {children}
    </a>
  );
}

export function RetireForm({ v, action, field, version, errors, value }: { v: View; action: string; field: string; version: number; errors?: FieldError[]; value?: string }) {
  if (!v.can(WRITE)) return null;
  return (
    <section class="margin-top-4" aria-labelledby="retire-heading">
      <h2 id="retire-heading">{v.t('structure.retire.heading')}</h2>
      <form method="post" action={action} class="usa-form">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <input type="hidden" name="version" value={String(version)} />
        <TextInput name={field} type="date" label={v.t('structure.retire.date')} hint={v.t('structure.retire.hint')} value={value} errors={errors} />
        <SubmitButton secondary>{v.t('structure.retire')}</SubmitButton>
      </form>
    </section>
  );
}

export function HistoryLink({ v, href }: { v: View; href: string }) {
  return (
    <p class="margin-top-3">
      <a href={href}>{v.t('structure.history.link')}</a>
    </p>
  );
}

export function Representatives({ v, reps, newHref }: { v: View; reps: Representative[]; newHref?: string }) {
  const contacts = v.can(CONTACTS_READ);
  const head = [v.t('structure.field.person_name'), v.t('structure.field.title'), v.t('structure.field.agency'), v.t('structure.field.role')];
  if (contacts) head.push(v.t('structure.field.email'), v.t('structure.field.phone'));
  head.push(v.t('structure.field.from'));
  return (
    <section class="margin-top-4" aria-labelledby="reps-heading">
      <h2 id="reps-heading">{v.t('structure.representatives')}</h2>
      {!contacts && <p>{v.t('structure.contacts.signin')}</p>}
      <Table
        v={v}
        caption={v.t('structure.representatives')}
        head={head}
        rows={reps.map((r) => {
          const row: ComponentChildren[] = [<a href={`/structure/representatives/${r.id}`}>{r.person_name}</a>, r.title ?? '', r.agency_name, [r.role, r.body_name, r.partnership_name].filter(Boolean).join(' · ')];
          if (contacts) row.push(r.email ? <a href={`mailto:${r.email}`}>{r.email}</a> : '', r.phone ?? '');
          row.push(span(v, r.from, r.until));
          return row;
        })}
      />
      {newHref && <AdminLink v={v} href={newHref}>{v.t('structure.representative.new')}</AdminLink>}
    </section>
  );
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="text-bold margin-top-1">{label}</dt>
      <dd class="margin-left-0">{children}</dd>
    </>
  );
}

export const agencyOptions = (agencies: Agency[]) => agencies.map((a) => ({ value: a.id, label: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
export const crumbsFor = (v: View, section?: { href: string; key: string }) => [{ href: '/structure', label: v.t('structure.title') }, ...(section ? [{ href: section.href, label: v.t(section.key) }] : [])];

// ---------- form <-> command input ----------

/**
 * Turns a posted form into command input. On an edit, an emptied optional field clears the value (null) and an
 * emptied required field is sent empty so that validation names it; on a create, empty fields are left out.
 */
export function fromForm(body: Record<string, unknown>, fields: { required?: string[]; nullable?: string[]; keep?: string[] }, edit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of fields.required ?? []) if (body[k] !== undefined) out[k] = body[k];
  else if (edit) out[k] = '';
  for (const k of fields.nullable ?? []) if (body[k] !== undefined) out[k] = body[k];
  else if (edit) out[k] = null;
  for (const k of fields.keep ?? []) if (body[k] !== undefined) out[k] = body[k];
  if (body.version !== undefined) out.version = body.version;
  return out;
}

/** Everything in effect today, for the panels of a detail page. */
export const ALL_NOW = () => ({ activeOn: store.today(), all: false, limit: 200, offset: 0 });
