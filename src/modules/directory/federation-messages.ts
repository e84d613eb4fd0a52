import type { Lang, Translate } from '../../platform/web/i18n.ts';
import type { MessageRules } from '../../platform/web/field-errors.ts';
import { foundIn, reasonIn } from './import-reasons.ts';

/** Strings of the sources pages (pages/sources.tsx) and of provenance, merged into the module's messages by index.ts. */
export const federationMessages: Record<Lang, Record<string, string>> = {
  en: {
    'directory.sources.nav': 'Directory sources',
    'directory.sources.title': 'Directory sources',
    'directory.sources.intro': 'Sources are pulled on their schedule and imported as a full snapshot: only changed records are written, and services a source no longer lists leave it. The server fetches the addresses given here.',
    'directory.sources.none': 'No source is registered yet.',
    'directory.sources.add': 'Register a source',
    'directory.sources.edit': 'Edit source {name}',
    'directory.sources.save': 'Save source',
    'directory.sources.name': 'Name',
    'directory.sources.name.hint': 'What people call the publisher; shown on every service it lists.',
    'directory.sources.kind': 'Kind',
    'directory.sources.kind.hsds-api': 'HSDS 3.0 API (base address)',
    'directory.sources.kind.package-url': 'Data package address (zip or datapackage.json)',
    'directory.sources.kind.path': 'File or folder on the server',
    'directory.sources.location': 'Address or path',
    'directory.sources.location.hint': 'An http or https address, or an absolute path on the server for a file source.',
    'directory.sources.schedule': 'Pulled',
    'directory.sources.schedule.hourly': 'Every hour',
    'directory.sources.schedule.daily': 'Every day',
    'directory.sources.schedule.weekly': 'Every week',
    'directory.sources.enabled': 'Pulled on its schedule',
    'directory.sources.enabled.yes': 'Yes',
    'directory.sources.enabled.no': 'No (only by hand)',
    'directory.sources.last': 'Last pull',
    'directory.sources.never': 'Never pulled',
    'directory.sources.refusal': 'Why the pull of {name} was refused',
    'directory.sources.next': 'Next pull',
    'directory.sources.next.none': 'Not scheduled',
    'directory.sources.actions': 'Actions',
    'directory.sources.pull': 'Pull {name} now',
    'directory.sources.change': 'Edit {name}',
    'directory.sources.pulled': 'Pulled {name}: {result}',
    'directory.provenance.from': 'From {source}, updated {date}',
    'directory.provenance.left': 'Listed by {source} until {date}',
    'directory.conflicts.title': 'Services from two sources',
    'directory.conflicts.intro': '{n} service(s) arrived from two sources under different ids and were matched on their name and address, phone or website. Each is one service with both sources, found in search once. Where the sources disagree, the values are listed here: keep the right one. It is written on both, and the next pull does not put the other back until its source changes it.',
    'directory.conflicts.none': 'The matched services agree on every value compared.',
    'directory.conflicts.service': 'Service',
    'directory.conflicts.field': 'Field',
    'directory.conflicts.first': 'Value from the source seen first',
    'directory.conflicts.later': 'Value from the other source',
    'directory.conflicts.on.address': 'Same name and address',
    'directory.conflicts.on.phone': 'Same name and phone',
    'directory.conflicts.on.website': 'Same name and website',
    'directory.conflicts.keep': 'Keep this value',
    'directory.conflicts.empty': 'No value',
    'directory.conflicts.kept': 'The value chosen was kept on both services; the next pull does not put the other back until its source changes it.',
    'directory.conflicts.value': 'Value',
    'directory.conflicts.field.name': 'Name',
    'directory.conflicts.field.description': 'Description',
    'directory.conflicts.field.url': 'Website',
    'directory.conflicts.field.email': 'Email',
    'directory.conflicts.field.status': 'Status',
    'directory.conflicts.field.fees_description': 'Fees',
    'directory.conflicts.field.eligibility_description': 'Eligibility',
    'directory.conflicts.organizations': 'Organizations from two sources',
    'directory.conflicts.organizations.none': 'No organization has been matched across sources.',
    'directory.conflicts.organization.first': 'Organization seen first',
    'directory.conflicts.organization.later': 'Same organization, from another source',
    'directory.conflicts.matched': 'Matched on',
  },
  es: {
    'directory.sources.nav': 'Fuentes del directorio',
    'directory.sources.title': 'Fuentes del directorio',
    'directory.sources.intro': 'Las fuentes se consultan según su calendario y se importan como una instantánea completa: solo se escriben los registros que cambiaron, y los servicios que una fuente ya no publica salen de ella. El servidor descarga las direcciones indicadas aquí.',
    'directory.sources.none': 'Todavía no hay ninguna fuente registrada.',
    'directory.sources.add': 'Registrar una fuente',
    'directory.sources.edit': 'Editar la fuente {name}',
    'directory.sources.save': 'Guardar la fuente',
    'directory.sources.name': 'Nombre',
    'directory.sources.name.hint': 'Cómo se conoce al publicador; se muestra en cada servicio que publica.',
    'directory.sources.kind': 'Tipo',
    'directory.sources.kind.hsds-api': 'API HSDS 3.0 (dirección base)',
    'directory.sources.kind.package-url': 'Dirección de un paquete de datos (zip o datapackage.json)',
    'directory.sources.kind.path': 'Archivo o carpeta en el servidor',
    'directory.sources.location': 'Dirección o ruta',
    'directory.sources.location.hint': 'Una dirección http o https, o una ruta absoluta en el servidor para una fuente de archivos.',
    'directory.sources.schedule': 'Consulta',
    'directory.sources.schedule.hourly': 'Cada hora',
    'directory.sources.schedule.daily': 'Cada día',
    'directory.sources.schedule.weekly': 'Cada semana',
    'directory.sources.enabled': 'Consultada según su calendario',
    'directory.sources.enabled.yes': 'Sí',
    'directory.sources.enabled.no': 'No (solo a mano)',
    'directory.sources.last': 'Última consulta',
    'directory.sources.never': 'Nunca consultada',
    'directory.sources.refusal': 'Por qué se rechazó la consulta de {name}',
    'directory.sources.next': 'Próxima consulta',
    'directory.sources.next.none': 'Sin programar',
    'directory.sources.actions': 'Acciones',
    'directory.sources.pull': 'Consultar {name} ahora',
    'directory.sources.change': 'Editar {name}',
    'directory.sources.pulled': 'Se consultó {name}: {result}',
    'directory.provenance.from': 'De {source}, actualizado el {date}',
    'directory.provenance.left': 'Publicado por {source} hasta el {date}',
    'directory.conflicts.title': 'Servicios de dos fuentes',
    'directory.conflicts.intro': '{n} servicio(s) llegaron de dos fuentes con identificadores distintos y se emparejaron por su nombre y su dirección, teléfono o sitio web. Cada uno es un solo servicio con ambas fuentes, que la búsqueda muestra una vez. Cuando las fuentes no coinciden, los valores se muestran aquí: conserve el correcto. Se escribe en ambos, y la próxima consulta no vuelve a poner el otro hasta que su fuente lo cambie.',
    'directory.conflicts.none': 'Los servicios emparejados coinciden en todos los valores comparados.',
    'directory.conflicts.service': 'Servicio',
    'directory.conflicts.field': 'Campo',
    'directory.conflicts.first': 'Valor de la fuente vista primero',
    'directory.conflicts.later': 'Valor de la otra fuente',
    'directory.conflicts.on.address': 'Mismo nombre y dirección',
    'directory.conflicts.on.phone': 'Mismo nombre y teléfono',
    'directory.conflicts.on.website': 'Mismo nombre y sitio web',
    'directory.conflicts.keep': 'Conservar este valor',
    'directory.conflicts.empty': 'Sin valor',
    'directory.conflicts.kept': 'Se conservó el valor elegido en ambos servicios; la próxima consulta no vuelve a poner el otro hasta que su fuente lo cambie.',
    'directory.conflicts.value': 'Valor',
    'directory.conflicts.field.name': 'Nombre',
    'directory.conflicts.field.description': 'Descripción',
    'directory.conflicts.field.url': 'Sitio web',
    'directory.conflicts.field.email': 'Correo electrónico',
    'directory.conflicts.field.status': 'Estado',
    'directory.conflicts.field.fees_description': 'Costos',
    'directory.conflicts.field.eligibility_description': 'Requisitos',
    'directory.conflicts.organizations': 'Organizaciones de dos fuentes',
    'directory.conflicts.organizations.none': 'Ninguna organización se ha emparejado entre fuentes.',
    'directory.conflicts.organization.first': 'Organización vista primero',
    'directory.conflicts.organization.later': 'La misma organización, de otra fuente',
    'directory.conflicts.matched': 'Emparejada por',
  },
};

/** Spanish for the problems the source checks name (federation.ts). */
export const SOURCE_RULES: MessageRules = [
  [/^must not be empty$/, 'no debe estar vacío'],
  [/^must be an http or https address$/, 'debe ser una dirección http o https'],
  [/^must be an absolute path on the server$/, 'debe ser una ruta absoluta en el servidor'],
  [/^must not carry a user name or password$/, 'no debe llevar usuario ni contraseña'],
  [/^must not contain control characters$/, 'no debe contener caracteres de control'],
  [/^is already the name of another source$/, 'ya es el nombre de otra fuente'],
  [/^cannot change once the source has been pulled$/, 'no puede cambiar una vez consultada la fuente'],
  [/^must be one of the two values$/, 'debe ser uno de los dos valores'],
  [/^has the same value on both services$/, 'tiene el mismo valor en ambos servicios'],
  [/^must be at most (\d+) characters$/, (_, n) => `debe tener como máximo ${n} caracteres`],
];

/** A failed pull's reason (federation.ts, PullFailed and ImportRefused) in Spanish; as written when of no known form. */
const PULL_FAILURES_ES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^took longer than (\d+) s$/, (m) => `tardó más de ${m[1]} s`],
  [/^(\S+) could not be fetched: (.*)$/s, (m) => `no se pudo descargar ${m[1]}: ${m[2]}`],
  [/^(\S+) answered (\d+)$/, (m) => `${m[1]} respondió ${m[2]}`],
  [/^(\S+) is larger than the limit of (\d+) bytes$/, (m) => `${m[1]} supera el límite de ${m[2]} bytes`],
  [/^(\S+): the pull is larger than the limit of (\d+) bytes$/, (m) => `${m[1]}: la consulta supera el límite de ${m[2]} bytes`],
  [/^(\S+) could not be read: (.*)$/s, (m) => `no se pudo leer ${m[1]}: ${m[2]}`],
  [/^(\S+) is not JSON: (.*)$/s, (m) => `${m[1]} no es JSON: ${m[2]}`],
  [/^(\S+) is not an HSDS page \(no contents\)$/, (m) => `${m[1]} no es una página HSDS (no tiene contents)`],
  [/^more than (\d+) pages$/, (m) => `más de ${m[1]} páginas`],
  [/^(.+) is neither a zip nor JSON$/s, (m) => `${m[1]} no es ni un zip ni JSON`],
  [/^the package lists more than (\d+) resources$/, (m) => `el paquete indica más de ${m[1]} recursos`],
  [/^(.+) cannot be read: (\S+)$/s, (m) => `no se puede leer ${m[1]}: ${m[2]}`],
  // An import refused: "N row(s) refused; nothing was imported (FILE:ROW:FIELD: REASON)".
  [
    /^(\d+) row\(s\) refused; nothing was imported(?: \(([^:()]+):(\d+):([^:]+): (.*)\))?$/s,
    (m) => `${m[1]} fila(s) rechazada(s); no se importó nada${m[2] ? ` (${m[2]}, fila ${m[3]}, ${m[4]}: ${reasonIn('es', m[5])})` : ''}`,
  ],
];

/**
 * A source's last pull as stored (federation.ts: "OUTCOME: DETAIL", in English) for a reader of `v.lang`: the
 * outcome as a word, an import's counts grouped as the reader writes numbers, each noun agreeing with its count (the
 * import history's words); in Spanish also what was found, matches and a failure's reason. A part of no known form
 * stays as written.
 */
export function pullResultIn(v: { lang: Lang; t: Translate }, result: string): string {
  const imported = /^imported: (.+): (\d+) added, (\d+) changed, (\d+) unchanged, (\d+) removed, (\d+) quarantined((?:; .+)?)$/s.exec(result);
  if (imported) {
    const [, found, added, changed, unchanged, removed, quarantined, rest] = imported;
    const n = (key: string, count: string) => v.t(`directory.imports.n.${key}`, { n: Number(count), count: Number(count).toLocaleString(`${v.lang}-US`) });
    const counts = [n('added', added), n('changed', changed), n('unchanged', unchanged), n('removed', removed), n('quarantined', quarantined)].join(', ');
    if (v.lang !== 'es') return `Imported: ${found}: ${counts}${rest}`;
    const matched = rest
      .split('; ')
      .filter(Boolean)
      .map((part) => {
        const s = /^(\d+) matched with another source's$/.exec(part);
        if (s) return `${s[1]} emparejado(s) con el de otra fuente`;
        const o = /^(\d+) organisation\(s\) matched with another source's$/.exec(part);
        return o ? `${o[1]} organización(es) emparejada(s) con la de otra fuente` : part;
      });
    return [`Importada: ${foundIn('es', found)}: ${counts}`, ...matched].join('; ');
  }
  if (v.lang !== 'es') {
    // The stored outcome code ("not-modified:", "failed:") as a word.
    if (result === 'not-modified: not modified since the last pull: nothing written') return 'Not modified since the last pull: nothing written';
    const code = /^(failed|imported): (.*)$/s.exec(result);
    return code ? `${code[1] === 'failed' ? 'Failed' : 'Imported'}: ${code[2]}` : result;
  }
  if (result === 'not-modified: not modified since the last pull: nothing written') return 'Sin cambios desde la consulta anterior: no se escribió nada';
  const failed = /^failed: (.*)$/s.exec(result);
  if (failed) {
    // A refused import's own sentence, or a fetch's; a 400 from the import may add "(FIELD: MESSAGE)".
    for (const [re, es] of PULL_FAILURES_ES) {
      const m = re.exec(failed[1]);
      if (m) return `Falló: ${es(m)}`;
    }
    return `Falló: ${reasonIn('es', failed[1])}`;
  }
  return result;
}
