import { Type, type TProperties } from '@sinclair/typebox';

/** A posted HTML form field: its value, or its values when the name repeats (check boxes). */
export const FormField = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));

/**
 * The body schema of an HTML form post: the fields it reads, each optional text, and anything else let through
 * (the CSRF token, extra fields), so that a bad value reaches the command and comes back as a field error on the
 * form rather than as a bare 400.
 */
export const FormPost = <P extends TProperties>(fields: P) => Type.Object(fields, { additionalProperties: true });

/** The one value of a posted field; a repeated field counts as absent. */
export const one = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : '');

/** Only same-site paths, so that `next` cannot send a person to another site after sign-in. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
