import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testDatabase } from '../testing.ts';
import { documentScores, indexDocuments, rankStatistics, removeDocuments, respaceIndex } from './search.ts';

test('rank statistics: PostgreSQL\'s document frequencies are kept between searches and counted again once the index changes; none on SQLite', async () => {
  const t = await testDatabase();
  try {
    const db = t.handle.db;
    // The directory's index (its migration made it); any index works the same way.
    const name = 'directory_service_search';
    const doc = (body: string) => ({ id: randomUUID(), title: 'Service', body });
    await indexDocuments(db, name, [doc('alpha'), ...Array.from({ length: 20 }, () => doc('beta'))]);
    const query = [[['alpha']]];
    const first = await rankStatistics(db, name, query);
    if (t.handle.kind === 'sqlite') {
      assert.equal(first, undefined, 'bm25 keeps its own');
      return;
    }
    const idf = () => rankStatistics(db, name, query).then((s) => s!.idf.get('alpha:*')!);
    assert.ok(first!.idf.get('alpha:*')! > 2, 'one document of 21 has the word');
    // A document added behind the index's back (not through indexDocuments) is not seen: the count was kept.
    await db.insertInto(name).values({ doc_id: randomUUID(), title: 'Service', body: 'alpha' }).execute();
    assert.equal(await idf(), first!.idf.get('alpha:*'), 'kept, not counted again');
    const more = Array.from({ length: 10 }, () => doc('alpha'));
    await indexDocuments(db, name, more);
    const after = await idf();
    assert.ok(after < first!.idf.get('alpha:*')! - 1, `counted again after documents were indexed (${after})`);
    await removeDocuments(db, name, more.map((d) => d.id));
    assert.ok((await idf()) > after + 1, 'and after documents were removed');
  } finally {
    await t.drop();
  }
});

test('words joined by punctuation are indexed as the words a query has: a hyphenated word counts once, "dv/family" is found by "family"', async () => {
  const t = await testDatabase();
  try {
    const db = t.handle.db;
    const name = 'directory_service_search';
    const doc = (title: string, body: string) => ({ id: randomUUID(), title, body });
    const hyphen = doc('Clinic', 'a shelter-based legal clinic');
    const spaced = doc('Clinic', 'a shelter based legal clinic');
    const slashed = doc('DV/Family Law', 'advice');
    await indexDocuments(db, name, [hyphen, spaced, slashed, ...Array.from({ length: 5 }, () => doc('Other', 'food pantry'))]);
    // PostgreSQL's parser kept "shelter-based" whole besides its parts (a second match of "shelter" and a longer
    // document) and "dv/family" whole (no "family" in it); SQLite's tokenizer splits both.
    const scores = await documentScores(db, t.handle.kind, name, [[['shelter']]], [hyphen.id, spaced.id]);
    assert.equal(scores.get(hyphen.id), scores.get(spaced.id));
    const family = await documentScores(db, t.handle.kind, name, [[['family']]], [slashed.id]);
    assert.ok(family.has(slashed.id), '"family" finds "DV/Family Law"');
    if (t.handle.kind === 'sqlite') return;
    // Text stored before (PostgreSQL): the migration rewrites it.
    const old = randomUUID();
    await db.insertInto(name).values({ doc_id: old, title: 'dv/family law', body: 'shelter-based' }).execute();
    assert.equal((await documentScores(db, 'postgresql', name, [[['family']]], [old])).size, 0);
    assert.equal(await respaceIndex(db, name), 1, 'only the document that changes is written');
    assert.ok((await documentScores(db, 'postgresql', name, [[['family']]], [old])).has(old));
  } finally {
    await t.drop();
  }
});
