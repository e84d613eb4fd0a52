import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement, cohensKappa } from './kappa.ts';

const repeat = <T>(pair: [T, T], n: number): [T, T][] => Array.from({ length: n }, () => pair);

test("Cohen's kappa: the textbook 2x2 example", () => {
  // 50 proposals read by two reviewers: both yes 20, A yes B no 5, A no B yes 10, both no 15.
  // Po = 35/50 = 0.7; Pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
  const pairs = [...repeat<string>(['yes', 'yes'], 20), ...repeat<string>(['yes', 'no'], 5), ...repeat<string>(['no', 'yes'], 10), ...repeat<string>(['no', 'no'], 15)];
  const k = cohensKappa(pairs);
  assert.equal(k.observed, 0.7);
  assert.equal(k.expected, 0.5);
  assert.equal(k.kappa, 0.4);
});

test("Cohen's kappa: three categories, hand computed", () => {
  // Rows A, columns B: a: (10, 2, 0), b: (1, 8, 3), c: (0, 2, 4); n = 30.
  // Po = 22/30; A marginals 12, 12, 6; B marginals 11, 12, 7.
  // Pe = (12*11 + 12*12 + 6*7) / 900 = 318/900; kappa = (660 - 318) / (900 - 318) = 342/582.
  const t: [string, string, number][] = [['a', 'a', 10], ['a', 'b', 2], ['b', 'a', 1], ['b', 'b', 8], ['b', 'c', 3], ['c', 'b', 2], ['c', 'c', 4]];
  const k = cohensKappa(t.flatMap(([x, y, n]) => repeat<string>([x, y], n)));
  assert.equal(k.kappa, Math.round((342 / 582) * 10000) / 10000);
});

test("Cohen's kappa: perfect agreement is 1, chance-level agreement is 0, one shared category is undefined", () => {
  assert.equal(cohensKappa([...repeat([true, true], 7), ...repeat([false, false], 5)]).kappa, 1);
  // Each rater says yes half the time, independently: agreement 50%, exactly what chance predicts.
  const chance = cohensKappa<boolean>([[true, true], [true, false], [false, true], [false, false]]);
  assert.equal(chance.kappa, 0);
  assert.equal(chance.observed, 0.5);
  assert.equal(cohensKappa(repeat([true, true], 4)).kappa, null);
  assert.equal(cohensKappa([]).kappa, null);
  // Systematic disagreement is below zero.
  assert.equal(cohensKappa<boolean>([[true, false], [false, true]]).kappa, -1);
});

test('agreement per code and pooled over codes', () => {
  const units = [
    { unit: 'u1', a: new Set(['x', 'y']), b: new Set(['x']) },
    { unit: 'u2', a: new Set(['x']), b: new Set(['x']) },
    { unit: 'u3', a: new Set<string>(), b: new Set(['y']) },
    { unit: 'u4', a: new Set<string>(), b: new Set<string>() },
  ];
  const r = agreement(units, ['x', 'y']);
  assert.equal(r.units, 4);
  const x = r.per_code.find((p) => p.code_id === 'x')!;
  assert.equal(x.kappa, 1);
  assert.deepEqual([x.both, x.only_a, x.only_b, x.neither], [2, 0, 0, 2]);
  const y = r.per_code.find((p) => p.code_id === 'y')!;
  // y: A yes on u1 only, B yes on u3 only: Po = 0.5, Pe = 0.25*0.25 + 0.75*0.75 = 0.625, kappa = -1/3.
  assert.equal(y.kappa, Math.round((-0.125 / 0.375) * 10000) / 10000);
  // Pooled 8 decisions: agree 6; A yes 3/8, B yes 3/8; Pe = (9 + 25)/64; kappa = (0.75 - 34/64) / (1 - 34/64).
  assert.equal(r.overall.kappa, Math.round(((0.75 - 34 / 64) / (1 - 34 / 64)) * 10000) / 10000);
});
