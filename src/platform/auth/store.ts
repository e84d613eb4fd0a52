/** Reads of accounts, sessions and tokens, and the pieces the commands and the sign-in share. */
import argon2 from 'argon2';
import * as OTPAuth from 'otpauth';
import type { Actor, Ctx } from '../context.ts';
import { bool, isUuid, json, nowIso, type Db } from '../db/index.ts';
import { decryptField, keyRing, sha256 } from '../crypto/index.ts';
import { isRole, permissionsOf, type Role } from './roles.ts';
import { accountLocks } from './throttle.ts';
import { isLang, type Lang } from '../web/i18n.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string;
  organization_name: string;
  mfa_enabled: boolean;
  disabled: boolean;
  /** The end of the latest lock on the account's sign-in (from one address or for codes), or null. */
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
  /** The language mail to this person is written in: the one they last used the workspace in ('en' until then). */
  lang: Lang;
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
      'users.last_login_at',
      'users.created_at',
      'users.lang',
    ]);
}

function toUser(r: Record<string, unknown>, locks: Map<string, string>): UserRow {
  return { ...(r as unknown as UserRow), mfa_enabled: bool(r.mfa_enabled), disabled: bool(r.disabled), locked_until: locks.get(String(r.id)) ?? null, lang: isLang(r.lang) ? r.lang : 'en' };
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const [rows, locks] = await Promise.all([userQuery(db).orderBy('users.email').execute(), accountLocks(db, new Date())]);
  return rows.map((r) => toUser(r, locks));
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [r, locks] = await Promise.all([userQuery(db).where('users.id', '=', id).executeTakeFirst(), accountLocks(db, new Date(), [id])]);
  return r ? toUser(r, locks) : undefined;
}

export async function getUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const r = await userQuery(db).where('users.email', '=', String(email).trim().toLowerCase()).executeTakeFirst();
  return r ? getUser(db, String(r.id)) : undefined;
}

/** Every account organisation, by name: for choosing one in a form. */
export async function listOrganizations(db: Db): Promise<{ id: string; name: string; kind: string }[]> {
  const rows = await db.selectFrom('organizations').select(['id', 'name', 'kind']).orderBy('name').execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), kind: String(r.kind) }));
}

/** Account organisations by id (unknown and malformed ids are left out): a lookup whose cost follows the ids asked. */
export async function organizationsByIds(db: Db, ids: readonly string[]): Promise<{ id: string; name: string; kind: string }[]> {
  const wanted = [...new Set(ids)].filter(isUuid);
  if (!wanted.length) return [];
  const rows = await db.selectFrom('organizations').select(['id', 'name', 'kind']).where('id', 'in', wanted).orderBy('name').execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), kind: String(r.kind) }));
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
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

export function totpFor(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Taskforce Hub', label, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

/**
 * How long a key being set up waits for its first code. Past that it is void and the set-up starts again with a
 * fresh proof: a pending key shown on a page left open must not let someone else confirm it later.
 */
export const PENDING_KEY_MINUTES = 30;

export function pendingKeyFresh(pendingAt: unknown, now = new Date()): boolean {
  return Boolean(pendingAt) && new Date(String(pendingAt)).getTime() + PENDING_KEY_MINUTES * 60_000 > now.getTime();
}

/** The key being set up (not yet in force), so the setup page can show it again after a wrong code. */
export async function pendingMfaSecret(ctx: Ctx, userId: string): Promise<{ secret: string; uri: string } | undefined> {
  const u = await ctx.db.selectFrom('users').select(['email', 'totp_pending_secret', 'totp_pending_at']).where('id', '=', userId).executeTakeFirst();
  if (!u || !u.totp_pending_secret || !pendingKeyFresh(u.totp_pending_at)) return undefined;
  const secret = decryptField(keyRing(ctx.config.dataKey), u.totp_pending_secret as string);
  return { secret, uri: totpFor(secret, u.email as string).toString() };
}

// ---- sessions ----

export interface SessionRow {
  sid: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export async function listSessions(db: Db, userId: string): Promise<SessionRow[]> {
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

export interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
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

/** Turns the account's second factor off and forgets its keys (its owner's choice, or an administrator's reset). */
export async function clearSecondFactor(trx: Db, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set({ mfa_enabled: false, totp_secret: null, totp_pending_secret: null, totp_pending_at: null, totp_last_step: null, updated_at: nowIso() })
    .where('id', '=', userId)
    .execute();
}
