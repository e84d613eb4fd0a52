/** The manifests are the whole description of the modules: what the app and the command line are built from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modules } from '../modules/index.ts';
import { installModules, jobsOf } from './module.ts';
import { scanMigrationFolders } from './db/migrator.ts';
import { missingTranslations } from './web/i18n.ts';
import { rolesWith } from './auth/roles.ts';
import { navFor } from './web/view.ts';
import { allJobs } from './jobs/index.ts';

test('every migrations folder of a module is declared by its manifest', () => {
  const declared = modules.flatMap((m) => (m.migrations ? [m.migrations] : [])).sort();
  assert.deepEqual(declared, scanMigrationFolders('modules').sort());
});

test('installing the manifests registers their permissions, links and strings, in both languages', () => {
  installModules(modules);
  for (const m of modules) {
    for (const [permission, roles] of Object.entries(m.permissions ?? {})) assert.deepEqual(rolesWith(permission).sort(), [...roles].sort(), permission);
    assert.ok(m.messages && Object.keys(m.messages.en).length > 0, `${m.name} declares its strings`);
  }
  assert.deepEqual(missingTranslations(), []);
  const hrefs = navFor(null).map((n) => n.href);
  for (const m of modules) for (const n of m.nav ?? []) if (!n.permission) assert.ok(hrefs.includes(n.href), n.href);
});

test('command and job names are unique, and every job has a valid schedule', () => {
  const names = modules.flatMap((m) => (m.commands ?? []).map((c) => c.name));
  assert.equal(new Set(names).size, names.length);
  assert.ok(jobsOf(modules).length >= 4);
  assert.doesNotThrow(() => allJobs(modules));
  assert.throws(() => allJobs([{ name: 'x', register: async () => {}, jobs: [{ name: 'x.bad', description: '', schedule: { dailyAt: '25:00' }, run: async () => {} }] }]), /dailyAt/);
});
