import { join } from 'node:path';
import type { App, AppModule } from '../../platform/module.ts';
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

export const networksModule: AppModule = {
  name: 'networks',
  permissions: PERMISSIONS,
  nav: [{ href: '/networks', label: 'networks.nav', order: 19 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  async register(app: App) {
    await networksApi(app);
    await networksPages(app);
  },
  seedDemo: seedNetworks,
};
