/**
 * The walkthrough through the HTML forms: the committee issues a call to two agencies, one uploads a CSV file
 * with an error (refused, nothing stored, the problem named by row and column) and fixes it, the other fills in the
 * form, the chair returns one version and accepts both, and the compiled table, its CSV and the report show the totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotTables, testApp } from '../../platform/testing.ts';
import { structureModule } from '../structure/index.ts';
import { researchModule } from './index.ts';
import { researchDb } from './tables.ts';
import { agency, clientOf, FIELD_LINES, postFile, RESEARCH_TABLES, snapshot, staffOf } from './testkit.ts';

test('walkthrough: a data call to two agencies, CSV with an error then fixed, a form, review, compiled table and report', async () => {
  const t = await testApp();
  try {
    const dol = await agency(t, 'Department of Labor', 'DOL');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const analyst = await clientOf(t, await staffOf(t, null, 'analyst'));
    const chair = await clientOf(t, await staffOf(t, null, 'chair'));
    const dolStaff = await clientOf(t, await staffOf(t, dol));
    const hhsStaff = await clientOf(t, await staffOf(t, hhs));

    // The committee issues the call. A mistyped field type comes back beside the fields box, naming its line.
    assert.equal((await analyst.get('/research/calls/new')).statusCode, 200);
    const form = { title: 'Victims served, FY2026 Q1', period_start: '2025-10-01', period_end: '2025-12-31', due_date: '2026-01-31', agency_ids: [dol, hhs], footnotes: 'Figures are as reported by each agency.' };
    const bad = await analyst.request('POST', '/research/calls/new', { form: { ...form, fields: FIELD_LINES.replace('| number |', '| numbre |') } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /line 2, type: must be one of: count, number, text/);
    assert.equal((await t.ctx.db.selectFrom('research_call').selectAll().execute()).length, 0, 'nothing stored');
    const issued = await analyst.request('POST', '/research/calls/new', { form: { ...form, fields: FIELD_LINES } });
    assert.equal(issued.statusCode, 303, issued.body.slice(0, 500));
    const callUrl = String(issued.headers.location);
    const callId = callUrl.split('/').pop()!;
    const callPage = await analyst.get(callUrl);
    assert.match(callPage.body, /Distinct people who received any service in the period/);
    assert.match(callPage.body, /Department of Labor \(DOL\)/);

    // DOL uploads a CSV file with a word where a count goes: refused whole, the problem named by row and column.
    const dolUrl = `/research/calls/${callId}/agencies/${dol}`;
    const dolPage = await dolStaff.get(dolUrl);
    assert.equal(dolPage.statusCode, 200);
    assert.match(dolPage.body, /enctype="multipart\/form-data"/);
    const before = await snapshot(t);
    const wrong = await postFile(t, dolStaff, `${dolUrl}/upload`, {}, { field: 'file', name: 'dol.csv', type: 'text/csv', data: 'victims,hours,comment\n40,12.5,Region 3\nten,4,Region 5\n' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /row 3, column victims: must be a whole number, 0 or more \(not &quot;ten&quot;\)/);
    assert.equal(await snapshot(t), before, 'a refused file stores nothing');
    // In Spanish the same problem reads in Spanish.
    const wrongEs = await postFile(t, dolStaff, `${dolUrl}/upload`, {}, { field: 'file', name: 'dol.csv', type: 'text/csv', data: 'victims,hours\nten,4\n' }, { 'accept-language': 'es' });
    assert.equal(wrongEs.statusCode, 400);
    assert.match(wrongEs.body, /fila 2, columna victims: debe ser un número entero, 0 o más/);
    const fixed = await postFile(t, dolStaff, `${dolUrl}/upload`, { note: 'Region 5 figures are preliminary.' }, { field: 'file', name: 'dol.csv', type: 'text/csv', data: 'Victims served,hours,comment\n40,12.5,Region 3\n"1,010",4,Region 5\n' });
    assert.equal(fixed.statusCode, 303, fixed.body.slice(0, 800));

    // HHS fills in the form; the chair returns it with a note, HHS sends a second version.
    const hhsUrl = `/research/calls/${callId}/agencies/${hhs}`;
    assert.equal((await hhsStaff.get(hhsUrl)).statusCode, 200);
    const blankRow = await hhsStaff.request('POST', `${hhsUrl}/form`, { form: { 'rows.0.victims': '', 'rows.0.hours': '3' } });
    assert.equal(blankRow.statusCode, 400);
    assert.match(blankRow.body, /rows\.0\.victims: is required/);
    assert.equal((await hhsStaff.request('POST', `${hhsUrl}/form`, { form: { 'rows.0.victims': '8', 'rows.0.hours': '2.5', 'rows.1.victims': '', 'rows.1.hours': '' } })).statusCode, 303);
    assert.equal((await chair.request('POST', `${hhsUrl}/review`, { form: { decision: 'return', version: '1', note: '' } })).statusCode, 400, 'a return needs a note');
    assert.equal((await chair.request('POST', `${hhsUrl}/review`, { form: { decision: 'return', version: '1', note: 'Count people, not visits.' } })).statusCode, 303);
    const returned = await hhsStaff.get(hhsUrl);
    assert.match(returned.body, /Count people, not visits\./);
    assert.equal((await hhsStaff.request('POST', `${hhsUrl}/form`, { form: { 'rows.0.victims': '7', 'rows.0.hours': '2.5' } })).statusCode, 303);

    // An agency's staff see and send only their own agency's answer.
    assert.equal((await dolStaff.get(hhsUrl)).statusCode, 403);
    assert.equal((await dolStaff.request('POST', `${hhsUrl}/form`, { form: { 'rows.0.victims': '1', 'rows.0.hours': '1' } })).statusCode, 403);

    // The chair accepts both.
    assert.equal((await chair.request('POST', `${dolUrl}/review`, { form: { decision: 'accept', version: '1' } })).statusCode, 303);
    assert.equal((await chair.request('POST', `${hhsUrl}/review`, { form: { decision: 'accept', version: '2' } })).statusCode, 303);
    const versions = (await chair.get(`/api/research/calls/${callId}/agencies/${hhs}`)).json() as { status: string; versions: { version: number; review: string }[] };
    assert.equal(versions.status, 'accepted');
    assert.deepEqual(versions.versions.map((x) => [x.version, x.review]), [[2, 'accepted'], [1, 'returned']], 'every version kept with its review');

    // The compiled table, its CSV and the report show the totals: 40 + 1010 + 7 people, 12.5 + 4 + 2.5 hours.
    const compiled = await chair.get(`/research/calls/${callId}/compiled`);
    assert.equal(compiled.statusCode, 200);
    assert.match(compiled.body, /Subtotal, Department of Labor \(DOL\)/);
    assert.match(compiled.body, /1,050/);
    assert.match(compiled.body, /<strong>1,057<\/strong>/);
    assert.match(compiled.body, /<strong>19<\/strong>/);
    assert.match(compiled.body, /Figures are as reported by each agency\./);
    assert.match(compiled.body, /Department of Labor \(DOL\): Region 5 figures are preliminary\./);
    const csv = await chair.get(`/api/research/calls/${callId}/compiled.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /\r\nAll agencies,total,1057,19,\r\n/);
    const report = await chair.get(`/research/calls/${callId}/report`);
    assert.equal(report.statusCode, 200);
    assert.match(report.body, /<strong>1,057<\/strong>/);
    const reportEs = await chair.get(`/research/calls/${callId}/report`, { 'accept-language': 'es' });
    assert.match(reportEs.body, /Total, todas las agencias/);
    assert.match(reportEs.body, /<strong>1,057<\/strong>/, 'US Spanish groups thousands with a comma');

    // Agency staff do not see the compiled table.
    assert.equal((await dolStaff.get(`/research/calls/${callId}/compiled`)).statusCode, 403);
  } finally {
    await t.close();
  }
});

test('demo data: two clearly marked calls, a compiled table with totals, an answer waiting; seeding again adds nothing', async () => {
  const t = await testApp();
  try {
    await structureModule.seedDemo!(t.ctx, () => {});
    const lines: string[] = [];
    await researchModule.seedDemo!(t.ctx, (l) => lines.push(l));
    const calls = await researchDb(t.ctx.db).selectFrom('research_call').select(['id', 'title', 'status', 'footnotes']).orderBy('title').execute();
    assert.equal(calls.length, 2, lines.join('\n'));
    for (const c of calls) {
      assert.match(c.title, /^Demo: /);
      assert.match(String(c.footnotes), /Demo data/);
    }
    const closed = calls.find((c) => c.status === 'closed')!;
    const analyst = await t.signedIn('analyst');
    const compiled = await analyst.get(`/api/research/calls/${closed.id}/compiled`);
    assert.equal(compiled.statusCode, 200);
    assert.match(compiled.body, /1760/, 'people served: 412 + 58 + 1290 from the accepted answers');
    const before = await snapshotTables(t.ctx, RESEARCH_TABLES);
    await researchModule.seedDemo!(t.ctx, () => {});
    assert.equal(await snapshotTables(t.ctx, RESEARCH_TABLES), before, 'seeding again changes nothing');
  } finally {
    await t.close();
  }
});
