import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { openDatabase } from '../../platform/db/index.ts';
import { generateDirectory } from './generate.ts';
import { expandQuery, searchServices, TEXT_RANKED } from './search.ts';
import { documentScores, searchMatches } from '../../platform/db/search.ts';
import { uuidv5 } from './model.ts';
import { reindexServices, SEARCH_INDEX } from './store.ts';

test('a text search matching more services than are ranked: every match counted, a thousand ranked, the page says so', { timeout: 300_000 }, async () => {
  const t = await testApp();
  try {
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const n = TEXT_RANKED + 500;
    await generateDirectory(t.ctx, n);
    // Every generated description ends "... and the surrounding area".
    const r = await searchServices(db, kind, { q: 'area', page: 1, perPage: 20, vetted: false });
    assert.equal(r.total, n, 'every match is counted');
    assert.deepEqual(r.bounded, { ranked: TEXT_RANKED, more: false });
    assert.equal(r.hits.length, 20);
    for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i - 1].score >= r.hits[i].score, 'best first');
    // The facets are those of the ranked matches: each generated service meets one need.
    assert.equal(Object.values(r.facets.need).reduce((a, b) => a + b, 0), TEXT_RANKED);
    const last = await searchServices(db, kind, { q: 'area', page: TEXT_RANKED / 20, perPage: 20, vetted: false });
    assert.equal(last.hits.length, 20);
    const past = await searchServices(db, kind, { q: 'area', page: TEXT_RANKED / 20 + 1, perPage: 20, vetted: false });
    assert.equal(past.hits.length, 0, 'no page past the ranked matches');
    assert.equal(past.total, n);
    // A narrower search is not bounded.
    const narrow = await searchServices(db, kind, { q: 'apprenticeship', page: 1, perPage: 20, vetted: false });
    assert.ok(narrow.total > 0 && narrow.total < TEXT_RANKED, `${narrow.total} apprenticeships`);
    assert.equal(narrow.bounded, undefined);

    for (const [lang, text] of [
      ['en', `This search matches ${n.toLocaleString('en')} services; ${TEXT_RANKED.toLocaleString('en')} of them are listed`],
      ['es', `Esta búsqueda coincide con ${n.toLocaleString('es')} servicios; se muestran ${TEXT_RANKED.toLocaleString('es')} de ellos`],
    ]) {
      const page = await t.app.inject({ method: 'GET', url: '/directory?q=area', headers: { 'accept-language': lang } });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(text), `${lang}: ${text}`);
      assert.doesNotMatch(page.body, new RegExp(`page=${TEXT_RANKED / 20 + 1}\\b`), 'no link past the ranked matches');
    }
    const api = await t.app.inject({ method: 'GET', url: '/api/hsds/services?search=area&per_page=50' });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().total_items, n);

    // Pages of a bounded search are stable: walked through, they list each ranked match once, and again the same.
    const walk = async () => {
      const ids: string[] = [];
      for (let page = 1; page <= TEXT_RANKED / 100; page++) ids.push(...(await searchServices(db, kind, { q: 'area', page, perPage: 100, vetted: false, facets: false })).hits.map((h) => h.serviceId));
      return ids;
    };
    const walked = await walk();
    assert.equal(new Set(walked).size, TEXT_RANKED, 'no service on two pages');
    assert.deepEqual(await walk(), walked, 'the same pages the second time');

    // The ranked matches are taken from the index, those named for the words first: a service renamed to carry the
    // word (reindexed, so last in the index's order) comes first, although it is not among the first thousand.
    const renamed = uuidv5('generated:svc:7');
    await db.updateTable('directory_service').set({ name: 'Area Youth Hub' }).where('id', '=', renamed).execute();
    await reindexServices(db, [renamed]);
    const named = await searchServices(db, kind, { q: 'area', page: 1, perPage: 20, vetted: false, facets: false });
    assert.equal(named.hits[0]?.serviceId, renamed, 'the service named for the word is first');
    assert.equal(named.total, n);
    // Only the documents taken are scored, and as ranking every match scores them (firstMatches; documentScores,
    // which the place searches use).
    const query = expandQuery('area');
    const ids = named.hits.map((h) => h.serviceId);
    const full = new Map((await db.selectFrom(searchMatches(kind, SEARCH_INDEX, query)!.as('m')).select(['m.doc_id', 'm.score']).where('m.doc_id', 'in', ids).execute()).map((r) => [String(r.doc_id), Number(r.score)]));
    const scored = await documentScores(db, kind, SEARCH_INDEX, query, ids);
    for (const h of named.hits) {
      assert.ok(Math.abs(h.score - full.get(h.serviceId)!) < 1e-9, `${h.score} ranked, ${full.get(h.serviceId)} in full`);
      assert.ok(Math.abs(scored.get(h.serviceId)! - full.get(h.serviceId)!) < 1e-9, `${scored.get(h.serviceId)} scored, ${full.get(h.serviceId)} in full`);
    }

    // The count comes from the index alone, which holds only the services search can find: a service closed for
    // good leaves it, and leaves the count.
    const closed = [1, 2, 3].map((i) => uuidv5(`generated:svc:${i}`));
    await db.updateTable('directory_service').set({ status: 'defunct' }).where('id', 'in', closed).execute();
    await reindexServices(db, closed);
    assert.equal(await indexed(closed), 0, 'no document of a defunct service');
    const after = await searchServices(db, kind, { q: 'area', page: 1, perPage: 20, vetted: false });
    assert.equal(after.total, n - closed.length);
    assert.ok(!(await walk()).some((id) => closed.includes(id)), 'no defunct service listed');
    const apiAfter = await t.app.inject({ method: 'GET', url: '/api/hsds/services?search=area&per_page=50' });
    assert.equal(apiAfter.json().total_items, n - closed.length);

    async function indexed(ids: string[]): Promise<number> {
      return (await db.selectFrom(SEARCH_INDEX).select('doc_id').where('doc_id', 'in', ids).execute()).length;
    }
  } finally {
    await t.close();
  }
});

test('text alone on SQLite counts its matches from the sets of its words kept for the data version: the same words on another page count nothing, a write counts again', { timeout: 300_000 }, async () => {
  const t = await testApp();
  try {
    const kind = t.db.handle.kind;
    const n = TEXT_RANKED + 100;
    await generateDirectory(t.ctx, n);
    const seen: string[] = [];
    const handle = openDatabase(t.db.config, { onQuery: (s) => seen.push(s) });
    try {
      const db = handle.db;
      const first = await searchServices(db, kind, { q: 'area', page: 1, perPage: 20, vetted: false, facets: false });
      assert.equal(first.total, n);
      seen.length = 0;
      const second = await searchServices(db, kind, { q: 'area', page: 2, perPage: 20, vetted: false, facets: false });
      assert.equal(second.total, n);
      if (kind === 'sqlite') assert.deepEqual(seen.filter((s) => /count\(|json_group_array/i.test(s)), [], 'nothing counted: the word\'s set is kept');
      // A write that changes the directory is a new version: its count sees the change.
      const closed = uuidv5('generated:svc:5');
      await db.updateTable('directory_service').set({ status: 'defunct' }).where('id', '=', closed).execute();
      await reindexServices(db, [closed]);
      assert.equal((await searchServices(db, kind, { q: 'area', page: 2, perPage: 20, vetted: false, facets: false })).total, n - 1);
    } finally {
      await handle.close();
    }
  } finally {
    await t.close();
  }
});
