/**
 * Snapshot semantics of imports from a named source (issue 12 item 5). A full import is the source's whole
 * directory: services it listed before and lists no longer become inactive (kept, with the time they left), and the
 * details it no longer gives for the records it lists (a schedule row removed) are removed. A partial import (a delta
 * file) only adds and changes.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { insertManyLoading } from '../../platform/db/bulk.ts';
import { TABLES, tableOf, type Row, type TableName } from './model.ts';
import type { Dataset } from './validate.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

/** A source's name: what people call the publisher or feed ("ilao", "211 Metro"). */
export function checkSourceName(name: string): string | null {
  const n = name.trim();
  if (!n) return 'must not be empty';
  if (n.length > 100) return 'must be at most 100 characters';
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'must not contain control characters';
  return null;
}

async function inChunks<T>(ids: readonly string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 5000) out.push(...(await fn(ids.slice(i, i + 5000))));
  return out;
}

export interface SnapshotResult {
  /** Services the source no longer lists, made inactive now. */
  left: string[];
  /** Services listed again after they had left. */
  returned: string[];
  /** Detail rows of listed records that the source no longer gives, by table. */
  removed: Partial<Record<TableName, number>>;
}

// Details removed with their record's listing: the table, and the columns naming the records they belong to.
const DETAILS: [TableName, string[]][] = [
  ['service_at_location', ['service_id']],
  ['schedule', ['service_id', 'location_id', 'service_at_location_id']],
  ['phone', ['service_id', 'location_id', 'service_at_location_id', 'organization_id']],
  ['contact', ['service_id', 'location_id', 'service_at_location_id', 'organization_id']],
  ['language', ['service_id', 'location_id']],
  ['address', ['location_id']],
  ['accessibility', ['location_id']],
  ['service_area', ['service_id']],
  ['cost_option', ['service_id']],
  ['funding', ['service_id', 'organization_id']],
  ['required_document', ['service_id']],
];
const PARENT_OF: Record<string, TableName> = { service_id: 'service', location_id: 'location', service_at_location_id: 'service_at_location', organization_id: 'organization' };

/**
 * Records which services `source` lists now and applies what a full import means. Writes nothing when nothing
 * changed. `now` is the import's time.
 */
export async function applySnapshot(db: Db, ds: Dataset, source: string, partial: boolean, now: string, existed: ReadonlyMap<TableName, ReadonlySet<string>>): Promise<SnapshotResult> {
  const q = loose(db);
  const listed = ds.get('service').map((s) => s.id as string);
  const now_listed = new Set(listed);
  // What this source listed before that it lists no longer, read before the writes below, which concern listed
  // services only: a first import from a source then reads nothing back.
  const gone = partial ? [] : (await q.selectFrom('directory_provenance').select('service_id').where('source', '=', source).where('left_at', 'is', null).execute()).map((r) => String(r.service_id)).filter((id) => !now_listed.has(id));
  const leaving = partial ? [] : (await q.selectFrom('directory_service_source').select('service_id').where('source', '=', source).where('left_at', 'is', null).execute()).map((r) => String(r.service_id)).filter((id) => !now_listed.has(id));
  // A directory that no source has listed a service of yet (a first import) has nothing to look up.
  const anyListed = !!(await q.selectFrom('directory_service_source').select('service_id').limit(1).executeTakeFirst());
  const known = new Map(anyListed ? (await inChunks(listed, (c) => q.selectFrom('directory_service_source').select(['service_id', 'source', 'left_at']).where('service_id', 'in', c).execute())).map((r) => [String(r.service_id), r]) : []);
  const returned: string[] = [];
  const fresh: Row[] = [];
  const moved: string[] = [];
  for (const id of listed) {
    const k = known.get(id);
    if (!k) fresh.push({ service_id: id, source, first_listed_at: now, left_at: null });
    else if (k.source !== source || k.left_at !== null) {
      moved.push(id);
      if (k.left_at !== null) returned.push(id);
    }
  }
  await insertManyLoading(db, 'directory_service_source', ['service_id', 'source', 'first_listed_at', 'left_at'], fresh.map((r) => [r.service_id, r.source, r.first_listed_at, r.left_at]));
  for (let i = 0; i < moved.length; i += 500) await q.updateTable('directory_service_source').set({ source, left_at: null }).where('service_id', 'in', moved.slice(i, i + 500)).execute();
  const result: SnapshotResult = { left: [], returned, removed: {} };
  await recordProvenance(db, listed, source, now);
  if (partial) return result;

  // Provenance: this source's services it lists no longer have left it (kept, with the time).
  // Last seen: the source's previous import (this one is recorded after the snapshot), when it listed them.
  const previous = gone.length ? ((await q.selectFrom('directory_import').select((eb) => eb.fn.max('imported_at').as('at')).where('source', '=', source).executeTakeFirst())?.at ?? null) : null;
  for (let i = 0; i < gone.length; i += 500) await q.updateTable('directory_provenance').set(previous ? { left_at: now, last_seen: previous } : { left_at: now }).where('source', '=', source).where('service_id', 'in', gone.slice(i, i + 500)).execute();
  // A service another source still lists stays: that source is now the one that last listed it.
  const still = new Map((await inChunks(leaving, (c) => q.selectFrom('directory_provenance').select(['service_id', 'source']).where('service_id', 'in', c).where('source', '<>', source).where('left_at', 'is', null).execute())).map((r) => [String(r.service_id), String(r.source)]));
  for (const [id, other] of still) await q.updateTable('directory_service_source').set({ source: other }).where('service_id', '=', id).execute();
  result.left = leaving.filter((id) => !still.has(id));
  for (let i = 0; i < result.left.length; i += 500) {
    const chunk = result.left.slice(i, i + 500);
    await q.updateTable('directory_service_source').set({ left_at: now }).where('service_id', 'in', chunk).execute();
    await q.updateTable(tableOf('service')).set({ status: 'inactive', last_modified: now }).where('id', 'in', chunk).execute();
  }

  // Details of the records listed that the source gives no longer.
  for (const [table, cols] of DETAILS) {
    let keep: Set<string> | undefined;
    const gone = new Set<string>();
    // Only records stored before this import can have details it does not give.
    const parentsOf = new Map<string, string[]>();
    for (const col of cols) {
      if (!(col in TABLES[table].columns)) continue;
      const before = existed.get(PARENT_OF[col]);
      const parents = before?.size ? ds.get(PARENT_OF[col]).map((r) => r.id as string).filter((id) => before.has(id)) : [];
      if (parents.length) parentsOf.set(col, parents);
    }
    if (!parentsOf.size) continue;
    keep = new Set(ds.get(table).map((r) => r.id as string));
    const held = Number((await q.selectFrom(tableOf(table)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    if (held <= 2 * keep.size) {
      // A table the import gives most of (a snapshot imported again): read whole, once, rather than by parent for
      // each column (a tenth of re-importing 20,000 unchanged services).
      const sets = [...parentsOf].map(([col, ids]) => [col, new Set(ids)] as const);
      for (const r of await q.selectFrom(tableOf(table)).select(['id', ...parentsOf.keys()]).execute()) {
        const id = String(r.id);
        if (!keep.has(id) && sets.some(([col, ids]) => typeof r[col] === 'string' && ids.has(r[col] as string))) gone.add(id);
      }
    } else
      for (const [col, parents] of parentsOf) {
        const rows = await inChunks(parents, (c) => q.selectFrom(tableOf(table)).select('id').where(col, 'in', c).execute());
        for (const r of rows) if (!keep.has(String(r.id))) gone.add(String(r.id));
      }
    if (table === 'service_at_location' && gone.size) {
      // The details of a link removed go with it.
      const links = [...gone];
      for (const t of ['schedule', 'phone', 'contact'] as const) {
        const rows = await inChunks(links, (c) => q.selectFrom(tableOf(t)).select('id').where('service_at_location_id', 'in', c).execute());
        await remove(t, rows.map((r) => String(r.id)));
      }
    }
    await remove(table, [...gone]);
  }
  // Taxonomy links of the services listed that the source gives no longer.
  const storedServices = existed.get('service');
  const attributes = await inChunks(storedServices?.size ? listed.filter((id) => storedServices.has(id)) : [], (c) => q.selectFrom(tableOf('attribute')).select('id').where('link_entity', '=', 'service').where('link_id', 'in', c).execute());
  if (attributes.length) {
    const keepAttributes = new Set(ds.get('attribute').map((r) => r.id as string));
    await remove('attribute', attributes.map((r) => String(r.id)).filter((id) => !keepAttributes.has(id)));
  }
  return result;

  async function remove(table: TableName, ids: string[]) {
    if (!ids.length) return;
    for (let i = 0; i < ids.length; i += 500) await q.deleteFrom(tableOf(table)).where('id', 'in', ids.slice(i, i + 500)).execute();
    result.removed[table] = (result.removed[table] ?? 0) + ids.length;
  }
}

/**
 * The provenance of the services a source lists (issue 12 item 6): one row per service and source with the source's
 * own id, when the source first listed it, when an import from it last changed it (the service's last_modified is
 * this import's time) and when it last listed it. A service listed again after leaving is back.
 */
async function recordProvenance(db: Db, listed: readonly string[], source: string, now: string): Promise<void> {
  const q = loose(db);
  // A source's first import has no provenance to look up.
  const before = !!(await q.selectFrom('directory_provenance').select('service_id').where('source', '=', source).limit(1).executeTakeFirst());
  const have = new Map(before ? (await inChunks(listed, (c) => q.selectFrom('directory_provenance').select(['service_id', 'left_at']).where('source', '=', source).where('service_id', 'in', c).execute())).map((r) => [String(r.service_id), r.left_at]) : []);
  // Whether this import changed it matters only for a service the source listed before.
  const changed = new Set((await inChunks(have.size ? listed.filter((id) => have.has(id)) : [], (c) => q.selectFrom(tableOf('service')).select('id').where('id', 'in', c).where('last_modified', '=', now).execute())).map((r) => String(r.id)));
  const fresh = listed.filter((id) => !have.has(id));
  await insertManyLoading(db, 'directory_provenance', ['service_id', 'source', 'source_id', 'first_seen', 'last_changed', 'last_seen', 'left_at'], fresh.map((id) => [id, source, id, now, now, now, null]));
  const touched = listed.filter((id) => have.has(id) && (changed.has(id) || have.get(id) !== null));
  for (let i = 0; i < touched.length; i += 500) await q.updateTable('directory_provenance').set({ last_changed: now, last_seen: now, left_at: null }).where('source', '=', source).where('service_id', 'in', touched.slice(i, i + 500)).execute();
  // An unchanged record is not written: while its source lists it, it was last seen at the source's last import or
  // pull (see provenanceOf).
}

export interface Provenance {
  /** The record the source's listing is: this service, or one matched with it from another source. */
  service_id: string;
  source: string;
  source_id: string;
  first_seen: string;
  last_changed: string;
  last_seen: string;
  left_at: string | null;
}

/**
 * The sources of the services given, each with its provenance, the most recently changed first; a service matched
 * with another from a different source (directory_service_match) shows the other's provenance too.
 */
export async function provenanceOf(db: Db, serviceIds: readonly string[]): Promise<Map<string, Provenance[]>> {
  const q = loose(db);
  const out = new Map<string, Provenance[]>();
  const iso = (x: unknown) => (x instanceof Date ? x.toISOString() : x === null || x === undefined ? null : new Date(String(x)).toISOString());
  const also = new Map<string, string[]>();
  const matches = await inChunks(serviceIds, (c) => q.selectFrom('directory_service_match').select(['service_id', 'same_as']).where((eb) => eb.or([eb('service_id', 'in', c), eb('same_as', 'in', c)])).execute());
  for (const m of matches) {
    also.set(String(m.service_id), [...(also.get(String(m.service_id)) ?? []), String(m.same_as)]);
    also.set(String(m.same_as), [...(also.get(String(m.same_as)) ?? []), String(m.service_id)]);
  }
  const ids = [...new Set([...serviceIds, ...[...also.values()].flat()])];
  const byService = new Map<string, Provenance[]>();
  for (const r of await inChunks(ids, (c) => q.selectFrom('directory_provenance').selectAll().where('service_id', 'in', c).execute())) {
    const list = byService.get(String(r.service_id)) ?? [];
    list.push({ service_id: String(r.service_id), source: String(r.source), source_id: String(r.source_id), first_seen: iso(r.first_seen)!, last_changed: iso(r.last_changed)!, last_seen: iso(r.last_seen)!, left_at: iso(r.left_at) });
    byService.set(String(r.service_id), list);
  }
  // Still listed: seen at the source's last import, or its last pull that found it unchanged.
  const sources = [...new Set([...byService.values()].flat().filter((p) => !p.left_at).map((p) => p.source))];
  const seen = new Map<string, string>();
  const later = (source: string, at: unknown) => {
    const x = iso(at);
    if (x && x > (seen.get(source) ?? '')) seen.set(source, x);
  };
  if (sources.length) {
    for (const r of await q.selectFrom('directory_import').select(['source', (eb) => eb.fn.max('imported_at').as('at')]).where('source', 'in', sources).groupBy('source').execute()) later(String(r.source), r.at);
    for (const r of await q.selectFrom('directory_source').select(['name', 'last_pull_at', 'last_result']).where('name', 'in', sources).execute()) if (String(r.last_result ?? '').startsWith('not-modified')) later(String(r.name), r.last_pull_at);
  }
  for (const list of byService.values()) for (const p of list) if (!p.left_at && (seen.get(p.source) ?? '') > p.last_seen) p.last_seen = seen.get(p.source)!;
  for (const id of serviceIds) {
    const list = [id, ...(also.get(id) ?? [])].flatMap((x) => byService.get(x) ?? []);
    if (!list.length) continue;
    list.sort((a, b) => b.last_changed.localeCompare(a.last_changed) || a.source.localeCompare(b.source));
    out.set(id, list);
  }
  return out;
}
