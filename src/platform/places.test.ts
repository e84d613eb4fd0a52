import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generalFree, place, promote } from './places.ts';

test('places: held-back and general places, head counts, the waiting list in order', () => {
  const p = { capacity: 30, heldBack: 5, confirmed: 20, confirmedHeldBack: 2 };
  assert.equal(generalFree(p), 7);
  assert.deepEqual(place(p, 7), { status: 'confirmed', heldBackPlace: false });
  assert.deepEqual(place(p, 8), { status: 'waitlisted', heldBackPlace: false }, 'a group of 8 does not fit in 7 places');
  assert.deepEqual(place(p, 3, true), { status: 'confirmed', heldBackPlace: true });
  assert.deepEqual(place(p, 4, true), { status: 'confirmed', heldBackPlace: false }, 'too big for the held-back pool: a general place');
  assert.equal(generalFree({ capacity: 10, heldBack: 0, confirmed: 12, confirmedHeldBack: 0 }), 0, 'never negative');
  // 7 free: the first two waiting (3 + 4) move up and fill them.
  const waiting = [{ id: 'a', size: 3 }, { id: 'b', size: 4 }, { id: 'c', size: 2 }];
  assert.deepEqual(promote(p, waiting).map((w) => w.id), ['a', 'b']);
  assert.deepEqual(promote(p, [{ id: 'big', size: 9 }, { id: 'small', size: 1 }]), [], 'a smaller registration does not overtake a bigger one');
});
