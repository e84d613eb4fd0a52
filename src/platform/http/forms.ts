/**
 * HTML form routes: a post runs a command; on invalid input the same form is shown again, status 400, with each
 * problem beside its field and the input as it was typed. Shared by every module's pages.
 */
import type { FastifyReply } from 'fastify';
import { HttpError, type FieldError } from './errors.ts';
import { idempotent } from './idempotency.ts';

/** Posted values as typed, for showing a form again exactly as it was sent. */
export type FormValues = Record<string, string | string[] | undefined>;

/**
 * The field problems of a refused command, or undefined when the error is not about input. Problems with items
 * of a list field (`needs.2`) are shown on the list's one input, keeping the item's path in the message when
 * `keepPath` is set.
 */
export function formErrors(err: unknown, listFields: readonly string[] = [], keepPath = false): FieldError[] | undefined {
  if (!(err instanceof HttpError) || err.status !== 400) return undefined;
  if (!err.errors.length) return [{ field: 'form', message: err.detail ?? 'is not valid' }];
  return err.errors.map((e) => {
    const [head, ...rest] = e.field.split('.');
    if (!listFields.includes(head) || !rest.length) return e;
    return { field: head, message: keepPath ? `${rest.join('.')}: ${e.message}` : e.message };
  });
}

/** Raw posted values (the CSRF token left out), for showing a form again as it was sent. */
export function rawValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, x] of Object.entries(body as Record<string, unknown>)) if (k !== '_csrf' && k !== '_idem') out[k] = Array.isArray(x) ? x.map(String) : String(x);
  return out;
}

/**
 * Runs a form's command, which answers the address to go to next (post, redirect, get); on invalid input shows
 * the form again through `again` with the problems. A form carrying an idempotency key (`IdempotencyKey` in
 * platform/web/components.tsx) runs its command once however often it is sent: a repeat goes where the first went.
 */
export async function submitForm(
  reply: FastifyReply,
  run: () => Promise<string>,
  again: (errors: FieldError[]) => Promise<FastifyReply> | FastifyReply,
  opts: { listFields?: readonly string[]; keepPath?: boolean } = {},
): Promise<FastifyReply> {
  try {
    return reply.redirect((await idempotent(reply.request, run)).location, 303);
  } catch (err) {
    const errors = formErrors(err, opts.listFields, opts.keepPath);
    if (!errors) throw err;
    return again(errors);
  }
}
