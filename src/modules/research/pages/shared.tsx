/** What the research pages share: access levels, labels, field problems in the reader's language. */
import type { FieldError } from '../../../platform/http/errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { MANAGE, SUBMIT } from '../permissions.ts';
import type { CallField } from '../schema.ts';
import { localizeFieldErrors, localizeMessage, type MessageRules } from '../../../platform/web/field-errors.ts';

export const PUBLIC = { access: 'public', publicCache: true } as const;
export const ANYONE = { access: 'public' } as const;
export const MANAGERS = { access: { permission: MANAGE } } as const;
export const SUBMITTERS = { access: { permission: SUBMIT } } as const;

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' && x !== '' ? [x] : []);

export const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/research', label: v.t('rs.title') }, ...extra];

export const stateLabel = (v: View, s: string) => v.t(`rs.state.${s}`);
export const typeLabel = (v: View, t: string) => v.t(`rs.type.${t}`);
export const fieldHeading = (f: Pick<CallField, 'label' | 'unit'>) => (f.unit ? `${f.label} (${f.unit})` : f.label);

// One formatter per language: toLocaleString with options builds a new one on every call, which was most of the
// time an insights page took to render from its cache (a few hundred figures).
const NUMBER = { en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }), es: new Intl.NumberFormat('es-US', { maximumFractionDigits: 6 }) };

/** Numbers as the reader's language writes them; blanks as a dash. */
export function fmt(v: View, x: unknown): string {
  if (x === null || x === undefined || x === '') return '—';
  if (typeof x === 'number') return NUMBER[v.lang === 'es' ? 'es' : 'en'].format(x);
  return String(x);
}

// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish. The
// validator's own wording is translated by the platform (platform/web/field-errors.ts); these are this module's.
const ES: MessageRules = [
  [/^must not be before period_start$/, 'no debe ser anterior al inicio del periodo'],
  [/^repeats the key (.*)$/, (_, k) => `repite la clave ${k}`],
  [/^is not an agency this site knows$/, 'no es una agencia que este sitio conozca'],
  [/^is not a field of this data call$/, 'no es un campo de esta solicitud de datos'],
  [/^must be a whole number, 0 or more \(not (.*)\)$/, (_, x) => `debe ser un número entero, 0 o más (no ${x})`],
  [/^must be a number such as 12 or 3\.5 \(not (.*)\)$/, (_, x) => `debe ser un número como 12 o 3,5 (no ${x})`],
  [/^must be at most 500 characters$/, 'debe tener como máximo 500 caracteres'],
  [/^is required to return a submission.*$/, 'es obligatoria para devolver un envío: diga qué corregir'],
  [/^line (\d+), (.*)$/, (_, n, rest) => `línea ${n}, ${localizeMessage('es', rest, ES)}`],
  [/^row (\d+), column (\S+): (.*)$/, (_, r, c, rest) => `fila ${r}, columna ${c}: ${localizeMessage('es', rest, ES)}`],
  [/^row (\d+), column (\d+) \((.*)\): is not a field of this data call \(fields: (.*)\)$/, (_, r, c, n, l) => `fila ${r}, columna ${c} (${n}): no es un campo de esta solicitud de datos (campos: ${l})`],
  [/^row (\d+), column (\d+) \((.*)\): names (\S+) a second time$/, (_, r, c, n, k) => `fila ${r}, columna ${c} (${n}): nombra ${k} por segunda vez`],
  [/^row (\d+): the column (\S+) is missing$/, (_, r, k) => `fila ${r}: falta la columna ${k}`],
  [/^row (\d+): has (\d+) values for (\d+) columns$/, (_, r, a, b) => `fila ${r}: tiene ${a} valores para ${b} columnas`],
  [/^is empty: .*$/, 'está vacío: envíe una fila de encabezado y al menos una fila de valores'],
  [/^has no rows of values under its header$/, 'no tiene filas de valores bajo el encabezado'],
  [/^is not readable CSV: (.*)$/, (_, m) => `no es un CSV legible: ${m}`],
  [/^more problems follow.*$/, 'hay más problemas: corrija estos y envíe el archivo de nuevo'],
  [/^is not valid UTF-8 text$/, 'no es texto UTF-8 válido'],
  [/^must differ from rows$/, 'debe ser distinta de las filas'],
  [/^is required when cols is given$/, 'es obligatoria si se indican columnas'],
  [/^choose a CSV file or paste its text$/, 'elija un archivo CSV o pegue su texto'],
];

/** The field problems in the reader's language (messages nobody translated stay in English). */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES);
