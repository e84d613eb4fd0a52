/**
 * Idempotency keys: a request that creates something may carry a key (a form's hidden `_idem` field, an API
 * client's `Idempotency-Key` header), and the same key sent again by the same person does not create it twice
 * (issue 15: the new-referral form submitted twice made two referrals). The first request claims the key with one
 * conditional insert, so that of two parallel submissions exactly one runs, on any number of nodes; the other waits
 * for its result and is sent to the same place. A refused request (bad input) releases its key, so the corrected
 * form can be sent again. Keys are kept for a day.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { nowIso, type Db } from '../db/index.ts';
import { HttpError, conflict, fieldError } from './errors.ts';

export const IDEMPOTENCY_FIELD = '_idem';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_RE = /^[A-Za-z0-9_-]{16,128}$/;
const KEEP_MS = 24 * 3600_000;
const WAIT_MS = 10_000;

/** The request header an API route that creates things accepts, for its OpenAPI description and validation. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: KEY_RE.source,
      description: 'A key of your choosing (16 to 128 letters, digits, "-" or "_"), kept for 24 hours: the same request sent again with it creates nothing new and answers the first result (200, header Idempotent-Replayed: true).',
    }),
  ),
});

/** A new key for a form about to be shown. */
export function newIdempotencyKey(): string {
  return randomBytes(18).toString('base64url');
}

/** The key a request carries (form field or header), undefined when none; a malformed key is refused naming it. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const header = req.headers[IDEMPOTENCY_HEADER];
  // Any route's body: this helper serves every form that creates, whatever its schema.
  const body: unknown = req.body && typeof req.body === 'object' && IDEMPOTENCY_FIELD in req.body ? Reflect.get(req.body, IDEMPOTENCY_FIELD) : undefined;
  const [raw, field] = header !== undefined ? [header, 'Idempotency-Key'] : [body, IDEMPOTENCY_FIELD];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !KEY_RE.test(raw)) throw fieldError(field, 'must be 16 to 128 letters, digits, "-" or "_"');
  return raw;
}

/** Whose key it is: the person making the request, by session or by token. Anonymous requests carry no key. */
function ownerOf(req: FastifyRequest): string | undefined {
  return req.ctx.actor ? `user:${req.ctx.actor.id}` : undefined;
}

/**
 * Runs `run` (which creates the thing and answers where it is) at most once per key: the first time, or again after
 * a refused attempt; otherwise answers where the first run's result is. Without a key, simply runs.
 */
export async function idempotent(req: FastifyRequest, run: () => Promise<string>): Promise<{ location: string; replayed: boolean }> {
  const key = idempotencyKeyOf(req);
  const owner = ownerOf(req);
  if (!key || !owner) return { location: await run(), replayed: false };
  const db = req.ctx.db;
  const request = `${req.method} ${req.routeOptions.url ?? req.url}`;
  // Keys past their day go as new ones come (an indexed range delete, usually of nothing).
  await db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(Date.now() - KEEP_MS).toISOString()).execute();
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({ owner, key, request, location: null, created_at: nowIso() })
    .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 1) {
    let location: string;
    try {
      location = await run();
    } catch (err) {
      await db.deleteFrom('idempotency_keys').where('owner', '=', owner).where('key', '=', key).where('location', 'is', null).execute();
      throw err;
    }
    await db.updateTable('idempotency_keys').set({ location }).where('owner', '=', owner).where('key', '=', key).execute();
    return { location, replayed: false };
  }
  return { location: await awaitResult(db, owner, key, request), replayed: true };
}

async function awaitResult(db: Db, owner: string, key: string, request: string): Promise<string> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const row = await db.selectFrom('idempotency_keys').select(['request', 'location']).where('owner', '=', owner).where('key', '=', key).executeTakeFirst();
    // The first attempt was refused and released the key meanwhile: this one may not run on its own, say so.
    if (!row) throw conflict('An earlier request with this idempotency key was refused. Send it again with a new key.');
    if (row.request !== request) throw new HttpError(422, 'Key reused', 'This idempotency key was used for another request.', [{ field: 'Idempotency-Key', message: 'was used for another request' }]);
    if (row.location) return row.location;
    if (Date.now() > until) throw conflict('A request with this idempotency key is still being processed. Try again shortly.');
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
