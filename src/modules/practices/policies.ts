/**
 * Who may do what in the practices module: plain answers over the principal and the rows; commands enforce them
 * through platform/policy.ts and pages ask them to decide what to show.
 */
import type { Principal } from '../../platform/context.ts';
import { principalHolds } from '../../platform/policy.ts';
import { LEAD, MANAGE, NOMINATE, REVIEW } from './permissions.ts';
import type { Review } from './store.ts';

export const MANAGE_REFUSED = 'Only the Research and Data committee (practices.manage) may do this.';
export const REVIEW_REFUSED = 'Only study reviewers (practices.review) may rate studies.';
export const LEAD_REFUSED = "Only a review lead (practices.lead) who did not rate the study may reconcile its reviewers' ratings.";
export const NOMINATE_REFUSED = 'Sign in with an account of a provider or agency to nominate a practice.';

export const mayManagePractices = (p: Principal): boolean => principalHolds(p, MANAGE);
export const mayReview = (p: Principal): boolean => principalHolds(p, REVIEW);
export const mayNominate = (p: Principal): boolean => principalHolds(p, NOMINATE);

/** A lead reconciles a study only if they are not one of its two reviewers (the system principal may, for demo data). */
export function mayReconcile(p: Principal, reviews: readonly Pick<Review, 'reviewer_id'>[]): boolean {
  if (!principalHolds(p, LEAD)) return false;
  if (p.kind === 'system') return true;
  if (p.kind === 'anonymous') return false;
  return !reviews.some((r) => r.reviewer_id === p.actor.id);
}

/**
 * The reviews of a study this principal may see. Reviews are blind: until both reviewers have rated, each sees only
 * their own rating and nobody else sees any. Then reviewers, leads and the committee see both; the public never sees
 * single reviews, only the settled rating.
 */
export function visibleReviews<R extends Pick<Review, 'reviewer_id'>>(p: Principal, reviews: readonly R[]): R[] {
  if (p.kind === 'system') return [...reviews];
  if (p.kind === 'anonymous') return [];
  const own = reviews.filter((r) => r.reviewer_id === p.actor.id);
  if (reviews.length < 2) return own;
  return principalHolds(p, REVIEW) || principalHolds(p, LEAD) || principalHolds(p, MANAGE) ? [...reviews] : [];
}
