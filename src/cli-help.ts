/**
 * Every command's lines in `taskforce --help`, loaded without the commands' code: bin/taskforce.js answers help
 * from here alone, and src/main.ts answers it the same way. src/cli-help.test.ts checks that these are the lines
 * the modules' commands carry, in their order.
 */
import { JOBS_HELP, asksForHelp, commandHelp, fullHelp, type CommandHelp } from './platform/cli/help.ts';
import { DIRECTORY_HELP } from './modules/directory/cli-help.ts';
import { HELP as WORKPLANS_HELP } from './modules/workplans/cli-help.ts';
import { HELP as LISTENING_HELP } from './modules/listening/cli-help.ts';
import { HELP as REFERRALS_HELP } from './modules/referrals/cli-help.ts';
import { HELP as PRACTICES_HELP } from './modules/practices/cli-help.ts';
import { HELP as GRANTS_HELP } from './modules/grants/cli-help.ts';
import { HELP as RESEARCH_HELP } from './modules/research/cli-help.ts';

/** The platform's jobs command, then the modules' commands in the order of src/modules/index.ts. */
export const COMMAND_HELP: readonly CommandHelp[] = [
  { name: 'jobs', help: JOBS_HELP },
  { name: 'directory', help: DIRECTORY_HELP },
  { name: 'workplans', help: WORKPLANS_HELP },
  { name: 'listening', help: LISTENING_HELP },
  { name: 'referrals', help: REFERRALS_HELP },
  { name: 'practices', help: PRACTICES_HELP },
  { name: 'grants', help: GRANTS_HELP },
  { name: 'research', help: RESEARCH_HELP },
];

/**
 * The help these arguments ask for: the whole help for none, `help`, `--help` or `-h`; a known command's own lines
 * when `--help` or `-h` follows it. Undefined otherwise (an unknown command's help is an error, told by main).
 */
export function helpFor(argv: string[]): string | undefined {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return fullHelp(COMMAND_HELP);
  return asksForHelp(rest) ? commandHelp(command, rest, COMMAND_HELP) : undefined;
}
