/**
 * Figures about the whole directory, kept up to date instead of counted when asked (issue 14): how many services
 * search can find (every one not defunct) and how many of them carry each need, population, trait and language,
 * the facets of a search with nothing in it. The directory's landing page and its unfiltered lists read these
 * rows; counting them over 500,000 services took seconds.
 *
 * `directory_summary` holds one count per key (`total`, `need:need.housing`, `language:es`, ...);
 * `directory_summary_member` holds, per service, the keys it is counted under, so that a change to some services
 * (an import, an approved edit) moves the counts by the difference alone. `reindexServices` (store.ts), which every
 * change that search sees goes through, calls `updateSummary` with the rows it has just read.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { TERMS, termId, type Facet } from './taxonomy.ts';
import { readSearchInputs, type SearchInputs } from './search-points.ts';
import { deleteMany, insertMany } from '../../platform/db/bulk.ts';

export const SUMMARY = 'directory_summary';
export const SUMMARY_MEMBER = 'directory_summary_member';

const FACET_OF = new Map<string, string>();
for (const f of ['need', 'population', 'trait'] as const) for (const t of TERMS[f]) FACET_OF.set(termId(t.code), `${f}:${t.code}`);

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * The keys each service of `input` is counted under: `total`, its facet terms and its languages (as search's facet
 * counts name them: the code, or else the name, in lower case). A defunct service, which search never finds, has
 * none.
 */
export function summaryKeys(input: Pick<SearchInputs, 'services' | 'attributes' | 'languages'>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of input.services) if (text(s.status) !== 'defunct') out.set(text(s.id), new Set(['total']));
  for (const a of input.attributes) {
    const key = FACET_OF.get(text(a.taxonomy_term_id));
    if (key) out.get(text(a.link_id))?.add(key);
  }
  for (const l of input.languages) {
    const code = l.code === null || l.code === undefined ? text(l.name) : text(l.code);
    const k = code.toLowerCase();
    if (k) out.get(text(l.service_id))?.add(`language:${k}`);
  }
  return out;
}

/**
 * Moves the counts of the services `ids` (read as `input`) from what they were counted under to what they carry now.
 * Services of `input` missing from `ids` are new: counted for the first time, with nothing to take back. With
 * `counts`, the changes to the counts are added there for writeSummaryCounts (an import writes them once, not per
 * chunk of services); without, they are written now.
 */
export async function updateSummary(db: Db, ids: readonly string[], input: Pick<SearchInputs, 'services' | 'attributes' | 'languages'>, counts?: Map<string, number>): Promise<void> {
  const now = summaryKeys(input);
  const delta = counts ?? new Map<string, number>();
  const add = (k: string, n: number) => delta.set(k, (delta.get(k) ?? 0) + n);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom(SUMMARY_MEMBER).select(['service_id', 'keys']).where('service_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) for (const k of String(r.keys).split('\n')) if (k) add(k, -1);
  }
  for (const keys of now.values()) for (const k of keys) add(k, 1);
  await deleteMany(db, SUMMARY_MEMBER, 'service_id', ids);
  await insertMany(db, SUMMARY_MEMBER, ['service_id', 'keys'], [...now].map(([id, keys]) => [id, [...keys].join('\n')]));
  if (!counts) await writeSummaryCounts(db, delta);
}

/** Adds changes to the counts (key: change), as updateSummary gathered them. */
export async function writeSummaryCounts(db: Db, counts: ReadonlyMap<string, number>): Promise<void> {
  const changes = [...counts].filter(([, n]) => n !== 0);
  for (let i = 0; i < changes.length; i += 200) {
    const values = changes.slice(i, i + 200).map(([key, n]) => ({ key, n }));
    await db
      .insertInto(SUMMARY)
      .values(values)
      .onConflict((oc) => oc.column('key').doUpdateSet({ n: sql`${sql.table(SUMMARY)}.n + excluded.n` }))
      .execute();
  }
}

/** Forgets every count, before the whole directory is counted again. */
export async function clearSummary(db: Db): Promise<void> {
  await db.deleteFrom(SUMMARY_MEMBER).execute();
  await db.deleteFrom(SUMMARY).execute();
}

/** Counts the whole directory again (the migration that made the tables). */
export async function rebuildSummary(db: Db): Promise<void> {
  await clearSummary(db);
  const ids = (await db.selectFrom('directory_service').select('id').orderBy('id').execute()).map((r) => String(r.id));
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await updateSummary(db, chunk, await readSearchInputs(db, chunk));
  }
}

export interface DirectorySummary {
  /** Services search can find (not defunct). */
  total: number;
  facets: Record<Facet | 'language', Record<string, number>>;
}

/** The figures of the whole directory, in the shape of a search result's total and facets. */
export async function readSummary(db: Db): Promise<DirectorySummary> {
  const out: DirectorySummary = { total: 0, facets: { need: {}, population: {}, trait: {}, language: {} } };
  for (const r of await db.selectFrom(SUMMARY).select(['key', 'n']).where('n', '>', 0).execute()) {
    const key = String(r.key);
    const n = Number(r.n);
    if (key === 'total') out.total = n;
    else {
      const at = key.indexOf(':');
      const facet = key.slice(0, at) as Facet | 'language';
      if (facet in out.facets) out.facets[facet][key.slice(at + 1)] = n;
    }
  }
  return out;
}
