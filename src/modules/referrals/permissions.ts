import type { Role } from '../../platform/auth/roles.ts';

/** Sees the referrals of the organisations the caller's account organisation acts for (without client details). */
export const READ = 'referrals.read';
/** Sends referrals from an organisation the caller's account organisation acts for. */
export const SEND = 'referrals.send';
/** Acts on referrals received by an organisation the caller's account organisation acts for. */
export const RECEIVE = 'referrals.receive';
/**
 * Reads a client's details on a referral of one's own organisation (sending or receiving) while consent allows.
 * Holding it makes two-step verification compulsory (platform/auth/roles.ts, mfaRequired).
 */
export const CLIENT_READ = 'referrals.client.read';
/** De-identified statistics with small cells suppressed. */
export const STATS = 'referrals.stats.read';
/** Runs the purge and the reminders by hand (the command line does the same). */
export const ADMIN = 'referrals.admin';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [READ]: ['caseworker'],
  [SEND]: ['caseworker'],
  [RECEIVE]: ['caseworker'],
  [CLIENT_READ]: ['caseworker'],
  [STATS]: ['caseworker', 'analyst', 'chair', 'admin'],
  [ADMIN]: ['admin'],
};
