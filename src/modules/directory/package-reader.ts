/**
 * Finds the HSDS publication in what a publisher published: a .zip, a folder with a datapackage.json, a loose folder
 * of CSV files, HSDS 3.0 JSON files (named for their content) or NDJSON. Says what it found, in words for people
 * ("HSDS 1.1 CSV data package, 14 resources"), and where the readers should look.
 */
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import type { Format } from './formats.ts';
import { encodingNote, readText } from './text-file.ts';
import { columnName, csvLayout } from './legacy.ts';
import { parseCsv } from '../../platform/http/csv.ts';

export interface Publication {
  format: Format;
  /** The folder (or the one JSON/NDJSON file) the readers read. */
  path: string;
  /** What was found, for people: "HSDS 1.1 CSV data package, 14 resources". */
  found: string;
  /** The name the publication goes by when no source is given: its folder's or zip's name. */
  name: string;
  /** Things about the package itself worth saying (resources it lists but lacks). */
  notes: string[];
  /** Removes whatever was extracted or copied; safe to call twice. */
  cleanup(): void;
}

/** Why a path holds no publication: nothing is read, nothing written. */
export class PublicationError extends Error {}

/** Limits on a zip: what it may unpack to. A real 211 package of 4,000 services is a few megabytes. */
export const ZIP_LIMITS = { entries: 5_000, bytes: 1024 * 1024 * 1024, entryBytes: 512 * 1024 * 1024 };

const LEGACY_11_FILES = ['regular_schedules.csv', 'services_taxonomy.csv', 'taxonomy.csv', 'holiday_schedules.csv'];
const LEGACY_20_FILES = ['services_at_location.csv', 'physical_addresses.csv', 'postal_addresses.csv', 'service_attributes.csv', 'other_attributes.csv', 'accessibility_for_disabilities.csv', 'payments_accepted.csv', 'eligibility.csv'];
const HSDS_3_FILES = ['addresses.csv', 'attributes.csv', 'service_at_location.csv', 'taxonomies.csv', 'cost_options.csv', 'organization_identifiers.csv', 'accessibility.csv'];
const CORE_FILES = ['organizations.csv', 'services.csv', 'locations.csv'];

// Data package resource names -> the file each HSDS version's reader looks for.
const RESOURCE_FILES: Record<'1.1' | '2.0' | '3.0', Record<string, string>> = {
  '1.1': { organization: 'organizations.csv', program: 'programs.csv', service: 'services.csv', service_taxonomy: 'services_taxonomy.csv', service_at_location: 'services_at_location.csv', location: 'locations.csv', phone: 'phones.csv', contact: 'contacts.csv', physical_address: 'physical_addresses.csv', postal_address: 'postal_addresses.csv', regular_schedule: 'regular_schedules.csv', language: 'languages.csv', accessibility_for_disabilities: 'accessibility_for_disabilities.csv', service_area: 'service_areas.csv', taxonomy: 'taxonomy.csv' },
  '2.0': { organization: 'organizations.csv', program: 'programs.csv', service: 'services.csv', service_attribute: 'service_attributes.csv', service_at_location: 'services_at_location.csv', location: 'locations.csv', phone: 'phones.csv', contact: 'contacts.csv', physical_address: 'physical_addresses.csv', postal_address: 'postal_addresses.csv', schedule: 'schedules.csv', language: 'languages.csv', accessibility_for_disabilities: 'accessibility_for_disabilities.csv', service_area: 'service_areas.csv', taxonomy_term: 'taxonomy_terms.csv' },
  '3.0': { organization: 'organizations.csv', program: 'programs.csv', service: 'services.csv', attribute: 'attributes.csv', service_at_location: 'service_at_location.csv', location: 'locations.csv', phone: 'phones.csv', contact: 'contacts.csv', address: 'addresses.csv', schedule: 'schedules.csv', funding: 'funding.csv', service_area: 'service_areas.csv', required_document: 'required_documents.csv', language: 'languages.csv', accessibility: 'accessibility.csv', taxonomy_term: 'taxonomy_terms.csv', taxonomy: 'taxonomies.csv', metadata: 'metadata.csv', cost_option: 'cost_options.csv', organization_identifier: 'organization_identifiers.csv' },
};

const FORMAT_OF = { '1.1': 'hsds-1.1-csv', '2.0': 'hsds-2.0-csv', '3.0': 'hsds-3.0-csv' } as const;
// A name starting with a dot is no publisher's file: .DS_Store, and the ._name AppleDouble copies macOS adds.
const isJson = (f: string) => /\.(nd)?json$/i.test(f) && basename(f).toLowerCase() !== 'datapackage.json' && !basename(f).startsWith('.');
// Every CSV file name one of the readers looks for.
const HSDS_CSV_NAMES = new Set([...LEGACY_11_FILES, ...LEGACY_20_FILES, ...HSDS_3_FILES, ...CORE_FILES, ...Object.values(RESOURCE_FILES).flatMap((m) => Object.values(m))]);
// A CSV table may be saved as .tsv or .txt (a spreadsheet's "Text (tab delimited)"): taken when its name is an HSDS
// table's (services.tsv, locations.txt), so that a README.txt is never read as a table.
const isCsv = (f: string) => !basename(f).startsWith('.') && (/\.csv$/i.test(f) || (/\.(tsv|txt)$/i.test(f) && HSDS_CSV_NAMES.has(standardCsvName(f))));

// Singular names some publishers give the HSDS files (as the tables are named) -> the names the readers look for.
// service_at_location.csv is 3.0's own name; taxonomy.csv is 1.1's: both stay.
const SINGULAR: Record<string, string> = { organization: 'organizations', service: 'services', location: 'locations', program: 'programs', phone: 'phones', contact: 'contacts', language: 'languages', schedule: 'schedules', service_area: 'service_areas', physical_address: 'physical_addresses', postal_address: 'postal_addresses', taxonomy_term: 'taxonomy_terms', service_attribute: 'service_attributes', regular_schedule: 'regular_schedules', holiday_schedule: 'holiday_schedules', attribute: 'attributes', address: 'addresses', cost_option: 'cost_options', required_document: 'required_documents', organization_identifier: 'organization_identifiers', accessibility_for_disability: 'accessibility_for_disabilities', payment_accepted: 'payments_accepted' };

/** The name the readers look for of a CSV file as a publisher named it: lower case, plural where HSDS's is, .csv. */
export function standardCsvName(file: string): string {
  const stem = basename(file).toLowerCase().replace(/\.(csv|tsv|txt)$/, '');
  return `${SINGULAR[stem] ?? stem}.csv`;
}

/** The file a package's path names, matched without regard to case on a file system that minds it. */
function caseInsensitive(root: string, full: string): string | null {
  if (existsSync(full)) return full;
  let at = root;
  for (const part of relative(root, full).split(sep)) {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return null;
    }
    const hit = names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (!hit) return null;
    at = join(at, hit);
  }
  return at;
}

/** The HSDS version a set of CSV file names (and, for 1.x and 2.0, the package's own words) points to. */
export function csvVersion(files: Iterable<string>, words = ''): '1.1' | '2.0' | '3.0' | null {
  const names = new Set([...files].map((f) => f.toLowerCase()));
  const has = (list: string[]) => list.some((f) => names.has(f));
  if (has(LEGACY_11_FILES)) return '1.1';
  // Before 3.0's names: a 2.0 package may name its links service_at_location.csv, or carry an attribute.csv beside
  // its service_attributes.csv; no 3.0 package has a file of 2.0's.
  if (has(LEGACY_20_FILES)) return /\b1\.[01]\b/.test(words) ? '1.1' : '2.0';
  if (has(HSDS_3_FILES)) return '3.0';
  if (has(CORE_FILES)) return '3.0';
  return null;
}

/** 1.1 and 2.0 call the services' locations services_at_location.csv, 3.0 service_at_location.csv. */
function legacyLinkName(version: '1.1' | '2.0' | '3.0', file: string): string {
  if (version !== '3.0' && file === 'service_at_location.csv') return 'services_at_location.csv';
  if (version === '3.0' && file === 'services_at_location.csv') return 'service_at_location.csv';
  return file;
}

/** The HSDS version a package's resource names point to, when its files are named otherwise. */
function versionOfResources(names: string[], words: string): '1.1' | '2.0' | '3.0' | null {
  const has = (list: string[]) => names.some((n) => list.includes(n));
  const said = /\b(1\.[01]|2\.0|3\.\d)\b/.exec(words)?.[1];
  if (has(['service_taxonomy', 'regular_schedule', 'holiday_schedule'])) return '1.1';
  if (has(['attribute', 'address', 'accessibility', 'cost_option', 'organization_identifier'])) return '3.0';
  if (has(['service_attribute', 'physical_address', 'postal_address', 'accessibility_for_disabilities'])) return said?.startsWith('1.') ? '1.1' : '2.0';
  if (!has(['organization', 'service', 'location'])) return null;
  return said?.startsWith('1.') ? '1.1' : said === '2.0' ? '2.0' : '3.0';
}

/** A package's relative resource path, refused when it would leave the package's folder. */
function insidePath(root: string, p: unknown): string | null {
  if (typeof p !== 'string' || !p || /^[a-z][a-z0-9+.-]*:/i.test(p) || isAbsolute(p)) return null;
  const full = normalize(join(root, p));
  const rel = relative(root, full);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? full : null;
}

interface Resource {
  name?: unknown;
  path?: unknown;
  profile?: unknown;
}

/** Reads a folder's datapackage.json: its resources name the files; names and words give the HSDS version. */
function fromDataPackage(dir: string, name: string, scratch: () => string): Omit<Publication, 'cleanup'> {
  let pkg: { resources?: unknown; title?: unknown; description?: unknown; version?: unknown; profile?: unknown; name?: unknown };
  try {
    pkg = JSON.parse(readText(join(dir, 'datapackage.json'), 'JSON document').text);
  } catch (err) {
    throw new PublicationError(`datapackage.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!pkg || typeof pkg !== 'object' || !Array.isArray(pkg.resources)) throw new PublicationError('datapackage.json has no list of resources');
  const resources = (pkg.resources as Resource[]).filter((r) => r && typeof r === 'object');
  const notes: string[] = [];
  const files: { resource: string; full: string }[] = [];
  for (const r of resources) {
    const p = Array.isArray(r.path) ? r.path[0] : r.path;
    const full = insidePath(dir, p);
    if (!full) {
      notes.push(`resource ${String(r.name ?? p)}: its path ${JSON.stringify(p)} is not a file inside the package; left out`);
      continue;
    }
    const found = caseInsensitive(dir, full);
    if (!found) {
      notes.push(`datapackage.json lists ${relative(dir, full)}, which the package does not contain`);
      continue;
    }
    files.push({ resource: String(r.name ?? ''), full: found });
  }
  // CSV files beside the listed ones, under the names of files the package's HSDS version has, are read too.
  const listed = new Set(files.map((f) => f.full));
  const extras: string[] = [];
  for (const folder of new Set(files.filter((f) => isCsv(f.full)).map((f) => dirname(f.full)))) {
    for (const f of readdirSync(folder).sort()) if (isCsv(f) && !listed.has(join(folder, f))) extras.push(join(folder, f));
  }
  const csv = files.filter((f) => isCsv(f.full));
  const words = [pkg.title, pkg.description, pkg.name].filter((x) => typeof x === 'string').join(' ');
  const declared = typeof pkg.version === 'string' && /^3\./.test(pkg.version) && pkg.profile === 'tabular-data-package' ? '3.0' : null;
  const version = csvVersion(csv.map((f) => standardCsvName(f.full)), words) ?? versionOfResources(csv.map((f) => f.resource), words) ?? declared;
  if (!version || !csv.length) {
    const json = files.filter((f) => isJson(f.full));
    if (json.length) return { format: 'hsds-3.0-json', path: jsonFolder(dir, json.map((f) => f.full), scratch), found: `HSDS 3.0 JSON data package, ${json.length} resource${json.length === 1 ? '' : 's'}`, name, notes };
    throw new PublicationError('datapackage.json lists no HSDS CSV or JSON file that the package contains');
  }
  // The readers look for each HSDS file by its standard name in one folder: when the package names or places its
  // files otherwise, they are copied under their standard names into a scratch folder.
  const standard = RESOURCE_FILES[version];
  const wanted = csv.map((f) => ({ ...f, as: legacyLinkName(version, standard[f.resource] ?? standardCsvName(f.full)) }));
  const read = new Set(Object.values(standard));
  for (const full of extras) {
    const as = legacyLinkName(version, standardCsvName(full));
    if (!read.has(as) || wanted.some((w) => w.as === as)) continue;
    wanted.push({ resource: '', full, as });
    notes.push(`${relative(dir, full)} is in the package but datapackage.json does not list it: read too`);
  }
  const inPlace = wanted.every((f) => f.full === join(dir, f.as));
  let path = dir;
  if (!inPlace) {
    path = scratch();
    for (const f of wanted) copyFileSync(f.full, join(path, f.as));
  }
  const kind = `HSDS ${version} CSV data package, ${csv.length} resource${csv.length === 1 ? '' : 's'}`;
  return { format: FORMAT_OF[version], path, found: kind, name, notes };
}

/** JSON files listed by a package but kept elsewhere are gathered in one folder. */
function jsonFolder(dir: string, files: string[], scratch: () => string): string {
  if (files.every((f) => dirname(f) === dir)) return dir;
  const to = scratch();
  for (const f of files) copyFileSync(f, join(to, basename(f)));
  return to;
}

/** The folder of an unpacked archive that holds the publication: often one folder down, sometimes two. */
function publicationRoot(dir: string, depth = 0): string {
  const entries = readdirSync(dir).filter((f) => !f.startsWith('.') && f !== '__MACOSX');
  if (entries.includes('datapackage.json') || entries.some((f) => isCsv(f) || isJson(f))) return dir;
  const folders = entries.filter((f) => statSync(join(dir, f)).isDirectory());
  if (depth < 3 && folders.length === 1) return publicationRoot(join(dir, folders[0]), depth + 1);
  // The one folder with a datapackage.json; several (one package per county) are read together (mergedFolders).
  const packages = folders.filter((f) => existsSync(join(dir, f, 'datapackage.json')));
  if (depth < 3 && packages.length === 1) return join(dir, packages[0]);
  if (packages.length > 1) return dir;
  // Several folders (csv/ beside docs/ and logos/): the one whose CSV files are HSDS files.
  if (depth < 3) {
    const hsds = folders.filter((f) => csvVersion(readdirSync(join(dir, f)).filter(isCsv).map(standardCsvName)) !== null);
    if (hsds.length === 1) return join(dir, hsds[0]);
  }
  return dir;
}

/** A CSV field as the merged files write it: quoted when it holds the separator, a quote or a line break. */
const mergedField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * A folder holding no publication itself but two or more folders of HSDS CSV files and no datapackage.json (a 211
 * exporting one folder per county or region): their files of the same name are written as one file into a scratch
 * folder, each file's columns under the union of the folders' headers, rows in folder order, so that the readers
 * read them as one publication and a record repeated across folders is one record, as a repeated row is. Null when
 * the folder is no such thing; refused when the folders hold different HSDS versions.
 */
function mergedFolders(dir: string, scratch: () => string): { path: string; notes: string[] } | null {
  const entries = readdirSync(dir).filter((f) => !f.startsWith('.') && f !== '__MACOSX');
  if (entries.includes('datapackage.json') || entries.some((f) => isCsv(f) || isJson(f))) return null;
  const folders = entries.filter((f) => statSync(join(dir, f)).isDirectory()).sort();
  // Each folder's HSDS CSV files under their standard names: as they are, or as its datapackage.json names them.
  const hsds: { folder: string; path: string; files: string[]; version: '1.1' | '2.0' | '3.0' }[] = [];
  const notes: string[] = [];
  const packages: string[] = [];
  for (const folder of folders) {
    let path = join(dir, folder);
    let version: '1.1' | '2.0' | '3.0' | null;
    if (existsSync(join(path, 'datapackage.json'))) {
      packages.push(folder);
      let pkg: Omit<Publication, 'cleanup'>;
      try {
        pkg = fromDataPackage(path, folder, scratch);
      } catch (err) {
        if (err instanceof PublicationError) continue;
        throw err;
      }
      version = pkg.format === 'hsds-3.0-json' ? null : (pkg.format.slice(5, 8) as '1.1' | '2.0' | '3.0');
      path = pkg.path;
      for (const n of pkg.notes) notes.push(`${folder}/: ${n}`);
    } else version = csvVersion(readdirSync(path).filter(isCsv).map(standardCsvName));
    if (version) hsds.push({ folder, path, files: readdirSync(path).filter(isCsv).sort(), version });
  }
  if (hsds.length < 2) {
    if (packages.length > 1) throw new PublicationError(`holds ${packages.length} folders with a datapackage.json (${packages.map((f) => `${f}/`).join(', ')}) that cannot be read as one publication: import each folder on its own`);
    return null;
  }
  const versions = new Set(hsds.map((x) => x.version));
  if (versions.size > 1) throw new PublicationError(`holds ${hsds.length} folders of HSDS CSV files of different versions (${hsds.map((x) => `${x.folder}/: HSDS ${x.version}`).join(', ')}): import each folder on its own`);
  const version = hsds[0].version;
  // Each standard name's files: what the notes call them (north/services.csv) and where they are.
  const parts = new Map<string, { file: string; full: string }[]>();
  for (const x of hsds) {
    for (const f of x.files) {
      const as = legacyLinkName(version, standardCsvName(f));
      (parts.get(as) ?? parts.set(as, []).get(as)!).push({ file: `${x.folder}/${f}`, full: join(x.path, f) });
    }
  }
  const to = scratch();
  notes.unshift(`${hsds.length} folders of HSDS ${version} CSV read as one publication: ${hsds.map((x) => `${x.folder}/`).join(', ')}`);
  for (const [as, list] of parts) {
    if (list.length === 1) {
      copyFileSync(list[0].full, join(to, as));
      continue;
    }
    const files = list.map((x) => x.file);
    const columns: string[] = [];
    const tables: { file: string; names: string[]; body: string[][] }[] = [];
    const texts = list.map(({ file, full }) => ({ file, ...readText(full) }));
    for (const { file, encoding } of texts) {
      const note = encodingNote(file, encoding);
      if (note) notes.push(note);
    }
    for (const { file, text } of texts) {
      let rows: string[][];
      const layout = csvLayout(file, text);
      // Said here: the joined file is written with commas, so readCsvFile cannot tell.
      if (layout.note) notes.push(layout.note);
      try {
        rows = parseCsv(layout.body, layout.sep, true);
      } catch (err) {
        // A stray quote costs its row, not the file (readCsvFile): with the same header line everywhere, the files'
        // text is joined as it is and read so; otherwise their columns cannot be lined up.
        const heads = texts.map((t) => t.text.slice(0, t.text.search(/\r?\n|$/)).trim());
        if (heads.every((h) => h === heads[0])) {
          writeFileSync(join(to, as), texts.map((t, i) => (i ? t.text.slice(t.text.search(/\r?\n|$/)).replace(/^\r?\n/, '') : t.text).replace(/(?<![\r\n])$/, '\n')).join(''));
          notes.push(`${as}: the rows of ${files.join(', ')}, in that order`);
          break;
        }
        throw new PublicationError(`${file} is not valid CSV, so it cannot be read with the other folders' ${as}: ${(err as Error).message}`);
      }
      const [head = [], ...body] = rows;
      const names = head.map(columnName);
      for (const n of names) if (n && !columns.includes(n)) columns.push(n);
      tables.push({ file, names, body });
    }
    if (tables.length < texts.length) continue;
    const lines = [columns.map(mergedField).join(',')];
    const said: string[] = [];
    for (const t of tables) {
      // Each column's value: a column named twice in a file gives its first value that is not empty, as readCsvFile does.
      const at = columns.map((c) => t.names.flatMap((n, j) => (n === c ? [j] : [])));
      const first = lines.length + 1;
      if (!t.body.length) continue;
      for (const r of t.body) lines.push(at.map((js) => mergedField(js.map((j) => r[j] ?? '').find((v) => v.trim() !== '') ?? '')).join(','));
      said.push(`rows ${first} to ${lines.length} ${said.length ? '' : 'are '}${t.file}`);
    }
    writeFileSync(join(to, as), lines.join('\r\n') + '\r\n');
    notes.push(`${as}: ${said.join(', ')}`);
  }
  return { path: to, notes };
}

/** A folder as describeFolder reads it, or its folders per county read as one (mergedFolders), said first. */
function describeFolders(dir: string, name: string, scratch: () => string): Omit<Publication, 'cleanup'> {
  const merged = mergedFolders(dir, scratch);
  const inner = describeFolder(merged?.path ?? dir, name, scratch);
  return merged ? { ...inner, notes: [...merged.notes, ...inner.notes] } : inner;
}

function describeFolder(dir: string, name: string, scratch: () => string): Omit<Publication, 'cleanup'> {
  const files = readdirSync(dir);
  let notes: string[] = [];
  if (files.includes('datapackage.json')) {
    try {
      return fromDataPackage(dir, name, scratch);
    } catch (err) {
      // A package whose datapackage.json cannot be used is still a folder of files: read as one, and said so.
      if (!(err instanceof PublicationError) || !files.some((f) => isCsv(f) || isJson(f))) throw err;
      notes = [`${err.message}: read as a folder of files instead`];
    }
  }
  // The team's older layout: the CSV files in a "datapackage" folder beside the README.
  if (files.includes('datapackage') && statSync(join(dir, 'datapackage')).isDirectory() && !files.includes('services.csv')) return describeFolder(join(dir, 'datapackage'), name, scratch);
  const csv = files.filter(isCsv);
  const version = csvVersion(csv.map(standardCsvName));
  if (version) {
    // Files named otherwise than the readers look for them ("Services.csv", "program.csv") are copied under their
    // HSDS names into a scratch folder, and the import says so.
    const as = csv.map((f) => [f, legacyLinkName(version, standardCsvName(f))] as const);
    const renamed = as.filter(([f, to]) => f !== to && !csv.includes(to));
    let path = dir;
    if (renamed.length) {
      path = scratch();
      const taken = new Set<string>();
      for (const [f, to] of as) {
        if (taken.has(to) || (f !== to && csv.includes(to))) continue;
        taken.add(to);
        copyFileSync(join(dir, f), join(path, to));
      }
      notes.push(`files read under their HSDS names: ${renamed.map(([f, to]) => `${f} as ${to}`).join(', ')}`);
    }
    return { format: FORMAT_OF[version], path, found: `HSDS ${version} CSV folder, ${csv.length} file${csv.length === 1 ? '' : 's'}`, name, notes };
  }
  const json = files.filter(isJson);
  if (json.length) return { format: 'hsds-3.0-json', path: dir, found: `HSDS 3.0 JSON folder, ${json.length} file${json.length === 1 ? '' : 's'}`, name, notes };
  throw new PublicationError('holds no HSDS publication: no datapackage.json, no HSDS CSV file (organizations.csv, services.csv, ...) and no .json or .ndjson file');
}

/** Unpacks a zip into `to`, refusing entries that would land outside it, links, and archives past the limits. */
export async function extractZip(file: string, to: string, limits = ZIP_LIMITS): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, z) => (err ? fail(err) : ok(z))));
  let entries = 0;
  let total = 0;
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (++entries > limits.entries) throw new PublicationError(`the zip holds more than ${limits.entries} entries`);
          const name = entry.fileName;
          // yauzl already refuses absolute names and ".." segments; this also keeps Windows separators in check.
          const target = normalize(join(to, name.replace(/\\/g, '/')));
          if (!target.startsWith(to + sep) && target !== to) throw new PublicationError(`the zip entry ${JSON.stringify(name)} would land outside the folder it is unpacked in`);
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          if (mode === 0o120000) throw new PublicationError(`the zip entry ${JSON.stringify(name)} is a symbolic link`);
          if (/\/$/.test(name)) {
            mkdirSync(target, { recursive: true });
            zip.readEntry();
            return;
          }
          if (entry.uncompressedSize > limits.entryBytes || total + entry.uncompressedSize > limits.bytes) throw new PublicationError(`the zip unpacks to more than ${Math.round(limits.bytes / 1024 / 1024)} MB`);
          mkdirSync(dirname(target), { recursive: true });
          const stream = await new Promise<NodeJS.ReadableStream>((ok, no) => zip.openReadStream(entry, (err, s) => (err ? no(err) : ok(s))));
          // Counted as written, not as declared: a zip may understate its sizes.
          let written = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _enc, next) {
              written += chunk.length;
              total += chunk.length;
              if (written > limits.entryBytes || total > limits.bytes) next(new PublicationError(`the zip unpacks to more than ${Math.round(limits.bytes / 1024 / 1024)} MB`));
              else next(null, chunk);
            },
          });
          await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
          zip.readEntry();
        })().catch((err: unknown) => {
          zip.close();
          fail(err instanceof PublicationError ? err : new PublicationError(`the zip cannot be unpacked: ${(err as Error).message}`));
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    if (err instanceof PublicationError) throw err;
    throw new PublicationError(`the zip cannot be unpacked: ${(err as Error).message}`);
  }
  return entries;
}

/** Finds the publication at `path`; the caller reads it, then calls cleanup(). Throws PublicationError. */
export async function openPublication(path: string): Promise<Publication> {
  if (!existsSync(path)) throw new PublicationError('does not exist');
  const made: string[] = [];
  const scratch = () => {
    const d = mkdtempSync(join(tmpdir(), 'tfh-hsds-'));
    made.push(d);
    return d;
  };
  const cleanup = () => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  };
  const name = basename(path).replace(/\.(zip|nd?json|json)$/i, '');
  try {
    if (statSync(path).isDirectory()) return { ...describeFolders(path, name, scratch), cleanup };
    if (/\.zip$/i.test(path)) {
      const to = scratch();
      try {
        await extractZip(path, to);
      } catch (err) {
        if (err instanceof PublicationError) throw err;
        throw new PublicationError(`is not a zip that can be read: ${(err as Error).message}`);
      }
      const inner = describeFolders(publicationRoot(to), name, scratch);
      return { ...inner, found: `${inner.found} in a zip`, cleanup };
    }
    if (isJson(path)) return { format: 'hsds-3.0-json', path, found: /\.ndjson$/i.test(path) ? 'HSDS 3.0 NDJSON file' : 'HSDS 3.0 JSON file', name, notes: [], cleanup };
    throw new PublicationError('is not an HSDS publication (a .zip, a folder of CSV files or with a datapackage.json, or a .json/.ndjson file)');
  } catch (err) {
    cleanup();
    throw err;
  }
}
