import type { FastifyInstance } from 'fastify';
import type { AppModule } from '../../platform/module.ts';
import { addNav } from '../../platform/web/view.ts';
import './messages.ts';
import { READ, STATS } from './permissions.ts';
import { referralsApi } from './api.ts';
import { referralsPages } from './pages.tsx';
import { seedReferrals } from './seed.ts';

export {
  READ as REFERRALS_READ,
  SEND as REFERRALS_SEND,
  RECEIVE as REFERRALS_RECEIVE,
  CLIENT_READ as REFERRALS_CLIENT_READ,
  STATS as REFERRALS_STATS,
  ADMIN as REFERRALS_ADMIN,
} from './permissions.ts';
// The module's public service API, for other modules and the command line.
export { purgeClosed, runReminders } from './commands.ts';
export { buildStats, type Stats } from './stats.ts';
export { DEMO_CASEWORKERS } from './seed.ts';

addNav({ href: '/referrals', label: 'rf.nav', order: 40, permission: READ }, { href: '/referrals/stats', label: 'rf.stats.nav', order: 41, permission: STATS });

export const referralsModule: AppModule = {
  name: 'referrals',
  async register(app: FastifyInstance) {
    await referralsApi(app);
    await referralsPages(app);
  },
  seedDemo: (ctx, log) => seedReferrals(ctx, log),
};
