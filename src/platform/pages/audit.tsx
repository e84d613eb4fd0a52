/** The audit log: the page with its filter, its CSV download, and the same through the API. */
import type { FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { listAudit } from '../audit/index.ts';
import { toCsv } from '../http/csv.ts';
import { DateStr, Nullable, PageQuery, Paged, ProblemRef, hidden, pageOf, readErrors, secured } from '../http/schemas.ts';
import type { Db } from '../db/index.ts';
import type { View } from '../web/view.ts';
import { Pager, SubmitButton, Table, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import type { AuditEvent } from '../audit/index.ts';
import { codeLabel, defineMessages, formatInstant, isLang, type Lang } from '../web/i18n.ts';

defineMessages({
  en: { 'audit.when': 'When', 'audit.who': 'Who', 'audit.action': 'Action', 'audit.entity': 'Record', 'audit.summary': 'Summary', 'audit.ip': 'IP address', 'audit.entity_type': 'Record type', 'audit.action.hint': 'For example structure.agency.update', 'audit.from': 'From (date)', 'audit.to': 'Before (date)' },
  es: { 'audit.when': 'Fecha y hora', 'audit.who': 'Quién', 'audit.action': 'Acción', 'audit.entity': 'Registro', 'audit.summary': 'Resumen', 'audit.ip': 'Dirección IP', 'audit.entity_type': 'Tipo de registro', 'audit.action.hint': 'Por ejemplo structure.agency.update', 'audit.from': 'Desde (fecha)', 'audit.to': 'Antes de (fecha)' },
});

/** Times as people read them, in the task force's time zone (work plans' periods use the same one), with the zone named. */
export function readableInstant(iso: string, lang: string): string {
  return formatInstant(isLang(lang) ? lang : 'en', iso);
}

/** A summary as "field: value; field: value", lists joined, nested values shown compactly. */
export function readableSummary(summary: Record<string, unknown>): string {
  const value = (x: unknown): string => (Array.isArray(x) ? x.map(value).join(', ') : x !== null && typeof x === 'object' ? Object.entries(x).map(([k, y]) => `${k} ${value(y)}`).join(', ') : String(x));
  return Object.entries(summary)
    .map(([k, x]) => `${k.replace(/_/g, ' ')}: ${value(x)}`)
    .join('; ');
}

/**
 * A summary on the page: "field: value; field: value", a recorded code (`in_progress`) shown by its label in the
 * reader's language where the catalogs name it, else set as a code.
 */
function SummaryText({ summary, lang, module }: { summary: Record<string, unknown>; lang: Lang; module: string }) {
  const parts = Object.entries(summary).map(([k, x], i) => {
    const label = typeof x === 'string' ? codeLabel(lang, k, x, module) : undefined;
    const raw = typeof x === 'string' && /^[a-z]+(?:_[a-z0-9]+)+$/.test(x);
    return (
      <>
        {i > 0 && '; '}
        {k.replace(/_/g, ' ')}: {label ?? (raw ? <code>{x}</code> : readableSummary({ [k]: x }).slice(k.length + 2))}
      </>
    );
  });
  return <>{parts}</>;
}

const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor_id: Nullable(Type.String()),
  actor_label: Type.String(),
  organization_id: Nullable(Type.String()),
  action: Type.String(),
  entity_type: Type.String(),
  entity_id: Nullable(Type.String()),
  summary: Type.Record(Type.String(), Type.Unknown()),
  ip: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
});

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    entity_type: Type.Optional(Type.String({ maxLength: 100 })),
    entity_id: Type.Optional(Type.String({ maxLength: 100 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(DateStr),
    to: Type.Optional(DateStr),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
    ...PageQuery,
  },
  { additionalProperties: false },
);
type AuditQuery = Static<typeof AuditQuery>;

function AuditPage({ v, items, total, page, perPage, filter }: { v: View; items: AuditEvent[]; total: number; page: number; perPage: number; filter: Record<string, string | undefined> }) {
  const qs = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return (
    <div>
      <h1>{v.t('audit.title')}</h1>
      <form method="get" action="/admin/audit" class="usa-form usa-form--large">
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-4">
            <TextInput name="action" label={v.t('audit.action')} value={filter.action} hint={v.t('audit.action.hint')} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="entity_type" label={v.t('audit.entity_type')} value={filter.entity_type} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="actor" label={v.t('audit.who')} value={filter.actor} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="from" label={v.t('audit.from')} type="date" value={filter.from} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="to" label={v.t('audit.to')} type="date" value={filter.to} />
          </div>
        </div>
        <SubmitButton>{v.t('audit.filter')}</SubmitButton>
      </form>
      <p>
        <a href={`/admin/audit.csv${qs ? '?' + qs : ''}`}>{v.t('audit.csv')}</a> ({total})
      </p>
      <Table
        v={v}
        caption={v.t('audit.title')}
        head={[v.t('audit.when'), v.t('audit.who'), v.t('audit.action'), v.t('audit.entity'), v.t('audit.summary'), v.t('audit.ip')]}
        rows={items.map((e) => [readableInstant(e.at, v.lang), e.actor_label, e.action, `${e.entity_type} ${e.entity_id ?? ''}`, <SummaryText summary={e.summary} lang={v.lang} module={e.action.split('.')[0]} />, e.ip ?? ''])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

/** The filter as the log is stored: calendar days become the instants they start at ("to" is the day before which). */
function auditFilter(q: AuditQuery) {
  const day = (d: string | undefined, plus = 0) => (d ? new Date(Date.parse(d + 'T00:00:00Z') + plus * 86_400_000).toISOString() : undefined);
  return { action: q.action, entity_type: q.entity_type, entity_id: q.entity_id, actor: q.actor, from: day(q.from), to: day(q.to) };
}

async function sendAuditCsv(db: Db, q: AuditQuery, reply: FastifyReply) {
  const { items } = await listAudit(db, auditFilter(q), 100_000, 0);
  const csv = toCsv(
    ['id', 'at', 'actor_id', 'actor', 'organization_id', 'action', 'entity_type', 'entity_id', 'summary', 'ip', 'request_id'],
    items.map((e) => [e.id, e.at, e.actor_id, e.actor_label, e.organization_id, e.action, e.entity_type, e.entity_id, e.summary, e.ip, e.request_id]),
  );
  return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(csv);
}

export async function auditRoutes(app: App): Promise<void> {
  app.get('/admin/audit', { config: { access: { permission: 'audit.read' } }, schema: { ...hidden, querystring: AuditQuery } }, async (req, reply) => {
    const q = req.query;
    const { page, perPage, offset } = pageOf(q);
    const { items, total } = await listAudit(req.ctx.db, auditFilter(q), perPage, offset);
    const v = req.view();
    const filter = { action: q.action, entity_type: q.entity_type, actor: q.actor, from: q.from, to: q.to };
    return reply.page(v.t('audit.title'), <AuditPage v={v} items={items} total={total} page={page} perPage={perPage} filter={filter} />);
  });

  app.get('/admin/audit.csv', { config: { access: { permission: 'audit.read' } }, schema: { ...hidden, querystring: AuditQuery } }, (req, reply) => sendAuditCsv(req.ctx.db, req.query, reply));

  app.get(
    '/api/audit',
    {
      config: { access: { permission: 'audit.read' } },
      schema: {
        tags: ['Audit'],
        summary: 'The audit log, newest first; format=csv downloads it as CSV',
        security: secured,
        querystring: AuditQuery,
        response: { 200: Paged(AuditEventSchema), ...readErrors, 401: ProblemRef, 403: ProblemRef },
      },
    },
    async (req, reply) => {
      const q = req.query;
      if (q.format === 'csv') return sendAuditCsv(req.ctx.db, q, reply);
      const { page, perPage, offset } = pageOf(q);
      const { items, total } = await listAudit(req.ctx.db, auditFilter(q), perPage, offset);
      return { items, total, page, per_page: perPage };
    },
  );
}
