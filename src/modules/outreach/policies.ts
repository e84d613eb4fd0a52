/** Who may do what in outreach: plain answers over the principal and the rows; commands enforce them. */
import type { Principal } from '../../platform/context.ts';
import { principalHolds } from '../../platform/policy.ts';
import { MANAGE, MODERATE, SPONSOR } from './permissions.ts';

export const MANAGE_REFUSED = 'Only Public Awareness and Outreach staff may do this.';
export const MODERATE_REFUSED = 'Only outreach moderators may review reportbacks.';
export const SPONSOR_REFUSED = 'Only adult sponsors with an account may do this.';
export const GROUP_REFUSED = "Only the group's sponsor may act for it.";
export const REGISTRATION_REFUSED = 'Only the person who registered, or outreach staff, may cancel a registration.';

export const mayManageOutreach = (p: Principal): boolean => principalHolds(p, MANAGE);
export const mayModerate = (p: Principal): boolean => principalHolds(p, MODERATE);
export const maySponsor = (p: Principal): boolean => principalHolds(p, SPONSOR);

/** A group is run by its sponsor alone (the system principal too, for demo data). */
export function mayActForGroup(p: Principal, group: { sponsor_user_id: string }): boolean {
  if (p.kind === 'system') return true;
  return p.kind !== 'anonymous' && principalHolds(p, SPONSOR) && p.actor.id === group.sponsor_user_id;
}

/** Accepted reportbacks are public; one waiting or rejected is seen by its group's sponsor and moderators. */
export function maySeeReportback(p: Principal, rb: { status: string }, group: { sponsor_user_id: string }): boolean {
  return rb.status === 'accepted' || mayModerate(p) || mayActForGroup(p, group);
}
