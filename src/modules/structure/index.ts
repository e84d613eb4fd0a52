import type { FastifyInstance } from 'fastify';
import type { AppModule } from '../../platform/module.ts';
import { addNav } from '../../platform/web/view.ts';
import './permissions.ts';
import './messages.ts';
import { structureApi } from './api.ts';
import { structurePages } from './pages.tsx';
import { seedStructure } from './seed.ts';

export { WRITE as STRUCTURE_WRITE } from './permissions.ts';
// The module's public service API, for other modules (they never read structure_* tables directly).
export { getAgency, listAgencies, allAgencies, getBody, allBodies, getPartnership, allPartnerships, today } from './store.ts';
export { createAgency, createBody, createPartnership } from './commands.ts';
export type { Agency, Body, Partnership, Representative } from './schema.ts';

addNav({ href: '/structure', label: 'structure.nav', order: 10 });

export const structureModule: AppModule = {
  name: 'structure',
  async register(app: FastifyInstance) {
    await structureApi(app);
    await structurePages(app);
  },
  seedDemo: seedStructure,
};
