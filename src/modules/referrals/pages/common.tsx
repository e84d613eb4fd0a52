/** Pieces the referral pages share. */
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formatInstant, type Lang } from '../../../platform/web/i18n.ts';

export type Input = Record<string, unknown>;

export const val = (input: Input | undefined, k: string) => (input?.[k] === undefined ? undefined : String(input[k]));
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);
export const opts = (v: View, prefix: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`${prefix}.${x}`) }));
/** An instant as the reader reads it (formatInstant: their language, the task force's clock), or a dash. */
export const when = (iso: string | null, lang: Lang) => (iso ? formatInstant(lang, iso) : '—');

// Page posts take any form fields: the command validates them, so that a bad value re-renders the form with the
// problem beside its field instead of a bare error page.
export const FormPost = Type.Object({}, { additionalProperties: true });
export const IdPage = { ...hidden, params: IdParams };

export function StatusTag({ v, status }: { v: View; status: string }) {
  const closed = ['declined', 'completed', 'cancelled', 'expired'].includes(status);
  return <span class={`usa-tag${closed ? ' bg-base-dark' : ''}`}>{v.t(`rf.status.${status}`)}</span>;
}
