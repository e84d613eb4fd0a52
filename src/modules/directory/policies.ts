/**
 * Who may do what in the directory, as plain answers over the principal and the rows concerned. Commands enforce
 * them through platform/policy.ts (`authorize`), pages and the API use them to decide what to show.
 */
import type { Actor, Ctx } from '../../platform/context.ts';
import { hasPermission } from '../../platform/policy.ts';
import { CONFIDENTIAL, LISTS, MANAGE, PROPOSE } from './permissions.ts';

type Who = Pick<Ctx, 'actor' | 'system'>;

/** Told to a signed-in person whose organisation does not act for the listing. */
export const NOT_STEWARD = 'Your organisation does not act for this listing. An administrator can link it.';

/** Sees confidential locations (shelters): their addresses, coordinates and phones. */
export const seesConfidential = (who: Who): boolean => hasPermission(who, CONFIDENTIAL);

/**
 * Imports, verifies and links account organisations to listings: directory managers, and the system principal
 * (imports and demo data from the command line).
 */
export const managesDirectory = (who: Who): boolean => hasPermission(who, MANAGE);

/** Reviews proposals: a directory manager acting in their own name, since the review is recorded as theirs. */
export const reviewsProposals = (who: Who): boolean => who.actor !== null && hasPermission(who, MANAGE);

/** Proposes changes at all: a person or token holder with the permission (a proposal is always someone's). */
export const proposes = (who: Who): boolean => who.actor !== null && hasPermission(who, PROPOSE);

/** Edits one listing through review: a proposer whose account organisation stewards it. */
export const editsListing = (who: Who, stewarded: boolean): boolean => proposes(who) && stewarded;

/** Sets a service's capacity now: its listing's stewards, and directory managers. */
export const setsCapacity = (who: Who, stewarded: boolean): boolean => managesDirectory(who) || editsListing(who, stewarded);

/** Sees a proposal: its proposer and reviewers; anyone else must not learn that it exists. */
export const seesProposal = (actor: Actor | null, p: { proposer_id: string }): boolean => Boolean(actor && (actor.permissions.has(MANAGE) || p.proposer_id === actor.id));

/** Takes a proposal back: its proposer only, not even a reviewer. */
export const withdrawsProposal = (who: Who, p: { proposer_id: string }): boolean => who.actor !== null && who.actor.id === p.proposer_id;

/** Keeps saved lists at all: a person or token holder with the permission (a list is always someone's). */
export const keepsLists = (who: Who): boolean => who.actor !== null && hasPermission(who, LISTS);

/** Reads and changes one saved list: its owner only; to anyone else, administrators included, it does not exist. */
export const ownsList = (who: Who, list: { owner_id: string }): boolean => keepsLists(who) && who.actor!.id === list.owner_id;
