/** A service's page, verifying it, and the report of services overdue for verification. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { type View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Pager, Table } from '../../../platform/web/components.tsx';
import { PageNumber } from '../schema.ts';
import { verifyService } from '../commands.ts';
import { unverifiedServices } from '../store.ts';
import { MANAGE, PROPOSE } from '../permissions.ts';
import { canEdit } from '../editing.ts';
import { Graph } from '../hsds.ts';
import { audienceOf, cardOf, loadOrgPhones, type Card } from '../presenters.ts';
import { PUBLIC, Facts } from './shared.tsx';
import { safeHref } from '../../../platform/http/urls.ts';
import { serviceNotesFor, type ServiceNote } from '../../../platform/module.ts';
import { Provenance } from './sources.tsx';
import { provenanceOf } from '../snapshot.ts';
import { listsForSaving, SaveToList } from './lists.tsx';

// ---------- service and organisation pages ----------

function ServicePage({ v, c, editable, notes, sources = [], lists }: { v: View; c: Card; editable: boolean; notes: ServiceNote[]; sources?: Parameters<typeof Provenance>[0]['sources']; lists?: { id: string; name: string }[] }) {
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: c.name }]} />
      <h1>{c.name}</h1>
      {c.status !== 'active' && <Alert type="warning" slim>{v.t('directory.status.inactive')}</Alert>}
      {c.organization && (
        <p>
          {v.t('directory.organization')}: <a href={`/directory/organizations/${c.organization.id}`}>{c.organization.name}</a>
        </p>
      )}
      {/* A short summary reads as the page's lead; a publisher's long description as ordinary text. */}
      {c.description && <p class={c.description.length <= 280 ? 'usa-intro' : undefined}>{c.description}</p>}
      <Provenance v={v} sources={sources} />
      {notes.length > 0 && (
        <ul class="usa-list usa-list--unstyled margin-bottom-2">
          {notes.map((n) => (
            <li>
              <a href={n.href}>{v.t(n.key, n.params)}</a>
            </li>
          ))}
        </ul>
      )}
      <Facts v={v} c={c} />
      {v.can(MANAGE) && (
        <ActionButton v={v} action={`/directory/services/${c.id}/verify`} secondary>
          {v.t('directory.verify')}
        </ActionButton>
      )}
      {/* The referrals module's permission, by name: the directory does not import referrals, which import it. */}
      {v.can('referrals.send') && (
        <p>
          <a href={`/referrals/new?service_id=${c.id}`} class="usa-button usa-button--small">
            {v.t('directory.refer')}
          </a>
        </p>
      )}
      {editable && (
        <p>
          <a href={`/directory/services/${c.id}/edit`} class="usa-button usa-button--outline usa-button--small">
            {v.t('directory.edit.propose')}
          </a>
        </p>
      )}
      {c.capacity.length > 0 && (
        <>
          <h2>{v.t('directory.capacity')}</h2>
          <ul class="usa-list">{c.capacity.map((x) => <li>{x}</li>)}</ul>
        </>
      )}
      {/* What the publisher left empty is left out rather than shown as a dash. */}
      {c.eligibility && (
        <>
          <h2>{v.t('directory.eligibility')}</h2>
          <p>{c.eligibility}</p>
        </>
      )}
      {c.cost && (
        <>
          <h2>{v.t('directory.cost')}</h2>
          <p>{c.cost}</p>
        </>
      )}
      {c.apply && (
        <>
          <h2>{v.t('directory.apply')}</h2>
          <p>{c.apply}</p>
        </>
      )}
      {(c.url || c.email) && (
        <ul class="usa-list">
          {safeHref(c.url) && (
            <li>
              {v.t('directory.website')}: <a href={c.url}>{c.url}</a>
            </li>
          )}
          {c.email && (
            <li>
              {v.t('directory.email')}: <a href={`mailto:${c.email}`}>{c.email}</a>
            </li>
          )}
        </ul>
      )}
      {lists && <SaveToList v={v} serviceId={c.id} lists={lists} />}
    </>
  );
}


export function servicePages(app: App): void {
  app.get('/directory/services/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const g = new Graph(req.ctx.db);
    const [s] = await g.services([req.params.id], true);
    if (!s) throw notFound('No such service.');
    await loadOrgPhones(g, [s]);
    const v = req.view();
    const c = cardOf(g, s, audienceOf(req.ctx), v);
    const editable = v.can(PROPOSE) && (await canEdit(req.ctx, (s.organization_id as string | null) ?? null));
    // Other modules' notes (practices: the evidence-rated practices this service runs), without importing them.
    const notes = (await serviceNotesFor(req.ctx, [c.id])).get(c.id) ?? [];
    const sources = (await provenanceOf(req.ctx.db, [c.id])).get(c.id);
    const lists = await listsForSaving(req);
    return reply.page(c.name, <ServicePage v={v} c={c} editable={editable} notes={notes} sources={sources} lists={lists} />);
  });

  app.post('/directory/services/:id/verify', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const id = req.params.id;
    await verifyService(req.ctx, id);
    return reply.redirect(`/directory/services/${id}`);
  });

  app.get('/directory/unverified', { config: { access: { permission: MANAGE } }, schema: { ...hidden, querystring: Type.Object({ page: PageNumber }) } }, async (req, reply) => {
    const page = req.query.page ?? 1;
    const { items, total } = await unverifiedServices(req.ctx.db, 50, (page - 1) * 50);
    const v = req.view();
    return reply.page(
      v.t('directory.unverified.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.unverified.title') }]} />
        <h1>{v.t('directory.unverified.title')}</h1>
        <p>{v.t('directory.unverified.intro', { n: total })}</p>
        <Table
          v={v}
          caption={v.t('directory.unverified.title')}
          head={[v.t('directory.services_of'), v.t('directory.organization'), v.t('directory.verified')]}
          rows={items.map((i) => [<a href={`/directory/services/${i.id}`}>{i.name}</a>, i.organization ?? '—', i.assured_date ?? v.t('directory.not_verified')])}
        />
        <Pager v={v} page={page} perPage={50} total={total} />
      </>,
    );
  });
}
