import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import type { App } from '../../../platform/module.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, Uuid } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { Breadcrumbs, Checkboxes, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { createReferral } from '../commands.ts';
import { findServices, organizationsActedFor, serviceInfo, sharedNetworks, type ServiceInfo } from '../deps.ts';
import { SEND } from '../permissions.ts';
import { CLIENT_FIELDS, CONSENT_FORM, NEEDS, URGENCIES } from '../schema.ts';
import { FormPost, list, opts, val, type Input } from './common.tsx';
import { idempotent } from '../../../platform/http/idempotency.ts';

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

interface NewProps {
  v: View;
  q?: string;
  results?: { total: number; items: ServiceInfo[] };
  service?: ServiceInfo;
  senders: { id: string; name: string }[];
  networks: { id: string; name: string }[];
  errors?: FieldError[];
  input?: Input;
}

function SearchForm({ v, q, results, own }: { v: View; q?: string; results?: NewProps['results']; own: string[] }) {
  return (
    <section aria-labelledby="find-service">
      <h2 id="find-service">{v.t('rf.find')}</h2>
      <form method="get" action="/referrals/new" class="usa-form usa-form--large" role="search">
        <TextInput name="q" label={v.t('rf.find.q')} hint={v.t('rf.find.hint')} value={q} />
        <SubmitButton secondary>{v.t('rf.find.go')}</SubmitButton>
      </form>
      {results && (
        <Table
          v={v}
          caption={v.t('rf.find.results', { n: results.total })}
          head={[v.t('rf.service'), v.t('rf.organization'), v.t('rf.choose')]}
          rows={results.items.map((s) => [
            <a href={`/directory/services/${s.id}`}>{s.name}</a>,
            s.organization_name,
            own.includes(s.organization_id) ? (
              v.t('rf.find.own')
            ) : s.receives ? (
              <a href={`/referrals/new?service_id=${s.id}`} aria-label={v.t('rf.refer.to', { name: s.name })}>
                {v.t('rf.refer')}
              </a>
            ) : (
              v.t('rf.find.noreceiver')
            ),
          ])}
        />
      )}
    </section>
  );
}

function NewReferralPage(p: NewProps) {
  const { v, service, input, errors } = p;
  const consentFields = input ? list(input['consent.fields']) : [];
  return (
    <div>
      <Breadcrumbs items={[{ href: '/referrals', label: v.t('rf.title') }, { label: v.t('rf.new') }]} />
      <h1>{v.t('rf.new')}</h1>
      {!service && <SearchForm v={v} q={p.q} results={p.results} own={p.senders.map((o) => o.id)} />}
      {service && (
        <form method="post" action="/referrals" class="usa-form usa-form--large">
          <ErrorSummary v={v} errors={errors ?? []} />
          <Csrf v={v} />
          <IdempotencyKey />
          <input type="hidden" name="service_id" value={service.id} />
          <h2>{v.t('rf.service')}</h2>
          <p>
            <strong>{service.name}</strong> — {service.organization_name} (<a href="/referrals/new">{v.t('rf.change')}</a>)
          </p>
          {service.locations.length > 1 && (
            <Select name="location_id" label={v.t('rf.location')} value={val(input, 'location_id')} blank={v.t('rf.location.any')} options={service.locations.map((l) => ({ value: l.id, label: l.name || v.t('rf.location.confidential') }))} errors={errors} />
          )}
          {p.senders.length !== 1 && (
            <Select name="sender_organization_id" label={v.t('rf.from')} required value={val(input, 'sender_organization_id')} blank={v.t('rf.choose')} options={p.senders.map((o) => ({ value: o.id, label: o.name }))} errors={errors} />
          )}
          {p.networks.length > 0 && <Select name="network_id" label={v.t('rf.network')} hint={v.t('rf.network.hint')} value={val(input, 'network_id')} blank={v.t('rf.network.none')} options={p.networks.map((n) => ({ value: n.id, label: n.name }))} errors={errors} />}
          <Checkboxes name="needs" label={v.t('rf.needs')} values={list(input?.needs)} options={opts(v, 'rf.need', NEEDS)} errors={errors} />
          <Select name="urgency" label={v.t('rf.urgency')} required value={val(input, 'urgency') ?? 'routine'} options={opts(v, 'rf.urgency', URGENCIES)} errors={errors} />
          <TextArea name="note" label={v.t('rf.note')} hint={v.t('rf.note.hint')} value={val(input, 'note')} errors={errors} />

          <h2>{v.t('rf.consent')}</h2>
          <p>{v.t('rf.consent.intro')}</p>
          <div class="usa-summary-box margin-bottom-2" role="region" aria-labelledby="consent-form-heading">
            <div class="usa-summary-box__body">
              <h3 class="usa-summary-box__heading" id="consent-form-heading">
                {v.t('rf.consent.form', { version: CONSENT_FORM.version })}
              </h3>
              <div class="usa-summary-box__text">
                <p>{CONSENT_FORM.text}</p>
              </div>
            </div>
          </div>
          <input type="hidden" name="consent.form_version" value={CONSENT_FORM.version} />
          <Checkboxes name="consent.fields" label={v.t('rf.consent.fields')} hint={v.t('rf.consent.fields.hint')} values={consentFields} options={opts(v, 'rf.client', CLIENT_FIELDS)} errors={errors} />
          <TextInput name="consent.expires_on" label={v.t('rf.consent.expires')} hint={v.t('rf.consent.expires.hint')} type="date" value={val(input, 'consent.expires_on') ?? dayOffset(90)} errors={errors} />
          <Checkboxes name="consent.attested" label={v.t('rf.consent.attest.legend')} values={list(input?.['consent.attested'])} options={[{ value: 'true', label: v.t('rf.consent.attest') }]} errors={errors} />

          <h2>{v.t('rf.client.title')}</h2>
          <p>{v.t('rf.client.intro')}</p>
          <TextInput name="client.name" label={v.t('rf.client.name')} value={val(input, 'client.name')} errors={errors} maxLength={200} autocomplete="off" />
          <TextInput name="client.phone" label={v.t('rf.client.phone')} type="tel" value={val(input, 'client.phone')} errors={errors} maxLength={40} autocomplete="off" />
          <TextInput name="client.email" label={v.t('rf.client.email')} type="email" value={val(input, 'client.email')} errors={errors} maxLength={254} autocomplete="off" />
          <TextInput name="client.preferred_language" label={v.t('rf.client.preferred_language')} value={val(input, 'client.preferred_language')} errors={errors} maxLength={200} autocomplete="off" />
          <TextInput name="client.date_of_birth" label={v.t('rf.client.date_of_birth')} type="date" value={val(input, 'client.date_of_birth')} errors={errors} autocomplete="off" />
          <TextArea name="client.safe_contact" label={v.t('rf.client.safe_contact')} hint={v.t('rf.client.safe_contact.hint')} value={val(input, 'client.safe_contact')} errors={errors} />
          <div class="usa-button-group margin-top-3">
            <SubmitButton name="send" value="true">
              {v.t('rf.send')}
            </SubmitButton>
            <SubmitButton name="send" value="false" secondary>
              {v.t('rf.draft')}
            </SubmitButton>
          </div>
        </form>
      )}
    </div>
  );
}

/** The form's flat, dotted field names become the API's nested input, so both meet the same rules and messages. */
export function referralFromForm(body: Input): Input {
  const out: Input = {};
  const consent: Input = {};
  const client: Input = {};
  for (const [k, x] of Object.entries(body)) {
    if (k.startsWith('consent.')) consent[k.slice(8)] = x;
    else if (k.startsWith('client.')) client[k.slice(7)] = x;
    else out[k] = x;
  }
  // The form always carries its version and a default end date; consent is given when details are chosen or attested.
  if (consent.fields !== undefined || consent.attested !== undefined) {
    if (consent.attested !== undefined) consent.attested = list(consent.attested).includes('true');
    if (consent.attested === false) delete consent.attested;
    if (consent.fields !== undefined) consent.fields = list(consent.fields);
    out.consent = consent;
  }
  if (Object.keys(client).length) out.client = client;
  if (out.needs !== undefined) out.needs = list(out.needs);
  return out;
}

export async function newReferralPages(app: App): Promise<void> {
  const newPage = async (req: FastifyRequest, reply: FastifyReply, q: { q?: string; service_id?: string }, extra: { errors?: FieldError[]; input?: Input } = {}, status = 200) => {
    const serviceId = q.service_id;
    const service = serviceId ? await serviceInfo(req.ctx.db, serviceId) : undefined;
    const senders = await organizationsActedFor(req.ctx.db, req.ctx.actor!.organizationId);
    const networks = service ? (await Promise.all(senders.map((s) => sharedNetworks(req.ctx.db, s.id, service.organization_id)))).flat().filter((n, i, all) => all.findIndex((x) => x.id === n.id) === i) : [];
    const results = !service && q.q ? await findServices(req.ctx.db, req.ctx.dbKind, q.q, 1) : undefined;
    const v = req.view();
    return reply.page(v.t('rf.new'), <NewReferralPage v={v} q={q.q} results={results} service={service} senders={senders} networks={networks} {...extra} />, service || !serviceId ? status : 404);
  };

  const newQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), service_id: Type.Optional(Uuid) }, { additionalProperties: false });
  app.get('/referrals/new', { config: { access: { permission: SEND } }, schema: { ...hidden, querystring: newQuery } }, (req, reply) => newPage(req, reply, req.query));
  app.post('/referrals', { config: { access: { permission: SEND } }, schema: { ...hidden, body: FormPost } }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      // The form carries an idempotency key: sent twice, it makes one referral and both answers lead to it.
      const { location } = await idempotent(req, async () => `/referrals/${(await createReferral(req.ctx, referralFromForm(input), { coerce: true })).id}`);
      return reply.redirect(location);
    } catch (err) {
      const errors = formErrors(err);
      const serviceId = typeof input.service_id === 'string' && /^[0-9a-f-]{36}$/i.test(input.service_id) ? input.service_id : undefined;
      if (errors) return newPage(req, reply, { service_id: serviceId }, { errors, input }, 400);
      throw err;
    }
  });
}
