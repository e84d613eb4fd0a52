/**
 * Schema pieces every module's routes share, so that an id, a date or a version means one thing across the API
 * and is documented once. Modules build their request and response schemas from these.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { conflict } from './errors.ts';

export { PageQuery, Paged, pageOf } from './pagination.ts';

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const DateStr = Type.String({ format: 'date', description: 'Calendar date, YYYY-MM-DD.' });
export const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 instant with its offset.' });
export const Version = Type.Integer({ minimum: 1, description: 'The version this change is based on; a stale version gets 409.' });

/** The schema, or null. */
export const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

/** RFC 9457 problem details (registered once by the app as `Problem`). */
export const ProblemRef = Type.Ref('Problem');
export const readErrors = { 400: ProblemRef, 404: ProblemRef };
export const writeErrors = { 400: ProblemRef, 401: ProblemRef, 403: ProblemRef, 404: ProblemRef, 409: ProblemRef };

/** How a route may be called from outside: an API token or the session cookie (with its CSRF token). */
export const secured: { [label: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

/** HTML pages and form posts stay out of the OpenAPI document. */
export const hidden = { hide: true } as const;

/** The answer to a change based on a version someone else has replaced since. */
export const staleVersion = (what = 'This record') =>
  conflict(`${what} was changed by someone else since you loaded it. Reload it and apply your change again.`);
