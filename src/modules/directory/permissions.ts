import { ROLES, definePermissions } from '../../platform/auth/roles.ts';

/** Sees confidential locations (shelters): their addresses, coordinates and phones. Vetted roles only. */
export const CONFIDENTIAL = 'directory.confidential';
/** Imports, edits and verifies directory records; links account organisations to listings; reviews proposals. */
export const MANAGE = 'directory.manage';
/**
 * Proposes changes to a listing and updates its capacity. Every signed-in role holds it; the server also checks
 * that the caller's account organisation acts for (stewards) the listing.
 */
export const PROPOSE = 'directory.propose';

definePermissions({
  [CONFIDENTIAL]: ['admin', 'chair'],
  [MANAGE]: ['admin'],
  [PROPOSE]: ROLES,
});
