/** The library: search with filters and facets, one practice's page, its printable brief, and the practice forms. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../../platform/http/errors.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Checkboxes, Csrf, FormPage, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import * as commands from '../commands.ts';
import { LINK_KINDS, OUTCOME_DOMAINS, POPULATIONS, PRACTICE_RATINGS, SETTINGS, DESIGNS, FormPost, SearchQuery } from '../schema.ts';
import { practiceFor, type PracticeView } from '../presenters.ts';
import { FACETS, getPractice, listStudies, searchPractices, servicesNear, type Facet, type NearbyService, type SearchResult, type Study } from '../store.ts';
import zipcodes from 'zipcodes';
import { searchFilters } from '../search.ts';
import { LEAD, MANAGE, REVIEW } from '../permissions.ts';
import { ANYONE, Dl, MANAGERS, PUBLIC, RatingTag, crumbs, evidenceText, label, list, localErrors, populationLabel, str } from './shared.tsx';
import { ErrorSummary } from '../../../platform/web/components.tsx';
import type { Db } from '../../../platform/db/index.ts';

const NearQuery = Type.Object({ zip: Type.Optional(Type.String({ maxLength: 20 })), radius: Type.Optional(Type.String({ maxLength: 5 })) });

/** The place asked for (a ZIP code's centre) and the linked services near it, or the problems of the query. */
async function nearOf(db: Db, practiceId: string, q: { zip?: string; radius?: string }): Promise<Near> {
  const zip = (q.zip ?? '').trim();
  const radius = q.radius ?? '25';
  const errors: FieldError[] = [];
  if (!(NEAR_RADII as readonly string[]).includes(radius)) errors.push({ field: 'radius', message: `must be one of: ${NEAR_RADII.join(', ')}` });
  if (!zip) return errors.length ? { zip, radius: '25', errors } : { radius };
  const m = /^(\d{5})(?:-\d{4})?$/.exec(zip);
  const hit = m ? zipcodes.lookup(m[1]) : undefined;
  if (!m) errors.push({ field: 'zip', message: 'must be a 5-digit ZIP code' });
  else if (!hit) errors.push({ field: 'zip', message: 'is not a ZIP code we know' });
  if (errors.length || !hit) return { zip, radius: (NEAR_RADII as readonly string[]).includes(radius) ? radius : '25', errors };
  const services = await servicesNear(db, practiceId, { lat: hit.latitude, lng: hit.longitude }, Number(radius));
  return { zip, radius, place: `${m![1]} (${hit.city}, ${hit.state})`, services };
}

const PER_PAGE = 20;

function facetLabel(v: View, facet: Facet, value: string): string {
  if (facet === 'population') return populationLabel(v, value);
  const group = { outcome: 'domain', rating: 'rating', setting: 'setting', design: 'design' }[facet as Exclude<Facet, 'population'>];
  return label(v, group, value);
}

const FILTER_OPTIONS: Record<Facet, readonly string[]> = { population: POPULATIONS, outcome: OUTCOME_DOMAINS, rating: PRACTICE_RATINGS.filter((r) => r !== 'inconclusive'), setting: SETTINGS, design: DESIGNS };
const FILTER_LABEL: Record<Facet, string> = { population: 'pr.field.populations', outcome: 'pr.field.outcome', rating: 'pr.field.rating', setting: 'pr.field.setting', design: 'pr.field.design' };

function SearchPage({ v, query, res, page }: { v: View; query: Record<string, string | undefined>; res: SearchResult; page: number }) {
  const withFilter = (facet: Facet, value: string) => {
    const u = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== 'page'));
    u.set(facet, value);
    return `/practices?${u}`;
  };
  const filtered = Object.entries(query).some(([k, x]) => k !== 'page' && x);
  return (
    <div>
      <h1>{v.t('pr.title')}</h1>
      <p class="usa-intro">{v.t('pr.intro')}</p>
      <ul class="usa-button-group margin-bottom-2">
        {v.can(MANAGE) && (
          <li class="usa-button-group__item">
            <a class="usa-button" href="/practices/new">{v.t('pr.new')}</a>
          </li>
        )}
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/practices/nominate">{v.t('pr.nominate')}</a>
        </li>
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/practices/digest">{v.t('pr.digest')}</a>
        </li>
      </ul>
      {(v.can(MANAGE) || v.can(REVIEW) || v.can(LEAD)) && (
        <p>
          {v.can(MANAGE) && <a class="margin-right-2" href="/practices/nominations">{v.t('pr.nominations')}</a>}
          {v.can(REVIEW) && <a class="margin-right-2" href="/practices/review">{v.t('pr.review.queue')}</a>}
          {v.can(REVIEW) && <a class="margin-right-2" href="/practices/agreement">{v.t('pr.agreement')}</a>}
        </p>
      )}
      <p>
        <a class="margin-right-2" href="/practices/rules">{v.t('pr.rules')}</a>
        <a class="margin-right-2" href="/api/practices/feed.atom">{v.t('pr.feed')}</a>
        <a class="margin-right-2" href="/api/practices/export.csv">{v.t('pr.export.csv')}</a>
        <a href="/api/practices/export.json">{v.t('pr.export.json')}</a>
      </p>
      <form method="get" action="/practices" class="usa-form usa-form--large" role="search" aria-label={v.t('pr.search.label')}>
        <TextInput name="q" label={v.t('pr.search.words')} value={query.q} maxLength={200} />
        <fieldset class="usa-fieldset">
          <legend class="usa-legend">{v.t('pr.search.filters')}</legend>
          {FACETS.map((f) => (
            <Select name={f} label={v.t(FILTER_LABEL[f])} value={query[f]} blank={v.t('pr.search.any')} options={FILTER_OPTIONS[f].map((o) => ({ value: o, label: facetLabel(v, f, o) }))} />
          ))}
        </fieldset>
        <SubmitButton>{v.t('pr.search.submit')}</SubmitButton>
        {filtered && (
          <a class="usa-button usa-button--unstyled" href="/practices">
            {v.t('pr.search.clear')}
          </a>
        )}
      </form>
      <div class="grid-row grid-gap margin-top-3">
        <section class="tablet:grid-col-4" aria-labelledby="facets-heading">
          <h2 id="facets-heading" class="font-heading-md">{v.t('pr.facets')}</h2>
          {FACETS.map((f) =>
            res.facets[f].length ? (
              <>
                <h3 class="font-heading-sm margin-bottom-05">{v.t(FILTER_LABEL[f])}</h3>
                <ul class="usa-list usa-list--unstyled margin-bottom-2">
                  {res.facets[f].slice(0, 12).map((c) => (
                    <li>
                      {query[f] === c.value ? (
                        <strong>
                          {facetLabel(v, f, c.value)} ({c.count})
                        </strong>
                      ) : (
                        <a href={withFilter(f, c.value)}>
                          {facetLabel(v, f, c.value)} ({c.count})
                        </a>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            ) : null,
          )}
        </section>
        <section class="tablet:grid-col-8" aria-labelledby="results-heading">
          <h2 id="results-heading" class="font-heading-md">
            {v.t('pr.search.results', { n: res.total })}
          </h2>
          <ul class="usa-card-group">
            {res.items.map((p) => (
              <li class="usa-card tablet:grid-col-12">
                <div class="usa-card__container">
                  <div class="usa-card__header">
                    <h3 class="usa-card__heading">
                      <a href={`/practices/${p.id}`}>{p.name}</a>
                    </h3>
                  </div>
                  <div class="usa-card__body">
                    <p>{p.summary.length > 280 ? p.summary.slice(0, 277) + '…' : p.summary}</p>
                    <p class="text-base-dark">
                      {label(v, 'setting', p.setting)}
                      {p.demo && ` · ${v.t('pr.demo').split(':')[0]}`}
                    </p>
                    <ul class="usa-list usa-list--unstyled">
                      {p.ratings
                        .filter((r) => r.rating !== 'inconclusive')
                        .map((r) => (
                          <li>
                            {label(v, 'domain', r.domain)}: <RatingTag v={v} rating={r.rating} /> <span class="text-base-dark">{evidenceText(v, r.evidence, r.studies)}</span>
                          </li>
                        ))}
                    </ul>
                  </div>
                </div>
              </li>
            ))}
          </ul>
          <Pager v={v} page={page} perPage={PER_PAGE} total={res.total} />
        </section>
      </div>
    </div>
  );
}

function RatingsTable({ v, p }: { v: View; p: PracticeView }) {
  return (
    <Table
      v={v}
      wrap
      caption={v.t('pr.ratings.caption', { name: p.name })}
      head={[v.t('pr.field.outcome'), v.t('pr.field.rating'), v.t('pr.field.evidence'), v.t('pr.field.rule')]}
      rows={p.ratings.map((r) => [
        label(v, 'domain', r.domain),
        <RatingTag v={v} rating={r.rating} />,
        evidenceText(v, r.evidence, r.studies),
        <>
          {r.rule_label ?? v.t('pr.rule.none')}{' '}
          <a href={`/practices/rules#version-${r.rule_version}`}>({v.t('pr.rule.version', { v: r.rule_version })})</a>
        </>,
      ])}
    />
  );
}

function StudiesTable({ v, studies }: { v: View; studies: Study[] }) {
  return (
    <Table
      v={v}
      wrap
      caption={`${v.t('pr.studies')} (${studies.length})`}
      head={[v.t('pr.field.title'), v.t('pr.field.design'), v.t('pr.field.review_state'), v.t('pr.field.final_rating')]}
      rows={studies.map((s) => [
        <>
          <a href={`/practices/studies/${s.id}`}>{s.title}</a>
          <br />
          <span class="text-base-dark">
            {s.authors}
            {s.year ? ` (${s.year})` : ''}
          </span>
        </>,
        label(v, 'design', s.design),
        label(v, 'state', s.review_state),
        s.final_rating ? label(v, 'study', s.final_rating) : '—',
      ])}
    />
  );
}

function Details({ v, p }: { v: View; p: PracticeView }) {
  return (
    <Dl
      items={[
        [v.t('pr.field.populations'), p.populations.length ? p.populations.map((x) => populationLabel(v, x)).join(', ') : v.t('pr.none')],
        [v.t('pr.field.setting'), label(v, 'setting', p.setting)],
        [v.t('pr.field.outcome_domains'), p.outcome_domains.map((d) => label(v, 'domain', d)).join(', ')],
        ...(p.components ? [[v.t('pr.field.components'), <p class="margin-0" style={undefined}>{p.components}</p>] as [string, preact.ComponentChildren]] : []),
        ...(p.cost ? [[v.t('pr.field.cost'), p.cost] as [string, string]] : []),
        ...(p.resources.length
          ? [
              [
                v.t('pr.field.resources'),
                <ul class="usa-list">
                  {p.resources.map((r) => (
                    <li>
                      {label(v, 'resource', r.kind)}: {r.url ? <a href={r.url}>{r.title}</a> : r.title}
                    </li>
                  ))}
                </ul>,
              ] as [string, preact.ComponentChildren],
            ]
          : []),
        ...(p.contact_name || p.contact_email ? [[v.t('pr.field.contact_name'), <>{[p.contact_name, p.contact_email].filter(Boolean).join(', ')}</>] as [string, preact.ComponentChildren]] : []),
        ...(p.source ? [[v.t('pr.field.source'), p.source] as [string, string]] : []),
        [v.t('pr.field.updated'), formatDate(v.lang, p.updated_at)],
      ]}
    />
  );
}

function LinksSection({ v, p, errors, values }: { v: View; p: PracticeView; errors?: FieldError[]; values?: FormValues }) {
  const manage = v.can(MANAGE);
  return (
    <section class="margin-top-4" aria-labelledby="links-heading">
      <h2 id="links-heading">{v.t('pr.links')}</h2>
      {LINK_KINDS.map((k) => {
        const here = p.links.filter((l) => l.kind === k);
        if (!here.length) return null;
        return (
          <>
            <h3 class="font-heading-sm">{v.t(`pr.link.${k}`)}</h3>
            <ul class="usa-list">
              {here.map((l) => (
                <li>
                  <a href={l.href}>{l.label}</a>
                  {manage && (
                    <form method="post" action={`/practices/${p.id}/links/remove`} class="display-inline margin-left-1">
                      <Csrf v={v} />
                      <input type="hidden" name="kind" value={l.kind} />
                      <input type="hidden" name="target_id" value={l.target_id} />
                      <button type="submit" class="usa-button usa-button--unstyled">
                        {v.t('pr.link.remove')} <span class="usa-sr-only">{l.label}</span>
                      </button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          </>
        );
      })}
      {!p.links.length && <p>{v.t('pr.none')}</p>}
      {manage && (
        <form method="post" action={`/practices/${p.id}/links`} class="usa-form" id="add-link">
          <h3 class="font-heading-sm">{v.t('pr.link.add')}</h3>
          <Csrf v={v} />
          <ErrorSummary v={v} errors={localErrors(v, errors) ?? []} />
          <Select name="kind" label={v.t('pr.field.kind')} value={str(values?.kind)} options={LINK_KINDS.map((k) => ({ value: k, label: v.t(`pr.link.kind.${k}`) }))} errors={localErrors(v, errors)} />
          <TextInput name="target_id" label={v.t('pr.field.target_id')} hint={v.t('pr.link.hint')} value={str(values?.target_id)} errors={localErrors(v, errors)} maxLength={36} />
          <SubmitButton secondary>{v.t('pr.link.add')}</SubmitButton>
        </form>
      )}
    </section>
  );
}

export const NEAR_RADII = ['10', '25', '50', '100'] as const;

export interface Near {
  zip?: string;
  radius: string;
  place?: string;
  services?: NearbyService[];
  errors?: FieldError[];
}

/** The directory services that use the practice near a ZIP code: a GET form, then the services nearest first. */
function NearSection({ v, p, near }: { v: View; p: PracticeView; near: Near }) {
  const e = localErrors(v, near.errors);
  return (
    <section class="margin-top-4" aria-labelledby="near-heading">
      <h2 id="near-heading">{v.t('pr.near.heading')}</h2>
      <p>{v.t('pr.near.intro')}</p>
      <form method="get" action={`/practices/${p.id}#near-heading`} class="usa-form" id="near">
        <ErrorSummary v={v} errors={e ?? []} />
        <TextInput name="zip" label={v.t('pr.near.zip')} hint={v.t('pr.near.zip.hint')} value={near.zip} errors={e} inputmode="numeric" autocomplete="postal-code" maxLength={10} />
        <Select name="radius" label={v.t('pr.near.radius')} value={near.radius} errors={e} options={NEAR_RADII.map((r) => ({ value: r, label: v.t('pr.near.miles', { n: r }) }))} />
        <SubmitButton secondary>{v.t('pr.near.search')}</SubmitButton>
      </form>
      {near.services && near.place && (
        <div aria-live="polite">
          {near.services.length ? (
            <>
              <p>{v.t('pr.near.found', { n: near.services.length, miles: near.radius, place: near.place })}</p>
              <ul class="usa-list">
                {near.services.map((s) => (
                  <li>
                    <a href={`/directory/services/${s.id}`}>{s.name}</a>
                    {s.organization ? ` — ${s.organization}` : ''} · {v.t('pr.near.distance', { d: s.miles.toFixed(1) })}
                    {s.where ? ` (${s.where})` : ''}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>{v.t('pr.near.none', { miles: near.radius, place: near.place })}</p>
          )}
        </div>
      )}
    </section>
  );
}

function PracticePage({ v, p, studies, linkErrors, linkValues, near }: { v: View; p: PracticeView; studies: Study[]; linkErrors?: FieldError[]; linkValues?: FormValues; near?: Near }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: p.name }])} />
      <h1>{p.name}</h1>
      {p.demo && (
        <Alert type="warning" slim>
          {v.t('pr.demo')}
        </Alert>
      )}
      <p class="usa-intro">{p.summary}</p>
      <p>
        <a href={`/practices/${p.id}/brief`}>{v.t('pr.brief')}</a>
        {v.can(MANAGE) && (
          <a class="margin-left-2" href={`/practices/${p.id}/edit`}>
            {v.t('pr.edit')}
          </a>
        )}
      </p>
      <section aria-labelledby="ratings-heading">
        <h2 id="ratings-heading">{v.t('pr.ratings')}</h2>
        <RatingsTable v={v} p={p} />
      </section>
      <Details v={v} p={p} />
      <section class="margin-top-4" aria-labelledby="studies-heading">
        <h2 id="studies-heading">{v.t('pr.studies')}</h2>
        <StudiesTable v={v} studies={studies} />
        {v.can(MANAGE) && (
          <p>
            <a class="usa-button usa-button--outline" href={`/practices/${p.id}/studies/new`}>
              {v.t('pr.study.add')}
            </a>
            <a class="usa-button usa-button--outline" href={`/practices/${p.id}/studies/import`}>
              {v.t('pr.study.import')}
            </a>
          </p>
        )}
      </section>
      <NearSection v={v} p={p} near={near ?? { radius: '25' }} />
      <LinksSection v={v} p={p} errors={linkErrors} values={linkValues} />
    </div>
  );
}

function BriefPage({ v, p, studies, url }: { v: View; p: PracticeView; studies: Study[]; url: string }) {
  return (
    <article class="practice-brief">
      <link rel="stylesheet" href="/practices/assets/brief.css" media="print" />
      <p class="no-print">
        <a href={`/practices/${p.id}`}>{v.t('pr.back')}</a> · {v.t('pr.brief.print')}
      </p>
      <h1>{v.t('pr.brief.title', { name: p.name })}</h1>
      {p.demo && <p class="text-bold">{v.t('pr.demo')}</p>}
      <p>{p.summary}</p>
      <h2>{v.t('pr.ratings')}</h2>
      <RatingsTable v={v} p={p} />
      <Details v={v} p={p} />
      <h2>{v.t('pr.studies')}</h2>
      <ul class="usa-list">
        {studies.map((s) => (
          <li>
            {s.authors} {s.year ? `(${s.year})` : ''}. {s.title}
            {s.journal ? `. ${s.journal}` : ''}. {label(v, 'design', s.design)}; {v.t('pr.field.final_rating')}: {s.final_rating ? label(v, 'study', s.final_rating) : label(v, 'state', s.review_state)}.
          </li>
        ))}
      </ul>
      <p class="font-body-2xs">{v.t('pr.brief.from', { url })}</p>
    </article>
  );
}

// ---------- the practice form ----------

function resourcesText(resources: { kind: string; title: string; url?: string | null }[]): string {
  return resources.map((r) => [r.kind, r.title, r.url ?? ''].filter((x, i) => i < 2 || x).join(' | ')).join('\n');
}

function parseResources(text: string | undefined): unknown[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [kind, title, url] = l.split('|').map((x) => x.trim());
      return { kind, title: title ?? '', ...(url ? { url } : {}) };
    });
}

/** The form as command input: every field is sent, so that emptied fields and unticked boxes are cleared. */
function practiceInput(body: Record<string, unknown>, raw: FormValues, edit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: body.name ?? '',
    summary: body.summary ?? '',
    populations: list(raw.populations),
    setting: body.setting ?? '',
    outcome_domains: list(raw.outcome_domains),
    resources: parseResources(str(body.resources)),
  };
  for (const k of ['components', 'cost', 'contact_name', 'contact_email', 'source']) {
    if (body[k] !== undefined) out[k] = body[k];
    else if (edit) out[k] = null;
  }
  if (edit) out.version = body.version;
  return out;
}

function PracticeForm({ v, title, action, cancel, values, errors, version }: { v: View; title: string; action: string; cancel: string; values: FormValues; errors?: FieldError[]; version?: number }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('pr.save')} title={title} action={action} errors={localErrors(v, errors)} cancel={cancel} crumbs={crumbs(v)}>
      {version !== undefined && <input type="hidden" name="version" value={String(version)} />}
      <TextInput name="name" label={v.t('pr.field.name')} required value={str(values.name)} errors={e} maxLength={200} />
      <TextArea name="summary" label={v.t('pr.field.summary')} required value={str(values.summary)} errors={e} />
      <TextArea name="components" label={v.t('pr.field.components')} value={str(values.components)} errors={e} />
      <Checkboxes name="populations" label={v.t('pr.field.populations')} values={list(values.populations)} errors={e} options={POPULATIONS.map((x) => ({ value: x, label: populationLabel(v, x) }))} />
      <Select name="setting" label={v.t('pr.field.setting')} required value={str(values.setting)} blank="—" errors={e} options={SETTINGS.map((x) => ({ value: x, label: label(v, 'setting', x) }))} />
      <Checkboxes name="outcome_domains" label={v.t('pr.field.outcome_domains')} values={list(values.outcome_domains)} errors={e} options={OUTCOME_DOMAINS.map((x) => ({ value: x, label: label(v, 'domain', x) }))} />
      <TextArea name="cost" label={v.t('pr.field.cost')} value={str(values.cost)} errors={e} rows={2} />
      <TextArea name="resources" label={v.t('pr.field.resources')} hint={v.t('pr.field.resources.hint')} value={str(values.resources)} errors={e} rows={3} />
      <TextInput name="contact_name" label={v.t('pr.field.contact_name')} value={str(values.contact_name)} errors={e} maxLength={200} />
      <TextInput name="contact_email" type="email" label={v.t('pr.field.contact_email')} value={str(values.contact_email)} errors={e} maxLength={320} />
      <TextInput name="source" label={v.t('pr.field.source')} value={str(values.source)} errors={e} maxLength={500} />
    </FormPage>
  );
}

export const SearchForm = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  population: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(Type.String({ maxLength: 100 })),
  rating: Type.Optional(Type.String({ maxLength: 100 })),
  setting: Type.Optional(Type.String({ maxLength: 100 })),
  design: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
});

export async function loadPractice(req: { ctx: import('../../../platform/context.ts').Ctx }, id: string): Promise<PracticeView> {
  const p = await getPractice(req.ctx.db, id);
  if (!p) throw notFound();
  return practiceFor(req.ctx, p);
}

const BRIEF_CSS = `/* The one-page brief: only the brief, compact. */
.usa-footer, .usa-breadcrumb, .no-print, .usa-header, .usa-banner { display: none !important; }
.practice-brief { font-size: 10pt; }
.practice-brief h1 { font-size: 16pt; margin: 0 0 6pt; }
.practice-brief h2 { font-size: 12pt; margin: 8pt 0 4pt; }
.practice-brief table { width: 100%; }
.practice-brief a::after { content: "" !important; }
@page { margin: 1.5cm; }
`;

export async function practicePages(app: App): Promise<void> {
  void SearchQuery;
  app.get('/practices', { config: PUBLIC, schema: { ...hidden, querystring: SearchForm } }, async (req, reply) => {
    const page = req.query.page ?? 1;
    const f = searchFilters(req.query);
    const res = await searchPractices(req.ctx.db, req.ctx.dbKind, { ...f, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    const v = req.view();
    const query = { q: req.query.q, population: f.population, outcome: f.outcome, rating: f.rating, setting: f.setting, design: f.design };
    return reply.page(v.t('pr.title'), <SearchPage v={v} query={query} res={res} page={page} />);
  });

  app.get('/practices/assets/brief.css', { config: PUBLIC, schema: hidden }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(BRIEF_CSS));

  const formPage = (reply: FastifyReply, v: View, title: string, form: preact.ComponentChildren, errors?: FieldError[]) => reply.page(title, form, errors ? 400 : 200);
  const newPage = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => formPage(reply, v, v.t('pr.new'), <PracticeForm v={v} title={v.t('pr.new')} action="/practices" cancel="/practices" values={values} errors={errors} />, errors);
  app.get('/practices/new', { config: MANAGERS, schema: hidden }, async (req, reply) => newPage(reply, req.view(), {}));
  app.post('/practices', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/practices/${(await commands.createPractice(req.ctx, practiceInput(formBody(req.body), rawValues(req.body), false), { coerce: true })).id}`,
      (errors) => newPage(reply, req.view(), rawValues(req.body), errors),
      { listFields: ['populations', 'outcome_domains', 'resources'], keepPath: true },
    ),
  );

  app.get('/practices/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams, querystring: NearQuery } }, async (req, reply) => {
    const p = await loadPractice(req, req.params.id);
    const v = req.view();
    const near = await nearOf(req.ctx.db, p.id, req.query);
    return reply.page(p.name, <PracticePage v={v} p={p} studies={await listStudies(req.ctx.db, p.id)} near={near} />, near.errors ? 400 : 200);
  });
  app.get('/practices/:id/brief', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const p = await loadPractice(req, req.params.id);
    const v = req.view();
    return reply.page(v.t('pr.brief.title', { name: p.name }), <BriefPage v={v} p={p} studies={await listStudies(req.ctx.db, p.id)} url={`${req.ctx.config.publicUrl}/practices/${p.id}`} />);
  });

  const editPage = (reply: FastifyReply, v: View, p: PracticeView, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('pr.edit.title', { name: p.name });
    return formPage(reply, v, title, <PracticeForm v={v} title={title} action={`/practices/${p.id}/edit`} cancel={`/practices/${p.id}`} values={values} errors={errors} version={p.version} />, errors);
  };
  app.get('/practices/:id/edit', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const p = await loadPractice(req, req.params.id);
    const values: FormValues = { name: p.name, summary: p.summary, components: p.components ?? '', populations: p.populations, setting: p.setting, outcome_domains: p.outcome_domains, cost: p.cost ?? '', resources: resourcesText(p.resources), contact_name: p.contact_name ?? '', contact_email: p.contact_email ?? '', source: p.source ?? '' };
    return editPage(reply, req.view(), p, values);
  });
  app.post('/practices/:id/edit', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const p = await loadPractice(req, req.params.id);
    return submitForm(
      reply,
      async () => `/practices/${(await commands.updatePractice(req.ctx, p.id, practiceInput(formBody(req.body), rawValues(req.body), true), { coerce: true })).id}`,
      (errors) => editPage(reply, req.view(), p, rawValues(req.body), errors),
      { listFields: ['populations', 'outcome_domains', 'resources'], keepPath: true },
    );
  });

  const linkAgain = async (req: { ctx: import('../../../platform/context.ts').Ctx; view(): View; body: unknown }, reply: FastifyReply, id: string, errors: FieldError[]) => {
    const p = await loadPractice(req, id);
    const v = req.view();
    return reply.page(p.name, <PracticePage v={v} p={p} studies={await listStudies(req.ctx.db, p.id)} linkErrors={errors} linkValues={rawValues(req.body)} />, 400);
  };
  app.post('/practices/:id/links', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.addLink(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return `/practices/${req.params.id}#links-heading`;
      },
      (errors) => linkAgain(req, reply, req.params.id, errors),
    ),
  );
  app.post('/practices/:id/links/remove', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.removeLink(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return `/practices/${req.params.id}#links-heading`;
      },
      (errors) => linkAgain(req, reply, req.params.id, errors),
    ),
  );
  void ANYONE;
}
