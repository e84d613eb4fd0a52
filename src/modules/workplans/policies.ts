/**
 * Who may do what to the work plan, as plain answers over the principal and the rows. Commands enforce them
 * through platform/policy.ts; pages ask them to decide which links and forms to show.
 */
import { principalHolds, type Principal } from '../../platform/policy.ts';
import type { Item, Update } from './store.ts';

export const PERM = { edit: 'workplans.edit', update: 'workplans.update', review: 'workplans.review', digests: 'workplans.digests' } as const;

/** Create and change goals, objectives and actions, one at a time or by import. */
export const mayEditPlan = (p: Principal): boolean => principalHolds(p, PERM.edit);

/** Report progress at all; which actions is `mayReportOn`. */
export const mayReportProgress = (p: Principal): boolean => principalHolds(p, PERM.update);

/**
 * Report progress on this item: people of its lead agency only (`inLeadAgency`, see directory.ts), so that an
 * agency speaks for its own commitments. The system reports for any (demo data).
 */
export function mayReportOn(p: Principal, item: Item, inLeadAgency: boolean): boolean {
  if (p.kind === 'system') return true;
  return mayReportProgress(p) && item.lead_agency_id !== null && inLeadAgency;
}

/** Approve or return submitted updates. */
export const mayReview = (p: Principal): boolean => principalHolds(p, PERM.review);

/** Send the due-update digests and late reminders. */
export const maySendDigests = (p: Principal): boolean => principalHolds(p, PERM.digests);

/** Drafts and returned updates are for signed-in people; approved ones are public. */
export function maySeeUpdate(p: Principal, u: Update): boolean {
  return p.kind !== 'anonymous' || u.state === 'approved';
}
