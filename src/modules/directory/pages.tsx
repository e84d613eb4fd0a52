import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { hidden, IdParams, Uuid } from '../../platform/http/schemas.ts';
import { FormPost, PageNumber } from './schema.ts';
import type { ComponentChildren } from 'preact';
import type { FieldError } from '../../platform/http/errors.ts';
import { notFound } from '../../platform/http/errors.ts';
import { formErrors } from '../../platform/http/forms.ts';
import { formBody } from '../../platform/http/validation.ts';
import { listOrganizations } from '../../platform/auth/index.ts';
import type { View } from '../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, ErrorSummary, Pager, Select, SubmitButton, Table, TextInput } from '../../platform/web/components.tsx';
import { verifyService } from './commands.ts';
import { MANAGE, PROPOSE } from './permissions.ts';
import { addSteward, listStewards, removeSteward } from './stewards.ts';
import { canEdit } from './editing.ts';
import { StewardSection } from './editing-pages.tsx';
import { Graph, hidesLocation, organizationsFull, type Audience } from './hsds.ts';
import { searchServices, resolvePlace, PlaceError, type SearchParams, type SearchResult, type Hit } from './search.ts';
import { TERMS, FACETS, type Facet } from './taxonomy.ts';
import { TABLES, TABLE_NAMES, type Row, type TableName } from './model.ts';
import { audienceOf } from './api.ts';
import { exportJson, exportTables, csvOf } from './export.ts';
import { rowsWhereIn, unverifiedServices } from './store.ts';
import { UsMap, type UsMapPoint } from '../../platform/web/us-map.tsx';

const PUBLIC = { access: 'public', publicCache: true } as const;
const Str = Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })]));
const SearchQuery = Type.Object({
  q: Str,
  near: Str,
  radius: Str,
  need: Str,
  population: Str,
  language: Str,
  options: Str,
  page: PageNumber,
});
type SearchQuery = Static<typeof SearchQuery>;
const RADII = ['5', '10', '25', '50', '100'];
const LANGUAGES: [string, string][] = [
  ['en', 'English'],
  ['es', 'Español'],
  ['fr', 'Français'],
  ['zh', '中文'],
  ['vi', 'Tiếng Việt'],
  ['ko', '한국어'],
  ['am', 'አማርኛ'],
  ['ar', 'العربية'],
  ['pt', 'Português'],
  ['ht', 'Kreyòl ayisyen'],
  ['tl', 'Tagalog'],
  ['ru', 'Русский'],
];
const PER_PAGE = 20;
const DAY_NAMES: Record<string, Record<string, string>> = {
  en: { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' },
  es: { MO: 'lun', TU: 'mar', WE: 'mié', TH: 'jue', FR: 'vie', SA: 'sáb', SU: 'dom' },
};

const first = (x: unknown): string | undefined => (Array.isArray(x) ? (x[0] as string | undefined) : typeof x === 'string' ? x : undefined)?.trim() || undefined;
const all = (x: unknown): string[] => (Array.isArray(x) ? x : typeof x === 'string' ? [x] : []).map((s) => String(s).trim()).filter(Boolean);

// ---------- what a person needs to know about one service ----------

export interface Card {
  id: string;
  name: string;
  status: string;
  description?: string;
  organization?: { id: string; name: string };
  address?: string;
  confidential: boolean;
  approximate: boolean;
  phone?: string;
  hours: string[];
  languages: string[];
  verified?: string;
  distance?: number;
  point?: { lat: number; lng: number };
  eligibility?: string;
  cost?: string;
  apply?: string;
  url?: string;
  email?: string;
  capacity: string[];
}

function hoursOf(rows: Row[], lang: string): string[] {
  const names = DAY_NAMES[lang] ?? DAY_NAMES.en;
  return rows
    .map((s) => {
      const days = typeof s.byday === 'string' && s.byday ? s.byday.split(',').map((d) => names[d.trim().slice(-2)] ?? d).join(', ') : '';
      const times = s.opens_at && s.closes_at ? `${s.opens_at}–${s.closes_at}` : '';
      return [days, times, !days && !times ? (s.description as string | undefined) : ''].filter(Boolean).join(' ');
    })
    .filter(Boolean);
}

function addressOf(a: Row | undefined): string | undefined {
  if (!a) return undefined;
  return [a.address_1, a.address_2, a.city, [a.state_province, a.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

function cardOf(g: Graph, s: Row, a: Audience, v: View, hit?: Hit): Card {
  const sals = g.many('service_at_location', 'service_id', s.id);
  const preferred = hit?.locationId ? sals.find((x) => x.location_id === hit.locationId) : undefined;
  const visible = sals.map((x) => g.one('location', x.location_id)).filter((l): l is Row => Boolean(l));
  const loc = (preferred ? g.one('location', preferred.location_id) : undefined) ?? visible.find((l) => !hidesLocation(l, a)) ?? visible[0];
  const hiddenLoc = hidesLocation(loc, a);
  const org = g.one('organization', s.organization_id);
  const orgPhone = g.many('phone', 'organization_id', s.organization_id).find((p) => !p.location_id || !hidesLocation(g.one('location', p.location_id), a));
  const svcPhone = g.many('phone', 'service_id', s.id).find((p) => !p.location_id || !hidesLocation(g.one('location', p.location_id), a));
  const locPhone = loc && !hiddenLoc ? g.many('phone', 'location_id', loc.id)[0] : undefined;
  const phone = hiddenLoc ? (orgPhone ?? svcPhone) : (svcPhone ?? locPhone ?? orgPhone);
  const languages = [...new Set(g.many('language', 'service_id', s.id).map((l) => String(l.name ?? l.code ?? '')))].filter(Boolean);
  const costs = g.many('cost_option', 'service_id', s.id).map((c) => [c.option, c.amount !== null && c.amount !== undefined ? `${c.amount} ${c.currency ?? ''}`.trim() : '', c.amount_description].filter(Boolean).join(' — '));
  const capacity = g.many('service_capacity', 'service_id', s.id).map((c) =>
    v.t('directory.capacity.now', { available: String(c.available), maximum: String(c.maximum ?? '?'), unit: String(g.one('unit', c.unit_id)?.name ?? ''), updated: String(c.updated).slice(0, 10) }),
  );
  return {
    id: s.id as string,
    name: s.name as string,
    status: s.status as string,
    description: (s.description as string | null) ?? undefined,
    organization: org ? { id: org.id as string, name: org.name as string } : undefined,
    address: loc && !hiddenLoc ? addressOf(g.many('address', 'location_id', loc.id).find((x) => x.address_type !== 'postal') ?? g.many('address', 'location_id', loc.id)[0]) : undefined,
    confidential: Boolean(loc?.confidential),
    approximate: Boolean(loc && !hiddenLoc && loc.coordinates_approximate),
    phone: phone ? `${phone.number}${phone.extension ? ` ext. ${phone.extension}` : ''}` : undefined,
    hours: hoursOf([...g.many('schedule', 'service_id', s.id), ...(loc && !hiddenLoc ? g.many('schedule', 'location_id', loc.id) : [])], v.lang),
    languages,
    verified: (s.assured_date as string | null) ?? undefined,
    distance: hit?.distance,
    point: loc && !hiddenLoc && typeof loc.latitude === 'number' ? { lat: loc.latitude as number, lng: loc.longitude as number } : undefined,
    eligibility: (s.eligibility_description as string | null) ?? undefined,
    cost: [s.fees_description as string | null, ...costs].filter(Boolean).join('; ') || undefined,
    apply: (s.application_process as string | null) ?? undefined,
    url: (s.url as string | null) ?? undefined,
    email: (s.email as string | null) ?? undefined,
    capacity,
  };
}

function Facts({ v, c }: { v: View; c: Card }) {
  return (
    <dl class="directory-facts">
      {c.distance !== undefined && (
        <div>
          <dt class="usa-sr-only">{v.t('directory.distance', { d: '' })}</dt>
          <dd class="text-bold">{v.t('directory.distance', { d: c.distance.toFixed(1) })}</dd>
        </div>
      )}
      <div>
        <dt>{v.t('directory.address')}</dt>
        <dd>{c.address ?? (c.confidential ? v.t('directory.confidential') : '—')}{c.approximate && <span class="usa-hint"> ({v.t('directory.approximate')})</span>}</dd>
      </div>
      <div>
        <dt>{v.t('directory.phone')}</dt>
        <dd>{c.phone ? <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a> : '—'}</dd>
      </div>
      <div>
        <dt>{v.t('directory.hours')}</dt>
        <dd>{c.hours.length ? c.hours.join('; ') : '—'}</dd>
      </div>
      <div>
        <dt>{v.t('directory.languages')}</dt>
        <dd>{c.languages.length ? c.languages.join(', ') : '—'}</dd>
      </div>
      <div>
        <dt>{v.t('directory.verified')}</dt>
        <dd>{c.verified ?? v.t('directory.not_verified')}</dd>
      </div>
    </dl>
  );
}

// ---------- the map ----------

/**
 * The results as dots over the states' outlines (platform/web/us-map.tsx, Mercator fitted to the results), with the
 * searched place as a square and the search radius as a dashed circle. The list beside it is the text alternative.
 */
export function ResultsMap({ v, cards, origin, radius }: { v: View; cards: Card[]; origin?: { lat: number; lng: number }; radius?: number }) {
  const pts = cards.filter((c) => c.point);
  if (!pts.length) return null;
  const points: UsMapPoint[] = [...pts.map((c) => ({ ...c.point!, label: c.name, kind: 'site' as const })), ...(origin ? [{ ...origin, label: v.t('directory.map.origin'), kind: 'place' as const }] : [])];
  return (
    <UsMap
      id="directory-map"
      level="state"
      title={v.t('directory.map.title')}
      description={v.t('directory.map.desc')}
      points={points}
      focus={points}
      circle={origin && radius ? { ...origin, miles: radius } : undefined}
      width={600}
      height={360}
    />
  );
}

// ---------- the search page ----------

interface SearchInput {
  q?: string;
  near?: string;
  radius?: string;
  need?: string;
  population?: string;
  language?: string;
  options: string[];
}

function SearchPage({ v, input, errors, result, cards, page, canDownload }: { v: View; input: SearchInput; errors: FieldError[]; result?: SearchResult; cards: Card[]; page: number; canDownload: boolean }) {
  const termOptions = (f: Facet) => TERMS[f].map((t) => ({ value: t.code.split('.')[1], label: v.t(`directory.term.${t.code}`) }));
  const facetLink = (f: Facet, code: string) => {
    const u = new URL(v.url, 'http://x');
    u.searchParams.set(f, code);
    u.searchParams.delete('page');
    return u.pathname + u.search;
  };
  return (
    <>
      <h1>{v.t('directory.title')}</h1>
      <p class="usa-intro">{v.t('directory.intro')}</p>
      <ErrorSummary v={v} errors={errors} />
      <form method="get" action="/directory" class="usa-form usa-form--large" role="search" aria-label={v.t('directory.title')}>
        <TextInput name="q" label={v.t('directory.q')} hint={v.t('directory.q.hint')} value={input.q} errors={errors} maxLength={200} />
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-6">
            <TextInput name="near" label={v.t('directory.near')} hint={v.t('directory.near.hint')} value={input.near} errors={errors} inputmode="numeric" autocomplete="postal-code" maxLength={60} />
          </div>
          <div class="tablet:grid-col-6">
            <Select name="radius" label={v.t('directory.radius')} value={input.radius ?? '25'} options={RADII.map((r) => ({ value: r, label: v.t('directory.miles', { n: r }) }))} errors={errors} />
          </div>
        </div>
        <Select name="need" label={v.t('directory.term.need')} value={input.need} blank={v.t('directory.any')} options={termOptions('need')} errors={errors} />
        <Select name="population" label={v.t('directory.term.population')} value={input.population} blank={v.t('directory.any')} options={termOptions('population')} errors={errors} />
        <Select name="language" label={v.t('directory.language')} value={input.language} blank={v.t('directory.any')} options={LANGUAGES.map(([value, label]) => ({ value, label }))} errors={errors} />
        <Checkboxes
          name="options"
          label={v.t('directory.options')}
          values={input.options}
          options={[
            { value: 'free', label: v.t('directory.free') },
            { value: 'open_now', label: v.t('directory.open_now') },
            { value: 'accepts_referrals', label: v.t('directory.referrals') },
            { value: 'capacity_available', label: v.t('directory.capacity') },
          ]}
          errors={errors}
        />
        <SubmitButton>{v.t('directory.search')}</SubmitButton>
      </form>
      {result && (
        <section aria-labelledby="directory-results" class="margin-top-4">
          <h2 id="directory-results">
            {result.origin ? v.t('directory.results.near', { n: result.total, r: input.radius ?? '25', place: result.origin.label }) : v.t('directory.results', { n: result.total })}
          </h2>
          {result.total === 0 && <Alert type="info" slim>{v.t('directory.none')}</Alert>}
          <ResultsMap v={v} cards={cards} origin={result.origin} radius={result.origin ? Number(input.radius ?? 25) : undefined} />
          <div class="grid-row grid-gap">
            <div class="tablet:grid-col-8">
              <ol class="usa-list usa-list--unstyled" start={(page - 1) * PER_PAGE + 1}>
                {cards.map((c) => (
                  <li class="border-bottom-1px border-base-lighter padding-y-2">
                    <h3 class="margin-y-05">
                      <a href={`/directory/services/${c.id}`}>{c.name}</a>
                    </h3>
                    {c.organization && <p class="margin-y-05 text-base">{c.organization.name}</p>}
                    {c.description && <p class="margin-y-05">{c.description.length > 280 ? c.description.slice(0, 277) + '…' : c.description}</p>}
                    <Facts v={v} c={c} />
                  </li>
                ))}
              </ol>
              <Pager v={v} page={page} perPage={PER_PAGE} total={result.total} />
            </div>
            <div class="tablet:grid-col-4">
              <h2 class="font-heading-md">{v.t('directory.facets')}</h2>
              {FACETS.map((f) => {
                const counts = result.facets[f];
                const entries = TERMS[f].filter((t) => counts[t.code]);
                if (!entries.length) return null;
                return (
                  <>
                    <h3 class="font-heading-sm">{v.t(`directory.term.${f}`)}</h3>
                    <ul class="usa-list usa-list--unstyled">
                      {entries.map((t) => (
                        <li>
                          <a href={facetLink(f, t.code.split('.')[1])}>
                            {v.t(`directory.term.${t.code}`)} ({counts[t.code]})
                          </a>
                        </li>
                      ))}
                    </ul>
                  </>
                );
              })}
            </div>
          </div>
        </section>
      )}
      <p class="margin-top-4 usa-hint">{v.t('directory.api')}</p>
      {canDownload && (
        <section aria-labelledby="directory-download">
          <h2 id="directory-download" class="font-heading-md">{v.t('directory.download')}</h2>
          <ul class="usa-list">
            <li>
              <a href="/directory/download/services.json">{v.t('directory.download.json')}</a>
            </li>
            {(['organization', 'service', 'location', 'service_at_location', 'address', 'phone', 'schedule', 'taxonomy_term', 'attribute'] as TableName[]).map((t) => (
              <li>
                <a href={`/directory/download/${TABLES[t].file}`}>{v.t('directory.download.csv', { file: TABLES[t].file })}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function inputOf(q: SearchQuery): SearchInput {
  return { q: first(q.q), near: first(q.near), radius: first(q.radius), need: first(q.need), population: first(q.population), language: first(q.language), options: all(q.options) };
}

async function searchPage(req: FastifyRequest, reply: FastifyReply, q: SearchQuery) {
  const v = req.view();
  const input = inputOf(q);
  const errors: FieldError[] = [];
  const page = q.page ?? 1;
  if (input.near) {
    try {
      resolvePlace(input.near);
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      errors.push({ field: 'near', message: err.message });
    }
  }
  if (input.radius && !RADII.includes(input.radius)) errors.push({ field: 'radius', message: `must be one of: ${RADII.join(', ')}` });
  if (input.need && !TERMS.need.some((t) => t.code === `need.${input.need}`)) errors.push({ field: 'need', message: 'is not a known need' });
  if (input.population && !TERMS.population.some((t) => t.code === `population.${input.population}`)) errors.push({ field: 'population', message: 'is not a known population' });
  if (input.language && !/^[a-z]{2,3}$/.test(input.language)) errors.push({ field: 'language', message: 'is not a language code' });
  const known = ['free', 'open_now', 'accepts_referrals', 'capacity_available'];
  if (input.options.some((o) => !known.includes(o))) errors.push({ field: 'options', message: `must be among: ${known.join(', ')}` });
  const canDownload = Boolean(req.actor);
  if (errors.length) return reply.page(v.t('directory.title'), <SearchPage v={v} input={input} errors={errors} cards={[]} page={1} canDownload={canDownload} />, 400);
  const a = audienceOf(req);
  const p: SearchParams = {
    q: input.q,
    near: input.near,
    radius: input.near ? Number(input.radius ?? 25) : undefined,
    need: input.need ? [input.need] : undefined,
    population: input.population ? [input.population] : undefined,
    language: input.language ? [input.language] : undefined,
    free: input.options.includes('free'),
    openNow: input.options.includes('open_now'),
    referrals: input.options.includes('accepts_referrals'),
    capacity: input.options.includes('capacity_available'),
    page,
    perPage: PER_PAGE,
    vetted: a.vetted,
  };
  const result = await searchServices(req.ctx.db, req.ctx.dbKind, p);
  const g = new Graph(req.ctx.db);
  const ids = result.hits.map((h) => h.serviceId);
  const rows = await g.services(ids, true);
  await g.attributes([]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  await loadOrgPhones(g, rows);
  const cards = result.hits.filter((h) => byId.has(h.serviceId)).map((h) => cardOf(g, byId.get(h.serviceId)!, a, v, h));
  return reply.page(v.t('directory.title'), <SearchPage v={v} input={input} errors={[]} result={result} cards={cards} page={page} canDownload={canDownload} />);
}

/** Organisation phones, shown in place of a confidential location's. */
async function loadOrgPhones(g: Graph, services: Row[]) {
  const phones = await rowsWhereIn(g.db, 'phone', 'organization_id', services.map((s) => s.organization_id as string));
  const existing = g.rows.get('phone') ?? [];
  const seen = new Set(existing.map((p) => p.id));
  g.rows.set('phone', [...existing, ...phones.filter((p) => !seen.has(p.id))]);
  g.by.clear();
}

// ---------- service and organisation pages ----------

function ServicePage({ v, c, editable }: { v: View; c: Card; editable: boolean }) {
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: c.name }]} />
      <h1>{c.name}</h1>
      {c.status !== 'active' && <Alert type="warning" slim>{v.t('directory.status.inactive')}</Alert>}
      {c.organization && (
        <p>
          {v.t('directory.organization')}: <a href={`/directory/organizations/${c.organization.id}`}>{c.organization.name}</a>
        </p>
      )}
      {c.description && <p class="usa-intro">{c.description}</p>}
      <Facts v={v} c={c} />
      {v.can(MANAGE) && (
        <ActionButton v={v} action={`/directory/services/${c.id}/verify`} secondary>
          {v.t('directory.verify')}
        </ActionButton>
      )}
      {/* The referrals module's permission, by name: the directory does not import referrals, which import it. */}
      {v.can('referrals.send') && (
        <p>
          <a href={`/referrals/new?service_id=${c.id}`} class="usa-button usa-button--small">
            {v.t('directory.refer')}
          </a>
        </p>
      )}
      {editable && (
        <p>
          <a href={`/directory/services/${c.id}/edit`} class="usa-button usa-button--outline usa-button--small">
            {v.t('directory.edit.propose')}
          </a>
        </p>
      )}
      {c.capacity.length > 0 && (
        <>
          <h2>{v.t('directory.capacity')}</h2>
          <ul class="usa-list">{c.capacity.map((x) => <li>{x}</li>)}</ul>
        </>
      )}
      <h2>{v.t('directory.eligibility')}</h2>
      <p>{c.eligibility ?? '—'}</p>
      <h2>{v.t('directory.cost')}</h2>
      <p>{c.cost ?? '—'}</p>
      <h2>{v.t('directory.apply')}</h2>
      <p>{c.apply ?? '—'}</p>
      {(c.url || c.email) && (
        <ul class="usa-list">
          {c.url && /^https?:\/\//i.test(c.url) && (
            <li>
              {v.t('directory.website')}: <a href={c.url}>{c.url}</a>
            </li>
          )}
          {c.email && (
            <li>
              {v.t('directory.email')}: <a href={`mailto:${c.email}`}>{c.email}</a>
            </li>
          )}
        </ul>
      )}
    </>
  );
}

function OrganizationPage({ v, org, services, editable, children }: { v: View; org: Record<string, unknown>; services: Card[]; editable: boolean; children?: ComponentChildren }) {
  const locations = (org.locations as Record<string, unknown>[]) ?? [];
  const phones = (org.phones as Record<string, unknown>[]) ?? [];
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: String(org.name) }]} />
      <h1>{String(org.name)}</h1>
      {org.description ? <p class="usa-intro">{String(org.description)}</p> : null}
      {editable && (
        <p>
          <a href={`/directory/organizations/${String(org.id)}/edit`} class="usa-button usa-button--outline usa-button--small">
            {v.t('directory.edit.propose')}
          </a>{' '}
          <a href="/directory/my">{v.t('directory.my.title')}</a>
        </p>
      )}
      <ul class="usa-list">
        {phones.map((p) => (
          <li>
            {v.t('directory.phone')}: {String(p.number)}
          </li>
        ))}
        {typeof org.website === 'string' && /^https?:\/\//i.test(org.website) && (
          <li>
            {v.t('directory.website')}: <a href={org.website}>{org.website}</a>
          </li>
        )}
        {typeof org.email === 'string' && (
          <li>
            {v.t('directory.email')}: <a href={`mailto:${org.email}`}>{org.email}</a>
          </li>
        )}
      </ul>
      <h2>{v.t('directory.services_of')}</h2>
      <ul class="usa-list">
        {services.map((c) => (
          <li>
            <a href={`/directory/services/${c.id}`}>{c.name}</a>
          </li>
        ))}
      </ul>
      <h2>{v.t('directory.locations')}</h2>
      <ul class="usa-list">
        {locations.map((l) => {
          const addr = ((l.addresses as Row[] | undefined) ?? [])[0];
          return <li>{l.confidential && !addr ? v.t('directory.confidential') : [l.name, addressOf(addr)].filter(Boolean).join(' — ')}</li>;
        })}
      </ul>
      {children}
    </>
  );
}

/** The organisation page; directory managers also get who acts for it, with add and remove. */
async function organizationPage(req: FastifyRequest, reply: FastifyReply, id: string, stewardErrors: FieldError[] = [], status = 200) {
  const a = audienceOf(req);
  const [org] = await organizationsFull(req.ctx.db, [id], a, false);
  if (!org) throw notFound('No such organization.');
  const g = new Graph(req.ctx.db);
  const svcRows = await req.ctx.db.selectFrom('directory_service').select('id').where('organization_id', '=', org.id as string).orderBy('name').execute();
  const rows = await g.services(svcRows.map((r) => r.id as string), true);
  const v = req.view();
  const editable = v.can(PROPOSE) && (await canEdit(req.ctx, org.id as string));
  const stewards = v.can(MANAGE) ? (
    <StewardSection v={v} orgId={org.id as string} stewards={await listStewards(req.ctx.db, org.id as string)} choices={await listOrganizations(req.ctx.db)} errors={stewardErrors} />
  ) : null;
  return reply.page(
    String(org.name),
    <OrganizationPage v={v} org={org} services={rows.map((s) => cardOf(g, s, a, v))} editable={editable}>
      {stewards}
    </OrganizationPage>,
    status,
  );
}

export async function directoryPages(app: App) {
  app.get('/directory', { config: PUBLIC, schema: { ...hidden, querystring: SearchQuery } }, (req, reply) => searchPage(req, reply, req.query));

  app.get('/directory/services/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const g = new Graph(req.ctx.db);
    const [s] = await g.services([req.params.id], true);
    if (!s) throw notFound('No such service.');
    await loadOrgPhones(g, [s]);
    const v = req.view();
    const c = cardOf(g, s, audienceOf(req), v);
    const editable = v.can(PROPOSE) && (await canEdit(req.ctx, (s.organization_id as string | null) ?? null));
    return reply.page(c.name, <ServicePage v={v} c={c} editable={editable} />);
  });

  app.get('/directory/organizations/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, (req, reply) => organizationPage(req, reply, req.params.id));

  app.post('/directory/organizations/:id/stewards', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const org = await req.ctx.db.selectFrom('directory_organization').select('id').where('id', '=', id).executeTakeFirst();
    if (!org) throw notFound('No such organization.');
    try {
      await addSteward(req.ctx, { directory_organization_id: id, account_organization_id: formBody(req.body).account_organization_id ?? '' });
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return organizationPage(req, reply, id, errors, 400);
    }
    return reply.redirect(`/directory/organizations/${id}#stewards`);
  });

  app.post(
    '/directory/organizations/:id/stewards/:accountOrganizationId/remove',
    { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: Type.Object({ id: Uuid, accountOrganizationId: Uuid }) } },
    async (req, reply) => {
      const p = req.params;
      await removeSteward(req.ctx, { directory_organization_id: p.id, account_organization_id: p.accountOrganizationId });
      return reply.redirect(`/directory/organizations/${p.id}#stewards`);
    },
  );

  app.post('/directory/services/:id/verify', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const id = req.params.id;
    await verifyService(req.ctx, id);
    return reply.redirect(`/directory/services/${id}`);
  });

  app.get('/directory/unverified', { config: { access: { permission: MANAGE } }, schema: { ...hidden, querystring: Type.Object({ page: PageNumber }) } }, async (req, reply) => {
    const page = req.query.page ?? 1;
    const { items, total } = await unverifiedServices(req.ctx.db, 50, (page - 1) * 50);
    const v = req.view();
    return reply.page(
      v.t('directory.unverified.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.unverified.title') }]} />
        <h1>{v.t('directory.unverified.title')}</h1>
        <p>{v.t('directory.unverified.intro', { n: total })}</p>
        <Table
          v={v}
          caption={v.t('directory.unverified.title')}
          head={[v.t('directory.services_of'), v.t('directory.organization'), v.t('directory.verified')]}
          rows={items.map((i) => [<a href={`/directory/services/${i.id}`}>{i.name}</a>, i.organization ?? '—', i.assured_date ?? v.t('directory.not_verified')])}
        />
        <Pager v={v} page={page} perPage={50} total={total} />
      </>,
    );
  });

  const files = new Set(['services.json', ...TABLE_NAMES.map((t) => TABLES[t].file)]);
  app.get('/directory/download/:file', { config: { access: 'signed-in' }, schema: { ...hidden, params: Type.Object({ file: Type.String({ maxLength: 60 }) }) } }, async (req, reply) => {
    const file = req.params.file;
    if (!files.has(file)) throw notFound('No such file.');
    reply.header('content-disposition', `attachment; filename="${file}"`);
    // Downloads are the public view of the directory, whoever asks: confidential locations stay redacted.
    if (file === 'services.json') return reply.type('application/json').send(JSON.stringify((await exportJson(req.ctx.db))['services.json']));
    const table = TABLE_NAMES.find((t) => TABLES[t].file === file)!;
    const tables = await exportTables(req.ctx.db);
    return reply.type('text/csv; charset=utf-8').send(csvOf(table, tables.get(table) ?? []));
  });
}
