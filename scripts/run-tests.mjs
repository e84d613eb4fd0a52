#!/usr/bin/env node
// Finds test files under the given folders and runs them with node's test runner through tsx.
// Node 20's runner does not expand glob patterns itself, so the files are listed here.
//
//   node scripts/run-tests.mjs src              the suite (`npm test`): every *.test.ts except browser tests
//   node scripts/run-tests.mjs --browser src test/e2e
//                                              the browser tests (`npm run test:e2e`): test/e2e and src/**/*.browser.test.ts
//   node scripts/run-tests.mjs --security src  the security tests (`npm run test:security`): src/**/*.security.test.ts,
//                                              one or more per finding of issue 15; they also run in `npm test`
//
// Before the files run, one template database is migrated (scripts/test-template.ts) and every test database is a
// copy of it; with --browser on SQLite, a copy of it with the demo data too, which each browser test's app copies
// (test/e2e/harness.ts startApp). Both are dropped at the end. Accounts made by tests hash passwords at the test cost (PASSWORD_HASH_COST).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const securityOnly = args.includes('--security');
const roots = args.filter((a) => !a.startsWith('--'));
const passThrough = args.filter((a) => a.startsWith('--') && a !== '--browser' && a !== '--security');
const files = [];
const walk = (dir, all) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, all);
    else if (!/\.test\.tsx?$/.test(e.name)) continue;
    else if (securityOnly && !/\.security\.test\.tsx?$/.test(e.name)) continue;
    else if (all || /\.browser\.test\.tsx?$/.test(e.name) === browser) files.push(p);
  }
};
// test/e2e holds browser tests only; under src, the .browser.test.ts files are the browser tests.
for (const r of roots.length ? roots : ['src']) {
  if (statSync(r).isFile()) files.push(r);
  else walk(r, r.replace(/\/$/, '').endsWith('e2e'));
}
// The longest files start first, so that two cores are busy to the end instead of one long file running alone at
// the end: the browser crawls, then files that start real server processes, then the rest by name.
const weight = (f) => {
  const text = readFileSync(f, 'utf8');
  if (/\bcrawl(As)?\(/.test(text)) return 0;
  if (/\bserveProcess\(/.test(text)) return 1;
  return 2;
};
const weights = new Map(files.map((f) => [f, weight(f)]));
files.sort((a, b) => weights.get(a) - weights.get(b) || (a < b ? -1 : a > b ? 1 : 0));
if (!files.length) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const env = { ...process.env };
env.PASSWORD_HASH_COST ??= 'test';
let template;
if (!env.TFH_TEST_TEMPLATE_SQLITE && !env.TFH_TEST_TEMPLATE_PG) {
  const t0 = Date.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/test-template.ts', 'create'], { env, encoding: 'utf8' });
  template = JSON.parse(out.trim().split('\n').pop());
  if (template.sqlite) env.TFH_TEST_TEMPLATE_SQLITE = template.sqlite;
  if (template.postgres) env.TFH_TEST_TEMPLATE_PG = template.postgres;
  console.log(`# template database migrated (${template.migrations} migrations) in ${Date.now() - t0} ms`);
  // The browser tests each start the app with the demo data: load it once, into a copy each file copies again.
  if (browser && template.sqlite) {
    const t1 = Date.now();
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/test-template.ts', 'seed', template.sqlite], { env, encoding: 'utf8' });
    const seeded = JSON.parse(out.trim().split('\n').pop());
    template.seeded = seeded.seeded;
    env.TFH_TEST_SEEDED_SQLITE = seeded.seeded;
    env.TFH_TEST_SEEDED_KEYS = JSON.stringify(seeded.keys);
    console.log(`# demo data loaded into a copy of the template in ${Date.now() - t1} ms`);
  }
}
const dropTemplate = () => {
  if (!template) return;
  try {
    if (template.seeded) execFileSync(process.execPath, ['--import', 'tsx', 'scripts/test-template.ts', 'drop', template.seeded], { env, stdio: 'inherit' });
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/test-template.ts', 'drop', template.sqlite ?? template.postgres], { env, stdio: 'inherit' });
  } catch {
    console.error('could not drop the template database');
  }
  template = undefined;
};

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A test that hangs fails after this long instead of holding the whole run.
// (A browser file, crawls included, gets what `npm run test:e2e` gives it, so that one run alone behaves the same.)
const timeout = process.env.TEST_TIMEOUT_MS ?? (browser ? '1500000' : '180000');
const timeoutFlag = passThrough.some((a) => a.startsWith('--test-timeout')) ? [] : [`--test-timeout=${timeout}`];
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...timeoutFlag, ...passThrough, ...files], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  dropTemplate();
  process.exit(code ?? (signal ? 1 : 0));
});
