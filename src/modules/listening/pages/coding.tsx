/** Coders' pages: coding the answers, the codebook and memos, agreement between coders, suggested themes. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { isUuid } from '../../../platform/db/index.ts';
import { Alert, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { createCode, createExcerpt, createMemo, decideSuggestion, importCodebook } from '../commands.ts';
import { CODE } from '../policies.ts';
import { FormPost } from '../schema.ts';
import { codeTree, currentSuggestions, listCoders, listCodes, listExcerpts, listInputs, listMemos, seriesOr404, type Code, type Input, type Series } from '../store.ts';
import { agreementFor } from '../agreement.ts';
import { answerQuestion, codeOptions, localErrors, PageParam, SeriesCrumbs, val, type Input_ } from './shared.tsx';

function CodingPage({ v, series, inputs, codes, mine, total, page, perPage, errors, errorAnswer, input }: { v: View; series: Series; inputs: Input[]; codes: Code[]; mine: Map<string, { text: string; codes: string[] }[]>; total: number; page: number; perPage: number; errors?: FieldError[]; errorAnswer?: string; input?: Input_ }) {
  const name = new Map(codes.map((c) => [c.id, c.name]));
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.coding.title')} />
      <h1>{v.t('ls.coding.title')}</h1>
      <p>{v.t('ls.coding.intro')}</p>
      {codes.length === 0 && <Alert type="info">{v.t('ls.coding.nocodes')}</Alert>}
      {inputs.map((i, n) => (
        <section class="border-top border-base-lighter padding-y-2">
          <h2 class="font-heading-md">
            {v.t('ls.input.n', { n: (page - 1) * perPage + n + 1 })}: {i.kind === 'notes' ? v.t('ls.notes') : `${i.organization_type ? v.t(`ls.ptype.${i.organization_type}`) : '—'}, ${i.region ? v.t(`ls.region.${i.region}`) : '—'}`}
          </h2>
          {i.answers.map((a) => (
            <div class="margin-bottom-2">
              <h3 class="font-heading-sm">{answerQuestion(v, a, series.questions)}</h3>
              <p>{a.text}</p>
              {(mine.get(a.id) ?? []).length > 0 && (
                <ul class="usa-list">
                  {(mine.get(a.id) ?? []).map((e) => (
                    <li>
                      “{e.text.length > 120 ? e.text.slice(0, 117) + '…' : e.text}” — {e.codes.map((c) => name.get(c)).join(', ')}
                    </li>
                  ))}
                </ul>
              )}
              {codes.length > 0 && (
                <form method="post" action={`/listening/series/${series.id}/excerpts?page=${page}`} class="usa-form">
                  <Csrf v={v} />
                  <input type="hidden" name="answer_id" value={a.id} />
                  <ErrorSummary v={v} errors={errorAnswer === a.id ? (errors ?? []) : []} labels={{ [`quote.${a.id}`]: v.t('ls.field.quote'), [`code_ids.${a.id}`]: v.t('ls.field.code') }} />
                  <TextArea name={`quote.${a.id}`} label={v.t('ls.field.quote')} hint={v.t('ls.field.quote.hint')} rows={2} value={errorAnswer === a.id ? val(input, `quote.${a.id}`) : undefined} errors={errorAnswer === a.id ? errors : undefined} />
                  <Select name={`code_ids.${a.id}`} label={v.t('ls.field.code')} required options={options} value={errorAnswer === a.id ? val(input, `code_ids.${a.id}`) : undefined} errors={errorAnswer === a.id ? errors : undefined} />
                  <SubmitButton secondary>{v.t('ls.coding.tag')}</SubmitButton>
                </form>
              )}
            </div>
          ))}
        </section>
      ))}
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}


function CodebookPage({ v, series, codes, counts, memos, errors, input, imported, importErrors, xml }: { v: View; series: Series; codes: Code[]; counts: Map<string, number>; memos: Awaited<ReturnType<typeof listMemos>>; errors?: FieldError[]; input?: Input_; imported?: string; importErrors?: FieldError[]; xml?: string }) {
  const name = new Map(codes.map((c) => [c.id, c.name]));
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.codebook.title')} />
      <h1>{v.t('ls.codebook.title')}</h1>
      {imported && (
        <Alert type="success" slim>
          {imported}
        </Alert>
      )}
      <Table
        v={v}
        caption={v.t('ls.codebook.title')}
        head={[v.t('ls.field.code'), v.t('ls.field.description'), v.t('ls.excerpts')]}
        rows={codeTree(codes).map(({ code, depth }) => [`${'— '.repeat(depth)}${code.name}`, code.description ?? '', String(counts.get(code.id) ?? 0)])}
      />
      <p>
        <a href={`/api/listening/series/${series.id}/codebook.qdc`}>{v.t('ls.codebook.export')}</a>
      </p>
      <form method="post" action={`/listening/series/${series.id}/codes`} class="usa-form usa-form--large">
        <h2>{v.t('ls.code.new')}</h2>
        <ErrorSummary v={v} errors={errors ?? []} labels={{ name: v.t('ls.field.code_name'), parent_id: v.t('ls.field.parent'), description: v.t('ls.field.description') }} />
        <Csrf v={v} />
        <TextInput name="name" label={v.t('ls.field.code_name')} required value={val(input, 'name')} errors={errors} />
        <Select name="parent_id" label={v.t('ls.field.parent')} blank={v.t('ls.toplevel')} value={val(input, 'parent_id')} options={options} errors={errors} />
        <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} rows={2} />
        <SubmitButton>{v.t('ls.code.create')}</SubmitButton>
      </form>
      <form method="post" action={`/listening/series/${series.id}/codebook/import`} class="usa-form usa-form--large">
        <h2>{v.t('ls.codebook.import')}</h2>
        <ErrorSummary v={v} errors={importErrors ?? []} labels={{ codebook: v.t('ls.field.qdc') }} />
        <Csrf v={v} />
        <TextArea name="codebook" label={v.t('ls.field.qdc')} hint={v.t('ls.field.qdc.hint')} required value={xml} errors={importErrors} rows={8} />
        <SubmitButton>{v.t('ls.codebook.import.submit')}</SubmitButton>
      </form>
      <h2>{v.t('ls.memos')}</h2>
      {memos.length ? (
        <ul class="usa-list">
          {memos.map((m) => (
            <li>
              <strong>{m.author_label}</strong> ({formatDate(v.lang, m.created_at)}){m.code_id ? ` — ${name.get(m.code_id) ?? ''}` : ''}: {m.text}
            </li>
          ))}
        </ul>
      ) : (
        <p>{v.t('table.none')}</p>
      )}
      <form method="post" action={`/listening/series/${series.id}/memos`} class="usa-form usa-form--large">
        <h3>{v.t('ls.memo.new')}</h3>
        <Csrf v={v} />
        <Select name="code_id" label={v.t('ls.field.code')} blank={v.t('ls.memo.general')} options={options} />
        <TextArea name="text" label={v.t('ls.field.memo')} required rows={3} />
        <SubmitButton>{v.t('ls.memo.create')}</SubmitButton>
      </form>
    </div>
  );
}


function AgreementPage({ v, series, coders, a, b, result }: { v: View; series: Series; coders: { id: string; label: string; excerpts: number }[]; a?: string; b?: string; result?: Awaited<ReturnType<typeof agreementFor>> }) {
  const options = coders.map((c) => ({ value: c.id, label: `${c.label} (${c.excerpts})` }));
  const k = (x: number | null) => (x === null ? v.t('ls.kappa.undefined') : x.toFixed(2));
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.agreement.title')} />
      <h1>{v.t('ls.agreement.title')}</h1>
      <p>{v.t('ls.agreement.unit')}</p>
      <form method="get" action={`/listening/series/${series.id}/agreement`} class="usa-form">
        <Select name="coder_a" label={v.t('ls.coder_a')} required value={a} options={options} blank={v.t('ls.choose')} />
        <Select name="coder_b" label={v.t('ls.coder_b')} required value={b ?? coders.find((c) => c.id !== a)?.id} options={options} blank={v.t('ls.choose')} />
        <SubmitButton>{v.t('ls.agreement.compute')}</SubmitButton>
      </form>
      {result && (
        <>
          <h2>{v.t('ls.kappa.overall', { kappa: k(result.overall.kappa), units: result.units })}</h2>
          <Table
            v={v}
            caption={v.t('ls.kappa.percode')}
            head={[v.t('ls.field.code'), 'κ', v.t('ls.kappa.observed'), v.t('ls.kappa.both'), v.t('ls.kappa.only_a'), v.t('ls.kappa.only_b'), v.t('ls.kappa.neither')]}
            rows={result.per_code.map((p) => [p.code_name, k(p.kappa), `${Math.round(p.observed * 100)}%`, String(p.both), String(p.only_a), String(p.only_b), String(p.neither)])}
          />
        </>
      )}
    </div>
  );
}


function SuggestionsPage({ v, series, suggestions, codes, done }: { v: View; series: Series; suggestions: Awaited<ReturnType<typeof currentSuggestions>>; codes: Code[]; done?: string }) {
  const options = codeOptions(codes);
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.suggestions.title')} />
      <h1>{v.t('ls.suggestions.title')}</h1>
      <p>{v.t('ls.suggestions.intro')}</p>
      {done && (
        <Alert type="success" slim>
          {done}
        </Alert>
      )}
      {suggestions.length === 0 && <p>{v.t('table.none')}</p>}
      {suggestions.map((s) => (
        <section class="border-top border-base-lighter padding-y-2">
          <h2 class="font-heading-md">{v.t('ls.suggestion.h', { label: s.label, n: s.member_ids.length })}</h2>
          <ul class="usa-list">
            {s.samples.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
          <form method="post" action={`/listening/series/${series.id}/suggestions/accept`} class="usa-form">
            <Csrf v={v} />
            <input type="hidden" name="fingerprint" value={s.fingerprint} />
            <TextInput name={`name.${s.fingerprint}`} label={v.t('ls.field.code_name')} value={s.label} hint={v.t('ls.suggestion.name.hint')} />
            <Select name={`parent_id.${s.fingerprint}`} label={v.t('ls.field.parent')} blank={v.t('ls.toplevel')} options={options} />
            <SubmitButton>
              {v.t('ls.accept')}
              <span class="usa-sr-only"> {s.label}</span>
            </SubmitButton>
          </form>
          <form method="post" action={`/listening/series/${series.id}/suggestions/reject`} class="margin-top-1">
            <Csrf v={v} />
            <input type="hidden" name="fingerprint" value={s.fingerprint} />
            <SubmitButton secondary>
              {v.t('ls.reject')}
              <span class="usa-sr-only"> {s.label}</span>
            </SubmitButton>
          </form>
        </section>
      ))}
    </div>
  );
}

export async function codingPages(app: App): Promise<void> {
  const codingPage = async (req: FastifyRequest, reply: FastifyReply, id: string, page: number, extra: { errors?: FieldError[]; errorAnswer?: string; input?: Input_ } = {}, status = 200) => {
    const series = await seriesOr404(req.ctx.db, id);
    const perPage = 10;
    const [{ items, total }, codes, { items: excerpts }] = await Promise.all([listInputs(req.ctx.db, { seriesId: series.id }, perPage, (page - 1) * perPage), listCodes(req.ctx.db, series.id), listExcerpts(req.ctx.db, { seriesId: series.id, coderId: req.actor!.id })]);
    const mine = new Map<string, { text: string; codes: string[] }[]>();
    for (const e of excerpts) mine.set(e.answer_id, [...(mine.get(e.answer_id) ?? []), { text: e.text, codes: e.code_ids }]);
    const v = req.view();
    return reply.page(v.t('ls.coding.title'), <CodingPage v={v} series={series} inputs={items} codes={codes} mine={mine} total={total} page={page} perPage={perPage} {...extra} errors={localErrors(v, extra.errors)} />, status);
  };
  app.get('/listening/series/:id/coding', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: PageParam } }, (req, reply) => codingPage(req, reply, req.params.id, req.query.page ?? 1));
  app.post('/listening/series/:id/excerpts', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: PageParam, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    const answerId = String(input.answer_id ?? '');
    try {
      // Each answer's form names its fields after the answer, so that ids stay unique on the page.
      await createExcerpt(req.ctx, id, { answer_id: input.answer_id, quote: input[`quote.${answerId}`], code_ids: input[`code_ids.${answerId}`] ?? [] }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err)?.map((e) => (/^(quote|code_ids)/.test(e.field) ? { ...e, field: `${e.field.replace(/\..*$/, '')}.${answerId}` } : e));
      if (errors) return codingPage(req, reply, id, req.query.page ?? 1, { errors, errorAnswer: answerId, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/coding?page=${req.query.page ?? 1}`);
  });

  // ---- codebook and memos ----
  const codebookPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_; imported?: string; importErrors?: FieldError[]; xml?: string } = {}, status = 200) => {
    const series = await seriesOr404(req.ctx.db, id);
    const [codes, { items }, memos] = await Promise.all([listCodes(req.ctx.db, series.id), listExcerpts(req.ctx.db, { seriesId: series.id }), listMemos(req.ctx.db, series.id)]);
    const counts = new Map<string, number>();
    for (const e of items) for (const c of e.code_ids) counts.set(c, (counts.get(c) ?? 0) + 1);
    const v = req.view();
    return reply.page(v.t('ls.codebook.title'), <CodebookPage v={v} series={series} codes={codes} counts={counts} memos={memos} {...extra} errors={localErrors(v, extra.errors)} importErrors={localErrors(v, extra.importErrors)} />, status);
  };
  app.get('/listening/series/:id/codebook', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, (req, reply) => codebookPage(req, reply, req.params.id));
  app.post('/listening/series/:id/codes', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await createCode(req.ctx, id, input, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/codebook`);
  });
  app.post('/listening/series/:id/codebook/import', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const xml = String(req.body.codebook ?? '');
    try {
      const r = await importCodebook(req.ctx, id, xml);
      return codebookPage(req, reply, id, { imported: req.view().t('ls.codebook.imported', { added: r.added, existing: r.existing }) });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { importErrors: errors, xml }, 400);
      throw err;
    }
  });
  app.post('/listening/series/:id/memos', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      await createMemo(req.ctx, id, formBody(req.body), { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return codebookPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/series/${id}/codebook`);
  });

  // ---- agreement ----
  app.get(
    '/listening/series/:id/agreement',
    { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, querystring: Type.Object({ coder_a: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })), coder_b: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F-]{36})?$' })) }, { additionalProperties: false }) } },
    async (req, reply) => {
      const series = await seriesOr404(req.ctx.db, req.params.id);
      const coders = await listCoders(req.ctx.db, series.id);
      const qq = req.query;
      const a = qq.coder_a || coders.find((c) => c.id === req.actor!.id)?.id || coders[0]?.id;
      const b = qq.coder_b || coders.find((c) => c.id !== a)?.id;
      const result = a && b && isUuid(a) && isUuid(b) ? await agreementFor(req.ctx.db, series.id, a, b) : undefined;
      const v = req.view();
      return reply.page(v.t('ls.agreement.title'), <AgreementPage v={v} series={series} coders={coders} a={a} b={b} result={result} />);
    },
  );

  // ---- suggestions ----
  const suggestionsPage = async (req: FastifyRequest, reply: FastifyReply, id: string, done?: string) => {
    const series = await seriesOr404(req.ctx.db, id);
    const [suggestions, codes] = await Promise.all([currentSuggestions(req.ctx.db, series.id), listCodes(req.ctx.db, series.id)]);
    const v = req.view();
    return reply.page(v.t('ls.suggestions.title'), <SuggestionsPage v={v} series={series} suggestions={suggestions} codes={codes} done={done} />);
  };
  app.get('/listening/series/:id/suggestions', { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams } }, (req, reply) => suggestionsPage(req, reply, req.params.id));
  for (const decision of ['accept', 'reject'] as const) {
    app.post(`/listening/series/:id/suggestions/${decision}`, { config: { access: { permission: CODE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
      const id = req.params.id;
      const input = formBody(req.body);
      const fp = String(input.fingerprint ?? '');
      await decideSuggestion(req.ctx, id, decision, { fingerprint: input.fingerprint, name: input[`name.${fp}`], parent_id: input[`parent_id.${fp}`] }, { coerce: true });
      return reply.redirect(`/listening/series/${id}/suggestions`);
    });
  }
}
