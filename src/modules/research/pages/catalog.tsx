/**
 * The open data catalog: `/data.json` (Project Open Data v1.1), `/catalog.jsonld` (DCAT-US 3.0 JSON-LD), the data
 * dictionaries, and the public catalog page.
 */
import { Type } from '@sinclair/typebox';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, readErrors } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Table } from '../../../platform/web/components.tsx';
import { DATASETS, dataJson, dcatUs, dictionaryPath, tableSchema } from '../catalog.ts';
import { PUBLIC, crumbs } from './shared.tsx';

const TAGS = ['Research'];
const DictionaryParams = Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]{1,80}\\.json$', description: 'e.g. promising-practices-1.json' }) });

function CatalogPage({ v }: { v: View }) {
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
      {DATASETS.map((d) => (
        <section class="margin-top-4" aria-labelledby={`ds-${d.id}`}>
          <h2 id={`ds-${d.id}`}>{v.t(`rs.ds.${d.id}.title`)}</h2>
          <p>{v.t(`rs.ds.${d.id}.description`)}</p>
          <p>
            <a href={d.landingPage}>{v.t('rs.catalog.landing')}</a>
          </p>
          <Table
            v={v}
            wrap
            caption={v.t('rs.catalog.distributions', { title: v.t(`rs.ds.${d.id}.title`) })}
            head={[v.t('rs.catalog.distribution'), v.t('rs.catalog.format'), v.t('rs.catalog.dictionary')]}
            rows={d.distributions.map((x, i) => [<a href={x.path}>{x.title}</a>, x.format, x.table ? <a href={dictionaryPath(d, i)}>{v.t('rs.catalog.table_schema')}</a> : <a href="/api/docs">{v.t('rs.catalog.openapi')}</a>])}
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
    async (req, reply) => reply.type('application/json; charset=utf-8').send(dataJson(req.ctx.config, new Map())),
  );
  app.get(
    '/catalog.jsonld',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'The open data catalog in DCAT-US 3.0 JSON-LD: the datasets of /data.json with distributions, publisher, contact point, licence and Table Schema data dictionaries', produces: ['application/ld+json'], response: { 200: Type.Object({ '@context': Type.Object({}, { additionalProperties: true }), '@type': Type.Literal('dcat:Catalog'), dataset: Type.Array(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true }) } } },
    async (req, reply) => reply.type('application/ld+json; charset=utf-8').send(dcatUs(req.ctx.config, new Map())),
  );
  app.get(
    '/data/dictionary/:file',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'The data dictionary of a tabular distribution, as a Frictionless Table Schema', params: DictionaryParams, response: { 200: Type.Object({}, { additionalProperties: true }), ...readErrors } } },
    async (req, reply) => {
      for (const d of DATASETS) {
        for (const [i, x] of d.distributions.entries()) {
          if (x.table && dictionaryPath(d, i) === `/data/dictionary/${req.params.file}`) return reply.type('application/json; charset=utf-8').send(tableSchema(x.table));
        }
      }
      throw notFound('No such data dictionary.');
    },
  );
  app.get('/data', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('rs.catalog.title'), <CatalogPage v={v} />);
  });
}
