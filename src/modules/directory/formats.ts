/** Readers of HSDS 3.0 publications: the CSV data package and JSON (an array of objects, or one per line). */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TABLES, TABLE_NAMES, type Row, type TableName } from './model.ts';
import { Dataset, type Origin, type Refusal } from './validate.ts';
import { readCsvFile } from './legacy.ts';
import { TEXT_LIMITS, TextTooLarge, bufferLines, checkOneString, decodeText, encodingNote } from './text-file.ts';

export function readHsds3Csv(path: string): Dataset {
  const ds = new Dataset();
  let found = 0;
  for (const table of TABLE_NAMES) {
    const file = TABLES[table].file;
    const recs = readCsvFile(ds, path, file);
    if (!recs) continue;
    found++;
    for (const r of recs) {
      const row: Row = {};
      // A leading apostrophe before = + - @ is how CSV writers (ours included) defuse spreadsheet formulas.
      for (const [k, v] of Object.entries(r)) if (k !== '__row') row[k] = /^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v;
      ds.add(table, row, { file, row: Number(r.__row) });
    }
  }
  if (!found) ds.refuse({ file: basename(path), row: 0 }, 'file', 'holds no HSDS 3.0 CSV file (services.csv, organizations.csv, ...)');
  return ds;
}

// Nested arrays of each HSDS object and the table of their items; the parent's id goes in the named column.
const CHILDREN: Record<string, Record<string, [TableName, string | null]>> = {
  organization: { funding: ['funding', 'organization_id'], contacts: ['contact', 'organization_id'], phones: ['phone', 'organization_id'], locations: ['location', 'organization_id'], programs: ['program', 'organization_id'], organization_identifiers: ['organization_identifier', 'organization_id'], services: ['service', 'organization_id'] },
  service: { phones: ['phone', 'service_id'], schedules: ['schedule', 'service_id'], service_areas: ['service_area', 'service_id'], service_at_locations: ['service_at_location', 'service_id'], languages: ['language', 'service_id'], funding: ['funding', 'service_id'], cost_options: ['cost_option', 'service_id'], required_documents: ['required_document', 'service_id'], contacts: ['contact', 'service_id'], capacities: ['service_capacity', 'service_id'] },
  service_at_location: { contacts: ['contact', 'service_at_location_id'], phones: ['phone', 'service_at_location_id'], schedules: ['schedule', 'service_at_location_id'] },
  location: { languages: ['language', 'location_id'], addresses: ['address', 'location_id'], contacts: ['contact', 'location_id'], accessibility: ['accessibility', 'location_id'], phones: ['phone', 'location_id'], schedules: ['schedule', 'location_id'] },
  phone: { languages: ['language', 'phone_id'] },
  contact: { phones: ['phone', 'contact_id'] },
  taxonomy_term: {},
  program: {},
};
// Single nested objects: the object's table and the parent's column that names it.
const SINGLES: Record<string, Record<string, [TableName, string]>> = {
  service: { organization: ['organization', 'organization_id'], program: ['program', 'program_id'] },
  service_at_location: { location: ['location', 'location_id'], service: ['service', 'service_id'] },
  taxonomy_term: { taxonomy_detail: ['taxonomy', 'taxonomy_id'] },
  attribute: { taxonomy_term: ['taxonomy_term', 'taxonomy_term_id'] },
  service_capacity: { unit: ['unit', 'unit_id'] },
};
const LINK_ENTITY_OF: Partial<Record<TableName, string>> = { service: 'service', organization: 'organization', location: 'location', service_at_location: 'service_at_location', phone: 'phone', contact: 'contact', program: 'program' };

interface Plan {
  columns: Set<string>;
  /** Every column, in the table's order, undefined: each row starts as a copy of it. */
  blank: Row;
  singles: [key: string, table: TableName, col: string][];
  children: [key: string, table: TableName, col: string | null][];
  /** What an attribute of this table's objects takes from it. */
  linkExtra: Row;
}

// Worked out once per table rather than once per object: imports flatten hundreds of thousands of objects.
const PLANS = new Map<TableName, Plan>();
function planOf(table: TableName): Plan {
  let plan = PLANS.get(table);
  if (!plan) {
    plan = {
      columns: new Set(Object.keys(TABLES[table].columns)),
      blank: Object.fromEntries(Object.keys(TABLES[table].columns).map((c) => [c, undefined])),
      singles: Object.entries(SINGLES[table] ?? {}).map(([key, [t, col]]) => [key, t, col]),
      children: Object.entries(CHILDREN[table] ?? {}).map(([key, [t, col]]) => [key, t, col]),
      linkExtra: { link_entity: LINK_ENTITY_OF[table] ?? table },
    };
    PLANS.set(table, plan);
  }
  return plan;
}

/**
 * Flattens one nested HSDS object into table rows. The same record may appear several times (an organisation in
 * each of its services): later copies are dropped when their id was already seen.
 */
export function flatten(ds: Dataset, table: TableName, obj: unknown, origin: Origin, parent?: { col: string; id: unknown; extra?: Row }, seen = new Map<string, Set<string>>()): string | null {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    ds.refuse(origin, table, 'must be an object');
    return null;
  }
  const o = obj as Record<string, unknown>;
  const plan = planOf(table);
  // Every column, in the table's order, even when absent (undefined): all rows of a table then share one shape,
  // which keeps the checks and writes that follow fast. The row is a copy of the blank one (cheap: the shape is
  // copied whole) filled from the object's own keys, fewer than the columns; setting each column by name in turn
  // cost a third of reading a publication.
  const row: Row = { ...plan.blank };
  for (const k in o) if (plan.columns.has(k) && Object.hasOwn(o, k)) row[k] = o[k];
  if (parent && (row[parent.col] === undefined || row[parent.col] === null)) row[parent.col] = parent.id;
  if (parent?.extra) for (const k in parent.extra) if (row[k] === undefined || row[k] === null || row[k] === '') row[k] = parent.extra[k];
  for (const [key, t, col] of plan.singles) {
    const child = o[key];
    if (child && typeof child === 'object') {
      const id = flatten(ds, t, child, origin, undefined, seen);
      if (row[col] === undefined || row[col] === null) row[col] = id;
    }
  }
  // A number for an id (`"id": 12345`) is its text: the import derives a UUID from it (deriveIds), as from any id
  // that is not one, and the records it holds name it so.
  if (typeof row.id === 'number' && Number.isFinite(row.id)) row.id = String(row.id);
  const id = typeof row.id === 'string' ? row.id : null;
  let s = seen.get(table);
  if (!s) seen.set(table, (s = new Set()));
  if (id === null || !s.has(id)) {
    if (id) s.add(id);
    ds.add(table, row, origin);
  }
  for (const [key, t, col] of plan.children) {
    const list = o[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      ds.refuse(origin, key, 'must be an array');
      continue;
    }
    // One parent for the whole list: flatten only reads it.
    const of = col ? { col, id } : undefined;
    for (const item of list) flatten(ds, t, item, origin, of, seen);
  }
  const attrs = o.attributes;
  if (Array.isArray(attrs)) {
    const of = { col: 'link_id', id, extra: plan.linkExtra };
    for (const a of attrs) flatten(ds, 'attribute', a, origin, of, seen);
  }
  return id;
}

const KIND_BY_FILE: Record<string, TableName> = { services: 'service', organizations: 'organization', taxonomies: 'taxonomy', taxonomy_terms: 'taxonomy_term', service_at_locations: 'service_at_location', services_at_location: 'service_at_location', locations: 'location' };

/**
 * The table a JSON file's objects belong to, from its name as HSDS 3.0 publishers and the API's examples name them:
 * `services.json`, `organization_full.json`, `service_at_location_list.json`, `taxonomy_list.json`.
 */
export function kindOfFile(file: string): TableName | null {
  const stem = file.replace(/\.(nd)?json$/i, '').toLowerCase().replace(/_(full|list|page|basic)$/, '');
  if (KIND_BY_FILE[stem]) return KIND_BY_FILE[stem];
  if ((TABLE_NAMES as string[]).includes(stem)) return stem as TableName;
  return null;
}

/** What an object is when the file name does not say: HSDS objects are told apart by their fields. */
function kindOfObject(o: Record<string, unknown>, fallback: TableName): TableName {
  if ('status' in o || 'service_at_locations' in o) return 'service';
  if ('location_type' in o) return 'location';
  if ('taxonomy_id' in o || 'parent_id' in o || 'term_uri' in o) return 'taxonomy_term';
  return fallback;
}

/** A file describing the publication rather than holding records (HSDS 3.0's base.json): version, profile. */
const isPublicationInfo = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && !('id' in v) && ('openapi_url' in v || ('version' in v && 'profile' in v));

/** HSDS 3.0's tabular JSON: `{"organizations.csv": [rows], "services.csv": [rows], ...}`. */
function tabularTables(v: unknown): [TableName, unknown[]][] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  if (!keys.length || !keys.every((k) => /\.csv$/i.test(k))) return null;
  const out: [TableName, unknown[]][] = [];
  for (const k of keys) {
    const table = TABLE_NAMES.find((t) => TABLES[t].file === k.toLowerCase());
    const rows = (v as Record<string, unknown>)[k];
    if (table && Array.isArray(rows)) out.push([table, rows]);
  }
  return out;
}

// The keys under which APIs and exports put a page's records: HSDS's page envelope, and other APIs' words.
const ENVELOPES = ['contents', 'data', 'items', 'results', 'records'];

/** An export's object of lists named for their content: `{"organizations": [...], "services": [...]}`. */
function namedLists(v: unknown): [TableName, unknown[]][] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v) || 'id' in v || 'name' in v) return null;
  const out: [TableName, unknown[]][] = [];
  for (const [k, rows] of Object.entries(v)) {
    const table = Array.isArray(rows) ? kindOfFile(`${k}.json`) : null;
    if (table) out.push([table, rows as unknown[]]);
  }
  return out.length ? out : null;
}

/** The lines of a text, each with its number from 1; a carriage return before the newline is left out. */
function* textLines(text: string): Generator<[string, number]> {
  let row = 0;
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    row++;
    yield [text.slice(at, nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : end), row];
    at = end + 1;
  }
}

/** Whether a line is one whole JSON object (NDJSON's first line), not the start of a larger document. */
function isOneRecord(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** Reads HSDS 3.0 JSON: one file, or every *.json and *.ndjson file of a folder. */
export function readHsds3Json(path: string, ds = new Dataset()): Dataset {
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => /\.(nd)?json$/i.test(f) && f !== 'datapackage.json' && !f.startsWith('.')).sort().map((f) => join(path, f)) : [path];
  const seen = new Map<string, Set<string>>();
  for (const full of files) {
    const file = basename(full);
    const named = kindOfFile(file);
    const fallback = named ?? 'service';
    // A file named for its content holds that content; otherwise each object's fields say what it is.
    const kindOfValue = (value: unknown) => (named ? named : value && typeof value === 'object' && !Array.isArray(value) ? kindOfObject(value as Record<string, unknown>, fallback) : fallback);
    // Each line is flattened as soon as it is parsed, so that the parsed objects die young (a publication of
    // 25,000 services kept whole cost more in garbage collection than in parsing). The file's unreadable lines
    // are still reported before its other refusals.
    const readLines = (lines: Iterable<[string, number]>) => {
      const start = ds.refusals.length;
      const unreadable: Refusal[] = [];
      for (const [line, row] of lines) {
        if (!line.trim()) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          unreadable.push({ file, row, field: 'line', reason: `is not valid JSON: ${(err as Error).message}` });
          continue;
        }
        flatten(ds, kindOfValue(value), value, { file, row }, undefined, seen);
      }
      // An array, not splice(...): a large file can have more unreadable lines than a call takes as arguments.
      if (unreadable.length) ds.refusals = [...ds.refusals.slice(0, start), ...unreadable, ...ds.refusals.slice(start)];
    };
    const bytes = readFileSync(full);
    if (bytes.length > TEXT_LIMITS.oneString) {
      // Too large for one string: read line by line when it is NDJSON (its first line a whole record), else refused.
      try {
        const { encoding, lines } = bufferLines(bytes);
        let first = true;
        readLines(
          (function* () {
            for (const l of lines) {
              if (first && l[0].trim()) {
                first = false;
                if (!isOneRecord(l[0])) checkOneString(bytes, 'JSON document');
              }
              yield l;
            }
          })(),
        );
        const note = encodingNote(file, encoding);
        if (note) ds.notes.push(note);
      } catch (err) {
        if (!(err instanceof TextTooLarge)) throw err;
        ds.refuse({ file, row: 0 }, 'file', err.message);
      }
      continue;
    }
    const { text, encoding } = decodeText(bytes);
    const note = encodingNote(file, encoding);
    if (note) ds.notes.push(note);
    const trimmed = text.trimStart();
    if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !/\}\s*\r?\n\s*\{/.test(text))) {
      let list: unknown[];
      try {
        const parsed = JSON.parse(text) as unknown;
        const envelope = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? ENVELOPES.find((k) => Array.isArray((parsed as Record<string, unknown>)[k])) : undefined;
        list = Array.isArray(parsed) ? parsed : envelope ? ((parsed as Record<string, unknown>)[envelope] as unknown[]) : [parsed];
      } catch (err) {
        ds.refuse({ file, row: 0 }, 'file', `is not valid JSON: ${(err as Error).message}`);
        continue;
      }
      if (list.length === 1 && isPublicationInfo(list[0])) continue;
      const tabular = list.length === 1 ? (tabularTables(list[0]) ?? namedLists(list[0])) : null;
      if (tabular) {
        for (const [table, rows] of tabular) rows.forEach((value, i) => flatten(ds, table, value, { file, row: i + 1 }, undefined, seen));
        continue;
      }
      list.forEach((value, i) => flatten(ds, kindOfValue(value), value, { file, row: i + 1 }, undefined, seen));
    } else readLines(textLines(text));
  }
  if (!files.length) ds.refuse({ file: basename(path), row: 0 }, 'file', 'holds no JSON file');
  return ds;
}

export type Format = 'hsds-2.0-csv' | 'hsds-1.1-csv' | 'hsds-3.0-csv' | 'hsds-3.0-json';
