import { ROLES, type Role } from '../../platform/auth/roles.ts';

/** Sees confidential locations (shelters): their addresses, coordinates and phones. Vetted roles only. */
export const CONFIDENTIAL = 'directory.confidential';
/** Imports, edits and verifies directory records; links account organisations to listings; reviews proposals. */
export const MANAGE = 'directory.manage';
/**
 * Proposes changes to a listing and updates its capacity. Every signed-in role holds it; the server also checks
 * that the caller's account organisation acts for (stewards) the listing.
 */
export const PROPOSE = 'directory.propose';
/**
 * Keeps saved lists of services (to print or share with a survivor): every signed-in role; a list is its owner's
 * alone. As a token scope it lets a program read and change the owner's lists.
 */
export const LISTS = 'directory.lists';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [CONFIDENTIAL]: ['admin', 'chair'],
  [MANAGE]: ['admin'],
  [PROPOSE]: ROLES,
  [LISTS]: ROLES,
};
