/** The people who represent agencies: list, record, form. */
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, FormPage, Pager, Select, TextInput } from '../../../platform/web/components.tsx';
import { type Agency, type Representative } from '../schema.ts';
import * as store from '../store.ts';
import * as commands from '../commands.ts';
import { CONTACTS_READ } from '../policies.ts';
import { str, span, filterOf, FilterForm, AdminLink, RetireForm, HistoryLink, Representatives, Field, agencyOptions, crumbsFor, fromForm, IdParam, PageListQuery, PUBLIC, type PageReq, type RetireState, type Values, type Filter } from './shared.tsx';
import { registerForms } from './records.tsx';

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
  const contacts = v.can(CONTACTS_READ);
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
    <FormPage v={v} save={v.t('structure.save')} title={props.title} action={props.action} errors={errors} cancel={props.cancel} crumbs={crumbsFor(v, { href: '/structure/representatives', key: 'structure.representatives' })}>
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
    </FormPage>
  );
}

const REP_FIELDS = { required: ['person_name', 'agency_id'], nullable: ['title', 'email', 'phone', 'body_id', 'partnership_id', 'role', 'from', 'until'] };

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


export function representativePages(app: App): void {
  const repDetail = async (req: PageReq, reply: FastifyReply, r: Representative, extra: RetireState = {}, status = 200) => {
    const v = req.view();
    return reply.page(r.person_name, <RepresentativeDetailPage v={v} r={r} {...extra} />, status);
  };

  app.get('/structure/representatives', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query);
    const { items, total } = await store.listRepresentatives(req.ctx.db, {}, { activeOn: f.activeOn, all: f.all, limit: f.perPage, offset: f.offset });
    const v = req.view();
    return reply.page(v.t('structure.representatives'), <RepresentativeListPage v={v} f={f} items={items} total={total} />, f.errors.length ? 400 : 200);
  });

  app.get('/structure/representatives/:id', { config: PUBLIC, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const r = await store.getRepresentative(req.ctx.db, req.params.id);
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
    newValues: (q) => ({ agency_id: q.agency_id, body_id: q.body_id, partnership_id: q.partnership_id }),
  });
}
