/**
 * Who may do what to which referral. Plain answers over the principal and the rows; commands enforce them through
 * platform/policy.ts, so that anonymous callers get 401 and others 403 alike.
 */
import type { Actor, Principal } from '../../platform/context.ts';
import { ADMIN, CLIENT_READ, READ, RECEIVE, SEND } from './permissions.ts';
import type { Action, ClientField, Status } from './schema.ts';
import type { Consent, Referral } from './store.ts';

/** A signed-in person or a token holding the permission. Referral work is done in someone's name, never the system's. */
function personWith(p: Principal, permission: string): boolean {
  return (p.kind === 'person' || p.kind === 'token') && p.actor.permissions.has(permission);
}

/** Sees referrals (those of the organisations their account acts for: see `sideOf`). */
export const mayReadReferrals = (p: Principal) => personWith(p, READ);

/** Makes referrals: a person attests the client's consent, so the system principal does not. */
export const mayMakeReferrals = (p: Principal) => personWith(p, SEND);

/** Takes lifecycle steps, on the sending or the receiving side; `allowedActions` says which on a given referral. */
export const mayTakeSteps = (p: Principal) => personWith(p, SEND) || personWith(p, RECEIVE);

/**
 * Records that the client withdrew consent: a party to the referral who acts on it, on either side. Reading a
 * referral is not acting on it, so a token of `referrals.read` alone may not (issue 15, finding 7).
 */
export const mayRecordRevocation = (p: Principal) => personWith(p, SEND) || personWith(p, RECEIVE);

/** On a given referral, the side's own acting permission: sending for the sender, receiving for the receiver. */
export function mayRecordRevocationAs(p: Principal, side: Side): boolean {
  if (side === 'sender') return personWith(p, SEND);
  if (side === 'receiver') return personWith(p, RECEIVE);
  return mayRecordRevocation(p);
}

/** Reads client details at all; `readableFields` says which on a given referral. */
export const mayReadClientDetails = (p: Principal) => personWith(p, CLIENT_READ);

/** Marks one's own notifications read: a change, so it takes an acting permission, not reading alone (finding 7). */
export const mayKeepNotifications = (p: Principal) => personWith(p, SEND) || personWith(p, RECEIVE);

/** Purges, expires and reminds: a scheduled job or the command line (system principal), or an administrator by hand. */
export const mayRunScheduledWork = (p: Principal) => p.kind === 'system' || personWith(p, ADMIN);

export type Side = 'sender' | 'receiver' | 'both';

/**
 * Which side of the referral the caller is on: their account organisation acts for the sending or the receiving
 * directory organisation. A receiver never sees a draft. Anyone else is on no side and sees nothing.
 */
export function sideOf(ref: Referral, actedFor: readonly string[]): Side | null {
  const sender = actedFor.includes(ref.sender_organization_id);
  const receiver = ref.status !== 'draft' && actedFor.includes(ref.receiver_organization_id);
  return sender && receiver ? 'both' : sender ? 'sender' : receiver ? 'receiver' : null;
}

export function consentActive(c: Consent | undefined, today = new Date().toISOString().slice(0, 10)): boolean {
  return Boolean(c && !c.revoked_at && c.expires_on >= today);
}

/**
 * The client details the caller may read now: the sending side those it entered, until the purge; the receiving
 * side only those the consent covers, only while it is in force, only for the organisation it names.
 */
export function readableFields(actor: Actor, ref: Referral, side: Side | null, consent: Consent | undefined, stored: readonly ClientField[]): ClientField[] {
  if (!side || ref.purged_at || !actor.permissions.has(CLIENT_READ)) return [];
  if (side !== 'receiver') return [...stored];
  if (!consent || !consentActive(consent) || consent.organization_id !== ref.receiver_organization_id) return [];
  return stored.filter((f) => consent.fields.includes(f));
}

const SENDER_MOVES: Partial<Record<Status, Action[]>> = {
  draft: ['send', 'cancel'],
  sent: ['cancel'],
  received: ['cancel'],
  accepted: ['cancel'],
  in_progress: ['cancel'],
};
const RECEIVER_MOVES: Partial<Record<Status, Action[]>> = {
  sent: ['receive', 'accept', 'decline'],
  received: ['accept', 'decline'],
  accepted: ['start', 'complete'],
  in_progress: ['complete'],
};

/** The steps the caller may take now on this referral, from their side and with their role. */
export function allowedActions(actor: Pick<Actor, 'permissions'>, ref: Referral, side: Side | null): Action[] {
  if (!side) return [];
  const out: Action[] = [];
  if (side !== 'receiver' && actor.permissions.has(SEND)) out.push(...(SENDER_MOVES[ref.status] ?? []));
  if (side !== 'sender' && actor.permissions.has(RECEIVE)) out.push(...(RECEIVER_MOVES[ref.status] ?? []).filter((a) => !out.includes(a)));
  return out;
}
