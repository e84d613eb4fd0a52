import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testDatabase } from '../testing.ts';
import { indexDocuments, rankStatistics, removeDocuments } from './search.ts';

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
