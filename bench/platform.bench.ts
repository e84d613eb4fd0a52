import { sql } from 'kysely';
import { testApp } from '../src/platform/testing.ts';
import { measure, report } from './lib.ts';

/** The fixed cost the platform adds to every request: routing, hooks, session lookup, serialisation. */
export async function run(): Promise<void> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const db = t.db.handle.db;
    const baseline = await measure('raw query: select 1', () => sql`select 1`.execute(db));
    const health = await measure('GET /healthz (inject, includes select 1)', () => t.app.inject({ method: 'GET', url: '/healthz' }));
    const session = await measure('GET /api/session anonymous (inject)', () => t.app.inject({ method: 'GET', url: '/api/session' }));
    const member = await t.signedIn('member');
    const cookie = [...member.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const signedIn = await measure('GET /api/session signed in (session row read)', () => t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } }));
    const home = await measure('GET / page render (inject)', () => t.app.inject({ method: 'GET', url: '/' }));
    report('Platform overhead per request', baseline, [health, session, signedIn, home]);
  } finally {
    await t.close();
  }
}
