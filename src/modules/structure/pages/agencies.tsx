/** Member agencies and partners: list, record, form. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { listOrganizations } from '../../../platform/auth/index.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, Csrf, ErrorSummary, FormPage, Pager, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import { AGENCY_KINDS, AgencyOrganizationParams, type Agency, type AgencyOrganization, type Body, type Representative } from '../schema.ts';
import * as store from '../store.ts';
import * as commands from '../commands.ts';
import { LINK_ORGANIZATIONS } from '../policies.ts';
import { str, filterOf, FilterForm, AdminLink, RetireForm, HistoryLink, Representatives, Field, agencyOptions, crumbsFor, fromForm, ALL_NOW, FormPost, IdParam, PageListQuery, PUBLIC, type PageReq, type RetireState, type Values, type Filter } from './shared.tsx';
import { registerForms } from './records.tsx';

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
        caption={f.all ? `${title} (${total})` : `${title} — ${v.t('structure.asof', { date: formatDate(v.lang, f.activeOn) })} (${total})`}
        head={[v.t('structure.field.name'), v.t('structure.field.abbreviation'), v.t('structure.field.kind'), v.t('structure.field.parent'), v.t('structure.field.member_from'), v.t('structure.field.member_until')]}
        rows={items.map((a) => [
          <a href={`/structure/agencies/${a.id}`}>{a.name}</a>,
          a.abbreviation ?? '',
          v.t(`structure.kind.${a.kind}`),
          a.parent_name ?? '',
          a.member_from ? formatDate(v.lang, a.member_from) : v.t('structure.notmember'),
          a.member_until ? formatDate(v.lang, a.member_until) : '',
        ])}
      />
      <Pager v={v} page={f.page} perPage={f.perPage} total={total} />
    </div>
  );
}

/** For administrators: the account organisations whose accounts act for the agency, with remove and add. */
function OrganizationsSection({ v, a, links, choices, errors, value }: OrganizationsState & { v: View; a: Agency }) {
  const taken = new Set(links.map((x) => x.organization_id));
  const open = choices.filter((c) => !taken.has(c.id));
  return (
    <section aria-labelledby="organizations" class="margin-top-4">
      <h2 id="organizations">{v.t('structure.orgs.title')}</h2>
      <p>{v.t('structure.orgs.intro')}</p>
      <ErrorSummary v={v} errors={errors} />
      <Table
        v={v}
        caption={v.t('structure.orgs.caption', { agency: a.name })}
        head={[v.t('structure.orgs.organization'), v.t('structure.orgs.since'), v.t('structure.orgs.action')]}
        rows={links.map((x) => [
          x.organization_name,
          formatDate(v.lang, x.created_at),
          <ActionButton v={v} action={`/structure/agencies/${a.id}/organizations/${x.organization_id}/remove`} secondary>
            {v.t('structure.orgs.remove')} <span class="usa-sr-only">{x.organization_name}</span>
          </ActionButton>,
        ])}
      />
      {open.length > 0 || errors.length > 0 ? (
        <form method="post" action={`/structure/agencies/${a.id}/organizations`} class="usa-form">
          <Csrf v={v} />
          <Select name="organization_id" label={v.t('structure.orgs.add.label')} blank={v.t('structure.orgs.add.blank')} value={value} options={open.map((c) => ({ value: c.id, label: c.name }))} errors={errors} />
          <SubmitButton>{v.t('structure.orgs.add')}</SubmitButton>
        </form>
      ) : (
        <p>{v.t('structure.orgs.all_linked')}</p>
      )}
    </section>
  );
}

type OrganizationsState = { links: AgencyOrganization[]; choices: { id: string; name: string }[]; errors: FieldError[]; value?: string };

function AgencyDetailPage({ v, a, reps, bodies, retireErrors, retireValue, orgs }: { v: View; a: Agency; reps: Representative[]; bodies: { body: Body; role: string }[]; retireErrors?: FieldError[]; retireValue?: string; orgs?: OrganizationsState }) {
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
        <Field label={v.t('structure.field.member_from')}>{a.member_from ? formatDate(v.lang, a.member_from) : v.t('structure.notmember')}</Field>
        <Field label={v.t('structure.field.member_until')}>{a.member_until ? formatDate(v.lang, a.member_until) : '—'}</Field>
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
      {orgs && <OrganizationsSection v={v} a={a} {...orgs} />}
      <HistoryLink v={v} href={`/structure/agencies/${a.id}/history`} />
      <RetireForm v={v} action={`/structure/agencies/${a.id}/retire`} field="member_until" version={a.version} errors={retireErrors} value={retireValue} />
    </div>
  );
}

function AgencyForm({ v, values, errors, agencies, action, title, cancel }: { v: View; values: Values; errors?: FieldError[]; agencies: Agency[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormPage v={v} save={v.t('structure.save')} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/agencies', key: 'structure.agencies' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('structure.field.name')} required value={val('name')} errors={errors} />
      <TextInput name="abbreviation" label={v.t('structure.field.abbreviation')} value={val('abbreviation')} errors={errors} />
      <Select name="kind" label={v.t('structure.field.kind')} required value={val('kind')} options={AGENCY_KINDS.map((k) => ({ value: k, label: v.t(`structure.kind.${k}`) }))} errors={errors} />
      <TextInput name="website" label={v.t('structure.field.website')} hint={v.t('structure.field.website.hint')} type="url" value={val('website')} errors={errors} />
      <Select name="parent_id" label={v.t('structure.field.parent')} blank={v.t('structure.none')} value={val('parent_id')} options={agencyOptions(agencies)} errors={errors} />
      <TextInput name="member_from" type="date" label={v.t('structure.field.member_from')} hint={v.t('structure.field.member_from.hint')} value={val('member_from')} errors={errors} />
      <TextInput name="member_until" type="date" label={v.t('structure.field.member_until')} hint={v.t('structure.field.date.hint')} value={val('member_until')} errors={errors} />
    </FormPage>
  );
}

const AGENCY_FIELDS = { required: ['name', 'kind'], nullable: ['abbreviation', 'website', 'parent_id', 'member_from', 'member_until'] };

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

export function agencyPages(app: App): void {
  const agencyDetail = async (req: PageReq, reply: FastifyReply, a: Agency, extra: RetireState & { orgErrors?: FieldError[]; orgValue?: string } = {}, status = 200) => {
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
    const { orgErrors, orgValue, ...retire } = extra;
    const orgs = v.can(LINK_ORGANIZATIONS) ? { links: await store.listAgencyOrganizations(db, a.id), choices: await listOrganizations(db), errors: orgErrors ?? [], value: orgValue } : undefined;
    return reply.page(a.name, <AgencyDetailPage v={v} a={a} reps={reps} bodies={bodies} orgs={orgs} {...retire} />, status);
  };

  app.get('/structure/agencies', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query);
    const { items, total } = await store.listAgencies(req.ctx.db, { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.agencies'), <AgencyListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  app.get('/structure/agencies/:id', { config: PUBLIC, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const a = await store.getAgency(req.ctx.db, req.params.id);
    if (!a) throw notFound();
    return agencyDetail(req, reply, a);
  });

  const admins = { access: { permission: LINK_ORGANIZATIONS } } as const;
  app.post('/structure/agencies/:id/organizations', { config: admins, schema: { ...hidden, params: IdParam, body: FormPost } }, async (req, reply) => {
    const a = await store.getAgency(req.ctx.db, req.params.id);
    if (!a) throw notFound('No such agency.');
    const chosen = str(formBody(req.body).organization_id);
    try {
      await commands.linkAgencyOrganization(req.ctx, a.id, chosen === undefined ? {} : { organization_id: chosen });
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return agencyDetail(req, reply, a, { orgErrors: errors, orgValue: chosen }, 400);
    }
    return reply.redirect(`/structure/agencies/${a.id}#organizations`);
  });

  app.post('/structure/agencies/:id/organizations/:organizationId/remove', { config: admins, schema: { ...hidden, params: AgencyOrganizationParams } }, async (req, reply) => {
    await commands.unlinkAgencyOrganization(req.ctx, req.params.id, { organization_id: req.params.organizationId });
    return reply.redirect(`/structure/agencies/${req.params.id}#organizations`);
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
}
