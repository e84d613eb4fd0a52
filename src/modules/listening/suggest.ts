/**
 * Candidate themes computed locally: TF-IDF vectors over texts, average-linkage agglomerative clustering on
 * cosine similarity, each group named by its heaviest terms. No randomness and no network: the same texts give
 * the same suggestions. Texts are ordered by their content (then id) first, so the order rows come back from the
 * database does not matter either. Groups are kept as sparse sums of their members' vectors, and large sets are
 * clustered in blocks of answers sharing their heaviest term (see `agglomerate`), so 10,000 answers take about a
 * second in bounded memory.
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

/** Unit TF-IDF vectors; document frequencies are counted from `docs` unless given. */
export function tfidf(docs: string[][], givenDf?: Map<string, number>, givenN?: number): Vec[] {
  let df = givenDf;
  if (!df) {
    df = new Map<string, number>();
    for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const n = givenN ?? docs.length;
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d) tf.set(w, (tf.get(w) ?? 0) + 1);
    const v: Vec = new Map();
    let norm = 0;
    for (const [w, c] of [...tf].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const x = (1 + Math.log(c)) * Math.log((1 + n) / (1 + (df!.get(w) ?? 0)) + 1);
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
  /** Vocabulary: the terms found in the most answers (ties by the term), at most this many. */
  maxVocabulary?: number;
  /** Largest number of groups clustered together in one pass (see `agglomerate`). */
  blockSize?: number;
}

export function fingerprintOf(ids: string[]): string {
  return createHash('sha256').update([...ids].sort().join('\n')).digest('hex').slice(0, 24);
}

/** A sparse vector: term ids in increasing order and their weights. */
interface Sparse {
  ids: Int32Array;
  xs: Float64Array;
}

/** A group of answers: the sum of their unit vectors, its size and its members (indexes of sorted texts). */
interface Group {
  sum: Sparse;
  size: number;
  members: number[];
  /** Average similarity of all pairs of members, self-pairs included: |sum|² / size². */
  cohesion: number;
}

function sparseOf(m: Map<number, number>): Sparse {
  const ids = Int32Array.from([...m.keys()].sort((a, b) => a - b));
  const xs = Float64Array.from(ids, (id) => m.get(id)!);
  return { ids, xs };
}

function addSparse(a: Sparse, b: Sparse): Sparse {
  const ids: number[] = [];
  const xs: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.ids.length || j < b.ids.length) {
    const x = i < a.ids.length ? a.ids[i] : Infinity;
    const y = j < b.ids.length ? b.ids[j] : Infinity;
    if (x === y) {
      ids.push(x);
      xs.push(a.xs[i++] + b.xs[j++]);
    } else if (x < y) {
      ids.push(x);
      xs.push(a.xs[i++]);
    } else {
      ids.push(y);
      xs.push(b.xs[j++]);
    }
  }
  return { ids: Int32Array.from(ids), xs: Float64Array.from(xs) };
}

function selfDot(a: Sparse): number {
  let s = 0;
  for (let i = 0; i < a.xs.length; i++) s += a.xs[i] * a.xs[i];
  return s;
}

function heaviest(a: Sparse): number {
  let best = -1;
  let w = -Infinity;
  for (let i = 0; i < a.ids.length; i++) {
    if (a.xs[i] > w + 1e-12) {
      w = a.xs[i];
      best = a.ids[i];
    }
  }
  return best;
}

const NEAR = 1e-12;

/**
 * Average-linkage agglomerative clustering of a few groups at once, exactly: the average similarity of two groups
 * of unit vectors is the dot product of their sums divided by the product of their sizes, and merging adds the
 * sums. Each row keeps its best partner further along, so a merge costs one pass over the rows rather than a scan
 * of the whole matrix. Ties go to the earlier pair.
 */
function exact(groups: Group[], threshold: number, dim: number): Group[] {
  const m = groups.length;
  if (m < 2) return groups;
  const sim = new Float64Array(m * m);
  const dense = new Float64Array(dim);
  for (let i = 0; i < m; i++) {
    const a = groups[i].sum;
    for (let t = 0; t < a.ids.length; t++) dense[a.ids[t]] = a.xs[t];
    for (let j = i + 1; j < m; j++) {
      const b = groups[j].sum;
      let s = 0;
      for (let t = 0; t < b.ids.length; t++) s += dense[b.ids[t]] * b.xs[t];
      const v = s / (groups[i].size * groups[j].size);
      sim[i * m + j] = v;
      sim[j * m + i] = v;
    }
    for (let t = 0; t < a.ids.length; t++) dense[a.ids[t]] = 0;
  }
  const size = groups.map((g) => g.size);
  const alive = new Uint8Array(m).fill(1);
  const members = groups.map((g) => [...g.members]);
  const sums = groups.map((g) => g.sum);
  const bestVal = new Float64Array(m).fill(-Infinity);
  const bestIdx = new Int32Array(m).fill(-1);
  const rescan = (i: number) => {
    let b = -Infinity;
    let bj = -1;
    const row = i * m;
    for (let j = i + 1; j < m; j++) {
      if (alive[j] && sim[row + j] > b + NEAR) {
        b = sim[row + j];
        bj = j;
      }
    }
    bestVal[i] = b;
    bestIdx[i] = bj;
  };
  for (let i = 0; i < m; i++) rescan(i);
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    for (let i = 0; i < m; i++) {
      if (alive[i] && bestIdx[i] >= 0 && bestVal[i] > best + NEAR) {
        best = bestVal[i];
        bi = i;
      }
    }
    if (bi < 0 || best < threshold) break;
    const bj = bestIdx[bi];
    alive[bj] = 0;
    for (let k = 0; k < m; k++) {
      if (!alive[k] || k === bi) continue;
      const v = (size[bi] * sim[bi * m + k] + size[bj] * sim[bj * m + k]) / (size[bi] + size[bj]);
      sim[bi * m + k] = v;
      sim[k * m + bi] = v;
    }
    size[bi] += size[bj];
    members[bi].push(...members[bj]);
    sums[bi] = addSparse(sums[bi], sums[bj]);
    rescan(bi);
    // Rows before bi see a changed value at bi, and rows before bj lost a partner.
    for (let k = 0; k < bj; k++) {
      if (!alive[k] || k === bi) continue;
      if (bestIdx[k] === bj || bestIdx[k] === bi) rescan(k);
      else if (k < bi && sim[k * m + bi] > bestVal[k] - NEAR) rescan(k);
    }
  }
  const out: Group[] = [];
  for (let i = 0; i < m; i++) {
    if (alive[i]) out.push({ sum: sums[i], size: size[i], members: members[i], cohesion: selfDot(sums[i]) / (size[i] * size[i]) });
  }
  return out;
}

/**
 * Average linkage for any number of answers in bounded memory and time. Up to `block` groups are clustered exactly.
 * Beyond that, groups are ordered by their heaviest term (then by their first member) and clustered in blocks of
 * `block`, so answers about the same thing meet in the same block; the groups that come out are clustered again,
 * the same way, until they fit in one block. Rounds that no longer merge anything stop after a few tries, and then
 * only the largest `block` groups (then the most cohesive, then the earliest) go to the final pass: the rest are
 * groups too small to be among the suggestions. Everything depends only on the sorted texts.
 */
function agglomerate(groups: Group[], threshold: number, dim: number, block: number): Group[] {
  let cur = groups;
  let stalled = 0;
  while (cur.length > block) {
    const keyed = cur.map((g) => ({ g, key: heaviest(g.sum), first: Math.min(...g.members) }));
    keyed.sort((a, b) => a.key - b.key || a.first - b.first);
    const next: Group[] = [];
    for (let i = 0; i < keyed.length; i += block) next.push(...exact(keyed.slice(i, i + block).map((k) => k.g), threshold, dim));
    stalled = next.length > cur.length * 0.95 ? stalled + 1 : 0;
    cur = next;
    if (stalled >= 3) {
      cur = [...cur].sort((a, b) => b.size - a.size || b.cohesion - a.cohesion || Math.min(...a.members) - Math.min(...b.members)).slice(0, block);
      break;
    }
  }
  return exact(cur, threshold, dim);
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
  // Vocabulary: the most widespread terms; the rest are too rare to bring answers together.
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d.toks)) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = [...df].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, opts.maxVocabulary ?? 5000);
  vocab.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const termId = new Map(vocab.map(([w], i) => [w, i]));
  const terms = vocab.map(([w]) => w);
  const vecs = tfidf(docs.map((d) => d.toks.filter((w) => termId.has(w))), df, n);
  const groups: Group[] = vecs.map((v, i) => {
    const m = new Map<number, number>();
    for (const [w, x] of v) m.set(termId.get(w)!, x);
    return { sum: sparseOf(m), size: 1, members: [i], cohesion: v.size ? 1 : 0 };
  });
  const clusters = agglomerate(groups, threshold, terms.length, Math.max(2, opts.blockSize ?? 800));
  const out: Suggestion[] = [];
  for (const g of clusters) {
    if (g.members.length < minSize) continue;
    const order = [...g.sum.ids.keys()].sort((a, b) => g.sum.xs[b] - g.sum.xs[a] || (terms[g.sum.ids[a]] < terms[g.sum.ids[b]] ? -1 : 1));
    const top = order.slice(0, opts.terms ?? 3).map((k) => terms[g.sum.ids[k]]);
    const ids = g.members.map((m) => docs[m].id).sort();
    out.push({ fingerprint: fingerprintOf(ids), label: top.join(', '), terms: top, member_ids: ids, cohesion: Math.round(g.cohesion * 1000) / 1000 });
  }
  out.sort((a, b) => b.member_ids.length - a.member_ids.length || b.cohesion - a.cohesion || (a.fingerprint < b.fingerprint ? -1 : 1));
  return out.slice(0, opts.maxSuggestions ?? 12);
}
