/**
 * Who may do what with data calls: plain answers over the principal and the agencies its account organisation acts
 * for (structure module); commands enforce them through platform/policy.ts and pages ask them what to show.
 */
import type { Principal } from '../../platform/context.ts';
import { principalHolds } from '../../platform/policy.ts';
import { MANAGE, SUBMIT } from './permissions.ts';

export const MANAGE_REFUSED = 'Only the Research and Data committee (research.manage) may do this.';
export const SUBMIT_REFUSED = 'Only staff of an agency asked by a data call fill it in.';
export const PUBLISH_REFUSED = 'Only the chair (research.publish) publishes a data call in the open data catalog.';
export const AGENCY_REFUSED = 'Your account organisation does not act for this agency; an administrator links organisations to agencies.';

export const mayManage = (p: Principal): boolean => principalHolds(p, MANAGE);

/** An agency's answer is sent by its staff: research.submit and an account organisation acting for it. */
export function maySubmitFor(p: Principal, myAgencies: ReadonlySet<string>, agencyId: string): boolean {
  if (p.kind === 'system') return true;
  return principalHolds(p, SUBMIT) && myAgencies.has(agencyId);
}

/** An agency's submission is read by the committee and by that agency's staff. */
export function maySeeSubmission(p: Principal, myAgencies: ReadonlySet<string>, agencyId: string): boolean {
  return mayManage(p) || maySubmitFor(p, myAgencies, agencyId);
}
