/**
 * Who the directory search shows confidential locations to: vetted callers ('directory.confidential') everywhere,
 * and a signed-in person or token the confidential locations of the directory organisations its account
 * organisation stewards (its own shelters): issue 13 item 4.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Audience } from './hsds.ts';
import { audienceOf } from './presenters.ts';
import { stewardedOrganizations } from './stewards.ts';

export async function searchAudience(ctx: Ctx): Promise<Audience> {
  const a = audienceOf(ctx);
  if (a.vetted || !ctx.actor?.organizationId) return a;
  return { ...a, stewarded: new Set(await stewardedOrganizations(ctx.db, ctx.actor.organizationId)) };
}
