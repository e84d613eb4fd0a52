import { createHash } from 'node:crypto';
import { HSDS_TABLES_V1, type ColumnSpec, type Kind } from './migrations/202611300201_directory.ts';
import { bool } from '../../platform/db/index.ts';

/** The HSDS tables this module stores, by HSDS object name; the database table is `directory_<name>`. */
export const TABLES = HSDS_TABLES_V1;
export type TableName = keyof typeof TABLES & string;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];
export const tableOf = (name: string) => `directory_${name}`;

/** Columns that are ours rather than HSDS's (exported as extra properties, which HSDS allows). */
export const EXTENSION_COLUMNS: Record<string, string[]> = { location: ['confidential', 'coordinates_approximate'] };

export function kindOf(spec: ColumnSpec): Kind {
  return spec.replace('!', '') as Kind;
}
export const isRequired = (spec: ColumnSpec) => spec.endsWith('!');

export type Row = Record<string, unknown>;

/** A database row as plain HSDS values: numbers as numbers, flags as booleans, nulls kept (callers drop them). */
export function readRow(table: TableName, raw: Row): Row {
  const out: Row = {};
  for (const [col, spec] of Object.entries(TABLES[table].columns)) {
    const v = raw[col];
    const k = kindOf(spec);
    if (k === 'bool') out[col] = bool(v);
    else if (v === null || v === undefined) out[col] = null;
    else if (k === 'num') out[col] = Number(v);
    else out[col] = String(v);
  }
  return out;
}

/** Drops nulls, empty strings and our own columns: what HSDS JSON shows of a row. */
export function hsdsFields(table: TableName, row: Row, keepExtensions = false): Row {
  const out: Row = {};
  const ext = EXTENSION_COLUMNS[table] ?? [];
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) continue;
    // Empty text says nothing, except where HSDS requires the field (an organisation's description may be empty).
    if (v === '' && !(TABLES[table].columns[k] ?? '').endsWith('!')) continue;
    if (!keepExtensions && ext.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

// Fixed namespace of this application's UUID v5 ids, so that re-importing the same legacy data gives the same ids.
export const ID_NAMESPACE = '6f1c7a52-3b8e-5d0a-9c1e-4a7b2d9e8f10';

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
export function uuidv5(name: string, namespace = ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The id a legacy record gets: stable for the same table and source id. */
export const legacyId = (table: string, id: string) => uuidv5(`${table}:${id.trim()}`);
