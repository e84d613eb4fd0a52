import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork } from '../../platform/module.ts';
import { messages } from './messages.ts';
import { workplansApi } from './api.ts';
import { workplansPages } from './pages/routes.ts';
import { PERM } from './policies.ts';
import { registerUploads } from './upload.ts';
import { seedWorkplans } from './seed.ts';
import { runDigests } from './digests.ts';
import { workplanTasks } from './tasks.ts';
import { HELP } from './cli-help.ts';

// The module's public service API, for other modules.
export { runDigests } from './digests.ts';
export { periodOf, parsePeriod, TASK_FORCE_TIME_ZONE } from './periods.ts';
export { getItem as getWorkplanItem, listItems as listWorkplanItems } from './store.ts';
// For the research module's progress insights.
export { STATUSES as WORKPLAN_STATUSES, KINDS as WORKPLAN_KINDS } from './schema.ts';
// File uploads on multipart forms, for other modules' forms too (outreach photos).
export { fileOrPastedText, registerUploads, uploadOf, type UploadedFile } from './upload.ts';


/** The quarter's digests and reminders due as of `now`; each person gets each kind once a quarter. */
const digestsNow: AsOfWork = async (ctx, now, log) => {
  const res = await runDigests(ctx, now, log);
  return `${res.period}: ${res.digests} digest(s) and ${res.reminders} reminder(s) sent, ${res.skipped} skipped`;
};

export const workplansModule: AppModule = {
  name: 'workplans',
  permissions: {
    [PERM.edit]: ['chair', 'admin'],
    [PERM.update]: ['member', 'chair', 'admin'],
    [PERM.review]: ['chair', 'admin'],
    [PERM.digests]: ['admin'],
  },
  nav: [{ href: '/workplans', label: 'wp.nav', description: 'wp.nav.about', order: 20 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('workplans', HELP, { digests: digestsNow })],
  jobs: [{ name: 'workplans.digests', description: "Send the work-plan updates-due digests and missing-update reminders of the quarter's last 14 days.", schedule: { dailyAt: '13:00' }, run: digestsNow }],
  async register(app: App) {
    await registerUploads(app);
    await workplansApi(app);
    await workplansPages(app);
  },
  seedDemo: (ctx, log) => seedWorkplans(ctx, log),
  tasks: workplanTasks,
};
