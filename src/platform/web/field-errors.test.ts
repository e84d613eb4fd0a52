import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from '../http/validation.ts';
import { HttpError } from '../http/errors.ts';
import { Type } from '@sinclair/typebox';
import { localizeFieldErrors } from './field-errors.ts';

test('the validator\'s field problems read in Spanish; a module\'s own rules come first; unknown wording stays as it is', () => {
  const Schema = Type.Object({ name: Type.String({ minLength: 3, maxLength: 5 }), kind: Type.Union([Type.Literal('a'), Type.Literal('b')]), n: Type.Integer() }, { additionalProperties: false });
  let errors;
  try {
    validate(Schema, { name: 'toolong', kind: 'c', n: 'x', extra: 1 });
  } catch (err) {
    assert.ok(err instanceof HttpError);
    errors = err.errors;
  }
  assert.ok(errors && errors.length >= 3, JSON.stringify(errors));
  const es = localizeFieldErrors('es', errors)!;
  for (const e of es) assert.doesNotMatch(e.message, /^(must|is) /, `${e.field}: ${e.message} is still English`);
  assert.deepEqual(localizeFieldErrors('en', errors), errors, 'English is left as written');
  const own = localizeFieldErrors('es', [{ field: 'x', message: 'is not a known field' }, { field: 'y', message: 'is a wording nobody translated' }], [[/^is not a known field$/, 'no se recoge aquí']])!;
  assert.deepEqual(own.map((e) => e.message), ['no se recoge aquí', 'is a wording nobody translated']);
});

test('with `dates`, the ISO dates a problem quotes read as the reader reads dates, in either language', () => {
  const errors = [{ field: 'close_date', message: 'must be on or after the post date (2027-01-15)' }];
  assert.deepEqual(localizeFieldErrors('en', errors), errors, 'left as written without the option');
  assert.equal(localizeFieldErrors('en', errors, [], { dates: true })![0].message, 'must be on or after the post date (Jan 15, 2027)');
  const es = localizeFieldErrors('es', errors, [[/^must be on or after the post date \((.*)\)$/, (_, d) => `debe ser igual o posterior a la fecha de publicación (${d})`]], { dates: true })!;
  assert.equal(es[0].message, 'debe ser igual o posterior a la fecha de publicación (15 ene 2027)');
  assert.equal(localizeFieldErrors('en', [{ field: 'x', message: '2027-02-30 is not a day' }], [], { dates: true })![0].message, '2027-02-30 is not a day', 'a date that does not exist stays as written');
});
