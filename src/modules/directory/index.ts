import { join } from 'node:path';
import type { App, AppModule } from '../../platform/module.ts';
import { MANAGE, PERMISSIONS, PROPOSE } from './permissions.ts';
import { messages } from './messages.ts';
import { directoryApi } from './api.ts';
import { directoryPages } from './pages/routes.ts';
import { editingApi } from './editing-api.ts';
import { seedDirectory } from './seed.ts';
import { directoryCli } from './cli.ts';

export { CONFIDENTIAL as DIRECTORY_CONFIDENTIAL, MANAGE as DIRECTORY_MANAGE, PROPOSE as DIRECTORY_PROPOSE } from './permissions.ts';
// The module's public service API, for other modules and the command line.
export { importPath, ImportRefused, type ImportReport } from './import.ts';
export { exportDirectory } from './export.ts';
export { verifyService } from './commands.ts';
export { unverifiedServices } from './store.ts';
export { proposeChange, approveProposal, returnProposal, updateCapacity, listProposals } from './editing.ts';
export { searchServices, type SearchParams } from './search.ts';
export { servicesFull } from './hsds.ts';
export { needCoverage, NEED_TERMS, NEED_CODES, isNeedCode, organizationNames, organizationChoices, organizationsNamed, type CoveragePoint, type NeedCoverage, type CoverageOptions } from './coverage.ts';
export { TERMS as DIRECTORY_TERMS } from './taxonomy.ts';
export { stewardedOrganizations, stewardsOf, isSteward, listStewards, addSteward, removeSteward, type Steward } from './stewards.ts';

export const directoryModule: AppModule = {
  name: 'directory',
  permissions: PERMISSIONS,
  nav: [
    { href: '/directory', label: 'directory.nav', order: 15 },
    { href: '/directory/unverified', label: 'directory.unverified.nav', order: 16, permission: MANAGE },
    { href: '/directory/review', label: 'directory.review.nav', order: 17, permission: MANAGE },
    { href: '/directory/my', label: 'directory.my.nav', order: 18, permission: PROPOSE },
  ],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [directoryCli],
  async register(app: App) {
    await directoryApi(app);
    await directoryPages(app);
    await editingApi(app);
  },
  seedDemo: seedDirectory,
};
