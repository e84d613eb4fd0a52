import zipcodes from 'zipcodes';
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { TABLE_NAMES, tableOf, type Row, type TableName } from './model.ts';
import { Dataset, checkReferences, checkValues, type Refusal } from './validate.ts';
import { readLegacy20 } from './legacy.ts';
import { readLegacy11 } from './legacy11.ts';
import { readHsds3Csv, readHsds3Json, type Format } from './formats.ts';
import { openPublication, PublicationError, type Publication } from './package-reader.ts';
import { basename } from 'node:path';
import { existingIds, reindexServices, upsertRows, SEARCH_INDEX } from './store.ts';
import { refreshStatistics, tablesForBulkLoad, withoutSecondaryIndexes } from '../../platform/db/bulk.ts';

export interface ImportOptions {
  skipBrokenReferences?: boolean;
  progress?: (line: string) => void;
}

export interface ImportReport {
  format: Format;
  counts: Record<string, number>;
  skipped: Refusal[];
  approximateCoordinates: number;
}

/** An import refused as a whole: nothing was written. Carries every refused row. */
export class ImportRefused extends HttpError {
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

/** Reads what openPublication found into records to check. */
export function readPublication(pub: Pick<Publication, 'format' | 'path'>, opts: ImportOptions = {}): Dataset {
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
  let pub: Publication;
  try {
    pub = await openPublication(path);
  } catch (err) {
    if (!(err instanceof PublicationError)) throw err;
    const ds = new Dataset();
    ds.refuse({ file: basename(path), row: 0 }, 'path', err.message);
    return { ds, format: 'hsds-3.0-json', found: 'nothing', name: basename(path), notes: [] };
  }
  try {
    return { ds: readPublication(pub, opts), format: pub.format, found: pub.found, name: pub.name, notes: pub.notes };
  } finally {
    pub.cleanup();
  }
}

/**
 * Imports a publication as one transaction: every row is checked first, and one refused row refuses the whole
 * import (ImportRefused lists them all). Records are matched by id, so importing again updates them.
 */
export async function importDataset(ctx: Ctx, ds: Dataset, format: Format, opts: ImportOptions = {}): Promise<ImportReport> {
  authorize(ctx, managesDirectory(ctx));
  const log = opts.progress ?? (() => {});
  const approximate = fillCentroids(ds);
  checkValues(ds);
  if (!ds.refusals.length) await checkReferences(ds, (t, ids) => existingIds(ctx.db, t, ids));
  if (ds.refusals.length) throw new ImportRefused(ds.refusals);
  // An exported confidential location is a redacted copy: importing it back must not blank the real record.
  const redacted = new Set(ds.get('location').filter((l) => l.confidential === true && l.latitude === null && l.name === 'Confidential location'));
  if (redacted.size) {
    const have = await existingIds(ctx.db, 'location', [...redacted].map((l) => l.id as string));
    ds.rows.set('location', ds.get('location').filter((l) => !(redacted.has(l) && have.has(l.id as string))));
  }
  const counts = ds.counts();
  await runCommand(ctx, async (trx, audit) => {
    const tables = ORDER.filter((t) => ds.get(t).length);
    // A load larger than what a table holds writes faster without its secondary indexes, built again afterwards.
    const bulk = await tablesForBulkLoad(trx, Object.fromEntries(tables.map((t) => [tableOf(t), ds.get(t).length])));
    if (bulk.length) log(`  loading ${bulk.length} table(s) without their secondary indexes`);
    await withoutSecondaryIndexes(trx, bulk, async () => {
      for (const table of tables) {
        const rows = ds.get(table);
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
    const services = new Set(ds.get('service').map((s) => s.id as string));
    for (const t of TABLE_NAMES) for (const r of ds.get(t)) if (typeof r.service_id === 'string') services.add(r.service_id);
    for (const a of ds.get('attribute')) if (a.link_entity === 'service') services.add(a.link_id as string);
    log(`  search index: ${services.size} services`);
    await reindexServices(trx, [...services]);
    await audit({ action: 'directory.import', entityType: 'directory', summary: { format, counts, skipped: ds.skipped.length, approximate_coordinates: approximate } });
  });
  // After a large import the planner's picture of the tables is out of date until the database refreshes it.
  const written = Object.values(counts).reduce((a, b) => a + b, 0);
  if (written >= 10_000) await refreshStatistics(ctx.db, [...Object.keys(counts).map(tableOf), SEARCH_INDEX]);
  return { format, counts, skipped: ds.skipped, approximateCoordinates: approximate };
}

export async function importPath(ctx: Ctx, path: string, opts: ImportOptions = {}): Promise<ImportReport> {
  // Before the file is read: who may not import learns nothing about the server's files.
  authorize(ctx, managesDirectory(ctx));
  const log = opts.progress ?? (() => {});
  log(`reading ${path}`);
  const { ds, format, found, notes } = await readPath(path, opts);
  log(`found ${found}`);
  for (const n of notes) log(`  ${n}`);
  log(`read ${Object.entries(ds.counts()).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing'}`);
  if (ds.skipped.length) log(`skipped ${ds.skipped.length} row(s) or link(s) naming records the package does not contain`);
  return importDataset(ctx, ds, format, opts);
}
