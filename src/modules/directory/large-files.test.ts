/**
 * Files larger than one JavaScript string can hold (V8's longest string is 2^29 - 24 characters, about 512 MiB; a
 * 500,000-service snapshot as NDJSON is about 730 MB): NDJSON is read line by line from the file's bytes, in UTF-8
 * or Windows-1252; a JSON document or a CSV file that large is refused with its reason, nothing written, not a crash.
 * The limit is lowered for the test (TEXT_LIMITS), so that a few services are "too large".
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSystemDb } from '../../platform/testing.ts';
import { importPath, ImportRefused } from './import.ts';
import { count } from './store.ts';
import { TEXT_LIMITS } from './text-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'tfh-large-'));
const was = TEXT_LIMITS.oneString;
after(() => {
  TEXT_LIMITS.oneString = was;
  rmSync(dir, { recursive: true, force: true });
});

const ORG = '6a0e1f2c-6d1e-4b5a-9c1d-0000000000f0';
const svc = (i: number, name = `Service ${i}`) => ({ id: `6a0e1f2c-6d1e-4b5a-9c1d-00000000000${i}`, name, description: `${name}: food and clothing, weekdays`, status: 'active', organization_id: ORG, organization: { id: ORG, name: 'Large File Network' } });

test('an NDJSON file larger than one string is read line by line (UTF-8 and Windows-1252); a JSON document or CSV file that large is refused by name', async () => {
  await withSystemDb(async (ctx) => {
    TEXT_LIMITS.oneString = 600;
    try {
      const utf8 = join(dir, 'services.ndjson');
      writeFileSync(utf8, [1, 2, 3].map((i) => JSON.stringify(svc(i, i === 2 ? 'Café Comunitario' : undefined))).join('\r\n') + '\n\n');
      const r = await importPath(ctx, utf8);
      assert.equal(r.counts.service, 3);
      const name = await ctx.db.selectFrom('directory_service').select('name').where('id', '=', svc(2).id).executeTakeFirstOrThrow();
      assert.equal(name.name, 'Café Comunitario');

      // Windows-1252: the accent is one byte (0xE9), not UTF-8; the import says how it read the file.
      const latin = join(dir, 'latin.ndjson');
      writeFileSync(latin, Buffer.from([4, 5].map((i) => JSON.stringify(svc(i, i === 5 ? 'Clínica Legal' : undefined))).join('\n') + '\n', 'latin1'));
      const l = await importPath(ctx, latin);
      assert.equal(l.counts.service, 2);
      assert.ok(l.notes.some((n) => /Windows-1252/.test(n)), l.notes.join('; '));
      const accented = await ctx.db.selectFrom('directory_service').select('name').where('id', '=', svc(5).id).executeTakeFirstOrThrow();
      assert.equal(accented.name, 'Clínica Legal');

      // A line that does not parse is named with its line number, as in a smaller file.
      const broken = join(dir, 'broken.ndjson');
      writeFileSync(broken, [JSON.stringify(svc(6)), '{"id": "x", "name": ', JSON.stringify(svc(7))].join('\n'));
      await assert.rejects(importPath(ctx, broken), (e: unknown) => e instanceof ImportRefused && e.refusals.some((x) => x.file === 'broken.ndjson' && x.row === 2 && /not valid JSON/.test(x.reason)));

      // One JSON document that large cannot be parsed whole: refused, named, nothing written.
      const before = await count(ctx.db, 'service');
      const array = join(dir, 'array.json');
      writeFileSync(array, JSON.stringify([8, 9, 6, 7].map((i) => svc(i)), null, 2));
      await assert.rejects(importPath(ctx, array), (e: unknown) => e instanceof ImportRefused && e.refusals.some((x) => x.file === 'array.json' && /too large to read as one JSON document/.test(x.reason) && /NDJSON/.test(x.reason)));
      const folder = mkdtempSync(join(dir, 'csv-'));
      writeFileSync(join(folder, 'services.csv'), 'id,name,status\n' + [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `s${i},${'Service with a long name '.repeat(4)}${i},active`).join('\n'));
      writeFileSync(join(folder, 'organizations.csv'), 'id,name\no1,Org\n');
      await assert.rejects(importPath(ctx, folder), (e: unknown) => e instanceof ImportRefused && e.refusals.some((x) => x.file === 'services.csv' && /too large to read/.test(x.reason)));
      assert.equal(await count(ctx.db, 'service'), before);
    } finally {
      TEXT_LIMITS.oneString = was;
    }
  });
});

test('an NDJSON file with more unreadable lines than a call takes as arguments is refused, each line named, not a crash', async () => {
  await withSystemDb(async (ctx) => {
    const file = join(dir, 'garbled.ndjson');
    // 150,000 lines that are not JSON (a file saved in another format under the .ndjson name).
    writeFileSync(file, 'x\n'.repeat(150_000));
    const err = await importPath(ctx, file).catch((e: unknown) => e);
    assert.ok(err instanceof ImportRefused, String(err));
    assert.equal(err.refusals.length, 150_000);
    assert.deepEqual([err.refusals[0].row, err.refusals.at(-1)!.row], [1, 150_000]);
    assert.equal(await count(ctx.db, 'service'), 0);
  });
});
