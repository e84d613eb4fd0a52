import { fullFormats } from 'ajv-formats/dist/formats.js';
import { TABLES, TABLE_NAMES, kindOf, isRequired, type Row, type TableName } from './model.ts';
import { isSafeUrl } from '../../platform/http/urls.ts';

/** One refused (or skipped) row of an import: where it is and what is wrong with it. */
export interface Refusal {
  file: string;
  row: number;
  field: string;
  reason: string;
}

export interface Origin {
  file: string;
  row: number;
}

// Where a row came from, kept on the row under a symbol: invisible to Object.keys, for-in and JSON, and much cheaper
// than a WeakMap entry per row when an import holds millions of rows.
const ORIGIN = Symbol('origin');

/** Records to import, by HSDS table, each remembering the file and row it came from. */
export class Dataset {
  rows = new Map<TableName, Row[]>();
  refusals: Refusal[] = [];
  /** Rows left out on purpose (broken references in legacy data, when asked to skip them). */
  skipped: Refusal[] = [];
  /** What the reader worked out for itself and should say (links derived from other columns). */
  notes: string[] = [];

  add(table: TableName, row: Row, origin: Origin): Row {
    let list = this.rows.get(table);
    if (!list) this.rows.set(table, (list = []));
    list.push(row);
    (row as Record<symbol, unknown>)[ORIGIN] = origin;
    return row;
  }
  get(table: TableName): Row[] {
    return this.rows.get(table) ?? [];
  }
  originOf(row: Row): Origin {
    return ((row as Record<symbol, unknown>)[ORIGIN] as Origin | undefined) ?? { file: '?', row: 0 };
  }
  /** The rows refused, so that an import that quarantines them can leave them out. */
  refusedRows = new Set<Row>();
  refuse(row: Row | Origin, field: string, reason: string) {
    const o = ORIGIN in row ? this.originOf(row as Row) : (row as Origin);
    if (ORIGIN in row) this.refusedRows.add(row as Row);
    this.refusals.push({ file: o.file, row: o.row, field, reason });
  }
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of TABLE_NAMES) if (this.get(t).length) out[t] = this.get(t).length;
    return out;
  }
}

/** Longest text accepted in one field; descriptions and geometries may be longer. */
export const MAX_TEXT = 4000;
const LONG_TEXT: Record<string, number> = { description: 20000, extent: 200000, eligibility_description: 20000, application_process: 20000, details: 20000, previous_value: 20000, replacement_value: 20000 };

export const ENUMS: Record<string, Record<string, string[]>> = {
  service: { status: ['active', 'inactive', 'defunct', 'temporarily closed'] },
  location: { location_type: ['physical', 'postal', 'virtual'] },
  address: { address_type: ['physical', 'postal', 'virtual'] },
  schedule: { freq: ['WEEKLY', 'MONTHLY'], wkst: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] },
};

/** References between tables: column -> table whose id it names. */
export const REFERENCES: Partial<Record<TableName, Record<string, TableName>>> = {
  organization: { parent_organization_id: 'organization' },
  program: { organization_id: 'organization' },
  service: { organization_id: 'organization', program_id: 'program' },
  service_at_location: { service_id: 'service', location_id: 'location' },
  location: { organization_id: 'organization' },
  phone: { location_id: 'location', service_id: 'service', organization_id: 'organization', contact_id: 'contact', service_at_location_id: 'service_at_location' },
  contact: { organization_id: 'organization', service_id: 'service', service_at_location_id: 'service_at_location', location_id: 'location' },
  address: { location_id: 'location' },
  schedule: { service_id: 'service', location_id: 'location', service_at_location_id: 'service_at_location' },
  funding: { organization_id: 'organization', service_id: 'service' },
  service_area: { service_id: 'service' },
  required_document: { service_id: 'service' },
  language: { service_id: 'service', location_id: 'location', phone_id: 'phone' },
  accessibility: { location_id: 'location' },
  taxonomy_term: { parent_id: 'taxonomy_term', taxonomy_id: 'taxonomy' },
  cost_option: { service_id: 'service' },
  organization_identifier: { organization_id: 'organization' },
  attribute: { taxonomy_term_id: 'taxonomy_term' },
  service_capacity: { service_id: 'service', unit_id: 'unit' },
};

export const LINK_ENTITIES: Record<string, TableName> = { service: 'service', organization: 'organization', location: 'location', service_at_location: 'service_at_location', phone: 'phone', contact: 'contact', program: 'program' };

/** HSDS fields with a JSON Schema format, checked with the same rules the schemas' validators use. */
export const FORMATS: Record<string, Record<string, 'uri' | 'email'>> = {
  accessibility: { url: 'uri' },
  contact: { email: 'email' },
  location: { url: 'uri' },
  organization: { email: 'email', website: 'uri', uri: 'uri', logo: 'uri' },
  required_document: { uri: 'uri' },
  schedule: { schedule_link: 'uri' },
  service: { url: 'uri', email: 'email', assurer_email: 'email' },
  taxonomy: { uri: 'uri' },
  taxonomy_term: { term_uri: 'uri' },
  unit: { uri: 'uri' },
  service_area: { uri: 'uri' },
};

export function formatOk(format: 'uri' | 'email', v: string): boolean {
  // A URI here is a web address that will be served and shown as a link: http, https, mailto or tel only.
  if (format === 'uri' && !isSafeUrl(v)) return false;
  const f = fullFormats[format] as RegExp | ((s: string) => boolean);
  return typeof f === 'function' ? f(v) : f.test(v);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INCOMPLETE_ADDRESS = new Set(['city', 'state_province', 'postal_code', 'country']);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar date YYYY-MM-DD from year 1000 on, checked by arithmetic (a Date per value cost an import 40 ms per 20,000 services). */
export function validDate(s: string): boolean {
  if (s.length !== 10 || !DATE_RE.test(s) || s.charCodeAt(0) === 48) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

/** Yes and no as publishers write them (spreadsheets: TRUE/FALSE, Y/N, 1/0, an x for yes; Spanish: sí). */
const FLAG_WORDS: Record<string, boolean> = { true: true, t: true, yes: true, y: true, '1': true, x: true, on: true, 'sí': true, si: true, false: false, f: false, no: false, n: false, '0': false, off: false };

/**
 * A date as publishers write it, as YYYY-MM-DD: with a time after it ("2025-03-15 00:00:00", ISO instants), US
 * "MM/DD/YYYY" (211s are American; with or without a time after it) or "YYYY/MM/DD". Null when none of these.
 */
export function publishedDate(s: string): string | null {
  const t = s.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})[T ]/.exec(t);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:$|[ T])/.exec(t);
  if (m) return `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:$|[ T])/.exec(t);
  if (m) return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return null;
}

const DAY_MS = 86_400_000;

/**
 * The date an Excel serial number stands for, as YYYY-MM-DD (a spreadsheet saves a date cell so when the column was
 * formatted as a number): Excel's 1900 system, where 1 is 1900-01-01 and 60 is the 1900-02-29 that never was (null),
 * and later serials count days since 1899-12-30. A time of day after the point is dropped. Only 1 to 2958465
 * (9999-12-31), and not a four-digit whole number from 1900 to 2100, which is more likely a year than a day in 1905;
 * null for anything else.
 */
export function excelSerialDate(s: string): string | null {
  if (!/^\d{1,7}(\.\d+)?$/.test(s) || /^(19\d\d|20\d\d|2100)$/.test(s)) return null;
  const n = Math.floor(Number(s));
  if (n < 1 || n > 2_958_465 || n === 60) return null;
  return new Date(Date.UTC(1899, 11, n < 60 ? 31 : 30) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The id in lower case when it is a UUID (any version, any case), else null. A loop over the characters: the
 * regular expression it replaces took about a fifth of checking an import's values.
 */
export function uuidOrNull(v: string): string | null {
  if (v.length !== 36) return null;
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const c = v.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return null;
    } else if (c >= 97 && c <= 102) continue;
    else if (c >= 48 && c <= 57) continue;
    else if (c >= 65 && c <= 70) upper = true;
    else return null;
  }
  return upper ? v.toLowerCase() : v;
}

/**
 * Calls `check` on each column of a table's row in turn and stores what it returns, each column named in the code
 * (compiled once per table): the rows of one table share one shape, so each read and write is a plain property
 * access, where a column name held in a variable made each a lookup by name (checking the 164,000 rows of 20,000
 * generated services took 104-111 ms of CPU instead of 107-131, least of six reads, load about 10).
 */
const ROW_CHECKERS = new Map<TableName, (row: Row, check: (row: Row, i: number, v: unknown) => unknown) => void>();
function rowChecker(table: TableName) {
  let f = ROW_CHECKERS.get(table);
  if (!f) {
    const columns = Object.keys(TABLES[table].columns);
    if (!columns.every((c) => /^[a-z_][a-z0-9_]*$/.test(c))) throw new Error(`checkValues: unexpected column name in ${table}`);
    f = new Function('row', 'check', columns.map((c, i) => `row.${c} = check(row, ${i}, row.${c});`).join('\n')) as (row: Row, check: (row: Row, i: number, v: unknown) => unknown) => void;
    ROW_CHECKERS.set(table, f);
  }
  return f;
}

/**
 * Checks and converts every value in place: types, required fields, lengths, enumerations and identifiers.
 * Values arrive as strings (CSV) or JSON values; they leave as the types the tables store.
 */
export function checkValues(ds: Dataset): void {
  // The files whose dates were Excel serial numbers, with one as an example: said once per file.
  const serials = new Map<string, string>();
  for (const table of TABLE_NAMES) {
    const rows = ds.get(table);
    if (!rows.length) continue;
    const columns = TABLES[table].columns;
    // Worked out once per table rather than once per value: imports check millions of values.
    const specs = Object.entries(columns).map(([col, spec]) => ({ col, k: kindOf(spec), required: isRequired(spec) && !(table === 'service' && col === 'organization_id'), max: LONG_TEXT[col] ?? MAX_TEXT, format: FORMATS[table]?.[col], allowed: ENUMS[table]?.[col] }));
    // The value of column `i` of `row`, checked and converted (refusals recorded on the way).
    const check = (row: Row, i: number, given: unknown): unknown => {
      const { col, k, required, max, format, allowed } = specs[i];
      let v = given;
      if (typeof v === 'string') v = v.trim();
      if (v === '' || v === undefined) v = null;
      if (v === null) {
        if (required) {
          // HSDS requires these descriptions, but empty text is allowed: publishers often have none.
          if (col === 'description' || col === 'previous_value' || col === 'replacement_value') v = '';
          // An address with a street but no city, state, postal code or country is incomplete, not wrong: kept.
          else if (table === 'address' && INCOMPLETE_ADDRESS.has(col) && row.address_1 !== null && row.address_1 !== undefined && String(row.address_1).trim() !== '') {
            v = '';
            const o = ds.originOf(row);
            ds.skipped.push({ file: o.file, row: o.row, field: col, reason: 'incomplete address: kept without it' });
          } else ds.refuse(row, col, 'is required');
        }
        return k === 'bool' ? false : v;
      }
      switch (k) {
        case 'id': {
          const id = typeof v === 'string' ? uuidOrNull(v) : null;
          if (id === null) ds.refuse(row, col, 'must be a UUID');
          return id;
        }
        case 'num': {
          const n = typeof v === 'number' ? v : typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : NaN;
          if (!Number.isFinite(n)) ds.refuse(row, col, 'must be a number');
          return n;
        }
        case 'bool': {
          const b = typeof v === 'boolean' ? v : v === 1 || v === 0 ? v === 1 : typeof v === 'string' ? FLAG_WORDS[v.toLowerCase()] : undefined;
          if (b === undefined) ds.refuse(row, col, `must be yes or no (${String(v).slice(0, 40)})`);
          return b === true;
        }
        case 'date': {
          let d = typeof v === 'string' && !validDate(v) ? publishedDate(v) : v;
          if (d === null && typeof v === 'string') {
            d = excelSerialDate(v);
            if (d !== null) {
              const file = ds.originOf(row).file;
              if (!serials.has(file)) serials.set(file, `${v} as ${d}`);
            }
          }
          if (typeof d !== 'string' || !validDate(d)) {
            ds.refuse(row, col, `must be a date (YYYY-MM-DD, or MM/DD/YYYY) (${String(v).slice(0, 40)})`);
            return v;
          }
          return d;
        }
        case 'instant': {
          const d = typeof v === 'string' && /^[1-9]\d{3}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(NaN);
          if (Number.isNaN(d.getTime())) {
            ds.refuse(row, col, 'must be a date and time (ISO 8601)');
            return v;
          }
          return d.toISOString();
        }
        default: {
          if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
          if (typeof v !== 'string') {
            ds.refuse(row, col, 'must be text');
            return null;
          }
          if (v.includes('\u0000')) ds.refuse(row, col, 'must not contain a NUL character');
          if (v.length > max) ds.refuse(row, col, `is too long (${v.length} characters; at most ${max})`);
          if (format && !formatOk(format, v)) ds.refuse(row, col, format === 'uri' ? 'must be an absolute URL starting with http:// or https:// (or mailto: or tel:)' : 'must be an e-mail address');
          if (allowed && !allowed.includes(v)) {
            // In another case ("Physical", "weekly") it is the same value.
            const same = allowed.find((a) => a.toLowerCase() === (v as string).toLowerCase());
            if (same) return same;
            ds.refuse(row, col, `must be one of: ${allowed.join(', ')}`);
          }
          return v;
        }
      }
    };
    const checkRow = rowChecker(table);
    for (const row of rows) {
      for (const key in row) if (!(key in columns)) delete row[key];
      checkRow(row, check);
      if (table === 'location') {
        const lat = row.latitude as number | null;
        const lng = row.longitude as number | null;
        if (lat !== null && (lat < -90 || lat > 90)) ds.refuse(row, 'latitude', 'must be between -90 and 90');
        if (lng !== null && (lng < -180 || lng > 180)) ds.refuse(row, 'longitude', 'must be between -180 and 180');
        if ((lat === null) !== (lng === null)) ds.refuse(row, lat === null ? 'latitude' : 'longitude', 'latitude and longitude go together');
      }
    }
  }
  for (const [file, example] of serials) ds.notes.push(`${file}: dates written as Excel serial numbers (${example})`);
  // One id per record within a table.
  for (const table of TABLE_NAMES) {
    const seen = new Set<string>();
    for (const row of ds.get(table)) {
      const id = row.id as string | null;
      if (!id) continue;
      if (seen.has(id)) ds.refuse(row, 'id', 'appears twice in this file');
      seen.add(id);
    }
  }
}

/**
 * Every reference must name a record of this import or one already in the directory. `exists(table, ids)` answers
 * which of the ids the directory already has.
 */
export async function checkReferences(ds: Dataset, exists: (table: TableName, ids: string[]) => Promise<Set<string>>, lenient: Partial<Record<TableName, string[]>> = {}): Promise<void> {
  // The ids of a table are gathered only when some row names that table: most tables are never named.
  const inData = new Map<TableName, Set<string>>();
  const idsOf = (t: TableName) => {
    let ids = inData.get(t);
    if (!ids) {
      ids = new Set();
      for (const r of ds.get(t)) ids.add(r.id as string);
      inData.set(t, ids);
    }
    return ids;
  };
  const pending: { row: Row; col: string; table: TableName; id: string; from: TableName }[] = [];
  for (const table of TABLE_NAMES) {
    const rows = ds.get(table);
    if (!rows.length) continue;
    const refs = Object.entries(REFERENCES[table] ?? {});
    const targets: (Set<string> | undefined)[] = refs.map(() => undefined);
    const attribute = table === 'attribute';
    for (const row of rows) {
      for (let k = 0; k < refs.length; k++) {
        const id = row[refs[k][0]];
        if (typeof id === 'string' && id && !(targets[k] ??= idsOf(refs[k][1])).has(id)) pending.push({ row, col: refs[k][0], table: refs[k][1], id, from: table });
      }
      if (attribute) {
        const target = LINK_ENTITIES[String(row.link_entity ?? '')];
        if (!target) ds.refuse(row, 'link_entity', `must name one of: ${Object.keys(LINK_ENTITIES).join(', ')}`);
        else if (typeof row.link_id === 'string' && !idsOf(target).has(row.link_id)) pending.push({ row, col: 'link_id', table: target, id: row.link_id, from: table });
      }
    }
  }
  const byTable = new Map<TableName, Set<string>>();
  for (const p of pending) {
    const s = byTable.get(p.table) ?? new Set<string>();
    s.add(p.id);
    byTable.set(p.table, s);
  }
  const found = new Map<TableName, Set<string>>();
  for (const [t, ids] of byTable) found.set(t, await exists(t, [...ids]));
  for (const p of pending) {
    if (found.get(p.table)!.has(p.id)) continue;
    // Where the reference is only a pointer (a service's organisation), the record is kept without it.
    if (lenient[p.from]?.includes(p.col)) {
      const o = ds.originOf(p.row);
      ds.skipped.push({ file: o.file, row: o.row, field: p.col, reason: `names no ${p.table.replace(/_/g, ' ')}: kept without one` });
      p.row[p.col] = null;
      continue;
    }
    ds.refuse(p.row, p.col, `names no ${p.table.replace(/_/g, ' ')} (${p.id})`);
  }
}
