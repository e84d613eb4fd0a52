/**
 * Test-only pieces, present only when `TFH_TEST_HOOKS=1` (refused when NODE_ENV is production): a request that takes
 * as long as it is told, and a job that runs until its node stops, so that the shutdown tests have work in flight.
 * Nothing in the product needs either; no real route or job is slow on demand.
 */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { hidden } from '../http/schemas.ts';
import type { AppModule } from '../module.ts';
import { ConfigError } from '../../config.ts';

export const SLOW_JOB = 'test.slow';

/** Statements /test/busy has finished in this process. */
let busyQueries = 0;

export function testHooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TFH_TEST_HOOKS !== '1') return false;
  if (env.NODE_ENV === 'production') throw new ConfigError('TFH_TEST_HOOKS', 'is for the test suite and is refused when NODE_ENV is production');
  return true;
}

export const testHooks: AppModule = {
  name: 'test-hooks',
  async register(app) {
    app.get(
      '/test/slow',
      { config: { access: 'public' }, schema: { ...hidden, querystring: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 60_000 }) }) } },
      async (req) => {
        await new Promise((done) => setTimeout(done, req.query.ms));
        return { slept_ms: req.query.ms };
      },
    );
    // Database work for as long as it is told: many short statements (`loop`), or one long one (`sleep`: PostgreSQL's
    // pg_sleep, a long count on SQLite), so that the deadline tests see whether work for a client that left goes on.
    app.get(
      '/test/busy',
      { config: { access: 'public' }, schema: { ...hidden, querystring: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 60_000 }), mode: Type.Union([Type.Literal('loop'), Type.Literal('sleep')]) }) } },
      async (req) => {
        const started = Date.now();
        if (req.query.mode === 'sleep') {
          // SQLite has no sleep: a read that counts for about that long (a select, so it runs where reads run).
          if (req.ctx.dbKind !== 'postgresql') await req.ctx.db.selectFrom(sql`(with recursive c(x) as (select 1 union all select x + 1 from c where x < ${req.query.ms * 20_000}) select count(*) as n from c)`.as('t')).selectAll().execute();
          else await sql`select pg_sleep(${req.query.ms / 1000})`.execute(req.ctx.db);
          busyQueries++;
        } else {
          while (Date.now() - started < req.query.ms) {
            await sql`select 1`.execute(req.ctx.db);
            busyQueries++;
            await new Promise((done) => setTimeout(done, 5));
          }
        }
        return { queries: busyQueries };
      },
    );
    app.get('/test/busy/count', { config: { access: 'public' }, schema: hidden }, async () => ({ queries: busyQueries }));
  },
  jobs: [
    {
      name: SLOW_JOB,
      description: 'Test only: runs for TFH_TEST_SLOW_JOB_MS (60 s by default).',
      schedule: { dailyAt: '00:00' },
      run: async () => {
        await new Promise((done) => setTimeout(done, Number(process.env.TFH_TEST_SLOW_JOB_MS ?? 60_000)));
        return 'slept';
      },
    },
  ],
};
