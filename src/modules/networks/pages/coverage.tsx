/** Coverage and gaps: the filter form, a network's coverage section, and the national view by state. */
import { Breadcrumbs, Checkboxes, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import type { FieldError } from '../../../platform/http/errors.ts';
import type { FormValues } from '../../../platform/http/forms.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { UsMap, shadeOf, type Shade } from '../../../platform/web/us-map.tsx';
import { stateName } from '../../../platform/geo/us.ts';
import { NEED_CODES } from '../../directory/index.ts';
import { statesCoverage } from '../coverage.ts';
import { CoverageForm, DEFAULT_DISTANCE, MAX_DISTANCE, SCOPES, type Coverage, type Network, type Scope, type StatesCoverage } from '../schema.ts';
import { PUBLIC, countyName, crumbs, list, localErrors, needLabel, str } from './shared.tsx';

const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export interface CoverageFilter {
  distance: number;
  scope: Scope;
  needs: string[];
  raw: FormValues;
  errors: FieldError[];
}

export function filterOf(q: { distance?: string; scope?: string; need?: string | string[] }): CoverageFilter {
  const errors: FieldError[] = [];
  const rawDistance = (q.distance ?? '').trim();
  let distance = DEFAULT_DISTANCE;
  if (rawDistance) {
    const d = Number(rawDistance);
    if (!Number.isFinite(d) || d <= 0 || d > MAX_DISTANCE) errors.push({ field: 'distance', message: `must be a number of miles above 0 and at most ${MAX_DISTANCE}` });
    else distance = d;
  }
  let scope: Scope = 'directory';
  if (q.scope) {
    if (isScope(q.scope)) scope = q.scope;
    else errors.push({ field: 'scope', message: `must be one of: ${SCOPES.join(', ')}` });
  }
  const needs = list(q.need).filter(Boolean);
  const unknown = needs.filter((n) => !NEED_CODES.includes(n));
  if (unknown.length) errors.push({ field: 'need', message: `is not a known need: ${unknown.join(', ')}` });
  return { distance, scope, needs: needs.filter((n) => NEED_CODES.includes(n)), raw: { distance: rawDistance, scope: q.scope, need: needs }, errors };
}

// A share above zero never reads as 0%: the map shades it, so the table must not contradict it.
const pct = (x: number) => (x === 0 ? '0%' : x < 0.01 ? '<1%' : `${Math.round(x * 100)}%`);

function NationalPage({ v, f, c }: { v: View; f: CoverageFilter; c: StatesCoverage }) {
  const shades: Record<string, Shade> = {};
  for (const s of c.states) shades[s.fips] = shadeOf(s.covered_share, 1);
  const needs = c.needs.map((n) => needLabel(v, n)).join(', ');
  const best = [...c.states].sort((a, b) => b.covered_share - a.covered_share).slice(0, 3);
  // The table reads in the order of the names shown (the answer comes in English order).
  const collator = new Intl.Collator(v.lang);
  const rows = c.states.map((s) => ({ s, name: stateName(s.code, v.lang) })).sort((a, b) => collator.compare(a.name, b.name));
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('networks.national.title') }])} />
      <h1>{v.t('networks.national.title')}</h1>
      <p class="usa-intro">{v.t('networks.national.intro', { miles: c.distance_miles })}</p>
      {!c.confidential_included && <p>{v.t('networks.coverage.confidential')}</p>}
      <form method="get" action="/networks/national" class="usa-form margin-bottom-3">
        <ErrorSummary v={v} errors={localErrors(v, f.errors) ?? []} labels={{ distance: v.t('networks.coverage.distance'), need: v.t('networks.coverage.needs') }} />
        <TextInput name="distance" label={v.t('networks.coverage.distance')} hint={v.t('networks.coverage.distance.hint', { max: MAX_DISTANCE })} inputmode="decimal" value={str(f.raw.distance) || String(f.distance)} errors={localErrors(v, f.errors)} />
        <Checkboxes name="need" label={v.t('networks.coverage.needs')} hint={v.t('networks.coverage.needs.hint')} values={f.needs} options={NEED_CODES.map((n) => ({ value: n, label: needLabel(v, n) }))} errors={localErrors(v, f.errors)} />
        <SubmitButton>{v.t('networks.coverage.show')}</SubmitButton>
      </form>
      <UsMap
        lang={v.lang}
        level="state"
        id="national-map"
        shades={shades}
        labels={Object.fromEntries(c.states.map((s) => [s.fips, `${stateName(s.code, v.lang)}: ${pct(s.covered_share)}`]))}
        title={v.t('networks.national.map.title', { miles: c.distance_miles })}
        description={v.t('networks.national.map.desc', { needs, best: best.map((s) => `${stateName(s.code, v.lang)} ${pct(s.covered_share)}`).join(', ') })}
        legend={legend(v)}
      />
      <Table
        v={v}
        caption={v.t('networks.national.table', { miles: c.distance_miles })}
        head={[v.t('networks.field.state'), v.t('networks.national.counties'), v.t('networks.national.networks'), v.t('networks.national.share'), v.t('networks.national.nowhere')]}
        rows={rows.map(({ s, name }) => [
          name,
          String(s.counties),
          s.networks ? <a href={`/networks?state=${s.code}`}>{s.networks}</a> : '0',
          pct(s.covered_share),
          s.needs.every((x) => x.covered_counties === 0) ? v.t('networks.national.every') : s.needs.filter((x) => x.covered_counties === 0).map((x) => needLabel(v, x.need)).join(', ') || '—',
        ])}
      />
    </div>
  );
}

const legend = (v: View): { shade: Shade; label: string }[] => [
  { shade: 0, label: v.t('networks.legend.0') },
  { shade: 1, label: v.t('networks.legend.1') },
  { shade: 2, label: v.t('networks.legend.2') },
  { shade: 3, label: v.t('networks.legend.3') },
  { shade: 4, label: v.t('networks.legend.4') },
];


export function CoverageSection({ v, n, f, c }: { v: View; n: Network; f: CoverageFilter; c: Coverage }) {
  const shades: Record<string, Shade> = {};
  for (const r of c.counties) shades[r.fips] = shadeOf(r.covered_needs, c.needs.length);
  const gapsByCounty = c.counties.filter((r) => r.covered_needs < c.needs.length);
  const full = c.counties.length - gapsByCounty.length;
  const circle = n.area_kind === 'radius' && n.center_lat !== null && n.center_lng !== null && n.radius_miles !== null ? { lat: n.center_lat, lng: n.center_lng, miles: n.radius_miles } : undefined;
  return (
    <section class="margin-top-4" aria-labelledby="coverage-heading" id="coverage">
      <h2 id="coverage-heading">{v.t('networks.coverage.title')}</h2>
      <p>{v.t(c.scope === 'members' ? 'networks.coverage.intro.members' : 'networks.coverage.intro', { miles: c.distance_miles, needs: c.needs.map((x) => needLabel(v, x)).join(', ') })}</p>
      {!c.confidential_included && <p>{v.t('networks.coverage.confidential')}</p>}
      <form method="get" action={`/networks/${n.id}#coverage`} class="usa-form margin-bottom-3">
        <ErrorSummary v={v} errors={localErrors(v, f.errors) ?? []} labels={{ distance: v.t('networks.coverage.distance'), scope: v.t('networks.coverage.scope') }} />
        <TextInput name="distance" label={v.t('networks.coverage.distance')} hint={v.t('networks.coverage.distance.hint', { max: MAX_DISTANCE })} inputmode="decimal" value={str(f.raw.distance) || String(f.distance)} errors={localErrors(v, f.errors)} />
        <Select name="scope" label={v.t('networks.coverage.scope')} value={f.scope} options={SCOPES.map((s) => ({ value: s, label: v.t(`networks.scope.${s}`) }))} errors={localErrors(v, f.errors)} />
        <SubmitButton>{v.t('networks.coverage.show')}</SubmitButton>
      </form>
      <UsMap
        lang={v.lang}
        level="county"
        id="coverage-map"
        fips={c.counties.map((r) => r.fips)}
        shades={shades}
        labels={Object.fromEntries(c.counties.map((r) => [r.fips, `${countyName(v, r.fips)}: ${r.covered_needs} / ${c.needs.length}`]))}
        circle={circle}
        title={v.t('networks.coverage.map.title', { name: n.name, miles: c.distance_miles })}
        description={v.t('networks.coverage.map.desc', { counties: c.counties.length, full, gaps: gapsByCounty.length, needs: c.needs.length })}
        legend={legend(v)}
      />
      <Table
        v={v}
        caption={v.t('networks.coverage.summary', { miles: c.distance_miles })}
        head={[v.t('networks.field.need'), v.t('networks.coverage.covered_counties')]}
        rows={c.summary.map((s) => [needLabel(v, s.need), `${s.covered_counties} / ${s.counties}`])}
      />
      <p>
        <a href={`/api/networks/${n.id}/coverage.csv?distance=${c.distance_miles}&scope=${c.scope}`}>{v.t('networks.coverage.csv')}</a>
      </p>
      <Table
        v={v}
        caption={v.t('networks.coverage.counties', { miles: c.distance_miles })}
        head={[v.t('networks.field.county'), v.t('networks.coverage.covered'), v.t('networks.coverage.gaps')]}
        rows={c.counties.map((r) => [
          countyName(v, r.fips),
          `${r.covered_needs} / ${c.needs.length}`,
          r.needs
            .filter((x) => !x.covered)
            .map((x) => needLabel(v, x.need))
            .join(', ') || v.t('networks.coverage.nogap'),
        ])}
      />
    </section>
  );
}

export async function nationalPages(app: App): Promise<void> {
  app.get('/networks/national', { config: PUBLIC, schema: { ...hidden, querystring: CoverageForm } }, async (req, reply) => {
    const f = filterOf(req.query);
    const c = await statesCoverage(req.ctx, { distance: f.distance, needs: f.needs });
    const v = req.view();
    return reply.page(v.t('networks.national.title'), <NationalPage v={v} f={f} c={c} />, f.errors.length ? 400 : 200);
  });
}
