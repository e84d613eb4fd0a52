/**
 * The research API: every JSON route is in the OpenAPI document; bad input gets 400 naming the field and changes
 * nothing; agency staff reach only their own agency's answer; versions and stale reviews get 409.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../../platform/testing.ts';
import { agency, callInput, clientOf, snapshot, staffOf } from './testkit.ts';

test('research API: OpenAPI, field errors with nothing changed, agency scope, conflicts', async () => {
  const t = await testApp();
  try {
    const doc = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = t.app.routeAccessList().filter((r) => r.url.startsWith('/api/research') || r.url === '/data.json' || r.url === '/catalog.jsonld' || r.url.startsWith('/data/dictionary') || r.url.startsWith('/data/calls/'));
    assert.ok(routes.length >= 12);
    for (const r of routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path} is in the OpenAPI document`);
    }

    const dol = await agency(t, 'Department of Labor', 'DOL');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const analyst = await clientOf(t, await staffOf(t, null, 'analyst'));
    const dolStaff = await clientOf(t, await staffOf(t, dol));

    let before = await snapshot(t);
    const badCall = await analyst.request('POST', '/api/research/calls', { json: { ...callInput([dol]), fields: [{ key: 'Bad Key', label: 'x', type: 'count', definition: 'x' }], extra: 1 } });
    assert.equal(badCall.statusCode, 400);
    const fields = (badCall.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
    assert.ok(fields.includes('fields.0.key') && fields.includes('extra'), JSON.stringify(fields));
    const backwards = await analyst.request('POST', '/api/research/calls', { json: callInput([dol], { period_end: '2025-01-01' }) });
    assert.deepEqual((backwards.json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['period_end']);
    assert.equal(await snapshot(t), before, 'refused calls store nothing');

    const created = await analyst.request('POST', '/api/research/calls', { json: callInput([dol, hhs]) });
    assert.equal(created.statusCode, 201);
    const call = created.json() as { id: string; version: number; agencies: { id: string; status: string }[] };
    assert.deepEqual(call.agencies.map((a) => a.status), ['not_sent', 'not_sent']);

    before = await snapshot(t);
    const bad = await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${dol}`, { json: { rows: [{ victims: -1, hours: 'many', other: 1 }] } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field).sort(), ['rows.0.hours', 'rows.0.other', 'rows.0.victims']);
    const badCsv = await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${dol}/csv`, { json: { csv: 'victims,hours\n5\n"unclosed' } });
    assert.equal(badCsv.statusCode, 400);
    assert.match(badCsv.body, /not readable CSV: line 3/);
    assert.equal((await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${hhs}`, { json: { rows: [{ victims: 1, hours: 1 }] } })).statusCode, 403, 'another agency');
    assert.equal((await dolStaff.get(`/api/research/calls/${call.id}/agencies/${hhs}`)).statusCode, 403);
    assert.equal((await dolStaff.get(`/api/research/calls/${call.id}/compiled`)).statusCode, 403);
    assert.equal(await snapshot(t), before, 'refused answers store nothing');

    assert.equal((await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${dol}`, { json: { rows: [{ victims: 5, hours: 1 }] } })).statusCode, 201);
    assert.equal((await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${dol}/csv`, { json: { csv: 'victims,hours\n6,1\n' } })).statusCode, 201);
    assert.equal((await analyst.request('POST', `/api/research/calls/${call.id}/agencies/${dol}/review`, { json: { decision: 'accept', version: 1 } })).statusCode, 409, 'version 2 is the latest');
    assert.equal((await analyst.request('POST', `/api/research/calls/${call.id}/agencies/${dol}/review`, { json: { decision: 'accept', version: 2 } })).statusCode, 200);
    assert.equal((await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${dol}`, { json: { rows: [{ victims: 7, hours: 1 }] } })).statusCode, 409, 'accepted is locked');
    assert.equal((await analyst.request('POST', `/api/research/calls/${call.id}/status`, { json: { status: 'closed', version: call.version } })).statusCode, 200);
    assert.equal((await dolStaff.request('POST', `/api/research/calls/${call.id}/agencies/${hhs}`, { json: { rows: [{ victims: 1, hours: 1 }] } })).statusCode, 403);
    const hhsStaff = await clientOf(t, await staffOf(t, hhs));
    assert.equal((await hhsStaff.request('POST', `/api/research/calls/${call.id}/agencies/${hhs}`, { json: { rows: [{ victims: 1, hours: 1 }] } })).statusCode, 409, 'closed');
    const mine = (await hhsStaff.get('/api/research/calls')).json() as unknown[];
    assert.equal(mine.length, 1);
    const none = await clientOf(t, await staffOf(t, null));
    assert.deepEqual((await none.get('/api/research/calls')).json(), []);
    assert.equal((await none.get(`/api/research/calls/${call.id}`)).statusCode, 404);
  } finally {
    await t.close();
  }
});
