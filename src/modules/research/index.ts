import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { researchApi } from './api.ts';
import { researchPages } from './pages/routes.ts';
import { sendReminders } from './commands.ts';

export { MANAGE as RESEARCH_MANAGE, SUBMIT as RESEARCH_SUBMIT } from './permissions.ts';

const HELP = `  research reminders [--at INSTANT]
                              e-mail the staff of each agency that still owes an open data
                              call: once when it is due within 7 days, once when overdue.
                              Without SMTP_URL, mail is logged as skipped`;

const remindersNow: AsOfWork = async (ctx, now, log) => {
  const r = await sendReminders(ctx, now, log);
  return `research reminders as of ${now.toISOString()}: ${r.sent} sent, ${r.skipped} skipped`;
};

export const researchModule: AppModule = {
  name: 'research',
  permissions: PERMISSIONS,
  nav: [{ href: '/research', label: 'rs.nav', order: 45 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('research', HELP, { reminders: remindersNow })],
  jobs: [{ name: 'research.reminders', description: 'E-mail the staff of agencies that owe a data call due within a week or overdue.', schedule: { dailyAt: '13:00' }, run: remindersNow }],
  async register(app: App) {
    await researchApi(app);
    await researchPages(app);
  },
};
