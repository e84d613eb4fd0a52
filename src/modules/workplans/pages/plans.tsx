/** The plan overview and the views of it by agency, by owner, and of what is late or missing. */
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { Breadcrumbs, Table } from '../../../platform/web/components.tsx';
import { agencyIdsOfOrganization } from '../../structure/index.ts';
import { PERM } from '../policies.ts';
import { agencyView, periodLabel, watchList, type AgencyView, type WatchList } from '../presenters.ts';
import { percent } from '../rollup.ts';
import { loadPlan, type PlanView } from '../store.ts';
import { ProgressChart } from '../chart.tsx';
import { chartPoints, DueTable, EditLinks, itemLink, StatusTag } from './shared.tsx';

function Intro({ v }: { v: View }) {
  return (
    <ul class="usa-button-group margin-y-2">
      <li class="usa-button-group__item">
        <a class="usa-button usa-button--outline" href="/workplans/watch">
          {v.t('wp.watch.title')}
        </a>
      </li>
      <li class="usa-button-group__item">
        <a class="usa-button usa-button--outline" href="/workplans/report">
          {v.t('wp.report.title')}
        </a>
      </li>
      {v.can(PERM.review) && (
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/workplans/review">
            {v.t('wp.review.title')}
          </a>
        </li>
      )}
      {v.can(PERM.edit) && (
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/workplans/import">
            {v.t('wp.import.title')}
          </a>
        </li>
      )}
    </ul>
  );
}

function PlansPage({ v, plan, myAgencyId }: { v: View; plan: PlanView; myAgencyId?: string }) {
  const goals = plan.goals();
  const owners = plan.dir.owners.map((o) => ({ o, goals: goals.filter((g) => plan.owner(g)?.id === o.id) })).filter((x) => x.goals.length);
  return (
    <div>
      <h1>{v.t('wp.title')}</h1>
      <p class="usa-intro">{v.t('wp.intro', { period: periodLabel(v.lang, plan.currentPeriod.key) })}</p>
      {myAgencyId && (
        <p>
          <a href={`/workplans/agencies/${myAgencyId}`}>{v.t('wp.agency.mine')}</a>
        </p>
      )}
      <Intro v={v} />
      <EditLinks v={v} />
      <h2>{v.t('wp.goals')}</h2>
      <Table
        v={v}
        caption={v.t('wp.goals.caption', { period: periodLabel(v.lang, plan.currentPeriod.key) })}
        head={[v.t('wp.item'), v.t('wp.owner'), v.t('wp.status'), v.t('wp.weight'), v.t('wp.progress')]}
        rows={goals.map((g) => [itemLink(g), plan.ownerName(g) ?? '—', <StatusTag v={v} status={g.status} />, String(g.weight), percent(plan.progress(g))])}
      />
      <h2>{v.t('wp.owners')}</h2>
      <Table
        v={v}
        caption={v.t('wp.owners')}
        head={[v.t('wp.owner'), v.t('wp.owner.type'), v.t('wp.goals'), v.t('wp.progress')]}
        rows={owners.map(({ o, goals: gs }) => [<a href={`/workplans/owners/${o.id}`}>{o.name}</a>, v.t(`wp.owner.${o.type}`), String(gs.length), percent(plan.progressOf(gs))])}
      />
      <h2>{v.t('wp.chart.title')}</h2>
      <ProgressChart v={v} id="chart-all" title={v.t('wp.chart.all')} points={chartPoints(plan, goals)} />
    </div>
  );
}

function AgencyPage({ v, view }: { v: View; view: AgencyView }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: view.agency.abbreviation ?? view.agency.name }]} />
      <h1>{v.t('wp.agency.title', { agency: view.agency.name })}</h1>
      <p class="usa-intro">{v.t('wp.agency.intro', { period: periodLabel(v.lang, view.period) })}</p>
      <h2>{v.t('wp.agency.leads')}</h2>
      <DueTable v={v} caption={v.t('wp.agency.leads')} rows={view.leads} />
      <h2>{v.t('wp.agency.supports')}</h2>
      <DueTable v={v} caption={v.t('wp.agency.supports')} rows={view.supports} />
    </div>
  );
}

function OwnerPage({ v, plan, owner }: { v: View; plan: PlanView; owner: { id: string; name: string; type: string } }) {
  const goals = plan.goals().filter((g) => plan.owner(g)?.id === owner.id);
  const actions = plan.actions().filter((a) => plan.owner(a)?.id === owner.id);
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: owner.name }]} />
      <h1>{v.t('wp.owner.title', { owner: owner.name })}</h1>
      <p class="usa-intro">
        {v.t(`wp.owner.${owner.type}`)} · {v.t('wp.progress')}: {percent(plan.progressOf(goals))}
      </p>
      <Table
        v={v}
        caption={v.t('wp.goals')}
        head={[v.t('wp.item'), v.t('wp.status'), v.t('wp.progress')]}
        rows={goals.map((g) => [itemLink(g), <StatusTag v={v} status={g.status} />, percent(plan.progress(g))])}
      />
      <h2>{v.t('wp.actions')}</h2>
      <DueTable v={v} caption={v.t('wp.actions')} rows={actions.map((a) => plan.due(a))} />
      <h2>{v.t('wp.chart.title')}</h2>
      <ProgressChart v={v} id="chart-owner" title={v.t('wp.chart.owner', { owner: owner.name })} points={chartPoints(plan, goals)} />
    </div>
  );
}

function WatchPage({ v, w }: { v: View; w: WatchList }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.watch.title') }]} />
      <h1>{v.t('wp.watch.title')}</h1>
      <h2>{v.t('wp.watch.late')}</h2>
      <DueTable v={v} caption={v.t('wp.watch.late')} rows={w.late} />
      <h2>{v.t('wp.watch.risk')}</h2>
      <DueTable v={v} caption={v.t('wp.watch.risk')} rows={w.at_risk} />
      <h2>{v.t('wp.watch.missing', { period: periodLabel(v.lang, w.missing[0]?.period ?? '') })}</h2>
      <DueTable v={v} caption={v.t('wp.watch.missing', { period: periodLabel(v.lang, w.missing[0]?.period ?? '') })} rows={w.missing} />
    </div>
  );
}

export async function planPages(app: App): Promise<void> {
  app.get('/workplans', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const plan = await loadPlan(req.ctx.db);
    let myAgencyId: string | undefined;
    if (req.actor) {
      const mine = await agencyIdsOfOrganization(req.ctx.db, req.actor.organizationId);
      myAgencyId = plan.dir.agencies.find((a) => mine.includes(a.id))?.id;
    }
    const v = req.view();
    return reply.page(v.t('wp.title'), <PlansPage v={v} plan={plan} myAgencyId={myAgencyId} />);
  });

  app.get('/workplans/agencies/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const view = agencyView(await loadPlan(req.ctx.db), req.params.id);
    if (!view) throw notFound('No such agency.');
    const v = req.view();
    return reply.page(v.t('wp.agency.title', { agency: view.agency.name }), <AgencyPage v={v} view={view} />);
  });

  app.get('/workplans/owners/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const plan = await loadPlan(req.ctx.db);
    const owner = plan.dir.owner(req.params.id);
    if (!owner) throw notFound('No such committee or partnership.');
    const v = req.view();
    return reply.page(v.t('wp.owner.title', { owner: owner.name }), <OwnerPage v={v} plan={plan} owner={owner} />);
  });

  app.get('/workplans/watch', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('wp.watch.title'), <WatchPage v={v} w={watchList(await loadPlan(req.ctx.db))} />);
  });
}
