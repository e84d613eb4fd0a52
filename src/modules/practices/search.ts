/** The search form's and API's query, as store filters: unknown filter values are ignored, never an error page. */
import { queryWords } from '../../platform/db/search.ts';
import { DESIGNS, OUTCOME_DOMAINS, POPULATIONS, PRACTICE_RATINGS, SETTINGS } from './schema.ts';
import type { SearchParams } from './store.ts';

const oneOf = (list: readonly string[], v: string | undefined) => (v && list.includes(v) ? v : undefined);

export function searchFilters(q: { q?: string; population?: string; outcome?: string; rating?: string; setting?: string; design?: string }): Omit<SearchParams, 'limit' | 'offset'> {
  const words = queryWords(q.q ?? '');
  return {
    q: words.length ? words.map((w) => [[w]]) : undefined,
    population: oneOf(POPULATIONS, q.population),
    outcome: oneOf(OUTCOME_DOMAINS, q.outcome),
    rating: oneOf(PRACTICE_RATINGS, q.rating),
    setting: oneOf(SETTINGS, q.setting),
    design: oneOf(DESIGNS, q.design),
  };
}
