/**
 * The same service from two sources (issue 12 item 6): after a pull, each service the source lists is matched with
 * services that other sources list, on its normalised name (case, accents, punctuation and spacing ignored) and one
 * of its address (first line and postal code), phone (last ten digits) or website (host and path). The service seen
 * later names the one seen first (directory_service_match.same_as): pages and the API show both provenances on
 * either, and the values on which they disagree are listed for a steward (`conflicts`), who keeps one of the two
 * (`keepValue`): it is written on both records, and remembered per record and field with the value it replaced
 * (directory_service_choice), so that no later import of that record (a pull, the command line) puts the replaced value back
 * (`applyChoices`) until the source changes it. Search finds the record seen first only (store.ts, search.ts).
 * Organisations are matched the same way (directory_organization_match): normalised name and one of website host,
 * phone or address.
 */
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { isUuid, type Db } from '../../platform/db/index.ts';
import { insertMany } from '../../platform/db/bulk.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize } from '../../platform/policy.ts';
import { badRequest, notFound } from '../../platform/http/errors.ts';
import { editsListing, managesDirectory, NOT_STEWARD, proposes } from './policies.ts';
import { stewardedOrganizations } from './stewards.ts';
import { reindexServices } from './store.ts';
import type { Dataset } from './validate.ts';

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
    const k = addressKey(a);
    if (k) out.get(String(a.service_id))?.keys.add(`a:${k}`);
  }
  for (const r of await inChunks(ids, (c) => q.selectFrom('directory_provenance').select(['service_id', 'first_seen']).where('service_id', 'in', c).execute())) {
    const f = out.get(String(r.service_id));
    const at = r.first_seen instanceof Date ? r.first_seen.toISOString() : String(r.first_seen);
    if (f && (!f.first || at < f.first)) f.first = at;
  }
  return out;
}

const ON: Record<string, string> = { a: 'address', p: 'phone', w: 'website' };

/** Pairs each of `mine` with one of `theirs` of the same name sharing a key; the one seen later names the first. */
function pairs(mine: string[], theirs: string[], facts: Map<string, Facts>, known: Set<string>, now: string): unknown[][] {
  const byName = new Map<string, Facts[]>();
  for (const id of theirs) {
    const f = facts.get(id);
    if (f?.name) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  }
  const rows: unknown[][] = [];
  for (const id of mine) {
    const f = facts.get(id);
    if (!f?.name) continue;
    for (const other of byName.get(f.name) ?? []) {
      const shared = [...f.keys].find((k) => other.keys.has(k));
      if (!shared) continue;
      // The one seen later names the one seen first (ties: the smaller id), so both pulls agree.
      const [later, first] = f.first > other.first || (f.first === other.first && f.id > other.id) ? [f, other] : [other, f];
      // Neither side may already stand for another record or be named by one: a match is one pair deep.
      if (known.has(later.id) || known.has(first.id)) continue;
      known.add(later.id);
      rows.push([later.id, first.id, ON[shared[0]], now]);
    }
  }
  return rows;
}

/**
 * Matches the services `source` added or changed since `changedSince` with those other sources list, and their
 * organisations with the organisations of other sources' services. Writes only new matches: a pull that changed
 * nothing reads and adds none. The services matched now leave search (store.ts): the one seen first stands for both.
 */
export async function matchSource(db: Db, source: string, now: string, changedSince: string): Promise<{ services: number; organizations: number }> {
  const q = loose(db);
  // Only the services this pull added or changed: the others were matched when they last changed.
  const mine = (await q.selectFrom('directory_provenance').select('service_id').where('source', '=', source).where('left_at', 'is', null).where('last_changed', '>=', changedSince).execute()).map((r) => String(r.service_id));
  if (!mine.length) return { services: 0, organizations: 0 };
  const others = (await q.selectFrom('directory_provenance').select('service_id').where('source', '<>', source).where('left_at', 'is', null).execute()).map((r) => String(r.service_id));
  const mineSet = new Set(mine);
  const theirs = [...new Set(others)].filter((id) => !mineSet.has(id));
  if (!theirs.length) return { services: 0, organizations: 0 };
  const facts = await factsOf(db, [...mine, ...theirs]);
  const matchRows = await q.selectFrom('directory_service_match').select(['service_id', 'same_as']).execute();
  const known = new Set(matchRows.flatMap((r) => [String(r.service_id)]));
  const rows = pairs(mine, theirs, facts, known, now);
  await insertMany(db, 'directory_service_match', ['service_id', 'same_as', 'matched_on', 'matched_at'], rows);
  if (rows.length) await reindexServices(db, rows.map((r) => String(r[0])));
  const organizations = await matchOrganizations(db, mine, theirs, now);
  return { services: rows.length, organizations };
}

/** Each organisation's match keys: website host, phones, and its locations' addresses. */
async function organizationFacts(db: Db, ids: string[]): Promise<Map<string, Facts>> {
  const q = loose(db);
  const out = new Map<string, Facts>();
  for (const o of await inChunks(ids, (c) => q.selectFrom('directory_organization').select(['id', 'name', 'website']).where('id', 'in', c).execute())) {
    const f: Facts = { id: String(o.id), name: normalise(o.name), keys: new Set(), first: '' };
    const w = webKey(o.website).split('/')[0];
    if (w) f.keys.add(`w:${w}`);
    out.set(f.id, f);
  }
  for (const p of await inChunks(ids, (c) => q.selectFrom('directory_phone').select(['organization_id', 'number']).where('organization_id', 'in', c).execute())) {
    const k = phoneKey(p.number);
    if (k.length >= 7) out.get(String(p.organization_id))?.keys.add(`p:${k}`);
  }
  const addresses = await inChunks(ids, (c) => q.selectFrom('directory_location as l').innerJoin('directory_address as a', 'a.location_id', 'l.id').select(['l.organization_id as organization_id', 'a.address_1 as line', 'a.postal_code as zip']).where('l.organization_id', 'in', c).execute());
  for (const a of addresses) {
    const k = addressKey(a);
    if (k) out.get(String(a.organization_id))?.keys.add(`a:${k}`);
  }
  return out;
}

/** The organisations of `mine` (services) matched with those of `theirs`; the first seen is the one first listed. */
async function matchOrganizations(db: Db, mine: string[], theirs: string[], now: string): Promise<number> {
  const q = loose(db);
  const orgsOf = async (ids: string[]) => {
    const first = new Map<string, string>();
    const rows = await inChunks(ids, (c) => q.selectFrom('directory_service as s').innerJoin('directory_provenance as p', 'p.service_id', 's.id').select(['s.organization_id as org', 'p.first_seen as at']).where('s.id', 'in', c).where('s.organization_id', 'is not', null).execute());
    for (const r of rows) {
      const at = r.at instanceof Date ? r.at.toISOString() : String(r.at);
      const org = String(r.org);
      if (!first.has(org) || at < first.get(org)!) first.set(org, at);
    }
    return first;
  };
  const a = await orgsOf(mine);
  const b = await orgsOf(theirs);
  const myOrgs = [...a.keys()].filter((id) => !b.has(id));
  const theirOrgs = [...b.keys()].filter((id) => !a.has(id));
  if (!myOrgs.length || !theirOrgs.length) return 0;
  const facts = await organizationFacts(db, [...myOrgs, ...theirOrgs]);
  for (const [id, f] of facts) f.first = a.get(id) ?? b.get(id) ?? '';
  const known = new Set((await q.selectFrom('directory_organization_match').select('organization_id').execute()).map((r) => String(r.organization_id)));
  const rows = pairs(myOrgs, theirOrgs, facts, known, now);
  await insertMany(db, 'directory_organization_match', ['organization_id', 'same_as', 'matched_on', 'matched_at'], rows);
  return rows.length;
}

/**
 * A matched pair whose record seen first no longer is active (its source left it) while the other is: the other
 * stands for them from now on, so that search does not show the service as closed while a source still lists it.
 */
export async function preferActive(db: Db): Promise<number> {
  const q = loose(db);
  const rows = await q
    .selectFrom('directory_service_match as m')
    .innerJoin('directory_service as p', 'p.id', 'm.same_as')
    .innerJoin('directory_service as s', 's.id', 'm.service_id')
    .select(['m.service_id as later', 'm.same_as as first'])
    .where('p.status', '!=', 'active')
    .where('s.status', '=', 'active')
    .orderBy('m.service_id')
    .execute();
  const done = new Set<string>();
  const touched: string[] = [];
  for (const r of rows) {
    const first = String(r.first);
    const later = String(r.later);
    if (done.has(first)) continue;
    done.add(first);
    const group = await q.selectFrom('directory_service_match').selectAll().where('same_as', '=', first).execute();
    await q.deleteFrom('directory_service_match').where('same_as', '=', first).execute();
    await insertMany(db, 'directory_service_match', ['service_id', 'same_as', 'matched_on', 'matched_at'], group.map((g) => [String(g.service_id) === later ? first : g.service_id, later, g.matched_on, g.matched_at]));
    touched.push(first, later);
  }
  if (touched.length) await reindexServices(db, touched);
  return done.size;
}

/** The ids search leaves out: each matched record seen later, stood for by the one seen first. */
export async function standsForAnother(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  // No match at all (a directory fed by one source): nothing to look up for thousands of ids.
  if (ids.length > 1 && !(await loose(db).selectFrom('directory_service_match').select('service_id').limit(1).executeTakeFirst())) return new Set();
  const rows = await inChunks(ids, (c) => loose(db).selectFrom('directory_service_match').select('service_id').where('service_id', 'in', c).execute());
  return new Set(rows.map((r) => String(r.service_id)));
}

/** An organisation and those matched with it from other sources (either side). */
export async function organizationsMatchedWith(db: Db, id: string): Promise<string[]> {
  const rows = await loose(db).selectFrom('directory_organization_match').select(['organization_id', 'same_as']).where((eb) => eb.or([eb('organization_id', '=', id), eb('same_as', '=', id)])).execute();
  return [...new Set([id, ...rows.flatMap((r) => [String(r.organization_id), String(r.same_as)])])];
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

export interface OrganizationMatch {
  organization_id: string;
  same_as: string;
  name: string;
  other_name: string;
  matched_on: string;
}

/** The values a steward may choose between, in the order pages list them. */
export const COMPARED = ['name', 'description', 'url', 'email', 'status', 'fees_description', 'eligibility_description'] as const;
export type ComparedField = (typeof COMPARED)[number];

/** An address as matching compares it: the first line normalised and the ZIP code's five digits; '' without a line. */
function addressKey(a: { line: unknown; zip: unknown }): string {
  const line = normalise(a.line);
  return line ? `${line}|${String(a.zip ?? '').trim().slice(0, 5)}` : '';
}

const valueOf = (x: unknown): string | null => (x === null || x === undefined || x === '' ? null : String(x));

/** The conflicts page's length (a page of the list; the API takes per_page); tests lower it. */
export const CONFLICTS_PAGE = { perPage: 50 };

/**
 * The values on which matched services disagree, for a steward to resolve, a page of them (`total`: all of them),
 * and a page of the matched organisations (`organizationsOffset`, the same length); with `organizations`, only the matches
 * of services of those organisations (a steward's).
 */
export async function conflicts(db: Db, opts: { limit?: number; offset?: number; organizationsOffset?: number; organizations?: ReadonlySet<string> } = {}): Promise<{ items: Conflict[]; total: number; matches: number; organizations: OrganizationMatch[]; organizationsTotal: number }> {
  const { limit = CONFLICTS_PAGE.perPage, offset = 0, organizationsOffset = 0, organizations: only } = opts;
  const q = loose(db);
  const all = await q.selectFrom('directory_service_match').selectAll().orderBy('matched_at').orderBy('service_id').execute();
  const ids = [...new Set(all.flatMap((m) => [String(m.service_id), String(m.same_as)]))];
  const services = new Map((await inChunks(ids, (c) => q.selectFrom('directory_service').select(['id', 'organization_id', ...COMPARED]).where('id', 'in', c).execute())).map((s) => [String(s.id), s]));
  const mayAct = (a: Record<string, unknown>, b: Record<string, unknown>) => !only || only.has(String(a.organization_id)) || only.has(String(b.organization_id));
  const items: Conflict[] = [];
  let matches = 0;
  for (const m of all) {
    const a = services.get(String(m.service_id));
    const b = services.get(String(m.same_as));
    if (!a || !b || !mayAct(a, b)) continue;
    matches++;
    for (const field of COMPARED) {
      const va = valueOf(a[field]);
      const vb = valueOf(b[field]);
      if (va === vb) continue;
      items.push({ service_id: String(m.service_id), same_as: String(m.same_as), name: String(b.name), matched_on: String(m.matched_on), field, value: va, other_value: vb });
    }
  }
  const orgRows = await q.selectFrom('directory_organization_match').selectAll().orderBy('matched_at').orderBy('organization_id').execute();
  const orgIds = [...new Set(orgRows.flatMap((m) => [String(m.organization_id), String(m.same_as)]))];
  const names = new Map((await inChunks(orgIds, (c) => q.selectFrom('directory_organization').select(['id', 'name']).where('id', 'in', c).execute())).map((o) => [String(o.id), String(o.name)]));
  const organizations = orgRows
    .filter((m) => !only || only.has(String(m.organization_id)) || only.has(String(m.same_as)))
    .map((m) => ({ organization_id: String(m.organization_id), same_as: String(m.same_as), name: names.get(String(m.organization_id)) ?? '', other_name: names.get(String(m.same_as)) ?? '', matched_on: String(m.matched_on) }));
  return { items: items.slice(offset, offset + limit), total: items.length, matches, organizations: organizations.slice(organizationsOffset, organizationsOffset + limit), organizationsTotal: organizations.length };
}

/** Resolves conflicts: directory managers for every match; a listing's stewards for the matches of their listings. */
export const resolvesConflict = (who: Ctx, stewarded: boolean): boolean => managesDirectory(who) || editsListing(who, stewarded);

/**
 * The directory organisations whose conflicts the caller may resolve: null for every one (a directory manager);
 * else those their account organisation stewards. Someone who may resolve none is refused.
 */
export async function conflictScope(ctx: Ctx): Promise<Set<string> | null> {
  if (managesDirectory(ctx)) {
    authorize(ctx, true);
    return null;
  }
  // Whoever may propose changes sees the conflicts of the listings their organisation stewards: none, for one that
  // stewards nothing (an empty list, as "My listings" is, rather than a refusal of a permission the role holds).
  authorize(ctx, proposes(ctx), NOT_STEWARD);
  return new Set(ctx.actor ? await stewardedOrganizations(ctx.db, ctx.actor.organizationId) : []);
}

export interface KeepInput {
  field?: unknown;
  value?: unknown;
}

/**
 * Keeps one of two matched services' differing values of a field (`id` is the record seen later, as `conflicts`
 * lists it): written on the record that had the other value, and remembered with the value it replaced so that the
 * next pull does not put that back. Audited; the value must be one of the two.
 */
export async function keepValue(ctx: Ctx, id: string, input: KeepInput): Promise<{ service_id: string; same_as: string; field: string; kept: string | null; changed: string[] }> {
  // Who may resolve none is refused before learning whether the match exists.
  await conflictScope(ctx);
  return runCommand(ctx, async (trx, audit) => {
    const q = loose(trx);
    const m = await q.selectFrom('directory_service_match').selectAll().where('service_id', '=', id).executeTakeFirst();
    if (!m) throw notFound('No such match: the id is the matched service seen later, as the conflicts list it.');
    const rows = await q.selectFrom('directory_service').select(['id', 'organization_id', ...COMPARED]).where('id', 'in', [String(m.service_id), String(m.same_as)]).execute();
    const a = rows.find((r) => String(r.id) === String(m.service_id));
    const b = rows.find((r) => String(r.id) === String(m.same_as));
    if (!a || !b) throw notFound('No such match.');
    const stewarded = ctx.actor ? new Set(await stewardedOrganizations(trx, ctx.actor.organizationId)) : new Set<string>();
    authorize(ctx, resolvesConflict(ctx, stewarded.has(String(a.organization_id)) || stewarded.has(String(b.organization_id))), NOT_STEWARD);
    const field = (typeof input.field === 'string' ? input.field : '') as ComparedField;
    if (!COMPARED.includes(field)) throw badRequest([{ field: 'field', message: `must be one of: ${COMPARED.join(', ')}` }]);
    const va = valueOf(a[field]);
    const vb = valueOf(b[field]);
    if (va === vb) throw badRequest([{ field: 'field', message: 'has the same value on both services' }]);
    if (input.value !== null && input.value !== undefined && typeof input.value !== 'string') throw badRequest([{ field: 'value', message: 'must be one of the two values' }]);
    const kept = valueOf(input.value);
    if (kept !== va && kept !== vb) throw badRequest([{ field: 'value', message: 'must be one of the two values' }]);
    const now = new Date().toISOString();
    const changed: string[] = [];
    for (const r of [a, b]) {
      const replaced = valueOf(r[field]);
      if (replaced === kept) continue;
      const sid = String(r.id);
      changed.push(sid);
      await q.deleteFrom('directory_service_choice').where('service_id', '=', sid).where('field', '=', field).execute();
      await q.insertInto('directory_service_choice').values({ service_id: sid, field, kept, replaced, decided_by: ctx.actor?.id ?? null, decided_at: now }).execute();
      await q.updateTable('directory_service').set({ [field]: kept, last_modified: now }).where('id', '=', sid).execute();
    }
    await reindexServices(trx, changed);
    await audit({ action: 'directory.conflict.resolve', entityType: 'directory_service', entityId: changed[0], summary: { field, kept, service_id: String(a.id), same_as: String(b.id) } });
    return { service_id: String(a.id), same_as: String(b.id), field, kept, changed };
  });
}

/** Whether any choice is kept at all (a pull reads its publication itself only then). */
export async function anyChoice(db: Db): Promise<boolean> {
  return !!(await loose(db).selectFrom('directory_service_choice').select('service_id').limit(1).executeTakeFirst());
}

/**
 * Before a source's import: where a steward kept a value and the source still gives the value it replaced, the
 * kept value is imported instead (so nothing is rewritten). Answers the choices the source overtook: it now gives
 * another value (which stands) or the kept one; they are forgotten after the import (`forgetChoices`).
 */
export async function applyChoices(db: Db, ds: Dataset): Promise<{ kept: number; stale: [string, string][] }> {
  const services = ds.get('service');
  // Rows are not checked yet: only well-formed ids are looked up (PostgreSQL compares them as uuid).
  const byId = new Map(services.filter((s) => isUuid(String(s.id))).map((s) => [String(s.id), s]));
  const choices = await inChunks([...byId.keys()], (c) => loose(db).selectFrom('directory_service_choice').selectAll().where('service_id', 'in', c).execute());
  let kept = 0;
  const stale: [string, string][] = [];
  for (const c of choices) {
    const row = byId.get(String(c.service_id));
    const field = String(c.field);
    if (!row) continue;
    const incoming = valueOf(row[field]);
    if (incoming === valueOf(c.replaced)) {
      row[field] = c.kept === null ? null : String(c.kept);
      kept++;
    } else stale.push([String(c.service_id), field]);
  }
  return { kept, stale };
}

/**
 * What every import does before its rows are compared (import.ts): the choices stewards kept are applied to the
 * publication, whichever way it came (a pull, the command line, a seed), and the log says how many; the choices the
 * publication overtook are answered, for `forgetChoices` inside the import's transaction.
 */
export async function honourChoices(db: Db, ds: Dataset, log: (line: string) => void): Promise<[string, string][]> {
  if (!(await anyChoice(db))) return [];
  const applied = await applyChoices(db, ds);
  if (applied.kept) log(`  ${applied.kept} value(s) kept by a steward over this source's`);
  return applied.stale;
}

export async function forgetChoices(db: Db, stale: [string, string][]): Promise<void> {
  for (const [id, field] of stale) await loose(db).deleteFrom('directory_service_choice').where('service_id', '=', id).where('field', '=', field).execute();
}

/**
 * One record outward (issue 12 item 6): each matched record seen later, with the record that stands for it (the one
 * seen first), services and organisations. The HSDS API redirects the later ids, and the exports leave the later
 * records out (export.ts `oneRecordPerMatch`).
 */
export interface StandIns {
  services: Map<string, string>;
  organizations: Map<string, string>;
}

export async function standIns(db: Db): Promise<StandIns> {
  const q = loose(db);
  const services = new Map((await q.selectFrom('directory_service_match').select(['service_id', 'same_as']).execute()).map((r) => [String(r.service_id), String(r.same_as)]));
  return { services, organizations: (await organizationStandIns(db)).organizations };
}

/** The record that stands for this one, when it is the later of a match; null otherwise. */
export async function standsFor(db: Db, kind: 'service' | 'organization', id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const r = await loose(db)
    .selectFrom(kind === 'service' ? 'directory_service_match' : 'directory_organization_match')
    .select('same_as')
    .where(kind === 'service' ? 'service_id' : 'organization_id', '=', id)
    .executeTakeFirst();
  return r ? String(r.same_as) : null;
}

/**
 * The service_at_location row of `first` (the service that stands for a matched pair) that is the counterpart of a
 * row of the later service: the one at the same location, else one at a location with the same address (first line
 * and postal code, as matching compares them). Null when the first service is not offered there.
 */
export async function counterpartRow(db: Db, row: { location_id: unknown }, first: string): Promise<string | null> {
  const q = loose(db);
  const rows = await q.selectFrom('directory_service_at_location').select(['id', 'location_id']).where('service_id', '=', first).orderBy('id').execute();
  const same = rows.find((r) => r.location_id === row.location_id);
  if (same) return String(same.id);
  if (!rows.length) return null;
  const addressesOf = (ids: unknown[]) => q.selectFrom('directory_address').select(['location_id', 'address_1 as line', 'postal_code as zip']).where('location_id', 'in', ids as string[]).execute();
  const mine = new Set((await addressesOf([row.location_id])).map(addressKey).filter(Boolean));
  if (!mine.size) return null;
  const theirs = await addressesOf(rows.map((r) => r.location_id));
  const at = theirs.find((a) => mine.has(addressKey(a)));
  return at ? String(rows.find((r) => r.location_id === at.location_id)!.id) : null;
}

/**
 * The organisations matched with one seen first, each with that one (directory_organization_match). With `ids`, only
 * those of them, read by key (an HSDS answer's organisations: the table is never read whole per request); without,
 * all of them (the exports).
 */
export async function organizationStandIns(db: Db, ids?: Iterable<string>): Promise<StandIns> {
  const q = loose(db).selectFrom('directory_organization_match').select(['organization_id', 'same_as']);
  let rows: Record<string, unknown>[];
  if (!ids) rows = await q.execute();
  else {
    const wanted = [...new Set(ids)].filter(isUuid);
    rows = wanted.length ? await inChunks(wanted, (c) => q.where('organization_id', 'in', c).execute()) : [];
  }
  return { services: new Map(), organizations: new Map(rows.map((r) => [String(r.organization_id), String(r.same_as)])) };
}
