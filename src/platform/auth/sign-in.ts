/**
 * Signing in: the password check with its lockout, the second-factor check, and the record of a sign-in. These run
 * for someone not signed in yet, so their policy is "anyone": the proof is the password or code itself.
 */
import argon2 from 'argon2';
import type { Ctx } from '../context.ts';
import { bool, nowIso } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { allowAnyone } from '../policy.ts';
import { decryptField, keyRing, randomToken, sha256 } from '../crypto/index.ts';
import { mfaRequired, type Role } from './roles.ts';
import { hashPassword, totpFor } from './store.ts';

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
    allowAnyone(ctx);
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.login_failed', entityType: 'user', summary: { email_hash: sha256(email).slice(0, 12) } }));
    return { ok: false, reason: 'invalid' };
  }
  if (user.locked_until && new Date(user.locked_until as string) > now) {
    allowAnyone(ctx);
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.login_locked', entityType: 'user', entityId: user.id as string }));
    return { ok: false, reason: 'locked' };
  }
  const good = await argon2.verify(user.password_hash as string, String(password ?? '')).catch(() => false);
  if (!good) {
    const failures = Number(user.failed_logins) + 1;
    const lock = failures >= ctx.config.loginMaxFailures;
    allowAnyone(ctx);
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

/** Records a completed sign-in; the caller has just checked the password (and the code, when one is set). */
export async function recordLogin(ctx: Ctx, userId: string): Promise<void> {
  allowAnyone(ctx);
  await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ last_login_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: 'auth.login', entityType: 'user', entityId: userId });
  });
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
