/** Data calls: the module's home, issuing a call, a call's page, its compiled table and printable report. */
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { Ctx } from '../../../platform/context.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Checkboxes, Csrf, FormPage, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { allAgencies } from '../../structure/index.ts';
import { compiledOf, visibleCall, visibleCalls } from '../api.ts';
import * as commands from '../commands.ts';
import { MANAGE, PUBLISH, SUBMIT } from '../permissions.ts';
import { callOut, type Compiled } from '../presenters.ts';
import { FormPost, type CallField } from '../schema.ts';
import * as store from '../store.ts';
import { MANAGERS, PUBLIC, SUBMITTERS, crumbs, fieldHeading, fmt, list, localErrors, stateLabel, str, typeLabel } from './shared.tsx';
import { formatDate, formatInstant } from '../../../platform/web/i18n.ts';

type CallView = ReturnType<typeof callOut>;

function Home({ v, calls }: { v: View; calls: CallView[] | null }) {
  return (
    <div>
      <h1>{v.t('rs.title')}</h1>
      <p class="usa-intro">{v.t('rs.intro')}</p>
      <ul class="usa-list">
        <li>
          <a href="/research/insights">{v.t('rs.in.title')}</a>
        </li>
        <li>
          <a href="/data">{v.t('rs.catalog.link')}</a>
        </li>
        <li>
          <a href="/research/snapshots">{v.t('rs.snap.title')}</a>
        </li>
      </ul>
      {calls && (
        <section aria-labelledby="calls-heading">
          <h2 id="calls-heading">{v.t('rs.calls')}</h2>
          {v.can(MANAGE) && (
            <p>
              <a class="usa-button" href="/research/calls/new">
                {v.t('rs.call.new')}
              </a>
            </p>
          )}
          {v.can(PUBLISH) && (
            <p>
              <a href="/data/publish">{v.t('rs.publish.title')}</a>
            </p>
          )}
          <Table
            v={v}
            wrap
            caption={v.t('rs.calls')}
            head={[v.t('rs.field.title'), v.t('rs.field.period'), v.t('rs.field.due_date'), v.t('rs.field.status'), v.t('rs.field.agencies')]}
            rows={calls.map((c) => [
              <a href={`/research/calls/${c.id}`}>{c.title}</a>,
              `${formatDate(v.lang, c.period_start)} – ${formatDate(v.lang, c.period_end)}`,
              formatDate(v.lang, c.due_date),
              v.t(`rs.call.status.${c.status}`),
              c.agencies.map((a) => `${a.name}: ${stateLabel(v, a.status)}`).join('; '),
            ])}
          />
        </section>
      )}
    </div>
  );
}

// ---------- the call form ----------

/** One field per line: key | label | type | unit | definition, and "| optional" at the end for a field that may be left blank. */
export function parseFieldLines(text: string | undefined): unknown[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const parts = l.split('|').map((x) => x.trim());
      const optional = parts.length > 5 && /^(optional|opcional)$/i.test(parts[parts.length - 1]);
      const [key, label, type, unit, ...rest] = optional ? parts.slice(0, -1) : parts;
      return { key: key ?? '', label: label ?? '', type: type ?? '', ...(unit ? { unit } : {}), definition: rest.join(' | '), required: !optional };
    });
}

export const fieldLines = (fields: CallField[]) => fields.map((f) => [f.key, f.label, f.type, f.unit ?? '', f.definition, ...(f.required === false ? ['optional'] : [])].join(' | ')).join('\n');

/** Problems with the lines of the fields box, named by line as the person typed them. */
function lineErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => {
    const m = /^fields\.(\d+)\.?(.*)$/.exec(e.field);
    if (m) return { field: 'fields', message: `line ${Number(m[1]) + 1}, ${m[2] || 'field'}: ${e.message}` };
    if (/^agency_ids\./.test(e.field)) return { field: 'agency_ids', message: e.message };
    return e;
  });
}

function callInput(body: Record<string, unknown>, raw: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = { title: body.title ?? '', period_start: body.period_start ?? '', period_end: body.period_end ?? '', due_date: body.due_date ?? '', agency_ids: list(raw.agency_ids), fields: parseFieldLines(str(body.fields)) };
  if (body.description !== undefined) out.description = body.description;
  if (body.footnotes !== undefined) out.footnotes = body.footnotes;
  return out;
}

function CallForm({ v, agencies, values, errors }: { v: View; agencies: { id: string; name: string }[]; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} title={v.t('rs.call.new')} action="/research/calls/new" errors={e} cancel="/research" crumbs={crumbs(v)} save={v.t('rs.call.issue')}>
      <TextInput name="title" label={v.t('rs.field.title')} required value={str(values.title)} errors={e} maxLength={200} />
      <TextArea name="description" label={v.t('rs.field.description')} value={str(values.description)} errors={e} rows={3} />
      <TextInput name="period_start" type="date" label={v.t('rs.field.period_start')} required value={str(values.period_start)} errors={e} />
      <TextInput name="period_end" type="date" label={v.t('rs.field.period_end')} required value={str(values.period_end)} errors={e} />
      <TextInput name="due_date" type="date" label={v.t('rs.field.due_date')} required value={str(values.due_date)} errors={e} />
      <Checkboxes name="agency_ids" label={v.t('rs.field.agencies')} values={list(values.agency_ids)} errors={e} options={agencies.map((a) => ({ value: a.id, label: a.name }))} />
      <TextArea name="fields" label={v.t('rs.field.fields')} hint={v.t('rs.field.fields.hint')} required value={str(values.fields)} errors={e} rows={6} />
      <TextArea name="footnotes" label={v.t('rs.field.footnotes')} hint={v.t('rs.field.footnotes.hint')} value={str(values.footnotes)} errors={e} rows={3} />
    </FormPage>
  );
}

// ---------- a call ----------

export function Definitions({ v, fields }: { v: View; fields: CallField[] }) {
  return (
    <Table
      v={v}
      wrap
      caption={v.t('rs.definitions')}
      head={[v.t('rs.field.key'), v.t('rs.field.label'), v.t('rs.field.type'), v.t('rs.field.unit'), v.t('rs.field.definition'), v.t('rs.field.required')]}
      rows={fields.map((f) => [<code>{f.key}</code>, f.label, typeLabel(v, f.type), f.unit ?? '—', f.definition, f.required === false ? v.t('rs.no') : v.t('rs.yes')])}
    />
  );
}

function CallPage({ v, c }: { v: View; c: CallView }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: c.title }])} />
      <h1>{c.title}</h1>
      {c.description && <p class="usa-intro">{c.description}</p>}
      <p>
        {v.t('rs.field.period')}: {formatDate(v.lang, c.period_start)} – {formatDate(v.lang, c.period_end)}. {v.t('rs.field.due_date')}: <strong>{formatDate(v.lang, c.due_date)}</strong>. {v.t('rs.field.status')}: {v.t(`rs.call.status.${c.status}`)}.
      </p>
      {v.can(MANAGE) && (
        <p>
          <a class="margin-right-2" href={`/research/calls/${c.id}/compiled`}>
            {v.t('rs.compiled')}
          </a>
          <a class="margin-right-2" href={`/research/calls/${c.id}/report`}>
            {v.t('rs.report')}
          </a>
          <a class="margin-right-2" href={`/api/research/calls/${c.id}/compiled.csv`}>
            {v.t('rs.compiled.csv')}
          </a>
        </p>
      )}
      {v.can(MANAGE) && (
        <form method="post" action={`/research/calls/${c.id}/status`} class="margin-bottom-2">
          <Csrf v={v} />
          <input type="hidden" name="version" value={String(c.version)} />
          <input type="hidden" name="status" value={c.status === 'open' ? 'closed' : 'open'} />
          <button type="submit" class="usa-button usa-button--outline usa-button--small">
            {v.t(c.status === 'open' ? 'rs.call.close' : 'rs.call.reopen')}
          </button>
        </form>
      )}
      <h2>{v.t('rs.field.agencies')}</h2>
      <Table v={v} wrap caption={v.t('rs.agencies.caption')} head={[v.t('rs.field.agency'), v.t('rs.field.status')]} rows={c.agencies.map((a) => [<a href={`/research/calls/${c.id}/agencies/${a.id}`}>{a.name}</a>, stateLabel(v, a.status)])} />
      <h2>{v.t('rs.definitions')}</h2>
      <Definitions v={v} fields={c.fields} />
      {c.footnotes && (
        <>
          <h2>{v.t('rs.field.footnotes')}</h2>
          <p>{c.footnotes}</p>
        </>
      )}
    </div>
  );
}

// ---------- the compiled table and the report ----------

export function CompiledTable({ v, t, fields }: { v: View; t: Compiled; fields: CallField[] }) {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const head = [v.t('rs.field.agency'), ...t.columns.map((c) => fieldHeading(byKey.get(c.key) ?? { label: c.label, unit: c.unit }))];
  const rows = t.rows.map((r) => [r.kind === 'subtotal' ? <em>{v.t('rs.subtotal', { agency: r.agency })}</em> : r.agency, ...t.columns.map((c) => fmt(v, r.values[c.key]))]);
  rows.push([<strong>{v.t('rs.total')}</strong>, ...t.columns.map((c) => <strong>{c.type === 'text' ? '' : fmt(v, t.totals[c.key])}</strong>)]);
  return (
    <>
      <Table v={v} wrap caption={v.t('rs.compiled.caption', { title: t.title })} head={head} rows={rows} />
      {t.footnotes.length > 0 && (
        <>
          <h2 class="font-heading-md">{v.t('rs.field.footnotes')}</h2>
          <ol class="usa-list">
            {t.footnotes.map((f) => (
              <li>{f}</li>
            ))}
          </ol>
        </>
      )}
      {t.missing.length > 0 && (
        <>
          <h2 class="font-heading-md">{v.t('rs.missing')}</h2>
          <ul class="usa-list">
            {t.missing.map((m) => (
              <li>
                {m.agency}: {stateLabel(v, m.status)}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

const REPORT_CSS = `/* The printable report: only the report. */
.usa-footer, .usa-breadcrumb, .no-print, .usa-header, .usa-banner, .usa-skipnav { display: none !important; }
.research-report { font-size: 10pt; }
.research-report h1 { font-size: 16pt; margin: 0 0 6pt; }
.research-report h2 { font-size: 12pt; margin: 8pt 0 4pt; }
.research-report table { width: 100%; }
.research-report a::after { content: "" !important; }
@page { margin: 1.5cm; }
`;

async function loadCall(ctx: Ctx, id: string): Promise<CallView> {
  const c = await visibleCall(ctx, id);
  return callOut(c, await store.agencyNames(ctx.db), await store.submissionsOf(ctx.db, c.id));
}

export async function callPages(app: App): Promise<void> {
  app.get('/research', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    let calls: CallView[] | null = null;
    if (v.can(SUBMIT)) {
      const names = await store.agencyNames(req.ctx.db);
      calls = await Promise.all((await visibleCalls(req.ctx)).map(async (c) => callOut(c, names, await store.submissionsOf(req.ctx.db, c.id))));
    }
    return reply.page(v.t('rs.title'), <Home v={v} calls={calls} />);
  });
  app.get('/research/assets/report.css', { config: PUBLIC, schema: hidden }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(REPORT_CSS));

  const agencyOptions = async (ctx: Ctx) => (await allAgencies(ctx.db)).map((a) => ({ id: a.id, name: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name })).sort((a, b) => a.name.localeCompare(b.name));
  const newPage = async (req: { ctx: Ctx; view(): View }, reply: FastifyReply, values: FormValues, errors?: FieldError[]) => {
    const v = req.view();
    return reply.page(v.t('rs.call.new'), <CallForm v={v} agencies={await agencyOptions(req.ctx)} values={values} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/research/calls/new', { config: MANAGERS, schema: hidden }, async (req, reply) => newPage(req, reply, {}));
  app.post('/research/calls/new', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/research/calls/${(await commands.createCall(req.ctx, callInput(formBody(req.body), rawValues(req.body)), { coerce: true })).id}`,
      (errors) => newPage(req, reply, rawValues(req.body), lineErrors(errors)),
    ),
  );

  app.get('/research/calls/:id', { config: SUBMITTERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const c = await loadCall(req.ctx, req.params.id);
    return reply.page(c.title, <CallPage v={req.view()} c={c} />);
  });
  app.post('/research/calls/:id/status', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/research/calls/${(await commands.setCallStatus(req.ctx, req.params.id, formBody(req.body), { coerce: true })).id}`,
      async () => {
        const c = await loadCall(req.ctx, req.params.id);
        return reply.page(c.title, <CallPage v={req.view()} c={c} />, 400);
      },
    ),
  );

  app.get('/research/calls/:id/compiled', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const c = await visibleCall(req.ctx, req.params.id);
    const t = await compiledOf(req.ctx, c);
    const v = req.view();
    return reply.page(
      v.t('rs.compiled.title', { title: c.title }),
      <div>
        <Breadcrumbs items={crumbs(v, [{ href: `/research/calls/${c.id}`, label: c.title }, { label: v.t('rs.compiled') }])} />
        <h1>{v.t('rs.compiled.title', { title: c.title })}</h1>
        <p>
          <a class="margin-right-2" href={`/research/calls/${c.id}/report`}>
            {v.t('rs.report')}
          </a>
          <a href={`/api/research/calls/${c.id}/compiled.csv`}>{v.t('rs.compiled.csv')}</a>
        </p>
        <CompiledTable v={v} t={t} fields={c.fields} />
      </div>,
    );
  });
  app.get('/research/calls/:id/report', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const c = await visibleCall(req.ctx, req.params.id);
    const t = await compiledOf(req.ctx, c);
    const v = req.view();
    return reply.page(
      v.t('rs.report.title', { title: c.title }),
      <article class="research-report">
        <link rel="stylesheet" href="/research/assets/report.css" media="print" />
        <p class="no-print">
          <a href={`/research/calls/${c.id}`}>{v.t('rs.back')}</a> · {v.t('rs.report.print')}
        </p>
        <h1>{v.t('rs.report.title', { title: c.title })}</h1>
        {c.description && <p>{c.description}</p>}
        <p>
          {v.t('rs.field.period')}: {formatDate(v.lang, c.period_start)} – {formatDate(v.lang, c.period_end)}. {v.t('rs.report.generated', { at: formatInstant(v.lang, new Date()) })}
        </p>
        <CompiledTable v={v} t={t} fields={c.fields} />
        <h2>{v.t('rs.definitions')}</h2>
        <Definitions v={v} fields={c.fields} />
      </article>,
    );
  });
}
