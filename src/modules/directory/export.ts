/**
 * Exports the directory as HSDS 3.0: JSON (services, organizations, taxonomies and terms, fully nested) or the CSV
 * tabular data package. Confidential locations are exported redacted: no address, coordinates or phone. A record
 * matched with one another source gave first is exported once, as that one (`oneRecordPerMatch`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../platform/db/index.ts';
import { csvField } from '../../platform/http/csv.ts';
import { countEntityEvents } from '../../platform/audit/index.ts';
import { TABLES, TABLE_NAMES, EXTENSION_COLUMNS, hsdsFields, kindOf, type Row, type TableName } from './model.ts';
import { allRows, rowsWhereIn } from './store.ts';
import { Graph, organizationsFull, servicesFull, type Audience } from './hsds.ts';
import { standIns, type StandIns } from './federation-match.ts';

const PUBLIC: Audience = { vetted: false, extensions: true };

export interface ExportReport {
  files: string[];
  counts: Record<string, number>;
}

export async function exportJson(db: Db): Promise<Record<string, unknown[]>> {
  const m = await standIns(db);
  const gone = goneLocations(await allRows(db, 'service_at_location'), m);
  const services = (await allRows(db, 'service')).filter((s) => !m.services.has(s.id as string));
  const orgs = (await allRows(db, 'organization')).filter((o) => !m.organizations.has(o.id as string));
  const terms = await allRows(db, 'taxonomy_term');
  const taxonomies = await allRows(db, 'taxonomy');
  const locations = (await allRows(db, 'location')).filter((l) => !gone.has(l.id as string));
  const g = new Graph(db);
  await g.locations(locations.map((l) => l.id));
  await g.load('phone', 'contact_id', g.loaded('contact').map((c) => c.id));
  await g.load('language', 'phone_id', g.loaded('phone').map((p) => p.id));
  const point = await organizationPointer(db, m);
  return {
    // Locations on their own as well: a location need not belong to an organisation or offer a service.
    'locations.json': point(locations.map((l) => g.location(l, PUBLIC))),
    'services.json': point(await servicesFull(db, services.map((s) => s.id as string), PUBLIC)),
    'organizations.json': point(await organizationsFull(db, orgs.map((o) => o.id as string), PUBLIC, false)),
    'taxonomies.json': taxonomies.map((t) => hsdsFields('taxonomy', t)),
    'taxonomy_terms.json': terms.map((t) => hsdsFields('taxonomy_term', t)),
  };
}

/** Locations where only services that stand for nothing (the later of a match) are offered: they go with them. */
function goneLocations(atLocation: readonly Row[], m: StandIns): Set<string> {
  const kept = new Set<unknown>();
  const later = new Set<unknown>();
  for (const r of atLocation) (m.services.has(r.service_id as string) ? later : kept).add(r.location_id);
  return new Set([...later].filter((id) => !kept.has(id)).map(String));
}

/**
 * Rewrites HSDS objects, nested as deep as they go, so that an organisation matched with one seen first is named
 * as that one: `organization_id`, `parent_organization_id`, and a nested `organization`.
 */
export async function organizationPointer(db: Db, m: StandIns): Promise<<T>(x: T) => T> {
  if (!m.organizations.size) return (x) => x;
  const firsts = new Map((await rowsWhereIn(db, 'organization', 'id', [...new Set(m.organizations.values())])).map((o) => [o.id as string, hsdsFields('organization', o, true)]));
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'organization_id' || k === 'parent_organization_id') && typeof v === 'string') out[k] = m.organizations.get(v) ?? v;
      else if (k === 'organization' && v && typeof v === 'object' && m.organizations.has((v as { id: string }).id)) out[k] = firsts.get(m.organizations.get((v as { id: string }).id)!) ?? v;
      else out[k] = walk(v);
    }
    return out;
  };
  return <T,>(x: T) => walk(x) as T;
}

/**
 * The organisations an HSDS answer names, as deep as it goes: what `organizationPointer` may rewrite
 * (`organization_id`, `parent_organization_id`, a nested `organization`'s id).
 */
export function organizationsNamedIn(x: unknown, out = new Set<string>()): Set<string> {
  // Walked on every HSDS answer: no arrays of entries made, strings passed over but for the two keys.
  if (Array.isArray(x)) {
    for (const v of x) if (v !== null && typeof v === 'object') organizationsNamedIn(v, out);
    return out;
  }
  if (x === null || typeof x !== 'object') return out;
  const o = x as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string') {
      if (k === 'organization_id' || k === 'parent_organization_id') out.add(v);
    } else if (v !== null && typeof v === 'object') {
      if (k === 'organization' && typeof (v as { id?: unknown }).id === 'string') out.add((v as { id: string }).id);
      organizationsNamedIn(v, out);
    }
  }
  return out;
}

const OWN_DETAILS: ReadonlySet<string> = new Set(['phone', 'contact', 'funding', 'organization_identifier']);
const REFERENCES = ['service_id', 'service_at_location_id', 'location_id', 'contact_id', 'phone_id'] as const;

/**
 * A matched pair is one record outward: the later record of each match is left out, with what only it had (its
 * service_at_location rows, the locations only it was offered at, and every row naming one of those: phones,
 * contacts, schedules, languages, attributes...), and the later organisation's own details (its phones, contacts,
 * funding, identifiers, attributes); what it was the organisation of (services, locations, programs) names the
 * organisation seen first instead.
 */
export function oneRecordPerMatch(out: Map<TableName, Row[]>, m: StandIns): void {
  if (!m.services.size && !m.organizations.size) return;
  const gone: Record<(typeof REFERENCES)[number] | 'organization_id', Set<unknown>> = { service_id: new Set(m.services.keys()), organization_id: new Set(m.organizations.keys()), service_at_location_id: new Set(), location_id: new Set(), contact_id: new Set(), phone_id: new Set() };
  const sal = out.get('service_at_location') ?? [];
  for (const r of sal) if (gone.service_id.has(r.service_id)) gone.service_at_location_id.add(r.id);
  for (const id of goneLocations(sal, m)) gone.location_id.add(id);
  const idKind: Partial<Record<TableName, keyof typeof gone>> = { service: 'service_id', organization: 'organization_id', service_at_location: 'service_at_location_id', location: 'location_id', contact: 'contact_id', phone: 'phone_id' };
  const anyGone = (v: unknown) => v !== null && v !== undefined && Object.values(gone).some((set) => set.has(v));
  // Contacts before phones before the rest: each may name one left out just before.
  const order = ['service', 'organization', 'service_at_location', 'location', 'contact', 'phone', ...TABLE_NAMES.filter((t) => !idKind[t])] as TableName[];
  for (const t of order) {
    const rows = out.get(t);
    if (!rows) continue;
    const own = idKind[t];
    const kept: Row[] = [];
    for (const r of rows) {
      const drop =
        (own !== undefined && gone[own].has(r.id)) ||
        REFERENCES.some((c) => r[c] !== null && r[c] !== undefined && gone[c].has(r[c])) ||
        anyGone(r.link_id) ||
        anyGone(r.resource_id) ||
        (OWN_DETAILS.has(t) && gone.organization_id.has(r.organization_id) && REFERENCES.every((c) => r[c] === null || r[c] === undefined));
      if (!drop) kept.push(r);
      else if (own && own !== 'service_id' && own !== 'organization_id') gone[own].add(r.id);
    }
    out.set(
      t,
      kept.map((r) => {
        const org = typeof r.organization_id === 'string' ? m.organizations.get(r.organization_id) : undefined;
        const parent = typeof r.parent_organization_id === 'string' ? m.organizations.get(r.parent_organization_id) : undefined;
        return org || parent ? { ...r, ...(org ? { organization_id: org } : {}), ...(parent ? { parent_organization_id: parent } : {}) } : r;
      }),
    );
  }
}

/**
 * Rows of every table as the public may see them, one record of each match (`oneRecordPerMatch`), what the HSDS API shows an anonymous caller (hsds.ts): of a
 * confidential location, only that it exists and whose it is. Its address, accessibility, languages, schedules,
 * attributes, contacts and phones are left out, and so are the contacts and phones of a service offered there
 * (service_at_location), the phones of a contact left out and the languages of a phone left out.
 */
export async function exportTables(db: Db): Promise<Map<TableName, Row[]>> {
  const out = new Map<TableName, Row[]>();
  for (const t of TABLE_NAMES) out.set(t, await allRows(db, t));
  oneRecordPerMatch(out, await standIns(db));
  const hidden = new Set(out.get('location')!.filter((l) => l.confidential).map((l) => l.id));
  if (!hidden.size) return out;
  out.set(
    'location',
    out.get('location')!.map((l) => (hidden.has(l.id) ? { id: l.id, location_type: l.location_type, organization_id: l.organization_id, name: 'Confidential location', confidential: true, coordinates_approximate: false } : l)),
  );
  const keep = (t: TableName, drop: (r: Row) => boolean) => {
    const gone = new Set<unknown>();
    out.set(t, out.get(t)!.filter((r) => (drop(r) ? (gone.add(r.id), false) : true)));
    return gone;
  };
  const at = new Set(out.get('service_at_location')!.filter((s) => hidden.has(s.location_id)).map((s) => s.id));
  for (const t of ['address', 'accessibility', 'schedule'] as const) keep(t, (r) => hidden.has(r.location_id));
  keep('attribute', (r) => hidden.has(r.link_id));
  const contacts = keep('contact', (r) => hidden.has(r.location_id) || at.has(r.service_at_location_id));
  const phones = keep('phone', (r) => hidden.has(r.location_id) || at.has(r.service_at_location_id) || contacts.has(r.contact_id));
  keep('language', (r) => hidden.has(r.location_id) || phones.has(r.phone_id));
  return out;
}

/**
 * One table as CSV. Text that a spreadsheet would run as a formula is defused with a leading apostrophe (the HSDS
 * CSV reader takes it off again); numbers are written as they are, so negative longitudes stay numbers.
 */
export function csvOf(table: TableName, rows: Row[]): string {
  const cols = [...Object.keys(TABLES[table].columns)];
  const field = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'true' : 'false') : csvField(v ?? ''));
  return [cols.map((c) => csvField(c)).join(','), ...rows.map((r) => cols.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}

const FIELD_TYPE: Record<string, string> = { id: 'string', text: 'string', num: 'number', date: 'date', instant: 'datetime', bool: 'boolean' };

export function datapackage(tables: TableName[]): unknown {
  return {
    name: 'taskforce-hub-directory',
    title: 'Taskforce Hub service directory (HSDS 3.0)',
    profile: 'tabular-data-package',
    version: '3.0.0',
    resources: tables.map((t) => ({
      name: t,
      path: TABLES[t].file,
      profile: 'tabular-data-resource',
      schema: {
        fields: Object.entries(TABLES[t].columns).map(([name, spec]) => ({ name, type: FIELD_TYPE[kindOf(spec)], ...((EXTENSION_COLUMNS[t] ?? []).includes(name) ? { description: 'Extension of this directory (not HSDS).' } : {}) })),
        primaryKey: 'id',
      },
    })),
  };
}

export async function exportDirectory(db: Db, format: 'json' | 'csv', dir: string, log: (line: string) => void = () => {}): Promise<ExportReport> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const counts: Record<string, number> = {};
  if (format === 'json') {
    const data = await exportJson(db);
    for (const [file, items] of Object.entries(data)) {
      writeFileSync(join(dir, file), JSON.stringify(items, null, 1) + '\n');
      files.push(file);
      counts[file] = items.length;
      log(`  ${file}: ${items.length}`);
    }
    return { files, counts };
  }
  const tables = await exportTables(db);
  const written: TableName[] = [];
  for (const [t, rows] of tables) {
    writeFileSync(join(dir, TABLES[t].file), csvOf(t, rows));
    files.push(TABLES[t].file);
    written.push(t);
    counts[t] = rows.length;
    log(`  ${TABLES[t].file}: ${rows.length}`);
  }
  writeFileSync(join(dir, 'datapackage.json'), JSON.stringify(datapackage(written), null, 2) + '\n');
  files.push('datapackage.json');
  return { files, counts };
}

/**
 * What changes whenever the directory does: the number of directory audit events. Every write of the directory is a
 * command (platform/audit runCommand) that records one, the log is append-only, and the count reads one range of the
 * audit log's entity index. Lists are left out (they are people's own, not published). A write that bypasses the
 * commands (a migration, a hand edit of the database) is not seen until the next command or a restart.
 */
export async function directoryMarker(db: Db): Promise<string> {
  return String(await countEntityEvents(db, 'directory', ['directory_list']));
}

/** One published file of the data package: its body and strong ETag (a digest of the body). */
export interface PackageFile {
  body: Buffer;
  etag: string;
  type: string;
}

export const DATAPACKAGE = 'datapackage.json';

/** The files of the public data package: the descriptor and one CSV per HSDS table, as the CLI export writes them. */
export const PACKAGE_FILES: ReadonlySet<string> = new Set([DATAPACKAGE, ...TABLE_NAMES.map((t) => TABLES[t].file)]);

const fileOf = (body: string, type: string): PackageFile => ({ body: Buffer.from(body, 'utf8'), etag: `"${createHash('sha256').update(body).digest('base64url')}"`, type });

/** Per database handle: the package built for one marker (or being built), so that one export answers every file. */
const built = new WeakMap<object, { marker: string; files: Promise<Map<string, PackageFile>> }>();

async function buildPackage(db: Db): Promise<Map<string, PackageFile>> {
  const tables = await exportTables(db);
  const out = new Map<string, PackageFile>();
  for (const [t, rows] of tables) out.set(TABLES[t].file, fileOf(csvOf(t, rows), 'text/csv; charset=utf-8'));
  out.set(DATAPACKAGE, fileOf(JSON.stringify(datapackage([...tables.keys()]), null, 2) + '\n', 'application/json; charset=utf-8'));
  return out;
}

/**
 * A file of the public data package, exported once per state of the directory (directoryMarker) and kept in this
 * process: a harvester fetching the descriptor and every CSV costs one export, and a second harvester none. The marker
 * is read before the export, so a change made meanwhile is picked up by the next request, never hidden by this one.
 */
export async function packageFile(db: Db, file: string): Promise<PackageFile | undefined> {
  if (!PACKAGE_FILES.has(file)) return undefined;
  const marker = await directoryMarker(db);
  let entry = built.get(db);
  if (!entry || entry.marker !== marker) {
    entry = { marker, files: buildPackage(db) };
    built.set(db, entry);
    // A failed export is not kept: the next request tries again.
    const mine = entry;
    mine.files.catch(() => {
      if (built.get(db) === mine) built.delete(db);
    });
  }
  return (await entry.files).get(file);
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (s: string) => s.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}
