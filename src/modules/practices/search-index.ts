/**
 * The practices search, answered from an index each app process keeps in memory: one bit set per facet value
 * (population, outcome, rating, setting, design, outcome:rating) over every practice, and the practices in name
 * order. A search intersects the filters' sets (and the full-text matches' ids), counts each facet value over the
 * result, and walks the name order for one page: microseconds at 20,000 practices, where grouping the facet rows of
 * thousands of matches in SQL took 40 to 300 ms. Only the text match and the page's rows are read from the
 * database.
 *
 * The database stays the record: every change to a practice's facet rows or name is logged under a number
 * (practices_index_change, commands.refreshIndex). Each search reads the latest number (one small row) and applies
 * the changes past the one it holds, so processes sharing a database agree; one far behind, or one whose log was
 * pruned, rebuilds from practices_facet. Anything that writes those tables in bulk must log the practices it wrote.
 */
import type { DatabaseKind } from '../../config.ts';
import type { Db } from '../../platform/db/index.ts';
import { documentKeys, matchingKeys, type SearchQuery } from '../../platform/db/search.ts';
import { practicesDb } from './tables.ts';

export const SEARCH_INDEX = 'practices_search';
/** More changes than this since a process last looked, and it rebuilds instead. */
const REBUILD_PAST = 2000;
/** Log rows kept: a process further behind rebuilds. */
export const LOG_KEPT = 10000;

type Bits = Uint32Array;

interface Index {
  seq: number;
  slotOf: Map<string, number>;
  /** Slots by the full-text index's keys of their documents (SQLite), or by id (PostgreSQL). */
  slotOfKey: Map<string | number, number>;
  keyOfSlot: (string | number | undefined)[];
  ids: string[];
  names: (string | null)[];
  words: number;
  alive: Bits;
  sets: Map<string, Bits>;
  order: number[] | null;
}

const indexes = new WeakMap<object, { ix?: Index; busy?: Promise<Index> }>();

const keyOf = (facet: string, value: string) => `${facet}\u0001${value}`;

function grow(ix: Index, slots: number): void {
  if (slots <= ix.words * 32) return;
  const words = Math.max(Math.ceil(slots / 32), ix.words * 2, 64);
  const bigger = (b: Bits) => {
    const n = new Uint32Array(words);
    n.set(b);
    return n;
  };
  ix.alive = bigger(ix.alive);
  for (const [k, b] of ix.sets) ix.sets.set(k, bigger(b));
  ix.words = words;
}

function slotFor(ix: Index, id: string): number {
  let s = ix.slotOf.get(id);
  if (s === undefined) {
    s = ix.ids.length;
    ix.ids.push(id);
    ix.names.push(null);
    ix.slotOf.set(id, s);
    grow(ix, s + 1);
  }
  return s;
}

const setBit = (b: Bits, s: number) => (b[s >>> 5] |= 1 << (s & 31));
const clearBit = (b: Bits, s: number) => (b[s >>> 5] &= ~(1 << (s & 31)));
const hasBit = (b: Bits, s: number) => (b[s >>> 5] & (1 << (s & 31))) !== 0;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function countBoth(a: Bits, b: Bits): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] & b[i]) n += popcount(a[i] & b[i]);
  return n;
}

/** Sets the practices' names and facet rows (read now) in the index; a practice gone from the table leaves it. */
async function apply(db: Db, ix: Index, practiceIds: readonly string[]): Promise<void> {
  const pdb = practicesDb(db);
  for (let i = 0; i < practiceIds.length; i += 500) {
    const chunk = practiceIds.slice(i, i + 500);
    const names = new Map((await pdb.selectFrom('practices_practice').select(['id', 'name']).where('id', 'in', chunk).execute()).map((r) => [r.id, r.name]));
    const rows = await pdb.selectFrom('practices_facet').select(['practice_id', 'facet', 'value']).where('practice_id', 'in', chunk).execute();
    for (const id of chunk) {
      const s = slotFor(ix, id);
      for (const b of ix.sets.values()) clearBit(b, s);
      const name = names.get(id);
      ix.names[s] = name ?? null;
      if (name === undefined) clearBit(ix.alive, s);
      else setBit(ix.alive, s);
    }
    await learnKeys(db, ix, chunk);
    for (const r of rows) {
      if (!names.has(r.practice_id)) continue;
      addRow(ix, ix.slotOf.get(r.practice_id)!, r.facet, r.value);
    }
  }
  ix.order = null;
}

async function learnKeys(db: Db, ix: Index, ids: readonly string[]): Promise<void> {
  const keys = await documentKeys(db, SEARCH_INDEX, ids);
  for (const id of ids) {
    const s = ix.slotOf.get(id);
    if (s === undefined) continue;
    // A document indexed again has a new key; its old one may go to another document later.
    const old = ix.keyOfSlot[s];
    if (old !== undefined && ix.slotOfKey.get(old) === s) ix.slotOfKey.delete(old);
    const key = keys.get(id) ?? id;
    ix.slotOfKey.set(key, s);
    ix.keyOfSlot[s] = key;
  }
}

function addRow(ix: Index, slot: number, facet: string, value: string): void {
  const k = keyOf(facet, value);
  let b = ix.sets.get(k);
  if (!b) ix.sets.set(k, (b = new Uint32Array(ix.words)));
  setBit(b, slot);
}

async function build(db: Db): Promise<Index> {
  const pdb = practicesDb(db);
  // The number first: changes logged while the rows are read are applied again by the next search, harmlessly.
  const seq = Number((await pdb.selectFrom('practices_index_state').select('seq').where('id', '=', 1).executeTakeFirst())?.seq ?? 0);
  const ix: Index = { seq, slotOf: new Map(), slotOfKey: new Map(), keyOfSlot: [], ids: [], names: [], words: 0, alive: new Uint32Array(0), sets: new Map(), order: null };
  const practices = await pdb.selectFrom('practices_practice').select(['id', 'name']).execute();
  grow(ix, practices.length);
  for (const p of practices) {
    const s = slotFor(ix, p.id);
    ix.names[s] = p.name;
    setBit(ix.alive, s);
  }
  await learnKeys(db, ix, ix.ids);
  const rows = await pdb.selectFrom('practices_facet').select(['practice_id', 'facet', 'value']).execute();
  for (const r of rows) {
    const s = ix.slotOf.get(r.practice_id);
    if (s !== undefined) addRow(ix, s, r.facet, r.value);
  }
  return ix;
}

/** The index of this database, brought up to the latest logged change. */
export async function currentIndex(db: Db): Promise<Index> {
  let entry = indexes.get(db);
  if (!entry) indexes.set(db, (entry = {}));
  while (entry.busy) await entry.busy.catch(() => undefined);
  const e = entry;
  const pdb = practicesDb(db);
  const seq = Number((await pdb.selectFrom('practices_index_state').select('seq').where('id', '=', 1).executeTakeFirst())?.seq ?? 0);
  if (e.ix && e.ix.seq >= seq) return e.ix;
  if (e.busy) return currentIndex(db);
  const work = (async () => {
    const ix = e.ix;
    if (!ix || seq - ix.seq > REBUILD_PAST) return build(db);
    const changes = await pdb.selectFrom('practices_index_change').select(['seq', 'practice_id']).where('seq', '>', ix.seq).where('seq', '<=', seq).orderBy('seq').execute();
    // A gap: the log was pruned past this process's number.
    if (changes.length !== seq - ix.seq) return build(db);
    await apply(db, ix, [...new Set(changes.map((c) => c.practice_id))]);
    ix.seq = seq;
    return ix;
  })();
  e.busy = work;
  try {
    e.ix = await work;
    return e.ix;
  } finally {
    e.busy = undefined;
  }
}

/** Logs a change to these practices' names or facet rows, inside the writing transaction (which then holds the number's row). */
export async function logChange(trx: Db, practiceId: string): Promise<void> {
  const pdb = practicesDb(trx);
  const row = await pdb.updateTable('practices_index_state').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1).returning('seq').executeTakeFirstOrThrow();
  const seq = Number(row.seq);
  await pdb.insertInto('practices_index_change').values({ seq, practice_id: practiceId }).execute();
  if (seq % 1000 === 0) await pdb.deleteFrom('practices_index_change').where('seq', '<=', seq - LOG_KEPT).execute();
}

export interface IndexSearch {
  q?: SearchQuery;
  filters: [string, string][];
  facets: readonly string[];
  limit: number;
  offset: number;
}

/**
 * The ids of one page of matching practices (practices whose name matches the words first, then the rest, each in
 * name order), how many match, and how many of those carry each value of `facets`.
 */
export async function searchIndex(db: Db, kind: DatabaseKind, p: IndexSearch): Promise<{ ids: string[]; total: number; facets: { facet: string; value: string; count: number }[] }> {
  const ix = await currentIndex(db);
  const hit = ix.alive.slice();
  for (const [facet, value] of p.filters) {
    const b = ix.sets.get(keyOf(facet, value));
    if (!b) hit.fill(0);
    else for (let i = 0; i < hit.length; i++) hit[i] &= b[i];
  }
  let titled: Bits | null = null;
  if (p.q) {
    const all = matchingKeys(kind, SEARCH_INDEX, p.q);
    const inTitle = matchingKeys(kind, SEARCH_INDEX, p.q, { titleOnly: true });
    if (all && inTitle) {
      const text = new Uint32Array(ix.words);
      titled = new Uint32Array(ix.words);
      const read = async (m: typeof all, into: Bits) => {
        for (const r of await db.selectFrom(m.as('m')).select('m.doc_key').execute()) {
          const s = ix.slotOfKey.get(r.doc_key as string | number);
          if (s !== undefined) setBit(into, s);
        }
      };
      await read(all, text);
      await read(inTitle, titled);
      for (let i = 0; i < hit.length; i++) hit[i] &= text[i];
    }
  }
  let total = 0;
  for (let i = 0; i < hit.length; i++) if (hit[i]) total += popcount(hit[i]);
  const facets: { facet: string; value: string; count: number }[] = [];
  if (total) {
    for (const [k, b] of ix.sets) {
      const [facet, value] = k.split('\u0001');
      if (!p.facets.includes(facet)) continue;
      const count = countBoth(hit, b);
      if (count) facets.push({ facet, value, count });
    }
  }
  if (!ix.order) {
    const live: number[] = [];
    for (let s = 0; s < ix.ids.length; s++) if (ix.names[s] !== null) live.push(s);
    const names = ix.names as string[];
    ix.order = live.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : ix.ids[a] < ix.ids[b] ? -1 : 1));
  }
  const ids: string[] = [];
  let skip = p.offset;
  const walk = (want: (s: number) => boolean) => {
    for (const s of ix.order!) {
      if (ids.length >= p.limit) return;
      if (!hasBit(hit, s) || !want(s)) continue;
      if (skip > 0) skip--;
      else ids.push(ix.ids[s]);
    }
  };
  if (total > p.offset) {
    if (titled) {
      const t = titled;
      walk((s) => hasBit(t, s));
      walk((s) => !hasBit(t, s));
    } else walk(() => true);
  }
  return { ids, total, facets };
}
