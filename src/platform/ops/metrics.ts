/**
 * Prometheus metrics (prom-client): requests by route pattern and status with their latency, the database pool,
 * the job runner's work, imports and referral transitions, and the process's own figures. One registry per
 * process: every app in it (the tests build many) counts into the same series.
 *
 * No label ever holds what a person typed or an id: routes are labelled by their pattern (`/api/referrals/:id`),
 * and the other labels come from names in the code (job names, audit actions, referral statuses), each checked
 * against a plain pattern before it is used.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { observeCommittedAudit, type AuditInput } from '../audit/index.ts';
import { ProblemRef } from '../http/schemas.ts';
import { problem } from '../http/errors.ts';
import type { App } from '../module.ts';
import { addressMatcher } from './addresses.ts';
import { dueWaiting } from '../jobs/status.ts';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** A label value made from a name in the code; anything else (never expected) is counted as "other". */
function named(v: unknown): string {
  return typeof v === 'string' && /^[a-z][a-z0-9_.:-]{0,63}$/.test(v) ? v : 'other';
}

export const httpDuration = new client.Histogram({
  name: 'taskforce_http_request_duration_seconds',
  help: 'Time to answer HTTP requests, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const jobRuns = new client.Counter({
  name: 'taskforce_job_runs_total',
  help: 'Scheduled job runs finished on this node, by job and result (ok, error, interrupted).',
  labelNames: ['job', 'result'] as const,
  registers: [registry],
});

export const jobDuration = new client.Histogram({
  name: 'taskforce_job_run_duration_seconds',
  help: 'Time a job run took on this node.',
  labelNames: ['job'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
  registers: [registry],
});

export const jobsRunning = new client.Gauge({
  name: 'taskforce_jobs_running',
  help: 'Job runs in progress on this node.',
  registers: [registry],
});

const jobsWaiting = new client.Gauge({
  name: 'taskforce_jobs_due_waiting',
  help: 'Jobs that are due and that no node has taken yet (the whole cluster, read from the database).',
  registers: [registry],
});

const poolConnections = new client.Gauge({
  name: 'taskforce_db_pool_connections',
  help: 'Connections of this node to PostgreSQL by state (total, idle, and callers waiting for one); on SQLite one connection.',
  labelNames: ['state'] as const,
  registers: [registry],
});

/**
 * Lookups in this process's in-memory caches of answers, by cache (a name from the code: `directory_search`) and
 * result (`hit`, `miss`). A module counts into it through `countCacheLookup`.
 */
const cacheLookups = new client.Counter({
  name: 'taskforce_cache_lookups_total',
  help: 'Lookups in in-process answer caches on this node, by cache and result (hit, miss).',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

export function countCacheLookup(cache: string, hit: boolean): void {
  cacheLookups.inc({ cache: named(cache), result: hit ? 'hit' : 'miss' });
}

const auditEvents = new client.Counter({
  name: 'taskforce_commands_total',
  help: 'Committed commands (writes) on this node, by the action of their audit event.',
  labelNames: ['action'] as const,
  registers: [registry],
});

const referralTransitions = new client.Counter({
  name: 'taskforce_referral_transitions_total',
  help: 'Referral status changes committed on this node, by action and the status reached.',
  labelNames: ['action', 'to'] as const,
  registers: [registry],
});

const imports = new client.Counter({
  name: 'taskforce_imports_total',
  help: 'Imports committed on this node, by kind (directory, workplans, ...).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const importRecords = new client.Counter({
  name: 'taskforce_import_records_total',
  help: 'Records written by committed imports on this node, by kind.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** The records an import says it wrote: its `rows`, or the sum of its per-table `counts`. */
function importedCount(summary: Record<string, unknown> | undefined): number {
  if (!summary) return 0;
  if (typeof summary.rows === 'number') return summary.rows;
  const counts = summary.counts;
  if (counts && typeof counts === 'object') {
    return Object.values(counts as Record<string, unknown>).reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0);
  }
  return 0;
}

/** Counts committed commands from their audit events: the one place every write passes. */
export function countCommitted(events: readonly AuditInput[]): void {
  for (const e of events) {
    const action = named(e.action);
    auditEvents.inc({ action });
    const [area, verb] = e.action.split('.');
    if (area === 'referrals' && e.entityType === 'referral') {
      const to = e.action === 'referrals.create' ? e.summary?.status : e.summary?.to;
      if (typeof to === 'string') referralTransitions.inc({ action: named(verb), to: named(to) });
    }
    if (verb === 'import' && e.action.split('.').length === 2) {
      const kind = named(area);
      imports.inc({ kind });
      importRecords.inc({ kind }, importedCount(e.summary));
    }
  }
}
observeCommittedAudit(countCommitted);

/** Records one answered request under its route pattern; requests no route matched are "unmatched". */
export function installHttpMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    httpDuration.observe({ method: req.method, route: route ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads the Authorization header itself (the metrics token), so it is not taken for an API token. */
    ownAuthorization?: boolean;
  }
}

/** `GET /metrics`: for the holder of METRICS_TOKEN or a caller from METRICS_ALLOW; refused to everyone else. */
export function metricsRoutes(opts: { config: Config; database: DatabaseHandle }) {
  const { config, database } = opts;
  const allowed = addressMatcher(config.metricsAllow);
  return async function register(app: App): Promise<void> {
    app.get(
      '/metrics',
      {
        config: { access: 'public', ownAuthorization: true },
        schema: {
          tags: ['Platform'],
          summary: 'Metrics in the Prometheus text format (for monitoring)',
          description:
            'Requests by route pattern and status with latency histograms, the database pool, job runs and failures, jobs waiting, imports and referral transitions, and the process (CPU, memory, event loop). No personal data. Answered to `Authorization: Bearer <METRICS_TOKEN>` or to callers from `METRICS_ALLOW`; refused otherwise, whatever account is signed in.',
          security: [{ metricsToken: [] }],
          produces: ['text/plain'],
          response: {
            200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }),
            401: ProblemRef,
            403: ProblemRef,
          },
        },
      },
      async (req, reply) => {
        const auth = req.headers.authorization;
        const bearer = auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
        const tokenOk = Boolean(config.metricsToken && bearer && sameSecret(bearer, config.metricsToken));
        if (!tokenOk && !allowed(req.ip)) {
          const refuse = (status: 401 | 403, detail: string) => {
            const body = { ...problem(status, status === 401 ? 'Not signed in' : 'Not allowed', detail, undefined, '/metrics'), request_id: String(req.id) };
            if (status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
            return reply.code(status).type('application/problem+json').send(JSON.stringify(body));
          };
          if (config.metricsToken) return refuse(401, 'Send the metrics token as Authorization: Bearer <token>.');
          return refuse(403, 'Metrics are read with METRICS_TOKEN or from an address in METRICS_ALLOW; this caller has neither.');
        }
        await refreshGauges(database);
        reply.header('cache-control', 'no-store');
        return reply.type(registry.contentType).send(await registry.metrics());
      },
    );
  };
}

/** The figures read at scrape time: the pool, and the jobs due that no node has taken. */
async function refreshGauges(database: DatabaseHandle): Promise<void> {
  const pool = database.poolStats?.() ?? { total: 1, idle: 1, waiting: 0 };
  poolConnections.set({ state: 'total' }, pool.total);
  poolConnections.set({ state: 'idle' }, pool.idle);
  poolConnections.set({ state: 'waiting' }, pool.waiting);
  try {
    jobsWaiting.set(await dueWaiting(database.db));
  } catch {
    // The database is down: /readyz says so; the other figures are still worth reading.
  }
}
