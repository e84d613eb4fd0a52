/**
 * Who the directory search shows confidential locations to (issue 13 item 4): vetted callers
 * ('directory.confidential') everywhere; a signed-in person or token those of the directory organisations its
 * account organisation stewards (its own shelters); and a case worker also those of the organisations in a network
 * with one of those (networkPartnersOf).
 */
import type { Ctx } from '../../platform/context.ts';
import { networkPartnersOf } from '../../platform/module.ts';
import { directoryDb } from './tables.ts';
import type { Audience } from './hsds.ts';
import { audienceOf } from './presenters.ts';
import { stewardedOrganizations } from './stewards.ts';

export async function searchAudience(ctx: Ctx): Promise<Audience> {
  const a = audienceOf(ctx);
  if (a.vetted || !ctx.actor?.organizationId) return a;
  const seen = new Set(await stewardedOrganizations(ctx.db, ctx.actor.organizationId));
  if (ctx.actor.role === 'caseworker') for (const org of await networkPartnersOf(ctx)) seen.add(org);
  return { ...a, stewarded: seen };
}

/**
 * The directory organisations this caller can refer to through the product (issue 13 item 5): in a network with an
 * organisation the caller's account organisation acts for (networks), and receiving referrals, that is acted for by
 * some account organisation (as the referral form requires). None for the public.
 */
export async function referableOrganizations(ctx: Ctx): Promise<Set<string>> {
  const partners = [...(await networkPartnersOf(ctx))];
  const out = new Set<string>();
  for (let i = 0; i < partners.length; i += 500) {
    const rows = await directoryDb(ctx.db).selectFrom('directory_steward').select('directory_organization_id').where('directory_organization_id', 'in', partners.slice(i, i + 500)).execute();
    for (const r of rows) out.add(r.directory_organization_id);
  }
  return out;
}
