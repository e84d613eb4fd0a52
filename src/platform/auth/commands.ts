/**
 * Every write of account security data outside signing in: accounts, second factor, sessions, API tokens. Each
 * checks its policy (policies.ts) before it reads its input, and records its audit event in its transaction.
 */
import * as OTPAuth from 'otpauth';
import { Type, type Static } from '@sinclair/typebox';
import type { Ctx } from '../context.ts';
import { newId, nowIso, toJson, type Db } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { authorize, principalOf } from '../policy.ts';
import { conflict, fieldError, notFound } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { encryptField, keyRing, randomToken, sha256 } from '../crypto/index.ts';
import { ROLES } from './roles.ts';
import { mayChangeSecondFactor, mayCreateUser, mayManageOwnTokens, mayRevokeSessions, maySwitchOffSecondFactor } from './policies.ts';
import { getUser, hashPassword, totpFor, TOKEN_PREFIX, type TokenRow, type UserRow } from './store.ts';
import { verifyTotp } from './sign-in.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
export const ORG_KINDS = ['agency', 'partner', 'provider', 'school', 'other'] as const;

export const NewUserSchema = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    organization: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the organisation; created if new.' }),
    password: Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX }),
  },
  { additionalProperties: false },
);
export type NewUser = Static<typeof NewUserSchema>;

async function ensureOrganization(trx: Db, name: string, kind: (typeof ORG_KINDS)[number] = 'other'): Promise<string> {
  const found = await trx.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst();
  if (found) return found.id as string;
  const id = newId();
  await trx.insertInto('organizations').values({ id, name, kind, created_at: nowIso() }).execute();
  return id;
}

/** Creates an account with its first password (kept as an argon2id hash only). */
export async function createUser(ctx: Ctx, input: unknown): Promise<UserRow> {
  authorize(ctx, mayCreateUser(principalOf(ctx)));
  const data = validate(NewUserSchema, input);
  const email = data.email.toLowerCase();
  const passwordHash = await hashPassword(data.password, ctx.config.passwordHashCost);
  const id = await runCommand(ctx, async (trx, audit) => {
    const existing = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw fieldError('email', 'an account with this e-mail already exists');
    const organizationId = await ensureOrganization(trx, data.organization);
    const id = newId();
    const now = nowIso();
    await trx
      .insertInto('users')
      .values({
        id,
        email,
        name: data.name,
        role: data.role,
        organization_id: organizationId,
        password_hash: passwordHash,
        mfa_enabled: false,
        disabled: false,
        failed_logins: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await audit({ action: 'user.create', entityType: 'user', entityId: id, summary: { email, role: data.role, organization: data.organization } });
    return id;
  });
  return (await getUser(ctx.db, id))!;
}

// ---- second factor ----

/** Starts enrolment: a new secret is stored (encrypted) but not yet in force until a code from it is verified. */
export async function beginMfaSetup(ctx: Ctx, userId: string): Promise<{ secret: string; uri: string }> {
  authorize(ctx, mayChangeSecondFactor(principalOf(ctx), userId));
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  if (user.mfa_enabled) throw conflict('Two-step verification is already on.');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ totp_secret: encryptField(keyRing(ctx.config.dataKey), secret), totp_last_step: null }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_setup_start', entityType: 'user', entityId: userId });
  });
  return { secret, uri: totpFor(secret, user.email).toString() };
}

export async function enableMfa(ctx: Ctx, userId: string, code: string): Promise<void> {
  authorize(ctx, mayChangeSecondFactor(principalOf(ctx), userId));
  if (!(await verifyTotp(ctx, userId, code))) throw fieldError('code', 'the code does not match; check the time on your device and try the newest code');
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ mfa_enabled: true, updated_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_enable', entityType: 'user', entityId: userId });
  });
}

export async function disableMfa(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx, mayChangeSecondFactor(principalOf(ctx), userId));
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  authorize(ctx, maySwitchOffSecondFactor(user), 'Two-step verification is required for this role.');
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ mfa_enabled: false, totp_secret: null, totp_last_step: null, updated_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_disable', entityType: 'user', entityId: userId });
  });
}

// ---- sessions ----

/** Ends every session of a user at once (sign-out everywhere, or an administrator's revocation). */
export async function revokeSessions(ctx: Ctx, userId: string): Promise<number> {
  authorize(ctx, mayRevokeSessions(principalOf(ctx), userId));
  return runCommand(ctx, async (trx, audit) => {
    const res = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const n = Number(res.numDeletedRows ?? 0);
    await audit({ action: 'user.sessions_revoke', entityType: 'user', entityId: userId, summary: { sessions: n } });
    return n;
  });
}

// ---- API tokens ----

export const NewTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, uniqueItems: true }),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);

/** Creates a token for the acting person. The secret is returned once and only its hash is kept. */
export async function createToken(ctx: Ctx, input: unknown, opts: { coerce?: boolean } = {}): Promise<{ token: string; row: TokenRow }> {
  authorize(ctx, mayManageOwnTokens(principalOf(ctx)));
  const actor = ctx.actor!;
  const data = validate(NewTokenSchema, input, opts);
  const bad = data.scopes.find((s) => !actor.permissions.has(s));
  if (bad) throw fieldError('scopes', `"${bad}" is not a permission you hold`);
  const token = TOKEN_PREFIX + randomToken(32);
  const id = newId();
  const now = new Date();
  const row: TokenRow = {
    id,
    name: data.name,
    scopes: data.scopes,
    created_at: now.toISOString(),
    expires_at: data.expires_in_days ? new Date(now.getTime() + data.expires_in_days * 86_400_000).toISOString() : null,
    last_used_at: null,
    revoked_at: null,
  };
  await runCommand(ctx, async (trx, audit) => {
    await trx
      .insertInto('api_tokens')
      .values({ ...row, user_id: actor.id, scopes: toJson(row.scopes), token_hash: sha256(token) })
      .execute();
    await audit({ action: 'token.create', entityType: 'api_token', entityId: id, summary: { name: data.name, scopes: data.scopes } });
  });
  return { token, row };
}

/** Revokes one of the acting person's tokens; someone else's token is "not found", so ids reveal nothing. */
export async function revokeToken(ctx: Ctx, tokenId: string): Promise<void> {
  authorize(ctx, mayManageOwnTokens(principalOf(ctx)));
  const actor = ctx.actor!;
  await runCommand(ctx, async (trx, audit) => {
    const t = await trx.selectFrom('api_tokens').select(['id', 'user_id', 'revoked_at']).where('id', '=', tokenId).executeTakeFirst();
    if (!t || t.user_id !== actor.id) throw notFound('No such token of yours.');
    if (t.revoked_at) return;
    await trx.updateTable('api_tokens').set({ revoked_at: nowIso() }).where('id', '=', tokenId).execute();
    await audit({ action: 'token.revoke', entityType: 'api_token', entityId: tokenId });
  });
}
