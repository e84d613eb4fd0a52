/** An organisation's page and, for directory managers, the account organisations that act for it. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { hidden, IdParams, Uuid } from '../../../platform/http/schemas.ts';
import { listOrganizations } from '../../../platform/auth/index.ts';
import { type View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, Csrf, ErrorSummary, Select, SubmitButton, Table } from '../../../platform/web/components.tsx';
import { FormPost } from '../schema.ts';
import { addSteward, removeSteward } from '../commands.ts';
import { MANAGE, PROPOSE } from '../permissions.ts';
import { listStewards, type Steward } from '../stewards.ts';
import { canEdit } from '../editing.ts';
import { Graph, organizationsFull } from '../hsds.ts';
import { type Row } from '../model.ts';
import { audienceOf, cardOf, addressOf, type Card } from '../presenters.ts';
import { PUBLIC, dayLabel } from './shared.tsx';
import { safeHref } from '../../../platform/http/urls.ts';
import { organizationsMatchedWith, standsForAnother } from '../federation-match.ts';

function OrganizationPage({ v, org, services, editable, children }: { v: View; org: Record<string, unknown>; services: Card[]; editable: boolean; children?: ComponentChildren }) {
  const locations = (org.locations as Record<string, unknown>[]) ?? [];
  const phones = (org.phones as Record<string, unknown>[]) ?? [];
  return (
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: String(org.name) }]} />
      <h1>{String(org.name)}</h1>
      {org.description ? <p class="usa-intro">{String(org.description)}</p> : null}
      {editable && (
        <p>
          <a href={`/directory/organizations/${String(org.id)}/edit`} class="usa-button usa-button--outline usa-button--small">
            {v.t('directory.edit.propose')}
          </a>{' '}
          <a href="/directory/my">{v.t('directory.my.title')}</a>
        </p>
      )}
      <ul class="usa-list">
        {phones.map((p) => (
          <li>
            {v.t('directory.phone')}: {String(p.number)}
          </li>
        ))}
        {safeHref(org.website) && (
          <li>
            {v.t('directory.website')}: <a href={safeHref(org.website)}>{String(org.website)}</a>
          </li>
        )}
        {typeof org.email === 'string' && (
          <li>
            {v.t('directory.email')}: <a href={`mailto:${org.email}`}>{org.email}</a>
          </li>
        )}
      </ul>
      <h2>{v.t('directory.services_of')}</h2>
      <ul class="usa-list">
        {services.map((c) => (
          <li>
            <a href={`/directory/services/${c.id}`}>{c.name}</a>
          </li>
        ))}
      </ul>
      <h2>{v.t('directory.locations')}</h2>
      <ul class="usa-list">
        {locations.map((l) => {
          const addr = ((l.addresses as Row[] | undefined) ?? [])[0];
          return <li>{l.confidential && !addr ? v.t('directory.confidential') : [l.name, addressOf(addr)].filter(Boolean).join(' — ')}</li>;
        })}
      </ul>
      {children}
    </>
  );
}

/** The organisation page; directory managers also get who acts for it, with add and remove. */
async function organizationPage(req: FastifyRequest, reply: FastifyReply, id: string, stewardErrors: FieldError[] = [], status = 200) {
  const a = audienceOf(req.ctx);
  const [org] = await organizationsFull(req.ctx.db, [id], a, false);
  if (!org) throw notFound('No such organization.');
  const g = new Graph(req.ctx.db);
  // The services of this organisation and of the records other sources give for it, each matched service once.
  const orgIds = await organizationsMatchedWith(req.ctx.db, org.id as string);
  const svcRows = await req.ctx.db.selectFrom('directory_service').select('id').where('organization_id', 'in', orgIds).orderBy('name').execute();
  const hidden = await standsForAnother(req.ctx.db, svcRows.map((r) => r.id as string));
  const rows = await g.services(svcRows.map((r) => r.id as string).filter((s) => !hidden.has(s)), true);
  const v = req.view();
  const editable = v.can(PROPOSE) && (await canEdit(req.ctx, org.id as string));
  const stewards = v.can(MANAGE) ? (
    <StewardSection v={v} orgId={org.id as string} stewards={await listStewards(req.ctx.db, org.id as string)} choices={await listOrganizations(req.ctx.db)} errors={stewardErrors} />
  ) : null;
  return reply.page(
    String(org.name),
    <OrganizationPage v={v} org={org} services={rows.map((s) => cardOf(g, s, a, v))} editable={editable}>
      {stewards}
    </OrganizationPage>,
    status,
  );
}


// ---------- stewards on the organisation page ----------

/** The organisation page's part for directory managers: who acts for the listing, add and remove. */
export function StewardSection({ v, orgId, stewards, choices, errors }: { v: View; orgId: string; stewards: Steward[]; choices: { id: string; name: string }[]; errors: FieldError[] }) {
  const taken = new Set(stewards.map((x) => x.account_organization_id));
  const open = choices.filter((c) => !taken.has(c.id));
  return (
    <section aria-labelledby="stewards" class="margin-top-4" id="stewards-section">
      <h2 id="stewards">{v.t('directory.stewards.title')}</h2>
      <p>{v.t('directory.stewards.intro')}</p>
      <ErrorSummary v={v} errors={errors} />
      <Table
        v={v}
        caption={v.t('directory.stewards.title')}
        head={[v.t('directory.stewards.account'), v.t('directory.stewards.since'), v.t('directory.stewards.action')]}
        rows={stewards.map((x) => [
          x.account_organization_name,
          dayLabel(v, x.created_at),
          <ActionButton v={v} action={`/directory/organizations/${orgId}/stewards/${x.account_organization_id}/remove`} secondary>
            {v.t('directory.stewards.remove')} <span class="usa-sr-only">{x.account_organization_name}</span>
          </ActionButton>,
        ])}
      />
      {open.length > 0 && (
        <form method="post" action={`/directory/organizations/${orgId}/stewards`} class="usa-form">
          <Csrf v={v} />
          <Select name="account_organization_id" label={v.t('directory.stewards.add.label')} blank={v.t('directory.stewards.add.blank')} options={open.map((c) => ({ value: c.id, label: c.name }))} errors={errors} />
          <SubmitButton>{v.t('directory.stewards.add')}</SubmitButton>
        </form>
      )}
    </section>
  );
}


export function organizationPages(app: App): void {
  app.get('/directory/organizations/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, (req, reply) => organizationPage(req, reply, req.params.id));

  app.post('/directory/organizations/:id/stewards', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const org = await req.ctx.db.selectFrom('directory_organization').select('id').where('id', '=', id).executeTakeFirst();
    if (!org) throw notFound('No such organization.');
    try {
      await addSteward(req.ctx, { directory_organization_id: id, account_organization_id: formBody(req.body).account_organization_id ?? '' });
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return organizationPage(req, reply, id, errors, 400);
    }
    return reply.redirect(`/directory/organizations/${id}#stewards`);
  });

  app.post(
    '/directory/organizations/:id/stewards/:accountOrganizationId/remove',
    { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: Type.Object({ id: Uuid, accountOrganizationId: Uuid }) } },
    async (req, reply) => {
      const p = req.params;
      await removeSteward(req.ctx, { directory_organization_id: p.id, account_organization_id: p.accountOrganizationId });
      return reply.redirect(`/directory/organizations/${p.id}#stewards`);
    },
  );
}
