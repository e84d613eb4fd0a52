import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import { HttpError, forbidden, notFound, type FieldError } from '../../platform/http/errors.ts';
import { formBody } from '../../platform/http/validation.ts';
import type { View } from '../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import { UsMap, shadeOf, type Shade } from '../../platform/web/us-map.tsx';
import { countyByFips, stateByCode } from '../../platform/geo/us.ts';
import { NEED_CODES, organizationChoices } from '../directory/index.ts';
import { AREA_KINDS, DEFAULT_DISTANCE, MAX_DISTANCE, MEMBER_ROLES, SCOPES, type Agreement, type Contact, type Coverage, type Member, type Network, type NetworkSummary, type Scope, type StatesCoverage } from './schema.ts';
import * as store from './store.ts';
import * as commands from './commands.ts';
import { networkCoverage, statesCoverage } from './coverage.ts';
import { EDIT_OWN, MANAGE } from './permissions.ts';

type Values = Record<string, string | string[] | undefined>;
const hidden = { hide: true } as const;
const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PUBLIC = { access: 'public', publicCache: true } as const;
const EDITORS = { access: { permission: EDIT_OWN } } as const;
const MANAGERS = { access: { permission: MANAGE } } as const;
// Filter forms send text; the page checks it itself so that a bad value is shown beside its field.
const CoverageForm = Type.Object({
  distance: Type.Optional(Type.String({ maxLength: 20 })),
  scope: Type.Optional(Type.String({ maxLength: 20 })),
  need: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
});

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);
const words = (x: unknown): string[] => list(x).flatMap((s) => s.split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);

function formErrors(err: unknown): FieldError[] | undefined {
  if (!(err instanceof HttpError) || err.status !== 400) return undefined;
  if (!err.errors.length) return [{ field: 'form', message: err.detail ?? 'is not valid' }];
  // Items of the list fields are typed into one box each: show their problems on that box.
  return err.errors.map((e) => {
    const [head, ...rest] = e.field.split('.');
    return ['states', 'counties', 'needs'].includes(head) && rest.length ? { field: head, message: e.message } : e;
  });
}

/** Raw posted values, for re-showing a form exactly as it was sent. */
function rawValues(body: unknown): Values {
  const out: Values = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, x] of Object.entries(body as Record<string, unknown>)) if (k !== '_csrf') out[k] = Array.isArray(x) ? x.map(String) : String(x);
  return out;
}

const needLabel = (v: View, code: string) => v.t(`networks.need.${code}`);
const roleLabel = (v: View, role: string) => v.t(`networks.role.${role}`);
const stateName = (code: string) => stateByCode(code)?.name ?? code;
const countyName = (fips: string) => {
  const c = countyByFips(fips);
  return c ? `${c.name}, ${c.state}` : fips;
};

function areaText(v: View, n: Pick<Network, 'area_kind' | 'states' | 'counties' | 'center_lat' | 'center_lng' | 'radius_miles'>): string {
  if (n.area_kind === 'radius') return v.t('networks.area.radius', { miles: n.radius_miles ?? 0, lat: n.center_lat ?? 0, lng: n.center_lng ?? 0 });
  return [...n.states.map(stateName), ...n.counties.map(countyName)].join('; ');
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="text-bold margin-top-1">{label}</dt>
      <dd class="margin-left-0">{children}</dd>
    </>
  );
}

function EditLink({ v, href, what }: { v: View; href: string; what: string }) {
  return (
    <a href={href} class="margin-right-1">
      {v.t('networks.change')} <span class="usa-sr-only">{what}</span>
    </a>
  );
}

const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/networks', label: v.t('networks.title') }, ...extra];

// ---------- list and national view ----------

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
        caption={`${state ? v.t('networks.in_state', { state: stateName(state) }) : v.t('networks.title')} (${total})`}
        head={[v.t('networks.field.name'), v.t('networks.field.convener'), v.t('networks.field.states'), v.t('networks.members.count')]}
        rows={items.map((n) => [<a href={`/networks/${n.id}`}>{n.name}</a>, n.convener_name, n.states.map(stateName).join(', '), String(n.member_count)])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

interface CoverageFilter {
  distance: number;
  scope: Scope;
  needs: string[];
  raw: Values;
  errors: FieldError[];
}

function filterOf(q: { distance?: string; scope?: string; need?: string | string[] }): CoverageFilter {
  const errors: FieldError[] = [];
  const rawDistance = (q.distance ?? '').trim();
  let distance = DEFAULT_DISTANCE;
  if (rawDistance) {
    const d = Number(rawDistance);
    if (!Number.isFinite(d) || d <= 0 || d > MAX_DISTANCE) errors.push({ field: 'distance', message: `must be a number of miles above 0 and at most ${MAX_DISTANCE}` });
    else distance = d;
  }
  let scope: Scope = 'directory';
  if (q.scope) {
    if ((SCOPES as readonly string[]).includes(q.scope)) scope = q.scope as Scope;
    else errors.push({ field: 'scope', message: `must be one of: ${SCOPES.join(', ')}` });
  }
  const needs = list(q.need).filter(Boolean);
  const unknown = needs.filter((n) => !NEED_CODES.includes(n));
  if (unknown.length) errors.push({ field: 'need', message: `is not a known need: ${unknown.join(', ')}` });
  return { distance, scope, needs: needs.filter((n) => NEED_CODES.includes(n)), raw: { distance: rawDistance, scope: q.scope, need: needs }, errors };
}

// A share above zero never reads as 0%: the map shades it, so the table must not contradict it.
const pct = (x: number) => (x === 0 ? '0%' : x < 0.01 ? '<1%' : `${Math.round(x * 100)}%`);

function NationalPage({ v, f, c }: { v: View; f: CoverageFilter; c: StatesCoverage }) {
  const shades: Record<string, Shade> = {};
  for (const s of c.states) shades[s.fips] = shadeOf(s.covered_share, 1);
  const needs = c.needs.map((n) => needLabel(v, n)).join(', ');
  const best = [...c.states].sort((a, b) => b.covered_share - a.covered_share).slice(0, 3);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('networks.national.title') }])} />
      <h1>{v.t('networks.national.title')}</h1>
      <p class="usa-intro">{v.t('networks.national.intro', { miles: c.distance_miles })}</p>
      {!c.confidential_included && <p>{v.t('networks.coverage.confidential')}</p>}
      <form method="get" action="/networks/national" class="usa-form margin-bottom-3">
        <ErrorSummary v={v} errors={f.errors} />
        <TextInput name="distance" label={v.t('networks.coverage.distance')} hint={v.t('networks.coverage.distance.hint', { max: MAX_DISTANCE })} inputmode="decimal" value={str(f.raw.distance) || String(f.distance)} errors={f.errors} />
        <Checkboxes name="need" label={v.t('networks.coverage.needs')} hint={v.t('networks.coverage.needs.hint')} values={f.needs} options={NEED_CODES.map((n) => ({ value: n, label: needLabel(v, n) }))} errors={f.errors} />
        <SubmitButton>{v.t('networks.coverage.show')}</SubmitButton>
      </form>
      <UsMap
        level="state"
        id="national-map"
        shades={shades}
        labels={Object.fromEntries(c.states.map((s) => [s.fips, `${s.name}: ${pct(s.covered_share)}`]))}
        title={v.t('networks.national.map.title', { miles: c.distance_miles })}
        description={v.t('networks.national.map.desc', { needs, best: best.map((s) => `${s.name} ${pct(s.covered_share)}`).join(', ') })}
        legend={legend(v)}
      />
      <Table
        v={v}
        caption={v.t('networks.national.table', { miles: c.distance_miles })}
        head={[v.t('networks.field.state'), v.t('networks.national.counties'), v.t('networks.national.networks'), v.t('networks.national.share'), v.t('networks.national.nowhere')]}
        rows={c.states.map((s) => [
          s.name,
          String(s.counties),
          s.networks ? <a href={`/networks?state=${s.code}`}>{s.networks}</a> : '0',
          pct(s.covered_share),
          s.needs.every((x) => x.covered_counties === 0) ? v.t('networks.national.every') : s.needs.filter((x) => x.covered_counties === 0).map((x) => needLabel(v, x.need)).join(', ') || '—',
        ])}
      />
    </div>
  );
}

const legend = (v: View): { shade: Shade; label: string }[] => [
  { shade: 0, label: v.t('networks.legend.0') },
  { shade: 1, label: v.t('networks.legend.1') },
  { shade: 2, label: v.t('networks.legend.2') },
  { shade: 3, label: v.t('networks.legend.3') },
  { shade: 4, label: v.t('networks.legend.4') },
];

// ---------- one network ----------

function CoverageSection({ v, n, f, c }: { v: View; n: Network; f: CoverageFilter; c: Coverage }) {
  const shades: Record<string, Shade> = {};
  for (const r of c.counties) shades[r.fips] = shadeOf(r.covered_needs, c.needs.length);
  const gapsByCounty = c.counties.filter((r) => r.covered_needs < c.needs.length);
  const full = c.counties.length - gapsByCounty.length;
  const circle = n.area_kind === 'radius' && n.center_lat !== null && n.center_lng !== null && n.radius_miles !== null ? { lat: n.center_lat, lng: n.center_lng, miles: n.radius_miles } : undefined;
  return (
    <section class="margin-top-4" aria-labelledby="coverage-heading" id="coverage">
      <h2 id="coverage-heading">{v.t('networks.coverage.title')}</h2>
      <p>{v.t(c.scope === 'members' ? 'networks.coverage.intro.members' : 'networks.coverage.intro', { miles: c.distance_miles, needs: c.needs.map((x) => needLabel(v, x)).join(', ') })}</p>
      {!c.confidential_included && <p>{v.t('networks.coverage.confidential')}</p>}
      <form method="get" action={`/networks/${n.id}#coverage`} class="usa-form margin-bottom-3">
        <ErrorSummary v={v} errors={f.errors} />
        <TextInput name="distance" label={v.t('networks.coverage.distance')} hint={v.t('networks.coverage.distance.hint', { max: MAX_DISTANCE })} inputmode="decimal" value={str(f.raw.distance) || String(f.distance)} errors={f.errors} />
        <Select name="scope" label={v.t('networks.coverage.scope')} value={f.scope} options={SCOPES.map((s) => ({ value: s, label: v.t(`networks.scope.${s}`) }))} errors={f.errors} />
        <SubmitButton>{v.t('networks.coverage.show')}</SubmitButton>
      </form>
      <UsMap
        level="county"
        id="coverage-map"
        fips={c.counties.map((r) => r.fips)}
        shades={shades}
        labels={Object.fromEntries(c.counties.map((r) => [r.fips, `${r.name}, ${r.state}: ${r.covered_needs} / ${c.needs.length}`]))}
        circle={circle}
        title={v.t('networks.coverage.map.title', { name: n.name, miles: c.distance_miles })}
        description={v.t('networks.coverage.map.desc', { counties: c.counties.length, full, gaps: gapsByCounty.length, needs: c.needs.length })}
        legend={legend(v)}
      />
      <Table
        v={v}
        caption={v.t('networks.coverage.summary', { miles: c.distance_miles })}
        head={[v.t('networks.field.need'), v.t('networks.coverage.covered_counties')]}
        rows={c.summary.map((s) => [needLabel(v, s.need), `${s.covered_counties} / ${s.counties}`])}
      />
      <p>
        <a href={`/api/networks/${n.id}/coverage.csv?distance=${c.distance_miles}&scope=${c.scope}`}>{v.t('networks.coverage.csv')}</a>
      </p>
      <Table
        v={v}
        caption={v.t('networks.coverage.counties', { miles: c.distance_miles })}
        head={[v.t('networks.field.county'), v.t('networks.coverage.covered'), v.t('networks.coverage.gaps')]}
        rows={c.counties.map((r) => [
          `${r.name}, ${r.state}`,
          `${r.covered_needs} / ${c.needs.length}`,
          r.needs
            .filter((x) => !x.covered)
            .map((x) => needLabel(v, x.need))
            .join(', ') || v.t('networks.coverage.nogap'),
        ])}
      />
    </section>
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
          {v.t('networks.retired', { date: n.retired_on })}
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
            m.joined_on ?? '—',
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
                a.signed_on ?? '—',
                a.expires_on ?? '—',
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

// ---------- forms ----------

function FormShell({ v, title, action, errors, cancel, crumbItems, children }: { v: View; title: string; action: string; errors?: FieldError[]; cancel: string; crumbItems: { href?: string; label: string }[]; children: ComponentChildren }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbItems, { label: title }]} />
      <h1>{title}</h1>
      <form method="post" action={action} class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        {children}
        <SubmitButton>{v.t('networks.save')}</SubmitButton>{' '}
        <a href={cancel} class="usa-button usa-button--unstyled">
          {v.t('form.cancel')}
        </a>
      </form>
    </div>
  );
}

function NetworkForm({ v, values, errors, orgs, action, title, cancel }: { v: View; values: Values; errors?: FieldError[]; orgs: { id: string; name: string }[]; action: string; title: string; cancel: string }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={title} action={action} errors={errors} cancel={cancel} crumbItems={crumbs(v)}>
      {values.version && <input type="hidden" name="version" value={val('version')} />}
      <TextInput name="name" label={v.t('networks.field.name')} required value={val('name')} errors={errors} />
      <TextArea name="description" label={v.t('networks.field.description')} value={val('description')} errors={errors} />
      <Select name="convener_organization_id" label={v.t('networks.field.convener')} hint={v.t('networks.field.convener.hint')} required blank={v.t('networks.choose')} value={val('convener_organization_id')} options={orgs.map((o) => ({ value: o.id, label: o.name }))} errors={errors} />
      <Select name="area_kind" label={v.t('networks.field.area_kind')} required value={val('area_kind') ?? 'regions'} options={AREA_KINDS.map((k) => ({ value: k, label: v.t(`networks.area_kind.${k}`) }))} errors={errors} />
      <TextInput name="states" label={v.t('networks.field.states')} hint={v.t('networks.field.states.hint')} value={list(values.states).join(', ')} errors={errors} />
      <TextInput name="counties" label={v.t('networks.field.counties')} hint={v.t('networks.field.counties.hint')} value={list(values.counties).join(', ')} errors={errors} />
      <TextInput name="center_lat" label={v.t('networks.field.center_lat')} hint={v.t('networks.field.center.hint')} inputmode="decimal" value={val('center_lat')} errors={errors} />
      <TextInput name="center_lng" label={v.t('networks.field.center_lng')} inputmode="decimal" value={val('center_lng')} errors={errors} />
      <TextInput name="radius_miles" label={v.t('networks.field.radius_miles')} inputmode="decimal" value={val('radius_miles')} errors={errors} />
      <Checkboxes name="needs" label={v.t('networks.field.needs')} hint={v.t('networks.field.needs.hint')} values={list(values.needs)} options={NEED_CODES.map((c) => ({ value: c, label: needLabel(v, c) }))} errors={errors} />
    </FormShell>
  );
}

function networkValues(n: Network): Values {
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

interface EditTarget {
  action: string;
  title: string;
}

function MemberForm({ v, n, values, errors, orgs, edit }: { v: View; n: Network; values: Values; errors?: FieldError[]; orgs: { id: string; name: string }[]; edit?: EditTarget & { member: string } }) {
  const taken = new Set(n.members.map((m) => m.directory_organization_id));
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={edit?.title ?? v.t('networks.member.add')} action={edit?.action ?? `/networks/${n.id}/members/new`} errors={errors} cancel={`/networks/${n.id}`} crumbItems={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      {edit ? (
        <p>
          {v.t('networks.field.organization')}: <strong>{edit.member}</strong>
        </p>
      ) : (
        <Select name="directory_organization_id" label={v.t('networks.field.organization')} required blank={v.t('networks.choose')} value={val('directory_organization_id')} options={orgs.filter((o) => !taken.has(o.id)).map((o) => ({ value: o.id, label: o.name }))} errors={errors} />
      )}
      <Select name="role" label={v.t('networks.field.role')} required blank={v.t('networks.choose')} value={val('role')} options={MEMBER_ROLES.map((r) => ({ value: r, label: roleLabel(v, r) }))} errors={errors} />
      <TextInput name="joined_on" type="date" label={v.t('networks.field.joined_on')} value={val('joined_on')} errors={errors} />
      <TextArea name="note" label={v.t('networks.field.note')} value={val('note')} errors={errors} />
    </FormShell>
  );
}

function AgreementForm({ v, n, values, errors, edit }: { v: View; n: Network; values: Values; errors?: FieldError[]; edit?: EditTarget }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={edit?.title ?? v.t('networks.agreement.add')} action={edit?.action ?? `/networks/${n.id}/agreements/new`} errors={errors} cancel={`/networks/${n.id}`} crumbItems={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      <TextInput name="title" label={v.t('networks.field.title')} hint={v.t('networks.field.title.hint')} required value={val('title')} errors={errors} />
      <Select name="directory_organization_id" label={v.t('networks.field.party')} blank={v.t('networks.party.network')} value={val('directory_organization_id')} options={n.members.map((m) => ({ value: m.directory_organization_id, label: m.name }))} errors={errors} />
      <Checkboxes name="on_file" label={v.t('networks.field.on_file')} values={list(values.on_file)} options={[{ value: 'true', label: v.t('networks.field.on_file.yes') }]} errors={errors} />
      <TextInput name="signed_on" type="date" label={v.t('networks.field.signed_on')} value={val('signed_on')} errors={errors} />
      <TextInput name="expires_on" type="date" label={v.t('networks.field.expires_on')} value={val('expires_on')} errors={errors} />
      <TextArea name="note" label={v.t('networks.field.note')} value={val('note')} errors={errors} />
    </FormShell>
  );
}

function ContactForm({ v, n, values, errors, edit }: { v: View; n: Network; values: Values; errors?: FieldError[]; edit?: EditTarget }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormShell v={v} title={edit?.title ?? v.t('networks.contact.add')} action={edit?.action ?? `/networks/${n.id}/contacts/new`} errors={errors} cancel={`/networks/${n.id}`} crumbItems={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      <TextInput name="name" label={v.t('networks.field.person')} required autocomplete="off" value={val('name')} errors={errors} />
      <TextInput name="title" label={v.t('networks.field.person_title')} value={val('title')} errors={errors} />
      <Select name="directory_organization_id" label={v.t('networks.field.organization')} blank={v.t('networks.none')} value={val('directory_organization_id')} options={n.members.map((m) => ({ value: m.directory_organization_id, label: m.name }))} errors={errors} />
      <TextInput name="email" type="email" label={v.t('networks.field.email')} autocomplete="off" value={val('email')} errors={errors} />
      <TextInput name="phone" type="tel" label={v.t('networks.field.phone')} autocomplete="off" value={val('phone')} errors={errors} />
    </FormShell>
  );
}

// ---------- routes ----------

async function loadOr404(req: FastifyRequest): Promise<Network> {
  const n = await store.getNetwork(req.ctx.db, (req.params as { id: string }).id);
  if (!n) throw notFound();
  return store.networkFor(req.ctx, n);
}

/** The network, for pages that change it: 404 first (so that ids reveal nothing new), then 403 without the right. */
async function editable(req: FastifyRequest): Promise<Network> {
  const n = await loadOr404(req);
  if (!n.viewer.can_edit) throw forbidden("Only the network's convener and network managers may change it.");
  return n;
}

/** Runs a form's command; on invalid input re-renders the form with the errors and the input, status 400. */
async function submit(reply: FastifyReply, run: () => Promise<string>, again: (errors: FieldError[]) => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return reply.redirect(await run(), 303);
  } catch (err) {
    const errors = formErrors(err);
    if (!errors) throw err;
    return again(errors);
  }
}

export async function networksPages(app: FastifyInstance): Promise<void> {
  app.get('/networks', { config: PUBLIC, schema: { ...hidden, querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 10 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }) } }, async (req, reply) => {
    const q = req.query as { state?: string; page?: number };
    const page = q.page ?? 1;
    const perPage = 50;
    const all = await store.listNetworks(req.ctx.db, { state: q.state || undefined });
    const v = req.view();
    return reply.page(v.t('networks.title'), <ListPage v={v} items={all.slice((page - 1) * perPage, page * perPage)} total={all.length} page={page} perPage={perPage} state={q.state?.toUpperCase() || undefined} />);
  });

  app.get('/networks/national', { config: PUBLIC, schema: { ...hidden, querystring: CoverageForm } }, async (req, reply) => {
    const f = filterOf(req.query as never);
    const c = await statesCoverage(req.ctx, { distance: f.distance, needs: f.needs });
    const v = req.view();
    return reply.page(v.t('networks.national.title'), <NationalPage v={v} f={f} c={c} />, f.errors.length ? 400 : 200);
  });

  const newPage = async (req: FastifyRequest, reply: FastifyReply, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const orgs = await organizationChoices(req.ctx.db);
    return reply.page(v.t('networks.new'), <NetworkForm v={v} values={values} errors={errors} orgs={orgs} action="/networks" title={v.t('networks.new')} cancel="/networks" />, errors ? 400 : 200);
  };
  app.get('/networks/new', { config: MANAGERS, schema: hidden }, async (req, reply) => newPage(req, reply, { area_kind: 'regions' }));
  app.post('/networks', { config: MANAGERS, schema: hidden }, async (req, reply) =>
    submit(
      reply,
      async () => `/networks/${(await commands.createNetwork(req.ctx, networkInput(formBody(req.body), false), { coerce: true })).id}`,
      (errors) => newPage(req, reply, rawValues(req.body), errors),
    ),
  );

  app.get('/networks/:id', { config: PUBLIC, schema: { ...hidden, params: IdParam, querystring: CoverageForm } }, async (req, reply) => {
    const n = await loadOr404(req);
    const f = filterOf(req.query as never);
    const c = await networkCoverage(req.ctx, n, { distance: f.distance, scope: f.scope });
    const v = req.view();
    return reply.page(n.name, <DetailPage v={v} n={n} f={f} c={c} />, f.errors.length ? 400 : 200);
  });

  const editPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const orgs = await organizationChoices(req.ctx.db);
    const title = v.t('networks.edit.title', { name: n.name });
    return reply.page(title, <NetworkForm v={v} values={values} errors={errors} orgs={orgs} action={`/networks/${n.id}/edit`} title={title} cancel={`/networks/${n.id}`} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/edit', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await editable(req);
    return editPage(req, reply, n, networkValues(n));
  });
  app.post('/networks/:id/edit', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await editable(req);
    return submit(
      reply,
      async () => `/networks/${(await commands.updateNetwork(req.ctx, n.id, networkInput(formBody(req.body), true), { coerce: true })).id}`,
      (errors) => editPage(req, reply, n, rawValues(req.body), errors),
    );
  });

  app.post('/networks/:id/retire', { config: MANAGERS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await loadOr404(req);
    await commands.retireNetwork(req.ctx, n.id, formBody(req.body), { coerce: true });
    return reply.redirect(`/networks/${n.id}`, 303);
  });

  // ---- members ----
  const memberPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const orgs = await organizationChoices(req.ctx.db);
    return reply.page(v.t('networks.member.add'), <MemberForm v={v} n={n} values={values} errors={errors} orgs={orgs} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/members/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => memberPage(req, reply, await editable(req), {}));
  app.post('/networks/:id/members/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await editable(req);
    return submit(
      reply,
      async () => {
        await commands.addMember(req.ctx, n.id, formBody(req.body), { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => memberPage(req, reply, n, rawValues(req.body), errors),
    );
  });
  const MemberParam = Type.Object({ id: Type.String({ format: 'uuid' }), organizationId: Type.String({ format: 'uuid' }) });
  const memberOf = (n: Network, req: FastifyRequest) => {
    const m = n.members.find((x) => x.directory_organization_id === (req.params as { organizationId: string }).organizationId);
    if (!m) throw notFound();
    return m;
  };
  const memberEditPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, m: Member, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const title = v.t('networks.member.edit', { name: m.name });
    const edit = { action: `/networks/${n.id}/members/${m.directory_organization_id}/edit`, title, member: m.name };
    return reply.page(title, <MemberForm v={v} n={n} values={values} errors={errors} orgs={[]} edit={edit} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/members/:organizationId/edit', { config: EDITORS, schema: { ...hidden, params: MemberParam } }, async (req, reply) => {
    const n = await editable(req);
    const m = memberOf(n, req);
    return memberEditPage(req, reply, n, m, { role: m.role, joined_on: m.joined_on ?? '', note: m.note ?? '' });
  });
  app.post('/networks/:id/members/:organizationId/edit', { config: EDITORS, schema: { ...hidden, params: MemberParam } }, async (req, reply) => {
    const n = await editable(req);
    const m = memberOf(n, req);
    const form = formBody(req.body);
    return submit(
      reply,
      async () => {
        await commands.updateMember(req.ctx, n.id, m.directory_organization_id, { role: form.role, joined_on: form.joined_on ?? null, note: form.note ?? null }, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => memberEditPage(req, reply, n, m, rawValues(req.body), errors),
    );
  });
  app.post('/networks/:id/members/:organizationId/remove', { config: EDITORS, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }), organizationId: Type.String({ format: 'uuid' }) }) } }, async (req, reply) => {
    const p = req.params as { id: string; organizationId: string };
    await commands.removeMember(req.ctx, p.id, p.organizationId);
    return reply.redirect(`/networks/${p.id}`, 303);
  });

  // ---- agreements ----
  const agreementPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    return reply.page(v.t('networks.agreement.add'), <AgreementForm v={v} n={n} values={values} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/agreements/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => agreementPage(req, reply, await editable(req), {}));
  app.post('/networks/:id/agreements/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await editable(req);
    const form = formBody(req.body);
    return submit(
      reply,
      async () => {
        await commands.addAgreement(req.ctx, n.id, { ...form, on_file: list(form.on_file).includes('true') }, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => agreementPage(req, reply, n, rawValues(req.body), errors),
    );
  });
  const AgreementParam = Type.Object({ id: Type.String({ format: 'uuid' }), agreementId: Type.String({ format: 'uuid' }) });
  const agreementOf = async (n: Network, req: FastifyRequest) => {
    const a = await store.getAgreement(req.ctx.db, n.id, (req.params as { agreementId: string }).agreementId);
    if (!a) throw notFound();
    return a;
  };
  const agreementEditPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, a: Agreement, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const title = v.t('networks.agreement.edit', { name: a.title });
    return reply.page(title, <AgreementForm v={v} n={n} values={values} errors={errors} edit={{ action: `/networks/${n.id}/agreements/${a.id}/edit`, title }} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/agreements/:agreementId/edit', { config: EDITORS, schema: { ...hidden, params: AgreementParam } }, async (req, reply) => {
    const n = await editable(req);
    const a = await agreementOf(n, req);
    return agreementEditPage(req, reply, n, a, { title: a.title, directory_organization_id: a.directory_organization_id ?? '', on_file: a.on_file ? ['true'] : [], signed_on: a.signed_on ?? '', expires_on: a.expires_on ?? '', note: a.note ?? '' });
  });
  app.post('/networks/:id/agreements/:agreementId/edit', { config: EDITORS, schema: { ...hidden, params: AgreementParam } }, async (req, reply) => {
    const n = await editable(req);
    const a = await agreementOf(n, req);
    const form = formBody(req.body);
    const input = { title: form.title, directory_organization_id: form.directory_organization_id ?? null, on_file: list(form.on_file).includes('true'), signed_on: form.signed_on ?? null, expires_on: form.expires_on ?? null, note: form.note ?? null };
    return submit(
      reply,
      async () => {
        await commands.updateAgreement(req.ctx, n.id, a.id, input, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => agreementEditPage(req, reply, n, a, rawValues(req.body), errors),
    );
  });
  app.post('/networks/:id/agreements/:agreementId/remove', { config: EDITORS, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }), agreementId: Type.String({ format: 'uuid' }) }) } }, async (req, reply) => {
    const p = req.params as { id: string; agreementId: string };
    await commands.removeAgreement(req.ctx, p.id, p.agreementId);
    return reply.redirect(`/networks/${p.id}`, 303);
  });

  // ---- contacts ----
  const contactPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    return reply.page(v.t('networks.contact.add'), <ContactForm v={v} n={n} values={values} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/contacts/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => contactPage(req, reply, await editable(req), {}));
  app.post('/networks/:id/contacts/new', { config: EDITORS, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const n = await editable(req);
    return submit(
      reply,
      async () => {
        await commands.addContact(req.ctx, n.id, formBody(req.body), { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => contactPage(req, reply, n, rawValues(req.body), errors),
    );
  });
  const ContactParam = Type.Object({ id: Type.String({ format: 'uuid' }), contactId: Type.String({ format: 'uuid' }) });
  const contactOf = async (n: Network, req: FastifyRequest) => {
    const c = await store.getContact(req.ctx.db, n.id, (req.params as { contactId: string }).contactId);
    if (!c) throw notFound();
    return c;
  };
  const contactEditPage = async (req: FastifyRequest, reply: FastifyReply, n: Network, c: Contact, values: Values, errors?: FieldError[]) => {
    const v = req.view();
    const title = v.t('networks.contact.edit', { name: c.name });
    return reply.page(title, <ContactForm v={v} n={n} values={values} errors={errors} edit={{ action: `/networks/${n.id}/contacts/${c.id}/edit`, title }} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/contacts/:contactId/edit', { config: EDITORS, schema: { ...hidden, params: ContactParam } }, async (req, reply) => {
    const n = await editable(req);
    const c = await contactOf(n, req);
    return contactEditPage(req, reply, n, c, { name: c.name, title: c.title ?? '', directory_organization_id: c.directory_organization_id ?? '', email: c.email ?? '', phone: c.phone ?? '' });
  });
  app.post('/networks/:id/contacts/:contactId/edit', { config: EDITORS, schema: { ...hidden, params: ContactParam } }, async (req, reply) => {
    const n = await editable(req);
    const c = await contactOf(n, req);
    const form = formBody(req.body);
    const input = { name: form.name, title: form.title ?? null, directory_organization_id: form.directory_organization_id ?? null, email: form.email ?? null, phone: form.phone ?? null };
    return submit(
      reply,
      async () => {
        await commands.updateContact(req.ctx, n.id, c.id, input, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => contactEditPage(req, reply, n, c, rawValues(req.body), errors),
    );
  });
  app.post('/networks/:id/contacts/:contactId/remove', { config: EDITORS, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }), contactId: Type.String({ format: 'uuid' }) }) } }, async (req, reply) => {
    const p = req.params as { id: string; contactId: string };
    await commands.removeContact(req.ctx, p.id, p.contactId);
    return reply.redirect(`/networks/${p.id}`, 303);
  });
}
