/**
 * Who may do what with grant plans, notices and awards. Plain answers over the principal and the agencies its
 * account organisation acts for (structure module); commands enforce them through platform/policy.ts.
 */
import type { Principal } from '../../platform/context.ts';
import { principalHolds } from '../../platform/policy.ts';
import { PLAN, REVIEW } from './permissions.ts';

export const PLAN_REFUSED = 'Only staff of an agency enter its grant plans, notices and awards.';
export const AGENCY_REFUSED = 'Your account organisation does not act for this agency; an administrator links organisations to agencies.';
export const REVIEW_REFUSED = 'Only the Grant making committee may do this.';

/** Reading plans and notices: the member agencies' staff and the committee (sharing them is the point). */
export const mayReadPlans = (p: Principal): boolean => principalHolds(p, PLAN) || principalHolds(p, REVIEW);

/** The committee's work: reviews, acknowledgements, the watch list, imports. */
export const mayReview = (p: Principal): boolean => principalHolds(p, REVIEW);

/** An agency's plans and notices are entered by its staff: grants.plan and an account organisation acting for it. */
export function mayPlanFor(p: Principal, myAgencies: ReadonlySet<string>, agencyId: string): boolean {
  if (p.kind === 'system') return true;
  return principalHolds(p, PLAN) && myAgencies.has(agencyId);
}

/** Awards: the committee for any agency, an agency's staff for their own (or for no named agency). */
export function mayEnterAward(p: Principal, myAgencies: ReadonlySet<string>, agencyId: string | null): boolean {
  if (mayReview(p)) return true;
  if (!principalHolds(p, PLAN) || myAgencies.size === 0) return false;
  return agencyId === null || myAgencies.has(agencyId);
}
