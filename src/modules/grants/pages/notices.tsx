/** Notices to the SPOG: the list with the deadline calendar, filing one, reading it and acknowledging it. */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { Ctx } from '../../../platform/context.ts';
import { principalOf } from '../../../platform/policy.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, FormPage, Select, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { allAgencies } from './deps.ts';
import * as commands from '../commands.ts';
import { mayReview } from '../policies.ts';
import { AFTER_NOTICE_DAYS, FormPost, NOTICE_SUBJECTS, NOTICE_TIMINGS, type Notice, type Plan } from '../schema.ts';
import * as store from '../store.ts';
import { GrantsNav, PLANNERS, COMMITTEE, crumbs, day, localErrors, str } from './shared.tsx';
import { formatInstant } from '../../../platform/web/i18n.ts';

interface Deadline {
  date: string;
  text: string;
  href: string;
}

/** Coming deadlines: notices due before planned post dates (none filed yet), after awards, and plans' close dates. */
function deadlines(v: View, plans: Plan[], notices: Notice[], from: string): Deadline[] {
  const out: Deadline[] = [];
  for (const p of plans) {
    if (p.status === 'cancelled') continue;
    const mine = notices.filter((n) => n.plan_id === p.id);
    if (p.post_date && p.post_date >= from && !mine.some((n) => n.timing === 'before')) out.push({ date: p.post_date, text: `${p.agency_name}: ${v.t('grants.deadline.notice_before', { programme: p.programme })}`, href: `/grants/plans/${p.id}` });
    if (p.close_date && p.close_date >= from) out.push({ date: p.close_date, text: `${p.agency_name}: ${v.t('grants.deadline.closes', { programme: p.programme })}`, href: `/grants/plans/${p.id}` });
  }
  for (const n of notices) {
    if (n.timing === 'before' && n.subject === 'planned_solicitation' && n.plan_id && !notices.some((x) => x.plan_id === n.plan_id && x.timing === 'after')) {
      const due = store.addDays(n.decision_on, AFTER_NOTICE_DAYS);
      if (due >= from) out.push({ date: due, text: `${n.agency_name}: ${v.t('grants.deadline.notice_after', { programme: n.plan_programme ?? '' })}`, href: `/grants/plans/${n.plan_id}` });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date)).slice(0, 100);
}

function NoticeList({ v, notices, due, canFile }: { v: View; notices: Notice[]; due: Deadline[]; canFile: boolean }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.notices') }])} />
      <h1>{v.t('grants.notices')}</h1>
      <p class="usa-intro">{v.t('grants.notices.intro')}</p>
      <GrantsNav v={v} />
      {canFile && (
        <p>
          <a class="usa-button" href="/grants/notices/new">
            {v.t('grants.notice.new')}
          </a>
        </p>
      )}
      <h2>{v.t('grants.deadlines')}</h2>
      <Table v={v} wrap caption={v.t('grants.deadlines.caption')} head={[v.t('grants.deadline.date'), v.t('grants.deadline.what')]} rows={due.map((d) => [day(v, d.date), <a href={d.href}>{d.text}</a>])} />
      <h2>{v.t('grants.notices')}</h2>
      <Table
        v={v}
        caption={`${v.t('grants.notices')} (${notices.length})`}
        head={[v.t('grants.notice.filed'), v.t('grants.field.agency'), v.t('grants.notice.timing'), v.t('grants.notice.subject'), v.t('grants.notice.due_on'), v.t('grants.notice.acks')]}
        rows={notices.map((n) => [
          <a href={`/grants/notices/${n.id}`}>{day(v, n.filed_at.slice(0, 10))}</a>,
          n.agency_name,
          v.t(`grants.timing.${n.timing}`),
          v.t(`grants.subject.${n.subject}`),
          `${day(v, n.due_on)} (${v.t(n.on_time ? 'grants.notice.on_time' : 'grants.notice.late')})`,
          String(n.acknowledgements.length),
        ])}
      />
    </div>
  );
}

function NoticeForm({ v, values, errors, agencies, plans }: { v: View; values: FormValues; errors?: FieldError[]; agencies: { id: string; name: string }[]; plans: Plan[] }) {
  const val = (k: string) => str(values[k]);
  const errs = localErrors(v, errors);
  return (
    <FormPage v={v} title={v.t('grants.notice.new')} action="/grants/notices" errors={errs} cancel="/grants/notices" crumbs={crumbs(v, [{ href: '/grants/notices', label: v.t('grants.notices') }])} save={v.t('grants.notice.new')}>
      <Select name="agency_id" label={v.t('grants.field.agency')} required blank={agencies.length === 1 ? undefined : v.t('grants.choose')} value={val('agency_id')} options={agencies.map((a) => ({ value: a.id, label: a.name }))} errors={errs} />
      <Select name="plan_id" label={v.t('grants.notice.plan')} blank={v.t('grants.none')} value={val('plan_id')} options={plans.map((p) => ({ value: p.id, label: `${p.programme} (${v.t('grants.fy.value', { fy: p.fiscal_year })})` }))} errors={errs} />
      <Select name="timing" label={v.t('grants.notice.timing')} required blank={v.t('grants.choose')} value={val('timing')} options={NOTICE_TIMINGS.map((x) => ({ value: x, label: v.t(`grants.timing.${x}`) }))} errors={errs} />
      <Select name="subject" label={v.t('grants.notice.subject')} required blank={v.t('grants.choose')} value={val('subject')} options={NOTICE_SUBJECTS.map((x) => ({ value: x, label: v.t(`grants.subject.${x}`) }))} errors={errs} />
      <TextInput name="decision_on" type="date" label={v.t('grants.notice.decision_on')} required value={val('decision_on')} errors={errs} />
      <TextArea name="summary" label={v.t('grants.notice.summary')} required value={val('summary')} errors={errs} />
    </FormPage>
  );
}

function NoticePage({ v, n, canAck }: { v: View; n: Notice; canAck: boolean }) {
  const title = v.t('grants.notice.title', { agency: n.agency_name });
  const acked = n.acknowledgements.some((a) => a.user_id === v.actor?.id);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ href: '/grants/notices', label: v.t('grants.notices') }, { label: title }])} />
      <h1>{title}</h1>
      <dl>
        <dt class="text-bold">{v.t('grants.notice.timing')}</dt>
        <dd class="margin-left-0">{v.t(`grants.timing.${n.timing}`)}</dd>
        <dt class="text-bold margin-top-1">{v.t('grants.notice.subject')}</dt>
        <dd class="margin-left-0">{v.t(`grants.subject.${n.subject}`)}</dd>
        {n.plan_id && (
          <>
            <dt class="text-bold margin-top-1">{v.t('grants.notice.plan')}</dt>
            <dd class="margin-left-0">
              <a href={`/grants/plans/${n.plan_id}`}>{n.plan_programme}</a>
            </dd>
          </>
        )}
        <dt class="text-bold margin-top-1">{v.t('grants.notice.decision_on')}</dt>
        <dd class="margin-left-0">{day(v, n.decision_on)}</dd>
        <dt class="text-bold margin-top-1">{v.t('grants.notice.due_on')}</dt>
        <dd class="margin-left-0">{day(v, n.due_on)}</dd>
        <dt class="text-bold margin-top-1">{v.t('grants.notice.filed')}</dt>
        <dd class="margin-left-0">{`${formatInstant(v.lang, n.filed_at)}, ${n.filed_by} (${v.t(n.on_time ? 'grants.notice.on_time' : 'grants.notice.late')})`}</dd>
        <dt class="text-bold margin-top-1">{v.t('grants.notice.summary')}</dt>
        <dd class="margin-left-0 usa-prose">{n.summary}</dd>
      </dl>
      <h2>{v.t('grants.notice.acks')}</h2>
      {n.acknowledgements.length ? (
        <ul class="usa-list">
          {n.acknowledgements.map((a) => (
            <li>{`${a.user_name}, ${formatInstant(v.lang, a.acknowledged_at)}`}</li>
          ))}
        </ul>
      ) : (
        <p>{v.t('grants.notice.ack.none')}</p>
      )}
      {canAck && (acked ? <Alert type="success" slim>{v.t('grants.notice.acked')}</Alert> : <ActionButton v={v} action={`/grants/notices/${n.id}/acknowledge`}>{v.t('grants.notice.ack')}</ActionButton>)}
    </div>
  );
}

async function filingChoices(ctx: Ctx): Promise<{ agencies: { id: string; name: string }[]; plans: Plan[] }> {
  const mine = await store.agenciesOf(ctx.db, principalOf(ctx));
  const agencies = (await allAgencies(ctx.db)).filter((a) => mine.has(a.id)).map((a) => ({ id: a.id, name: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
  const plans = (await store.listPlans(ctx.db)).filter((p) => mine.has(p.agency_id));
  return { agencies, plans };
}

export async function noticePages(app: App): Promise<void> {
  app.get('/grants/notices', { config: PLANNERS, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const notices = await store.listNotices(req.ctx.db);
    const plans = await store.listPlans(req.ctx.db);
    const canFile = (await store.agenciesOf(req.ctx.db, principalOf(req.ctx))).size > 0;
    return reply.page(v.t('grants.notices'), <NoticeList v={v} notices={notices} due={deadlines(v, plans, notices, store.today())} canFile={canFile} />);
  });

  const newPage = async (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => {
    const { agencies, plans } = await filingChoices(reply.request.ctx);
    if (!agencies.length) return reply.page(v.t('grants.notice.new'), <div><Breadcrumbs items={crumbs(v, [{ label: v.t('grants.notice.new') }])} /><h1>{v.t('grants.notice.new')}</h1><p>{v.t('grants.plan.noagency')}</p></div>);
    return reply.page(v.t('grants.notice.new'), <NoticeForm v={v} values={values} errors={errors} agencies={agencies} plans={plans} />, errors ? 400 : 200);
  };
  app.get('/grants/notices/new', { config: PLANNERS, schema: { ...hidden, querystring: Type.Object({ plan_id: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (req, reply) => {
    const plan = req.query.plan_id ? await store.getPlan(req.ctx.db, req.query.plan_id) : undefined;
    return newPage(reply, req.view(), plan ? { plan_id: plan.id, agency_id: plan.agency_id, timing: 'before', subject: 'planned_solicitation', decision_on: plan.post_date ?? '' } : {});
  });
  app.post('/grants/notices', { config: PLANNERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/grants/notices/${(await commands.fileNotice(req.ctx, formBody(req.body), { coerce: true, log: (l) => req.log.warn(l) })).id}`,
      (errors) => newPage(reply, req.view(), rawValues(req.body), errors),
    ),
  );

  app.get('/grants/notices/:id', { config: PLANNERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const n = await store.getNotice(req.ctx.db, req.params.id);
    if (!n) throw notFound('No such notice.');
    const v = req.view();
    return reply.page(v.t('grants.notice.title', { agency: n.agency_name }), <NoticePage v={v} n={n} canAck={mayReview(principalOf(req.ctx)) && req.ctx.actor !== null} />);
  });
  app.post('/grants/notices/:id/acknowledge', { config: COMMITTEE, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await commands.acknowledgeNotice(req.ctx, req.params.id);
    return reply.redirect(`/grants/notices/${n.id}`, 303);
  });
}
