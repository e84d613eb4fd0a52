/**
 * `GET /readyz`: whether this node should be sent traffic. `/healthz` answers whether the process is alive; this
 * answers whether it can do its work: the database answers, every migration this code knows is applied, the job
 * runner is looking for work (or this node runs no jobs), and the node is not shutting down.
 */
import { basename } from 'node:path';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/index.ts';
import { migrationFiles } from '../db/migrator.ts';
import { problem } from '../http/errors.ts';
import type { App } from '../module.ts';

/** What the runner says about itself; see JobRunner.health. */
export interface RunnerHealth {
  ok: boolean;
  detail: string;
}

/** The node's own state as the readiness check sees it: set by the server's start and stop. */
export class NodeState {
  /** Set on SIGTERM: the node finishes what it has and takes nothing new. */
  draining = false;
  /** The job runner of this node, when it runs jobs. */
  jobs: { health(): RunnerHealth } | undefined;
}

const Check = Type.String({ description: '"ok", "off" (jobs not run by this node), or what is wrong' });
const Checks = Type.Object({ database: Check, migrations: Check, jobs: Check, node: Check });

const TIMEOUT_MS = 2000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() => clearTimeout(timer));
}

export function readinessRoutes(opts: { database: DatabaseHandle; state: NodeState; migrationFolders: readonly string[] }) {
  const { database, state } = opts;
  const expected = migrationFiles(opts.migrationFolders).map((f) => basename(f, '.ts'));
  return async function register(app: App): Promise<void> {
    app.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: {
          tags: ['Platform'],
          summary: 'Readiness of this app node: database, migrations, job runner',
          description:
            'For load balancers and orchestrators: 200 when the database answers, every migration this version knows is applied, and the job runner is alive (or `JOBS=off`); 503 with the failing checks otherwise, and while the node shuts down. `/healthz` is the liveness check.',
          response: {
            200: Type.Object({ status: Type.Literal('ready'), checks: Checks }),
            503: Type.Object({
              type: Type.String(),
              title: Type.String(),
              status: Type.Integer(),
              detail: Type.String(),
              request_id: Type.String(),
              checks: Checks,
            }),
          },
        },
      },
      async (req, reply) => {
        const checks = { database: 'ok', migrations: 'ok', jobs: 'ok', node: state.draining ? 'shutting down' : 'ok' };
        try {
          await within(sql`select 1`.execute(database.db), TIMEOUT_MS);
          try {
            const rows = await within(database.db.selectFrom('schema_migrations').select('name').execute(), TIMEOUT_MS);
            const applied = new Set(rows.map((r) => String(r.name)));
            const pending = expected.filter((n) => !applied.has(n));
            if (pending.length) checks.migrations = `${pending.length} pending (run taskforce migrate)`;
          } catch {
            checks.migrations = 'not readable';
          }
        } catch {
          checks.database = 'unreachable';
          checks.migrations = 'unknown';
        }
        const jobs = state.jobs?.health();
        checks.jobs = jobs ? (jobs.ok ? 'ok' : jobs.detail) : 'off';
        const failing = Object.entries(checks).filter(([, v]) => v !== 'ok' && v !== 'off');
        reply.header('cache-control', 'no-store');
        if (failing.length === 0) return { status: 'ready' as const, checks };
        const detail = failing.map(([k, v]) => `${k}: ${v}`).join('; ');
        return reply
          .code(503)
          .type('application/problem+json')
          .send({ ...problem(503, 'Not ready', detail), detail, request_id: String(req.id), checks });
      },
    );
  };
}
