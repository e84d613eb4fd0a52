import argon2 from 'argon2';
import * as OTPAuth from 'otpauth';
import { Type, type Static } from '@sinclair/typebox';
import type { Actor, Ctx } from '../context.ts';
import { bool, json, newId, nowIso, toJson, type Db } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { conflict, fieldError, forbidden, notFound } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { decryptField, encryptField, keyRing, randomToken, sha256 } from '../crypto/index.ts';
import { ROLES, isRole, mfaRequired, permissionsOf, type Role } from './roles.ts';

export { ROLES, ROLE_LABELS, definePermissions, permissionsOf, mfaRequired, isRole, type Role } from './roles.ts';

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

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string;
  organization_name: string;
  mfa_enabled: boolean;
  disabled: boolean;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
}

/** argon2id parameters by `PASSWORD_HASH_COST`. */
export const HASH_COSTS = {
  // OWASP's argon2id minimum: 19 MiB, two passes, one lane.
  standard: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  // The cheapest the library takes: for test suites only (config refuses it in production).
  test: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
} as const;

export async function hashPassword(password: string, cost: keyof typeof HASH_COSTS = 'standard'): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...HASH_COSTS[cost] });
}

function userQuery(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.role',
      'users.organization_id',
      'organizations.name as organization_name',
      'users.mfa_enabled',
      'users.disabled',
      'users.locked_until',
      'users.last_login_at',
      'users.created_at',
    ]);
}

function toUser(r: Record<string, unknown>): UserRow {
  return { ...(r as unknown as UserRow), mfa_enabled: bool(r.mfa_enabled), disabled: bool(r.disabled) };
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const rows = await userQuery(db).orderBy('users.email').execute();
  return rows.map(toUser);
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  const r = await userQuery(db).where('users.id', '=', id).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** Every account organisation, by name: for choosing one in a form. */
export async function listOrganizations(db: Db): Promise<{ id: string; name: string; kind: string }[]> {
  const rows = await db.selectFrom('organizations').select(['id', 'name', 'kind']).orderBy('name').execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), kind: String(r.kind) }));
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

async function ensureOrganization(trx: Db, name: string, kind: (typeof ORG_KINDS)[number] = 'other'): Promise<string> {
  const found = await trx.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst();
  if (found) return found.id as string;
  const id = newId();
  await trx.insertInto('organizations').values({ id, name, kind, created_at: nowIso() }).execute();
  return id;
}

export async function createUser(ctx: Ctx, input: unknown): Promise<UserRow> {
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

export type LoginResult =
  | { ok: true; userId: string; mfa: 'verify' | 'setup' | 'none' }
  | { ok: false; reason: 'invalid' | 'locked' };

/**
 * Checks an e-mail and password. After too many failures the account is locked for a while; while locked even the
 * right password fails, and the answer does not say whether the e-mail exists.
 */
export async function checkPassword(ctx: Ctx, emailInput: string, password: string): Promise<LoginResult> {
  const email = String(emailInput ?? '').trim().toLowerCase();
  const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const now = new Date();
  if (!user || bool(user.disabled)) {
    // Spend the same time as a real check so that timing does not reveal which e-mails exist.
    await argon2.verify(await dummyHash(), String(password ?? '')).catch(() => false);
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.login_failed', entityType: 'user', summary: { email_hash: sha256(email).slice(0, 12) } }));
    return { ok: false, reason: 'invalid' };
  }
  if (user.locked_until && new Date(user.locked_until as string) > now) {
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.login_locked', entityType: 'user', entityId: user.id as string }));
    return { ok: false, reason: 'locked' };
  }
  const good = await argon2.verify(user.password_hash as string, String(password ?? '')).catch(() => false);
  if (!good) {
    const failures = Number(user.failed_logins) + 1;
    const lock = failures >= ctx.config.loginMaxFailures;
    await runCommand(ctx, async (trx, audit) => {
      await trx
        .updateTable('users')
        .set({
          failed_logins: lock ? 0 : failures,
          locked_until: lock ? new Date(now.getTime() + ctx.config.loginLockMinutes * 60_000).toISOString() : user.locked_until,
        })
        .where('id', '=', user.id)
        .execute();
      await audit({ action: lock ? 'auth.lockout' : 'auth.login_failed', entityType: 'user', entityId: user.id as string, summary: { failures } });
    });
    return { ok: false, reason: lock ? 'locked' : 'invalid' };
  }
  await ctx.db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
  const role = user.role as Role;
  const mfa = bool(user.mfa_enabled) ? 'verify' : mfaRequired(role) ? 'setup' : 'none';
  return { ok: true, userId: user.id as string, mfa };
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomToken(16)));

export async function recordLogin(ctx: Ctx, userId: string): Promise<void> {
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ last_login_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'auth.login', entityType: 'user', entityId: userId });
  });
}

/** The acting person for a user id, with the permissions of their role; undefined if disabled or gone. */
export async function loadActor(db: Db, userId: string, via: Actor['via'], scopes?: string[]): Promise<Actor | undefined> {
  const u = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'organization_id', 'disabled', 'mfa_enabled']).where('id', '=', userId).executeTakeFirst();
  if (!u || bool(u.disabled) || !isRole(u.role)) return undefined;
  let permissions = permissionsOf(u.role);
  if (scopes) permissions = new Set([...permissions].filter((p) => scopes.includes(p)));
  return {
    id: u.id as string,
    email: u.email as string,
    name: u.name as string,
    role: u.role,
    organizationId: u.organization_id as string,
    permissions,
    via,
    mfaEnabled: bool(u.mfa_enabled),
  };
}

// ---- second factor (TOTP, RFC 6238) ----

function totpFor(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Taskforce Hub', label, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

/** Starts enrolment: a new secret is stored (encrypted) but not yet in force until a code from it is verified. */
export async function beginMfaSetup(ctx: Ctx, userId: string): Promise<{ secret: string; uri: string }> {
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  if (user.mfa_enabled) throw conflict('Two-step verification is already on.');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await ctx.db.updateTable('users').set({ totp_secret: encryptField(keyRing(ctx.config.dataKey), secret), totp_last_step: null }).where('id', '=', userId).execute();
  return { secret, uri: totpFor(secret, user.email).toString() };
}

/** The pending secret during enrolment, so the setup page can show it again after a wrong code. */
export async function pendingMfaSecret(ctx: Ctx, userId: string): Promise<{ secret: string; uri: string } | undefined> {
  const u = await ctx.db.selectFrom('users').select(['email', 'totp_secret', 'mfa_enabled']).where('id', '=', userId).executeTakeFirst();
  if (!u || !u.totp_secret || bool(u.mfa_enabled)) return undefined;
  const secret = decryptField(keyRing(ctx.config.dataKey), u.totp_secret as string);
  return { secret, uri: totpFor(secret, u.email as string).toString() };
}

/** Checks a code against the user's secret; a code is accepted once only (no replay within its window). */
export async function verifyTotp(ctx: Ctx, userId: string, code: string): Promise<boolean> {
  const u = await ctx.db.selectFrom('users').select(['email', 'totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
  if (!u || !u.totp_secret || !/^\d{6}$/.test(String(code ?? '').trim())) return false;
  const secret = decryptField(keyRing(ctx.config.dataKey), u.totp_secret as string);
  const totp = totpFor(secret, u.email as string);
  const delta = totp.validate({ token: String(code).trim(), window: 1 });
  if (delta === null) return false;
  const step = Math.floor(Date.now() / 30_000) + delta;
  if (u.totp_last_step !== null && Number(u.totp_last_step) >= step) return false;
  await ctx.db.updateTable('users').set({ totp_last_step: step }).where('id', '=', userId).execute();
  return true;
}

export async function enableMfa(ctx: Ctx, userId: string, code: string): Promise<void> {
  if (!(await verifyTotp(ctx, userId, code))) throw fieldError('code', 'the code does not match; check the time on your device and try the newest code');
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ mfa_enabled: true, updated_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_enable', entityType: 'user', entityId: userId });
  });
}

export async function disableMfa(ctx: Ctx, userId: string): Promise<void> {
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound();
  if (mfaRequired(user.role)) throw forbidden('Two-step verification is required for this role.');
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ mfa_enabled: false, totp_secret: null, totp_last_step: null, updated_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'user.mfa_disable', entityType: 'user', entityId: userId });
  });
}

// ---- sessions ----

/** Ends every session of a user at once (sign-out everywhere, or an administrator's revocation). */
export async function revokeSessions(ctx: Ctx, userId: string): Promise<number> {
  return runCommand(ctx, async (trx, audit) => {
    const res = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const n = Number(res.numDeletedRows ?? 0);
    await audit({ action: 'user.sessions_revoke', entityType: 'user', entityId: userId, summary: { sessions: n } });
    return n;
  });
}

export async function listSessions(db: Db, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['sid', 'created_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', nowIso())
    .orderBy('created_at', 'desc')
    .execute();
}

// ---- API tokens ----

export const TOKEN_PREFIX = 'tfh_';

export const NewTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, uniqueItems: true }),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);

export interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Creates a token for the acting person. The secret is returned once and only its hash is kept. */
export async function createToken(ctx: Ctx, input: unknown, opts: { coerce?: boolean } = {}): Promise<{ token: string; row: TokenRow }> {
  const actor = ctx.actor;
  if (!actor) throw forbidden();
  const data = validate(NewTokenSchema, input, opts);
  // What the caller holds right now: a program using a narrow token must not mint a wider one.
  const allowed = actor.permissions;
  const bad = data.scopes.find((s) => !allowed.has(s));
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

export async function listTokens(db: Db, userId: string): Promise<TokenRow[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ ...(r as unknown as TokenRow), scopes: json<string[]>(r.scopes, []) }));
}

export async function revokeToken(ctx: Ctx, tokenId: string): Promise<void> {
  const actor = ctx.actor;
  if (!actor) throw forbidden();
  await runCommand(ctx, async (trx, audit) => {
    const t = await trx.selectFrom('api_tokens').select(['id', 'user_id', 'revoked_at']).where('id', '=', tokenId).executeTakeFirst();
    if (!t || t.user_id !== actor.id) throw notFound('No such token of yours.');
    if (t.revoked_at) return;
    await trx.updateTable('api_tokens').set({ revoked_at: nowIso() }).where('id', '=', tokenId).execute();
    await audit({ action: 'token.revoke', entityType: 'api_token', entityId: tokenId });
  });
}

/** The actor behind a bearer token, limited to the token's scopes; undefined if unknown, expired or revoked. */
export async function actorFromToken(db: Db, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const t = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!t || t.revoked_at) return undefined;
  if (t.expires_at && new Date(t.expires_at as string) <= new Date()) return undefined;
  const actor = await loadActor(db, t.user_id as string, 'token', json<string[]>(t.scopes, []));
  if (!actor) return undefined;
  // Recording every use would write on every read; once a minute is enough to show a token is alive.
  const last = t.last_used_at ? new Date(t.last_used_at as string).getTime() : 0;
  if (Date.now() - last > 60_000) await db.updateTable('api_tokens').set({ last_used_at: nowIso() }).where('id', '=', t.id).execute();
  return actor;
}
