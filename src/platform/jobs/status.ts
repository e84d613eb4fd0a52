import type { Db } from '../db/index.ts';
import type { Job } from '../module.ts';
import type { RunRecord } from './runner.ts';
import { describeSchedule, nextSlot } from './schedule.ts';

export type RunResult = RunRecord['result'] | 'interrupted';

export interface JobStatus {
  name: string;
  description: string;
  schedule: string;
  /** When it is next due; for a job no runner has scheduled yet, its next slot. */
  next_run_at: string;
  running: boolean;
  last_run: { started_at: string; finished_at: string | null; result: RunResult; detail: string | null; trigger: string; node: string } | null;
}

/**
 * A run still marked running whose node no longer holds the job's lease will never finish: its node stopped
 * (or lost the database) during the run.
 */
function resultOf(run: RunRecord, lease: { holder: string | null; until: string | null }, nowIso: string): RunResult {
  if (run.result !== 'running') return run.result;
  return lease.holder === run.node && lease.until !== null && lease.until > nowIso ? 'running' : 'interrupted';
}

/** Each job's schedule, last run and next run, in the order given. */
export async function jobStatuses(db: Db, jobs: readonly Job[], now = new Date()): Promise<JobStatus[]> {
  const nowIso = now.toISOString();
  const rows = jobs.length ? await db.selectFrom('jobs').selectAll().where('name', 'in', jobs.map((j) => j.name)).execute() : [];
  const byName = new Map(rows.map((r) => [String(r.name), r]));
  const out: JobStatus[] = [];
  for (const job of jobs) {
    const row = byName.get(job.name);
    const lease = { holder: (row?.lease_holder as string | null) ?? null, until: (row?.lease_until as string | null) ?? null };
    const last = (await db.selectFrom('job_runs').selectAll().where('job', '=', job.name).orderBy('started_at', 'desc').limit(1).executeTakeFirst()) as RunRecord | undefined;
    out.push({
      name: job.name,
      description: job.description,
      schedule: describeSchedule(job.schedule),
      next_run_at: row ? String(row.next_run_at) : nextSlot(job.schedule, now).toISOString(),
      running: lease.until !== null && lease.until > nowIso,
      last_run: last
        ? { started_at: last.started_at, finished_at: last.finished_at, result: resultOf(last, lease, nowIso), detail: last.detail, trigger: last.trigger, node: last.node }
        : null,
    });
  }
  return out;
}

/** The most recent runs of any job, newest first. */
export async function recentRuns(db: Db, limit = 20): Promise<RunRecord[]> {
  return (await db.selectFrom('job_runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute()) as RunRecord[];
}

/** Jobs due now that no node holds: the cluster's queue (a steady non-zero means no node is running jobs). */
export async function dueWaiting(db: Db, now = new Date()): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('next_run_at', '<=', at)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
