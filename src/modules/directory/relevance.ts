/**
 * How a search with both text and a place orders its results (issue 13). "Best match" blends how well a service
 * matches the words with how near it is: the text score, scaled to the best match of the search (1), is weighed
 * down by distance, halving at DISTANCE_HALF_MILES. A service that matches well 1.5 miles away (1 × 0.77) comes
 * before one that barely matches next door (0.3 × 1). "Nearest" is distance alone, as before.
 */
import { foldText, SYNONYM_WEIGHT, type SearchQuery } from '../../platform/db/search.ts';

export type SearchSort = 'relevance' | 'distance';
export const SORTS: readonly SearchSort[] = ['relevance', 'distance'];

/** The distance at which a match counts half as much as the same match at the searched place. */
export const DISTANCE_HALF_MILES = 5;

/** The weight of a service at `miles` from the searched place: 1 there, ½ at DISTANCE_HALF_MILES. */
export const nearness = (miles: number) => 1 / (1 + Math.max(0, miles) / DISTANCE_HALF_MILES);

/**
 * The best score of a search (0 when none is above it), by a loop: a place search over a wide radius can have more
 * hits than a call can take as arguments (Math.max(...scores) throws past about 125,000).
 */
export function bestOf(scores: Iterable<number>): number {
  let best = 0;
  for (const s of scores) if (s > best) best = s;
  return best;
}

/** Best-match score of a hit: its text score over the best score of the search, weighed by its nearness. */
export function blended(score: number, best: number, miles: number): number {
  const relevance = best > 0 ? Math.max(0, score) / best : 0;
  return relevance * nearness(miles);
}


/**
 * Confidential locations near a place, for callers who may not see them (issue 13 item 4): found by area, never by
 * point. The distance is measured to the centre of the grid cell of CONFIDENTIAL_GRID_DEGREES holding the location
 * (the radius is tested on it too), and told as a band of CONFIDENTIAL_BAND_MILES that surely holds the true
 * distance ("within 5 miles"); results are ordered by the band.
 */
export const CONFIDENTIAL_GRID_DEGREES = 0.05;
export const CONFIDENTIAL_BAND_MILES = 5;

const cellCentre = (deg: number) => (Math.floor(deg / CONFIDENTIAL_GRID_DEGREES) + 0.5) * CONFIDENTIAL_GRID_DEGREES;

/** The coarse place of a confidential location: the centre of its grid cell. */
export function coarsePoint(lat: number, lng: number): { lat: number; lng: number } {
  return { lat: cellCentre(lat), lng: cellCentre(lng) };
}

/**
 * The band told for a confidential location whose cell centre is `coarseMiles` away: the true distance is at most
 * that plus half the cell's diagonal (`slackMiles`), rounded up to the band.
 */
export function withinBand(coarseMiles: number, slackMiles: number): number {
  return Math.max(CONFIDENTIAL_BAND_MILES, Math.ceil((coarseMiles + slackMiles) / CONFIDENTIAL_BAND_MILES) * CONFIDENTIAL_BAND_MILES);
}

/**
 * How much a service's name counts beyond the text rank (issue 13): a name is what the service is, a description
 * also says what it is not or only mentions. The text score (bm25 on SQLite, tsRank on PostgreSQL) is multiplied by
 * 1 + NAME_WEIGHT × nameMatch, the share of the query's words its name answers. Measured with the relevance bench
 * (README): "divorce" then ranks the divorce clinics before family law services whose name matched a two-word
 * synonym, "domestic violence" lists the programmes named for it before family therapy that mentions a synonym,
 * "trabajo" the job centres first; more weight (0.5, 1) let names outweigh what the records say ("food" fell).
 */
export const NAME_WEIGHT = 0.3;

const nameWords = (name: string) => foldText(name).match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * The share of a query's words (groups, see SearchQuery) that a name answers: 1 for a word typed that begins a word
 * of the name (as the index matches prefixes), SYNONYM_WEIGHT for a group answered only by one of its synonyms (all
 * of its words), 0 otherwise; averaged over the groups. 0 for no query.
 */
export function nameMatch(name: string, query: SearchQuery | null): number {
  if (!query?.length) return 0;
  const words = nameWords(name);
  const has = (alt: readonly string[]) => alt.length > 0 && alt.every((t) => words.some((w) => w.startsWith(t)));
  let sum = 0;
  for (const group of query) sum += has(group[0] ?? []) ? 1 : group.slice(1).some(has) ? SYNONYM_WEIGHT : 0;
  return sum / query.length;
}

/** A text score with its name's share (NAME_WEIGHT). */
export const withName = (score: number, name: string, query: SearchQuery | null) => score * (1 + NAME_WEIGHT * nameMatch(name, query));
