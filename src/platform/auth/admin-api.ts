/** The accounts API for administrators' account changes (issue 16 item 7): role, disabled, second-factor reset. */
import { Type } from '@sinclair/typebox';
import { getUser } from './store.ts';
import { ROLES } from './roles.ts';
import { resetSecondFactor, setUserDisabled, setUserRole } from './accounts.ts';
import { notFound } from '../http/errors.ts';
import { IdParams, Nullable, Uuid, secured, writeErrors } from '../http/schemas.ts';
import type { App } from '../module.ts';

const AccountSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  organization_name: Type.String(),
  mfa_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  last_login_at: Nullable(Type.String()),
});

const AccountChange = Type.Object(
  {
    role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'The new role. Taking the last enabled administrator\'s role is refused.' })),
    disabled: Type.Optional(Type.Boolean({ description: 'true disables the account (its sessions end, its API tokens are revoked); false enables it' })),
  },
  { additionalProperties: false },
);

export async function adminAccountsApi(app: App): Promise<void> {
  app.patch(
    '/api/users/:id',
    {
      config: { access: { permission: 'users.manage' } },
      schema: {
        tags: ['Accounts'],
        summary: "Change an account's role, or disable or enable it (administrators)",
        security: secured,
        params: IdParams,
        body: AccountChange,
        response: { 200: AccountSchema, ...writeErrors },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
      if (req.body.role !== undefined) await setUserRole(req.ctx, id, req.body.role);
      if (req.body.disabled !== undefined) await setUserDisabled(req.ctx, id, req.body.disabled);
      return (await getUser(req.ctx.db, id))!;
    },
  );

  app.post(
    '/api/users/:id/mfa-reset',
    {
      config: { access: { permission: 'users.manage' } },
      schema: {
        tags: ['Accounts'],
        summary: "Reset someone's two-step verification (a lost phone): the key is removed, their sessions end, and a role that needs it sets it up again at the next sign-in",
        security: secured,
        params: IdParams,
        response: { 204: Type.Null(), ...writeErrors },
      },
    },
    async (req, reply) => {
      await resetSecondFactor(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
