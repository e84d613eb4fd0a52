import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { TSchema, Static } from '@sinclair/typebox';
import { badRequest, type FieldError } from './errors.ts';

// Fastify and the commands share these options, so that a form and an API call meet the same rules.
export const AJV_OPTIONS = { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false } as const;

/**
 * Dates and instants that both engines can store and read back: PostgreSQL has no year 0, and instants near the
 * ends of the range come back in forms JavaScript cannot parse. Input outside years 1000-9999 is refused as invalid
 * instead of failing in the database with a 500. Apply after ajv-formats.
 */
export function storableDates(instance: Ajv.default): Ajv.default {
  const limits = { date: /^[1-9]\d{3}-/, 'date-time': /^(?!9999)[1-9]\d{3}-/ } as const;
  for (const [name, re] of Object.entries(limits)) {
    const base = instance.formats[name] as { validate?: (s: string) => boolean } | undefined;
    const check = base?.validate;
    if (!base || typeof check !== 'function') continue;
    instance.addFormat(name, { ...(base as object), validate: (s: string) => re.test(s) && check(s) } as never);
  }
  return instance;
}

export function configureAjv(instance: Ajv.default): Ajv.default {
  return storableDates(addFormats.default(instance));
}

const ajv = configureAjv(new Ajv.default(AJV_OPTIONS));
const ajvCoercing = configureAjv(new Ajv.default({ ...AJV_OPTIONS, coerceTypes: 'array' }));

/**
 * Fastify's validator for each part of a request: query strings and path parameters arrive as text and are
 * coerced to the schema's types; a JSON body is taken as sent, so `{"name": 123}` is refused rather than fixed up.
 */
export function routeValidatorCompiler({ schema, httpPart }: { schema: object; httpPart?: string }) {
  return (httpPart === 'body' ? ajv : ajvCoercing).compile(schema);
}

/**
 * The path of the first string (or object key) holding U+0000, which PostgreSQL text and jsonb cannot store; such
 * input is refused for every route before it reaches a query. Iterative, so that deep JSON cannot overflow the stack.
 */
export function nulField(value: unknown, prefix = ''): string | undefined {
  const stack: [unknown, string][] = [[value, prefix]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path || 'body';
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = !path || path.endsWith('.') ? path + k : `${path}.${k}`;
        if (k.includes('\u0000')) return path || 'body';
        stack.push([x, p]);
      }
    }
  }
  return undefined;
}

const FRIENDLY: Record<string, (e: ErrorObject) => string> = {
  required: () => 'is required',
  minLength: (e) => (e.params.limit === 1 ? 'is required' : `must be at least ${e.params.limit} characters`),
  maxLength: (e) => `must be at most ${e.params.limit} characters`,
  format: (e) => `must be a valid ${e.params.format}`,
  pattern: () => 'is not in the expected form',
  enum: (e) => `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`,
  const: (e) => `must be ${JSON.stringify(e.params.allowedValue)}`,
  type: (e) => `must be ${e.params.type}`,
  minimum: (e) => `must be at least ${e.params.limit}`,
  maximum: (e) => `must be at most ${e.params.limit}`,
  additionalProperties: () => 'is not a known field',
  minItems: (e) => `must have at least ${e.params.limit} item(s)`,
  maxItems: (e) => `must have at most ${e.params.limit} item(s)`,
  uniqueItems: () => 'must not repeat items',
};

/** Turns Ajv's errors into one message per field, named the way the form and the API name them. */
export function fieldErrorsOf(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  // A union of literals fails once per branch; say it once, listing every allowed value.
  const allowed = new Map<string, unknown[]>();
  for (const e of errors ?? []) {
    if (e.keyword !== 'const') continue;
    const list = allowed.get(e.instancePath) ?? [];
    list.push(e.params.allowedValue);
    allowed.set(e.instancePath, list);
  }
  for (const e of errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    if (e.keyword === 'type' && allowed.has(e.instancePath)) continue;
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required') field = [field, e.params.missingProperty].filter(Boolean).join('.');
    if (e.keyword === 'additionalProperties') field = [field, e.params.additionalProperty].filter(Boolean).join('.');
    field = prefix + (field || 'body');
    if (seen.has(field)) continue;
    seen.add(field);
    const choices = e.keyword === 'const' ? allowed.get(e.instancePath) : undefined;
    const msg = choices && choices.length > 1 ? `must be one of: ${choices.join(', ')}` : (FRIENDLY[e.keyword]?.(e) ?? e.message ?? 'is not valid');
    out.push({ field, message: msg });
  }
  return out;
}

const cache = new WeakMap<TSchema, Ajv.ValidateFunction>();
const cacheCoercing = new WeakMap<TSchema, Ajv.ValidateFunction>();

/**
 * Validates input against a TypeBox schema and returns it typed, or throws a 400 naming each bad field.
 * `coerce` is for HTML forms, whose values arrive as strings.
 */
export function validate<S extends TSchema>(schema: S, input: unknown, opts: { coerce?: boolean } = {}): Static<S> {
  const map = opts.coerce ? cacheCoercing : cache;
  let fn = map.get(schema);
  if (!fn) {
    fn = (opts.coerce ? ajvCoercing : ajv).compile(schema);
    map.set(schema, fn);
  }
  const data = structuredClone(input);
  if (!fn(data)) throw badRequest(fieldErrorsOf(fn.errors));
  return data as Static<S>;
}

/** HTML forms send empty strings for fields left blank; treat them as absent. */
export function formBody(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === '_csrf' || k === '_idem') continue; // the form's own tokens, not its values
    if (typeof v === 'string') {
      const trimmed = v.trim();
      if (trimmed !== '') out[k] = trimmed;
    } else if (Array.isArray(v)) {
      const list = v.filter((x) => typeof x === 'string' && x.trim() !== '').map((x) => (x as string).trim());
      if (list.length) out[k] = list;
    }
  }
  return out;
}
