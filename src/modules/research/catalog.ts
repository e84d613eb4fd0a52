/**
 * The open data catalog: each public dataset of the workspace described once, and written out as `/data.json` in the
 * Project Open Data metadata schema v1.1 (what Data.gov harvests), with a Frictionless Table Schema as the data
 * dictionary of every tabular distribution. Only datasets anyone may already download are listed.
 */
import type { Config } from '../../config.ts';

export const POD_SCHEMA = 'https://project-open-data.cio.gov/v1.1/schema';
export const PUBLISHER = 'Interagency Task Force to Monitor and Combat Trafficking in Persons';
/**
 * OMB bureau and Federal Program Inventory codes are required of federal catalogs. The task force has none of its
 * own; these placeholders (valid in form) stand until the lead agency assigns the codes to publish under.
 */
export const BUREAU_CODE = '000:00';
export const PROGRAM_CODE = '000:000';
export const LICENSE = 'https://creativecommons.org/publicdomain/zero/1.0/';

/** A Frictionless Table Schema field. */
export interface TableField {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';
  title: string;
  description: string;
}

export interface Distribution {
  title: string;
  /** Path under the site, e.g. /api/practices/export.csv. */
  path: string;
  mediaType: string;
  format: string;
  /** Direct download (a file), or an API answered page by page. */
  kind: 'download' | 'api';
  /** The data dictionary of a tabular file. */
  table?: TableField[];
  conformsTo?: string;
}

export interface Dataset {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  theme: string[];
  landingPage: string;
  temporal: string | null;
  spatial: string;
  accrualPeriodicity: string;
  distributions: Distribution[];
}

const S = (name: string, title: string, description: string, type: TableField['type'] = 'string'): TableField => ({ name, type, title, description });

/** The public datasets of the workspace. `modified` comes from the data at the time of asking. */
export const DATASETS: Dataset[] = [
  {
    id: 'service-directory',
    title: 'Service directory for survivors of human trafficking (HSDS 3.0)',
    description: 'Housing, social services, employment and training programs that survivors of trafficking can use, with where they are offered and whom they serve, in the Open Referral Human Services Data Specification 3.0. Confidential locations (shelters) are published without address, coordinates or telephone.',
    keywords: ['human trafficking', 'human services', 'HSDS', 'Open Referral', 'service directory'],
    theme: ['Human services'],
    landingPage: '/directory',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [{ title: 'HSDS 3.0 API: services', path: '/api/hsds/services', mediaType: 'application/json', format: 'API', kind: 'api', conformsTo: 'https://docs.openreferral.org/en/latest/hsds/' }],
  },
  {
    id: 'network-coverage',
    title: 'Coverage of local networks by state',
    description: 'For each state, the local networks between victim service providers and existing resources, and the needs they cover.',
    keywords: ['human trafficking', 'local networks', 'service coverage'],
    theme: ['Human services'],
    landingPage: '/networks',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [{ title: 'Coverage by state (JSON)', path: '/api/networks/coverage/states', mediaType: 'application/json', format: 'JSON', kind: 'api' }],
  },
  {
    id: 'promising-practices',
    title: 'Promising practices library',
    description: "Practices for survivors' employment, housing and services, each rated per outcome from reviewed studies under published rules.",
    keywords: ['human trafficking', 'evidence', 'promising practices', 'evaluation'],
    theme: ['Research'],
    landingPage: '/practices',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'irregular',
    distributions: [
      {
        title: 'Every practice with its ratings (CSV)',
        path: '/api/practices/export.csv',
        mediaType: 'text/csv',
        format: 'CSV',
        kind: 'download',
        table: [
          S('id', 'Practice id', 'Stable identifier of the practice (UUID).'),
          S('name', 'Name', 'Name of the practice.'),
          S('setting', 'Setting', 'Where the practice is delivered.'),
          S('populations', 'Target populations', 'Population terms of the directory taxonomy, separated by "; ".'),
          S('outcome_domains', 'Outcome domains', 'Outcome domains the practice aims at, separated by "; ".'),
          S('source', 'Source', 'Where the practice is described.'),
          S('demo', 'Demo data', '"yes" for invented demonstration records, else "no".'),
          S('url', 'Address', "The practice's page on this site."),
          S('outcome', 'Outcome', 'The outcome domain this row rates (one row per practice and outcome).'),
          S('rating', 'Rating', 'effective, promising, no_effects, negative_effects or inconclusive.'),
          S('evidence', 'Evidence', 'How much evidence the rating rests on.'),
          S('studies', 'Studies', 'Number of settled studies behind the rating.', 'integer'),
          S('rule_version', 'Rule version', 'Version of the published rating rules that produced the rating.', 'integer'),
        ],
      },
      { title: 'Every practice with its ratings (JSON)', path: '/api/practices/export.json', mediaType: 'application/json', format: 'JSON', kind: 'download' },
    ],
  },
];

export function contactEmail(config: Pick<Config, 'mailFrom'>): string {
  const m = /([\w.+-]+@[\w.-]+\.[\w.-]+)/.exec(config.mailFrom);
  return `mailto:${m ? m[1] : ''}`;
}

/** A Frictionless Table Schema document for a distribution's fields. */
export function tableSchema(fields: TableField[]) {
  return { fields: fields.map((f) => ({ name: f.name, type: f.type, title: f.title, description: f.description })), missingValues: [''] };
}

export const dictionaryPath = (d: Dataset, i: number) => `/data/dictionary/${d.id}-${i + 1}.json`;

/** `/data.json`: the catalog in the Project Open Data metadata schema v1.1. */
export function dataJson(config: Pick<Config, 'publicUrl' | 'mailFrom'>, modified: Map<string, string>) {
  const base = config.publicUrl.replace(/\/$/, '');
  return {
    '@context': `${POD_SCHEMA}/catalog.jsonld`,
    '@id': `${base}/data.json`,
    '@type': 'dcat:Catalog',
    conformsTo: POD_SCHEMA,
    describedBy: `${POD_SCHEMA}/catalog.json`,
    dataset: DATASETS.map((d) => {
      const dict = d.distributions.findIndex((x) => x.table);
      return {
        '@type': 'dcat:Dataset',
        title: d.title,
        description: d.description,
        keyword: d.keywords,
        modified: modified.get(d.id) ?? new Date().toISOString().slice(0, 10),
        publisher: { '@type': 'org:Organization', name: PUBLISHER },
        contactPoint: { '@type': 'vcard:Contact', fn: 'Research and Data Committee', hasEmail: contactEmail(config) },
        identifier: `${base}/data#${d.id}`,
        accessLevel: 'public',
        bureauCode: [BUREAU_CODE],
        programCode: [PROGRAM_CODE],
        license: LICENSE,
        rights: null,
        spatial: d.spatial,
        ...(d.temporal ? { temporal: d.temporal } : {}),
        accrualPeriodicity: d.accrualPeriodicity,
        language: ['en-US'],
        theme: d.theme,
        landingPage: `${base}${d.landingPage}`,
        ...(dict >= 0 ? { describedBy: `${base}${dictionaryPath(d, dict)}`, describedByType: 'application/json' } : {}),
        distribution: d.distributions.map((x, i) => ({
          '@type': 'dcat:Distribution',
          title: x.title,
          ...(x.kind === 'download' ? { downloadURL: `${base}${x.path}`, mediaType: x.mediaType } : { accessURL: `${base}${x.path}`, mediaType: x.mediaType }),
          format: x.format,
          ...(x.conformsTo ? { conformsTo: x.conformsTo } : {}),
          ...(x.table ? { describedBy: `${base}${dictionaryPath(d, i)}`, describedByType: 'application/json' } : {}),
        })),
      };
    }),
  };
}

export const DCAT_US_SCHEMA = 'https://resources.data.gov/dcat-us/3.0.0/catalog';
export const TABLE_SCHEMA_SPEC = 'https://specs.frictionlessdata.io/table-schema/';

/**
 * The JSON-LD context of `/catalog.jsonld`: the DCAT, Dublin Core, FOAF, vCard and SKOS terms the document uses,
 * written out here so the document reads without fetching anything. Terms not listed fall to the DCAT vocabulary.
 */
const DCAT_CONTEXT = {
  '@vocab': 'http://www.w3.org/ns/dcat#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  title: 'dcterms:title',
  description: 'dcterms:description',
  identifier: 'dcterms:identifier',
  language: 'dcterms:language',
  modified: { '@id': 'dcterms:modified', '@type': 'http://www.w3.org/2001/XMLSchema#date' },
  publisher: 'dcterms:publisher',
  license: { '@id': 'dcterms:license', '@type': '@id' },
  conformsTo: { '@id': 'dcterms:conformsTo', '@type': '@id' },
  format: 'dcterms:format',
  spatial: 'dcterms:spatial',
  temporal: 'dcterms:temporal',
  accrualPeriodicity: 'dcterms:accrualPeriodicity',
  describedBy: 'http://www.w3.org/2007/05/powder-s#describedby',
  name: 'foaf:name',
  homepage: { '@id': 'foaf:homepage', '@type': '@id' },
  fn: 'vcard:fn',
  hasEmail: { '@id': 'vcard:hasEmail', '@type': '@id' },
  prefLabel: 'skos:prefLabel',
  landingPage: { '@id': 'dcat:landingPage', '@type': '@id' },
  accessURL: { '@id': 'dcat:accessURL', '@type': '@id' },
  downloadURL: { '@id': 'dcat:downloadURL', '@type': '@id' },
};

/** A POD `temporal` ("start/end", ISO 8601) as a DCAT-US period of time. */
function periodOf(temporal: string) {
  const [startDate, endDate] = temporal.split('/');
  return { '@type': 'dcterms:PeriodOfTime', startDate: startDate || null, endDate: endDate || null };
}

/**
 * `/catalog.jsonld`: the same datasets as `/data.json`, in DCAT-US 3.0 JSON-LD (validated against the DCAT-US 3.0
 * JSON Schema in the tests). A tabular distribution `conformsTo` its own Table Schema, and its `describedBy` is that
 * Table Schema as a distribution conforming to the Frictionless Table Schema specification.
 */
export function dcatUs(config: Pick<Config, 'publicUrl' | 'mailFrom'>, modified: Map<string, string>) {
  const base = config.publicUrl.replace(/\/$/, '');
  const today = new Date().toISOString().slice(0, 10);
  const publisher = { '@type': 'foaf:Organization', name: PUBLISHER };
  const contact = { '@type': 'vcard:Kind', fn: 'Research and Data Committee', hasEmail: contactEmail(config) };
  const dictionary = (d: Dataset, i: number) => ({
    '@type': 'dcat:Distribution',
    title: `Data dictionary: ${d.distributions[i].title} (Frictionless Table Schema)`,
    downloadURL: `${base}${dictionaryPath(d, i)}`,
    mediaType: 'application/json',
    format: 'JSON',
    conformsTo: [{ '@id': TABLE_SCHEMA_SPEC, '@type': 'dcterms:Standard', title: 'Frictionless Table Schema' }],
  });
  const dates = DATASETS.map((d) => modified.get(d.id) ?? today);
  return {
    '@context': DCAT_CONTEXT,
    '@id': `${base}/catalog.jsonld`,
    '@type': 'dcat:Catalog' as const,
    conformsTo: { '@id': DCAT_US_SCHEMA, '@type': 'dcterms:Standard', title: 'DCAT-US 3.0' },
    title: 'Open data catalog',
    description: `The datasets published by the ${PUBLISHER}, the same list as ${base}/data.json.`,
    language: ['en'],
    modified: dates.reduce((a, b) => (a > b ? a : b), today),
    publisher,
    contactPoint: [contact],
    license: LICENSE,
    homepage: { '@id': `${base}/data`, '@type': 'foaf:Document', title: 'Open data catalog' },
    dataset: DATASETS.map((d, n) => {
      const dict = d.distributions.findIndex((x) => x.table);
      return {
        '@id': `${base}/data#${d.id}`,
        '@type': 'dcat:Dataset',
        identifier: `${base}/data#${d.id}`,
        title: d.title,
        description: d.description,
        keyword: d.keywords,
        theme: d.theme,
        modified: dates[n],
        publisher,
        contactPoint: contact,
        language: ['en'],
        spatial: [{ '@type': 'dcterms:Location', prefLabel: d.spatial }],
        ...(d.temporal ? { temporal: [periodOf(d.temporal)] } : {}),
        accrualPeriodicity: d.accrualPeriodicity,
        landingPage: `${base}${d.landingPage}`,
        ...(dict >= 0 ? { describedBy: dictionary(d, dict) } : {}),
        distribution: d.distributions.map((x, i) => ({
          '@type': 'dcat:Distribution',
          title: x.title,
          ...(x.kind === 'download' ? { downloadURL: `${base}${x.path}` } : { accessURL: `${base}${x.path}` }),
          mediaType: x.mediaType,
          format: x.format,
          license: LICENSE,
          ...(x.table ? { conformsTo: [{ '@id': `${base}${dictionaryPath(d, i)}`, '@type': 'dcterms:Standard', title: `Table Schema of ${x.title}` }], describedBy: dictionary(d, i) } : {}),
          ...(x.conformsTo ? { conformsTo: [{ '@id': x.conformsTo, '@type': 'dcterms:Standard' }] } : {}),
        })),
      };
    }),
  };
}
