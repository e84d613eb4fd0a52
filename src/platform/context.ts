import type { Config } from '../config.ts';
import type { Db, DatabaseHandle } from './db/index.ts';
import type { Role } from './auth/roles.ts';

/** Who is acting: a signed-in person, or a program holding one of their API tokens. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
  permissions: ReadonlySet<string>;
  via: 'session' | 'token';
  mfaEnabled: boolean;
}

/** Everything a query or command needs to know about the request it serves. */
export interface Ctx {
  db: Db;
  dbKind: DatabaseHandle['kind'];
  config: Config;
  actor: Actor | null;
  ip: string;
  requestId: string;
  /**
   * Set only for work the operator started: a scheduled job or a command-line command (its name). Such a context
   * is the system principal (see `principalOf`), never inferred from an address.
   */
  system?: string;
}

/** Who is acting, as policies see it. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'person'; actor: Actor }
  | { kind: 'token'; actor: Actor }
  | { kind: 'system'; job: string };

/** The principal of a context: a person or token when an actor is set, else the system job, else anonymous. */
export function principalOf(ctx: Pick<Ctx, 'actor' | 'system'>): Principal {
  if (ctx.actor) return ctx.actor.via === 'token' ? { kind: 'token', actor: ctx.actor } : { kind: 'person', actor: ctx.actor };
  if (ctx.system) return { kind: 'system', job: ctx.system };
  return { kind: 'anonymous' };
}

/** A context for work started from the command line or at start-up, with no person behind it. */
export function systemCtx(handle: DatabaseHandle, config: Config, label = 'system'): Ctx {
  return { db: handle.db, dbKind: handle.kind, config, actor: null, ip: 'local', requestId: label, system: label };
}
