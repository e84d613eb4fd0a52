/** The rating rules against cases worked by hand (docs/practices.md, "Worked cases"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULES, countDomain, ratePractice, rateDomain, reviewState, settledRating, type RatedStudy } from './rules.ts';
import { OUTCOME_DOMAINS, type RuleSet } from './schema.ts';

const fav = (domain: string, months?: number) => ({ domain, direction: 'favourable' as const, significant: true, follow_up_months: months ?? null });
const unfav = (domain: string) => ({ domain, direction: 'unfavourable' as const, significant: true, follow_up_months: null });
const nothing = (domain: string) => ({ domain, direction: 'none' as const, significant: false, follow_up_months: null });
const notSignificant = (domain: string) => ({ domain, direction: 'favourable' as const, significant: false, follow_up_months: null });

const A: RatedStudy = { id: 'A', rating: 'high', outcomes: [fav('employment', 12)] };
const B: RatedStudy = { id: 'B', rating: 'moderate', outcomes: [fav('employment', 6), nothing('earnings')] };
const C: RatedStudy = { id: 'C', rating: 'low', outcomes: [unfav('employment')] };
const D: RatedStudy = { id: 'D', rating: 'moderate', outcomes: [unfav('housing_stability')] };
const E: RatedStudy = { id: 'E', rating: 'high', outcomes: [notSignificant('safety')] };
const F: RatedStudy = { id: 'F', rating: null, outcomes: [fav('well_being')] };

test('counts per domain take only settled, qualifying studies, each study once', () => {
  assert.deepEqual(countDomain([A, B, C, D, E, F], 'employment', ['high', 'moderate']), { studies: 2, favourable: 2, unfavourable: 0, sustainedMonths: [12, 6] });
  // C is low: with low counted too, its unfavourable effect enters.
  assert.deepEqual(countDomain([A, B, C], 'employment', ['high', 'moderate', 'low']), { studies: 3, favourable: 2, unfavourable: 1, sustainedMonths: [12, 6] });
  // A study with two favourable outcomes in one domain is one study.
  assert.equal(countDomain([{ id: 'X', rating: 'high', outcomes: [fav('earnings'), fav('earnings', 24)] }], 'earnings', ['high']).favourable, 1);
  assert.equal(countDomain([F], 'well_being', ['high', 'moderate', 'low']).studies, 0, 'a pending study counts nowhere');
});

test('rule set 1, worked by hand: effective, promising, no effects, negative effects, inconclusive', () => {
  const got = ratePractice(['employment', 'earnings', 'well_being'], [A, B, C, D, E, F], DEFAULT_RULES, OUTCOME_DOMAINS);
  assert.deepEqual(got, [
    // A and B: two qualifying favourable, C (low) does not count.
    { domain: 'employment', rating: 'effective', rule_index: 0, evidence: 'multiple', studies: 2 },
    // B measured earnings and found nothing.
    { domain: 'earnings', rating: 'no_effects', rule_index: 3, evidence: 'single', studies: 1 },
    // D only, unfavourable.
    { domain: 'housing_stability', rating: 'negative_effects', rule_index: 2, evidence: 'single', studies: 1 },
    // E: favourable but not significant is no effect.
    { domain: 'safety', rating: 'no_effects', rule_index: 3, evidence: 'single', studies: 1 },
    // F is pending: no qualifying study, no rule holds.
    { domain: 'well_being', rating: 'inconclusive', rule_index: null, evidence: 'none', studies: 0 },
  ]);
  assert.deepEqual(rateDomain([A], 'employment', DEFAULT_RULES), { domain: 'employment', rating: 'promising', rule_index: 1, evidence: 'single', studies: 1 });
  // Mixed evidence: two favourable and one unfavourable qualifying study match no rule of set 1.
  const G: RatedStudy = { id: 'G', rating: 'high', outcomes: [unfav('employment')] };
  assert.deepEqual(rateDomain([A, B, G], 'employment', DEFAULT_RULES), { domain: 'employment', rating: 'inconclusive', rule_index: null, evidence: 'multiple', studies: 3 });
});

test('a rule change re-rates: counting high-rated studies only makes employment promising; a sustained-effect rule', () => {
  const highOnly: RuleSet = { ...DEFAULT_RULES, qualifying: ['high'] };
  assert.deepEqual(rateDomain([A, B, C, D, E, F], 'employment', highOnly), { domain: 'employment', rating: 'promising', rule_index: 1, evidence: 'single', studies: 1 });
  assert.deepEqual(rateDomain([A, B, C, D, E, F], 'housing_stability', highOnly), { domain: 'housing_stability', rating: 'inconclusive', rule_index: null, evidence: 'none', studies: 0 });

  // After the Prevention Services Clearinghouse's idea: "effective" also needs one effect lasting 12 months or more.
  const sustained: RuleSet = {
    qualifying: ['high', 'moderate'],
    rules: [
      { rating: 'effective', label: 'Two favourable, one lasting 12 months', favourable: { min: 2 }, unfavourable: { max: 0 }, sustained: { min: 1, months: 12 } },
      { rating: 'promising', label: 'One favourable', favourable: { min: 1 }, unfavourable: { max: 0 } },
    ],
  };
  assert.equal(rateDomain([A, B], 'employment', sustained).rating, 'effective', 'A lasted 12 months');
  const shortA: RatedStudy = { ...A, outcomes: [fav('employment', 11)] };
  assert.equal(rateDomain([shortA, B], 'employment', sustained).rating, 'promising', 'no effect lasted 12 months');
});

test("a study's settled rating and review state", () => {
  assert.equal(settledRating([], null), null);
  assert.equal(settledRating([{ rating: 'high' }], null), null, 'one review settles nothing');
  assert.equal(settledRating([{ rating: 'high' }, { rating: 'high' }], null), 'high');
  assert.equal(settledRating([{ rating: 'high' }, { rating: 'low' }], null), null, 'a disagreement waits for the lead');
  assert.equal(settledRating([{ rating: 'high' }, { rating: 'low' }], 'moderate'), 'moderate');
  assert.equal(reviewState([], null), 'unreviewed');
  assert.equal(reviewState([{ rating: 'low' }], null), 'one_review');
  assert.equal(reviewState([{ rating: 'low' }, { rating: 'low' }], null), 'agreed');
  assert.equal(reviewState([{ rating: 'low' }, { rating: 'high' }], null), 'disagreed');
  assert.equal(reviewState([{ rating: 'low' }, { rating: 'high' }], 'low'), 'reconciled');
});
