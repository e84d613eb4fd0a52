/** What the outreach pages share: access levels, field problems in the reader's language, small pieces. */
import type { FieldError } from '../../../platform/http/errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { MANAGE, MODERATE, SPONSOR } from '../permissions.ts';
import { localizeFieldErrors, type MessageRules } from '../../../platform/web/field-errors.ts';

export const PUBLIC = { access: 'public' } as const;
export const MANAGERS = { access: { permission: MANAGE } } as const;
export const MODERATORS = { access: { permission: MODERATE } } as const;
export const SPONSORS = { access: { permission: SPONSOR } } as const;

export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
/** A state by its name ("Virginia"), never its USPS code; the code as stored when the atlas does not know it. */
export const opts = (v: View, group: string, values: readonly string[]) => values.map((x) => ({ value: x, label: v.t(`or.${group}.${x}`) }));

// Field problems come from the commands in English; readers of the Spanish pages get them in Spanish. The
// validator's own wording is translated by the platform (platform/web/field-errors.ts); these are this module's.
const ES: MessageRules = [
  [/^choose one of your groups: a youth event is registered by group$/, 'elija uno de sus grupos: un evento juvenil se inscribe por grupo'],
  [/^must be at most (\d+), the places at this event$/, (_, n) => `debe ser como máximo ${n}, las plazas de este evento`],
  [/^is registered for this event already$/, 'ya está inscrito en este evento'],
  [/^is not a known field$/, 'no es un campo conocido: aquí no se recogen datos de estudiantes'],
  [/^must not contain an e-mail address.*$/, 'no debe contener una dirección de correo electrónico: los estudiantes participan sin dar ningún dato de contacto'],
  [/^must not contain a telephone number.*$/, 'no debe contener un número de teléfono: los estudiantes participan sin dar ningún dato de contacto'],
  [/^is required with a photo.*$/, 'es obligatorio con una foto: describa el trabajo que muestra'],
  [/^must be confirmed: photos show the work.*$/, 'debe confirmarse: las fotos muestran el trabajo, nunca a personas'],
  [/^is not an image this site can read.*$/, 'no es una imagen que este sitio pueda leer (JPEG, PNG, WebP, HEIC, AVIF, TIFF o GIF)'],
  [/^could not be read as an image$/, 'no se pudo leer como imagen'],
  [/^must be at most (\d+) MB$/, (_, n) => `debe pesar como máximo ${n} MB`],
  [/^send one file of at most (\d+) MB$/, (_, n) => `envíe un solo archivo de ${n} MB como máximo`],
  [/^is not a group this site knows$/, 'no es un grupo que este sitio conozca'],
  [/^is signed up for this campaign already$/, 'ya está inscrito en esta campaña'],
  [/^is not signed up for this campaign$/, 'no está inscrito en esta campaña'],
  [/^must not be before the start date$/, 'no debe ser anterior a la fecha de inicio'],
  [/^must not be before the date$/, 'no debe ser anterior a la fecha'],
  [/^is required to reject a reportback.*$/, 'es obligatoria para rechazar un informe: el patrocinador la lee'],
  [/^is required for audio and video.*$/, 'es obligatoria para audio y video: la leen quienes no pueden oírlo'],
  [/^is required: people who cannot see.*$/, 'es obligatorio: lo leen quienes no pueden ver el material'],
  [/^must describe the material in at least 10 characters$/, 'debe describir el material en al menos 10 caracteres'],
  [/^is not a material this site knows$/, 'no es un material que este sitio conozca'],
  [/^must be in the other language$/, 'debe estar en el otro idioma'],
  [/^has a translation already$/, 'ya tiene una traducción'],
  [/^is not a time zone such as.*$/, 'no es una zona horaria como America/New_York'],
  [/^is required with a start time$/, 'es obligatoria con una hora de inicio'],
  [/^must be after the start time$/, 'debe ser posterior a la hora de inicio'],
  [/^give a place or a link.*$/, 'indique un lugar o un enlace para este tipo de evento'],
];

/** The field problems in the reader's language (messages nobody translated stay in English). */
export const localErrors = (v: View, errors: FieldError[] | undefined): FieldError[] | undefined => localizeFieldErrors(v.lang, errors, ES);

export const crumbs = (v: View, extra: { href?: string; label: string }[] = []) => [{ href: '/outreach', label: v.t('or.title') }, ...extra];

export function DemoTag({ v, demo }: { v: View; demo: boolean }) {
  return demo ? (
    <span class="usa-tag bg-accent-warm-dark margin-left-1" title={v.t('or.demo.note')}>
      {v.t('or.demo')}
    </span>
  ) : null;
}
