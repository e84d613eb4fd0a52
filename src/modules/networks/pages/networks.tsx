/** The networks themselves: the list, one network's page, and the forms that create, change and retire one. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { ComponentChildren } from 'preact';
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, FormPage, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { NEED_CODES, organizationChoices } from '../../directory/index.ts';
import * as commands from '../commands.ts';
import { networkCoverage } from '../coverage.ts';
import { MANAGE } from '../permissions.ts';
import { pageSlice } from '../presenters.ts';
import { AREA_KINDS, CoverageForm, FormPost, ListPageQuery, type Coverage, type Network, type NetworkSummary } from '../schema.ts';
import { listNetworks } from '../store.ts';
import { CoverageSection, filterOf, type CoverageFilter } from './coverage.tsx';
import { CountiesField, StatesField } from './area-fields.tsx';
import { EDITORS, EditLink, LIST_FIELDS, MANAGERS, PUBLIC, countyName, crumbs, editable, list, loadOr404, localErrors, needLabel, roleLabel, str, words } from './shared.tsx';
import { stateName } from '../../../platform/geo/us.ts';

function areaText(v: View, n: Pick<Network, 'area_kind' | 'states' | 'counties' | 'center_lat' | 'center_lng' | 'radius_miles'>): string {
  if (n.area_kind === 'radius') return v.t('networks.area.radius', { miles: n.radius_miles ?? 0, lat: n.center_lat ?? 0, lng: n.center_lng ?? 0 });
  return [...n.states.map((code) => stateName(code, v.lang)), ...n.counties.map((f) => countyName(v, f))].join('; ');
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="text-bold margin-top-1">{label}</dt>
      <dd class="margin-left-0">{children}</dd>
    </>
  );
}

function ListPage({ v, items, total, page, perPage, state }: { v: View; items: NetworkSummary[]; total: number; page: number; perPage: number; state?: string }) {
  return (
    <div>
      <h1>{v.t('networks.title')}</h1>
      <p class="usa-intro">{v.t('networks.intro')}</p>
      <p>
        <a href="/networks/national">{v.t('networks.national.link')}</a>
      </p>
      {state && (
        <p>
          <a href="/networks">{v.t('networks.all')}</a>
        </p>
      )}
      {v.can(MANAGE) && (
        <a class="usa-button margin-bottom-2" href="/networks/new">
          {v.t('networks.new')}
        </a>
      )}
      <Table
        v={v}
        caption={`${state ? v.t('networks.in_state', { state: stateName(state, v.lang) }) : v.t('networks.title')} (${total})`}
        head={[v.t('networks.field.name'), v.t('networks.field.convener'), v.t('networks.field.states'), v.t('networks.members.count')]}
        rows={items.map((n) => [<a href={`/networks/${n.id}`}>{n.name}</a>, n.convener_name, n.states.map((code) => stateName(code, v.lang)).join(', '), String(n.member_count)])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

function DetailPage({ v, n, f, c }: { v: View; n: Network; f: CoverageFilter; c: Coverage }) {
  const edit = n.viewer.can_edit;
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: n.name }])} />
      <h1>{n.name}</h1>
      {n.retired_on && (
        <Alert type="info" slim>
          {v.t('networks.retired', { date: formatDate(v.lang, n.retired_on) })}
        </Alert>
      )}
      {edit && (
        <p>
          <a class="usa-button usa-button--outline" href={`/networks/${n.id}/edit`}>
            {v.t('networks.edit')}
          </a>
        </p>
      )}
      {n.description && <p class="usa-prose">{n.description}</p>}
      <dl>
        <Field label={v.t('networks.field.convener')}>
          <a href={`/directory/organizations/${n.convener_organization_id}`}>{n.convener_name}</a>
        </Field>
        <Field label={v.t('networks.field.area')}>{areaText(v, n)}</Field>
        <Field label={v.t('networks.field.needs')}>{n.needs.length ? n.needs.map((x) => needLabel(v, x)).join(', ') : v.t('networks.needs.all')}</Field>
      </dl>
      {/* The referrals module's permission, by name: networks never import referrals (decision 0004). */}
      {v.can('referrals.stats.read') && (
        <p>
          <a href={n.referral_stats_url}>{v.t('networks.referrals.link')}</a>
        </p>
      )}

      <section class="margin-top-4" aria-labelledby="members-heading">
        <h2 id="members-heading">{v.t('networks.members')}</h2>
        <Table
          v={v}
          caption={`${v.t('networks.members')} (${n.members.length})`}
          head={[v.t('networks.field.organization'), v.t('networks.field.role'), v.t('networks.field.joined_on'), ...(edit ? [v.t('networks.actions')] : [])]}
          rows={n.members.map((m) => [
            <>
              <a href={`/directory/organizations/${m.directory_organization_id}`}>{m.name}</a>
              {m.convener && ` (${v.t('networks.convener')})`}
            </>,
            roleLabel(v, m.role),
            m.joined_on ? formatDate(v.lang, m.joined_on) : '—',
            ...(edit
              ? [
                  <>
                    <EditLink v={v} href={`/networks/${n.id}/members/${m.directory_organization_id}/edit`} what={m.name} />
                    {!m.convener && (
                      <ActionButton v={v} secondary action={`/networks/${n.id}/members/${m.directory_organization_id}/remove`}>
                        {v.t('networks.remove')} <span class="usa-sr-only">{m.name}</span>
                      </ActionButton>
                    )}
                  </>,
                ]
              : []),
          ])}
        />
        {edit && (
          <a class="usa-button usa-button--outline" href={`/networks/${n.id}/members/new`}>
            {v.t('networks.member.add')}
          </a>
        )}
      </section>

      {n.viewer.member_details ? (
        <>
          <section class="margin-top-4" aria-labelledby="agreements-heading">
            <h2 id="agreements-heading">{v.t('networks.agreements')}</h2>
            <Table
              v={v}
              caption={v.t('networks.agreements')}
              head={[v.t('networks.field.title'), v.t('networks.field.party'), v.t('networks.field.on_file'), v.t('networks.field.signed_on'), v.t('networks.field.expires_on'), v.t('networks.field.status'), ...(edit ? [v.t('networks.actions')] : [])]}
              rows={(n.agreements ?? []).map((a) => [
                a.title,
                a.organization_name ?? v.t('networks.party.network'),
                v.t(a.on_file ? 'networks.yes' : 'networks.no'),
                a.signed_on ? formatDate(v.lang, a.signed_on) : '—',
                a.expires_on ? formatDate(v.lang, a.expires_on) : '—',
                v.t(`networks.status.${a.status}`),
                ...(edit
                  ? [
                      <>
                        <EditLink v={v} href={`/networks/${n.id}/agreements/${a.id}/edit`} what={a.title} />
                        <ActionButton v={v} secondary action={`/networks/${n.id}/agreements/${a.id}/remove`}>
                          {v.t('networks.remove')} <span class="usa-sr-only">{a.title}</span>
                        </ActionButton>
                      </>,
                    ]
                  : []),
              ])}
            />
            {edit && (
              <a class="usa-button usa-button--outline" href={`/networks/${n.id}/agreements/new`}>
                {v.t('networks.agreement.add')}
              </a>
            )}
          </section>
          <section class="margin-top-4" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">{v.t('networks.contacts')}</h2>
            <Table
              v={v}
              caption={v.t('networks.contacts')}
              head={[v.t('networks.field.person'), v.t('networks.field.person_title'), v.t('networks.field.organization'), v.t('networks.field.email'), v.t('networks.field.phone'), ...(edit ? [v.t('networks.actions')] : [])]}
              rows={(n.contacts ?? []).map((x) => [
                x.name,
                x.title ?? '',
                x.organization_name ?? '',
                x.email ? <a href={`mailto:${x.email}`}>{x.email}</a> : '',
                x.phone ?? '',
                ...(edit
                  ? [
                      <>
                        <EditLink v={v} href={`/networks/${n.id}/contacts/${x.id}/edit`} what={x.name} />
                        <ActionButton v={v} secondary action={`/networks/${n.id}/contacts/${x.id}/remove`}>
                          {v.t('networks.remove')} <span class="usa-sr-only">{x.name}</span>
                        </ActionButton>
                      </>,
                    ]
                  : []),
              ])}
            />
            {edit && (
              <a class="usa-button usa-button--outline" href={`/networks/${n.id}/contacts/new`}>
                {v.t('networks.contact.add')}
              </a>
            )}
          </section>
        </>
      ) : (
        <p class="margin-top-4">{v.t(v.actor ? 'networks.details.members' : 'networks.details.signin')}</p>
      )}

      <CoverageSection v={v} n={n} f={f} c={c} />

      {v.can(MANAGE) && !n.retired_on && (
        <section class="margin-top-4" aria-labelledby="retire-heading">
          <h2 id="retire-heading">{v.t('networks.retire.heading')}</h2>
          <form method="post" action={`/networks/${n.id}/retire`} class="usa-form">
            <Csrf v={v} />
            <input type="hidden" name="version" value={String(n.version)} />
            <SubmitButton secondary>{v.t('networks.retire')}</SubmitButton>
          </form>
        </section>
      )}
    </div>
  );
}

/** The network form's fields by their labels, for the error summary. */
const networkLabels = (v: View): Record<string, string> => ({
  name: v.t('networks.field.name'),
  description: v.t('networks.field.description'),
  convener_organization_id: v.t('networks.field.convener'),
  area_kind: v.t('networks.field.area_kind'),
  states: v.t('networks.field.states'),
  counties: v.t('networks.field.counties'),
  center_lat: v.t('networks.field.center_lat'),
  center_lng: v.t('networks.field.center_lng'),
  radius_miles: v.t('networks.field.radius_miles'),
  needs: v.t('networks.field.needs'),
});

function NetworkForm({ v, values, errors: raw, orgs, action, title, cancel }: { v: View; values: FormValues; errors?: FieldError[]; orgs: { id: string; name: string }[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  const errors = localErrors(v, raw);
  return (
    <FormPage v={v} save={v.t('networks.save')} title={title} action={action} errors={localErrors(v, raw)} labels={networkLabels(v)} cancel={cancel} crumbs={crumbs(v)} saveFirst>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('networks.field.name')} required value={val('name')} errors={errors} />
      <TextArea name="description" label={v.t('networks.field.description')} value={val('description')} errors={errors} />
      <Select name="convener_organization_id" label={v.t('networks.field.convener')} hint={v.t('networks.field.convener.hint')} required blank={v.t('networks.choose')} value={val('convener_organization_id')} options={orgs.map((o) => ({ value: o.id, label: o.name }))} errors={errors} />
      <Select name="area_kind" label={v.t('networks.field.area_kind')} required value={val('area_kind') ?? 'regions'} options={AREA_KINDS.map((k) => ({ value: k, label: v.t(`networks.area_kind.${k}`) }))} errors={errors} />
      <StatesField v={v} values={words(values.states).map((s) => s.toUpperCase())} errors={errors} />
      <CountiesField v={v} values={words(values.counties)} countyState={val('county_state')} errors={errors} />
      <TextInput name="center_lat" label={v.t('networks.field.center_lat')} hint={v.t('networks.field.center.hint')} inputmode="decimal" value={val('center_lat')} errors={errors} />
      <TextInput name="center_lng" label={v.t('networks.field.center_lng')} inputmode="decimal" value={val('center_lng')} errors={errors} />
      <TextInput name="radius_miles" label={v.t('networks.field.radius_miles')} inputmode="decimal" value={val('radius_miles')} errors={errors} />
      <Checkboxes name="needs" label={v.t('networks.field.needs')} hint={v.t('networks.field.needs.hint')} values={list(values.needs)} options={NEED_CODES.map((c) => ({ value: c, label: needLabel(v, c) }))} errors={errors} />
    </FormPage>
  );
}

/** "Show its counties" (the form's second step without JavaScript): the form again as sent, nothing saved. */
const showingCounties = (body: unknown): boolean => !!body && typeof body === 'object' && (body as Record<string, unknown>)._show === 'counties';

function networkValues(n: Network): FormValues {
  return {
    version: String(n.version),
    name: n.name,
    description: n.description ?? '',
    convener_organization_id: n.convener_organization_id,
    area_kind: n.area_kind,
    states: n.states,
    counties: n.counties,
    center_lat: n.center_lat === null ? '' : String(n.center_lat),
    center_lng: n.center_lng === null ? '' : String(n.center_lng),
    radius_miles: n.radius_miles === null ? '' : String(n.radius_miles),
    needs: n.needs,
  };
}

/** The form as command input: every field is sent, so that emptied fields and unticked needs are cleared. */
function networkInput(body: Record<string, unknown>, edit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: body.name,
    convener_organization_id: body.convener_organization_id,
    area_kind: body.area_kind,
    states: words(body.states).map((s) => s.toUpperCase()),
    counties: words(body.counties),
    needs: list(body.needs),
  };
  for (const k of ['description', 'center_lat', 'center_lng', 'radius_miles']) {
    if (body[k] !== undefined) out[k] = body[k];
    else if (edit) out[k] = null;
  }
  if (edit) out.version = body.version;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

const PER_PAGE = 50;

export async function networkPages(app: App): Promise<void> {
  app.get('/networks', { config: PUBLIC, schema: { ...hidden, querystring: ListPageQuery } }, async (req, reply) => {
    const page = req.query.page ?? 1;
    const state = req.query.state || undefined;
    const { items, total } = pageSlice(await listNetworks(req.ctx.db, { state }), page, PER_PAGE);
    const v = req.view();
    return reply.page(v.t('networks.title'), <ListPage v={v} items={items} total={total} page={page} perPage={PER_PAGE} state={state?.toUpperCase()} />);
  });

  const formPage = async (reply: FastifyReply, title: string, form: (orgs: { id: string; name: string }[]) => ComponentChildren, errors?: FieldError[]) =>
    reply.page(title, form(await organizationChoices(reply.request.ctx.db)), errors ? 400 : 200);

  const newPage = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) =>
    formPage(reply, v.t('networks.new'), (orgs) => <NetworkForm v={v} values={values} errors={errors} orgs={orgs} action="/networks" title={v.t('networks.new')} cancel="/networks" />, errors);
  app.get('/networks/new', { config: MANAGERS, schema: hidden }, async (req, reply) => newPage(reply, req.view(), { area_kind: 'regions' }));
  app.post('/networks', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    showingCounties(req.body) ? newPage(reply, req.view(), rawValues(req.body)) : submitForm(
      reply,
      async () => `/networks/${(await commands.createNetwork(req.ctx, networkInput(formBody(req.body), false), { coerce: true })).id}`,
      (errors) => newPage(reply, req.view(), rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    ),
  );

  app.get('/networks/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams, querystring: CoverageForm } }, async (req, reply) => {
    const n = await loadOr404(req.ctx, req.params.id);
    const f = filterOf(req.query);
    const c = await networkCoverage(req.ctx, n, { distance: f.distance, scope: f.scope });
    const v = req.view();
    return reply.page(n.name, <DetailPage v={v} n={n} f={f} c={c} />, f.errors.length ? 400 : 200);
  });

  const editPage = (reply: FastifyReply, v: View, n: Network, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('networks.edit.title', { name: n.name });
    return formPage(reply, title, (orgs) => <NetworkForm v={v} values={values} errors={errors} orgs={orgs} action={`/networks/${n.id}/edit`} title={title} cancel={`/networks/${n.id}`} />, errors);
  };
  app.get('/networks/:id/edit', { config: EDITORS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    return editPage(reply, req.view(), n, networkValues(n));
  });
  app.post('/networks/:id/edit', { config: EDITORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    if (showingCounties(req.body)) return editPage(reply, req.view(), n, rawValues(req.body));
    return submitForm(
      reply,
      async () => `/networks/${(await commands.updateNetwork(req.ctx, n.id, networkInput(formBody(req.body), true), { coerce: true })).id}`,
      (errors) => editPage(reply, req.view(), n, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });

  app.post('/networks/:id/retire', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await loadOr404(req.ctx, req.params.id);
    await commands.retireNetwork(req.ctx, n.id, formBody(req.body), { coerce: true });
    return reply.redirect(`/networks/${n.id}`, 303);
  });
}
