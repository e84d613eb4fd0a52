import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandQuery } from './search.ts';
import { bestOf, nameMatch, withName } from './relevance.ts';

test('name match: the share of the words typed that a name answers, a synonym counting less', () => {
  const q = expandQuery('domestic violence');
  assert.equal(nameMatch('Domestic Violence Support', q), 1);
  assert.equal(nameMatch('Kane County Domestice Violence Courthouse Project', q), 1, 'a prefix, as the index matches');
  assert.equal(nameMatch('Domestic Abuse Hotline', q), 0.5);
  assert.equal(nameMatch('DV/Family Law', q), 0.4, "'dv' answers 'domestic' as a synonym, nothing answers 'violence'");
  assert.equal(nameMatch('Functional Family Therapy (FFT)', q), 0);
  assert.equal(nameMatch('Médico', expandQuery('medico')), 1, 'folded like the query');
  assert.equal(nameMatch('Anything', []), 0);
});

test('ranking with names: the relevance bench\'s "domestic violence" on SQLite lists the programmes named for it before family therapy that scored higher on its description', () => {
  // Text scores (bm25) of three of the query's results in the bench's corpus before the names' share.
  const q = expandQuery('domestic violence');
  const hits = [
    { name: 'Functional Family Therapy (FFT)', score: 17.5467, grade: 1 },
    { name: 'Domestic violence program - South Chicago', score: 13.6882, grade: 2 },
    { name: 'Strong Families Program (SFP)', score: 18.9292, grade: 2 },
  ];
  const order = hits.map((h) => ({ ...h, score: withName(h.score, h.name, q) })).sort((a, b) => b.score - a.score).map((h) => h.name);
  assert.deepEqual(order, ['Strong Families Program (SFP)', 'Domestic violence program - South Chicago', 'Functional Family Therapy (FFT)']);
});

test('the best score of a wide place search: as many hits as a 500-mile radius holds at national scale, no stack overflow', () => {
  const scores = new Map(Array.from({ length: 300_000 }, (_, i) => [`s${i}`, (i * 7919) % 100_003] as const));
  assert.equal(bestOf(scores.values()), 100_002);
  assert.equal(bestOf([]), 0);
  assert.equal(bestOf([-1, -2]), 0, 'never below 0, as before');
});
