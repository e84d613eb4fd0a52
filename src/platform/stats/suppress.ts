/**
 * Small-cell suppression for published counts. Cells from 1 to the threshold are hidden; so is the row total when
 * it is that small. When a row shows its total, a row with exactly one hidden cell would let a reader subtract the
 * visible cells from the total, so the smallest other non-zero visible cell is hidden too (complementary
 * suppression). Zero is shown: it reveals nobody.
 */

/** A published count; a hidden one says why: small itself, or hidden so that a small one cannot be worked out. */
export type Cell = { value: number; suppressed: false } | { value: null; suppressed: true; why?: 'small' | 'complementary' };

export interface SuppressedRow {
  cells: Cell[];
  total: Cell;
}

const hidden: Cell = { value: null, suppressed: true, why: 'small' };
const protecting: Cell = { value: null, suppressed: true, why: 'complementary' };
const shown = (value: number): Cell => ({ value, suppressed: false });

export function isSmall(n: number, threshold: number): boolean {
  return n >= 1 && n <= threshold;
}

export function suppressRow(values: number[], total: number, threshold: number): SuppressedRow {
  const hide = values.map((v) => isSmall(v, threshold));
  const totalHidden = isSmall(total, threshold);
  if (!totalHidden) {
    // The total is visible: a single hidden cell could be derived from it, so hide a second one.
    const hiddenNonZero = hide.filter(Boolean).length;
    if (hiddenNonZero === 1) {
      let pick = -1;
      for (let i = 0; i < values.length; i++) {
        if (hide[i] || values[i] === 0) continue;
        if (pick < 0 || values[i] < values[pick]) pick = i;
      }
      if (pick >= 0) hide[pick] = true;
      // No other non-zero cell: the hidden one equals the total minus zeros, so the total must go too.
      else return { cells: values.map((v, i) => (hide[i] ? hidden : shown(v))), total: protecting };
    }
  }
  const cellOf = (v: number, i: number) => (!hide[i] ? shown(v) : isSmall(v, threshold) ? hidden : protecting);
  return { cells: values.map(cellOf), total: totalHidden ? hidden : shown(total) };
}

/** One published count on its own: hidden when small. */
export function suppressCount(n: number, threshold: number): Cell {
  return isSmall(n, threshold) ? hidden : shown(n);
}

/**
 * Suppression across several tables published together. Each count is given as the records it counts (indices
 * into one list of records), so a count shown in one table and its breakdown shown in another are seen to be
 * linked: "declined, no capacity" by county in one table and all decline reasons with their total in another let a
 * reader subtract, even when each table on its own hides its small cells.
 *
 * Counts from 1 to the threshold are hidden (primary suppression). Then, while some hidden small count can still be
 * computed exactly from the visible ones (it is a linear combination of them), more visible non-zero counts are
 * hidden: for each such small count, the smallest of its own row (`rows` groups counts shown side by side), else the
 * smallest that shares records with it. Zero is shown. Returns which counts are hidden.
 *
 * "Computable" is decided by elimination over two small prime fields, after a seeded random projection of the records
 * onto as many dimensions as there are counts (which keeps every linear relation among the counts, and almost never
 * invents one). Both approximations can only err towards hiding more, except with a chance far below one in a
 * billion; a small count is taken as computable when either field says so.
 *
 * `weights` (by record index), when given, makes each count the sum of its records' weights rather than their number
 * (quantities reported by groups: each group one record weighing its quantity).
 */
export function suppressLinked(counts: readonly (readonly number[])[], threshold: number, rows: readonly (readonly number[])[] = [], weights?: readonly number[]): boolean[] {
  const sets = counts.map((members) => [...new Set(members)]);
  // A weighted record counts as its weight (a report of 25 posters is 25); a weighted count is the same linear
  // combination of its records, so what can be worked out is decided as for plain counts.
  const size = sets.map((m) => (weights ? m.reduce((sum, r) => sum + (weights[r] ?? 0), 0) : m.length));
  const hidden = size.map((n) => isSmall(n, threshold));
  const open = new Set(size.flatMap((n, i) => (isSmall(n, threshold) ? [i] : [])));
  if (!open.size) return hidden;

  // Records that fall in exactly the same counts are one unknown.
  const inCounts = new Map<number, number[]>();
  sets.forEach((members, c) => {
    for (const r of members) {
      const list = inCounts.get(r);
      if (list) list.push(c);
      else inCounts.set(r, [c]);
    }
  });
  const atomIds = new Map<string, number>();
  const atomsOf: Set<number>[] = sets.map(() => new Set<number>());
  for (const cs of inCounts.values()) {
    const key = cs.join(',');
    let a = atomIds.get(key);
    if (a === undefined) atomIds.set(key, (a = atomIds.size));
    for (const c of cs) atomsOf[c].add(a);
  }
  const fields = PRIMES.map((p, k) => projectedField(atomsOf, atomIds.size, p, 0x5eed + k));
  const rowOf = new Map<number, readonly number[]>();
  for (const row of rows) for (const c of row) rowOf.set(c, row);
  const smallestVisible = (list: Iterable<number>) => {
    let best = -1;
    for (const c of list) if (!hidden[c] && size[c] > 0 && (best < 0 || size[c] < size[best] || (size[c] === size[best] && c < best))) best = c;
    return best;
  };

  for (let guard = 0; guard <= counts.length; guard++) {
    const visible = hidden.flatMap((h, i) => (h ? [] : [i]));
    const bases = fields.map((f) => echelon(f, visible));
    const exposed = [...open].filter((c) => fields.some((f, k) => inSpan(bases[k], f.vectors[c], f.p)));
    // Hiding only shrinks what is visible, so a small count that cannot be computed now never can be later.
    for (const c of open) if (!exposed.includes(c)) open.delete(c);
    if (!exposed.length) return hidden;
    const picks = new Set<number>();
    for (const c of exposed) {
      let pick = smallestVisible(rowOf.get(c) ?? []);
      if (pick < 0) pick = smallestVisible(sets.flatMap((_, i) => ([...atomsOf[c]].some((a) => atomsOf[i].has(a)) ? [i] : [])));
      // Cannot happen (a computable count shares records with some visible count), but never loop without progress.
      if (pick < 0) return hidden.map(() => true);
      picks.add(pick);
    }
    for (const p of picks) hidden[p] = true;
  }
  return hidden;
}

// Below 2^15, so that residues and their products stay within 32-bit integers (fast arithmetic); two fields make
// an accidental loss of a relation in both vanishingly rare.
const PRIMES = [32_749, 32_719];

interface Field {
  p: number;
  vectors: Int32Array[];
}

/** Each count as a vector over GF(p): the sum of a random vector per record group it contains. */
function projectedField(atomsOf: Set<number>[], atoms: number, p: number, seed: number): Field {
  const dims = Math.min(atoms, atomsOf.length);
  let state = seed >>> 0;
  const random = () => {
    // xorshift32: reproducible, so that the same figures are always suppressed the same way.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % p;
  };
  const identity = dims === atoms;
  const basis = identity ? [] : Array.from({ length: atoms }, () => Int32Array.from({ length: dims }, random));
  const vectors = atomsOf.map((set) => {
    const v = new Int32Array(dims);
    for (const a of set) {
      if (identity) v[a] = 1;
      else {
        const r = basis[a];
        for (let j = 0; j < dims; j++) v[j] = (v[j] + r[j]) % p;
      }
    }
    return v;
  });
  return { p, vectors };
}

interface Basis {
  /** Reduced rows (pivot entry 1), each with its pivot column. */
  rows: { pivot: number; v: Int32Array }[];
}

function inverse(a: number, p: number): number {
  let result = 1;
  let base = a % p;
  let e = p - 2;
  while (e > 0) {
    if (e % 2 === 1) result = (result * base) % p;
    base = (base * base) % p;
    e = Math.floor(e / 2);
  }
  return result;
}

function reduce(b: Basis, vector: Int32Array, p: number): Int32Array {
  const v = Int32Array.from(vector);
  const n = v.length;
  for (const row of b.rows) {
    const f = v[row.pivot];
    if (f === 0) continue;
    const g = p - f;
    const r = row.v;
    for (let j = 0; j < n; j++) v[j] = (v[j] + g * r[j]) % p;
  }
  return v;
}

function echelon(field: Field, which: readonly number[]): Basis {
  const b: Basis = { rows: [] };
  const { p } = field;
  for (const c of which) {
    const v = reduce(b, field.vectors[c], p);
    const pivot = v.findIndex((x) => x !== 0);
    if (pivot < 0) continue;
    const inv = inverse(v[pivot], p);
    for (let j = 0; j < v.length; j++) v[j] = (v[j] * inv) % p;
    b.rows.push({ pivot, v });
  }
  return b;
}

function inSpan(b: Basis, vector: Int32Array, p: number): boolean {
  return reduce(b, vector, p).every((x) => x === 0);
}
