/**
 * Field problems in the reader's language. Commands and the validator (platform/http/validation.ts) word field
 * problems in English, as the API answers them; a page shows them in the reader's language. The validator's own
 * messages are translated here once; a module adds the wording of its own commands' checks (module rules are tried
 * first, so a module may also word a generic problem its own way). A message no rule knows stays in English.
 */
import type { FieldError } from '../http/errors.ts';
import { formatDate, type Lang } from './i18n.ts';

export type MessageRules = readonly (readonly [RegExp, string | ((...m: string[]) => string)])[];

/** Spanish for every message `fieldErrorsOf` writes, and the few the platform's form helpers add. */
const VALIDATOR_ES: MessageRules = [
  [/^is required$/, 'es obligatorio'],
  [/^must be at least (\d+) characters$/, (_, n) => `debe tener al menos ${n} caracteres`],
  [/^must be at most (\d+) characters$/, (_, n) => `debe tener como máximo ${n} caracteres`],
  [/^must be one of: (.*)$/, (_, l) => `debe ser uno de: ${l}`],
  [/^must be a valid email$/, 'debe ser un correo electrónico válido'],
  [/^must be a valid (date|date-time)$/, 'debe ser una fecha válida'],
  [/^must be a valid (.*)$/, (_, f) => `debe tener un formato válido (${f})`],
  [/^is not in the expected form$/, 'no tiene la forma esperada'],
  [/^must be (integer|number)$/, 'debe ser un número'],
  [/^must be boolean$/, 'debe ser sí o no'],
  [/^must be equal to constant$/, 'debe marcarse'],
  [/^must be at least (\S+)$/, (_, n) => `debe ser como mínimo ${n}`],
  [/^must be at most (\S+)$/, (_, n) => `debe ser como máximo ${n}`],
  [/^must have at least (\d+) item\(s\)$/, (_, n) => `debe tener al menos ${n} elemento(s)`],
  [/^must have at most (\d+) item\(s\)$/, (_, n) => `debe tener como máximo ${n} elemento(s)`],
  [/^must not repeat items$/, 'no debe repetir elementos'],
  [/^is not a known field$/, 'no es un campo conocido'],
  [/^is missing(.*)$/, (_, rest) => `falta${rest}`],
  [/^is not valid$/, 'no es válido'],
  [/^the form could not be read$/, 'no se pudo leer el formulario'],
];

function translate(message: string, rules: MessageRules): string | undefined {
  for (const [re, to] of rules) {
    const m = re.exec(message);
    if (m) return typeof to === 'string' ? to : to(...m);
  }
  return undefined;
}

export interface LocalizeOptions {
  /**
   * Say the calendar dates a message quotes as the reader reads them ("2027-01-15" as "Jan 15, 2027" or "15 ene
   * 2027"), in English too. For pages only: the API answers with the message as the command wrote it.
   */
  dates?: boolean;
}

/** ISO calendar dates (YYYY-MM-DD) in `message` as `lang` writes them; a string that is not a real day stays as it is. */
export function readableDates(lang: Lang, message: string): string {
  return message.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => {
    const at = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === d ? formatDate(lang, d) : d;
  });
}

/** One message in `lang` (a rule may call this on the rest of a message it matched, e.g. after "row 3, "). */
export function localizeMessage(lang: Lang, message: string, moduleRules: MessageRules = [], opts: LocalizeOptions = {}): string {
  const text = lang === 'es' ? (translate(message, moduleRules) ?? translate(message, VALIDATOR_ES) ?? message) : message;
  return opts.dates ? readableDates(lang, text) : text;
}

/** The problems in `lang`: English as they are; Spanish through the module's rules, then the validator's. */
export function localizeFieldErrors(lang: Lang, errors: FieldError[] | undefined, moduleRules: MessageRules = [], opts: LocalizeOptions = {}): FieldError[] | undefined {
  if (!errors || (lang !== 'es' && !opts.dates)) return errors;
  return errors.map((e) => ({ field: e.field, message: localizeMessage(lang, e.message, moduleRules, opts) }));
}
