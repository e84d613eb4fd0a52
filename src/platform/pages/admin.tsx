/**
 * Administration of accounts: the list, inviting someone by e-mail, and each account's page (role, disable and
 * re-enable, second-factor reset, ending sessions, lifting a sign-in lock). Each action ends on the account's page
 * with a confirmation; a refused one shows the form again with the problem named.
 */
import { Type } from '@sinclair/typebox';
import {
  ROLES,
  createUser,
  getUser,
  inviteUser,
  listUsers,
  resetSecondFactor,
  revokeSessions,
  setUserDisabled,
  setUserRole,
  unlockAccount,
  type UserRow,
} from '../auth/index.ts';
import { notFound, type FieldError } from '../http/errors.ts';
import { formErrors, rawValues, submitForm, type FormValues } from '../http/forms.ts';
import { IdParams, hidden } from '../http/schemas.ts';
import { formBody } from '../http/validation.ts';
import type { View } from '../web/view.ts';
import { defineMessages, formatInstant } from '../web/i18n.ts';
import { localizeFieldErrors } from '../web/field-errors.ts';
import { ActionButton, Alert, Csrf, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one } from './forms.ts';
import { adminAccountsApi } from '../auth/admin-api.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';

defineMessages({
  en: {
    'admin.users.signin': 'Sign-in',
    'admin.users.locked': 'Locked until {time}',
    'admin.users.never': 'Never',
    'admin.users.not_locked': 'Not locked',
    'admin.users.unlock': 'Unlock',
    'admin.users.name': 'Name',
    'admin.users.email': 'E-mail',
    'admin.users.role': 'Role',
    'admin.users.org': 'Organization',
    'admin.users.mfa': 'Two-step',
    'admin.users.last': 'Last sign-in',
    'admin.users.status': 'Status',
    'admin.users.sessions': 'Sessions',
    'admin.users.on': 'on',
    'admin.users.off': 'off',
    'admin.users.enabled': 'Enabled',
    'admin.users.disabled': 'Disabled',
    'admin.users.invite': 'Invite someone',
    'admin.users.invite.intro': 'They get an e-mail with a link to choose their password. The link works once, for 7 days.',
    'admin.users.invite.submit': 'Send the invitation',
    'admin.users.back': 'All users',
    'admin.user.role.change': 'Change the role',
    'admin.user.role.submit': 'Save the role',
    'admin.user.access': 'Access',
    'admin.user.disable': 'Disable the account',
    'admin.user.disable.intro': 'A disabled account cannot sign in; its sessions end and its API tokens are revoked at once.',
    'admin.user.enable': 'Enable the account',
    'admin.user.mfa.reset': 'Reset two-step verification',
    'admin.user.mfa.reset.intro': 'For a lost phone: the authenticator is removed and the person sets a new one up at the next sign-in. Their sessions end.',
    'admin.user.done.role': 'The role was changed.',
    'admin.user.done.disabled': 'The account was disabled. Its sessions ended and its API tokens were revoked.',
    'admin.user.done.enabled': 'The account was enabled. Its owner can sign in again.',
    'admin.user.done.mfa': 'Two-step verification was reset. Its owner sets it up again at the next sign-in.',
    'admin.user.done.sessions': 'Every session of this account ended.',
    'admin.user.done.unlocked': 'The sign-in locks were lifted.',
    'admin.user.done.invited': 'An invitation was sent to this address.',
  },
  es: {
    'admin.users.signin': 'Inicio de sesión',
    'admin.users.locked': 'Bloqueado hasta {time}',
    'admin.users.never': 'Nunca',
    'admin.users.not_locked': 'Sin bloqueo',
    'admin.users.unlock': 'Desbloquear',
    'admin.users.name': 'Nombre',
    'admin.users.email': 'Correo electrónico',
    'admin.users.role': 'Rol',
    'admin.users.org': 'Organización',
    'admin.users.mfa': 'Dos pasos',
    'admin.users.last': 'Último inicio de sesión',
    'admin.users.status': 'Estado',
    'admin.users.sessions': 'Sesiones',
    'admin.users.on': 'activada',
    'admin.users.off': 'desactivada',
    'admin.users.enabled': 'Activa',
    'admin.users.disabled': 'Desactivada',
    'admin.users.invite': 'Invitar a alguien',
    'admin.users.invite.intro': 'Recibe un correo con un enlace para elegir su contraseña. El enlace funciona una vez, durante 7 días.',
    'admin.users.invite.submit': 'Enviar la invitación',
    'admin.users.back': 'Todos los usuarios',
    'admin.user.role.change': 'Cambiar el rol',
    'admin.user.role.submit': 'Guardar el rol',
    'admin.user.access': 'Acceso',
    'admin.user.disable': 'Desactivar la cuenta',
    'admin.user.disable.intro': 'Una cuenta desactivada no puede iniciar sesión; sus sesiones terminan y sus tokens de la API se revocan de inmediato.',
    'admin.user.enable': 'Activar la cuenta',
    'admin.user.mfa.reset': 'Restablecer la verificación en dos pasos',
    'admin.user.mfa.reset.intro': 'Para un teléfono perdido: se quita la aplicación de autenticación y la persona configura una nueva al iniciar sesión. Sus sesiones terminan.',
    'admin.user.done.role': 'Se cambió el rol.',
    'admin.user.done.disabled': 'Se desactivó la cuenta. Sus sesiones terminaron y sus tokens de la API se revocaron.',
    'admin.user.done.enabled': 'Se activó la cuenta. Su titular puede volver a iniciar sesión.',
    'admin.user.done.mfa': 'Se restableció la verificación en dos pasos. Su titular la configura de nuevo al iniciar sesión.',
    'admin.user.done.sessions': 'Terminaron todas las sesiones de esta cuenta.',
    'admin.user.done.unlocked': 'Se levantaron los bloqueos de inicio de sesión.',
    'admin.user.done.invited': 'Se envió una invitación a esta dirección.',
  },
});

/** Spanish for the wording of the account commands' own checks (auth/accounts.ts). */
const ADMIN_ES = [
  [/^this is the last enabled administrator; make another administrator first$/, 'es el último administrador activo; nombre antes a otro administrador'],
  [/^change your own two-step verification on your account page$/, 'cambie su propia verificación en dos pasos en la página de su cuenta'],
  [/^an account with this e-mail already exists$/, 'ya existe una cuenta con este correo electrónico'],
] as const;

const DONE = ['role', 'disabled', 'enabled', 'mfa', 'sessions', 'unlocked', 'invited'] as const;
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });

/** The sign-in lock of an account (from some address, or of its codes) and the button that lifts it. */
function LockCell({ v, u }: { v: View; u: UserRow }) {
  if (!u.locked_until) return <>{v.t('admin.users.not_locked')}</>;
  return (
    <>
      <span class="display-block margin-bottom-05">{v.t('admin.users.locked', { time: formatInstant(v.lang, u.locked_until) })}</span>
      <ActionButton v={v} action={`/admin/users/${u.id}/unlock`} secondary>
        {v.t('admin.users.unlock')} <span class="usa-sr-only">{u.email}</span>
      </ActionButton>
    </>
  );
}

const UserForm = FormPost({ email: FormField, name: FormField, role: FormField, organization: FormField, password: FormField });
const InviteForm = FormPost({ email: FormField, name: FormField, role: FormField, organization: FormField });
const RoleForm = FormPost({ role: FormField });

/** When an account last signed in, as people read a time (issue 16: not an ISO instant, not a dash). */
const lastSignIn = (v: View, u: UserRow) => (u.last_login_at ? formatInstant(v.lang, u.last_login_at) : v.t('admin.users.never'));

const roleOptions = (v: View) => ROLES.map((r) => ({ value: r, label: v.t(`role.${r}`) }));

function UsersPage({ v, users, errors, input }: { v: View; users: UserRow[]; errors?: FieldError[]; input?: FormValues }) {
  return (
    <div>
      <h1>{v.t('admin.users.title')}</h1>
      <Table
        v={v}
        caption={v.t('admin.users.title')}
        head={[v.t('admin.users.name'), v.t('admin.users.email'), v.t('admin.users.role'), v.t('admin.users.org'), v.t('admin.users.mfa'), v.t('admin.users.status'), v.t('admin.users.last'), v.t('admin.users.signin')]}
        rows={users.map((u) => [
          <a href={`/admin/users/${u.id}`}>{u.name}</a>,
          u.email,
          v.t(`role.${u.role}`),
          u.organization_name,
          v.t(u.mfa_enabled ? 'admin.users.on' : 'admin.users.off'),
          v.t(u.disabled ? 'admin.users.disabled' : 'admin.users.enabled'),
          lastSignIn(v, u),
          <LockCell v={v} u={u} />,
        ])}
      />
      <h2 id="invite">{v.t('admin.users.invite')}</h2>
      <p>{v.t('admin.users.invite.intro')}</p>
      <form method="post" action="/admin/users/invite" class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <TextInput name="email" label={v.t('admin.users.email')} type="email" required value={one(input?.email)} errors={errors} />
        <TextInput name="name" label={v.t('admin.users.name')} required value={one(input?.name)} errors={errors} />
        <Select name="role" label={v.t('admin.users.role')} required value={one(input?.role)} options={roleOptions(v)} errors={errors} />
        <TextInput name="organization" label={v.t('admin.users.org')} required value={one(input?.organization)} errors={errors} />
        <SubmitButton>{v.t('admin.users.invite.submit')}</SubmitButton>
      </form>
    </div>
  );
}

function UserPage({ v, user, done, errors }: { v: View; user: UserRow; done?: string; errors?: FieldError[] }) {
  const doneKey = DONE.find((d) => d === done);
  return (
    <div>
      <p>
        <a href="/admin/users">{v.t('admin.users.back')}</a>
      </p>
      <h1>{user.name}</h1>
      {doneKey && (
        <Alert type="success" slim>
          {v.t(`admin.user.done.${doneKey}`)}
        </Alert>
      )}
      <ErrorSummary v={v} errors={errors ?? []} />
      <dl>
        <dt>{v.t('admin.users.email')}</dt>
        <dd>{user.email}</dd>
        <dt>{v.t('admin.users.org')}</dt>
        <dd>{user.organization_name}</dd>
        <dt>{v.t('admin.users.status')}</dt>
        <dd>{v.t(user.disabled ? 'admin.users.disabled' : 'admin.users.enabled')}</dd>
        <dt>{v.t('admin.users.mfa')}</dt>
        <dd>{v.t(user.mfa_enabled ? 'admin.users.on' : 'admin.users.off')}</dd>
        <dt>{v.t('admin.users.last')}</dt>
        <dd>{lastSignIn(v, user)}</dd>
        <dt>{v.t('admin.users.signin')}</dt>
        <dd>
          <LockCell v={v} u={user} />
        </dd>
      </dl>
      <h2>{v.t('admin.user.role.change')}</h2>
      <form method="post" action={`/admin/users/${user.id}/role`} class="usa-form">
        <Csrf v={v} />
        <Select name="role" label={v.t('admin.users.role')} required value={user.role} options={roleOptions(v)} errors={errors} />
        <SubmitButton>{v.t('admin.user.role.submit')}</SubmitButton>
      </form>
      <h2 id="field-account">{v.t('admin.user.access')}</h2>
      {user.disabled ? (
        <ActionButton v={v} action={`/admin/users/${user.id}/enable`}>
          {v.t('admin.user.enable')}
        </ActionButton>
      ) : (
        <>
          <p>{v.t('admin.user.disable.intro')}</p>
          <ActionButton v={v} action={`/admin/users/${user.id}/disable`} secondary>
            {v.t('admin.user.disable')}
          </ActionButton>
        </>
      )}
      <p class="margin-top-3">
        <ActionButton v={v} action={`/admin/users/${user.id}/revoke-sessions`} secondary>
          {v.t('admin.users.revoke')}
        </ActionButton>
      </p>
      {user.mfa_enabled && (
        <>
          <h2>{v.t('admin.user.mfa.reset')}</h2>
          <p>{v.t('admin.user.mfa.reset.intro')}</p>
          <ActionButton v={v} action={`/admin/users/${user.id}/reset-mfa`} secondary>
            {v.t('admin.user.mfa.reset')}
          </ActionButton>
        </>
      )}
    </div>
  );
}

async function userPage(req: FastifyRequest, reply: FastifyReply, id: string, opts: { done?: string; errors?: FieldError[] } = {}) {
  const user = await getUser(req.ctx.db, id);
  if (!user) throw notFound('No such user.');
  const v = req.view();
  return reply.page(user.name, <UserPage v={v} user={user} done={opts.done} errors={opts.errors} />, opts.errors ? 400 : 200);
}

/** Runs an action on an account: to its page with a confirmation, or back to the page with the problem named. */
async function act(req: FastifyRequest, reply: FastifyReply, id: string, done: (typeof DONE)[number], run: () => Promise<unknown>) {
  try {
    await run();
  } catch (err) {
    const errors = formErrors(err);
    if (errors) return userPage(req, reply, id, { errors: localizeFieldErrors(req.lang, errors, ADMIN_ES) });
    throw err;
  }
  return reply.redirect(`/admin/users/${id}?done=${done}`, 303);
}

export async function adminPages(app: App): Promise<void> {
  const manage = { access: { permission: 'users.manage' } } as const;

  app.get('/admin/users', { config: manage, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} />);
  });

  // Accounts with a typed first password: kept for scripts and tests; the page invites instead.
  app.post('/admin/users', { config: manage, schema: { ...hidden, body: UserForm } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await createUser(req.ctx, formBody(req.body));
        return '/admin/users';
      },
      async (errors) => {
        const v = req.view();
        return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} errors={errors} input={rawValues(req.body)} />, 400);
      },
    ),
  );

  app.post('/admin/users/invite', { config: manage, schema: { ...hidden, body: InviteForm } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/admin/users/${(await inviteUser(req.ctx, formBody(req.body), req.lang)).id}?done=invited`,
      async (errors) => {
        const v = req.view();
        return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} errors={localizeFieldErrors(req.lang, errors, ADMIN_ES)} input={rawValues(req.body)} />, 400);
      },
    ),
  );

  app.get('/admin/users/:id', { config: manage, schema: { ...hidden, params: IdParams, querystring: DoneQuery } }, async (req, reply) => userPage(req, reply, req.params.id, { done: req.query.done }));

  app.post('/admin/users/:id/role', { config: manage, schema: { ...hidden, params: IdParams, body: RoleForm } }, async (req, reply) =>
    act(req, reply, req.params.id, 'role', () => setUserRole(req.ctx, req.params.id, one(req.body.role))),
  );
  app.post('/admin/users/:id/disable', { config: manage, schema: { ...hidden, params: IdParams } }, async (req, reply) =>
    act(req, reply, req.params.id, 'disabled', () => setUserDisabled(req.ctx, req.params.id, true)),
  );
  app.post('/admin/users/:id/enable', { config: manage, schema: { ...hidden, params: IdParams } }, async (req, reply) =>
    act(req, reply, req.params.id, 'enabled', () => setUserDisabled(req.ctx, req.params.id, false)),
  );
  app.post('/admin/users/:id/reset-mfa', { config: manage, schema: { ...hidden, params: IdParams } }, async (req, reply) =>
    act(req, reply, req.params.id, 'mfa', () => resetSecondFactor(req.ctx, req.params.id)),
  );

  app.post('/admin/users/:id/revoke-sessions', { config: manage, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const id = req.params.id;
    if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
    await revokeSessions(req.ctx, id);
    return reply.redirect('/admin/users');
  });

  app.post('/admin/users/:id/unlock', { config: manage, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await unlockAccount(req.ctx, req.params.id);
    return reply.redirect('/admin/users', 303);
  });

  await adminAccountsApi(app);
}
