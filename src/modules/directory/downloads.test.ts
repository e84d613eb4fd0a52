/**
 * The directory as a public HSDS 3.0 data package (issue 20 item 4): anyone fetches /directory/download/datapackage.json
 * and the CSV files it names relative to it; imported back through the directory's importer they give the same
 * directory; confidential locations are redacted. Each file is exported once per state of the directory and answers
 * If-None-Match with 304 until the directory changes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testApp, testDatabase, type TestApp } from '../../platform/testing.ts';
import { systemCtx } from '../../platform/context.ts';
import { addDemoProviders } from './demo.ts';
import { importPath } from './import.ts';
import { count, upsertRows } from './store.ts';
import { uuidv5, TABLE_NAMES } from './model.ts';
import { verifyService } from './commands.ts';

const SHELTER = uuidv5('demo:svc:shelter');
const base = 'http://host/directory/download/datapackage.json';
let t: TestApp;

before(async () => {
  t = await testApp();
  await addDemoProviders(t.ctx);
  // What the API hides with a confidential location, beyond its address: a phone of the service there, a contact of
  // the house with its own phone, and a language spoken at the house.
  const loc = uuidv5('demo:loc:shelter');
  const contact = uuidv5('downloads:contact:shelter');
  await upsertRows(t.ctx.db, 'contact', [{ id: contact, location_id: loc, name: 'House manager Jane Roe' }]);
  await upsertRows(t.ctx.db, 'phone', [
    { id: uuidv5('downloads:phone:sal'), service_at_location_id: uuidv5('demo:sal:shelter'), number: '(202) 555-0177' },
    { id: uuidv5('downloads:phone:contact'), contact_id: contact, number: '(202) 555-0166' },
  ]);
  await upsertRows(t.ctx.db, 'language', [{ id: uuidv5('downloads:lang:shelter'), location_id: loc, name: 'Amharic', code: 'am' }]);
});
after(async () => {
  await t.close();
});

test('anyone downloads the data package: the descriptor, then each CSV it names; imported back they give the same directory, the confidential address left out', async () => {
  const anon = t.client();
  const desc = await anon.get('/directory/download/datapackage.json');
  assert.equal(desc.statusCode, 200, desc.body.slice(0, 200));
  assert.match(String(desc.headers['content-type']), /^application\/json/);
  const pkg = desc.json() as { profile: string; resources: { name: string; path: string; schema: { fields: { name: string }[] } }[] };
  assert.equal(pkg.profile, 'tabular-data-package');
  assert.deepEqual(pkg.resources.map((r) => r.name).sort(), [...TABLE_NAMES].sort());
  const dir = mkdtempSync(join(tmpdir(), 'tfh-pkg-'));
  const db = await testDatabase();
  try {
    writeFileSync(join(dir, 'datapackage.json'), desc.body);
    for (const r of pkg.resources) {
      const url = new URL(r.path, base);
      assert.equal(url.origin + url.pathname.replace(/[^/]+$/, ''), 'http://host/directory/download/', `${r.path} is relative, beside the descriptor`);
      const res = await anon.get(url.pathname);
      assert.equal(res.statusCode, 200, r.path);
      assert.match(String(res.headers['content-type']), /^text\/csv/, r.path);
      assert.equal(res.body.split('\r\n')[0], r.schema.fields.map((f) => f.name).join(','), `${r.path}: header as the descriptor says`);
      assert.doesNotMatch(res.body, /Hidden Lane|555-0199|555-0177|555-0166|Jane Roe|Amharic/, `${r.path}: the confidential address, phones, contact and language are left out`);
      writeFileSync(join(dir, r.path), res.body);
    }
    const ctx = systemCtx(db.handle, db.config, 'test');
    await importPath(ctx, dir);
    assert.ok((await count(t.ctx.db, 'service')) >= 3);
    for (const table of ['service', 'organization', 'location'] as const) assert.equal(await count(ctx.db, table), await count(t.ctx.db, table), `${table} rows after the round trip`);
    const loc = await ctx.db.selectFrom('directory_location').selectAll().where('id', '=', uuidv5('demo:loc:shelter')).executeTakeFirstOrThrow();
    assert.equal(loc.name, 'Confidential location');
    assert.equal(await count(ctx.db, 'address'), (await count(t.ctx.db, 'address')) - 1, 'every address but the shelter');
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await anon.get('/directory/download/nothing.csv')).statusCode, 404);
  assert.equal((await anon.get('/directory/download/services.json')).statusCode, 302, 'the nested JSON stays for signed-in people');
});

test('each file answers If-None-Match with 304 while the directory is unchanged, and is exported once per change', async () => {
  const anon = t.client();
  const first = await anon.get('/directory/download/services.csv');
  const etag = String(first.headers.etag);
  assert.match(etag, /^"[\w-]+"$/, 'a strong ETag');
  const again = await anon.get('/directory/download/services.csv', { 'if-none-match': etag });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  assert.equal((await anon.get('/directory/download/services.csv', { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'weak comparison, in a list');

  // The body comes from the process's copy: a write that bypasses the commands (and so the audit log) is not seen...
  await t.ctx.db.updateTable('directory_service').set({ name: 'Renamed behind the commands' }).where('id', '=', SHELTER).execute();
  const cached = await anon.get('/directory/download/services.csv');
  assert.equal(cached.headers.etag, etag);
  assert.doesNotMatch(cached.body, /Renamed behind the commands/);
  // ...while any command that changes the directory makes a new export, with a new ETag.
  await verifyService(t.ctx, SHELTER);
  const changed = await anon.get('/directory/download/services.csv', { 'if-none-match': etag });
  assert.equal(changed.statusCode, 200);
  assert.notEqual(changed.headers.etag, etag);
  assert.match(changed.body, /Renamed behind the commands/);
  assert.equal((await anon.get('/directory/download/services.csv', { 'if-none-match': String(changed.headers.etag) })).statusCode, 304);
});
