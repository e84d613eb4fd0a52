/** What the networks pages share: labels, the form frame, and loading the network a page is about. */
import type { Ctx } from '../../../platform/context.ts';
import { forbidden, notFound, type FieldError } from '../../../platform/http/errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';
import { EDIT_OWN, MANAGE } from '../permissions.ts';
import { EDIT_REFUSED } from '../policies.ts';
import { networkFor } from '../presenters.ts';
import type { Network } from '../schema.ts';
import { getNetwork } from '../store.ts';

export const PUBLIC = { access: 'public', publicCache: true } as const;
export const EDITORS = { access: { permission: EDIT_OWN } } as const;
export const MANAGERS = { access: { permission: MANAGE } } as const;

/** Problems with single items of these list fields are shown on the list's one input. */
export const LIST_FIELDS = ['states', 'counties', 'needs'] as const;

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);
export const words = (x: unknown): string[] => list(x).flatMap((s) => s.split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);

export const needLabel = (v: View, code: string) => v.t(`networks.need.${code}`);
export const roleLabel = (v: View, role: string) => v.t(`networks.role.${role}`);
export { countyName } from './area-fields.tsx';

export const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/networks', label: v.t('networks.title') }, ...extra];

export function EditLink({ v, href, what }: { v: View; href: string; what: string }) {
  return (
    <a href={href} class="margin-right-1">
      {v.t('networks.change')} <span class="usa-sr-only">{what}</span>
    </a>
  );
}

export interface EditTarget {
  action: string;
  title: string;
}

// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish (the
// validator's own wording is translated by platform/web/field-errors.ts).
const ES: MessageRules = [
  [/^(\S+) is not a U\.S\. state, DC or territory code$/, (_, s) => `${s} no es un estado, DC ni un territorio de EE. UU.`],
  [/^(\S+) is not a county FIPS code$/, (_, c) => `${c} no es un condado de EE. UU. (código FIPS)`],
  [/^name at least one state or county$/, 'indique al menos un estado o condado'],
  [/^must be a number of miles above 0 and at most (\d+)$/, (_, n) => `debe ser un número de millas mayor que 0 y como máximo ${n}`],
  [/^is required for an area by centre and radius$/, 'es obligatorio para un área indicada como centro y radio'],
  [/^is not an organisation in the directory$/, 'no es una organización del directorio'],
  [/^is already a member of this network$/, 'ya es miembro de esta red'],
  [/^is not a member of this network$/, 'no es miembro de esta red'],
  [/^must be on or after the date signed \((.*)\)$/, (_, d) => `debe ser igual o posterior a la fecha de firma (${d})`],
  [/^is required when an expiry date is given$/, 'es obligatoria cuando se indica la fecha de vencimiento'],
];

/** The field problems in the reader's language, dates as readers read them. */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES, { dates: true });

export async function loadOr404(ctx: Ctx, id: string): Promise<Network> {
  const n = await getNetwork(ctx.db, id);
  if (!n) throw notFound();
  return networkFor(ctx, n);
}

/** The network, for pages that change it: 404 first (so that ids reveal nothing new), then 403 without the right. */
export async function editable(ctx: Ctx, id: string): Promise<Network> {
  const n = await loadOr404(ctx, id);
  if (!n.viewer.can_edit) throw forbidden(EDIT_REFUSED);
  return n;
}
