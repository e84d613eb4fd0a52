/**
 * The open data catalog: `/data.json` (Project Open Data v1.1), `/catalog.jsonld` (DCAT-US 3.0 JSON-LD), the data
 * dictionaries, and the public catalog page.
 */
import { Type } from '@sinclair/typebox';
import { notFound } from '../../../platform/http/errors.ts';
import { IdParams, hidden, readErrors } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Table } from '../../../platform/web/components.tsx';
import { isUuid } from '../../../platform/db/index.ts';
import { catalogDatasets, catalogModified, publicCallCsv, dataJson, dcatUs, dictionaryPath, tableSchema, type Dataset } from '../catalog.ts';
import { compiledOf } from '../api.ts';
import { getCall, listSnapshots, type Snapshot } from '../store.ts';
import { PUBLIC, crumbs } from './shared.tsx';

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
          <a href={`/research/snapshots/${s.id}`}>{s.taken_at.slice(0, 10)}</a>
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
  app.get('/data', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const datasets = await catalogDatasets(req.ctx.db);
    const versions = new Map<string, Snapshot[]>();
    for (const name of new Set(datasets.flatMap((d) => d.distributions.flatMap((x) => (x.snapshot ? [x.snapshot] : []))))) versions.set(name, await listSnapshots(req.ctx.db, { dataset: name, limit: VERSIONS_SHOWN + 1 }));
    return reply.page(v.t('rs.catalog.title'), <CatalogPage v={v} datasets={datasets} versions={versions} />);
  });
}
