/**
 * Issue 15 finding 10: behind a proxy that terminates TLS (`PUBLIC_URL=https://…`, `X-Forwarded-Proto: https`), the
 * proxy must be trusted (`TRUST_PROXY`) or the Secure session cookie is never set and sign-in fails with 403. Over
 * real sockets on the loopback range: the proxy is 127.0.0.1, an address that is not the proxy is 127.0.0.2, and
 * only the proxy's forwarded headers count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from '../config.ts';
import { testApp, csrfFrom, type TestApp } from './testing.ts';
import { listAudit } from './audit/index.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request over a real connection made from `from` (an address on this machine). */
function send(port: number, from: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, localAddress: from, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A browser behind (or not behind) the proxy: keeps cookies and their attributes. */
class Browser {
  cookies = new Map<string, { value: string; attrs: string }>();
  constructor(private readonly port: number, private readonly from: string, private readonly forwarded: Record<string, string>) {}

  async go(method: string, path: string, form?: Record<string, string>): Promise<Answer> {
    const headers: Record<string, string> = { ...this.forwarded };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, c]) => `${k}=${c.value}`).join('; ');
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await send(this.port, this.from, method, path, headers, body);
    for (const line of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), { value: pair.slice(eq + 1).trim(), attrs: attrs.join(';') });
    }
    return res;
  }
}

async function listening(t: TestApp): Promise<number> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return (t.app.server.address() as AddressInfo).port;
}

test('TRUST_PROXY: addresses, ranges or a hop count; off by default; anything else names the variable', () => {
  const base = { SESSION_SECRET: 'x'.repeat(40), DATA_KEY: Buffer.alloc(32, 1).toString('base64'), DATABASE_URL: 'sqlite::memory:' };
  assert.equal(loadConfig(base).trustProxy, false);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: 'off' }).trustProxy, false);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,::1,fd00::/8' }).trustProxy, ['10.0.0.5', '192.168.0.0/16', '::1', 'fd00::/8']);
  assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy, ['loopback']);
  for (const bad of ['yes', 'true', '10.0.0.300', '10.0.0.0/33', 'proxy.example.gov', '0', '10.0.0.1,', '-1']) {
    assert.throws(() => loadConfig({ ...base, TRUST_PROXY: bad }), (err: unknown) => err instanceof ConfigError && err.variable === 'TRUST_PROXY', bad);
  }
});

for (const trust of ['127.0.0.1', '10.1.2.0/24,127.0.0.0/8', '1']) test(`behind a trusted TLS-terminating proxy (TRUST_PROXY=${trust}), signing in through the login form sets the Secure session cookie`, async () => {
  const t = await testApp({ env: { PUBLIC_URL: 'https://hub.example.gov', TRUST_PROXY: trust } });
  try {
    const port = await listening(t);
    const u = await t.user('member');
    const proxy = new Browser(port, '127.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7', 'x-forwarded-host': 'hub.example.gov' });

    const page = await proxy.go('GET', '/login');
    assert.equal(page.status, 200);
    const res = await proxy.go('POST', '/login', { email: u.email, password: u.password, _csrf: csrfFrom(page.body) });
    assert.equal(res.status, 302, `sign-in answered ${res.status}: ${res.body.slice(0, 200)}`);
    const sid = proxy.cookies.get('sid');
    assert.ok(sid, 'the session cookie is set');
    assert.match(sid.attrs, /;\s*Secure/i, 'and marked Secure');
    assert.match(sid.attrs, /HttpOnly/i);

    const account = await proxy.go('GET', '/account');
    assert.equal(account.status, 200, 'a signed-in page is reached');
    assert.ok(account.body.includes(u.email), 'as the account that signed in');

    // The client's address is the one the proxy forwarded, not the proxy's.
    const logins = await listAudit(t.ctx.db, { action: 'auth.login', entity_id: u.id }, 5, 0);
    assert.equal(logins.items.length, 1);
    assert.equal(logins.items[0].ip, '198.51.100.7');
  } finally {
    await t.close();
  }
});

test('from an address that is not the trusted proxy, forwarded headers are ignored', async () => {
  const t = await testApp({ env: { PUBLIC_URL: 'https://hub.example.gov', TRUST_PROXY: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '20' } });
  try {
    const port = await listening(t);
    const u = await t.user('member');
    const spoofer = new Browser(port, '127.0.0.2', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.8' });
    const page = await spoofer.go('GET', '/login');
    assert.equal(page.status, 200);
    assert.equal(spoofer.cookies.get('sid'), undefined, 'plain http from a stranger never gets the Secure session cookie');
    const res = await spoofer.go('POST', '/login', { email: u.email, password: u.password, _csrf: csrfFrom(page.body) });
    assert.equal(res.status, 403, 'and so cannot sign in');
    const logins = await listAudit(t.ctx.db, { action: 'auth.login', entity_id: u.id }, 5, 0);
    assert.equal(logins.items.length, 0);

    // Its rate-limit bucket is its own address, whatever X-Forwarded-For it makes up.
    let limited = 0;
    for (let i = 0; i < 25; i++) {
      const r = await send(port, '127.0.0.2', 'GET', '/healthz', { 'x-forwarded-for': `203.0.113.${i + 1}` });
      if (r.status === 429) limited++;
    }
    assert.ok(limited > 0, 'made-up X-Forwarded-For addresses do not escape the rate limit');
    // The proxy's clients, told apart by the address the proxy forwards, each have their own bucket.
    for (let i = 0; i < 25; i++) {
      const r = await send(port, '127.0.0.1', 'GET', '/healthz', { 'x-forwarded-for': `203.0.113.${i + 1}` });
      assert.equal(r.status, 200, `client ${i + 1} behind the proxy`);
    }
  } finally {
    await t.close();
  }
});
