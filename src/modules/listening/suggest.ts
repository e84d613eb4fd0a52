/**
 * Candidate themes computed locally: TF-IDF vectors over texts, average-linkage agglomerative clustering on
 * cosine similarity, each group named by its heaviest terms. No randomness and no network: the same texts give
 * the same suggestions. Texts are ordered by their content (then id) first, so the order rows come back from the
 * database does not matter either.
 */
import { createHash } from 'node:crypto';

export interface SuggestDoc {
  id: string;
  text: string;
}

export interface Suggestion {
  fingerprint: string;
  label: string;
  terms: string[];
  member_ids: string[];
  cohesion: number;
}

const STOP = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours ' +
    'get got make made many much need needs one ones really still things thing way ways well within without lot lots even every able us them often since per new like use used using across know want wants go goes going us re ve ll don t s ' +
    'de la el en los las del por para con una un que se su sus es al lo'
  ).split(/\s+/),
);

/** Lower-case word tokens of three letters or more, without stop words, with a light plural/suffix folding. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().normalize('NFKC').match(/\p{L}[\p{L}'’-]*/gu) ?? []) {
    const w = raw.replace(/['’].*$/, '').replace(/-+$/, '');
    if (w.length < 3 || STOP.has(w)) continue;
    out.push(stem(w));
  }
  return out;
}

function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 4 && w.endsWith('es') && /(ss|x|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

type Vec = Map<string, number>;

export function tfidf(docs: string[][]): Vec[] {
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const n = docs.length;
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d) tf.set(w, (tf.get(w) ?? 0) + 1);
    const v: Vec = new Map();
    let norm = 0;
    for (const [w, c] of [...tf].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const x = (1 + Math.log(c)) * Math.log((1 + n) / (1 + (df.get(w) ?? 0)) + 1);
      v.set(w, x);
      norm += x * x;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [w, x] of v) v.set(w, x / norm);
    return v;
  });
}

export function cosine(a: Vec, b: Vec): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [w, x] of small) {
    const y = large.get(w);
    if (y !== undefined) s += x * y;
  }
  return s;
}

export interface SuggestOptions {
  /** Groups merge while their average similarity is at least this. */
  threshold?: number;
  minSize?: number;
  maxSuggestions?: number;
  terms?: number;
}

export function fingerprintOf(ids: string[]): string {
  return createHash('sha256').update([...ids].sort().join('\n')).digest('hex').slice(0, 24);
}

export function suggestThemes(input: SuggestDoc[], opts: SuggestOptions = {}): Suggestion[] {
  const threshold = opts.threshold ?? 0.12;
  const minSize = opts.minSize ?? 2;
  const docs = input
    .map((d) => ({ ...d, toks: tokens(d.text) }))
    .filter((d) => d.toks.length > 0)
    .sort((x, y) => (x.text < y.text ? -1 : x.text > y.text ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const n = docs.length;
  if (n < minSize) return [];
  const vecs = tfidf(docs.map((d) => d.toks));
  // Similarity between live clusters; Lance–Williams update for average linkage.
  const sim: Float64Array[] = vecs.map((a) => Float64Array.from(vecs.map((b) => cosine(a, b))));
  const size = new Array<number>(n).fill(1);
  const members: number[][] = docs.map((_, i) => [i]);
  const alive = new Array<boolean>(n).fill(true);
  for (;;) {
    let best = -1;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const row = sim[i];
      for (let j = i + 1; j < n; j++) {
        if (alive[j] && row[j] > best + 1e-12) {
          best = row[j];
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || best < threshold) break;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bi || k === bj) continue;
      const v = (size[bi] * sim[bi][k] + size[bj] * sim[bj][k]) / (size[bi] + size[bj]);
      sim[bi][k] = v;
      sim[k][bi] = v;
    }
    sim[bi][bi] = (size[bi] * size[bi] * sim[bi][bi] + size[bj] * size[bj] * sim[bj][bj] + 2 * size[bi] * size[bj] * best) / ((size[bi] + size[bj]) ** 2);
    size[bi] += size[bj];
    members[bi].push(...members[bj]);
    alive[bj] = false;
  }
  const out: Suggestion[] = [];
  for (let i = 0; i < n; i++) {
    if (!alive[i] || members[i].length < minSize) continue;
    const weight = new Map<string, number>();
    for (const m of members[i]) for (const [w, x] of vecs[m]) weight.set(w, (weight.get(w) ?? 0) + x);
    const terms = [...weight]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, opts.terms ?? 3)
      .map(([w]) => w);
    const ids = members[i].map((m) => docs[m].id).sort();
    out.push({ fingerprint: fingerprintOf(ids), label: terms.join(', '), terms, member_ids: ids, cohesion: Math.round(sim[i][i] * 1000) / 1000 });
  }
  out.sort((a, b) => b.member_ids.length - a.member_ids.length || b.cohesion - a.cohesion || (a.fingerprint < b.fingerprint ? -1 : 1));
  return out.slice(0, opts.maxSuggestions ?? 12);
}
