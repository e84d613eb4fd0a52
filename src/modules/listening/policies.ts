/**
 * Who may do what in listening sessions: plain answers over the principal and the rows concerned. Commands enforce
 * them through `platform/policy.ts`; pages and presenters ask them to decide what to show.
 */
import type { Ctx } from '../../platform/context.ts';
import { hasPermission } from '../../platform/policy.ts';
import { LISTENING_PERMISSIONS } from './permissions.ts';

export const MANAGE = LISTENING_PERMISSIONS.manage;
export const CODE = LISTENING_PERMISSIONS.code;

/** The principal as policies see it: a person or token (actor), the system (a job or the command line), or nobody. */
type Who = Pick<Ctx, 'actor' | 'system'>;

/** Leads run the series, their sessions and registrants, recommendations, publication and reminders. */
export const mayManage = (who: Who): boolean => hasPermission(who, MANAGE);

/** Coders (and leads) build the codebook, write memos and read the inputs and the working findings. */
export const mayCode = (who: Who): boolean => hasPermission(who, CODE);

/**
 * Anyone may ask for a general place at a session, signed in or not: providers sign up from a public link, and
 * the registration window and the places left are the only limits.
 */
export const mayRegister = (_who: Who): boolean => true;

/** Held-back places are for organisations a lead invited, so only a lead fills one. */
export const mayTakeHeldBackPlace = (who: Who): boolean => mayManage(who);

/** Anyone may send written input to a session through its public form, named or anonymous. */
export const maySubmitInput = (_who: Who): boolean => true;

/** Facilitator notes speak for the session as a whole, so only a lead records them. */
export const mayRecordNotes = (who: Who): boolean => mayManage(who);

/** Input gathered elsewhere is imported in bulk by a lead (or the command line), never by the public. */
export const mayImportInputs = (who: Who): boolean => mayManage(who);

/** Excerpts and accepted suggestions are recorded in a coder's name: a signed-in coder, never the system. */
export const mayCodeAsSelf = (who: Who): boolean => who.actor !== null && mayCode(who);

/** A coder removes only excerpts they made themselves. */
export const mayRemoveExcerpt = (who: Who, excerpt: { coder_id: string }): boolean => mayCodeAsSelf(who) && excerpt.coder_id === who.actor?.id;

/** Coders and leads read the words of people who did not agree to be quoted; everyone else sees that a quote exists. */
export const readsUnquotable = (who: Who): boolean => mayCode(who) || mayManage(who);

/** Written public inputs: a handful per person per minute is plenty, and keeps scripted flooding out. */
export const INPUT_RATE_LIMIT = { max: 20, timeWindow: '1 minute' };
export const REGISTRATION_RATE_LIMIT = { max: 60, timeWindow: '1 minute' };
