/**
 * The award CSV as a request sends it: an uploaded file (multipart field `file`, read by the workplans module's
 * shared upload reader, registered for this module's routes in index.ts) or pasted text. Problems name the field
 * `file`, in English as the API answers them; the pages translate them (pages/shared.tsx).
 */
import type { FastifyRequest } from 'fastify';
import { fieldError } from '../../platform/http/errors.ts';
import { fileOrPastedText } from '../workplans/index.ts';

/** The largest award CSV, uploaded or sent as text/csv (USAspending's download for a year and a few listings is far smaller). */
export const AWARD_CSV_MAX_BYTES = 5 * 1024 * 1024;

export function awardCsvOf(req: FastifyRequest, pasted: string | undefined): string {
  const { text } = fileOrPastedText(req, pasted);
  if (!text.trim()) throw fieldError('file', 'choose a CSV file or paste its text');
  return text;
}
