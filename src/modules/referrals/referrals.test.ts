import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listAudit } from '../../platform/audit/index.ts';
import { CLIENT, LOCATION, ORG, SERVICE, inDays, json, referralBody, referralTest } from './testkit.ts';
import { purgeClosed, runReminders } from './commands.ts';
import { CONSENT_FORM } from './schema.ts';

test('the whole lifecycle: sent, received, accepted, in progress, completed; each step records who, when and a note', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const created = await json(sender, 'POST', '/api/referrals', referralBody({ location_id: LOCATION.jobs }), 201);
    assert.equal(created.status, 'sent');
    assert.equal(created.version, 1);
    assert.equal(created.side, 'sender');
    assert.equal(created.receiver_organization.id, ORG.receiver);
    assert.equal(created.service.name, 'Apprenticeship readiness training');
    // The area is the county of the receiving location: Washington, DC.
    assert.deepEqual(created.area, { fips: '11001', state: 'DC' });
    assert.deepEqual(created.client_fields.sort(), Object.keys(CLIENT).sort());
    assert.equal(created.client_visible, true);
    assert.deepEqual(created.allowed_actions, ['cancel']);
    assert.equal(created.consent.active, true);
    assert.equal(created.consent.form_version, CONSENT_FORM.version);

    // The receiver hears about it in the app.
    const notes = await json(receiver, 'GET', '/api/referrals/notifications');
    assert.equal(notes.unread, 1);
    assert.equal(notes.items[0].kind, 'new');
    const inbox = await json(receiver, 'GET', '/api/referrals?box=received');
    assert.equal(inbox.total, 1);
    assert.equal(inbox.items[0].side, 'receiver');

    const id = created.id;
    let r = await json(receiver, 'GET', `/api/referrals/${id}`);
    assert.deepEqual(r.allowed_actions, ['receive', 'accept', 'decline']);
    r = await json(receiver, 'POST', `/api/referrals/${id}/transitions`, { action: 'receive', version: r.version, note: 'Got it, reviewing.' });
    assert.equal(r.status, 'received');
    r = await json(receiver, 'POST', `/api/referrals/${id}/transitions`, { action: 'accept', version: r.version });
    assert.equal(r.status, 'accepted');
    assert.ok(r.accepted_at);
    r = await json(receiver, 'POST', `/api/referrals/${id}/transitions`, { action: 'start', version: r.version });
    assert.equal(r.status, 'in_progress');
    r = await json(receiver, 'POST', `/api/referrals/${id}/transitions`, { action: 'complete', version: r.version, outcome: 'got_help', note: 'Enrolled in the spring cohort.' });
    assert.equal(r.status, 'completed');
    assert.equal(r.version, 5);
    assert.deepEqual(r.allowed_actions, []);

    // The sender sees the outcome and the whole timeline, and was told of each change.
    const seen = await json(sender, 'GET', `/api/referrals/${id}`);
    assert.equal(seen.outcome, 'got_help');
    assert.ok(seen.closed_at);
    assert.deepEqual(
      seen.events.map((e: { action: string; to_status: string }) => `${e.action}:${e.to_status}`),
      ['send:sent', 'receive:received', 'accept:accepted', 'start:in_progress', 'complete:completed'],
    );
    assert.equal(seen.events[1].note, 'Got it, reviewing.');
    assert.equal(seen.events[1].actor_name, 'Test caseworker');
    assert.equal(seen.events[1].actor_organization, 'Riverside Job Center');
    assert.ok(seen.events.every((e: { at: string }) => !Number.isNaN(Date.parse(e.at))));
    assert.equal((await json(sender, 'GET', '/api/referrals/notifications')).unread, 4);

    // A completed referral takes no more steps.
    const res = await receiver.request('POST', `/api/referrals/${id}/transitions`, { json: { action: 'accept', version: 5 } });
    assert.equal(res.statusCode, 409);
  } finally {
    await rt.close();
  }
});

test('drafts, cancellation, declining with a reason, and referrals without consent (services never depend on it)', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const draft = await json(sender, 'POST', '/api/referrals', { service_id: SERVICE.jobs, needs: ['job-training'], urgency: 'routine', send: false }, 201);
    assert.equal(draft.status, 'draft');
    assert.equal(draft.consent, null);
    // A receiver never sees a draft.
    assert.equal((await receiver.get(`/api/referrals/${draft.id}`)).statusCode, 404);
    assert.equal((await json(receiver, 'GET', '/api/referrals')).total, 0);
    const sent = await json(sender, 'POST', `/api/referrals/${draft.id}/transitions`, { action: 'send', version: 1 });
    assert.equal(sent.status, 'sent');
    assert.equal(sent.client_visible, false);
    assert.deepEqual(sent.client_fields, []);
    // The receiver may decline only with a reason.
    let res = await receiver.request('POST', `/api/referrals/${draft.id}/transitions`, { json: { action: 'decline', version: 2 } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errors[0].field, 'reason');
    const declined = await json(receiver, 'POST', `/api/referrals/${draft.id}/transitions`, { action: 'decline', version: 2, reason: 'no_capacity' });
    assert.equal(declined.status, 'declined');
    assert.equal(declined.decline_reason, 'no_capacity');
    // Its page's timeline has a Reason column (the decline's); a referral whose steps had no reason and no note has
    // neither column, rather than a column of dashes.
    const timelineHeads = async (id: string) => {
      const html = (await receiver.get(`/referrals/${id}`)).body;
      return [...html.slice(html.indexOf('<caption>Timeline')).matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]);
    };
    assert.deepEqual(await timelineHeads(draft.id), ['When', 'Step', 'By', 'Reason']);

    const other = await json(sender, 'POST', '/api/referrals', { service_id: SERVICE.jobs, needs: ['housing'], urgency: 'urgent' }, 201);
    // The receiver cannot cancel (a sender's step), the sender cannot accept (a receiver's step).
    res = await receiver.request('POST', `/api/referrals/${other.id}/transitions`, { json: { action: 'cancel', version: 1 } });
    assert.equal(res.statusCode, 409);
    res = await sender.request('POST', `/api/referrals/${other.id}/transitions`, { json: { action: 'accept', version: 1 } });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(await timelineHeads(other.id), ['When', 'Step', 'By']);
    const cancelled = await json(sender, 'POST', `/api/referrals/${other.id}/transitions`, { action: 'cancel', version: 1, note: 'Client moved away.' });
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(await timelineHeads(other.id), ['When', 'Step', 'By', 'Note']);
    // Completing needs an outcome, and "could not get help" needs the reason why.
    const third = await json(sender, 'POST', '/api/referrals', { service_id: SERVICE.jobs, needs: ['employment'], urgency: 'routine' }, 201);
    await json(receiver, 'POST', `/api/referrals/${third.id}/transitions`, { action: 'accept', version: 1 });
    res = await receiver.request('POST', `/api/referrals/${third.id}/transitions`, { json: { action: 'complete', version: 2, outcome: 'could_not_get_help' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errors[0].field, 'outcome_reason');
    const done = await json(receiver, 'POST', `/api/referrals/${third.id}/transitions`, { action: 'complete', version: 2, outcome: 'could_not_get_help', outcome_reason: 'not_eligible' });
    assert.equal(done.outcome_reason, 'not_eligible');
  } finally {
    await rt.close();
  }
});

test('a third organisation, an unlinked case worker and roles without the referral permission see nothing', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const r = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    for (const u of [rt.users.third, rt.users.unlinked]) {
      const c = await rt.sign(u);
      for (const url of [`/api/referrals/${r.id}`, `/api/referrals/${r.id}/client`, `/referrals/${r.id}`, `/referrals/${r.id}/client`]) {
        const res = await c.get(url);
        assert.equal(res.statusCode, 404, `${u.email} ${url}`);
        assert.ok(!res.body.includes(CLIENT.name) && !res.body.includes('Apprenticeship'), `${u.email} ${url} leaks`);
      }
      assert.equal((await json(c, 'GET', '/api/referrals')).total, 0);
      const res = await c.request('POST', `/api/referrals/${r.id}/transitions`, { json: { action: 'accept', version: 1 } });
      assert.equal(res.statusCode, 404);
      assert.equal((await c.request('POST', `/api/referrals/${r.id}/consent/revoke`, { json: {} })).statusCode, 404);
    }
    for (const role of ['member', 'analyst', 'chair', 'admin'] as const) {
      const c = await rt.t.signedIn(role);
      for (const url of [`/api/referrals/${r.id}`, `/api/referrals/${r.id}/client`, '/api/referrals']) assert.equal((await c.get(url)).statusCode, 403, `${role} ${url}`);
      assert.equal((await c.get(`/referrals/${r.id}`)).statusCode, 403);
    }
    // Statistics are open to analysts, without any detail.
    const analyst = await rt.t.signedIn('analyst');
    const stats = await json(analyst, 'GET', '/api/referrals/stats');
    assert.ok(!JSON.stringify(stats).includes(CLIENT.name));
  } finally {
    await rt.close();
  }
});

test('client details: readable by both sides while consent holds, each read audited; revoking consent cuts the receiver off at once', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const r = await json(sender, 'POST', '/api/referrals', referralBody({ consent: { fields: ['name', 'phone', 'email', 'preferred_language', 'safe_contact'], attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(30) } }), 201);
    const mine = await json(sender, 'GET', `/api/referrals/${r.id}/client`);
    assert.deepEqual(mine.fields, CLIENT);
    const theirs = await json(receiver, 'GET', `/api/referrals/${r.id}/client`);
    assert.equal(theirs.fields.name, CLIENT.name);
    assert.equal(theirs.fields.phone, CLIENT.phone);
    const page = await receiver.get(`/referrals/${r.id}/client`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(CLIENT.name));
    assert.equal(page.headers['cache-control'], 'no-store');
    // The referral itself carries the names of the details, never their values.
    const plain = await receiver.get(`/api/referrals/${r.id}`);
    assert.ok(!plain.body.includes(CLIENT.name) && !plain.body.includes(CLIENT.phone));
    const reads = await listAudit(rt.t.ctx.db, { action: 'referrals.client.read', entity_id: r.id }, 50, 0);
    assert.equal(reads.total, 3);
    assert.ok(reads.items.every((e) => !JSON.stringify(e).includes(CLIENT.name)));

    const revoked = await json(sender, 'POST', `/api/referrals/${r.id}/consent/revoke`, { note: 'Client called to withdraw.' });
    assert.equal(revoked.consent.active, false);
    assert.ok(revoked.consent.revoked_at);
    assert.equal(revoked.status, 'sent', 'the referral goes on without consent');
    const denied = await receiver.get(`/api/referrals/${r.id}/client`);
    assert.equal(denied.statusCode, 403);
    assert.ok(!denied.body.includes(CLIENT.name));
    assert.ok(!(await receiver.get(`/referrals/${r.id}/client`)).body.includes(CLIENT.name));
    assert.equal((await json(receiver, 'GET', `/api/referrals/${r.id}`)).client_visible, false);
    // The receiver can still act on it; the sender still has the details until the purge.
    await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'accept', version: revoked.version });
    assert.equal((await json(sender, 'GET', `/api/referrals/${r.id}/client`)).fields.name, CLIENT.name);
    assert.equal((await sender.request('POST', `/api/referrals/${r.id}/consent/revoke`, { json: {} })).statusCode, 409);
    const notes = await json(receiver, 'GET', '/api/referrals/notifications');
    assert.ok(notes.items.some((n: { kind: string }) => n.kind === 'consent_revoked'));
  } finally {
    await rt.close();
  }
});

test('consent rules: details need consent that covers them, on the current form, within a year; bad input changes nothing', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const bad: [unknown, string][] = [
      [{ ...referralBody(), consent: undefined }, 'consent'],
      [referralBody({ consent: { fields: ['name'], attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(10) } }), 'client.phone'],
      [referralBody({ consent: { fields: ['name'], attested: false, form_version: CONSENT_FORM.version, expires_on: inDays(10) }, client: { name: 'X' } }), 'consent.attested'],
      [referralBody({ consent: { fields: ['name'], attested: true, form_version: 'old', expires_on: inDays(10) }, client: { name: 'X' } }), 'consent.form_version'],
      [referralBody({ consent: { fields: ['name'], attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(-1) }, client: { name: 'X' } }), 'consent.expires_on'],
      [referralBody({ consent: { fields: ['name'], attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(400) }, client: { name: 'X' } }), 'consent.expires_on'],
      [referralBody({ service_id: '0b5c1f4e-9999-4a7b-9c1e-000000000009' }), 'service_id'],
      [referralBody({ service_id: 'not-a-uuid' }), 'service_id'],
      [referralBody({ service_id: SERVICE.counsel, location_id: LOCATION.jobs }), 'location_id'],
      [referralBody({ needs: [] }), 'needs'],
      [referralBody({ needs: ['flying'] }), 'needs.0'],
      [referralBody({ urgency: 'yesterday' }), 'urgency'],
      [referralBody({ client: { ...CLIENT, ssn: '123' } }), 'client.ssn'],
      [referralBody({ client: { email: 'not-an-email' }, consent: { fields: ['email'], attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(10) } }), 'client.email'],
      [referralBody({ note: 'x'.repeat(4001) }), 'note'],
      [referralBody({ sender_organization_id: ORG.third }), 'sender_organization_id'],
      [referralBody({ network_id: '0b5c1f4e-9999-4a7b-9c1e-000000000009' }), 'network_id'],
      [referralBody({ extra: 1 }), 'extra'],
    ];
    for (const [body, field] of bad) {
      const res = await sender.request('POST', '/api/referrals', { json: body });
      assert.equal(res.statusCode, 400, `${field}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${field}: ${res.body.slice(0, 300)}`);
    }
    for (const raw of [null, [], 'text', 42]) {
      const res = await sender.request('POST', '/api/referrals', { json: raw });
      assert.equal(res.statusCode, 400, JSON.stringify(raw));
    }
    // The unlinked case worker's organisation acts for nobody.
    const unlinked = await rt.sign(rt.users.unlinked);
    const res = await unlinked.request('POST', '/api/referrals', { json: referralBody() });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errors[0].field, 'sender_organization_id');
    // A service whose organisation nobody acts for cannot receive referrals.
    assert.equal((await rt.t.ctx.db.selectFrom('referrals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n, 0);
    // Bad transitions.
    const r = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const receiver = await rt.sign(rt.users.receiver);
    for (const [body, status] of [
      [{ action: 'accept' }, 400],
      [{ action: 'fly', version: 1 }, 400],
      [{ action: 'accept', version: 'one' }, 400],
      [{ action: 'accept', version: 1, outcome: 'got_help' }, 400],
      [{ action: 'accept', version: 1, reason: 'no_capacity' }, 400],
      [{ action: 'accept', version: 7 }, 409],
    ] as const) {
      const x = await receiver.request('POST', `/api/referrals/${r.id}/transitions`, { json: body });
      assert.equal(x.statusCode, status, JSON.stringify(body));
    }
    assert.equal((await receiver.get('/api/referrals/not-a-uuid')).statusCode, 400);
    assert.equal((await json(receiver, 'GET', `/api/referrals/${r.id}`)).version, 1, 'nothing changed');
  } finally {
    await rt.close();
  }
});

test('two people acting on the same version: exactly one wins, the other gets 409', async () => {
  const rt = await referralTest();
  try {
    const sender = await rt.sign(rt.users.sender);
    const a = await rt.sign(rt.users.receiver);
    const b = await rt.sign(rt.users.receiver);
    const r = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const [x, y] = await Promise.all([
      a.request('POST', `/api/referrals/${r.id}/transitions`, { json: { action: 'accept', version: 1 } }),
      b.request('POST', `/api/referrals/${r.id}/transitions`, { json: { action: 'decline', version: 1, reason: 'no_capacity' } }),
    ]);
    assert.deepEqual([x.statusCode, y.statusCode].sort(), [200, 409]);
    const after = await json(sender, 'GET', `/api/referrals/${r.id}`);
    assert.equal(after.version, 2);
    assert.equal(after.events.length, 2);
    // The sender cancelling while the receiver accepts: one of them, never both.
    const r2 = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const [p, q] = await Promise.all([
      sender.request('POST', `/api/referrals/${r2.id}/transitions`, { json: { action: 'cancel', version: 1 } }),
      a.request('POST', `/api/referrals/${r2.id}/transitions`, { json: { action: 'accept', version: 1 } }),
    ]);
    assert.deepEqual([p.statusCode, q.statusCode].sort(), [200, 409]);
  } finally {
    await rt.close();
  }
});

test('purge after retention leaves a de-identified record; reminders and expiry', async () => {
  const rt = await referralTest({ REFERRAL_RETENTION_DAYS: '90', REFERRAL_REMINDER_DAYS: '3', REFERRAL_EXPIRY_DAYS: '20' });
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const closed = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    await json(receiver, 'POST', `/api/referrals/${closed.id}/transitions`, { action: 'decline', version: 1, reason: 'no_capacity', note: 'Waitlist is full until March.' });
    const open = await json(sender, 'POST', '/api/referrals', referralBody(), 201);

    // Not yet: 89 days after closing.
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 89 * 86_400_000)), 0);
    const lines: string[] = [];
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 91 * 86_400_000), (l) => lines.push(l)), 1);
    assert.ok(lines.some((l) => /1 referral/.test(l)));
    assert.ok(!lines.join('\n').includes(CLIENT.name));
    const after = await json(sender, 'GET', `/api/referrals/${closed.id}`);
    assert.equal(after.purged, true);
    assert.equal(after.note, null);
    assert.deepEqual(after.client_fields, []);
    assert.ok(after.events.every((e: { note: string | null }) => e.note === null));
    assert.equal(after.decline_reason, 'no_capacity');
    assert.deepEqual(after.needs, ['job-training', 'employment']);
    assert.ok(after.consent, 'the consent record is kept');
    assert.equal((await sender.get(`/api/referrals/${closed.id}/client`)).statusCode, 403);
    // The open referral keeps its details.
    assert.equal((await json(sender, 'GET', `/api/referrals/${open.id}/client`)).fields.name, CLIENT.name);
    const rows = await rt.t.ctx.db.selectFrom('referral_client_fields').select('referral_id').execute();
    assert.ok(rows.every((x) => x.referral_id === open.id));
    // Purging again finds nothing.
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 91 * 86_400_000)), 0);

    // Reminders: nothing within 3 days, then once, then not again until another 3 days pass.
    assert.equal((await runReminders(rt.t.ctx, new Date(Date.now() + 2 * 86_400_000))).reminded, 0);
    assert.equal((await runReminders(rt.t.ctx, new Date(Date.now() + 4 * 86_400_000))).reminded, 1);
    assert.equal((await runReminders(rt.t.ctx, new Date(Date.now() + 5 * 86_400_000))).reminded, 0);
    const notes = await json(receiver, 'GET', '/api/referrals/notifications');
    assert.ok(notes.items.some((n: { kind: string }) => n.kind === 'reminder'));
    // Expiry: never accepted within 20 days.
    const res = await runReminders(rt.t.ctx, new Date(Date.now() + 21 * 86_400_000));
    assert.equal(res.expired, 1);
    const expired = await json(sender, 'GET', `/api/referrals/${open.id}`);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.events.at(-1).actor_name, 'Taskforce Hub (automatic)');

    // The same runs through the API, for administrators only.
    const admin = await rt.t.signedIn('admin');
    assert.equal((await json(admin, 'POST', '/api/referrals/purge', {})).count, 0);
    assert.equal((await sender.request('POST', '/api/referrals/purge', { json: {} })).statusCode, 403);
  } finally {
    await rt.close();
  }
});

test('a referral travels in a network both organisations belong to, and its statistics page shows that network', async () => {
  const rt = await referralTest();
  try {
    const admin = await rt.t.signedIn('admin');
    const net = await json(admin, 'POST', '/api/networks', { name: 'Riverside Jobs Network', convener_organization_id: ORG.sender, area_kind: 'regions', states: ['DC'] }, 201);
    await json(admin, 'POST', `/api/networks/${net.id}/members`, { directory_organization_id: ORG.receiver, role: 'employment_training' }, 201);
    const other = await json(admin, 'POST', '/api/networks', { name: 'Elsewhere Network', convener_organization_id: ORG.third, area_kind: 'regions', states: ['MD'] }, 201);
    const sender = await rt.sign(rt.users.sender);
    const form = await sender.get(`/referrals/new?service_id=${SERVICE.jobs}`);
    assert.match(form.body, /Riverside Jobs Network/);
    assert.ok(!form.body.includes('Elsewhere Network'));
    const bad = await sender.request('POST', '/api/referrals', { json: referralBody({ network_id: other.id }) });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'network_id');
    const r = await json(sender, 'POST', '/api/referrals', referralBody({ network_id: net.id }), 201);
    assert.deepEqual(r.network, { id: net.id, name: 'Riverside Jobs Network' });
    const analyst = await rt.t.signedIn('analyst');
    const stats = await json(analyst, 'GET', `/api/referrals/stats?network_id=${net.id}`);
    assert.equal(stats.network.name, 'Riverside Jobs Network');
    assert.equal(stats.total.suppressed, true, 'one referral is a small cell');
    const page = await analyst.get(`/referrals/stats?network_id=${net.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Referral statistics: Riverside Jobs Network/);
    assert.equal((await analyst.get('/api/referrals/stats?network_id=0b5c1f4e-9999-4a7b-9c1e-000000000009')).statusCode, 400);
  } finally {
    await rt.close();
  }
});

test('OpenAPI describes every referrals route: tag, summary, security, success and problem responses', async () => {
  const rt = await referralTest();
  try {
    const doc = (await rt.t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[]; responses?: Record<string, unknown> }>> };
    const ours = rt.t.app.routeAccessList().filter((r) => r.url.startsWith('/api/referrals'));
    assert.ok(ours.length >= 11, `${ours.length} routes`);
    for (const r of ours) {
      const op = doc.paths[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.url} is in the document`);
      assert.deepEqual(op.tags, ['Referrals']);
      assert.ok(op.summary && op.security?.length, `${r.method} ${r.url}: summary and security`);
      const codes = Object.keys(op.responses ?? {});
      assert.ok(codes.some((c) => c.startsWith('2')) && codes.includes('401') && codes.includes('403'), `${r.method} ${r.url}: ${codes}`);
    }
  } finally {
    await rt.close();
  }
});
