/**
 * The role matrix: every route the app registers (platform and modules alike, read from routeAccessList) is
 * called by the public and by each role, and the answer must match the route's declared access.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testApp, csrfFrom, type TestApp, type TestClient } from './testing.ts';
import { ROLES, rolesWith, type Role } from './auth/roles.ts';
import type { Access } from './module.ts';

type Who = 'anonymous' | Role;

/**
 * Answers that are refusals by design rather than by access control. Each is keyed by `METHOD url` and says which
 * caller gets which status, and why; anything else from these routes is judged by the normal rules.
 */
const BY_DESIGN: Record<string, Partial<Record<Who, number>>> = {
  // An empty sign-in form is a failed sign-in, answered with the sign-in page and 401 for everyone.
  'POST /login': { anonymous: 401, member: 401, chair: 401, analyst: 401, caseworker: 401, admin: 401 },
  // Administrators and case workers (who read survivors' details) must keep two-step verification on.
  'POST /account/mfa/disable': { admin: 403, caseworker: 403 },
  // Metrics are for the monitoring system (METRICS_TOKEN or METRICS_ALLOW), which these tests configure neither of:
  // no account's role opens them.
  'GET /metrics': { anonymous: 403, member: 403, chair: 403, analyst: 403, caseworker: 403, admin: 403 },
};

/** A concrete path for a route pattern: ids become random UUIDs, :lang a language, other parameters a slug. */
function fillPath(url: string): string {
  return url
    .replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_m, name: string) => {
      if (name === 'lang') return 'en';
      if (/id$/i.test(name)) return randomUUID();
      return 'sample-slug';
    })
    .replace(/\*/g, 'sample');
}

function isJsonRoute(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/healthz');
}

async function anonymousClient(t: TestApp): Promise<TestClient> {
  // The public needs a CSRF token too for public forms (sign-in); a page with a form hands one out.
  const c = t.client();
  c.csrf = csrfFrom((await c.get('/login')).body);
  return c;
}

async function stillSignedIn(c: TestClient): Promise<boolean> {
  const res = await c.get('/api/session');
  return res.statusCode === 200 && (res.json() as { signed_in: boolean }).signed_in;
}

function describeAccess(access: Access): string {
  return typeof access === 'string' ? access : `permission ${access.permission}`;
}

async function checkRole(who: Who) {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  try {
    const routes = t.app.routeAccessList();
    assert.ok(routes.length > 0, 'the app registers routes');
    assert.ok(
      routes.some((r) => r.url === '/api/audit' && r.method === 'GET'),
      'GET /api/audit is in the route list',
    );
    let c = who === 'anonymous' ? await anonymousClient(t) : await t.signedIn(who);
    const failures: string[] = [];
    for (const route of routes) {
      const url = fillPath(route.url);
      const key = `${route.method} ${route.url}`;
      const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const res = await c.request(route.method, url, withBody ? { json: {} } : {});
      const status = res.statusCode;
      const label = `${who} ${route.method} ${url} (${describeAccess(route.access)}) -> ${status}`;
      if (process.env.MATRIX_DEBUG) console.log(label);

      if (status >= 500) failures.push(`${label}: server error ${res.body.slice(0, 300)}`);
      const designed = BY_DESIGN[key]?.[who];
      if (designed !== undefined) {
        if (status !== designed) failures.push(`${label}: expected ${designed} by design`);
      } else if (route.access === 'public') {
        if (status === 401 || status === 403) failures.push(`${label}: a public route refused the caller`);
      } else {
        const permitted = who !== 'anonymous' && (route.access === 'signed-in' || rolesWith(route.access.permission).includes(who));
        if (who === 'anonymous') {
          const htmlGet = route.method === 'GET' && !isJsonRoute(route.url);
          if (htmlGet) {
            if (status !== 302 || !String(res.headers.location).startsWith('/login')) failures.push(`${label}: expected a redirect to /login`);
          } else if (status !== 401) failures.push(`${label}: expected 401`);
        } else if (permitted) {
          if (status === 401 || status === 403) failures.push(`${label}: the role holds the access but was refused`);
        } else if (status !== 403) failures.push(`${label}: expected 403 for a role without the permission`);
      }

      // Some routes end the caller's own session (sign out, sign out everywhere): sign in again for the rest.
      if (who !== 'anonymous' && route.method !== 'GET' && !(await stillSignedIn(c))) c = await t.signedIn(who);
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  } finally {
    await t.close();
  }
}

for (const who of ['anonymous', ...ROLES] as Who[]) {
  test(`role matrix: ${who}`, () => checkRole(who));
}

test('the role matrix knows every permission a route asks for', async () => {
  const t = await testApp();
  try {
    for (const r of t.app.routeAccessList()) {
      if (typeof r.access === 'object') {
        assert.ok(rolesWith(r.access.permission).length > 0, `${r.method} ${r.url}: permission ${r.access.permission} is held by no role`);
      }
    }
  } finally {
    await t.close();
  }
});
