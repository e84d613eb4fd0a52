/**
 * `/metrics` parses as the Prometheus text format (with parse-prometheus-text-format, a parser of its own), counts
 * what operators watch (requests by route pattern and status, jobs, imports, referral transitions, the pool), holds
 * no personal data and no ids, and is refused without its token or an allowed address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { CLIENT, json, referralBody, referralTest } from '../../modules/referrals/testkit.ts';
import { JobRunner } from '../jobs/index.ts';
import type { Job } from '../module.ts';
import type { TestApp } from '../testing.ts';

const TOKEN = randomBytes(24).toString('base64url');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

// A sample line of the text format 0.0.4: name, optional labels, a number (or NaN/+Inf/-Inf), no timestamp from us.
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/;

async function scrape(t: TestApp, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  for (const line of res.body.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    assert.match(line, SAMPLE, `not a sample line of the text format: ${line}`);
  }
  const families = parsePrometheusTextFormat(res.body);
  // The parser folds a histogram's series into one sample and drops their labels (it handles unlabelled histograms
  // only), so histograms are read a second time with their TYPE lines left out: each of _bucket, _sum and _count is
  // then a family of its own whose samples keep their labels.
  const series = parsePrometheusTextFormat(res.body.split('\n').filter((l) => !/^# TYPE \S+ histogram$/.test(l)).join('\n'));
  return { text: res.body, families, series };
}

function family(fams: PromFamily[], name: string): PromFamily {
  const f = fams.find((x) => x.name === name);
  assert.ok(f, `${name} is exported`);
  return f;
}

/** The value of a counter or gauge sample with exactly these labels (0 when absent). */
function value(fams: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const f = fams.find((x) => x.name === name);
  const s = f?.metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
  return s ? Number(s.value) : 0;
}

/** The samples of every family of this name (a histogram read without its TYPE gives one per label set). */
function samples(series: PromFamily[], name: string) {
  const all = series.filter((f) => f.name === name).flatMap((f) => f.metrics);
  assert.ok(all.length, `${name} is exported`);
  return all;
}

/** How many observations a histogram holds in its series whose labels include these (its _count samples). */
function histogramCount(series: PromFamily[], name: string, labels: Record<string, string>): number {
  return samples(series, `${name}_count`).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value), 0);
}

test('/metrics is refused without its token, whoever is signed in, and answered with it or from an allowed address', async () => {
  const rt = await referralTest({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: '192.0.2.0/24,2001:db8::/32' });
  try {
    const { app } = rt.t;
    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['content-type']), /application\/problem\+json/);
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
    assert.equal(anonymous.json().request_id, anonymous.headers['x-request-id']);
    assert.doesNotMatch(anonymous.body, /taskforce_/);

    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } });
    assert.equal(wrong.statusCode, 401);
    const admin = await rt.t.signedIn('admin');
    const asAdmin = await admin.get('/metrics');
    assert.equal(asAdmin.statusCode, 401, 'an administrator session does not open the metrics');
    const outside = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '198.51.100.4' });
    assert.equal(outside.statusCode, 401);

    assert.equal((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.77' })).statusCode, 200, 'from METRICS_ALLOW');
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '2001:db8::5' })).statusCode, 200, 'IPv6 ranges too');
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::ffff:192.0.2.9' })).statusCode, 200, 'IPv4 seen through an IPv6 socket');
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::ffff:198.51.100.9' })).statusCode, 401);
    await scrape(rt.t);

    // The route is documented.
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.ok(doc.paths['/metrics']?.get, '/metrics is in the OpenAPI document');
    assert.ok(doc.paths['/readyz']?.get, '/readyz is in the OpenAPI document');
  } finally {
    await rt.close();
  }
});

test('without METRICS_TOKEN or METRICS_ALLOW nobody reads the metrics', async () => {
  const rt = await referralTest();
  try {
    const res = await rt.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().detail, /METRICS_TOKEN/);
  } finally {
    await rt.close();
  }
});

test('requests by route pattern and status, referral transitions, imports, jobs and the pool; no ids or personal data', async () => {
  const rt = await referralTest({ METRICS_TOKEN: TOKEN });
  try {
    // The organisations were loaded by a directory import as the test began.
    const before = (await scrape(rt.t)).families;
    assert.ok(value(before, 'taskforce_imports_total', { kind: 'directory' }) >= 1, 'the directory import is counted');
    assert.ok(value(before, 'taskforce_import_records_total', { kind: 'directory' }) >= 12, 'with the records it wrote');

    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const created = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    let r = await json(receiver, 'GET', `/api/referrals/${created.id}`);
    r = await json(receiver, 'POST', `/api/referrals/${created.id}/transitions`, { action: 'receive', version: r.version });
    await json(receiver, 'POST', `/api/referrals/${created.id}/transitions`, { action: 'accept', version: r.version });
    const missing = randomUUID();
    assert.equal((await receiver.get(`/api/referrals/${missing}`)).statusCode, 404);
    const typed = `/no/such/page/${encodeURIComponent(CLIENT.email)}`;
    assert.equal((await receiver.get(typed)).statusCode, 404);

    // Jobs: one that succeeds and one that fails, each counted with its result.
    const jobs: Job[] = [
      { name: 'test.fine', description: 'fine', schedule: { everyMinutes: 60 }, run: async () => 'done' },
      { name: 'test.broken', description: 'broken', schedule: { everyMinutes: 60 }, run: async () => { throw new Error('it broke'); } },
    ];
    const runner = new JobRunner(rt.t.db.handle, rt.t.db.config, jobs);
    await runner.runNow('test.fine');
    await runner.runNow('test.broken');

    const { text, families, series } = await scrape(rt.t);
    const d = (name: string, labels: Record<string, string>) => value(families, name, labels) - value(before, name, labels);

    // Requests under their route pattern, never the address asked for.
    const hist = family(families, 'taskforce_http_request_duration_seconds');
    assert.equal(hist.type, 'HISTOGRAM');
    assert.ok(histogramCount(series, 'taskforce_http_request_duration_seconds', { method: 'GET', route: '/api/referrals/:id', status: '200' }) >= 1);
    assert.ok(histogramCount(series, 'taskforce_http_request_duration_seconds', { method: 'GET', route: '/api/referrals/:id', status: '404' }) >= 1);
    assert.ok(histogramCount(series, 'taskforce_http_request_duration_seconds', { method: 'POST', route: '/api/referrals', status: '201' }) >= 1);
    assert.ok(histogramCount(series, 'taskforce_http_request_duration_seconds', { method: 'GET', route: 'unmatched', status: '404' }) >= 1);
    const routes = new Set(samples(series, 'taskforce_http_request_duration_seconds_count').map((m) => m.labels?.route));
    assert.ok(routes.size > 3);
    for (const route of routes) assert.ok(route === 'unmatched' || route === '/' || route?.startsWith('/'), `route label ${route}`);
    assert.ok(![...routes].some((x) => x?.includes('/no/such')), 'an unmatched address is not a label');

    // Referral transitions, from the committed audit events.
    assert.equal(d('taskforce_referral_transitions_total', { action: 'create', to: 'sent' }), 1);
    assert.equal(d('taskforce_referral_transitions_total', { action: 'receive', to: 'received' }), 1);
    assert.equal(d('taskforce_referral_transitions_total', { action: 'accept', to: 'accepted' }), 1);
    assert.equal(d('taskforce_commands_total', { action: 'referrals.create' }), 1);

    // Jobs and their results.
    assert.equal(d('taskforce_job_runs_total', { job: 'test.fine', result: 'ok' }), 1);
    assert.equal(d('taskforce_job_runs_total', { job: 'test.broken', result: 'error' }), 1);
    assert.ok(histogramCount(series, 'taskforce_job_run_duration_seconds', { job: 'test.broken' }) >= 1);
    assert.equal(value(families, 'taskforce_jobs_running'), 0);
    family(families, 'taskforce_jobs_due_waiting');

    // The database pool (one connection on SQLite), and the process.
    assert.ok(value(families, 'taskforce_db_pool_connections', { state: 'total' }) >= 1);
    family(families, 'process_cpu_user_seconds_total');
    family(families, 'nodejs_eventloop_lag_seconds');

    // Nothing that names a person or a record.
    for (const v of Object.values(CLIENT)) assert.ok(!text.includes(v), `the metrics hold "${v}"`);
    assert.ok(!text.includes(created.id) && !text.includes(missing));
    assert.doesNotMatch(text, UUID, 'no id of any kind');
    assert.ok(!text.includes('zelda'), 'not even lower-cased');
    assert.ok(!text.includes(rt.users.sender.email));
  } finally {
    await rt.close();
  }
});
