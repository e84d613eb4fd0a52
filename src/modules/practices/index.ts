import { join } from 'node:path';
import { type App, type AppModule, asOfCommand, type AsOfWork, type ServiceNote, type ServiceNoteSource } from '../../platform/module.ts';
import { PERMISSIONS } from './permissions.ts';
import { messages } from './messages.ts';
import { practicesApi } from './api.ts';
import { practicesPages } from './pages/routes.ts';
import { sendDigests } from './commands.ts';
import { seedPractices } from './seed.ts';
import { CITATION_FILE_MAX_BYTES } from './upload.ts';
import { registerUploads } from '../workplans/index.ts';

export { MANAGE as PRACTICES_MANAGE, REVIEW as PRACTICES_REVIEW, LEAD as PRACTICES_LEAD, NOMINATE as PRACTICES_NOMINATE } from './permissions.ts';
// The module's public service API, for other modules (a directory listing showing the practices a service uses).
import { practicesLinkedTo } from './store.ts';
import { HELP } from './cli-help.ts';
export { practicesLinkedTo };
// For the research module's insights (evidence theme) and open data catalog.
export { allPractices } from './store.ts';
export { OUTCOME_DOMAINS as PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, SETTINGS as PRACTICE_SETTINGS } from './schema.ts';


const digestNow: AsOfWork = async (ctx, now, log) => {
  const r = await sendDigests(ctx, now, log);
  return `practices digest as of ${now.toISOString()}: ${r.sent} sent, ${r.skipped} skipped`;
};

/** The best rating a practice has for any outcome, as the directory's note words it. */
function noteKind(ratings: readonly { rating: string }[]): 'effective' | 'promising' | 'other' {
  if (ratings.some((r) => r.rating === 'effective')) return 'effective';
  if (ratings.some((r) => r.rating === 'promising')) return 'promising';
  return 'other';
}

/** On a directory service page: each practice the service runs, with its best rating, linking to the practice. */
const serviceNotes: ServiceNoteSource = async (ctx, serviceIds) => {
  const out = new Map<string, ServiceNote[]>();
  for (const [serviceId, list] of await practicesLinkedTo(ctx.db, 'service', serviceIds)) {
    out.set(serviceId, list.map((p) => ({ key: `pr.service.note.${noteKind(p.ratings)}`, params: { name: p.name }, href: `/practices/${p.id}` })));
  }
  return out;
};

export const practicesModule: AppModule = {
  name: 'practices',
  permissions: PERMISSIONS,
  nav: [{ href: '/practices', label: 'pr.nav', description: 'pr.nav.about', order: 35 }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [asOfCommand('practices', HELP, { digest: digestNow })],
  jobs: [{ name: 'practices.digest', description: 'E-mail digest subscribers the practices that are new or re-rated since their last digest.', schedule: { dailyAt: '14:00' }, run: digestNow }],
  async register(app: App) {
    // Multipart forms for the citation file, on the page and the API alike (this module's scope only).
    await registerUploads(app, CITATION_FILE_MAX_BYTES);
    await practicesApi(app);
    await practicesPages(app);
  },
  seedDemo: (ctx, log) => seedPractices(ctx, log),
  serviceNotes,
};
