import { parseArgs } from 'node:util';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Ctx } from './context.ts';
import { definePermissions, type Role } from './auth/roles.ts';
import { addNav, type NavItem } from './web/view.ts';
import { defineMessages, type Lang } from './web/i18n.ts';

/**
 * The app as modules see it: routes registered on it get their request types from their TypeBox schemas, so a
 * handler reads `req.body`, `req.query` and `req.params` as the schema says, with no cast.
 */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export type Log = (line: string) => void;

/** A command-line mistake (unknown subcommand, bad option value): reported in one line with exit code 2. */
export class UsageError extends Error {}

/**
 * `taskforce <name> ...`: a module's command. `run` gets the arguments after the name and opens the database only
 * when it asks for a context, so that a usage error is reported before any migration runs. It returns the exit
 * code, and throws `UsageError` for bad arguments.
 */
export interface CliCommand {
  name: string;
  /** Its lines in `taskforce help`, indented like the others (two spaces, the description at column 31). */
  help: string;
  run(args: string[], ctx: () => Promise<Ctx>, log: Log): Promise<number>;
}

/** Every N minutes (slots counted from midnight UTC), or once a day at HH:MM UTC. */
export type JobSchedule = { everyMinutes: number } | { dailyAt: string };

/**
 * Scheduled work, run by the platform's job runner with the system principal `job:<name>`. Each due run happens
 * once across app nodes; a run may also be started by hand (`taskforce jobs run NAME`), so `run` must be safe to
 * repeat. Its answer, if any, is the one-line summary shown to administrators.
 */
export interface Job {
  /** `<module>.<what>`, e.g. `referrals.purge`. */
  name: string;
  description: string;
  schedule: JobSchedule;
  run(ctx: Ctx, now: Date, log: Log): Promise<string | void>;
}

/**
 * A note one module gives about a directory service, shown on the directory's service page: a message key of the
 * giving module (with its parameters) and where it links. The directory shows notes without importing the modules
 * that give them (they import the directory).
 */
export interface ServiceNote {
  key: string;
  params?: Record<string, string | number>;
  href: string;
}

export type ServiceNoteSource = (ctx: Ctx, serviceIds: readonly string[]) => Promise<Map<string, ServiceNote[]>>;

/**
 * Something waiting for the signed-in person in a module (referrals to answer, updates to review): a message key of
 * that module taking the count as `n`, and the page where it is done. Shown on the home page and counted in the
 * header.
 */
export interface Task {
  key: string;
  count: number;
  href: string;
}

export type TaskSource = (ctx: Ctx) => Promise<Task[]>;

/** A capability of the product, declared in full: the app and the command line are built from these alone. */
export interface AppModule {
  name: string;
  /** Registers the module's JSON routes and HTML pages. Every route declares `config.access`. */
  register(app: App): Promise<void>;
  /** Its permissions and the roles holding them; a permission is also an API token scope. */
  permissions?: Record<string, readonly Role[]>;
  /** Its header links. */
  nav?: NavItem[];
  /** Its strings; every key in both languages (a test checks). */
  messages?: Record<Lang, Record<string, string>>;
  /** Absolute path of its `migrations` folder, when it has tables. */
  migrations?: string;
  /** Its `taskforce` commands. */
  commands?: CliCommand[];
  /** Its scheduled work. */
  jobs?: Job[];
  /** Loads the module's demo data; called once, in module order, by `taskforce seed --demo` and the first start. */
  seedDemo?(ctx: Ctx, log: Log): Promise<void>;
  /** Lines printed after the demo data is loaded at start-up, such as the module's own demo accounts. */
  demoNotes?: string[];
  /** Notes about directory services (e.g. practices: "uses an evidence-rated practice"), by service id. */
  serviceNotes?: ServiceNoteSource;
  /** What waits for the signed-in person in this module; asked only for signed-in people. */
  tasks?: TaskSource;
  /**
   * Directory organisations that share a network with one the caller's account organisation acts for (networks),
   * other than those it acts for: whom the caller can refer to through a network. Asked only for signed-in callers.
   */
  networkPartners?: NetworkPartnerSource;
}

const taskSources = new Map<string, TaskSource>();

/** What waits for the context's actor across the installed modules, in module order; none for the public. */
export async function tasksFor(ctx: Ctx): Promise<Task[]> {
  if (!ctx.actor) return [];
  const lists = await Promise.all([...taskSources.values()].map((source) => source(ctx)));
  return lists.flat().filter((task) => task.count > 0);
}

export type NetworkPartnerSource = (ctx: Ctx) => Promise<ReadonlySet<string>>;
const networkPartnerSources = new Map<string, NetworkPartnerSource>();

/** The directory organisations sharing a network with the caller's (every installed source); none for the public. */
export async function networkPartnersOf(ctx: Ctx): Promise<Set<string>> {
  const out = new Set<string>();
  if (!ctx.actor) return out;
  for (const source of networkPartnerSources.values()) for (const id of await source(ctx)) out.add(id);
  return out;
}

const serviceNoteSources = new Map<string, ServiceNoteSource>();

/** Every installed module's notes about these services, by service id, in module order. */
export async function serviceNotesFor(ctx: Ctx, serviceIds: readonly string[]): Promise<Map<string, ServiceNote[]>> {
  const out = new Map<string, ServiceNote[]>();
  for (const source of serviceNoteSources.values()) {
    for (const [id, notes] of await source(ctx, serviceIds)) out.set(id, [...(out.get(id) ?? []), ...notes]);
  }
  return out;
}

/**
 * Makes what the manifests declare known to the platform: permissions to the role table, links to the header,
 * strings to the catalogue. Safe to call again (every test app does): each registration is idempotent.
 */
export function installModules(modules: readonly AppModule[]): void {
  for (const m of modules) {
    if (m.permissions) definePermissions(m.permissions);
    if (m.nav) addNav(...m.nav);
    if (m.messages) defineMessages(m.messages);
    if (m.serviceNotes) serviceNoteSources.set(m.name, m.serviceNotes);
    if (m.tasks) taskSources.set(m.name, m.tasks);
    if (m.networkPartners) networkPartnerSources.set(m.name, m.networkPartners);
  }
}

/** Every job the given modules declare, refusing two of one name. */
export function jobsOf(modules: readonly AppModule[]): Job[] {
  const jobs = modules.flatMap((m) => m.jobs ?? []);
  const names = jobs.map((j) => j.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`Two jobs share the name ${dup}`);
  return jobs;
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `--at` of the commands that act "as of" a moment: a date (midnight UTC) or an ISO-8601 instant with its offset. */
export function parseInstant(command: string, at: string | undefined): Date {
  if (at === undefined) return new Date();
  const d = new Date(at);
  if (!INSTANT_RE.test(at) || Number.isNaN(d.getTime())) {
    throw new UsageError(`${command}: --at must be a date or an instant such as 2026-06-20 or 2026-06-20T12:00:00Z, not "${at}"`);
  }
  return d;
}

/** Work done as of a moment (a scheduled job's, also run by hand), answering its one-line summary. */
export type AsOfWork = (ctx: Ctx, now: Date, log: Log) => Promise<string>;

/**
 * `taskforce <name> <sub> [--at INSTANT]`: runs a sub's work as of now, or as of `--at`, and prints its summary.
 * The shape of every command that runs a module's scheduled work by hand.
 */
export function asOfCommand(name: string, help: string, subs: Record<string, AsOfWork>): CliCommand {
  const names = Object.keys(subs).map((n) => `"${n}"`);
  const which = names.length === 1 ? `the only subcommand is ${names[0]}` : `the subcommands are ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return {
    name,
    help,
    async run(args, ctx, log) {
      const [sub, ...opts] = args;
      const work = sub !== undefined && Object.hasOwn(subs, sub) ? subs[sub] : undefined;
      if (!work) throw new UsageError(`${name}: ${which}`);
      const { values } = parseArgs({ args: opts, options: { at: { type: 'string' } }, strict: true });
      const now = parseInstant(`${name} ${sub}`, values.at);
      log(await work(await ctx(), now, log));
      return 0;
    },
  };
}

/**
 * Who may call a route: anyone, any signed-in account, or holders of a permission. Checked on the server for
 * every request, before the handler, and covered by the role-matrix test.
 */
export type Access = 'public' | 'signed-in' | { permission: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Public GET answers that may be cached by browsers and proxies, with an ETag. */
    publicCache?: boolean;
    /** False: no CSRF check, for a route that a secret token in its address authenticates rather than a cookie. */
    csrf?: false;
  }
}
