/** The task force, the policy operating group and the committees: list, record, forms, members. */
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, FormPage, Pager, Select, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { rawValues, submitForm } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { MEMBER_ROLES, type Agency, type Body, type Representative } from '../schema.ts';
import * as store from '../store.ts';
import * as commands from '../commands.ts';
import { str, span, filterOf, FilterForm, AdminLink, RetireForm, HistoryLink, Representatives, Field, agencyOptions, crumbsFor, fromForm, ALL_NOW, IdParam, KeyParam, PageListQuery, FormPost, ADMIN, PUBLIC, LIST_FIELDS, type PageReq, type RetireState, type Values, type Filter } from './shared.tsx';
import { registerForms } from './records.tsx';

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
    <FormPage v={v} save={v.t('structure.save')} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/committees', key: 'structure.committees' })}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('structure.field.name')} required value={val('name')} errors={errors} />
      <TextInput name="slug" label={v.t('structure.field.slug')} hint={v.t('structure.field.slug.hint')} value={val('slug')} errors={errors} />
      <TextArea name="charter" label={v.t('structure.field.charter')} value={val('charter')} errors={errors} />
      <TextInput name="chair_title" label={v.t('structure.field.chair_title')} value={val('chair_title')} errors={errors} />
      <Select name="parent_id" label={v.t('structure.field.parent_body')} blank={v.t('structure.none')} value={val('parent_id')} options={bodies.map((b) => ({ value: b.id, label: b.name }))} errors={errors} />
      <TextInput name="active_from" type="date" label={v.t('structure.field.active_from')} hint={v.t('structure.field.date.hint')} value={val('active_from')} errors={errors} />
      <TextInput name="active_until" type="date" label={v.t('structure.field.active_until')} hint={v.t('structure.field.date.hint')} value={val('active_until')} errors={errors} />
    </FormPage>
  );
}

function MembersForm({ v, b, values, errors, agencies }: { v: View; b: Body; values: Values; errors?: FieldError[]; agencies: Agency[] }) {
  const title = `${v.t('structure.members.edit')}: ${b.name}`;
  return (
    <FormPage v={v} save={v.t('structure.save')} title={title} action={`/structure/committees/${b.id}/members`} errors={errors} cancel={`/structure/committees/${b.slug}`} crumbs={crumbsFor(v, { href: '/structure/committees', key: 'structure.committees' })}>
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
    </FormPage>
  );
}

const BODY_FIELDS = { required: ['name'], nullable: ['charter', 'chair_title', 'parent_id', 'active_from', 'active_until'], keep: ['slug'] };

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

export function committeePages(app: App): void {
  const bodyDetail = async (req: PageReq, reply: FastifyReply, b: Body, extra: RetireState = {}, status = 200) => {
    const db = req.ctx.db;
    const reps = (await store.listRepresentatives(db, { bodyId: b.id }, ALL_NOW())).items;
    const children: Body[] = [];
    for (const kind of ['policy_group', 'committee'] as const) children.push(...(await store.listBodies(db, kind, ALL_NOW())).items.filter((c) => c.parent_id === b.id));
    const v = req.view();
    return reply.page(b.name, <BodyDetailPage v={v} b={b} children={children} reps={reps} {...extra} />, status);
  };

  app.get('/structure/committees', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query);
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

  const membersPage = async (req: PageReq, reply: FastifyReply, b: Body, values: Values, errors?: FieldError[], status = 200) => {
    const v = req.view();
    const agencies = await store.allAgencies(req.ctx.db);
    return reply.page(`${v.t('structure.members.edit')}: ${b.name}`, <MembersForm v={v} b={b} values={values} errors={errors} agencies={agencies} />, status);
  };

  app.get('/structure/committees/:id/members', { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const b = await store.getBody(req.ctx.db, req.params.id);
    if (!b) throw notFound();
    const values: Values = { version: String(b.version) };
    for (const m of b.memberships) {
      values[`role_${m.agency_id}`] = m.role;
      values[`rep_${m.agency_id}`] = m.represented_by_id ?? '';
    }
    return membersPage(req, reply, b, values);
  });

  app.post('/structure/committees/:id/members', { config: ADMIN, schema: { ...hidden, params: IdParam, body: FormPost } }, async (req, reply) => {
    const b = await store.getBody(req.ctx.db, req.params.id);
    if (!b) throw notFound();
    const form = formBody(req.body);
    const agencies = await store.allAgencies(req.ctx.db);
    const members = agencies
      .filter((a) => typeof form[`role_${a.id}`] === 'string')
      .map((a) => {
        const old = b.memberships.find((m) => m.agency_id === a.id);
        return { agency_id: a.id, role: form[`role_${a.id}`], represented_by_id: str(form[`rep_${a.id}`]) ?? null, from: old?.from ?? null, until: old?.until ?? null };
      });
    return submitForm(
      reply,
      async () => `/structure/committees/${(await commands.replaceMembers(req.ctx, b.id, { version: form.version, members }, { coerce: true })).slug}`,
      (errors) => membersPage(req, reply, b, rawValues(req.body), errors, 400),
      { listFields: LIST_FIELDS, keepPath: true },
    );
  });

  // After /new and /:id/... so that static paths win; find-my-way prefers static segments anyway.
  app.get('/structure/committees/:key', { config: PUBLIC, schema: { ...hidden, params: KeyParam } }, async (req, reply) => {
    const b = await store.getBodyBySlugOrId(req.ctx.db, req.params.key);
    if (!b) throw notFound();
    return bodyDetail(req, reply, b);
  });
}
