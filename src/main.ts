import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './platform/db/index.ts';
import { migrate } from './platform/db/migrator.ts';
import { systemCtx } from './platform/context.ts';
import { countUsers, createUser } from './platform/auth/index.ts';
import { purgeExpiredSessions } from './platform/auth/session-store.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './platform/seed.ts';
import { HttpError } from './platform/http/errors.ts';
import { modules } from './modules/index.ts';
import { DIRECTORY_HELP, DirectoryUsageError, directoryCommand } from './modules/directory/cli.ts';
import { runDigests } from './modules/workplans/index.ts';
import { sendReminders } from './modules/listening/index.ts';
import { DEMO_CASEWORKERS, purgeClosed, runReminders } from './modules/referrals/index.ts';

const HELP = `Usage: taskforce <command> [options]

Commands:
  serve [--demo]              migrate, then serve the web app and API (PORT, HOST);
                              on the embedded database the first start loads the demo data
  migrate                     apply pending database migrations
  seed --demo                 load the demo data (the task force structure and demo accounts)
  users add --email E --name N --role R --org O --password-stdin
                              create an account; the password is read from standard input
                              roles: member, chair, analyst, caseworker, admin
  workplans digests [--at INSTANT]
                              send the work-plan e-mails due now (or as of INSTANT, e.g.
                              2026-06-20T12:00:00Z): the updates-due digest in a quarter's
                              last 14 days, and reminders of missing updates; each person
                              gets each kind once per quarter. Without SMTP_URL, mail is
                              logged as skipped
  listening reminders [--at INSTANT]
                              e-mail each confirmed registrant of a listening session that
                              starts within its series' reminder window (now, or as of
                              INSTANT); each registrant once. Without SMTP_URL, mail is
                              logged as skipped
  referrals purge [--at INSTANT]
                              delete the client details and notes of referrals closed more
                              than REFERRAL_RETENTION_DAYS ago (default 90), keeping the
                              de-identified record; run it daily
  referrals reminders [--at INSTANT]
                              expire referrals nobody accepted or declined within
                              REFERRAL_EXPIRY_DAYS of sending, and remind the receiving
                              organisation (in the app and by e-mail, a link only) of
                              referrals not acted on for REFERRAL_REMINDER_DAYS
${DIRECTORY_HELP}
  help                        show this help

Environment: DATABASE_URL (sqlite:PATH or postgres://...), PORT, HOST, PUBLIC_URL, SESSION_SECRET,
DATA_KEY, SMTP_URL, LOG_LEVEL, GOV_BANNER, REFERRAL_RETENTION_DAYS, REFERRAL_REMINDER_DAYS,
REFERRAL_EXPIRY_DAYS. See README.md.`;

class UsageError extends Error {}

/** `--at` of the mail commands: a date (midnight UTC) or an ISO-8601 instant with its offset. */
function parseInstant(command: string, at: string): Date {
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(at) || Number.isNaN(d.getTime())) {
    throw new UsageError(`${command}: --at must be a date or an instant such as 2026-06-20 or 2026-06-20T12:00:00Z, not "${at}"`);
  }
  return d;
}

const log = (line: string) => process.stdout.write(line + '\n');

async function withDatabase<T>(config: Config, fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = openDatabase(config);
  try {
    await migrate(handle, log);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin: pipe the password in, for example: echo "$PASSWORD" | taskforce users add ...');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function serve(config: Config, demo: boolean): Promise<void> {
  const handle = openDatabase(config);
  await migrate(handle, log);
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
      log(`Case workers who send and receive referrals (same password; two-step verification at first sign-in): ${Object.values(DEMO_CASEWORKERS).map((u) => u.email).join(', ')}`);
    }
  }
  const { buildApp } = await import('./app.tsx');
  const app = await buildApp({ config, database: handle });
  const timer = setInterval(() => void purgeExpiredSessions(handle.db).catch(() => {}), 3600_000);
  timer.unref();
  const stop = async () => {
    clearInterval(timer);
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
  log(`Taskforce Hub is serving ${config.publicUrl} on the ${config.databaseKind === 'sqlite' ? 'embedded database ' + config.sqlitePath : 'PostgreSQL database'}`);
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    log(HELP);
    return 0;
  }
  const config = loadConfig();
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
      if (sub !== 'add') throw new UsageError('users: the only subcommand is "add"');
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
    case 'workplans': {
      const [sub, ...opts] = rest;
      if (sub !== 'digests') throw new UsageError('workplans: the only subcommand is "digests"');
      const { values } = parseArgs({ args: opts, options: { at: { type: 'string' } }, strict: true });
      let now = new Date();
      if (values.at !== undefined) {
        now = new Date(values.at);
        if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(values.at) || Number.isNaN(now.getTime())) {
          throw new UsageError(`workplans digests: --at must be a date or an instant such as 2026-06-20 or 2026-06-20T12:00:00Z, not "${values.at}"`);
        }
      }
      await withDatabase(config, async (h) => {
        const res = await runDigests(systemCtx(h, config, 'cli'), now, log);
        log(`${res.period}: ${res.digests} digest(s) and ${res.reminders} reminder(s) sent, ${res.skipped} skipped`);
      });
      return 0;
    }
    case 'listening': {
      const [sub, ...opts] = rest;
      if (sub !== 'reminders') throw new UsageError('listening: the only subcommand is "reminders"');
      const { values } = parseArgs({ args: opts, options: { at: { type: 'string' } }, strict: true });
      const now = values.at === undefined ? new Date() : parseInstant('listening reminders', values.at);
      await withDatabase(config, async (h) => {
        const res = await sendReminders(systemCtx(h, config, 'cli'), now, log);
        log(`listening reminders as of ${now.toISOString()}: ${res.sent} sent, ${res.skipped} skipped`);
      });
      return 0;
    }
    case 'referrals': {
      const [sub, ...opts] = rest;
      if (sub !== 'purge' && sub !== 'reminders') throw new UsageError('referrals: the subcommands are "purge" and "reminders"');
      const { values } = parseArgs({ args: opts, options: { at: { type: 'string' } }, strict: true });
      const now = values.at === undefined ? new Date() : parseInstant(`referrals ${sub}`, values.at);
      await withDatabase(config, async (h) => {
        const ctx = systemCtx(h, config, 'cli');
        if (sub === 'purge') {
          const n = await purgeClosed(ctx, now, log);
          log(`referrals purge as of ${now.toISOString()}: ${n} referral(s) purged (retention ${config.referralRetentionDays} days)`);
        } else {
          const res = await runReminders(ctx, now, log);
          log(`referrals reminders as of ${now.toISOString()}: ${res.expired} expired, ${res.reminded} reminded, ${res.mails} e-mail(s) sent`);
        }
      });
      return 0;
    }
    case 'directory': {
      try {
        return await withDatabase(config, (h) => directoryCommand(rest, async () => systemCtx(h, config, 'cli'), log));
      } catch (err) {
        if (err instanceof DirectoryUsageError) throw new UsageError(err.message);
        throw err;
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"; see taskforce --help`);
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain || process.env.TASKFORCE_CLI === '1') {
  run(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`taskforce: ${(err as Error).message}\n`);
        process.exit(2);
      }
      if (err instanceof HttpError) {
        const fields = err.errors.map((e) => `  ${e.field === 'organization' ? 'org' : e.field}: ${e.message}`).join('\n');
        process.stderr.write(`taskforce: ${err.title}\n${fields || err.detail}\n`);
        process.exit(2);
      }
      process.stderr.write(`taskforce: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
