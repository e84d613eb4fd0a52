import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressLinked, suppressRow } from './suppress.ts';

const shown = (r: ReturnType<typeof suppressRow>) => r.cells.map((c) => c.value);

test('small cells are hidden, with a complementary cell when the total would reveal one', () => {
  // 3 alone would be total − 12: hide 12 as well.
  assert.deepEqual(shown(suppressRow([12, 3, 0], 15, 10)), [null, null, 0]);
  // Two small cells already protect each other.
  assert.deepEqual(shown(suppressRow([20, 3, 4], 27, 10)), [20, null, null]);
  // The smallest other non-zero cell is the complement.
  assert.deepEqual(shown(suppressRow([40, 12, 5, 0], 57, 10)), [40, null, null, 0]);
  // A small total hides itself, and every non-zero cell is small too.
  const tiny = suppressRow([2, 1, 0], 3, 10);
  assert.equal(tiny.total.value, null);
  assert.deepEqual(shown(tiny), [null, null, 0]);
  // Nothing small: nothing hidden.
  assert.deepEqual(shown(suppressRow([11, 0, 25], 36, 10)), [11, 0, 25]);
  // Threshold 0 turns suppression off.
  assert.deepEqual(shown(suppressRow([1, 2], 3, 0)), [1, 2]);
});

/** Records 0..n-1 whose `key` is `value`. */
function where<T>(records: T[], pick: (r: T) => boolean): number[] {
  return records.flatMap((r, i) => (pick(r) ? [i] : []));
}

test('linked tables: a breakdown published in another table cannot be subtracted back to a small count', () => {
  // 44 declined referrals: 37 for lack of capacity (23 in county A, 14 in B), 7 not eligible (all in B).
  const records = [
    ...Array.from({ length: 23 }, () => ({ reason: 'no_capacity', county: 'A' })),
    ...Array.from({ length: 14 }, () => ({ reason: 'no_capacity', county: 'B' })),
    ...Array.from({ length: 7 }, () => ({ reason: 'not_eligible', county: 'B' })),
  ];
  const counts = [
    // table 1: reasons and their total
    where(records, (r) => r.reason === 'no_capacity'),
    where(records, (r) => r.reason === 'not_eligible'),
    where(records, () => true),
    // table 2: no capacity by county
    where(records, (r) => r.reason === 'no_capacity' && r.county === 'A'),
    where(records, (r) => r.reason === 'no_capacity' && r.county === 'B'),
  ];
  const alone = [suppressRow([37, 7], 44, 10), suppressRow([23], 23, 10), suppressRow([14], 14, 10)];
  assert.deepEqual(alone.map((r) => r.cells.map((c) => c.value)), [[null, null], [23], [14]], 'each table alone hides 37 and shows 23 and 14: 44 − (23 + 14) = 7');
  const hidden = suppressLinked(counts, 10, [[0, 1, 2], [3, 4]]);
  assert.equal(hidden[1], true, 'the small count stays hidden');
  const visible = counts.map((c, i) => (hidden[i] ? null : c.length));
  // Whatever is shown, 7 must not follow from it: either the total or the no-capacity figures are partly hidden.
  const total = visible[2];
  const byCounty = visible[3] !== null && visible[4] !== null ? visible[3] + visible[4] : visible[0];
  assert.ok(total === null || byCounty === null, `7 is derivable from ${JSON.stringify(visible)}`);
});

test('linked tables: nothing small, nothing hidden; a small count alone in a row takes its row partner', () => {
  const records = Array.from({ length: 60 }, (_, i) => ({ a: i % 2, b: i % 3 }));
  const counts = [where(records, (r) => r.a === 0), where(records, (r) => r.a === 1), where(records, () => true), where(records, (r) => r.b === 0)];
  assert.deepEqual(suppressLinked(counts, 10, [[0, 1, 2]]), [false, false, false, false]);
  const few = [...Array.from({ length: 30 }, () => 'x'), ...Array.from({ length: 4 }, () => 'y'), ...Array.from({ length: 12 }, () => 'z')];
  const c2 = [where(few, (r) => r === 'x'), where(few, (r) => r === 'y'), where(few, (r) => r === 'z'), where(few, () => true)];
  assert.deepEqual(suppressLinked(c2, 10, [[0, 1, 2, 3]]), [false, true, true, false], 'the smallest other cell of the row (12) is the complement');
  assert.deepEqual(suppressLinked(c2, 0, [[0, 1, 2, 3]]), [false, false, false, false], 'threshold 0 hides nothing');
});

test('linked tables: an overlapping count in another table is hidden when the row has no partner left', () => {
  // Row: [small 5, total 5 + 0]; the total is small too. Another table shows all 25 and the 20 others.
  const recs = [...Array.from({ length: 5 }, () => 's'), ...Array.from({ length: 20 }, () => 'o')];
  const counts = [where(recs, (r) => r === 's'), where(recs, (r) => r === 'o'), where(recs, () => true)];
  const hidden = suppressLinked(counts, 10, [[0], [1, 2]]);
  assert.equal(hidden[0], true);
  assert.ok(hidden[1] || hidden[2], '25 − 20 would give the 5');
});

test('weighted records: quantities are suppressed like counts, across tables', () => {
  // Groups 0 and 1 in one state (30 and 4 posters), group 2 in another (20). By group: 30, 4, 20; by state: 34, 20.
  const weights = [30, 4, 20];
  const counts = [[0], [1], [2], [0, 1, 2], [0, 1], [2], [0, 1, 2]];
  const hidden = suppressLinked(counts, 10, [[0, 1, 2, 3], [4, 5, 6]], weights);
  assert.equal(hidden[1], true, '4 is small');
  assert.ok(hidden[0] || hidden[4], 'the state total 34 and the group of 30 are not both shown (34 - 30 = 4)');
  // Unweighted, the same sets are all counts of 1 to 3 records: all hidden.
  assert.ok(suppressLinked(counts, 10).every(Boolean));
  // A weight of 0 is a zero count: shown.
  assert.deepEqual(suppressLinked([[0], [1]], 10, [], [0, 50]), [false, false]);
});
