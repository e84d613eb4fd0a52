import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import {
  ROLES,
  ROLE_LABELS,
  beginMfaSetup,
  checkPassword,
  createToken,
  createUser,
  disableMfa,
  enableMfa,
  getUser,
  listSessions,
  listTokens,
  listUsers,
  pendingMfaSecret,
  permissionsOf,
  recordLogin,
  revokeSessions,
  revokeToken,
  verifyTotp,
  NewUserSchema,
  NewTokenSchema,
  type TokenRow,
  type UserRow,
} from './auth/index.ts';
import { listAudit, recordAudit, type AuditEvent } from './audit/index.ts';
import { HttpError, notFound, type FieldError } from './http/errors.ts';
import { formBody } from './http/validation.ts';
import { PageQuery, Paged, pageOf } from './http/pagination.ts';
import { toCsv } from './http/csv.ts';
import { isLang } from './web/i18n.ts';
import { addNav, navFor, type View } from './web/view.ts';
import { ActionButton, Alert, Checkboxes, Csrf, ErrorSummary, Pager, Select, SubmitButton, Table, TextInput } from './web/components.tsx';
import { ApiDocsPage } from './web/api-docs.tsx';
import { defineMessages } from './web/i18n.ts';

defineMessages({
  en: { 'admin.users.title': 'Users', 'admin.users.new': 'Add a user', 'admin.users.revoke': 'End sessions', 'audit.title': 'Audit log', 'audit.filter': 'Filter', 'audit.csv': 'Download as CSV' },
  es: { 'admin.users.title': 'Usuarios', 'admin.users.new': 'Agregar un usuario', 'admin.users.revoke': 'Cerrar sesiones', 'audit.title': 'Registro de auditoría', 'audit.filter': 'Filtrar', 'audit.csv': 'Descargar en CSV' },
});

addNav({ href: '/', label: 'nav.home', order: 0 }, { href: '/admin/users', label: 'nav.admin.users', permission: 'users.manage', order: 90 }, { href: '/admin/audit', label: 'nav.admin.audit', permission: 'audit.read', order: 91 });

/** Only same-site paths, so that `next` cannot send a person to another site after sign-in. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

const hidden = { hide: true } as const;
const MFA_MAX_TRIES = 5;

const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  organization_id: Type.String(),
  organization_name: Type.String(),
  mfa_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  locked_until: Type.Union([Type.String(), Type.Null()]),
  last_login_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});
const TokenSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  actor_label: Type.String(),
  organization_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entity_type: Type.String(),
  entity_id: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
});
const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    entity_type: Type.Optional(Type.String({ maxLength: 100 })),
    entity_id: Type.Optional(Type.String({ maxLength: 100 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
    ...PageQuery,
  },
  { additionalProperties: false },
);
const Problem = Type.Ref('Problem');
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

// ---------- pages ----------

function LoginPage({ v, next, email, failed, lockMinutes }: { v: View; next: string; email?: string; failed?: boolean; lockMinutes?: number }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-6">
        <h1>{v.t('login.title')}</h1>
        <p>{v.t('login.intro')}</p>
        {failed && (
          <Alert type="error" slim>
            {v.t('login.failed', { minutes: lockMinutes ?? 15 })}
          </Alert>
        )}
        <form method="post" action="/login" class="usa-form">
          <Csrf v={v} />
          <input type="hidden" name="next" value={next} />
          <TextInput name="email" label={v.t('login.email')} type="email" autocomplete="username" value={email} required />
          <TextInput name="password" label={v.t('login.password')} type="password" autocomplete="current-password" required />
          <SubmitButton>{v.t('login.submit')}</SubmitButton>
        </form>
      </div>
    </div>
  );
}

function MfaPage({ v, next, wrong }: { v: View; next: string; wrong?: boolean }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-6">
        <h1>{v.t('mfa.title')}</h1>
        <form method="post" action="/login/mfa" class="usa-form">
          <Csrf v={v} />
          <input type="hidden" name="next" value={next} />
          <TextInput
            name="code"
            label={v.t('mfa.code')}
            autocomplete="one-time-code"
            inputmode="numeric"
            maxLength={6}
            required
            errors={wrong ? [{ field: 'code', message: v.t('mfa.wrong') }] : undefined}
          />
          <SubmitButton>{v.t('mfa.verify')}</SubmitButton>
        </form>
      </div>
    </div>
  );
}

function MfaSetupPage({ v, secret, qrSvg, required, errors }: { v: View; secret: string; qrSvg: string; required: boolean; errors?: FieldError[] }) {
  return (
    <div class="usa-prose">
      <h1>{v.t('mfa.setup.title')}</h1>
      {required && (
        <Alert type="warning" slim>
          {v.t('mfa.setup.required')}
        </Alert>
      )}
      <p>{v.t('mfa.setup.intro')}</p>
      <figure role="img" aria-label={v.t('mfa.setup.key') + ': ' + secret} class="margin-0">
        <div class="mfa-qr" dangerouslySetInnerHTML={{ __html: qrSvg }} />
      </figure>
      <p>
        {v.t('mfa.setup.key')}: <code class="token-secret">{secret}</code>
      </p>
      <form method="post" action="/account/mfa" class="usa-form">
        <Csrf v={v} />
        <TextInput name="code" label={v.t('mfa.code')} autocomplete="one-time-code" inputmode="numeric" maxLength={6} required errors={errors} />
        <SubmitButton>{v.t('mfa.setup.enable')}</SubmitButton>
      </form>
    </div>
  );
}

function AccountPage(props: {
  v: View;
  user: UserRow;
  sessions: { created_at: string; expires_at: string; ip: string | null; user_agent: string | null }[];
  tokens: TokenRow[];
  scopes: string[];
  newToken?: string;
  tokenErrors?: FieldError[];
  tokenInput?: Record<string, unknown>;
}) {
  const { v, user } = props;
  const chosen = Array.isArray(props.tokenInput?.scopes) ? (props.tokenInput!.scopes as string[]) : typeof props.tokenInput?.scopes === 'string' ? [props.tokenInput.scopes as string] : [];
  return (
    <div>
      <h1>{v.t('account.title')}</h1>
      <dl>
        <dt>{v.t('login.email')}</dt>
        <dd>{user.email}</dd>
        <dt>{v.t('account.role')}</dt>
        <dd>{ROLE_LABELS[user.role]}</dd>
        <dt>{v.t('account.org')}</dt>
        <dd>{user.organization_name}</dd>
      </dl>
      <h2>{v.t('mfa.title')}</h2>
      {user.mfa_enabled ? (
        <>
          <p>{v.t('mfa.on')}</p>
          {user.role !== 'admin' && (
            <ActionButton v={v} action="/account/mfa/disable" secondary>
              {v.t('mfa.disable')}
            </ActionButton>
          )}
        </>
      ) : (
        <p>
          {v.t('mfa.off')} <a href="/account/mfa">{v.t('mfa.setup.title')}</a>
        </p>
      )}
      <h2>{v.t('account.sessions')}</h2>
      <Table
        v={v}
        caption={v.t('account.sessions')}
        head={['Started', 'Expires', 'IP', 'Browser']}
        rows={props.sessions.map((s) => [s.created_at, s.expires_at, s.ip ?? '', s.user_agent ?? ''])}
      />
      <ActionButton v={v} action="/account/sessions/revoke" secondary>
        {v.t('account.signout.everywhere')}
      </ActionButton>
      <h2 id="tokens">{v.t('account.tokens')}</h2>
      <p>{v.t('account.tokens.intro')}</p>
      {props.newToken && (
        <Alert type="success" heading={v.t('account.tokens.created')}>
          <p class="token-secret" id="new-token">
            {props.newToken}
          </p>
        </Alert>
      )}
      <Table
        v={v}
        caption={v.t('account.tokens')}
        head={['Name', 'Scopes', 'Created', 'Expires', 'Last used', 'Status']}
        rows={props.tokens.map((t) => [
          t.name,
          t.scopes.join(', '),
          t.created_at,
          t.expires_at ?? '—',
          t.last_used_at ?? '—',
          t.revoked_at ? (
            'revoked'
          ) : (
            <ActionButton v={v} action={`/account/tokens/${t.id}/revoke`} secondary>
              {v.t('account.tokens.revoke')} <span class="usa-sr-only">{t.name}</span>
            </ActionButton>
          ),
        ])}
      />
      <form method="post" action="/account/tokens" class="usa-form">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={props.tokenErrors ?? []} />
        <TextInput name="name" label={v.t('account.tokens.name')} required value={props.tokenInput?.name as string} errors={props.tokenErrors} />
        <Checkboxes name="scopes" label={v.t('account.tokens.scopes')} values={chosen} options={props.scopes.map((s) => ({ value: s, label: s }))} errors={props.tokenErrors} />
        <TextInput name="expires_in_days" label={v.t('account.tokens.expires')} inputmode="numeric" value={props.tokenInput?.expires_in_days as string} errors={props.tokenErrors} />
        <SubmitButton>{v.t('account.tokens.create')}</SubmitButton>
      </form>
    </div>
  );
}

function UsersPage({ v, users, errors, input }: { v: View; users: UserRow[]; errors?: FieldError[]; input?: Record<string, unknown> }) {
  return (
    <div>
      <h1>{v.t('admin.users.title')}</h1>
      <Table
        v={v}
        caption={v.t('admin.users.title')}
        head={['Name', 'E-mail', 'Role', 'Organization', 'Two-step', 'Last sign-in', 'Sessions']}
        rows={users.map((u) => [
          u.name,
          u.email,
          ROLE_LABELS[u.role],
          u.organization_name,
          u.mfa_enabled ? 'on' : 'off',
          u.last_login_at ?? '—',
          <ActionButton v={v} action={`/admin/users/${u.id}/revoke-sessions`} secondary>
            {v.t('admin.users.revoke')} <span class="usa-sr-only">{u.email}</span>
          </ActionButton>,
        ])}
      />
      <h2>{v.t('admin.users.new')}</h2>
      <form method="post" action="/admin/users" class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <TextInput name="email" label="E-mail" type="email" required value={input?.email as string} errors={errors} />
        <TextInput name="name" label="Name" required value={input?.name as string} errors={errors} />
        <Select name="role" label="Role" required value={input?.role as string} options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} errors={errors} />
        <TextInput name="organization" label="Organization" required value={input?.organization as string} errors={errors} />
        <TextInput name="password" label="Initial password" type="password" autocomplete="new-password" hint="At least 12 characters." required errors={errors} />
        <SubmitButton>{v.t('admin.users.new')}</SubmitButton>
      </form>
    </div>
  );
}

function AuditPage({ v, items, total, page, perPage, filter }: { v: View; items: AuditEvent[]; total: number; page: number; perPage: number; filter: Record<string, string | undefined> }) {
  const qs = new URLSearchParams(Object.entries(filter).filter(([, x]) => x) as [string, string][]).toString();
  return (
    <div>
      <h1>{v.t('audit.title')}</h1>
      <form method="get" action="/admin/audit" class="usa-form usa-form--large">
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-4">
            <TextInput name="action" label="Action" value={filter.action} hint="For example structure.agency.update" />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="entity_type" label="Entity type" value={filter.entity_type} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="actor" label="Actor" value={filter.actor} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="from" label="From (date)" type="date" value={filter.from} />
          </div>
          <div class="tablet:grid-col-4">
            <TextInput name="to" label="Before (date)" type="date" value={filter.to} />
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
        head={['Time', 'Actor', 'Action', 'Entity', 'Summary', 'IP']}
        rows={items.map((e) => [e.at, e.actor_label, e.action, `${e.entity_type} ${e.entity_id ?? ''}`, JSON.stringify(e.summary), e.ip ?? ''])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

function HomePage({ v }: { v: View }) {
  const links = navFor(v.actor).filter((n) => n.href !== '/');
  return (
    <div>
      <section class="usa-hero-like padding-y-4">
        <h1>{v.t('home.title')}</h1>
        <p class="usa-intro">{v.t('home.intro')}</p>
      </section>
      <ul class="usa-card-group">
        {links.map((l) => (
          <li class="usa-card tablet:grid-col-4">
            <div class="usa-card__container">
              <div class="usa-card__header">
                <h2 class="usa-card__heading">
                  <a href={l.href}>{v.t(l.label)}</a>
                </h2>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---------- helpers ----------

async function accountPage(req: FastifyRequest, reply: FastifyReply, extra: { newToken?: string; tokenErrors?: FieldError[]; tokenInput?: Record<string, unknown> } = {}, status = 200) {
  const actor = req.actor!;
  const user = (await getUser(req.ctx.db, actor.id))!;
  const [sessions, tokens] = await Promise.all([listSessions(req.ctx.db, actor.id), listTokens(req.ctx.db, actor.id)]);
  const v = req.view();
  return reply.page(
    v.t('account.title'),
    <AccountPage v={v} user={user} sessions={sessions as never} tokens={tokens} scopes={[...permissionsOf(actor.role)].sort()} {...extra} />,
    status,
  );
}

async function mfaSetupPage(req: FastifyRequest, reply: FastifyReply, errors?: FieldError[]) {
  const actor = req.actor!;
  const pending = (await pendingMfaSecret(req.ctx, actor.id)) ?? (await beginMfaSetup(req.ctx, actor.id));
  const qrSvg = await QRCode.toString(pending.uri, { type: 'svg', margin: 1, width: 200 });
  const v = req.view();
  return reply.page(v.t('mfa.setup.title'), <MfaSetupPage v={v} secret={pending.secret} qrSvg={qrSvg} required={Boolean(req.session.mfaSetupRequired)} errors={errors} />, errors ? 400 : 200);
}

function auditFilter(q: Record<string, unknown>) {
  const day = (d: unknown, plus = 0) => (typeof d === 'string' ? new Date(Date.parse(d + 'T00:00:00Z') + plus * 86_400_000).toISOString() : undefined);
  return {
    action: q.action as string | undefined,
    entity_type: q.entity_type as string | undefined,
    entity_id: q.entity_id as string | undefined,
    actor: q.actor as string | undefined,
    from: day(q.from),
    to: day(q.to),
  };
}

async function auditCsv(req: FastifyRequest, reply: FastifyReply) {
  const { items } = await listAudit(req.ctx.db, auditFilter(req.query as Record<string, unknown>), 100_000, 0);
  const csv = toCsv(
    ['id', 'at', 'actor_id', 'actor', 'organization_id', 'action', 'entity_type', 'entity_id', 'summary', 'ip', 'request_id'],
    items.map((e) => [e.id, e.at, e.actor_id, e.actor_label, e.organization_id, e.action, e.entity_type, e.entity_id, e.summary, e.ip, e.request_id]),
  );
  return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(csv);
}

function formErrors(err: unknown): FieldError[] | undefined {
  return err instanceof HttpError && err.status === 400 ? (err.errors.length ? err.errors : [{ field: 'form', message: err.detail ?? 'is not valid' }]) : undefined;
}

// ---------- routes ----------

export async function platformRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('nav.home'), <HomePage v={v} />);
  });

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Platform'],
        summary: 'Health of this app node and its database',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgresql')]), version: Type.String(), time: Type.String() }),
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      try {
        await sql`select 1`.execute(req.ctx.db);
      } catch {
        return reply.code(503).type('application/problem+json').send({ type: 'about:blank', title: 'Database unavailable', status: 503 });
      }
      return { status: 'ok' as const, database: req.ctx.dbKind, version: '0.1.0', time: new Date().toISOString() };
    },
  );

  app.get('/lang/:lang', { config: { access: 'public' }, schema: { ...hidden, params: Type.Object({ lang: Type.String({ maxLength: 5 }) }), querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (req, reply) => {
    const { lang } = req.params as { lang: string };
    if (!isLang(lang)) throw notFound();
    reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400, httpOnly: true, secure: req.ctx.config.secureCookies });
    return reply.redirect(safeNext((req.query as { next?: string }).next));
  });

  // ---- sign-in ----
  app.get('/login', { config: { access: 'public' }, schema: { ...hidden, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('login.title'), <LoginPage v={v} next={safeNext((req.query as { next?: string }).next)} />);
  });

  app.post('/login', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: hidden }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    const next = safeNext(body.next);
    const result = await checkPassword(req.ctx, email, password);
    if (!result.ok) {
      const v = req.view();
      return reply.page(v.t('login.title'), <LoginPage v={v} next={next} email={email} failed lockMinutes={req.ctx.config.loginLockMinutes} />, 401);
    }
    await req.session.regenerate();
    if (result.mfa === 'verify') {
      req.session.pendingUserId = result.userId;
      return reply.redirect(`/login/mfa?next=${encodeURIComponent(next)}`);
    }
    req.session.userId = result.userId;
    await recordLogin(req.ctx, result.userId);
    if (result.mfa === 'setup') {
      req.session.mfaSetupRequired = true;
      return reply.redirect('/account/mfa');
    }
    return reply.redirect(next);
  });

  app.get('/login/mfa', { config: { access: 'public' }, schema: { ...hidden, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (req, reply) => {
    if (!req.session.pendingUserId) return reply.redirect('/login');
    const v = req.view();
    return reply.page(v.t('mfa.title'), <MfaPage v={v} next={safeNext((req.query as { next?: string }).next)} />);
  });

  app.post('/login/mfa', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: hidden }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const userId = req.session.pendingUserId;
    const next = safeNext(body.next);
    if (!userId) return reply.redirect('/login');
    if (!(await verifyTotp(req.ctx, userId, String(body.code ?? '')))) {
      await recordAudit(req.ctx.db, req.ctx, { action: 'auth.mfa_failed', entityType: 'user', entityId: userId });
      // A half-finished sign-in gets a few tries only; then the password must be given again.
      req.session.mfaFailures = (req.session.mfaFailures ?? 0) + 1;
      if (req.session.mfaFailures >= MFA_MAX_TRIES) {
        await req.session.regenerate();
        return reply.redirect('/login');
      }
      const v = req.view();
      return reply.page(v.t('mfa.title'), <MfaPage v={v} next={next} wrong />, 401);
    }
    await req.session.regenerate();
    req.session.userId = userId;
    await recordLogin(req.ctx, userId);
    return reply.redirect(next);
  });

  app.post('/logout', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await recordAudit(req.ctx.db, req.ctx, { action: 'auth.logout', entityType: 'user', entityId: req.actor!.id });
    await req.session.destroy();
    return reply.redirect('/');
  });

  // ---- my account ----
  app.get('/account', { config: { access: 'signed-in' }, schema: hidden }, (req, reply) => accountPage(req, reply));

  app.get('/account/mfa', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    const user = await getUser(req.ctx.db, req.actor!.id);
    if (user?.mfa_enabled) return reply.redirect('/account');
    return mfaSetupPage(req, reply);
  });

  app.post('/account/mfa', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    try {
      await enableMfa(req.ctx, req.actor!.id, String((req.body as Record<string, unknown>)?.code ?? ''));
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return mfaSetupPage(req, reply, errors);
      throw err;
    }
    req.session.mfaSetupRequired = false;
    return reply.redirect('/account');
  });

  app.post('/account/mfa/disable', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await disableMfa(req.ctx, req.actor!.id);
    return reply.redirect('/account');
  });

  app.post('/account/sessions/revoke', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await revokeSessions(req.ctx, req.actor!.id);
    return reply.redirect('/login');
  });

  app.post('/account/tokens', { config: { access: { permission: 'account.self' } }, schema: hidden }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      const { token } = await createToken(req.ctx, input, { coerce: true });
      return accountPage(req, reply, { newToken: token }, 201);
    } catch (err) {
      const tokenErrors = formErrors(err);
      if (tokenErrors) return accountPage(req, reply, { tokenErrors, tokenInput: input }, 400);
      throw err;
    }
  });

  app.post('/account/tokens/:id/revoke', { config: { access: { permission: 'account.self' } }, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } }, async (req, reply) => {
    await revokeToken(req.ctx, (req.params as { id: string }).id);
    return reply.redirect('/account#tokens');
  });

  // ---- administration ----
  app.get('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} />);
  });

  app.post('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: hidden }, async (req, reply) => {
    const input = formBody(req.body);
    try {
      await createUser(req.ctx, input);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      const v = req.view();
      return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} errors={errors} input={input} />, 400);
    }
    return reply.redirect('/admin/users');
  });

  app.post('/admin/users/:id/revoke-sessions', { config: { access: { permission: 'users.manage' } }, schema: { ...hidden, params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
    await revokeSessions(req.ctx, id);
    return reply.redirect('/admin/users');
  });

  app.get('/admin/audit', { config: { access: { permission: 'audit.read' } }, schema: { ...hidden, querystring: AuditQuery } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined> & { page?: number; per_page?: number };
    const { page, perPage, offset } = pageOf(q);
    const { items, total } = await listAudit(req.ctx.db, auditFilter(q), perPage, offset);
    const v = req.view();
    const filter = { action: q.action, entity_type: q.entity_type, actor: q.actor, from: q.from, to: q.to };
    return reply.page(v.t('audit.title'), <AuditPage v={v} items={items} total={total} page={page} perPage={perPage} filter={filter} />);
  });

  app.get('/admin/audit.csv', { config: { access: { permission: 'audit.read' } }, schema: { ...hidden, querystring: AuditQuery } }, auditCsv);

  // ---- JSON API ----
  app.get(
    '/api/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Accounts'],
        summary: 'Who the caller is, and the CSRF token for cookie-authenticated writes',
        response: {
          200: Type.Object({
            signed_in: Type.Boolean(),
            user: Type.Optional(Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Type.String(), organization_id: Type.String(), via: Type.String() })),
            permissions: Type.Array(Type.String()),
            csrf_token: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async (req, reply) => {
      const a = req.actor;
      if (!a) return { signed_in: false, permissions: [] };
      return {
        signed_in: true,
        user: { id: a.id, email: a.email, name: a.name, role: a.role, organization_id: a.organizationId, via: a.via },
        permissions: [...a.permissions].sort(),
        csrf_token: a.via === 'session' ? reply.generateCsrf() : undefined,
      };
    },
  );

  app.get(
    '/api/tokens',
    { config: { access: { permission: 'account.self' } }, schema: { tags: ['Accounts'], summary: "The caller's API tokens (never their secrets)", security: [{ bearerAuth: [] }, { cookieAuth: [] }], response: { 200: Type.Array(TokenSchema), ...errors } } },
    async (req) => listTokens(req.ctx.db, req.actor!.id),
  );

  app.post(
    '/api/tokens',
    {
      config: { access: { permission: 'account.self' } },
      schema: {
        tags: ['Accounts'],
        summary: 'Create an API token; the secret is in this answer only',
        security: [{ bearerAuth: [] }, { cookieAuth: [] }],
        body: NewTokenSchema,
        response: { 201: Type.Object({ token: Type.String(), ...TokenSchema.properties }), ...errors },
      },
    },
    async (req, reply) => {
      const { token, row } = await createToken(req.ctx, req.body);
      return reply.code(201).send({ token, ...row });
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { access: { permission: 'account.self' } },
      schema: { tags: ['Accounts'], summary: 'Revoke one of your API tokens', security: [{ bearerAuth: [] }, { cookieAuth: [] }], params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null(), ...errors } },
    },
    async (req, reply) => {
      await revokeToken(req.ctx, (req.params as { id: string }).id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/users',
    { config: { access: { permission: 'users.manage' } }, schema: { tags: ['Accounts'], summary: 'All accounts', security: [{ bearerAuth: [] }, { cookieAuth: [] }], response: { 200: Type.Array(UserSchema), ...errors } } },
    async (req) => listUsers(req.ctx.db),
  );

  app.post(
    '/api/users',
    {
      config: { access: { permission: 'users.manage' } },
      schema: { tags: ['Accounts'], summary: 'Create an account', security: [{ bearerAuth: [] }, { cookieAuth: [] }], body: NewUserSchema, response: { 201: UserSchema, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await createUser(req.ctx, req.body)),
  );

  app.delete(
    '/api/users/:id/sessions',
    {
      config: { access: { permission: 'users.manage' } },
      schema: {
        tags: ['Accounts'],
        summary: "End all of a user's sessions at once",
        security: [{ bearerAuth: [] }, { cookieAuth: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errors },
      },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
      return { revoked: await revokeSessions(req.ctx, id) };
    },
  );

  app.get(
    '/api/audit',
    {
      config: { access: { permission: 'audit.read' } },
      schema: {
        tags: ['Audit'],
        summary: 'The audit log, newest first; format=csv downloads it as CSV',
        security: [{ bearerAuth: [] }, { cookieAuth: [] }],
        querystring: AuditQuery,
        response: { 200: Paged(AuditEventSchema), ...errors },
      },
    },
    async (req, reply) => {
      const q = req.query as Record<string, unknown> & { page?: number; per_page?: number; format?: string };
      if (q.format === 'csv') return auditCsv(req, reply);
      const { page, perPage, offset } = pageOf(q);
      const { items, total } = await listAudit(req.ctx.db, auditFilter(q), perPage, offset);
      return { items, total, page, per_page: perPage };
    },
  );

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: hidden }, async () => app.swagger());

  app.get('/api/docs', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page('API reference', <ApiDocsPage v={v} doc={app.swagger() as never} />);
  });
}
