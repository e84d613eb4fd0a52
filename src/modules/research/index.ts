import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { researchApi } from './api.ts';
import { researchPages } from './pages/routes.ts';
import { sendReminders, takeSnapshots } from './commands.ts';
import { seedResearch } from './seed.ts';
import { HELP } from './cli-help.ts';

export { MANAGE as RESEARCH_MANAGE, SUBMIT as RESEARCH_SUBMIT } from './permissions.ts';


const remindersNow: AsOfWork = async (ctx, now, log) => {
  const r = await sendReminders(ctx, now, log);
  return `research reminders as of ${now.toISOString()}: ${r.sent} sent, ${r.skipped} skipped`;
};

const snapshotsNow: AsOfWork = async (ctx, now) => {
  const r = await takeSnapshots(ctx, now);
  return `research snapshots as of ${now.toISOString()}: ${r.taken.length} taken (${r.taken.join(', ') || 'none'}), ${r.unchanged.length} unchanged`;
};

export const researchModule: AppModule = {
  name: 'research',
  permissions: PERMISSIONS,
  nav: [{ href: '/research', label: 'rs.nav', description: 'rs.nav.about', order: 45 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('research', HELP, { reminders: remindersNow, snapshots: snapshotsNow })],
  jobs: [
    { name: 'research.reminders', description: 'E-mail the staff of agencies that owe a data call due within a week or overdue.', schedule: { dailyAt: '13:00' }, run: remindersNow },
    { name: 'research.snapshots', description: 'Regenerate the published datasets and keep a dated version of each that changed.', schedule: { dailyAt: '03:30' }, run: snapshotsNow },
  ],
  async register(app: App) {
    await researchApi(app);
    await researchPages(app);
  },
  seedDemo: (ctx, log) => seedResearch(ctx, log),
};
