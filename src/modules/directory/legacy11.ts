/** HSDS 1.1 CSV packages: close enough to 2.0 that the same mapping applies, with 1.1's file names. */
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnName, csvSeparator, readLegacy20, type LegacyOptions } from './legacy.ts';
import { parseCsv } from '../../platform/http/csv.ts';
import type { Dataset } from './validate.ts';
import { encodingNote, readText } from './text-file.ts';

// 1.1 file -> 2.0 file of the same records.
const RENAMES: Record<string, string> = { regular_schedules: 'schedules', services_taxonomy: 'service_attributes', taxonomy: 'taxonomy_terms' };

/**
 * The text with its header line's names as HSDS writes them (columnName), comma-separated and quoted, so that the
 * 1.1 renames below find them whatever their case, spacing or separator.
 */
function headerNormalised(text: string): string {
  const end = text.search(/\r?\n|$/);
  const sep = csvSeparator(text);
  let names: string[];
  try {
    names = (parseCsv(text.slice(0, end), sep)[0] ?? []).map(columnName);
  } catch {
    return text;
  }
  const rest = text.slice(end);
  // The body keeps its separator: a header of commas over semicolon rows would not parse, so the names are joined by it.
  return names.map((n) => (/[",;\t]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n)).join(sep) + rest;
}

export function readLegacy11(path: string, opts: LegacyOptions = {}): Dataset {
  // Copy under 2.0 names into a scratch folder and reuse the 2.0 reader (file names in the report stay 2.0's).
  const dir = mkdtempSync(join(tmpdir(), 'hsds11-'));
  const notes: string[] = [];
  try {
    for (const f of ['organizations', 'programs', 'services', 'locations', 'physical_addresses', 'postal_addresses', 'phones', 'contacts', 'services_at_location', 'languages', 'accessibility_for_disabilities', 'service_areas', 'regular_schedules', 'services_taxonomy', 'taxonomy']) {
      const src = join(path, `${f}.csv`);
      if (!existsSync(src)) continue;
      // Written again in UTF-8: what the file's bytes were is said here, under the 1.1 name.
      const read = readText(src);
      let text = headerNormalised(read.text);
      const note = encodingNote(`${f}.csv`, read.encoding);
      if (note) notes.push(note);
      if (f === 'taxonomy') text = text.replace(/^([^\r\n]*)/, (h) => h.replace(/\bname\b/, 'term').replace(/\bvocabulary\b/, 'taxonomy'));
      // 1.1's services_taxonomy names the term as taxonomy_id.
      if (f === 'services_taxonomy' && !/\btaxonomy_term_id\b/.test(text.slice(0, text.search(/\r?\n|$/)))) text = text.replace(/^([^\r\n]*)/, (h) => h.replace(/\btaxonomy_id\b/, 'taxonomy_term_id'));
      if (f === 'regular_schedules') text = text.replace(/^([^\r\n]*)/, (h) => h.replace(/\bweekday\b/, 'weekday').replace(/\bopens_at\b/, 'valid_from').replace(/\bcloses_at\b/, 'valid_to'));
      writeFileSync(join(dir, `${RENAMES[f] ?? f}.csv`), text);
    }
    const ds = readLegacy20(dir, opts);
    ds.notes.unshift(...notes);
    return ds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
