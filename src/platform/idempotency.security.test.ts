/**
 * Idempotency keys beyond referrals (issue 15, note): every form built on FormPage and submitForm carries a key, and
 * a form sent twice creates one record. Shown on the structure module's agency form (generic records pages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { csrfFrom, testApp } from './testing.ts';

test('a FormPage form sent twice, one after the other and at once, creates one record', async () => {
  const t = await testApp();
  try {
    const admin = await t.signedIn('admin');
    const count = async () => Number((await sql<{ n: number | string }>`select count(*) as n from structure_agencies where name like 'Office of Double Clicks%'`.execute(t.ctx.db)).rows[0].n);
    for (const [i, parallel] of [false, true].entries()) {
      const page = await admin.get('/structure/agencies/new');
      assert.equal(page.statusCode, 200);
      const key = /name="_idem" value="([^"]+)"/.exec(page.body)?.[1];
      assert.ok(key, 'the form carries an idempotency key');
      admin.csrf = csrfFrom(page.body);
      const form = { _idem: key, name: `Office of Double Clicks ${i}`, kind: 'agency' };
      const send = () => admin.request('POST', '/structure/agencies', { form });
      const [a, b] = parallel ? await Promise.all([send(), send()]) : [await send(), await send()];
      assert.equal(a.statusCode, 303, a.body.slice(0, 400));
      assert.equal(b.statusCode, 303, b.body.slice(0, 400));
      assert.equal(b.headers.location, a.headers.location);
      assert.equal(await count(), i + 1);
    }
  } finally {
    await t.close();
  }
});
