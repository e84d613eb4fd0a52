/** Pieces the listening pages share: form value helpers, breadcrumbs, form-to-command conversions. */
import { sessionWhen } from '../presenters.ts';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';
import { questionKey, questionLabel, type Question } from '../questions.ts';
import { isUuid } from '../../../platform/db/index.ts';
import { Breadcrumbs } from '../../../platform/web/components.tsx';
import { codeTree, loadOwners, type Code, type Series, type Session } from '../store.ts';
import { zonedToUtc } from '../time.ts';

export type Input_ = Record<string, unknown>;

export const opt = (v: View, prefix: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`${prefix}.${x}`) }));
export const val = (input: Input_ | undefined, k: string) => (input?.[k] === undefined ? undefined : String(input[k]));
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);

/** A session's date and times, with its time zone named for the reader. */
export function when(v: View, s: Session): string {
  return sessionWhen(v.lang, s);
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


// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish (the validator's
// own wording is translated by platform/web/field-errors.ts; these are this module's).
const ES: MessageRules = [
  [/^must be an IANA time zone name.*$/, 'debe ser una de las zonas horarias de la lista'],
  [/^must be after start_time$/, 'debe ser posterior a la hora de inicio'],
  [/^must not exceed capacity$/, 'no debe superar la capacidad'],
  [/^must be after registration_opens_at$/, 'debe ser posterior a la apertura de la inscripción'],
  [/^must be at least (\d+), the places already confirmed$/, (_, n) => `debe ser al menos ${n}, las plazas ya confirmadas`],
  [/^the key (\S+) is used twice$/, (_, k) => `la clave ${k} se usa dos veces`],
  [/^is not a known (.*)$/, () => 'no es una de las opciones de la lista'],
  [/^must be (\S+) for this owner$/, () => 'no corresponde a este responsable'],
  [/^is already registered for this session$/, 'ya está inscrito en esta sesión'],
  [/^is not a question of this session$/, 'no es una pregunta de esta sesión'],
  [/^at least one question needs an answer$/, 'al menos una pregunta necesita respuesta'],
  [/^is required to be named$/, 'es obligatorio para que se le nombre'],
  [/^is not a code of this series$/, 'no es un código de esta serie'],
  [/^is already used at this level of the codebook$/, 'ya se usa en este nivel del libro de códigos'],
  [/^does not appear in the answer$/, 'no aparece en la respuesta'],
  [/^is not an answer in this series$/, 'no es una respuesta de esta serie'],
  [/^is not an excerpt of this series$/, 'no es un fragmento de esta serie'],
  [/^is required with owner_type$/, 'es obligatorio con el tipo de responsable'],
  [/^is required when declining a recommendation$/, 'es obligatorio al rechazar una recomendación'],
  [/^is not a work plan action$/, 'no es una acción del plan de trabajo'],
];

/** The field problems in the reader's language (messages nobody translated stay in English). */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES);

/** The question form's rows: `q{n}_key` (hidden, for a question already asked), `q{n}_label`, `q{n}_label_es`, `q{n}_order`. */
export function questionsFromForm(body: Input_): { questions: { key: string; label: string; label_es?: string }[]; rows: number[] } {
  const ns = [...new Set(Object.keys(body).flatMap((k) => /^q(\d{1,2})_(key|label|label_es|order)$/.exec(k)?.[1] ?? []))].map(Number).sort((a, b) => a - b);
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const rows = ns
    .map((n) => ({ n, key: str(`q${n}_key`), label: str(`q${n}_label`), label_es: str(`q${n}_label_es`), order: Number(str(`q${n}_order`)) }))
    // A row with neither text is a question removed (or a blank row left blank).
    .filter((r) => r.label || r.label_es)
    .map((r) => ({ ...r, order: Number.isFinite(r.order) && str(`q${r.n}_order`) !== '' ? r.order : r.n + 1 }))
    .sort((a, b) => a.order - b.order || a.n - b.n);
  const taken = new Set(rows.map((r) => r.key).filter(Boolean));
  const questions = rows.map((r) => {
    const key = r.key || questionKey(r.label || r.label_es, taken);
    taken.add(key);
    return { key, label: r.label, ...(r.label_es ? { label_es: r.label_es } : {}) };
  });
  return { questions, rows: rows.map((r) => r.n) };
}

/** The command's `questions.N.x` problems on the form's `q{row}_label` fields. */
export function questionErrors(errors: FieldError[], rows: number[]): FieldError[] {
  return errors.map((e) => {
    const m = /^questions(?:\.(\d+)(?:\.(\w+))?)?$/.exec(e.field);
    if (!m) return e;
    const row = m[1] === undefined ? 0 : (rows[Number(m[1])] ?? 0);
    return { ...e, field: m[2] === 'label_es' ? `q${row}_label_es` : `q${row}_label` };
  });
}

/** The text of the question an answer replied to, in the reader's language when its series still asks it in the same words. */
export function answerQuestion(v: View, a: { question_key: string; question_label: string }, questions: Question[]): string {
  const q = questions.find((x) => x.key === a.question_key && x.label === a.question_label);
  if (q) return v.lang === 'es' && q.label_es ? q.label_es : q.label;
  return questionLabel({ key: a.question_key, label: a.question_label }, v.lang);
}

/** Owners for a picker, grouped by kind (partnerships, committees, agencies), each group by name. */
export function ownerGroups(v: View, owners: { id: string; type: string; name: string }[], types: readonly string[]): { label: string; options: { value: string; label: string }[] }[] {
  return types.map((type) => ({
    label: v.t(`ls.ownergroup.${type}`),
    options: owners
      .filter((o) => o.type === type)
      .map((o) => ({ value: o.id, label: o.name }))
      .sort((a, b) => a.label.localeCompare(b.label, v.lang)),
  }));
}
