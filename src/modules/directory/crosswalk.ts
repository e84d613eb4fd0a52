/**
 * The crosswalk (issue 13 item 3): from the vocabularies 211s and other publishers use (AIRS / 211 LA County
 * taxonomy codes, the names of their categories and eligibility terms) to the directory's own need, population and
 * trait terms (taxonomy.ts), so that need and population filters find imported services.
 *
 * Entries are shipped in crosswalk-defaults.json; directory managers add and remove entries (directory_crosswalk
 * keeps their changes over the shipped list). An import gives each service the directory terms its source terms
 * map to, as attributes marked `value: 'crosswalk'` (kept apart from terms the publisher set, which are never
 * touched). When the crosswalk changes, every stored service is mapped again: in the same command for a small
 * directory, by the `directory.crosswalk` job for a large one. The report lists source terms and language names
 * that map to nothing, by the number of services carrying them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/index.ts';
import { bool } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { badRequest, notFound, type FieldError } from '../../platform/http/errors.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { uuidv5, type Row } from './model.ts';
import { FACETS, TERMS, termId, type Facet } from './taxonomy.ts';
import type { Dataset } from './validate.ts';
import { reindexServices, upsertRows } from './store.ts';
import { foldName, isLanguageCode, languageCodesOf, normaliseLanguages } from './languages.ts';

export const CROSSWALK_KINDS = ['code', 'name', 'keyword'] as const;
export type CrosswalkKind = (typeof CROSSWALK_KINDS)[number];

export interface CrosswalkEntry {
  id: string;
  kind: CrosswalkKind;
  /** As matched: a code in capitals ("BH-1800"), a name or keyword folded ("emergency shelter"). */
  source: string;
  /** The directory term's code ("need.emergency-shelter"). */
  term: string;
  /** Shipped with the application (crosswalk-defaults.json) rather than added by a directory manager. */
  shipped: boolean;
  /** Where a shipped entry's vocabulary comes from (a family of crosswalk-defaults.json); null for added ones. */
  family: string | null;
}

/** The value that marks an attribute the crosswalk derived. */
export const DERIVED = 'crosswalk';

/** Every directory term code a crosswalk entry may point at. */
export const TERM_CODES: string[] = FACETS.flatMap((f) => TERMS[f].map((t) => t.code));
const PRODUCT_TERM_IDS = new Map(TERM_CODES.map((c) => [termId(c), c]));
const facetOf = (code: string) => code.split('.')[0] as Facet;

/** The id of the attribute the crosswalk gives a service for a term (the 2.0 importer's mapped attributes had it too). */
export const derivedId = (serviceId: string, code: string) => uuidv5(`attribute:mapped:${serviceId}:${code}`);

/** An AIRS / 211 LA County taxonomy code or prefix: "B", "BH", "BH-1800", "BH-1800.8500", "BH-1800.8500-800", "YF-5000.0500-100.01". */
export const AIRS_CODE = /^[A-Z]{1,2}(-\d{4}(\.\d{3,4}(-\d{3}(\.\d{2,3})?)?)?)?$/;
const AIRS_IN_NAME = /^([A-Z]{1,2}-\d{4}(?:\.\d{3,4}(?:-\d{3}(?:\.\d{2,3})?)?)?)\b[\s:–-]*(.*)$/;

export function normaliseSource(kind: CrosswalkKind, source: string): string {
  return kind === 'code' ? source.trim().toUpperCase() : foldName(source);
}

export const entryId = (kind: CrosswalkKind, source: string, term: string) => uuidv5(`crosswalk:${kind}:${normaliseSource(kind, source)}:${term}`);

interface DefaultsFile {
  families: Record<string, string>;
  entries: { kind: CrosswalkKind; source: string; term: string; family: string }[];
}

let shippedCache: CrosswalkEntry[] | null = null;

/** The shipped entries (crosswalk-defaults.json). */
export function shippedEntries(): CrosswalkEntry[] {
  if (shippedCache) return shippedCache;
  const file = JSON.parse(readFileSync(join(import.meta.dirname, 'crosswalk-defaults.json'), 'utf8')) as DefaultsFile;
  shippedCache = file.entries.map((e) => ({ id: entryId(e.kind, e.source, e.term), kind: e.kind, source: normaliseSource(e.kind, e.source), term: e.term, shipped: true, family: e.family }));
  return shippedCache;
}

/** What each family of shipped entries is and where it comes from. */
export function shippedFamilies(): Record<string, string> {
  return (JSON.parse(readFileSync(join(import.meta.dirname, 'crosswalk-defaults.json'), 'utf8')) as DefaultsFile).families;
}

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

/** The crosswalk in force: the shipped entries a manager has not removed, and the ones managers added. */
export async function crosswalkEntries(db: Db): Promise<CrosswalkEntry[]> {
  const rows = await loose(db).selectFrom('directory_crosswalk').select(['id', 'kind', 'source', 'term', 'removed']).execute();
  const removed = new Set(rows.filter((r) => bool(r.removed)).map((r) => String(r.id)));
  const added = rows.filter((r) => !bool(r.removed)).map((r) => ({ id: String(r.id), kind: r.kind as CrosswalkKind, source: String(r.source), term: String(r.term), shipped: false, family: null }));
  const all = [...shippedEntries().filter((e) => !removed.has(e.id)), ...added];
  return all.sort((a, b) => a.term.localeCompare(b.term) || a.kind.localeCompare(b.kind) || a.source.localeCompare(b.source));
}

/** A source term as the crosswalk reads it: its code, if any, and its name followed by its parents' names. */
export interface SourceTerm {
  code: string | null;
  names: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The crosswalk as a function from a source term to the directory term codes it maps to. */
export function compileCrosswalk(entries: readonly CrosswalkEntry[]): (t: SourceTerm) => Set<string> {
  const codes = entries.filter((e) => e.kind === 'code');
  const names = new Map<string, string[]>();
  for (const e of entries) if (e.kind === 'name') (names.get(e.source) ?? names.set(e.source, []).get(e.source)!).push(e.term);
  const keywords = entries.filter((e) => e.kind === 'keyword').map((e) => ({ re: new RegExp(`(^| )${escape(e.source)}(s|es)?( |$)`), term: e.term }));
  return (t) => {
    const out = new Set<string>();
    let code = t.code?.trim().toUpperCase() || null;
    let own = t.names[0] ?? '';
    const inName = AIRS_IN_NAME.exec(own.trim());
    if (!code && inName) {
      code = inName[1];
      own = inName[2];
    }
    if (code) {
      // The most specific code entry decides within each facet: BH-1800 makes a shelter, not BH's housing.
      const best = new Map<Facet, { len: number; terms: string[] }>();
      for (const e of codes) {
        if (!prefixOf(e.source, code)) continue;
        const f = facetOf(e.term);
        const b = best.get(f);
        if (!b || e.source.length > b.len) best.set(f, { len: e.source.length, terms: [e.term] });
        else if (e.source.length === b.len) b.terms.push(e.term);
      }
      for (const b of best.values()) for (const term of b.terms) out.add(term);
    }
    const folded = [own, ...t.names.slice(1)].map(foldName).filter(Boolean);
    for (const term of names.get(folded[0] ?? '') ?? []) out.add(term);
    for (const k of keywords) if (folded.some((n) => k.re.test(n))) out.add(k.term);
    return out;
  };
}

/** Whether an AIRS code prefix covers a code: "BH" covers "BH-1800", "BH-1800" covers "BH-1800.8500" but not "BH-18005". */
export function prefixOf(prefix: string, code: string): boolean {
  if (!code.startsWith(prefix)) return false;
  if (code.length === prefix.length || /[A-Z]$/.test(prefix)) return true;
  return /[.-]/.test(code[prefix.length]);
}

interface TermRow {
  id: string;
  code: string | null;
  name: string;
  parent_id: string | null;
  taxonomy: string | null;
}

/** A term's name and its parents' names (at most ten levels). */
function ancestry(terms: Map<string, TermRow>, id: string): string[] {
  const out: string[] = [];
  let cur = terms.get(id);
  for (let i = 0; cur && i < 10; i++) {
    out.push(cur.name);
    cur = cur.parent_id ? terms.get(cur.parent_id) : undefined;
  }
  return out;
}

const asTerm = (r: Record<string, unknown>): TermRow => ({ id: String(r.id), code: r.code === null || r.code === undefined || r.code === '' ? null : String(r.code), name: String(r.name ?? ''), parent_id: r.parent_id ? String(r.parent_id) : null, taxonomy: r.taxonomy ? String(r.taxonomy) : null });

/** Reads stored terms, and their parents, into `into` (those it lacks). */
async function readTerms(db: Db, ids: Iterable<string>, into: Map<string, TermRow>): Promise<void> {
  let want = [...new Set(ids)].filter((id) => !into.has(id));
  for (let depth = 0; want.length && depth < 10; depth++) {
    const next: string[] = [];
    for (let i = 0; i < want.length; i += 500) {
      const rows = await loose(db).selectFrom('directory_taxonomy_term').select(['id', 'code', 'name', 'parent_id', 'taxonomy']).where('id', 'in', want.slice(i, i + 500)).execute();
      for (const r of rows) {
        const t = asTerm(r);
        into.set(t.id, t);
        if (t.parent_id && !into.has(t.parent_id)) next.push(t.parent_id);
      }
    }
    want = [...new Set(next)];
  }
}

/**
 * Gives the services of an import the directory terms their source terms map to (attributes with value
 * 'crosswalk'), and their language rows codes from their names. Derived attributes a publication carries (an
 * export of this directory) are left out first and derived again. Returns how many attributes were derived.
 */
export async function applyCrosswalkToDataset(db: Db, ds: Dataset): Promise<{ derived: number; languages: number }> {
  const languages = normaliseLanguages(ds);
  const attrs = ds.get('attribute');
  if (!attrs.length) return { derived: 0, languages };
  ds.rows.set('attribute', attrs.filter((a) => a.value !== DERIVED));
  const terms = new Map<string, TermRow>();
  for (const t of ds.get('taxonomy_term')) terms.set(String(t.id), asTerm(t));
  const links = ds.get('attribute').filter((a) => a.link_entity === 'service' && typeof a.link_id === 'string' && typeof a.taxonomy_term_id === 'string' && !PRODUCT_TERM_IDS.has(a.taxonomy_term_id));
  if (!links.length) return { derived: 0, languages };
  await readTerms(db, links.map((a) => String(a.taxonomy_term_id)).filter((id) => !terms.has(id)), terms);
  // Parents of the import's terms that only the database holds.
  await readTerms(db, [...terms.values()].map((t) => t.parent_id).filter((p): p is string => !!p && !terms.has(p)), terms);
  const map = compileCrosswalk(await crosswalkEntries(db));
  const set = new Set<string>();
  for (const a of ds.get('attribute')) {
    const code = PRODUCT_TERM_IDS.get(String(a.taxonomy_term_id));
    if (code && a.link_entity === 'service') set.add(`${String(a.link_id)}:${code}`);
  }
  let derived = 0;
  const memo = new Map<string, Set<string>>();
  for (const a of links) {
    const tid = String(a.taxonomy_term_id);
    const t = terms.get(tid);
    if (!t) continue;
    let codes = memo.get(tid);
    if (!codes) memo.set(tid, (codes = map({ code: t.code, names: ancestry(terms, tid) })));
    for (const code of codes) {
      const key = `${String(a.link_id)}:${code}`;
      if (set.has(key)) continue;
      set.add(key);
      ds.add('attribute', { id: derivedId(String(a.link_id), code), link_id: a.link_id, link_entity: 'service', link_type: facetOf(code), taxonomy_term_id: termId(code), value: DERIVED }, ds.originOf(a));
      derived++;
    }
  }
  return { derived, languages };
}

/** Service attributes with their term ids, in pages by id (a large directory holds millions). */
async function serviceAttributes(db: Db): Promise<{ id: string; link_id: string; taxonomy_term_id: string; value: string | null }[]> {
  const out: { id: string; link_id: string; taxonomy_term_id: string; value: string | null }[] = [];
  let after: string | null = null;
  for (;;) {
    const from: string | null = after;
    // Ids are uuids on PostgreSQL: the first page has no lower bound rather than an empty one.
    const rows: Record<string, unknown>[] = await loose(db).selectFrom('directory_attribute').select(['id', 'link_id', 'taxonomy_term_id', 'value']).where('link_entity', '=', 'service').$if(from !== null, (q) => q.where('id', '>', from)).orderBy('id').limit(20_000).execute();
    for (const r of rows) out.push({ id: String(r.id), link_id: String(r.link_id), taxonomy_term_id: String(r.taxonomy_term_id), value: r.value === null || r.value === undefined ? null : String(r.value) });
    if (rows.length < 20_000) return out;
    after = String(rows[rows.length - 1].id);
  }
}

export interface ReapplyResult {
  /** Services whose derived terms or language codes changed (and were indexed again). */
  services: number;
  added: number;
  removed: number;
  /** Language rows given a code. */
  languages: number;
}

/** Maps every stored service again with the crosswalk in force (inside a command's transaction). */
export async function reapplyIn(trx: Db): Promise<ReapplyResult> {
  const attrs = await serviceAttributes(trx);
  const derived = attrs.filter((a) => {
    const code = PRODUCT_TERM_IDS.get(a.taxonomy_term_id);
    return code !== undefined && (a.value === DERIVED || a.id === derivedId(a.link_id, code));
  });
  const derivedIds = new Set(derived.map((a) => a.id));
  const publisher = new Set(attrs.filter((a) => PRODUCT_TERM_IDS.has(a.taxonomy_term_id) && !derivedIds.has(a.id)).map((a) => `${a.link_id}:${PRODUCT_TERM_IDS.get(a.taxonomy_term_id)}`));
  const links = attrs.filter((a) => !PRODUCT_TERM_IDS.has(a.taxonomy_term_id));
  const terms = new Map<string, TermRow>();
  await readTerms(trx, links.map((a) => a.taxonomy_term_id), terms);
  const map = compileCrosswalk(await crosswalkEntries(trx));
  const memo = new Map<string, Set<string>>();
  const want = new Map<string, Row>();
  for (const a of links) {
    const t = terms.get(a.taxonomy_term_id);
    if (!t) continue;
    let codes = memo.get(t.id);
    if (!codes) memo.set(t.id, (codes = map({ code: t.code, names: ancestry(terms, t.id) })));
    for (const code of codes) {
      if (publisher.has(`${a.link_id}:${code}`)) continue;
      const id = derivedId(a.link_id, code);
      want.set(id, { id, link_id: a.link_id, link_entity: 'service', link_type: facetOf(code), taxonomy_term_id: termId(code), value: DERIVED });
    }
  }
  const changed = new Set<string>();
  const stale = derived.filter((a) => !want.has(a.id));
  for (const a of stale) changed.add(a.link_id);
  for (let i = 0; i < stale.length; i += 500) await loose(trx).deleteFrom('directory_attribute').where('id', 'in', stale.slice(i, i + 500).map((a) => a.id)).execute();
  const have = new Map(derived.map((a) => [a.id, a]));
  const fresh = [...want.values()].filter((r) => have.get(String(r.id))?.value !== DERIVED);
  for (const r of fresh) if (!have.has(String(r.id))) changed.add(String(r.link_id));
  if (fresh.length) await upsertRows(trx, 'attribute', fresh);
  // Language rows stored before names were read, or whose name the table has learnt since.
  const langs = await loose(trx).selectFrom('directory_language').select(['id', 'service_id', 'name', 'code']).execute();
  let languages = 0;
  const byCode = new Map<string, string[]>();
  for (const l of langs) {
    if (isLanguageCode(l.code)) continue;
    const codes = languageCodesOf(String(l.name ?? '')) ?? languageCodesOf(String(l.code ?? ''));
    if (!codes) continue;
    (byCode.get(codes[0]) ?? byCode.set(codes[0], []).get(codes[0])!).push(String(l.id));
    if (l.service_id) changed.add(String(l.service_id));
    languages++;
  }
  for (const [code, ids] of byCode) for (let i = 0; i < ids.length; i += 500) await loose(trx).updateTable('directory_language').set({ code }).where('id', 'in', ids.slice(i, i + 500)).execute();
  if (changed.size) await reindexServices(trx, [...changed]);
  await setState(trx, false);
  return { services: changed.size, added: fresh.filter((r) => !have.has(String(r.id))).length, removed: stale.length, languages };
}

const STATE_ID = 'crosswalk';

async function setState(trx: Db, pending: boolean): Promise<void> {
  const now = new Date().toISOString();
  const row = await loose(trx).selectFrom('directory_crosswalk_state').select('id').where('id', '=', STATE_ID).executeTakeFirst();
  const values = pending ? { pending } : { pending, applied_at: now };
  if (row) await loose(trx).updateTable('directory_crosswalk_state').set(values).where('id', '=', STATE_ID).execute();
  else await loose(trx).insertInto('directory_crosswalk_state').values({ id: STATE_ID, applied_at: null, ...values }).execute();
}

/** Whether stored services wait for the crosswalk to be applied again (a large directory's edit, left to the job). */
export async function crosswalkPending(db: Db): Promise<boolean> {
  const row = await loose(db).selectFrom('directory_crosswalk_state').select('pending').where('id', '=', STATE_ID).executeTakeFirst();
  return row ? bool(row.pending) : false;
}

/** Above this many services carrying source terms, an edit leaves the mapping again to the directory.crosswalk job. */
export const INLINE_LIMIT = { services: 5000 };

async function servicesWithSourceTerms(db: Db): Promise<number> {
  const r = await loose(db)
    .selectFrom('directory_attribute')
    .select((eb) => eb.fn.count<number>('link_id').distinct().as('n'))
    .where('link_entity', '=', 'service')
    .where('taxonomy_term_id', 'not in', [...PRODUCT_TERM_IDS.keys()])
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface EntryInput {
  kind?: unknown;
  source?: unknown;
  term?: unknown;
}

/** Checks an entry: field problems in English (crosswalk-messages.ts words them in Spanish for the page). */
export function checkEntry(input: EntryInput): { value: { kind: CrosswalkKind; source: string; term: string }; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const kind = typeof input.kind === 'string' ? input.kind.trim() : '';
  const source = typeof input.source === 'string' ? input.source.trim() : '';
  const term = typeof input.term === 'string' ? input.term.trim() : '';
  if (!kind) errors.push({ field: 'kind', message: 'is required' });
  else if (!(CROSSWALK_KINDS as readonly string[]).includes(kind)) errors.push({ field: 'kind', message: `must be one of: ${CROSSWALK_KINDS.join(', ')}` });
  if (!source) errors.push({ field: 'source', message: 'is required' });
  else if (source.length > 200) errors.push({ field: 'source', message: 'must be at most 200 characters' });
  else if (/[\u0000-\u001f\u007f]/.test(source)) errors.push({ field: 'source', message: 'must not contain control characters' });
  else if (kind === 'code' && !AIRS_CODE.test(source.toUpperCase())) errors.push({ field: 'source', message: 'must be a taxonomy code such as BH-1800 or BH-1800.8500' });
  else if ((kind === 'name' || kind === 'keyword') && !foldName(source)) errors.push({ field: 'source', message: 'must contain a letter or a digit' });
  if (!term) errors.push({ field: 'term', message: 'is required' });
  else if (!TERM_CODES.includes(term)) errors.push({ field: 'term', message: "must be one of the directory's need, population or trait terms" });
  return { value: { kind: kind as CrosswalkKind, source, term }, errors };
}

export interface EditResult {
  entry: CrosswalkEntry;
  /** The mapping of stored services: done now, or left to the directory.crosswalk job (pending). */
  reapplied: ReapplyResult | null;
  pending: boolean;
}

/** After an edit: the services mapped again now, or (a large directory) marked for the job. */
async function afterEdit(trx: Db): Promise<{ reapplied: ReapplyResult | null; pending: boolean }> {
  if ((await servicesWithSourceTerms(trx)) > INLINE_LIMIT.services) {
    await setState(trx, true);
    return { reapplied: null, pending: true };
  }
  return { reapplied: await reapplyIn(trx), pending: false };
}

/** Adds an entry (or puts back a shipped one a manager had removed), then maps stored services again. */
export async function addCrosswalkEntry(ctx: Ctx, input: EntryInput): Promise<EditResult> {
  authorize(ctx, managesDirectory(ctx));
  const { value, errors } = checkEntry(input);
  if (errors.length) throw badRequest(errors);
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const source = normaliseSource(value.kind, value.source);
    const id = entryId(value.kind, source, value.term);
    const stored = await loose(trx).selectFrom('directory_crosswalk').select(['id', 'removed']).where('id', '=', id).executeTakeFirst();
    const shipped = shippedEntries().find((e) => e.id === id);
    if (stored && bool(stored.removed)) await loose(trx).deleteFrom('directory_crosswalk').where('id', '=', id).execute();
    else if (stored || shipped) throw badRequest([{ field: 'source', message: 'is already in the crosswalk for this term' }]);
    else await loose(trx).insertInto('directory_crosswalk').values({ id, kind: value.kind, source, term: value.term, removed: false, created_at: new Date().toISOString(), created_by: ctx.actor?.id ?? null }).execute();
    const entry: CrosswalkEntry = shipped ?? { id, kind: value.kind, source, term: value.term, shipped: false, family: null };
    const after = await afterEdit(trx);
    await audit({ action: 'directory.crosswalk.add', entityType: 'directory_crosswalk', entityId: id, summary: { kind: value.kind, source, term: value.term, restored: !!shipped, ...summaryOf(after) } });
    return { entry, ...after };
  });
}

/** Removes an entry (a shipped one is remembered as removed), then maps stored services again. */
export async function removeCrosswalkEntry(ctx: Ctx, id: string): Promise<EditResult> {
  authorize(ctx, managesDirectory(ctx));
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const entry = (await crosswalkEntries(trx)).find((e) => e.id === id);
    if (!entry) throw notFound('No such crosswalk entry.');
    if (entry.shipped) await loose(trx).insertInto('directory_crosswalk').values({ id, kind: entry.kind, source: entry.source, term: entry.term, removed: true, created_at: new Date().toISOString(), created_by: ctx.actor?.id ?? null }).execute();
    else await loose(trx).deleteFrom('directory_crosswalk').where('id', '=', id).execute();
    const after = await afterEdit(trx);
    await audit({ action: 'directory.crosswalk.remove', entityType: 'directory_crosswalk', entityId: id, summary: { kind: entry.kind, source: entry.source, term: entry.term, shipped: entry.shipped, ...summaryOf(after) } });
    return { entry, ...after };
  });
}

const summaryOf = (a: { reapplied: ReapplyResult | null; pending: boolean }) => (a.reapplied ? { services: a.reapplied.services, added: a.reapplied.added, removed: a.reapplied.removed, languages: a.reapplied.languages } : { pending: true });

/** Maps every stored service again (the directory.crosswalk job when an edit left it pending, or by hand). */
export async function reapplyCrosswalk(ctx: Ctx): Promise<ReapplyResult> {
  authorize(ctx, managesDirectory(ctx));
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const r = await reapplyIn(trx);
    await audit({ action: 'directory.crosswalk.reapply', entityType: 'directory_crosswalk', entityId: STATE_ID, summary: { ...r } });
    return r;
  });
}

/** The directory.crosswalk job: maps stored services again when an edit left that pending. */
export async function reapplyPendingCrosswalk(ctx: Ctx): Promise<string> {
  authorize(ctx, managesDirectory(ctx));
  if (!(await crosswalkPending(ctx.db))) return 'nothing pending';
  const r = await reapplyCrosswalk(ctx);
  return `${r.services} service(s) mapped again: ${r.added} term(s) added, ${r.removed} removed, ${r.languages} language(s) coded`;
}

export interface UnmappedTerm {
  taxonomy: string | null;
  code: string | null;
  name: string;
  /** Services carrying the term. */
  services: number;
}
export interface UnmappedLanguage {
  name: string;
  /** Services (or, for rows of a location only, locations) listing it. */
  services: number;
}
export interface CrosswalkReport {
  terms: UnmappedTerm[];
  languages: UnmappedLanguage[];
  /** Source terms carried by services, and how many the crosswalk maps. */
  sourceTerms: number;
  mappedTerms: number;
}

/** Source terms and language names that map to nothing, most services first. */
export async function crosswalkReport(db: Db): Promise<CrosswalkReport> {
  const attrs = (await serviceAttributes(db)).filter((a) => !PRODUCT_TERM_IDS.has(a.taxonomy_term_id));
  const servicesOf = new Map<string, Set<string>>();
  for (const a of attrs) (servicesOf.get(a.taxonomy_term_id) ?? servicesOf.set(a.taxonomy_term_id, new Set()).get(a.taxonomy_term_id)!).add(a.link_id);
  const terms = new Map<string, TermRow>();
  await readTerms(db, servicesOf.keys(), terms);
  const map = compileCrosswalk(await crosswalkEntries(db));
  const unmapped: UnmappedTerm[] = [];
  let mapped = 0;
  for (const [id, svcs] of servicesOf) {
    const t = terms.get(id);
    if (!t) continue;
    if (map({ code: t.code, names: ancestry(terms, id) }).size) mapped++;
    else unmapped.push({ taxonomy: t.taxonomy, code: t.code, name: t.name, services: svcs.size });
  }
  unmapped.sort((a, b) => b.services - a.services || a.name.localeCompare(b.name));
  const langs = await loose(db).selectFrom('directory_language').select(['name', 'code', 'service_id', 'location_id']).execute();
  const byName = new Map<string, { name: string; of: Set<string> }>();
  for (const l of langs) {
    if (isLanguageCode(l.code)) continue;
    const name = String(l.name ?? l.code ?? '').trim();
    if (!name) continue;
    const key = foldName(name);
    const g = byName.get(key) ?? byName.set(key, { name, of: new Set() }).get(key)!;
    g.of.add(String(l.service_id ?? `location:${String(l.location_id)}`));
  }
  const languages = [...byName.values()].map((g) => ({ name: g.name, services: g.of.size })).sort((a, b) => b.services - a.services || a.name.localeCompare(b.name));
  return { terms: unmapped, languages, sourceTerms: servicesOf.size, mappedTerms: mapped };
}
