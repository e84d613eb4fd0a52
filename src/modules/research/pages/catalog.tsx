/**
 * The open data catalog: `/data.json` (Project Open Data v1.1), `/catalog.jsonld` (DCAT-US 3.0 JSON-LD), the data
 * dictionaries, and the public catalog page.
 */
import { formatDate } from '../../../platform/web/i18n.ts';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../../platform/http/errors.ts';
import { IdParams, hidden, readErrors } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Csrf, Table } from '../../../platform/web/components.tsx';
import type { FieldError } from '../../../platform/http/errors.ts';
import { submitForm } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import * as commands from '../commands.ts';
import { PUBLISH } from '../permissions.ts';
import { FormPost } from '../schema.ts';
import { isUuid } from '../../../platform/db/index.ts';
import { catalogDatasets, catalogModified, publicCallCsv, dataJson, dcatUs, dictionaryPath, tableSchema, type Dataset } from '../catalog.ts';
import { compiledOf } from '../api.ts';
import { getCall, listCalls, listSnapshots, submissionsOf, type Call, type Snapshot } from '../store.ts';
import { PUBLIC, crumbs, localErrors } from './shared.tsx';

const CHAIR = { access: { permission: PUBLISH } } as const;

/**
 * The chair's page: every data call with how many agencies' figures were accepted, whether it is in the open data
 * catalog, and a button to list or withdraw it (research.publish).
 */
function PublishPage({ v, calls, errors }: { v: View; calls: { c: Call; accepted: number }[]; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: '/data', label: v.t('rs.catalog.title') }, { label: v.t('rs.publish.title') }])} />
      <h1>{v.t('rs.publish.title')}</h1>
      <p class="usa-intro">{v.t('rs.publish.intro')}</p>
      {e && e.length > 0 && (
        <Alert type="error" heading={v.t('form.errors.title')}>
          <ul class="usa-list">
            {e.map((x) => (
              <li>
                {x.field === 'public' ? v.t('rs.publish.in_catalog') : x.field}: {x.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {calls.length === 0 ? (
        <p>{v.t('rs.publish.none')}</p>
      ) : (
        <Table
          v={v}
          caption={v.t('rs.publish.caption')}
          head={[v.t('rs.field.title'), v.t('rs.field.period'), v.t('rs.publish.accepted'), v.t('rs.publish.in_catalog'), v.t('rs.publish.action')]}
          rows={calls.map(({ c, accepted }) => [
            c.public ? <a href={`/data#data-call-${c.id}`}>{c.title}</a> : c.title,
            `${formatDate(v.lang, c.period_start)} – ${formatDate(v.lang, c.period_end)}`,
            `${accepted} / ${c.agency_ids.length}`,
            v.t(c.public ? 'rs.publish.yes' : 'rs.publish.no'),
            <form method="post" action={`/data/publish/${c.id}`}>
              <Csrf v={v} />
              <input type="hidden" name="version" value={String(c.version)} />
              <input type="hidden" name="public" value={c.public ? 'false' : 'true'} />
              <button type="submit" class="usa-button usa-button--outline usa-button--small">
                {v.t(c.public ? 'rs.publish.withdraw' : 'rs.publish.list')}
                <span class="usa-sr-only">: {c.title}</span>
              </button>
            </form>,
          ])}
        />
      )}
    </div>
  );
}

async function publishRows(db: Parameters<typeof listCalls>[0]) {
  const calls = await listCalls(db, { limit: 1000 });
  return Promise.all(calls.map(async (c) => ({ c, accepted: [...(await submissionsOf(db, c.id)).values()].filter((s) => s.status === 'accepted').length })));
}

const TAGS = ['Research'];
const DictionaryParams = Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]{1,80}\\.json$', description: 'e.g. promising-practices-1.json' }) });

/** How many dated versions of each download the page links (newest first); the snapshots page lists them all. */
const VERSIONS_SHOWN = 5;

function Versions({ v, items, dataset }: { v: View; items: Snapshot[]; dataset: string }) {
  if (!items.length) return <>{v.t('rs.catalog.no_versions')}</>;
  return (
    <>
      {items.slice(0, VERSIONS_SHOWN).map((s, i) => (
        <>
          {i ? ', ' : ''}
          <a href={`/research/snapshots/${s.id}`}>{formatDate(v.lang, s.taken_at)}</a>
        </>
      ))}
      {items.length > VERSIONS_SHOWN && (
        <>
          {', '}
          <a href={`/research/snapshots?dataset=${dataset}`}>{v.t('rs.catalog.all_versions')}</a>
        </>
      )}
    </>
  );
}

function CatalogPage({ v, datasets, versions }: { v: View; datasets: Dataset[]; versions: Map<string, Snapshot[]> }) {
  const title = (d: Dataset) => (d.literal ? d.title : v.t(`rs.ds.${d.id}.title`));
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('rs.catalog.title') }])} />
      <h1>{v.t('rs.catalog.title')}</h1>
      <p class="usa-intro">{v.t('rs.catalog.intro')}</p>
      <p>
        <a href="/data.json">{v.t('rs.catalog.pod')}</a>
      </p>
      <p>
        <a href="/catalog.jsonld">{v.t('rs.catalog.dcat')}</a>
      </p>
      {datasets.map((d) => (
        <section class="margin-top-4" id={d.id} aria-labelledby={`ds-${d.id}`}>
          <h2 id={`ds-${d.id}`}>{title(d)}</h2>
          <p>{d.literal ? d.description : v.t(`rs.ds.${d.id}.description`)}</p>
          {d.temporal && <p>{v.t('rs.catalog.period', { from: d.temporal.split('/')[0], to: d.temporal.split('/')[1] })}</p>}
          {!d.landingPage.startsWith('/data#') && (
            <p>
              <a href={d.landingPage}>{v.t('rs.catalog.landing')}</a>
            </p>
          )}
          <Table
            v={v}
            wrap
            caption={v.t('rs.catalog.distributions', { title: title(d) })}
            head={[v.t('rs.catalog.distribution'), v.t('rs.catalog.format'), v.t('rs.catalog.dictionary'), v.t('rs.catalog.versions')]}
            rows={d.distributions.map((x, i) => [
              <a href={x.path}>{x.title}</a>,
              x.format,
              x.table ? <a href={dictionaryPath(d, i)}>{v.t('rs.catalog.table_schema')}</a> : <a href="/api/docs">{v.t('rs.catalog.openapi')}</a>,
              x.snapshot ? <Versions v={v} items={versions.get(x.snapshot) ?? []} dataset={x.snapshot} /> : v.t('rs.catalog.live'),
            ])}
          />
        </section>
      ))}
    </div>
  );
}

export async function catalogPages(app: App): Promise<void> {
  app.get(
    '/data.json',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'The open data catalog in the Project Open Data metadata schema v1.1 (harvested by Data.gov)', response: { 200: Type.Object({}, { additionalProperties: true }) } } },
    async (req, reply) => {
      const datasets = await catalogDatasets(req.ctx.db);
      return reply.type('application/json; charset=utf-8').send(dataJson(req.ctx.config, await catalogModified(req.ctx.db, datasets), datasets));
    },
  );
  app.get(
    '/catalog.jsonld',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'The open data catalog in DCAT-US 3.0 JSON-LD: the datasets of /data.json with distributions, publisher, contact point, licence and Table Schema data dictionaries', produces: ['application/ld+json'], response: { 200: Type.Object({ '@context': Type.Object({}, { additionalProperties: true }), '@type': Type.Literal('dcat:Catalog'), dataset: Type.Array(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true }) } } },
    async (req, reply) => {
      const datasets = await catalogDatasets(req.ctx.db);
      return reply.type('application/ld+json; charset=utf-8').send(dcatUs(req.ctx.config, await catalogModified(req.ctx.db, datasets), datasets));
    },
  );
  app.get(
    '/data/dictionary/:file',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'The data dictionary of a tabular distribution, as a Frictionless Table Schema', params: DictionaryParams, response: { 200: Type.Object({}, { additionalProperties: true }), ...readErrors } } },
    async (req, reply) => {
      for (const d of await catalogDatasets(req.ctx.db)) {
        for (const [i, x] of d.distributions.entries()) {
          if (x.table && dictionaryPath(d, i) === `/data/dictionary/${req.params.file}`) return reply.type('application/json; charset=utf-8').send(tableSchema(x.table));
        }
      }
      throw notFound('No such data dictionary.');
    },
  );
  app.get(
    '/data/calls/:id/compiled.csv',
    { config: PUBLIC, schema: { tags: TAGS, summary: "A public data call's compiled table as CSV (only calls the chair listed in the open data catalog)", description: 'Columns: agency, line (row, subtotal, total, not included, or a note number), then one per field key; its data dictionary is named in /data.json.', params: IdParams, produces: ['text/csv'], response: { 200: Type.String(), ...readErrors } } },
    async (req, reply) => {
      const c = isUuid(req.params.id) ? await getCall(req.ctx.db, req.params.id) : undefined;
      if (!c?.public) throw notFound('No such public data call.');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="data-call-${c.id}.csv"`).send(publicCallCsv(await compiledOf(req.ctx, c), c.fields.filter((f) => f.type === 'count').map((f) => f.key), req.ctx.config.suppressionThreshold));
    },
  );
  app.get('/data/publish', { config: CHAIR, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('rs.publish.title'), <PublishPage v={v} calls={await publishRows(req.ctx.db)} />);
  });
  app.post('/data/publish/:id', { config: CHAIR, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.setCallPublic(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return '/data/publish';
      },
      async (errors) => {
        const v = req.view();
        return reply.page(v.t('rs.publish.title'), <PublishPage v={v} calls={await publishRows(req.ctx.db)} errors={errors} />, 400);
      },
    ),
  );
  app.get('/data', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const datasets = await catalogDatasets(req.ctx.db);
    const versions = new Map<string, Snapshot[]>();
    for (const name of new Set(datasets.flatMap((d) => d.distributions.flatMap((x) => (x.snapshot ? [x.snapshot] : []))))) versions.set(name, await listSnapshots(req.ctx.db, { dataset: name, limit: VERSIONS_SHOWN + 1 }));
    return reply.page(v.t('rs.catalog.title'), <CatalogPage v={v} datasets={datasets} versions={versions} />);
  });
}
