import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { importPath } from './import.ts';
import { verifyService } from './commands.ts';
import { DC_SAMPLE } from './testing.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(async () => {
  await t.close();
});

const run = async (opts: { partial?: boolean } = {}) => {
  const lines: string[] = [];
  const r = await importPath(t.ctx, DC_SAMPLE, { ...opts, progress: (l) => lines.push(l) });
  return { r, compared: lines.some((l) => /^ {2}service: \d+ to write/.test(l)) };
};

test('the same publication again, with no directory write since, is recorded unchanged without comparing its rows; after an audited write every row is compared again and the write undone', async () => {
  const first = await run();
  assert.ok(first.compared);
  const total = Object.values(first.r.counts).reduce((a, b) => a + b, 0);

  const again = await run();
  assert.equal(again.compared, false, 'no row read and compared');
  assert.deepEqual([again.r.added, again.r.changed, again.r.unchanged, again.r.removed], [0, 0, total, 0]);
  assert.deepEqual(again.r.counts, first.r.counts);
  assert.deepEqual(again.r.quarantined, first.r.quarantined);
  assert.deepEqual(again.r.skipped, first.r.skipped);
  assert.notEqual(again.r.importId, first.r.importId);
  const entry = (await (await t.signedIn('admin')).get(`/api/directory/imports/${again.r.importId}`)).json();
  assert.deepEqual([entry.added, entry.changed, entry.unchanged, entry.quarantined, entry.warnings], [0, 0, total, first.r.quarantined.length, first.r.skipped.length]);

  // Other options make another import: compared in full, and then the default options are another again.
  assert.equal((await run({ partial: true })).compared, true);
  assert.equal((await run()).compared, true);
  assert.equal((await run()).compared, false);

  // A directory write since (here a service verified): every row is compared, and the service is as published again.
  const { db } = t.db.handle;
  const svc = await db.selectFrom('directory_service' as never).select(['id' as never, 'assured_date' as never]).limit(1).executeTakeFirstOrThrow() as { id: string; assured_date: string | null };
  await verifyService(t.ctx, svc.id);
  const afterWrite = await run();
  assert.ok(afterWrite.compared);
  assert.equal(afterWrite.r.changed, 1);
  const back = await db.selectFrom('directory_service' as never).select('assured_date' as never).where('id' as never, '=', svc.id as never).executeTakeFirstOrThrow() as { assured_date: string | null };
  assert.equal(back.assured_date === null ? null : String(back.assured_date).slice(0, 10), svc.assured_date === null ? null : String(svc.assured_date).slice(0, 10));
  // And then quick again.
  assert.equal((await run()).compared, false);
});
