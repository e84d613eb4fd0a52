/**
 * The writes of saved lists, one per use case: each checks its policy first (the public 401, a token without the
 * scope 403), validates with the API's own schema, and changes the list in one transaction with its audit event.
 * A list of someone else's answers 404 to everyone, administrators included. Audit summaries carry counts and
 * ids, never the list's note or a link's token.
 */
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize } from '../../platform/policy.ts';
import { badRequest } from '../../platform/http/errors.ts';
import { validate } from '../../platform/http/validation.ts';
import { newId, nowIso } from '../../platform/db/index.ts';
import { randomToken, sha256 } from '../../platform/crypto/index.ts';
import { keepsLists } from './policies.ts';
import { ITEMS_MAX, ItemBody, ListBody, LISTS_MAX, listsDb, OrderBody, ownList, ShareBody, itemIds, type ListSummary, listDetail } from './lists.ts';

/** Trims the name and note; a name of spaces is no name. */
function cleaned(input: unknown) {
  const body = validate(ListBody, input);
  const name = body.name.trim();
  if (!name) throw badRequest([{ field: 'name', message: 'is required' }]);
  const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim() : null;
  return { name, note };
}

export async function createList(ctx: Ctx, input: unknown): Promise<ListSummary> {
  authorize(ctx, keepsLists(ctx));
  const value = cleaned(input);
  const id = await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    const owner = ctx.actor!.id;
    const n = await listsDb(trx).selectFrom('directory_list').select((eb) => eb.fn.countAll().as('n')).where('owner_id', '=', owner).executeTakeFirst();
    if (Number(n?.n ?? 0) >= LISTS_MAX) throw badRequest([{ field: 'name', message: `you keep ${LISTS_MAX} lists already; delete one first` }]);
    const id = newId();
    const now = nowIso();
    await listsDb(trx).insertInto('directory_list').values({ id, owner_id: owner, name: value.name, note: value.note, created_at: now, updated_at: now }).execute();
    await audit({ action: 'directory.list.create', entityType: 'directory_list', entityId: id });
    return id;
  });
  return listDetail(ctx, id);
}

export async function updateList(ctx: Ctx, id: string, input: unknown): Promise<ListSummary> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const value = cleaned(input);
    await listsDb(trx).updateTable('directory_list').set({ name: value.name, note: value.note, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit({ action: 'directory.list.update', entityType: 'directory_list', entityId: id });
  });
  return listDetail(ctx, id);
}

export async function deleteList(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    // Children first: SQLite enforces the cascade only with foreign keys on, and the order costs nothing.
    await listsDb(trx).deleteFrom('directory_list_share').where('list_id', '=', id).execute();
    await listsDb(trx).deleteFrom('directory_list_item').where('list_id', '=', id).execute();
    await listsDb(trx).deleteFrom('directory_list').where('id', '=', id).execute();
    await audit({ action: 'directory.list.delete', entityType: 'directory_list', entityId: id });
  });
}

const touch = (trx: Ctx['db'], id: string) => listsDb(trx).updateTable('directory_list').set({ updated_at: nowIso() }).where('id', '=', id).execute();

export async function addToList(ctx: Ctx, id: string, input: unknown): Promise<ListSummary> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const { service_id } = validate(ItemBody, input);
    const service = await trx.selectFrom('directory_service').select('id').where('id', '=', service_id).executeTakeFirst();
    if (!service) throw badRequest([{ field: 'service_id', message: 'is not a service in the directory' }]);
    const ids = await itemIds(trx, id);
    if (ids.includes(service_id)) throw badRequest([{ field: 'service_id', message: 'is already in this list' }]);
    if (ids.length >= ITEMS_MAX) throw badRequest([{ field: 'service_id', message: `cannot be added: a list holds at most ${ITEMS_MAX} services` }]);
    await listsDb(trx).insertInto('directory_list_item').values({ list_id: id, service_id, position: ids.length, added_at: nowIso() }).execute();
    await touch(trx, id);
    await audit({ action: 'directory.list.add', entityType: 'directory_list', entityId: id, summary: { service_id } });
  });
  return listDetail(ctx, id);
}

export async function removeFromList(ctx: Ctx, id: string, serviceId: string): Promise<ListSummary> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const ids = await itemIds(trx, id);
    if (!ids.includes(serviceId)) throw badRequest([{ field: 'service_id', message: 'is not in this list' }]);
    await listsDb(trx).deleteFrom('directory_list_item').where('list_id', '=', id).where('service_id', '=', serviceId).execute();
    await renumber(trx, id, ids.filter((s) => s !== serviceId));
    await touch(trx, id);
    await audit({ action: 'directory.list.remove', entityType: 'directory_list', entityId: id, summary: { service_id: serviceId } });
  });
  return listDetail(ctx, id);
}

async function renumber(trx: Ctx['db'], id: string, order: string[]): Promise<void> {
  for (const [position, service_id] of order.entries()) await listsDb(trx).updateTable('directory_list_item').set({ position }).where('list_id', '=', id).where('service_id', '=', service_id).execute();
}

export async function reorderList(ctx: Ctx, id: string, input: unknown): Promise<ListSummary> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const { service_ids } = validate(OrderBody, input);
    const ids = await itemIds(trx, id);
    const same = service_ids.length === ids.length && new Set(service_ids).size === ids.length && service_ids.every((s) => ids.includes(s));
    if (!same) throw badRequest([{ field: 'service_ids', message: 'must name every service of the list once' }]);
    await renumber(trx, id, service_ids);
    await touch(trx, id);
    await audit({ action: 'directory.list.reorder', entityType: 'directory_list', entityId: id });
  });
  return listDetail(ctx, id);
}

export interface Shared {
  /** The link's secret part: shown once, in this answer; only its hash is kept. */
  token: string;
  path: string;
  expires_at: string | null;
}

/** Makes the list's link: a new one replaces the one working before (which stops working). */
export async function shareList(ctx: Ctx, id: string, input: unknown): Promise<Shared> {
  authorize(ctx, keepsLists(ctx));
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const { expires_in_days } = validate(ShareBody, input ?? {});
    const now = new Date();
    const expires = expires_in_days ? new Date(now.getTime() + expires_in_days * 86400_000).toISOString() : null;
    await listsDb(trx).updateTable('directory_list_share').set({ revoked_at: now.toISOString() }).where('list_id', '=', id).where('revoked_at', 'is', null).execute();
    const token = randomToken(24);
    await listsDb(trx).insertInto('directory_list_share').values({ id: newId(), list_id: id, token_hash: sha256(token), created_at: now.toISOString(), expires_at: expires, revoked_at: null }).execute();
    await audit({ action: 'directory.list.share', entityType: 'directory_list', entityId: id, summary: { expires_at: expires } });
    return { token, path: `/directory/shared/${token}`, expires_at: expires };
  });
}

/** Turns the list's link off: whoever holds it is told it was turned off. */
export async function revokeShare(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, keepsLists(ctx));
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, keepsLists(ctx));
    await ownList(ctx, id, trx);
    const r = await listsDb(trx).updateTable('directory_list_share').set({ revoked_at: nowIso() }).where('list_id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    await audit({ action: 'directory.list.unshare', entityType: 'directory_list', entityId: id, summary: { links: Number(r.numUpdatedRows) } });
  });
}
