/**
 * The toolkit, materials, events and dashboard through their pages and API, on the demo data: every page answers in
 * English and Spanish with no untranslated key, uses and downloads are counted by POST without recording anyone,
 * lesson versions keep their change notes, materials need alt text or a transcript, events keep their time zone,
 * and the iCalendar feeds parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { timeZoneLabel } from '../../platform/web/pickers.tsx';
import { seedOutreach } from './seed.ts';
import * as store from './store.ts';

let shared: Promise<TestApp> | undefined;
const app = () => (shared ??= (async () => {
  const t = await testApp();
  await seedOutreach(t.ctx, () => {});
  return t;
})());
test.after(async () => (await shared)?.close());

/** A small RFC 5545 reader: unfolds lines, checks CRLF and 75-octet lines, collects VEVENT properties. */
function parseIcs(text: string): Record<string, string>[] {
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n') && text.endsWith('END:VCALENDAR\r\n'));
  assert.ok(!/[^\r]\n/.test(text), 'no bare LF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const l of physical) assert.ok(Buffer.byteLength(l) <= 75, `line longer than 75 octets: ${l}`);
  const lines: string[] = [];
  for (const l of physical) if (l.startsWith(' ')) lines[lines.length - 1] += l.slice(1);
  else lines.push(l);
  const events: Record<string, string>[] = [];
  let ev: Record<string, string> | undefined;
  for (const line of lines) {
    const m = /^([A-Z-]+)(;[^:]*)?:(.*)$/.exec(line);
    assert.ok(m, `content line: ${line}`);
    if (line === 'BEGIN:VEVENT') ev = {};
    else if (line === 'END:VEVENT') events.push(ev!), (ev = undefined);
    else if (ev) ev[m[1]] = m[3].replace(/\\([\\;,nN])/g, (_x, c: string) => (c.toLowerCase() === 'n' ? '\n' : c));
  }
  return events;
}

test('every outreach page answers in English and Spanish, with no untranslated key', async () => {
  const t = await app();
  const lesson = (await store.listLessons(t.ctx.db))[0];
  const event = (await store.listEvents(t.ctx.db))[0];
  const campaign = (await store.listCampaigns(t.ctx.db, { includeDrafts: true }))[0];
  const staff = await t.signedIn('chair');
  const sponsor = await t.signedIn('member');
  const pages: [typeof staff, string][] = [
    [t.client(), '/outreach'],
    [t.client(), `/outreach/campaigns/${campaign.id}`],
    [t.client(), '/outreach/toolkit'],
    [t.client(), `/outreach/toolkit/${lesson.id}`],
    [t.client(), `/outreach/toolkit/${lesson.id}/print`],
    [t.client(), '/outreach/materials'],
    [t.client(), '/outreach/events'],
    [t.client(), `/outreach/events/${event.id}`],
    [sponsor, '/outreach/sponsor'],
    [sponsor, '/outreach/sponsor/terms'],
    [sponsor, '/outreach/groups/new'],
    [staff, '/outreach/dashboard'],
    [staff, '/outreach/moderation'],
    [staff, '/outreach/campaigns/new'],
    [staff, '/outreach/toolkit/new'],
    [staff, `/outreach/toolkit/${lesson.id}/revise`],
    [staff, '/outreach/materials/new'],
    [staff, '/outreach/events/new'],
  ];
  for (const lang of ['en', 'es']) {
    for (const [c, url] of pages) {
      c.cookies.set('lang', lang);
      const res = await c.get(url);
      assert.equal(res.statusCode, 200, `${lang} ${url}`);
      assert.doesNotMatch(res.body, /\bor\.[a-z_]+\.[a-z_.]+/, `${lang} ${url}: an untranslated key`);
      assert.match(res.body, new RegExp(`<html lang="${lang}"`));
    }
  }
  // Demo data is marked as demo.
  assert.match((await t.client().get('/outreach')).body, /Demo/);
});

test('lesson uses and material downloads are counted by POST, a number per day, nothing about who', async () => {
  const t = await app();
  const lesson = (await store.listLessons(t.ctx.db))[0];
  const c = t.client();
  const page = await c.get(`/outreach/toolkit/${lesson.id}`);
  c.csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  let res = await c.request('POST', `/outreach/toolkit/${lesson.id}/used`, { form: {} });
  assert.equal(res.statusCode, 303);
  res = await c.request('POST', `/outreach/toolkit/${lesson.id}/used`, { form: {} });
  assert.equal((await store.getLesson(t.ctx.db, lesson.id))!.uses, 2);
  const material = (await store.listMaterials(t.ctx.db))[0];
  res = await c.request('POST', `/outreach/materials/${material.id}/download`, { form: {} });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, material.url);
  assert.equal((await store.getMaterial(t.ctx.db, material.id))!.downloads, 1);
  const dash = await (await t.signedIn('chair')).get('/outreach/dashboard');
  assert.match(dash.body, new RegExp(`${lesson.title}</a></td><td[^>]*>2<`));
});

test('a lesson revision keeps the earlier version and its change note; stale versions are refused', async () => {
  const t = await app();
  const lesson = (await store.listLessons(t.ctx.db, { language: 'en' }))[0];
  const staff = await t.signedIn('chair');
  let res = await staff.request('POST', `/outreach/toolkit/${lesson.id}/revise`, { form: { version: String(lesson.version), change_note: 'Added the hotline number', steps: 'New steps' } });
  assert.equal(res.statusCode, 303);
  res = await staff.request('POST', `/outreach/toolkit/${lesson.id}/revise`, { form: { version: String(lesson.version), change_note: 'Again' } });
  assert.equal(res.statusCode, 409);
  const versions = await store.lessonVersions(t.ctx.db, lesson.id);
  assert.deepEqual(versions.map((v) => v.change_note), ['Added the hotline number', 'First version']);
  const page = await t.client().get(`/outreach/toolkit/${lesson.id}`);
  assert.match(page.body, /Version 2/);
  assert.match(page.body, /Added the hotline number/);
});

test('materials need alt text (or a transcript for audio and video); English and Spanish versions link to each other', async () => {
  const t = await app();
  const staff = await t.signedIn('chair');
  const base = { title: 'New poster', kind: 'poster', audience: 'community', language: 'en', format: 'pdf', url: 'https://example.org/n.pdf', licence: 'CC BY 4.0' };
  let res = await staff.request('POST', '/outreach/materials/new', { form: base });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /alt_text|Alt text/);
  res = await staff.request('POST', '/outreach/materials/new', { form: { ...base, kind: 'psa', format: 'mp4' } });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /is required for audio and video/);
  res = await staff.request('POST', '/outreach/materials/new', { form: { ...base, url: 'javascript:alert(1)', alt_text: 'A poster with the hotline.' } });
  assert.equal(res.statusCode, 400, 'only http(s) addresses');
  const all = await store.listMaterials(t.ctx.db);
  const en = all.find((m) => m.language === 'en' && m.translation_id)!;
  const es = all.find((m) => m.id === en.translation_id)!;
  assert.equal(es.translation_id, en.id, 'the link reads from both sides');
  const page = await t.client().get('/outreach/materials');
  assert.match(page.body, new RegExp(`href="#m-${es.id}"`));
  assert.match(page.body, new RegExp(`href="#m-${en.id}"`));
});

test('events keep their time zone; the feed and the single-event file parse as iCalendar', async () => {
  const t = await app();
  const staff = await t.signedIn('chair');
  let res = await staff.request('POST', '/outreach/events/new', { form: { title: 'Webinar; with, specials', kind: 'webinar', date: '2027-01-20', start_time: '14:00', end_time: '15:30', time_zone: 'America/Los_Angeles', accessibility: 'Captions' } });
  assert.equal(res.statusCode, 400, 'a webinar needs a place or link');
  assert.match(res.body, /give a place or a link/);
  res = await staff.request('POST', '/outreach/events/new', { form: { title: 'Webinar', kind: 'webinar', date: '2027-01-20', start_time: '14:00', end_time: '15:30', time_zone: 'Mars/Olympus', online_url: 'https://example.org/w', accessibility: 'Captions' } });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /is not a time zone/);
  res = await staff.request('POST', '/outreach/events/new', { form: { title: 'Webinar; with, specials', kind: 'webinar', date: '2027-01-20', start_time: '14:00', end_time: '15:30', time_zone: 'America/Los_Angeles', online_url: 'https://example.org/w', accessibility: 'Captions and an ASL interpreter' } });
  assert.equal(res.statusCode, 303);
  const id = String(res.headers.location).split('/').pop()!;
  const e = (await store.getEvent(t.ctx.db, id))!;
  assert.equal(e.starts_at, '2027-01-20T22:00:00.000Z', '14:00 in Los Angeles (PST) is 22:00 UTC');

  const one = await t.client().get(`/api/outreach/events/${id}/event.ics`);
  assert.equal(one.statusCode, 200);
  assert.match(String(one.headers['content-type']), /^text\/calendar/);
  const [ev] = parseIcs(one.body);
  assert.equal(ev.SUMMARY, 'Webinar; with, specials');
  assert.equal(ev.DTSTART, '20270120T220000Z');
  assert.equal(ev.DTEND, '20270120T233000Z');
  assert.match(ev.DESCRIPTION, /Accessibility: Captions and an ASL interpreter/);

  const feed = await t.client().get('/api/outreach/events.ics');
  const events = parseIcs(feed.body);
  assert.ok(events.length >= 5);
  const month = events.find((x) => x.SUMMARY === 'National Human Trafficking Prevention Month')!;
  assert.match(month.DTSTART, /^\d{4}0101T050000Z$/, 'all-day in New York starts at local midnight');
  assert.match(month.DTEND, /^\d{4}0201T050000Z$/);
  assert.equal(new Set(events.map((x) => x.UID)).size, events.length, 'unique UIDs');
});

test('event registration: a youth event takes a group and a head count (no names), places then a waiting list that moves up on cancellation', async () => {
  const t = await app();
  const staff = await t.signedIn('chair');
  let res = await staff.request('POST', '/outreach/events/new', { form: { title: 'Youth summit', kind: 'local', date: '2099-02-11', start_time: '10:00', end_time: '12:00', time_zone: 'America/New_York', place: 'Lincoln Cottage', accessibility: 'Step-free access', capacity: '30', youth: 'true' } });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const eventId = String(res.headers.location).split('/').pop()!;

  const anon = await t.client().get(`/outreach/events/${eventId}`);
  assert.match(anon.body, /30 places, 30 free; 0 waiting\./);
  assert.match(anon.body, /Sign in to register/);

  const sponsor = await t.signedIn('member');
  await sponsor.request('POST', '/outreach/sponsor/terms', { form: { accept: 'true', adult: 'true' } });
  const { createGroup } = await import('./commands.ts');
  const { ctxAs } = await import('../../platform/testing.ts');
  const me = await ctxAs(t.ctx, await t.user('member'));
  const a = await createGroup(me, { name: 'Summit club A', kind: 'club', state: 'DC', grade_band: 'high' });
  const b = await createGroup(me, { name: 'Summit class B', kind: 'class', state: 'DC', grade_band: 'middle' });

  const page = await sponsor.get(`/outreach/events/${eventId}`);
  assert.match(page.body, /name="group_id"/);
  assert.match(page.body, /name="head_count"/);
  const fields = [...page.body.matchAll(/<form method="post" action="\/outreach\/events\/[^"]+\/register"[\s\S]*?<\/form>/g)].join('');
  assert.deepEqual([...new Set([...fields.matchAll(/name="([^"]+)"/g)].map((m) => m[1]))].sort(), ['_csrf', 'group_id', 'head_count'], 'the form asks for nothing about any person');

  const register = (form: Record<string, string>) => sponsor.request('POST', `/outreach/events/${eventId}/register`, { form });
  res = await register({ student_name: 'Ana', group_id: a.id, head_count: '3' });
  assert.equal(res.statusCode, 400, 'a name field is refused');
  res = await register({ head_count: '5' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /choose one of your groups/);
  res = await register({ group_id: a.id, head_count: '31' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /must be at most 30, the places at this event/);
  assert.equal((await t.ctx.db.selectFrom('outreach_event_registration').select('id').where('event_id', '=', eventId).execute()).length, 0, 'refused registrations store nothing');

  assert.equal((await register({ group_id: a.id, head_count: '25' })).statusCode, 303);
  assert.equal((await register({ group_id: b.id, head_count: '10' })).statusCode, 303);
  res = await register({ group_id: a.id, head_count: '2' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /is registered for this event already/);
  const after = await sponsor.get(`/outreach/events/${eventId}`);
  assert.match(after.body, /30 places, 5 free; 10 waiting\./);
  assert.match(after.body, /Summit club A<\/td><td[^>]*>25<\/td><td[^>]*>Confirmed/);
  assert.match(after.body, /Summit class B<\/td><td[^>]*>10<\/td><td[^>]*>On the waiting list/);

  const rows = await t.ctx.db.selectFrom('outreach_event_registration').selectAll().where('event_id', '=', eventId).execute();
  assert.deepEqual(Object.keys(rows[0]).sort(), ['created_at', 'event_id', 'group_id', 'head_count', 'id', 'registrant_user_id', 'status', 'updated_at'], 'a group and a number, no names');

  // Another adult may not cancel it; the sponsor cancels A and B moves up.
  const other = await t.signedIn('analyst');
  const ra = rows.find((r) => r.group_id === a.id)!;
  assert.equal((await other.request('POST', `/outreach/event-registrations/${ra.id}/cancel`, { form: {} })).statusCode, 403);
  assert.equal((await sponsor.request('POST', `/outreach/event-registrations/${ra.id}/cancel`, { form: {} })).statusCode, 303);
  assert.match((await staff.get('/outreach/dashboard')).body, /Youth summit<\/a><\/td><td[^>]*>[^<]*<\/td><td[^>]*>10 of 30 \(0 waiting\)/, 'the dashboard shows the places taken');
  const mine = (await sponsor.get(`/api/outreach/events/${eventId}/registrations`)).json() as { items: { group_name: string; status: string; registrant_user_id?: string }[] };
  assert.deepEqual(mine.items.map((r) => [r.group_name, r.status]), [['Summit club A', 'cancelled'], ['Summit class B', 'confirmed']]);
  assert.equal(mine.items[0].registrant_user_id, undefined, 'the account is not in the answer');
  const pub = (await t.client().get('/api/outreach/events')).json() as { items: { id: string; places: { confirmed: number; free: number } | null }[] };
  assert.deepEqual(pub.items.find((e) => e.id === eventId)!.places, { confirmed: 10, waitlisted: 0, free: 20 });

  // In Spanish, the problem comes back in Spanish.
  sponsor.cookies.set('lang', 'es');
  res = await register({ head_count: '5' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /elija uno de sus grupos/);
  sponsor.cookies.delete('lang');
});

test('concurrent event registrations never overbook', async () => {
  const t = await app();
  const { createEvent, createGroup, registerForEvent, acceptTerms } = await import('./commands.ts');
  const { ctxAs } = await import('../../platform/testing.ts');
  const me = await ctxAs(t.ctx, await t.user('analyst'));
  await acceptTerms(me, { accept: true, adult: true });
  const e = await createEvent(t.ctx, { title: 'Small workshop', kind: 'local', date: '2099-03-01', time_zone: 'America/New_York', place: 'Room 1', accessibility: 'Step-free.', capacity: 10, youth: true });
  const groups = [];
  for (const i of [1, 2, 3, 4]) groups.push(await createGroup(me, { name: `Rush ${i}`, kind: 'club', state: 'DC', grade_band: 'high' }));
  // One context per call, as each request has its own.
  const analyst = await t.user('analyst');
  const regs = await Promise.all(groups.map(async (g) => registerForEvent(await ctxAs(t.ctx, analyst), e.id, { group_id: g.id, head_count: 4 })));
  assert.deepEqual(regs.map((r) => r.status).sort(), ['confirmed', 'confirmed', 'waitlisted', 'waitlisted'], '4 + 4 of 10 places; the others wait');
  assert.deepEqual((await store.getEvent(t.ctx.db, e.id))!.places, { confirmed: 8, waitlisted: 8, free: 2 });
});

test('the event form picks its time zone from a list; a forged zone is refused naming the field in English and Spanish, adding nothing; pages name the zone', async () => {
  const t = await app();
  const staff = await t.signedIn('chair');
  const form = await staff.get('/outreach/events/new');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<select[^>]*name="time_zone"/, 'a select, not a text input');
  assert.doesNotMatch(form.body, /<input[^>]*name="time_zone"/);
  assert.match(form.body, /<optgroup label="United States and territories">/);
  assert.match(form.body, /<option value="America\/New_York" selected>Eastern Time — New York<\/option>/);
  const before = (await store.listEvents(t.ctx.db)).length;
  const forged = { title: 'Forged zone', kind: 'webinar', date: '2027-02-20', start_time: '14:00', end_time: '15:00', time_zone: 'Mars/Olympus', online_url: 'https://example.org/w', accessibility: 'Captions' };
  let res = await staff.request('POST', '/outreach/events/new', { form: forged });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /href="#field-time_zone">Time zone: is not a time zone/, 'the summary names the label');
  res = await staff.request('POST', '/outreach/events/new', { form: forged, headers: { 'accept-language': 'es' } });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /href="#field-time_zone">Zona horaria: no es una zona horaria/, 'in Spanish too');
  assert.equal((await store.listEvents(t.ctx.db)).length, before, 'nothing added');
  const api = await staff.request('POST', '/api/outreach/events', { json: forged });
  assert.equal(api.statusCode, 400);
  assert.ok(JSON.stringify(api.json()).includes('time_zone'), 'the API names the field');
  assert.equal((await store.listEvents(t.ctx.db)).length, before, 'nothing added through the API');

  const denver = (await store.listEvents(t.ctx.db)).find((e) => e.time_zone === 'America/Denver')!;
  assert.equal(timeZoneLabel('en', 'America/Denver'), 'Mountain Time — Denver');
  for (const [lang, name] of [['en', 'Mountain Time — Denver'], ['es', timeZoneLabel('es', 'America/Denver')]] as const) {
    for (const url of [`/outreach/events/${denver.id}`, '/outreach/events']) {
      const page = await t.client().get(url, { 'accept-language': lang });
      assert.ok(page.body.includes(name), `${url} (${lang}) names the zone: ${name}`);
      assert.doesNotMatch(page.body, /America\/Denver/, `${url} (${lang}) shows no IANA id`);
    }
  }
});

test('states are chosen and shown by name, not by USPS code (group form, impact tables)', async () => {
  const t = await app();
  const chair = await t.signedIn('chair');
  await chair.request('POST', '/outreach/sponsor/terms', { form: { accept: 'true' } });
  const form = await chair.get('/outreach/groups/new');
  assert.equal(form.statusCode, 200, form.body.slice(0, 200));
  assert.match(form.body, /<option value="VA">Virginia<\/option>/);
  assert.doesNotMatch(form.body, /<option value="VA">VA<\/option>/);
  const campaigns = await store.listCampaigns(t.ctx.db, { includeDrafts: false });
  let seen = 0;
  for (const c of campaigns) {
    const page = await t.client().get(`/outreach/campaigns/${c.id}`);
    assert.doesNotMatch(page.body, /<td[^>]*>[A-Z]{2}<\/td>/, `${c.title}: no bare state code in a table`);
    assert.doesNotMatch(page.body, /\([A-Z]{2}\)/, `${c.title}: no state code after a group's name`);
    if (/District of Columbia|Virginia|Maryland/.test(page.body)) seen++;
  }
  assert.ok(seen > 0, 'some campaign page names a state');
});
