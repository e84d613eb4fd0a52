import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { generateDirectory } from './generate.ts';
import { searchServices, TEXT_RANKED } from './search.ts';

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
  } finally {
    await t.close();
  }
});
