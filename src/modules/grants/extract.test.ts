/**
 * The Grants.gov extract importer: zip or XML, streamed; kept by the watch list; updated by OpportunityID and
 * LastUpdatedDate; forecasts too; linked to plans; malformed XML, another namespace and a damaged zip refused with
 * a clear reason and nothing changed; bad records quarantined with theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testApp, runCli } from '../../platform/testing.ts';
import { ExtractRefused, extractDate } from './extract.ts';
import * as commands from './commands.ts';
import { getOpportunity, listOpportunities } from './store.ts';
import { agency, extractXml, snapshot, tempFile, zipOf, type OppSpec } from './testkit.ts';

const VICTIMS: OppSpec = { id: '350001', title: 'Services for Victims of Human Trafficking', number: 'O-OVC-2027-00101', listings: ['16.320'], post: '01152027', close: '03312027', updated: '01152027' };
const FORECAST: OppSpec = { id: '350002', kind: 'forecast', title: 'Housing for survivors', listings: ['93.598'], post: '04012027', close: '06302027', fiscalYear: 2027, updated: '12012026' };
const KEYWORD: OppSpec = { id: '350003', title: 'Labor rights outreach', listings: ['17.700'], description: 'Outreach to workers at risk of forced labor.', close: '05012027' };
const OTHER: OppSpec = { id: '350004', title: 'Highway bridges', listings: ['20.205'], close: '05012027' };

test('an extract keeps what the watch list names, updates by LastUpdatedDate, links plans, and reads zips', async () => {
  const t = await testApp();
  try {
    const doj = await agency(t, 'Department of Justice', 'DOJ');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const byNumber = await commands.createPlan(t.ctx, { agency_id: doj, fiscal_year: 2027, programme: 'Services for victims', purpose: 'x', nationwide: true, opportunity_number: 'o-ovc-2027-00101', assistance_listing: '16.320' });
    const byListing = await commands.createPlan(t.ctx, { agency_id: hhs, fiscal_year: 2027, programme: 'Housing', purpose: 'x', states: ['CA'], assistance_listing: '93.598' });
    for (const w of [{ kind: 'listing', value: '16.320' }, { kind: 'listing', value: '93.598' }, { kind: 'keyword', value: 'Forced Labor' }]) await commands.addWatch(t.ctx, w);

    const lines: string[] = [];
    const first = await commands.importExtract(t.ctx, tempFile('GrantsDBExtract20270116v2.xml', extractXml([VICTIMS, FORECAST, KEYWORD, OTHER])), { log: (l) => lines.push(l), progressEvery: 2 });
    assert.deepEqual([first.records, first.kept, first.inserted, first.updated, first.unchanged, first.quarantined], [4, 3, 3, 0, 0, 0]);
    assert.ok(lines.some((l) => /^read \d+ records \(\d+\.\d of \d+\.\d MiB\), kept \d+$/.test(l)), `progress lines: ${lines.join(' | ')}`);
    const v = (await getOpportunity(t.ctx.db, '350001'))!;
    assert.equal(v.plan_id, byNumber.id, 'linked by opportunity number');
    assert.equal(v.close_date, '2027-03-31');
    assert.deepEqual(v.matched, ['16.320']);
    const f = (await getOpportunity(t.ctx.db, '350002'))!;
    assert.equal(f.kind, 'forecast');
    assert.equal(f.plan_id, byListing.id, 'linked by Assistance Listing and fiscal year');
    assert.deepEqual((await getOpportunity(t.ctx.db, '350003'))!.matched, ['forced labor']);
    assert.equal(await getOpportunity(t.ctx.db, '350004'), undefined, 'not on the watch list');

    // The next day's extract, zipped: the forecast is now posted (newer LastUpdatedDate), one record is unchanged,
    // and an older copy of another does not overwrite the newer one.
    const posted: OppSpec = { ...FORECAST, kind: 'posted', title: 'Housing for survivors (posted)', updated: '01202027', post: '01202027', close: '04152027' };
    const stale: OppSpec = { ...KEYWORD, title: 'Stale title', updated: '01012026' };
    const zip = tempFile('GrantsDBExtract20270121v2.zip', zipOf('GrantsDBExtract20270121v2.xml', extractXml([VICTIMS, posted, stale])));
    const second = await commands.importExtract(t.ctx, zip);
    assert.deepEqual([second.records, second.kept, second.inserted, second.updated, second.unchanged], [3, 3, 0, 1, 2]);
    assert.equal(second.source, 'GrantsDBExtract20270121v2.xml');
    const now = (await getOpportunity(t.ctx.db, '350002'))!;
    assert.equal(now.kind, 'posted');
    assert.equal(now.close_date, '2027-04-15');
    assert.equal(now.plan_id, byListing.id, 'the link is kept on update');
    assert.equal((await getOpportunity(t.ctx.db, '350003'))!.title, 'Labor rights outreach');

    // Open on a date, by listing, by words.
    assert.equal((await listOpportunities(t.ctx.db, { openOn: '2027-04-01' }, 50, 0)).total, 2);
    assert.equal((await listOpportunities(t.ctx.db, { listing: '16.320' }, 50, 0)).items[0].opportunity_id, '350001');
    assert.equal((await listOpportunities(t.ctx.db, { q: 'LABOR outreach' }, 50, 0)).total, 1);
  } finally {
    await t.close();
  }
});

test('malformed XML, another namespace, a truncated or damaged zip: refused with the reason, nothing changed', async () => {
  const t = await testApp();
  try {
    await commands.addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    // A first good record lands before the damage in each file: it must not be kept.
    const good = extractXml([VICTIMS, { ...KEYWORD, listings: ['16.320'] }]);
    const before = await snapshot(t);
    const cases: [string, string | Buffer, RegExp][] = [
      ['malformed.xml', good.replace('</OpportunityTitle>', '</OpportunityTitel>').replace(/(<OpportunityID>350001)/, '$1'), /not well-formed at line \d+, column \d+/],
      ['cut-off.xml', good.slice(0, good.length - 40), /not well-formed|ends before/],
      ['not-xml.xml', 'OpportunityID,Title\n1,x\n', /not well-formed/],
      ['wrong-ns.xml', extractXml([VICTIMS], 'http://apply.grants.gov/system/OpportunityDetail-V2.0'), /namespace "http:\/\/apply\.grants\.gov\/system\/OpportunityDetail-V2\.0"; a Grants\.gov extract has Grants in namespace/],
      ['no-ns.xml', good.replace(/ xmlns="[^"]+"/, ''), /in no namespace/],
      ['truncated.zip', zipOf('x.xml', good).subarray(0, 200), /zip file is truncated or damaged/],
      ['flipped.zip', (() => { const z = zipOf('x.xml', good); z[60] ^= 0xff; return z; })(), /could not be read to its end|truncated or damaged|not well-formed/],
    ];
    for (const [name, content, reason] of cases) {
      await assert.rejects(commands.importExtract(t.ctx, tempFile(name, content)), (err: unknown) => err instanceof ExtractRefused && reason.test(err.message), name);
      assert.equal(await snapshot(t), before, `${name} changed nothing`);
    }
  } finally {
    await t.close();
  }
});

test('records that are not opportunities are quarantined with their reason; the rest are kept', async () => {
  const t = await testApp();
  try {
    await commands.addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    const xml = extractXml([
      VICTIMS,
      { id: 'ABC', title: 'Bad id', listings: ['16.320'] },
      { id: '350010', title: 'Bad date', listings: ['16.320'], updated: '13452027' },
      { id: '350011', title: 'Bad listing', listings: ['16.32'] },
    ]).replace('</Grants>', '<SomethingElse/></Grants>');
    const r = await commands.importExtract(t.ctx, tempFile('q.xml', xml));
    assert.equal(r.inserted, 1);
    assert.equal(r.quarantined, 4);
    assert.deepEqual(r.quarantine.map((q) => [q.record, q.reason]), [
      [2, 'OpportunityID "ABC" is not up to 20 digits'],
      [3, 'LastUpdatedDate "13452027" is not a date in MMDDYYYY form'],
      [4, 'CFDANumbers "16.32" is not an Assistance Listing number NN.NNN'],
      [5, 'SomethingElse is not a synopsis or forecast record of the extract'],
    ]);
    assert.equal(extractDate('02302027'), undefined);
    assert.equal(extractDate('12312026'), '2026-12-31');
  } finally {
    await t.close();
  }
});

test('taskforce grants import-extract: progress on the command line, exit 1 with the reason for a damaged file', async () => {
  const t = await testApp();
  try {
    await commands.addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    const env = { DATABASE_URL: t.db.config.databaseUrl, SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
    const many = Array.from({ length: 25_000 }, (_, i) => ({ ...OTHER, id: String(400000 + i) }));
    const ok = await runCli(['grants', 'import-extract', tempFile('big.zip', zipOf('big.xml', extractXml([VICTIMS, ...many])))], env);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /read 10000 records \([\d.]+ of [\d.]+ MiB\), kept 1/);
    assert.match(ok.stdout, /25001 records read \(\d+\/s\), 1 kept: 1 new, 0 updated, 0 unchanged; 0 quarantined/);
    const bad = await runCli(['grants', 'import-extract', tempFile('t.zip', Buffer.from('PK\u0003\u0004 not really'))], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /import refused: the zip file is truncated or damaged .*; nothing was imported/);
    const usage = await runCli(['grants', 'import-extract'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr + usage.stdout, /grants import-extract: give one FILE/);
  } finally {
    await t.close();
  }
});
