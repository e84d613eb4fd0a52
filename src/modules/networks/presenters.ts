/** Networks as the API and the pages show them to one caller; no request object, only its context. */
import type { Ctx } from '../../platform/context.ts';
import { principalOf } from '../../platform/context.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { mayEditNetwork, maySeeMemberDetails } from './policies.ts';
import type { Coverage, Network } from './schema.ts';
import { agreementsOf, contactsOf, stewardedBy, type NetworkRecord } from './store.ts';

export interface Viewer {
  can_edit: boolean;
  member_details: boolean;
}

/**
 * What the caller may do with a network. Managers (networks.manage) edit every network; staff of an account
 * organisation that stewards the convener edit that network; staff of any member organisation see its agreements
 * and contacts. Everyone else sees the public part: name, area, members and coverage.
 */
export async function viewerOf(ctx: Ctx, n: Pick<NetworkRecord, 'convener_organization_id' | 'members'>): Promise<Viewer> {
  const p = principalOf(ctx);
  const stewarded = await stewardedBy(ctx.db, p);
  return { can_edit: mayEditNetwork(p, stewarded, n), member_details: maySeeMemberDetails(p, stewarded, n) };
}

export const referralStatsUrl = (id: string) => `/referrals/stats?network_id=${id}`;

/** The network as the caller may see it: agreements and contacts only for members, the convener and managers. */
export async function networkFor(ctx: Ctx, n: NetworkRecord): Promise<Network> {
  const viewer = await viewerOf(ctx, n);
  const out: Network = { ...n, viewer, referral_stats_url: referralStatsUrl(n.id) };
  if (viewer.member_details) {
    out.agreements = await agreementsOf(ctx.db, n.id);
    out.contacts = await contactsOf(ctx.db, n.id);
  }
  return out;
}

/** The gap report: one row per county and need of a coverage answer. */
export function coverageCsv(c: Coverage): { filename: string; body: string } {
  const rows = c.counties.flatMap((r) => r.needs.map((x) => [r.fips, r.name, r.state, x.need, x.covered ? 'yes' : 'no', x.nearest_miles ?? '', x.providers]));
  return { filename: `network-gaps-${c.distance_miles}mi.csv`, body: toCsv(['fips', 'county', 'state', 'need', 'covered', 'nearest_miles', 'providers'], rows) };
}

/** One page of a list already in memory (networks are few). */
export function pageSlice<T>(all: T[], page: number, perPage: number): { items: T[]; total: number } {
  return { items: all.slice((page - 1) * perPage, page * perPage), total: all.length };
}
