/**
 * How a search with both text and a place orders its results (issue 13). "Best match" blends how well a service
 * matches the words with how near it is: the text score, scaled to the best match of the search (1), is weighed
 * down by distance, halving at DISTANCE_HALF_MILES. A service that matches well 1.5 miles away (1 × 0.77) comes
 * before one that barely matches next door (0.3 × 1). "Nearest" is distance alone, as before.
 */
export type SearchSort = 'relevance' | 'distance';
export const SORTS: readonly SearchSort[] = ['relevance', 'distance'];

/** The distance at which a match counts half as much as the same match at the searched place. */
export const DISTANCE_HALF_MILES = 5;

/** The weight of a service at `miles` from the searched place: 1 there, ½ at DISTANCE_HALF_MILES. */
export const nearness = (miles: number) => 1 / (1 + Math.max(0, miles) / DISTANCE_HALF_MILES);

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
