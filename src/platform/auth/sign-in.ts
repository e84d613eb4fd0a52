/**
 * Signing in: the password check with its limits, the second-factor check with its limit, the fresh proof asked
 * before changes to the second factor, and the record of a sign-in. These run for someone not signed in yet (or
 * proving again who they are), so their policy is "anyone": the proof is the password or code itself.
 *
 * Limits (issue 15, findings 6 and 8), counted in auth_throttle (throttle.ts):
 * - wrong passwords per (client address, e-mail): LOGIN_MAX_FAILURES of them lock that address (an IPv6 /64) out of
 *   that e-mail for LOGIN_LOCK_MINUTES. The person at another address is not locked out by someone else's guesses;
 * - wrong passwords per e-mail, from anywhere: past twice LOGIN_MAX_FAILURES, every attempt on that e-mail waits
 *   100 ms, doubling with each further failure, at most 5 s. It slows guessing from many addresses down without
 *   refusing anyone: the right password still gets in;
 * - wrong codes per account, from anywhere and across sign-ins: LOGIN_MAX_FAILURES of them lock the code step of
 *   that account for LOGIN_LOCK_MINUTES, the right code included, unless an administrator unlocks it.
 * Password counters are kept per e-mail whether or not an account has it, and every attempt does the same work (one
 * argon2 check, the same queries, the same waits): neither the answer nor its time tells which e-mails have accounts.
 */
import argon2 from 'argon2';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ctx } from '../context.ts';
import { bool, nowIso } from '../db/index.ts';
import { recordAudit, runCommand } from '../audit/index.ts';
import { allowAnyone } from '../policy.ts';
import { HttpError } from '../http/errors.ts';
import { decryptField, keyRing, randomToken, sha256 } from '../crypto/index.ts';
import { mfaRequired, type Role } from './roles.ts';
import type { Lang } from '../web/i18n.ts';
import { HASH_COSTS, hashPassword, totpFor } from './store.ts';
import { addressKey, clearCounter, countAttempt, dropStaleCounters, emailSubject, lockCounter, readCounter, type ThrottleKey } from './throttle.ts';

export type LoginResult =
  | { ok: true; userId: string; mfa: 'verify' | 'setup' | 'none' }
  | { ok: false; reason: 'invalid' | 'locked' };

/** The wait before answering an attempt on an e-mail with this many failures from all addresses in the window. */
export function throttleDelayMs(failures: number, maxFailures: number): number {
  const over = failures - 2 * maxFailures;
  if (over < 0) return 0;
  return Math.min(100 * 2 ** Math.min(over, 16), 5000);
}

const windowMs = (ctx: Ctx) => ctx.config.loginLockMinutes * 60_000;

const dummies: Partial<Record<keyof typeof HASH_COSTS, Promise<string>>> = {};
/** A hash of a random password at this deployment's cost: checked when there is no account, so the time is the same. */
const dummyHash = (cost: keyof typeof HASH_COSTS) => (dummies[cost] ??= hashPassword(randomToken(16), cost));

interface PasswordOutcome {
  good: boolean;
  locked: boolean;
  user: { id: string; role: string; mfa_enabled: unknown } | undefined;
}

/**
 * The password check with its limits, for signing in and for a fresh proof. Does the same work whatever the
 * e-mail: the account's hash is checked (or a dummy hash when there is no usable account) even when the address is
 * locked out, and the lock is looked at only after.
 */
async function passwordWithLimits(ctx: Ctx, emailInput: string, password: string): Promise<PasswordOutcome> {
  const email = String(emailInput ?? '').trim().toLowerCase();
  const now = new Date();
  const user = await ctx.db.selectFrom('users').select(['id', 'role', 'password_hash', 'disabled', 'mfa_enabled']).where('email', '=', email).executeTakeFirst();
  const usable = user && !bool(user.disabled) ? user : undefined;
  const subject = emailSubject(email);
  const userId = usable ? String(usable.id) : null;
  const everywhere: ThrottleKey = { scope: 'password', subject, address: '', userId };
  const here: ThrottleKey = { scope: 'password', subject, address: addressKey(ctx.ip), userId };
  const max = ctx.config.loginMaxFailures;

  const [overall, claimed] = await Promise.all([readCounter(ctx.db, everywhere, now, windowMs(ctx)), countAttempt(ctx.db, here, now, windowMs(ctx))]);
  const wait = throttleDelayMs(overall.failures, max);
  const hash = usable ? String(usable.password_hash) : await dummyHash(ctx.config.passwordHashCost);
  const [matches] = await Promise.all([argon2.verify(hash, String(password ?? '')).catch(() => false), wait ? sleep(wait) : undefined]);
  // This attempt is one of the `failures` claimed from here: past the limit, or under a lock, it is refused whatever
  // the password was.
  const locked = claimed.lockedUntil !== null || claimed.failures > max;
  const good = Boolean(usable) && matches && !locked;

  allowAnyone(ctx);
  if (good) {
    await clearCounter(ctx.db, here);
    return { good, locked, user: usable };
  }
  if (locked) {
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.login_locked', entityType: 'user', entityId: userId ?? undefined, summary: userId ? {} : { email_ref: sha256(email).slice(0, 12) } }));
    return { good, locked, user: usable };
  }
  const lockNow = claimed.failures >= max;
  await runCommand(ctx, async (trx, audit) => {
    await countAttempt(trx, everywhere, now, windowMs(ctx));
    if (lockNow) await lockCounter(trx, here, now, new Date(now.getTime() + windowMs(ctx)));
    await dropStaleCounters(trx, now, windowMs(ctx));
    await audit({
      action: lockNow ? 'auth.lockout' : 'auth.login_failed',
      entityType: 'user',
      entityId: userId ?? undefined,
      summary: { failures: claimed.failures, ...(userId ? {} : { email_ref: sha256(email).slice(0, 12) }) },
    });
  });
  return { good, locked: lockNow, user: usable };
}

/** Checks an e-mail and password at sign-in. The answer does not say whether the e-mail exists. */
export async function checkPassword(ctx: Ctx, emailInput: string, password: string): Promise<LoginResult> {
  const r = await passwordWithLimits(ctx, emailInput, password);
  if (!r.good || !r.user) return { ok: false, reason: r.locked ? 'locked' : 'invalid' };
  const role = r.user.role as Role;
  const mfa = bool(r.user.mfa_enabled) ? 'verify' : mfaRequired(role) ? 'setup' : 'none';
  return { ok: true, userId: String(r.user.id), mfa };
}

/**
 * Records a completed sign-in; the caller has just checked the password (and the code, when one is set). The language
 * signed in with is kept for the mail sent to the person later.
 */
export async function recordLogin(ctx: Ctx, userId: string, lang?: Lang): Promise<void> {
  allowAnyone(ctx);
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ last_login_at: nowIso(), ...(lang ? { lang } : {}) }).where('id', '=', userId).execute();
    await audit({ action: 'auth.login', entityType: 'user', entityId: userId });
  });
}

/** The time step a code belongs to (the current one or a neighbour, for clocks a little off), or null. */
export function codeStep(secret: string, label: string, code: string): number | null {
  const token = String(code ?? '').trim();
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secret, label).validate({ token, window: 1 });
  return delta === null ? null : Math.floor(Date.now() / 30_000) + delta;
}

/**
 * Checks a code against the user's secret in force; a code is accepted once only (no replay within its window).
 * No limit of its own: `checkSecondFactor` adds the account's limit.
 */
export async function verifyTotp(ctx: Ctx, userId: string, code: string): Promise<boolean> {
  const u = await ctx.db.selectFrom('users').select(['email', 'totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
  if (!u || !u.totp_secret) return false;
  const step = codeStep(decryptField(keyRing(ctx.config.dataKey), u.totp_secret as string), u.email as string, code);
  if (step === null) return false;
  if (u.totp_last_step !== null && Number(u.totp_last_step) >= step) return false;
  // Claims the step with one conditional update, so that of parallel checks of one code (parallel sign-ins, two app
  // nodes) exactly one changes the row and is accepted: reading the last step and then writing it let several in.
  const res = await ctx.db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows ?? 0) === 1;
}

export type CodeResult = 'ok' | 'wrong' | 'locked';

/**
 * A second-factor code with the account's limit: each attempt is counted before the code is looked at, so that of
 * parallel guesses no more than LOGIN_MAX_FAILURES are checked; once that many were wrong, every code is refused
 * (unchecked, so the right one is not used up) until the lock passes or an administrator unlocks the account.
 */
export async function checkSecondFactor(ctx: Ctx, userId: string, code: string): Promise<CodeResult> {
  const now = new Date();
  const key: ThrottleKey = { scope: 'code', subject: userId, address: '', userId };
  const max = ctx.config.loginMaxFailures;
  const claimed = await countAttempt(ctx.db, key, now, windowMs(ctx));
  allowAnyone(ctx);
  if (claimed.lockedUntil || claimed.failures > max) {
    await recordAudit(ctx.db, ctx, { action: 'auth.mfa_locked', entityType: 'user', entityId: userId });
    return 'locked';
  }
  if (await verifyTotp(ctx, userId, code)) {
    await clearCounter(ctx.db, key);
    return 'ok';
  }
  const lockNow = claimed.failures >= max;
  await runCommand(ctx, async (trx, audit) => {
    if (lockNow) await lockCounter(trx, key, now, new Date(now.getTime() + windowMs(ctx)));
    await audit({ action: 'auth.mfa_failed', entityType: 'user', entityId: userId, summary: { failures: claimed.failures } });
    if (lockNow) await audit({ action: 'auth.mfa_lockout', entityType: 'user', entityId: userId });
  });
  return 'wrong';
}

// ---- fresh proof ----

export type ProofProblem = 'missing' | 'wrong_password' | 'locked_password' | 'wrong_code' | 'locked_code' | 'no_code';

/** A refused fresh proof: a 400 naming the field, with the reason for pages to say it in the person's language. */
export class ProofRefused extends HttpError {
  constructor(
    public readonly problem: ProofProblem,
    public readonly field: 'password' | 'code',
    message: string,
  ) {
    super(400, 'Invalid input', `${field}: ${message}`, [{ field, message }]);
  }
}

export interface Proof {
  password?: string;
  code?: string;
}

/**
 * Asks the person to prove again who they are before a change to their second factor: the current password or a
 * current code (when the second factor is on), in the same form. Whatever is given must be right; wrong passwords
 * and codes count towards the same limits as at sign-in, so a session left open cannot be used to guess them.
 */
export async function confirmFreshProof(ctx: Ctx, userId: string, proof: Proof): Promise<void> {
  const password = String(proof.password ?? '');
  const code = String(proof.code ?? '').trim();
  if (!password && !code) throw new ProofRefused('missing', 'password', 'give your current password, or a current code from your authenticator app');
  const u = await ctx.db.selectFrom('users').select(['email', 'mfa_enabled']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (password) {
    const r = await passwordWithLimits(ctx, String(u.email), password.slice(0, 1024));
    if (r.locked) throw new ProofRefused('locked_password', 'password', `too many wrong passwords from this address; try again in ${ctx.config.loginLockMinutes} minutes`);
    if (!r.good) throw new ProofRefused('wrong_password', 'password', 'the password is not right');
  }
  if (code) {
    if (!bool(u.mfa_enabled)) throw new ProofRefused('no_code', 'code', 'two-step verification is off: give your password instead');
    const r = await checkSecondFactor(ctx, userId, code);
    if (r === 'locked') throw new ProofRefused('locked_code', 'code', `too many wrong codes; try again in ${ctx.config.loginLockMinutes} minutes`);
    if (r === 'wrong') throw new ProofRefused('wrong_code', 'code', 'the code is not right; use the newest code shown in your app');
  }
}
