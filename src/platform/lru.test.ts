import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedLru } from './lru.ts';

test('BoundedLru drops the least recently used past its count or its size, never keeps one larger than the bound, and counts hits and misses', () => {
  const lru = new BoundedLru<string>(3, 20, (v) => v.length);
  lru.set('a', 'xx');
  lru.set('b', 'xx');
  lru.set('c', 'xx');
  assert.equal(lru.get('a'), 'xx', 'a is now the most recently used');
  lru.set('d', 'xx');
  assert.equal(lru.size, 3);
  assert.equal(lru.get('b'), undefined, 'b, the least recently used, went first');
  assert.deepEqual(lru.counts, { hits: 1, misses: 1 });
  assert.equal(lru.bytes, 9, 'each entry counts its key and its value');
  lru.set('a', 'xxxxxxxxxx');
  assert.equal(lru.bytes, 17, 'a value replaced is counted once, at its new size');
  lru.set('e', 'xxx');
  assert.equal(lru.bytes, 18, 'over the size by one entry: the least recently used went, and only it');
  assert.equal(lru.get('c'), undefined);
  assert.equal(lru.get('d'), 'xx');
  assert.equal(lru.get('a'), 'xxxxxxxxxx');
  lru.set('big', 'x'.repeat(20));
  assert.equal(lru.get('big'), undefined, 'larger than the whole bound: not kept');
  assert.equal(lru.get('a'), 'xxxxxxxxxx', 'and nothing was dropped for it');
  lru.clear();
  assert.equal(lru.size, 0);
  assert.equal(lru.bytes, 0);
});
