/**
 * Counters of failed proofs (passwords, second-factor codes), kept in the database so that every app node sees the
 * same counts. A counter is a window: it starts at the first failure and lasts the lock time; a lock set on it lasts
 * the lock time from the failure that set it. When the window or the lock has passed, the next count starts afresh.
 *
 * Counting is a claim: an attempt adds itself before its proof is checked, with one conditional statement, so that
 * parallel attempts cannot all read "not locked yet" and all be checked (the same reason the code step is claimed in
 * sign-in.ts). A success clears its own counter.
 */
import { isIPv6 } from 'node:net';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import { sha256 } from '../crypto/index.ts';

export type ThrottleScope = 'password' | 'code';

export interface ThrottleKey {
  scope: ThrottleScope;
  /** The hash of the e-mail (passwords, whether or not an account has it) or the user id (codes). */
  subject: string;
  /** The client address (`addressKey`), or '' for the counter over every address. */
  address: string;
  /** The account the counter belongs to, when there is one. */
  userId: string | null;
}

export interface Counter {
  failures: number;
  lockedUntil: Date | null;
}

/**
 * The address a counter is kept for: an IPv4 address as it is, an IPv6 address by its /64 network, since one
 * subscriber commonly holds a whole /64 and could otherwise take a fresh address for every guess.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const groupsOf = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head, tail] = ip.split('::');
  const h = groupsOf(head);
  const t = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':') + '::/64';
}

/** The subject of an e-mail's password counters: a hash, so that the table holds no typed e-mail addresses. */
export const emailSubject = (email: string): string => sha256('login:' + email.trim().toLowerCase());

/** The filter picking one counter's row. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const theCounter = (key: ThrottleKey) => (eb: ExpressionBuilder<any, any>) =>
  eb.and([eb('scope', '=', key.scope), eb('subject', '=', key.subject), eb('address', '=', key.address)]);

function counterOf(row: { failures: unknown; locked_until: unknown } | undefined, now: Date): Counter {
  if (!row) return { failures: 0, lockedUntil: null };
  const lockedUntil = row.locked_until ? new Date(String(row.locked_until)) : null;
  return { failures: Number(row.failures), lockedUntil: lockedUntil && lockedUntil > now ? lockedUntil : null };
}

/** The counter as it stands: failures in its window (0 when the window or lock has passed) and any lock in force. */
export async function readCounter(db: Db, key: ThrottleKey, now: Date, windowMs: number): Promise<Counter> {
  const row = await db.selectFrom('auth_throttle').select(['failures', 'window_start', 'locked_until']).where(theCounter(key)).executeTakeFirst();
  if (!row) return { failures: 0, lockedUntil: null };
  const c = counterOf(row, now);
  const windowOver = new Date(String(row.window_start)).getTime() + windowMs <= now.getTime();
  if (!c.lockedUntil && (row.locked_until || windowOver)) return { failures: 0, lockedUntil: null };
  return c;
}

/**
 * Adds one to the counter in one statement and answers it: a counter whose window or lock has passed starts again
 * at one. Both engines run `insert ... on conflict do update ... returning` as one atomic step.
 */
export async function countAttempt(db: Db, key: ThrottleKey, now: Date, windowMs: number): Promise<Counter> {
  const at = now.toISOString();
  const windowFrom = new Date(now.getTime() - windowMs).toISOString();
  // Whether the stored counter is over: its lock has passed, or it has no lock and its window has.
  const over = sql<boolean>`((auth_throttle.locked_until is not null and auth_throttle.locked_until <= ${at}) or (auth_throttle.locked_until is null and auth_throttle.window_start <= ${windowFrom}))`;
  const row = await db
    .insertInto('auth_throttle')
    .values({ scope: key.scope, subject: key.subject, address: key.address, user_id: key.userId, failures: 1, window_start: at, locked_until: null, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['scope', 'subject', 'address']).doUpdateSet({
        failures: sql`case when ${over} then 1 else auth_throttle.failures + 1 end`,
        window_start: sql`case when ${over} then ${at} else auth_throttle.window_start end`,
        locked_until: sql`case when ${over} then null else auth_throttle.locked_until end`,
        user_id: key.userId,
        updated_at: at,
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return counterOf(row, now);
}

/** Locks the counter until `until`. */
export async function lockCounter(db: Db, key: ThrottleKey, now: Date, until: Date): Promise<void> {
  await db.updateTable('auth_throttle').set({ locked_until: until.toISOString(), updated_at: now.toISOString() }).where(theCounter(key)).execute();
}

/** Forgets the counter (after a success). */
export async function clearCounter(db: Db, key: ThrottleKey): Promise<void> {
  await db.deleteFrom('auth_throttle').where(theCounter(key)).execute();
}

/** Forgets every counter of an account, by its id and by its e-mail: the administrator's unlock. Answers how many. */
export async function clearAccountCounters(db: Db, userId: string, email: string): Promise<number> {
  const res = await db
    .deleteFrom('auth_throttle')
    .where((eb) => eb.or([eb('user_id', '=', userId), eb.and([eb('scope', '=', 'password'), eb('subject', '=', emailSubject(email))]), eb.and([eb('scope', '=', 'code'), eb('subject', '=', userId)])]))
    .executeTakeFirst();
  return Number(res.numDeletedRows ?? 0);
}

/** Counters untouched for twice the lock time are over whatever they held: dropped, so the table stays small. */
export async function dropStaleCounters(db: Db, now: Date, windowMs: number): Promise<void> {
  await db.deleteFrom('auth_throttle').where('updated_at', '<', new Date(now.getTime() - 2 * windowMs).toISOString()).execute();
}

/** The latest lock in force on each of these accounts (any address, password or code), by user id. */
export async function accountLocks(db: Db, now: Date, userIds?: readonly string[]): Promise<Map<string, string>> {
  if (userIds && !userIds.length) return new Map();
  let q = db
    .selectFrom('auth_throttle')
    .select(['user_id', (eb) => eb.fn.max('locked_until').as('locked_until')])
    .where('user_id', 'is not', null)
    .where('locked_until', '>', now.toISOString())
    .groupBy('user_id');
  if (userIds) q = q.where('user_id', 'in', [...userIds]);
  const rows = await q.execute();
  return new Map(rows.map((r) => [String(r.user_id), new Date(String(r.locked_until)).toISOString()]));
}
