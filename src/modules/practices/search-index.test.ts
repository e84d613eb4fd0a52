/**
 * The practices search answers from an index each process keeps in memory (search-index.ts). A second connection to
 * the same database stands for a second app process: it sees every change made through the commands elsewhere,
 * rebuilds when the change log was pruned past it, counts facets as the facet rows do, and a warm search asks the
 * database a fixed few small questions (the regression this guards against: facet rows grouped per match in SQL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../platform/db/index.ts';
import { testApp } from '../../platform/testing.ts';
import * as commands from './commands.ts';
import { FACETS, searchPractices, type SearchParams } from './store.ts';
import { searchFilters } from './search.ts';
import { personCtx } from './testkit.ts';

const practice = (name: string, setting: string, domains: string[]) => ({ name, summary: `${name}: a practice for the search index test.`, populations: ['population.adults'], setting, outcome_domains: domains });

test('a second process sees changes, rebuilds past a pruned log, counts facets as the rows do, in a few queries', async () => {
  const t = await testApp();
  let capturing = false;
  const seen: string[] = [];
  const other = openDatabase(t.db.config, { onQuery: (sql) => capturing && seen.push(sql) });
  try {
    const manager = await personCtx(t, 'chair');
    await commands.createPractice(manager, practice('Housing navigation', 'community', ['housing_stability']));
    await commands.createPractice(manager, practice('Job coaching', 'workplace', ['employment', 'earnings']));
    const search = (q: Parameters<typeof searchFilters>[0], limit = 20) => searchPractices(other.db, other.kind, { ...searchFilters(q), limit, offset: 0 } as SearchParams);
    assert.equal((await search({})).total, 2);

    // Made elsewhere: found here by words, filter and facet, in name order (name matches first).
    const third = await commands.createPractice(manager, practice('Apprenticeship with coaching', 'workplace', ['employment']));
    const all = await search({});
    assert.deepEqual(all.items.map((p) => p.name), ['Apprenticeship with coaching', 'Housing navigation', 'Job coaching']);
    assert.deepEqual(all.facets.setting, [{ value: 'workplace', count: 2 }, { value: 'community', count: 1 }]);
    assert.deepEqual((await search({ setting: 'workplace', outcome: 'employment' })).items.map((p) => p.name), ['Apprenticeship with coaching', 'Job coaching']);
    assert.deepEqual((await search({ q: 'coach' })).items.map((p) => p.name), ['Apprenticeship with coaching', 'Job coaching']);
    assert.deepEqual((await search({ q: 'practice' })).total, 3, 'words of the summary count too');
    assert.deepEqual((await search({}, 1)).items.map((p) => p.name), ['Apprenticeship with coaching'], 'one page');

    // Renamed and moved elsewhere: the name order, the words and the facet follow.
    await commands.updatePractice(manager, third.id, { ...practice('Zoned apprenticeship', 'community', ['employment']), version: third.version });
    assert.deepEqual((await search({})).items.map((p) => p.name), ['Housing navigation', 'Job coaching', 'Zoned apprenticeship']);
    assert.equal((await search({ q: 'coach' })).total, 1);
    assert.deepEqual((await search({ setting: 'community' })).items.map((p) => p.name), ['Housing navigation', 'Zoned apprenticeship']);

    // The log pruned past this process's number: it rebuilds instead of missing the change.
    await commands.createPractice(manager, practice('Legal clinic', 'justice', ['legal_status']));
    await t.ctx.db.deleteFrom('practices_index_change').execute();
    const rebuilt = await search({ setting: 'justice' });
    assert.deepEqual(rebuilt.items.map((p) => p.name), ['Legal clinic']);

    // Facet counts over a match equal the facet rows of the matching practices.
    const match = await search({ outcome: 'employment' }, 100);
    const rows = await t.ctx.db.selectFrom('practices_facet').select(['facet', 'value']).where('practice_id', 'in', match.items.map((p) => p.id)).execute();
    const expected: Record<string, Record<string, number>> = {};
    for (const r of rows) if ((FACETS as readonly string[]).includes(r.facet)) (expected[r.facet] ??= {})[r.value] = (expected[r.facet]?.[r.value] ?? 0) + 1;
    for (const f of FACETS) assert.deepEqual(Object.fromEntries(match.facets[f].map((c) => [c.value, c.count])), expected[f] ?? {}, f);

    // Warm, a search with words and filters asks: the index's number, the text matches (all, by title), the page's
    // rows and their ratings. Never the facet rows.
    seen.length = 0;
    capturing = true;
    await search({ q: 'coaching', setting: 'workplace', outcome: 'employment' });
    capturing = false;
    assert.ok(seen.length <= 5, `a warm search ran ${seen.length} statements:\n${seen.join('\n')}`);
    assert.ok(!seen.some((s) => /practices_facet\b/.test(s)), `a warm search read the facet rows:\n${seen.join('\n')}`);
  } finally {
    await other.close();
    await t.close();
  }
});
