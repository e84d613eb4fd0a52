/**
 * Who may do what with the task force's structure. Reading is public (contact details aside); every change is
 * for holders of `structure.write`, and for the system principal (the demo seed, the command line). Which account
 * organisations act for an agency is set by administrators (`users.manage`).
 */
import type { Actor, Ctx } from '../../platform/context.ts';
import { hasPermission } from '../../platform/policy.ts';
import { WRITE } from './permissions.ts';

/** Representatives' e-mail and phone are not published: only holders of this permission see them. */
export const CONTACTS_READ = 'contacts.read';

/** Creating, changing and retiring agencies, bodies, partnerships and representatives. */
export function mayChangeStructure(ctx: Pick<Ctx, 'actor' | 'system'>): boolean {
  return hasPermission(ctx, WRITE);
}

/**
 * Linking an account organisation to an agency decides what its accounts may do in the agency's name elsewhere
 * (report on the agency's work-plan actions, receive its reminders): that is account administration, so it needs
 * the platform's administrators' permission, not structure.write.
 */
export const LINK_ORGANIZATIONS = 'users.manage';

export function mayLinkOrganizations(ctx: Pick<Ctx, 'actor' | 'system'>): boolean {
  return hasPermission(ctx, LINK_ORGANIZATIONS);
}

export function maySeeContacts(actor: Actor | null): boolean {
  return actor?.permissions.has(CONTACTS_READ) ?? false;
}
