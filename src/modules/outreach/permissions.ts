import type { Role } from '../../platform/auth/roles.ts';

/**
 * Public Awareness and Outreach staff: campaigns, the toolkit's lessons, the materials library, events and the
 * committee's dashboard. Committee chairs and leads hold it (no new role: outreach staff sit on the committee).
 */
export const MANAGE = 'outreach.manage';
/** Accepts or rejects reportbacks (and their photos) before anything of them is public. */
export const MODERATE = 'outreach.moderate';
/**
 * Adult sponsors (teachers, counsellors, youth workers) with an account: they accept the terms of use, create
 * student groups, sign them up for campaigns and submit their reportbacks. Students have no accounts.
 */
export const SPONSOR = 'outreach.sponsor';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [MANAGE]: ['chair', 'admin'],
  [MODERATE]: ['chair', 'admin'],
  [SPONSOR]: ['member', 'chair', 'analyst', 'admin'],
};
