/** Reads that depend on who asks: a referral as one of its parties sees it, and the client details. */
import type { Ctx } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/index.ts';
import { isUuid } from '../../platform/db/index.ts';
import { fieldError, notFound } from '../../platform/http/errors.ts';
import { authorize, principalOf, requireActor } from '../../platform/policy.ts';
import { networkName, stewardedOrganizations } from './deps.ts';
import { mayReadClientDetails, mayReadReferrals, readableFields, sideOf, type Side } from './policies.ts';
import type { ClientField } from './schema.ts';
import { buildStats, type Stats } from './stats.ts';
import { clientFieldNames, clientFieldValues, getConsent, getReferral, type Referral } from './store.ts';

/** The referral and the caller's side of it; a referral of other organisations is "not found" to them. */
export async function referralFor(ctx: Ctx, id: string): Promise<{ ref: Referral; side: Side; actedFor: string[] }> {
  const actor = requireActor(ctx);
  authorize(ctx, mayReadReferrals(principalOf(ctx)));
  const ref = await getReferral(ctx.db, id);
  const actedFor = await stewardedOrganizations(ctx.db, actor.organizationId);
  const side = ref ? sideOf(ref, actedFor) : null;
  if (!ref || !side) throw notFound('No such referral.');
  return { ref, side, actedFor };
}

/** The client details the caller may see now; each read is in the audit log, with the names of the fields read. */
export async function readClient(ctx: Ctx, id: string): Promise<Partial<Record<ClientField, string>>> {
  const actor = requireActor(ctx);
  authorize(ctx, mayReadClientDetails(principalOf(ctx)));
  const { ref, side } = await referralFor(ctx, id);
  const stored = await clientFieldNames(ctx.db, ref.id);
  const fields = readableFields(actor, ref, side, await getConsent(ctx.db, ref.id), stored);
  authorize(ctx, fields.length > 0, ref.purged_at ? 'The client details of this referral were deleted after it closed.' : 'No client details may be shown: none were shared, or the consent has ended or was withdrawn.');
  const values = await clientFieldValues(ctx.db, ctx.config, ref.id, fields);
  await recordAudit(ctx.db, ctx, { action: 'referrals.client.read', entityType: 'referral', entityId: ref.id, summary: { fields, side } });
  return values;
}

/** Statistics for a query; an unknown network is a 400 on the field rather than an empty page. */
export async function statsFor(ctx: Ctx, q: { network_id?: string; from?: string; to?: string }): Promise<Stats> {
  let name: string | undefined;
  if (q.network_id) {
    if (!isUuid(q.network_id)) throw fieldError('network_id', 'must be a valid uuid');
    name = await networkName(ctx.db, q.network_id);
    if (!name) throw fieldError('network_id', 'no network has this id');
  }
  if (q.from && q.to && q.from > q.to) throw fieldError('to', 'must not be before from');
  return buildStats(ctx.db, ctx.config.suppressionThreshold, { networkId: q.network_id, networkName: name, from: q.from, to: q.to });
}
