/** What the practices pages share: access levels, labels, field errors in the reader's language, small pieces. */
import type { ComponentChildren } from 'preact';
import type { FieldError } from '../../../platform/http/errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { LEAD, MANAGE, NOMINATE, REVIEW } from '../permissions.ts';
import { DIRECTORY_TERMS } from '../../directory/index.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';

export const PUBLIC = { access: 'public', publicCache: true } as const;
export const ANYONE = { access: 'public' } as const;
export const MANAGERS = { access: { permission: MANAGE } } as const;
export const REVIEWERS = { access: { permission: REVIEW } } as const;
export const LEADS = { access: { permission: LEAD } } as const;
export const NOMINATORS = { access: { permission: NOMINATE } } as const;

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' && x !== '' ? [x] : []);

const POPULATION_LABELS = new Map(DIRECTORY_TERMS.population.map((t) => [t.code, t]));
export const populationLabel = (v: View, code: string) => {
  const t = POPULATION_LABELS.get(code);
  return t ? (v.lang === 'es' ? t.es : t.en) : code;
};
export const label = (v: View, group: string, value: string | null | undefined) => (value ? v.t(`pr.${group}.${value}`) : '—');

/** A rating as a tag: its word always, colour only as a second cue. */
export function RatingTag({ v, rating }: { v: View; rating: string }) {
  const colour: Record<string, string> = { effective: 'bg-green', promising: 'bg-primary', no_effects: 'bg-base-dark', negative_effects: 'bg-secondary-dark', inconclusive: 'bg-base-dark' };
  return <span class={`usa-tag ${colour[rating] ?? ''}`}>{label(v, 'rating', rating)}</span>;
}

export function evidenceText(v: View, evidence: string, studies: number): string {
  return evidence === 'multiple' ? v.t('pr.evidence.multiple', { n: studies }) : v.t(`pr.evidence.${evidence}`);
}

// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish. The
// validator's own wording is translated by the platform (platform/web/field-errors.ts); these are this module's.
const ES: MessageRules = [
  [/^is required to decline a nomination.*$/, 'es obligatorio para rechazar una propuesta (se le comunica a quien la propuso)'],
  [/^is not a confirmation link this site sent.*$/, 'no es un enlace de confirmación enviado por este sitio, o ya se usó'],
  [/^is not an unsubscribe link this site sent$/, 'no es un enlace para darse de baja enviado por este sitio'],
  [/^is not valid BibTeX(.*)$/, (_, rest) => `no es BibTeX válido${rest}`],
  [/^is neither RIS.*$/, 'no es RIS (primera línea "TY  - ...") ni BibTeX (entradas como "@article{...}")'],
  [/^the record that starts here has no end.*$/, 'el registro que empieza aquí no tiene fin (ER  - )'],
  [/^(.*) does not start with a four-digit year$/, (_, y) => `${y} no empieza con un año de cuatro cifras`],
  [/^(.*) is not a DOI such as 10\.1234\/abc$/, (_, d) => `${d} no es un DOI como 10.1234/abc`],
  [/^must be an http or https address$/, 'debe ser una dirección http o https'],
  [/^is linked to this practice already$/, 'ya está vinculado a esta práctica'],
  [/^is not a (.*) this site knows$/, 'no es un registro que este sitio conozca'],
  [/^cannot be (\S+) for a (.*) study: the rubric allows at most (\S+)$/, (_, r, d, c) => `no puede ser ${r} en un estudio de diseño ${d}: la rúbrica permite como máximo ${c}`],
  [/^min must not exceed max$/, 'min no debe superar max'],
  [/^is not valid JSON(.*)$/, (_, rest) => `no es JSON válido${rest}`],
  [/^must be a 5-digit ZIP code$/, 'debe ser un código postal (ZIP) de 5 dígitos'],
  [/^is not a ZIP code we know$/, 'no es un código postal (ZIP) que conozcamos'],
  [/^choose an RIS or BibTeX file or paste its text$/, 'elija un archivo RIS o BibTeX o pegue su texto'],
  [/^is not valid UTF-8 text$/, 'no es texto UTF-8 válido'],
  [/^send one file of at most (.*) MB$/, (_, n) => `envíe un solo archivo de ${n} MB como máximo`],
];

/** The field problems in the reader's language (messages nobody translated stay in English). */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES);

export const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/practices', label: v.t('pr.title') }, ...extra];

export function Dl({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl>
      {items.map(([k, val]) => (
        <>
          <dt class="text-bold margin-top-1">{k}</dt>
          <dd class="margin-left-0">{val}</dd>
        </>
      ))}
    </dl>
  );
}
