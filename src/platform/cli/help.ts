/**
 * The command line's help, apart from every command's code: `taskforce --help` and `taskforce <command> --help`
 * load this file and the modules' help lines (src/cli-help.ts) and nothing else, so they answer at once.
 */

export const JOBS_HELP = `  jobs                        list the scheduled jobs: schedule, last run and its result, next run
  jobs run NAME               run one job now, whatever its schedule (refused while a node runs it)`;

export const BACKUP_HELP = `  backup DEST                 copy the embedded database while it runs: DEST (a new file, or a folder
                              to hold a dated one) and DEST.json (schema version, checksum); the
                              keys are not in it (keep secrets.json or DATA_KEY apart)
  restore SRC [--data DIR]    check a backup (checksum, integrity, schema version) and restore it into
                              a new folder DIR, or into the configured database of a stopped server`;

/** The platform's own commands' lines in the help, by command. */
export const PLATFORM_HELP: Record<string, string> = {
  serve: `  serve [--demo]              migrate, then serve the web app and API (PORT, HOST) and run the
                              scheduled jobs (unless JOBS=off); on the embedded database the
                              first start loads the demo data`,
  migrate: '  migrate                     apply pending database migrations',
  seed: '  seed --demo                 load the demo data (the task force structure and demo accounts)',
  users: `  users add --email E --name N --role R --org O --password-stdin
                              create an account; the password is read from standard input
                              roles: member, chair, analyst, caseworker, admin
  users unlock EMAIL          lift the sign-in locks of an account (wrong passwords, codes)`,
  backup: BACKUP_HELP.split('\n').filter((l, i, all) => i < all.findIndex((x) => x.startsWith('  restore'))).join('\n'),
  restore: BACKUP_HELP.split('\n').filter((l, i, all) => i >= all.findIndex((x) => x.startsWith('  restore'))).join('\n'),
  help: '  help                        show this help',
};

/** A command's name and its lines in the help. */
export interface CommandHelp {
  name: string;
  help: string;
}

/** `taskforce --help`: the platform's commands, then `commands` (jobs and the modules'), in order. */
export function fullHelp(commands: readonly CommandHelp[]): string {
  return `Usage: taskforce <command> [options]

Commands:
${PLATFORM_HELP.serve}
${PLATFORM_HELP.migrate}
${PLATFORM_HELP.seed}
${PLATFORM_HELP.users}
${BACKUP_HELP}
${commands.map((c) => c.help).join('\n')}
${PLATFORM_HELP.help}

Environment: DATABASE_URL (sqlite:PATH or postgres://...), PORT, HOST, PUBLIC_URL, SESSION_SECRET,
DATA_KEY, SMTP_URL, LOG_LEVEL, GOV_BANNER, REFERRAL_RETENTION_DAYS, REFERRAL_REMINDER_DAYS,
REFERRAL_EXPIRY_DAYS, JOBS (on or off), JOBS_POLL_SECONDS, TRUST_PROXY, METRICS_TOKEN, METRICS_ALLOW,
SHUTDOWN_GRACE_SECONDS. See README.md and docs/operations.md.`;
}

/**
 * `taskforce <command> [subcommand] --help`: the command's own lines of the help (only the subcommand's, when one
 * is named and has lines of its own), and where the rest is. Nothing is opened or read.
 */
export function commandHelp(name: string, args: string[], commands: readonly CommandHelp[]): string | undefined {
  const lines = PLATFORM_HELP[name] ?? commands.find((c) => c.name === name)?.help;
  if (lines === undefined) return undefined;
  // Each entry starts at a line indented two spaces; its description lines are indented further.
  const entries: string[][] = [];
  for (const line of lines.split('\n')) {
    if (/^ {2}\S/.test(line) || !entries.length) entries.push([line]);
    else entries[entries.length - 1].push(line);
  }
  const sub = args.find((a) => !a.startsWith('-'));
  const own = sub ? entries.filter((e) => e[0].startsWith(`  ${name} ${sub}`)) : [];
  const shown = (own.length ? own : entries).map((e) => e.join('\n')).join('\n');
  return `Usage: taskforce ${name}${own.length ? ' ' + sub : ''} [options]\n\n${shown}\n\nEvery command: taskforce --help`;
}

/** Whether the arguments ask for help (`--help` or `-h` before any `--`). */
export function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
