/** Shared set-up for this module's tests. */
import assert from 'node:assert/strict';
import { testApp, type TestApp, type TestClient } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { allPartnerships } from '../structure/index.ts';

export const quiet = () => {};

export async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  await structureModule.seedDemo!(t.ctx, quiet);
  return t;
}

export async function housingPartnershipId(t: TestApp): Promise<string> {
  const p = (await allPartnerships(t.ctx.db)).find((x) => x.name.startsWith('Housing'));
  assert.ok(p, 'the housing partnership is seeded');
  return p.id;
}

export function assertUniqueIds(html: string) {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  assert.equal(dup, undefined, `duplicate id ${dup}`);
}

export async function json<T>(c: TestClient, method: string, url: string, body?: unknown, status = 200): Promise<T> {
  const res = await c.request(method, url, body === undefined ? {} : { json: body });
  assert.equal(res.statusCode, status, `${method} ${url} -> ${res.statusCode} ${res.body.slice(0, 400)}`);
  return (res.body ? res.json() : undefined) as T;
}

export function sessionBody(over: Record<string, unknown> = {}) {
  return { title: 'Housing listening session', date: '2030-03-10', start_time: '13:00', end_time: '14:30', time_zone: 'America/New_York', format: 'virtual', capacity: 10, ...over };
}
