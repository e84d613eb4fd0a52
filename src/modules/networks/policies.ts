/**
 * Who may do what to which network. Plain answers over the principal, the directory organisations its account
 * organisation stewards, and the network's rows; commands enforce them through platform/policy.ts.
 */
import type { Principal } from '../../platform/context.ts';
import { principalHolds } from '../../platform/policy.ts';
import { CONTACTS_READ, EDIT_OWN, MANAGE } from './permissions.ts';
import type { NetworkRecord } from './store.ts';

export const MANAGE_REFUSED = 'Only network managers may do this.';
export const EDIT_REFUSED = "Only the network's convener and network managers may change it.";
export const DETAILS_REFUSED = "Only the network's members, its convener and network managers see this.";

/** Creating and retiring networks, and editing any of them. */
export const mayManageNetworks = (p: Principal): boolean => principalHolds(p, MANAGE);

/**
 * Managers edit every network; staff of an account organisation that stewards the convener edit that one. The
 * permission narrows what the stewardship link gives: a program's token edits only when given networks.edit_own.
 */
export function mayEditNetwork(p: Principal, stewarded: ReadonlySet<string>, n: Pick<NetworkRecord, 'convener_organization_id'>): boolean {
  return mayManageNetworks(p) || (stewarded.has(n.convener_organization_id) && principalHolds(p, EDIT_OWN));
}

/** Agreements and contacts: for the staff of the convener and of member organisations, and for managers. */
export function maySeeMemberDetails(p: Principal, stewarded: ReadonlySet<string>, n: Pick<NetworkRecord, 'convener_organization_id' | 'members'>): boolean {
  if (mayManageNetworks(p)) return true;
  const member = stewarded.has(n.convener_organization_id) || n.members.some((m) => stewarded.has(m.directory_organization_id));
  return member && principalHolds(p, CONTACTS_READ);
}
