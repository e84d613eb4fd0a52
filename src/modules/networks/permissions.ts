import type { Role } from '../../platform/auth/roles.ts';

/** Creates networks and edits or retires any of them. */
export const MANAGE = 'networks.manage';
/**
 * Edits the networks that one's own account organisation convenes (it stewards the convening directory
 * organisation). Every signed-in role holds it; what it reaches is decided by the stewardship link, and as a
 * permission it is also a token scope, so a program's token edits a network only when given this scope.
 */
export const EDIT_OWN = 'networks.edit_own';
/** Agreements and contacts of the networks one's organisation belongs to are read under the platform's contacts.read. */
export const CONTACTS_READ = 'contacts.read';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = { [MANAGE]: ['admin', 'chair'], [EDIT_OWN]: ['member', 'chair', 'analyst', 'caseworker', 'admin'] };
