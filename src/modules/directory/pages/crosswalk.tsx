/**
 * The taxonomy crosswalk (issue 13 item 3): the API and pages where directory managers list, filter, add and remove
 * the entries that map publishers' categories to the directory's terms, and the report of what maps to nothing.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { hidden, IdParams, Nullable, ProblemRef, secured, writeErrors } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { localizeFieldErrors } from '../../../platform/web/field-errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, FormPage, Select, SubmitButton, Table, TextInput } from '../../../platform/web/components.tsx';
import { MANAGE } from '../permissions.ts';
import { FormPost } from '../schema.ts';
import { termByCode } from '../taxonomy.ts';
import { foldName } from '../languages.ts';
import { addCrosswalkEntry, CROSSWALK_KINDS, crosswalkEntries, crosswalkPending, crosswalkReport, reapplyCrosswalk, removeCrosswalkEntry, TERM_CODES, type CrosswalkEntry, type EditResult } from '../crosswalk.ts';
import { CROSSWALK_RULES } from '../crosswalk-messages.ts';

const MANAGERS = { access: { permission: MANAGE } } as const;
const errors = { 400: ProblemRef, 401: ProblemRef, 403: ProblemRef };

const Kind = Type.Union(
  CROSSWALK_KINDS.map((k) => Type.Literal(k)),
  { description: 'code: an AIRS / 211 LA County taxonomy code or prefix (the most specific code entry decides within a facet); name: a source term\'s whole name; keyword: a word or phrase in a source term\'s name or a parent\'s.' },
);
const EntryOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  source: Type.String({ description: 'As matched: a code in capitals, a name or keyword folded (lower case, no accents or punctuation).' }),
  term: Type.String({ description: "The directory term's code, e.g. need.emergency-shelter." }),
  shipped: Type.Boolean({ description: 'Shipped with the application rather than added by a directory manager.' }),
  family: Nullable(Type.String({ description: 'The vocabulary a shipped entry comes from (airs, open-eligibility, health-leads, general).' })),
});
const EntryBody = Type.Object(
  {
    kind: Kind,
    source: Type.String({ maxLength: 200, description: 'The code, name or word, e.g. BH-1800.8500, "Food Pantries", "human trafficking".' }),
    term: Type.String({ maxLength: 100, description: `A directory term code: ${TERM_CODES.join(', ')}.` }),
  },
  { additionalProperties: false },
);
const ReapplyOut = Type.Object({
  services: Type.Integer({ description: 'Services whose derived terms or language codes changed (indexed again).' }),
  added: Type.Integer(),
  removed: Type.Integer(),
  languages: Type.Integer({ description: 'Language rows given a code from their name.' }),
});
const EditOut = Type.Object({
  entry: EntryOut,
  pending: Type.Boolean({ description: 'True when the directory is large: the directory.crosswalk job maps stored services again within minutes.' }),
  reapplied: Nullable(ReapplyOut),
});
const ListQuery = Type.Object(
  {
    kind: Type.Optional(Kind),
    term: Type.Optional(Type.String({ maxLength: 100, description: 'Only entries mapping to this directory term code.' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Only entries whose source contains this text.' })),
  },
  { additionalProperties: false },
);
const ReportOut = Type.Object({
  source_terms: Type.Integer({ description: 'Distinct source terms carried by services.' }),
  mapped_terms: Type.Integer({ description: 'Of those, how many the crosswalk maps to a directory term.' }),
  terms: Type.Array(Type.Object({ taxonomy: Nullable(Type.String()), code: Nullable(Type.String()), name: Type.String(), services: Type.Integer() }), { description: 'Source terms that map to nothing, most services first.' }),
  languages: Type.Array(Type.Object({ name: Type.String(), services: Type.Integer() }), { description: 'Language names with no code, most services first.' }),
});

const editOut = (r: EditResult) => ({ entry: r.entry, pending: r.pending, reapplied: r.reapplied });

/** Entries matching a filter: kind, term and text in the source (folded for names and words, as they are stored). */
export function filterEntries(all: CrosswalkEntry[], f: { kind?: string; term?: string; q?: string }): CrosswalkEntry[] {
  const q = f.q?.trim() ?? '';
  const folded = foldName(q);
  const upper = q.toUpperCase();
  return all.filter((e) => (!f.kind || e.kind === f.kind) && (!f.term || e.term === f.term) && (!q || (e.kind === 'code' ? e.source.includes(upper) : folded !== '' && e.source.includes(folded))));
}

export function crosswalkRoutes(app: App): void {
  app.get('/api/directory/crosswalk', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'The taxonomy crosswalk in force (shipped entries not removed, and added ones), filtered', security: secured, querystring: ListQuery, response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(EntryOut) }), ...errors } } }, async (req) => {
    const all = await crosswalkEntries(req.ctx.db);
    return { total: all.length, items: filterEntries(all, req.query) };
  });
  app.post('/api/directory/crosswalk', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Add a crosswalk entry (or put back a shipped one); stored services are mapped again', security: secured, body: EntryBody, response: { 201: EditOut, ...writeErrors } } }, async (req, reply) => reply.code(201).send(editOut(await addCrosswalkEntry(req.ctx, req.body))));
  app.delete('/api/directory/crosswalk/:id', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Remove a crosswalk entry; stored services are mapped again', security: secured, params: IdParams, response: { 200: EditOut, ...writeErrors } } }, async (req) => editOut(await removeCrosswalkEntry(req.ctx, req.params.id)));
  app.post('/api/directory/crosswalk/reapply', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Map every stored service again with the crosswalk in force, and code language names', security: secured, response: { 200: ReapplyOut, ...writeErrors } } }, async (req) => reapplyCrosswalk(req.ctx));
  app.get('/api/directory/crosswalk/report', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Source terms and language names that map to nothing, by the number of services carrying them', security: secured, response: { 200: ReportOut, ...errors } } }, async (req) => {
    const r = await crosswalkReport(req.ctx.db);
    return { source_terms: r.sourceTerms, mapped_terms: r.mappedTerms, terms: r.terms, languages: r.languages };
  });

  app.get('/directory/crosswalk', { config: MANAGERS, schema: hidden }, async (req, reply) => listPage(req, reply));
  app.get('/directory/crosswalk/new', { config: MANAGERS, schema: hidden }, async (req, reply) => formPage(req, reply, {}));
  app.post('/directory/crosswalk', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        const r = await addCrosswalkEntry(req.ctx, formBody(req.body));
        return `/directory/crosswalk?term=${encodeURIComponent(r.entry.term)}#entry-${r.entry.id}`;
      },
      (e) => formPage(req, reply, rawValues(req.body), e),
    ),
  );
  app.post('/directory/crosswalk/:id/remove', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const r = await removeCrosswalkEntry(req.ctx, req.params.id);
    return reply.redirect(`/directory/crosswalk?term=${encodeURIComponent(r.entry.term)}`, 303);
  });
  app.get('/directory/crosswalk/report', { config: MANAGERS, schema: hidden }, async (req, reply) => reportPage(req, reply));
}

const termLabel = (v: View, code: string) => {
  const t = termByCode.get(code);
  return t ? `${v.lang === 'es' ? t.es : t.en} (${code})` : code;
};
const termOptions = (v: View) => TERM_CODES.map((c) => ({ value: c, label: termLabel(v, c) }));
const kindOptions = (v: View) => CROSSWALK_KINDS.map((k) => ({ value: k, label: v.t(`directory.crosswalk.kind.${k}`) }));
const str = (x: unknown) => (typeof x === 'string' ? x : '');

async function listPage(req: FastifyRequest, reply: FastifyReply) {
  const v = req.view();
  const query = (req.query ?? {}) as Record<string, unknown>;
  // A filter the page does not know is shown as no filter, not refused: it only narrows a list.
  const kind = (CROSSWALK_KINDS as readonly string[]).includes(str(query.kind)) ? str(query.kind) : '';
  const term = TERM_CODES.includes(str(query.term)) ? str(query.term) : '';
  const q = str(query.q).slice(0, 200);
  const all = await crosswalkEntries(req.ctx.db);
  const shown = filterEntries(all, { kind, term, q });
  const pending = await crosswalkPending(req.ctx.db);
  const title = v.t('directory.crosswalk.title');
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: title }]} />
      <h1>{title}</h1>
      <p>{v.t('directory.crosswalk.intro', { n: all.length })}</p>
      {pending && <p class="usa-alert usa-alert--info usa-alert--slim usa-alert__body">{v.t('directory.crosswalk.pending')}</p>}
      <p>
        <a class="usa-button" href="/directory/crosswalk/new">
          {v.t('directory.crosswalk.add')}
        </a>{' '}
        <a class="usa-button usa-button--outline" href="/directory/crosswalk/report">
          {v.t('directory.crosswalk.report')}
        </a>
      </p>
      <form method="get" action="/directory/crosswalk" class="usa-form usa-form--large" aria-label={v.t('directory.crosswalk.filter')}>
        <TextInput name="q" label={v.t('directory.crosswalk.filter.q')} value={q} maxLength={200} />
        <Select name="kind" label={v.t('directory.crosswalk.kind')} value={kind} blank={v.t('directory.crosswalk.filter.all')} options={kindOptions(v)} />
        <Select name="term" label={v.t('directory.crosswalk.term')} value={term} blank={v.t('directory.crosswalk.filter.all')} options={termOptions(v)} />
        <SubmitButton secondary>{v.t('directory.crosswalk.filter.apply')}</SubmitButton>
      </form>
      <p role="status">{v.t('directory.crosswalk.filter.shown', { n: shown.length, total: all.length })}</p>
      <Table
        v={v}
        wrap
        caption={title}
        head={[v.t('directory.crosswalk.kind'), v.t('directory.crosswalk.source'), v.t('directory.crosswalk.term'), v.t('directory.crosswalk.origin'), v.t('directory.crosswalk.actions')]}
        rows={shown.map((e) => [
          v.t(`directory.crosswalk.kind.${e.kind}`),
          // The source as it is matched (a code, or a folded name): an identifier, not prose of the page. Its words
          // kept whole on a wide screen (app.css code--words): a table breaks other code anywhere, and kept
          // "apprentices|hip" split with room to spare.
          <code id={`entry-${e.id}`} class="code--words">
            {e.source}
          </code>,
          termLabel(v, e.term),
          e.shipped ? v.t('directory.crosswalk.origin.shipped', { family: e.family ?? '' }) : v.t('directory.crosswalk.origin.added'),
          <ActionButton v={v} action={`/directory/crosswalk/${e.id}/remove`} secondary>
            {v.t('directory.crosswalk.remove', { source: e.source, term: e.term })}
          </ActionButton>,
        ])}
      />
    </>,
  );
}

function formPage(req: FastifyRequest, reply: FastifyReply, values: FormValues, errs?: FieldError[]) {
  const v = req.view();
  const title = v.t('directory.crosswalk.add');
  const e = localizeFieldErrors(v.lang, errs, CROSSWALK_RULES);
  const val = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  return reply.page(
    title,
    <FormPage v={v} title={title} action="/directory/crosswalk" errors={e} cancel="/directory/crosswalk" crumbs={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/crosswalk', label: v.t('directory.crosswalk.title') }]} save={v.t('directory.crosswalk.save')}>
      <Select name="kind" label={v.t('directory.crosswalk.kind')} hint={v.t('directory.crosswalk.kind.hint')} required value={val('kind')} blank="—" options={kindOptions(v)} errors={e} />
      <TextInput name="source" label={v.t('directory.crosswalk.source')} hint={v.t('directory.crosswalk.source.hint')} required maxLength={200} value={val('source')} errors={e} />
      <Select name="term" label={v.t('directory.crosswalk.term')} required value={val('term')} blank="—" options={termOptions(v)} errors={e} />
    </FormPage>,
    errs ? 400 : 200,
  );
}

async function reportPage(req: FastifyRequest, reply: FastifyReply) {
  const v = req.view();
  const r = await crosswalkReport(req.ctx.db);
  const title = v.t('directory.crosswalk.report');
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/crosswalk', label: v.t('directory.crosswalk.title') }, { label: title }]} />
      <h1>{title}</h1>
      <p>{v.t('directory.crosswalk.report.intro', { mapped: r.mappedTerms, total: r.sourceTerms })}</p>
      <h2>{v.t('directory.crosswalk.report.terms')}</h2>
      {r.terms.length === 0 ? (
        <p>{v.t('directory.crosswalk.report.none')}</p>
      ) : (
        <Table v={v} wrap caption={v.t('directory.crosswalk.report.terms')} head={[v.t('directory.crosswalk.report.name'), v.t('directory.crosswalk.report.code'), v.t('directory.crosswalk.report.taxonomy'), v.t('directory.crosswalk.report.services')]} rows={r.terms.map((t) => [t.name, t.code ?? '—', t.taxonomy ?? '—', String(t.services)])} />
      )}
      <h2>{v.t('directory.crosswalk.report.languages')}</h2>
      {r.languages.length === 0 ? (
        <p>{v.t('directory.crosswalk.report.languages.none')}</p>
      ) : (
        <Table v={v} wrap caption={v.t('directory.crosswalk.report.languages')} head={[v.t('directory.crosswalk.report.language'), v.t('directory.crosswalk.report.services')]} rows={r.languages.map((l) => [l.name, String(l.services)])} />
      )}
      <p>
        <a href="/directory/crosswalk">{v.t('directory.crosswalk.back')}</a>
      </p>
    </>,
  );
}
