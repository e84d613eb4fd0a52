import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSystemDb } from '../../platform/testing.ts';
import { fillCentroids, groupFindings, importPath, readPath, sameRow, ImportRefused } from './import.ts';
import { directoryCommand, findingsCsv } from './cli.ts';
import { exportDirectory } from './export.ts';
import { count, allRows, SEARCH_INDEX } from './store.ts';
import { TABLES, TABLE_NAMES, readRow, tableOf, type Row } from './model.ts';
import { checkValues, Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { generatedServices, writeGeneratedPackage } from './generate.ts';
import { secondaryIndexes, withoutSecondaryIndexes } from '../../platform/db/bulk.ts';
import { legacyId, uuidv5 } from './model.ts';
import { DC_SAMPLE, SHARED_HSDS, assertHsds } from './testing.ts';
import { extractZip } from './package-reader.ts';
import { spawnSync } from 'node:child_process';

const HEALTHLEADS = join(SHARED_HSDS, 'real', 'healthleads-1.1');
const ILAO = join(SHARED_HSDS, 'real', 'ilao-legal-aid-1.1');
const EXAMPLE_CITY = join(SHARED_HSDS, 'sample-example-city-1.1', 'all_resources');
import { dayList, clockTime } from './legacy.ts';


const tmp = () => mkdtempSync(join(tmpdir(), 'tfh-dir-'));

test('UUID v5 ids are the RFC 4122 ones, and legacy ids map deterministically', () => {
  // The RFC 4122 appendix example: the DNS namespace and "www.example.com".
  assert.equal(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(legacyId('service', '42'), legacyId('service', '42'));
  assert.notEqual(legacyId('service', '42'), legacyId('location', '42'));
  assert.equal(dayList('Monday - Friday'), 'MO,TU,WE,TH,FR');
  assert.equal(dayList('Tuesday & Thursday'), 'TU,TH');
  assert.equal(clockTime('8:30AM'), '08:30');
  assert.equal(clockTime('5:00PM'), '17:00');
});

test('values are checked as the import always did: calendar dates (leap years), UUIDs of any case (stored lower case), own properties only', () => {
  const ds = new Dataset();
  const id = (n: number) => `${String(n).padStart(8, '0')}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`;
  const dates = ['2024-02-29', '2000-02-29', '2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0999-01-01', '2024-1-01', '2024-12-31', '2024-01-00'];
  dates.forEach((d, i) => ds.add('service', { id: id(i), name: 'S', status: 'active', assured_date: d }, { file: 'services.csv', row: i + 1 }));
  const ids = ['ABCDEF01-2345-4ABC-8DEF-0123456789AB', 'abcdef01-2345-4abc-8def-0123456789ag', 'abcdef01-2345-4abc-8def-0123456789a', 'abcdef0102345-4abc-8def-0123456789ab'];
  ids.forEach((v, i) => ds.add('organization', { id: v, name: 'O', description: '' }, { file: 'organizations.csv', row: i + 1 }));
  checkValues(ds);
  const refused = (file: string) => ds.refusals.filter((r) => r.file === file).map((r) => r.row);
  assert.deepEqual(refused('services.csv'), [3, 4, 5, 6, 7, 8, 9, 11]);
  assert.deepEqual(refused('organizations.csv'), [2, 3, 4]);
  assert.equal(ds.get('organization')[0].id, 'abcdef01-2345-4abc-8def-0123456789ab');
  // A row of every column, from the object's own properties: nothing inherited, nothing that is not a column.
  const flat = new Dataset();
  const o = Object.assign(Object.create({ name: 'inherited', description: 'inherited' }), JSON.parse(`{"id": "${id(1)}", "status": "active", "constructor": "x", "extra": 1}`));
  flatten(flat, 'service', o, { file: 'services.json', row: 1 });
  const [row] = flat.get('service');
  assert.deepEqual(Object.keys(row), Object.keys(TABLES.service.columns));
  assert.equal(row.name, undefined);
  assert.equal(row.description, undefined);
  assert.equal(row.status, 'active');
});

test('a stored row and an incoming one are the same when their values read alike (flags as 0/1, numbers as text), whatever the service\'s last_modified', () => {
  const stored: Row = { id: 'a', name: 'Shelter', latitude: '41.5', longitude: -87.25, confidential: 1, coordinates_approximate: 0, location_type: 'physical', description: null };
  const incoming: Row = { id: 'a', name: 'Shelter', latitude: 41.5, longitude: -87.25, confidential: true, coordinates_approximate: false, location_type: 'physical' };
  assert.equal(sameRow('location', stored, incoming), true);
  assert.equal(sameRow('location', stored, { ...incoming, name: 'Shelter ' }), false);
  assert.equal(sameRow('location', stored, { ...incoming, confidential: false }), false);
  assert.equal(sameRow('location', stored, { ...incoming, latitude: 41.6 }), false);
  assert.equal(sameRow('location', stored, { ...incoming, description: '' }), false);
  const service: Row = { id: 'b', name: 'S', status: 'active', last_modified: '2026-01-01T00:00:00.000Z' };
  assert.equal(sameRow('service', service, { ...service, last_modified: '2026-12-05T00:00:00.000Z' }), true);
  assert.equal(sameRow('service', service, { ...service, status: 'inactive' }), false);
  // As storedRows reads a table whole on SQLite: the id, then the compared columns in the table's order.
  const asArray = (row: Row) => [row.id, ...Object.keys(TABLES.service.columns).filter((c) => c !== 'last_modified').map((c) => row[c] ?? null)];
  assert.equal(sameRow('service', asArray(service), { ...service, last_modified: null }), true);
  assert.equal(sameRow('service', asArray(service), { ...service, name: 'T' }), false);
});

test('the DC sample (HSDS 2.0) maps to 57 organizations, 501 services and 220 locations; again updates by id; strict mode refuses it whole', async () => {
  await withSystemDb(async (ctx) => {
    const lines: string[] = [];
    await assert.rejects(importPath(ctx, DC_SAMPLE, { strict: true }), (err: unknown) => {
      assert.ok(err instanceof ImportRefused);
      assert.ok(err.refusals.length > 100);
      const r = err.refusals[0];
      assert.ok(r.file.endsWith('.csv') && r.row > 1 && r.field && /names no/.test(r.reason), JSON.stringify(r));
      return true;
    });
    assert.equal(await count(ctx.db, 'service'), 0, 'nothing imported when refused');

    const report = await importPath(ctx, DC_SAMPLE, { skipBrokenReferences: true, progress: (l) => lines.push(l) });
    assert.equal(await count(ctx.db, 'organization'), 57);
    assert.equal(await count(ctx.db, 'service'), 501);
    assert.equal(await count(ctx.db, 'location'), 220);
    assert.ok(report.skipped.length > 0 && report.skipped.every((s) => s.file && s.row >= 0 && s.field && s.reason));
    assert.ok(lines.some((l) => /service: 501\/501/.test(l)), 'progress lines');
    assert.ok(report.approximateCoordinates > 50, 'ZIP centroids for locations without coordinates');
    const locs = await allRows(ctx.db, 'location');
    const approx = locs.filter((l) => l.coordinates_approximate);
    assert.ok(approx.every((l) => typeof l.latitude === 'number' && (l.latitude as number) > 38 && (l.latitude as number) < 40));
    assert.ok((await count(ctx.db, 'schedule')) > 500);
    assert.ok((await count(ctx.db, 'attribute')) > 1000);

    await importPath(ctx, DC_SAMPLE, { skipBrokenReferences: true });
    assert.equal(await count(ctx.db, 'service'), 501, 'second import updates, not duplicates');
    assert.equal(await count(ctx.db, 'organization'), 57);
  });
});

test('round trip: import, export (JSON and CSV), import again into an empty directory, export: identical', async () => {
  const dir = tmp();
  try {
    let first: Record<string, string> = {};
    const original: Record<string, number> = {};
    await withSystemDb(async (ctx) => {
      await importPath(ctx, DC_SAMPLE, { skipBrokenReferences: true });
      for (const t of TABLE_NAMES) original[t] = await count(ctx.db, t);
      await exportDirectory(ctx.db, 'json', join(dir, 'json1'));
      await exportDirectory(ctx.db, 'csv', join(dir, 'csv1'));
      first = Object.fromEntries(readdirSync(join(dir, 'json1')).map((f) => [f, readFileSync(join(dir, 'json1', f), 'utf8')]));
      const services = JSON.parse(first['services.json']) as unknown[];
      assert.equal(services.length, 501);
      for (const [i, s] of services.entries()) assertHsds('service.json', s, `exported service ${i}`);
      for (const [i, o] of (JSON.parse(first['organizations.json']) as unknown[]).entries()) assertHsds('organization.json', o, `exported organization ${i}`);
    });
    for (const [source, label] of [[join(dir, 'json1'), 'json'], [join(dir, 'csv1'), 'csv']] as const) {
      await withSystemDb(async (ctx) => {
        await importPath(ctx, source);
        assert.equal(await count(ctx.db, 'service'), 501, label);
        assert.equal(await count(ctx.db, 'organization'), 57, label);
        assert.equal(await count(ctx.db, 'location'), 220, label);
        for (const t of TABLE_NAMES) assert.equal(await count(ctx.db, t), original[t], `${label}: ${t} rows after the round trip`);
        await exportDirectory(ctx.db, 'json', join(dir, `json-${label}`));
        // Each import stamps the services it writes with its own time (modified_after finds them): that alone differs.
        const stamp = (text: string) => text.replace(/"last_modified":\s*"[^"]*"/g, '"last_modified": "-"');
        for (const f of Object.keys(first)) assert.equal(stamp(readFileSync(join(dir, `json-${label}`, f), 'utf8')), stamp(first[f]), `${label}: ${f} differs after the round trip`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed publications are refused cleanly, each row named, with nothing imported (unreadable files in any mode, invalid rows with --strict)', async () => {
  const dir = tmp();
  const org = '11111111-1111-4111-8111-111111111111';
  const svc = '22222222-2222-4222-8222-222222222222';
  const cases: [string, Record<string, string>, RegExp][] = [
    ['bad-csv', { 'organizations.csv': 'id,name,description\n"' + org + ',Unclosed,desc\n' }, /not valid CSV|never closed/],
    ['wrong-types', { 'organizations.csv': `id,name,description,year_incorporated\n${org},Org,desc,nineteen\n`, 'services.csv': `id,organization_id,name,status,minimum_age\n${svc},${org},S,active,old\n` }, /must be a number/],
    ['bad-enum', { 'organizations.csv': `id,name,description\n${org},Org,desc\n`, 'services.csv': `id,organization_id,name,status\n${svc},${org},S,sleeping\n` }, /must be one of/],
    ['broken-reference', { 'organizations.csv': `id,name,description\n${org},Org,desc\n`, 'services.csv': `id,organization_id,name,status\n${svc},33333333-3333-4333-8333-333333333333,S,active\n` }, /names no organization/],
    ['oversized', { 'organizations.csv': `id,name,description\n${org},${'x'.repeat(5000)},desc\n` }, /too long/],
    ['missing-required', { 'organizations.csv': `id,name,description\n${org},,desc\n` }, /is required/],
    ['json-broken', { 'services.json': '[{"id": "' + svc + '", "name": "S", "status": "active"' }, /not valid JSON/],
    ['json-types', { 'services.json': JSON.stringify([{ id: svc, name: 'S', status: 'active', minimum_age: 'ten', organization: { id: org, name: 'O', description: 'd' } }]) }, /must be a number/],
    ['ndjson-line', { 'services.ndjson': JSON.stringify({ id: svc, name: 'S', status: 'active' }) + '\n{oops\n' }, /line/],
    ['bad-url', { 'organizations.csv': `id,name,description,website\n${org},Org,desc,not a url\n` }, /absolute URL/],
  ];
  try {
    await withSystemDb(async (ctx) => {
      for (const [name, files, reason] of cases) {
        const d = join(dir, name);
        mkdirSync(d);
        for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
        const path = Object.keys(files).length === 1 && /json$/.test(Object.keys(files)[0]) ? join(d, Object.keys(files)[0]) : d;
        await assert.rejects(importPath(ctx, path, { strict: !/^(bad-csv|json-broken|ndjson-line)$/.test(name) }), (err: unknown) => {
          assert.ok(err instanceof ImportRefused, `${name}: ${String(err)}`);
          assert.ok(err.refusals.some((r) => reason.test(r.reason) || reason.test(r.field)), `${name}: ${JSON.stringify(err.refusals)}`);
          assert.ok(err.refusals.every((r) => r.file && typeof r.row === 'number'), name);
          return true;
        });
        for (const t of TABLE_NAMES) if (t !== 'taxonomy' && t !== 'taxonomy_term') assert.equal(await count(ctx.db, t), 0, `${name}: ${t} must stay empty`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HSDS 1.1 (Example City) imports through the legacy mapping', async () => {
  await withSystemDb(async (ctx) => {
    const r = await importPath(ctx, join(DC_SAMPLE, '..', 'sample-example-city-1.1', 'all_resources'), { skipBrokenReferences: true });
    assert.equal(r.format, 'hsds-1.1-csv');
    assert.ok((await count(ctx.db, 'service')) > 0);
    assert.ok((await count(ctx.db, 'organization')) > 0);
  });
});

test('an import larger than the tables hold loads them without their secondary indexes: every index is back as it was, the rows are the ones checked; a refused or failed load changes nothing', async () => {
  const dir = tmp();
  try {
    await withSystemDb(async (ctx) => {
      const tables = [...TABLE_NAMES.map(tableOf), SEARCH_INDEX];
      const indexes = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await secondaryIndexes(ctx.db, t)] as const)));
      const before = await indexes();
      assert.ok(before.directory_service.length >= 2 && before.directory_attribute.length >= 3, 'the tables have secondary indexes to drop');
      const services = generatedServices(1500);
      const file = join(dir, 'services.ndjson');
      writeGeneratedPackage(file, services, 1500);

      // Refused: one bad row among 1,500 services.
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      const bad = join(dir, 'bad.ndjson');
      writeFileSync(bad, [...lines.slice(0, -1), lines.at(-1)!.replace('"status":"active"', '"status":"sleeping"')].join('\n'));
      await assert.rejects(importPath(ctx, bad, { strict: true }), (err: unknown) => err instanceof ImportRefused && err.refusals.length === 1 && err.refusals[0].row === 1500);
      for (const t of TABLE_NAMES) if (t !== 'taxonomy' && t !== 'taxonomy_term') assert.equal(await count(ctx.db, t), 0, `refused: ${t} stays empty`);

      // Failed while the indexes are dropped: the rollback brings them back and leaves the rows.
      await assert.rejects(
        ctx.db.transaction().execute(async (trx) => {
          await withoutSecondaryIndexes(trx, ['directory_service'], async () => {
            await trx.insertInto('directory_service').values({ id: '44444444-4444-4444-8444-444444444444', name: 'S', status: 'active' }).execute();
            assert.deepEqual(await secondaryIndexes(trx, 'directory_service'), [], 'dropped during the load');
            throw new Error('write failed');
          });
        }),
        /write failed/,
      );
      assert.deepEqual(await indexes(), before, 'indexes after a failed load');
      assert.equal(await count(ctx.db, 'service'), 0);

      const progress: string[] = [];
      await importPath(ctx, file, { progress: (l) => progress.push(l) });
      assert.ok(progress.some((l) => /loading \d+ table\(s\) without their secondary indexes/.test(l)), progress.join('\n'));
      assert.ok(progress.some((l) => /service: 1500\/1500/.test(l)), 'progress lines');
      assert.deepEqual(await indexes(), before, 'the same indexes, names and definitions, after the load');

      const { ds } = await readPath(file);
      fillCentroids(ds);
      checkValues(ds);
      const byId = (a: Row, b: Row) => (String(a.id) < String(b.id) ? -1 : 1);
      for (const t of TABLE_NAMES) {
        if (t === 'taxonomy' || t === 'taxonomy_term') continue;
        const unstamped = (r: Row) => (t === 'service' ? { ...r, last_modified: null } : r);
        assert.deepEqual((await allRows(ctx.db, t)).map(unstamped), ds.get(t).map((r) => unstamped(readRow(t, r))).sort(byId), `${t}: rows as imported`);
      }

      // Again, now that the tables hold as many rows: written in place, with the indexes kept.
      progress.length = 0;
      await importPath(ctx, file, { progress: (l) => progress.push(l) });
      assert.ok(!progress.some((l) => /without their secondary indexes/.test(l)));
      assert.equal(await count(ctx.db, 'service'), 1500);
      assert.deepEqual(await indexes(), before);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const HAS_ZIP = spawnSync('zip', ['-v']).status === 0;
/** A zip of `dir`'s files, made by the zip command (checked: present on the team's machines and CI image). */
function zipOf(dir: string, to: string, inner = '.') {
  const r = spawnSync('zip', ['-qr', to, inner], { cwd: dir });
  assert.equal(r.status, 0, String(r.stderr));
}

test('publications are found as published: a zip, a datapackage.json naming files elsewhere, HSDS 3.0 JSON named for its content, a loose folder', { skip: !HAS_ZIP && 'no zip command' }, async () => {
  const dir = tmp();
  try {
    // A zip of a 1.1 folder, one folder down as publishers zip them.
    mkdirSync(join(dir, 'pkg', 'healthleads'), { recursive: true });
    for (const f of readdirSync(HEALTHLEADS)) writeFileSync(join(dir, 'pkg', 'healthleads', f), readFileSync(join(HEALTHLEADS, f)));
    zipOf(join(dir, 'pkg'), join(dir, 'healthleads.zip'));
    const zipped = await readPath(join(dir, 'healthleads.zip'));
    assert.equal(zipped.format, 'hsds-1.1-csv', JSON.stringify(zipped.ds.refusals));
    assert.equal(zipped.found, 'HSDS 1.1 CSV folder, 12 files in a zip');
    assert.equal(zipped.name, 'healthleads');
    assert.equal(zipped.ds.get('service').length, 6);

    // A datapackage.json whose resources live in a subfolder under other names; one listed file is missing.
    const dp = join(dir, 'dp');
    mkdirSync(join(dp, 'data'), { recursive: true });
    writeFileSync(join(dp, 'data', 'orgs.csv'), readFileSync(join(EXAMPLE_CITY, 'organizations.csv')));
    writeFileSync(join(dp, 'data', 'svc.csv'), readFileSync(join(EXAMPLE_CITY, 'services.csv')));
    writeFileSync(join(dp, 'data', 'sal.csv'), readFileSync(join(EXAMPLE_CITY, 'services_at_location.csv')));
    writeFileSync(join(dp, 'data', 'locs.csv'), readFileSync(join(EXAMPLE_CITY, 'locations.csv')));
    writeFileSync(join(dp, 'datapackage.json'), JSON.stringify({ title: 'Our HSDS 1.1 data', resources: [{ name: 'organization', path: 'data/orgs.csv' }, { name: 'service', path: 'data/svc.csv' }, { name: 'service_at_location', path: 'data/sal.csv' }, { name: 'location', path: 'data/locs.csv' }, { name: 'phone', path: 'data/phones.csv' }, { name: 'evil', path: '../../etc/passwd' }] }));
    const pkg = await readPath(dp);
    assert.equal(pkg.format, 'hsds-1.1-csv');
    assert.equal(pkg.found, 'HSDS 1.1 CSV data package, 4 resources');
    assert.ok(pkg.notes.some((n) => /lists data\/phones\.csv, which the package does not contain/.test(n)), pkg.notes.join('\n'));
    assert.ok(pkg.notes.some((n) => /evil.*not a file inside the package/.test(n)), pkg.notes.join('\n'));
    assert.equal(pkg.ds.get('service').length, 13);
    assert.equal(pkg.ds.get('service_at_location').length, 13);

    // The spec's JSON examples: each file read as what its name says (organization_full, *_list envelopes, tabular).
    const json = await readPath(join(SHARED_HSDS, 'spec-3.0', 'examples'));
    assert.equal(json.found, 'HSDS 3.0 JSON folder, 13 files');
    assert.equal(json.ds.get('service').length, 1, 'one service, though seven files hold it');
    assert.equal(json.ds.get('organization').length, 1);
    assert.equal(json.ds.get('taxonomy').length, 1);
    assert.equal(json.ds.refusals.length, 0, JSON.stringify(json.ds.refusals));

    // A zip entry that would land outside the folder it is unpacked in: nothing is unpacked, the reason is given.
    mkdirSync(join(dir, 'slip', 'aa'), { recursive: true });
    writeFileSync(join(dir, 'slip', 'aa', 'services.csv'), 'id,name\n');
    zipOf(join(dir, 'slip'), join(dir, 'slip.zip'), 'aa/services.csv');
    const bytes = readFileSync(join(dir, 'slip.zip'));
    writeFileSync(join(dir, 'slip.zip'), Buffer.from(bytes.toString('latin1').replaceAll('aa/services.csv', '../services.csv'), 'latin1'));
    const slip = await readPath(join(dir, 'slip.zip'));
    assert.equal(slip.ds.refusals.length, 1);
    assert.match(slip.ds.refusals[0].reason, /zip/);
    assert.ok(!readdirSync(dir).includes('services.csv'));
    await assert.rejects(extractZip(join(dir, 'healthleads.zip'), mkdtempSync(join(dir, 'small-')), { entries: 100, bytes: 1000, entryBytes: 1000 }), /more than/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every public dataset imports as published, without --strict, with no service lost; again it writes nothing; a removed schedule row rewrites no other', async () => {
  const dir = tmp();
  try {
    await withSystemDb(async (ctx) => {
      // [path, what was found, services imported, services quarantined (with why)]
      const cases: [string, string, number, number][] = [
        [DC_SAMPLE, 'HSDS 2.0 CSV folder, 15 files', 501, 0],
        [EXAMPLE_CITY, 'HSDS 1.1 CSV data package, 22 resources', 13, 0],
        [join(SHARED_HSDS, 'sample-example-city-1.1', 'simple'), 'HSDS 1.1 CSV data package, 5 resources', 13, 0],
        // 430 rows; one is blank but for its organisation id (no id, no name): quarantined, not a service lost.
        [ILAO, 'HSDS 1.1 CSV folder, 6 files', 429, 1],
        [HEALTHLEADS, 'HSDS 1.1 CSV folder, 12 files', 6, 0],
        [join(SHARED_HSDS, 'spec-3.0', 'examples'), 'HSDS 3.0 JSON folder, 13 files', 1, 0],
        [join(SHARED_HSDS, 'spec-3.0', 'examples', 'csv'), 'HSDS 3.0 CSV folder, 21 files', 1, 0],
      ];
      let services = 0;
      for (const [path, found, n, q] of cases) {
        const r = await importPath(ctx, path);
        assert.equal(r.found, found, path);
        assert.equal(r.counts.service, n, `${path}: services`);
        assert.equal(new Set(r.quarantined.filter((f) => f.file === 'services.csv').map((f) => f.row)).size, q, `${path}: ${JSON.stringify(groupFindings(r.quarantined))}`);
        assert.ok(r.added + r.changed + r.unchanged > 0, path);
        const again = await importPath(ctx, path);
        assert.equal(again.added + again.changed, 0, `${path}: unchanged the second time`);
        assert.equal(again.unchanged, r.added + r.changed + r.unchanged, path);
        services = await count(ctx.db, 'service');
      }
      // The example-city samples share their services (same ids); the spec's JSON and CSV examples too.
      assert.equal(services, 501 + 13 + 429 + 6 + 1);

      // ILAO: phone rows have no ids, schedules neither; every location's services were derived from shared ids.
      const blank = (await importPath(ctx, ILAO)).quarantined.find((f) => f.file === 'services.csv');
      assert.deepEqual([blank?.field, blank?.reason], ['name', 'is required']);
      const ilaoService = legacyId('service', '135836');
      const hsds = await allRows(ctx.db, 'service_at_location');
      assert.ok(hsds.some((s) => s.service_id === ilaoService), 'derived services_at_location');
      // Healthleads: "Available" is active; services_taxonomy's taxonomy_id names the term.
      const hl = (await allRows(ctx.db, 'service')).find((s) => s.id === legacyId('service', 'a0j2K00000CXsArQAL'));
      assert.equal(hl?.status, 'active');
      assert.ok((await allRows(ctx.db, 'attribute')).some((a) => a.link_id === hl?.id && a.taxonomy_term_id === legacyId('taxonomy_term', 'a14A0000002ndMaIAI')));
      // Every service written carries the import's time, so that modified_after finds it.
      assert.ok((await allRows(ctx.db, 'service')).every((s) => typeof s.last_modified === 'string'));

      // Six schedule rows removed from ILAO's file: no other row is written again.
      const copy = join(dir, 'ilao');
      mkdirSync(copy);
      for (const f of readdirSync(ILAO)) writeFileSync(join(copy, f), readFileSync(join(ILAO, f)));
      const lines = readFileSync(join(copy, 'regular_schedules.csv'), 'utf8').split('\n');
      writeFileSync(join(copy, 'regular_schedules.csv'), [...lines.slice(0, 5), ...lines.slice(11)].join('\n'));
      const schedules = await count(ctx.db, 'schedule');
      const less = await importPath(ctx, copy, { source: 'ilao-legal-aid-1.1' });
      assert.equal(less.added + less.changed, 0, 'ids derived from content do not move when rows are removed');
      assert.equal(less.removed, 6, 'the six rows the source no longer gives are removed');
      assert.equal(await count(ctx.db, 'schedule'), schedules - 6);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('by default invalid rows are quarantined with their reason and the rest goes in; grouped findings; --strict refuses all', async () => {
  const dir = tmp();
  const org = '11111111-1111-4111-8111-111111111111';
  const svc = (n: number) => `22222222-2222-4222-8222-22222222222${n}`;
  try {
    await withSystemDb(async (ctx) => {
      writeFileSync(join(dir, 'organizations.csv'), `id,name,description\n${org},Org,desc\n`);
      writeFileSync(join(dir, 'services.csv'), `id,organization_id,name,status\n${svc(1)},${org},Good,active\n${svc(2)},${org},Bad,sleeping\n${svc(3)},${org},Bad too,asleep\n${svc(4)},33333333-3333-4333-8333-333333333333,Orphan,active\n`);
      writeFileSync(join(dir, 'phones.csv'), `id,service_id,number\n44444444-4444-4444-8444-444444444441,${svc(2)},555\n`);
      const loc = '55555555-5555-4555-8555-555555555555';
      writeFileSync(join(dir, 'locations.csv'), `id,location_type,name\n${loc},physical,Office\n`);
      writeFileSync(join(dir, 'addresses.csv'), `id,location_id,address_1,city,state_province,postal_code,country,address_type\n66666666-6666-4666-8666-666666666661,${loc},1 Main St,,IL,,US,physical\n66666666-6666-4666-8666-666666666662,${loc},,Chicago,IL,60601,US,postal\n`);
      await assert.rejects(importPath(ctx, dir, { strict: true }), ImportRefused);
      assert.equal(await count(ctx.db, 'service'), 0);
      const r = await importPath(ctx, dir);
      assert.equal(await count(ctx.db, 'service'), 2, 'the good service and the one whose organisation is missing');
      const orphan = (await allRows(ctx.db, 'service')).find((s) => s.id === svc(4));
      assert.equal(orphan?.organization_id, null);
      assert.ok(r.skipped.some((f) => f.field === 'organization_id' && /kept without one/.test(f.reason)));
      const groups = groupFindings(r.quarantined);
      assert.deepEqual(groups.map((g) => [g.file, g.field, g.reason, g.count]), [
        ['services.csv', 'status', 'must be one of: active, inactive, defunct, temporarily closed', 2],
        ['addresses.csv', 'address_1', 'is required', 1],
        ['phones.csv', 'service_id', 'names no service', 1],
      ]);
      // An address with a street but no city or postal code is incomplete: kept, with a warning for each part.
      const [address] = await allRows(ctx.db, 'address');
      assert.deepEqual([address.address_1, address.city, address.postal_code], ['1 Main St', '', '']);
      assert.deepEqual(r.skipped.filter((f) => f.file === 'addresses.csv').map((f) => f.field), ['city', 'postal_code']);
      assert.equal(await count(ctx.db, 'phone'), 0, 'a phone of a quarantined service is quarantined too');
      const csv = findingsCsv(r.quarantined, r.skipped);
      assert.match(csv, /^kind,file,row,field,reason\r\nquarantined,services.csv,3,status,/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a location published without its location_type (a 1.x-era package read as 3.0, HSDS 3.0 JSON) is kept as physical with a warning, and its services keep their place; an unknown type is still quarantined', async () => {
  const dir = tmp();
  const org = '11111111-1111-4111-8111-111111111112';
  const svc = '22222222-2222-4222-8222-222222222229';
  const loc = (n: number) => `55555555-5555-4555-8555-55555555555${n}`;
  try {
    await withSystemDb(async (ctx) => {
      writeFileSync(join(dir, 'organizations.csv'), `id,name,description\n${org},Sanctuary,Housing help\n`);
      writeFileSync(join(dir, 'services.csv'), `id,organization_id,name,status\n${svc},${org},Helpline,Active\n`);
      writeFileSync(join(dir, 'locations.csv'), `id,organization_id,name,latitude,longitude\n${loc(1)},${org},Sanctuary on 5th Street,41.88,-87.63\n`);
      writeFileSync(join(dir, 'service_at_location.csv'), `id,service_id,location_id\n66666666-6666-4666-8666-666666666669,${svc},${loc(1)}\n`);
      const r = await importPath(ctx, dir);
      assert.deepEqual(r.quarantined, [], 'nothing quarantined');
      const [location] = await allRows(ctx.db, 'location');
      assert.equal(location.location_type, 'physical');
      assert.ok(r.skipped.some((f) => f.file === 'locations.csv' && f.row === 2 && f.field === 'location_type' && /read as physical/.test(f.reason)), JSON.stringify(r.skipped));
      assert.equal(await count(ctx.db, 'service_at_location'), 1, 'the service keeps its place');

      // HSDS 3.0 JSON: the same; a type that is none of HSDS's is still refused.
      const json = join(dir, 'services.json');
      writeFileSync(json, JSON.stringify([{ id: '22222222-2222-4222-8222-22222222222a', name: 'Pantry', status: 'active', organization: { id: org, name: 'Sanctuary' }, service_at_locations: [{ id: '66666666-6666-4666-8666-66666666666a', location: { id: loc(2), name: 'Church hall', location_type: '' } }, { id: '66666666-6666-4666-8666-66666666666b', location: { id: loc(3), name: 'Web', location_type: 'online' } }] }]));
      const j = await importPath(ctx, json);
      assert.equal((await allRows(ctx.db, 'location')).find((l) => l.id === loc(2))?.location_type, 'physical');
      assert.ok(j.quarantined.some((f) => f.field === 'location_type' && /must be one of/.test(f.reason)), 'an unknown type is quarantined as before');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HSDS 3.0 JSON with ids that are not UUIDs (svc-1, 12345, a number): each given a UUID derived from it, the same on every import, references kept; said once per file', async () => {
  const dir = tmp();
  try {
    await withSystemDb(async (ctx) => {
      const file = join(dir, 'services.json');
      writeFileSync(file, JSON.stringify([
        { id: 'svc-1', name: 'Food Pantry', status: 'active', organization_id: 'org-1', organization: { id: 'org-1', name: 'Food Bank' }, phones: [{ id: 'ph-1', number: '312-555-0100' }], service_at_locations: [{ id: 'sal-1', location: { id: 77, name: 'Church hall', location_type: 'physical' } }] },
        { id: 12345, name: 'Shelter', status: 'active', organization_id: 'org-1' },
        { id: '6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F', name: 'Clinic', status: 'active', organization_id: 'org-1' },
      ]));
      const r = await importPath(ctx, file);
      assert.deepEqual(r.quarantined, [], JSON.stringify(r.quarantined.slice(0, 3)));
      assert.equal(r.counts.service, 3);
      const services = await allRows(ctx.db, 'service');
      const pantry = services.find((s) => s.name === 'Food Pantry')!;
      assert.equal(pantry.id, legacyId('service', 'svc-1'), 'the same UUID the 1.1 and 2.0 mappings derive');
      assert.equal(services.find((s) => s.name === 'Shelter')!.id, legacyId('service', '12345'));
      assert.equal(services.find((s) => s.name === 'Clinic')!.id, '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', 'a UUID is kept (in lower case)');
      assert.ok(services.every((s) => s.organization_id === legacyId('organization', 'org-1')), 'references follow their records');
      const [phone] = await allRows(ctx.db, 'phone');
      assert.equal(phone.service_id, pantry.id);
      const [place] = await allRows(ctx.db, 'service_at_location');
      assert.deepEqual([place.service_id, place.location_id], [pantry.id, legacyId('location', '77')]);
      assert.ok(r.notes.some((n) => /services\.json: 6 ids that are not UUIDs/.test(n) && /svc-1/.test(n)), r.notes.join(' | '));
      const again = await importPath(ctx, file, { strict: true });
      assert.deepEqual([again.added, again.changed], [0, 0], 'the same ids again');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('taskforce directory import --help prints the help; the CLI groups what it quarantined and writes the full list with --report', async () => {
  const dir = tmp();
  try {
    await withSystemDb(async (ctx) => {
      const out: string[] = [];
      assert.equal(await directoryCommand(['import', '--help'], async () => ctx, (l) => out.push(l)), 0);
      assert.match(out.join('\n'), /directory import PATH \[--source NAME\] \[--partial\] \[--strict\] \[--report FILE\][^]*--partial for a delta$/);
      await assert.rejects(directoryCommand(['import', ILAO, '--report', ' '], async () => ctx, () => {}), /--report needs a FILE/);
      out.length = 0;
      const report = join(dir, 'report.csv');
      assert.equal(await directoryCommand(['import', ILAO, '--skip-broken-references', '--report', report], async () => ctx, (l) => out.push(l)), 0);
      const text = out.join('\n');
      assert.match(text, /found HSDS 1\.1 CSV folder, 6 files/);
      assert.match(text, /checking \d+ row\(s\)/);
      assert.match(text, /^warning 447 × locations\.csv organization_id: names no organization$/m);
      assert.equal(text.match(/^ {4}e\.g\. row \d+: names no organization/gm)?.length, 6, 'three examples for each of the two groups');
      assert.match(text, /from ilao-legal-aid-1\.1 in [\d.]+ s: added \d+, changed 0, unchanged 0, removed 0, quarantined 1, warnings 840/);
      await assert.rejects(directoryCommand(['import', ILAO, '--source', ''], async () => ctx, () => {}), /--source must not be empty/);
      assert.equal(readFileSync(report, 'utf8').trim().split('\r\n').length, 1 + 1 + 840);
      // Malformed input: refused whole, grouped, the full list in the report, nothing written.
      const before = await count(ctx.db, 'service');
      const bad = join(dir, 'bad');
      mkdirSync(bad);
      writeFileSync(join(bad, 'services.ndjson'), '{"id": 1}\n{oops\n{also bad\n');
      out.length = 0;
      assert.equal(await directoryCommand(['import', join(bad, 'services.ndjson'), '--report', report], async () => ctx, (l) => out.push(l)), 1);
      assert.match(out.join('\n'), /^refused 2 × services\.ndjson line: is not valid JSON: /m);
      assert.match(out.join('\n'), /import refused: \d+ row\(s\); nothing was imported/);
      assert.match(readFileSync(report, 'utf8'), /^kind,file,row,field,reason\r\nrefused,services\.ndjson,2,line,/);
      assert.equal(await count(ctx.db, 'service'), before);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full import from a source makes the services it no longer lists inactive, with the date they left; --partial removes nothing; a service listed again comes back', async () => {
  const dir = tmp();
  const org = '11111111-1111-4111-8111-111111111111';
  const svc = (n: number) => `22222222-2222-4222-8222-22222222222${n}`;
  const write = (ns: number[]) => writeFileSync(join(dir, 'services.csv'), `id,organization_id,name,status\n${ns.map((n) => `${svc(n)},${org},Service ${n},active`).join('\n')}\n`);
  try {
    await withSystemDb(async (ctx) => {
      writeFileSync(join(dir, 'organizations.csv'), `id,name,description\n${org},Org,desc\n`);
      const status = async () => Object.fromEntries((await allRows(ctx.db, 'service')).map((s) => [s.id.slice(-1), s.status]));
      write([1, 2, 3]);
      const first = await importPath(ctx, dir, { source: 'metro-211' });
      assert.equal(first.source, 'metro-211');
      write([1, 3]);
      const second = await importPath(ctx, dir, { source: 'metro-211' });
      assert.deepEqual(second.left, [svc(2)]);
      assert.equal(second.removed, 1);
      assert.deepEqual(await status(), { 1: 'active', 2: 'inactive', 3: 'active' });
      const db = ctx.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      const left = await db.selectFrom('directory_service_source').select(['left_at', 'source']).where('service_id', '=', svc(2)).executeTakeFirstOrThrow();
      assert.equal(left.source, 'metro-211');
      assert.ok(typeof left.left_at === 'string' && Date.parse(left.left_at) > Date.now() - 60_000, String(left.left_at));
      const again = await importPath(ctx, dir, { source: 'metro-211' });
      assert.deepEqual([again.added, again.changed, again.removed, again.unchanged], [0, 0, 0, 3], 'unchanged: nothing written');
      // Another source listing service 3 does not make metro-211's services leave.
      write([4]);
      await importPath(ctx, dir, { source: 'other', partial: true });
      assert.deepEqual(await status(), { 1: 'active', 2: 'inactive', 3: 'active', 4: 'active' });
      write([2]);
      const delta = await importPath(ctx, dir, { source: 'metro-211', partial: true });
      assert.equal(delta.removed, 0);
      assert.deepEqual(await status(), { 1: 'active', 2: 'active', 3: 'active', 4: 'active' }, 'listed again: back, and --partial made nothing leave');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
