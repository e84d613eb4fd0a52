/** Pieces the listening pages share: form value helpers, breadcrumbs, form-to-command conversions. */
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import { isUuid } from '../../../platform/db/index.ts';
import { Breadcrumbs } from '../../../platform/web/components.tsx';
import { codeTree, loadOwners, type Code, type Series, type Session } from '../store.ts';
import { zonedToUtc } from '../time.ts';

export type Input_ = Record<string, unknown>;

export const opt = (v: View, prefix: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`${prefix}.${x}`) }));
export const val = (input: Input_ | undefined, k: string) => (input?.[k] === undefined ? undefined : String(input[k]));
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);

export function when(s: Session): string {
  return `${s.date}, ${s.start_time}–${s.end_time} (${s.time_zone})`;
}

export function SeriesCrumbs({ v, series, here }: { v: View; series: Series; here: string }) {
  return <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { href: `/listening/series/${series.id}`, label: series.title }, { label: here }]} />;
}

export function codeOptions(codes: Code[]) {
  return codeTree(codes).map(({ code, depth }) => ({ value: code.id, label: `${'— '.repeat(depth)}${code.name}` }));
}

export function agendaFromText(text: unknown): { title: string; minutes?: number }[] {
  return String(text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(.*?)\s*\|\s*(\d+)\s*$/.exec(l);
      return m ? { title: m[1], minutes: Number(m[2]) } : { title: l };
    });
}

/** The session form's flat fields in the API's shape; local registration times become instants in the session's zone. */
export function sessionFromForm(body: Input_): Input_ {
  const out: Input_ = { ...body };
  if (body.agenda !== undefined) out.agenda = agendaFromText(body.agenda);
  for (const k of ['registration_opens_at', 'registration_closes_at']) {
    const x = body[k];
    if (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(x) && typeof body.time_zone === 'string') {
      try {
        out[k] = zonedToUtc(x.slice(0, 10), x.slice(11), body.time_zone);
      } catch {
        // An unknown zone is reported on its own field.
      }
    }
  }
  return out;
}

export async function withOwnerType(req: FastifyRequest, input: Input_): Promise<Input_> {
  const owner = (await loadOwners(req.ctx.db)).get(typeof input.owner_id === 'string' && isUuid(input.owner_id) ? input.owner_id : undefined);
  return owner ? { ...input, owner_type: owner.type } : input;
}

/** The page number of a paged HTML page. */
export const PageParam = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }, { additionalProperties: false });

