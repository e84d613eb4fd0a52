import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { testDatabase } from '../testing.ts';
import { openDatabase } from './index.ts';
import { documentScores, indexDocuments, matchingKeys, matchingKeySet, rankStatistics, removeDocuments, respaceIndex, type KeySet, type SearchQuery } from './search.ts';

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
    assert.equal(first!.matchBound, 1, 'the query matches at most one document');
    assert.equal((await rankStatistics(db, name, [[['beta']]]))!.matchBound, 20);
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

test('documentScores gives the scores ranking every match gives (SQLite: bm25 worked out from the stored text), few documents or many, and follows the index as it changes', async () => {
  const t = await testDatabase();
  try {
    const db = t.handle.db;
    const kind = t.handle.kind;
    const name = 'directory_service_search';
    const doc = (title: string, body: string) => ({ id: randomUUID(), title, body });
    const docs = [
      doc('Child Care Center', 'care for children, after school care'),
      doc('Primary Care Clinic', 'a medical clinic; primary-care physicians'),
      doc('Clinic', 'child dental clinic, no care given'),
      doc('Food Pantry', 'food for families; child nutrition'),
      doc('Legal Aid', 'lawyers and attorneys for tenants'),
      doc('Escuela de inglés', 'clases de inglés, education for adults'),
      doc('Daycare', 'childcare and daycare for working parents'),
      doc('Shelter', 'emergency shelter and housing, shelters for families'),
      ...Array.from({ length: 30 }, (_, i) => doc(`Office ${i}`, `general services number ${i} and more words`)),
    ];
    await indexDocuments(db, name, docs);
    const { searchMatches } = await import('./search.ts');
    const queries = [
      [[['child']], [['care']]],
      [[['guarderia'], ['childcare'], ['child', 'care'], ['daycare']]],
      [[['doctor'], ['medical'], ['clinic'], ['primary', 'care'], ['physician']]],
      [[['shelter'], ['housing']], [['famil']]],
      [[['legal'], ['lawyer'], ['attorney']]],
      [[['ingles'], ['english']], [['clases'], ['education']]],
      [[['food']], [['food'], ['pantry']]],
    ];
    const all = docs.map((d) => d.id);
    for (const query of queries) {
      const full = new Map((await db.selectFrom(searchMatches(kind, name, query)!.as('m')).select(['m.doc_id', 'm.score']).execute()).map((r) => [String(r.doc_id), Number(r.score)]));
      assert.ok(full.size > 0, JSON.stringify(query));
      // All documents (the index finds the matches among them), and one at a time (each read and scored).
      const many = await documentScores(db, kind, name, query, all);
      const one = new Map<string, number>();
      for (const id of all) for (const [k, v] of await documentScores(db, kind, name, query, [id])) one.set(k, v);
      for (const got of [many, one]) {
        assert.deepEqual([...got.keys()].sort(), [...full.keys()].sort(), `the matches of ${JSON.stringify(query)}`);
        for (const [id, s] of full) assert.ok(Math.abs(got.get(id)! - s) <= 1e-12 * Math.max(1, Math.abs(s)), `${JSON.stringify(query)}: ${got.get(id)} against ${s}`);
      }
    }
    // SQLite: the index changes behind this process's back (another process writes): the word counts kept are not
    // used for the new state. (PostgreSQL keeps its counts for FREQUENCY_TTL_MS; the first test.)
    if (kind !== 'sqlite') return;
    const query = [[['child']], [['care']]];
    const before = await documentScores(db, kind, name, query, [docs[0].id]);
    // Written behind the index's back (not through indexDocuments), as another process's change is seen here.
    await db.insertInto(name).values({ doc_id: randomUUID(), title: 'child care', body: 'child care' }).execute();
    const after = await documentScores(db, kind, name, query, [docs[0].id]);
    const full = (await db.selectFrom(searchMatches(kind, name, query)!.as('m')).select('m.score').where('m.doc_id', '=', docs[0].id).executeTakeFirst()) as { score: unknown };
    assert.notEqual(after.get(docs[0].id), before.get(docs[0].id), 'a document more with the words: a lower score');
    assert.ok(Math.abs(after.get(docs[0].id)! - Number(full.score)) <= 1e-12, `${after.get(docs[0].id)} against ${full.score}`);
  } finally {
    await t.drop();
  }
});

test('a place search scores the documents asked about without ranking every match of the query in the index', async () => {
  const td = await testDatabase();
  const seen: { sql: string; parameters: readonly unknown[] }[] = [];
  const handle = openDatabase(td.config, { onQuery: (s, parameters) => seen.push({ sql: s, parameters }) });
  try {
    const db = handle.db;
    const name = 'directory_service_search';
    const docs = Array.from({ length: 4000 }, (_, i) => ({ id: randomUUID(), title: `Service ${i}`, body: i % 2 === 0 ? 'shelter beds tonight' : 'food pantry' }));
    await indexDocuments(db, name, docs);
    await sql`analyze ${sql.table(name)}`.execute(db);
    // A place search asks for the scores of the services near it, here of a word more common than the counts of
    // rankStatistics go (FREQUENCY_CAP).
    const wanted = docs.slice(0, 3000);
    await rankStatistics(db, name, [[['shelter']]]);
    seen.length = 0;
    const scores = await documentScores(db, handle.kind, name, [[['shelter']]], wanted.map((d) => d.id));
    assert.equal(scores.size, wanted.filter((d) => d.body.startsWith('shelter')).length, 'the matching ones, scored');
    if (handle.kind === 'sqlite') {
      // SQLite: FTS5's bm25() walks the whole list of every word of the query (every match of a common word) for
      // each statement; the scores are worked out from the stored text of the documents asked about instead.
      assert.deepEqual(seen.filter((s) => /\bbm25\(/.test(s.sql)).map((s) => s.sql), [], 'no statement ranks with bm25()');
      return;
    }
    const [st] = seen.filter((s) => /ts_rank/.test(s.sql));
    assert.ok(st, 'one scoring statement');
    // A table of a few thousand rows is read whole; with that priced out, the plan shows which index would serve.
    const explained = await db.connection().execute(async (c) => {
      await c.executeQuery(CompiledQuery.raw('set enable_seqscan = off'));
      try {
        return await c.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${st.sql}`, [...st.parameters]));
      } finally {
        await c.executeQuery(CompiledQuery.raw('reset enable_seqscan'));
      }
    });
    const text = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    // Walking the GIN index for the query reads every match of the query: for a common word 83,000 at 500,000
    // services, 80 to 270 ms a statement, to keep the few hundred asked for. The ids find the rows, each tested alone.
    assert.doesNotMatch(text, new RegExp(`${name}_tsv`), text);
  } finally {
    await handle.close();
    await td.drop();
  }
});

test('a set of matching keys (SQLite) holds the documents the index matches, is kept for one state, found again for a newer one and never kept from a transaction', async () => {
  const t = await testDatabase();
  try {
    const db = t.handle.db;
    const kind = t.handle.kind;
    const name = 'directory_service_search';
    // Enough documents for keys past a few bytes of the set; "alpha" in every third, "beta" in every fifth.
    const docs = Array.from({ length: 200 }, (_, i) => ({ id: randomUUID(), title: `Service ${i}`, body: `${i % 3 === 0 ? 'alpha ' : ''}${i % 5 === 0 ? 'beta' : 'gamma'}` }));
    await indexDocuments(db, name, docs);
    const query: SearchQuery = [[['alpha']]];
    if (kind !== 'sqlite') {
      assert.equal(await matchingKeySet(db, kind, name, query, 1), undefined, 'PostgreSQL tests the text in its own statements');
      return;
    }
    // What the set holds, read back through SQL, against what the index matches.
    const held = async (set: KeySet) =>
      (await db.selectFrom(name).select(sql<number>`rowid`.as('k')).where(set.contains('rowid')).execute()).map((r) => Number(r.k)).sort((a, b) => a - b);
    const matched = async (q: SearchQuery) => (await db.selectFrom(matchingKeys(kind, name, q)!.as('m')).select('m.doc_key').execute()).map((r) => Number(r.doc_key)).sort((a, b) => a - b);
    for (const q of [query, [[['beta']]], [[['alpha']], [['beta']]], [[['alpha'], ['beta']]], [[['alp', 'gam']]], [[['zzyzx']]]] as SearchQuery[]) {
      const set: KeySet = (await matchingKeySet(db, kind, name, q, 1))!;
      const want = await matched(q);
      assert.deepEqual(await held(set), want, JSON.stringify(q));
      assert.equal(set.size, want.length);
    }
    assert.equal((await matchingKeySet(db, kind, name, [[['zzyzx']]], 1))!.size, 0);
    const before = (await matchingKeySet(db, kind, name, query, 1))!.size;
    // A document written behind the index's back: the set kept for state 1 is used while the caller says 1.
    await db.insertInto(name).values({ doc_id: randomUUID(), title: 'Late', body: 'alpha' }).execute();
    assert.equal((await matchingKeySet(db, kind, name, query, 1))!.size, before, 'kept for its state');
    assert.equal((await matchingKeySet(db, kind, name, query))!.size, before + 1, 'without a state, found again');
    assert.equal((await matchingKeySet(db, kind, name, query, 2))!.size, before + 1, 'a newer state: found again');
    // Inside a transaction the set sees its writes and is not kept: after the rollback the state's set is the committed one.
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto(name).values({ doc_id: randomUUID(), title: 'Uncommitted', body: 'alpha' }).execute();
        assert.equal((await matchingKeySet(trx, kind, name, query, 3))!.size, before + 2, 'its own write seen');
        throw new Error('rollback');
      })
      .catch((err: Error) => assert.equal(err.message, 'rollback'));
    assert.equal((await matchingKeySet(db, kind, name, query, 3))!.size, before + 1, 'the rolled back document is not in the set of state 3');
  } finally {
    await t.drop();
  }
});

test('a kept set (SQLite) is built from the sets of the words of its query: each word found once for a state, serving every query that has it, the sets combined equal to the whole query\'s', async () => {
  const td = await testDatabase();
  try {
    if (td.handle.kind !== 'sqlite') return;
    const seen: string[] = [];
    const handle = openDatabase(td.config, { onQuery: (s) => seen.push(s) });
    const db = handle.db;
    const kind = handle.kind;
    const name = 'directory_service_search';
    try {
      // Words in overlapping documents, a prefix of another word ("alp" of "alpha" and "alpine"), a word beyond ASCII.
      const words = ['alpha', 'alpine', 'beta', 'gamma', 'delta', 'educación'];
      const docs = Array.from({ length: 300 }, (_, i) => ({ id: randomUUID(), title: `Service ${i}`, body: words.filter((_, w) => i % (w + 2) === 0).join(' ') || 'other' }));
      await indexDocuments(db, name, docs);
      const held = async (set: KeySet) =>
        (await db.selectFrom(name).select(sql<number>`rowid`.as('k')).where(set.contains('rowid')).execute()).map((r) => Number(r.k)).sort((a, b) => a - b);
      const queries: SearchQuery[] = [
        [[['alpha'], ['beta'], ['gamma', 'delta']]],
        [[['alp']], [['beta'], ['delta']]],
        [[['beta']]],
        [[['gamma', 'delta'], ['educacion']], [['alpha'], ['zzyzx']]],
        [[['zzyzx']]],
        [[['alpine', 'beta', 'gamma']]],
      ];
      for (const q of queries) {
        const kept = (await matchingKeySet(db, kind, name, q, 1))!;
        // Without a state the whole query is found in one statement: the same documents.
        const whole = (await matchingKeySet(db, kind, name, q))!;
        assert.deepEqual(await held(kept), await held(whole), JSON.stringify(q));
        assert.equal(kept.size, whole.size, JSON.stringify(q));
      }
      // A document written behind the index's back: every word already found for state 1 is kept, whichever query
      // it came with ("beta" alone, "delta" or "gamma" with another), and a query of such words finds nothing new.
      const before = (await matchingKeySet(db, kind, name, [[['beta'], ['delta'], ['gamma']]], 1))!.size;
      await db.insertInto(name).values({ doc_id: randomUUID(), title: 'Late', body: 'beta delta gamma' }).execute();
      seen.length = 0;
      assert.equal((await matchingKeySet(db, kind, name, [[['delta'], ['gamma'], ['beta']]], 1))!.size, before, 'built from the kept words');
      assert.equal((await matchingKeySet(db, kind, name, [[['beta'], ['gamma']]], 2))!.size > 0, true);
      assert.equal(seen.filter((s) => /json_group_array/.test(s)).length, 2, 'a newer state finds each word again, once');
      seen.length = 0;
      await matchingKeySet(db, kind, name, [[['gamma'], ['beta']], [['beta']]], 2);
      assert.equal(seen.length, 0, 'nothing read: both words kept for state 2');
      // Scores worked out for that state count each word's documents from its kept set, not by a count of the index.
      const ids = docs.slice(0, 40).map((d) => d.id);
      seen.length = 0;
      const scored = await documentScores(db, kind, name, [[['beta'], ['gamma']]], ids, undefined, 2);
      assert.equal(seen.filter((s) => /count\(\*\)/i.test(s)).length, 0, seen.join('\n'));
      assert.equal(scored.size > 0, true);
      const fresh = await documentScores(db, kind, name, [[['beta'], ['gamma']]], ids);
      // The late document (in state 2's sets) counts in both: the same scores.
      assert.deepEqual([...scored].sort(), [...fresh].sort());
    } finally {
      await handle.close();
    }
  } finally {
    await td.drop();
  }
});

test('scores worked out in code (SQLite) are kept for one state of the index: the same scores, not worked out again for that state, worked out again for a newer one', async () => {
  const t = await testDatabase();
  try {
    const db = t.handle.db;
    const kind = t.handle.kind;
    const name = 'directory_service_search';
    const docs = Array.from({ length: 60 }, (_, i) => ({ id: randomUUID(), title: i % 4 === 0 ? 'Alpha clinic' : `Service ${i}`, body: i % 3 === 0 ? 'alpha alpha beta' : 'gamma delta' }));
    await indexDocuments(db, name, docs);
    const query: SearchQuery = [[['alpha']]];
    const ids: string[] = docs.map((d) => d.id);
    const fresh = await documentScores(db, kind, name, query, ids);
    const first = await documentScores(db, kind, name, query, ids, undefined, 1);
    assert.deepEqual([...first].sort(), [...fresh].sort(), 'the same scores, with or without a state');
    // Half asked first, then all: the second call scores only the other half, and the answers are the same.
    const half = await documentScores(db, kind, name, query, ids.slice(0, 30), undefined, 2);
    assert.deepEqual([...half].sort(), [...fresh].filter(([id]) => ids.slice(0, 30).includes(id)).sort());
    assert.deepEqual([...(await documentScores(db, kind, name, query, ids, undefined, 2))].sort(), [...fresh].sort());
    // PostgreSQL keeps none (its statistics are counted apart from the data's version, rankStatistics).
    if (kind !== 'sqlite') return;
    // A document written behind the index's back changes every score (one more document has the word).
    await db.insertInto(name).values({ doc_id: randomUUID(), title: 'Late', body: 'alpha' }).execute();
    const after = await documentScores(db, kind, name, query, ids);
    assert.notDeepEqual([...after].sort(), [...fresh].sort());
    const same = await documentScores(db, kind, name, query, ids, undefined, 2);
    const newer = await documentScores(db, kind, name, query, ids, undefined, 3);
    assert.deepEqual([...newer].sort(), [...after].sort(), 'a newer state: worked out again');
    assert.deepEqual([...same].sort(), [...fresh].sort(), 'kept for state 2');
  } finally {
    await t.drop();
  }
});
