/**
 * Every write of account security data outside signing in: accounts, second factor, sessions, API tokens. Each
 * checks its policy (policies.ts) before it reads its input, and records its audit event in its transaction.
 */
import * as OTPAuth from 'otpauth';
import { Type, type Static } from '@sinclair/typebox';
import type { Ctx } from '../context.ts';
import { bool, newId, nowIso, toJson, type Db } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { authorize, principalOf } from '../policy.ts';
import { fieldError, notFound } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { decryptField, encryptField, keyRing, randomToken, sha256 } from '../crypto/index.ts';
import { ROLES } from './roles.ts';
import type { Lang } from '../web/i18n.ts';
import { mayChangeSecondFactor, mayChooseOwnLanguage, mayCreateUser, mayManageOwnTokens, mayRevokeSessions, maySwitchOffSecondFactor, mayUnlockAccounts } from './policies.ts';
import { clearSecondFactor, getUser, hashPassword, pendingKeyFresh, totpFor, TOKEN_PREFIX, type TokenRow, type UserRow } from './store.ts';
import { codeStep, confirmFreshProof, type Proof } from './sign-in.ts';
import { clearAccountCounters } from './throttle.ts';

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

/**
 * A person changing their own second factor proves again who they are first (`confirmFreshProof`); the operator
 * (the system principal: command line, seeds, tests) prepares accounts without one. The proof runs its own counting
 * and audit, which ends this command's policy check, so the policy is asked again after it.
 */
async function freshProofFor(ctx: Ctx, userId: string, proof: Proof | undefined, policy: () => boolean): Promise<void> {
  if (principalOf(ctx).kind === 'system') return;
  await confirmFreshProof(ctx, userId, proof ?? {});
  authorize(ctx, policy());
}

/**
 * Starts enrolment, the first time or to replace the authenticator: a new key is stored (encrypted) as pending and
 * is not in force until a code from it is confirmed (`enableMfa`); the key in force, if any, stays until then.
 */
export async function beginMfaSetup(ctx: Ctx, userId: string, proof?: Proof): Promise<{ secret: string; uri: string }> {
  const policy = () => mayChangeSecondFactor(principalOf(ctx), userId);
  authorize(ctx, policy());
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  await freshProofFor(ctx, userId, proof, policy);
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ totp_pending_secret: encryptField(keyRing(ctx.config.dataKey), secret), totp_pending_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_setup_start', entityType: 'user', entityId: userId, summary: { replacing: user.mfa_enabled } });
  });
  return { secret, uri: totpFor(secret, user.email).toString() };
}

/**
 * Confirms the pending key with a code from it: it becomes the key in force, replacing any earlier one. The code's
 * step is recorded as used, so the code that confirmed the key cannot also sign in.
 */
export async function enableMfa(ctx: Ctx, userId: string, code: string): Promise<void> {
  authorize(ctx, mayChangeSecondFactor(principalOf(ctx), userId));
  const u = await ctx.db.selectFrom('users').select(['email', 'totp_pending_secret', 'totp_pending_at', 'totp_last_step', 'mfa_enabled']).where('id', '=', userId).executeTakeFirst();
  if (!u || !u.totp_pending_secret || !pendingKeyFresh(u.totp_pending_at)) throw fieldError('code', 'no key is being set up, or it was started too long ago; start again');
  const step = codeStep(decryptField(keyRing(ctx.config.dataKey), String(u.totp_pending_secret)), String(u.email), code);
  if (step === null) throw fieldError('code', 'the code does not match; check the time on your device and try the newest code');
  await runCommand(ctx, async (trx, audit) => {
    // Only the key that was checked is put in force: a key started again meanwhile is left pending.
    const res = await trx
      .updateTable('users')
      .set({ totp_secret: u.totp_pending_secret, totp_pending_secret: null, totp_pending_at: null, mfa_enabled: true, totp_last_step: Math.max(step, Number(u.totp_last_step ?? 0)), updated_at: nowIso() })
      .where('id', '=', userId)
      .where('totp_pending_secret', '=', u.totp_pending_secret)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows ?? 0) !== 1) throw fieldError('code', 'the key was started again meanwhile; use the newest key shown');
    await audit({ action: 'user.mfa_enable', entityType: 'user', entityId: userId, summary: { replaced: bool(u.mfa_enabled) } });
  });
}

export async function disableMfa(ctx: Ctx, userId: string, proof?: Proof): Promise<void> {
  const policy = () => mayChangeSecondFactor(principalOf(ctx), userId);
  authorize(ctx, policy());
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  authorize(ctx, maySwitchOffSecondFactor(user), 'Two-step verification is required for this role.');
  await freshProofFor(ctx, userId, proof, policy);
  await runCommand(ctx, async (trx, audit) => {
    await clearSecondFactor(trx, userId);
    await audit({ action: 'user.mfa_disable', entityType: 'user', entityId: userId });
  });
}

// ---- sessions and locks ----

/**
 * Keeps the language a signed-in person switched the workspace to, for the mail they receive later (digests,
 * reminders, notices). Nothing is written when it is already the one kept; the change is audited like other
 * changes to an account.
 */
export async function chooseLanguage(ctx: Ctx, userId: string, lang: Lang): Promise<{ changed: boolean }> {
  authorize(ctx, mayChooseOwnLanguage(principalOf(ctx), userId));
  return runCommand(ctx, async (trx, audit) => {
    const res = await trx.updateTable('users').set({ lang }).where('id', '=', userId).where((eb) => eb.or([eb('lang', 'is', null), eb('lang', '!=', lang)])).executeTakeFirst();
    const changed = Number(res.numUpdatedRows ?? 0) > 0;
    if (changed) await audit({ action: 'user.language', entityType: 'user', entityId: userId, summary: { lang } });
    return { changed };
  });
}

/**
 * Ends every session of a user at once (sign-out everywhere, or an administrator's revocation); with
 * `revokeTokens`, every API token of the user too, so that nothing signed in before keeps working.
 */
export async function revokeSessions(ctx: Ctx, userId: string, opts: { revokeTokens?: boolean } = {}): Promise<{ sessions: number; tokens: number }> {
  authorize(ctx, mayRevokeSessions(principalOf(ctx), userId));
  return runCommand(ctx, async (trx, audit) => {
    const res = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const sessions = Number(res.numDeletedRows ?? 0);
    let tokens = 0;
    if (opts.revokeTokens) {
      const t = await trx.updateTable('api_tokens').set({ revoked_at: nowIso() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      tokens = Number(t.numUpdatedRows ?? 0);
    }
    await audit({ action: 'user.sessions_revoke', entityType: 'user', entityId: userId, summary: { sessions, api_credentials: tokens } });
    return { sessions, tokens };
  });
}

/**
 * An administrator's unlock: forgets every count of failed passwords (from every address) and codes of the account,
 * so that its owner can sign in again at once. Answers whether a lock was in force.
 */
export async function unlockAccount(ctx: Ctx, userId: string): Promise<{ unlocked: boolean }> {
  authorize(ctx, mayUnlockAccounts(principalOf(ctx)));
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound('No such user.');
  return runCommand(ctx, async (trx, audit) => {
    const counters = await clearAccountCounters(trx, user.id, user.email);
    await audit({ action: 'user.unlock', entityType: 'user', entityId: user.id, summary: { was_locked: user.locked_until !== null, counters } });
    return { unlocked: user.locked_until !== null };
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
