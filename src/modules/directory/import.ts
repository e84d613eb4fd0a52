import zipcodes from 'zipcodes';
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { TABLES, kindOf, legacyId, tableOf, type Row, type TableName } from './model.ts';
import { Dataset, ENUMS, LINK_ENTITIES, REFERENCES, checkReferences, checkValues, uuidOrNull, type Refusal } from './validate.ts';
import { readLegacy20, STATUS_WORDS } from './legacy.ts';
import { readLegacy11 } from './legacy11.ts';
import { applyCrosswalkToDataset } from './crosswalk.ts';
import { readHsds3Csv, readHsds3Json, type Format } from './formats.ts';
import { openPublication, PublicationError, type Publication } from './package-reader.ts';
import { TextTooLarge } from './text-file.ts';
import { basename } from 'node:path';
import { applySnapshot, type SnapshotResult } from './snapshot.ts';
import { recordImport, recordRefusal, type RefusedBecause } from './import-history.ts';
import { forgetChoices, honourChoices } from './federation-match.ts';
import { publicationDigest, rememberDigest, repeatedImport } from './import-digest.ts';
import { existingIds, reindexServices, upsertRows, SEARCH_INDEX } from './store.ts';
import { bool, sqliteConnection, type Db } from '../../platform/db/index.ts';
import { refreshStatistics, tablesForBulkLoad, withoutSecondaryIndexes } from '../../platform/db/bulk.ts';

export interface ImportOptions {
  /** All or nothing: one refused row refuses the import (the behaviour before quarantine). */
  strict?: boolean;
  /** Kept for old scripts: broken references are left out and reported, which is now the default. */
  skipBrokenReferences?: boolean;
  progress?: (line: string) => void;
  /** What was found, as openPublication says it; recorded with the import. */
  found?: string;
  /** The source's name: with one, a full import makes the services the source no longer lists inactive. */
  source?: string;
  /** A delta file: adds and changes, removes nothing. */
  partial?: boolean;
  /** The publication's digest (import-digest.ts), remembered for the source so that importing it again is quick. */
  digest?: string;
}

export interface ImportReport {
  format: Format;
  found: string;
  /** Rows read, by table. */
  counts: Record<string, number>;
  source: string | null;
  added: number;
  changed: number;
  unchanged: number;
  /** Services the source lists no longer (made inactive) and details it gives no longer (removed). */
  removed: number;
  left: string[];
  /** The import's entry in the history (/directory/imports/{id}). */
  importId: string;
  /** Rows left out with their reason: invalid rows, and rows naming records that were left out. */
  quarantined: Refusal[];
  /** Rows kept or left out on purpose, with a reason worth reading (a service kept without its organisation). */
  skipped: Refusal[];
  notes: string[];
  approximateCoordinates: number;
}

/** Findings grouped by what is wrong: the reason, with the offending value left out, per file and field. */
export interface FindingGroup {
  file: string;
  field: string;
  reason: string;
  count: number;
  examples: Refusal[];
}

export function groupFindings(list: readonly Refusal[], examples = 3): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of list) {
    const reason = f.reason.replace(/\s*\([^)]*\)/g, '').trim();
    const key = `${f.file}\u0000${f.field}\u0000${reason}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { file: f.file, field: f.field, reason, count: 0, examples: [] }));
    g.count++;
    if (g.examples.length < examples) g.examples.push(f);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.file.localeCompare(b.file));
}

/** An import refused as a whole: nothing was written. Carries every refused row. */
export class ImportRefused extends HttpError {
  /** Its entry in the import history (/directory/imports/{id}), once recorded. */
  historyId: string | null = null;
  constructor(public readonly refusals: Refusal[]) {
    super(400, 'Import refused', `${refusals.length} row(s) refused; nothing was imported`, refusals.slice(0, 200).map((r) => ({ field: `${r.file}:${r.row}:${r.field}`, message: r.reason })));
  }
}

// Write order: records before the records that name them (references are checked beforehand anyway).
const ORDER: TableName[] = ['taxonomy', 'taxonomy_term', 'unit', 'organization', 'organization_identifier', 'program', 'service', 'location', 'service_at_location', 'address', 'contact', 'phone', 'schedule', 'language', 'accessibility', 'service_area', 'cost_option', 'funding', 'required_document', 'service_capacity', 'attribute', 'metadata'];

/** Locations with an address but no coordinates get their postal code's centroid, marked approximate. */
export function fillCentroids(ds: Dataset): number {
  const byLocation = new Map<string, Row>();
  for (const a of ds.get('address')) if (typeof a.location_id === 'string' && a.address_type !== 'postal') byLocation.set(a.location_id, a);
  for (const a of ds.get('address')) if (typeof a.location_id === 'string' && !byLocation.has(a.location_id)) byLocation.set(a.location_id, a);
  let n = 0;
  for (const loc of ds.get('location')) {
    if (loc.latitude !== null && loc.latitude !== undefined && loc.latitude !== '') continue;
    const addr = byLocation.get(loc.id as string);
    const zip = typeof addr?.postal_code === 'string' ? addr.postal_code.trim().slice(0, 5) : '';
    if (!/^\d{5}$/.test(zip)) continue;
    const hit = zipcodes.lookup(zip);
    if (!hit) continue;
    loc.latitude = hit.latitude;
    loc.longitude = hit.longitude;
    loc.coordinates_approximate = true;
    n++;
  }
  return n;
}

/** A coordinate as publishers write it: spaces around it, a comma for the decimal mark ("41,8781"), "41.88° N". */
function coordinate(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  let t = v.trim().replace(/^([-+]?\d+),(\d+)/, '$1.$2');
  // A degree sign, and a hemisphere letter: S and W are negative ("87.63° W").
  const hemisphere = /^(.*?)\s*°?\s*([NSEW])$/i.exec(t);
  let sign = 1;
  if (hemisphere && !/^[-+]/.test(hemisphere[1])) {
    t = hemisphere[1];
    if (/[SW]/i.test(hemisphere[2])) sign = -1;
  }
  t = t.replace(/\s*°$/, '');
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(t) ? sign * Number(t) : null;
}

const SERVICE_STATUSES = new Set(ENUMS.service.status);
const EXTENSION = /^(.*?\d)[\s,;]*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$/i;

/**
 * Values publishers write otherwise than HSDS, read before the checks, so that no record is lost for them:
 * coordinates with spaces or a decimal comma are numbers; coordinates that are no number, or out of range, leave the
 * location (and the services given there) in without them, with a warning, to be placed at its ZIP code like any
 * location without them; a phone's extension written in its number ("(312) 555-0100 ext. 25", "x7") or as
 * "Ext. 301" is the extension's number; a US ZIP code of four digits lost its leading zero; a service's status in other words (Available, Activo) is the HSDS one.
 */
export function tidyPublishedValues(ds: Dataset): void {
  for (const loc of ds.get('location')) {
    // HSDS 3.0 requires a location's type, which 1.x and 2.0 did not have: a package of that era read as 3.0 (its
    // files named as both name them) lost its locations, and its services their places. Most locations are places
    // people visit; a type that is none of HSDS's is still refused by the checks.
    if (loc.location_type === undefined || loc.location_type === null || (typeof loc.location_type === 'string' && loc.location_type.trim() === '')) {
      loc.location_type = 'physical';
      const o = ds.originOf(loc);
      ds.skipped.push({ file: o.file, row: o.row, field: 'location_type', reason: 'is empty: read as physical (a place people visit)' });
    }
    const { latitude: rawLat, longitude: rawLng } = loc;
    const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
    if (empty(rawLat) && empty(rawLng)) continue;
    const lat = coordinate(rawLat);
    const lng = coordinate(rawLng);
    if (lat !== null && lng !== null && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
      loc.latitude = lat;
      loc.longitude = lng;
      continue;
    }
    const o = ds.originOf(loc);
    const field = lat === null || Math.abs(lat) > 90 ? 'latitude' : 'longitude';
    ds.skipped.push({ file: o.file, row: o.row, field, reason: `left out: not a ${field} (${String(loc[field]).slice(0, 40)}); the location is kept without coordinates` });
    loc.latitude = null;
    loc.longitude = null;
  }
  // A US ZIP code a spreadsheet read as a number lost its leading zero (2134 for Boston's 02134).
  for (const a of ds.get('address')) {
    const zip = typeof a.postal_code === 'string' ? a.postal_code.trim() : '';
    const us = a.country === undefined || a.country === null || /^(us|usa|united states)$/i.test(String(a.country).trim()) || String(a.country).trim() === '';
    if (us && /^\d{4}(-\d{4})?$/.test(zip)) a.postal_code = '0' + zip;
  }
  // A status in another case or words ("Active", "Available", "Activo"): the HSDS status it means.
  for (const svc of ds.get('service')) {
    const st = svc.status;
    if (typeof st === 'string' && !SERVICE_STATUSES.has(st)) {
      const meant = STATUS_WORDS[st.trim().toLowerCase()];
      if (meant) svc.status = meant;
    }
  }
  for (const phone of ds.get('phone')) {
    if (typeof phone.number === 'string' && (phone.extension === null || phone.extension === undefined || phone.extension === '')) {
      const m = EXTENSION.exec(phone.number.trim());
      if (m) {
        phone.number = m[1].trim();
        phone.extension = m[2];
      }
    }
    if (typeof phone.extension === 'string' && phone.extension.trim() !== '' && !/^\d+$/.test(phone.extension.trim())) {
      const digits = /^(?:ext\.?|extension|x|#)?\s*(\d{1,6})$/i.exec(phone.extension.trim());
      if (digits) phone.extension = digits[1];
      else {
        const o = ds.originOf(phone);
        ds.skipped.push({ file: o.file, row: o.row, field: 'extension', reason: `left out: not an extension number (${phone.extension.slice(0, 40)})` });
        phone.extension = null;
      }
    }
  }
}

/**
 * Ids that are not UUIDs (`svc-1`, `12345`), as publishers converting from older systems write them: HSDS 3.0 asks
 * for UUIDs, and every record and every record naming one was refused. Each is given the UUID the 1.1 and 2.0
 * mappings derive from a table and an id (legacyId), the same on every import, and each reference to it the same;
 * said once per file, with examples. A UUID is left as it is.
 */
export function deriveIds(ds: Dataset): void {
  const perFile = new Map<string, string[]>();
  // Whether a value needs a UUID derived: a number, or text that is not a UUID (the common case, a UUID, is one
  // length test and a walk over its characters: this runs over every id and reference of an import).
  const needs = (v: unknown) => (typeof v === 'string' ? v !== '' && uuidOrNull(v) === null && v.trim() !== '' && uuidOrNull(v.trim()) === null : typeof v === 'number' && Number.isFinite(v));
  // A publication whose records' ids all have a UUID's length is left as it is (a look at each id's length, not its
  // characters: this runs on every import); its references are read only when some id is of another length or a
  // number. A reference that is no UUID, to a record not in the publication, is refused by the checks as before,
  // and so is an id of 36 characters that is not a UUID.
  let any = false;
  for (const rows of ds.rows.values()) {
    for (let i = 0; i < rows.length && !any; i++) {
      const id = rows[i].id;
      any = typeof id === 'number' || (typeof id === 'string' && id.length !== 36 && id !== '');
    }
    if (any) break;
  }
  if (!any) return;
  for (const [table, rows] of ds.rows) {
    const refs = Object.entries(REFERENCES[table] ?? {});
    const linked = table === 'attribute';
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (needs(row.id)) {
        const file = ds.originOf(row).file;
        const list = perFile.get(file) ?? [];
        if (!list.length) perFile.set(file, list);
        list.push(String(row.id));
        row.id = legacyId(table, String(row.id));
      }
      for (let k = 0; k < refs.length; k++) {
        const v = row[refs[k][0]];
        if (v !== undefined && v !== null && needs(v)) row[refs[k][0]] = legacyId(refs[k][1], String(v));
      }
      if (linked && row.link_id !== undefined && row.link_id !== null && needs(row.link_id)) {
        const target = LINK_ENTITIES[String(row.link_entity ?? '')];
        if (target) row.link_id = legacyId(target, String(row.link_id));
      }
    }
  }
  for (const [file, ids] of perFile) {
    const shown = ids.slice(0, 3).map((x) => x.slice(0, 40)).join(', ');
    ds.notes.push(`${file}: ${ids.length} id${ids.length === 1 ? '' : 's'} that ${ids.length === 1 ? 'is' : 'are'} not UUIDs (${shown}${ids.length > 3 ? ', ...' : ''}): given UUIDs derived from them, the same on every import`);
  }
}

/** Reads what openPublication found into records to check. */
export function readPublication(pub: Pick<Publication, 'format' | 'path'>, opts: ImportOptions = {}): Dataset {
  try {
    return readFormat(pub, opts);
  } catch (err) {
    // A file too large to read (text-file.ts): the publication cannot be read, refused with the reason.
    if (!(err instanceof TextTooLarge)) throw err;
    const ds = new Dataset();
    ds.refuse({ file: err.file || basename(pub.path), row: 0 }, 'file', err.message);
    return ds;
  }
}

function readFormat(pub: Pick<Publication, 'format' | 'path'>, opts: ImportOptions): Dataset {
  switch (pub.format) {
    case 'hsds-2.0-csv':
      return readLegacy20(pub.path, opts);
    case 'hsds-1.1-csv':
      return readLegacy11(pub.path, opts);
    case 'hsds-3.0-csv':
      return readHsds3Csv(pub.path);
    default:
      return readHsds3Json(pub.path);
  }
}

/** Reads a publication at a path (a folder, a zip, a JSON file); one that cannot be found is one refusal. */
export async function readPath(path: string, opts: ImportOptions = {}): Promise<{ ds: Dataset; format: Format; found: string; name: string; notes: string[] }> {
  const pub = await openOrRefuse(path);
  if (!('cleanup' in pub)) return pub;
  try {
    return { ds: readPublication(pub, opts), format: pub.format, found: pub.found, name: pub.name, notes: pub.notes };
  } finally {
    pub.cleanup();
  }
}

async function openOrRefuse(path: string): Promise<Publication | { ds: Dataset; format: Format; found: string; name: string; notes: string[] }> {
  try {
    return await openPublication(path);
  } catch (err) {
    if (!(err instanceof PublicationError) && !(err instanceof TextTooLarge)) throw err;
    const ds = new Dataset();
    ds.refuse({ file: (err instanceof TextTooLarge && err.file) || basename(path), row: 0 }, 'path', err.message);
    return { ds, format: 'hsds-3.0-json', found: 'nothing', name: basename(path), notes: [] };
  }
}

const removedOf = (s: SnapshotResult) => s.left.length + Object.values(s.removed).reduce<number>((a, b) => a + (b ?? 0), 0);

// References that only point at another record: a row naming one the import lacks is kept without it.
const LENIENT: Partial<Record<TableName, string[]>> = { service: ['organization_id', 'program_id'], location: ['organization_id'], organization: ['parent_organization_id'], taxonomy_term: ['parent_id'], program: [] };

/** Refusals that mean the publication could not be read as a whole: nothing of it is imported. */
const unreadable = (r: Refusal) => r.row === 0 || /^is not valid (JSON|CSV)/.test(r.reason);

function leaveOutRefused(ds: Dataset): Refusal[] {
  const out = ds.refusals;
  for (const [t, rows] of ds.rows) if (rows.some((r) => ds.refusedRows.has(r))) ds.rows.set(t, rows.filter((r) => !ds.refusedRows.has(r)));
  ds.refusals = [];
  ds.refusedRows.clear();
  return out;
}

// What a stored row and an incoming row are compared on: every HSDS column but the time the import itself sets,
// each value as readRow reads it. Worked out once per table: a re-import compares every row of the publication.
const COMPARED = new Map<TableName, [column: string, kind: 'bool' | 'num' | 'text'][]>();
function comparedColumns(table: TableName): [string, 'bool' | 'num' | 'text'][] {
  let cols = COMPARED.get(table);
  if (!cols) {
    cols = Object.entries(TABLES[table].columns)
      .filter(([c]) => !(table === 'service' && c === 'last_modified'))
      .map(([c, spec]) => [c, kindOf(spec) === 'bool' ? 'bool' : kindOf(spec) === 'num' ? 'num' : 'text']);
    COMPARED.set(table, cols);
  }
  return cols;
}
const readValue = (kind: 'bool' | 'num' | 'text', v: unknown) => (kind === 'bool' ? bool(v) : v === null || v === undefined ? null : kind === 'num' ? Number(v) : String(v));

/**
 * Whether a stored row and an incoming one hold the same values, as readRow reads them (the comparison of their
 * JSON, value by value: one re-import of 20,000 unchanged services spent 1.7 s of CPU making and comparing that JSON).
 */
export function sameRow(table: TableName, stored: Row | unknown[], incoming: Row): boolean {
  // A stored row read as an array holds the id, then the compared columns in order (storedRows).
  const values = Array.isArray(stored);
  const cols = comparedColumns(table);
  for (let i = 0; i < cols.length; i++) {
    const [c, k] = cols[i];
    const a = readValue(k, values ? stored[i + 1] : (stored as Row)[c]);
    const b = readValue(k, incoming[c]);
    // JSON writes NaN and the infinities as null; checked values are finite, stored ones too.
    if (a !== b && !(typeof a === 'number' && typeof b === 'number' && !Number.isFinite(a) && !Number.isFinite(b))) return false;
  }
  return true;
}

/**
 * The services a written row concerns without naming them, whose last_modified must move too: those given at a
 * location that existed before and changed (or whose address, phone, schedule... did), and those of an organisation
 * or program that changed. A new location is left out: a service given there arrives with a new
 * service_at_location row, which names it (so a first import asks nothing here).
 */
async function servicesConcerned(db: Db, toWrite: Map<TableName, Row[]>, existed: Map<TableName, Set<string>>): Promise<string[]> {
  const changed = (t: TableName) => (toWrite.get(t) ?? []).map((r) => r.id as string).filter((id) => existed.get(t)?.has(id));
  const newLocations = new Set((toWrite.get('location') ?? []).map((r) => r.id as string).filter((id) => !existed.get('location')?.has(id)));
  const locations = new Set(changed('location'));
  for (const [t, rows] of toWrite) {
    if (t === 'location' || t === 'service' || t === 'service_at_location') continue;
    for (const r of rows) if (typeof r.location_id === 'string' && !r.service_id && !r.service_at_location_id && !newLocations.has(r.location_id)) locations.add(r.location_id);
  }
  const out: string[] = [];
  const each = async (ids: string[], read: (chunk: string[]) => Promise<unknown[]>) => {
    for (let i = 0; i < ids.length; i += 500) for (const id of await read(ids.slice(i, i + 500))) out.push(String(id));
  };
  await each([...locations], async (c) => (await db.selectFrom(tableOf('service_at_location')).select('service_id').where('location_id', 'in', c).execute()).map((r) => r.service_id));
  await each(changed('organization'), async (c) => (await db.selectFrom(tableOf('service')).select('id').where('organization_id', 'in', c).execute()).map((r) => r.id));
  await each(changed('program'), async (c) => (await db.selectFrom(tableOf('service')).select('id').where('program_id', 'in', c).execute()).map((r) => r.id));
  return out;
}

/** The stored rows of the incoming ids (as sameRow takes them); an empty table is not read at all. */
async function storedRows(db: Db, table: TableName, rows: Row[]): Promise<Map<string, Row | unknown[]>> {
  const out = new Map<string, Row | unknown[]>();
  const held = Number((await db.selectFrom(tableOf(table)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  if (!held) return out;
  // A table holding not many more rows than arrive (a source's snapshot imported again) is read whole, in its own
  // order: a quarter less than looking each id up (re-importing 20,000 services).
  if (held <= 2 * rows.length) {
    const wanted = new Set(rows.map((r) => r.id as string));
    const sqlite = db.isTransaction ? sqliteConnection(db) : undefined;
    if (sqlite) {
      // On SQLite, inside the import's transaction, through its connection (as bulk.ts writes): rows as arrays of
      // the id and the compared columns, without an object per row (two fifths less to read them).
      const columns = ['id', ...comparedColumns(table).map(([c]) => c)].map((c) => `"${c}"`).join(', ');
      for (const r of sqlite.prepare(`select ${columns} from "${tableOf(table)}"`).raw(true).iterate() as IterableIterator<unknown[]>) if (wanted.has(String(r[0]))) out.set(String(r[0]), r);
      return out;
    }
    for (const r of await db.selectFrom(tableOf(table)).selectAll().execute()) if (wanted.has(String(r.id))) out.set(String(r.id), r as Row);
    return out;
  }
  // Large chunks: one query per 5,000 ids (both engines accept that many parameters).
  for (let i = 0; i < rows.length; i += 5000) {
    const ids = rows.slice(i, i + 5000).map((r) => r.id as string);
    for (const r of await db.selectFrom(tableOf(table)).selectAll().where('id', 'in', ids).execute()) out.set(String(r.id), r as Row);
  }
  return out;
}

/** A refused import, recorded in the history with why (import-history.ts). */
async function refused(ctx: Ctx, refusals: Refusal[], because: RefusedBecause, format: Format, opts: ImportOptions): Promise<ImportRefused> {
  const err = new ImportRefused(refusals);
  err.historyId = await recordRefusal(ctx, { source: opts.source ?? null, format, found: opts.found ?? format, partial: !!opts.partial, because, refusals }, unreadable);
  return err;
}

/**
 * Imports a publication as one transaction. Every row is checked first. By default invalid rows are quarantined
 * (left out, each with its reason), rows naming them too, and a service whose organisation is missing is kept
 * without one; `strict` refuses the whole import instead (ImportRefused lists every refusal). A publication that
 * cannot be read at all is refused in either case. Records are matched by id and compared with what is stored:
 * only added and changed rows are written, and services written or whose details changed get `last_modified`.
 */
export async function importDataset(ctx: Ctx, ds: Dataset, format: Format, opts: ImportOptions = {}): Promise<ImportReport> {
  authorize(ctx, managesDirectory(ctx));
  const log = opts.progress ?? (() => {});
  const noted = ds.notes.length;
  deriveIds(ds);
  for (const n of ds.notes.slice(noted)) log(`  ${n}`);
  // A value a steward kept over a matched record's stands against the value it replaced (federation-match.ts).
  const staleChoices = await honourChoices(ctx.db, ds, log);
  tidyPublishedValues(ds);
  const approximate = fillCentroids(ds);
  // The directory's own terms from the publisher's (crosswalk.ts), language codes from names (languages.ts).
  const mapped = await applyCrosswalkToDataset(ctx.db, ds);
  if (mapped.derived || mapped.languages) log(`crosswalk: ${mapped.derived} directory term(s) derived from the publisher's, ${mapped.languages} language(s) coded from their names`);
  const total = Object.values(ds.counts()).reduce((a, b) => a + b, 0);
  log(`checking ${total} row(s)`);
  const said = ds.notes.length;
  checkValues(ds);
  // What the checks worked out (dates written as Excel serial numbers) is said as the reader's notes were.
  for (const n of ds.notes.slice(said)) log(`  ${n}`);
  log(`  values checked: ${ds.refusals.length} problem(s)`);
  const exists = (t: TableName, ids: string[]) => existingIds(ctx.db, t, ids);
  let quarantined: Refusal[] = [];
  if (opts.strict || ds.refusals.some(unreadable)) {
    if (!ds.refusals.length) await checkReferences(ds, exists);
    if (ds.refusals.length) throw await refused(ctx, ds.refusals, ds.refusals.some(unreadable) ? 'unreadable' : 'strict', format, opts);
  } else {
    quarantined = leaveOutRefused(ds);
    // Leaving a row out can leave rows naming it: checked again until nothing more is left out.
    for (let round = 0; round < 10; round++) {
      await checkReferences(ds, exists, LENIENT);
      if (!ds.refusals.length) break;
      // A loop, not push(...): a large publication can leave out more rows than a call takes as arguments.
      for (const r of leaveOutRefused(ds)) quarantined.push(r);
    }
    log(`  references checked: ${quarantined.length} row(s) quarantined, ${ds.skipped.length} warning(s)`);
    if (quarantined.length && !Object.values(ds.counts()).some((n) => n > 0)) throw await refused(ctx, quarantined, 'nothing_valid', format, opts);
  }
  // An exported confidential location is a redacted copy: importing it back must not blank the real record.
  const redacted = new Set(ds.get('location').filter((l) => l.confidential === true && l.latitude === null && l.name === 'Confidential location'));
  if (redacted.size) {
    const have = await existingIds(ctx.db, 'location', [...redacted].map((l) => l.id as string));
    ds.rows.set('location', ds.get('location').filter((l) => !(redacted.has(l) && have.has(l.id as string))));
  }
  const counts = ds.counts();
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  let importId = '';
  let snap: SnapshotResult = { left: [], returned: [], removed: {} };
  const now = new Date().toISOString();
  await runCommand(ctx, async (trx, audit) => {
    // Compared with what is stored: only what is new or different is written.
    const toWrite = new Map<TableName, Row[]>();
    const existed = new Map<TableName, Set<string>>();
    const touched = new Set<string>();
    for (const table of ORDER) {
      const rows = ds.get(table);
      if (!rows.length) continue;
      const stored = await storedRows(trx, table, rows);
      existed.set(table, new Set(stored.keys()));
      const write: Row[] = [];
      for (const r of rows) {
        const before = stored.get(r.id as string);
        if (before === undefined) added++;
        else if (!sameRow(table, before, r)) changed++;
        else {
          unchanged++;
          continue;
        }
        write.push(r);
        if (table === 'service') touched.add(r.id as string);
        else if (typeof r.service_id === 'string') touched.add(r.service_id);
        else if (table === 'attribute' && r.link_entity === 'service') touched.add(r.link_id as string);
      }
      toWrite.set(table, write);
      log(`  ${table}: ${write.length} to write, ${rows.length - write.length} unchanged`);
    }
    for (const id of await servicesConcerned(trx, toWrite, existed)) touched.add(id);
    // Services written, or whose details were, carry the time of this import (so modified_after finds them).
    const services = toWrite.get('service') ?? [];
    const written = new Set(services.map((s) => s.id as string));
    for (const s of services) s.last_modified = now;
    const detailOnly = [...touched].filter((id) => !written.has(id));
    for (let i = 0; i < detailOnly.length; i += 500) await trx.updateTable(tableOf('service')).set({ last_modified: now }).where('id', 'in', detailOnly.slice(i, i + 500)).execute();
    const tables = ORDER.filter((t) => toWrite.get(t)?.length);
    // A load larger than what a table holds writes faster without its secondary indexes, built again afterwards.
    const bulk = await tablesForBulkLoad(trx, Object.fromEntries(tables.map((t) => [tableOf(t), toWrite.get(t)!.length])));
    if (bulk.length) log(`  loading ${bulk.length} table(s) without their secondary indexes`);
    await withoutSecondaryIndexes(trx, bulk, async () => {
      for (const table of tables) {
        const rows = toWrite.get(table)!;
        let last = 0;
        await upsertRows(trx, table, rows, (done) => {
          if (done === rows.length || done - last >= 1000) {
            log(`  ${table}: ${done}/${rows.length}`);
            last = done;
          }
        });
      }
    });
    if (bulk.length) log(`  secondary indexes rebuilt`);
    await forgetChoices(trx, staleChoices);
    const reindex = new Set(touched);
    if (opts.source) {
      snap = await applySnapshot(trx, ds, opts.source, !!opts.partial, now, existed);
      for (const id of [...snap.left, ...snap.returned]) reindex.add(id);
      const removedDetails = Object.values(snap.removed).reduce<number>((a, b) => a + (b ?? 0), 0);
      if (removedDetails) for (const s of ds.get('service')) reindex.add(s.id as string);
      if (snap.left.length || removedDetails) log(`  ${opts.source}: ${snap.left.length} service(s) no longer listed made inactive, ${removedDetails} detail row(s) no longer given removed`);
    }
    // A changed location, address or organisation changes what search knows of the services it serves.
    if (tables.some((t) => ['organization', 'program', 'location', 'address', 'taxonomy', 'taxonomy_term'].includes(t))) for (const s of ds.get('service')) reindex.add(s.id as string);
    for (const a of toWrite.get('attribute') ?? []) if (a.link_entity === 'service') reindex.add(a.link_id as string);
    log(`  search index: ${reindex.size} services`);
    // The services this import added are indexed from its own rows, not read back.
    const stored = existed.get('service') ?? new Set<string>();
    if (reindex.size) await reindexServices(trx, [...reindex], { rows: (t) => ds.get(t), added: new Set(ds.get('service').map((s) => s.id as string).filter((id) => !stored.has(id))) });
    importId = await recordImport(trx, ctx, { source: opts.source ?? null, format, found: opts.found ?? format, partial: !!opts.partial, added, changed, unchanged, removed: removedOf(snap), quarantined, warnings: ds.skipped }, now);
    if (opts.digest && opts.source) await rememberDigest(trx, opts.source, opts.digest, importId, now, { format, found: opts.found ?? format, counts, notes: ds.notes, approximate });
    await audit({ action: 'directory.import', entityType: 'directory', entityId: importId, summary: { format, found: opts.found ?? format, source: opts.source ?? null, partial: !!opts.partial, counts, added, changed, unchanged, left: snap.left.length, removed: removedOf(snap), quarantined: quarantined.length, warnings: ds.skipped.length, approximate_coordinates: approximate } });
  });
  // After a large import the planner's picture of the tables is out of date until the database refreshes it.
  if (added + changed >= 10_000) await refreshStatistics(ctx.db, [...Object.keys(counts).map(tableOf), SEARCH_INDEX]);
  return { format, found: opts.found ?? format, source: opts.source ?? null, counts, added, changed, unchanged, removed: removedOf(snap), left: snap.left, importId, quarantined, skipped: ds.skipped, notes: ds.notes, approximateCoordinates: approximate };
}

export async function importPath(ctx: Ctx, path: string, opts: ImportOptions = {}): Promise<ImportReport> {
  // Before the file is read: who may not import learns nothing about the server's files.
  authorize(ctx, managesDirectory(ctx));
  const log = opts.progress ?? (() => {});
  log(`reading ${path}`);
  const skipBrokenReferences = !opts.strict || !!opts.skipBrokenReferences;
  const pub = await openOrRefuse(path);
  let read: Awaited<ReturnType<typeof readPath>>;
  let digest: string | undefined;
  if (!('cleanup' in pub)) read = pub;
  else {
    try {
      const source = opts.source ?? pub.name;
      digest = publicationDigest(path, { strict: !!opts.strict, partial: !!opts.partial, skipBrokenReferences }) ?? undefined;
      const repeated = digest ? await repeatedImport(ctx.db, source, digest) : null;
      if (repeated) {
        log(`found ${repeated.found}`);
        log(`  the same publication as import ${repeated.importId}, with no directory write since: nothing to compare`);
        return await recordRepeated(ctx, repeated, source, !!opts.partial, digest!);
      }
      read = { ds: readPublication(pub, { ...opts, skipBrokenReferences }), format: pub.format, found: pub.found, name: pub.name, notes: pub.notes };
    } finally {
      pub.cleanup();
    }
  }
  const { ds, format, found, notes, name } = read;
  log(`found ${found}`);
  for (const n of [...notes, ...ds.notes]) log(`  ${n}`);
  ds.notes.unshift(...notes);
  log(`read ${Object.entries(ds.counts()).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing'}`);
  return importDataset(ctx, ds, format, { ...opts, found, source: opts.source ?? name, digest });
}

/** An import that repeats `r` exactly: in the history and the audit log as unchanged, with what `r` found. */
async function recordRepeated(ctx: Ctx, r: Awaited<ReturnType<typeof repeatedImport>> & {}, source: string, partial: boolean, digest: string): Promise<ImportReport> {
  const format = r.format as Format;
  const unchanged = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const now = new Date().toISOString();
  const importId = await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const id = await recordImport(trx, ctx, { source, format, found: r.found, partial, added: 0, changed: 0, unchanged, removed: 0, quarantined: r.quarantined, warnings: r.warnings }, now);
    await rememberDigest(trx, source, digest, id, now, r);
    await audit({ action: 'directory.import', entityType: 'directory', entityId: id, summary: { format, found: r.found, source, partial, counts: r.counts, added: 0, changed: 0, unchanged, left: 0, removed: 0, quarantined: r.quarantined.length, warnings: r.warnings.length, approximate_coordinates: r.approximate, repeats: r.importId } });
    return id;
  });
  return { format, found: r.found, source, counts: r.counts, added: 0, changed: 0, unchanged, removed: 0, left: [], importId, quarantined: r.quarantined, skipped: r.warnings, notes: r.notes, approximateCoordinates: r.approximate };
}
