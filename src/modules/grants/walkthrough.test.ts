/**
 * Issue 19's "Done when", through the HTML forms: an agency enters a plan, files a notice, the committee is e-mailed,
 * acknowledges and reviews it, an extract import links an opportunity to the plan, awards arrive, and the gap view
 * shows a county funded and one not. Bad input comes back beside its field, in Spanish for a Spanish reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, readMail, snapshotTables, testApp, testMailServer } from '../../platform/testing.ts';
import { postMultipart } from '../workplans/testkit.ts';
import { closeMail } from '../../platform/mail/index.ts';
import * as commands from './commands.ts';
import { agency, extractXml, staffOf, tempFile } from './testkit.ts';

const locationOf = (res: { statusCode: number; headers: Record<string, unknown> }) => {
  assert.equal(res.statusCode, 303, 'redirected after the post');
  return String(res.headers.location);
};

test('walkthrough: plan, notice, review, extract link, awards, gap view', async () => {
  const mail = await testMailServer();
  const t = await testApp({ env: { SMTP_URL: mail.url, PUBLIC_URL: 'https://hub.example.gov' } });
  try {
    const doj = await agency(t, 'Department of Justice', 'DOJ');
    await agency(t, 'Department of Labor', 'DOL');
    const staff = t.client();
    await staff.startSession(await staffOf(t, doj, 'member'));
    const chairUser = await t.user('chair');
    const chair = await t.signedIn('chair');

    // The agency enters its plan; a mistake first, shown beside its field and nothing saved.
    const form = await staff.get('/grants/plans/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Department of Justice \(DOJ\)/);
    // States are ticked by name (a box per state, DC and territory), and posted as their codes.
    assert.match(form.body, /<fieldset[^>]*id="field-states"[^>]*><legend class="usa-legend">States<\/legend>/);
    assert.match(form.body, /type="checkbox" name="states" value="MD"\/><label class="usa-checkbox__label" for="[^"]+">Maryland<\/label>/);
    assert.equal((form.body.match(/name="states"/g) ?? []).length, 56, 'the 50 states, DC and five territories');
    staff.cookies.set('lang', 'es');
    assert.match((await staff.get('/grants/plans/new')).body, /<legend class="usa-legend">Estados<\/legend>/);
    staff.cookies.delete('lang');
    const plan = {
      agency_id: doj,
      fiscal_year: '2027',
      programme: 'Services for Victims of Human Trafficking',
      assistance_listing: '16.320',
      opportunity_number: 'O-OVC-2027-00101',
      purpose: 'Comprehensive and specialized services for survivors.',
      populations: ['population.adults', 'population.labor-trafficking'],
      needs: ['need.housing', 'need.legal'],
      states: ['MD', 'VA'],
      estimated_total: '9000000',
      number_of_awards: '12',
      post_date: '2027-01-15',
      close_date: '2027-03-31',
      status: 'planned',
    };
    const bad = await staff.request('POST', '/grants/plans', { form: { ...plan, fiscal_year: 'soon' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="field-fiscal_year-error"[^>]*>must be integer/);
    assert.match(bad.body, /value="Services for Victims of Human Trafficking"/, 'the input is kept');
    const early = await staff.request('POST', '/grants/plans', { form: { ...plan, close_date: '2027-01-01' } });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /id="field-close_date-error"[^>]*>must be on or after the post date \(Jan 15, 2027\)/, 'the date as readers read it');
    staff.cookies.set('lang', 'es');
    const malo = await staff.request('POST', '/grants/plans', { form: { ...plan, states: 'XX' } });
    assert.equal(malo.statusCode, 400);
    assert.match(malo.body, /XX no es un código de estado, DC o territorio de EE\. UU\./);
    const temprano = await staff.request('POST', '/grants/plans', { form: { ...plan, close_date: '2027-01-01' } });
    assert.match(temprano.body, /id="field-close_date-error"[^>]*>debe ser igual o posterior a la fecha de publicación \(15 ene 2027\)/);
    staff.cookies.delete('lang');
    assert.equal((await t.ctx.db.selectFrom('grants_plan').selectAll().execute()).length, 0, 'nothing saved');

    const planUrl = locationOf(await staff.request('POST', '/grants/plans', { form: plan }));
    const planId = planUrl.split('/').pop()!;
    const page = await staff.get(planUrl);
    assert.match(page.body, /Services for Victims of Human Trafficking/);
    assert.match(page.body, /Maryland, Virginia/);
    const saved = (await t.ctx.db.selectFrom('grants_plan').select('states').executeTakeFirstOrThrow()).states;
    assert.deepEqual(typeof saved === 'string' ? JSON.parse(saved) : saved, ['MD', 'VA'], 'kept as codes');
    // A change keeps a new version.
    const edit = await staff.get(`${planUrl}/edit`);
    assert.equal(edit.statusCode, 200);
    assert.deepEqual([...edit.body.matchAll(/name="states" value="(\w\w)" checked/g)].map((m) => m[1]), ['MD', 'VA'], 'the saved states ticked');
    locationOf(await staff.request('POST', `${planUrl}/edit`, { form: { ...plan, version: '1', estimated_total: '9500000' } }));
    assert.match((await staff.get(planUrl)).body, /estimated_total/);

    // It files a notice before the decision; the committee is e-mailed a link, not the text, each member in the
    // language they last used the workspace in.
    const chairEs = await makeUser(t.ctx, 'chair', 'chair-es@test.example');
    await t.db.handle.db.updateTable('users').set({ lang: 'es' }).where('id', '=', chairEs.id).execute();
    const noticeUrl = locationOf(await staff.request('POST', '/grants/notices', { form: { agency_id: doj, plan_id: planId, timing: 'before', subject: 'planned_solicitation', decision_on: '2027-01-15', summary: 'We plan to post the FY 2027 solicitation in January.' } }));
    const noticeId = noticeUrl.split('/').pop()!;
    const sent = mail.received.filter((m) => m.to.includes(chairUser.email));
    assert.equal(sent.length, 1, 'the chair was told');
    assert.match(sent[0].data, new RegExp(`https://hub\\.example\\.gov/grants/notices/${noticeId}`));
    assert.doesNotMatch(sent[0].data, /post the FY 2027 solicitation/, 'the mail carries a link, not the notice');
    assert.match(readMail(sent[0]).body, /before a final grant decision \(decision date Jan 15, 2027\)/);
    const sentEs = mail.received.filter((m) => m.to.includes(chairEs.email)).map(readMail);
    assert.equal(sentEs.length, 1);
    assert.match(sentEs[0].subject, /^Aviso de subvención de .+ \(antes de una decisión\)$/);
    assert.match(sentEs[0].body, /\(fecha de la decisión: 15 ene 2027\)/);
    assert.match(sentEs[0].body, /Léalo y acuse recibo: https:\/\/hub\.example\.gov\/grants\/notices\//);
    assert.ok(!mail.received.some((m) => m.to.some((x) => x.startsWith('member-'))), 'agency staff are not e-mailed');

    // The committee acknowledges and reviews.
    const notice = await chair.get(noticeUrl);
    assert.match(notice.body, /No committee member has acknowledged this notice yet/);
    locationOf(await chair.request('POST', `${noticeUrl}/acknowledge`, { form: {} }));
    locationOf(await chair.request('POST', `${noticeUrl}/acknowledge`, { form: {} }));
    const acked = await chair.get(noticeUrl);
    assert.equal(acked.body.match(new RegExp(`${chairUser.name}, [A-Z][a-z]{2} \\d{1,2}, \\d{4}`, 'g'))?.length, 1, 'one acknowledgement, however often');
    assert.equal((await staff.request('POST', `${noticeUrl}/acknowledge`, { form: {} })).statusCode, 403, 'agency staff do not acknowledge');
    const noComment = await chair.request('POST', `${planUrl}/review`, { form: { version: '2', outcome: 'coordinate' } });
    assert.equal(noComment.statusCode, 400);
    assert.match(noComment.body, /id="field-comment-error"[^>]*>is required/);
    locationOf(await chair.request('POST', `${planUrl}/review`, { form: { version: '2', outcome: 'coordinate', comment: 'Coordinate with DOL on labor trafficking.' } }));
    assert.match((await staff.get(planUrl)).body, /Coordinate with DOL on labor trafficking\./);

    // The daily extract arrives; the opportunity with the plan's number is linked to it.
    await commands.addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    await commands.importExtract(t.ctx, tempFile('extract.xml', extractXml([{ id: '350001', title: 'FY 2027 Services for Victims of Human Trafficking', number: 'O-OVC-2027-00101', listings: ['16.320'], post: '01152027', close: '03312027' }])));
    assert.match((await staff.get(planUrl)).body, /href="\/grants\/funding\/350001"/);
    const pub = await t.client().get('/grants/funding?listing=16.320');
    assert.equal(pub.statusCode, 200);
    assert.match(pub.body, /FY 2027 Services for Victims of Human Trafficking/);
    // Dates as people write them (issue 16), not ISO text: closes Mar 31, 2027; 31 mar 2027 in Spanish.
    assert.match(pub.body, /<td[^>]*>Mar 31, 2027<\/td>/);
    assert.doesNotMatch(pub.body, /2027-03-31/);
    assert.match((await t.client().get('/grants/funding?listing=16.320', { cookie: 'lang=es' })).body, /<td[^>]*>31 mar 2027<\/td>/);
    const opp = (await t.client().get('/grants/funding/350001')).body;
    assert.match(opp, /Jan 15, 2027/);
    assert.doesNotMatch(opp, /2027-0[13]-\d\d/);
    assert.doesNotMatch(opp, /<dd[^>]*>—<\/dd>/, 'empty fields left out (the extract gives no award ceiling)');
    assert.doesNotMatch((await t.client().get('/grants/funding/350001')).body, /\/grants\/plans\//, 'the public do not see the plan');

    // Awards arrive from USAspending's CSV (one refused row) and by hand.
    const csv = [
      'assistance_award_unique_key,award_id_fain,recipient_name,recipient_uei,total_obligated_amount,cfda_number,action_date,awarding_agency_name,awarding_sub_agency_name,primary_place_of_performance_state_code,prime_award_transaction_place_of_performance_county_fips_code,primary_place_of_performance_zip_4',
      'ASST_NON_15POVC27GK00101_1501,15POVC27GK00101,Baltimore Survivor Services,ABCDEFGH1234,750000,16.320,2027-04-02,Department of Justice,Office of Justice Programs,MD,510,21201',
      'ASST_NON_X,X,Nowhere,,100,16.320,2027-04-02,Department of Justice,,ZZ,,',
    ].join('\n');
    const importForm = await chair.get('/grants/awards/import');
    assert.match(importForm.body, /enctype="multipart\/form-data"/);
    assert.match(importForm.body, /<input[^>]*id="field-file"[^>]*type="file"/);
    const upload = (fields: Record<string, string>, data?: Buffer) => postMultipart(t, chair, '/grants/awards/import', fields, data ? [{ field: 'file', filename: 'awards.csv', data }] : []);
    const imported = await upload({}, Buffer.from(csv));
    assert.equal(imported.statusCode, 200, imported.body.slice(0, 500));
    assert.match(imported.body, /1 new, 0 updated, 1 refused/);
    assert.match(imported.body, /<td[^>]*>3<\/td><td[^>]*>primary_place_of_performance_state_code<\/td><td[^>]*>&quot;ZZ&quot; is not a U\.S\. state, DC or territory/);
    // Pasted text still works; a Spanish reader gets the refused row's line, column and reason in Spanish.
    chair.cookies.set('lang', 'es');
    const again = await upload({ csv });
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /0 nuevas, 1 actualizadas, 1 rechazadas/);
    assert.match(again.body, /<td[^>]*>3<\/td><td[^>]*>primary_place_of_performance_state_code<\/td><td[^>]*>&quot;ZZ&quot; no es un estado, DC ni territorio de EE\. UU\./);
    // A file that is not text, or neither file nor text: refused beside the field, in Spanish, nothing changed.
    const before = await snapshotTables(t.ctx, ['grants_award']);
    const notText = await upload({}, Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x0a]));
    assert.equal(notText.statusCode, 400);
    assert.match(notText.body, /id="field-file-error"[^>]*>[^<]*no es texto UTF-8 válido/);
    const nothing = await upload({ csv: '  ' });
    assert.equal(nothing.statusCode, 400);
    assert.match(nothing.body, /elija un archivo CSV o pegue su texto/);
    const noColumns = await upload({}, Buffer.from('a,b\n1,2\n'));
    assert.equal(noColumns.statusCode, 400);
    assert.match(noColumns.body, /no tiene columna para assistance_award_unique_key/);
    assert.equal(await snapshotTables(t.ctx, ['grants_award']), before);
    chair.cookies.delete('lang');
    locationOf(await staff.request('POST', '/grants/awards', { form: { agency_id: doj, plan_id: planId, recipient_name: 'Frederick Legal Aid', amount: '120000', state: 'md', county_fips: '24021', action_date: '2027-05-01' } }));
    const awards = await staff.get('/grants/awards?state=MD');
    assert.match(awards.body, /Baltimore Survivor Services/);
    assert.match(awards.body, /Frederick Legal Aid/);

    // The gap view: Baltimore city and Frederick funded; Allegany neither funded nor covered (the directory is empty).
    const gaps = await staff.get('/grants/gaps?state=MD');
    assert.equal(gaps.statusCode, 200);
    const row = (fips: string) => new RegExp(`\\(${fips}\\)</td>(?:<td[^>]*>[^<]*</td>){3}<td[^>]*>([^<]*)</td>`).exec(gaps.body)?.[1];
    assert.equal(row('24510'), 'No');
    assert.equal(row('24021'), 'No');
    assert.equal(row('24001'), 'Yes');
    assert.match(gaps.body, /<svg/);
    // The map: funded counties shaded, gaps (a need uncovered and no award) hatched over them, both in the legend.
    assert.match(gaps.body, /<path d="M[^"]*" fill="url\(#gap-map-hatch\)"[^>]*><title>Allegany/);
    assert.doesNotMatch(gaps.body, /fill="url\(#gap-map-hatch\)"[^>]*><title>Frederick/, 'a funded county is no gap');
    assert.match(gaps.body, /<\/svg> Gap: a need uncovered and no award \(hatched\)<\/li>/);
    const gapCsv = await staff.get('/api/grants/gaps.csv?state=MD');
    assert.match(gapCsv.body, /^24510,[^,]+,MD,1,750000,\d+,[^,]*,no\r$/m);
    assert.match(gapCsv.body, /^24001,[^,]+,MD,0,0,\d+,[^,]*,yes\r$/m);

    const summary = await staff.get('/grants/summary?fiscal_year=2027');
    assert.match(summary.body, /Notices: 1 filed, 1 on time, 0 late\./);
    assert.match(summary.body, /Maryland/);
  } finally {
    await t.close();
    closeMail();
    await mail.close();
  }
});
