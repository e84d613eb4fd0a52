/** Findings: the working view for coders and leads, and the published report for everyone. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { ActionButton, Alert, Table } from '../../../platform/web/components.tsx';
import { CODE, MANAGE } from '../policies.ts';
import { publishedReport, seriesOr404, type Series } from '../store.ts';
import { draftFindings, liveRecommendations } from '../presenters.ts';
import { NOT_STATED, type Findings, type PublishedReport, type ReportRecommendation } from '../findings.ts';
import { cellText, ThemeChart } from '../chart.tsx';
import { SeriesCrumbs } from './shared.tsx';


function Breakdown({ v, caption, prefix, b, threshold }: { v: View; caption: string; prefix: string; b: Findings['by_region']; threshold: number }) {
  const label = (c: string) => (c === NOT_STATED ? v.t('ls.not_stated') : v.t(`${prefix}.${c}`));
  return <Table v={v} caption={caption} head={[v.t('ls.theme'), ...b.columns.map(label), v.t('ls.total')]} rows={b.rows.map((r) => [r.name, ...r.cells.map((c) => cellText(v, c, threshold)), cellText(v, r.total, threshold)])} />;
}

function RecommendationsTable({ v, recs }: { v: View; recs: ReportRecommendation[] }) {
  return (
    <Table
      v={v}
      caption={v.t('ls.recs.title')}
      head={[v.t('ls.rec'), v.t('ls.field.type'), v.t('ls.status'), v.t('ls.progress'), v.t('ls.report.action'), v.t('ls.report.action.status')]}
      rows={recs.map((r) => [
        <a href={`/listening/recommendations/${r.id}`}>{r.title}</a>,
        v.t(`ls.rtype.${r.type}`),
        v.t(`ls.rstatus.${r.status}`),
        `${r.progress}%`,
        r.workplan_action ? (
          <a href={`/workplans/items/${r.workplan_action.id}`}>
            {r.workplan_action.number} {r.workplan_action.title}
          </a>
        ) : (
          '—'
        ),
        r.workplan_action ? v.t(`wp.status.${r.workplan_action.status}`) : '—',
      ])}
    />
  );
}

function FindingsView({ v, f, recs }: { v: View; f: Findings; recs: ReportRecommendation[] }) {
  return (
    <>
      <p>{v.t('ls.findings.inputs', { n: cellText(v, f.inputs, f.threshold) })}</p>
      <h2>{v.t('ls.themes')}</h2>
      <ThemeChart v={v} id="themes-chart" title={v.t('ls.chart.title')} rows={f.themes} threshold={f.threshold} />
      <Breakdown v={v} caption={v.t('ls.by_region')} prefix="ls.region" b={f.by_region} threshold={f.threshold} />
      <Breakdown v={v} caption={v.t('ls.by_ptype')} prefix="ls.ptype" b={f.by_provider_type} threshold={f.threshold} />
      <p class="usa-hint">{v.t('ls.suppression.note', { n: f.threshold + 1 })}</p>
      {f.themes.map((t) => (
        <section>
          <h3>{t.name}</h3>
          {t.description && <p>{t.description}</p>}
          {t.quotes.map((q) => (
            <blockquote class="border-left-05 border-primary padding-left-2 margin-left-0">
              <p>“{q.text}”</p>
              <footer>— {[q.name, q.organization_type ? v.t(`ls.ptype.${q.organization_type}`) : null].filter(Boolean).join(', ')}</footer>
            </blockquote>
          ))}
        </section>
      ))}
      <h2>{v.t('ls.recs.title')}</h2>
      <p>{v.t('ls.report.recs.live')}</p>
      <RecommendationsTable v={v} recs={recs} />
    </>
  );
}

function FindingsPage({ v, series, f, recs }: { v: View; series: Series; f: Findings; recs: ReportRecommendation[] }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.findings.title')} />
      <h1>{v.t('ls.findings.title')}</h1>
      <Alert type="info" slim>
        {v.t('ls.findings.draft')}
      </Alert>
      <FindingsView v={v} f={f} recs={recs} />
      {v.can(MANAGE) && (
        <ActionButton v={v} action={`/listening/series/${series.id}/publish`}>
          {v.t('ls.publish')}
        </ActionButton>
      )}
    </div>
  );
}

function ReportPage({ v, series, report, recs }: { v: View; series: Series; report: PublishedReport; recs: ReportRecommendation[] }) {
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.report.title')} />
      <h1>{v.t('ls.report.heading', { title: series.title })}</h1>
      <p>{v.t('ls.published.at', { at: formatDate(v.lang, report.findings.published_at ?? '') })}</p>
      <p>
        <a href={`/api/listening/series/${series.id}/report.csv`}>{v.t('ls.report.csv')}</a> · <a href={`/api/listening/series/${series.id}/report`}>{v.t('ls.report.json')}</a>
      </p>
      <FindingsView v={v} f={report.findings} recs={recs} />
    </div>
  );
}

export async function findingsPages(app: App): Promise<void> {
  app.get('/listening/series/:id/findings', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const series = await seriesOr404(req.ctx.db, req.params.id);
    const { findings } = await draftFindings(req.ctx, series);
    const v = req.view();
    return reply.page(v.t('ls.findings.title'), <FindingsPage v={v} series={series} f={findings} recs={await liveRecommendations(req.ctx.db, series.id)} />);
  });
  app.get('/listening/series/:id/report', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const series = await seriesOr404(req.ctx.db, req.params.id);
    const report = (await publishedReport(req.ctx.db, series.id)) as PublishedReport | undefined;
    if (!report) throw notFound('These findings are not published yet.');
    const v = req.view();
    return reply.page(v.t('ls.report.heading', { title: series.title }), <ReportPage v={v} series={series} report={report} recs={await liveRecommendations(req.ctx.db, series.id)} />);
  });
}
