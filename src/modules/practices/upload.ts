/**
 * The citation file as a request sends it: an uploaded .ris or .bib file (multipart field `file`, read by the
 * workplans module's shared upload reader, registered for this module's routes in index.ts) or its text pasted
 * (field `text`). Problems name the field `file` (or `text` for pasted text), in English as the API answers them;
 * the pages translate them (pages/shared.tsx).
 */
import type { FastifyRequest } from 'fastify';
import { HttpError, badRequest, fieldError } from '../../platform/http/errors.ts';
import { fileOrPastedText } from '../workplans/index.ts';

/** The largest citation file (a reference manager's export of a few thousand records is far smaller). */
export const CITATION_FILE_MAX_BYTES = 1024 * 1024;

/** The file's text, or the pasted text; `fromFile` tells which. */
export function citationTextOf(req: FastifyRequest, pasted: string | undefined): { text: string; fromFile: boolean } {
  const got = fileOrPastedText(req, pasted);
  if (!got.fromFile && !got.text.trim()) throw fieldError('file', 'choose an RIS or BibTeX file or paste its text');
  return got;
}

/** Problems of an imported file name the file field instead of the pasted text's ("file (record at line 3: title)"). */
export async function asFileProblems<T>(fromFile: boolean, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!fromFile || !(err instanceof HttpError) || err.status !== 400 || !err.errors.length) throw err;
    throw badRequest(err.errors.map((e) => ({ field: e.field.replace(/^text\b/, 'file'), message: e.message })));
  }
}
