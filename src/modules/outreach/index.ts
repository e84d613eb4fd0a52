import { join } from 'node:path';
import type { Db } from '../../platform/db/index.ts';
import { outreachDb } from './tables.ts';
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

/** One group's accepted report-backs on a published campaign, as the research module's insights count them. */
export interface OutreachFact {
  campaign_id: string;
  campaign_title: string;
  group_id: string;
  /** The group's state (USPS code). */
  state: string;
  quantity: number;
}

/** Per campaign (not drafts) and group, the accepted report-backs' quantity: no names, summaries or photos. */
export async function outreachFacts(db: Db): Promise<OutreachFact[]> {
  const rows = await outreachDb(db)
    .selectFrom('outreach_reportback as r')
    .innerJoin('outreach_group as g', 'g.id', 'r.group_id')
    .innerJoin('outreach_campaign as c', 'c.id', 'r.campaign_id')
    .select(['c.id as campaign_id', 'c.title as campaign_title', 'g.id as group_id', 'g.state', (eb) => eb.fn.sum<number>('r.quantity').as('qty')])
    .where('r.status', '=', 'accepted')
    .where('c.status', '!=', 'draft')
    .groupBy(['c.id', 'c.title', 'g.id', 'g.state'])
    .execute();
  return rows.map((r) => ({ campaign_id: r.campaign_id, campaign_title: r.campaign_title, group_id: r.group_id, state: r.state, quantity: Number(r.qty) }));
}

export const outreachModule: AppModule = {
  name: 'outreach',
  permissions: PERMISSIONS,
  nav: [{ href: '/outreach', label: 'or.nav', description: 'or.nav.about', order: 40 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  async register(app: App) {
    await outreachApi(app);
    await outreachPages(app);
  },
  seedDemo: seedOutreach,
};
