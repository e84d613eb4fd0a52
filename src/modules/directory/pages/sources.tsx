/**
 * Federation sources (issue 12 item 6): the API and pages where directory managers (administrators) register HSDS
 * sources, change them and pull one now; and the provenance of a service, per source, in the API.
 */
import { formatDate, formatInstant } from '../../../platform/web/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { hidden, IdParams, Nullable, PageQuery, pageOf, ProblemRef, secured, writeErrors } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { localizeFieldErrors } from '../../../platform/web/field-errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Breadcrumbs, Csrf, ErrorSummary, FormPage, Pager, Select, Table, TextInput } from '../../../platform/web/components.tsx';
import { MANAGE, PROPOSE } from '../permissions.ts';
import { FormPost, PageNumber } from '../schema.ts';
import { getSource, listSources, pullSource, registerSource, SCHEDULES, SOURCE_KINDS, updateSource, type Source } from '../federation.ts';
import { provenanceOf, type Provenance as Origin } from '../snapshot.ts';
import { pullResultIn, SOURCE_RULES } from '../federation-messages.ts';
import { COMPARED, CONFLICTS_PAGE, conflictScope, conflicts, keepValue, organizationsMatchedWith, type Conflict } from '../federation-match.ts';
import type { Db } from '../../../platform/db/index.ts';
import { PUBLIC } from './shared.tsx';

const MANAGERS = { access: { permission: MANAGE } } as const;
/** Directory managers, and the stewards of listings (who may propose): the handler narrows to their listings. */
const STEWARDS = { access: { permission: PROPOSE } } as const;
const errors = { 400: ProblemRef, 401: ProblemRef, 403: ProblemRef };

const SourceBody = Type.Object(
  {
    name: Type.String({ maxLength: 100, description: 'What people call the publisher; recorded as the source of every service it lists.' }),
    kind: Type.Union(SOURCE_KINDS.map((k) => Type.Literal(k)), { description: 'hsds-api: an HSDS 3.0 API base address (its /services pages are walked); package-url: a zip or datapackage.json address; path: a file or folder on the server.' }),
    location: Type.String({ maxLength: 2000, description: 'An http(s) address, fetched by the server, or an absolute path on the server.' }),
    schedule: Type.Union(SCHEDULES.map((s) => Type.Literal(s))),
    enabled: Type.Optional(Type.Boolean({ description: 'Pulled on its schedule (default true); a disabled source is pulled only by hand.' })),
  },
  { additionalProperties: false },
);
const SourceOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: Type.String(),
  location: Type.String(),
  schedule: Type.String(),
  enabled: Type.Boolean(),
  next_pull_at: Nullable(Type.String({ format: 'date-time' })),
  last_pull_at: Nullable(Type.String({ format: 'date-time' })),
  last_result: Nullable(Type.String({ description: 'The last pull: imported (with its counts), not-modified (nothing written) or failed (why).' })),
  last_import_id: Nullable(Type.String({ format: 'uuid', description: 'The last import from this source in the import history (one that went in; once set, the name cannot change).' })),
  last_refusal_id: Nullable(Type.String({ format: 'uuid', description: 'When the last pull failed because its import was refused: that refusal in the import history (/directory/imports/{id}), with why and every refused row. Null after any other outcome.' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const PullOut = Type.Object({
  source: Type.String(),
  outcome: Type.Union([Type.Literal('imported'), Type.Literal('not-modified'), Type.Literal('failed')]),
  detail: Type.String(),
  import_id: Nullable(Type.String({ format: 'uuid' })),
});
const ProvenanceOut = Type.Object({
  service_id: Type.String({ format: 'uuid' }),
  sources: Type.Array(
    Type.Object({
      service_id: Type.String({ format: 'uuid', description: 'The record listed: this service, or one matched with it from another source (same name and address, phone or website).' }),
      source: Type.String(),
      source_id: Type.String({ description: "The service's id at the source." }),
      first_seen: Type.String({ format: 'date-time' }),
      last_changed: Type.String({ format: 'date-time', description: 'When an import from this source last changed the service.' }),
      last_seen: Type.String({ format: 'date-time', description: 'When the source last listed it.' }),
      left_at: Nullable(Type.String({ format: 'date-time', description: 'When the source stopped listing it; null while it does.' })),
    }),
  ),
});

export function sourceRoutes(app: App): void {
  app.get('/api/directory/sources', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Registered federation sources', security: secured, response: { 200: Type.Object({ items: Type.Array(SourceOut) }), ...errors } } }, async (req) => ({ items: await listSources(req.ctx) }));
  app.post('/api/directory/sources', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Register a federation source (pulled on its schedule; the server fetches its address)', security: secured, body: SourceBody, response: { 201: SourceOut, ...writeErrors } } }, async (req, reply) => reply.code(201).send(await registerSource(req.ctx, req.body)));
  app.get('/api/directory/sources/:id', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'One federation source and its last pull', security: secured, params: IdParams, response: { 200: SourceOut, ...errors, 404: ProblemRef } } }, async (req) => getSource(req.ctx, req.params.id));
  app.put('/api/directory/sources/:id', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Change a federation source', security: secured, params: IdParams, body: SourceBody, response: { 200: SourceOut, ...writeErrors } } }, async (req) => updateSource(req.ctx, req.params.id, req.body));
  app.post('/api/directory/sources/:id/pull', { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Pull a federation source now (conditional request; a full snapshot import of what changed)', security: secured, params: IdParams, response: { 200: PullOut, ...writeErrors } } }, async (req) => {
    const r = await pullSource(req.ctx, req.params.id);
    return { source: r.source, outcome: r.outcome, detail: r.detail, import_id: r.importId };
  });
  app.get('/api/directory/services/:id/provenance', { config: PUBLIC, schema: { tags: ['Directory'], summary: "A service's provenance: each source that lists or listed it, its id there, first seen, last changed, last seen", params: IdParams, response: { 200: ProvenanceOut, 400: ProblemRef, 404: ProblemRef } } }, async (req) => {
    const s = await req.ctx.db.selectFrom('directory_service').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!s) throw notFound('No such service.');
    return { service_id: req.params.id, sources: (await provenanceOf(req.ctx.db, [req.params.id])).get(req.params.id) ?? [] };
  });

  const ConflictOut = Type.Object({
    service_id: Type.String({ format: 'uuid', description: 'The service seen later (the id to resolve the conflict with).' }),
    same_as: Type.String({ format: 'uuid', description: 'The service seen first, from another source; it stands for both in search.' }),
    name: Type.String(),
    matched_on: Type.Union([Type.Literal('address'), Type.Literal('phone'), Type.Literal('website')], { description: 'What matched besides the name.' }),
    field: Type.Union(COMPARED.map((f) => Type.Literal(f))),
    value: Nullable(Type.String({ description: 'The value of the service seen later.' })),
    other_value: Nullable(Type.String({ description: 'The value of the service seen first.' })),
  });
  const OrganizationMatchOut = Type.Object({
    organization_id: Type.String({ format: 'uuid', description: 'The organisation seen later.' }),
    same_as: Type.String({ format: 'uuid', description: 'The organisation seen first, from another source.' }),
    name: Type.String(),
    other_name: Type.String(),
    matched_on: Type.Union([Type.Literal('address'), Type.Literal('phone'), Type.Literal('website')]),
  });
  const KeepBody = Type.Object(
    {
      field: Type.String({ maxLength: 100, description: `The field to resolve: one of ${COMPARED.join(', ')}, on which the two services differ.` }),
      value: Nullable(Type.String({ maxLength: 100_000, description: 'The value to keep: exactly one of the two (null or empty for the empty one).' })),
    },
    { additionalProperties: false },
  );
  const KeepOut = Type.Object({
    service_id: Type.String({ format: 'uuid' }),
    same_as: Type.String({ format: 'uuid' }),
    field: Type.String(),
    kept: Nullable(Type.String()),
    changed: Type.Array(Type.String({ format: 'uuid' }), { description: 'The records whose value was replaced; the next pull of their source does not put it back until the source changes it.' }),
  });
  app.get(
    '/api/directory/sources/conflicts',
    {
      config: STEWARDS,
      schema: {
        tags: ['Directory'],
        summary: 'Services and organisations matched across sources, and the values on which services disagree, a page of them (all for directory managers; a steward sees their listings\' only)',
        security: secured,
        querystring: Type.Object({ ...PageQuery, organizations_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: 'Page of the matched organisations, from 1 (per_page of them).' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            matches: Type.Integer({ description: 'Matched pairs of services (in scope).' }),
            items: Type.Array(ConflictOut, { description: 'This page of the differing values, oldest match first.' }),
            total: Type.Integer({ description: 'Differing values in all.' }),
            page: Type.Integer(),
            per_page: Type.Integer(),
            organizations: Type.Array(OrganizationMatchOut, { description: 'This page of the matched organisations.' }),
            organizations_total: Type.Integer({ description: 'Matched organisations in all.' }),
            organizations_page: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { page, perPage, offset } = pageOf(req.query);
      const orgPage = req.query.organizations_page ?? 1;
      const r = await conflicts(req.ctx.db, { organizations: (await conflictScope(req.ctx)) ?? undefined, limit: perPage, offset, organizationsOffset: (orgPage - 1) * perPage });
      return { matches: r.matches, items: r.items, total: r.total, page, per_page: perPage, organizations: r.organizations, organizations_total: r.organizationsTotal, organizations_page: orgPage };
    },
  );
  app.post(
    '/api/directory/sources/conflicts/:id',
    { config: STEWARDS, schema: { tags: ['Directory'], summary: 'Keep one of the two values on which matched services differ (directory managers; a steward for their listings). Audited; kept across pulls until the source changes it', security: secured, params: IdParams, body: KeepBody, response: { 200: KeepOut, ...writeErrors, 404: ProblemRef } } },
    async (req) => keepValue(req.ctx, req.params.id, req.body),
  );
  app.get('/directory/sources/conflicts', { config: STEWARDS, schema: { ...hidden, querystring: Type.Object({ kept: Type.Optional(Type.Literal('1')), page: PageNumber, organizations_page: PageNumber }) } }, async (req, reply) => conflictsPage(req, reply, undefined, req.query.kept === '1', req.query.page ?? 1, req.query.organizations_page ?? 1));
  app.post('/directory/sources/conflicts/:id', { config: STEWARDS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const body = formBody(req.body);
    return submitForm(
      reply,
      async () => {
        await keepValue(req.ctx, req.params.id, { field: body.field ?? '', value: body.value ?? '' });
        // Back to the page the value was kept on (it may now list fewer: the pager says how many there are).
        return `/directory/sources/conflicts?kept=1${pageFrom(body.page) > 1 ? `&page=${pageFrom(body.page)}` : ''}`;
      },
      (e) => conflictsPage(req, reply, e, false, pageFrom(body.page)),
    );
  });
  app.get('/api/directory/organizations/:id/provenance', { config: PUBLIC, schema: { tags: ['Directory'], summary: "An organisation's provenance: each source listing services of it, or of an organisation matched with it from another source", params: IdParams, response: { 200: OrganizationProvenanceOut, 400: ProblemRef, 404: ProblemRef } } }, async (req) => {
    const o = await req.ctx.db.selectFrom('directory_organization').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!o) throw notFound('No such organization.');
    return { organization_id: req.params.id, sources: await organizationProvenance(req.ctx.db, req.params.id) };
  });

  app.get('/directory/sources', { config: MANAGERS, schema: hidden }, async (req, reply) => listPage(req, reply));
  app.get('/directory/sources/new', { config: MANAGERS, schema: hidden }, async (req, reply) => formPage(req, reply, null, {}));
  app.post('/directory/sources', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/directory/sources#source-${(await registerSource(req.ctx, formBody(req.body))).id}`,
      (e) => formPage(req, reply, null, rawValues(req.body), e),
    ),
  );
  app.get('/directory/sources/:id/edit', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const s = await getSource(req.ctx, req.params.id);
    return formPage(req, reply, s, { name: s.name, kind: s.kind, location: s.location, schedule: s.schedule, enabled: String(s.enabled) });
  });
  app.post('/directory/sources/:id', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const s = await getSource(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => `/directory/sources#source-${(await updateSource(req.ctx, s.id, formBody(req.body))).id}`,
      (e) => formPage(req, reply, s, rawValues(req.body), e),
    );
  });
  app.post('/directory/sources/:id/pull', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await pullSource(req.ctx, req.params.id);
    return reply.redirect(`/directory/sources#source-${req.params.id}`, 303);
  });
}

const OrganizationProvenanceOut = Type.Object({
  organization_id: Type.String({ format: 'uuid' }),
  sources: Type.Array(
    Type.Object({
      organization_id: Type.String({ format: 'uuid', description: 'The record listed: this organisation, or one matched with it from another source (same name and website, phone or address).' }),
      source: Type.String(),
      services: Type.Integer({ description: 'Services of it the source lists or listed.' }),
      first_seen: Type.String({ format: 'date-time' }),
      last_changed: Type.String({ format: 'date-time' }),
    }),
  ),
});

/** The sources of an organisation: those of its services, and of the services of organisations matched with it. */
async function organizationProvenance(db: Db, id: string) {
  const orgs = await organizationsMatchedWith(db, id);
  const rows = await db
    .selectFrom('directory_provenance as p')
    .innerJoin('directory_service as s', 's.id', 'p.service_id')
    .select(['s.organization_id as organization_id', 'p.source as source', (e) => e.fn.count('p.service_id').as('services'), (e) => e.fn.min('p.first_seen').as('first_seen'), (e) => e.fn.max('p.last_changed').as('last_changed')])
    .where('s.organization_id', 'in', orgs)
    .groupBy(['s.organization_id', 'p.source'])
    .orderBy('p.source')
    .orderBy('s.organization_id')
    .execute();
  const iso = (x: unknown) => (x instanceof Date ? x : new Date(String(x))).toISOString();
  return rows.map((r) => ({ organization_id: String(r.organization_id), source: String(r.source), services: Number(r.services), first_seen: iso(r.first_seen), last_changed: iso(r.last_changed) }));
}

/** The conflicts page: matched services' differing values, each with a button keeping it, and matched organisations. */
/** The page a form was sent from (a hidden field): a whole number from 1, else the first. */
const pageFrom = (x: unknown): number => (typeof x === 'string' && /^[1-9]\d{0,5}$/.test(x) ? Number(x) : 1);

async function conflictsPage(req: FastifyRequest, reply: FastifyReply, errs?: FieldError[], kept = false, page = 1, orgPage = 1) {
  const v = req.view();
  const perPage = CONFLICTS_PAGE.perPage;
  const { items, total, matches, organizations, organizationsTotal } = await conflicts(req.ctx.db, { organizations: (await conflictScope(req.ctx)) ?? undefined, limit: perPage, offset: (page - 1) * perPage, organizationsOffset: (orgPage - 1) * perPage });
  const title = v.t('directory.conflicts.title');
  const e = localizeFieldErrors(v.lang, errs, SOURCE_RULES);
  const label = (field: string) => v.t(`directory.conflicts.field.${field}`);
  const keep = (c: Conflict, value: string | null) => (
    <>
      {/* A value one source leaves empty is named as such (a dash was read as nothing, or as "dash"). */}
      {value === null ? <span class="usa-hint">{v.t('directory.conflicts.empty')}</span> : <span class="text-pre-line">{value}</span>}
      <form method="post" action={`/directory/sources/conflicts/${c.service_id}`} class="margin-top-1">
        <Csrf v={v} />
        <input type="hidden" name="field" value={c.field} />
        <input type="hidden" name="value" value={value ?? ''} />
        {page > 1 && <input type="hidden" name="page" value={String(page)} />}
        <button type="submit" class="usa-button usa-button--outline usa-button--small">
          {v.t('directory.conflicts.keep')}
          <span class="usa-sr-only">
            {' '}
            {label(c.field)}: {value ?? v.t('directory.conflicts.empty')}
          </span>
        </button>
      </form>
    </>
  );
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/sources', label: v.t('directory.sources.title') }, { label: title }]} />
      <h1>{title}</h1>
      <ErrorSummary v={v} errors={e ?? []} labels={{ field: v.t('directory.conflicts.field'), value: v.t('directory.conflicts.value') }} />
      {kept && (
        <div class="usa-alert usa-alert--success usa-alert--slim" role="status">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{v.t('directory.conflicts.kept')}</p>
          </div>
        </div>
      )}
      <p>{v.t('directory.conflicts.intro', { n: matches })}</p>
      <div id="field-field">
        <div id="field-value">
          {total === 0 ? (
            <p>{v.t('directory.conflicts.none')}</p>
          ) : (
            <Table
              v={v}
              wrap
              caption={title}
              head={[v.t('directory.conflicts.service'), v.t('directory.conflicts.field'), v.t('directory.conflicts.first'), v.t('directory.conflicts.later')]}
              rows={items.map((c) => [
                <>
                  <a href={`/directory/services/${c.same_as}`}>{c.name}</a>
                  <br />
                  <small>{v.t(`directory.conflicts.on.${c.matched_on}`)}</small>
                </>,
                label(c.field),
                keep(c, c.other_value),
                keep(c, c.value),
              ])}
            />
          )}
          <Pager v={v} page={page} perPage={perPage} total={total} />
        </div>
      </div>
      <h2>{v.t('directory.conflicts.organizations')}</h2>
      {organizationsTotal === 0 ? (
        <p>{v.t('directory.conflicts.organizations.none')}</p>
      ) : (
        <Table
          v={v}
          caption={v.t('directory.conflicts.organizations')}
          head={[v.t('directory.conflicts.organization.first'), v.t('directory.conflicts.organization.later'), v.t('directory.conflicts.matched')]}
          rows={organizations.map((o) => [<a href={`/directory/organizations/${o.same_as}`}>{o.other_name}</a>, <a href={`/directory/organizations/${o.organization_id}`}>{o.name}</a>, v.t(`directory.conflicts.on.${o.matched_on}`)])}
        />
      )}
      <Pager v={v} page={orgPage} perPage={perPage} total={organizationsTotal} param="organizations_page" />
    </>,
    errs ? 400 : 200,
  );
}

/** An instant on the task force's clock, as every other page shows one. */
function when(v: View, iso: string | null): string {
  return iso ? formatInstant(v.lang, iso) : '—';
}

async function listPage(req: FastifyRequest, reply: FastifyReply) {
  const v = req.view();
  const items = await listSources(req.ctx);
  const title = v.t('directory.sources.title');
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: title }]} />
      <h1>{title}</h1>
      <p>{v.t('directory.sources.intro')}</p>
      <p>
        <a class="usa-button" href="/directory/sources/new">
          {v.t('directory.sources.add')}
        </a>{' '}
        <a class="usa-button usa-button--outline" href="/directory/sources/conflicts">
          {v.t('directory.conflicts.title')}
        </a>
      </p>
      {items.length === 0 ? (
        <p>{v.t('directory.sources.none')}</p>
      ) : (
        <Table
          v={v}
          wrap
          caption={title}
          head={[v.t('directory.sources.name'), v.t('directory.sources.kind'), v.t('directory.sources.schedule'), v.t('directory.sources.last'), v.t('directory.sources.next'), v.t('directory.sources.actions')]}
          rows={items.map((s) => [
            <span id={`source-${s.id}`}>
              {s.name}
              <br />
              <small class="text-break-all">{s.location}</small>
            </span>,
            v.t(`directory.sources.kind.${s.kind}`),
            `${v.t(`directory.sources.schedule.${s.schedule}`)}${s.enabled ? '' : ` — ${v.t('directory.sources.enabled.no')}`}`,
            s.last_pull_at ? (
              <>
                {when(v, s.last_pull_at)}
                <br />
                {s.last_refusal_id ? (
                  <>
                    {pullResultIn(v, s.last_result ?? '')} <a href={`/directory/imports/${s.last_refusal_id}`}>{v.t('directory.sources.refusal', { name: s.name })}</a>
                  </>
                ) : s.last_import_id && !s.last_result?.startsWith('failed:') ? (
                  <a href={`/directory/imports/${s.last_import_id}`}>{pullResultIn(v, s.last_result ?? '')}</a>
                ) : (
                  pullResultIn(v, s.last_result ?? '')
                )}
              </>
            ) : (
              v.t('directory.sources.never')
            ),
            s.enabled ? when(v, s.next_pull_at) : v.t('directory.sources.next.none'),
            <>
              <a href={`/directory/sources/${s.id}/edit`}>{v.t('directory.sources.change', { name: s.name })}</a>{' '}
              <ActionButton v={v} action={`/directory/sources/${s.id}/pull`} secondary>
                {v.t('directory.sources.pull', { name: s.name })}
              </ActionButton>
            </>,
          ])}
        />
      )}
    </>,
  );
}

function formPage(req: FastifyRequest, reply: FastifyReply, s: Source | null, values: FormValues, errs?: FieldError[]) {
  const v = req.view();
  const title = s ? v.t('directory.sources.edit', { name: s.name }) : v.t('directory.sources.add');
  const e = localizeFieldErrors(v.lang, errs, SOURCE_RULES);
  const val = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const enabled = values.enabled === undefined ? 'true' : ['true', 'on', '1'].includes(val('enabled')) ? 'true' : 'false';
  return reply.page(
    title,
    <FormPage
      v={v}
      title={title}
      action={s ? `/directory/sources/${s.id}` : '/directory/sources'}
      errors={e}
      cancel="/directory/sources"
      crumbs={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/sources', label: v.t('directory.sources.title') }]}
      save={v.t('directory.sources.save')}
    >
      <TextInput name="name" label={v.t('directory.sources.name')} hint={v.t('directory.sources.name.hint')} required maxLength={100} value={val('name')} errors={e} />
      <Select name="kind" label={v.t('directory.sources.kind')} required value={val('kind')} blank="—" options={SOURCE_KINDS.map((k) => ({ value: k, label: v.t(`directory.sources.kind.${k}`) }))} errors={e} />
      <TextInput name="location" label={v.t('directory.sources.location')} hint={v.t('directory.sources.location.hint')} required maxLength={2000} value={val('location')} errors={e} />
      <Select name="schedule" label={v.t('directory.sources.schedule')} required value={val('schedule') || 'daily'} options={SCHEDULES.map((k) => ({ value: k, label: v.t(`directory.sources.schedule.${k}`) }))} errors={e} />
      <Select name="enabled" label={v.t('directory.sources.enabled')} value={enabled} options={[{ value: 'true', label: v.t('directory.sources.enabled.yes') }, { value: 'false', label: v.t('directory.sources.enabled.no') }]} errors={e} />
    </FormPage>,
    errs ? 400 : 200,
  );
}


/** Where a service comes from: "From SOURCE, updated DATE" per source that lists it (issue 12 item 6). */
export function Provenance({ v, sources }: { v: View; sources: Origin[] }) {
  if (!sources.length) return null;
  const day = (iso: string) => formatDate(v.lang, iso);
  return (
    <ul class="usa-list usa-list--unstyled margin-bottom-2 text-base-dark">
      {sources.map((s) => (
        <li>{s.left_at ? v.t('directory.provenance.left', { source: s.source, date: day(s.left_at) }) : v.t('directory.provenance.from', { source: s.source, date: day(s.last_changed) })}</li>
      ))}
    </ul>
  );
}
