/** The tabulator page (a GET form that works without script) and its API and CSV. */
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, readErrors } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, ErrorSummary, Select, SubmitButton } from '../../../platform/web/components.tsx';
import { pageCsv } from '../../../platform/stats/page.ts';
import { TABULATOR_DIMENSIONS, TABULATOR_DIMENSIONS_OF, TABULATOR_MEASURES, tabulate, type Tabulated, type TabulateQuery } from '../tabulator.ts';
import { InsightsTables } from './insights.tsx';
import { crumbs, localErrors, PUBLIC } from './shared.tsx';

const TAGS = ['Research'];
const Query = Type.Object({
  measure: Type.Optional(Type.String({ maxLength: 40, description: `What is counted: ${TABULATOR_MEASURES.join(', ')}.` })),
  rows: Type.Optional(Type.String({ maxLength: 40, description: `First dimension: ${TABULATOR_DIMENSIONS.join(', ')}.` })),
  cols: Type.Optional(Type.String({ maxLength: 40, description: 'Second dimension (needs rows).' })),
});
const Figure = Type.Union([Type.Integer(), Type.Null()]);
const TabulatedOut = Type.Object({
  measure: Type.String(),
  rows: Type.Union([Type.String(), Type.Null()]),
  cols: Type.Union([Type.String(), Type.Null()]),
  threshold: Type.Integer(),
  generated_at: Type.String({ format: 'date-time' }),
  table: Type.Object({
    id: Type.String(),
    caption: Type.String(),
    rowHeader: Type.String(),
    columns: Type.Array(Type.String()),
    rows: Type.Array(Type.Object({ label: Type.String(), cells: Type.Array(Figure), total: Type.Optional(Figure) })),
    totals: Type.Optional(Type.Object({ cells: Type.Array(Figure), total: Type.Optional(Figure) })),
  }),
});

const qs = (q: TabulateQuery) => new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1]))).toString();

function TabulatorPage({ v, q, result, errors }: { v: View; q: TabulateQuery; result?: Tabulated; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  const dims = TABULATOR_DIMENSIONS.map((d) => ({ value: d, label: v.t(`rs.tab.dim.${d}`) }));
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: '/research/insights', label: v.t('rs.in.title') }, { label: v.t('rs.tab.title') }])} />
      <h1>{v.t('rs.tab.title')}</h1>
      <p class="usa-intro">{v.t('rs.tab.intro')}</p>
      <form method="get" action="/research/tabulator" class="usa-form usa-form--large">
        <ErrorSummary v={v} errors={e ?? []} />
        <Select name="measure" label={v.t('rs.tab.measure')} value={q.measure ?? 'practices'} errors={e} options={TABULATOR_MEASURES.map((m) => ({ value: m, label: v.t(`rs.tab.measure.${m}`) }))} />
        <Select name="rows" label={v.t('rs.tab.rows')} value={q.rows} blank={v.t('rs.tab.none')} errors={e} options={dims} />
        <Select name="cols" label={v.t('rs.tab.cols')} value={q.cols} blank={v.t('rs.tab.none')} errors={e} options={dims} />
        <p class="usa-hint">{v.t('rs.tab.dims', { list: TABULATOR_MEASURES.map((m) => `${v.t(`rs.tab.measure.${m}`)}: ${TABULATOR_DIMENSIONS_OF[m].map((d) => v.t(`rs.tab.dim.${d}`).toLowerCase()).join(', ')}`).join('; ') })}</p>
        <SubmitButton>{v.t('rs.tab.submit')}</SubmitButton>
      </form>
      {result && (
        <section class="margin-top-4" aria-labelledby="result-heading">
          <h2 id="result-heading">{result.table.caption}</h2>
          <p>
            <a href={`/api/research/tabulate.csv?${qs(q)}`}>{v.t('rs.tab.csv')}</a> · <a href={`/api/research/tabulate?${qs(q)}`}>{v.t('rs.in.json')}</a>
          </p>
          <InsightsTables v={v} tables={[result.table]} threshold={result.threshold} />
        </section>
      )}
    </div>
  );
}

export async function tabulatorPages(app: App): Promise<void> {
  app.get('/research/tabulator', { config: PUBLIC, schema: { ...hidden, querystring: Query } }, async (req, reply) => {
    const v = req.view();
    try {
      const result = await tabulate(req.ctx, req.query, v.lang, v.t);
      return reply.page(v.t('rs.tab.title'), <TabulatorPage v={v} q={req.query} result={result} />);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return reply.page(v.t('rs.tab.title'), <TabulatorPage v={v} q={req.query} errors={errors} />, 400);
    }
  });
  app.get('/api/research/tabulate', { config: PUBLIC, schema: { tags: TAGS, summary: 'Tabulate a measure by up to two dimensions; suppressed, with totals', querystring: Query, response: { 200: TabulatedOut, ...readErrors } } }, async (req) => {
    const v = req.view();
    return tabulate(req.ctx, req.query, v.lang, v.t);
  });
  app.get('/api/research/tabulate.csv', { config: PUBLIC, schema: { tags: TAGS, summary: 'The same table as CSV: a line per figure, suppressed figures empty and marked', querystring: Query, produces: ['text/csv'], response: { 200: Type.String(), ...readErrors } } }, async (req, reply) => {
    const v = req.view();
    const r = await tabulate(req.ctx, req.query, v.lang, v.t);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${r.table.id}.csv"`).send(pageCsv([r.table], v.t('rs.total.short')));
  });
}
