/**
 * Page-wide suppression: tables of counts published together, suppressed together (research's insights pages,
 * outreach's public totals). Each count is given as the records it counts, so that linked suppression
 * (suppressLinked) sees a figure in one table and its breakdown in another as linked: a small cell is hidden on the
 * page and in its CSV, and so is every other figure from which it could be worked out, whichever table of the page
 * it sits in.
 */
import { suppressLinked } from './suppress.ts';
import { toCsv } from '../http/csv.ts';

/** A table of counts as built from the data: each cell the ids of the records it counts. */
export interface CountTable {
  id: string;
  caption: string;
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: (readonly number[])[] }[];
  /** Show a total per row (the records of the row's cells, each once). */
  rowTotals?: boolean;
  /** Show a total row (each column's records, and all the table's records). */
  columnTotals?: boolean;
}

export type Shown = number | null;

/** A table as published: every figure a number, or null when suppressed. */
export interface PublishedTable {
  id: string;
  caption: string;
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: Shown[]; total?: Shown }[];
  totals?: { cells: Shown[]; total?: Shown };
}

const union = (lists: (readonly number[])[]) => [...new Set(lists.flat())];

/**
 * Suppresses every table of a page at once, with the configured threshold. With `weights` (by record id), a figure
 * is the sum of its records' weights (quantities) rather than their number.
 */
export function publishPage(tables: readonly CountTable[], threshold: number, weights?: readonly number[]): PublishedTable[] {
  const counts: (readonly number[])[] = [];
  const groups: number[][] = [];
  const add = (ids: readonly number[]) => counts.push(ids) - 1;
  const plan = tables.map((t) => {
    const rows = t.rows.map((r) => {
      const cells = r.cells.map(add);
      const total = t.rowTotals ? add(union(r.cells)) : undefined;
      groups.push(total === undefined ? cells : [...cells, total]);
      return { cells, total };
    });
    let totals: { cells: number[]; total?: number } | undefined;
    if (t.columnTotals) {
      const cells = t.columns.map((_, c) => add(union(t.rows.map((r) => r.cells[c]))));
      const total = t.rowTotals ? add(union(t.rows.flatMap((r) => r.cells))) : undefined;
      totals = { cells, total };
      groups.push(total === undefined ? cells : [...cells, total]);
    }
    return { rows, totals };
  });
  const hidden = suppressLinked(counts, threshold, groups, weights);
  const value = (ids: readonly number[]) => (weights ? ids.reduce((sum, r) => sum + (weights[r] ?? 0), 0) : ids.length);
  const shown = (i: number | undefined): Shown => (i === undefined ? null : hidden[i] ? null : value(counts[i]));
  return tables.map((t, ti) => ({
    id: t.id,
    caption: t.caption,
    rowHeader: t.rowHeader,
    columns: t.columns,
    rows: t.rows.map((r, ri) => {
      const p = plan[ti].rows[ri];
      return { label: r.label, cells: p.cells.map(shown), ...(p.total !== undefined ? { total: shown(p.total) } : {}) };
    }),
    ...(plan[ti].totals ? { totals: { cells: plan[ti].totals!.cells.map(shown), ...(plan[ti].totals!.total !== undefined ? { total: shown(plan[ti].totals!.total) } : {}) } } : {}),
  }));
}

/** The page's tables as one CSV: a line per figure, suppressed figures empty and marked. */
export function pageCsv(tables: readonly PublishedTable[], totalLabel = 'Total'): string {
  const lines: unknown[][] = [];
  const put = (t: PublishedTable, row: string, column: string, v: Shown | undefined) => {
    if (v === undefined) return;
    lines.push([t.id, row, column, v ?? '', v === null ? 'suppressed' : '']);
  };
  for (const t of tables) {
    for (const r of t.rows) {
      t.columns.forEach((c, i) => put(t, r.label, c, r.cells[i]));
      if ('total' in r) put(t, r.label, totalLabel, r.total);
    }
    if (t.totals) {
      t.columns.forEach((c, i) => put(t, totalLabel, c, t.totals!.cells[i]));
      if ('total' in t.totals) put(t, totalLabel, totalLabel, t.totals.total);
    }
  }
  return toCsv(['table', 'row', 'column', 'value', 'note'], lines);
}
