/** "My listings": what a provider's staff look after, their capacities and their own proposals. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { hidden, Uuid } from '../../../platform/http/schemas.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, Pager, SubmitButton, TextInput } from '../../../platform/web/components.tsx';
import { FormPost, PageNumber } from '../schema.ts';
import { updateCapacity } from '../commands.ts';
import { CONFIDENTIAL } from '../permissions.ts';
import { stewardedOrganizations } from '../stewards.ts';
import { listingsOf, listProposals } from '../editing.ts';
import { PROPOSE_ACCESS, s, ProposalTable, Section, type Form, LIST_PAGE } from './shared.tsx';

const DONE = ['capacity', 'withdrawn'] as const;

type MyQuery = { done?: (typeof DONE)[number]; page?: number };

async function myPage(req: FastifyRequest, reply: FastifyReply, q: MyQuery, errors: FieldError[] = [], form: Form = {}, status = 200) {
    const v = req.view();
    const actor = req.actor!;
    const listings = await listingsOf(req.ctx.db, await stewardedOrganizations(req.ctx.db, actor.organizationId), v.can(CONFIDENTIAL));
    const page = q.page ?? 1;
    const mine = await listProposals(req.ctx.db, { proposerId: actor.id }, LIST_PAGE, (page - 1) * LIST_PAGE);
    return reply.page(
      v.t('directory.my.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: v.t('directory.my.title') }]} />
        <h1>{v.t('directory.my.title')}</h1>
        {q.done === 'capacity' && <Alert type="success" slim>{v.t('directory.capacity.updated')}</Alert>}
        {q.done === 'withdrawn' && <Alert type="success" slim>{v.t('directory.proposal.withdrawn')}</Alert>}
        <ErrorSummary v={v} errors={errors} />
        {listings.length === 0 ? <p>{v.t('directory.my.none')}</p> : <p>{v.t('directory.my.intro')}</p>}
        {listings.map((l, li) => (
          <Section id={`listing-${li}`} title={l.name}>
            <ul class="usa-list">
              <li>
                <a href={`/directory/organizations/${l.id}`}>{v.t('directory.my.view')}</a>
              </li>
              <li>
                <a href={`/directory/organizations/${l.id}/edit`}>
                  {v.t('directory.my.edit.organization')} <span class="usa-sr-only">{l.name}</span>
                </a>
              </li>
            </ul>
            <h3>{v.t('directory.services_of')}</h3>
            <ul class="usa-list">
              {l.services.map((x) => (
                <li>
                  <a href={`/directory/services/${x.id}`}>{x.name}</a> — <a href={`/directory/services/${x.id}/edit`}>{v.t('directory.my.edit')} <span class="usa-sr-only">{x.name}</span></a>
                </li>
              ))}
            </ul>
            {l.services.flatMap((x) =>
              x.capacities.map((c) => (
                <form method="post" action={`/directory/services/${x.id}/capacities/${c.id}`} class="usa-form margin-bottom-2">
                  <Csrf v={v} />
                  <TextInput
                    name={`available-${c.id}`}
                    label={v.t('directory.capacity.label', { unit: c.unit || v.t('directory.capacity.places'), service: x.name })}
                    hint={v.t('directory.capacity.hint', { maximum: c.maximum === null ? '?' : String(c.maximum), updated: c.updated.slice(0, 16).replace('T', ' ') })}
                    inputmode="numeric"
                    value={s(form[`available-${c.id}`]) ?? String(c.available)}
                    errors={errors}
                  />
                  <SubmitButton secondary>{v.t('directory.capacity.update')}</SubmitButton>
                </form>
              )),
            )}
            <h3>{v.t('directory.locations')}</h3>
            <ul class="usa-list">
              {l.locations.map((x) => (
                <li>
                  {x.name} — <a href={`/directory/locations/${x.id}/edit`}>{v.t('directory.my.edit.address')} <span class="usa-sr-only">{x.name}</span></a>
                </li>
              ))}
            </ul>
          </Section>
        ))}
        <Section id="my-proposals" title={v.t('directory.my.proposals')}>
          <ProposalTable v={v} caption={v.t('directory.my.proposals')} items={mine.items} showProposer={false} />
          <Pager v={v} page={page} perPage={LIST_PAGE} total={mine.total} />
        </Section>
      </>,
      status,
    );
  }



export function listingPages(app: App): void {
  app.get('/directory/my', { config: PROPOSE_ACCESS, schema: { ...hidden, querystring: Type.Object({ done: Type.Optional(Type.Union(DONE.map((d) => Type.Literal(d)))), page: PageNumber }) } }, (req, reply) => myPage(req, reply, req.query));

  app.post('/directory/services/:id/capacities/:capacityId', { config: PROPOSE_ACCESS, schema: { ...hidden, params: Type.Object({ id: Uuid, capacityId: Uuid }), body: FormPost } }, async (req, reply) => {
    const p = req.params;
    const body = formBody(req.body);
    const raw = s(body[`available-${p.capacityId}`]) ?? s(body.available) ?? '';
    try {
      // Not a whole number: passed on as typed, so that the command names the field.
      await updateCapacity(req.ctx, p.id, p.capacityId, { available: /^\d{1,6}$/.test(raw) ? Number(raw) : raw });
    } catch (err) {
      const found = formErrors(err);
      if (!found) throw err;
      const errors = found.map((e) => (e.field === 'available' ? { ...e, field: `available-${p.capacityId}` } : e));
      return myPage(req, reply, {}, errors, body, 400);
    }
    return reply.redirect('/directory/my?done=capacity');
  });
}
