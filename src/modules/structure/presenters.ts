/** Records as the API and the pages show them to a given reader. */
import type { Representative, Revision } from './schema.ts';

type WithContacts = { email?: unknown; phone?: unknown };

/** The record without e-mail and phone unless the reader may see contacts. */
export function withoutContacts<T extends WithContacts>(r: T, canSee: boolean): T {
  if (canSee) return r;
  const { email: _e, phone: _p, ...rest } = r;
  return rest as T;
}

export function presentRepresentative(r: Representative, canSeeContacts: boolean): Representative {
  return withoutContacts(r, canSeeContacts);
}

/**
 * A revision as shown to a reader: without contact details (the representative's, and the e-mail in the actor's
 * label) unless the reader may see contacts.
 */
export function presentRevision(r: Revision, canSeeContacts: boolean): Revision {
  if (canSeeContacts) return r;
  const actor_label = r.actor_label.replace(/\s*<[^>]*>\s*$/, '');
  const snapshot = r.entity_type === 'representative' && r.snapshot && typeof r.snapshot === 'object' ? withoutContacts(r.snapshot as WithContacts, false) : r.snapshot;
  return { ...r, actor_label, snapshot };
}
