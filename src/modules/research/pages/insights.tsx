/** How an insights page shows its tables: each figure or the suppression mark, with a note saying why. */
import type { View } from '../../../platform/web/view.ts';
import { Table } from '../../../platform/web/components.tsx';
import type { PublishedTable, Shown } from '../insights.ts';
import { fmt } from './shared.tsx';

const figure = (v: View, x: Shown | undefined) => (x === null ? <abbr title={v.t('rs.suppressed.title')}>{v.t('rs.suppressed')}</abbr> : fmt(v, x));

export function InsightsTables({ v, tables, threshold }: { v: View; tables: readonly PublishedTable[]; threshold: number }) {
  return (
    <>
      {tables.map((t) => {
        const withTotal = t.rows.some((r) => 'total' in r);
        const head = [t.rowHeader, ...t.columns, ...(withTotal ? [v.t('rs.total.short')] : [])];
        const rows = t.rows.map((r) => [r.label, ...r.cells.map((c) => figure(v, c)), ...(withTotal ? [figure(v, r.total)] : [])]);
        if (t.totals) rows.push([v.t('rs.total.short'), ...t.totals.cells.map((c) => figure(v, c)), ...(withTotal ? [figure(v, t.totals.total)] : [])]);
        return <Table v={v} wrap caption={t.caption} head={head} rows={rows} />;
      })}
      <p class="font-body-xs">{v.t('rs.suppressed.note', { n: threshold })}</p>
    </>
  );
}
