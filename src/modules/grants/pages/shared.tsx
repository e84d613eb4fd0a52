/** What the grants pages share: access, labels, the links between the pages, and field problems in Spanish. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { View } from '../../../platform/web/view.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { PLAN, REVIEW } from '../permissions.ts';
import { countyByFips, countyNameIn } from '../../../platform/geo/us.ts';

/** A county by FIPS code named in the reader's language; `fallback` (the name stored) when the atlas does not know it. */
export const countyNamed = (v: View, fips: string | null | undefined, fallback: string | null): string => {
  const c = fips ? countyByFips(fips) : undefined;
  return c ? countyNameIn(c, v.lang) : (fallback ?? '');
};

/** Where an award was performed: "Cook, IL", the county named in the reader's language. */
export const placeOf = (v: View, a: { county_fips?: string | null; county_name?: string | null; state?: string | null }): string =>
  [countyNamed(v, a.county_fips, a.county_name ?? null), a.state].filter(Boolean).join(', ');
import { localizeFieldErrors, localizeMessage, type MessageRules } from '../../../platform/web/field-errors.ts';

export const PUBLIC = { access: 'public', publicCache: true } as const;
export const PLANNERS = { access: { permission: PLAN } } as const;
export const COMMITTEE = { access: { permission: REVIEW } } as const;

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' && x !== '' ? [x] : []);
export const words = (x: unknown): string[] => list(x).flatMap((s) => s.split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);

export const term = (v: View, code: string) => v.t(`grants.term.${code}`);
export const money = (v: View, n: number | null) => (n === null ? '—' : new Intl.NumberFormat(v.lang === 'es' ? 'es-US' : 'en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(n));

/** A calendar date (YYYY-MM-DD) as the reader writes it: "Mar 31, 2027", "31 mar 2027"; other text as it is. */
export const day = (v: View, iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? formatDate(v.lang, iso) : iso);
export const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/grants', label: v.t('grants.title') }, ...extra];

/** Links between the signed-in grants pages. */
export function GrantsNav({ v }: { v: View }) {
  const links: [string, string][] = [
    ['/grants', 'grants.plans'],
    ['/grants/notices', 'grants.notices'],
    ['/grants/awards', 'grants.awards'],
    ['/grants/overlaps', 'grants.overlaps'],
    ['/grants/gaps', 'grants.gaps'],
    ['/grants/summary', 'grants.summary'],
    ['/grants/funding', 'grants.funding.title'],
  ];
  if (v.can(REVIEW)) links.push(['/grants/watch', 'grants.watch']);
  return (
    <nav aria-label={v.t('grants.links')} class="margin-bottom-2">
      <ul class="usa-list usa-list--unstyled grid-row grid-gap-2">
        {links.map(([href, key]) => (
          <li class="grid-col-auto">{v.path === href ? <strong>{v.t(key)}</strong> : <a href={href}>{v.t(key)}</a>}</li>
        ))}
      </ul>
    </nav>
  );
}

// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish. The
// validator's own wording is translated by the platform (platform/web/field-errors.ts); these are this module's.
const ES: MessageRules = [
  [/^is not an agency of the task force$/, 'no es una agencia del grupo de trabajo'],
  [/^(\S+) is not a U\.S\. state, DC or territory code$/, (_, s) => `${s} no es un código de estado, DC o territorio de EE. UU.`],
  [/^name at least one state, or mark the plan nationwide$/, 'indique al menos un estado, o marque el plan como de todo el país'],
  [/^must be on or after the post date \((.*)\)$/, (_, d) => `debe ser igual o posterior a la fecha de publicación (${d})`],
  [/^is not one of this agency's grant plans$/, 'no es uno de los planes de subvención de esta agencia'],
  [/^is not a grant plan$/, 'no es un plan de subvención'],
  [/^(\S+) is not a county FIPS code$/, (_, c) => `${c} no es un código FIPS de condado`],
  [/^(\S+) \((.*)\) is in (\S+), not (\S+)$/, (_, c, n, a, b) => `${c} (${n}) está en ${a}, no en ${b}`],
  [/^is already on the watch list$/, 'ya está en la lista de seguimiento'],
  [/^is not an Assistance Listing number NN\.NNN, e\.g\. 16\.320$/, 'no es un número de Assistance Listing NN.NNN, por ejemplo 16.320'],
  [/^must be an http or https address.*$/, 'debe ser una dirección http o https (un archivo del servidor se indica con `taskforce grants source RUTA`)'],
  [/^the plan has no version (\d+) \(latest (\d+)\)$/, (_, a, b) => `el plan no tiene versión ${a} (la última es ${b})`],
  [/^is empty$/, 'está vacío'],
  [/^has no column for (.*)$/, (_, c) => `no tiene columna para ${c.replace(/ \(the first line.*$/, '')} (la primera línea debe nombrar las columnas, como en las descargas de USAspending)`],
  [/^is not an imported opportunity$/, 'no es una oportunidad importada'],
  // The award CSV: the file itself, then each refused row's reason (pages/awards.tsx).
  [/^is not valid UTF-8 text$/, 'no es texto UTF-8 válido'],
  [/^choose a CSV file or paste its text$/, 'elija un archivo CSV o pegue su texto'],
  [/^send one file of at most (\S+) MB$/, (_, n) => `envíe un solo archivo de ${n} MB como máximo`],
  [/^line (\d+): a quoted field is never closed$/, (_, n) => `línea ${n}: un campo entre comillas no se cierra nunca`],
  [/^is longer than (\d+) characters$/, (_, n) => `tiene más de ${n} caracteres`],
  [/^(.*) appears twice in the file$/, (_, k) => `${k} aparece dos veces en el archivo`],
  [/^(".*") is not an amount$/, (_, x) => `${x} no es un importe`],
  [/^(".*") is not a U\.S\. state, DC or territory$/, (_, x) => `${x} no es un estado, DC ni territorio de EE. UU.`],
  [/^(".*") is not a county of (\S+)$/, (_, x, st) => `${x} no es un condado de ${st}`],
  [/^(".*") is not an Assistance Listing number NN\.NNN$/, (_, x) => `${x} no es un número de Assistance Listing NN.NNN`],
  [/^(".*") is not a date \(YYYY-MM-DD\)$/, (_, x) => `${x} no es una fecha (AAAA-MM-DD)`],
];

/** One message (a refused row's reason) in the reader's language. */
export const localMessage = (v: View, message: string): string => localizeMessage(v.lang, message, ES);

/** The field problems in the reader's language (messages nobody translated stay in English), dates as readers read them. */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES, { dates: true });
