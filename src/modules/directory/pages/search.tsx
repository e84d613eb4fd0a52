/** The directory's search page: the form, the results as a list and a map, and the facets. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { type View } from '../../../platform/web/view.ts';
import { Alert, Checkboxes, ErrorSummary, Pager, Select, SubmitButton, TextInput } from '../../../platform/web/components.tsx';
import { UsMap, type UsMapPoint } from '../../../platform/web/us-map.tsx';
import { PageNumber } from '../schema.ts';
import { Graph } from '../hsds.ts';
import { searchServices, resolvePlace, PlaceError, type SearchParams, type SearchResult } from '../search.ts';
import { TERMS, FACETS, type Facet } from '../taxonomy.ts';
import { SORTS, type SearchSort } from '../relevance.ts';
import { TABLES, type TableName } from '../model.ts';
import { cardOf, loadOrgPhones, type Card } from '../presenters.ts';
import { referableOrganizations, searchAudience } from '../search-audience.ts';
import { PUBLIC, Facts } from './shared.tsx';
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
];
const first = (x: unknown): string | undefined => (Array.isArray(x) ? (x[0] as string | undefined) : typeof x === 'string' ? x : undefined)?.trim() || undefined;
const all = (x: unknown): string[] => (Array.isArray(x) ? x : typeof x === 'string' ? [x] : []).map((s) => String(s).trim()).filter(Boolean);

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
  sort?: string;
  need?: string;
  population?: string;
  language?: string;
  options: string[];
}

/** A result card, with the band of distance of a confidential location found by area only. */
type ResultCard = Card & { within?: number; referable?: boolean };

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
        <Select name="sort" label={v.t('directory.sort')} hint={v.t('directory.sort.hint')} value={input.sort ?? 'relevance'} options={SORTS.map((o) => ({ value: o, label: v.t(`directory.sort.${o}`) }))} errors={errors} />
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
            ...(signedIn ? [{ value: 'referable', label: v.t('directory.referable') }] : []),
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
          {result.bounded && <Alert type="info" slim>{v.t('directory.bounded', { n: result.bounded.more ? `${result.total.toLocaleString(v.lang)}+` : result.total.toLocaleString(v.lang), ranked: result.bounded.ranked.toLocaleString(v.lang) })}</Alert>}
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
                    {c.referable && <span class="usa-tag bg-primary-dark margin-y-05">{v.t('directory.referable.badge')}</span>}
                    {c.description && <p class="margin-y-05">{c.description.length > 280 ? c.description.slice(0, 277) + '…' : c.description}</p>}
                    {c.within !== undefined && <p class="margin-y-05 text-bold">{v.t('directory.within', { n: String(c.within) })}</p>}
                    <Facts v={v} c={c} />
                  </li>
                ))}
              </ol>
              <Pager v={v} page={page} perPage={PER_PAGE} total={result.bounded ? Math.min(result.total, result.bounded.ranked) : result.total} />
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
  return { q: first(q.q), near: first(q.near), radius: first(q.radius), sort: first(q.sort), need: first(q.need), population: first(q.population), language: first(q.language), options: all(q.options) };
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
  if (input.sort && !SORTS.includes(input.sort as SearchSort)) errors.push({ field: 'sort', message: `must be one of: ${SORTS.join(', ')}` });
  if (input.need && !TERMS.need.some((t) => t.code === `need.${input.need}`)) errors.push({ field: 'need', message: 'is not a known need' });
  if (input.population && !TERMS.population.some((t) => t.code === `population.${input.population}`)) errors.push({ field: 'population', message: 'is not a known population' });
  if (input.language && !/^[a-z]{2,3}$/.test(input.language)) errors.push({ field: 'language', message: 'is not a language code' });
  const known = ['free', 'open_now', 'accepts_referrals', 'capacity_available', 'referable'];
  if (input.options.some((o) => !known.includes(o))) errors.push({ field: 'options', message: `must be among: ${known.join(', ')}` });
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
  const result = await searchServices(req.ctx.db, req.ctx.dbKind, p);
  const g = new Graph(req.ctx.db);
  const ids = result.hits.map((h) => h.serviceId);
  const rows = await g.services(ids, true);
  await g.attributes([]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  await loadOrgPhones(g, rows);
  const cards: ResultCard[] = result.hits
    .filter((h) => byId.has(h.serviceId))
    .map((h) => {
      const c = cardOf(g, byId.get(h.serviceId)!, a, v, h);
      // Found by area only: the band instead of a distance, and no point on the map.
      const shown: ResultCard = h.within ? { ...c, distance: undefined, point: undefined, within: h.distance } : c;
      return c.organization && referable.has(c.organization.id) ? { ...shown, referable: true } : shown;
    });
  return reply.page(v.t('directory.title'), <SearchPage v={v} input={input} errors={[]} result={result} cards={cards} page={page} canDownload={canDownload} />);
}

export function searchPages(app: App): void {
  app.get('/directory', { config: PUBLIC, schema: { ...hidden, querystring: SearchQuery } }, (req, reply) => searchPage(req, reply, req.query));
}
