/**
 * The grants API over the demo data: the public list and calendar feed, plans to coordinate, the summary, the
 * OpenAPI document, awards imported as text/csv or an uploaded file, and the scheduled import from a configured file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { seedStructure } from '../structure/seed.ts';
import { seedGrants } from './seed.ts';
import { setExtractSource } from './commands.ts';
import { scheduledImport } from './job.ts';
import { extractXml, tempFile } from './testkit.ts';
import { postMultipart } from '../workplans/testkit.ts';

test('the API over the demo data: public list and feed, overlaps, summary, OpenAPI, CSV import, the job', async () => {
  const t = await testApp();
  try {
    await seedStructure(t.ctx, () => {});
    const lines: string[] = [];
    await seedGrants(t.ctx, (l) => lines.push(l));
    assert.match(lines.join('\n'), /three kept/);
    const anon = t.client();

    const list = await anon.get('/api/grants/opportunities');
    assert.equal(list.statusCode, 200);
    const body = list.json() as { total: number; items: { title: string; plan_id: string | null }[] };
    assert.equal(body.total, 3);
    assert.ok(body.items.every((o) => o.title.startsWith('[Demo]') && o.plan_id === null), 'marked demo; no plan links for the public');
    assert.equal((await anon.get('/api/grants/opportunities?kind=forecast')).json().total, 1);
    assert.equal((await anon.get('/api/grants/opportunities?listing=1632')).statusCode, 400);

    const ics = await anon.get('/api/grants/opportunities/close-dates.ics');
    assert.equal(ics.statusCode, 200);
    assert.match(String(ics.headers['content-type']), /^text\/calendar/);
    assert.equal(ics.body.match(/BEGIN:VEVENT/g)?.length, 3);
    assert.match(ics.body, /DTSTART;VALUE=DATE:\d{8}\r\nDTEND;VALUE=DATE:\d{8}\r\n/);
    assert.match(ics.body, /UID:grants-opportunity-990001@/);
    assert.ok(ics.body.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'lines folded at 75 octets');

    assert.equal((await anon.get('/api/grants/plans')).statusCode, 401);
    const member = await t.signedIn('member');
    const overlaps = (await member.get('/api/grants/overlaps')).json() as { pairs: { a: { programme: string }; b: { programme: string }; states: string[] }[] };
    assert.equal(overlaps.pairs.length, 1, 'DOJ and HHS both aim at adults needing case management and housing in Maryland');
    assert.deepEqual(overlaps.pairs[0].states, ['MD']);
    const summary = (await member.get('/api/grants/summary')).json() as { notices: { filed: number }; awards_by_state: { state: string }[] };
    assert.equal(summary.notices.filed, 2);
    assert.deepEqual(summary.awards_by_state.map((s) => s.state).sort(), ['DC', 'MD', 'TX', 'VA']);
    assert.equal((await member.get('/api/grants/gaps?state=ZZ')).statusCode, 400);

    const spec = (await anon.get('/api/openapi.json')).json() as { paths: Record<string, unknown> };
    for (const p of ['/api/grants/plans', '/api/grants/notices', '/api/grants/opportunities', '/api/grants/awards/import', '/api/grants/gaps.csv', '/api/grants/summary']) assert.ok(spec.paths[p], `${p} in the OpenAPI`);

    const chair = await t.signedIn('chair');
    const csv = 'award_id_fain,recipient_name,total_obligated_amount,primary_place_of_performance_state_name,primary_place_of_performance_county_name,action_date\nFAIN1,Shelter,"1,000",Maryland,Allegany,2027-03-01\nFAIN2,Nowhere,abc,Maryland,,\n';
    const ok = await t.app.inject({ method: 'POST', url: '/api/grants/awards/import', headers: { 'content-type': 'text/csv', cookie: [...chair.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': chair.csrf }, payload: csv });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { inserted: 1, updated: 0, refused: [{ line: 3, field: 'total_obligated_amount', reason: '"abc" is not an amount' }] });
    // The same file as a multipart upload (field `file`): updated by its id, the refused row listed the same way.
    const upload = (files: { field: string; filename: string; data: Buffer }[]) => postMultipart(t, chair, '/api/grants/awards/import', {}, files);
    const viaFile = await upload([{ field: 'file', filename: 'awards.csv', data: Buffer.from(csv) }]);
    assert.equal(viaFile.statusCode, 200, viaFile.body);
    assert.deepEqual(viaFile.json(), { inserted: 0, updated: 1, refused: [{ line: 3, field: 'total_obligated_amount', reason: '"abc" is not an amount' }] });
    const noFile = await upload([]);
    assert.equal(noFile.statusCode, 400);
    assert.deepEqual(noFile.json().errors, [{ field: 'file', message: 'choose a CSV file or paste its text' }]);
    const importOp = (spec.paths['/api/grants/awards/import'] as { post: { requestBody: { content: Record<string, unknown> } } }).post;
    assert.deepEqual(Object.keys(importOp.requestBody.content).sort(), ['multipart/form-data', 'text/csv']);
    const noHeader = await t.app.inject({ method: 'POST', url: '/api/grants/awards/import', headers: { 'content-type': 'text/csv', cookie: [...chair.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': chair.csrf }, payload: 'a,b\n1,2\n' });
    assert.equal(noHeader.statusCode, 400);
    assert.match(noHeader.json().errors[0].message, /has no column for assistance_award_unique_key, total_obligated_amount, recipient_name/);

    // The scheduled import: off without a source; from a file the operator configured.
    const job = { ...t.ctx, system: 'job:grants.extract', requestId: 'job:grants.extract' };
    assert.match(await scheduledImport(job, new Date(), () => {}), /^no extract source is configured/);
    await setExtractSource(t.ctx, { extract_source: tempFile('x.xml', extractXml([{ id: '990001', title: '[Demo] updated', listings: ['16.320'], updated: '12312099' }])) });
    assert.equal(await scheduledImport(job, new Date(), () => {}), '1 records read, 1 kept: 0 new, 1 updated, 0 unchanged; 0 quarantined');
    const web = await chair.request('PUT', '/api/grants/source', { json: { extract_source: '/etc/passwd' } });
    assert.equal(web.statusCode, 400, 'a file path cannot be set through the web');
  } finally {
    await t.close();
  }
});
