import type { Lang } from '../../platform/web/i18n.ts';

/**
 * The reasons an import gives for a row it quarantined, refused or warned about, in the reader's language. The
 * importer writes them in English (the CLI prints them, the history keeps them, the CSV and the API carry them as
 * written); the history pages show them through `reasonIn`. Each form the importer writes (validate.ts, legacy.ts,
 * formats.ts, import.ts) has its Spanish here, whole and as grouped (without the values in brackets); a reason of no
 * known form (a file system's own error message) is shown as written.
 */
type Form = [RegExp, (m: RegExpExecArray) => string];

/** HSDS tables a reference can name, as the reasons name them ("names no service at location"). */
const TABLES_ES: Record<string, string> = {
  organization: 'organización',
  service: 'servicio',
  location: 'ubicación',
  program: 'programa',
  'service at location': 'servicio en una ubicación',
  contact: 'contacto',
  phone: 'teléfono',
  schedule: 'horario',
  'taxonomy term': 'término de taxonomía',
  taxonomy: 'taxonomía',
  attribute: 'atributo',
  address: 'dirección',
  language: 'idioma',
  funding: 'financiación',
  'service area': 'área de servicio',
  'required document': 'documento requerido',
  'cost option': 'opción de costo',
  accessibility: 'accesibilidad',
};
const table = (t: string) => TABLES_ES[t] ?? t;
/** A value the reason quotes, in brackets; nothing where a grouped reason left it out (import.ts groupFindings). */
const p = (x: string | undefined) => (x === undefined ? '' : ` (${x})`);

const ES: Form[] = [
  [/^is required$/, () => 'es obligatorio'],
  [/^must be a UUID$/, () => 'debe ser un UUID'],
  [/^must be a number$/, () => 'debe ser un número'],
  [/^must be yes or no(?: \((.*)\))?$/s, (m) => `debe ser sí o no${p(m[1])}`],
  [/^must be a date \(YYYY-MM-DD, or MM\/DD\/YYYY\)(?: \((.*)\))?$/s, (m) => `debe ser una fecha (AAAA-MM-DD o MM/DD/AAAA)${p(m[1])}`],
  [/^must be a date$/, () => 'debe ser una fecha'],
  [/^must be a date and time(?: \(ISO 8601\))?$/, () => 'debe ser una fecha y hora (ISO 8601)'],
  [/^must be text$/, () => 'debe ser texto'],
  [/^must not contain a NUL character$/, () => 'no debe contener el carácter NUL'],
  [/^is too long \((\d+) characters; at most (\d+)\)$/, (m) => `es demasiado largo (${m[1]} caracteres; como máximo ${m[2]})`],
  [/^is too long$/, () => 'es demasiado largo'],
  [/^must be an absolute URL starting with http:\/\/ or https:\/\/(?: \(or mailto: or tel:\))?$/, () => 'debe ser una URL absoluta que empiece por http:// o https:// (o mailto: o tel:)'],
  [/^must be an e-mail address$/, () => 'debe ser una dirección de correo electrónico'],
  [/^must be one of: (.*)$/s, (m) => `debe ser uno de estos valores: ${m[1]}`],
  [/^must name one of: (.*)$/s, (m) => `debe nombrar uno de estos: ${m[1]}`],
  [/^must be between (-?\d+) and (-?\d+)$/, (m) => `debe estar entre ${m[1]} y ${m[2]}`],
  [/^latitude and longitude go together$/, () => 'la latitud y la longitud van juntas'],
  [/^appears twice in this file$/, () => 'aparece dos veces en este archivo'],
  [/^names no (.+): kept without one$/s, (m) => `no corresponde a ningún registro de ${table(m[1])}: se conserva sin él`],
  [/^names no (.+?)(?: \((.*)\))?$/s, (m) => `no corresponde a ningún registro de ${table(m[1])}${p(m[2])}`],
  [/^names a program left out of the import$/, () => 'nombra un programa que quedó fuera de la importación'],
  [/^incomplete address: kept without it$/, () => 'dirección incompleta: se conserva sin ella'],
  [/^left out: not a (latitude|longitude)(?: \((.*)\))?; the location is kept without coordinates$/s, (m) => `omitida: no es una ${m[1] === 'latitude' ? 'latitud' : 'longitud'}${p(m[2])}; la ubicación se conserva sin coordenadas`],
  [/^left out: not an extension number(?: \((.*)\))?$/s, (m) => `omitida: no es un número de extensión${p(m[1])}`],
  [/^left out: not a URL(?: \((.*)\))?$/s, (m) => `omitida: no es una URL${p(m[1])}`],
  [/^left out: not an e-mail address(?: \((.*)\))?$/s, (m) => `omitida: no es una dirección de correo electrónico${p(m[1])}`],
  [/^has a quote that opens a field and is never closed: left out(?: \((.*)\))?$/s, (m) => `tiene unas comillas que abren un campo y no se cierran: omitida${p(m[1])}`],
  [/^is not valid CSV: (.*)$/s, (m) => `no es un CSV válido: ${m[1]}`],
  [/^is not valid JSON: (.*)$/s, (m) => `no es un JSON válido: ${m[1]}`],
  [/^is written in scientific notation and shared with other rows(?: \((.*)\))?: a spreadsheet rounded long ids onto one, and the records cannot be told apart; left out$/s, (m) => `está escrito en notación científica y lo comparten otras filas${p(m[1]?.replace(/\brows\b/, 'filas'))}: una hoja de cálculo redondeó varios identificadores largos en uno y no se pueden distinguir los registros; omitida`],
  [/^the same as row (\d+): left out$/, (m) => `igual que la fila ${m[1]}: omitida`],
  [/^has (\d+) fields; the header has (\d+)$/, (m) => `tiene ${m[1]} campos; el encabezado tiene ${m[2]}`],
  [/^holds (\d+) folders of HSDS CSV files of different versions(?: \((.*)\))?: import each folder on its own$/s, (m) => `contiene ${m[1]} carpetas de archivos CSV de HSDS de versiones distintas${p(m[2])}: importe cada carpeta por separado`],
  [/^holds (\d+) folders with a datapackage\.json(?: \((.*)\))? that cannot be read as one publication: import each folder on its own$/s, (m) => `contiene ${m[1]} carpetas con un datapackage.json${p(m[2])} que no se pueden leer como una sola publicación: importe cada carpeta por separado`],
  [/^(.+) is not valid CSV, so it cannot be read with the other folders' (\S+): (.*)$/s, (m) => `${m[1]} no es un CSV válido, así que no se puede leer junto con el ${m[2]} de las otras carpetas: ${m[3]}`],
  [/^is missing from the data package$/, () => 'falta en el paquete de datos'],
  [/^belongs to no record$/, () => 'no pertenece a ningún registro'],
  [/^not an HSDS status(?: \((.*)\))?: imported as active$/s, (m) => `no es un estado de HSDS${p(m[1])}: se importa como activo`],
  [/^a phone row with no number: left out$/, () => 'una fila de teléfono sin número: omitida'],
  [/^must be an object$/, () => 'debe ser un objeto'],
  [/^must be an array$/, () => 'debe ser una lista'],
  [/^holds no HSDS 3\.0 CSV file(?: \((.*)\))?$/s, (m) => `no contiene ningún archivo CSV de HSDS 3.0${p(m[1])}`],
  [/^holds no JSON file$/, () => 'no contiene ningún archivo JSON'],
  [/^is empty: read as physical(?: \((.*)\))?$/s, (m) => `está vacío: se lee como physical${m[1] === undefined ? '' : m[1] === 'a place people visit' ? ' (un lugar que se visita)' : p(m[1])}`],
  [/^is ([\d,]+) MB, too large to read as one (JSON document|CSV file)(?: \(at most ([\d,]+) MB\))?: (publish it as NDJSON(?: \(one record per line\))?, which is read line by line|split it into files of at most 500 MB)$/s, (m) =>
    `ocupa ${m[1]} MB, demasiado para leerlo como un solo ${m[2] === 'CSV file' ? 'archivo CSV' : 'documento JSON'}${m[3] ? ` (como máximo ${m[3]} MB)` : ''}: ${m[4].startsWith('publish') ? `publíquelo como NDJSON${m[4].includes('(') ? ' (un registro por línea)' : ''}, que se lee línea a línea` : 'divídalo en archivos de 500 MB como máximo'}`],
  [/^is ([\d,]+) MB of UTF-16, too large to read(?: \(at most ([\d,]+) MB\))?: save it as UTF-8$/, (m) => `ocupa ${m[1]} MB en UTF-16, demasiado para leerlo${m[2] ? ` (como máximo ${m[2]} MB)` : ''}: guárdelo en UTF-8`],
];

/** One reason in `lang`; as written when it is English or of no known form. */
export function reasonIn(lang: Lang, reason: string): string {
  if (lang !== 'es') return reason;
  for (const [re, es] of ES) {
    const m = re.exec(reason);
    if (m) return es(m);
  }
  return reason;
}

/**
 * The sentence a refused import keeps as its reason (import-history.ts: "FILE row N, FIELD: REASON (and K more)", or
 * "FILE: REASON") in `lang`.
 */
export function refusalIn(lang: Lang, sentence: string): string {
  if (lang !== 'es') return sentence;
  const more = / \(and (\d+) more\)$/.exec(sentence);
  const body = more ? sentence.slice(0, more.index) : sentence;
  const tail = more ? ` (y ${more[1]} más)` : '';
  const row = /^(.+?) row (\d+), ([^:]+): (.*)$/s.exec(body);
  if (row) return `${row[1]}, fila ${row[2]}, ${row[3]}: ${reasonIn(lang, row[4])}${tail}`;
  const file = /^([^:]+): (.*)$/s.exec(body);
  if (file) return `${file[1]}: ${reasonIn(lang, file[2])}${tail}`;
  return sentence;
}

/**
 * What an import found (package-reader.ts: "HSDS 1.1 CSV data package, 14 resources", "HSDS 3.0 JSON folder, 2
 * files", "HSDS 3.0 NDJSON file", each maybe "in a zip") in `lang`; as written when of no known form.
 */
export function foundIn(lang: Lang, found: string): string {
  if (lang !== 'es') return found;
  const zip = / in a zip$/.exec(found);
  const what = zip ? found.slice(0, zip.index) : found;
  const inZip = zip ? ' en un zip' : '';
  const many = /^HSDS (\S+) (CSV|JSON) (data package|folder), (\d+) (?:resources?|files?)$/.exec(what);
  if (many) {
    const n = Number(many[4]);
    const things = many[3] === 'folder' ? (n === 1 ? 'archivo' : 'archivos') : n === 1 ? 'recurso' : 'recursos';
    return `${many[3] === 'folder' ? 'Carpeta' : 'Paquete de datos'} HSDS ${many[1]} en ${many[2]}, ${n} ${things}${inZip}`;
  }
  const one = /^HSDS (\S+) (NDJSON|JSON) file$/.exec(what);
  if (one) return `Archivo HSDS ${one[1]} en ${one[2]}${inZip}`;
  if (what === 'nothing') return 'nada';
  return found;
}
