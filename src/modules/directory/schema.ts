/** Schemas of the directory's HTML routes that several page files share. */
import { Type, type Static } from '@sinclair/typebox';

/**
 * A posted HTML form as the browser sends it: each field once (text) or repeated (a list). The command behind the
 * form checks the values, so that a bad one comes back beside its field rather than as an error page.
 */
export const FormPost = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
export type FormPost = Static<typeof FormPost>;

/** A page of an HTML list. */
export const PageNumber = Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 }));
