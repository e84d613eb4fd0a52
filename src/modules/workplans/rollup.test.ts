import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionProgress, keyResultProgress, nodeProgress, weightedMean, type RollupNode } from './rollup.ts';
import { localMidnight, parsePeriod, periodOf, periodOfDate, shiftPeriod } from './periods.ts';

const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);

test('key-result progress is clamped to 0..1 and handles a falling target', () => {
  close(keyResultProgress({ id: 'k', start: 0, target: 10 }, 5), 0.5);
  close(keyResultProgress({ id: 'k', start: 0, target: 10 }, 15), 1);
  close(keyResultProgress({ id: 'k', start: 0, target: 10 }, -3), 0);
  // Reducing a backlog from 100 to 20: 60 is half way.
  close(keyResultProgress({ id: 'k', start: 100, target: 20 }, 60), 0.5);
  close(keyResultProgress({ id: 'k', start: 5, target: 5 }, 5), 1);
  close(keyResultProgress({ id: 'k', start: 5, target: 5 }, 4), 0);
});

test('an action: done counts 1, dropped does not count, no values count 0, missing key results count 0', () => {
  const krs = [
    { id: 'a', start: 0, target: 10 },
    { id: 'b', start: 0, target: 4 },
  ];
  assert.equal(actionProgress({ id: 'x', status: 'done', weight: 1, keyResults: krs }), 1);
  assert.equal(actionProgress({ id: 'x', status: 'dropped', weight: 1, keyResults: krs, values: { a: 10 } }), null);
  assert.equal(actionProgress({ id: 'x', status: 'on_track', weight: 1, keyResults: krs }), 0);
  assert.equal(actionProgress({ id: 'x', status: 'at_risk', weight: 1 }), 0);
  // Only one key result reported: the other counts 0 until it is.
  close(actionProgress({ id: 'x', status: 'on_track', weight: 1, keyResults: krs, values: { a: 10 } }), 0.5);
  close(actionProgress({ id: 'x', status: 'on_track', weight: 1, keyResults: krs, values: { a: 5, b: 3 } }), (0.5 + 0.75) / 2);
  // A value past the target cannot lift the mean above 1.
  close(actionProgress({ id: 'x', status: 'on_track', weight: 1, keyResults: krs, values: { a: 50, b: 40 } }), 1);
});

test('weighted roll-up: weights normalise, dropped and zero-weight children are left out', () => {
  const a: RollupNode = { id: 'a', status: 'done', weight: 3 };
  const b: RollupNode = { id: 'b', status: 'on_track', weight: 1, keyResults: [{ id: 'k', start: 0, target: 4 }], values: { k: 2 } };
  const c: RollupNode = { id: 'c', status: 'dropped', weight: 10 };
  const d: RollupNode = { id: 'd', status: 'not_started', weight: 0 };
  const objective: RollupNode = { id: 'o', status: 'on_track', weight: 2, children: [a, b, c, d] };
  close(nodeProgress(objective), (3 * 1 + 1 * 0.5) / 4);
  const empty: RollupNode = { id: 'e', status: 'on_track', weight: 5, children: [c] };
  assert.equal(nodeProgress(empty), null, 'an objective with only dropped actions has no progress');
  const goal: RollupNode = { id: 'g', status: 'on_track', weight: 1, children: [objective, empty, { id: 'o2', status: 'on_track', weight: 1, children: [{ id: 'z', status: 'not_started', weight: 1 }] }] };
  // The empty objective does not drag the goal down; the other two weigh 2 and 1.
  close(nodeProgress(goal), (2 * 0.875 + 1 * 0) / 3);
  assert.equal(nodeProgress({ ...goal, status: 'dropped' }), null);
  assert.equal(weightedMean([]), null);
});

test('quarters are computed in America/New_York', () => {
  assert.equal(periodOf(new Date('2026-03-31T23:30:00-04:00')).key, '2026-Q1');
  assert.equal(periodOf(new Date('2026-04-01T03:30:00Z')).key, '2026-Q1', '23:30 on 31 March in New York');
  assert.equal(periodOf(new Date('2026-04-01T04:00:00Z')).key, '2026-Q2', 'midnight EDT');
  assert.equal(periodOf(new Date('2026-01-01T04:59:59Z')).key, '2025-Q4', 'still New Year’s Eve in EST');
  assert.equal(periodOf(new Date('2026-01-01T05:00:00Z')).key, '2026-Q1');
  const q1 = parsePeriod('2026-Q1')!;
  assert.equal(q1.start, '2026-01-01T05:00:00.000Z');
  assert.equal(q1.end, '2026-04-01T04:00:00.000Z', 'Q2 opens at midnight EDT, after the March change');
  assert.equal(q1.endDate, '2026-03-31');
  const q4 = parsePeriod('2026-Q4')!;
  assert.equal(q4.start, '2026-10-01T04:00:00.000Z');
  assert.equal(q4.end, '2027-01-01T05:00:00.000Z');
  assert.equal(q4.endDate, '2026-12-31');
  assert.equal(shiftPeriod(q4, 1).key, '2027-Q1');
  assert.equal(shiftPeriod(q1, -1).key, '2025-Q4');
  assert.equal(periodOfDate('2026-09-30').key, '2026-Q3');
  assert.equal(parsePeriod('2026-Q5'), undefined);
  assert.equal(localMidnight('2026-03-08').toISOString(), '2026-03-08T05:00:00.000Z', 'the day clocks spring forward starts in EST');
  assert.equal(localMidnight('2026-11-01').toISOString(), '2026-11-01T04:00:00.000Z', 'the day clocks fall back starts in EDT');
});
