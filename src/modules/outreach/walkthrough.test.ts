/**
 * The walkthrough through the HTML forms: outreach staff publish a campaign; a sponsor accepts the terms,
 * creates a group, signs it up and submits a reportback with a photo carrying GPS and device EXIF; the stored and
 * the served photo carry no metadata; a moderator accepts it; the totals update; the public sees it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import exifr from 'exifr';
import sharp from 'sharp';
import { testApp } from '../../platform/testing.ts';
import { outreachDb } from './tables.ts';
import { isoDay, photoWithGps, postMultipart } from './testkit.ts';

async function noMetadata(buf: Buffer, where: string) {
  const exif = await exifr.parse(buf, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: false, ifd1: true });
  assert.equal(exif, undefined, `${where}: no EXIF, GPS, XMP or IPTC at all (${JSON.stringify(exif)})`);
  assert.equal(await exifr.gps(buf), undefined, `${where}: no GPS position`);
  const meta = await sharp(buf).metadata();
  assert.equal(meta.exif, undefined, `${where}: sharp finds no EXIF block`);
  assert.equal(meta.xmp, undefined, `${where}: no XMP block`);
  assert.equal(meta.iptc, undefined, `${where}: no IPTC block`);
  assert.ok(!buf.includes(Buffer.from('PhoneCo')) && !buf.includes(Buffer.from('Ana Student')), `${where}: no device or person strings in the bytes`);
}

test('walkthrough: campaign, sponsor, group, sign-up, reportback with a photo stripped of metadata, moderation, totals, public view', async () => {
  const t = await testApp();
  try {
    const staff = await t.signedIn('chair');
    const sponsor = await t.signedIn('member');
    const publicClient = t.client();

    // Outreach staff publish a campaign.
    let res = await staff.request('POST', '/outreach/campaigns/new', { form: { title: 'Poster week', call_to_action: 'Put up posters with the hotline.', starts_on: isoDay(-1), ends_on: isoDay(30), goal: '500', unit: 'posters put up', status: 'published' } });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const campaignUrl = String(res.headers.location);
    const campaignId = campaignUrl.split('/').pop()!;

    // The sponsor must accept the terms before creating a group.
    res = await sponsor.request('POST', '/outreach/groups/new', { form: { name: 'Lincoln Advocacy Club', kind: 'club', state: 'DC', grade_band: 'high' } });
    assert.equal(res.statusCode, 409);
    res = await sponsor.request('POST', '/outreach/sponsor/terms', { form: { accept: 'true' } });
    assert.equal(res.statusCode, 400, 'both boxes are required');
    assert.match(res.body, /adult/);
    res = await sponsor.request('POST', '/outreach/sponsor/terms', { form: { accept: 'true', adult: 'true' } });
    assert.equal(res.statusCode, 303);

    // No personal data of students: a field for it is refused, contact details in the name are refused.
    res = await sponsor.request('POST', '/outreach/groups/new', { form: { name: 'Club', kind: 'club', state: 'DC', grade_band: 'high', student_name: 'Ana Pérez' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /student_name/);
    res = await sponsor.request('POST', '/outreach/groups/new', { form: { name: 'Club of ana.perez@school.org', kind: 'club', state: 'DC', grade_band: 'high' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /must not contain an e-mail address/);
    assert.match(res.body, /value="Club of ana.perez@school.org"/, 'the input is kept');
    res = await sponsor.request('POST', '/outreach/groups/new', { form: { name: 'Lincoln Advocacy Club', kind: 'club', state: 'DC', grade_band: 'high' } });
    assert.equal(res.statusCode, 303);
    const [group] = await outreachDb(t.ctx.db).selectFrom('outreach_group').selectAll().execute();
    assert.equal(group.name, 'Lincoln Advocacy Club');

    // Sign-up, then the reportback with a photo carrying GPS and device metadata.
    res = await sponsor.request('POST', `/outreach/campaigns/${campaignId}/signup`, { form: { group_id: group.id } });
    assert.equal(res.statusCode, 303);
    res = await sponsor.get(`/outreach/campaigns/${campaignId}/reportback`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /enctype="multipart\/form-data"/);
    const original = await photoWithGps();
    assert.ok((await exifr.gps(original))?.latitude, 'the test photo does carry a position');
    res = await postMultipart(t, sponsor, `/outreach/campaigns/${campaignId}/reportback`, { group_id: group.id, summary: 'Call me at (202) 555-0143', quantity: '25', photo_alt: 'Posters on a hallway wall', photo_shows_no_people: 'true' }, { field: 'photo', filename: 'IMG_0001.jpg', type: 'image/jpeg', data: original });
    assert.equal(res.statusCode, 400, 'a phone number in the summary is refused');
    assert.match(res.body, /must not contain a telephone number/);
    assert.equal((await outreachDb(t.ctx.db).selectFrom('outreach_photo').select('id').execute()).length, 0, 'a refused reportback stores no photo');
    res = await postMultipart(t, sponsor, `/outreach/campaigns/${campaignId}/reportback`, { group_id: group.id, summary: 'Posters in all four hallways and the library.', quantity: '25', photo_alt: 'Posters on a hallway wall', photo_shows_no_people: 'true' }, { field: 'photo', filename: 'IMG_0001.jpg', type: 'image/jpeg', data: original });
    assert.equal(res.statusCode, 303, res.body.slice(0, 800));

    // Stored: no metadata, resized.
    const [stored] = await outreachDb(t.ctx.db).selectFrom('outreach_photo').selectAll().execute();
    const storedBytes = Buffer.from(stored.data, 'base64');
    await noMetadata(storedBytes, 'stored photo');
    const meta = await sharp(storedBytes).metadata();
    assert.equal(meta.width, 1600, 'resized to fit 1600 px');
    const [rb] = await outreachDb(t.ctx.db).selectFrom('outreach_reportback').selectAll().execute();
    assert.equal(rb.status, 'pending');

    // Before moderation: the public sees neither the photo nor the reportback, and nothing is counted.
    res = await publicClient.get(`/outreach/photos/${stored.id}`);
    assert.equal(res.statusCode, 404);
    res = await publicClient.get(`/api/outreach/campaigns/${campaignId}/impact`);
    assert.equal((res.json() as { total: number | null }).total, 0);
    // The sponsor may see the waiting photo.
    res = await sponsor.get(`/outreach/photos/${stored.id}`);
    assert.equal(res.statusCode, 200);

    // A moderator accepts it.
    res = await staff.get('/outreach/moderation');
    assert.match(res.body, /Posters in all four hallways/);
    res = await staff.request('POST', `/outreach/reportbacks/${rb.id}/review`, { form: { decision: 'accepted' } });
    assert.equal(res.statusCode, 303);

    // Totals update (25 is above the suppression threshold of 10) and the public sees the reportback and photo.
    res = await publicClient.get(`/api/outreach/campaigns/${campaignId}/impact`);
    const impact = res.json() as { total: number | null; by_state: { state: string; total: number | null }[]; by_group: { name: string; total: number | null }[] };
    assert.equal(impact.total, 25);
    assert.deepEqual(impact.by_state, [{ state: 'DC', total: 25 }]);
    assert.equal(impact.by_group[0].total, 25);
    res = await publicClient.get(campaignUrl);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Posters in all four hallways and the library/);
    assert.match(res.body, /Total: 25 posters put up/);
    assert.match(res.body, new RegExp(`src="/outreach/photos/${stored.id}" alt="Posters on a hallway wall"`));
    res = await publicClient.get(`/outreach/photos/${stored.id}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    await noMetadata(res.rawPayload, 'served photo');
  } finally {
    await t.close();
  }
});

test('small totals are suppressed on the campaign page and in the API; Spanish pages show field problems in Spanish', async () => {
  const t = await testApp();
  try {
    const { createCampaign, createGroup, signUp, submitReportback } = await import('./commands.ts');
    const c = await createCampaign(t.ctx, { title: 'Small campaign', call_to_action: 'Do a little.', starts_on: isoDay(-1), ends_on: isoDay(5), goal: 50, unit: 'people reached', status: 'published' });
    const sponsorId = (await t.user('member')).id;
    const big = await createGroup(t.ctx, { name: 'Big group', kind: 'club', state: 'DC', grade_band: 'high' }, { sponsorUserId: sponsorId });
    const small = await createGroup(t.ctx, { name: 'Small group', kind: 'class', state: 'MD', grade_band: 'middle' }, { sponsorUserId: sponsorId });
    const other = await createGroup(t.ctx, { name: 'Other group', kind: 'class', state: 'VA', grade_band: 'high' }, { sponsorUserId: sponsorId });
    for (const [g, q] of [[big, 40], [small, 3], [other, 30]] as const) {
      await signUp(t.ctx, c.id, { group_id: g.id });
      await submitReportback(t.ctx, c.id, { group_id: g.id, summary: 'We talked to neighbours.', quantity: q }, undefined, { status: 'accepted' });
    }
    const impact = (await t.client().get(`/api/outreach/campaigns/${c.id}/impact`)).json() as { total: number | null; by_state: { state: string; total: number | null }[] };
    assert.equal(impact.total, 73);
    const byState = Object.fromEntries(impact.by_state.map((s) => [s.state, s.total]));
    assert.equal(byState.MD, null, '3 is hidden');
    assert.equal(byState.VA, null, 'and the smallest other cell, so the total does not reveal it');
    assert.equal(byState.DC, 40);
    const page = await t.client().get(`/outreach/campaigns/${c.id}`);
    assert.doesNotMatch(page.body, /<td[^>]*>3<\/td>/);

    // Across the tables: 4 from a second DC group is hidden by group, and cannot come back as DC's total minus the
    // first DC group's (34 - 30), nor as the campaign's total minus the groups shown.
    const c2 = await createCampaign(t.ctx, { title: 'Linked campaign', call_to_action: 'Put up posters.', starts_on: isoDay(-1), ends_on: isoDay(5), goal: 100, unit: 'posters put up', status: 'published' });
    const dcSmall = await createGroup(t.ctx, { name: 'Second DC group', kind: 'class', state: 'DC', grade_band: 'high' }, { sponsorUserId: sponsorId });
    for (const [g, q] of [[big, 30], [dcSmall, 4], [other, 20]] as const) {
      await signUp(t.ctx, c2.id, { group_id: g.id });
      await submitReportback(t.ctx, c2.id, { group_id: g.id, summary: 'Posters in the hallways.', quantity: q }, undefined, { status: 'accepted' });
    }
    const linked = (await t.client().get(`/api/outreach/campaigns/${c2.id}/impact`)).json() as { total: number | null; by_state: { state: string; total: number | null }[]; by_group: { name: string; state: string; total: number | null }[] };
    const g = linked.by_group.find((x) => x.name === 'Second DC group')!;
    assert.equal(g.total, null, '4 is hidden');
    {
      const state = linked.by_state.find((s) => s.state === g.state)!.total;
      const othersInState = linked.by_group.filter((x) => x !== g && x.state === g.state);
      assert.ok(state === null || othersInState.some((x) => x.total === null), `${g.name} is not its state's total minus the other groups shown`);
      assert.ok(linked.total === null || linked.by_group.some((x) => x !== g && x.total === null), `${g.name} is not the total minus the other groups shown`);
    }
    const linkedPage = await t.client().get(`/outreach/campaigns/${c2.id}`);
    assert.doesNotMatch(linkedPage.body, /<td[^>]*>(4|30)<\/td>/, 'neither 4 nor the 30 that would give it back is on the page');

    const sponsor = await t.signedIn('member');
    sponsor.cookies.set('lang', 'es');
    await sponsor.request('POST', '/outreach/sponsor/terms', { form: { accept: 'true', adult: 'true' } });
    const res = await sponsor.request('POST', '/outreach/groups/new', { form: { name: 'Llamar al 202 555 0143', kind: 'club', state: 'DC', grade_band: 'high' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /no debe contener un número de teléfono/);
    assert.match(res.body, /lang="es"/);
  } finally {
    await t.close();
  }
});
