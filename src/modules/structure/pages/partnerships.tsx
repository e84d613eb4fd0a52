/** Partnerships: list, record, form. */
import type { FastifyReply } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Checkboxes, FormPage, Pager, Select, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { PARTNERSHIP_STATUSES, type Agency, type Partnership, type Representative } from '../schema.ts';
import * as store from '../store.ts';
import * as commands from '../commands.ts';
import { str, list, lines, span, filterOf, FilterForm, AdminLink, RetireForm, HistoryLink, Representatives, Field, agencyOptions, crumbsFor, fromForm, ALL_NOW, KeyParam, PageListQuery, PUBLIC, type PageReq, type RetireState, type Values, type Filter } from './shared.tsx';
import { registerForms } from './records.tsx';

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
    <FormPage v={v} save={v.t('structure.save')} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbsFor(v, { href: '/structure/partnerships', key: 'structure.partnerships' })}>
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
    </FormPage>
  );
}

const PARTNERSHIP_FIELDS = { required: ['name'], nullable: ['purpose', 'lead_agency_id', 'from', 'until'], keep: ['slug', 'status'] };

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

export function partnershipPages(app: App): void {
  const partnershipDetail = async (req: PageReq, reply: FastifyReply, p: Partnership, extra: RetireState = {}, status = 200) => {
    const reps = (await store.listRepresentatives(req.ctx.db, { partnershipId: p.id }, ALL_NOW())).items;
    const v = req.view();
    return reply.page(p.name, <PartnershipDetailPage v={v} p={p} reps={reps} {...extra} />, status);
  };

  app.get('/structure/partnerships', { config: PUBLIC, schema: { ...hidden, querystring: PageListQuery } }, async (req, reply) => {
    const f = filterOf(req.query);
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
    const p = await store.getPartnershipBySlugOrId(req.ctx.db, req.params.key);
    if (!p) throw notFound();
    return partnershipDetail(req, reply, p);
  });
}
