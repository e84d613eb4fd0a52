import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom } from '../../platform/testing.ts';
import { app, housingPartnershipId, json, sessionBody } from './testkit.ts';

interface SessionJson {
  id: string;
  version: number;
  confirmed: number;
  waitlisted: number;
  places_left: number;
  reserved_places: number;
  starts_at: string;
  ends_at: string;
}

const person = (i: number, over: Record<string, unknown> = {}) => ({ name: `Person ${i}`, email: `p${i}@provider.example`, organization: `Org ${i}`, organization_type: 'shelter', region: 'midwest', ...over });

test('registration: concurrent sign-ups never overbook; held-back places, waiting list, release, attendance', async () => {
  const t = await app();
  try {
    const lead = await t.signedIn('chair');
    const owner = await housingPartnershipId(t);
    const series = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Housing', owner_type: 'partnership', owner_id: owner }, 201);
    const session = await json<SessionJson>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ capacity: 12, reserved_places: 2, time_zone: 'America/Chicago' }), 201);
    assert.equal(session.starts_at, '2030-03-10T18:00:00.000Z', 'local 13:00 in Chicago (CDT) is 18:00 UTC');
    assert.equal(session.ends_at, '2030-03-10T19:30:00.000Z');

    const anon = t.client();
    anon.csrf = csrfFrom((await anon.get(`/listening/sessions/${session.id}`)).body);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => anon.request('POST', `/api/listening/sessions/${session.id}/registrations`, { json: person(i) })));
    for (const r of results) assert.equal(r.statusCode, 201, r.body);
    const statuses = results.map((r) => (r.json() as { status: string }).status);
    assert.equal(statuses.filter((s) => s === 'confirmed').length, 10, 'ten general places (12 less 2 held back)');
    assert.equal(statuses.filter((s) => s === 'waitlisted').length, 20);
    let s = await json<SessionJson>(anon, 'GET', `/api/listening/sessions/${session.id}`);
    assert.equal(s.confirmed, 10);
    assert.equal(s.places_left, 0);

    // The public cannot take a held-back place; a lead can.
    assert.equal((await anon.request('POST', `/api/listening/sessions/${session.id}/registrations`, { json: person(99, { invited: true }) })).statusCode, 403);
    const invited = await json<{ status: string; reserved_place: boolean }>(lead, 'POST', `/api/listening/sessions/${session.id}/registrations`, person(100, { invited: true }), 201);
    assert.deepEqual(invited, { ...invited, status: 'confirmed', reserved_place: true });

    // Same e-mail twice: refused on the field, nothing added.
    const dup = await anon.request('POST', `/api/listening/sessions/${session.id}/registrations`, { json: person(3) });
    assert.equal(dup.statusCode, 400);
    assert.equal((dup.json() as { errors: { field: string }[] }).errors[0].field, 'email');

    // Registrant lists are personal data: leads only.
    assert.equal((await anon.get(`/api/listening/sessions/${session.id}/registrations`)).statusCode, 401);
    assert.equal((await (await t.signedIn('analyst')).get(`/api/listening/sessions/${session.id}/registrations`)).statusCode, 403);
    const regs = await json<{ items: { id: string; status: string; email: string }[]; total: number }>(lead, 'GET', `/api/listening/sessions/${session.id}/registrations?per_page=100`);
    assert.equal(regs.total, 31);

    // Releasing the one unused held-back place moves the first waiting person up.
    s = await json<SessionJson>(lead, 'POST', `/api/listening/sessions/${session.id}/release`, {});
    assert.equal(s.reserved_places, 1);
    assert.equal(s.confirmed, 12);
    assert.equal(s.waitlisted, 19);
    assert.equal((await lead.request('POST', `/api/listening/sessions/${session.id}/release`, { json: {} })).statusCode, 409, 'nothing left to release');

    // Cancelling a confirmed place promotes the next; attendance is marked.
    const confirmed = regs.items.find((r) => r.status === 'confirmed')!;
    await json(lead, 'PATCH', `/api/listening/registrations/${confirmed.id}`, { status: 'cancelled' });
    s = await json<SessionJson>(lead, 'GET', `/api/listening/sessions/${session.id}`);
    assert.equal(s.confirmed, 12);
    assert.equal(s.waitlisted, 18);
    const other = regs.items.filter((r) => r.status === 'confirmed')[1];
    const marked = await json<{ attended: boolean }>(lead, 'PATCH', `/api/listening/registrations/${other.id}`, { attended: true });
    assert.equal(marked.attended, true);

    // Stale version: 409; bad input: 400 naming the field, nothing changed.
    assert.equal((await lead.request('PATCH', `/api/listening/sessions/${session.id}`, { json: { version: 1, title: 'x' } })).statusCode, 409);
    const bad = await lead.request('PATCH', `/api/listening/sessions/${session.id}`, { json: { version: s.version, time_zone: 'Mars/Olympus_Mons' } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field), ['time_zone']);
    const small = await lead.request('PATCH', `/api/listening/sessions/${session.id}`, { json: { version: s.version, capacity: 3 } });
    assert.equal(small.statusCode, 400, 'capacity below the confirmed places');
    assert.equal((await json<SessionJson>(lead, 'GET', `/api/listening/sessions/${session.id}`)).version, s.version, 'nothing changed');
  } finally {
    await t.close();
  }
});

test('registration window and bad input', async () => {
  const t = await app();
  try {
    const lead = await t.signedIn('admin');
    const owner = await housingPartnershipId(t);
    const series = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Housing', owner_type: 'partnership', owner_id: owner }, 201);
    const future = new Date(Date.now() + 7 * 86400_000).toISOString();
    const closed = await json<SessionJson>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ registration_opens_at: future }), 201);
    const anon = t.client();
    anon.csrf = csrfFrom((await anon.get(`/listening/sessions/${closed.id}/input`)).body);
    assert.equal((await anon.request('POST', `/api/listening/sessions/${closed.id}/registrations`, { json: person(1) })).statusCode, 409, 'not open yet');
    const page = await anon.get(`/listening/sessions/${closed.id}`);
    assert.match(page.body, /Registration is not open/);

    const count = async () => Number((await t.ctx.db.selectFrom('listening_sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const bad = await lead.request('POST', `/api/listening/series/${series.id}/sessions`, { json: sessionBody({ capacity: 0, format: 'telepathy', end_time: '25:00' }) });
    assert.equal(bad.statusCode, 400);
    const fields = (bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['capacity', 'end_time', 'format']);
    const order = await lead.request('POST', `/api/listening/series/${series.id}/sessions`, { json: sessionBody({ start_time: '15:00', end_time: '14:00', reserved_places: 11 }) });
    assert.deepEqual((order.json() as { errors: { field: string }[] }).errors.map((e) => e.field).sort(), ['end_time', 'reserved_places']);
    assert.equal(await count(), before, 'nothing changed');
    const unknownOwner = await lead.request('POST', '/api/listening/series', { json: { title: 'x', owner_type: 'committee', owner_id: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(unknownOwner.statusCode, 400);
    assert.equal((unknownOwner.json() as { errors: { field: string }[] }).errors[0].field, 'owner_id');
    const extra = await lead.request('POST', '/api/listening/series', { json: { title: 'x', owner_type: 'partnership', owner_id: owner, colour: 'red' } });
    assert.equal((extra.json() as { errors: { field: string }[] }).errors[0].field, 'colour');
  } finally {
    await t.close();
  }
});
