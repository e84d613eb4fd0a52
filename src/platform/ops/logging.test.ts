/**
 * Structured logs of a real server at LOG_LEVEL=trace: every line is JSON, every line about a request carries its
 * id, the same id is the answer's x-request-id, the problem details' request_id and the audit event's; and while a
 * case worker signs in (and mistypes a password) and sends a referral with a client's details, none of those
 * details, nor any password, reaches the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { serveProcess, csrfFrom, totpCode, type TestUser } from '../testing.ts';
import { listAudit } from '../audit/index.ts';
import { CLIENT, referralBody, referralTest } from '../../modules/referrals/testkit.ts';

/** A browser over real HTTP: keeps cookies, follows no redirects. */
class HttpBrowser {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}

  async go(method: string, path: string, opts: { form?: Record<string, string>; json?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = this.csrf;
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async signIn(u: TestUser, password = u.password) {
    const page = await this.go('GET', '/login');
    const res = await this.go('POST', '/login', { form: { email: u.email, password, _csrf: csrfFrom(page.text) } });
    if (res.status !== 302) return res.status;
    const mfa = await this.go('GET', '/login/mfa');
    const done = await this.go('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret!), _csrf: csrfFrom(mfa.text) } });
    assert.equal(done.status, 302, done.text.slice(0, 200));
    this.csrf = (JSON.parse((await this.go('GET', '/api/session')).text) as { csrf_token: string }).csrf_token;
    return 302;
  }
}

test('logs at trace level: JSON lines with the request id, and no client details or passwords', { timeout: 180_000 }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const rt = await referralTest(secrets);
  const server = await serveProcess({ ...secrets, DATABASE_URL: rt.t.db.config.databaseUrl, JOBS: 'off', LOG_LEVEL: 'trace' });
  let stopped = false;
  try {
    const sender = rt.users.sender;
    const browser = new HttpBrowser(server.base);
    const wrongPassword = `not-${sender.password}-${randomBytes(4).toString('hex')}`;
    assert.equal(await browser.signIn(sender, wrongPassword), 401);
    // Each code is accepted once, and setting up the account used this one: forget it, as TestClient.signIn does.
    await rt.t.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', sender.id).execute();
    assert.equal(await browser.signIn(sender), 302);

    const created = await browser.go('POST', '/api/referrals', { json: referralBody() });
    assert.equal(created.status, 201, created.text.slice(0, 300));
    const id = (JSON.parse(created.text) as { id: string }).id;
    const createdReq = created.headers.get('x-request-id');
    assert.ok(createdReq, 'the answer carries its request id');
    // Details read back (an audited read), and a search that carries a name in its query string.
    assert.equal((await browser.go('GET', `/api/referrals/${id}`)).status, 200);
    await browser.go('GET', `/api/referrals?q=${encodeURIComponent(CLIENT.name)}&status=sent`);
    await browser.go('GET', `/referrals?q=${encodeURIComponent(CLIENT.email)}`);

    // A refused request: its problem details name the request, as the header does.
    const bad = await browser.go('POST', '/api/referrals', { json: { ...referralBody(), urgency: 'yesterday' } });
    assert.equal(bad.status, 400);
    const problem = JSON.parse(bad.text) as { request_id?: string };
    assert.ok(problem.request_id);
    assert.equal(problem.request_id, bad.headers.get('x-request-id'));

    // The audit event of the referral names the same request.
    const events = await listAudit(rt.t.ctx.db, { action: 'referrals.create', entity_id: id }, 5, 0);
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0].request_id, createdReq);

    await server.stop();
    stopped = true;
    const output = server.output();
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 10, `the server logged (${lines.length} lines)`);
    const records = lines.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON log line: ${l.slice(0, 200)}`);
      }
    });
    const aboutRequests = records.filter((r) => r.req || r.res || r.responseTime !== undefined);
    assert.ok(aboutRequests.length >= 10);
    for (const r of aboutRequests) assert.equal(typeof r.reqId, 'string', `a request's line without its id: ${JSON.stringify(r).slice(0, 200)}`);
    assert.ok(records.some((r) => r.reqId === createdReq), 'the referral request is in the log under its id');
    assert.ok(records.some((r) => r.level === 10 || r.level === 20) || records.every((r) => typeof r.level === 'number'), 'pino lines');

    const lower = output.toLowerCase();
    const secretsSeen = [
      ...Object.entries(CLIENT).filter(([k]) => k !== 'preferred_language').map(([k, v]) => [`client ${k}`, v]),
      ['referral note', referralBody().note as string],
      ['password', sender.password],
      ['mistyped password', wrongPassword],
      ['client name in a query string', encodeURIComponent(CLIENT.name)],
      ['client e-mail in a query string', encodeURIComponent(CLIENT.email)],
    ];
    for (const [what, value] of secretsSeen) assert.ok(!lower.includes(String(value).toLowerCase()), `the log holds the ${what}`);
    assert.ok(!output.includes(secrets.DATA_KEY) && !output.includes(secrets.SESSION_SECRET), 'no key');
  } finally {
    if (!stopped) await server.stop();
    await rt.close();
  }
});
