/**
 * Accounts people manage themselves and administrators manage for them (issue 16 item 7): changing a password,
 * resetting it through a link sent by e-mail, invitations, roles, disabling an account and resetting its second
 * factor. Every write checks its policy and records its audit event in its transaction (platform/audit).
 *
 * Links sent by e-mail carry a random token of 32 bytes; only its SHA-256 is stored (account_links), a link works
 * once and for a short while, and using one ends every session of the account.
 */
import type { Ctx } from '../context.ts';
import { bool, newId, nowIso, type Db } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { allowAnyone, authorize, principalOf } from '../policy.ts';
import { HttpError, fieldError, notFound } from '../http/errors.ts';
import { validate } from '../http/validation.ts';
import { Type } from '@sinclair/typebox';
import { randomToken, sha256 } from '../crypto/index.ts';
import { send } from '../mail/index.ts';
import { ROLES, isRole, mfaRequired, type Role } from './roles.ts';
import { createUser, NewUserSchema, PASSWORD_MAX, PASSWORD_MIN } from './commands.ts';
import { clearSecondFactor, getUser, hashPassword, type UserRow } from './store.ts';
import { confirmFreshProof } from './sign-in.ts';
import { mayCreateUser } from './policies.ts';
import { principalHolds } from '../policy.ts';

export type LinkPurpose = 'reset' | 'invite';
type Lang = 'en' | 'es';

/** How long a link works: a reset for half an hour, an invitation for a week. */
export const LINK_MINUTES: Record<LinkPurpose, number> = { reset: 30, invite: 7 * 24 * 60 };
/** Reset links sent for one account per hour, at most: more requests are answered alike and send nothing. */
export const RESETS_PER_HOUR = 3;

const NIL_ID = '00000000-0000-0000-0000-000000000000';

// ---- policies ----

/** A person changes their own password, signed in (never through an API token: the route is session only). */
export function mayChangeOwnPassword(ctx: Ctx, userId: string): boolean {
  const p = principalOf(ctx);
  return p.kind === 'person' && p.actor.id === userId && p.actor.via === 'session';
}

/** Roles, disabling and second-factor resets: administrators (users.manage). */
export function mayManageAccounts(ctx: Ctx): boolean {
  return principalHolds(principalOf(ctx), 'users.manage');
}

// ---- mail ----

const inFlight = new Set<Promise<unknown>>();

/**
 * Sends without holding up the answer: a reset request is answered in the same time whether or not a message goes
 * out. A failure is logged (the subject only), never shown to the requester.
 */
function sendSoon(ctx: Ctx, to: string, subject: string, text: string): void {
  const p = send(ctx.config, { to, subject, text })
    .catch((err) => console.error(`mail failed: "${subject}": ${(err as Error).message}`))
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
}

/** Waits for messages still being sent (tests, shutdown). */
export async function settleMail(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}

const MAIL = {
  en: {
    changed: ['Your Taskforce Hub password was changed', (url: string) => `The password of your Taskforce Hub account was changed, and your other sessions were signed out.\n\nIf you did not do this, reset your password at once: ${url}/login/forgot\nand tell your administrator.`],
    reset: ['Reset your Taskforce Hub password', (link: string) => `Someone asked to reset the password of your Taskforce Hub account.\n\nTo choose a new password, open this link within ${LINK_MINUTES.reset} minutes. It works once:\n${link}\n\nIf you did not ask, ignore this message: your password stays as it is.`],
    invite: ['You are invited to Taskforce Hub', (link: string) => `An administrator made you an account on Taskforce Hub.\n\nTo choose your password and sign in, open this link within 7 days. It works once:\n${link}`],
  },
  es: {
    changed: ['Se cambió su contraseña de Taskforce Hub', (url: string) => `Se cambió la contraseña de su cuenta de Taskforce Hub y se cerraron sus otras sesiones.\n\nSi no fue usted, restablezca su contraseña enseguida: ${url}/login/forgot\ny avise a su administrador.`],
    reset: ['Restablecer su contraseña de Taskforce Hub', (link: string) => `Alguien pidió restablecer la contraseña de su cuenta de Taskforce Hub.\n\nPara elegir una nueva contraseña, abra este enlace en los próximos ${LINK_MINUTES.reset} minutos. Funciona una sola vez:\n${link}\n\nSi no lo pidió, ignore este mensaje: su contraseña no cambia.`],
    invite: ['Invitación a Taskforce Hub', (link: string) => `Un administrador le creó una cuenta en Taskforce Hub.\n\nPara elegir su contraseña e iniciar sesión, abra este enlace en los próximos 7 días. Funciona una sola vez:\n${link}`],
  },
} as const;

// ---- passwords ----

function checkNewPassword(password: string, confirm: string): void {
  if (password.length < PASSWORD_MIN) throw fieldError('new_password', `must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw fieldError('new_password', `must be at most ${PASSWORD_MAX} characters`);
  if (password !== confirm) throw fieldError('confirm_password', 'does not match the new password');
}

/**
 * Changes the acting person's password: the current one is asked (counted towards the sign-in limits), every other
 * session of the account ends, open reset links stop working, and a notice goes to the account's address.
 */
export async function changePassword(ctx: Ctx, userId: string, input: { current: string; password: string; confirm: string }, opts: { keepSessionId?: string; lang?: string } = {}): Promise<{ sessionsEnded: number }> {
  authorize(ctx, mayChangeOwnPassword(ctx, userId));
  const password = String(input.password ?? '');
  checkNewPassword(password, String(input.confirm ?? ''));
  await confirmFreshProof(ctx, userId, { password: String(input.current ?? '') });
  authorize(ctx, mayChangeOwnPassword(ctx, userId));
  const user = (await getUser(ctx.db, userId))!;
  const hash = await hashPassword(password, ctx.config.passwordHashCost);
  const ended = await runCommand(ctx, async (trx, audit) => {
    await trx.updateTable('users').set({ password_hash: hash, updated_at: nowIso() }).where('id', '=', userId).execute();
    let q = trx.deleteFrom('sessions').where('user_id', '=', userId);
    if (opts.keepSessionId) q = q.where('sid', '!=', opts.keepSessionId);
    const res = await q.executeTakeFirst();
    await closeLinks(trx, userId);
    const n = Number(res.numDeletedRows ?? 0);
    await audit({ action: 'user.password_change', entityType: 'user', entityId: userId, summary: { other_sessions_ended: n } });
    return n;
  });
  const [subject, text] = MAIL[langOf(opts.lang)].changed;
  await send(ctx.config, { to: user.email, subject, text: text(ctx.config.publicUrl) }).catch((err) => console.error(`mail failed: "${subject}": ${(err as Error).message}`));
  return { sessionsEnded: ended };
}

function langOf(lang: string | undefined): Lang {
  return lang === 'es' ? 'es' : 'en';
}

async function closeLinks(trx: Db, userId: string): Promise<void> {
  await trx.updateTable('account_links').set({ used_at: nowIso() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

async function newLink(trx: Db, userId: string, purpose: LinkPurpose): Promise<string> {
  const token = randomToken(32);
  const now = new Date();
  await trx
    .insertInto('account_links')
    .values({ id: newId(), user_id: userId, purpose, token_hash: sha256(token), created_at: now.toISOString(), expires_at: new Date(now.getTime() + LINK_MINUTES[purpose] * 60_000).toISOString(), used_at: null })
    .execute();
  return token;
}

export const linkUrl = (ctx: Ctx, token: string): string => `${ctx.config.publicUrl}/password/set/${token}`;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * "Forgot your password?": whatever the address, the answer is the same and takes about the same time (the same
 * queries; the message goes out after the answer). A link is sent only to an enabled account, at most
 * RESETS_PER_HOUR an hour. Only the request's outcome is audited, never the typed address (a hash prefix of it).
 */
export async function requestPasswordReset(ctx: Ctx, emailInput: string, lang?: string): Promise<void> {
  allowAnyone(ctx);
  const email = String(emailInput ?? '').trim().toLowerCase().slice(0, 254);
  if (!EMAIL_SHAPE.test(email)) throw fieldError('email', 'must be a valid email');
  const user = await ctx.db.selectFrom('users').select(['id', 'email', 'disabled']).where('email', '=', email).executeTakeFirst();
  const since = new Date(Date.now() - 3600_000).toISOString();
  const recent = await ctx.db
    .selectFrom('account_links')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', user ? String(user.id) : NIL_ID)
    .where('purpose', '=', 'reset')
    .where('created_at', '>', since)
    .executeTakeFirst();
  const sendable = Boolean(user) && !bool(user!.disabled) && Number(recent?.n ?? 0) < RESETS_PER_HOUR;
  const token = await runCommand(ctx, async (trx, audit) => {
    const t = sendable ? await newLink(trx, String(user!.id), 'reset') : null;
    await audit({ action: 'auth.password_reset_request', entityType: 'user', entityId: user ? String(user.id) : undefined, summary: user ? { sent: sendable } : { sent: false, email_ref: sha256(email).slice(0, 12) } });
    return t;
  });
  if (token) {
    const [subject, text] = MAIL[langOf(lang)].reset;
    sendSoon(ctx, email, subject, text(linkUrl(ctx, token)));
  }
}

/** A link that still works: its purpose and account, or undefined (unknown, used, expired, account disabled). */
export async function openLink(db: Db, token: string): Promise<{ id: string; purpose: LinkPurpose; userId: string; email: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(String(token ?? ''))) return undefined;
  const row = await db
    .selectFrom('account_links')
    .innerJoin('users', 'users.id', 'account_links.user_id')
    .select(['account_links.id', 'account_links.purpose', 'account_links.user_id', 'account_links.expires_at', 'users.email', 'users.disabled'])
    .where('account_links.token_hash', '=', sha256(token))
    .where('account_links.used_at', 'is', null)
    .executeTakeFirst();
  if (!row || bool(row.disabled) || new Date(String(row.expires_at)) <= new Date()) return undefined;
  return { id: String(row.id), purpose: row.purpose as LinkPurpose, userId: String(row.user_id), email: String(row.email) };
}

/** A refused link: used, expired, unknown, or its account disabled. */
export class LinkRefused extends HttpError {
  constructor() {
    super(400, 'Invalid input', 'token: this link does not work: it was used already, it expired, or it is not right', [{ field: 'token', message: 'this link does not work' }]);
  }
}

/**
 * Sets a password through a link (a reset or an invitation): the link is claimed by a conditional update, so it works
 * once even when sent twice at the same moment; every session of the account ends, and every other open link of it
 * stops working. A second factor, if on, stays on and is asked at the next sign-in.
 */
export async function setPasswordWithLink(ctx: Ctx, token: string, input: { password: string; confirm: string }): Promise<{ userId: string; purpose: LinkPurpose }> {
  allowAnyone(ctx);
  const link = await openLink(ctx.db, token);
  if (!link) throw new LinkRefused();
  const password = String(input.password ?? '');
  checkNewPassword(password, String(input.confirm ?? ''));
  const hash = await hashPassword(password, ctx.config.passwordHashCost);
  await runCommand(ctx, async (trx, audit) => {
    const claimed = await trx.updateTable('account_links').set({ used_at: nowIso() }).where('id', '=', link.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows ?? 0) !== 1) throw new LinkRefused();
    await trx.updateTable('users').set({ password_hash: hash, updated_at: nowIso() }).where('id', '=', link.userId).execute();
    const res = await trx.deleteFrom('sessions').where('user_id', '=', link.userId).executeTakeFirst();
    await closeLinks(trx, link.userId);
    await audit({
      action: link.purpose === 'invite' ? 'user.invitation_accept' : 'user.password_reset',
      entityType: 'user',
      entityId: link.userId,
      summary: { sessions_ended: Number(res.numDeletedRows ?? 0) },
    });
  });
  return { userId: link.userId, purpose: link.purpose };
}

// ---- invitations ----

export const InvitationSchema = Type.Omit(NewUserSchema, ['password'], { additionalProperties: false });

/**
 * Creates an account without a password anyone knows (a random one, hashed and forgotten) and sends its owner a
 * single-use link to choose one, good for a week. Answers the account.
 */
export async function inviteUser(ctx: Ctx, input: unknown, lang?: string): Promise<UserRow> {
  authorize(ctx, mayCreateUser(principalOf(ctx)));
  const data = validate(InvitationSchema, input);
  const user = await createUser(ctx, { ...data, password: randomToken(32) });
  authorize(ctx, mayCreateUser(principalOf(ctx)));
  const token = await runCommand(ctx, async (trx, audit) => {
    const t = await newLink(trx, user.id, 'invite');
    await audit({ action: 'user.invite', entityType: 'user', entityId: user.id, summary: { role: user.role } });
    return t;
  });
  const [subject, text] = MAIL[langOf(lang)].invite;
  await send(ctx.config, { to: user.email, subject, text: text(linkUrl(ctx, token)) });
  return user;
}

// ---- administrators ----

/** Refuses a change that would leave no enabled administrator. */
async function keepAnAdministrator(trx: Db, userId: string, field: string): Promise<void> {
  const others = await trx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', false)
    .where('id', '!=', userId)
    .executeTakeFirst();
  if (Number(others?.n ?? 0) === 0) throw fieldError(field, 'this is the last enabled administrator; make another administrator first');
}

async function targetOf(ctx: Ctx, userId: string): Promise<UserRow> {
  const user = await getUser(ctx.db, userId);
  if (!user) throw notFound('No such user.');
  return user;
}

/**
 * Changes an account's role. Taking the last enabled administrator's role is refused. When the new role requires a
 * second factor the account lacks, its sessions end, so that the next sign-in sets one up.
 */
export async function setUserRole(ctx: Ctx, userId: string, roleInput: unknown): Promise<void> {
  authorize(ctx, mayManageAccounts(ctx));
  const role = String(roleInput ?? '');
  if (!isRole(role)) throw fieldError('role', `must be one of: ${ROLES.join(', ')}`);
  const user = await targetOf(ctx, userId);
  if (user.role === role) return;
  await runCommand(ctx, async (trx, audit) => {
    if (user.role === 'admin') await keepAnAdministrator(trx, userId, 'role');
    await trx.updateTable('users').set({ role, updated_at: nowIso() }).where('id', '=', userId).execute();
    let ended = 0;
    if (mfaRequired(role as Role) && !user.mfa_enabled) ended = Number((await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows ?? 0);
    await audit({ action: 'user.role_change', entityType: 'user', entityId: userId, summary: { from: user.role, to: role, sessions_ended: ended } });
  });
}

/**
 * Disables or re-enables an account. A disabled account cannot sign in, and its sessions and API tokens stop at once
 * (every request loads the account); its sessions are deleted and its tokens revoked, so that re-enabling does not
 * bring back credentials from before. Disabling the last enabled administrator is refused.
 */
export async function setUserDisabled(ctx: Ctx, userId: string, disabled: boolean): Promise<void> {
  authorize(ctx, mayManageAccounts(ctx));
  const user = await targetOf(ctx, userId);
  if (user.disabled === disabled) return;
  await runCommand(ctx, async (trx, audit) => {
    let summary: Record<string, unknown> = {};
    if (disabled) {
      if (user.role === 'admin') await keepAnAdministrator(trx, userId, 'account');
      const s = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      const t = await trx.updateTable('api_tokens').set({ revoked_at: nowIso() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      await closeLinks(trx, userId);
      summary = { sessions_ended: Number(s.numDeletedRows ?? 0), api_credentials_revoked: Number(t.numUpdatedRows ?? 0) };
    }
    await trx.updateTable('users').set({ disabled, updated_at: nowIso() }).where('id', '=', userId).execute();
    await audit({ action: disabled ? 'user.disable' : 'user.enable', entityType: 'user', entityId: userId, summary });
  });
}

/**
 * An administrator's reset of someone's second factor (a lost phone): the key is removed and the account's sessions
 * end; a role that requires one sets a new one up at the next sign-in. Not for one's own account: that is changed on
 * the account page, with a fresh proof.
 */
export async function resetSecondFactor(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx, mayManageAccounts(ctx));
  if (ctx.actor?.id === userId) throw fieldError('account', 'change your own two-step verification on your account page');
  await targetOf(ctx, userId);
  await runCommand(ctx, async (trx, audit) => {
    await clearSecondFactor(trx, userId);
    const s = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    await audit({ action: 'user.mfa_reset', entityType: 'user', entityId: userId, summary: { sessions_ended: Number(s.numDeletedRows ?? 0) } });
  });
}
