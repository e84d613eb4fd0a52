import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../platform/web/view.ts';
import type { App } from '../../platform/module.ts';
import { HttpError, type FieldError } from '../../platform/http/errors.ts';
import { formErrors } from '../../platform/http/forms.ts';
import { hidden, IdParams, pageOf, Uuid } from '../../platform/http/schemas.ts';
import { formBody } from '../../platform/http/validation.ts';
import { ActionButton, Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../platform/web/components.tsx';
import { UsMap, shadeOf, type Shade } from '../../platform/web/us-map.tsx';
import { stateByCode } from '../../platform/geo/us.ts';
import type { Cell } from '../../platform/stats/suppress.ts';
import { createReferral, markNotificationsRead, readClient, referralFor, revokeConsent, transition } from './commands.ts';
import { allNetworks, findServices, organizationsActedFor, serviceInfo, sharedNetworks, stewardedOrganizations, type ServiceInfo } from './deps.ts';
import { CLIENT_READ, READ, SEND, STATS } from './permissions.ts';
import { CLIENT_FIELDS, CONSENT_FORM, DECLINE_REASONS, NEEDS, OUTCOME_REASONS, OUTCOMES, URGENCIES, type ClientField } from './schema.ts';
import { listItem, referralOut, statsFor } from './api.ts';
import { listNotifications, listReferrals, unreadCount } from './store.ts';
import { NO_AREA, type StatTable, type Stats } from './stats.ts';

type Input = Record<string, unknown>;
type Out = Awaited<ReturnType<typeof referralOut>>;

const val = (input: Input | undefined, k: string) => (input?.[k] === undefined ? undefined : String(input[k]));
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);
const opts = (v: View, prefix: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`${prefix}.${x}`) }));
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const BOXES = ['all', 'received', 'sent'] as const;

function StatusTag({ v, status }: { v: View; status: string }) {
  const closed = ['declined', 'completed', 'cancelled', 'expired'].includes(status);
  return <span class={`usa-tag${closed ? ' bg-base-dark' : ''}`}>{v.t(`rf.status.${status}`)}</span>;
}

// ---------- inbox ----------

interface InboxProps {
  v: View;
  box: string;
  status?: string;
  items: ReturnType<typeof listItem>[];
  total: number;
  page: number;
  perPage: number;
  unread: number;
  notes: Awaited<ReturnType<typeof listNotifications>>;
  actsFor: { id: string; name: string }[];
}

function InboxPage(p: InboxProps) {
  const { v } = p;
  return (
    <div>
      <h1>{v.t('rf.title')}</h1>
      <p class="usa-intro">{v.t('rf.intro')}</p>
      {p.actsFor.length === 0 ? (
        <Alert type="warning" slim>
          {v.t('rf.nosteward')}
        </Alert>
      ) : (
        <p>
          {v.t('rf.actsfor')}: {p.actsFor.map((o) => o.name).join(', ')}
        </p>
      )}
      <ul class="usa-button-group margin-y-2">
        {v.can(SEND) && (
          <li class="usa-button-group__item">
            <a class="usa-button" href="/referrals/new">
              {v.t('rf.new')}
            </a>
          </li>
        )}
        {v.can(STATS) && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href="/referrals/stats">
              {v.t('rf.stats.title')}
            </a>
          </li>
        )}
      </ul>
      <h2>{v.t('rf.notifications', { n: p.unread })}</h2>
      {p.notes.length > 0 && (
        <>
          <ul class="usa-list">
            {p.notes.map((n) => (
              <li>
                <a href={`/referrals/${n.referral_id}`}>{v.t(`rf.notify.${n.kind}`)}</a> — {v.t(`rf.status.${n.status}`)}, {when(n.created_at)}
              </li>
            ))}
          </ul>
          <ActionButton v={v} action="/referrals/notifications/read" secondary>
            {v.t('rf.notifications.read')}
          </ActionButton>
        </>
      )}
      <h2>{v.t('rf.list')}</h2>
      <nav aria-label={v.t('rf.boxes')}>
        <ul class="usa-button-group usa-button-group--segmented margin-bottom-2">
          {BOXES.map((b) => (
            <li class="usa-button-group__item">
              <a class={`usa-button${p.box === b ? '' : ' usa-button--outline'}`} href={`/referrals?box=${b}`} aria-current={p.box === b ? 'page' : undefined}>
                {v.t(`rf.box.${b}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Table
        v={v}
        caption={v.t(`rf.box.${p.box}`)}
        head={[v.t('rf.service'), v.t('rf.from'), v.t('rf.to'), v.t('rf.needs'), v.t('rf.urgency'), v.t('rf.status'), v.t('rf.updated')]}
        rows={p.items.map((r) => [
          <a href={`/referrals/${r.id}`}>{r.service.name}</a>,
          r.sender_organization.name,
          r.receiver_organization.name,
          r.needs.map((n) => v.t(`rf.need.${n}`)).join(', '),
          v.t(`rf.urgency.${r.urgency}`),
          <StatusTag v={v} status={r.status} />,
          when(r.updated_at),
        ])}
      />
      <Pager v={v} page={p.page} perPage={p.perPage} total={p.total} />
    </div>
  );
}

// ---------- new referral ----------

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

// ---------- one referral ----------

function ActionForm({ v, r, action, errors, input }: { v: View; r: Out; action: string; errors?: FieldError[]; input?: Input }) {
  const mine = input?.action === action;
  const e = mine ? errors : undefined;
  return (
    <form method="post" action={`/referrals/${r.id}/transition`} class="usa-form margin-bottom-4 border-top-1px border-base-lighter padding-top-2">
      <h3>{v.t(`rf.action.${action}`)}</h3>
      <Csrf v={v} />
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="version" value={String(r.version)} />
      {action === 'decline' && <Select name="reason" label={v.t('rf.decline.reason')} required value={mine ? val(input, 'reason') : undefined} blank={v.t('rf.choose')} options={opts(v, 'rf.reason', DECLINE_REASONS)} errors={e} />}
      {action === 'complete' && (
        <>
          <Select name="outcome" label={v.t('rf.outcome')} required value={mine ? val(input, 'outcome') : undefined} blank={v.t('rf.choose')} options={opts(v, 'rf.outcome', OUTCOMES)} errors={e} />
          <Select name="outcome_reason" label={v.t('rf.outcome.reason')} hint={v.t('rf.outcome.reason.hint')} value={mine ? val(input, 'outcome_reason') : undefined} blank={v.t('rf.none')} options={opts(v, 'rf.reason', OUTCOME_REASONS)} errors={e} />
        </>
      )}
      {/* Each form has its own ids: several forms on one page share field names. */}
      <div class="usa-form-group">
        <label class="usa-label" for={`note-${action}`}>
          {v.t('rf.step.note')}
        </label>
        <div class="usa-hint" id={`note-${action}-hint`}>
          {v.t('rf.step.note.hint')}
        </div>
        <textarea class="usa-textarea" id={`note-${action}`} name="note" rows={2} aria-describedby={`note-${action}-hint`}>
          {mine ? (val(input, 'note') ?? '') : ''}
        </textarea>
      </div>
      <SubmitButton secondary={action === 'cancel'}>{v.t(`rf.action.${action}`)}</SubmitButton>
    </form>
  );
}

function ReferralPage({ v, r, errors, input, problem }: { v: View; r: Out; errors?: FieldError[]; input?: Input; problem?: string }) {
  const rows: [string, string][] = [
    [v.t('rf.from'), r.sender_organization.name],
    [v.t('rf.to'), r.receiver_organization.name],
    [v.t('rf.needs'), r.needs.map((n) => v.t(`rf.need.${n}`)).join(', ')],
    [v.t('rf.urgency'), v.t(`rf.urgency.${r.urgency}`)],
    [v.t('rf.network'), r.network?.name ?? v.t('rf.network.none')],
    [v.t('rf.created'), when(r.created_at)],
    [v.t('rf.sent'), when(r.sent_at)],
    [v.t('rf.accepted'), when(r.accepted_at)],
    [v.t('rf.closed'), when(r.closed_at)],
  ];
  if (r.decline_reason) rows.push([v.t('rf.decline.reason'), v.t(`rf.reason.${r.decline_reason}`)]);
  if (r.outcome) rows.push([v.t('rf.outcome'), v.t(`rf.outcome.${r.outcome}`) + (r.outcome_reason ? ` — ${v.t(`rf.reason.${r.outcome_reason}`)}` : '')]);
  return (
    <div>
      <Breadcrumbs items={[{ href: '/referrals', label: v.t('rf.title') }, { label: r.service.name }]} />
      <h1>
        {v.t('rf.referral')}: {r.service.name}
      </h1>
      <p>
        <StatusTag v={v} status={r.status} /> {v.t(`rf.side.${r.side}`)}
      </p>
      {problem && (
        <Alert type="error" heading={v.t('rf.conflict')}>
          {problem}
        </Alert>
      )}
      <dl class="usa-list usa-list--unstyled">
        {rows.map(([k, x]) => (
          <div class="margin-bottom-1">
            <dt class="text-bold display-inline">{k}:</dt> <dd class="display-inline margin-left-0">{x}</dd>
          </div>
        ))}
      </dl>
      <h2>{v.t('rf.note')}</h2>
      <p>{r.purged ? v.t('rf.purged') : (r.note ?? v.t('rf.none'))}</p>

      <h2>{v.t('rf.consent')}</h2>
      {r.consent ? (
        <>
          <p>
            {v.t('rf.consent.summary', { version: r.consent.form_version, at: when(r.consent.attested_at), until: r.consent.expires_on })}
          </p>
          <p>
            {v.t('rf.consent.fields')}: {r.consent.fields.map((f) => v.t(`rf.client.${f}`)).join(', ')}
          </p>
          <p>{r.consent.revoked_at ? v.t('rf.consent.revoked', { at: when(r.consent.revoked_at) }) : r.consent.active ? v.t('rf.consent.active') : v.t('rf.consent.expired')}</p>
          {!r.consent.revoked_at && (
            <form method="post" action={`/referrals/${r.id}/revoke`} class="usa-form">
              <Csrf v={v} />
              <div class="usa-form-group">
                <label class="usa-label" for="revoke-note">
                  {v.t('rf.step.note')}
                </label>
                <textarea class="usa-textarea" id="revoke-note" name="note" rows={2}></textarea>
              </div>
              <SubmitButton secondary>{v.t('rf.consent.revoke')}</SubmitButton>
            </form>
          )}
        </>
      ) : (
        <p>{v.t('rf.consent.none')}</p>
      )}

      <h2>{v.t('rf.client.title')}</h2>
      {r.purged ? (
        <p>{v.t('rf.purged')}</p>
      ) : r.client_visible ? (
        <p>
          {v.t('rf.client.shared', { fields: r.client_fields.map((f) => v.t(`rf.client.${f}`)).join(', ') })} <a href={`/referrals/${r.id}/client`}>{v.t('rf.client.show')}</a>
        </p>
      ) : (
        <p>{r.client_fields.length ? v.t('rf.client.hidden') : v.t('rf.client.none')}</p>
      )}

      {r.allowed_actions.length > 0 && (
        <section aria-labelledby="next-steps">
          <h2 id="next-steps">{v.t('rf.steps')}</h2>
          <ErrorSummary v={v} errors={errors ?? []} />
          {r.allowed_actions.map((a) => (
            <ActionForm v={v} r={r} action={a} errors={errors} input={input} />
          ))}
        </section>
      )}

      <Table
        v={v}
        caption={v.t('rf.timeline')}
        head={[v.t('rf.when'), v.t('rf.step'), v.t('rf.by'), v.t('rf.reason'), v.t('rf.step.note')]}
        rows={r.events.map((e) => [
          when(e.at),
          v.t(`rf.event.${e.action}`),
          e.actor_organization ? `${e.actor_name} (${e.actor_organization})` : e.actor_name,
          e.reason ? v.t(`rf.reason.${e.reason}`) : '—',
          e.note ?? '—',
        ])}
      />
    </div>
  );
}

function ClientPage({ v, r, fields }: { v: View; r: Out; fields: Partial<Record<ClientField, string>> }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/referrals', label: v.t('rf.title') }, { href: `/referrals/${r.id}`, label: r.service.name }, { label: v.t('rf.client.title') }]} />
      <h1>{v.t('rf.client.title')}</h1>
      <Alert type="info" slim>
        {v.t('rf.client.audited')}
      </Alert>
      <Table v={v} caption={v.t('rf.client.title')} head={[v.t('rf.client.field'), v.t('rf.client.value')]} rows={CLIENT_FIELDS.filter((f) => fields[f] !== undefined).map((f) => [v.t(`rf.client.${f}`), fields[f]!])} />
    </div>
  );
}

// ---------- statistics ----------

const cellText = (v: View, c: Cell) => (c.suppressed ? v.t('rf.stats.suppressed') : String(c.value));

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
  const areaLabel = (key: string, label: string) => (key === NO_AREA ? v.t('rf.stats.area.unknown') : label);
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

// ---------- routes ----------

// Page posts take any form fields: the command validates them, so that a bad value re-renders the form with the
// problem beside its field instead of a bare error page.
const FormPost = Type.Object({}, { additionalProperties: true });
const IdPage = { ...hidden, params: IdParams };

/** An empty query value is no value, as a form left blank means. */
const given = (x: string | undefined) => (x === undefined || x.trim() === '' ? undefined : x.trim());

export async function referralsPages(app: App): Promise<void> {
  const newPage = async (req: FastifyRequest, reply: FastifyReply, q: { q?: string; service_id?: string }, extra: { errors?: FieldError[]; input?: Input } = {}, status = 200) => {
    const serviceId = q.service_id;
    const service = serviceId ? await serviceInfo(req.ctx.db, serviceId) : undefined;
    const senders = await organizationsActedFor(req.ctx.db, req.ctx.actor!.organizationId);
    const networks = service ? (await Promise.all(senders.map((s) => sharedNetworks(req.ctx.db, s.id, service.organization_id)))).flat().filter((n, i, all) => all.findIndex((x) => x.id === n.id) === i) : [];
    const results = !service && q.q ? await findServices(req.ctx.db, req.ctx.dbKind, q.q, 1) : undefined;
    const v = req.view();
    return reply.page(v.t('rf.new'), <NewReferralPage v={v} q={q.q} results={results} service={service} senders={senders} networks={networks} {...extra} />, service || !serviceId ? status : 404);
  };

  const referralPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input; problem?: string } = {}, status = 200) => {
    const { ref, side } = await referralFor(req.ctx, id);
    const r = await referralOut(req.ctx, ref, side);
    const v = req.view();
    return reply.page(`${v.t('rf.referral')}: ${r.service.name}`, <ReferralPage v={v} r={r} {...extra} />, status);
  };

  const inboxQuery = Type.Object(
    { box: Type.Optional(Type.String({ maxLength: 20 })), status: Type.Optional(Type.String({ maxLength: 20 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) },
    { additionalProperties: false },
  );
  app.get('/referrals', { config: { access: { permission: READ } }, schema: { ...hidden, querystring: inboxQuery } }, async (req, reply) => {
    const { page, perPage, offset } = pageOf({ page: req.query.page, per_page: 25 });
    const box = BOXES.find((b) => b === req.query.box) ?? 'all';
    const actor = req.ctx.actor!;
    const actedFor = await stewardedOrganizations(req.ctx.db, actor.organizationId);
    const { items, total } = await listReferrals(req.ctx.db, { actedFor, box, limit: perPage, offset });
    const [unread, notes, actsFor] = await Promise.all([unreadCount(req.ctx.db, actor.id), listNotifications(req.ctx.db, actor.id, { unreadOnly: true, limit: 20 }), organizationsActedFor(req.ctx.db, actor.organizationId)]);
    const v = req.view();
    return reply.page(v.t('rf.title'), <InboxPage v={v} box={box} items={items.map((r) => listItem(r, actedFor))} total={total} page={page} perPage={perPage} unread={unread} notes={notes} actsFor={actsFor} />);
  });
  app.post('/referrals/notifications/read', { config: { access: { permission: READ } }, schema: hidden }, async (req, reply) => {
    await markNotificationsRead(req.ctx);
    return reply.redirect('/referrals');
  });

  const newQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), service_id: Type.Optional(Uuid) }, { additionalProperties: false });
  app.get('/referrals/new', { config: { access: { permission: SEND } }, schema: { ...hidden, querystring: newQuery } }, (req, reply) => newPage(req, reply, req.query));
  app.post('/referrals', { config: { access: { permission: SEND } }, schema: { ...hidden, body: FormPost } }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      const ref = await createReferral(req.ctx, referralFromForm(input), { coerce: true });
      return reply.redirect(`/referrals/${ref.id}`);
    } catch (err) {
      const errors = formErrors(err);
      const serviceId = typeof input.service_id === 'string' && /^[0-9a-f-]{36}$/i.test(input.service_id) ? input.service_id : undefined;
      if (errors) return newPage(req, reply, { service_id: serviceId }, { errors, input }, 400);
      throw err;
    }
  });

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

  app.get('/referrals/:id', { config: { access: { permission: READ } }, schema: IdPage }, async (req, reply) => {
    const id = req.params.id;
    const res = await referralPage(req, reply, id);
    // Opening a referral reads its notifications.
    await markNotificationsRead(req.ctx, id);
    return res;
  });
  app.post('/referrals/:id/transition', { config: { access: { permission: READ } }, schema: { ...IdPage, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await transition(req.ctx, id, input, { coerce: true });
      return reply.redirect(`/referrals/${id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return referralPage(req, reply, id, { errors, input }, 400);
      if (err instanceof HttpError && err.status === 409) return referralPage(req, reply, id, { problem: err.detail }, 409);
      throw err;
    }
  });
  app.post('/referrals/:id/revoke', { config: { access: { permission: READ } }, schema: { ...IdPage, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await revokeConsent(req.ctx, id, formBody(req.body), { coerce: true });
      return reply.redirect(`/referrals/${id}`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) return referralPage(req, reply, id, { problem: err.detail }, 409);
      const errors = formErrors(err);
      if (errors) return referralPage(req, reply, id, { problem: errors.map((e) => `${e.field}: ${e.message}`).join('; ') }, 400);
      throw err;
    }
  });
  app.get('/referrals/:id/client', { config: { access: { permission: CLIENT_READ } }, schema: IdPage }, async (req, reply) => {
    const id = req.params.id;
    const fields = await readClient(req.ctx, id);
    const { ref, side } = await referralFor(req.ctx, id);
    const r = await referralOut(req.ctx, ref, side);
    const v = req.view();
    reply.header('cache-control', 'no-store');
    return reply.page(v.t('rf.client.title'), <ClientPage v={v} r={r} fields={fields} />);
  });
}

async function listAllNetworks(req: FastifyRequest): Promise<{ value: string; label: string }[]> {
  return (await allNetworks(req.ctx.db)).map((n) => ({ value: n.id, label: n.name }));
}
