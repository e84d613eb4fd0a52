import { isUuid, json, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import type { Selectable } from 'kysely';
import type { Fields } from './checks.ts';
import { workplansDb, type ItemTable, type UpdateTable } from './tables.ts';
import { loadDirectory, type Directory } from './directory.ts';
import { localDate, parsePeriod, periodOf, periodOfDate, periodsBetween, shiftPeriod, type Period } from './periods.ts';
import { derivedStatus, keyResultProgress, nodeProgress, type RollupNode, type Status } from './rollup.ts';
import type { ItemCreateInput, Kind, UpdateState } from './schema.ts';

export interface Milestone {
  id: string;
  title: string;
  due_date: string | null;
  done_date: string | null;
}
export interface KeyResult {
  id: string;
  name: string;
  start_value: number;
  target_value: number;
  unit: string | null;
}
export interface Item {
  id: string;
  number: string;
  kind: Kind;
  parent_id: string | null;
  title: string;
  description: string | null;
  lead_agency_id: string | null;
  supporting_agency_ids: string[];
  owner_type: 'committee' | 'partnership' | null;
  owner_id: string | null;
  start_date: string | null;
  due_date: string | null;
  status: Status;
  weight: number;
  sort_key: string;
  version: number;
  created_at: string;
  updated_at: string;
  milestones: Milestone[];
  key_results: KeyResult[];
}
export interface Update {
  id: string;
  item_id: string;
  period: string;
  submission: number;
  state: UpdateState;
  status: Status;
  narrative: string;
  key_result_values: Record<string, number>;
  evidence: string[];
  submitted_by: string | null;
  submitted_by_label: string;
  submitted_at: string;
  reviewed_by_label: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
}

export const KIND_BY_DEPTH: Kind[] = ['goal', 'objective', 'action'];

export function kindOfNumber(number: string): Kind {
  return KIND_BY_DEPTH[number.split('.').length - 1];
}
export function parentNumber(number: string): string | null {
  const i = number.lastIndexOf('.');
  return i < 0 ? null : number.slice(0, i);
}
/** Sorts 1.10.2 after 1.9.1. */
export function sortKey(number: string): string {
  return number
    .split('.')
    .map((n) => n.padStart(4, '0'))
    .join('.');
}

const dateOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v).slice(0, 10));

function toItem(r: Selectable<ItemTable>, ms: Milestone[], krs: KeyResult[]): Item {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    parent_id: r.parent_id ?? null,
    title: r.title,
    description: r.description ?? null,
    lead_agency_id: r.lead_agency_id ?? null,
    supporting_agency_ids: json<string[]>(r.supporting_agency_ids, []),
    owner_type: r.owner_type ?? null,
    owner_id: r.owner_id ?? null,
    start_date: dateOrNull(r.start_date),
    due_date: dateOrNull(r.due_date),
    status: r.status,
    weight: Number(r.weight),
    sort_key: r.sort_key,
    version: Number(r.version),
    created_at: r.created_at,
    updated_at: r.updated_at,
    milestones: ms,
    key_results: krs,
  };
}

export function toUpdate(r: Selectable<UpdateTable>): Update {
  return {
    id: r.id,
    item_id: r.item_id,
    period: r.period,
    submission: Number(r.submission),
    state: r.state,
    status: r.status,
    narrative: r.narrative,
    key_result_values: json<Record<string, number>>(r.kr_values, {}),
    evidence: json<string[]>(r.evidence, []),
    submitted_by: r.submitted_by ?? null,
    submitted_by_label: r.submitted_by_label,
    submitted_at: r.submitted_at,
    reviewed_by_label: r.reviewed_by_label ?? null,
    reviewed_at: r.reviewed_at ?? null,
    review_comment: r.review_comment ?? null,
  };
}

async function withParts(db: Db, rows: Selectable<ItemTable>[]): Promise<Item[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [ms, krs] = await Promise.all([
    workplansDb(db).selectFrom('workplans_milestones').selectAll().where('item_id', 'in', ids).orderBy('position').execute(),
    workplansDb(db).selectFrom('workplans_key_results').selectAll().where('item_id', 'in', ids).orderBy('position').execute(),
  ]);
  const msBy = new Map<string, Milestone[]>();
  for (const m of ms) {
    const list = msBy.get(m.item_id) ?? [];
    list.push({ id: m.id, title: m.title, due_date: dateOrNull(m.due_date), done_date: dateOrNull(m.done_date) });
    msBy.set(m.item_id, list);
  }
  const krBy = new Map<string, KeyResult[]>();
  for (const k of krs) {
    const list = krBy.get(k.item_id) ?? [];
    list.push({ id: k.id, name: k.name, start_value: Number(k.start_value), target_value: Number(k.target_value), unit: k.unit ?? null });
    krBy.set(k.item_id, list);
  }
  return rows.map((r) => toItem(r, msBy.get(r.id) ?? [], krBy.get(r.id) ?? []));
}

export async function listItems(db: Db): Promise<Item[]> {
  const rows = await workplansDb(db).selectFrom('workplans_items').selectAll().orderBy('sort_key').execute();
  return withParts(db, rows);
}

export async function getItem(db: Db, id: string): Promise<Item | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await workplansDb(db).selectFrom('workplans_items').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? (await withParts(db, [r]))[0] : undefined;
}

export async function getItemByNumber(db: Db, number: string): Promise<Item | undefined> {
  const r = await workplansDb(db).selectFrom('workplans_items').selectAll().where('number', '=', number).executeTakeFirst();
  return r ? (await withParts(db, [r]))[0] : undefined;
}

export async function listUpdates(db: Db, f: { itemId?: string; state?: UpdateState; period?: string } = {}): Promise<Update[]> {
  let q = workplansDb(db).selectFrom('workplans_updates').selectAll();
  if (f.itemId) q = q.where('item_id', '=', f.itemId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.period) q = q.where('period', '=', f.period);
  const rows = await q.orderBy('period').orderBy('submission').orderBy('submitted_at').execute();
  return rows.map(toUpdate);
}

export async function getUpdate(db: Db, id: string): Promise<Update | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await workplansDb(db).selectFrom('workplans_updates').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUpdate(r) : undefined;
}

/** Updates that count as "submitted for the period": waiting for review, or approved. A returned one does not. */
export const COUNTS_AS_SUBMITTED: UpdateState[] = ['submitted', 'approved'];

export interface DueInfo {
  id: string;
  number: string;
  title: string;
  status: string;
  due_date: string | null;
  late: boolean;
  next_update_period: string | null;
  next_update_due: string | null;
  missing_periods: string[];
}

/**
 * The whole plan in memory with its updates: plans are small (hundreds of items), and every view of them
 * (roll-ups, lists, the report) needs the tree at once.
 */
export class PlanView {
  readonly byId = new Map<string, Item>();
  readonly children = new Map<string | null, Item[]>();
  readonly updatesByItem = new Map<string, Update[]>();

  constructor(
    readonly items: Item[],
    readonly updates: Update[],
    readonly dir: Directory,
    readonly now: Date,
  ) {
    for (const i of items) {
      this.byId.set(i.id, i);
      const list = this.children.get(i.parent_id) ?? [];
      list.push(i);
      this.children.set(i.parent_id, list);
    }
    for (const u of updates) {
      const list = this.updatesByItem.get(u.item_id) ?? [];
      list.push(u);
      this.updatesByItem.set(u.item_id, list);
    }
  }

  get today(): string {
    return localDate(this.now);
  }
  get currentPeriod(): Period {
    return periodOf(this.now);
  }
  get lastClosedPeriod(): Period {
    return shiftPeriod(this.currentPeriod, -1);
  }

  goals(): Item[] {
    return this.children.get(null) ?? [];
  }
  childrenOf(id: string): Item[] {
    return this.children.get(id) ?? [];
  }
  descendants(id: string): Item[] {
    const out: Item[] = [];
    for (const c of this.childrenOf(id)) out.push(c, ...this.descendants(c.id));
    return out;
  }
  actions(): Item[] {
    return this.items.filter((i) => i.kind === 'action');
  }

  /** The committee or partnership that owns an item: its own, or the nearest ancestor's. */
  owner(item: Item): { type: string; id: string } | null {
    for (let i: Item | undefined = item; i; i = i.parent_id ? this.byId.get(i.parent_id) : undefined) {
      if (i.owner_id && i.owner_type) return { type: i.owner_type, id: i.owner_id };
    }
    return null;
  }
  ownerName(item: Item): string | null {
    const o = this.owner(item);
    return o ? (this.dir.owner(o.id)?.name ?? null) : null;
  }
  agencyName(id: string | null): string | null {
    const a = this.dir.agency(id);
    return a ? (a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name) : null;
  }

  /** Last known key-result values of an item as of a period, from approved updates in or before it. */
  knownValues(itemId: string, period: string): Record<string, number> {
    const values: Record<string, number> = {};
    for (const u of this.updatesByItem.get(itemId) ?? []) {
      if (u.state !== 'approved' || u.period > period) continue;
      Object.assign(values, u.key_result_values);
    }
    return values;
  }

  /** The status an item had as of a period: the newest approved update's status up to it, else its own. */
  statusAsOf(item: Item, period: string): Status {
    if (period >= this.currentPeriod.key) return item.status;
    let s: Status | undefined;
    for (const u of this.updatesByItem.get(item.id) ?? []) if (u.state === 'approved' && u.period <= period) s = u.status;
    if (item.status === 'dropped') return 'dropped';
    return s ?? (item.status === 'done' ? 'not_started' : item.status);
  }

  rollupNode(item: Item, period: string): RollupNode {
    const kids = this.childrenOf(item.id);
    return {
      id: item.id,
      status: this.statusAsOf(item, period),
      weight: item.weight,
      keyResults: item.key_results.map((k) => ({ id: k.id, start: k.start_value, target: k.target_value })),
      values: this.knownValues(item.id, period),
      children: kids.length ? kids.map((k) => this.rollupNode(k, period)) : undefined,
    };
  }

  progress(item: Item, period = this.currentPeriod.key): number | null {
    return nodeProgress(this.rollupNode(item, period));
  }

  /** Weighted progress over a set of top-level items (the goals of a committee, say). */
  progressOf(items: Item[], period = this.currentPeriod.key): number | null {
    return nodeProgress({ id: 'all', status: 'on_track', weight: 1, children: items.map((i) => this.rollupNode(i, period)) });
  }

  keyResultValue(item: Item, krId: string): { value: number | null; progress: number | null } {
    const v = this.knownValues(item.id, this.currentPeriod.key)[krId];
    const kr = item.key_results.find((k) => k.id === krId);
    if (typeof v !== 'number' || !kr) return { value: null, progress: null };
    return { value: v, progress: keyResultProgress({ id: kr.id, start: kr.start_value, target: kr.target_value }, v) };
  }

  /** A goal's or objective's status read from the actions under it (rollup.ts derivedStatus); null for an action. */
  derivedStatus(item: Item): Status | null {
    if (item.kind === 'action') return null;
    return derivedStatus(this.descendants(item.id).filter((d) => d.kind === 'action').map((d) => d.status));
  }

  /** Periods an update may be sent for now: those the action owes (oldest first), then the current one. */
  openPeriods(item: Item): Period[] {
    const keys = new Set([...this.missingPeriods(item), this.lastClosedPeriod.key, this.currentPeriod.key]);
    return [...keys].sort().reverse().map((k) => parsePeriod(k)!);
  }

  isLate(item: Item): boolean {
    return !!item.due_date && item.due_date < this.today && item.status !== 'done' && item.status !== 'dropped';
  }
  isAtRisk(item: Item): boolean {
    return item.status === 'at_risk' || item.status === 'off_track';
  }

  /** Whether an action owes an update for a period: it is live, and it had started by the period's end. */
  owesUpdate(item: Item, p: Period): boolean {
    if (item.kind !== 'action' || item.status === 'done' || item.status === 'dropped') return false;
    const start = item.start_date ?? localDate(new Date(item.created_at));
    return start <= p.endDate;
  }
  hasSubmitted(itemId: string, period: string): boolean {
    return (this.updatesByItem.get(itemId) ?? []).some((u) => u.period === period && COUNTS_AS_SUBMITTED.includes(u.state));
  }
  /** Closed periods (at most the last four) that the action owed and has no submitted update for. */
  missingPeriods(item: Item): string[] {
    if (item.kind !== 'action') return [];
    const last = this.lastClosedPeriod;
    const start = item.start_date ?? localDate(new Date(item.created_at));
    let first = periodOfDate(start);
    if (first.key < shiftPeriod(last, -3).key) first = shiftPeriod(last, -3);
    return periodsBetween(first, last)
      .filter((p) => this.owesUpdate(item, p) && !this.hasSubmitted(item.id, p.key))
      .map((p) => p.key);
  }

  due(item: Item): DueInfo {
    const missing = this.missingPeriods(item);
    let next: Period | null = null;
    if (missing.length) next = parsePeriod(missing[0])!;
    else if (this.owesUpdate(item, this.currentPeriod) && !this.hasSubmitted(item.id, this.currentPeriod.key)) next = this.currentPeriod;
    else if (item.kind === 'action' && item.status !== 'done' && item.status !== 'dropped') next = shiftPeriod(this.currentPeriod, 1);
    return {
      id: item.id,
      number: item.number,
      title: item.title,
      status: item.status,
      due_date: item.due_date,
      late: this.isLate(item),
      next_update_period: next?.key ?? null,
      next_update_due: next?.endDate ?? null,
      missing_periods: missing,
    };
  }
}

export async function loadPlanView(db: Db, dir: Directory, now = new Date()): Promise<PlanView> {
  const [items, updates] = await Promise.all([listItems(db), listUpdates(db)]);
  return new PlanView(items, updates, dir, now);
}

/** The plan with the structure it refers to, as every view of it needs. */
export async function loadPlan(db: Db, now = new Date()): Promise<PlanView> {
  return loadPlanView(db, await loadDirectory(db), now);
}

/** Replaces an item's milestones and key results when given, inside the caller's transaction. */
export async function writeParts(trx: Db, itemId: string, d: Fields, existing?: Item): Promise<void> {
  if (d.milestones) {
    await workplansDb(trx).deleteFrom('workplans_milestones').where('item_id', '=', itemId).execute();
    for (const [position, m] of d.milestones.entries()) {
      const kept = m.id && existing?.milestones.some((x) => x.id === m.id) ? m.id : undefined;
      await workplansDb(trx)
        .insertInto('workplans_milestones')
        .values({ id: kept ?? newId(), item_id: itemId, title: m.title.trim(), due_date: m.due_date ?? null, done_date: m.done_date ?? null, position })
        .execute();
    }
  }
  if (d.key_results) {
    // Key results keep their ids when listed again, so values already reported against them stay attached.
    await workplansDb(trx).deleteFrom('workplans_key_results').where('item_id', '=', itemId).execute();
    for (const [position, k] of d.key_results.entries()) {
      const kept = k.id && existing?.key_results.some((x) => x.id === k.id) ? k.id : undefined;
      await workplansDb(trx)
        .insertInto('workplans_key_results')
        .values({ id: kept ?? newId(), item_id: itemId, name: k.name.trim(), start_value: k.start_value, target_value: k.target_value, unit: k.unit ?? null, position })
        .execute();
    }
  }
}

/** Inserts one item whose input is already validated and checked. Returns its id. */
export async function insertItem(trx: Db, d: ItemCreateInput, parentId: string | null, dir: Directory): Promise<string> {
  const id = newId();
  const now = nowIso();
  const owner = d.owner_id ? dir.owner(d.owner_id) : undefined;
  await workplansDb(trx)
    .insertInto('workplans_items')
    .values({
      id,
      number: d.number,
      kind: kindOfNumber(d.number),
      parent_id: parentId,
      title: d.title.trim(),
      description: d.description ?? null,
      lead_agency_id: d.lead_agency_id ?? null,
      supporting_agency_ids: toJson(d.supporting_agency_ids ?? []),
      owner_type: owner?.type ?? null,
      owner_id: owner?.id ?? null,
      start_date: d.start_date ?? null,
      due_date: d.due_date ?? null,
      status: d.status ?? 'not_started',
      weight: d.weight ?? 1,
      sort_key: sortKey(d.number),
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await writeParts(trx, id, { milestones: d.milestones ?? [], key_results: d.key_results ?? [] });
  return id;
}
