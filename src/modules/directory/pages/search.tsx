/** The directory's search page: the form, the results as a list and a map, and the facets. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { type View } from '../../../platform/web/view.ts';
import { Alert, Checkboxes, ErrorSummary, Pager, Select, SubmitButton, TextInput } from '../../../platform/web/components.tsx';
import { UsMap, mapLayout, MAX_ZOOM, type UsMapPoint, type UsMapProps } from '../../../platform/web/us-map.tsx';
import { formatDate, formatList } from '../../../platform/web/i18n.ts';
import { PageNumber } from '../schema.ts';
import { Graph } from '../hsds.ts';
import { searchServices, resolvePlace, PlaceError, type SearchParams, type SearchResult } from '../search.ts';
import { TERMS, FACETS, type Facet } from '../taxonomy.ts';
import { SORTS, type SearchSort } from '../relevance.ts';
import { TABLES, type TableName } from '../model.ts';
import { briefCardOf, distanceText, loadCards, type BriefCard } from '../presenters.ts';
import { referableOrganizations, searchAudience } from '../search-audience.ts';
import { languagesText, PUBLIC } from './shared.tsx';
import { LISTS } from '../permissions.ts';
import { dataVersion } from '../search-cache.ts';
import { countCacheLookup } from '../../../platform/ops/metrics.ts';
const Str = Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })]));
const SearchQuery = Type.Object({
  q: Str,
  near: Str,
  radius: Str,
  sort: Str,
  need: Str,
  population: Str,
  language: Str,
  options: Str,
  zoom: Str,
  center: Str,
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
/** This page's own field messages in Spanish (the platform translates the common ones, such as "must be one of"). */
const SEARCH_RULES: MessageRules = [
  [/^ZIP code (\d{5}) is not known$/, (_, z) => `el código postal ${z} no es conocido`],
  [/^coordinates are out of range$/, 'las coordenadas están fuera de rango'],
  [/^must be a 5-digit ZIP code or "latitude,longitude"$/, 'debe ser un código postal de 5 dígitos o "latitud,longitud"'],
  [/^is not a known need$/, 'no es una necesidad conocida'],
  [/^is not a known population$/, 'no es una población conocida'],
  [/^is not a language code$/, 'no es un código de idioma'],
  [/^must be among: (.*)$/, (_, l) => `debe estar entre: ${l}`],
  [/^must be a whole number from 0 to (\d+)$/, (_, n) => `debe ser un número entero de 0 a ${n}`],
  [/^must be "latitude,longitude"$/, 'debe ser "latitud,longitud"'],
];
/** The search's options as the form offers them (referable to signed-in people only). */
function optionsOf(v: View, signedIn: boolean): { value: string; label: string }[] {
  return [
    { value: 'free', label: v.t('directory.free') },
    { value: 'open_now', label: v.t('directory.open_now') },
    { value: 'accepts_referrals', label: v.t('directory.referrals') },
    { value: 'capacity_available', label: v.t('directory.capacity') },
    ...(signedIn ? [{ value: 'referable', label: v.t('directory.referable') }] : []),
  ];
}
const first = (x: unknown): string | undefined => (Array.isArray(x) ? (x[0] as string | undefined) : typeof x === 'string' ? x : undefined)?.trim() || undefined;
const all = (x: unknown): string[] => (Array.isArray(x) ? x : typeof x === 'string' ? [x] : []).map((s) => String(s).trim()).filter(Boolean);

// ---------- the map ----------

/** A link to this page with some query parameters changed (undefined removes one), to the map. */
function withParams(v: View, changes: Record<string, string | undefined>, hash = '#directory-map'): string {
  const u = new URL(v.url, 'http://x');
  for (const [k, val] of Object.entries(changes)) {
    if (val === undefined) u.searchParams.delete(k);
    else u.searchParams.set(k, val);
  }
  return u.pathname + u.search + hash;
}

const round4 = (n: number) => String(Math.round(n * 1e4) / 1e4);

/**
 * The page's results over state and county boundaries with their names (platform/web/us-map.tsx, Mercator fitted to
 * the results), the searched place as a square and the radius as a dashed circle. Sites close together on screen are
 * one marker with a count that zooms in on them (or, when they share a point, leads to the first of their cards);
 * every other marker leads to its result card. Zoom links re-render on the server; app.js does the same in place.
 */
export function ResultsMap({ v, cards, origin, radius, zoom, center }: { v: View; cards: BriefCard[]; origin?: { lat: number; lng: number }; radius?: number; zoom: number; center?: { lat: number; lng: number } }) {
  const pts = cards.filter((c) => c.point);
  if (!pts.length) return null;
  const sites: UsMapPoint[] = pts.map((c) => ({ ...c.point!, label: c.name, kind: 'site' as const, key: c.id, href: `#result-${c.id}` }));
  const points: UsMapPoint[] = [...sites, ...(origin ? [{ ...origin, label: v.t('directory.map.origin'), kind: 'place' as const }] : [])];
  const props: UsMapProps = {
    id: 'directory-map-svg',
    level: 'state',
    title: v.t('directory.map.title'),
    description: v.t('directory.map.description'),
    points,
    focus: points,
    circle: origin && radius ? { ...origin, miles: radius } : undefined,
    // About the width it is shown at beside the list (and on a phone), so that its text keeps close to its size.
    width: 400,
    height: 380,
    placeLabels: true,
    lang: v.lang,
    zoom,
    center,
    cluster: {
      name: (m) => v.t('directory.map.cluster', { n: m.length, names: formatList(v.lang, m.map((x) => x.label), 'unit') }),
      href: (c) => (c.zoomIn === null ? `#result-${c.members[0].key}` : withParams(v, { zoom: String(c.zoomIn), center: `${round4(c.lat)},${round4(c.lng)}` })),
    },
  };
  const outside = mapLayout(props).outside.length;
  const fitted = { zoom: undefined, center: undefined };
  return (
    <div id="directory-map" class="directory-map" tabindex={-1} data-directory-map>
      <UsMap {...props} />
      <ul class="usa-list usa-list--unstyled us-map__legend">
        <li>
          <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16">
            <circle cx="8" cy="8" r="6" fill="#b50909" stroke="#fff" stroke-width="1.5" />
          </svg>{' '}
          {v.t('directory.map.legend.site')}
        </li>
        <li>
          <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16">
            <circle cx="8" cy="8" r="7" fill="#1a4480" />
          </svg>{' '}
          {v.t('directory.map.legend.cluster')}
        </li>
        {origin && (
          <li>
            <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16">
              <rect x="2" y="2" width="12" height="12" fill="#1a4480" />
            </svg>{' '}
            {v.t('directory.map.legend.place')}
          </li>
        )}
      </ul>
      {outside > 0 && <p class="usa-hint margin-top-05">{v.t('directory.map.outside', { n: outside })}</p>}
      <ul class="usa-button-group margin-top-1" aria-label={v.t('directory.map.controls')}>
        {zoom < MAX_ZOOM && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" data-map-zoom href={withParams(v, { zoom: String(zoom + 1) })}>
              {v.t('directory.map.zoom_in')}
            </a>
          </li>
        )}
        {zoom > 0 && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" data-map-zoom href={withParams(v, zoom === 1 ? fitted : { zoom: String(zoom - 1) })}>
              {v.t('directory.map.zoom_out')}
            </a>
          </li>
        )}
        {zoom > 0 && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--unstyled" data-map-zoom href={withParams(v, fitted)}>
              {v.t('directory.map.fit')}
            </a>
          </li>
        )}
      </ul>
    </div>
  );
}

// ---------- a result ----------

/**
 * One result as a USWDS card: name and organisation; then what a person decides on (distance, open now, takes
 * referrals, beds free); the start of the description; address, phone and languages; when last verified. Nothing
 * that is empty is shown. The card is the target of its map marker (focusable, highlighted when selected).
 */
function ResultCard({ v, c }: { v: View; c: ResultCard }) {
  const tags = [
    c.distance !== undefined ? <span class="text-bold">{distanceText(v, c.distance)}</span> : null,
    c.within !== undefined ? <span class="text-bold">{v.t('directory.within', { n: String(c.within) })}</span> : null,
    c.open ? <span class={`usa-tag ${c.open.open ? 'bg-green' : 'bg-base-dark'}`}>{c.open.text}</span> : null,
    c.referable ? <span class="usa-tag bg-primary-dark">{v.t('directory.referable.badge')}</span> : null,
    ...c.free.map((f) => <span class="usa-tag bg-accent-cool-darker">{v.t('directory.card.free', { n: f.available, unit: f.unit })}</span>),
  ].filter(Boolean);
  const facts: [string, preact.ComponentChildren][] = [];
  if (c.address) facts.push([v.t('directory.address'), <>{c.address}{c.approximate && <span class="usa-hint"> ({v.t('directory.approximate')})</span>}</>]);
  else if (c.confidential) facts.push([v.t('directory.address'), v.t('directory.confidential')]);
  if (c.phone) facts.push([v.t('directory.phone'), <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a>]);
  if (c.languages.length) facts.push([v.t('directory.languages'), languagesText(v.lang, c.languages)]);
  return (
    <li class="usa-card grid-col-12 margin-bottom-2 directory-card" id={`result-${c.id}`} tabindex={-1}>
      <div class="usa-card__container">
        <div class="usa-card__header">
          <h3 class="usa-card__heading">
            <a href={`/directory/services/${c.id}`}>{c.name}</a>
          </h3>
          {c.organization && <p class="margin-y-05 text-base-dark">{c.organization.name}</p>}
        </div>
        <div class="usa-card__body">
          {tags.length > 0 && (
            <ul class="usa-list usa-list--unstyled directory-card__tags">
              {tags.map((x) => (
                <li>{x}</li>
              ))}
            </ul>
          )}
          {c.description && <p class="margin-y-1">{c.description.length > 200 ? c.description.slice(0, 197) + '…' : c.description}</p>}
          {facts.length > 0 && (
            <dl class="directory-card__facts">
              {facts.map(([dt, dd]) => (
                <div>
                  <dt>{dt}</dt>
                  <dd>{dd}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
        {c.verified && (
          <div class="usa-card__footer">
            <p class="margin-0 font-body-2xs text-base-dark">{v.t('directory.card.verified', { date: formatDate(v.lang, c.verified) })}</p>
          </div>
        )}
      </div>
    </li>
  );
}

// ---------- the search page ----------

interface SearchInput {
  q?: string;
  near?: string;
  radius?: string;
  sort?: string;
  need?: string;
  population?: string;
  language?: string;
  options: string[];
  zoom: number;
  center?: { lat: number; lng: number };
}

/** A result card, with the band of distance of a confidential location found by area only. */
type ResultCard = BriefCard & { within?: number; referable?: boolean };

function SearchPage({ v, input, errors, result, cards, page, canDownload }: { v: View; input: SearchInput; errors: FieldError[]; result?: SearchResult; cards: ResultCard[]; page: number; canDownload: boolean }) {
  const signedIn = Boolean(v.actor);
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
      {v.actor?.permissions.has(LISTS) ? (
        <p>
          <a href="/directory/lists">{v.t('directory.lists.title')}</a>
        </p>
      ) : null}
      <ErrorSummary v={v} errors={errors} labels={{ q: v.t('directory.q'), near: v.t('directory.near'), radius: v.t('directory.radius'), sort: v.t('directory.sort'), need: v.t('directory.term.need'), population: v.t('directory.term.population'), language: v.t('directory.language'), options: v.t('directory.options'), zoom: v.t('directory.map.zoom'), center: v.t('directory.map.center') }} />
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
        <Select name="sort" label={v.t('directory.sort')} hint={v.t('directory.sort.hint')} value={input.sort ?? 'relevance'} options={SORTS.map((o) => ({ value: o, label: v.t(`directory.sort.${o}`) }))} errors={errors} />
        <Select name="need" label={v.t('directory.term.need')} value={input.need} blank={v.t('directory.any')} options={termOptions('need')} errors={errors} />
        <Select name="population" label={v.t('directory.term.population')} value={input.population} blank={v.t('directory.any')} options={termOptions('population')} errors={errors} />
        <Select name="language" label={v.t('directory.language')} value={input.language} blank={v.t('directory.any')} options={LANGUAGES.map(([value, label]) => ({ value, label }))} errors={errors} />
        <Checkboxes
          name="options"
          label={v.t('directory.options')}
          values={input.options}
          options={optionsOf(v, signedIn)}
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
          {result.bounded && <Alert type="info" slim>{v.t('directory.bounded', { n: result.bounded.more ? `${result.total.toLocaleString(v.lang)}+` : result.total.toLocaleString(v.lang), ranked: result.bounded.ranked.toLocaleString(v.lang) })}</Alert>}
          {cards.some((c) => c.point) && (
            <p class="margin-y-1">
              <a href="#directory-map">{v.t('directory.map.title')}</a>
            </p>
          )}
          <div class="grid-row grid-gap">
            <div class="desktop:grid-col-7">
              <ol class="usa-card-group directory-results" start={(page - 1) * PER_PAGE + 1}>
                {cards.map((c) => (
                  <ResultCard v={v} c={c} />
                ))}
              </ol>
              {/* Another page of results is fitted afresh: its links leave the map's zoom behind. */}
              <Pager v={{ ...v, url: withParams(v, { zoom: undefined, center: undefined }, '') }} page={page} perPage={PER_PAGE} total={result.bounded ? Math.min(result.total, result.bounded.ranked) : result.total} />
            </div>
            <div class="desktop:grid-col-5">
              <ResultsMap v={v} cards={cards} origin={result.origin} radius={result.origin ? Number(input.radius ?? 25) : undefined} zoom={input.zoom} center={input.center} />
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

/** The map's view from the query: zoom steps (0 is fitted to the results) and a centre "lat,lng". */
function mapView(q: SearchQuery, errors: FieldError[]): { zoom: number; center?: { lat: number; lng: number } } {
  const z = first(q.zoom);
  const c = first(q.center);
  let zoom = 0;
  let center: { lat: number; lng: number } | undefined;
  if (z !== undefined) {
    if (/^\d{1,2}$/.test(z) && Number(z) <= MAX_ZOOM) zoom = Number(z);
    else errors.push({ field: 'zoom', message: `must be a whole number from 0 to ${MAX_ZOOM}` });
  }
  if (c !== undefined) {
    const m = /^(-?\d{1,3}(?:\.\d+)?),\s*(-?\d{1,3}(?:\.\d+)?)$/.exec(c);
    if (m && Math.abs(Number(m[1])) <= 90 && Math.abs(Number(m[2])) <= 180) center = { lat: Number(m[1]), lng: Number(m[2]) };
    else errors.push({ field: 'center', message: 'must be "latitude,longitude"' });
  }
  return { zoom, center };
}

function inputOf(q: SearchQuery, errors: FieldError[]): SearchInput {
  return { q: first(q.q), near: first(q.near), radius: first(q.radius), sort: first(q.sort), need: first(q.need), population: first(q.population), language: first(q.language), options: all(q.options), ...mapView(q, errors) };
}

/**
 * Where an anonymous caller's search page is kept (platform/web/kept-pages.ts): the same for everyone for an address
 * and a language while the directory's data version and the minute (the cards' "open now") stay the same. Only
 * with kept search answers on (SEARCH_CACHE_ENTRIES), since the page holds one.
 */
function keepSearchPage(req: FastifyRequest) {
  if (!req.ctx.config.searchCacheEntries) return undefined;
  return req.keepAs('directory-search', async () => `${await dataVersion(req.ctx.db)} ${Math.floor(Date.now() / 60_000)}`);
}

async function searchPage(req: FastifyRequest, reply: FastifyReply, q: SearchQuery) {
  const keep = await keepSearchPage(req);
  if (keep) {
    const sent = reply.keptPage(keep);
    countCacheLookup('directory_page', sent);
    if (sent) return reply;
  }
  const v = req.view();
  const errors: FieldError[] = [];
  const input = inputOf(q, errors);
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
  // The choices named as the form shows them (in the reader's language), not as the address spells them.
  if (input.sort && !SORTS.includes(input.sort as SearchSort)) errors.push({ field: 'sort', message: `must be one of: ${SORTS.map((o) => v.t(`directory.sort.${o}`)).join(', ')}` });
  if (input.need && !TERMS.need.some((t) => t.code === `need.${input.need}`)) errors.push({ field: 'need', message: 'is not a known need' });
  if (input.population && !TERMS.population.some((t) => t.code === `population.${input.population}`)) errors.push({ field: 'population', message: 'is not a known population' });
  if (input.language && !/^[a-z]{2,3}$/.test(input.language)) errors.push({ field: 'language', message: 'is not a language code' });
  const known = ['free', 'open_now', 'accepts_referrals', 'capacity_available', 'referable'];
  if (input.options.some((o) => !known.includes(o))) errors.push({ field: 'options', message: `must be among: ${optionsOf(v, Boolean(v.actor)).map((o) => o.label).join(', ')}` });
  const canDownload = Boolean(req.actor);
  if (errors.length) return reply.page(v.t('directory.title'), <SearchPage v={v} input={input} errors={localizeFieldErrors(v.lang, errors, SEARCH_RULES) ?? errors} cards={[]} page={1} canDownload={canDownload} />, 400);
  const a = await searchAudience(req.ctx);
  const p: SearchParams = {
    q: input.q,
    near: input.near,
    radius: input.near ? Number(input.radius ?? 25) : undefined,
    sort: input.sort as SearchSort | undefined,
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
    stewarded: a.stewarded,
  };
  // Whom the caller can refer to through a network: the filter, and a badge on those services.
  const referable = req.actor ? await referableOrganizations(req.ctx) : new Set<string>();
  if (input.options.includes('referable')) p.organizationIds = [...referable];
  const result = await searchServices(req.ctx.db, req.ctx.dbKind, p, req.ctx.config.searchCacheEntries);
  const g = new Graph(req.ctx.db);
  const ids = result.hits.map((h) => h.serviceId);
  const rows = await loadCards(g, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // One instant for the page's "open now" (the directory's clock is read once for it).
  const now = new Date();
  const cards: ResultCard[] = result.hits
    .filter((h) => byId.has(h.serviceId))
    .map((h) => {
      const c = briefCardOf(g, byId.get(h.serviceId)!, a, v, h, now);
      // Found by area only: the band instead of a distance, and no point on the map.
      const shown: ResultCard = h.within ? { ...c, distance: undefined, point: undefined, within: h.distance } : c;
      return c.organization && referable.has(c.organization.id) ? { ...shown, referable: true } : shown;
    });
  return reply.page(v.t('directory.title'), <SearchPage v={v} input={input} errors={[]} result={result} cards={cards} page={page} canDownload={canDownload} />, 200, keep);
}

export function searchPages(app: App): void {
  app.get('/directory', { config: PUBLIC, schema: { ...hidden, querystring: SearchQuery } }, (req, reply) => searchPage(req, reply, req.query));
}
