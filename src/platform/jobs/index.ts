import { purgeExpiredSessions } from '../auth/session-store.ts';
import { jobsOf, type AppModule, type Job } from '../module.ts';
import { checkSchedule } from './schedule.ts';

export { JobRunner, JobBusy, claimDue, ensureJobRows, nodeName, type RunRecord, type RunnerOptions } from './runner.ts';
export { jobStatuses, recentRuns, type JobStatus, type RunResult } from './status.ts';
export { describeSchedule, nextSlot } from './schedule.ts';

const RUN_HISTORY_DAYS = 90;

/** The platform's own scheduled work. */
export const platformJobs: Job[] = [
  {
    name: 'sessions.purge',
    description: 'Delete expired sign-in sessions.',
    schedule: { everyMinutes: 60 },
    run: async (ctx) => `${await purgeExpiredSessions(ctx.db)} expired session(s) deleted`,
  },
  {
    name: 'jobs.prune',
    description: `Delete the records of job runs older than ${RUN_HISTORY_DAYS} days.`,
    schedule: { dailyAt: '04:10' },
    run: async (ctx, now) => {
      const cutoff = new Date(now.getTime() - RUN_HISTORY_DAYS * 86_400_000).toISOString();
      const res = await ctx.db.deleteFrom('job_runs').where('started_at', '<', cutoff).executeTakeFirst();
      return `${Number(res.numDeletedRows ?? 0)} run record(s) deleted`;
    },
  },
];

/** The platform's jobs and every module's, each schedule checked. */
export function allJobs(modules: readonly AppModule[]): Job[] {
  const jobs = jobsOf([{ name: 'platform', register: async () => {}, jobs: platformJobs }, ...modules]);
  for (const j of jobs) checkSchedule(j.name, j.schedule);
  return jobs;
}
