import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { withSystemDb } from '../../platform/testing.ts';
import { groupFindings, importPath } from './import.ts';
import { foundIn, reasonIn, refusalIn } from './import-reasons.ts';
import { SHARED_HSDS } from './testing.ts';

const REAL = join(SHARED_HSDS, 'real');

/** English words of the importer's reasons: none may be left in a reason shown in Spanish. */
const ENGLISH = /\b(is|must|names?|left out|kept|row|required|between|appears|twice|file|missing|belongs|record|not|holds|has)\b/;

test('each form of import reason reads in Spanish, its values kept; English as written; an unknown reason as written', () => {
  const cases: [string, string][] = [
    ['is required', 'es obligatorio'],
    ['must be yes or no (maybe)', 'debe ser sí o no (maybe)'],
    ['must be a date (YYYY-MM-DD, or MM/DD/YYYY) (31/31/2024)', 'debe ser una fecha (AAAA-MM-DD o MM/DD/AAAA) (31/31/2024)'],
    ['is too long (300 characters; at most 255)', 'es demasiado largo (300 caracteres; como máximo 255)'],
    ['must be one of: active, inactive, defunct, temporarily closed', 'debe ser uno de estos valores: active, inactive, defunct, temporarily closed'],
    ['must be between -90 and 90', 'debe estar entre -90 y 90'],
    ['names no organization: kept without one', 'no corresponde a ningún registro de organización: se conserva sin él'],
    ['names no service at location (17)', 'no corresponde a ningún registro de servicio en una ubicación (17)'],
    ['names no service at location', 'no corresponde a ningún registro de servicio en una ubicación'],
    ['must be yes or no', 'debe ser sí o no'],
    ['must be a date and time', 'debe ser una fecha y hora (ISO 8601)'],
    ['left out: not a longitude (abc); the location is kept without coordinates', 'omitida: no es una longitud (abc); la ubicación se conserva sin coordenadas'],
    ['the same as row 12: left out', 'igual que la fila 12: omitida'],
    ['holds 2 folders of HSDS CSV files of different versions (north/: HSDS 1.1, south/: HSDS 3.0): import each folder on its own', 'contiene 2 carpetas de archivos CSV de HSDS de versiones distintas (north/: HSDS 1.1, south/: HSDS 3.0): importe cada carpeta por separado'],
    ['holds 2 folders with a datapackage.json (north/, south/) that cannot be read as one publication: import each folder on its own', 'contiene 2 carpetas con un datapackage.json (north/, south/) que no se pueden leer como una sola publicación: importe cada carpeta por separado'],
    ["south/services.csv is not valid CSV, so it cannot be read with the other folders' services.csv: line 3: a quoted field is never closed", 'south/services.csv no es un CSV válido, así que no se puede leer junto con el services.csv de las otras carpetas: line 3: a quoted field is never closed'],
    ['is written in scientific notation and shared with other rows (1.23457E+11, rows 2, 3): a spreadsheet rounded long ids onto one, and the records cannot be told apart; left out', 'está escrito en notación científica y lo comparten otras filas (1.23457E+11, filas 2, 3): una hoja de cálculo redondeó varios identificadores largos en uno y no se pueden distinguir los registros; omitida'],
    ['is written in scientific notation and shared with other rows: a spreadsheet rounded long ids onto one, and the records cannot be told apart; left out', 'está escrito en notación científica y lo comparten otras filas: una hoja de cálculo redondeó varios identificadores largos en uno y no se pueden distinguir los registros; omitida'],
    ['has 7 fields; the header has 9', 'tiene 7 campos; el encabezado tiene 9'],
    ['not an HSDS status (Available): imported as active', 'no es un estado de HSDS (Available): se importa como activo'],
    ['is not valid JSON: Unexpected token } in JSON at position 9', 'no es un JSON válido: Unexpected token } in JSON at position 9'],
    ['is empty: read as physical (a place people visit)', 'está vacío: se lee como physical (un lugar que se visita)'],
    ['is empty: read as physical', 'está vacío: se lee como physical'],
    ['is 734 MB, too large to read as one JSON document (at most 537 MB): publish it as NDJSON (one record per line), which is read line by line', 'ocupa 734 MB, demasiado para leerlo como un solo documento JSON (como máximo 537 MB): publíquelo como NDJSON (un registro por línea), que se lee línea a línea'],
    ['is 734 MB, too large to read as one JSON document: publish it as NDJSON, which is read line by line', 'ocupa 734 MB, demasiado para leerlo como un solo documento JSON: publíquelo como NDJSON, que se lee línea a línea'],
    ['is 600 MB, too large to read as one CSV file (at most 537 MB): split it into files of at most 500 MB', 'ocupa 600 MB, demasiado para leerlo como un solo archivo CSV (como máximo 537 MB): divídalo en archivos de 500 MB como máximo'],
    ['is 600 MB of UTF-16, too large to read (at most 537 MB): save it as UTF-8', 'ocupa 600 MB en UTF-16, demasiado para leerlo (como máximo 537 MB): guárdelo en UTF-8'],
  ];
  for (const [en, es] of cases) {
    assert.equal(reasonIn('es', en), es);
    assert.equal(reasonIn('en', en), en);
  }
  assert.equal(reasonIn('es', 'ENOENT: no such file or directory'), 'ENOENT: no such file or directory', 'a reason of no known form is shown as written');
  assert.equal(refusalIn('es', 'services.json row 2, name: is required (and 3 more)'), 'services.json, fila 2, name: es obligatorio (y 3 más)');
  assert.equal(refusalIn('es', 'services.csv: is missing from the data package'), 'services.csv: falta en el paquete de datos');
  assert.equal(refusalIn('en', 'services.json row 2, name: is required'), 'services.json row 2, name: is required');
});

test('what an import found reads in Spanish', () => {
  assert.equal(foundIn('es', 'HSDS 1.1 CSV data package, 14 resources in a zip'), 'Paquete de datos HSDS 1.1 en CSV, 14 recursos en un zip');
  assert.equal(foundIn('es', 'HSDS 3.0 JSON folder, 1 file'), 'Carpeta HSDS 3.0 en JSON, 1 archivo');
  assert.equal(foundIn('es', 'HSDS 3.0 NDJSON file'), 'Archivo HSDS 3.0 en NDJSON');
  assert.equal(foundIn('en', 'HSDS 3.0 NDJSON file'), 'HSDS 3.0 NDJSON file');
  assert.equal(foundIn('es', 'hsds-3.0-json'), 'hsds-3.0-json', 'a format code as written');
});

test('every reason the real packages give reads in Spanish (issue 12: the history pages in the reader\'s language)', async () => {
  for (const pkg of ['healthleads-1.1', 'ilao-legal-aid-1.1']) {
    await withSystemDb(async (ctx) => {
      const r = await importPath(ctx, join(REAL, pkg), {});
      const all = [...r.quarantined, ...r.skipped];
      // Each finding's own reason (the examples) and its group's, without the values in brackets (the table's rows).
      const reasons = new Set([...all.map((f) => f.reason), ...groupFindings(all).map((g) => g.reason)]);
      assert.ok(reasons.size > 0, `${pkg} gives findings to read`);
      for (const reason of reasons) assert.doesNotMatch(reasonIn('es', reason), ENGLISH, `${pkg}: "${reason}" in Spanish`);
    });
  }
});
