/** Rows to the shapes the API and the pages show: calls with their agencies' states, submissions, compiled tables. */
import { toCsv } from '../../platform/http/csv.ts';
import type { CallField } from './schema.ts';
import type { Call, Submission } from './store.ts';
import type { Row, Value } from './values.ts';

export type AgencyState = 'not_sent' | Submission['status'];

export function callOut(c: Call, names: Map<string, string>, subs: Map<string, Submission>) {
  const { agency_ids, created_by: _by, ...rest } = c;
  return { ...rest, agencies: agency_ids.map((id) => ({ id, name: names.get(id) ?? id, status: (subs.get(id)?.status ?? 'not_sent') as AgencyState })).sort((a, b) => a.name.localeCompare(b.name)) };
}

export function submissionOut(s: Submission, names: Map<string, string>) {
  return { call_id: s.call_id, agency_id: s.agency_id, agency: names.get(s.agency_id) ?? s.agency_id, status: s.status, current_version: s.current_version, versions: s.versions };
}

export interface CompiledRow {
  agency: string;
  kind: 'row' | 'subtotal';
  values: Row;
}

export interface Compiled {
  call_id: string;
  title: string;
  columns: { key: string; label: string; type: string; unit: string | null }[];
  rows: CompiledRow[];
  /** Sums of the count and number columns over every accepted row. */
  totals: Row;
  /** The call's notes, then each agency's note on its accepted version, as "Agency: note". */
  footnotes: string[];
  /** Agencies asked whose figures are not in the table (nothing accepted yet), with their state. */
  missing: { agency: string; status: AgencyState }[];
}

const summed = (f: CallField) => f.type === 'count' || f.type === 'number';
const add = (a: Value, b: Value): Value => (typeof b === 'number' ? (typeof a === 'number' ? round(a + b) : b) : a);
// Decimal figures are summed in floating point: keep six places so that 0.1 + 0.2 prints as 0.3.
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * The compiled table of a call: the accepted version of each agency's submission, its rows in order, a subtotal
 * under an agency that sent more than one row, and the totals of every count and number column.
 */
export function compile(c: Call, names: Map<string, string>, subs: Map<string, Submission>): Compiled {
  const numeric = c.fields.filter(summed);
  const totals: Row = Object.fromEntries(numeric.map((f) => [f.key, null]));
  const rows: CompiledRow[] = [];
  const footnotes = (c.footnotes ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const missing: Compiled['missing'] = [];
  const agencies = [...c.agency_ids].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
  for (const a of agencies) {
    const name = names.get(a) ?? a;
    const s = subs.get(a);
    const accepted = s?.versions.find((v) => v.review === 'accepted');
    if (!s || s.status !== 'accepted' || !accepted) {
      missing.push({ agency: name, status: s?.status ?? 'not_sent' });
      continue;
    }
    const sub: Row = Object.fromEntries(numeric.map((f) => [f.key, null]));
    for (const r of accepted.rows) {
      rows.push({ agency: name, kind: 'row', values: r });
      for (const f of numeric) {
        sub[f.key] = add(sub[f.key], r[f.key] ?? null);
        totals[f.key] = add(totals[f.key], r[f.key] ?? null);
      }
    }
    if (accepted.rows.length > 1) rows.push({ agency: name, kind: 'subtotal', values: sub });
    if (accepted.note) footnotes.push(`${name}: ${accepted.note}`);
  }
  return { call_id: c.id, title: c.title, columns: c.fields.map((f) => ({ key: f.key, label: f.label, type: f.type, unit: f.unit ?? null })), rows, totals, footnotes, missing };
}

/** The compiled table as CSV: a row per line, subtotals and the total marked in the first columns, notes last. */
export function compiledCsv(t: Compiled): string {
  const head = ['agency', 'line', ...t.columns.map((c) => c.key)];
  const lines: unknown[][] = t.rows.map((r) => [r.agency, r.kind, ...t.columns.map((c) => r.values[c.key] ?? '')]);
  lines.push(['All agencies', 'total', ...t.columns.map((c) => t.totals[c.key] ?? '')]);
  for (const m of t.missing) lines.push([m.agency, `not included (${m.status})`, ...t.columns.map(() => '')]);
  t.footnotes.forEach((f, i) => lines.push([`note ${i + 1}`, f, ...t.columns.map(() => '')]));
  return toCsv(head, lines);
}
