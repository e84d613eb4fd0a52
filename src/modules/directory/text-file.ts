/**
 * Publishers' text files as they are saved: UTF-8 with or without a byte order mark, UTF-16 with one (Excel's
 * "Unicode text"), or, from older spreadsheets and databases set to Spanish or English on Windows, Windows-1252
 * (which includes Latin-1's letters). Node decodes the UTF forms itself. Its TextDecoder('windows-1252') reads
 * bytes 0x80-0x9F as Latin-1's control characters, not as Windows-1252's quotes, dashes and euro sign (Node 20 and
 * 24), so those 32 bytes are mapped here, from the WHATWG Encoding table: no dependency for 32 characters.
 */
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';

// Windows-1252's characters for bytes 0x80-0x9F (the five it leaves undefined keep their byte's code point).
const CP1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: Encoding;
}

/**
 * The most bytes read as one string. V8's longest string is 2^29 - 24 characters (about 512 MiB): a 500,000-service
 * snapshot written as NDJSON (about 730 MB) failed with "Invalid string length". Lowered by tests.
 */
export const TEXT_LIMITS = { oneString: 0x1fffffe8 };

/** A file too large to be read as one string: its reason, as the import gives it, and the file's name. */
export class TextTooLarge extends Error {
  file = '';
}

const megabytes = (n: number) => `${Math.round(n / 1e6).toLocaleString('en-US')} MB`;

/** Refuses bytes too large for one string, naming the file and what would be read. */
export function checkOneString(buf: Buffer, as: 'CSV file' | 'JSON document'): void {
  if (buf.length <= TEXT_LIMITS.oneString) return;
  const advice = as === 'JSON document' ? 'publish it as NDJSON (one record per line), which is read line by line' : 'split it into files of at most 500 MB';
  throw new TextTooLarge(`is ${megabytes(buf.length)}, too large to read as one ${as} (at most ${megabytes(TEXT_LIMITS.oneString)}): ${advice}`);
}

/**
 * The lines of a file's bytes, each decoded on its own, for a file too large to be one string: UTF-8 (a byte order
 * mark dropped) or, when the bytes are not UTF-8, Windows-1252. UTF-16 is refused (its newlines are two bytes).
 * Each line comes with its number, from 1; a carriage return before the newline is left out.
 */
export function bufferLines(buf: Buffer): { encoding: Encoding; lines: Iterable<[line: string, row: number]> } {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) throw new TextTooLarge(`is ${megabytes(buf.length)} of UTF-16, too large to read (at most ${megabytes(TEXT_LIMITS.oneString)}): save it as UTF-8`);
  const utf8 = isUtf8(buf);
  function* lines(): Generator<[string, number]> {
    let at = utf8 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    let row = 0;
    while (at < buf.length) {
      const nl = buf.indexOf(10, at);
      let end = nl < 0 ? buf.length : nl;
      const next = end + 1;
      if (end > at && buf[end - 1] === 13) end--;
      row++;
      yield [utf8 ? buf.toString('utf8', at, end) : windows1252(buf.toString('latin1', at, end)), row];
      at = next;
    }
  }
  return { encoding: utf8 ? 'utf-8' : 'windows-1252', lines: lines() };
}

const windows1252 = (latin1: string) => latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]);

/**
 * The text of a file's bytes. A byte order mark says the encoding (and is dropped); otherwise UTF-8 when the bytes
 * are valid UTF-8, else Windows-1252, in which every byte is a character (a file in no text encoding then fails
 * where it is parsed, as CSV or JSON, and is named there).
 */
export function decodeText(buf: Buffer): DecodedText {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.toString('utf8', 3), encoding: 'utf-8' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buf), encoding: 'utf-16be' };
  if (isUtf8(buf)) return { text: buf.toString('utf8'), encoding: 'utf-8' };
  return { text: windows1252(buf.toString('latin1')), encoding: 'windows-1252' };
}

/** A CSV or JSON file's text; one too large for a string is refused (TextTooLarge). */
export function readText(path: string, as: 'CSV file' | 'JSON document' = 'CSV file'): DecodedText {
  const buf = readFileSync(path);
  try {
    checkOneString(buf, as);
  } catch (err) {
    if (err instanceof TextTooLarge) err.file = basename(path);
    throw err;
  }
  return decodeText(buf);
}

/** What the import says of a file not in UTF-8; null for UTF-8. */
export function encodingNote(file: string, encoding: Encoding): string | null {
  if (encoding === 'utf-8') return null;
  if (encoding === 'windows-1252') return `${file} is not UTF-8: read as Windows-1252 (Latin-1); check its accented letters`;
  return `${file} is in ${encoding === 'utf-16le' ? 'UTF-16' : 'UTF-16 (big-endian)'}: read as such`;
}
