import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type Job } from '../module.ts';
import { JobBusy, JobRunner } from './runner.ts';
import { jobStatuses } from './status.ts';
import { cliIo } from '../cli/io.ts';

import { JOBS_HELP } from '../cli/help.ts';
export { JOBS_HELP };

/** `taskforce jobs [run NAME]`, over the given jobs (the platform's and every module's). */
export function jobsCommand(jobs: readonly Job[]): CliCommand {
  return {
    name: 'jobs',
    help: JOBS_HELP,
    async run(args, ctx, log) {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
      const [sub, name, ...extra] = positionals;
      if (sub === undefined) {
        const c = await ctx();
        for (const s of await jobStatuses(c.db, jobs)) {
          log(`${s.name}  (${s.schedule})  ${s.description}`);
          const last = s.last_run;
          log(`  last run: ${last ? `${last.started_at} ${last.result}${last.detail ? ': ' + last.detail : ''}` : 'never'}`);
          log(`  next run: ${s.next_run_at}${s.running ? ' (running now)' : ''}`);
        }
        return 0;
      }
      if (sub !== 'run') throw new UsageError(`jobs: the only subcommand is "run"; "taskforce jobs" alone lists the jobs`);
      if (name === undefined) throw new UsageError('jobs run: give the NAME of a job; "taskforce jobs" lists them');
      if (extra.length) throw new UsageError(`jobs run: unexpected argument "${extra[0]}"`);
      if (!jobs.some((j) => j.name === name)) throw new UsageError(`jobs run: there is no job named "${name}"; the jobs are ${jobs.map((j) => j.name).join(', ')}`);
      const c = await ctx();
      const runner = new JobRunner({ db: c.db, kind: c.dbKind, close: async () => {} }, c.config, jobs, { log });
      try {
        const run = await runner.runNow(name);
        const seconds = ((Date.parse(run.finished_at!) - Date.parse(run.started_at)) / 1000).toFixed(1);
        if (run.result === 'ok') {
          log(`job ${name}: ok in ${seconds} s${run.detail ? ': ' + run.detail : ''}`);
          return 0;
        }
        cliIo().err(`taskforce: job ${name} failed after ${seconds} s: ${run.detail}\n`);
        return 1;
      } catch (err) {
        if (!(err instanceof JobBusy)) throw err;
        cliIo().err(`taskforce: ${err.message}\n`);
        return 1;
      }
    },
  };
}
