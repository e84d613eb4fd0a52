/**
 * The open data catalog: each public dataset of the workspace described once, and written out as `/data.json` in the
 * Project Open Data metadata schema v1.1 (what Data.gov harvests), with a Frictionless Table Schema as the data
 * dictionary of every tabular distribution. Only datasets anyone may already download are listed.
 */
import type { Config } from '../../config.ts';
import type { Db } from '../../platform/db/index.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { suppressLinked } from '../../platform/stats/suppress.ts';
import type { Compiled } from './presenters.ts';
import { lastAcceptedReviews, listCalls, latestSnapshotDates, type Call } from './store.ts';

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
  /** The dataset name under which the snapshots job keeps dated versions of this download (research_snapshot). */
  snapshot?: string;
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
  /** Title and description are the publisher's own text (a data call), not messages of the module. */
  literal?: boolean;
  /** `modified` from the data itself (a data call's latest review), when no snapshot says it. */
  modified?: string;
}

const S = (name: string, title: string, description: string, type: TableField['type'] = 'string'): TableField => ({ name, type, title, description });

/**
 * The data dictionary of every insights CSV (platform/stats/page.ts pageCsv): one line per published figure, a
 * suppressed figure written as an empty value with the note "suppressed".
 */
export const INSIGHTS_TABLE: TableField[] = [
  S('table', 'Table', 'Identifier of the table on the insights page the figure belongs to (e.g. services-by-need).'),
  S('row', 'Row', "The row's label (a need, state, status, agency...), or Total for the column totals."),
  S('column', 'Column', "The column's label, or Total for the row totals."),
  S('value', 'Value', 'A count of records. Empty when the figure is suppressed: counts from 1 to the suppression threshold are withheld, together with every other figure of the page (complementary suppression) that would let them be worked out.', 'integer'),
  S('note', 'Note', '"suppressed" when the value is withheld, else empty.'),
];

/** The CSV of an insights theme as a download of a dataset, kept by the snapshots job as `insights-<theme>`. */
const insightsCsv = (theme: string, title: string): Distribution => ({
  title: `${title} (CSV, suppressed counts)`,
  path: `/api/research/insights/${theme}.csv`,
  mediaType: 'text/csv',
  format: 'CSV',
  kind: 'download',
  table: INSIGHTS_TABLE,
  snapshot: `insights-${theme}`,
});
const insightsJson = (theme: string, title: string): Distribution => ({ title: `${title} (JSON)`, path: `/api/research/insights/${theme}`, mediaType: 'application/json', format: 'JSON', kind: 'api' });

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
    distributions: [
      { title: 'HSDS 3.0 API: services', path: '/api/hsds/services', mediaType: 'application/json', format: 'API', kind: 'api', conformsTo: 'https://docs.openreferral.org/en/latest/hsds/' },
      { title: 'HSDS 3.0 data package', path: '/directory/download/datapackage.json', mediaType: 'application/json', format: 'Frictionless Tabular Data Package (HSDS 3.0 CSV files)', kind: 'download', conformsTo: 'https://specs.frictionlessdata.io/tabular-data-package/' },
    ],
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
    distributions: [
      { title: 'Coverage by state (JSON)', path: '/api/networks/coverage/states', mediaType: 'application/json', format: 'JSON', kind: 'api' },
      insightsCsv('services', 'Services by need, population and state; networks by state'),
      insightsJson('services', 'Services by need, population and state; networks by state'),
    ],
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
      insightsCsv('evidence', 'Practices by outcome and rating, and by setting'),
    ],
  },
  {
    id: 'referral-statistics',
    title: 'Referrals between service providers: volume, time to acceptance and outcomes',
    description: 'Referrals made through the platform by need and by state, with what became of them and how soon they were accepted. Counts only, small counts suppressed; no person is described.',
    keywords: ['human trafficking', 'referrals', 'service outcomes'],
    theme: ['Human services'],
    landingPage: '/research/insights/referrals',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [insightsCsv('referrals', 'Referrals by need, state and time to acceptance'), insightsJson('referrals', 'Referrals by need, state and time to acceptance')],
  },
  {
    id: 'published-findings',
    title: 'The voice of the field: recommendations from listening sessions',
    description: 'Recommendations drawn from the findings of listening sessions with survivors and the field, by type and by where they stand.',
    keywords: ['human trafficking', 'listening sessions', 'survivor voice', 'recommendations'],
    theme: ['Research'],
    landingPage: '/research/insights/field',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [insightsCsv('field', 'Recommendations by type and status'), insightsJson('field', 'Recommendations by type and status')],
  },
  {
    id: 'work-plan-progress',
    title: 'Progress of the task force work plans',
    description: 'Goals, objectives and actions of the work plans by status, and actions by lead agency and status.',
    keywords: ['human trafficking', 'work plan', 'progress', 'accountability'],
    theme: ['Government'],
    landingPage: '/research/insights/progress',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [insightsCsv('progress', 'Work plan items by kind and status; actions by lead agency'), insightsJson('progress', 'Work plan items by kind and status; actions by lead agency')],
  },
  {
    id: 'grant-funding',
    title: 'Anti-trafficking grant awards',
    description: 'Federal awards for anti-trafficking work by state of the recipient, and by fiscal year and awarding agency.',
    keywords: ['human trafficking', 'grants', 'funding', 'federal awards'],
    theme: ['Finance'],
    landingPage: '/research/insights/funding',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [insightsCsv('funding', 'Awards by state, fiscal year and agency'), insightsJson('funding', 'Awards by state, fiscal year and agency')],
  },
  {
    id: 'outreach-campaigns',
    title: 'Outreach campaigns: groups taking part',
    description: 'Community groups that reported back on awareness campaigns, by campaign and by state.',
    keywords: ['human trafficking', 'outreach', 'awareness', 'prevention'],
    theme: ['Public safety'],
    landingPage: '/research/insights/outreach',
    temporal: null,
    spatial: 'United States',
    accrualPeriodicity: 'R/P1D',
    distributions: [insightsCsv('outreach', 'Groups by campaign and state'), insightsJson('outreach', 'Groups by campaign and state')],
  },
];

/** A data call's field type as a Table Schema type. */
const FIELD_TYPE: Record<string, TableField['type']> = { count: 'integer', number: 'number', text: 'string' };

/** The public path of a public call's compiled table. */
export const callCsvPath = (id: string) => `/data/calls/${id}/compiled.csv`;

/** A data call the chair made public, as a dataset: its compiled table of accepted submissions (presenters.ts compiledCsv). */
export function callDataset(c: Call, lastReview: string | null): Dataset {
  const unit = (u: string | null) => (u ? ` Unit: ${u}.` : '');
  return {
    id: `data-call-${c.id}`,
    title: c.title,
    description: c.description || `Figures the member agencies reported to the Research and Data Committee for ${c.period_start} to ${c.period_end}, as accepted by the committee, with totals and footnotes.`,
    keywords: ['human trafficking', 'data call', 'agency statistics'],
    theme: ['Research'],
    landingPage: `/data#data-call-${c.id}`,
    temporal: `${c.period_start}/${c.period_end}`,
    spatial: 'United States',
    accrualPeriodicity: 'irregular',
    literal: true,
    modified: (lastReview && lastReview > c.updated_at ? lastReview : c.updated_at).slice(0, 10),
    distributions: [
      {
        title: `${c.title}: compiled table (CSV)`,
        path: callCsvPath(c.id),
        mediaType: 'text/csv',
        format: 'CSV',
        kind: 'download',
        snapshot: `data-call-${c.id}`,
        table: [
          S('agency', 'Agency', 'The agency that reported the row; "All agencies" on the total line; "note N" on a footnote line.'),
          S('line', 'Line', 'row (as reported), subtotal (of an agency that sent several rows), total, "not included (state)" for an agency whose figures were not accepted, or the text of a footnote.'),
          ...c.fields.map((f) =>
            S(
              f.key,
              f.label,
              `${f.definition}${unit(f.unit ?? null)}${f.type === 'text' ? '' : ' Summed on the subtotal and total lines.'}${f.type === 'count' ? ' Empty when suppressed: counts from 1 to the suppression threshold are withheld, with every other count of the column (subtotal, total or another row) that would let them be worked out; the suppressed column names them.' : ''}`,
              FIELD_TYPE[f.type] ?? 'string',
            ),
          ),
          S('suppressed', 'Suppressed', 'The keys of the count fields withheld on this line, separated by "; "; empty when none is.'),
        ],
      },
    ],
  };
}

/**
 * A public call's compiled table as CSV: the committee's table (presenters.ts compiledCsv, same lines and columns)
 * with each count column suppressed as the insights are (platform/stats suppressLinked: each agency row a record
 * weighing its count, so subtotals and the total are linked to the rows they sum), and a last column naming the
 * fields withheld on each line. Decimal and text fields are not counts of people and are shown.
 */
export function publicCallCsv(t: Compiled, countKeys: readonly string[], threshold: number): string {
  const rowIdx = t.rows.flatMap((r, i) => (r.kind === 'row' ? [i] : []));
  const hidden = new Map<string, Set<number | 'total'>>();
  for (const key of countKeys) {
    const weights = t.rows.map((r) => (r.kind === 'row' && typeof r.values[key] === 'number' ? (r.values[key] as number) : 0));
    // Counts: each line of the table (a row is its own record; a subtotal, the rows of its agency), then the total.
    const members = t.rows.map((r, i) => (r.kind === 'row' ? [i] : rowIdx.filter((j) => t.rows[j].agency === r.agency)));
    const hide = suppressLinked([...members, rowIdx], threshold, [], weights);
    hidden.set(key, new Set(hide.flatMap((h, i) => (h ? [i === t.rows.length ? ('total' as const) : i] : []))));
  }
  const cell = (key: string, at: number | 'total', v: unknown) => (hidden.get(key)?.has(at) ? '' : (v ?? ''));
  const withheld = (at: number | 'total') => countKeys.filter((k) => hidden.get(k)!.has(at)).join('; ');
  const head = ['agency', 'line', ...t.columns.map((c) => c.key), 'suppressed'];
  const lines: unknown[][] = t.rows.map((r, i) => [r.agency, r.kind, ...t.columns.map((c) => cell(c.key, i, r.values[c.key])), withheld(i)]);
  lines.push(['All agencies', 'total', ...t.columns.map((c) => cell(c.key, 'total', t.totals[c.key])), withheld('total')]);
  for (const m of t.missing) lines.push([m.agency, `not included (${m.status})`, ...t.columns.map(() => ''), '']);
  t.footnotes.forEach((f, i) => lines.push([`note ${i + 1}`, f, ...t.columns.map(() => ''), '']));
  return toCsv(head, lines);
}

/** Every public dataset now: the fixed ones, then each data call the chair made public (newest due date first). */
export async function catalogDatasets(db: Db): Promise<Dataset[]> {
  const calls = (await listCalls(db, { publicOnly: true, limit: 1000 })).filter((c) => c.public);
  const reviewed = await lastAcceptedReviews(db, calls.map((c) => c.id));
  return [...DATASETS, ...calls.map((c) => callDataset(c, reviewed.get(c.id) ?? null))];
}

/** Each dataset's `modified`: the day of the latest snapshot of one of its downloads, else what the data says. */
export async function catalogModified(db: Db, datasets: readonly Dataset[]): Promise<Map<string, string>> {
  const taken = await latestSnapshotDates(db);
  const out = new Map<string, string>();
  for (const d of datasets) {
    const dates = d.distributions.flatMap((x) => (x.snapshot && taken.has(x.snapshot) ? [taken.get(x.snapshot)!.slice(0, 10)] : []));
    if (d.modified) dates.push(d.modified);
    if (dates.length) out.set(d.id, dates.reduce((a, b) => (a > b ? a : b)));
  }
  return out;
}

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
export function dataJson(config: Pick<Config, 'publicUrl' | 'mailFrom'>, modified: Map<string, string>, datasets: readonly Dataset[] = DATASETS) {
  const base = config.publicUrl.replace(/\/$/, '');
  return {
    '@context': `${POD_SCHEMA}/catalog.jsonld`,
    '@id': `${base}/data.json`,
    '@type': 'dcat:Catalog',
    conformsTo: POD_SCHEMA,
    describedBy: `${POD_SCHEMA}/catalog.json`,
    dataset: datasets.map((d) => {
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
export function dcatUs(config: Pick<Config, 'publicUrl' | 'mailFrom'>, modified: Map<string, string>, datasets: readonly Dataset[] = DATASETS) {
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
  const dates = datasets.map((d) => modified.get(d.id) ?? today);
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
    dataset: datasets.map((d, n) => {
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
