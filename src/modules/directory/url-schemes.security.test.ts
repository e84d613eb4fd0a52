/**
 * Web addresses accept only http, https, mailto and tel (issue 15, finding 9): the HSDS importer took
 * `javascript:` in `service.url` and `organization.website` and served it through `/api/hsds` and as a link on the
 * directory's pages. Now the importer refuses such a value naming its field, addresses already stored from before are
 * cleared by a migration, and a page never makes a link of one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testApp } from '../../platform/testing.ts';
import { systemCtx } from '../../platform/context.ts';
import { isSafeUrl, safeHref } from '../../platform/http/urls.ts';
import { importPath, ImportRefused } from './import.ts';
import { formatOk } from './validate.ts';
import { clearUnsafeUrls } from './migrations/202612050001_directory_safe_urls.ts';

const ORG = '6f0c9a52-5a1e-4b7e-9a31-000000000001';
const SERVICE = '6f0c9a52-5a1e-4b7e-9a31-000000000002';
const HOSTILE = ['javascript:alert(document.cookie)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd'];

function writePackage(dir: string, website: string, url: string) {
  writeFileSync(join(dir, 'organizations.json'), JSON.stringify([{ id: ORG, name: 'Harbor Light Survivor Services', description: 'Victim service provider.', website }]));
  writeFileSync(join(dir, 'services.json'), JSON.stringify([{ id: SERVICE, organization_id: ORG, name: 'Case management', description: 'Case management.', status: 'active', url }]));
}

test('only http, https, mailto and tel addresses are web addresses', () => {
  for (const ok of ['https://example.org/a?b=c', 'http://example.org', 'mailto:help@example.org', 'tel:+1-202-555-0100', 'HTTPS://EXAMPLE.ORG']) {
    assert.equal(isSafeUrl(ok), true, ok);
    assert.equal(formatOk('uri', ok), true, ok);
  }
  for (const bad of HOSTILE) {
    assert.equal(isSafeUrl(bad), false, bad);
    assert.equal(formatOk('uri', bad), false, bad);
    assert.equal(safeHref(bad), undefined, bad);
  }
});

test('the importer refuses javascript: addresses and names the field; nothing is stored', async () => {
  const t = await testApp();
  const dir = mkdtempSync(join(tmpdir(), 'tfh-urls-'));
  try {
    const ctx = systemCtx(t.db.handle, t.ctx.config, 'test');
    writePackage(dir, 'JaVaScRiPt:alert(1)', 'javascript:alert(document.cookie)');
    await assert.rejects(importPath(ctx, dir, { strict: true }), (err: unknown) => {
      assert.ok(err instanceof ImportRefused);
      const fields = err.refusals.map((r) => `${r.field}: ${r.reason}`);
      assert.ok(fields.some((f) => f.startsWith('website:') && /http/.test(f)), fields.join('\n'));
      assert.ok(fields.some((f) => f.startsWith('url:')), fields.join('\n'));
      return true;
    });
    const hsds = await t.client().get(`/api/hsds/services/${SERVICE}`);
    assert.equal(hsds.statusCode, 404, 'the refused service was not stored');

    // The same package with real addresses goes in.
    writePackage(dir, 'https://harborlight.example.org', 'mailto:intake@harborlight.example.org');
    await importPath(ctx, dir);
    const ok = await t.client().get(`/api/hsds/services/${SERVICE}`);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().url, 'mailto:intake@harborlight.example.org');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});

test('addresses stored before the check are cleared, and pages never link them', async () => {
  const t = await testApp();
  const dir = mkdtempSync(join(tmpdir(), 'tfh-urls-'));
  try {
    const ctx = systemCtx(t.db.handle, t.ctx.config, 'test');
    writePackage(dir, 'https://harborlight.example.org', 'https://harborlight.example.org/case');
    await importPath(ctx, dir);
    // As an older import left them.
    const db = t.ctx.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    await db.updateTable('directory_organization').set({ website: 'javascript:alert(1)' }).where('id', '=', ORG).execute();
    await db.updateTable('directory_service').set({ url: ' JAVASCRIPT:alert(2)' }).where('id', '=', SERVICE).execute();

    // A page shows the stored text, never as a link.
    for (const url of [`/directory/organizations/${ORG}`, `/directory/services/${SERVICE}`]) {
      const page = await t.client().get(url);
      assert.equal(page.statusCode, 200, url);
      assert.doesNotMatch(page.body, /href="\s*javascript:/i, url);
    }

    const cleared = await clearUnsafeUrls(t.ctx.db);
    assert.equal(cleared, 2);
    const org = await db.selectFrom('directory_organization').select('website').where('id', '=', ORG).executeTakeFirstOrThrow();
    const svc = await db.selectFrom('directory_service').select('url').where('id', '=', SERVICE).executeTakeFirstOrThrow();
    assert.equal(org.website, null);
    assert.equal(svc.url, null);
    const api = await t.client().get(`/api/hsds/services/${SERVICE}`);
    assert.doesNotMatch(api.body, /javascript:/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
