/** The task force at a glance: the diagram, its text alternative, the partnerships and the counts. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { App } from '../../../platform/module.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { Table } from '../../../platform/web/components.tsx';
import type { Body, Overview } from '../schema.ts';
import * as store from '../store.ts';
import { StructureDiagram, partnerNames } from '../diagram.tsx';
import { PUBLIC } from './shared.tsx';

function OverviewPage({ v, o }: { v: View; o: Overview }) {
  const tf = o.task_force;
  const pg = o.policy_group;
  const desc = v.t('structure.diagram.desc', {
    pitf: tf?.name ?? '',
    members: o.counts.member_agencies,
    spog: pg?.name ?? '',
    n: o.committees.length,
    committees: o.committees.map((c) => c.name).join('; '),
    p: o.partnerships.length,
    partnerships: o.partnerships.map((p) => `${p.name} (${v.t('structure.lead')}: ${p.lead_agency_name ?? '—'}; ${v.t('structure.partners')}: ${partnerNames(p)})`).join('; '),
  });
  const chairs = (b: Body) =>
    b.memberships
      .filter((m) => m.role !== 'member')
      .map((m) => `${v.t(`structure.role.${m.role}`)}: ${m.agency_name}${m.represented_by_name ? ` (${m.represented_by_name})` : ''}`)
      .join('; ');
  return (
    <div>
      <h1>{v.t('structure.title')}</h1>
      <p class="usa-intro">{v.t('structure.intro')}</p>
      <p>{v.t('structure.asof', { date: formatDate(v.lang, o.active_on) })}</p>
      <figure class="margin-x-0">
        <StructureDiagram v={v} o={o} titleId="structure-diagram-title" descId="structure-diagram-desc" desc={desc} />
      </figure>
      <h2>{v.t('structure.diagram.text')}</h2>
      <ul class="usa-list">
        {tf && (
          <li>
            <a href={`/structure/committees/${tf.slug}`}>{tf.name}</a>
            {tf.chair_title && <> — {v.t('structure.chairedby', { chair: tf.chair_title })}</>} ({o.counts.member_agencies} {v.t('structure.count.members').toLowerCase()})
            {pg && (
              <ul class="usa-list">
                <li>
                  <a href={`/structure/committees/${pg.slug}`}>{pg.name}</a>
                  {pg.chair_title && <> — {v.t('structure.chairedby', { chair: pg.chair_title })}</>}
                  <ul class="usa-list">
                    {o.committees.map((c) => (
                      <li>
                        <a href={`/structure/committees/${c.slug}`}>{c.name}</a>
                        {chairs(c) && <> — {chairs(c)}</>}
                      </li>
                    ))}
                  </ul>
                </li>
              </ul>
            )}
          </li>
        )}
      </ul>
      <Table
        v={v}
        caption={v.t('structure.partnerships')}
        head={[v.t('structure.field.name'), v.t('structure.lead'), v.t('structure.partners')]}
        rows={o.partnerships.map((p) => [<a href={`/structure/partnerships/${p.slug}`}>{p.name}</a>, p.lead_agency_name ?? '—', p.partners.map((x) => x.name).join('; ')])}
      />
      <h2>{v.t('structure.counts')}</h2>
      <ul class="usa-list">
        <li>
          <a href="/structure/agencies">{v.t('structure.count.members')}</a>: {o.counts.member_agencies}
        </li>
        <li>
          <a href="/structure/committees">{v.t('structure.count.committees')}</a>: {o.counts.committees}
        </li>
        <li>
          <a href="/structure/partnerships">{v.t('structure.count.partnerships')}</a>: {o.counts.partnerships}
        </li>
        <li>
          <a href="/structure/representatives">{v.t('structure.count.representatives')}</a>: {o.counts.representatives}
        </li>
      </ul>
    </div>
  );
}

export function overviewPages(app: App): void {
  app.get('/structure', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('structure.title'), <OverviewPage v={v} o={await store.overview(req.ctx.db, store.today())} />);
  });
}
