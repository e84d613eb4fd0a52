/**
 * Ratings per outcome from reviewed studies, by rules that are data (a versioned rule set the Research and Data
 * committee edits). Pure functions: the same studies and rule set always give the same ratings, so that the rules
 * can be tested against cases worked by hand (docs/practices.md shows them).
 */
import type { Outcome, PracticeRating, Rule, RuleSet, StudyRating } from './schema.ts';

/** The first rule set, loaded by the migration's first use (see store.currentRuleSet). */
export const DEFAULT_RULES: RuleSet = {
  qualifying: ['high', 'moderate'],
  rules: [
    { rating: 'effective', label: 'Two or more high- or moderate-rated studies found a significant favourable effect, and none a significant unfavourable one.', favourable: { min: 2 }, unfavourable: { max: 0 } },
    { rating: 'promising', label: 'One high- or moderate-rated study found a significant favourable effect, and none a significant unfavourable one.', favourable: { min: 1 }, unfavourable: { max: 0 } },
    { rating: 'negative_effects', label: 'High- or moderate-rated studies found a significant unfavourable effect, and none a significant favourable one.', unfavourable: { min: 1 }, favourable: { max: 0 } },
    { rating: 'no_effects', label: 'High- or moderate-rated studies found no significant effect in either direction.', studies: { min: 1 }, favourable: { max: 0 }, unfavourable: { max: 0 } },
  ],
};

/** A study as the rules see it: its settled causal rating (agreed or reconciled; null while pending) and its outcomes. */
export interface RatedStudy {
  id: string;
  rating: StudyRating | null;
  outcomes: { domain: string; direction: Outcome['direction']; significant: boolean; follow_up_months?: number | null }[];
}

/** What the rules count for one outcome domain, over the qualifying studies that measured it. */
export interface DomainCounts {
  /** Qualifying studies with an outcome in the domain. */
  studies: number;
  /** ... with a significant favourable effect on it. */
  favourable: number;
  /** ... with a significant unfavourable effect on it. */
  unfavourable: number;
  /** Significant favourable effects by their follow-up in months, one per study (its longest). */
  sustainedMonths: number[];
}

export interface DomainRating {
  domain: string;
  rating: PracticeRating;
  /** Index of the rule that matched in the rule set, or null (inconclusive). */
  rule_index: number | null;
  evidence: 'none' | 'single' | 'multiple';
  studies: number;
}

export function countDomain(studies: readonly RatedStudy[], domain: string, qualifying: readonly StudyRating[]): DomainCounts {
  const c: DomainCounts = { studies: 0, favourable: 0, unfavourable: 0, sustainedMonths: [] };
  for (const s of studies) {
    if (!s.rating || !qualifying.includes(s.rating)) continue;
    const here = s.outcomes.filter((o) => o.domain === domain);
    if (!here.length) continue;
    c.studies++;
    const fav = here.filter((o) => o.significant && o.direction === 'favourable');
    if (fav.length) {
      c.favourable++;
      c.sustainedMonths.push(Math.max(...fav.map((o) => o.follow_up_months ?? 0)));
    }
    if (here.some((o) => o.significant && o.direction === 'unfavourable')) c.unfavourable++;
  }
  return c;
}

const within = (n: number, r?: { min?: number; max?: number }) => !r || ((r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max));

/** Whether a rule holds for these counts: every condition it states must hold (an absent condition always does). */
export function ruleHolds(rule: Rule, c: DomainCounts): boolean {
  if (!within(c.studies, rule.studies) || !within(c.favourable, rule.favourable) || !within(c.unfavourable, rule.unfavourable)) return false;
  if (rule.sustained && c.sustainedMonths.filter((m) => m >= rule.sustained!.months).length < rule.sustained.min) return false;
  return true;
}

/** The rating of one domain: the first rule that holds, else inconclusive. */
export function rateDomain(studies: readonly RatedStudy[], domain: string, set: RuleSet): DomainRating {
  const c = countDomain(studies, domain, set.qualifying);
  const index = set.rules.findIndex((r) => ruleHolds(r, c));
  return {
    domain,
    rating: index >= 0 ? set.rules[index].rating : 'inconclusive',
    rule_index: index >= 0 ? index : null,
    evidence: c.studies === 0 ? 'none' : c.studies === 1 ? 'single' : 'multiple',
    studies: c.studies,
  };
}

/** Ratings of every domain the practice names or a study of it measured, in a stable order. */
export function ratePractice(declared: readonly string[], studies: readonly RatedStudy[], set: RuleSet, order: readonly string[]): DomainRating[] {
  const domains = new Set<string>(declared);
  for (const s of studies) for (const o of s.outcomes) domains.add(o.domain);
  return [...domains].sort((a, b) => order.indexOf(a) - order.indexOf(b) || a.localeCompare(b)).map((d) => rateDomain(studies, d, set));
}

/** A study's settled rating: the lead's reconciliation, else the two reviewers' rating when they agree, else none. */
export function settledRating(reviews: readonly { rating: string }[], reconciled: string | null): StudyRating | null {
  if (reconciled) return reconciled as StudyRating;
  if (reviews.length === 2 && reviews[0].rating === reviews[1].rating) return reviews[0].rating as StudyRating;
  return null;
}

/** Where a study stands in review. */
export function reviewState(reviews: readonly { rating: string }[], reconciled: string | null): 'unreviewed' | 'one_review' | 'agreed' | 'disagreed' | 'reconciled' {
  if (reconciled) return 'reconciled';
  if (reviews.length === 0) return 'unreviewed';
  if (reviews.length === 1) return 'one_review';
  return reviews[0].rating === reviews[1].rating ? 'agreed' : 'disagreed';
}
