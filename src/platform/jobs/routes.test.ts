import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../testing.ts';
import { JobRunner, allJobs } from './index.ts';

test('/admin/jobs and GET /api/jobs: administrators see each job with its last run, result and next run', async () => {
  const t = await testApp();
  try {
    const jobs = allJobs([]);
    await new JobRunner(t.db.handle, t.db.config, jobs).runNow('sessions.purge');

    const anonymous = t.client();
    assert.equal((await anonymous.get('/api/jobs')).statusCode, 401);
    const page = await anonymous.get('/admin/jobs');
    assert.equal(page.statusCode, 302);
    assert.match(String(page.headers.location), /^\/login/);

    const member = await t.signedIn('member');
    assert.equal((await member.get('/api/jobs')).statusCode, 403);
    assert.equal((await member.get('/admin/jobs')).statusCode, 403);
    assert.ok(!(await member.get('/')).body.includes('/admin/jobs'), 'no link for those without access');

    const admin = await t.signedIn('admin');
    const api = await admin.get('/api/jobs');
    assert.equal(api.statusCode, 200);
    const list = api.json() as { name: string; schedule: string; next_run_at: string; last_run: { result: string; detail: string } | null }[];
    const names = list.map((j) => j.name);
    for (const name of ['sessions.purge', 'jobs.prune', 'referrals.reminders', 'referrals.purge', 'listening.reminders', 'workplans.digests']) assert.ok(names.includes(name), name);
    const purge = list.find((j) => j.name === 'sessions.purge')!;
    assert.equal(purge.schedule, 'every 60 minutes');
    assert.equal(purge.last_run?.result, 'ok');
    assert.match(purge.last_run?.detail ?? '', /expired session\(s\) deleted/);
    assert.ok(Date.parse(purge.next_run_at) > Date.now());
    assert.equal(list.find((j) => j.name === 'referrals.purge')!.last_run, null);

    const html = await admin.get('/admin/jobs');
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /<h1>Scheduled jobs<\/h1>/);
    assert.match(html.body, /class="usa-table/);
    assert.match(html.body, /sessions\.purge/);
    assert.match(html.body, /Succeeded/);
    assert.match(html.body, /href="\/manage"/, 'the header links to the management pages');
    assert.match((await admin.get('/manage')).body, /href="\/admin\/jobs"/, 'which list it');

    admin.cookies.set('lang', 'es');
    const es = await admin.get('/admin/jobs');
    assert.match(es.body, /<h1>Tareas programadas<\/h1>/);
    assert.match(es.body, /Correcta/);

    const doc = (await anonymous.get('/api/openapi.json')).json() as { paths: Record<string, { get?: { tags?: string[]; summary?: string; security?: unknown[] } }> };
    const op = doc.paths['/api/jobs']?.get;
    assert.deepEqual(op?.tags, ['Jobs']);
    assert.ok(op?.summary);
    assert.ok(op?.security?.length);
    assert.equal(doc.paths['/admin/jobs'], undefined, 'the page stays out of the API document');
  } finally {
    await t.close();
  }
});
