import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import type { App } from '../../../platform/module.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { Breadcrumbs, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import { UsMap, shadeOf, type Shade } from '../../../platform/web/us-map.tsx';
import { countyWithState, stateByCode } from '../../../platform/geo/us.ts';
import type { Cell } from '../../../platform/stats/suppress.ts';
import { allNetworks } from '../deps.ts';
import { READ, STATS } from '../permissions.ts';
import { statsFor } from '../reads.ts';
import { NO_AREA, type StatTable, type Stats } from '../stats.ts';
import { val, type Input } from './common.tsx';

/** An empty query value is no value, as a form left blank means. */
const given = (x: string | undefined) => (x === undefined || x.trim() === '' ? undefined : x.trim());

const cellText = (v: View, c: Cell) => (c.suppressed ? v.t(c.why === 'complementary' ? 'rf.stats.protecting' : 'rf.stats.suppressed') : String(c.value));

function StatsTable({ v, caption, t, columnKey, rowLabel }: { v: View; caption: string; t: StatTable; columnKey: string; rowLabel?: (key: string, label: string) => string }) {
  return (
    <Table
      v={v}
      caption={caption}
      head={['', ...t.columns.map((c) => v.t(`${columnKey}.${c}`)), v.t('rf.stats.total')]}
      rows={t.rows.map((r) => [rowLabel ? rowLabel(r.key, r.label) : r.label, ...r.cells.map((c) => cellText(v, c)), cellText(v, r.total)])}
    />
  );
}

function StatsPage({ v, s, networks, input, errors }: { v: View; s?: Stats; networks: { value: string; label: string }[]; input: Input; errors?: FieldError[] }) {
  const areaLabel = (key: string, label: string) => (key === NO_AREA ? v.t('rf.stats.area.unknown') : (countyWithState(key, v.lang) ?? label));
  const unmet = s?.unmet_by_area.rows.filter((r) => r.key !== NO_AREA) ?? [];
  const max = Math.max(0, ...unmet.map((r) => r.cells[0].value ?? 0));
  const shades: Record<string, Shade> = {};
  for (const r of unmet) {
    const c = r.cells[0];
    // A suppressed count is "1 to threshold": the lightest shade, never a figure.
    shades[r.key] = c.suppressed ? 1 : c.value === 0 ? 0 : (Math.max(2, shadeOf(c.value, max)) as Shade);
  }
  const mapStates = [...new Set((s?.by_area.rows ?? []).filter((r) => r.key !== NO_AREA).map((r) => stateByCode(r.label.split(', ').pop() ?? '')?.code).filter((x): x is string => Boolean(x)))];
  return (
    <div>
      {/* Analysts, chairs and administrators read the statistics without having a referrals inbox. */}
      <Breadcrumbs items={[v.can(READ) ? { href: '/referrals', label: v.t('rf.title') } : { label: v.t('rf.title') }, { label: v.t('rf.stats.title') }]} />
      <h1>{s?.network ? v.t('rf.stats.title.network', { name: s.network.name }) : v.t('rf.stats.title')}</h1>
      <p class="usa-intro">{v.t('rf.stats.intro', { n: s?.threshold ?? 10 })}</p>
      <form method="get" action="/referrals/stats" class="usa-form">
        <ErrorSummary v={v} errors={errors ?? []} />
        {networks.length > 0 && <Select name="network_id" label={v.t('rf.network')} value={val(input, 'network_id')} blank={v.t('rf.stats.allnetworks')} options={networks} errors={errors} />}
        <TextInput name="from" label={v.t('rf.stats.from')} type="date" value={val(input, 'from')} errors={errors} />
        <TextInput name="to" label={v.t('rf.stats.to')} type="date" value={val(input, 'to')} errors={errors} />
        <SubmitButton secondary>{v.t('rf.stats.apply')}</SubmitButton>
      </form>
      {s && (
        <>
          <p class="margin-top-3">
            {v.t('rf.stats.total.referrals')}: <strong>{cellText(v, s.total)}</strong>
          </p>
          <h2>{v.t('rf.stats.unmet')}</h2>
          <p>{v.t('rf.stats.unmet.intro')}</p>
          {mapStates.length > 0 && (
            <UsMap
              lang={v.lang}
              level="county"
              states={mapStates}
              shades={shades}
              title={v.t('rf.stats.unmet.map')}
              description={v.t('rf.stats.unmet.map.desc')}
              legend={[
                { shade: 0, label: v.t('rf.stats.legend.none') },
                { shade: 1, label: v.t('rf.stats.legend.few', { n: s.threshold }) },
                { shade: 2, label: v.t('rf.stats.legend.some') },
                { shade: 4, label: v.t('rf.stats.legend.most') },
              ]}
              id="unmet-map"
            />
          )}
          <StatsTable v={v} caption={v.t('rf.stats.unmet.table')} t={s.unmet_by_area} columnKey="rf.stats.unmetcol" rowLabel={areaLabel} />
          <h2>{v.t('rf.stats.by_need')}</h2>
          <StatsTable v={v} caption={v.t('rf.stats.by_need')} t={s.by_need} columnKey="rf.stats.result" rowLabel={(k) => v.t(`rf.need.${k}`)} />
          <h2>{v.t('rf.stats.outcomes')}</h2>
          <StatsTable v={v} caption={v.t('rf.stats.outcomes')} t={s.outcomes} columnKey="rf.stats.outcome" rowLabel={() => v.t('rf.stats.completed')} />
          <h2>{v.t('rf.stats.declines')}</h2>
          <StatsTable v={v} caption={v.t('rf.stats.declines')} t={s.decline_reasons} columnKey="rf.reason" rowLabel={() => v.t('rf.stats.declined')} />
          <h2>{v.t('rf.stats.acceptance')}</h2>
          <p>
            {s.time_to_acceptance.median_days === null
              ? v.t('rf.stats.acceptance.few', { n: cellText(v, s.time_to_acceptance.accepted) })
              : v.t('rf.stats.acceptance.days', { n: cellText(v, s.time_to_acceptance.accepted), median: s.time_to_acceptance.median_days, p90: s.time_to_acceptance.p90_days ?? 0 })}
          </p>
          <h2>{v.t('rf.stats.by_area')}</h2>
          <StatsTable v={v} caption={v.t('rf.stats.by_area')} t={s.by_area} columnKey="rf.stats.result" rowLabel={areaLabel} />
          <h2>{v.t('rf.stats.by_network')}</h2>
          <StatsTable v={v} caption={v.t('rf.stats.by_network')} t={s.by_network} columnKey="rf.stats.result" rowLabel={(k, l) => (k === 'none' ? v.t('rf.network.none') : l)} />
        </>
      )}
    </div>
  );
}

export async function statsPages(app: App): Promise<void> {
  const statsQuery = Type.Object(
    { network_id: Type.Optional(Type.String({ maxLength: 40 })), from: Type.Optional(Type.String({ maxLength: 10 })), to: Type.Optional(Type.String({ maxLength: 10 })) },
    { additionalProperties: false },
  );
  app.get('/referrals/stats', { config: { access: { permission: STATS } }, schema: { ...hidden, querystring: statsQuery } }, async (req, reply) => {
    const input = { network_id: given(req.query.network_id), from: given(req.query.from), to: given(req.query.to) };
    const v = req.view();
    const networks = await listAllNetworks(req);
    const bad: FieldError[] = [];
    for (const k of ['from', 'to'] as const) if (input[k] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input[k])) bad.push({ field: k, message: 'must be a valid date' });
    if (bad.length) return reply.page(v.t('rf.stats.title'), <StatsPage v={v} networks={networks} input={input} errors={bad} />, 400);
    try {
      const s = await statsFor(req.ctx, input);
      return reply.page(v.t('rf.stats.title'), <StatsPage v={v} s={s} networks={networks} input={input} />);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return reply.page(v.t('rf.stats.title'), <StatsPage v={v} networks={networks} input={input} errors={errors} />, 400);
      throw err;
    }
  });
}

async function listAllNetworks(req: FastifyRequest): Promise<{ value: string; label: string }[]> {
  return (await allNetworks(req.ctx.db)).map((n) => ({ value: n.id, label: n.name }));
}
