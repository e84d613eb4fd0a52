import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, housingPartnershipId, json, sessionBody } from './testkit.ts';
import { calendar, foldLine } from './ics.ts';

/** A small RFC 5545 reader: unfolds continuation lines, splits name;params:value, unescapes TEXT. */
function parseIcs(text: string) {
  assert.ok(text.endsWith('\r\n'), 'content lines end with CRLF');
  assert.ok(!/[^\r]\n/.test(text), 'no bare LF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const l of physical) assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `line longer than 75 octets: ${l}`);
  const lines: string[] = [];
  for (const l of physical) {
    if (l.startsWith(' ') || l.startsWith('\t')) lines[lines.length - 1] += l.slice(1);
    else lines.push(l);
  }
  const unescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
  const calendars: { props: Record<string, string>; events: Record<string, string>[] }[] = [];
  let cal: (typeof calendars)[number] | undefined;
  let ev: Record<string, string> | undefined;
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    assert.ok(m, `not a content line: ${line}`);
    const [, name, , value] = m;
    if (name === 'BEGIN' && value === 'VCALENDAR') calendars.push((cal = { props: {}, events: [] }));
    else if (name === 'BEGIN' && value === 'VEVENT') ev = {};
    else if (name === 'END' && value === 'VEVENT') {
      cal!.events.push(ev!);
      ev = undefined;
    } else if (name === 'END') cal = undefined;
    else (ev ?? cal!.props)[name] = unescape(value);
  }
  return calendars;
}

test('folding at 75 octets never splits a character, and unfolds to the original', () => {
  const long = 'DESCRIPTION:' + 'Vivienda segura, niños y familias; ñandú — '.repeat(8);
  const folded = foldLine(long);
  for (const l of folded.split('\r\n')) assert.ok(Buffer.byteLength(l) <= 75);
  assert.equal(folded.split('\r\n').map((l, i) => (i ? l.slice(1) : l)).join(''), long);
  assert.ok(!folded.includes('\uFFFD'));
  const [cal] = parseIcs(calendar('Test', [{ uid: 'x@y', start: '2030-01-01T10:00:00Z', end: '2030-01-01T11:00:00Z', summary: 'A, b; c\\d\nnext line' }], new Date('2026-01-02T03:04:05Z')));
  assert.equal(cal.events[0].SUMMARY, 'A, b; c\\d\nnext line');
  assert.equal(cal.events[0].DTSTAMP, '20260102T030405Z');
});

test('.ics per session and feed per series parse, with UTC times, UID, DTSTAMP and escaped text', async () => {
  const t = await app();
  try {
    const lead = await t.signedIn('chair');
    const owner = await housingPartnershipId(t);
    const series = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Housing, shelter; and "more"', owner_type: 'partnership', owner_id: owner }, 201);
    const title = 'Rural housing, landlords; and trauma-informed practice — a long title that needs folding across lines';
    const s1 = await json<{ id: string }>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ title, time_zone: 'America/Los_Angeles', date: '2030-01-15', start_time: '09:30', end_time: '11:00', location: 'Room 2, City Hall; 1 Main St.', agenda: [{ title: 'Welcome, introductions', minutes: 10 }] }), 201);
    await json(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody({ date: '2030-07-01', time_zone: 'Europe/Berlin' }), 201);
    const anon = t.client();
    const res = await anon.get(`/api/listening/sessions/${s1.id}/session.ics`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/calendar/);
    const [cal] = parseIcs(res.body);
    assert.equal(cal.props.VERSION, '2.0');
    assert.ok(cal.props.PRODID);
    assert.equal(cal.events.length, 1);
    const e = cal.events[0];
    assert.equal(e.UID, `${s1.id}@listening.taskforce-hub`);
    assert.equal(e.DTSTART, '20300115T173000Z', '09:30 PST is 17:30 UTC');
    assert.equal(e.DTEND, '20300115T190000Z');
    assert.match(e.DTSTAMP, /^\d{8}T\d{6}Z$/);
    assert.equal(e.SUMMARY, title);
    assert.equal(e.LOCATION, 'Room 2, City Hall; 1 Main St.');
    assert.match(e.DESCRIPTION, /Agenda:\n- Welcome, introductions \(10 min\)/);
    assert.ok(res.body.includes('Rural housing\\, landlords\\; and'), 'commas and semicolons escaped on the wire');
    assert.ok(res.body.split('\r\n').some((l) => l.startsWith(' ')), 'long lines are folded');

    const feed = parseIcs((await anon.get(`/api/listening/series/${series.id}/feed.ics`)).body)[0];
    assert.equal(feed.events.length, 2);
    assert.equal(feed.props['X-WR-CALNAME'], 'Housing, shelter; and "more"');
    assert.equal(feed.events[1].DTSTART, '20300701T110000Z', '13:00 CEST is 11:00 UTC');
  } finally {
    await t.close();
  }
});
