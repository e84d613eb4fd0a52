import type { Role } from '../../platform/auth/roles.ts';

/**
 * The Research and Data committee (analysts, chairs, administrators): defines data calls, reviews what agencies send
 * (returns or accepts), reads the compiled tables and reports, and publishes open data.
 */
export const MANAGE = 'research.manage';
/**
 * Agency staff filling in data calls. What it reaches is decided by the account organisation's link to an agency
 * (structure module, docs/structure.md): an account whose organisation acts for no agency of a call sends nothing.
 * Case workers are at service providers, not agencies, so they do not hold it.
 */
export const SUBMIT = 'research.submit';

/**
 * The chair publishes a data call's compiled table in the open data catalog (or withdraws it): the committee's
 * decision that the agencies' figures may be public, taken by its chair alone.
 */
export const PUBLISH = 'research.publish';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [MANAGE]: ['analyst', 'chair', 'admin'],
  [SUBMIT]: ['member', 'chair', 'analyst', 'admin'],
  [PUBLISH]: ['chair'],
};
