/** The committee's watch list of Assistance Listings and keywords, the scheduled import's source, recent imports. */
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, Csrf, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import * as commands from '../commands.ts';
import { FormPost, WATCH_KINDS, type ImportRun, type Watch } from '../schema.ts';
import * as store from '../store.ts';
import { COMMITTEE, GrantsNav, crumbs, localErrors, str } from './shared.tsx';
import { formatInstant } from '../../../platform/web/i18n.ts';

function WatchPage({ v, watch, source, imports, values, errors }: { v: View; watch: Watch[]; source?: string; imports: ImportRun[]; values: FormValues; errors?: FieldError[] }) {
  const errs = localErrors(v, errors);
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('grants.watch') }])} />
      <h1>{v.t('grants.watch')}</h1>
      <p class="usa-intro">{v.t('grants.watch.intro')}</p>
      <GrantsNav v={v} />
      <ErrorSummary v={v} errors={errs ?? []} />
      <Table
        v={v}
        caption={`${v.t('grants.watch')} (${watch.length})`}
        head={[v.t('grants.watch.kind'), v.t('grants.watch.value'), v.t('grants.remove')]}
        rows={watch.map((w) => [
          v.t(`grants.watch.kind.${w.kind}`),
          w.value,
          <ActionButton v={v} secondary action={`/grants/watch/${w.id}/remove`}>
            {v.t('grants.remove')} <span class="usa-sr-only">{w.value}</span>
          </ActionButton>,
        ])}
      />
      <form method="post" action="/grants/watch" class="usa-form">
        <Csrf v={v} />
        <h2>{v.t('grants.watch.add')}</h2>
        <Select name="kind" label={v.t('grants.watch.kind')} required value={str(values.kind) ?? 'listing'} options={WATCH_KINDS.map((k) => ({ value: k, label: v.t(`grants.watch.kind.${k}`) }))} errors={errs} />
        <TextInput name="value" label={v.t('grants.watch.value')} required value={str(values.value)} errors={errs} />
        <SubmitButton>{v.t('grants.watch.add')}</SubmitButton>
      </form>
      <form method="post" action="/grants/source" class="usa-form margin-top-4">
        <Csrf v={v} />
        <h2>{v.t('grants.source')}</h2>
        <p>{source ? v.t('grants.source.current', { source }) : v.t('grants.source.none')}</p>
        <TextInput name="extract_source" type="url" label={v.t('grants.source.field')} hint={v.t('grants.source.hint')} value={str(values.extract_source) ?? (source && /^https?:/i.test(source) ? source : '')} errors={errs} />
        <SubmitButton secondary>{v.t('grants.save')}</SubmitButton>
      </form>
      <h2 class="margin-top-4">{v.t('grants.imports')}</h2>
      <Table
        v={v}
        wrap
        caption={v.t('grants.imports')}
        head={[v.t('grants.import.when'), v.t('grants.import.file'), v.t('grants.import.counts')]}
        rows={imports.map((r) => [formatInstant(v.lang, r.finished_at ?? r.started_at), r.source, [r.records, r.kept, r.inserted, r.updated, r.unchanged, r.quarantined].join(' / ')])}
      />
    </div>
  );
}

export async function watchPages(app: App): Promise<void> {
  const page = async (reply: FastifyReply, values: FormValues = {}, errors?: FieldError[]) => {
    const db = reply.request.ctx.db;
    const v = reply.request.view();
    return reply.page(v.t('grants.watch'), <WatchPage v={v} watch={await store.listWatch(db)} source={await store.getSetting(db, store.EXTRACT_SOURCE)} imports={await store.listImports(db)} values={values} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/grants/watch', { config: COMMITTEE, schema: hidden }, async (_req, reply) => page(reply));
  app.post('/grants/watch', { config: COMMITTEE, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.addWatch(req.ctx, formBody(req.body), { coerce: true });
        return '/grants/watch';
      },
      (errors) => page(reply, rawValues(req.body), errors),
    ),
  );
  app.post('/grants/watch/:id/remove', { config: COMMITTEE, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    await commands.removeWatch(req.ctx, req.params.id);
    return reply.redirect('/grants/watch', 303);
  });
  app.post('/grants/source', { config: COMMITTEE, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.setExtractSource(req.ctx, { extract_source: str(formBody(req.body).extract_source) ?? '' }, { coerce: true });
        return '/grants/watch';
      },
      (errors) => page(reply, rawValues(req.body), errors),
    ),
  );
}
