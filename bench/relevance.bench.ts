import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testApp } from '../src/platform/testing.ts';
import { searchServices, type SearchParams } from '../src/modules/directory/search.ts';
import { loadCorpus } from './relevance/corpus.ts';

/**
 * Directory search relevance (issue 13): a judged set of queries (bench/relevance/judgments.json) over the demo seed
 * and the shared HSDS datasets, each run through searchServices as the public API runs it (unvetted, no facets),
 * scored by precision@10 (results graded 2 or 3 among the first ten, over ten) and nDCG@10 (gain 2^grade - 1,
 * against the ideal order of every judged service). Services not judged for a query count as grade 0.
 * Figures per query, per class (text, place, filters, Spanish) and overall. The judgments name services by id and
 * carry each one's name and a one-line reason, so that a reader can check them.
 * RELEVANCE_SHOW=N also prints each query's first N results with their grades (to judge new results).
 */
export interface Judged {
  id: string;
  name: string;
  grade: 0 | 1 | 2 | 3;
  why: string;
}
export interface JudgedQuery {
  id: string;
  class: 'text' | 'place' | 'filters' | 'spanish';
  /** The dataset whose services the query is about: skipped when it does not load. */
  dataset: string;
  params: Omit<SearchParams, 'page' | 'perPage' | 'vetted'>;
  judged: Judged[];
}

export const JUDGMENTS = join(import.meta.dirname, 'relevance', 'judgments.json');

export function readJudgments(): JudgedQuery[] {
  return JSON.parse(readFileSync(JUDGMENTS, 'utf8')).queries as JudgedQuery[];
}

const K = 10;

export function precisionAt(ids: string[], grades: Map<string, number>, k = K): number {
  return ids.slice(0, k).filter((id) => (grades.get(id) ?? 0) >= 2).length / k;
}

export function ndcgAt(ids: string[], grades: Map<string, number>, k = K): number {
  const dcg = (gs: number[]) => gs.slice(0, k).reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...grades.values()].sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ids.map((id) => grades.get(id) ?? 0)) / ideal;
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  const t = await testApp();
  try {
    const loaded = await loadCorpus(t.ctx, console.log);
    const loadMs = performance.now() - t0;
    const db = t.db.handle.db;
    const kind = t.db.handle.kind;
    const show = Number(process.env.RELEVANCE_SHOW ?? 0);
    const queries = readJudgments();
    const rows: { q: JudgedQuery; p: number; n: number }[] = [];
    console.log(`\n${'query'.padEnd(44)} ${'class'.padEnd(8)} ${'P@10'.padStart(5)} ${'nDCG@10'.padStart(8)}`);
    for (const q of queries) {
      if (!loaded.has(q.dataset)) {
        console.log(`${q.id.padEnd(44)} skipped: dataset ${q.dataset} not loaded`);
        continue;
      }
      const r = await searchServices(db, kind, { ...q.params, page: 1, perPage: Math.max(K, show), vetted: false, facets: false });
      const ids = r.hits.map((h) => h.serviceId);
      const grades = new Map(q.judged.map((j) => [j.id, j.grade]));
      const p = precisionAt(ids, grades);
      const n = ndcgAt(ids, grades);
      rows.push({ q, p, n });
      console.log(`${q.id.padEnd(44)} ${q.class.padEnd(8)} ${p.toFixed(2).padStart(5)} ${n.toFixed(3).padStart(8)}`);
      if (show && ids.length) {
        const names = new Map((await db.selectFrom('directory_service').select(['id', 'name']).where('id', 'in', ids).execute()).map((s) => [String(s.id), String(s.name)]));
        r.hits.slice(0, show).forEach((h, i) => console.log(`    ${String(i + 1).padStart(2)}. [${grades.has(h.serviceId) ? grades.get(h.serviceId) : '?'}] ${h.serviceId} ${names.get(h.serviceId)}${h.distance !== undefined ? ` (${h.distance.toFixed(1)} mi)` : ''}`));
      }
    }
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    console.log(`\n${'class'.padEnd(10)} ${'queries'.padStart(7)} ${'P@10'.padStart(6)} ${'nDCG@10'.padStart(8)}`);
    for (const c of ['text', 'place', 'filters', 'spanish', 'overall']) {
      const of = rows.filter((r) => c === 'overall' || r.q.class === c);
      console.log(`${c.padEnd(10)} ${String(of.length).padStart(7)} ${mean(of.map((r) => r.p)).toFixed(3).padStart(6)} ${mean(of.map((r) => r.n)).toFixed(3).padStart(8)}`);
    }
    console.log(`\n${rows.length} queries over ${[...loaded].join(', ')}; corpus loaded in ${(loadMs / 1000).toFixed(1)} s, whole run ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await t.close();
  }
}
