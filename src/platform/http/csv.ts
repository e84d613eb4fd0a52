/**
 * One CSV field, safe to open in a spreadsheet (issue 15).
 * - A field starting with a formula character (= + - @, their full-width forms, or a tab or carriage return,
 *   after any spaces) gets a leading apostrophe, so that it is shown as text, not run.
 * - A field is quoted when it holds a quote, a line break, any separator a spreadsheet may split on (comma,
 *   semicolon, tab) or a formula character (= + @) anywhere: `x;=1+2;y` split on semicolons would otherwise start a
 *   cell with `=1+2`. Hyphens alone do not cause quoting (dates and ids are full of them): a hyphen can only start
 *   a cell after a separator, and a field holding one is quoted.
 */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[ ]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/.test(s)) s = "'" + s;
  return /[",;\t\r\n=+@\uFF1D\uFF0B\uFF20]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** CSV that cannot be parsed, with the line (from 1) where the trouble starts. */
export class CsvError extends Error {
  constructor(
    public readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses RFC 4180 CSV text into rows of fields. Throws with the line number on an unclosed quote. `sep` is the field
 * separator: a comma, or the semicolon or tab that spreadsheets set to many European languages (Spanish) write.
 * `runaway`: a quoted field over several lines that closes inside a field is an error (CsvError at its first line).
 */
export function parseCsv(text: string, sep = ',', runaway = false): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  let quoteStartLine = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        // With `runaway`, a quoted field that ran over lines and closes with more of a field after it is a stray
        // quote that swallowed the rows after it (`"Asesoría,...` then `...,"Calls, texts"`): said, not read.
        if (runaway && line > quoteStartLine && i + 1 < src.length && src[i + 1] !== sep && src[i + 1] !== '\r' && src[i + 1] !== '\n') throw new CsvError(quoteStartLine, `line ${quoteStartLine}: a quoted field runs over ${line - quoteStartLine + 1} lines and ends inside a field`);
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteStartLine = line;
      i++;
    } else if (c === sep) {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && src[i + 1] === '\n') i++;
      i++;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new CsvError(quoteStartLine, `line ${quoteStartLine}: a quoted field is never closed`);
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
