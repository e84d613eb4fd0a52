import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork } from '../../platform/module.ts';
import { messages } from './messages.ts';
import { sendReminders } from './commands.ts';
import { CODE, MANAGE } from './policies.ts';
import { listeningApi } from './api.ts';
import { listeningPages } from './pages/routes.ts';
import { seedListening } from './seed.ts';
import { HELP } from './cli-help.ts';

// The module's public service API, for other modules.
export { sendReminders } from './commands.ts';
export { LISTENING_PERMISSIONS } from './permissions.ts';
export { cohensKappa } from './kappa.ts';
export { getRecommendation, getSeries, listRecommendations } from './store.ts';
export { REC_STATUSES as RECOMMENDATION_STATUSES, REC_TYPES as RECOMMENDATION_TYPES } from './schema.ts';
export { calendar, type IcsEvent } from './ics.ts';
export { isTimeZone, zonedToUtc } from './time.ts';


/** Reminders to the registrants of sessions starting soon; each registrant once, so it may run at any time. */
const remindersNow: AsOfWork = async (ctx, now, log) => {
  const res = await sendReminders(ctx, now, log);
  return `listening reminders as of ${now.toISOString()}: ${res.sent} sent, ${res.skipped} skipped`;
};

export const listeningModule: AppModule = {
  name: 'listening',
  permissions: {
    [MANAGE]: ['chair', 'admin'],
    [CODE]: ['analyst', 'chair', 'admin'],
  },
  nav: [{ href: '/listening', label: 'ls.nav', description: 'ls.nav.about', order: 30 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('listening', HELP, { reminders: remindersNow })],
  jobs: [{ name: 'listening.reminders', description: 'E-mail the registrants of listening sessions that start within their reminder window.', schedule: { everyMinutes: 60 }, run: remindersNow }],
  async register(app: App) {
    await listeningApi(app);
    await listeningPages(app);
  },
  seedDemo: (ctx, log) => seedListening(ctx, log),
};
