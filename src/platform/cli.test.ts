/**
 * The real command line, run as a separate process against a fresh, empty database of the kind DATABASE_URL names
 * (a temporary SQLite file when unset).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { openDatabase, type DatabaseHandle } from './db/index.ts';
import { systemCtx } from './context.ts';
import { checkPassword } from './auth/index.ts';
import { emptyDatabase, runCli } from './testing.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'taskforce.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let databaseUrl = '';
let dropDatabase: () => Promise<void> = async () => {};
const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };

before(async () => {
  // An empty database: the commands migrate it themselves.
  const db = await emptyDatabase('tfh_cli');
  databaseUrl = db.url;
  dropDatabase = db.drop;
});

after(() => dropDatabase());

function cli(args: string[], stdin?: string): Promise<Run> {
  return runCli(args, { ...secrets, DATABASE_URL: databaseUrl }, stdin);
}

async function withDb<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, ...secrets, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
  const h = openDatabase(config);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

const userCount = () => withDb(async (h) => Number((await h.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));

test('--help lists the commands', async () => {
  const runs = await Promise.all(['--help', 'help'].map((arg) => cli([arg]).then((r) => [arg, r] as const)));
  for (const [arg, r] of runs) {
    assert.equal(r.code, 0, r.stderr);
    for (const cmd of ['serve', 'migrate', 'seed --demo', 'users add', '--password-stdin']) assert.ok(r.stdout.includes(cmd), `${arg} mentions ${cmd}`);
  }
});

test('every command answers --help and -h with its own lines, opening no database (issue 12)', async () => {
  const { modules } = await import('../modules/index.ts');
  const moduleCommands = new Map(modules.flatMap((m) => m.commands ?? []).map((c) => [c.name, c.help]));
  const names = ['serve', 'migrate', 'seed', 'users', 'backup', 'restore', 'jobs', ...moduleCommands.keys()];
  assert.ok(names.includes('directory') && names.includes('referrals'), 'the modules\' commands are among them');
  // A database that cannot be opened or created: a command that touched it would fail.
  const env = { ...secrets, DATABASE_URL: 'sqlite:/dev/null/no-such-folder/taskforce.db' };
  const asks: string[][] = [];
  for (const name of names) asks.push([name, '--help'], [name, '-h']);
  asks.push(['directory', 'import', '--help'], ['users', 'add', '-h'], ['referrals', 'purge', '--at', '2026-01-01', '--help']);
  for (const args of asks) {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^ {2}${args[0]}\\b`, 'm'), `${args.join(' ')} shows the command's lines`);
    const own = moduleCommands.get(args[0]);
    if (own && args.length === 2) assert.ok(r.stdout.includes(own), `${args.join(' ')} shows all of the command's help`);
    assert.equal(r.stderr, '');
  }
  const sub = await runCli(['directory', 'import', '--help'], env);
  assert.match(sub.stdout, /directory import PATH/);
  assert.doesNotMatch(sub.stdout, /directory export/, 'a subcommand shows its own lines');
  // Through bin/taskforce.js in a process of its own, as a person types it.
  const real = await runCli(['directory', 'import', '--help'], env, '', { process: true });
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /directory import PATH/);
  const unknown = await runCli(['frobnicate', '--help'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  // After `--`, --help is an argument, not a request for help.
  const literal = await runCli(['users', 'unlock', '--', '--help'], env);
  assert.notEqual(literal.code, 0);
});

test('migrate creates the schema on an empty database, then has nothing to do', async () => {
  const first = await cli(['migrate']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /migrated \d{12}_/);
  assert.match(first.stdout, /database is up to date/);
  const second = await cli(['migrate']);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /migrated /);
  assert.equal(await userCount(), 0);
});

test('users add creates an account with the password from standard input', async () => {
  const password = 'a cli password of some length';
  const r = await cli(['users', 'add', '--email', 'Cli.Person@Test.Example', '--name', 'CLI Person', '--role', 'chair', '--org', 'CLI Org', '--password-stdin'], password + '\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /created cli\.person@test\.example \(chair, CLI Org\)/);
  assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the password is never echoed');
  await withDb(async (h) => {
    const config = loadConfig({ ...process.env, ...secrets, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
    const ctx = systemCtx(h, config, 'cli-test');
    const ok = await checkPassword(ctx, 'cli.person@test.example', password);
    assert.equal(ok.ok, true, 'the new account can sign in');
    const wrong = await checkPassword(ctx, 'cli.person@test.example', password + '\n');
    assert.equal(wrong.ok, false, 'the trailing newline from echo is not part of the password');
    const audit = await h.db.selectFrom('audit_events').select(['action', 'actor_label']).where('action', '=', 'user.create').execute();
    assert.equal(audit.length, 1);
    assert.match(String(audit[0].actor_label), /system/);
  });
});

test('bad arguments: exit code 2, a message naming the field or option, and no account created', async () => {
  const before = await userCount();
  const add = (...a: string[]) => ['users', 'add', ...a];
  const good = { email: 'ok@test.example', name: 'Someone', role: 'member', org: 'Org' };
  const args = (over: Partial<typeof good>, drop?: keyof typeof good) =>
    Object.entries({ ...good, ...over })
      .filter(([k]) => k !== drop)
      .flatMap(([k, v]) => [`--${k}`, v]);
  const cases: { name: string; argv: string[]; stdin?: string; says: RegExp }[] = [
    { name: 'missing --email', argv: add(...args({}, 'email'), '--password-stdin'), stdin: 'long enough password', says: /--email/ },
    { name: 'no --password-stdin', argv: add(...args({})), says: /--password-stdin/ },
    { name: 'bad role', argv: add(...args({ role: 'emperor' }), '--password-stdin'), stdin: 'long enough password', says: /role/ },
    { name: 'bad e-mail', argv: add(...args({ email: 'not-an-email' }), '--password-stdin'), stdin: 'long enough password', says: /email/ },
    { name: 'short password', argv: add(...args({}), '--password-stdin'), stdin: 'short', says: /password.*12/ },
    { name: 'unknown option', argv: add(...args({}), '--password-stdin', '--sudo'), stdin: 'long enough password', says: /--sudo/ },
    { name: 'unknown subcommand', argv: ['users', 'remove'], says: /add/ },
    { name: 'unknown command', argv: ['frobnicate'], says: /frobnicate/ },
    { name: 'seed without --demo', argv: ['seed'], says: /--demo/ },
  ];
  // None of these may write, so they run two at a time to keep the test quick.
  const results: Run[] = [];
  for (let i = 0; i < cases.length; i += 2) results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => cli(c.argv, c.stdin)))));
  for (const [i, c] of cases.entries()) {
    const r = results[i];
    assert.equal(r.code, 2, `${c.name}: exit code (stderr: ${r.stderr})`);
    assert.match(r.stderr, c.says, `${c.name}: message`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${c.name}: no stack trace`);
  }
  const dup = await cli(add(...args({ email: 'cli.person@test.example' }), '--password-stdin'), 'long enough password');
  assert.equal(dup.code, 2, dup.stderr);
  assert.match(dup.stderr, /email/);
  assert.equal(await userCount(), before, 'no account was created by any of them');
});

test('a bad environment variable is reported by name with exit code 2', async () => {
  const child = spawn(process.execPath, [BIN, 'migrate'], { cwd: ROOT, env: { ...process.env, ...secrets, DATABASE_URL: databaseUrl, PORT: 'eighty', TASKFORCE_CLI: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 2);
  assert.match(stderr, /PORT/);
});

test('seed --demo loads the demo data with progress lines, once', async () => {
  const r = await cli(['seed', '--demo']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /demo accounts: 1\/\d+/);
  assert.match(r.stdout, /demo data loaded/);
  assert.ok(r.stdout.trim().split('\n').length >= 3, 'several progress lines');
  const again = await cli(['seed', '--demo']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already loaded/);
});
