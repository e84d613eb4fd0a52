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
}

/** A context for work started from the command line or at start-up, with no person behind it. */
export function systemCtx(handle: DatabaseHandle, config: Config, label = 'system'): Ctx {
  return { db: handle.db, dbKind: handle.kind, config, actor: null, ip: 'local', requestId: label };
}
