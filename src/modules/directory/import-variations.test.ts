/**
 * The ordinary variations real publishers ship (issue 12: "a real 211 package that the team has never seen will be
 * imported the same way"). Each test writes one small package with one variation, imports it as a data manager
 * would, and checks that every service that the data allows goes in, read as the publisher meant it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { withSystemDb } from '../../platform/testing.ts';
import { importPath, readPath, type ImportReport } from './import.ts';
import { allRows } from './store.ts';
import { legacyId, type Row } from './model.ts';

type Files = Record<string, string | Buffer>;

/** A small HSDS 1.1 package as 211s publish it: numeric ids, no UUIDs. */
function base(): Record<string, string> {
  return {
    'organizations.csv': 'id,name,description,url\n1,Casa Esperanza,Refugio y apoyo,www.casa-esperanza.org\n2,Legal Aid Chicago,Free legal help,https://legalaid.example.org\n',
    'services.csv': 'id,organization_id,name,description,status\n10,1,Albergue de emergencia,Camas para mujeres,active\n11,1,Asesoría migratoria,Consultas,active\n12,2,Housing court help,Eviction defence,active\n',
    'locations.csv': 'id,organization_id,name,latitude,longitude\n20,1,Oficina central,41.8781,-87.6298\n21,2,Downtown office,41.8800,-87.6300\n',
    'services_at_location.csv': 'id,service_id,location_id\n30,10,20\n31,11,20\n32,12,21\n',
    'phones.csv': 'id,service_id,number,extension,type\n40,10,(312) 555-0100,,voice\n41,12,(312) 555-0199,,voice\n',
    'physical_addresses.csv': 'id,location_id,address_1,city,state_province,postal_code,country\n50,20,100 W Randolph St,Chicago,IL,60601,US\n51,21,17 N State St,Chicago,IL,60602,US\n',
    'regular_schedules.csv': 'id,service_id,weekday,opens_at,closes_at\n60,10,Monday,9:00,17:00\n61,12,Tuesday,10:00,14:00\n',
  };
}

const SERVICES = ['Albergue de emergencia', 'Asesoría migratoria', 'Housing court help'];

function write(files: Files, dir = mkdtempSync(join(tmpdir(), 'tfh-var-'))): string {
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), body);
  }
  return dir;
}


/** Imports `path` (default policy) and returns the report with the stored rows of the tables asked for. */
async function imported(path: string, tables: string[] = ['service']): Promise<{ r: ImportReport; rows: Record<string, Row[]> }> {
  return withSystemDb(async (ctx) => {
    const r = await importPath(ctx, path);
    const rows: Record<string, Row[]> = {};
    for (const t of tables) rows[t] = await allRows(ctx.db, t as never);
    return { r, rows };
  });
}

const names = (rows: Row[]) => rows.map((s) => s.name as string).sort();

test('the base package, as written, imports whole (the baseline of the variations below)', async () => {
  const dir = write(base());
  try {
    const { r, rows } = await imported(dir, ['service', 'phone', 'schedule', 'address']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.deepEqual([rows.phone.length, rows.schedule.length, rows.address.length], [2, 2, 2]);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV files saved with a UTF-8 byte order mark, and a datapackage.json and JSON files with one, are read', async () => {
  const bom = '\uFEFF';
  const files: Files = Object.fromEntries(Object.entries(base()).map(([f, t]) => [f, bom + t]));
  files['datapackage.json'] = bom + JSON.stringify({ name: 'bom', title: 'HSDS 1.1 package', resources: Object.keys(base()).map((f) => ({ name: f.replace(/s?\.csv$/, ''), path: f })) });
  const dir = write(files);
  const json = write({ 'services.json': bom + JSON.stringify([{ id: legacyId('service', 'j1'), name: 'Refugio JSON', status: 'active' }]) });
  const ndjson = write({ 'services.ndjson': bom + JSON.stringify({ id: legacyId('service', 'j2'), name: 'Refugio NDJSON', status: 'active' }) + '\n' });
  try {
    const { r, rows } = await imported(dir);
    assert.match(r.found, /data package/);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.deepEqual(names((await imported(join(json, 'services.json'))).rows.service), ['Refugio JSON']);
    assert.deepEqual(names((await imported(join(ndjson, 'services.ndjson'))).rows.service), ['Refugio NDJSON']);
  } finally {
    for (const d of [dir, json, ndjson]) rmSync(d, { recursive: true, force: true });
  }
});

test('CSV files in Windows-1252 (Latin-1) keep their accents, and the import says how it read them', async () => {
  const files: Files = base();
  files['services.csv'] = Buffer.from('id,organization_id,name,description,status\n10,1,Albergue de emergencia,Camas para mujeres y niños,active\n11,1,Asesoría migratoria,Información en español,active\n12,2,Housing court help,Eviction defence,active\n', 'latin1');
  files['organizations.csv'] = Buffer.from('id,name,description,url\n1,Casa Esperanza,Refugio — apoyo,www.casa-esperanza.org\n2,Legal Aid Chicago,Free legal help,https://legalaid.example.org\n'.replace('—', '\u2014'), 'utf8');
  // The em dash is 0x97 in Windows-1252 (not in Latin-1): written byte by byte.
  files['organizations.csv'] = Buffer.concat([Buffer.from('id,name,description,url\n1,Casa Esperanza,Refugio ', 'latin1'), Buffer.from([0x97]), Buffer.from(' apoyo,www.casa-esperanza.org\n2,Legal Aid Chicago,Free legal help,https://legalaid.example.org\n', 'latin1')]);
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'organization']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.service.find((s) => s.name === 'Albergue de emergencia')!.description, 'Camas para mujeres y niños');
    assert.equal(rows.organization.find((o) => o.name === 'Casa Esperanza')!.description, 'Refugio \u2014 apoyo');
    assert.ok(r.notes.some((n) => /services\.csv.*Windows-1252/.test(n)), JSON.stringify(r.notes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CRLF line ends and quoted fields holding line breaks and commas', async () => {
  const files: Files = Object.fromEntries(Object.entries(base()).map(([f, t]) => [f, t.replace(/\n/g, '\r\n')]));
  files['services.csv'] = 'id,organization_id,name,description,status\r\n10,1,Albergue de emergencia,"Camas para mujeres,\r\nniños y ""familias""",active\r\n11,1,Asesoría migratoria,Consultas,active\r\n12,2,Housing court help,"Line one\nline two",active\r\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'schedule']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.service.find((s) => s.name === 'Albergue de emergencia')!.description, 'Camas para mujeres,\r\nniños y "familias"');
    assert.equal(rows.schedule.length, 2);
    assert.equal(r.quarantined.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('header names in another case, with spaces or a byte order mark, are the HSDS columns', async () => {
  const files: Files = base();
  files['services.csv'] = '\uFEFF"ID","Organization ID"," Name ",Description,STATUS\n10,1,Albergue de emergencia,Camas,active\n11,1,Asesoría migratoria,Consultas,Active\n12,2,Housing court help,Eviction defence,active\n';
  files['services_at_location.csv'] = 'Id,Service ID,Location-ID\n30,10,20\n31,11,20\n32,12,21\n';
  files['regular_schedules.csv'] = 'ID,Service_ID,Weekday,Opens At,Closes At\n60,10,Monday,9:00,17:00\n61,12,Tuesday,10:00,14:00\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'schedule']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.ok(rows.service.every((s) => s.organization_id), 'organisations named by "Organization ID"');
    assert.equal(rows.service_at_location.length, 3);
    assert.deepEqual(rows.schedule.map((s) => s.opens_at).sort(), ['09:00', '10:00']);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extra columns and files that HSDS does not define are left aside', async () => {
  const files: Files = base();
  files['services.csv'] = 'id,organization_id,name,description,status,x_internal_code,Notes for staff\n10,1,Albergue de emergencia,Camas,active,A1,call first\n11,1,Asesoría migratoria,Consultas,active,A2,\n12,2,Housing court help,Eviction defence,active,,\n';
  files['staff_notes.csv'] = 'who,what\nana,"private"\n';
  files['README.txt'] = 'Exported from our CRM.';
  files['export_log.json'] = '{"exported": "2026-01-01", "rows": 3}';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const HAS_ZIP = spawnSync('zip', ['-v']).status === 0;

test('a zip whose files sit in a nested folder, with __MACOSX/ and .DS_Store entries', { skip: !HAS_ZIP && 'no zip command' }, async () => {
  const files: Files = {};
  for (const [f, t] of Object.entries(base())) {
    files[`Export 2026/hsds/${f}`] = t;
    files[`__MACOSX/Export 2026/hsds/._${f}`] = Buffer.from([0, 5, 22, 7, 0, 2, 0, 0, 0x4d, 0x61, 0x63]);
  }
  files['Export 2026/.DS_Store'] = Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]);
  files['Export 2026/hsds/.DS_Store'] = Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]);
  files['Export 2026/hsds/._services.csv'] = Buffer.from([0, 5, 22, 7, 0xff, 0xfe]);
  const dir = write(files);
  const zip = join(dir, 'export.zip');
  spawnSync('zip', ['-qr', zip, 'Export 2026', '__MACOSX'], { cwd: dir });
  try {
    const { r, rows } = await imported(zip);
    assert.match(r.found, /HSDS 1\.1 CSV .* in a zip/);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file names in another case, and a datapackage.json whose paths differ in case or that leaves files out', async () => {
  const loose: Files = Object.fromEntries(Object.entries(base()).map(([f, t]) => [f.replace(/^./, (c) => c.toUpperCase()), t]));
  const dir = write(loose);
  const files: Files = {};
  for (const [f, t] of Object.entries(base())) files[`data/${f}`] = t;
  // Paths in another case than the files; phones and schedules not listed at all.
  files['datapackage.json'] = JSON.stringify({ name: 'pkg', title: 'HSDS 1.1', resources: [
    { name: 'organization', path: 'Data/Organizations.csv' },
    { name: 'service', path: 'data/SERVICES.csv' },
    { name: 'location', path: 'data/locations.CSV' },
    { name: 'services_at_location', path: 'data/services_at_location.csv' },
    { name: 'physical_address', path: 'data/physical_addresses.csv' },
  ] });
  const pkg = write(files);
  try {
    const a = await imported(dir, ['service', 'phone']);
    assert.deepEqual(names(a.rows.service), SERVICES);
    assert.equal(a.rows.phone.length, 2);
    const b = await imported(pkg, ['service', 'phone', 'schedule', 'address']);
    assert.deepEqual(names(b.rows.service), SERVICES);
    assert.equal(b.rows.address.length, 2);
    // Files beside the listed ones, under HSDS names, are read too (and said).
    assert.equal(b.rows.phone.length, 2);
    assert.equal(b.rows.schedule.length, 2);
    assert.ok(b.r.notes.some((n) => /phones\.csv/.test(n) && /not list/.test(n)), JSON.stringify(b.r.notes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('dates written as MM/DD/YYYY or with a time are read as dates; an impossible one is named, its row quarantined', async () => {
  const svc = (n: string) => legacyId('service', n);
  const rows = [
    { id: svc('a'), name: 'US date', status: 'active', assured_date: '03/15/2025' },
    { id: svc('b'), name: 'With a time', status: 'active', assured_date: '2025-03-15 00:00:00' },
    { id: svc('c'), name: 'ISO instant', status: 'active', assured_date: '2025-03-15T10:20:00Z' },
    { id: svc('d'), name: 'US date and time', status: 'active', assured_date: '3/5/2025 10:20 AM' },
    { id: svc('e'), name: 'Impossible', status: 'active', assured_date: '13/45/2025' },
  ];
  const header = 'id,name,status,assured_date\n';
  const dir = write({ 'services.csv': header + rows.map((r) => [r.id, r.name, r.status, r.assured_date].join(',')).join('\n') + '\n' });
  try {
    const { r, rows: got } = await imported(dir);
    const by = Object.fromEntries(got.service.map((s) => [s.name, s.assured_date]));
    assert.equal(by['US date'], '2025-03-15');
    assert.equal(by['With a time'], '2025-03-15');
    assert.equal(by['ISO instant'], '2025-03-15');
    assert.equal(by['US date and time'], '2025-03-05');
    // A date that is none is quarantined as invalid values always were (import.test.ts), its value named.
    assert.equal(by['Impossible'], undefined);
    assert.deepEqual(r.quarantined.map((q) => [q.file, q.field]), [['services.csv', 'assured_date']]);
    assert.match(r.quarantined[0].reason, /must be a date.*13\/45\/2025/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('coordinates with spaces or a comma as decimal mark are numbers; ones that are not keep the location, without them', async () => {
  const files: Files = base();
  files['locations.csv'] = 'id,organization_id,name,latitude,longitude\n20,1,Oficina central," 41,8781 ","-87,6298"\n21,2,Downtown office,see map,-87.63\n22,2,Typo office,418800,-87.63\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'location', 'service_at_location']);
    assert.deepEqual(names(rows.service), SERVICES);
    const by = Object.fromEntries(rows.location.map((l) => [l.name, l]));
    assert.equal(by['Oficina central'].latitude, 41.8781);
    assert.equal(by['Oficina central'].longitude, -87.6298);
    // Not a number, or out of range: the location stays (with its services), placed at its ZIP code (60602) as
    // any location without coordinates is.
    assert.equal(by['Downtown office'].coordinates_approximate, true);
    assert.ok(Math.abs((by['Downtown office'].latitude as number) - 41.88) < 0.05);
    assert.equal(by['Typo office'].latitude, null);
    assert.equal(rows.service_at_location.length, 3);
    assert.deepEqual(r.skipped.filter((w) => w.file === 'locations.csv').map((w) => [w.row, w.field]), [[3, 'latitude'], [4, 'latitude']]);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('phone numbers with their extension in the number or written "ext. 25"', async () => {
  const files: Files = base();
  files['phones.csv'] = 'id,service_id,number,extension,type\n40,10,(312) 555-0100 ext. 25,,voice\n41,11,312-555-0101 x7,,Voice\n42,12,(312) 555-0199,Ext. 301,\n43,12,1-800-555-0123,,fax\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['phone']);
    const by = Object.fromEntries(rows.phone.map((p) => [p.number, p]));
    assert.deepEqual(Object.keys(by).sort(), ['(312) 555-0100', '(312) 555-0199', '1-800-555-0123', '312-555-0101']);
    assert.equal(by['(312) 555-0100'].extension, 25);
    assert.equal(by['312-555-0101'].extension, 7);
    assert.equal(by['(312) 555-0199'].extension, 301);
    assert.equal(by['1-800-555-0123'].type, 'fax');
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flags written Y/N, Yes/No, 1/0, TRUE/False are read as such', async () => {
  const loc = (n: string) => legacyId('location', n);
  const values = ['Y', 'N', 'Yes', 'no', '1', '0', 'TRUE', 'False', 'x', 't'];
  const expected = [true, false, true, false, true, false, true, false, true, true];
  const dir = write({ 'locations.csv': 'id,location_type,name,confidential\n' + values.map((v, i) => `${loc(String(i))},physical,Place ${i},${v}`).join('\n') + '\n' });
  try {
    const { r, rows } = await imported(dir, ['location']);
    const by = Object.fromEntries(rows.location.map((l) => [l.name, l.confidential]));
    assert.deepEqual(values.map((_, i) => by[`Place ${i}`]), expected);
    assert.equal(r.quarantined.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a flag that is not one is named, its row quarantined, not read as no', async () => {
  const dir = write({ 'locations.csv': `id,location_type,name,confidential\n${legacyId('location', 'm')},physical,Maybe,maybe\n${legacyId('location', 'y')},physical,Yes,Y\n` });
  try {
    const { r, rows } = await imported(dir, ['location']);
    // Read as no, a location meant to be confidential would be shown: the row is quarantined, the value named.
    assert.deepEqual(rows.location.map((l) => l.name), ['Yes']);
    assert.deepEqual(r.quarantined.map((q) => [q.row, q.field]), [[2, 'confidential']]);
    assert.match(r.quarantined[0].reason, /must be yes or no.*maybe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('empty trailing rows and columns, as spreadsheets save them, are no records', async () => {
  const files: Files = {};
  for (const [f, t] of Object.entries(base())) {
    const lines = t.trimEnd().split('\n');
    const width = lines[0].split(',').length;
    files[f] = lines.map((l) => l + ',,').join('\r\n') + '\r\n' + `${','.repeat(width + 1)}\r\n`.repeat(3) + '\r\n';
  }
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'phone']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.phone.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV saved by a spreadsheet set to Spanish (semicolons between fields) is read', async () => {
  const files: Files = Object.fromEntries(Object.entries(base()).map(([f, t]) => [f, t.replace(/,/g, ';')]));
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'location']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.location.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV whose first line names its separator for Excel (sep=; or sep=,) is read, its rows numbered as in the file', async () => {
  const files: Files = Object.fromEntries(Object.entries(base()).map(([f, t]) => [f, f === 'services.csv' ? 'sep=;\r\n' + t.replace(/,/g, ';') + '20;1;;;bogus\n' : 'sep=,\n' + t]));
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'location']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.location.length, 2);
    assert.ok(r.notes.some((n) => /services\.csv: its first line, sep=;, names the separator/.test(n)), r.notes.join(' | '));
    // The bad row is the file's sixth line: the hint, the header, three services, then it.
    assert.deepEqual(r.quarantined.map((q) => [q.file, q.row]), [['services.csv', 6]], JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an HSDS 2.0-style package with singular file names (program.csv), service_attributes.csv and attribute.csv', async () => {
  const b = base();
  const files: Files = {
    'organization.csv': b['organizations.csv'],
    'service.csv': 'id,organization_id,program_id,name,description,status\n10,1,70,Albergue de emergencia,Camas,active\n11,1,,Asesoría migratoria,Consultas,active\n12,2,,Housing court help,Eviction defence,active\n',
    'location.csv': b['locations.csv'],
    'service_at_location.csv': b['services_at_location.csv'],
    'program.csv': 'id,organization_id,name\n70,1,Programa de refugio\n',
    'taxonomy_term.csv': 'id,term,taxonomy\n80,Emergency Shelter,Open Eligibility\n',
    'service_attributes.csv': 'id,service_id,taxonomy_term_id\n90,10,80\n',
    'attribute.csv': 'id,link_id,link_type,taxonomy_term_id\n95,10,category,80\n',
  };
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'program', 'service_at_location', 'attribute']);
    assert.equal(r.format, 'hsds-2.0-csv');
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.program.length, 1);
    assert.equal(rows.service.find((s) => s.name === 'Albergue de emergencia')!.program_id, legacyId('program', '70'));
    assert.equal(rows.service_at_location.length, 3);
    assert.ok(rows.attribute.some((a) => a.link_id === legacyId('service', '10')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an HSDS 3.0 JSON export as one big array and as NDJSON (CRLF), with nested records', async () => {
  const org = { id: legacyId('organization', 'o'), name: 'Casa Esperanza', description: 'Refugio' };
  const services = SERVICES.map((name, i) => ({
    id: legacyId('service', `s${i}`),
    name,
    status: 'active',
    organization: org,
    phones: [{ id: legacyId('phone', `p${i}`), number: '(312) 555-0100' }],
    service_at_locations: [{ id: legacyId('sal', `l${i}`), location: { id: legacyId('location', 'l'), location_type: 'physical', name: 'Oficina', latitude: 41.88, longitude: -87.63 } }],
  }));
  const dir = write({ 'services_full.json': JSON.stringify(services, null, 2), 'export.ndjson': services.map((s) => JSON.stringify(s)).join('\r\n') + '\r\n' });
  try {
    for (const f of ['services_full.json', 'export.ndjson']) {
      const { r, rows } = await imported(join(dir, f), ['service', 'phone', 'location', 'organization']);
      assert.deepEqual(names(rows.service), SERVICES, f);
      assert.equal(rows.phone.length, 3, f);
      assert.equal(rows.location.length, 1, f);
      assert.equal(rows.organization.length, 1, f);
      assert.equal(r.quarantined.length, 0, `${f}: ${JSON.stringify(r.quarantined)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that cannot be read as text is named, in a refusal that does not crash the import', async () => {
  const files: Files = base();
  // UTF-16 with its byte order mark, as Excel's "Unicode text" saves it: read; random bytes: refused, named.
  files['services.csv'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base()['services.csv'], 'utf16le')]);
  const dir = write(files);
  const junk = write({ 'services.json': Buffer.from([0x00, 0x01, 0xff, 0x00, 0x89, 0x50, 0x4e, 0x47]) });
  try {
    const { rows } = await imported(dir);
    assert.deepEqual(names(rows.service), SERVICES);
    const read = await readPath(join(junk, 'services.json'));
    assert.ok(read.ds.refusals.some((x) => x.file === 'services.json' && /not valid JSON/.test(x.reason)), JSON.stringify(read.ds.refusals));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(junk, { recursive: true, force: true });
  }
});

test('statuses and other HSDS words in another case or in Spanish (Active, Available, Activo, Physical, weekly) are the HSDS values', async () => {
  const svc = (n: string) => legacyId('service', n);
  const words = ['Active', 'INACTIVE', 'Activo', 'Temporarily Closed', 'available', 'cerrado temporalmente'];
  const expected = ['active', 'inactive', 'active', 'temporarily closed', 'active', 'temporarily closed'];
  const dir = write({
    'services.csv': 'id,name,status\n' + words.map((w, i) => `${svc(String(i))},Service ${i},${w}`).join('\n') + '\n',
    'locations.csv': `id,location_type,name\n${legacyId('location', 'p')},Physical,Office\n`,
    'schedules.csv': `id,service_id,freq,byday,opens_at,closes_at\n${legacyId('schedule', 's')},${svc('0')},weekly,MO,09:00,17:00\n`,
  });
  const legacy = base();
  legacy['services.csv'] = legacy['services.csv'].replace(',active\n10', ',Activo\n10').replace(/active\n$/, 'No disponible\n');
  const old = write(legacy);
  try {
    const { r, rows } = await imported(dir, ['service', 'location', 'schedule']);
    const by = Object.fromEntries(rows.service.map((s) => [s.name, s.status]));
    assert.deepEqual(words.map((_, i) => by[`Service ${i}`]), expected);
    assert.equal(rows.location[0].location_type, 'physical');
    assert.equal(rows.schedule[0].freq, 'WEEKLY');
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    const b = await imported(old);
    assert.equal(b.rows.service.find((s) => s.name === 'Housing court help')!.status, 'inactive');
    assert.equal(b.r.skipped.filter((w) => w.field === 'status').length, 0, JSON.stringify(b.r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
});

test("a file whose records' id is headed for its table ('Service ID' in services.csv, no id column)", async () => {
  const files = base();
  files['services.csv'] = 'Service ID,Organization ID,Name,Description,Status\n10,1,Albergue de emergencia,Camas,active\n11,1,Asesoría migratoria,Consultas,active\n12,2,Housing court help,Eviction defence,active\n';
  files['organizations.csv'] = files['organizations.csv'].replace(/^id,/, 'organization_id,');
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'phone']);
    assert.deepEqual(rows.service.map((s) => s.id).sort(), ['10', '11', '12'].map((n) => legacyId('service', n)).sort());
    assert.ok(rows.service.every((s) => s.organization_id), 'the organisations are found by their id');
    assert.equal(rows.service_at_location.length, 3);
    assert.equal(rows.phone.length, 2);
    assert.ok(r.notes.some((n) => /services\.csv: its service_id column read as the records' id/.test(n)), JSON.stringify(r.notes));
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a zip holding the CSV files in one folder beside others (docs/, json/) and no datapackage.json', { skip: !HAS_ZIP && 'no zip command' }, async () => {
  const files: Files = { 'docs/README.md': '# Our 211 export', 'docs/fields.csv': 'field,meaning\nid,the id\n', 'logos/.keep': '' };
  for (const [f, t] of Object.entries(base())) files[`csv/${f}`] = t;
  const dir = write(files);
  const zip = join(dir, 'export.zip');
  spawnSync('zip', ['-qr', zip, 'docs', 'csv', 'logos'], { cwd: dir });
  try {
    const { r, rows } = await imported(zip);
    assert.match(r.found, /HSDS 1\.1 CSV folder/);
    assert.deepEqual(names(rows.service), SERVICES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('coordinates written with a hemisphere letter or a degree sign (41.88 N, 87.63° W)', async () => {
  const files = base();
  files['locations.csv'] = 'id,organization_id,name,latitude,longitude\n20,1,Oficina central,41.8781 N,87.6298 W\n21,2,Downtown office,41.88°,-87.63°\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['location']);
    const by = Object.fromEntries(rows.location.map((l) => [l.name, [l.latitude, l.longitude]]));
    assert.deepEqual(by['Oficina central'], [41.8781, -87.6298]);
    assert.deepEqual(by['Downtown office'], [41.88, -87.63]);
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HSDS 3.0 JSON wrapped in an object of lists named for their content ({"services": [...], "organizations": [...]}, {"data": [...]})', async () => {
  const org = { id: legacyId('organization', 'w'), name: 'Casa Esperanza', description: 'Refugio' };
  const services = SERVICES.map((name, i) => ({ id: legacyId('service', `w${i}`), name, status: 'active', organization_id: org.id }));
  const dir = write({ 'export.json': JSON.stringify({ exported: '2026-01-01', organizations: [org], services }), 'services_page.json': JSON.stringify({ data: services, total: 3 }) });
  try {
    const a = await imported(join(dir, 'export.json'), ['service', 'organization']);
    assert.deepEqual(names(a.rows.service), SERVICES);
    assert.equal(a.rows.organization.length, 1);
    assert.ok(a.rows.service.every((s) => s.organization_id === org.id));
    const b = await imported(join(dir, 'services_page.json'));
    assert.deepEqual(names(b.rows.service), SERVICES);
    assert.equal(b.r.quarantined.length, 0, JSON.stringify(b.r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NULL and \\N written by database exports are empty values, not values', async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,program_id,name,description,status,email\n10,1,NULL,Albergue de emergencia,NULL,active,NULL\n11,1,\\N,Asesoría migratoria,Consultas,active,\\N\n12,NULL,NULL,Housing court help,Eviction defence,active,null\n';
  files['locations.csv'] = 'id,organization_id,name,latitude,longitude\n20,1,Oficina central,NULL,NULL\n21,2,Downtown office,41.88,-87.63\n';
  const sv = (n: string) => legacyId('service', n);
  const three = write({ 'services.csv': `id,name,status,assured_date\n${sv('n1')},One,active,NULL\n${sv('n2')},Two,active,2025-01-01\n`, 'locations.csv': `id,location_type,name,confidential\n${legacyId('location', 'n')},physical,Place,NULL\n` });
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'location']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.ok(rows.service.every((s) => s.description !== 'NULL' && s.email === null));
    assert.equal(rows.location.find((l) => l.name === 'Oficina central')!.coordinates_approximate, true);
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
    const b = await imported(three, ['service', 'location']);
    assert.deepEqual(names(b.rows.service), ['One', 'Two']);
    assert.equal(b.rows.location.length, 1);
    assert.equal(b.r.quarantined.length, 0, JSON.stringify(b.r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(three, { recursive: true, force: true });
  }
});

test('US ZIP codes that a spreadsheet stripped of their leading zero (2134 for 02134) are five digits again', async () => {
  const files = base();
  files['locations.csv'] = 'id,organization_id,name,latitude,longitude\n20,1,Oficina central,,\n21,2,Downtown office,41.88,-87.63\n';
  files['physical_addresses.csv'] = 'id,location_id,address_1,city,state_province,postal_code,country\n50,20,1 Main St,Boston,MA,2134,US\n51,21,17 N State St,Chicago,IL,60602,US\n';
  const dir = write(files);
  try {
    const { rows } = await imported(dir, ['address', 'location']);
    assert.deepEqual(rows.address.map((a) => a.postal_code).sort(), ['02134', '60602']);
    const boston = rows.location.find((l) => l.name === 'Oficina central')!;
    assert.equal(boston.coordinates_approximate, true);
    assert.ok(Math.abs((boston.latitude as number) - 42.35) < 0.1, String(boston.latitude));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rows repeated whole, as exports joined to another table repeat them, are one record (they were one service each)', async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,name,description,status\n10,1,Albergue de emergencia,Camas,active\n10,1,Albergue de emergencia,Camas,active\n11,1,Asesoría migratoria,Consultas,active\n12,2,Housing court help,Eviction defence,active\n10,1,Albergue de emergencia,Camas,active\n';
  files['locations.csv'] += '21,2,Downtown office,41.8800,-87.6300\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'location']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.location.length, 2);
    assert.deepEqual(r.skipped.map((w) => [w.file, w.row]), [['services.csv', 3], ['services.csv', 6], ['locations.csv', 4]]);
    assert.ok(r.skipped.every((w) => /the same as row \d+: left out/.test(w.reason)), JSON.stringify(r.skipped));
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('references written as decimals by pandas (10.0 for 10, in a column with gaps) name their records', async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,name,description,status\n10,1.0,Albergue de emergencia,Camas,active\n11,1.0,Asesoría migratoria,Consultas,active\n12,,Housing court help,Eviction defence,active\n';
  files['services_at_location.csv'] = 'id,service_id,location_id\n30,10.0,20.0\n31,11.0,20.0\n32,12.0,21.0\n';
  files['phones.csv'] = 'id,service_id,number,extension,type\n40,10.0,(312) 555-0100,,voice\n41,12.0,(312) 555-0199,,voice\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'phone']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.service.filter((s) => s.organization_id === legacyId('organization', '1')).length, 2);
    assert.equal(rows.service_at_location.length, 3);
    assert.equal(rows.phone.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stray quote that opens a field and never closes it costs its own row, not the whole file', async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,name,description,status\n10,1,Albergue de emergencia,Camas,active\n11,1,"Asesoría migratoria,Consultas,active\n12,2,Housing court help,Eviction defence,active\n13,2,Tenant hotline,"Calls, texts",active\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir);
    assert.deepEqual(names(rows.service), ['Albergue de emergencia', 'Housing court help', 'Tenant hotline']);
    assert.deepEqual(r.quarantined.filter((q) => q.file === 'services.csv').map((q) => [q.row, q.field]), [[3, 'row']]);
    assert.match(r.quarantined[0].reason, /quote.*never closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ids that a spreadsheet wrote in scientific notation (1.2E+11) are the whole numbers, in the records and in the references written either way', async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,name,description,status\n1.2E+11,1,Albergue de emergencia,Camas,active\n1.21E+11,1,Asesoría migratoria,Consultas,active\n1.22e11,2,Housing court help,Eviction defence,active\n';
  files['services_at_location.csv'] = 'id,service_id,location_id\n30,120000000000,20\n31,121000000000,20\n32,1.22E+11,21\n';
  files['phones.csv'] = 'id,service_id,number,extension,type\n40,1.2E+11,(312) 555-0100,,voice\n41,122000000000,(312) 555-0199,,voice\n';
  files['regular_schedules.csv'] = 'id,service_id,weekday,opens_at,closes_at\n60,120000000000,Monday,9:00,17:00\n61,1.22E+11,Tuesday,10:00,14:00\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'phone', 'schedule']);
    assert.deepEqual(rows.service.map((s) => s.id).sort(), ['120000000000', '121000000000', '122000000000'].map((n) => legacyId('service', n)).sort());
    assert.equal(rows.service_at_location.length, 3);
    assert.equal(rows.phone.length, 2);
    assert.equal(rows.schedule.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
    assert.deepEqual(r.notes.filter((n) => /scientific notation/.test(n)).map((n) => n.split(':')[0]).sort(), ['phones.csv', 'schedules.csv', 'services.csv', 'services_at_location.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ids a spreadsheet rounded to 6 digits (1.23457E+11) that fall on one id are quarantined, never merged; the others are read, with a warning', async () => {
  const files = base();
  // 123456789012 and 123457000001 both became 1.23457E+11 when the file went through Excel.
  files['services.csv'] = 'id,organization_id,name,description,status\n1.23457E+11,1,Albergue de emergencia,Camas,active\n1.23457E+11,1,Asesoría migratoria,Consultas,active\n1.23458E+11,2,Housing court help,Eviction defence,active\n';
  files['services_at_location.csv'] = 'id,service_id,location_id\n30,1.23457E+11,20\n32,1.23458E+11,21\n';
  files['phones.csv'] = 'id,service_id,number,extension,type\n41,1.23458E+11,(312) 555-0199,,voice\n';
  files['regular_schedules.csv'] = 'id,service_id,weekday,opens_at,closes_at\n61,1.23458E+11,Tuesday,10:00,14:00\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'phone', 'schedule']);
    assert.deepEqual(rows.service.map((s) => [s.name, s.id]), [['Housing court help', legacyId('service', '123458000000')]]);
    assert.deepEqual([rows.service_at_location.length, rows.phone.length, rows.schedule.length], [1, 1, 1]);
    const collapsed = r.quarantined.filter((q) => q.file === 'services.csv');
    assert.deepEqual(collapsed.map((q) => [q.row, q.field]), [[2, 'id'], [3, 'id']]);
    for (const q of collapsed) assert.match(q.reason, /scientific notation.*1\.23457E\+11, rows 2, 3.*cannot be told apart/);
    // The link naming the id the two records fell on names neither.
    assert.ok([...r.quarantined, ...r.skipped].some((q) => q.file === 'services_at_location.csv' && q.row === 2 && /names no service/.test(q.reason)), JSON.stringify([r.quarantined, r.skipped]));
    assert.ok(r.notes.some((n) => /^services\.csv: .*1\.23457E\+11.*may have been lost/.test(n)), JSON.stringify(r.notes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a record's own id written as a decimal (10.0), as pandas writes it, is the id its references name", async () => {
  const files = base();
  files['services.csv'] = 'id,organization_id,name,description,status\n10.0,1,Albergue de emergencia,Camas,active\n11.0,1,Asesoría migratoria,Consultas,active\n12.0,2,Housing court help,Eviction defence,active\n';
  files['locations.csv'] = 'id,organization_id,name,latitude,longitude\n20.0,1.0,Oficina central,41.8781,-87.6298\n21.0,2,Downtown office,41.8800,-87.6300\n';
  const dir = write(files);
  try {
    const { r, rows } = await imported(dir, ['service', 'service_at_location', 'phone', 'address']);
    assert.deepEqual(rows.service.map((s) => s.id).sort(), ['10', '11', '12'].map((n) => legacyId('service', n)).sort());
    assert.equal(rows.service_at_location.length, 3);
    assert.equal(rows.phone.length, 2);
    assert.equal(rows.address.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dates a spreadsheet saved as Excel serial numbers (45731 for 2025-03-15) are those dates, in date columns only, and said per file', async () => {
  const svc = (n: string) => legacyId('service', n);
  // Excel's 1900 system: 1 is 1900-01-01; 60 is its 1900-02-29, which never was; after it, days since 1899-12-30.
  const dates: [string, string | null][] = [['45731', '2025-03-15'], ['45731.4375', '2025-03-15'], ['1', '1900-01-01'], ['59', '1900-02-28'], ['61', '1900-03-01'], ['2958465', '9999-12-31'], ['60', null], ['2958466', null], ['0', null], ['2025', null]];
  const dir = write({ 'services.csv': 'id,name,alternate_name,status,assured_date\n' + dates.map(([d], i) => `${svc(`x${i}`)},Service ${i},${d},active,${d}`).join('\n') + '\n' });
  const plain = write({ 'services.csv': `id,name,status,assured_date\n${svc('p')},Plain,active,2025-03-15\n` });
  try {
    const { r, rows } = await imported(dir);
    const by = Object.fromEntries(rows.service.map((s) => [s.name, s]));
    dates.forEach(([written, meant], i) => {
      if (meant) {
        assert.equal(by[`Service ${i}`]?.assured_date, meant, written);
        // Only date columns: the same number in a text column stays as written.
        assert.equal(by[`Service ${i}`].alternate_name, written);
      } else assert.equal(by[`Service ${i}`], undefined, written);
    });
    // A four-digit number from 1900 to 2100 is more likely a year than a day in 1905: quarantined, named, as before.
    assert.deepEqual(r.quarantined.map((q) => [q.row, q.field]), [[8, 'assured_date'], [9, 'assured_date'], [10, 'assured_date'], [11, 'assured_date']]);
    assert.match(r.quarantined[0].reason, /must be a date.*\(60\)/);
    assert.deepEqual(r.notes.filter((n) => /Excel serial/.test(n)), ['services.csv: dates written as Excel serial numbers (45731 as 2025-03-15)']);
    assert.ok(!(await imported(plain)).r.notes.some((n) => /Excel serial/.test(n)));
    // The command line's progress says it too.
    const said: string[] = [];
    await withSystemDb((ctx) => importPath(ctx, dir, { progress: (line: string) => said.push(line) }));
    assert.ok(said.some((l) => /services\.csv: dates written as Excel serial numbers/.test(l)), said.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(plain, { recursive: true, force: true });
  }
});

test('CSV tables saved as .tsv or .txt (services.tsv, locations.txt) are read under their HSDS names; other .txt files are not', async () => {
  const tabs = (t: string) => t.replace(/,/g, '\t');
  const files: Files = base();
  delete files['services.csv'];
  delete files['locations.csv'];
  files['services.tsv'] = tabs(base()['services.csv']);
  files['Locations.TXT'] = tabs(base()['locations.csv']);
  files['README.txt'] = 'Exported from our CRM, tab-separated.\n';
  const dir = write(files);
  const pkgFiles: Files = { ...files, 'datapackage.json': JSON.stringify({ name: 'tsv', title: 'HSDS 1.1', resources: [{ name: 'organization', path: 'organizations.csv' }, { name: 'service', path: 'services.tsv' }, { name: 'location', path: 'Locations.TXT' }, { name: 'services_at_location', path: 'services_at_location.csv' }] }) };
  const pkg = write(pkgFiles);
  try {
    const { r, rows } = await imported(dir, ['service', 'location', 'service_at_location']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.location.length, 2);
    assert.equal(rows.service_at_location.length, 3);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.ok(r.notes.some((n) => /services\.tsv as services\.csv/.test(n) && /Locations\.TXT as locations\.csv/.test(n) && !/README/.test(n)), JSON.stringify(r.notes));
    const b = await imported(pkg, ['service', 'location']);
    assert.deepEqual(names(b.rows.service), SERVICES);
    assert.equal(b.rows.location.length, 2);
    assert.equal(b.r.quarantined.length, 0, JSON.stringify(b.r.quarantined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pkg, { recursive: true, force: true });
  }
});

/** The base package split as a 211 exporting one folder per county: north/ and south/, organisation 1 in both. */
function twoFolders(): Files {
  const b = base();
  const lines = (f: string) => b[f].trimEnd().split('\n');
  const files: Files = {};
  const split: Record<string, [number[], number[]]> = {
    'organizations.csv': [[1], [1, 2]],
    'services.csv': [[1, 2], [3]],
    'locations.csv': [[1], [2]],
    'services_at_location.csv': [[1, 2], [3]],
    'phones.csv': [[1], [2]],
    'physical_addresses.csv': [[1], [2]],
    'regular_schedules.csv': [[1], [2]],
  };
  for (const [f, [north, south]] of Object.entries(split)) {
    const l = lines(f);
    files[`north/${f}`] = [l[0], ...north.map((i) => l[i])].join('\n') + '\n';
    files[`south/${f}`] = [l[0], ...south.map((i) => l[i])].join('\n') + '\n';
  }
  // The south's export orders its columns otherwise and adds one, and saves its phones with semicolons.
  files['south/phones.csv'] = (files['south/phones.csv'] as string).replace(/,/g, ';');
  files['south/services.csv'] = 'name,id,organization_id,status,description,url\nHousing court help,12,2,active,Eviction defence,https://legalaid.example.org/housing\n';
  return files;
}

test('a zip holding one folder of HSDS CSV files per county, no datapackage.json, is one publication; folders of different versions are refused, named', { skip: !HAS_ZIP && 'no zip command' }, async () => {
  const dir = write(twoFolders());
  const zip = join(dir, 'export.zip');
  spawnSync('zip', ['-qr', zip, 'north', 'south'], { cwd: dir });
  const mixed: Files = twoFolders();
  for (const f of Object.keys(mixed)) if (f.startsWith('south/')) delete mixed[f];
  const sv = legacyId('service', 's3');
  mixed['south/services.csv'] = `id,name,status\n${sv},Tenant hotline,active\n`;
  mixed['south/addresses.csv'] = `id,location_id,address_1,city,state_province,postal_code,country,address_type\n${legacyId('address', 'a3')},${legacyId('location', 'l3')},1 Main St,Joliet,IL,60432,US,physical\n`;
  const other = write(mixed);
  const mixedZip = join(other, 'export.zip');
  spawnSync('zip', ['-qr', mixedZip, 'north', 'south'], { cwd: other });
  try {
    const { r, rows } = await imported(zip, ['service', 'organization', 'phone', 'schedule', 'address', 'service_at_location']);
    assert.match(r.found, /HSDS 1\.1 CSV .* in a zip/);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.service.find((s) => s.name === 'Housing court help')!.url, 'https://legalaid.example.org/housing');
    assert.deepEqual([rows.organization.length, rows.phone.length, rows.schedule.length, rows.address.length, rows.service_at_location.length], [2, 2, 2, 2, 3]);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    // Organisation 1 in both folders is one record, its repeat said as any repeated row is.
    assert.deepEqual(r.skipped.map((w) => [w.file, w.reason]), [['organizations.csv', 'the same as row 2: left out']]);
    assert.ok(r.notes.includes('2 folders of HSDS 1.1 CSV read as one publication: north/, south/'), JSON.stringify(r.notes));
    assert.ok(r.notes.includes('organizations.csv: rows 2 to 2 are north/organizations.csv, rows 3 to 4 south/organizations.csv'), JSON.stringify(r.notes));
    assert.ok(r.notes.includes('south/phones.csv: fields separated by semicolons'), JSON.stringify(r.notes));
    // The same two folders unpacked, imported as a folder.
    assert.deepEqual(names((await imported(dir)).rows.service), SERVICES);
    // A stray quote in one folder's file costs its row, as in one folder (the headers being the same).
    writeFileSync(join(dir, 'south/services.csv'), 'id,organization_id,name,description,status\n12,2,Housing court help,Eviction defence,active\n13,2,"Tenant hotline,Calls,active\n');
    const stray = await imported(dir);
    assert.deepEqual(names(stray.rows.service), SERVICES);
    assert.deepEqual(stray.r.quarantined.map((q) => [q.file, q.row, q.field]), [['services.csv', 5, 'row']]);
    const read = await readPath(mixedZip);
    assert.deepEqual(read.ds.refusals.map((x) => x.reason), ['holds 2 folders of HSDS CSV files of different versions (north/: HSDS 1.1, south/: HSDS 3.0): import each folder on its own']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('a zip holding one HSDS data package per county, each folder with its datapackage.json, is one publication (only the first was read)', { skip: !HAS_ZIP && 'no zip command' }, async () => {
  const files = twoFolders();
  for (const folder of ['north', 'south']) {
    const own = Object.keys(files).filter((f) => f.startsWith(`${folder}/`)).map((f) => f.slice(folder.length + 1));
    files[`${folder}/datapackage.json`] = JSON.stringify({ name: folder, title: `HSDS 1.1 export, ${folder}`, resources: own.map((f) => ({ name: f.replace(/s?\.csv$/, ''), path: f })) });
  }
  const dir = write(files);
  const zip = join(dir, 'export.zip');
  spawnSync('zip', ['-qr', zip, 'north', 'south'], { cwd: dir });
  try {
    const { r, rows } = await imported(zip, ['service', 'organization']);
    assert.deepEqual(names(rows.service), SERVICES);
    assert.equal(rows.organization.length, 2);
    assert.equal(r.quarantined.length, 0, JSON.stringify(r.quarantined));
    assert.ok(r.notes.includes('2 folders of HSDS 1.1 CSV read as one publication: north/, south/'), JSON.stringify(r.notes));
    // Packages that cannot be joined (HSDS 3.0 JSON) are refused, named, rather than one of them read.
    const json = write({
      'north/datapackage.json': JSON.stringify({ name: 'north', resources: [{ name: 'services', path: 'services.json' }] }),
      'north/services.json': JSON.stringify([{ id: legacyId('service', 'jn'), name: 'North JSON', status: 'active' }]),
      'south/datapackage.json': JSON.stringify({ name: 'south', resources: [{ name: 'services', path: 'services.json' }] }),
      'south/services.json': JSON.stringify([{ id: legacyId('service', 'js'), name: 'South JSON', status: 'active' }]),
    });
    try {
      spawnSync('zip', ['-qr', join(json, 'json.zip'), 'north', 'south'], { cwd: json });
      const read = await readPath(join(json, 'json.zip'));
      assert.deepEqual(read.ds.refusals.map((x) => x.reason), ['holds 2 folders with a datapackage.json (north/, south/) that cannot be read as one publication: import each folder on its own']);
    } finally {
      rmSync(json, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
