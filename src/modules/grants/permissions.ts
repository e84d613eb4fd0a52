import type { Role } from '../../platform/auth/roles.ts';

/**
 * Agency staff enter their agency's grant plans, notices to the SPOG and awards. What it reaches is decided by the
 * account organisation's link to an agency (structure module, docs/structure.md): holding it without such a link
 * changes nothing. As a permission it is also a token scope.
 */
export const PLAN = 'grants.plan';
/**
 * The Grant making committee: reviews plans, acknowledges notices, keeps the watch list of Assistance Listings and
 * keywords, imports the Grants.gov extract and award files, and enters awards for any agency.
 */
export const REVIEW = 'grants.review';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [PLAN]: ['member', 'chair', 'admin'],
  [REVIEW]: ['chair', 'admin'],
};
