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
import { catalogOf, codeLabel, defineMessages, formatInstant, isLang, type Lang } from '../web/i18n.ts';

defineMessages({
  en: { 'audit.when': 'When', 'audit.who': 'Who', 'audit.action': 'Action', 'audit.entity': 'Record', 'audit.summary': 'Summary', 'audit.ip': 'IP address', 'audit.entity_type': 'Record type', 'audit.action.hint': 'A code, e.g. user.login', 'audit.from': 'From (date)', 'audit.to': 'Before (date)',
    'audit.system': 'System', 'audit.signing_in': 'The person signing in', 'audit.anonymous': 'Someone not signed in', 'audit.yes': 'Yes', 'audit.no': 'No', 'audit.verb.create': 'Created', 'audit.verb.update': 'Updated', 'audit.verb.import': 'Imported', 'audit.verb.remove': 'Removed', 'audit.verb.add': 'Added', 'audit.verb.read': 'Viewed', 'audit.verb.submit': 'Submitted', 'audit.verb.login': 'Signed in', 'audit.verb.logout': 'Signed out', 'audit.verb.verified': 'Verified', 'audit.verb.status': 'Status changed', 'audit.verb.revoke': 'Revoked', 'audit.verb.review': 'Reviewed', 'audit.verb.rekey': 'Keys rotated', 'audit.verb.link': 'Linked', 'audit.verb.unlink': 'Unlinked', 'audit.verb.delete': 'Deleted', 'audit.verb.withdraw': 'Withdrawn', 'audit.verb.subscribe': 'Subscribed', 'audit.verb.unsubscribe': 'Unsubscribed', 'audit.verb.share': 'Shared', 'audit.verb.unshare': 'Sharing ended', 'audit.verb.unlock': 'Unlocked', 'audit.verb.terms': 'Terms accepted', 'audit.verb.take': 'Taken', 'audit.verb.set': 'Set', 'audit.verb.send': 'Sent', 'audit.verb.save': 'Saved', 'audit.verb.revise': 'Revised', 'audit.verb.return': 'Returned', 'audit.verb.retire': 'Retired', 'audit.verb.resolve': 'Resolved', 'audit.verb.reorder': 'Reordered', 'audit.verb.remind': 'Reminder sent', 'audit.verb.release': 'Released', 'audit.verb.register': 'Registered', 'audit.verb.reconcile': 'Reconciled', 'audit.verb.reapply': 'Applied again', 'audit.verb.rate': 'Rated', 'audit.verb.purge': 'Purged', 'audit.verb.pull': 'Pulled', 'audit.verb.publish': 'Published', 'audit.verb.public': 'Made public', 'audit.verb.prepare': 'Prepared', 'audit.verb.note': 'Note added', 'audit.verb.invite': 'Invited', 'audit.verb.file': 'Filed', 'audit.verb.confirm': 'Confirmed', 'audit.verb.cancel': 'Cancelled', 'audit.verb.approve': 'Approved', 'audit.verb.acknowledge': 'Acknowledged', 'audit.verb.accept': 'Accepted', 'audit.verb.decline': 'Declined', 'audit.verb.reject': 'Rejected', 'audit.verb.close': 'Closed', 'audit.verb.archive': 'Archived', 'audit.verb.login_locked': 'Sign-in locked', 'audit.verb.mfa_failed': 'Two-step code refused', 'audit.verb.mfa_locked': 'Two-step sign-in locked', 'audit.verb.mfa_lockout': 'Two-step sign-in locked', 'audit.verb.oidc_refused': 'Single sign-on refused', 'audit.verb.password_reset_request': 'Password reset requested', 'audit.verb.mfa_disable': 'Two-step sign-in turned off', 'audit.verb.mfa_enable': 'Two-step sign-in turned on', 'audit.verb.mfa_reset': 'Two-step sign-in reset', 'audit.verb.mfa_setup_start': 'Two-step sign-in setup started', 'audit.verb.password_change': 'Password changed', 'audit.verb.role_change': 'Role changed', 'audit.verb.sessions_revoke': 'Sessions ended', 'audit.verb.language': 'Language for e-mail changed', 'audit.type.agency': 'agency', 'audit.type.api_token': 'API token', 'audit.type.committee': 'committee', 'audit.type.directory': 'directory', 'audit.type.directory_crosswalk': 'crosswalk', 'audit.type.directory_list': 'list', 'audit.type.directory_organization': 'organization', 'audit.type.directory_service': 'service', 'audit.type.directory_source': 'data source', 'audit.type.listening_code': 'code', 'audit.type.listening_excerpt': 'excerpt', 'audit.type.listening_input': 'input', 'audit.type.listening_memo': 'memo', 'audit.type.listening_recommendation': 'recommendation', 'audit.type.listening_registration': 'registration', 'audit.type.listening_series': 'series', 'audit.type.listening_session': 'session', 'audit.type.outreach_campaign': 'campaign', 'audit.type.outreach_event': 'event', 'audit.type.outreach_event_registration': 'event registration', 'audit.type.outreach_group': 'group', 'audit.type.outreach_lesson': 'lesson', 'audit.type.outreach_material': 'material', 'audit.type.outreach_reportback': 'report-back', 'audit.type.outreach_signup': 'sign-up', 'audit.type.outreach_sponsor': 'sponsor', 'audit.type.partnership': 'partnership', 'audit.type.referral': 'referral', 'audit.type.representative': 'representative', 'audit.type.user': 'user', 'audit.type.workplans_item': 'work plan item', 'audit.type.workplans_update': 'progress update', 'audit.type.token': 'API token', 'audit.type.auth': 'account' },
  es: { 'audit.when': 'Fecha y hora', 'audit.who': 'Quién', 'audit.action': 'Acción', 'audit.entity': 'Registro', 'audit.summary': 'Resumen', 'audit.ip': 'Dirección IP', 'audit.entity_type': 'Tipo de registro', 'audit.action.hint': 'Un código, p. ej. user.login', 'audit.from': 'Desde (fecha)', 'audit.to': 'Antes de (fecha)',
    'audit.system': 'Sistema', 'audit.signing_in': 'La persona que inicia sesión', 'audit.anonymous': 'Persona sin sesión', 'audit.yes': 'Sí', 'audit.no': 'No', 'audit.verb.create': 'Creación', 'audit.verb.update': 'Actualización', 'audit.verb.import': 'Importación', 'audit.verb.remove': 'Eliminación', 'audit.verb.add': 'Incorporación', 'audit.verb.read': 'Consulta', 'audit.verb.submit': 'Envío', 'audit.verb.login': 'Inicio de sesión', 'audit.verb.logout': 'Cierre de sesión', 'audit.verb.verified': 'Verificación', 'audit.verb.status': 'Cambio de estado', 'audit.verb.revoke': 'Revocación', 'audit.verb.review': 'Revisión', 'audit.verb.rekey': 'Rotación de claves', 'audit.verb.link': 'Vinculación', 'audit.verb.unlink': 'Desvinculación', 'audit.verb.delete': 'Eliminación', 'audit.verb.withdraw': 'Retiro', 'audit.verb.subscribe': 'Suscripción', 'audit.verb.unsubscribe': 'Baja de suscripción', 'audit.verb.share': 'Uso compartido', 'audit.verb.unshare': 'Fin del uso compartido', 'audit.verb.unlock': 'Desbloqueo', 'audit.verb.terms': 'Aceptación de condiciones', 'audit.verb.take': 'Captura', 'audit.verb.set': 'Configuración', 'audit.verb.send': 'Envío', 'audit.verb.save': 'Guardado', 'audit.verb.revise': 'Revisión', 'audit.verb.return': 'Devolución', 'audit.verb.retire': 'Retiro', 'audit.verb.resolve': 'Resolución', 'audit.verb.reorder': 'Reordenación', 'audit.verb.remind': 'Recordatorio enviado', 'audit.verb.release': 'Publicación', 'audit.verb.register': 'Registro', 'audit.verb.reconcile': 'Conciliación', 'audit.verb.reapply': 'Nueva aplicación', 'audit.verb.rate': 'Calificación', 'audit.verb.purge': 'Depuración', 'audit.verb.pull': 'Descarga', 'audit.verb.publish': 'Publicación', 'audit.verb.public': 'Publicación', 'audit.verb.prepare': 'Preparación', 'audit.verb.note': 'Nota añadida', 'audit.verb.invite': 'Invitación', 'audit.verb.file': 'Archivo', 'audit.verb.confirm': 'Confirmación', 'audit.verb.cancel': 'Cancelación', 'audit.verb.approve': 'Aprobación', 'audit.verb.acknowledge': 'Acuse de recibo', 'audit.verb.accept': 'Aceptación', 'audit.verb.decline': 'Rechazo', 'audit.verb.reject': 'Rechazo', 'audit.verb.close': 'Cierre', 'audit.verb.archive': 'Archivo', 'audit.verb.login_locked': 'Inicio de sesión bloqueado', 'audit.verb.mfa_failed': 'Código de dos pasos rechazado', 'audit.verb.mfa_locked': 'Verificación en dos pasos bloqueada', 'audit.verb.mfa_lockout': 'Verificación en dos pasos bloqueada', 'audit.verb.oidc_refused': 'Inicio de sesión único rechazado', 'audit.verb.password_reset_request': 'Solicitud de restablecimiento de contraseña', 'audit.verb.mfa_disable': 'Verificación en dos pasos desactivada', 'audit.verb.mfa_enable': 'Verificación en dos pasos activada', 'audit.verb.mfa_reset': 'Verificación en dos pasos restablecida', 'audit.verb.mfa_setup_start': 'Configuración de la verificación en dos pasos iniciada', 'audit.verb.password_change': 'Cambio de contraseña', 'audit.verb.role_change': 'Cambio de rol', 'audit.verb.sessions_revoke': 'Sesiones cerradas', 'audit.verb.language': 'Cambio del idioma de los correos', 'audit.type.agency': 'agencia', 'audit.type.api_token': 'token de API', 'audit.type.committee': 'comité', 'audit.type.directory': 'directorio', 'audit.type.directory_crosswalk': 'correspondencia', 'audit.type.directory_list': 'lista', 'audit.type.directory_organization': 'organización', 'audit.type.directory_service': 'servicio', 'audit.type.directory_source': 'fuente de datos', 'audit.type.listening_code': 'código', 'audit.type.listening_excerpt': 'extracto', 'audit.type.listening_input': 'aporte', 'audit.type.listening_memo': 'memorando', 'audit.type.listening_recommendation': 'recomendación', 'audit.type.listening_registration': 'inscripción', 'audit.type.listening_series': 'serie', 'audit.type.listening_session': 'sesión', 'audit.type.outreach_campaign': 'campaña', 'audit.type.outreach_event': 'evento', 'audit.type.outreach_event_registration': 'inscripción al evento', 'audit.type.outreach_group': 'grupo', 'audit.type.outreach_lesson': 'lección', 'audit.type.outreach_material': 'material', 'audit.type.outreach_reportback': 'informe de resultados', 'audit.type.outreach_signup': 'inscripción', 'audit.type.outreach_sponsor': 'patrocinador', 'audit.type.partnership': 'alianza', 'audit.type.referral': 'derivación', 'audit.type.representative': 'representante', 'audit.type.user': 'usuario', 'audit.type.workplans_item': 'elemento del plan de trabajo', 'audit.type.workplans_update': 'actualización de avance', 'audit.type.token': 'token de API', 'audit.type.auth': 'cuenta' },
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who acted, as people know them: the account's name and e-mail, "System" for jobs and the command line (never their request id). */
export function actorText(v: View, e: AuditEvent): string {
  if (e.actor_id) return e.actor_label;
  if (e.actor_label === 'anonymous') return v.t('audit.anonymous');
  // Signing in happens before anyone is signed in: the person is the record, not the system.
  return e.action.startsWith('auth.') ? v.t('audit.signing_in') : v.t('audit.system');
}

/** The record type by its label ("agency" → "agencia"), found as `audit.type.<type>`; otherwise the type with spaces. */
function typeText(catalog: Record<string, string>, type: string): string {
  return catalog[`audit.type.${type}`] ?? type.replace(/_/g, ' ');
}

/**
 * What was done, as a label: "Updated (agency)", "Two-step sign-in turned on". The verb is the code's last part,
 * the record type its middle part (or the event's own type); a code with no verb label is shown as its words.
 */
export function actionText(v: View, catalog: Record<string, string>, e: Pick<AuditEvent, 'action' | 'entity_type'>): string {
  const parts = e.action.split('.');
  const verb = parts[parts.length - 1];
  const label = catalog[`audit.verb.${verb}`];
  if (!label) return e.action.replace(/[._]/g, ' ');
  if (verb.includes('_') || parts[0] === 'auth') return label;
  const middle = parts.slice(1, -1).join('_');
  const typeKey = [`${parts[0]}_${middle}`, middle, e.entity_type, parts[0]].find((k) => k && catalog[`audit.type.${k}`]);
  return typeKey ? `${label} (${catalog[`audit.type.${typeKey}`]})` : label;
}

/**
 * A value that fits its column: a long hash shortened ("sha256:77a1c3e4b5f6…"; the CSV keeps it whole), any other
 * long run of characters given places to wrap, so the table fits 1,280 px and 390 px.
 */
function breakable(text: string) {
  return text.split(/(\S{31,})/).map((part, i) => {
    if (i % 2 === 0) return part;
    if (/^(?:[a-z0-9]+:)?[0-9a-f]{32,}$/i.test(part)) return part.replace(/([0-9a-f]{12})[0-9a-f]+$/i, '$1…');
    return part.match(/.{1,20}/g)!.map((chunk, j) => (j > 0 ? <><wbr />{chunk}</> : chunk));
  });
}

/**
 * A summary on the page: "field: value; field: value", a recorded code (`in_progress`) shown by its label in the
 * reader's language where the catalogs name it, else set as a code.
 */
function SummaryText({ summary, lang, module, v }: { summary: Record<string, unknown>; lang: Lang; module: string; v: View }) {
  const shown = Object.entries(summary).filter(([k, x]) => !/_ids?$/.test(k) && !(typeof x === 'string' && UUID.test(x)));
  const parts = shown.map(([k, x], i) => {
    const label = typeof x === 'boolean' ? v.t(x ? 'audit.yes' : 'audit.no') : typeof x === 'string' ? codeLabel(lang, k, x, module) : undefined;
    const raw = typeof x === 'string' && /^[a-z]+(?:_[a-z0-9]+)+$/.test(x);
    return (
      <>
        {i > 0 && '; '}
        {k.replace(/_/g, ' ')}: {label ?? (raw ? <code>{x}</code> : breakable(readableSummary({ [k]: x }).slice(k.length + 2)))}
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

function AuditPage({ v, items, total, page, perPage, filter, names }: { v: View; items: AuditEvent[]; total: number; page: number; perPage: number; filter: Record<string, string | undefined>; names: Map<string, string> }) {
  const catalog = catalogOf(v.lang);
  const entity = (e: AuditEvent) => {
    const type = typeText(catalog, e.entity_type);
    const name = e.entity_id ? names.get(`${e.entity_type}\u0000${e.entity_id}`) : undefined;
    if (name) return `${type}: ${name}`;
    return e.entity_id && !UUID.test(e.entity_id) ? `${type} ${e.entity_id}` : type;
  };
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
        rows={items.map((e) => [readableInstant(e.at, v.lang), actorText(v, e), actionText(v, catalog, e), entity(e), <SummaryText summary={e.summary} lang={v.lang} module={e.action.split('.')[0]} v={v} />, e.ip ?? ''])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

/** Names for the records on the page that the platform can name (accounts, by name and e-mail), keyed by type and id. */
async function recordNames(db: Db, items: AuditEvent[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const userIds = [...new Set(items.filter((e) => e.entity_type === 'user' && e.entity_id).map((e) => e.entity_id as string))];
  if (userIds.length) {
    const rows = await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', userIds).execute();
    for (const u of rows) names.set(`user\u0000${u.id}`, u.name ? `${u.name} <${u.email}>` : u.email);
  }
  return names;
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
    const names = await recordNames(req.ctx.db, items);
    return reply.page(v.t('audit.title'), <AuditPage v={v} items={items} total={total} page={page} perPage={perPage} filter={filter} names={names} />);
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
