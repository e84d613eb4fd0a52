/** The committee's pages (rules, review queue, agreement, nominations) and the public's (nominate, digest). */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../../platform/context.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { badRequest } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, FormPage, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import * as commands from '../commands.ts';
import { agreementOf } from '../api.ts';
import { MANAGE } from '../permissions.ts';
import { FormPost, OUTCOME_DOMAINS, POPULATIONS, SETTINGS } from '../schema.ts';
import { currentRuleSet, listNominations, listRuleSets, reviewQueue, type Nomination, type StoredRuleSet } from '../store.ts';
import { ANYONE, MANAGERS, NOMINATORS, PUBLIC, REVIEWERS, crumbs, label, list, localErrors, populationLabel, str } from './shared.tsx';

// ---------- rules ----------

function conditionText(r: StoredRuleSet['rules']['rules'][number]): string {
  const range = (name: string, x?: { min?: number; max?: number }) => (x ? `${name} ${x.min ?? 0}–${x.max ?? '∞'}` : '');
  return [range('studies', r.studies), range('favourable', r.favourable), range('unfavourable', r.unfavourable), r.sustained ? `sustained ≥ ${r.sustained.min} (${r.sustained.months} months)` : ''].filter(Boolean).join('; ');
}

function RuleSetView({ v, set }: { v: View; set: StoredRuleSet }) {
  return (
    <section id={`version-${set.version}`} class="margin-top-3" aria-labelledby={`version-${set.version}-heading`}>
      <h3 id={`version-${set.version}-heading`}>
        {v.t('pr.rule.version', { v: set.version })} · {formatDate(v.lang, set.created_at)} · {set.created_by}
      </h3>
      <p>{set.note}</p>
      <p>{v.t('pr.rules.qualifying', { list: set.rules.qualifying.map((q) => label(v, 'study', q)).join(', ') })}</p>
      <ol class="usa-list">
        {set.rules.rules.map((r) => (
          <li>
            <strong>{label(v, 'rating', r.rating)}</strong>: {r.label} <span class="text-base-dark">({conditionText(r)})</span>
          </li>
        ))}
        <li>
          <strong>{label(v, 'rating', 'inconclusive')}</strong>: {v.t('pr.rule.none')}
        </li>
      </ol>
    </section>
  );
}

function RulesPage({ v, sets, values, errors, saved }: { v: View; sets: StoredRuleSet[]; values: FormValues; errors?: FieldError[]; saved?: string }) {
  const [current, ...older] = sets;
  const e = localErrors(v, errors);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.rules') }])} />
      <h1>{v.t('pr.rules')}</h1>
      {saved && (
        <Alert type="success" slim>
          {saved}
        </Alert>
      )}
      <p class="usa-intro">{v.t('pr.rules.intro')}</p>
      <h2>{v.t('pr.rules.current', { v: current.version })}</h2>
      <RuleSetView v={v} set={current} />
      {older.length > 0 && <h2 class="margin-top-4">{v.t('pr.rules.history')}</h2>}
      {older.map((s) => (
        <RuleSetView v={v} set={s} />
      ))}
      {v.can(MANAGE) && (
        <form method="post" action="/practices/rules" class="usa-form usa-form--large margin-top-4">
          <h2>{v.t('pr.rules.new')}</h2>
          <Csrf v={v} />
          <ErrorSummary v={v} errors={e ?? []} />
          <TextArea name="rules" label={v.t('pr.field.rules')} hint={v.t('pr.field.rules.hint')} required value={str(values.rules)} errors={e} rows={16} />
          <TextInput name="note" label={v.t('pr.field.note')} required value={str(values.note)} errors={e} maxLength={2000} />
          <SubmitButton>{v.t('pr.rules.new')}</SubmitButton>
        </form>
      )}
    </div>
  );
}

// ---------- nominations ----------

function NominateForm({ v, values, errors }: { v: View; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('pr.save')} title={v.t('pr.nominate')} action="/practices/nominate" errors={localErrors(v, errors)} cancel="/practices" crumbs={crumbs(v)}>
      <p class="usa-prose">{v.t('pr.nominate.intro')}</p>
      <TextInput name="name" label={v.t('pr.field.name')} required value={str(values.name)} errors={e} maxLength={200} />
      <TextArea name="summary" label={v.t('pr.field.summary')} required value={str(values.summary)} errors={e} />
      <TextArea name="materials" label={v.t('pr.field.materials')} value={str(values.materials)} errors={e} />
      <Checkboxes name="outcome_domains" label={v.t('pr.field.outcome_domains')} values={list(values.outcome_domains)} errors={e} options={OUTCOME_DOMAINS.map((x) => ({ value: x, label: label(v, 'domain', x) }))} />
      <Checkboxes name="populations" label={v.t('pr.field.populations')} values={list(values.populations)} errors={e} options={POPULATIONS.map((x) => ({ value: x, label: populationLabel(v, x) }))} />
      <TextInput name="organization_name" label={v.t('pr.field.organization_name')} value={str(values.organization_name)} errors={e} maxLength={300} />
    </FormPage>
  );
}

function NominationsTable({ v, items, decide }: { v: View; items: Nomination[]; decide: boolean }) {
  return (
    <Table
      v={v}
      wrap
      caption={`${v.t('pr.nominations')} (${items.length})`}
      head={[v.t('pr.field.name'), v.t('pr.field.summary'), v.t('pr.field.status'), ...(decide ? [v.t('pr.actions')] : [])]}
      rows={items.map((n) => [
        <>
          {n.practice_id ? <a href={`/practices/${n.practice_id}`}>{n.name}</a> : n.name}
          {n.organization_name && (
            <>
              <br />
              <span class="text-base-dark">{n.organization_name}</span>
            </>
          )}
        </>,
        <>
          {n.summary}
          {n.materials && <p class="margin-bottom-0">{n.materials}</p>}
        </>,
        <>
          {v.t(`pr.nomination.status.${n.status}`)}
          {n.reason && `: ${n.reason}`}
        </>,
        ...(decide
          ? [
              <>
                <form method="post" action={`/practices/nominations/${n.id}/decision`} class="usa-form margin-bottom-2">
                  <Csrf v={v} />
                  <input type="hidden" name="decision" value="accept" />
                  <Select name="setting" label={v.t('pr.nomination.setting')} value="community" options={SETTINGS.map((s) => ({ value: s, label: label(v, 'setting', s) }))} />
                  <SubmitButton>
                    {v.t('pr.nomination.accept')} <span class="usa-sr-only">{n.name}</span>
                  </SubmitButton>
                </form>
                <form method="post" action={`/practices/nominations/${n.id}/decision`} class="usa-form">
                  <Csrf v={v} />
                  <input type="hidden" name="decision" value="decline" />
                  <TextInput name="reason" label={v.t('pr.field.reason')} maxLength={2000} />
                  <SubmitButton secondary>
                    {v.t('pr.nomination.decline')} <span class="usa-sr-only">{n.name}</span>
                  </SubmitButton>
                </form>
              </>,
            ]
          : []),
      ])}
    />
  );
}

// ---------- digest ----------

function DigestPage({ v, values, errors, done }: { v: View; values: FormValues; errors?: FieldError[]; done?: boolean }) {
  const e = localErrors(v, errors);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.digest') }])} />
      <h1>{v.t('pr.digest')}</h1>
      {done && (
        <Alert type="success" slim>
          {v.t('pr.digest.sent')}
        </Alert>
      )}
      <p class="usa-prose">{v.t('pr.digest.intro')}</p>
      <form method="post" action="/practices/digest" class="usa-form">
        <Csrf v={v} />
        <IdempotencyKey />
        <ErrorSummary v={v} errors={e ?? []} />
        <TextInput name="email" type="email" autocomplete="email" label={v.t('pr.field.email')} required value={str(values.email)} errors={e} maxLength={320} />
        <Select name="lang" label={v.t('pr.digest.language')} value={str(values.lang) ?? v.lang} errors={e} options={[{ value: 'en', label: v.t('pr.lang.en') }, { value: 'es', label: v.t('pr.lang.es') }]} />
        <SubmitButton>{v.t('pr.digest.subscribe')}</SubmitButton>
      </form>
    </div>
  );
}

function TokenPage({ v, title, action, token, button, done, errors }: { v: View; title: string; action: string; token: string; button: string; done?: string; errors?: FieldError[] }) {
  return (
    <div>
      <h1>{title}</h1>
      {done ? (
        <Alert type="success" slim>
          {done}
        </Alert>
      ) : (
        <form method="post" action={action} class="usa-form">
          <Csrf v={v} />
          <ErrorSummary v={v} errors={localErrors(v, errors) ?? []} />
          <input type="hidden" name="token" value={token} />
          <SubmitButton>{button}</SubmitButton>
        </form>
      )}
    </div>
  );
}

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })), done: Type.Optional(Type.String({ maxLength: 5 })) });
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 5 })), saved: Type.Optional(Type.String({ maxLength: 40 })) });

function rulesInput(body: Record<string, unknown>): Record<string, unknown> {
  const text = str(body.rules) ?? '';
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch (err) {
    throw badRequest([{ field: 'rules', message: `is not valid JSON (${(err as Error).message.slice(0, 120)})` }]);
  }
  return { rules, note: body.note ?? '' };
}

export async function libraryPages(app: App): Promise<void> {
  const rulesPage = async (req: { ctx: Ctx; view(): View }, reply: FastifyReply, values?: FormValues, errors?: FieldError[], saved?: string) => {
    const sets = await listRuleSets(req.ctx.db);
    const v = req.view();
    return reply.page(v.t('pr.rules'), <RulesPage v={v} sets={sets} values={values ?? { rules: JSON.stringify(sets[0].rules, null, 2) }} errors={errors} saved={saved} />, errors ? 400 : 200);
  };
  app.get('/practices/rules', { config: PUBLIC, schema: { ...hidden, querystring: DoneQuery } }, async (req, reply) => {
    const saved = req.query.saved && /^\d+-\d+$/.test(req.query.saved) ? req.query.saved.split('-') : undefined;
    return rulesPage(req, reply, undefined, undefined, saved ? req.view().t('pr.rules.saved', { v: saved[0], n: saved[1] }) : undefined);
  });
  app.post('/practices/rules', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        const r = await commands.saveRuleSet(req.ctx, rulesInput(formBody(req.body)), { coerce: true });
        return `/practices/rules?saved=${r.version}-${r.rerated}`;
      },
      (errors) => rulesPage(req, reply, rawValues(req.body), errors),
      { keepPath: true, listFields: ['rules'] },
    ),
  );

  app.get('/practices/review', { config: REVIEWERS, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const queue = await reviewQueue(req.ctx.db);
    return reply.page(
      v.t('pr.review.queue'),
      <div>
        <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.review.queue') }])} />
        <h1>{v.t('pr.review.queue')}</h1>
        <p>{v.t('pr.queue.intro')}</p>
        <Table
          v={v}
          wrap
          caption={`${v.t('pr.review.queue')} (${queue.length})`}
          head={[v.t('pr.field.title'), v.t('pr.title'), v.t('pr.field.design'), v.t('pr.field.review_state')]}
          rows={queue.map((s) => [<a href={`/practices/studies/${s.id}`}>{s.title}</a>, <a href={`/practices/${s.practice_id}`}>{s.practice_name}</a>, label(v, 'design', s.design), label(v, 'state', s.review_state)])}
        />
      </div>,
    );
  });

  app.get('/practices/agreement', { config: REVIEWERS, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const a = await agreementOf(req.ctx);
    const set = await currentRuleSet(req.ctx.db);
    void set;
    return reply.page(
      v.t('pr.agreement'),
      <div>
        <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.agreement') }])} />
        <h1>{v.t('pr.agreement')}</h1>
        <p class="usa-prose">{v.t('pr.agreement.intro')}</p>
        <Table
          v={v}
          caption={v.t('pr.agreement')}
          head={[v.t('pr.agreement.studies'), v.t('pr.agreement.agreed'), v.t('pr.agreement.kappa'), v.t('pr.agreement.observed'), v.t('pr.agreement.expected')]}
          rows={[[String(a.studies), String(a.agreed), a.kappa === null ? v.t('pr.agreement.undefined') : a.kappa.toFixed(2), a.observed.toFixed(2), a.expected.toFixed(2)]]}
        />
      </div>,
    );
  });

  const nominatePage = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => reply.page(v.t('pr.nominate'), <NominateForm v={v} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/practices/nominate', { config: NOMINATORS, schema: hidden }, async (req, reply) => nominatePage(reply, req.view(), {}));
  app.post('/practices/nominate', { config: NOMINATORS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        const raw = rawValues(req.body);
        const body = formBody(req.body);
        await commands.nominate(req.ctx, { ...body, outcome_domains: list(raw.outcome_domains), populations: list(raw.populations) }, { coerce: true });
        return '/practices/nominations/mine?done=1';
      },
      (errors) => nominatePage(reply, req.view(), rawValues(req.body), errors),
      { listFields: ['outcome_domains', 'populations'] },
    ),
  );
  app.get('/practices/nominations/mine', { config: NOMINATORS, schema: { ...hidden, querystring: DoneQuery } }, async (req, reply) => {
    const v = req.view();
    const items = await listNominations(req.ctx.db, { nominatorId: req.ctx.actor!.id });
    return reply.page(
      v.t('pr.nominations.mine'),
      <div>
        <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.nominations.mine') }])} />
        <h1>{v.t('pr.nominations.mine')}</h1>
        {req.query.done && (
          <Alert type="success" slim>
            {v.t('pr.nominate.done')}
          </Alert>
        )}
        <NominationsTable v={v} items={items} decide={false} />
      </div>,
    );
  });
  const queuePage = async (req: { ctx: Ctx; view(): View }, reply: FastifyReply, errors?: FieldError[]) => {
    const v = req.view();
    const pending = await listNominations(req.ctx.db, { status: 'pending' });
    const decided = [...(await listNominations(req.ctx.db, { status: 'accepted', limit: 20 })), ...(await listNominations(req.ctx.db, { status: 'declined', limit: 20 }))];
    return reply.page(
      v.t('pr.nominations'),
      <div>
        <Breadcrumbs items={crumbs(v, [{ label: v.t('pr.nominations') }])} />
        <h1>{v.t('pr.nominations')}</h1>
        <ErrorSummary v={v} errors={localErrors(v, errors) ?? []} />
        <NominationsTable v={v} items={pending} decide />
        <h2>{v.t('pr.nominations.decided')}</h2>
        <NominationsTable v={v} items={decided} decide={false} />
      </div>,
      errors ? 400 : 200,
    );
  };
  app.get('/practices/nominations', { config: MANAGERS, schema: hidden }, async (req, reply) => queuePage(req, reply));
  app.post('/practices/nominations/:id/decision', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.decideNomination(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return '/practices/nominations';
      },
      (errors) => queuePage(req, reply, errors),
    ),
  );

  const digestPage = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[], done?: boolean) => reply.page(v.t('pr.digest'), <DigestPage v={v} values={values} errors={errors} done={done} />, errors ? 400 : 200);
  app.get('/practices/digest', { config: ANYONE, schema: { ...hidden, querystring: DoneQuery } }, async (req, reply) => digestPage(reply, req.view(), {}, undefined, Boolean(req.query.done)));
  app.post('/practices/digest', { config: ANYONE, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.subscribe(req.ctx, formBody(req.body), { coerce: true, log: (line) => req.log.info(line) });
        return '/practices/digest?done=1';
      },
      (errors) => digestPage(reply, req.view(), rawValues(req.body), errors),
    ),
  );
  const tokenRoutes = (path: string, titleKey: string, buttonKey: string, doneKey: string, run: (ctx: Ctx, input: unknown) => Promise<void>, oneClick = false) => {
    app.get(path, { config: ANYONE, schema: { ...hidden, querystring: TokenQuery } }, async (req, reply) => {
      const v = req.view();
      return reply.page(v.t(titleKey), <TokenPage v={v} title={v.t(titleKey)} action={path} token={req.query.token ?? ''} button={v.t(buttonKey)} done={req.query.done ? v.t(doneKey) : undefined} />);
    });
    // The unsubscribe link takes a mail client's one-click POST (RFC 8058): the token in the address authenticates it
    // and no cookie does, so it has no CSRF check (nor needs one: the form's token is the same secret); it answers
    // plainly, the same for a first and a repeated request, naming nobody.
    app.post(path, { config: oneClick ? { ...ANYONE, csrf: false } : ANYONE, schema: { ...hidden, querystring: TokenQuery, body: FormPost } }, async (req, reply) => {
      const body = rawValues(req.body);
      if (oneClick && body['List-Unsubscribe'] === 'One-Click') {
        await run(req.ctx, { token: req.query.token ?? '' });
        const v = req.view();
        return reply.type('text/plain; charset=utf-8').send(v.t(doneKey));
      }
      return submitForm(
        reply,
        async () => {
          await run(req.ctx, { token: rawValues(req.body).token ?? '' });
          return `${path}?done=1`;
        },
        (errors) => {
          const v = req.view();
          return reply.page(v.t(titleKey), <TokenPage v={v} title={v.t(titleKey)} action={path} token={String(rawValues(req.body).token ?? '')} button={v.t(buttonKey)} errors={errors} />, 400);
        },
      );
    });
  };
  tokenRoutes('/practices/digest/confirm', 'pr.digest.confirm', 'pr.digest.confirm.button', 'pr.digest.confirmed', (ctx, input) => commands.confirmSubscription(ctx, input, { coerce: true }));
  tokenRoutes('/practices/digest/unsubscribe', 'pr.digest.unsubscribe', 'pr.digest.unsubscribe.button', 'pr.digest.unsubscribed', (ctx, input) => commands.unsubscribe(ctx, input, { coerce: true }), true);
}
