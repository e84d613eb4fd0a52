import { join } from 'node:path';
import { json, type Db } from '../../platform/db/index.ts';
import { referralsDb } from './tables.ts';
import { parseArgs } from 'node:util';
import { type App, type AppModule, asOfCommand, type AsOfWork, type CliCommand, UsageError } from '../../platform/module.ts';
import { messages } from './messages.ts';
import { PERMISSIONS, READ, STATS } from './permissions.ts';
import { purgeClosed, rekeyReferrals, runReminders } from './commands.ts';
import { referralsApi } from './api.ts';
import { referralsPages } from './pages/routes.ts';
import { DEMO_CASEWORKERS, seedReferrals } from './seed.ts';
import { referralTasks } from './tasks.ts';
import { HELP } from './cli-help.ts';

export {
  READ as REFERRALS_READ,
  SEND as REFERRALS_SEND,
  RECEIVE as REFERRALS_RECEIVE,
  CLIENT_READ as REFERRALS_CLIENT_READ,
  STATS as REFERRALS_STATS,
  ADMIN as REFERRALS_ADMIN,
} from './permissions.ts';
// The module's public service API, for other modules and the command line.
export { purgeClosed, rekeyReferrals, runReminders } from './commands.ts';
export { buildStats, type Stats } from './stats.ts';
export { DEMO_CASEWORKERS } from './seed.ts';
export { NEEDS as REFERRAL_NEEDS, DECLINE_REASONS as REFERRAL_DECLINE_REASONS } from './schema.ts';

/** One sent referral as the research module's insights count it: no client, note or organisation column. */
export interface ReferralFact {
  status: string;
  needs: string[];
  outcome: string | null;
  decline_reason: string | null;
  network_name: string | null;
  area_fips: string | null;
  sent_at: string | null;
  accepted_at: string | null;
}

/** The de-identified facts of every referral that was sent (drafts left out), for published statistics. */
export async function referralFacts(db: Db): Promise<ReferralFact[]> {
  const rows = await referralsDb(db)
    .selectFrom('referrals')
    .select(['status', 'needs', 'outcome', 'decline_reason', 'network_name', 'area_fips', 'sent_at', 'accepted_at'])
    .where('status', '!=', 'draft')
    .execute();
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return rows.map((r) => ({ ...r, needs: json<string[]>(r.needs, []), sent_at: iso(r.sent_at), accepted_at: iso(r.accepted_at) }));
}


/** Client details of referrals closed past the retention period; what was purged stays purged. */
const purgeNow: AsOfWork = async (ctx, now, log) =>
  `referrals purge as of ${now.toISOString()}: ${await purgeClosed(ctx, now, log)} referral(s) purged (retention ${ctx.config.referralRetentionDays} days)`;

/** Expiry of referrals nobody acted on, and reminders of waiting ones; each referral is reminded once. */
const remindersNow: AsOfWork = async (ctx, now, log) => {
  const res = await runReminders(ctx, now, log);
  return `referrals reminders as of ${now.toISOString()}: ${res.expired} expired, ${res.reminded} reminded, ${res.mails} e-mail(s) sent`;
};

/** `taskforce referrals purge|reminders [--at INSTANT]` (the scheduled work by hand) and `referrals rekey [--vacuum]`. */
const scheduled = asOfCommand('referrals', HELP, { purge: purgeNow, reminders: remindersNow });
const referralsCommand: CliCommand = {
  name: 'referrals',
  help: HELP,
  async run(args, ctx, log) {
    const [sub, ...opts] = args;
    if (sub !== 'purge' && sub !== 'reminders' && sub !== 'rekey') throw new UsageError('referrals: the subcommands are "purge", "reminders" and "rekey"');
    if (sub !== 'rekey') return scheduled.run(args, ctx, log);
    const { values } = parseArgs({ args: opts, options: { vacuum: { type: 'boolean' } }, strict: true });
    const c = await ctx();
    const r = await rekeyReferrals(c, log, { vacuum: values.vacuum });
    log(`referrals rekey: ${r.moved} referral(s) moved under their own data key (${r.values} value(s) re-sealed), ${r.rewrapped} data key(s) re-wrapped under the current DATA_KEY, ${r.current} already current`);
    return 0;
  },
};

export const referralsModule: AppModule = {
  name: 'referrals',
  permissions: PERMISSIONS,
  nav: [{ href: '/referrals', label: 'rf.nav', description: 'rf.nav.about', order: 40, permission: READ }, { href: '/referrals/stats', label: 'rf.stats.nav', description: 'rf.stats.nav.about', order: 41, permission: STATS }],
  messages,
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [referralsCommand],
  jobs: [
    { name: 'referrals.reminders', description: 'Expire referrals nobody accepted or declined in time, and remind receiving organisations of waiting ones.', schedule: { everyMinutes: 60 }, run: remindersNow },
    { name: 'referrals.purge', description: 'Delete the client details and notes of referrals closed past the retention period.', schedule: { dailyAt: '03:00' }, run: purgeNow },
  ],
  demoNotes: [`Case workers who send and receive referrals (same password; two-step verification at first sign-in): ${Object.values(DEMO_CASEWORKERS).map((u) => u.email).join(', ')}`],
  async register(app: App) {
    await referralsApi(app);
    await referralsPages(app);
  },
  seedDemo: (ctx, log) => seedReferrals(ctx, log),
  tasks: referralTasks,
};
