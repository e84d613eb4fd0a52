/**
 * Stewards: the account organisations that act for a directory organisation. Providers' staff edit their own
 * listings, and send and receive referrals, through this link; an administrator sets it.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/index.ts';
import { isUuid, nowIso } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { fieldError, notFound } from '../../platform/http/errors.ts';
import { validate } from '../../platform/http/validation.ts';
import { listOrganizations } from '../../platform/auth/index.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { directoryDb } from './tables.ts';

export const StewardInput = Type.Object(
  {
    directory_organization_id: Type.String({ format: 'uuid', description: 'The directory (HSDS) organisation.' }),
    account_organization_id: Type.String({ format: 'uuid', description: 'The account organisation whose staff act for it.' }),
  },
  { additionalProperties: false },
);
export type StewardInput = Static<typeof StewardInput>;

export interface Steward {
  directory_organization_id: string;
  directory_organization_name: string;
  account_organization_id: string;
  account_organization_name: string;
  created_at: string;
}

/** Directory organisation ids that this account organisation acts for. */
export async function stewardedOrganizations(db: Db, accountOrganizationId: string): Promise<string[]> {
  if (!isUuid(accountOrganizationId)) return [];
  const rows = await directoryDb(db).selectFrom('directory_steward').select('directory_organization_id').where('account_organization_id', '=', accountOrganizationId).execute();
  return rows.map((r) => r.directory_organization_id).sort();
}

/** Account organisation ids that act for this directory organisation. */
export async function stewardsOf(db: Db, directoryOrganizationId: string): Promise<string[]> {
  if (!isUuid(directoryOrganizationId)) return [];
  const rows = await directoryDb(db).selectFrom('directory_steward').select('account_organization_id').where('directory_organization_id', '=', directoryOrganizationId).execute();
  return rows.map((r) => r.account_organization_id).sort();
}

/** Whether the account organisation acts for the directory organisation. */
export async function isSteward(db: Db, accountOrganizationId: string, directoryOrganizationId: string): Promise<boolean> {
  if (!isUuid(accountOrganizationId) || !isUuid(directoryOrganizationId)) return false;
  const row = await directoryDb(db)
    .selectFrom('directory_steward')
    .select('account_organization_id')
    .where('account_organization_id', '=', accountOrganizationId)
    .where('directory_organization_id', '=', directoryOrganizationId)
    .executeTakeFirst();
  return Boolean(row);
}

/** Every link, optionally for one directory organisation, with both names. */
export async function listStewards(db: Db, directoryOrganizationId?: string): Promise<Steward[]> {
  let q = directoryDb(db)
    .selectFrom('directory_steward as s')
    .leftJoin('directory_organization as o', 'o.id', 's.directory_organization_id')
    .select(['s.directory_organization_id', 'o.name as directory_organization_name', 's.account_organization_id', 's.created_at']);
  if (directoryOrganizationId !== undefined) {
    if (!isUuid(directoryOrganizationId)) return [];
    q = q.where('s.directory_organization_id', '=', directoryOrganizationId);
  }
  const rows = await q.execute();
  // Account organisations belong to the platform: their names come from its list, not from its table.
  const accounts = new Map((await listOrganizations(db)).map((a) => [a.id, a.name]));
  const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return rows
    .filter((r) => accounts.has(r.account_organization_id))
    .map((r) => ({
      directory_organization_id: r.directory_organization_id,
      directory_organization_name: r.directory_organization_name ?? '',
      account_organization_id: r.account_organization_id,
      account_organization_name: accounts.get(r.account_organization_id)!,
      created_at: new Date(r.created_at).toISOString(),
    }))
    .sort((x, y) => byName(x.directory_organization_name, y.directory_organization_name) || byName(x.account_organization_name, y.account_organization_name));
}

async function checkBoth(trx: Db, input: StewardInput): Promise<void> {
  const org = await directoryDb(trx).selectFrom('directory_organization').select('id').where('id', '=', input.directory_organization_id).executeTakeFirst();
  if (!org) throw fieldError('directory_organization_id', 'no directory organisation has this id');
  const acc = (await listOrganizations(trx)).some((a) => a.id === input.account_organization_id);
  if (!acc) throw fieldError('account_organization_id', 'no account organisation has this id');
}

/** Lets an account organisation act for a directory organisation (idempotent). */
export async function addSteward(ctx: Ctx, raw: unknown): Promise<Steward> {
  authorize(ctx, managesDirectory(ctx));
  const input = validate(StewardInput, raw);
  await runCommand(ctx, async (trx, audit) => {
    await checkBoth(trx, input);
    if (await isSteward(trx, input.account_organization_id, input.directory_organization_id)) return;
    await directoryDb(trx)
      .insertInto('directory_steward')
      .values({ ...input, created_at: nowIso(), created_by: ctx.actor?.id ?? null })
      .execute();
    await audit({ action: 'directory.steward.add', entityType: 'directory_organization', entityId: input.directory_organization_id, summary: { account_organization_id: input.account_organization_id } });
  });
  const found = (await listStewards(ctx.db, input.directory_organization_id)).find((s) => s.account_organization_id === input.account_organization_id);
  return found!;
}

/** Ends the link; the account organisation's staff lose edit and referral rights for that listing at once. */
export async function removeSteward(ctx: Ctx, raw: unknown): Promise<void> {
  authorize(ctx, managesDirectory(ctx));
  const input = validate(StewardInput, raw);
  await runCommand(ctx, async (trx, audit) => {
    const res = await directoryDb(trx)
      .deleteFrom('directory_steward')
      .where('directory_organization_id', '=', input.directory_organization_id)
      .where('account_organization_id', '=', input.account_organization_id)
      .executeTakeFirst();
    if (!Number(res.numDeletedRows)) throw notFound('This account organisation does not act for that directory organisation.');
    await audit({ action: 'directory.steward.remove', entityType: 'directory_organization', entityId: input.directory_organization_id, summary: { account_organization_id: input.account_organization_id } });
  });
}
