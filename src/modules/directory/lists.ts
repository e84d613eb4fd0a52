/**
 * Saved lists (issue 13 item 7): the tables, the request schemas, the reads, and what a list shows. A list holds
 * services and its owner's own note; it never holds a client's details. What the shared link and the print view show
 * is the services' public details only: a confidential location's address never appears there, whoever made it.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { isUuid, type Db, type DateValue } from '../../platform/db/index.ts';
import { forbidden, notFound, unauthorized } from '../../platform/http/errors.ts';
import { Nullable } from '../../platform/http/schemas.ts';
import { sha256 } from '../../platform/crypto/index.ts';
import type { View } from '../../platform/web/view.ts';
import { principalOf } from '../../platform/policy.ts';
import { Graph } from './hsds.ts';
import { cardOf, loadOrgPhones, type Card } from './presenters.ts';
import { keepsLists, ownsList } from './policies.ts';

// ---------- tables (migrations/202612150701_directory_lists.ts) ----------

export interface ListTable {
  id: string;
  owner_id: string;
  name: string;
  /** The owner's own reminder; shown to the owner only, never printed or shared. */
  note: string | null;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface ListItemTable {
  list_id: string;
  service_id: string;
  position: number;
  added_at: DateValue;
}

export interface ListShareTable {
  id: string;
  list_id: string;
  /** SHA-256 (hex) of the link's token; the token itself is shown once and kept nowhere. */
  token_hash: string;
  created_at: DateValue;
  expires_at: DateValue | null;
  revoked_at: DateValue | null;
}

interface ListTables {
  directory_list: ListTable;
  directory_list_item: ListItemTable;
  directory_list_share: ListShareTable;
}

export const LIST_TABLES = ['directory_list', 'directory_list_item', 'directory_list_share'] as const;
export const listsDb = (db: Db): Kysely<ListTables> => db;

// ---------- limits and schemas ----------

export const NAME_MAX = 100;
export const NOTE_MAX = 1000;
/** Services in one list: a list is something to hand over, not a directory of its own. */
export const ITEMS_MAX = 100;
/** Lists one person keeps. */
export const LISTS_MAX = 200;
export const SHARE_DAYS_MAX = 365;

const Name = Type.String({ minLength: 1, maxLength: NAME_MAX, description: "What the list is for, e.g. \"Housing in DC\". Not a survivor's name: the list is seen by whoever holds its link." });
const Note = Type.String({ maxLength: NOTE_MAX, description: 'A reminder for the owner; never printed or shared. No client details.' });

export const ListBody = Type.Object({ name: Name, note: Type.Optional(Nullable(Note)) }, { additionalProperties: false });
export type ListBody = Static<typeof ListBody>;
export const ItemBody = Type.Object({ service_id: Type.String({ format: 'uuid', description: 'A service of the directory.' }) }, { additionalProperties: false });
export const OrderBody = Type.Object({ service_ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: ITEMS_MAX, description: 'Every service of the list once, in the new order.' }) }, { additionalProperties: false });
export const ShareBody = Type.Object(
  { expires_in_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: SHARE_DAYS_MAX, description: 'The link stops working after this many days; absent or null: until revoked.' }))) },
  { additionalProperties: false },
);

// ---------- reads ----------

export interface ListSummary {
  id: string;
  name: string;
  note: string | null;
  items: number;
  /** The link now working, if any: when it ends (null: until revoked). */
  shared: { created_at: string; expires_at: string | null } | null;
  created_at: string;
  updated_at: string;
}

const iso = (v: DateValue | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The summaries of some lists, in two queries whatever their number: their item counts and their working links. */
async function summariesOf(db: Db, lists: ListTable[]): Promise<ListSummary[]> {
  if (!lists.length) return [];
  const ids = lists.map((l) => l.id);
  const counts = await listsDb(db).selectFrom('directory_list_item').select(['list_id', (eb) => eb.fn.countAll().as('n')]).where('list_id', 'in', ids).groupBy('list_id').execute();
  const shares = await listsDb(db).selectFrom('directory_list_share').select(['list_id', 'created_at', 'expires_at']).where('list_id', 'in', ids).where('revoked_at', 'is', null).orderBy('created_at', 'desc').execute();
  const now = Date.now();
  return lists.map((l) => {
    const share = shares.find((x) => x.list_id === l.id && (x.expires_at === null || new Date(x.expires_at).getTime() > now));
    return {
      id: l.id,
      name: l.name,
      note: l.note,
      items: Number(counts.find((c) => c.list_id === l.id)?.n ?? 0),
      shared: share ? { created_at: iso(share.created_at)!, expires_at: iso(share.expires_at) } : null,
      created_at: iso(l.created_at)!,
      updated_at: iso(l.updated_at)!,
    };
  });
}

/** The caller's own lists, the latest changed first. */
export async function myLists(ctx: Ctx): Promise<ListSummary[]> {
  const actor = mayKeepLists(ctx);
  return summariesOf(ctx.db, await listsDb(ctx.db).selectFrom('directory_list').selectAll().where('owner_id', '=', actor).orderBy('updated_at', 'desc').orderBy('id').limit(LISTS_MAX).execute());
}

/** The caller's lists to choose from in the "Save to list" form: names only, the latest changed first. */
export async function listChoices(ctx: Ctx): Promise<{ id: string; name: string }[]> {
  const actor = mayKeepLists(ctx);
  return listsDb(ctx.db).selectFrom('directory_list').select(['id', 'name']).where('owner_id', '=', actor).orderBy('updated_at', 'desc').orderBy('id').limit(LISTS_MAX).execute();
}

/** The caller's id, or 401 / 403 as a command would answer: for reads, which record no policy check. */
function mayKeepLists(ctx: Ctx): string {
  if (!keepsLists(ctx)) throw principalOf(ctx).kind === 'anonymous' ? unauthorized() : forbidden();
  return ctx.actor!.id;
}

/** A list of the caller's; anyone else's is not found (they learn nothing of it). */
export async function ownList(ctx: Ctx, id: string, db: Db = ctx.db): Promise<ListTable> {
  mayKeepLists(ctx);
  if (!isUuid(id)) throw notFound('No such list.');
  const l = await listsDb(db).selectFrom('directory_list').selectAll().where('id', '=', id).executeTakeFirst();
  if (!l || !ownsList(ctx, l)) throw notFound('No such list.');
  return l;
}

export async function itemIds(db: Db, listId: string): Promise<string[]> {
  const rows = await listsDb(db).selectFrom('directory_list_item').select('service_id').where('list_id', '=', listId).orderBy('position').orderBy('added_at').execute();
  return rows.map((r) => r.service_id);
}

export interface ListItem {
  service_id: string;
  /** The service's card; absent when the service has left the directory since it was saved. */
  card?: Card;
}

/**
 * The items of a list with the services' public details: the audience is the public's, so a confidential
 * location's address and point are never in it, whoever asks (the print view and the link are handed on).
 */
export async function itemsOf(db: Db, listId: string, v: Pick<View, 't' | 'lang'>): Promise<ListItem[]> {
  const ids = await itemIds(db, listId);
  if (!ids.length) return [];
  const g = new Graph(db);
  const services = await g.services(ids, true);
  await loadOrgPhones(g, services);
  const byId = new Map(services.map((s) => [s.id as string, s]));
  return ids.map((id) => {
    const s = byId.get(id);
    return { service_id: id, card: s ? cardOf(g, s, { vetted: false }, v) : undefined };
  });
}

export async function listDetail(ctx: Ctx, id: string): Promise<ListSummary> {
  return (await summariesOf(ctx.db, [await ownList(ctx, id)]))[0];
}

/** What a shared link opens: the list, or why it no longer does (undefined: no such link). */
export type Opened = { ok: true; listId: string } | { ok: false; why: 'revoked' | 'expired' };

export async function openShare(db: Db, token: string): Promise<Opened | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const r = await listsDb(db).selectFrom('directory_list_share').select(['list_id', 'expires_at', 'revoked_at']).where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!r) return undefined;
  if (r.revoked_at !== null) return { ok: false, why: 'revoked' };
  if (r.expires_at !== null && new Date(r.expires_at).getTime() <= Date.now()) return { ok: false, why: 'expired' };
  return { ok: true, listId: r.list_id };
}

/** A service as the shared link's API shows it: public details only. */
export function publicService(c: Card) {
  return {
    id: c.id,
    name: c.name,
    organization: c.organization?.name ?? null,
    phone: c.phone ?? null,
    address: c.address ?? null,
    confidential_location: c.confidential,
    hours: c.hours,
    languages: c.languages,
    website: c.url ?? null,
  };
}
