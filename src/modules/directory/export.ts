/**
 * Exports the directory as HSDS 3.0: JSON (services, organizations, taxonomies and terms, fully nested) or the CSV
 * tabular data package. Confidential locations are exported redacted: no address, coordinates or phone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../platform/db/index.ts';
import { csvField } from '../../platform/http/csv.ts';
import { TABLES, TABLE_NAMES, EXTENSION_COLUMNS, hsdsFields, kindOf, type Row, type TableName } from './model.ts';
import { allRows } from './store.ts';
import { Graph, organizationsFull, servicesFull, type Audience } from './hsds.ts';

const PUBLIC: Audience = { vetted: false, extensions: true };

export interface ExportReport {
  files: string[];
  counts: Record<string, number>;
}

export async function exportJson(db: Db): Promise<Record<string, unknown[]>> {
  const services = await allRows(db, 'service');
  const orgs = await allRows(db, 'organization');
  const terms = await allRows(db, 'taxonomy_term');
  const taxonomies = await allRows(db, 'taxonomy');
  const locations = await allRows(db, 'location');
  const g = new Graph(db);
  await g.locations(locations.map((l) => l.id));
  await g.load('phone', 'contact_id', g.loaded('contact').map((c) => c.id));
  await g.load('language', 'phone_id', g.loaded('phone').map((p) => p.id));
  return {
    // Locations on their own as well: a location need not belong to an organisation or offer a service.
    'locations.json': locations.map((l) => g.location(l, PUBLIC)),
    'services.json': await servicesFull(db, services.map((s) => s.id), PUBLIC),
    'organizations.json': await organizationsFull(db, orgs.map((o) => o.id), PUBLIC, false),
    'taxonomies.json': taxonomies.map((t) => hsdsFields('taxonomy', t)),
    'taxonomy_terms.json': terms.map((t) => hsdsFields('taxonomy_term', t)),
  };
}

/** Rows of every table as the public may see them: confidential locations' details are left out. */
export async function exportTables(db: Db): Promise<Map<TableName, Row[]>> {
  const out = new Map<TableName, Row[]>();
  for (const t of TABLE_NAMES) out.set(t, await allRows(db, t));
  const hidden = new Set(out.get('location')!.filter((l) => l.confidential).map((l) => l.id));
  out.set(
    'location',
    out.get('location')!.map((l) => (hidden.has(l.id) ? { id: l.id, location_type: l.location_type, organization_id: l.organization_id, name: 'Confidential location', confidential: true, coordinates_approximate: false } : l)),
  );
  for (const t of ['address', 'phone', 'accessibility', 'contact'] as const) out.set(t, out.get(t)!.filter((r) => !hidden.has(r.location_id)));
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
