/**
 * Every write of work plans: each checks its policy (policies.ts) before it looks at its input, then runs as one
 * audited transaction. Every export of this file is a command (policies.test.ts calls each one).
 */
import type { Ctx } from '../../platform/context.ts';
import { newId, nowIso, toJson } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { conflict, fieldError, notFound, Problems } from '../../platform/http/errors.ts';
import { validate } from '../../platform/http/validation.ts';
import { authorize, principalOf } from '../../platform/policy.ts';
import { checkItemFields, type Fields } from './checks.ts';
import { actorLeadsItem, loadDirectory } from './directory.ts';
import { parsePeriod, periodOf } from './periods.ts';
import { mayEditPlan, mayReportOn, mayReportProgress, mayReview } from './policies.ts';
import { ItemCreate, ItemPatch, ReviewInput, UpdateSubmit } from './schema.ts';
import { getItem, getUpdate, insertItem, kindOfNumber, listUpdates, parentNumber, writeParts, type Item, type Update } from './store.ts';
import { workplansDb, type ItemTable } from './tables.ts';
import type { Updateable } from 'kysely';

export interface CommandOptions {
  /** HTML forms send strings: coerce them to the schema's types. */
  coerce?: boolean;
}

export async function createItem(ctx: Ctx, input: unknown, opts: CommandOptions = {}): Promise<Item> {
  authorize(ctx, mayEditPlan(principalOf(ctx)));
  const d = validate(ItemCreate, input, opts);
  const dir = await loadDirectory(ctx.db);
  const id = await runCommand(ctx, async (trx, audit) => {
    const p = new Problems();
    checkItemFields(p, d, dir);
    const taken = await workplansDb(trx).selectFrom('workplans_items').select('id').where('number', '=', d.number).executeTakeFirst();
    if (taken) p.add('number', `${d.number} is already used`);
    let parentId: string | null = null;
    const pn = parentNumber(d.number);
    if (pn) {
      const parent = await workplansDb(trx).selectFrom('workplans_items').select('id').where('number', '=', pn).executeTakeFirst();
      if (!parent) p.add('number', `needs ${pn} to exist first`);
      else parentId = parent.id;
    }
    if (kindOfNumber(d.number) === 'action' && !d.lead_agency_id) p.add('lead_agency_id', 'is required for an action');
    p.throwIfAny();
    const id = await insertItem(trx, d, parentId, dir);
    await audit({ action: 'workplans.item.create', entityType: 'workplans_item', entityId: id, summary: { number: d.number, title: d.title } });
    return id;
  });
  return (await getItem(ctx.db, id))!;
}

export async function updateItem(ctx: Ctx, id: string, input: unknown, opts: CommandOptions = {}): Promise<Item> {
  authorize(ctx, mayEditPlan(principalOf(ctx)));
  const existing = await getItem(ctx.db, id);
  if (!existing) throw notFound('No such work plan item.');
  const d = validate(ItemPatch, input, opts);
  const dir = await loadDirectory(ctx.db);
  await runCommand(ctx, async (trx, audit) => {
    const current = await workplansDb(trx).selectFrom('workplans_items').select('version').where('id', '=', id).executeTakeFirst();
    if (Number(current?.version) !== d.version) throw conflict(`This item changed since version ${d.version}; it is now at version ${current?.version}. Reload and try again.`);
    const merged: Fields = {
      lead_agency_id: d.lead_agency_id === undefined ? existing.lead_agency_id : d.lead_agency_id,
      supporting_agency_ids: d.supporting_agency_ids ?? existing.supporting_agency_ids,
      owner_id: d.owner_id === undefined ? existing.owner_id : d.owner_id,
      owner_type: d.owner_type === undefined ? (d.owner_id !== undefined ? null : existing.owner_type) : d.owner_type,
      start_date: d.start_date === undefined ? existing.start_date : d.start_date,
      due_date: d.due_date === undefined ? existing.due_date : d.due_date,
      milestones: d.milestones,
      key_results: d.key_results,
    };
    const p = new Problems();
    checkItemFields(p, merged, dir);
    if (existing.kind === 'action' && !merged.lead_agency_id) p.add('lead_agency_id', 'is required for an action');
    p.throwIfAny();
    const owner = merged.owner_id ? dir.owner(merged.owner_id) : undefined;
    const set: Updateable<ItemTable> = {
      lead_agency_id: merged.lead_agency_id ?? null,
      supporting_agency_ids: toJson(merged.supporting_agency_ids ?? []),
      owner_type: owner?.type ?? null,
      owner_id: owner?.id ?? null,
      start_date: merged.start_date ?? null,
      due_date: merged.due_date ?? null,
      version: d.version + 1,
      updated_at: nowIso(),
    };
    if (d.title !== undefined) set.title = d.title.trim();
    if (d.description !== undefined) set.description = d.description;
    if (d.status !== undefined) set.status = d.status;
    if (d.weight !== undefined) set.weight = d.weight;
    await workplansDb(trx).updateTable('workplans_items').set(set).where('id', '=', id).execute();
    await writeParts(trx, id, d, existing);
    const changed = Object.keys(d).filter((k) => k !== 'version');
    await audit({ action: 'workplans.item.update', entityType: 'workplans_item', entityId: id, summary: { number: existing.number, changed, version: d.version + 1 } });
  });
  return (await getItem(ctx.db, id))!;
}

/**
 * Submits a progress update for an action and a period (the current quarter by default). Only members of the
 * action's lead agency may; the system principal (demo data) may too. One update per period waits for
 * review at a time; after a return, a resubmission is a new row with the next submission number.
 */
export async function submitUpdate(ctx: Ctx, itemId: string, input: unknown, opts: CommandOptions & { now?: Date } = {}): Promise<Update> {
  authorize(ctx, mayReportProgress(principalOf(ctx)));
  const item = await getItem(ctx.db, itemId);
  if (!item) throw notFound('No such work plan item.');
  authorize(ctx, mayReportOn(principalOf(ctx), item, await actorLeadsItem(ctx, item)), "Only members of the action's lead agency may report its progress.");
  const d = validate(UpdateSubmit, input, opts);
  const now = opts.now ?? new Date();
  const p = new Problems();
  if (item.kind !== 'action') p.add('item', 'progress is reported on actions, not on goals or objectives');
  const period = d.period ?? periodOf(now).key;
  const pp = parsePeriod(period)!;
  if (pp.start > now.toISOString()) p.add('period', 'must not be in the future');
  for (const key of Object.keys(d.key_result_values ?? {})) {
    if (!item.key_results.some((k) => k.id === key)) p.add(`key_result_values.${key}`, 'is not a key result of this action');
  }
  p.throwIfAny();
  const id = newId();
  await runCommand(ctx, async (trx, audit) => {
    const previous = (await listUpdates(trx, { itemId, period })).at(-1);
    if (previous?.state === 'submitted') throw conflict(`An update for ${period} is waiting for review.`);
    if (previous?.state === 'approved') throw conflict(`The update for ${period} is already approved.`);
    const submission = (previous?.submission ?? 0) + 1;
    await workplansDb(trx)
      .insertInto('workplans_updates')
      .values({
        id,
        item_id: itemId,
        period,
        submission,
        state: 'submitted',
        status: d.status,
        narrative: d.narrative.trim(),
        kr_values: toJson(d.key_result_values ?? {}),
        evidence: toJson(d.evidence ?? []),
        submitted_by: ctx.actor?.id ?? null,
        submitted_by_label: ctx.actor ? ctx.actor.name : 'system',
        submitted_at: now.toISOString(),
      })
      .execute();
    await audit({ action: 'workplans.update.submit', entityType: 'workplans_update', entityId: id, summary: { item: item.number, period, submission } });
  });
  return (await getUpdate(ctx.db, id))!;
}

/**
 * Approves or returns a submitted update. Approval makes it public and, when it is the item's newest period, sets
 * the action's status to the reported one. A return needs a comment saying what to fix.
 */
export async function reviewUpdate(ctx: Ctx, updateId: string, input: unknown, opts: CommandOptions & { now?: Date } = {}): Promise<Update> {
  authorize(ctx, mayReview(principalOf(ctx)));
  const u = await getUpdate(ctx.db, updateId);
  if (!u) throw notFound('No such update.');
  const d = validate(ReviewInput, input, opts);
  const comment = d.comment?.trim() || null;
  if (d.decision === 'return' && !comment) throw fieldError('comment', 'is required when returning an update');
  const now = (opts.now ?? new Date()).toISOString();
  await runCommand(ctx, async (trx, audit) => {
    const fresh = await getUpdate(trx, updateId);
    if (fresh?.state !== 'submitted') throw conflict(`This update was already ${fresh?.state}.`);
    const state = d.decision === 'approve' ? 'approved' : 'returned';
    await workplansDb(trx)
      .updateTable('workplans_updates')
      .set({ state, reviewed_by_label: ctx.actor ? ctx.actor.name : 'system', reviewed_at: now, review_comment: comment })
      .where('id', '=', updateId)
      .where('state', '=', 'submitted')
      .execute();
    if (state === 'approved') {
      const newer = await workplansDb(trx).selectFrom('workplans_updates').select('id').where('item_id', '=', u.item_id).where('state', '=', 'approved').where('period', '>', u.period).executeTakeFirst();
      if (!newer) {
        const item = await workplansDb(trx).selectFrom('workplans_items').select(['version', 'status']).where('id', '=', u.item_id).executeTakeFirst();
        if (item && item.status !== 'dropped') {
          await workplansDb(trx).updateTable('workplans_items').set({ status: u.status, version: Number(item.version) + 1, updated_at: now }).where('id', '=', u.item_id).execute();
        }
      }
    }
    await audit({ action: `workplans.update.${state === 'approved' ? 'approve' : 'return'}`, entityType: 'workplans_update', entityId: updateId, summary: { period: u.period, submission: u.submission } });
  });
  return (await getUpdate(ctx.db, updateId))!;
}
