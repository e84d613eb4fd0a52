import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import type { Ctx } from '../../platform/context.ts';
import { HttpError, notFound, type FieldError } from '../../platform/http/errors.ts';
import { formBody } from '../../platform/http/validation.ts';
import type { View } from '../../platform/web/view.ts';
import { Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import { AGENCY_KINDS, MEMBER_ROLES, PARTNERSHIP_STATUSES, type Agency, type Body, type Partnership, type Representative, type Revision } from './schema.ts';
import * as store from './store.ts';
import * as commands from './commands.ts';
import { WRITE } from './permissions.ts';
import { overview } from './api.ts';
import { StructureDiagram, partnerNames } from './diagram.tsx';

type Values = Record<string, string | string[] | undefined>;
const hidden = { hide: true } as const;
const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });
const KeyParam = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });
// Filter forms send `active_on=` when the date is left empty, so the page checks the date itself.
const PageListQuery = Type.Object({
  active_on: Type.Optional(Type.String({ maxLength: 40 })),
  include: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Array(Type.String({ maxLength: 10 }), { maxItems: 5 })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
const ADMIN = { access: { permission: WRITE } } as const;
const PUBLIC = { access: 'public', publicCache: true } as const;

// ---------- small helpers ----------

// List fields (goals, partners, members) are one control each on the forms: their items' errors go to that control.
const LIST_FIELDS = new Set(['goals', 'partners', 'members']);

function formErrors(err: unknown): FieldError[] | undefined {
  if (!(err instanceof HttpError) || err.status !== 400) return undefined;
  if (!err.errors.length) return [{ field: 'form', message: err.detail ?? 'is not valid' }];
  return err.errors.map((e) => {
    const [head, ...rest] = e.field.split('.');
    return LIST_FIELDS.has(head) && rest.length ? { field: head, message: `${rest.join('.')}: ${e.message}` } : e;
  });
}

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);
const lines = (x: unknown): string[] => (str(x) ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

function span(v: View, from: string | null, until: string | null): string {
  return `${from ?? '…'} – ${until ?? v.t('structure.present')}`;
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().slice(0, 10) === s;
}

interface Filter {
  activeOn: string;
  all: boolean;
  raw: string;
  errors: FieldError[];
  page: number;
  perPage: number;
  offset: number;
}

function filterOf(q: { active_on?: string; include?: string | string[]; page?: number; per_page?: number }): Filter {
  const raw = (q.active_on ?? '').trim();
  const errors: FieldError[] = raw && !isDate(raw) ? [{ field: 'active_on', message: 'must be a valid date (YYYY-MM-DD)' }] : [];
  const page = q.page ?? 1;
  const perPage = q.per_page ?? 50;
  return { activeOn: raw && !errors.length ? raw : store.today(), all: list(q.include).includes('all'), raw, errors, page, perPage, offset: (page - 1) * perPage };
}

function FilterForm({ v, f }: { v: View; f: Filter }) {
  return (
    <form method="get" action={v.path} class="usa-form margin-bottom-3" aria-label={v.t('structure.filter.legend')}>
      <ErrorSummary v={v} errors={f.errors} />
      <TextInput name="active_on" type="date" label={v.t('structure.filter.date')} hint={v.t('structure.filter.date.hint')} value={f.raw} errors={f.errors} />
      <Checkboxes name="include" label={v.t('structure.filter.legend')} values={f.all ? ['all'] : []} options={[{ value: 'all', label: v.t('structure.filter.all') }]} />
      <SubmitButton>{v.t('structure.filter')}</SubmitButton>
    </form>
  );
}

function AdminLink({ v, href, children }: { v: View; href: string; children: ComponentChildren }) {
  if (!v.can(WRITE)) return null;
  return (
    <a class="usa-button usa-button--outline margin-bottom-2" href={href}>
      {children}
    </a>
  );
}

function RetireForm({ v, action, field, version, errors, value }: { v: View; action: string; field: string; version: number; errors?: FieldError[]; value?: string }) {
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

function HistoryLink({ v, href }: { v: View; href: string }) {
  return (
    <p class="margin-top-3">
      <a href={href}>{v.t('structure.history.link')}</a>
    </p>
  );
}

function Representatives({ v, reps, newHref }: { v: View; reps: Representative[]; newHref?: string }) {
  const contacts = v.can('contacts.read');
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

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="text-bold margin-top-1">{label}</dt>
      <dd class="margin-left-0">{children}</dd>
    </>
  );
}

function FormShell({ v, title, action, errors, cancel, crumbs, children }: { v: View; title: string; action: string; errors?: FieldError[]; cancel: string; crumbs: { href?: string; label: string }[]; children: ComponentChildren }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs, { label: title }]} />
      <h1>{title}</h1>
      <form method="post" action={action} class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        {children}
        <SubmitButton>{v.t('structure.save')}</SubmitButton>{' '}
        <a href={cancel} class="usa-button usa-button--unstyled">
          {v.t('form.cancel')}
        </a>
      </form>
    </div>
  );
}

const agencyOptions = (agencies: Agency[]) => agencies.map((a) => ({ value: a.id, label: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
const crumbsFor = (v: View, section?: { href: string; key: string }) => [{ href: '/structure', label: v.t('structure.title') }, ...(section ? [{ href: section.href, label: v.t(section.key) }] : [])];

// ---------- overview ----------

function OverviewPage({ v, o }: { v: View; o: Awaited<ReturnType<typeof overview>> }) {
  const tf = o.task_force;
  const pg = o.policy_group;
  const desc = v.t('structure.diagram.desc', {
    pitf: tf?.name ?? '',
    members: o.counts.member_agencies,
    spog: pg?.name ?? '',
    n: o.committees.length,
    committees: o.committees.map((c) => c.name).join('; '),
    p: o.partnerships.length,
    partnerships: o.partnerships.map((p) => `${p.name} (${v.t('structure.lead')}: ${p.lead_agency_name ?? '—'}; ${v.t('structure.partners')}: ${partnerNames(p)})`).join('; '),
  });
  const chairs = (b: Body) =>
    b.memberships
      .filter((m) => m.role !== 'member')
      .map((m) => `${v.t(`structure.role.${m.role}`)}: ${m.agency_name}${m.represented_by_name ? ` (${m.represented_by_name})` : ''}`)
      .join('; ');
  return (
    <div>
      <h1>{v.t('structure.title')}</h1>
      <p class="usa-intro">{v.t('structure.intro')}</p>
      <p>{v.t('structure.asof', { date: o.active_on })}</p>
      <figure class="margin-x-0">
        <StructureDiagram v={v} o={o} titleId="structure-diagram-title" descId="structure-diagram-desc" desc={desc} />
      </figure>
      <h2>{v.t('structure.diagram.text')}</h2>
      <ul class="usa-list">
        {tf && (
          <li>
            <a href={`/structure/committees/${tf.slug}`}>{tf.name}</a>
            {tf.chair_title && <> — {v.t('structure.chairedby', { chair: tf.chair_title })}</>} ({o.counts.member_agencies} {v.t('structure.count.members').toLowerCase()})
            {pg && (
              <ul class="usa-list">
                <li>
                  <a href={`/structure/committees/${pg.slug}`}>{pg.name}</a>
                  {pg.chair_title && <> — {v.t('structure.chairedby', { chair: pg.chair_title })}</>}
                  <ul class="usa-list">
                    {o.committees.map((c) => (
                      <li>
                        <a href={`/structure/committees/${c.slug}`}>{c.name}</a>
                        {chairs(c) && <> — {chairs(c)}</>}
                      </li>
                    ))}
                  </ul>
                </li>
              </ul>
            )}
          </li>
        )}
      </ul>
      <Table
        v={v}
        caption={v.t('structure.partnerships')}
        head={[v.t('structure.field.name'), v.t('structure.lead'), v.t('structure.partners')]}
        rows={o.partnerships.map((p) => [<a href={`/structure/partnerships/${p.slug}`}>{p.name}</a>, p.lead_agency_name ?? '—', p.partners.map((x) => x.name).join('; ')])}
      />
      <h2>{v.t('structure.counts')}</h2>
      <ul class="usa-list">
        <li>
          <a href="/structure/agencies">{v.t('structure.count.members')}</a>: {o.counts.member_agencies}
        </li>
        <li>
          <a href="/structure/committees">{v.t('structure.count.committees')}</a>: {o.counts.committees}
        </li>
        <li>
          <a href="/structure/partnerships">{v.t('structure.count.partnerships')}</a>: {o.counts.partnerships}
        </li>
        <li>
          <a href="/structure/representatives">{v.t('structure.count.representatives')}</a>: {o.counts.representatives}
        </li>
      </ul>
    </div>
  );
}

// ---------- agencies ----------

function AgencyListPage({ v, f, items, total }: { v: View; f: Filter; items: Agency[]; total: number }) {
  const title = f.all ? v.t('structure.agencies.all') : v.t('structure.agencies');
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { label: v.t('structure.agencies') }]} />
      <h1>{v.t('structure.agencies')}</h1>
      <FilterForm v={v} f={f} />
      <AdminLink v={v} href="/structure/agencies/new">{v.t('structure.agency.new')}</AdminLink>
      <Table
        v={v}
        caption={f.all ? `${title} (${total})` : `${title} — ${v.t('structure.asof', { date: f.activeOn })} (${total})`}
        head={[v.t('structure.field.name'), v.t('structure.field.abbreviation'), v.t('structure.field.kind'), v.t('structure.field.parent'), v.t('structure.field.member_from'), v.t('structure.field.member_until')]}
        rows={items.map((a) => [
          <a href={`/structure/agencies/${a.id}`}>{a.name}</a>,
          a.abbreviation ?? '',
          v.t(`structure.kind.${a.kind}`),
          a.parent_name ?? '',
          a.member_from ?? v.t('structure.notmember'),
          a.member_until ?? '',
        ])}
      />
      <Pager v={v} page={f.page} perPage={f.perPage} total={total} />
    </div>
  );
}

function AgencyDetailPage({ v, a, reps, bodies, retireErrors, retireValue }: { v: View; a: Agency; reps: Representative[]; bodies: { body: Body; role: string }[]; retireErrors?: FieldError[]; retireValue?: string }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v, { href: '/structure/agencies', key: 'structure.agencies' }), { label: a.name }]} />
      <h1>{a.name}</h1>
      <AdminLink v={v} href={`/structure/agencies/${a.id}/edit`}>{v.t('structure.edit')}</AdminLink>
      <dl>
        <Field label={v.t('structure.field.abbreviation')}>{a.abbreviation ?? '—'}</Field>
        <Field label={v.t('structure.field.kind')}>{v.t(`structure.kind.${a.kind}`)}</Field>
        {a.parent_id && (
          <Field label={v.t('structure.field.parent')}>
            <a href={`/structure/agencies/${a.parent_id}`}>{a.parent_name}</a>
          </Field>
        )}
        <Field label={v.t('structure.field.website')}>{a.website ? <a href={a.website}>{a.website}</a> : '—'}</Field>
        <Field label={v.t('structure.field.member_from')}>{a.member_from ?? v.t('structure.notmember')}</Field>
        <Field label={v.t('structure.field.member_until')}>{a.member_until ?? '—'}</Field>
      </dl>
      {bodies.length > 0 && (
        <Table
          v={v}
          caption={v.t('structure.committees')}
          head={[v.t('structure.field.body'), v.t('structure.field.role')]}
          rows={bodies.map((b) => [<a href={`/structure/committees/${b.body.slug}`}>{b.body.name}</a>, v.t(`structure.role.${b.role}`)])}
        />
      )}
      <Representatives v={v} reps={reps} newHref={`/structure/representatives/new?agency_id=${a.id}`} />
      <HistoryLink v={v} href={`/structure/agencies/${a.id}/history`} />
      <RetireForm v={v} action={`/structure/agencies/${a.id}/retire`} field="member_until" version={a.version} errors={retireErrors} value={retireValue} />
    </div>
  );
}

function AgencyForm({ v, values, errors, agencies, action, title, cancel }: { v: View; values: Values; errors?: FieldError[]; agencies: Agency[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/agencies', key: 'structure.agencies' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('structure.field.name')} required value={val('name')} errors={errors} />
      <TextInput name="abbreviation" label={v.t('structure.field.abbreviation')} value={val('abbreviation')} errors={errors} />
      <Select name="kind" label={v.t('structure.field.kind')} required value={val('kind')} options={AGENCY_KINDS.map((k) => ({ value: k, label: v.t(`structure.kind.${k}`) }))} errors={errors} />
      <TextInput name="website" label={v.t('structure.field.website')} hint={v.t('structure.field.website.hint')} type="url" value={val('website')} errors={errors} />
      <Select name="parent_id" label={v.t('structure.field.parent')} blank={v.t('structure.none')} value={val('parent_id')} options={agencyOptions(agencies)} errors={errors} />
      <TextInput name="member_from" type="date" label={v.t('structure.field.member_from')} hint={v.t('structure.field.member_from.hint')} value={val('member_from')} errors={errors} />
      <TextInput name="member_until" type="date" label={v.t('structure.field.member_until')} hint={v.t('structure.field.date.hint')} value={val('member_until')} errors={errors} />
    </FormShell>
  );
}

// ---------- committees and other bodies ----------

function CommitteeListPage({ v, f, items, total }: { v: View; f: Filter; items: Body[]; total: number }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { label: v.t('structure.committees') }]} />
      <h1>{v.t('structure.committees')}</h1>
      <FilterForm v={v} f={f} />
      <AdminLink v={v} href="/structure/committees/new">{v.t('structure.committee.new')}</AdminLink>
      <Table
        v={v}
        caption={`${v.t('structure.committees')} (${total})`}
        head={[v.t('structure.field.name'), v.t('structure.cochairs'), v.t('structure.field.parent_body'), v.t('structure.field.active_from')]}
        rows={items.map((c) => [
          <a href={`/structure/committees/${c.slug}`}>{c.name}</a>,
          c.memberships
            .filter((m) => m.role !== 'member')
            .map((m) => `${v.t(`structure.role.${m.role}`)}: ${m.agency_name}`)
            .join('; ') || '—',
          c.parent_name ?? '—',
          span(v, c.active_from, c.active_until),
        ])}
      />
      <Pager v={v} page={f.page} perPage={f.perPage} total={total} />
    </div>
  );
}

function BodyDetailPage({ v, b, children, reps, retireErrors, retireValue }: { v: View; b: Body; children: Body[]; reps: Representative[]; retireErrors?: FieldError[]; retireValue?: string }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v, { href: '/structure/committees', key: 'structure.committees' }), { label: b.name }]} />
      <h1>{b.name}</h1>
      <AdminLink v={v} href={`/structure/committees/${b.id}/edit`}>{v.t('structure.edit')}</AdminLink> <AdminLink v={v} href={`/structure/committees/${b.id}/members`}>{v.t('structure.members.edit')}</AdminLink>
      <dl>
        <Field label={v.t('structure.field.kind')}>{v.t(`structure.kind.${b.kind}`)}</Field>
        {b.parent_id && (
          <Field label={v.t('structure.field.parent_body')}>
            <a href={`/structure/committees/${b.parent_id}`}>{b.parent_name}</a>
          </Field>
        )}
        {b.chair_title && <Field label={v.t('structure.field.chair_title')}>{b.chair_title}</Field>}
        <Field label={v.t('structure.field.active_from')}>{span(v, b.active_from, b.active_until)}</Field>
      </dl>
      {b.charter && (
        <>
          <h2>{v.t('structure.field.charter')}</h2>
          <p class="usa-prose">{b.charter}</p>
        </>
      )}
      <h2>{v.t('structure.members')}</h2>
      <Table
        v={v}
        caption={v.t('structure.members')}
        head={[v.t('structure.field.agency'), v.t('structure.field.role'), v.t('structure.field.represented_by'), v.t('structure.field.from')]}
        rows={b.memberships.map((m) => [
          <a href={`/structure/agencies/${m.agency_id}`}>{m.agency_name}</a>,
          v.t(`structure.role.${m.role}`),
          m.represented_by_id ? <a href={`/structure/agencies/${m.represented_by_id}`}>{m.represented_by_name}</a> : '',
          span(v, m.from, m.until),
        ])}
      />
      {children.length > 0 && (
        <>
          <h2>{v.t('structure.subbodies')}</h2>
          <ul class="usa-list">
            {children.map((c) => (
              <li>
                <a href={`/structure/committees/${c.slug}`}>{c.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      <Representatives v={v} reps={reps} newHref={`/structure/representatives/new?body_id=${b.id}`} />
      <HistoryLink v={v} href={`/structure/committees/${b.id}/history`} />
      <RetireForm v={v} action={`/structure/committees/${b.id}/retire`} field="active_until" version={b.version} errors={retireErrors} value={retireValue} />
    </div>
  );
}

function CommitteeForm({ v, values, errors, bodies, action, title, cancel }: { v: View; values: Values; errors?: FieldError[]; bodies: { id: string; name: string }[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/committees', key: 'structure.committees' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('structure.field.name')} required value={val('name')} errors={errors} />
      <TextInput name="slug" label={v.t('structure.field.slug')} hint={v.t('structure.field.slug.hint')} value={val('slug')} errors={errors} />
      <TextArea name="charter" label={v.t('structure.field.charter')} value={val('charter')} errors={errors} />
      <TextInput name="chair_title" label={v.t('structure.field.chair_title')} value={val('chair_title')} errors={errors} />
      <Select name="parent_id" label={v.t('structure.field.parent_body')} blank={v.t('structure.none')} value={val('parent_id')} options={bodies.map((b) => ({ value: b.id, label: b.name }))} errors={errors} />
      <TextInput name="active_from" type="date" label={v.t('structure.field.active_from')} hint={v.t('structure.field.date.hint')} value={val('active_from')} errors={errors} />
      <TextInput name="active_until" type="date" label={v.t('structure.field.active_until')} hint={v.t('structure.field.date.hint')} value={val('active_until')} errors={errors} />
    </FormShell>
  );
}

function MembersForm({ v, b, values, errors, agencies }: { v: View; b: Body; values: Values; errors?: FieldError[]; agencies: Agency[] }) {
  const title = `${v.t('structure.members.edit')}: ${b.name}`;
  return (
    <FormShell v={v} title={title} action={`/structure/committees/${b.id}/members`} errors={errors} cancel={`/structure/committees/${b.slug}`} crumbs={crumbsFor(v, { href: '/structure/committees', key: 'structure.committees' })}>
      <p>{v.t('structure.members.intro')}</p>
      <input type="hidden" name="version" value={str(values.version)} />
      {agencies.map((a) => (
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-6">
            <Select
              name={`role_${a.id}`}
              label={v.t('structure.members.role_of', { agency: a.name })}
              value={str(values[`role_${a.id}`]) ?? ''}
              options={[{ value: '', label: v.t('structure.role.none') }, ...MEMBER_ROLES.map((r) => ({ value: r, label: v.t(`structure.role.${r}`) }))]}
            />
          </div>
          <div class="tablet:grid-col-6">
            <Select name={`rep_${a.id}`} label={v.t('structure.members.rep_of', { agency: a.abbreviation ?? a.name })} blank={v.t('structure.none')} value={str(values[`rep_${a.id}`])} options={agencyOptions(agencies)} />
          </div>
        </div>
      ))}
    </FormShell>
  );
}

// ---------- partnerships ----------

function PartnershipListPage({ v, f, items, total }: { v: View; f: Filter; items: Partnership[]; total: number }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { label: v.t('structure.partnerships') }]} />
      <h1>{v.t('structure.partnerships')}</h1>
      <FilterForm v={v} f={f} />
      <AdminLink v={v} href="/structure/partnerships/new">{v.t('structure.partnership.new')}</AdminLink>
      <Table
        v={v}
        caption={`${v.t('structure.partnerships')} (${total})`}
        head={[v.t('structure.field.name'), v.t('structure.lead'), v.t('structure.partners'), v.t('structure.field.status')]}
        rows={items.map((p) => [<a href={`/structure/partnerships/${p.slug}`}>{p.name}</a>, p.lead_agency_name ?? '—', p.partners.map((x) => x.name).join('; '), v.t(`structure.status.${p.status}`)])}
      />
      <Pager v={v} page={f.page} perPage={f.perPage} total={total} />
    </div>
  );
}

function PartnershipDetailPage({ v, p, reps, retireErrors, retireValue }: { v: View; p: Partnership; reps: Representative[]; retireErrors?: FieldError[]; retireValue?: string }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v, { href: '/structure/partnerships', key: 'structure.partnerships' }), { label: p.name }]} />
      <h1>{p.name}</h1>
      <AdminLink v={v} href={`/structure/partnerships/${p.id}/edit`}>{v.t('structure.edit')}</AdminLink>
      <dl>
        <Field label={v.t('structure.lead')}>{p.lead_agency_id ? <a href={`/structure/agencies/${p.lead_agency_id}`}>{p.lead_agency_name}</a> : '—'}</Field>
        <Field label={v.t('structure.field.status')}>{v.t(`structure.status.${p.status}`)}</Field>
        <Field label={v.t('structure.field.from')}>{span(v, p.from, p.until)}</Field>
      </dl>
      {p.purpose && (
        <>
          <h2>{v.t('structure.purpose')}</h2>
          <p class="usa-prose">{p.purpose}</p>
        </>
      )}
      <h2>{v.t('structure.goals')}</h2>
      <ol class="usa-list">
        {p.goals.map((g) => (
          <li>{g}</li>
        ))}
      </ol>
      <h2>{v.t('structure.partners')}</h2>
      <Table
        v={v}
        caption={v.t('structure.partners')}
        head={[v.t('structure.field.name'), v.t('structure.field.kind'), v.t('structure.field.website'), v.t('structure.field.from')]}
        rows={p.partners.map((x) => [
          x.agency_id ? <a href={`/structure/agencies/${x.agency_id}`}>{x.name}</a> : x.name,
          x.federal ? v.t('structure.partners.federal') : v.t('structure.partners.other'),
          x.website ? <a href={x.website}>{x.website}</a> : '',
          span(v, x.from, x.until),
        ])}
      />
      <Representatives v={v} reps={reps} newHref={`/structure/representatives/new?partnership_id=${p.id}`} />
      <HistoryLink v={v} href={`/structure/partnerships/${p.id}/history`} />
      <RetireForm v={v} action={`/structure/partnerships/${p.id}/retire`} field="until" version={p.version} errors={retireErrors} value={retireValue} />
    </div>
  );
}

function PartnershipForm({ v, values, errors, agencies, action, title, cancel }: { v: View; values: Values; errors?: FieldError[]; agencies: Agency[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/partnerships', key: 'structure.partnerships' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('structure.field.name')} required value={val('name')} errors={errors} />
      <TextInput name="slug" label={v.t('structure.field.slug')} hint={v.t('structure.field.slug.hint')} value={val('slug')} errors={errors} />
      <TextArea name="purpose" label={v.t('structure.field.purpose')} value={val('purpose')} errors={errors} />
      <TextArea name="goals" label={v.t('structure.field.goals')} hint={v.t('structure.field.goals.hint')} value={val('goals')} rows={6} errors={errors} />
      <Select name="lead_agency_id" label={v.t('structure.field.lead')} blank={v.t('structure.none')} value={val('lead_agency_id')} options={agencyOptions(agencies)} errors={errors} />
      <Select name="status" label={v.t('structure.field.status')} value={val('status') ?? 'active'} options={PARTNERSHIP_STATUSES.map((s) => ({ value: s, label: v.t(`structure.status.${s}`) }))} errors={errors} />
      <TextInput name="from" type="date" label={v.t('structure.field.from')} hint={v.t('structure.field.date.hint')} value={val('from')} errors={errors} />
      <TextInput name="until" type="date" label={v.t('structure.field.until')} hint={v.t('structure.field.date.hint')} value={val('until')} errors={errors} />
      <Checkboxes name="partner_agency_ids" label={v.t('structure.field.partner_agencies')} values={list(values.partner_agency_ids)} options={agencyOptions(agencies)} />
      <TextArea name="partners" label={v.t('structure.field.other_partners')} hint={v.t('structure.field.other_partners.hint')} value={val('partners')} errors={errors} />
    </FormShell>
  );
}

// ---------- representatives ----------

function RepresentativeListPage({ v, f, items, total }: { v: View; f: Filter; items: Representative[]; total: number }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { label: v.t('structure.representatives') }]} />
      <h1>{v.t('structure.representatives')}</h1>
      <FilterForm v={v} f={f} />
      <Representatives v={v} reps={items} newHref="/structure/representatives/new" />
      <Pager v={v} page={f.page} perPage={f.perPage} total={total} />
    </div>
  );
}

function RepresentativeDetailPage({ v, r, retireErrors, retireValue }: { v: View; r: Representative; retireErrors?: FieldError[]; retireValue?: string }) {
  const contacts = v.can('contacts.read');
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v, { href: '/structure/representatives', key: 'structure.representatives' }), { label: r.person_name }]} />
      <h1>{r.person_name}</h1>
      <AdminLink v={v} href={`/structure/representatives/${r.id}/edit`}>{v.t('structure.edit')}</AdminLink>
      <dl>
        <Field label={v.t('structure.field.title')}>{r.title ?? '—'}</Field>
        <Field label={v.t('structure.field.agency')}>
          <a href={`/structure/agencies/${r.agency_id}`}>{r.agency_name}</a>
        </Field>
        {r.body_id && (
          <Field label={v.t('structure.field.body')}>
            <a href={`/structure/committees/${r.body_id}`}>{r.body_name}</a>
          </Field>
        )}
        {r.partnership_id && (
          <Field label={v.t('structure.field.partnership')}>
            <a href={`/structure/partnerships/${r.partnership_id}`}>{r.partnership_name}</a>
          </Field>
        )}
        <Field label={v.t('structure.field.role')}>{r.role ?? '—'}</Field>
        <Field label={v.t('structure.field.from')}>{span(v, r.from, r.until)}</Field>
        {contacts && (
          <>
            <Field label={v.t('structure.field.email')}>{r.email ? <a href={`mailto:${r.email}`}>{r.email}</a> : '—'}</Field>
            <Field label={v.t('structure.field.phone')}>{r.phone ?? '—'}</Field>
          </>
        )}
      </dl>
      {!contacts && <p>{v.t('structure.contacts.signin')}</p>}
      <HistoryLink v={v} href={`/structure/representatives/${r.id}/history`} />
      <RetireForm v={v} action={`/structure/representatives/${r.id}/retire`} field="until" version={r.version} errors={retireErrors} value={retireValue} />
    </div>
  );
}

function RepresentativeForm(props: { v: View; values: Values; errors?: FieldError[]; agencies: Agency[]; bodies: { id: string; name: string }[]; partnerships: { id: string; name: string }[]; action: string; title: string; cancel: string }) {
  const { v, values, errors } = props;
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={props.title} action={props.action} errors={errors} cancel={props.cancel} crumbs={crumbsFor(v, { href: '/structure/representatives', key: 'structure.representatives' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="person_name" label={v.t('structure.field.person_name')} required value={val('person_name')} errors={errors} />
      <TextInput name="title" label={v.t('structure.field.title')} value={val('title')} errors={errors} />
      <TextInput name="email" type="email" label={v.t('structure.field.email')} value={val('email')} errors={errors} />
      <TextInput name="phone" type="tel" label={v.t('structure.field.phone')} value={val('phone')} errors={errors} />
      <Select name="agency_id" label={v.t('structure.field.agency')} required blank="" value={val('agency_id')} options={agencyOptions(props.agencies)} errors={errors} />
      <Select name="body_id" label={v.t('structure.field.body')} blank={v.t('structure.none')} value={val('body_id')} options={props.bodies.map((b) => ({ value: b.id, label: b.name }))} errors={errors} />
      <Select name="partnership_id" label={v.t('structure.field.partnership')} blank={v.t('structure.none')} value={val('partnership_id')} options={props.partnerships.map((b) => ({ value: b.id, label: b.name }))} errors={errors} />
      <TextInput name="role" label={v.t('structure.field.role')} value={val('role')} errors={errors} />
      <TextInput name="from" type="date" label={v.t('structure.field.from')} hint={v.t('structure.field.date.hint')} value={val('from')} errors={errors} />
      <TextInput name="until" type="date" label={v.t('structure.field.until')} hint={v.t('structure.field.date.hint')} value={val('until')} errors={errors} />
    </FormShell>
  );
}

// ---------- history ----------

function HistoryPage({ v, name, back, items, total, page, perPage }: { v: View; name: string; back: string; items: Revision[]; total: number; page: number; perPage: number }) {
  const title = v.t('structure.history.of', { name });
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { href: back, label: name }, { label: v.t('structure.history') }]} />
      <h1>{title}</h1>
      <Table
        v={v}
        caption={title}
        head={[v.t('structure.field.version'), v.t('structure.history.action'), v.t('structure.history.by'), v.t('structure.history.at'), v.t('structure.history.snapshot')]}
        rows={items.map((r) => [
          String(r.version),
          v.t(`structure.action.${r.action}`),
          r.actor_label,
          r.at,
          <details>
            <summary>{v.t('structure.history.snapshot')}</summary>
            <pre class="font-mono-3xs text-wrap">{JSON.stringify(r.snapshot, null, 2)}</pre>
          </details>,
        ])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

// ---------- form <-> command input ----------

/**
 * Turns a posted form into command input. On an edit, an emptied optional field clears the value (null) and an
 * emptied required field is sent empty so that validation names it; on a create, empty fields are left out.
 */
function fromForm(body: Record<string, unknown>, fields: { required?: string[]; nullable?: string[]; keep?: string[] }, edit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of fields.required ?? []) if (body[k] !== undefined) out[k] = body[k];
  else if (edit) out[k] = '';
  for (const k of fields.nullable ?? []) if (body[k] !== undefined) out[k] = body[k];
  else if (edit) out[k] = null;
  for (const k of fields.keep ?? []) if (body[k] !== undefined) out[k] = body[k];
  if (body.version !== undefined) out.version = body.version;
  return out;
}

const AGENCY_FIELDS = { required: ['name', 'kind'], nullable: ['abbreviation', 'website', 'parent_id', 'member_from', 'member_until'] };
const BODY_FIELDS = { required: ['name'], nullable: ['charter', 'chair_title', 'parent_id', 'active_from', 'active_until'], keep: ['slug'] };
const PARTNERSHIP_FIELDS = { required: ['name'], nullable: ['purpose', 'lead_agency_id', 'from', 'until'], keep: ['slug', 'status'] };
const REP_FIELDS = { required: ['person_name', 'agency_id'], nullable: ['title', 'email', 'phone', 'body_id', 'partnership_id', 'role', 'from', 'until'] };

function partnershipFromForm(body: Record<string, unknown>, edit: boolean, current?: Partnership): Record<string, unknown> {
  const out = fromForm(body, PARTNERSHIP_FIELDS, edit);
  out.goals = lines(body.goals);
  const keepDates = (match: (x: Partnership['partners'][number]) => boolean) => {
    const old = current?.partners.find(match);
    return old ? { from: old.from, until: old.until } : {};
  };
  const agencyPartners = list(body.partner_agency_ids).map((id) => ({ agency_id: id, ...keepDates((x) => x.agency_id === id) }));
  const others = lines(body.partners).map((line) => {
    const [name, website] = line.split('|').map((s) => s.trim());
    return { name, ...(website ? { website } : {}), ...keepDates((x) => !x.federal && x.name === name) };
  });
  out.partners = [...agencyPartners, ...others];
  return out;
}

const agencyValues = (a: Agency): Values => ({
  version: String(a.version),
  name: a.name,
  abbreviation: a.abbreviation ?? '',
  kind: a.kind,
  website: a.website ?? '',
  parent_id: a.parent_id ?? '',
  member_from: a.member_from ?? '',
  member_until: a.member_until ?? '',
});
const bodyValues = (b: Body): Values => ({
  version: String(b.version),
  name: b.name,
  slug: b.slug,
  charter: b.charter ?? '',
  chair_title: b.chair_title ?? '',
  parent_id: b.parent_id ?? '',
  active_from: b.active_from ?? '',
  active_until: b.active_until ?? '',
});
const partnershipValues = (p: Partnership): Values => ({
  version: String(p.version),
  name: p.name,
  slug: p.slug,
  purpose: p.purpose ?? '',
  goals: p.goals.join('\n'),
  lead_agency_id: p.lead_agency_id ?? '',
  status: p.status,
  from: p.from ?? '',
  until: p.until ?? '',
  partner_agency_ids: p.partners.filter((x) => x.agency_id).map((x) => x.agency_id!),
  partners: p.partners
    .filter((x) => !x.federal)
    .map((x) => (x.website ? `${x.name} | ${x.website}` : x.name))
    .join('\n'),
});
const repValues = (r: Representative): Values => ({
  version: String(r.version),
  person_name: r.person_name,
  title: r.title ?? '',
  email: r.email ?? '',
  phone: r.phone ?? '',
  agency_id: r.agency_id,
  body_id: r.body_id ?? '',
  partnership_id: r.partnership_id ?? '',
  role: r.role ?? '',
  from: r.from ?? '',
  until: r.until ?? '',
});

/** Raw posted values, for re-showing a form exactly as it was sent. */
function rawValues(body: unknown): Values {
  const out: Values = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, x] of Object.entries(body as Record<string, unknown>)) if (k !== '_csrf') out[k] = Array.isArray(x) ? x.map(String) : String(x);
  return out;
}

// ---------- routes ----------

const today = () => store.today();
const ALL_NOW = () => ({ activeOn: today(), all: false, limit: 200, offset: 0 });

interface FormSpec<T extends { id: string }> {
  base: string;
  noun: 'agency' | 'committee' | 'partnership' | 'representative';
  load(ctx: Ctx, id: string): Promise<T | undefined>;
  values(rec: T): Values;
  input(body: Record<string, unknown>, edit: boolean, current?: T): Record<string, unknown>;
  render(req: FastifyRequest, p: { values: Values; errors?: FieldError[]; action: string; title: string; cancel: string }): Promise<unknown>;
  create(ctx: Ctx, input: unknown): Promise<T>;
  update(ctx: Ctx, id: string, input: unknown): Promise<T>;
  retire(ctx: Ctx, id: string, input: unknown): Promise<T>;
  retireField: string;
  href(rec: T): string;
  name(rec: T): string;
  detail(req: FastifyRequest, reply: FastifyReply, rec: T, extra: { retireErrors?: FieldError[]; retireValue?: string }, status?: number): Promise<FastifyReply>;
  newValues?(req: FastifyRequest): Values;
}

function registerForms<T extends { id: string }>(app: FastifyInstance, s: FormSpec<T>) {
  const loadOr404 = async (ctx: Ctx, id: string) => {
    const rec = await s.load(ctx, id);
    if (!rec) throw notFound();
    return rec;
  };
  const newTitle = (v: View) => v.t(`structure.${s.noun}.new`);
  const editTitle = (v: View, rec: T) => v.t(`structure.${s.noun}.edit`, { name: s.name(rec) });

  app.get(`${s.base}/new`, { config: ADMIN, schema: { ...hidden, querystring: Type.Object({ agency_id: Type.Optional(Type.String({ format: 'uuid' })), body_id: Type.Optional(Type.String({ format: 'uuid' })), partnership_id: Type.Optional(Type.String({ format: 'uuid' })) }) } }, async (req, reply) => {
    const v = req.view();
    const body = await s.render(req, { values: s.newValues?.(req) ?? {}, action: s.base, title: newTitle(v), cancel: s.base });
    return reply.page(newTitle(v), body);
  });

  app.post(s.base, { config: ADMIN, schema: hidden }, async (req, reply) => {
    const input = s.input(formBody(req.body), false);
    try {
      const rec = await s.create(req.ctx, input);
      return reply.redirect(s.href(rec), 303);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      const v = req.view();
      const body = await s.render(req, { values: rawValues(req.body), errors, action: s.base, title: newTitle(v), cancel: s.base });
      return reply.page(newTitle(v), body, 400);
    }
  });

  app.get(`${s.base}/:id/edit`, { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, (req.params as { id: string }).id);
    const v = req.view();
    const body = await s.render(req, { values: s.values(rec), action: `${s.base}/${rec.id}/edit`, title: editTitle(v, rec), cancel: s.href(rec) });
    return reply.page(editTitle(v, rec), body);
  });

  app.post(`${s.base}/:id/edit`, { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, (req.params as { id: string }).id);
    const input = s.input(formBody(req.body), true, rec);
    try {
      const saved = await s.update(req.ctx, rec.id, input);
      return reply.redirect(s.href(saved), 303);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      const v = req.view();
      const body = await s.render(req, { values: rawValues(req.body), errors, action: `${s.base}/${rec.id}/edit`, title: editTitle(v, rec), cancel: s.href(rec) });
      return reply.page(editTitle(v, rec), body, 400);
    }
  });

  app.post(`${s.base}/:id/retire`, { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, (req.params as { id: string }).id);
    const form = formBody(req.body);
    try {
      const saved = await s.retire(req.ctx, rec.id, form);
      return reply.redirect(s.href(saved), 303);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return s.detail(req, reply, rec, { retireErrors: errors, retireValue: str(form[s.retireField]) }, 400);
    }
  });

  app.get(`${s.base}/:id/history`, { config: PUBLIC, schema: { ...hidden, params: IdParam, querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }) } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, (req.params as { id: string }).id);
    const page = (req.query as { page?: number }).page ?? 1;
    const perPage = 50;
    const { items, total } = await store.listRevisions(req.ctx.db, s.noun, rec.id, perPage, (page - 1) * perPage);
    const contacts = req.actor?.permissions.has('contacts.read') ?? false;
    const shown = items.map((r) => store.presentRevision(r, contacts));
    const v = req.view();
    return reply.page(v.t('structure.history.of', { name: s.name(rec) }), <HistoryPage v={v} name={s.name(rec)} back={s.href(rec)} items={shown} total={total} page={page} perPage={perPage} />);
  });
}

export async function structurePages(app: FastifyInstance): Promise<void> {
  app.get('/structure', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('structure.title'), <OverviewPage v={v} o={await overview(req.ctx, today())} />);
  });

  // ---- agencies ----
  const agencyDetail = async (req: FastifyRequest, reply: FastifyReply, a: Agency, extra: { retireErrors?: FieldError[]; retireValue?: string } = {}, status = 200) => {
    const db = req.ctx.db;
    const reps = (await store.listRepresentatives(db, { agencyId: a.id }, ALL_NOW())).items;
    const bodies: { body: Body; role: string }[] = [];
    for (const kind of ['task_force', 'policy_group', 'committee'] as const) {
      for (const b of (await store.listBodies(db, kind, ALL_NOW())).items) {
        const m = b.memberships.find((x) => x.agency_id === a.id || x.represented_by_id === a.id);
        if (m) bodies.push({ body: b, role: m.role });
      }
    }
    const v = req.view();
    return reply.page(a.name, <AgencyDetailPage v={v} a={a} reps={reps} bodies={bodies} {...extra} />, status);
  };

  app.get('/structure/agencies', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query as never);
    const { items, total } = await store.listAgencies(req.ctx.db, { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.agencies'), <AgencyListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  app.get('/structure/agencies/:id', { config: PUBLIC, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const a = await store.getAgency(req.ctx.db, (req.params as { id: string }).id);
    if (!a) throw notFound();
    return agencyDetail(req, reply, a);
  });

  registerForms<Agency>(app, {
    base: '/structure/agencies',
    noun: 'agency',
    load: (ctx, id) => store.getAgency(ctx.db, id),
    values: agencyValues,
    input: (body, edit) => fromForm(body, AGENCY_FIELDS, edit),
    render: async (req, p) => <AgencyForm v={req.view()} agencies={await store.allAgencies(req.ctx.db)} {...p} />,
    create: (ctx, input) => commands.createAgency(ctx, input, { coerce: true }),
    update: (ctx, id, input) => commands.updateAgency(ctx, id, input, { coerce: true }),
    retire: (ctx, id, input) => commands.retireAgency(ctx, id, input, { coerce: true }),
    retireField: 'member_until',
    href: (a) => `/structure/agencies/${a.id}`,
    name: (a) => a.name,
    detail: agencyDetail,
    newValues: () => ({ kind: 'agency' }),
  });

  // ---- committees, and the task force and policy group, which share their pages ----
  const bodyDetail = async (req: FastifyRequest, reply: FastifyReply, b: Body, extra: { retireErrors?: FieldError[]; retireValue?: string } = {}, status = 200) => {
    const db = req.ctx.db;
    const reps = (await store.listRepresentatives(db, { bodyId: b.id }, ALL_NOW())).items;
    const children: Body[] = [];
    for (const kind of ['policy_group', 'committee'] as const) children.push(...(await store.listBodies(db, kind, ALL_NOW())).items.filter((c) => c.parent_id === b.id));
    const v = req.view();
    return reply.page(b.name, <BodyDetailPage v={v} b={b} children={children} reps={reps} {...extra} />, status);
  };

  app.get('/structure/committees', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query as never);
    const { items, total } = await store.listBodies(req.ctx.db, 'committee', { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.committees'), <CommitteeListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  registerForms<Body>(app, {
    base: '/structure/committees',
    noun: 'committee',
    load: (ctx, id) => store.getBody(ctx.db, id),
    values: bodyValues,
    input: (body, edit) => fromForm(body, BODY_FIELDS, edit),
    render: async (req, p) => <CommitteeForm v={req.view()} bodies={await store.allBodies(req.ctx.db)} {...p} />,
    create: (ctx, input) => commands.createBody(ctx, input, { coerce: true }),
    update: (ctx, id, input) => commands.updateCommittee(ctx, id, input, { coerce: true }),
    retire: (ctx, id, input) => commands.retireCommittee(ctx, id, input, { coerce: true }),
    retireField: 'active_until',
    href: (b) => `/structure/committees/${b.slug}`,
    name: (b) => b.name,
    detail: bodyDetail,
  });

  const membersPage = async (req: FastifyRequest, reply: FastifyReply, b: Body, values: Values, errors?: FieldError[], status = 200) => {
    const v = req.view();
    const agencies = await store.allAgencies(req.ctx.db);
    return reply.page(`${v.t('structure.members.edit')}: ${b.name}`, <MembersForm v={v} b={b} values={values} errors={errors} agencies={agencies} />, status);
  };

  app.get('/structure/committees/:id/members', { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const b = await store.getBody(req.ctx.db, (req.params as { id: string }).id);
    if (!b) throw notFound();
    const values: Values = { version: String(b.version) };
    for (const m of b.memberships) {
      values[`role_${m.agency_id}`] = m.role;
      values[`rep_${m.agency_id}`] = m.represented_by_id ?? '';
    }
    return membersPage(req, reply, b, values);
  });

  app.post('/structure/committees/:id/members', { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const b = await store.getBody(req.ctx.db, (req.params as { id: string }).id);
    if (!b) throw notFound();
    const form = formBody(req.body);
    const agencies = await store.allAgencies(req.ctx.db);
    const members = agencies
      .filter((a) => typeof form[`role_${a.id}`] === 'string')
      .map((a) => {
        const old = b.memberships.find((m) => m.agency_id === a.id);
        return { agency_id: a.id, role: form[`role_${a.id}`], represented_by_id: str(form[`rep_${a.id}`]) ?? null, from: old?.from ?? null, until: old?.until ?? null };
      });
    try {
      const saved = await commands.replaceMembers(req.ctx, b.id, { version: form.version, members }, { coerce: true });
      return reply.redirect(`/structure/committees/${saved.slug}`, 303);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return membersPage(req, reply, b, rawValues(req.body), errors, 400);
    }
  });

  // After /new and /:id/... so that static paths win; find-my-way prefers static segments anyway.
  app.get('/structure/committees/:key', { config: PUBLIC, schema: { ...hidden, params: KeyParam } }, async (req, reply) => {
    const b = await store.getBodyBySlugOrId(req.ctx.db, (req.params as { key: string }).key);
    if (!b) throw notFound();
    return bodyDetail(req, reply, b);
  });

  // ---- partnerships ----
  const partnershipDetail = async (req: FastifyRequest, reply: FastifyReply, p: Partnership, extra: { retireErrors?: FieldError[]; retireValue?: string } = {}, status = 200) => {
    const reps = (await store.listRepresentatives(req.ctx.db, { partnershipId: p.id }, ALL_NOW())).items;
    const v = req.view();
    return reply.page(p.name, <PartnershipDetailPage v={v} p={p} reps={reps} {...extra} />, status);
  };

  app.get('/structure/partnerships', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query as never);
    const { items, total } = await store.listPartnerships(req.ctx.db, { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.partnerships'), <PartnershipListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  registerForms<Partnership>(app, {
    base: '/structure/partnerships',
    noun: 'partnership',
    load: (ctx, id) => store.getPartnership(ctx.db, id),
    values: partnershipValues,
    input: partnershipFromForm,
    render: async (req, p) => <PartnershipForm v={req.view()} agencies={await store.allAgencies(req.ctx.db)} {...p} />,
    create: (ctx, input) => commands.createPartnership(ctx, input, { coerce: true }),
    update: (ctx, id, input) => commands.updatePartnership(ctx, id, input, { coerce: true }),
    retire: (ctx, id, input) => commands.retirePartnership(ctx, id, input, { coerce: true }),
    retireField: 'until',
    href: (p) => `/structure/partnerships/${p.slug}`,
    name: (p) => p.name,
    detail: partnershipDetail,
  });

  app.get('/structure/partnerships/:key', { config: PUBLIC, schema: { ...hidden, params: KeyParam } }, async (req, reply) => {
    const p = await store.getPartnershipBySlugOrId(req.ctx.db, (req.params as { key: string }).key);
    if (!p) throw notFound();
    return partnershipDetail(req, reply, p);
  });

  // ---- representatives ----
  const repDetail = async (req: FastifyRequest, reply: FastifyReply, r: Representative, extra: { retireErrors?: FieldError[]; retireValue?: string } = {}, status = 200) => {
    const v = req.view();
    return reply.page(r.person_name, <RepresentativeDetailPage v={v} r={r} {...extra} />, status);
  };

  app.get('/structure/representatives', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query as never);
    const { items, total } = await store.listRepresentatives(req.ctx.db, {}, { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.representatives'), <RepresentativeListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  app.get('/structure/representatives/:id', { config: PUBLIC, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const r = await store.getRepresentative(req.ctx.db, (req.params as { id: string }).id);
    if (!r) throw notFound();
    return repDetail(req, reply, r);
  });

  registerForms<Representative>(app, {
    base: '/structure/representatives',
    noun: 'representative',
    load: (ctx, id) => store.getRepresentative(ctx.db, id),
    values: repValues,
    input: (body, edit) => fromForm(body, REP_FIELDS, edit),
    render: async (req, p) => (
      <RepresentativeForm v={req.view()} agencies={await store.allAgencies(req.ctx.db)} bodies={await store.allBodies(req.ctx.db)} partnerships={await store.allPartnerships(req.ctx.db)} {...p} />
    ),
    create: (ctx, input) => commands.createRepresentative(ctx, input, { coerce: true }),
    update: (ctx, id, input) => commands.updateRepresentative(ctx, id, input, { coerce: true }),
    retire: (ctx, id, input) => commands.retireRepresentative(ctx, id, input, { coerce: true }),
    retireField: 'until',
    href: (r) => `/structure/representatives/${r.id}`,
    name: (r) => r.person_name,
    detail: repDetail,
    newValues: (req) => {
      const q = req.query as Values;
      return { agency_id: q.agency_id, body_id: q.body_id, partnership_id: q.partnership_id };
    },
  });
}
