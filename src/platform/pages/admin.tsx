/** Administration of accounts: the list, adding one, ending someone's sessions, lifting a sign-in lock. */
import { ROLES, ROLE_LABELS, createUser, getUser, listUsers, revokeSessions, unlockAccount, type UserRow } from '../auth/index.ts';
import { notFound, type FieldError } from '../http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../http/forms.ts';
import { IdParams, hidden } from '../http/schemas.ts';
import { formBody } from '../http/validation.ts';
import type { View } from '../web/view.ts';
import { defineMessages } from '../web/i18n.ts';
import { ActionButton, Csrf, ErrorSummary, Select, SubmitButton, Table, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one } from './forms.ts';

defineMessages({
  en: { 'admin.users.signin': 'Sign-in', 'admin.users.locked': 'Locked until {time}', 'admin.users.unlock': 'Unlock' },
  es: { 'admin.users.signin': 'Inicio de sesión', 'admin.users.locked': 'Bloqueado hasta {time}', 'admin.users.unlock': 'Desbloquear' },
});

/** The sign-in lock of an account (from some address, or of its codes) and the button that lifts it. */
function LockCell({ v, u }: { v: View; u: UserRow }) {
  if (!u.locked_until) return <>—</>;
  return (
    <>
      <span class="display-block margin-bottom-05">{v.t('admin.users.locked', { time: u.locked_until })}</span>
      <ActionButton v={v} action={`/admin/users/${u.id}/unlock`} secondary>
        {v.t('admin.users.unlock')} <span class="usa-sr-only">{u.email}</span>
      </ActionButton>
    </>
  );
}

const UserForm = FormPost({ email: FormField, name: FormField, role: FormField, organization: FormField, password: FormField });

function UsersPage({ v, users, errors, input }: { v: View; users: UserRow[]; errors?: FieldError[]; input?: FormValues }) {
  return (
    <div>
      <h1>{v.t('admin.users.title')}</h1>
      <Table
        v={v}
        caption={v.t('admin.users.title')}
        head={['Name', 'E-mail', 'Role', 'Organization', 'Two-step', 'Last sign-in', v.t('admin.users.signin'), 'Sessions']}
        rows={users.map((u) => [
          u.name,
          u.email,
          ROLE_LABELS[u.role],
          u.organization_name,
          u.mfa_enabled ? 'on' : 'off',
          u.last_login_at ?? '—',
          <LockCell v={v} u={u} />,
          <ActionButton v={v} action={`/admin/users/${u.id}/revoke-sessions`} secondary>
            {v.t('admin.users.revoke')} <span class="usa-sr-only">{u.email}</span>
          </ActionButton>,
        ])}
      />
      <h2>{v.t('admin.users.new')}</h2>
      <form method="post" action="/admin/users" class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <TextInput name="email" label="E-mail" type="email" required value={one(input?.email)} errors={errors} />
        <TextInput name="name" label="Name" required value={one(input?.name)} errors={errors} />
        <Select name="role" label="Role" required value={one(input?.role)} options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} errors={errors} />
        <TextInput name="organization" label="Organization" required value={one(input?.organization)} errors={errors} />
        <TextInput name="password" label="Initial password" type="password" autocomplete="new-password" hint="At least 12 characters." required errors={errors} />
        <SubmitButton>{v.t('admin.users.new')}</SubmitButton>
      </form>
    </div>
  );
}

export async function adminPages(app: App): Promise<void> {
  app.get('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('admin.users.title'), <UsersPage v={v} users={await listUsers(req.ctx.db)} />);
  });

  app.post('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: { ...hidden, body: UserForm } }, async (req, reply) =>
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

  app.post('/admin/users/:id/revoke-sessions', { config: { access: { permission: 'users.manage' } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const id = req.params.id;
    if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
    await revokeSessions(req.ctx, id);
    return reply.redirect('/admin/users');
  });

  app.post('/admin/users/:id/unlock', { config: { access: { permission: 'users.manage' } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await unlockAccount(req.ctx, req.params.id);
    return reply.redirect('/admin/users', 303);
  });
}
