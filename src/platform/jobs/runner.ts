import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { DatabaseHandle, Db } from '../db/index.ts';
import { newId } from '../db/index.ts';
import { systemCtx } from '../context.ts';
import type { Job, Log } from '../module.ts';
import { nextSlot } from './schedule.ts';
import { jobDuration, jobRuns, jobsRunning } from '../ops/metrics.ts';

const MINUTE = 60_000;

export interface RunRecord {
  id: string;
  job: string;
  trigger: 'schedule' | 'manual';
  slot: string | null;
  node: string;
  started_at: string;
  finished_at: string | null;
  result: 'running' | 'ok' | 'error';
  detail: string | null;
}

/** A job that is already running somewhere (its lease is held), so a run by hand is refused rather than doubled. */
export class JobBusy extends Error {}

export interface RunnerOptions {
  /** Names this runner in the lease and in each run it records; unique per runner by default. */
  node?: string;
  /** How often the runner looks for due runs. */
  tickMs?: number;
  /** How long a claimed run keeps others off before its node is presumed dead; renewed while it runs. */
  leaseMs?: number;
  /** The time, for tests. */
  clock?: () => Date;
  log?: Log;
}

/** The id a runner records as the node: host, process and a random part, so two runners in one process differ. */
export function nodeName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Runs the declared jobs on their schedules inside the server. Every node runs one; the `jobs` table decides which
 * node runs each due slot (see `claimDue`).
 */
export class JobRunner {
  readonly node: string;
  readonly #jobs: Map<string, Job>;
  readonly #tickMs: number;
  readonly #leaseMs: number;
  readonly #clock: () => Date;
  readonly #log: Log;
  readonly #running = new Map<string, { done: Promise<RunRecord>; rec: RunRecord }>();
  /** Runs given up by `releaseLeases`: whatever they do after that is not recorded. */
  readonly #abandoned = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #started = false;
  /** When the runner last began looking for due runs (see `health`). */
  #lastTick: number | undefined;

  constructor(
    private readonly handle: DatabaseHandle,
    private readonly config: Config,
    jobs: readonly Job[],
    opts: RunnerOptions = {},
  ) {
    this.node = opts.node ?? nodeName();
    this.#jobs = new Map(jobs.map((j) => [j.name, j]));
    this.#tickMs = opts.tickMs ?? 30_000;
    this.#leaseMs = opts.leaseMs ?? 30 * MINUTE;
    this.#clock = opts.clock ?? (() => new Date());
    this.#log = opts.log ?? (() => {});
  }

  get db(): Db {
    return this.handle.db;
  }

  /** Schedules the jobs not seen before at their next slot, then looks for due runs every tick. */
  async start(): Promise<void> {
    await ensureJobRows(this.db, [...this.#jobs.values()], this.#clock());
    this.#stopped = false;
    this.#started = true;
    this.#timer = setInterval(() => void this.tick().catch((err: unknown) => this.#log(`job runner: ${(err as Error).message}`)), this.#tickMs);
    this.#timer.unref();
    void this.tick().catch((err: unknown) => this.#log(`job runner: ${(err as Error).message}`));
  }

  /**
   * Stops looking for work and waits (up to `graceMs`) for runs in progress, so that they record their result.
   * Answers the runs still going when the time is up (see `releaseLeases`).
   */
  async stop(graceMs = 10_000): Promise<RunRecord[]> {
    this.#stopped = true;
    clearInterval(this.#timer);
    const pending = [...this.#running.values()].map((r) => r.done);
    if (pending.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(pending), new Promise((done) => (timer = setTimeout(done, graceMs)))]);
      clearTimeout(timer);
    }
    return [...this.#running.values()].map((r) => r.rec);
  }

  /**
   * Gives up the runs still in progress on this node (it is stopping): each is recorded as interrupted, and its job's
   * lease is released with the job due again at once, so that another node takes it on its next look instead of
   * waiting for the lease to lapse. Jobs are written to be safe to repeat. Answers the jobs released.
   */
  async releaseLeases(): Promise<string[]> {
    const released: string[] = [];
    const now = this.#clock().toISOString();
    for (const [name, { rec }] of this.#running) {
      this.#abandoned.add(rec.id);
      await this.db
        .updateTable('job_runs')
        .set({ result: 'error', finished_at: now, detail: 'interrupted: the server stopped before the run finished; the job was handed back to run again' })
        .where('id', '=', rec.id)
        .where('result', '=', 'running')
        .execute();
      // A scheduled run is due again at its slot (already past); a run by hand leaves the schedule as it was.
      const set: Record<string, string | null> = { lease_holder: null, lease_until: null, updated_at: now };
      if (rec.slot) set.next_run_at = rec.slot;
      await this.db.updateTable('jobs').set(set).where('name', '=', name).where('lease_holder', '=', this.node).execute();
      jobRuns.inc({ job: name, result: 'interrupted' });
      this.#log(`job ${name}: interrupted by shutdown; lease released for another node`);
      released.push(name);
    }
    return released;
  }

  /**
   * Alive while started and looking for due runs on its schedule: the last look began within two intervals (plus
   * a little for a busy event loop). For `/readyz`.
   */
  health(now = Date.now()): { ok: boolean; detail: string } {
    if (!this.#started || this.#lastTick === undefined) return { ok: false, detail: 'not started' };
    if (this.#stopped) return { ok: false, detail: 'stopped' };
    const age = now - this.#lastTick;
    if (age > 2 * this.#tickMs + 5000) return { ok: false, detail: `no look for due jobs in ${Math.round(age / 1000)} s` };
    return { ok: true, detail: 'ok' };
  }

  /** Claims and runs every job that is due now; resolves when those runs have finished. */
  async tick(): Promise<RunRecord[]> {
    this.#lastTick = Date.now();
    const now = this.#clock();
    await this.#renewLeases(now);
    const started: Promise<RunRecord>[] = [];
    for (const job of this.#jobs.values()) {
      if (this.#stopped) break;
      if (this.#running.has(job.name)) continue;
      const slot = await claimDue(this.db, job, this.node, now, this.#leaseMs);
      if (slot === null) continue;
      started.push(this.#execute(job, 'schedule', slot));
    }
    return Promise.all(started);
  }

  /** Runs one job now, by hand, unless a node is running it; the schedule is left as it was. */
  async runNow(name: string): Promise<RunRecord> {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`no job named "${name}"`);
    const now = this.#clock();
    await ensureJobRows(this.db, [job], now);
    const res = await this.db
      .updateTable('jobs')
      .set({ lease_holder: this.node, lease_until: new Date(now.getTime() + this.#leaseMs).toISOString(), updated_at: now.toISOString() })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now.toISOString())]))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const row = await this.db.selectFrom('jobs').select(['lease_holder', 'lease_until']).where('name', '=', name).executeTakeFirst();
      throw new JobBusy(`job ${name} is running on ${row?.lease_holder ?? 'another node'} (lease until ${row?.lease_until ?? '?'}); try again when it has finished`);
    }
    return this.#execute(job, 'manual', null);
  }

  #execute(job: Job, trigger: RunRecord['trigger'], slot: string | null): Promise<RunRecord> {
    const startedAt = this.#clock();
    const rec: RunRecord = { id: newId(), job: job.name, trigger, slot, node: this.node, started_at: startedAt.toISOString(), finished_at: null, result: 'running', detail: null };
    jobsRunning.inc();
    const began = performance.now();
    const done = this.#record(job, rec, startedAt).finally(() => {
      this.#running.delete(job.name);
      jobsRunning.dec();
      if (!this.#abandoned.has(rec.id)) {
        jobRuns.inc({ job: job.name, result: rec.result === 'running' ? 'error' : rec.result });
        jobDuration.observe({ job: job.name }, (performance.now() - began) / 1000);
      }
    });
    this.#running.set(job.name, { done, rec });
    return done;
  }

  async #record(job: Job, rec: RunRecord, startedAt: Date): Promise<RunRecord> {
    await this.db.insertInto('job_runs').values(rec).execute();
    const say: Log = (line) => this.#log(`job ${job.name}: ${line}`);
    try {
      const summary = await job.run(systemCtx(this.handle, this.config, `job:${job.name}`), startedAt, say);
      rec.result = 'ok';
      rec.detail = summary ? String(summary).slice(0, 2000) : null;
    } catch (err) {
      rec.result = 'error';
      rec.detail = ((err as Error)?.message ?? String(err)).slice(0, 2000);
      say(`failed: ${rec.detail}`);
    }
    // Given up at shutdown (releaseLeases): the run is recorded as interrupted and the job is another node's now.
    if (this.#abandoned.has(rec.id)) return rec;
    rec.finished_at = this.#clock().toISOString();
    await this.db.updateTable('job_runs').set({ finished_at: rec.finished_at, result: rec.result, detail: rec.detail }).where('id', '=', rec.id).execute();
    // Only our own lease: if it lapsed and another node took the job over, that node's lease stands.
    await this.db
      .updateTable('jobs')
      .set({ lease_holder: null, lease_until: null, updated_at: rec.finished_at })
      .where('name', '=', job.name)
      .where('lease_holder', '=', this.node)
      .execute();
    return rec;
  }

  async #renewLeases(now: Date): Promise<void> {
    const names = [...this.#running.keys()];
    if (names.length === 0) return;
    await this.db
      .updateTable('jobs')
      .set({ lease_until: new Date(now.getTime() + this.#leaseMs).toISOString() })
      .where('name', 'in', names)
      .where('lease_holder', '=', this.node)
      .execute();
  }
}

/** Gives each job not yet in the table its next slot after `now`: a new job waits for its schedule. */
export async function ensureJobRows(db: Db, jobs: readonly Job[], now: Date): Promise<void> {
  if (jobs.length === 0) return;
  const known = new Set((await db.selectFrom('jobs').select('name').execute()).map((r) => String(r.name)));
  for (const job of jobs) {
    if (known.has(job.name)) continue;
    await db
      .insertInto('jobs')
      .values({ name: job.name, next_run_at: nextSlot(job.schedule, now).toISOString(), lease_holder: null, lease_until: null, updated_at: now.toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
}

/**
 * Takes the job's due run for this node, if it is due and free: one conditional update that moves `next_run_at`
 * to the slot after `now` and sets the lease, and matches only while `next_run_at` is still the value read. Of
 * several nodes trying at once, on either engine, exactly one changes the row; the others match nothing. Answers
 * the slot claimed, or null.
 */
export async function claimDue(db: Db, job: Job, node: string, now: Date, leaseMs: number): Promise<string | null> {
  const nowIso = now.toISOString();
  const row = await db.selectFrom('jobs').select(['next_run_at', 'lease_until']).where('name', '=', job.name).executeTakeFirst();
  if (!row) {
    await ensureJobRows(db, [job], now);
    return null;
  }
  const due = String(row.next_run_at);
  if (due > nowIso) return null;
  if (row.lease_until && String(row.lease_until) > nowIso) return null;
  const res = await db
    .updateTable('jobs')
    .set({ next_run_at: nextSlot(job.schedule, now).toISOString(), lease_holder: node, lease_until: new Date(now.getTime() + leaseMs).toISOString(), updated_at: nowIso })
    .where('name', '=', job.name)
    .where('next_run_at', '=', due)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1 ? due : null;
}
