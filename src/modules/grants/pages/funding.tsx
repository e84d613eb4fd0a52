/** The public page "funding for providers serving survivors": opportunities with filters, one opportunity, the feed. */
import { Type } from '@sinclair/typebox';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, ErrorSummary, Pager, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import { NEED_CODES } from './deps.ts';
import { opportunityFor } from '../presenters.ts';
import { OpportunityParams, type Opportunity } from '../schema.ts';
import * as store from '../store.ts';
import { PUBLIC, day, localErrors, money, term } from './shared.tsx';

const PER_PAGE = 50;
const FilterQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  listing: Type.Optional(Type.String({ maxLength: 20 })),
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  need: Type.Optional(Type.String({ maxLength: 60 })),
  open_on: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
});
type Filters = { q?: string; listing?: string; kind?: string; need?: string; open_on?: string };

function checked(q: Filters): { f: Filters; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const f: Filters = {};
  if (q.q?.trim()) f.q = q.q.trim();
  if (q.listing?.trim()) {
    if (/^\d{2}\.\d{3}$/.test(q.listing.trim())) f.listing = q.listing.trim();
    else errors.push({ field: 'listing', message: 'is not in the expected form' });
  }
  if (q.kind) {
    if (q.kind === 'posted' || q.kind === 'forecast') f.kind = q.kind;
    else errors.push({ field: 'kind', message: 'must be one of: posted, forecast' });
  }
  if (q.need) {
    if (NEED_CODES.includes(q.need)) f.need = q.need;
    else errors.push({ field: 'need', message: `must be one of: ${NEED_CODES.join(', ')}` });
  }
  if (q.open_on) {
    const d = new Date(q.open_on + 'T00:00:00Z');
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.open_on) && !Number.isNaN(d.getTime()) && q.open_on >= '1000') f.open_on = q.open_on;
    else errors.push({ field: 'open_on', message: 'must be a valid date' });
  }
  return { f, errors };
}

function FundingPage({ v, f, errors, items, total, page }: { v: View; f: Filters; errors: FieldError[]; items: Opportunity[]; total: number; page: number }) {
  const errs = localErrors(v, errors) ?? [];
  return (
    <div>
      <h1>{v.t('grants.funding.title')}</h1>
      <p class="usa-intro">{v.t('grants.funding.intro')}</p>
      <p>
        <a href="/api/grants/opportunities/close-dates.ics">{v.t('grants.funding.ics')}</a>
      </p>
      <form method="get" action="/grants/funding" class="usa-form" aria-label={v.t('grants.funding.filters')}>
        <ErrorSummary v={v} errors={errs} />
        <TextInput name="q" label={v.t('grants.funding.q')} value={f.q} errors={errs} />
        <TextInput name="listing" label={v.t('grants.funding.listing')} hint={v.t('grants.field.listing.hint')} value={f.listing} errors={errs} />
        <Select name="kind" label={v.t('grants.funding.kind')} blank={v.t('grants.all')} value={f.kind} options={['posted', 'forecast'].map((k) => ({ value: k, label: v.t(`grants.funding.kind.${k}`) }))} errors={errs} />
        <Select name="need" label={v.t('grants.funding.need')} blank={v.t('grants.all')} value={f.need} options={NEED_CODES.map((c) => ({ value: c, label: term(v, c) }))} errors={errs} />
        <TextInput name="open_on" type="date" label={v.t('grants.funding.open')} value={f.open_on} errors={errs} />
        <SubmitButton>{v.t('grants.show')}</SubmitButton>
      </form>
      <Table
        v={v}
        caption={v.t('grants.funding.caption', { n: total })}
        head={[v.t('grants.field.programme'), v.t('grants.funding.agency'), v.t('grants.funding.kind'), v.t('grants.field.listing'), v.t('grants.funding.close'), v.t('grants.funding.ceiling')]}
        rows={items.map((o) => [<a href={`/grants/funding/${o.opportunity_id}`}>{o.title}</a>, o.agency_name ?? '—', v.t(`grants.funding.kind.${o.kind}`), o.listings.join(', ') || '—', (o.close_date ? day(v, o.close_date) : v.t('grants.funding.nodate')), money(v, o.award_ceiling)])}
      />
      <Pager v={v} page={page} perPage={PER_PAGE} total={total} />
    </div>
  );
}

function OpportunityPage({ v, o }: { v: View; o: Opportunity }) {
  const rows: [string, string | preact.ComponentChildren][] = [
    ['grants.funding.agency', o.agency_name ?? '—'],
    ['grants.funding.number', o.number ?? '—'],
    ['grants.funding.kind', v.t(`grants.funding.kind.${o.kind}`)],
    ['grants.field.listing', o.listings.join(', ') || '—'],
    ['grants.funding.post', o.post_date ? day(v, o.post_date) : '—'],
    ['grants.funding.close', (o.close_date ? day(v, o.close_date) : v.t('grants.funding.nodate'))],
    ['grants.funding.ceiling', money(v, o.award_ceiling)],
    ['grants.funding.total', money(v, o.estimated_total)],
    ['grants.funding.expected', o.expected_awards === null ? '—' : String(o.expected_awards)],
    ['grants.funding.eligible', o.eligible.join(', ') || '—'],
    ['grants.funding.matched', o.matched.join(', ') || '—'],
  ];
  return (
    <div>
      <Breadcrumbs items={[{ href: '/grants/funding', label: v.t('grants.funding.title') }, { label: o.title }]} />
      <h1>{o.title}</h1>
      <dl>
        {/* What Grants.gov left empty is left out rather than shown as a dash. */}
        {rows.filter(([, val]) => val !== '—').map(([k, val]) => (
          <>
            <dt class="text-bold margin-top-1">{v.t(k)}</dt>
            <dd class="margin-left-0">{val}</dd>
          </>
        ))}
      </dl>
      {o.description && <p class="usa-prose">{o.description}</p>}
      <p>
        <a href={o.grants_gov_url}>{v.t('grants.funding.grantsgov')}</a>
        {o.url && (
          <>
            {' · '}
            <a href={o.url}>{v.t('grants.funding.more')}</a>
          </>
        )}
      </p>
      {o.plan_id && (
        <p>
          <a href={`/grants/plans/${o.plan_id}`}>{v.t('grants.notice.plan')}</a>
        </p>
      )}
    </div>
  );
}

export async function fundingPages(app: App): Promise<void> {
  app.get('/grants/funding', { config: PUBLIC, schema: { ...hidden, querystring: FilterQuery } }, async (req, reply) => {
    const { f, errors } = checked(req.query);
    const page = req.query.page ?? 1;
    const planIds = f.need ? (await store.listPlans(req.ctx.db)).filter((p) => p.needs.includes(f.need!)).map((p) => p.id) : undefined;
    const r = errors.length ? { items: [], total: 0 } : await store.listOpportunities(req.ctx.db, { q: f.q, listing: f.listing, kind: f.kind, openOn: f.open_on, planIds }, PER_PAGE, (page - 1) * PER_PAGE);
    const v = req.view();
    return reply.page(v.t('grants.funding.title'), <FundingPage v={v} f={{ ...req.query, ...f }} errors={errors} items={r.items.map((o) => opportunityFor(req.ctx, o))} total={r.total} page={page} />, errors.length ? 400 : 200);
  });
  app.get('/grants/funding/:id', { config: PUBLIC, schema: { ...hidden, params: OpportunityParams } }, async (req, reply) => {
    const o = await store.getOpportunity(req.ctx.db, req.params.id);
    if (!o) throw notFound('No such opportunity.');
    return reply.page(o.title, <OpportunityPage v={req.view()} o={opportunityFor(req.ctx, o)} />);
  });
}
