/**
 * Stopping a node without losing work (SIGTERM, SIGINT): it reports not ready, stops accepting connections, lets the
 * requests in flight and the job runs in progress finish up to a deadline, then closes what is left, hands the
 * jobs it still held back to the other nodes, and closes the database.
 */
import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle } from '../db/index.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { NodeState } from './readiness.ts';
import { closeMail } from '../mail/index.ts';

export interface ShutdownParts {
  app: FastifyInstance;
  handle: DatabaseHandle;
  state: NodeState;
  runner?: JobRunner;
  graceMs: number;
}

/** Resolves true if `p` settled within `ms`, false otherwise (p goes on). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => (timer = setTimeout(() => done(false), ms)));
  const settled = p.then(
    () => true as const,
    () => true as const,
  );
  const out = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return out;
}

/** Runs the shutdown; answers whether everything finished inside the deadline. */
export async function shutDown(parts: ShutdownParts, reason: string): Promise<boolean> {
  const { app, handle, state, runner, graceMs } = parts;
  const started = Date.now();
  state.draining = true;
  app.log.info({ reason, grace_seconds: graceMs / 1000 }, 'shutting down: finishing requests in flight and job runs');
  // Fastify stops listening, answers 503 to new requests on open keep-alive connections, closes idle ones, and
  // resolves once the requests in flight have been answered.
  const httpClosed = app.close();
  // Connections that turn idle while draining (a keep-alive client between requests) are closed as they do.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 250);
  httpClosed.then(
    () => clearInterval(sweep),
    () => clearInterval(sweep),
  );
  const jobsStopped = runner ? runner.stop(graceMs) : Promise.resolve([]);
  let clean = await settlesWithin(Promise.all([httpClosed, jobsStopped]), graceMs);
  if (!clean) {
    const left = await new Promise<number>((done) => app.server.getConnections((_e, n) => done(n ?? 0)));
    app.log.warn({ connections: left }, 'shutdown deadline passed: closing the connections still open');
    app.server.closeAllConnections();
    await settlesWithin(httpClosed, 2000);
    clearInterval(sweep);
  }
  if (runner) {
    await settlesWithin(jobsStopped, 100);
    try {
      const released = await runner.releaseLeases();
      if (released.length) {
        clean = false;
        app.log.warn({ jobs: released }, 'job runs still in progress were interrupted; their leases are released for another node');
      }
    } catch (err) {
      app.log.error({ err }, 'could not release the job leases; they lapse by themselves');
    }
  }
  closeMail();
  if (!(await settlesWithin(handle.close(), 5000))) app.log.warn('the database did not close within 5 s');
  app.log.info({ seconds: (Date.now() - started) / 1000, clean }, 'stopped');
  return clean;
}
