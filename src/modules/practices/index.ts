import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { practicesApi } from './api.ts';
import { practicesPages } from './pages/routes.ts';
import { sendDigests } from './commands.ts';
import { seedPractices } from './seed.ts';

export { MANAGE as PRACTICES_MANAGE, REVIEW as PRACTICES_REVIEW, LEAD as PRACTICES_LEAD, NOMINATE as PRACTICES_NOMINATE } from './permissions.ts';
// The module's public service API, for other modules (a directory listing showing the practices a service uses).
export { practicesLinkedTo } from './store.ts';
// For the research module's insights (evidence theme) and open data catalog.
export { allPractices } from './store.ts';
export { OUTCOME_DOMAINS as PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, SETTINGS as PRACTICE_SETTINGS } from './schema.ts';

const HELP = `  practices digest [--at INSTANT]
                              e-mail each confirmed digest subscriber the practices that are
                              new or re-rated since their last digest (nothing if none), with
                              a one-click unsubscribe link. Without SMTP_URL, mail is logged as
                              skipped`;

const digestNow: AsOfWork = async (ctx, now, log) => {
  const r = await sendDigests(ctx, now, log);
  return `practices digest as of ${now.toISOString()}: ${r.sent} sent, ${r.skipped} skipped`;
};

export const practicesModule: AppModule = {
  name: 'practices',
  permissions: PERMISSIONS,
  nav: [{ href: '/practices', label: 'pr.nav', order: 35 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('practices', HELP, { digest: digestNow })],
  jobs: [{ name: 'practices.digest', description: 'E-mail digest subscribers the practices that are new or re-rated since their last digest.', schedule: { dailyAt: '14:00' }, run: digestNow }],
  async register(app: App) {
    await practicesApi(app);
    await practicesPages(app);
  },
  seedDemo: (ctx, log) => seedPractices(ctx, log),
};
