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

/** Where to send a person after a form: only paths of this site (platform/http/redirect.ts). */
export { safeRedirectPath as safeNext } from '../http/redirect.ts';
