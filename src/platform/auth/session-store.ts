import type { Db } from '../db/index.ts';
import { nowIso } from '../db/index.ts';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: unknown) => void;

interface StoredSession {
  userId?: string;
  cookie?: { expires?: string | Date | null; originalMaxAge?: number | null };
  [key: string]: unknown;
}

const DEFAULT_LIFETIME_MS = 8 * 3600_000;

/**
 * Sessions live in the database so that any app node can serve them and an administrator can end them:
 * deleting a user's rows signs that user out everywhere at once.
 */
export class DbSessionStore {
  constructor(private readonly db: Db, private readonly meta: (sid: string) => { ip?: string; userAgent?: string } = () => ({})) {}

  set(sid: string, sessionIn: object, callback: Callback): void {
    const session = sessionIn as StoredSession;
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + DEFAULT_LIFETIME_MS);
    const data = JSON.stringify(session);
    const userId = typeof session.userId === 'string' ? session.userId : null;
    const { ip, userAgent } = this.meta(sid);
    const now = nowIso();
    this.db
      .insertInto('sessions')
      .values({ sid, user_id: userId, data, expires_at: expires.toISOString(), created_at: now, ip: ip ?? null, user_agent: userAgent?.slice(0, 300) ?? null })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ user_id: userId, data, expires_at: expires.toISOString() }))
      .execute()
      .then(() => callback(), callback);
  }

  get(sid: string, callback: GetCallback): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || new Date(row.expires_at as string) <= new Date()) return callback(null, null);
        callback(null, JSON.parse(row.data as string));
      }, callback);
  }

  destroy(sid: string, callback: Callback): void {
    this.db.deleteFrom('sessions').where('sid', '=', sid).execute().then(() => callback(), callback);
  }
}

export async function purgeExpiredSessions(db: Db): Promise<number> {
  const res = await db.deleteFrom('sessions').where('expires_at', '<=', nowIso()).executeTakeFirst();
  return Number(res.numDeletedRows ?? 0);
}
