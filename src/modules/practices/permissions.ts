import type { Role } from '../../platform/auth/roles.ts';

/**
 * The Research and Data committee's analysts and chairs: practices, studies, rating rules, links, the nomination
 * queue and the digest.
 */
export const MANAGE = 'practices.manage';
/** Rates studies against the causal-evidence rubric (one of the two independent reviewers of a study). */
export const REVIEW = 'practices.review';
/** Reconciles two reviewers' disagreement with a recorded reason (a lead, never one of the study's reviewers). */
export const LEAD = 'practices.lead';
/** Providers and agencies nominate a practice with its materials. */
export const NOMINATE = 'practices.nominate';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = {
  [MANAGE]: ['analyst', 'chair', 'admin'],
  [REVIEW]: ['analyst', 'chair', 'admin'],
  [LEAD]: ['chair', 'admin'],
  [NOMINATE]: ['member', 'chair', 'analyst', 'caseworker', 'admin'],
};
