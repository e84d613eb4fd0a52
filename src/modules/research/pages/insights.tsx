/** Insights pages: each theme's tables with every figure or the suppression mark, its CSV and JSON. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Table } from '../../../platform/web/components.tsx';
import { pageCsv, type PublishedTable, type Shown } from '../../../platform/stats/page.ts';
import { THEMES, themePage, type BuiltPage } from '../themes.ts';
import { crumbs, fmt, PUBLIC } from './shared.tsx';
import { listSnapshots, type Snapshot } from '../store.ts';
import { formatDate, formatInstant } from '../../../platform/web/i18n.ts';

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

/**
 * A bar per row of a table (its total, or its one column), drawn without script. The table below carries the same
 * figures and is the text alternative, so the bars are hidden from assistive technology; a suppressed figure has no bar.
 */
export function BarChart({ v, table }: { v: View; table: PublishedTable }) {
  const value = (r: PublishedTable['rows'][number]) => ('total' in r ? r.total : r.cells.length === 1 ? r.cells[0] : undefined);
  const bars = table.rows.map((r) => ({ label: r.label, value: value(r) }));
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  return (
    <figure class="margin-x-0 margin-y-3" aria-hidden="true">
      <figcaption class="text-bold margin-bottom-1">{v.t('rs.in.chart', { caption: table.caption })}</figcaption>
      {bars.map((b) => (
        <div class="grid-row grid-gap-1 margin-bottom-05 font-body-2xs">
          <div class="grid-col-5 tablet:grid-col-3 text-right">{b.label}</div>
          <div class="grid-col-5 tablet:grid-col-8">
            <svg width="100%" height="14" focusable="false">
              {typeof b.value === 'number' && b.value > 0 && <rect x="0" y="1" width={`${(100 * b.value) / max}%`} height="12" fill="#2378c3" />}
            </svg>
          </div>
          <div class="grid-col-2 tablet:grid-col-1">{b.value === null ? v.t('rs.suppressed') : b.value === undefined ? '' : fmt(v, b.value)}</div>
        </div>
      ))}
    </figure>
  );
}

// ---------- the insights pages and their API ----------


const TAGS = ['Research'];
const Figure = Type.Union([Type.Integer(), Type.Null()], { description: 'A count, or null when suppressed.' });
const PageOut = Type.Object({
  theme: Type.String(),
  threshold: Type.Integer({ description: 'Counts from 1 to this are suppressed, with every figure that would reveal them.' }),
  generated_at: Type.String({ format: 'date-time' }),
  tables: Type.Array(
    Type.Object({
      id: Type.String(),
      caption: Type.String(),
      rowHeader: Type.String(),
      columns: Type.Array(Type.String()),
      rows: Type.Array(Type.Object({ label: Type.String(), cells: Type.Array(Figure), total: Type.Optional(Figure) })),
      totals: Type.Optional(Type.Object({ cells: Type.Array(Figure), total: Type.Optional(Figure) })),
    }),
  ),
});

function ThemePage({ v, page, latest }: { v: View; page: BuiltPage; latest?: Snapshot }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: '/research/insights', label: v.t('rs.in.title') }, { label: v.t(`rs.in.${page.theme}`) }])} />
      <h1>{v.t(`rs.in.${page.theme}`)}</h1>
      <p class="usa-intro">{v.t(`rs.in.${page.theme}.intro`)}</p>
      <p>
        <a href={`/api/research/insights/${page.theme}.csv`}>{v.t('rs.in.csv')}</a> · <a href={`/api/research/insights/${page.theme}`}>{v.t('rs.in.json')}</a>
      </p>
      {page.tables[0] && <BarChart v={v} table={page.tables[0]} />}
      <InsightsTables v={v} tables={page.tables} threshold={page.threshold} />
      <p class="font-body-xs">
        {v.t('rs.in.generated', { at: formatInstant(v.lang, page.generated_at) })}{' '}
        {latest && <a href={`/research/snapshots/${latest.id}`}>{v.t('rs.snap.latest', { at: formatDate(v.lang, latest.taken_at) })}</a>}
      </p>
    </div>
  );
}

export async function insightsPages(app: App): Promise<void> {
  app.get('/research/insights', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(
      v.t('rs.in.title'),
      <div>
        <Breadcrumbs items={crumbs(v, [{ label: v.t('rs.in.title') }])} />
        <h1>{v.t('rs.in.title')}</h1>
        <p class="usa-intro">{v.t('rs.in.intro')}</p>
        <ul class="usa-list">
          {THEMES.map((th) => (
            <li>
              <a href={`/research/insights/${th}`}>{v.t(`rs.in.${th}`)}</a>
            </li>
          ))}
          <li>
            <a href="/research/tabulator">{v.t('rs.tab.title')}</a>
          </li>
        </ul>
      </div>,
    );
  });
  for (const theme of THEMES) {
    app.get(`/research/insights/${theme}`, { config: PUBLIC, schema: hidden }, async (req, reply) => {
      const v = req.view();
      const [latest] = await listSnapshots(req.ctx.db, { dataset: `insights-${theme}`, limit: 1 });
      return reply.page(v.t(`rs.in.${theme}`), <ThemePage v={v} page={await themePage(req.ctx, theme, v.lang, v.t)} latest={latest} />);
    });
    app.get(`/api/research/insights/${theme}`, { config: PUBLIC, schema: { tags: TAGS, summary: `Insights, ${theme}: every table of the page, suppressed together`, response: { 200: PageOut } } }, async (req) => {
      const v = req.view();
      return themePage(req.ctx, theme, v.lang, v.t);
    });
    app.get(`/api/research/insights/${theme}.csv`, { config: PUBLIC, schema: { tags: TAGS, summary: `Insights, ${theme}, as CSV: a line per figure, suppressed figures empty and marked`, produces: ['text/csv'], response: { 200: Type.String() } } }, async (req, reply) => {
      const v = req.view();
      const page = await themePage(req.ctx, theme, v.lang, v.t);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="insights-${theme}.csv"`).send(pageCsv(page.tables, v.t('rs.total.short')));
    });
  }
}
