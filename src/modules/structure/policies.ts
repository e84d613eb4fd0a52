/**
 * Who may do what with the task force's structure. Reading is public (contact details aside); every change is
 * for holders of `structure.write`, and for the system principal (the demo seed, the command line).
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

export function maySeeContacts(actor: Actor | null): boolean {
  return actor?.permissions.has(CONTACTS_READ) ?? false;
}
