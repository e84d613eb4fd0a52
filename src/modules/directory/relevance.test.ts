import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { importDataset } from './import.ts';
import { uuidv5 } from './model.ts';
import { expandQuery, searchServices } from './search.ts';
import { bestOf, nameMatch, withName } from './relevance.ts';

const id = (k: string) => uuidv5(`relevance-test:${k}`);

/** Imports these services (name, description) of one organisation; returns a search returning ids in order. */
async function directoryOf(t: Awaited<ReturnType<typeof testApp>>, services: [key: string, name: string, description: string][]) {
  const o = { id: id('org'), name: 'Relevance Org', description: 'An organisation' };
  const ds = new Dataset();
  const seen = new Map<string, Set<string>>();
  services.forEach(([key, name, description], i) => flatten(ds, 'service', { id: id(key), organization_id: o.id, organization: o, name, description, status: 'active' }, { file: 'relevance.json', row: i + 1 }, undefined, seen));
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  return async (q: string) => (await searchServices(t.db.handle.db, t.db.handle.kind, { q, page: 1, perPage: 20, vetted: false })).hits.map((h) => h.serviceId);
}

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

test('"counseling" finds therapy and mental health services that never say the word (the relevance bench\'s "counseling" for LGBTQ+), on both engines', async () => {
  const t = await testApp();
  try {
    const search = await directoryOf(t, [
      ['therapy', 'Youth Therapy Program', 'Individual and group therapy for young people.'],
      ['mental', 'Community Mental Health', 'Walk-in mental health care for adults.'],
      ['legal', 'Legal Services', 'Legal counseling and representation.'],
      ['food', 'Food Pantry', 'Groceries every Tuesday.'],
    ]);
    assert.deepEqual(new Set(await search('counseling')), new Set([id('therapy'), id('mental'), id('legal')]));
  } finally {
    await t.close();
  }
});

test('"refugio" and "albergue" find what "shelter" finds, short-term housing included (the relevance bench\'s "refugio"), on both engines', async () => {
  const t = await testApp();
  try {
    const search = await directoryOf(t, [
      ['shelter', 'Harbor Emergency Shelter', 'Emergency beds for families.'],
      ['housing', 'Short Term Family Housing', 'Short-term housing for families who are homeless.'],
      ['food', 'Food Pantry', 'Groceries every Tuesday.'],
    ]);
    const shelter = new Set(await search('shelter'));
    assert.deepEqual(shelter, new Set([id('shelter'), id('housing')]));
    for (const q of ['refugio', 'albergue']) assert.deepEqual(new Set(await search(q)), shelter, q);
  } finally {
    await t.close();
  }
});

test('a synonym that begins with the word typed is not added: the word, matched as a prefix, finds all it finds, and records saying it were counted twice (on both engines)', async () => {
  assert.deepEqual(expandQuery('class'), [[['class'], ['education'], ['courses']]], '"classes" left out, the other synonyms kept');
  assert.deepEqual(expandQuery('clinic'), [[['clinic'], ['medical']]], '"clinica" left out');
  assert.deepEqual(expandQuery('classes'), [[['classes'], ['class'], ['education'], ['courses']]], 'a synonym the word typed begins with is kept: it finds more');
  const t = await testApp();
  try {
    await directoryOf(t, [
      ['plural', 'Zeta English Classes', 'Lessons for adults.'],
      ['singular', 'Alpha English Class', 'Lessons for adults.'],
    ]);
    const hits = (await searchServices(t.db.handle.db, t.db.handle.kind, { q: 'class', page: 1, perPage: 20, vetted: false })).hits;
    assert.deepEqual(hits.map((h) => h.serviceId), [id('singular'), id('plural')], 'equal records, so in name order');
    assert.equal(hits[0].score, hits[1].score, '"classes" no longer scores as a second word');
  } finally {
    await t.close();
  }
});
