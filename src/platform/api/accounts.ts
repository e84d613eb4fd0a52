/** The accounts API: who is calling, the caller's API tokens, and (for administrators) accounts and their sessions. */
import { Type } from '@sinclair/typebox';
import { NewTokenSchema, NewUserSchema, createToken, createUser, getUser, listTokens, listUsers, revokeSessions, revokeToken, unlockAccount } from '../auth/index.ts';
import { sessionOnly } from '../auth/session-only.ts';
import { notFound } from '../http/errors.ts';
import { IdParams, Nullable, ProblemRef, Uuid, readErrors, secured } from '../http/schemas.ts';
import type { App } from '../module.ts';

const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  organization_id: Type.String(),
  organization_name: Type.String(),
  mfa_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  locked_until: Nullable(Type.String({ description: 'End of the latest sign-in lock in force (from one address, or of the second-factor step), or null' })),
  last_login_at: Nullable(Type.String()),
  created_at: Type.String(),
});
const TokenSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
  expires_at: Nullable(Type.String()),
  last_used_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
});
const errors = { ...readErrors, 401: ProblemRef, 403: ProblemRef };

export async function accountsApi(app: App): Promise<void> {
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
    { config: { access: { permission: 'account.self' } }, schema: { tags: ['Accounts'], summary: "The caller's API tokens (never their secrets)", security: secured, response: { 200: Type.Array(TokenSchema), ...errors } } },
    async (req) => listTokens(req.ctx.db, req.actor!.id),
  );

  app.post(
    '/api/tokens',
    {
      onRequest: sessionOnly,
      config: { access: { permission: 'account.self' } },
      schema: {
        tags: ['Accounts'],
        summary: 'Create an API token; the secret is in this answer only. Signed in only: a token cannot create tokens',
        security: [{ cookieAuth: [] }],
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
      onRequest: sessionOnly,
      config: { access: { permission: 'account.self' } },
      schema: { tags: ['Accounts'], summary: 'Revoke one of your API tokens (signed in only)', security: [{ cookieAuth: [] }], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (req, reply) => {
      await revokeToken(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/users',
    { config: { access: { permission: 'users.manage' } }, schema: { tags: ['Accounts'], summary: 'All accounts', security: secured, response: { 200: Type.Array(UserSchema), ...errors } } },
    async (req) => listUsers(req.ctx.db),
  );

  app.post(
    '/api/users',
    {
      config: { access: { permission: 'users.manage' } },
      schema: { tags: ['Accounts'], summary: 'Create an account', security: secured, body: NewUserSchema, response: { 201: UserSchema, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await createUser(req.ctx, req.body)),
  );

  app.delete(
    '/api/users/:id/sessions',
    {
      config: { access: { permission: 'users.manage' } },
      schema: {
        tags: ['Accounts'],
        summary: "End all of a user's sessions at once, and with revoke_tokens=true all of their API tokens too",
        security: secured,
        params: IdParams,
        querystring: Type.Object(
          { revoke_tokens: Type.Optional(Type.Boolean({ default: false, description: 'Also revoke every API token of the user' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ revoked: Type.Integer({ description: 'Sessions ended' }), tokens_revoked: Type.Integer() }), ...errors },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (!(await getUser(req.ctx.db, id))) throw notFound('No such user.');
      const { sessions, tokens } = await revokeSessions(req.ctx, id, { revokeTokens: req.query.revoke_tokens === true });
      return { revoked: sessions, tokens_revoked: tokens };
    },
  );

  app.post(
    '/api/users/:id/unlock',
    {
      config: { access: { permission: 'users.manage' } },
      schema: {
        tags: ['Accounts'],
        summary: 'Lift the sign-in locks of an account: wrong passwords from every address and wrong second-factor codes are forgotten',
        security: secured,
        params: IdParams,
        response: { 200: Type.Object({ unlocked: Type.Boolean({ description: 'Whether a lock was in force' }) }), ...errors },
      },
    },
    async (req) => unlockAccount(req.ctx, req.params.id),
  );
}
