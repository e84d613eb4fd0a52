import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressRow } from './suppress.ts';

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
