import { join } from 'node:path';
import type { App, AppModule } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { outreachApi } from './api.ts';
import { outreachPages } from './pages/routes.ts';
import { seedOutreach } from './seed.ts';

export { MANAGE as OUTREACH_MANAGE } from './permissions.ts';
// The module's public service API, for other modules (insights): published campaigns and their suppressed impact.
export { getCampaign, listCampaigns, campaignImpact } from './store.ts';
export { findContactDetails } from './screening.ts';

export const outreachModule: AppModule = {
  name: 'outreach',
  permissions: PERMISSIONS,
  nav: [{ href: '/outreach', label: 'or.nav', order: 40 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  async register(app: App) {
    await outreachApi(app);
    await outreachPages(app);
  },
  seedDemo: seedOutreach,
};
