/**
 * De-identified statistics. They read only the columns that hold no personal detail (status, needs, reasons,
 * outcome, dates, network, county of the receiving organisation) and never the client or note columns, and every
 * published count goes through small-cell suppression with its complementary cells.
 */
import { json, type Db } from '../../platform/db/index.ts';
import { countyByFips } from '../../platform/geo/us.ts';
import { isSmall, suppressLinked, type Cell } from '../../platform/stats/suppress.ts';
import { DECLINE_REASONS, NEEDS, OUTCOME_REASONS } from './schema.ts';
import { referralsDb } from './tables.ts';

export interface StatTable {
  columns: string[];
  rows: { key: string; label: string; cells: Cell[]; total: Cell }[];
}

export interface Stats {
  threshold: number;
  network: { id: string; name: string } | null;
  total: Cell;
  by_need: StatTable;
  outcomes: StatTable;
  decline_reasons: StatTable;
  by_network: StatTable;
  by_area: StatTable;
  unmet_by_area: StatTable;
  time_to_acceptance: { accepted: Cell; median_days: number | null; p90_days: number | null };
}

interface Row {
  status: string;
  needs: string[];
  decline_reason: string | null;
  outcome: string | null;
  outcome_reason: string | null;
  network_id: string | null;
  network_name: string | null;
  area_fips: string | null;
  sent_at: string | null;
  accepted_at: string | null;
}

/** The columns of the main breakdowns; every referral falls in exactly one, so they add up to the row total. */
export const RESULT_COLUMNS = ['got_help', 'could_not_get_help', 'declined', 'open', 'cancelled_or_expired'] as const;
export const NO_NETWORK = 'none';
export const NO_AREA = 'unknown';

function resultOf(r: Row): (typeof RESULT_COLUMNS)[number] {
  if (r.status === 'completed') return r.outcome === 'got_help' ? 'got_help' : 'could_not_get_help';
  if (r.status === 'declined') return 'declined';
  if (r.status === 'cancelled' || r.status === 'expired') return 'cancelled_or_expired';
  return 'open';
}

/** A table before suppression: each cell and each row total as the records it counts (indices into the rows read). */
interface RawTable {
  columns: string[];
  rows: { key: string; label: string; cells: number[][]; total: number[] }[];
}

function table(columns: readonly string[], groups: { key: string; label: string; rows: Row[] }[], columnOf: (r: Row) => string | null, index: Map<Row, number>): RawTable {
  return {
    columns: [...columns],
    rows: groups.map((g) => {
      const counted = g.rows.flatMap((r) => {
        const c = columnOf(r);
        return c === null ? [] : [{ c, i: index.get(r)! }];
      });
      return { key: g.key, label: g.label, cells: columns.map((c) => counted.filter((x) => x.c === c).map((x) => x.i)), total: counted.map((x) => x.i) };
    }),
  };
}

/**
 * Every count of every table, suppressed together: tables share records (the decline reasons and the unmet needs
 * by county both count declines for lack of capacity), so a count hidden in one must not be recoverable from another.
 */
function suppressAll(tables: Record<string, RawTable>, singles: Record<string, number[]>, threshold: number): { tables: Record<string, StatTable>; singles: Record<string, Cell> } {
  const counts: number[][] = [];
  const rowGroups: number[][] = [];
  const add = (members: number[]) => counts.push(members) - 1;
  const placed = Object.entries(tables).map(([name, t]) => ({
    name,
    t,
    rows: t.rows.map((r) => {
      const ids = [...r.cells.map(add), add(r.total)];
      rowGroups.push(ids);
      return ids;
    }),
  }));
  const singleIds = Object.entries(singles).map(([name, members]) => [name, add(members)] as const);
  const hidden = suppressLinked(counts, threshold, rowGroups);
  // A hidden count says why: small itself, or hidden so that a small one cannot be worked out (the page labels each).
  const cell = (id: number): Cell =>
    hidden[id] ? { value: null, suppressed: true, why: isSmall(new Set(counts[id]).size, threshold) ? 'small' : 'complementary' } : { value: counts[id].length, suppressed: false };
  return {
    tables: Object.fromEntries(
      placed.map(({ name, t, rows }) => [name, { columns: t.columns, rows: t.rows.map((r, i) => ({ key: r.key, label: r.label, cells: rows[i].slice(0, -1).map(cell), total: cell(rows[i][rows[i].length - 1]) })) }]),
    ),
    singles: Object.fromEntries(singleIds.map(([name, id]) => [name, cell(id)])),
  };
}

function groupBy(rows: Row[], keyOf: (r: Row) => string[], labelOf: (key: string) => string, order?: readonly string[]): { key: string; label: string; rows: Row[] }[] {
  const m = new Map<string, Row[]>();
  for (const k of order ?? []) m.set(k, []);
  for (const r of rows) for (const k of keyOf(r)) m.set(k, [...(m.get(k) ?? []), r]);
  const groups = [...m].map(([key, list]) => ({ key, label: labelOf(key), rows: list }));
  return order ? groups : groups.sort((a, b) => a.label.localeCompare(b.label));
}

export function countyLabel(fips: string): string {
  if (fips === NO_AREA) return 'Unknown area';
  const c = countyByFips(fips);
  return c ? `${c.name}, ${c.state}` : fips;
}

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return Math.round((sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo)) * 10) / 10;
}

export async function buildStats(db: Db, threshold: number, f: { networkId?: string; networkName?: string; from?: string; to?: string } = {}): Promise<Stats> {
  let q = referralsDb(db)
    .selectFrom('referrals')
    .select(['status', 'needs', 'decline_reason', 'outcome', 'outcome_reason', 'network_id', 'network_name', 'area_fips', 'sent_at', 'accepted_at'])
    .where('status', '!=', 'draft');
  if (f.networkId) q = q.where('network_id', '=', f.networkId);
  if (f.from) q = q.where('sent_at', '>=', `${f.from}T00:00:00.000Z`);
  if (f.to) q = q.where('sent_at', '<=', `${f.to}T23:59:59.999Z`);
  const rows: Row[] = (await q.execute()).map((r) => ({
    ...r,
    needs: json<string[]>(r.needs, []),
    sent_at: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    accepted_at: r.accepted_at ? new Date(r.accepted_at).toISOString() : null,
  }));

  const everything = [{ key: 'all', label: 'All referrals', rows }];
  const networkNames = new Map(rows.map((r) => [r.network_id ?? NO_NETWORK, r.network_name ?? 'No network']));
  const areaGroups = groupBy(rows, (r) => [r.area_fips ?? NO_AREA], countyLabel);
  const accepted = rows
    .filter((r) => r.sent_at && r.accepted_at)
    .map((r) => (Date.parse(r.accepted_at!) - Date.parse(r.sent_at!)) / 86_400_000)
    .sort((a, b) => a - b);
  const enough = accepted.length > threshold;

  const index = new Map(rows.map((r, i) => [r, i] as const));
  const acceptedRows = rows.flatMap((r, i) => (r.sent_at && r.accepted_at ? [i] : []));
  const published = suppressAll(
    {
      by_need: table(RESULT_COLUMNS, groupBy(rows, (r) => r.needs, (k) => k, NEEDS).filter((g) => g.rows.length > 0), resultOf, index),
      outcomes: table(['got_help', ...OUTCOME_REASONS], everything, (r) => (r.status !== 'completed' ? null : r.outcome === 'got_help' ? 'got_help' : (r.outcome_reason ?? 'other')), index),
      decline_reasons: table(DECLINE_REASONS, everything, (r) => (r.status === 'declined' ? (r.decline_reason ?? 'other') : null), index),
      by_network: table(RESULT_COLUMNS, groupBy(rows, (r) => [r.network_id ?? NO_NETWORK], (k) => networkNames.get(k) ?? k), resultOf, index),
      by_area: table(RESULT_COLUMNS, areaGroups, resultOf, index),
      unmet_by_area: table(['no_capacity', 'other'], areaGroups, (r) => (r.status === 'declined' && r.decline_reason === 'no_capacity' ? 'no_capacity' : 'other'), index),
    },
    { total: rows.map((_, i) => i), accepted: acceptedRows },
    threshold,
  );
  const t = published.tables;
  return {
    threshold,
    network: f.networkId ? { id: f.networkId, name: f.networkName ?? f.networkId } : null,
    total: published.singles.total,
    by_need: t.by_need,
    outcomes: t.outcomes,
    decline_reasons: t.decline_reasons,
    by_network: t.by_network,
    by_area: t.by_area,
    unmet_by_area: t.unmet_by_area,
    time_to_acceptance: { accepted: published.singles.accepted, median_days: enough ? quantile(accepted, 0.5) : null, p90_days: enough ? quantile(accepted, 0.9) : null },
  };
}
