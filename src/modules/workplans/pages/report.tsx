/** The annual progress report, by year, quarter and agency, with its CSV and JSON forms. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { Breadcrumbs, Select, SubmitButton, Table } from '../../../platform/web/components.tsx';
import { parsePeriod } from '../periods.ts';
import { periodLabel, reportOf, type ReportChoice } from '../presenters.ts';
import { percent } from '../rollup.ts';
import type { Report } from '../report.ts';
import { loadPlan, type PlanView } from '../store.ts';
import { statusLabel } from './shared.tsx';

/** The report form's choices; "all" is sent as an empty value. */
const ReportForm = Type.Object(
  {
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    period: Type.Optional(Type.String({ pattern: '^([0-9]{4}-Q[1-4])?$' })),
    agency_id: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })),
  },
  { additionalProperties: false },
);

function ReportPage({ v, report, plan, q }: { v: View; report: Report; plan: PlanView; q: ReportChoice }) {
  const years = [plan.currentPeriod.year - 2, plan.currentPeriod.year - 1, plan.currentPeriod.year];
  const qs = new URLSearchParams({ year: String(report.year), ...(q.period ? { period: q.period } : {}), ...(q.agency_id ? { agency_id: q.agency_id } : {}) }).toString();
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.report.title') }]} />
      <h1>{v.t('wp.report.heading', { year: report.year })}</h1>
      <form method="get" action="/workplans/report" class="usa-form usa-form--large">
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-4">
            <Select name="year" label={v.t('wp.year')} value={String(report.year)} options={years.map((y) => ({ value: String(y), label: String(y) }))} />
          </div>
          <div class="tablet:grid-col-4">
            <Select name="period" label={v.t('wp.period')} value={q.period ?? ''} blank={v.t('wp.all')} options={(report.periods.length === 1 && q.period ? [q.period] : report.periods).map((p) => ({ value: p, label: periodLabel(v.lang, p) }))} />
          </div>
          <div class="tablet:grid-col-4">
            <Select name="agency_id" label={v.t('wp.agency')} value={q.agency_id ?? ''} blank={v.t('wp.all')} options={plan.dir.agencies.map((a) => ({ value: a.id, label: a.name }))} />
          </div>
        </div>
        <SubmitButton>{v.t('wp.report.show')}</SubmitButton>
      </form>
      <p>
        <a href={`/api/workplans/report?${qs}&format=csv`}>{v.t('wp.report.csv')}</a> · <a href={`/api/workplans/report?${qs}`}>{v.t('wp.report.json')}</a>
      </p>
      <Table
        v={v}
        caption={v.t('wp.report.caption', { year: report.year })}
        head={[v.t('wp.item'), v.t('wp.report.who'), v.t('wp.status'), v.t('wp.progress'), v.t('wp.report.update')]}
        rows={report.rows.map((r) => [
          `${r.number} ${r.title}`,
          // Lead agency and owner together, each named once; words rather than an empty cell when neither is set.
          [...new Set([r.lead_agency, r.owner].filter((x): x is string => !!x))].join(' · ') || v.t('wp.report.who.none'),
          statusLabel(v, r.status),
          r.progress === null ? v.t('wp.report.progress.none') : percent(r.progress),
          r.period
            ? `${periodLabel(v.lang, r.period)}: ${statusLabel(v, r.update_status ?? '')}${r.narrative ? `. ${r.narrative}` : ''}`
            : v.t('wp.report.update.none'),
        ])}
      />
    </div>
  );
}

export async function reportPages(app: App): Promise<void> {
  app.get('/workplans/report', { config: { access: 'public' }, schema: { ...hidden, querystring: ReportForm } }, async (req, reply) => {
    const q: ReportChoice = { year: req.query.year, period: req.query.period || undefined, agency_id: req.query.agency_id || undefined };
    if (q.period && !parsePeriod(q.period)) throw notFound();
    const plan = await loadPlan(req.ctx.db);
    const report = reportOf(plan, q);
    const v = req.view();
    return reply.page(v.t('wp.report.heading', { year: report.year }), <ReportPage v={v} report={report} plan={plan} q={q} />);
  });
}
