/** Plans to coordinate, funding and gaps by county (map, table, CSV), and the yearly summary. */
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import { stateByCode, stateName, statesIn } from '../../../platform/geo/us.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import { UsMap, shadeOf, type Shade } from '../../../platform/web/us-map.tsx';
import { DEFAULT_GAP_MILES, gaps, overlaps, summary } from '../analysis.ts';
import type { Gaps, Overlap, Summary } from '../schema.ts';
import * as store from '../store.ts';
import { FyForm, FyQuery, fyOf } from './plans.tsx';
import { GrantsNav, PLANNERS, crumbs, day, localErrors, money, countyNamed, term } from './shared.tsx';

const GapForm = Type.Object({ state: Type.Optional(Type.String({ maxLength: 10 })), fiscal_year: Type.Optional(Type.String({ maxLength: 10 })), distance: Type.Optional(Type.String({ maxLength: 10 })) });

function OverlapPage({ v, o }: { v: View; o: Overlap }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.overlaps') }])} />
      <h1>{v.t('grants.overlaps')}</h1>
      <p class="usa-intro">{v.t('grants.overlaps.intro')}</p>
      <GrantsNav v={v} />
      <FyForm v={v} fy={o.fiscal_year} action="/grants/overlaps" />
      <Table
        v={v}
        wrap
        caption={v.t('grants.overlaps.caption', { fy: o.fiscal_year, n: o.pairs.length })}
        head={[v.t('grants.overlaps.plans'), v.t('grants.overlaps.shared'), v.t('grants.field.area'), v.t('grants.field.window')]}
        rows={o.pairs.map((p) => [
          <>
            <a href={`/grants/plans/${p.a.id}`}>{`${p.a.agency_name}: ${p.a.programme}`}</a>
            <br />
            <a href={`/grants/plans/${p.b.id}`}>{`${p.b.agency_name}: ${p.b.programme}`}</a>
          </>,
          [...p.populations, ...p.needs].map((c) => term(v, c)).join(', ') || '—',
          p.states.map((s) => (s === 'nationwide' ? v.t('grants.field.nationwide') : stateName(s, v.lang))).join(', '),
          `${day(v, p.window.from)} – ${day(v, p.window.to)}`,
        ])}
      />
    </div>
  );
}

function GapPage({ v, g, errors, fy, query }: { v: View; g: Gaps; errors: FieldError[]; fy?: number; query: string }) {
  const errs = localErrors(v, errors) ?? [];
  const max = Math.max(0, ...g.counties.map((c) => c.amount));
  const shades: Record<string, Shade> = {};
  const labels: Record<string, string> = {};
  for (const c of g.counties) {
    shades[c.fips] = c.amount > 0 ? (Math.max(1, shadeOf(c.amount, max)) as Shade) : 0;
    labels[c.fips] = `${countyNamed(v, c.fips, c.name)}: ${money(v, c.amount)}${c.gap ? ` (${v.t('grants.gaps.gap')})` : ''}`;
  }
  const name = stateName(g.state, v.lang);
  const gapCount = g.counties.filter((c) => c.gap).length;
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.gaps') }])} />
      <h1>{v.t('grants.gaps')}</h1>
      <p class="usa-intro">{v.t('grants.gaps.intro', { miles: g.distance_miles })}</p>
      <GrantsNav v={v} />
      <form method="get" action="/grants/gaps" class="usa-form">
        <ErrorSummary v={v} errors={errs} />
        <Select name="state" label={v.t('grants.gaps.state')} value={g.state} options={statesIn(v.lang).map((s) => ({ value: s.code, label: s.name }))} errors={errs} />
        <TextInput name="fiscal_year" label={v.t('grants.fy')} inputmode="numeric" value={fy ? String(fy) : ''} errors={errs} />
        <TextInput name="distance" label={v.t('grants.gaps.distance')} inputmode="decimal" value={String(g.distance_miles)} errors={errs} />
        <SubmitButton secondary>{v.t('grants.show')}</SubmitButton>
      </form>
      {!g.confidential_included && <p class="usa-hint">{v.t('grants.gaps.confidential')}</p>}
      <UsMap
        lang={v.lang}
        level="county"
        id="gap-map"
        states={[g.state]}
        shades={shades}
        labels={labels}
        marks={g.counties.filter((c) => c.gap).map((c) => c.fips)}
        markLabel={v.t('grants.gaps.legend.gap')}
        title={v.t('grants.gaps.map', { state: name })}
        description={v.t('grants.gaps.map.desc', { funded: g.counties.filter((c) => c.amount > 0).length, gaps: gapCount })}
        legend={[
          { shade: 0, label: v.t('grants.gaps.legend.none') },
          { shade: 3, label: v.t('grants.gaps.legend.some') },
        ]}
      />
      <p>
        <a href={`/api/grants/gaps.csv${query}`}>{v.t('grants.download.csv')}</a>
      </p>
      <Table
        v={v}
        wrap
        caption={v.t('grants.gaps.caption', { state: name, n: g.counties.length, gaps: gapCount })}
        head={[v.t('grants.field.place'), v.t('grants.gaps.awards'), v.t('grants.gaps.amount'), v.t('grants.gaps.uncovered'), v.t('grants.gaps.gap')]}
        rows={g.counties.map((c) => [`${countyNamed(v, c.fips, c.name)} (${c.fips})`, String(c.awards), money(v, c.amount), c.uncovered_needs.map((n) => term(v, n)).join(', ') || '—', v.t(c.gap ? 'grants.yes' : 'grants.no')])}
      />
    </div>
  );
}

function SummaryPage({ v, s }: { v: View; s: Summary }) {
  const amountRows = (rows: { awards: number; amount: number }[], label: (i: number) => string) => rows.map((r, i) => [label(i), String(r.awards), money(v, r.amount)]);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.summary') }])} />
      <h1>{`${v.t('grants.summary')}, ${v.t('grants.fy.value', { fy: s.fiscal_year })}`}</h1>
      <p class="usa-intro">{v.t('grants.summary.intro')}</p>
      <GrantsNav v={v} />
      <FyForm v={v} fy={s.fiscal_year} action="/grants/summary" />
      <p>
        <a href={`/api/grants/summary.csv?fiscal_year=${s.fiscal_year}`}>{v.t('grants.download.csv')}</a>
      </p>
      <Table
        v={v}
        caption={v.t('grants.summary.plans')}
        head={[v.t('grants.field.agency'), v.t('grants.status.planned'), v.t('grants.status.posted'), v.t('grants.status.awarded'), v.t('grants.status.cancelled'), v.t('grants.field.estimated_total')]}
        rows={s.plans.map((p) => [p.agency_name, String(p.planned), String(p.posted), String(p.awarded), String(p.cancelled), money(v, p.estimated_total)])}
      />
      <p>{v.t('grants.summary.notices', { filed: s.notices.filed, on_time: s.notices.on_time, late: s.notices.late })}</p>
      <Table v={v} caption={v.t('grants.summary.by_agency')} head={[v.t('grants.field.agency'), v.t('grants.summary.count'), v.t('grants.gaps.amount')]} rows={amountRows(s.awards_by_agency, (i) => s.awards_by_agency[i].name)} />
      <Table v={v} caption={v.t('grants.summary.by_need')} head={[v.t('grants.field.needs'), v.t('grants.summary.count'), v.t('grants.gaps.amount')]} rows={amountRows(s.awards_by_need, (i) => (s.awards_by_need[i].need === 'unlinked' ? v.t('grants.summary.unlinked') : term(v, s.awards_by_need[i].need)))} />
      <Table v={v} caption={v.t('grants.summary.by_state')} head={[v.t('grants.gaps.state'), v.t('grants.summary.count'), v.t('grants.gaps.amount')]} rows={amountRows(s.awards_by_state, (i) => stateName(s.awards_by_state[i].state, v.lang))} />
    </div>
  );
}

export async function analysisPages(app: App): Promise<void> {
  app.get('/grants/overlaps', { config: PLANNERS, schema: { ...hidden, querystring: FyQuery } }, async (req, reply) => {
    const fy = fyOf(req.query);
    const v = req.view();
    return reply.page(v.t('grants.overlaps'), <OverlapPage v={v} o={overlaps(await store.listPlans(req.ctx.db, { fiscalYear: fy }), fy)} />);
  });
  app.get('/grants/gaps', { config: PLANNERS, schema: { ...hidden, querystring: GapForm } }, async (req, reply) => {
    const q = req.query;
    const errors: FieldError[] = [];
    let state = 'DC';
    if (q.state) {
      if (stateByCode(q.state.toUpperCase())) state = q.state.toUpperCase();
      else errors.push({ field: 'state', message: `${q.state} is not a U.S. state, DC or territory code` });
    }
    let fy: number | undefined;
    if (q.fiscal_year) {
      const n = Number(q.fiscal_year);
      if (Number.isInteger(n) && n >= 2000 && n <= 2100) fy = n;
      else errors.push({ field: 'fiscal_year', message: 'must be at least 2000' });
    }
    let miles = DEFAULT_GAP_MILES;
    if (q.distance) {
      const d = Number(q.distance);
      if (Number.isFinite(d) && d > 0 && d <= 200) miles = d;
      else errors.push({ field: 'distance', message: 'must be at most 200' });
    }
    const g = await gaps(req.ctx, state, { fiscalYear: fy, miles });
    const query = `?state=${state}${fy ? `&fiscal_year=${fy}` : ''}&distance=${miles}`;
    const v = req.view();
    return reply.page(v.t('grants.gaps'), <GapPage v={v} g={g} errors={errors} fy={fy} query={query} />, errors.length ? 400 : 200);
  });
  app.get('/grants/summary', { config: PLANNERS, schema: { ...hidden, querystring: FyQuery } }, async (req, reply) => {
    const fy = fyOf(req.query);
    const v = req.view();
    return reply.page(v.t('grants.summary'), <SummaryPage v={v} s={await summary(req.ctx.db, fy)} />);
  });
}
