import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './platform/db/index.ts';
import { migrate } from './platform/db/migrator.ts';
import { systemCtx, type Ctx } from './platform/context.ts';
import { countUsers, createUser, getUserByEmail, unlockAccount } from './platform/auth/index.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './platform/seed.ts';
import { HttpError } from './platform/http/errors.ts';
import { installModules, UsageError, type CliCommand } from './platform/module.ts';
import { JobRunner, allJobs } from './platform/jobs/index.ts';
import { jobsCommand } from './platform/jobs/cli.ts';
import { modules as productModules } from './modules/index.ts';
import { NodeState } from './platform/ops/readiness.ts';
import { shutDown } from './platform/ops/shutdown.ts';
import { setMailLog } from './platform/mail/index.ts';
import { testHooks, testHooksEnabled } from './platform/ops/test-hooks.ts';
import { OpsRefusal, backupCommand, restoreCommand } from './platform/ops/backup-cli.ts';
import { asksForHelp } from './platform/cli/help.ts';
import { helpFor } from './cli-help.ts';
import { cliIo, processIo, withCliIo, type CliIo } from './platform/cli/io.ts';

// The test suite's slow request and slow job exist only when TFH_TEST_HOOKS=1 (see platform/ops/test-hooks.ts).
const extraModules = testHooksEnabled() ? [testHooks] : [];
const modules = [...productModules, ...extraModules];

// The command line, like the app, is built from the manifests: their permissions, strings, migrations and commands.
installModules(modules);
const migrationFolders = modules.flatMap((m) => (m.migrations ? [m.migrations] : []));
const jobs = allJobs(modules);
const commands = new Map<string, CliCommand>();
for (const c of [jobsCommand(jobs), ...modules.flatMap((m) => m.commands ?? [])]) {
  if (commands.has(c.name) || ['serve', 'migrate', 'seed', 'users', 'backup', 'restore', 'help'].includes(c.name)) throw new Error(`Two commands are named ${c.name}`);
  commands.set(c.name, c);
}

// Output goes to the run's streams (platform/cli/io.ts): the process's own, or those of a run inside a test.
const log = (line: string) => cliIo().out(line);

async function withDatabase<T>(config: Config, fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = openDatabase(config);
  try {
    await migrate(handle, log, migrationFolders);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function readStdin(): Promise<string> {
  const io = cliIo();
  if (io.stdinIsTTY) throw new UsageError('--password-stdin: pipe the password in, for example: echo "$PASSWORD" | taskforce users add ...');
  return (await io.stdin()).replace(/\r?\n$/, '');
}

async function serve(config: Config, demo: boolean): Promise<void> {
  const runJobs = config.jobs;
  const handle = openDatabase(config);
  await migrate(handle, log, migrationFolders);
  const ctx = systemCtx(handle, config, 'start');
  const firstStart = (await countUsers(handle.db)) === 0;
  if (demo || (firstStart && config.databaseKind === 'sqlite')) {
    if (await seedDemo(ctx, modules, log)) {
      log('');
      log('Demo data loaded. Sign in as the demo administrator:');
      log(`  e-mail:   ${DEMO_USERS[0].email}`);
      log(`  password: ${DEMO_PASSWORD}`);
      log('  (administrators set up two-step verification at first sign-in)');
      log(`Other demo accounts (same password): ${DEMO_USERS.slice(1).map((u) => u.email).join(', ')}`);
      for (const m of modules) for (const line of m.demoNotes ?? []) log(line);
    }
  }
  const { buildApp } = await import('./app.tsx');
  const state = new NodeState();
  const app = await buildApp({ config, database: handle, state, extraModules });
  // From here on every line is a JSON log line. Expired sessions are purged by the platform job sessions.purge,
  // with the modules' reminders, digests and purges.
  const runner = runJobs ? new JobRunner(handle, config, jobs, { log: (line) => app.log.info(line), tickMs: config.jobsPollSeconds * 1000 }) : undefined;
  state.jobs = runner;
  setMailLog((line) => app.log.info(line));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    void shutDown({ app, handle, state, runner, graceMs: config.shutdownGraceSeconds * 1000 }, signal).then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
  await runner?.start();
  app.log.info(
    { public_url: config.publicUrl, database: config.databaseKind, jobs: runJobs ? 'on' : 'off' },
    `Taskforce Hub is serving ${config.publicUrl} on the ${config.databaseKind === 'sqlite' ? 'embedded database ' + config.sqlitePath : 'PostgreSQL database'}`,
  );
}

/** A manifest's command, with a database opened (and migrated) only if it asks for a context. */
async function runCommand(config: Config, cmd: CliCommand, args: string[]): Promise<number> {
  let handle: DatabaseHandle | undefined;
  const ctx = async (): Promise<Ctx> => {
    if (!handle) {
      handle = openDatabase(config);
      await migrate(handle, log, migrationFolders);
    }
    return systemCtx(handle, config, 'cli');
  };
  try {
    return await cmd.run(args, ctx, log);
  } finally {
    await handle?.close();
  }
}

/** `users unlock EMAIL`: the operator's way to lift an account's sign-in locks (audited as the command line). */
async function usersUnlock(config: Config, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('users unlock: give the e-mail address of one account, for example: taskforce users unlock person@example.org');
  await withDatabase(config, async (h) => {
    const user = await getUserByEmail(h.db, positionals[0]);
    if (!user) throw new UsageError(`users unlock: no account has the e-mail address ${positionals[0]}`);
    const { unlocked } = await unlockAccount(systemCtx(h, config, 'cli'), user.id);
    log(`unlocked ${user.email}${unlocked ? '' : ' (no lock was in force)'}`);
  });
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = helpFor(argv);
  if (help !== undefined) {
    log(help);
    return 0;
  }
  if (asksForHelp(rest)) throw new UsageError(`unknown command "${command}"; see taskforce --help`);
  const config = loadConfig(cliIo().env);
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } }, strict: true });
      await serve(config, Boolean(values.demo));
      return -1; // keeps running
    }
    case 'migrate': {
      await withDatabase(config, async () => log('database is up to date'));
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } }, strict: true });
      if (!values.demo) throw new UsageError('seed: say what to load: --demo');
      await withDatabase(config, (h) => seedDemo(systemCtx(h, config, 'seed'), modules, log));
      return 0;
    }
    case 'users': {
      const [sub, ...opts] = rest;
      if (sub === 'unlock') return usersUnlock(config, opts);
      if (sub !== 'add') throw new UsageError('users: the subcommands are "add" and "unlock"');
      const { values } = parseArgs({
        args: opts,
        options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
        strict: true,
      });
      if (!values['password-stdin']) throw new UsageError('users add: --password-stdin is required (passwords are never taken as arguments)');
      for (const k of ['email', 'name', 'role', 'org'] as const) if (!values[k]) throw new UsageError(`users add: --${k} is required`);
      const password = await readStdin();
      await withDatabase(config, async (h) => {
        const user = await createUser(systemCtx(h, config, 'cli'), { email: values.email, name: values.name, role: values.role, organization: values.org, password });
        log(`created ${user.email} (${user.role}, ${user.organization_name})`);
      });
      return 0;
    }
    case 'backup':
      return backupCommand(config, rest, log);
    case 'restore':
      return restoreCommand(config, rest, log, migrationFolders);
    default: {
      const cmd = commands.get(command);
      if (!cmd) throw new UsageError(`unknown command "${command}"; see taskforce --help`);
      return runCommand(config, cmd, rest);
    }
  }
}

/**
 * One run of the command line with these streams: its exit code (-1 while `serve` keeps running). Errors are
 * reported on the run's standard error: usage and configuration errors and refused input with code 2, without a
 * stack trace; refusals of an operation with 1; anything else with 1 and its stack.
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  return withCliIo(io, async () => {
    try {
      return await run(argv);
    } catch (err) {
      if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        io.err(`taskforce: ${(err as Error).message}\n`);
        return 2;
      }
      if (err instanceof OpsRefusal) {
        io.err(`taskforce: ${err.message}\n`);
        return 1;
      }
      if (err instanceof HttpError) {
        const fields = err.errors.map((e) => `  ${e.field === 'organization' ? 'org' : e.field}: ${e.message}`).join('\n');
        io.err(`taskforce: ${err.title}\n${fields || err.detail}\n`);
        return 2;
      }
      io.err(`taskforce: ${(err as Error).stack ?? String(err)}\n`);
      return 1;
    }
  });
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain || process.env.TASKFORCE_CLI === '1') {
  void main(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
