import { join } from 'node:path';
import type { App, AppModule, NetworkPartnerSource } from '../../platform/module.ts';
import { stewardedOrganizations } from '../directory/index.ts';
import { networkMembers, networksOfOrganization } from './store.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { networksApi } from './api.ts';
import { networksPages } from './pages/routes.ts';
import { seedNetworks } from './seed.ts';

export { MANAGE as NETWORKS_MANAGE } from './permissions.ts';
// The module's public service API, for other modules (referrals): they never read networks_* tables directly.
export { getNetwork, listNetworks, networkMembers, networksOfOrganization, type NetworkRecord } from './store.ts';
export { viewerOf } from './presenters.ts';
export { networkCoverage } from './coverage.ts';
export { MEMBER_ROLES, type Member, type MemberRole, type NetworkSummary } from './schema.ts';

/** The organisations in a network with one the caller's account organisation acts for, for the directory's search. */
const networkPartners: NetworkPartnerSource = async (ctx) => {
  const out = new Set<string>();
  if (!ctx.actor?.organizationId) return out;
  const mine = new Set(await stewardedOrganizations(ctx.db, ctx.actor.organizationId));
  for (const org of mine) for (const n of await networksOfOrganization(ctx.db, org)) for (const m of await networkMembers(ctx.db, n.id)) if (!mine.has(m.directory_organization_id)) out.add(m.directory_organization_id);
  return out;
};

export const networksModule: AppModule = {
  name: 'networks',
  permissions: PERMISSIONS,
  nav: [{ href: '/networks', label: 'networks.nav', description: 'networks.nav.about', order: 19 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  async register(app: App) {
    await networksApi(app);
    await networksPages(app);
  },
  seedDemo: seedNetworks,
  networkPartners,
};
