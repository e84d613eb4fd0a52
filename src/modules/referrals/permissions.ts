import { definePermissions } from '../../platform/auth/roles.ts';

/** Sends referrals from an organisation the caller's account organisation acts for. */
export const SEND = 'referrals.send';
/** Acts on referrals received by an organisation the caller's account organisation acts for. */
export const RECEIVE = 'referrals.receive';
/**
 * Reads a client's details on a referral of one's own organisation (sending or receiving) while consent allows.
 * Holding it makes two-step verification compulsory (platform/auth/roles.ts, mfaRequired).
 */
export const CLIENT_READ = 'referrals.client.read';

definePermissions({
  [SEND]: ['caseworker'],
  [RECEIVE]: ['caseworker'],
  [CLIENT_READ]: ['caseworker'],
});
