import { join } from 'node:path';
import type { App, AppModule } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { structureApi } from './api.ts';
import { structurePages } from './pages/routes.ts';
import { seedStructure } from './seed.ts';

export { WRITE as STRUCTURE_WRITE } from './permissions.ts';
// The module's public service API, for other modules (they never read structure_* tables directly).
export { getAgency, listAgencies, allAgencies, getBody, allBodies, getPartnership, allPartnerships, today } from './store.ts';
// Which account organisations act for which agency: the only tie between accounts and agencies (set by administrators).
export { agencyIdsOfOrganization, organizationIdsOfAgency, listAgencyOrganizations } from './store.ts';
export { createAgency, createBody, createPartnership, linkAgencyOrganization, unlinkAgencyOrganization } from './commands.ts';
export type { Agency, AgencyOrganization, Body, Partnership, Representative } from './schema.ts';

export const structureModule: AppModule = {
  name: 'structure',
  permissions: PERMISSIONS,
  nav: [{ href: '/structure', label: 'structure.nav', description: 'structure.nav.about', order: 10 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  async register(app: App) {
    await structureApi(app);
    await structurePages(app);
  },
  seedDemo: seedStructure,
};
