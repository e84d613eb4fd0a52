import { definePermissions } from '../../platform/auth/roles.ts';

/** Sees confidential locations (shelters): their addresses, coordinates and phones. Vetted roles only. */
export const CONFIDENTIAL = 'directory.confidential';
/** Imports, edits and verifies directory records. */
export const MANAGE = 'directory.manage';

definePermissions({
  [CONFIDENTIAL]: ['admin', 'chair'],
  [MANAGE]: ['admin'],
});
