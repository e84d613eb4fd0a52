/**
 * Test-only pieces, present only when `TFH_TEST_HOOKS=1` (refused when NODE_ENV is production): a request that takes
 * as long as it is told, and a job that runs until its node stops, so that the shutdown tests have work in flight.
 * Nothing in the product needs either; no real route or job is slow on demand.
 */
import { Type } from '@sinclair/typebox';
import { hidden } from '../http/schemas.ts';
import type { AppModule } from '../module.ts';
import { ConfigError } from '../../config.ts';

export const SLOW_JOB = 'test.slow';

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
