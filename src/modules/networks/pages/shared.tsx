/** What the networks pages share: labels, the form frame, and loading the network a page is about. */
import type { ComponentChildren } from 'preact';
import type { Ctx } from '../../../platform/context.ts';
import { forbidden, notFound, type FieldError } from '../../../platform/http/errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Csrf, ErrorSummary, FormPage, SubmitButton } from '../../../platform/web/components.tsx';
import { countyByFips, stateByCode } from '../../../platform/geo/us.ts';
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
export const stateName = (code: string) => stateByCode(code)?.name ?? code;
export const countyName = (fips: string) => {
  const c = countyByFips(fips);
  return c ? `${c.name}, ${c.state}` : fips;
};

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

export function FormShell({ v, title, action, errors, cancel, crumbItems, children }: { v: View; title: string; action: string; errors?: FieldError[]; cancel: string; crumbItems: { href?: string; label: string }[]; children: ComponentChildren }) {
  return (
    <FormPage v={v} title={title} action={action} errors={errors} cancel={cancel} crumbs={crumbItems} save={v.t('networks.save')}>
      {children}
    </FormPage>
  );
}

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
