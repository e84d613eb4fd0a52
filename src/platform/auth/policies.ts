/**
 * Who may change which account's security data: plain answers over the principal (and the account's row), enforced
 * by the commands through platform/policy.ts.
 *
 * Changes to one's own second factor, tokens and sessions take the person, signed in: never an API token, whatever
 * its scopes, so that a leaked token cannot take the account over or outlive its own revocation (issue 15).
 */
import type { Principal } from '../context.ts';
import { principalHolds } from '../policy.ts';
import { mfaRequired, type Role } from './roles.ts';

/** Accounts are created by administrators, and by the operator (command line, seeds, tests) as the system principal. */
export function mayCreateUser(p: Principal): boolean {
  return principalHolds(p, 'users.manage');
}

/**
 * The second factor of an account is set up and switched by its owner, signed in; the system principal may too,
 * for accounts the operator prepares.
 */
export function mayChangeSecondFactor(p: Principal, userId: string): boolean {
  return p.kind === 'system' || (p.kind === 'person' && p.actor.id === userId);
}

/** A second factor required by the role stays on, whoever asks. */
export function maySwitchOffSecondFactor(user: { role: Role }): boolean {
  return !mfaRequired(user.role);
}

/**
 * Sessions end by their owner, signed in ("sign out everywhere"), or by an administrator (users.manage, through a
 * token of that scope too: ending sessions takes access away and grants none).
 */
export function mayRevokeSessions(p: Principal, userId: string): boolean {
  return (p.kind === 'person' && p.actor.id === userId) || principalHolds(p, 'users.manage');
}

/**
 * Sign-in locks are lifted by administrators (users.manage, a token of that scope too: unlocking grants no access,
 * the person still needs the password and code) and by the operator on the command line.
 */
export function mayUnlockAccounts(p: Principal): boolean {
  return principalHolds(p, 'users.manage');
}

/**
 * API tokens are minted and revoked by their owner, signed in. A token minting tokens would let a leaked one renew
 * itself past its revocation; the system principal has no account to hold a token.
 */
export function mayManageOwnTokens(p: Principal): boolean {
  return p.kind === 'person' && p.actor.permissions.has('account.self');
}

/** The language of one's own mail is set by its owner, signed in (switching the workspace's language does it). */
export function mayChooseOwnLanguage(p: Principal, userId: string): boolean {
  return p.kind === 'person' && p.actor.id === userId;
}
