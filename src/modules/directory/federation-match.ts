/**
 * The same service from two sources (issue 12 item 6): after a pull, each service the source lists is matched with
 * services that other sources list, on its normalised name (case, accents, punctuation and spacing ignored) and one
 * of its address (first line and postal code), phone (last ten digits) or website (host and path). The service seen
 * later names the one seen first (directory_service_match.same_as): pages and the API show both provenances on
 * either, and the values on which they disagree are listed for a steward (`conflicts`). Resolving a conflict (keeping
 * one value) is not built yet.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { insertMany } from '../../platform/db/bulk.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

export const normalise = (s: unknown): string =>
  String(s ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
const phoneKey = (s: unknown) => String(s ?? '').replace(/\D/g, '').slice(-10);
function webKey(s: unknown): string {
  try {
    const u = new URL(String(s ?? ''));
    return (u.hostname.replace(/^www\./, '') + u.pathname.replace(/\/+$/, '')).toLowerCase();
  } catch {
    return '';
  }
}

async function inChunks<T>(ids: readonly string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 2000) out.push(...(await fn(ids.slice(i, i + 2000))));
  return out;
}

interface Facts {
  id: string;
  name: string;
  keys: Set<string>;
  first: string;
}

/** Each service's match keys: its address, phone and website, each prefixed with its normalised name. */
async function factsOf(db: Db, ids: string[]): Promise<Map<string, Facts>> {
  const q = loose(db);
  const out = new Map<string, Facts>();
  for (const s of await inChunks(ids, (c) => q.selectFrom('directory_service').select(['id', 'name', 'url']).where('id', 'in', c).execute())) {
    const f: Facts = { id: String(s.id), name: normalise(s.name), keys: new Set(), first: '' };
    const w = webKey(s.url);
    if (w) f.keys.add(`w:${w}`);
    out.set(f.id, f);
  }
  for (const p of await inChunks(ids, (c) => q.selectFrom('directory_phone').select(['service_id', 'number']).where('service_id', 'in', c).execute())) {
    const k = phoneKey(p.number);
    if (k.length >= 7) out.get(String(p.service_id))?.keys.add(`p:${k}`);
  }
  const addresses = await inChunks(ids, (c) =>
    q.selectFrom('directory_service_at_location as sal').innerJoin('directory_address as a', 'a.location_id', 'sal.location_id').select(['sal.service_id as service_id', 'a.address_1 as line', 'a.postal_code as zip']).where('sal.service_id', 'in', c).execute(),
  );
  for (const a of addresses) {
    const k = `${normalise(a.line)}|${String(a.zip ?? '').trim().slice(0, 5)}`;
    if (normalise(a.line)) out.get(String(a.service_id))?.keys.add(`a:${k}`);
  }
  for (const r of await inChunks(ids, (c) => q.selectFrom('directory_provenance').select(['service_id', 'first_seen']).where('service_id', 'in', c).execute())) {
    const f = out.get(String(r.service_id));
    const at = r.first_seen instanceof Date ? r.first_seen.toISOString() : String(r.first_seen);
    if (f && (!f.first || at < f.first)) f.first = at;
  }
  return out;
}

/**
 * Matches the services `source` added or changed since `changedSince` with those other sources list. Writes only
 * new matches: a pull that changed nothing reads and adds none. Answers how many were added.
 */
export async function matchSource(db: Db, source: string, now: string, changedSince: string): Promise<number> {
  const q = loose(db);
  // Only the services this pull added or changed: the others were matched when they last changed.
  const mine = (await q.selectFrom('directory_provenance').select('service_id').where('source', '=', source).where('left_at', 'is', null).where('last_changed', '>=', changedSince).execute()).map((r) => String(r.service_id));
  if (!mine.length) return 0;
  const others = (await q.selectFrom('directory_provenance').select('service_id').where('source', '<>', source).where('left_at', 'is', null).execute()).map((r) => String(r.service_id));
  const mineSet = new Set(mine);
  const theirs = [...new Set(others)].filter((id) => !mineSet.has(id));
  if (!theirs.length) return 0;
  const facts = await factsOf(db, [...mine, ...theirs]);
  const byName = new Map<string, Facts[]>();
  for (const id of theirs) {
    const f = facts.get(id);
    if (f?.name) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  }
  const known = new Set((await q.selectFrom('directory_service_match').select('service_id').execute()).map((r) => String(r.service_id)));
  const rows: unknown[][] = [];
  for (const id of mine) {
    const f = facts.get(id);
    if (!f?.name) continue;
    for (const other of byName.get(f.name) ?? []) {
      const shared = [...f.keys].find((k) => other.keys.has(k));
      if (!shared) continue;
      // The one seen later names the one seen first (ties: the smaller id), so both pulls agree.
      const [later, first] = f.first > other.first || (f.first === other.first && f.id > other.id) ? [f, other] : [other, f];
      if (known.has(later.id)) continue;
      known.add(later.id);
      rows.push([later.id, first.id, ({ a: 'address', p: 'phone', w: 'website' } as Record<string, string>)[shared[0]], now]);
    }
  }
  await insertMany(db, 'directory_service_match', ['service_id', 'same_as', 'matched_on', 'matched_at'], rows);
  return rows.length;
}

/** The services matched with these (either side), for showing their provenance together. */
export async function matchedWith(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const q = loose(db);
  const out = new Map<string, string[]>();
  if (!ids.length) return out;
  const rows = await q.selectFrom('directory_service_match').select(['service_id', 'same_as']).where((eb) => eb.or([eb('service_id', 'in', [...ids]), eb('same_as', 'in', [...ids])])).execute();
  const add = (a: string, b: string) => out.set(a, [...new Set([...(out.get(a) ?? []), b])]);
  for (const r of rows) {
    add(String(r.service_id), String(r.same_as));
    add(String(r.same_as), String(r.service_id));
  }
  return out;
}

export interface Conflict {
  service_id: string;
  same_as: string;
  name: string;
  matched_on: string;
  field: string;
  value: string | null;
  other_value: string | null;
}

const COMPARED = ['name', 'description', 'url', 'email', 'status', 'fees_description', 'eligibility_description'] as const;

/** The values on which matched services disagree, for a steward to resolve. */
export async function conflicts(db: Db, limit = 200, offset = 0): Promise<{ items: Conflict[]; matches: number }> {
  const q = loose(db);
  const matches = await q.selectFrom('directory_service_match').selectAll().orderBy('matched_at').orderBy('service_id').execute();
  const ids = [...new Set(matches.flatMap((m) => [String(m.service_id), String(m.same_as)]))];
  const services = new Map((await inChunks(ids, (c) => q.selectFrom('directory_service').select(['id', ...COMPARED]).where('id', 'in', c).execute())).map((s) => [String(s.id), s]));
  const items: Conflict[] = [];
  for (const m of matches) {
    const a = services.get(String(m.service_id));
    const b = services.get(String(m.same_as));
    if (!a || !b) continue;
    for (const field of COMPARED) {
      const va = a[field] === null || a[field] === undefined || a[field] === '' ? null : String(a[field]);
      const vb = b[field] === null || b[field] === undefined || b[field] === '' ? null : String(b[field]);
      if (va === vb) continue;
      items.push({ service_id: String(m.service_id), same_as: String(m.same_as), name: String(b.name), matched_on: String(m.matched_on), field, value: va, other_value: vb });
    }
  }
  return { items: items.slice(offset, offset + limit), matches: matches.length };
}
