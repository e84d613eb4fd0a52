/** Reads over the practices module's own tables; other modules' records come through their index.ts. */
import { sql } from 'kysely';
import type { DatabaseKind } from '../../config.ts';
import { bool, isUuid, json, type Db } from '../../platform/db/index.ts';
import type { SearchQuery } from '../../platform/db/search.ts';
import { SEARCH_INDEX, searchIndex } from './search-index.ts';
import { getRecommendation, getSeries } from '../listening/index.ts';
import { getWorkplanItem } from '../workplans/index.ts';
import { servicesFull } from '../directory/index.ts';
import { haversineMiles } from '../../platform/db/geo.ts';
import { reviewState, settledRating } from './rules.ts';
import { OUTCOME_DOMAINS, type LinkKind, type Outcome, type RuleSet } from './schema.ts';
import { practicesDb, type NominationTable, type PracticeTable, type StudyTable } from './tables.ts';

export { SEARCH_INDEX };
const iso = (v: unknown) => new Date(String(v)).toISOString();
const isoOrNull = (v: unknown) => (v === null || v === undefined ? null : iso(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export interface Resource {
  kind: string;
  title: string;
  url?: string | null;
}

export interface Practice {
  id: string;
  name: string;
  summary: string;
  components: string | null;
  populations: string[];
  setting: string;
  outcome_domains: string[];
  cost: string | null;
  resources: Resource[];
  contact_name: string | null;
  contact_email: string | null;
  source: string | null;
  demo: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

export function practiceOf(r: PracticeTable): Practice {
  return {
    id: r.id,
    name: r.name,
    summary: r.summary,
    components: r.components ?? null,
    populations: json<string[]>(r.populations, []),
    setting: r.setting,
    outcome_domains: json<string[]>(r.outcome_domains, []),
    cost: r.cost ?? null,
    resources: json<Resource[]>(r.resources, []),
    contact_name: r.contact_name ?? null,
    contact_email: r.contact_email ?? null,
    source: r.source ?? null,
    demo: bool(r.demo),
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export async function getPractice(db: Db, id: string): Promise<Practice | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await practicesDb(db).selectFrom('practices_practice').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? practiceOf(r) : undefined;
}

export interface Review {
  reviewer_id: string;
  reviewer_label: string;
  rating: string;
  notes: string | null;
  created_at: string;
}

export interface Study {
  id: string;
  practice_id: string;
  title: string;
  authors: string;
  year: number | null;
  journal: string | null;
  doi: string | null;
  url: string | null;
  design: string;
  sample_size: number | null;
  setting: string | null;
  attrition: number | null;
  outcomes: Outcome[];
  origin: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** Every review, in the order given: presenters decide who sees which (policies.visibleReviews). */
  reviews: Review[];
  reconciliation: { rating: string; reason: string; lead_id: string | null; lead_label: string; created_at: string } | null;
  review_state: ReturnType<typeof reviewState>;
  final_rating: string | null;
}

function studyBase(r: StudyTable): Omit<Study, 'reviews' | 'reconciliation' | 'review_state' | 'final_rating'> {
  return {
    id: r.id,
    practice_id: r.practice_id,
    title: r.title,
    authors: r.authors,
    year: numOrNull(r.year),
    journal: r.journal ?? null,
    doi: r.doi ?? null,
    url: r.url ?? null,
    design: r.design,
    sample_size: numOrNull(r.sample_size),
    setting: r.setting ?? null,
    attrition: numOrNull(r.attrition),
    outcomes: json<Outcome[]>(r.outcomes, []),
    origin: r.origin,
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

async function withReviews(db: Db, rows: StudyTable[]): Promise<Study[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const reviews = await practicesDb(db).selectFrom('practices_review').selectAll().where('study_id', 'in', ids).orderBy('created_at').orderBy('reviewer_id').execute();
  const recs = await practicesDb(db).selectFrom('practices_reconciliation').selectAll().where('study_id', 'in', ids).execute();
  const byStudy = new Map<string, Review[]>();
  for (const r of reviews) byStudy.set(r.study_id, [...(byStudy.get(r.study_id) ?? []), { reviewer_id: r.reviewer_id, reviewer_label: r.reviewer_label, rating: r.rating, notes: r.notes ?? null, created_at: iso(r.created_at) }]);
  const recBy = new Map(recs.map((r) => [r.study_id, { rating: r.rating, reason: r.reason, lead_id: r.lead_id ?? null, lead_label: r.lead_label, created_at: iso(r.created_at) }]));
  return rows.map((r) => {
    const rv = byStudy.get(r.id) ?? [];
    const rec = recBy.get(r.id) ?? null;
    return { ...studyBase(r), reviews: rv, reconciliation: rec, review_state: reviewState(rv, rec?.rating ?? null), final_rating: settledRating(rv, rec?.rating ?? null) };
  });
}

export async function getStudy(db: Db, id: string): Promise<Study | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await practicesDb(db).selectFrom('practices_study').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? (await withReviews(db, [r]))[0] : undefined;
}

/** A practice's studies, newest first. */
export async function listStudies(db: Db, practiceId: string): Promise<Study[]> {
  if (!isUuid(practiceId)) return [];
  const rows = await practicesDb(db).selectFrom('practices_study').selectAll().where('practice_id', '=', practiceId).orderBy('year', 'desc').orderBy('title').orderBy('id').execute();
  return withReviews(db, rows);
}

/** Studies waiting for reviews or a lead's reconciliation, oldest first (bounded). */
export async function reviewQueue(db: Db, limit = 200): Promise<(Study & { practice_name: string })[]> {
  const settled = practicesDb(db).selectFrom('practices_reconciliation').select('study_id');
  const twoAgreeing = practicesDb(db).selectFrom('practices_review').select('study_id').groupBy('study_id').having((eb) => eb.fn.count('reviewer_id'), '=', 2).having(sql`count(distinct rating)`, '=', 1);
  const rows = await practicesDb(db)
    .selectFrom('practices_study as s')
    .innerJoin('practices_practice as p', 'p.id', 's.practice_id')
    .selectAll('s')
    .select('p.name as practice_name')
    .where('s.id', 'not in', settled)
    .where('s.id', 'not in', twoAgreeing)
    .orderBy('s.created_at')
    .orderBy('s.id')
    .limit(limit)
    .execute();
  const studies = await withReviews(db, rows);
  const names = new Map(rows.map((r) => [r.id, r.practice_name]));
  return studies.map((s) => ({ ...s, practice_name: names.get(s.id) ?? '' }));
}

export interface StoredRuleSet {
  version: number;
  rules: RuleSet;
  note: string;
  created_by: string;
  created_at: string;
}

export async function listRuleSets(db: Db): Promise<StoredRuleSet[]> {
  const rows = await practicesDb(db).selectFrom('practices_rule_set').selectAll().orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: Number(r.version), rules: json<RuleSet>(r.rules, { qualifying: [], rules: [] }), note: r.note, created_by: r.created_by, created_at: iso(r.created_at) }));
}

export async function ruleSet(db: Db, version: number): Promise<StoredRuleSet | undefined> {
  const r = await practicesDb(db).selectFrom('practices_rule_set').selectAll().where('version', '=', version).executeTakeFirst();
  return r ? { version: Number(r.version), rules: json<RuleSet>(r.rules, { qualifying: [], rules: [] }), note: r.note, created_by: r.created_by, created_at: iso(r.created_at) } : undefined;
}

/** The rule set in force: the highest version (the migration adds version 1). */
export async function currentRuleSet(db: Db): Promise<StoredRuleSet> {
  const top = await practicesDb(db).selectFrom('practices_rule_set').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  const set = await ruleSet(db, Number(top?.v ?? 1));
  if (!set) throw new Error('practices: no rating rule set (the migration adds version 1)');
  return set;
}

export interface Rating {
  domain: string;
  rating: string;
  evidence: string;
  studies: number;
  rule_version: number;
  rule_index: number | null;
  computed_at: string;
}

export async function ratingsOf(db: Db, practiceIds: readonly string[]): Promise<Map<string, Rating[]>> {
  const out = new Map<string, Rating[]>();
  const ids = practiceIds.filter(isUuid);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await practicesDb(db).selectFrom('practices_rating').selectAll().where('practice_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) {
      out.set(r.practice_id, [...(out.get(r.practice_id) ?? []), { domain: r.domain, rating: r.rating, evidence: r.evidence, studies: Number(r.studies), rule_version: Number(r.rule_version), rule_index: numOrNull(r.rule_index), computed_at: iso(r.computed_at) }]);
    }
  }
  const rank = (d: string) => (OUTCOME_DOMAINS as readonly string[]).indexOf(d);
  for (const list of out.values()) list.sort((a, b) => rank(a.domain) - rank(b.domain) || a.domain.localeCompare(b.domain));
  return out;
}

export interface Link {
  kind: LinkKind;
  target_id: string;
  label: string;
  href: string;
  /** False when the linked record is gone (or, for a service, no longer public). */
  found: boolean;
}

/** A practice's links with the linked records' names, read through the other modules' index.ts. */
export async function linksOf(db: Db, practiceId: string): Promise<Link[]> {
  if (!isUuid(practiceId)) return [];
  const rows = await practicesDb(db).selectFrom('practices_link').selectAll().where('practice_id', '=', practiceId).orderBy('kind').orderBy('created_at').execute();
  const serviceIds = rows.filter((r) => r.kind === 'service').map((r) => r.target_id);
  const services = new Map((await servicesFull(db, serviceIds, { vetted: false, extensions: false })).map((s) => [String(s.id), s]));
  const out: Link[] = [];
  for (const r of rows) {
    const kind = r.kind as LinkKind;
    out.push({ kind, target_id: r.target_id, ...(await linkTarget(db, kind, r.target_id, services)) });
  }
  return out;
}

/** The label and address of a link's target, or found: false. */
export async function linkTarget(db: Db, kind: LinkKind, id: string, services?: Map<string, Record<string, unknown>>): Promise<{ label: string; href: string; found: boolean }> {
  if (kind === 'service') {
    const s = services ? services.get(id) : (await servicesFull(db, [id], { vetted: false, extensions: false }))[0];
    const org = s?.organization as { name?: string } | undefined;
    return { label: s ? [String(s.name), org?.name].filter(Boolean).join(' — ') : id, href: `/directory/services/${id}`, found: Boolean(s) };
  }
  if (kind === 'recommendation') {
    const r = await getRecommendation(db, id);
    return { label: r?.title ?? id, href: `/listening/recommendations/${id}`, found: Boolean(r) };
  }
  if (kind === 'series') {
    const s = await getSeries(db, id);
    return { label: s?.title ?? id, href: `/listening/series/${id}/findings`, found: Boolean(s) };
  }
  const item = await getWorkplanItem(db, id);
  return { label: item ? `${item.number} ${item.title}` : id, href: `/workplans/items/${id}`, found: Boolean(item) };
}

export interface NearbyService {
  id: string;
  name: string;
  organization: string | null;
  /** Miles from the place to the service's nearest location. */
  miles: number;
  /** That location's city and state. */
  where: string;
}

/**
 * The directory services linked to this practice with a public location within `radiusMiles` of a point, nearest
 * first, read through the directory's index (servicesFull, confidential locations redacted as for the public).
 */
export async function servicesNear(db: Db, practiceId: string, at: { lat: number; lng: number }, radiusMiles: number): Promise<NearbyService[]> {
  if (!isUuid(practiceId)) return [];
  const ids = (await practicesDb(db).selectFrom('practices_link').select('target_id').where('practice_id', '=', practiceId).where('kind', '=', 'service').execute()).map((r) => r.target_id);
  if (!ids.length) return [];
  const out: NearbyService[] = [];
  for (const s of await servicesFull(db, ids, { vetted: false, extensions: false })) {
    let best: { miles: number; where: string } | null = null;
    for (const sal of (s.service_at_locations as { location?: Record<string, unknown> }[] | undefined) ?? []) {
      const loc = sal.location;
      const lat = Number(loc?.latitude);
      const lng = Number(loc?.longitude);
      if (!loc || loc.latitude === null || loc.latitude === undefined || !Number.isFinite(lat) || !Number.isFinite(lng)) continue;
      const miles = haversineMiles(at.lat, at.lng, lat, lng);
      const addr = ((loc.addresses as Record<string, unknown>[] | undefined) ?? [])[0];
      const where = addr ? [addr.city, addr.state_province].filter(Boolean).join(', ') : '';
      if (miles <= radiusMiles && (!best || miles < best.miles)) best = { miles, where };
    }
    if (!best) continue;
    const org = s.organization as { name?: string } | undefined;
    out.push({ id: String(s.id), name: String(s.name), organization: org?.name ?? null, ...best });
  }
  return out.sort((a, b) => a.miles - b.miles || a.name.localeCompare(b.name));
}

/** Practices linked to these records of another module (a directory service, say): for their pages. */
export async function practicesLinkedTo(db: Db, kind: LinkKind, targetIds: readonly string[]): Promise<Map<string, { id: string; name: string; ratings: Rating[] }[]>> {
  const out = new Map<string, { id: string; name: string; ratings: Rating[] }[]>();
  const ids = targetIds.filter(isUuid);
  if (!ids.length) return out;
  const rows = await practicesDb(db).selectFrom('practices_link as l').innerJoin('practices_practice as p', 'p.id', 'l.practice_id').select(['l.target_id', 'p.id', 'p.name']).where('l.kind', '=', kind).where('l.target_id', 'in', ids).orderBy('p.name').execute();
  const ratings = await ratingsOf(db, rows.map((r) => r.id));
  for (const r of rows) out.set(r.target_id, [...(out.get(r.target_id) ?? []), { id: r.id, name: r.name, ratings: ratings.get(r.id) ?? [] }]);
  return out;
}

// ---------- search ----------

export const FACETS = ['population', 'outcome', 'rating', 'setting', 'design'] as const;
export type Facet = (typeof FACETS)[number];

export interface SearchParams {
  q?: SearchQuery;
  population?: string;
  outcome?: string;
  rating?: string;
  setting?: string;
  design?: string;
  limit: number;
  offset: number;
}

export interface SearchResult {
  items: (Practice & { ratings: Rating[] })[];
  total: number;
  facets: Record<Facet, { value: string; count: number }[]>;
}

/**
 * Practices matching the words and filters (those whose name matches the words first, then by name), with facet
 * counts over the whole match, from the in-memory index (search-index.ts); the page's rows are read here.
 * An outcome with a rating asks for that rating on that outcome.
 */
export async function searchPractices(db: Db, kind: DatabaseKind, p: SearchParams): Promise<SearchResult> {
  const filters: [string, string][] = [];
  if (p.population) filters.push(['population', p.population]);
  if (p.setting) filters.push(['setting', p.setting]);
  if (p.design) filters.push(['design', p.design]);
  if (p.outcome && p.rating) filters.push(['outcome_rating', `${p.outcome}:${p.rating}`]);
  else if (p.outcome) filters.push(['outcome', p.outcome]);
  else if (p.rating) filters.push(['rating', p.rating]);
  const found = await searchIndex(db, kind, { q: p.q, filters, facets: FACETS, limit: p.limit, offset: p.offset });
  const facets = Object.fromEntries(FACETS.map((f) => [f, [] as { value: string; count: number }[]])) as SearchResult['facets'];
  for (const c of found.facets) facets[c.facet as Facet].push({ value: c.value, count: c.count });
  for (const f of FACETS) facets[f].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  const rows = found.ids.length ? await practicesDb(db).selectFrom('practices_practice').selectAll().where('id', 'in', found.ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const page = found.ids.map((id) => byId.get(id)).filter((r): r is PracticeTable => Boolean(r));
  const ratings = await ratingsOf(db, page.map((r) => r.id));
  return { items: page.map((r) => ({ ...practiceOf(r), ratings: ratings.get(r.id) ?? [] })), total: found.total, facets };
}

/** Every practice (bounded), for the exports. */
export async function allPractices(db: Db, limit = 50000): Promise<(Practice & { ratings: Rating[] })[]> {
  const rows = await practicesDb(db).selectFrom('practices_practice').selectAll().orderBy('name').orderBy('id').limit(limit).execute();
  const out: (Practice & { ratings: Rating[] })[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const ratings = await ratingsOf(db, chunk.map((r) => r.id));
    for (const r of chunk) out.push({ ...practiceOf(r), ratings: ratings.get(r.id) ?? [] });
  }
  return out;
}

// ---------- feed, digest, nominations, agreement ----------

export interface PracticeEvent {
  id: string;
  practice_id: string;
  practice_name: string;
  kind: 'new' | 'rerated';
  at: string;
  detail: { changes?: { domain: string; from: string | null; to: string }[] };
}

/** Events of new and re-rated practices, newest first; `since` keeps those after an instant. */
export async function listEvents(db: Db, o: { since?: string | null; limit: number }): Promise<PracticeEvent[]> {
  let q = practicesDb(db).selectFrom('practices_event as e').innerJoin('practices_practice as p', 'p.id', 'e.practice_id').select(['e.id', 'e.practice_id', 'p.name', 'e.kind', 'e.at', 'e.detail']);
  if (o.since) q = q.where('e.at', '>', o.since);
  const rows = await q.orderBy('e.at', 'desc').orderBy('e.id').limit(o.limit).execute();
  return rows.map((r) => ({ id: r.id, practice_id: r.practice_id, practice_name: r.name, kind: r.kind as PracticeEvent['kind'], at: iso(r.at), detail: json(r.detail, {}) }));
}

export interface Nomination {
  id: string;
  name: string;
  summary: string;
  materials: string | null;
  outcome_domains: string[];
  populations: string[];
  organization_name: string | null;
  nominator_id: string;
  nominator_email: string;
  status: string;
  reason: string | null;
  practice_id: string | null;
  created_at: string;
  decided_at: string | null;
}

const nominationOf = (r: NominationTable): Nomination => ({
  id: r.id,
  name: r.name,
  summary: r.summary,
  materials: r.materials ?? null,
  outcome_domains: json<string[]>(r.outcome_domains, []),
  populations: json<string[]>(r.populations, []),
  organization_name: r.organization_name ?? null,
  nominator_id: r.nominator_id,
  nominator_email: r.nominator_email,
  status: r.status,
  reason: r.reason ?? null,
  practice_id: r.practice_id ?? null,
  created_at: iso(r.created_at),
  decided_at: isoOrNull(r.decided_at),
});

export async function getNomination(db: Db, id: string): Promise<Nomination | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await practicesDb(db).selectFrom('practices_nomination').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? nominationOf(r) : undefined;
}

/** Nominations by status (pending: the moderation queue, oldest first), or one nominator's, newest first. */
export async function listNominations(db: Db, o: { status?: string; nominatorId?: string; limit?: number }): Promise<Nomination[]> {
  let q = practicesDb(db).selectFrom('practices_nomination').selectAll();
  if (o.status) q = q.where('status', '=', o.status);
  if (o.nominatorId) q = q.where('nominator_id', '=', o.nominatorId);
  const rows = await q.orderBy('created_at', o.status === 'pending' ? 'asc' : 'desc').orderBy('id').limit(o.limit ?? 200).execute();
  return rows.map(nominationOf);
}

/** The two ratings of every study rated by two reviewers, in the order they were given. */
export async function reviewPairs(db: Db): Promise<[string, string][]> {
  const rows = await practicesDb(db).selectFrom('practices_review').select(['study_id', 'rating', 'created_at', 'reviewer_id']).orderBy('study_id').orderBy('created_at').orderBy('reviewer_id').execute();
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.study_id, [...(by.get(r.study_id) ?? []), r.rating]);
  return [...by.values()].filter((x) => x.length === 2).map((x) => [x[0], x[1]]);
}
