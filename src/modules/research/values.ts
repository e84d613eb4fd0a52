/**
 * The values of a data call's rows: each checked against its field's type, with problems named by row and column
 * (rows counted as a spreadsheet shows them: the CSV header is row 1). Pure functions, shared by the form, the CSV
 * upload and the API.
 */
import { parseCsv } from '../../platform/http/csv.ts';
import type { FieldError } from '../../platform/http/errors.ts';
import type { CallField } from './schema.ts';
import { MAX_ROWS } from './schema.ts';

export type Value = string | number | null;
export type Row = Record<string, Value>;

const COUNT_RE = /^\d{1,13}$/;
const NUMBER_RE = /^-?\d{1,13}(\.\d{1,6})?$/;

/** One cell as typed or sent, to its stored value; a string answers the problem. */
export function cellValue(f: CallField, raw: unknown): { value: Value } | { problem: string } {
  const text = raw === null || raw === undefined ? '' : typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (text === null) return { problem: 'is not a value' };
  if (text === '') return f.required === false ? { value: null } : { problem: 'is required' };
  if (f.type === 'text') return text.length > 500 ? { problem: 'must be at most 500 characters' } : { value: text };
  // Thousands separators as people type them (1,234 or 1 234) are accepted.
  const plain = text.replace(/(?<=\d)[, ](?=\d{3}\b)/g, '');
  if (f.type === 'count') return COUNT_RE.test(plain) ? { value: Number(plain) } : { problem: `must be a whole number, 0 or more (not "${text.slice(0, 40)}")` };
  return NUMBER_RE.test(plain) ? { value: Number(plain) } : { problem: `must be a number such as 12 or 3.5 (not "${text.slice(0, 40)}")` };
}

/** Rows sent as objects (the form and the API): every problem, named `rows.N.key` (N from 0, as sent). */
export function checkRows(fields: readonly CallField[], rows: readonly Record<string, unknown>[]): { rows: Row[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: Row[] = [];
  const keys = new Set(fields.map((f) => f.key));
  rows.forEach((r, i) => {
    const row: Row = {};
    for (const k of Object.keys(r)) if (!keys.has(k)) errors.push({ field: `rows.${i}.${k}`, message: 'is not a field of this data call' });
    for (const f of fields) {
      const c = cellValue(f, r[f.key]);
      if ('problem' in c) errors.push({ field: `rows.${i}.${f.key}`, message: c.problem });
      else row[f.key] = c.value;
    }
    out.push(row);
  });
  return { rows: out, errors };
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * A CSV file to rows: a header naming each field by key or label (any order, any case), then one row per line.
 * Blank lines are skipped. Every problem names its row and column, under the field `csv`.
 */
export function csvRows(fields: readonly CallField[], text: string): { rows: Row[]; errors: FieldError[] } {
  const problem = (message: string): FieldError => ({ field: 'csv', message });
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (err) {
    return { rows: [], errors: [problem(`is not readable CSV: ${(err as Error).message}`)] };
  }
  const lines = table.map((cells, i) => ({ n: i + 1, cells })).filter((l) => l.cells.some((c) => c.trim() !== ''));
  if (!lines.length) return { rows: [], errors: [problem('is empty: send a header row and at least one row of values')] };
  const [header, ...body] = lines;
  const errors: FieldError[] = [];
  const column = new Map<string, number>();
  header.cells.forEach((name, i) => {
    const f = fields.find((x) => norm(x.key) === norm(name) || norm(x.label) === norm(name));
    if (!f) errors.push(problem(`row ${header.n}, column ${i + 1} ("${name.slice(0, 60)}"): is not a field of this data call (fields: ${fields.map((x) => x.key).join(', ')})`));
    else if (column.has(f.key)) errors.push(problem(`row ${header.n}, column ${i + 1} ("${name.slice(0, 60)}"): names ${f.key} a second time`));
    else column.set(f.key, i);
  });
  for (const f of fields) if (f.required !== false && !column.has(f.key)) errors.push(problem(`row ${header.n}: the column ${f.key} is missing`));
  if (!body.length) errors.push(problem('has no rows of values under its header'));
  if (body.length > MAX_ROWS) errors.push(problem(`has ${body.length} rows; at most ${MAX_ROWS} may be sent at once`));
  if (errors.length) return { rows: [], errors };
  const rows: Row[] = [];
  for (const line of body) {
    if (line.cells.length > header.cells.length) errors.push(problem(`row ${line.n}: has ${line.cells.length} values for ${header.cells.length} columns`));
    const row: Row = {};
    for (const f of fields) {
      const i = column.get(f.key);
      const c = cellValue(f, i === undefined ? '' : (line.cells[i] ?? ''));
      if ('problem' in c) errors.push(problem(`row ${line.n}, column ${f.key}: ${c.problem}`));
      else row[f.key] = c.value;
    }
    rows.push(row);
    if (errors.length >= 50) {
      errors.push(problem('more problems follow; fix these and send the file again'));
      break;
    }
  }
  return { rows: errors.length ? [] : rows, errors };
}
