/**
 * Reads a legacy HSDS 2.0 CSV data package (such as the Washington DC sample) and maps it to HSDS 3.0 records.
 * Numeric ids become UUID v5 ids; physical addresses become addresses; service attributes become attributes; the
 * DC categories are also mapped onto the directory's own taxonomy, so that need and population filters work.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CsvError, parseCsv } from '../../platform/http/csv.ts';
import { legacyId, uuidv5, type Row, type TableName } from './model.ts';
import { Dataset, FORMATS, formatOk } from './validate.ts';
import { languageCodeOf } from './languages.ts';
import { AIRS_CODE } from './crosswalk.ts';
import { encodingNote, readText } from './text-file.ts';

export interface LegacyOptions {
  /** Legacy data often names records it does not contain: leave those rows (or links) out and report them. */
  skipBrokenReferences?: boolean;
}

type Rec = Record<string, string>;

/**
 * A CSV header's column name as HSDS writes it: "Service ID", " name ", "Opens At", "Location-ID" are service_id,
 * name, opens_at, location_id (case, spaces, hyphens and dots, and a byte order mark left by a concatenation).
 */
export function columnName(header: string): string {
  return header.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s.-]+/g, '_');
}

/**
 * The field separator of a CSV file, from its first line: a comma, unless that line has none outside quotes and
 * has semicolons or tabs (a spreadsheet set to Spanish saves "CSV" with semicolons).
 */
/**
 * How a CSV text separates its fields, and what the import says of it: Excel's hint line (`sep=;`), which names the
 * separator before the header and is no row, or the header line's commas, semicolons or tabs. `body` is the text
 * from the header on; `before` the lines left out ahead of it (the hint), so that rows keep the file's numbers.
 */
export function csvLayout(file: string, text: string): { sep: string; body: string; before: number; note: string | null } {
  const hint = /^sep=([^\r\n])(?:\r\n|\n|\r)/i.exec(text);
  if (hint) return { sep: hint[1], body: text.slice(hint[0].length), before: 1, note: `${file}: its first line, sep=${hint[1]}, names the separator (as Excel writes it)` };
  const sep = csvSeparator(text);
  return { sep, body: text, before: 0, note: sep === ',' ? null : `${file}: fields separated by ${sep === ';' ? 'semicolons' : 'tabs'}` };
}

export function csvSeparator(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c]++;
  }
  if (counts[','] > 0) return ',';
  return counts[';'] >= counts['\t'] ? (counts[';'] ? ';' : ',') : '\t';
}

/**
 * Parses a file's CSV; a quote that opens a field on some line and is never closed (a stray quote in hand-kept data)
 * costs that line, quarantined, instead of the whole file: the line is emptied and the text parsed again (at most
 * 100 times; then, or on the header line, the file is refused as before).
 */
function parseLeniently(ds: Dataset, file: string, text: string, sep: string, before = 0): string[][] {
  for (let tries = 0; ; tries++) {
    try {
      return parseCsv(text, sep, true);
    } catch (err) {
      if (!(err instanceof CsvError) || err.line <= 1 || tries >= 100) throw err;
      const lines = text.split('\n');
      if (err.line > lines.length) throw err;
      lines[err.line - 1] = lines[err.line - 1].endsWith('\r') ? '\r' : '';
      text = lines.join('\n');
      ds.refuse({ file, row: err.line + before }, 'row', `has a quote that opens a field and is never closed: left out (${err.message})`);
    }
  }
}

/**
 * The whole number an id written as a number stands for: "10.0", as pandas writes a column of whole numbers with
 * gaps, or "1.2E+11", as Excel writes a long number once a CSV file is opened and saved in it. `rounded` when the
 * notation has 6 significant digits, the most Excel shows, and stops short of the number's last digit: the digits
 * after them may have been lost (123456789012 is saved as 1.23457E+11). Null for any other value.
 */
export function numericId(v: string): { id: string; notation: 'decimal' | 'scientific'; rounded: boolean } | null {
  const d = /^(\d+)\.0+$/.exec(v);
  if (d) return { id: d[1], notation: 'decimal', rounded: false };
  const m = /^([1-9])(?:\.(\d+))?E\+?(\d{1,2})$/i.exec(v);
  if (!m) return null;
  const digits = m[1] + (m[2] ?? '');
  const places = Number(m[3]) + 1;
  // More digits than the number has places: a whole number only when those after are zeros (1.20E+1 is 12).
  if (digits.length > places) return /^0+$/.test(digits.slice(places)) ? { id: digits.slice(0, places), notation: 'scientific', rounded: false } : null;
  return { id: digits.padEnd(places, '0'), notation: 'scientific', rounded: digits.length >= 6 && digits.length < places };
}

/** Columns holding ids: a record's own and the references (an organisation's tax_id is no reference). */
const isIdColumn = (n: string) => n === 'id' || (n.endsWith('_id') && n !== 'tax_id');

/**
 * Ids written as numbers (numericId) read as the whole numbers they are, said once per file. Rows whose own id, read
 * so from scientific notation, is another row's are quarantined: a spreadsheet rounded two long ids onto one, and
 * which record a reference to it meant cannot be told.
 */
function readNumericIds(ds: Dataset, file: string, recs: Rec[]): Rec[] {
  const said = { decimal: '', scientific: '', rounded: '' };
  let rounded = 0;
  // Each row whose own id was read from scientific notation, with the id as written.
  const fromScientific = new Map<Rec, string>();
  for (const rec of recs) {
    for (const k in rec) {
      if (!isIdColumn(k) || !rec[k]) continue;
      const n = numericId(rec[k]);
      if (!n) continue;
      if (n.rounded) {
        rounded++;
        said.rounded ||= `${rec[k]} as ${n.id}`;
      } else said[n.notation] ||= `${rec[k]} as ${n.id}`;
      if (k === 'id' && n.notation === 'scientific') fromScientific.set(rec, rec[k]);
      rec[k] = n.id;
    }
  }
  if (said.decimal) ds.notes.push(`${file}: ids written as decimals read as whole numbers (${said.decimal})`);
  if (said.scientific) ds.notes.push(`${file}: ids written in scientific notation, as a spreadsheet saves long numbers, read as whole numbers (${said.scientific})`);
  if (said.rounded) ds.notes.push(`${file}: ${rounded} id(s) written in scientific notation with 6 significant digits, as a spreadsheet rounds long numbers, read as whole numbers (${said.rounded}): digits after the sixth may have been lost; export the id columns as text to keep them`);
  if (!fromScientific.size) return recs;
  const byId = new Map<string, Rec[]>();
  for (const rec of recs) if (rec.id) (byId.get(rec.id) ?? byId.set(rec.id, []).get(rec.id)!).push(rec);
  const collapsed = new Set<Rec>();
  for (const same of byId.values()) {
    if (same.length < 2 || !same.some((r) => fromScientific.has(r))) continue;
    const rows = same.map((r) => r.__row).join(', ');
    const written = [...new Set(same.map((r) => fromScientific.get(r) ?? r.id))].join(', ');
    for (const r of same) {
      collapsed.add(r);
      ds.refuse({ file, row: Number(r.__row) }, 'id', `is written in scientific notation and shared with other rows (${written}, rows ${rows}): a spreadsheet rounded long ids onto one, and the records cannot be told apart; left out`);
    }
  }
  return collapsed.size ? recs.filter((r) => !collapsed.has(r)) : recs;
}

export function readCsvFile(ds: Dataset, path: string, file: string): Rec[] | null {
  const full = join(path, file);
  if (!existsSync(full)) return null;
  let rows: string[][];
  // Lines before the header that are no rows (Excel's separator hint).
  let skipped = 0;
  try {
    const { text, encoding } = readText(full);
    const note = encodingNote(file, encoding);
    if (note) ds.notes.push(note);
    const layout = csvLayout(file, text);
    if (layout.note) ds.notes.push(layout.note);
    skipped = layout.before;
    rows = parseLeniently(ds, file, layout.body, layout.sep, skipped);
  } catch (err) {
    ds.refuse({ file, row: 0 }, 'file', `is not valid CSV: ${(err as Error).message}`);
    return [];
  }
  const [head, ...body] = rows;
  if (!head) return [];
  const names = head.map(columnName);
  // A file whose records' own id is headed for its table ("Service ID" in services.csv) and that has no id column.
  const own = `${file.replace(/\.csv$/, '').replace(/ies$/, 'y').replace(/s$/, '')}_id`;
  if (!names.includes('id') && names.includes(own) && !file.includes('_at_')) {
    names[names.indexOf(own)] = 'id';
    ds.notes.push(`${file}: its ${own} column read as the records' id`);
  }
  const out: Rec[] = [];
  // Rows repeated whole (an export joined to another table repeats a service per location) are one record.
  const seen = new Map<string, number>();
  body.forEach((r, i) => {
    // Rows with nothing in them (spreadsheets save the empty rows and columns after the data) are no records.
    if (r.every((x) => x.trim() === '')) return;
    // The row's line in the file: after the header, and the hint line if there was one.
    const line = i + 2 + skipped;
    const whole = r.map((x) => x.trim()).join('\u0000');
    const first = seen.get(whole);
    if (first !== undefined) {
      ds.skipped.push({ file, row: line, field: 'row', reason: `the same as row ${first}: left out` });
      return;
    }
    seen.set(whole, line);
    if (r.length > names.length && r.slice(names.length).some((x) => x.trim() !== '')) {
      ds.refuse({ file, row: line }, 'row', `has ${r.length} fields; the header has ${names.length}`);
      return;
    }
    const rec: Rec = { __row: String(line) };
    names.forEach((n, j) => {
      // An empty header names nothing; a column named twice keeps its first value that is not empty.
      if (n === '' || (rec[n] !== undefined && rec[n] !== '')) return;
      const v = (r[j] ?? '').trim();
      // Database exports write an empty value as NULL (or MySQL's \\N): it is no value.
      rec[n] = v === 'NULL' || v === 'null' || v === '\\N' ? '' : v;
    });
    out.push(rec);
  });
  return readNumericIds(ds, file, out);
}

const DAYS: Record<string, string> = { monday: 'MO', tuesday: 'TU', wednesday: 'WE', thursday: 'TH', friday: 'FR', saturday: 'SA', sunday: 'SU', mon: 'MO', tue: 'TU', tues: 'TU', wed: 'WE', thu: 'TH', thur: 'TH', thurs: 'TH', fri: 'FR', sat: 'SA', sun: 'SU' };
const ORDER = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** "Monday - Friday", "Tuesday & Thursday", "monday" -> "MO,TU,WE,TH,FR" etc.; null when not understood. */
export function dayList(text: string): string | null {
  const t = text.toLowerCase();
  if (!t.trim()) return null;
  if (/daily|every day|7 days/.test(t)) return ORDER.join(',');
  const out = new Set<string>();
  const range = /([a-z]+)\s*(?:-|–|to|through|thru)\s*([a-z]+)/g;
  let m: RegExpExecArray | null;
  let rest = t;
  while ((m = range.exec(t))) {
    const a = DAYS[m[1]];
    const b = DAYS[m[2]];
    if (!a || !b) continue;
    let i = ORDER.indexOf(a);
    for (let n = 0; n < 7; n++) {
      out.add(ORDER[i]);
      if (ORDER[i] === b) break;
      i = (i + 1) % 7;
    }
    rest = rest.replace(m[0], ' ');
  }
  for (const w of rest.split(/[^a-z]+/)) if (DAYS[w]) out.add(DAYS[w]);
  return out.size ? ORDER.filter((d) => out.has(d)).join(',') : null;
}

/** "8:30AM" -> "08:30"; "17:00" stays; null when not a time. */
export function clockTime(text: string): string | null {
  const m = /^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m?\.?$/i.exec(text.trim()) ?? /^(\d{1,2}):(\d{2})()$/.exec(text.trim());
  if (!m) return null;
  let h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  const ap = (m[3] ?? '').toLowerCase();
  if (ap === 'p' && h < 12) h += 12;
  if (ap === 'a' && h === 12) h = 0;
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/** A language's code from its name (languages.ts); kept for callers of the 2.0 reader. */
export function languageCode(name: string): string | null {
  return languageCodeOf(name);
}

/** Service status words publishers use, in English and Spanish, and the HSDS status each means. */
export const STATUS_WORDS: Record<string, string> = {
  active: 'active', available: 'active', open: 'active', yes: 'active', current: 'active', operational: 'active', activo: 'active', activa: 'active', disponible: 'active', abierto: 'active',
  inactive: 'inactive', unavailable: 'inactive', 'not available': 'inactive', closed: 'inactive', no: 'inactive', inactivo: 'inactive', inactiva: 'inactive', 'no disponible': 'inactive', cerrado: 'inactive', cerrada: 'inactive',
  defunct: 'defunct', discontinued: 'defunct', 'permanently closed': 'defunct', descontinuado: 'defunct', 'cerrado permanentemente': 'defunct',
  'temporarily closed': 'temporarily closed', 'temporarily unavailable': 'temporarily closed', suspended: 'temporarily closed', paused: 'temporarily closed', 'cerrado temporalmente': 'temporarily closed', 'temporalmente cerrado': 'temporarily closed', suspendido: 'temporarily closed',
};

export function readLegacy20(path: string, opts: LegacyOptions = {}): Dataset {
  const ds = new Dataset();
  const files: Record<string, Rec[]> = {};
  const load = (f: string) => (files[f] ??= readCsvFile(ds, path, f) ?? []);
  for (const f of ['organizations.csv', 'services.csv', 'locations.csv']) {
    if (!existsSync(join(path, f))) ds.refuse({ file: f, row: 0 }, 'file', 'is missing from the data package');
  }
  const origin = (file: string, r: Rec) => ({ file, row: Number(r.__row) });
  const known = new Map<string, Set<string>>();
  const idsOf = (file: string) => (known.get(file) ?? known.set(file, new Set(load(file).map((r) => r.id))).get(file)!);

  /** Resolves a legacy reference (possibly "a,b,c") to the first id that exists; reports a dangling one. */
  const ref = (file: string, r: Rec, field: string, targetFile: string, table: string): string | null | undefined => {
    const raw = r[field] ?? '';
    const parts = raw.split(/[,;]/).map((x) => x.trim()).filter((x) => x && x !== '0');
    if (!parts.length) return null;
    // A list's parts written as numbers ("10.0", "1.2E+11") name the records as a single id does (readNumericIds).
    const hit = parts.find((p) => idsOf(targetFile).has(p)) ?? parts.map((p) => numericId(p)?.id ?? p).find((p) => idsOf(targetFile).has(p));
    if (hit) return legacyId(table, hit);
    const reason = `names no ${table.replace(/_/g, ' ')} (${raw})`;
    if (opts.skipBrokenReferences) {
      ds.skipped.push({ file, row: Number(r.__row), field, reason });
      return undefined;
    }
    ds.refuse(origin(file, r), field, reason);
    return undefined;
  };

  /** A row that names no parent record has no place in HSDS's nested form: reported, not kept. */
  const orphan = (file: string, r: Rec, field: string) => {
    ds.skipped.push({ file, row: Number(r.__row), field, reason: 'belongs to no record' });
    return true;
  };
  /**
   * A row's id. Legacy ids become UUID v5 ids; a row without one (empty, or "0"), or whose id its file repeats, gets
   * one derived from its content (which names its parent), so that it stays the same when the file is published
   * again with rows added or removed. Where other rows name the table, the first row of a repeated id keeps it.
   */
  const repeatedIds = new Map<string, Set<string>>();
  const repeatedIn = (file: string) => {
    let rep = repeatedIds.get(file);
    if (!rep) {
      const seen = new Set<string>();
      rep = new Set();
      for (const r of load(file)) if (r.id && seen.has(r.id)) rep.add(r.id);
      else seen.add(r.id);
      repeatedIds.set(file, rep);
    }
    return rep;
  };
  const firstOf = new Map<string, Set<string>>();
  const rowId = (table: string, file: string, r: Rec, key = r.id, named = false): string => {
    const raw = (r.id ?? '').trim();
    const usable = raw !== '' && raw !== '0';
    if (usable && !repeatedIn(file).has(raw)) return legacyId(table, key);
    if (usable && named) {
      const first = firstOf.get(file) ?? firstOf.set(file, new Set()).get(file)!;
      if (!first.has(raw)) {
        first.add(raw);
        return legacyId(table, key);
      }
    }
    const content = Object.keys(r).filter((k) => k !== '__row').sort().map((k) => `${k}=${r[k]}`).join('\u0001');
    return uuidv5(`${table}:derived:${content}`);
  };
  const statusOf = (r: Rec): string => {
    const raw = (r.status ?? '').trim();
    if (!raw) return 'active';
    const s = STATUS_WORDS[raw.toLowerCase()];
    if (s) return s;
    ds.skipped.push({ file: 'services.csv', row: Number(r.__row), field: 'status', reason: `not an HSDS status (${raw}): imported as active` });
    return 'active';
  };
  for (const r of load('organizations.csv')) {
    ds.add('organization', { id: rowId('organization', 'organizations.csv', r, r.id, true), name: r.name, alternate_name: r.alternate_name, description: r.description, email: r.email, website: r.url, tax_status: r.tax_status, tax_id: r.tax_id, year_incorporated: r.year_incorporated, legal_status: r.legal_status }, origin('organizations.csv', r));
  }
  const droppedPrograms = new Set<string>();
  for (const r of load('programs.csv')) {
    const org = ref('programs.csv', r, 'organization_id', 'organizations.csv', 'organization');
    if (!org && opts.skipBrokenReferences) {
      if (org === null) ds.skipped.push({ file: 'programs.csv', row: Number(r.__row), field: 'organization_id', reason: 'is required' });
      droppedPrograms.add(r.id);
      continue;
    }
    ds.add('program', { id: rowId('program', 'programs.csv', r, r.id, true), organization_id: org, name: r.name, alternate_name: r.alternate_name, description: '' }, origin('programs.csv', r));
  }
  for (const r of load('services.csv')) {
    // A service whose organisation is missing is kept without one: HSDS JSON does not require it.
    const org = ref('services.csv', r, 'organization_id', 'organizations.csv', 'organization');
    let program = ref('services.csv', r, 'program_id', 'programs.csv', 'program');
    if (program && droppedPrograms.has(r.program_id.split(/[,;]/).map((x) => x.trim()).find((p) => idsOf('programs.csv').has(p)) ?? '')) {
      ds.skipped.push({ file: 'services.csv', row: Number(r.__row), field: 'program_id', reason: 'names a program left out of the import' });
      program = null;
    }
    ds.add(
      'service',
      {
        id: rowId('service', 'services.csv', r, r.id, true),
        organization_id: org ?? null,
        program_id: program ?? null,
        name: r.name,
        alternate_name: r.alternate_name,
        description: r.description,
        url: r.url,
        email: r.email,
        status: statusOf(r),
        interpretation_services: r.interpretation_services,
        application_process: r.application_process,
        wait_time: r.wait_time,
        fees: r.fees,
        fees_description: r.fees,
        accreditations: r.accreditations,
        licenses: r.licenses,
      },
      origin('services.csv', r),
    );
  }
  for (const r of load('locations.csv')) {
    const org = ref('locations.csv', r, 'organization_id', 'organizations.csv', 'organization');
    ds.add('location', { id: rowId('location', 'locations.csv', r, r.id, true), location_type: 'physical', organization_id: org ?? null, name: r.name, alternate_name: r.alternate_name, description: r.description, transportation: r.transportation, latitude: r.latitude, longitude: r.longitude }, origin('locations.csv', r));
  }
  // Two records in one table may share a legacy id (the DC addresses do); the row's location makes it unique.
  for (const r of load('physical_addresses.csv')) {
    const loc = ref('physical_addresses.csv', r, 'location_id', 'locations.csv', 'location');
    if (loc === undefined && opts.skipBrokenReferences) continue;
    if (loc === null && orphan('physical_addresses.csv', r, 'location_id')) continue;
    const extra = [r.address_2, r.address_3, r.address_4].filter(Boolean).join(', ');
    ds.add('address', { id: rowId('address', 'physical_addresses.csv', r, `${r.id}:${r.location_id}`), location_id: loc, attention: r.attention, address_1: r.address_1, address_2: extra, city: r.city, region: r.region, state_province: r.state_province, postal_code: r.postal_code, country: r.country || 'US', address_type: 'physical' }, origin('physical_addresses.csv', r));
  }
  for (const r of load('postal_addresses.csv')) {
    const loc = ref('postal_addresses.csv', r, 'location_id', 'locations.csv', 'location');
    if (loc === undefined && opts.skipBrokenReferences) continue;
    if (loc === null && orphan('postal_addresses.csv', r, 'location_id')) continue;
    const extra = [r.address_2, r.address_3, r.address_4].filter(Boolean).join(', ');
    ds.add('address', { id: rowId('postal_address', 'postal_addresses.csv', r, `${r.id}:${r.location_id}`), location_id: loc, attention: r.attention, address_1: r.address_1, address_2: extra, city: r.city, region: r.region, state_province: r.state_province, postal_code: r.postal_code, country: r.country || 'US', address_type: 'postal' }, origin('postal_addresses.csv', r));
  }
  for (const r of load('services_at_location.csv')) {
    const svc = ref('services_at_location.csv', r, 'service_id', 'services.csv', 'service');
    const loc = ref('services_at_location.csv', r, 'location_id', 'locations.csv', 'location');
    if ((svc === undefined || loc === undefined) && opts.skipBrokenReferences) continue;
    ds.add('service_at_location', { id: rowId('service_at_location', 'services_at_location.csv', r, r.id, true), service_id: svc, location_id: loc, description: r.description }, origin('services_at_location.csv', r));
  }
  if (!existsSync(join(path, 'services_at_location.csv'))) deriveServicesAtLocation();
  /**
   * A package without services_at_location.csv says where services are given in other ways, as 1.1 publishers
   * meant it: a location_id column on services, or a service and locations of the same organisation (named by the
   * same organization_id, whether or not the package holds that organisation).
   */
  function deriveServicesAtLocation() {
    const locations = load('locations.csv');
    const byOrg = new Map<string, string[]>();
    for (const l of locations) if (l.id && l.organization_id) (byOrg.get(l.organization_id) ?? byOrg.set(l.organization_id, []).get(l.organization_id)!).push(l.id);
    const locIds = idsOf('locations.csv');
    let n = 0;
    for (const r of load('services.csv')) {
      if (!r.id || r.id === '0') continue;
      const named = (r.location_id ?? '').split(/[,;]/).map((x) => x.trim()).filter((x) => locIds.has(x));
      const at = named.length ? named : (byOrg.get(r.organization_id) ?? []);
      for (const loc of new Set(at)) {
        const svc = legacyId('service', r.id);
        const lid = legacyId('location', loc);
        ds.add('service_at_location', { id: uuidv5(`service_at_location:derived:${svc}:${lid}`), service_id: svc, location_id: lid, description: '' }, origin('services.csv', r));
        n++;
      }
    }
    if (n) ds.notes.push(`no services_at_location.csv: ${n} link(s) of services to locations derived from location_id columns and shared organisation ids`);
  }
  /** Link tables: each broken link is dropped; the row is skipped when no link is left. */
  const links = (file: string, r: Rec, spec: [string, string, string][]): Row | null => {
    const out: Row = {};
    let any = false;
    let broken = false;
    for (const [field, targetFile, table] of spec) {
      const v = ref(file, r, field, targetFile, table);
      if (v === undefined) broken = true;
      out[field] = v ?? null;
      if (v) any = true;
    }
    if (broken && !opts.skipBrokenReferences) return out;
    if (!any && !broken) {
      // Attached to nothing: HSDS has nowhere to put it, so it is reported rather than kept.
      ds.skipped.push({ file, row: Number(r.__row), field: spec.map((x) => x[0]).join('|'), reason: 'belongs to no record' });
      return null;
    }
    return any ? out : null;
  };
  for (const r of load('phones.csv')) {
    const l = links('phones.csv', r, [
      ['location_id', 'locations.csv', 'location'],
      ['service_id', 'services.csv', 'service'],
      ['organization_id', 'organizations.csv', 'organization'],
      ['contact_id', 'contacts.csv', 'contact'],
      ['service_at_location_id', 'services_at_location.csv', 'service_at_location'],
    ]);
    if (!l) continue;
    if (!r.number) {
      ds.skipped.push({ file: 'phones.csv', row: Number(r.__row), field: 'number', reason: 'a phone row with no number: left out' });
      continue;
    }
    const type = (r.type || 'voice').toLowerCase();
    ds.add('phone', { id: rowId('phone', 'phones.csv', r), ...l, number: r.number, extension: r.extension || null, type: ['text', 'voice', 'fax', 'cell', 'video', 'pager', 'textphone'].includes(type) ? type : 'voice', description: [r.description, r.department].filter(Boolean).join(' — ') }, origin('phones.csv', r));
  }
  for (const r of load('contacts.csv')) {
    const l = links('contacts.csv', r, [
      ['organization_id', 'organizations.csv', 'organization'],
      ['service_id', 'services.csv', 'service'],
      ['service_at_location_id', 'services_at_location.csv', 'service_at_location'],
    ]);
    if (!l) continue;
    ds.add('contact', { id: rowId('contact', 'contacts.csv', r, r.id, true), ...l, name: r.name, title: r.title, department: r.department, email: r.email }, origin('contacts.csv', r));
  }
  (files['schedules.csv'] ? files['schedules.csv'] : load('schedules.csv')).forEach((r) => {
    const l = links('schedules.csv', r, [
      ['service_id', 'services.csv', 'service'],
      ['location_id', 'locations.csv', 'location'],
      ['service_at_location_id', 'services_at_location.csv', 'service_at_location'],
    ]);
    if (!l) return;
    // The DC file puts opening and closing times in valid_from/valid_to and day names in weekday or byday.
    const opens = clockTime(r.valid_from ?? '') ?? clockTime(r.opens_at ?? '');
    const closes = clockTime(r.valid_to ?? '') ?? clockTime(r.closes_at ?? '');
    const byday = dayList(r.weekday ?? '') ?? dayList(r.byday ?? '');
    const desc = [r.name, r.weekday && !byday ? r.weekday : '', r.description].filter(Boolean).join('; ');
    ds.add('schedule', { id: rowId('schedule', 'schedules.csv', r), ...l, opens_at: opens, closes_at: closes, freq: byday ? 'WEEKLY' : null, byday, description: desc || (opens && closes && !byday ? `${r.valid_from}–${r.valid_to}` : null) }, origin('schedules.csv', r));
  });
  for (const r of load('languages.csv')) {
    const l = links('languages.csv', r, [
      ['service_id', 'services.csv', 'service'],
      ['location_id', 'locations.csv', 'location'],
    ]);
    if (!l) continue;
    ds.add('language', { id: rowId('language', 'languages.csv', r), ...l, name: r.language, code: languageCode(r.language ?? '') }, origin('languages.csv', r));
  }
  for (const r of load('accessibility_for_disabilities.csv')) {
    const loc = ref('accessibility_for_disabilities.csv', r, 'location_id', 'locations.csv', 'location');
    if (loc === undefined && opts.skipBrokenReferences) continue;
    if (loc === null && orphan('accessibility_for_disabilities.csv', r, 'location_id')) continue;
    ds.add('accessibility', { id: rowId('accessibility', 'accessibility_for_disabilities.csv', r), location_id: loc, description: r.accessibility === 'Blank' ? '' : r.accessibility, details: r.details }, origin('accessibility_for_disabilities.csv', r));
  }
  for (const r of load('service_areas.csv')) {
    const svc = ref('service_areas.csv', r, 'service_id', 'services.csv', 'service');
    if (svc === undefined && opts.skipBrokenReferences) continue;
    if (svc === null && orphan('service_areas.csv', r, 'service_id')) continue;
    ds.add('service_area', { id: rowId('service_area', 'service_areas.csv', r), service_id: svc, name: r.service_area, description: r.description, extent_type: 'text', extent: r.service_area }, origin('service_areas.csv', r));
  }

  // Taxonomies: one per distinct "taxonomy" name of the legacy terms.
  const terms = load('taxonomy_terms.csv');
  const taxonomies = new Map<string, string>();
  for (const r of terms) {
    const name = r.taxonomy || 'Legacy taxonomy';
    if (!taxonomies.has(name)) {
      const id = uuidv5(`taxonomy:legacy:${name}`);
      taxonomies.set(name, id);
      ds.add('taxonomy', { id, name, description: `${name} terms of the imported HSDS 2.0 data package.` }, origin('taxonomy_terms.csv', r));
    }
  }
  const termById = new Map(terms.map((r) => [r.id, r]));
  for (const r of terms) {
    const parent = r.parent_id && termById.has(r.parent_id) ? legacyId('taxonomy_term', r.parent_id) : null;
    // 211s publish AIRS codes as the term's id or code column: kept as the code, which the crosswalk reads.
    const code = r.code || (AIRS_CODE.test(r.id ?? '') ? r.id : null);
    ds.add('taxonomy_term', { id: rowId('taxonomy_term', 'taxonomy_terms.csv', r, r.id, true), code, name: r.term, description: r.description || r.term, parent_id: parent, taxonomy: r.taxonomy, language: r.language || 'en', taxonomy_id: taxonomies.get(r.taxonomy || 'Legacy taxonomy') }, origin('taxonomy_terms.csv', r));
  }
  for (const r of load('service_attributes.csv')) {
    const svc = ref('service_attributes.csv', r, 'service_id', 'services.csv', 'service');
    const term = ref('service_attributes.csv', r, 'taxonomy_term_id', 'taxonomy_terms.csv', 'taxonomy_term');
    if ((svc === undefined || term === undefined) && opts.skipBrokenReferences) continue;
    const legacyTerm = termById.get(r.taxonomy_term_id);
    const linkType = /eligib/i.test(legacyTerm?.taxonomy ?? '') ? 'eligibility' : 'category';
    // The directory's own terms come from the crosswalk at import (crosswalk.ts).
    ds.add('attribute', { id: rowId('attribute', 'service_attributes.csv', r), link_id: svc, link_entity: 'service', link_type: linkType, taxonomy_term_id: term }, origin('service_attributes.csv', r));
  }
  tidyFormats(ds);
  return ds;
}

/**
 * Legacy files hold web addresses without a scheme ("www.example.org") and the odd malformed e-mail address: the
 * first gain "http://", the rest are left out and reported as skipped, rather than refusing a whole directory.
 */
function tidyFormats(ds: Dataset) {
  for (const [table, fields] of Object.entries(FORMATS)) {
    for (const row of ds.get(table as TableName)) {
      for (const [col, format] of Object.entries(fields)) {
        const raw = row[col];
        if (typeof raw !== 'string' || !raw.trim()) continue;
        let v = raw.trim();
        if (format === 'uri' && !/^[a-z][a-z0-9+.-]*:/i.test(v)) v = 'http://' + v.replace(/^\/+/, '');
        if (format === 'email') v = v.replace(/^mailto:/i, '');
        if (formatOk(format, v)) row[col] = v;
        else {
          const o = ds.originOf(row);
          ds.skipped.push({ file: o.file, row: o.row, field: col, reason: `left out: not ${format === 'uri' ? 'a URL' : 'an e-mail address'} (${String(row[col]).slice(0, 80)})` });
          row[col] = null;
        }
      }
    }
  }
}

export const LEGACY_TABLES: TableName[] = ['organization', 'program', 'service', 'location', 'address', 'service_at_location', 'phone', 'contact', 'schedule', 'language', 'accessibility', 'service_area', 'taxonomy', 'taxonomy_term', 'attribute'];
