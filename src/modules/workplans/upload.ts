/**
 * File uploads (multipart/form-data) for this module's forms only: the import form takes a CSV file.
 *
 * The platform checks the CSRF token before any hook of a module runs, reading it from the parsed body. A multipart
 * body is normally read later (in a preValidation hook or in the handler), which would leave the token unseen; so
 * here the whole form is read while the body is parsed, with @fastify/multipart's reader and limits, and handed on
 * as a plain object of fields. The file itself is kept beside the request, not in the body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { fieldError } from '../../platform/http/errors.ts';

export const UPLOAD_MAX_BYTES = 2 * 1024 * 1024;
const LIMITS = { files: 1, fileSize: UPLOAD_MAX_BYTES, fields: 20, fieldSize: UPLOAD_MAX_BYTES, parts: 21 };

export interface UploadedFile {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

interface Upload {
  files: UploadedFile[];
  /** Why the upload was refused (too large, too many files), if it was. */
  error?: { status: number; message: string };
}

const uploads = new WeakMap<FastifyRequest, Upload>();

/** The files sent with a multipart form; files a browser sends for an empty file input are left out. */
export function uploadOf(req: FastifyRequest): Upload {
  return uploads.get(req) ?? { files: [] };
}

/**
 * The text of the form's uploaded `file`, else the pasted text, for APIs that take either. A refused upload or a file
 * that is not UTF-8 is a 400 naming the field `file`, in English as the API answers; whether empty text is an error is
 * the caller's to say. A byte-order mark (spreadsheet and reference-manager exports carry one) is dropped.
 */
export function fileOrPastedText(req: FastifyRequest, pasted: string | undefined): { text: string; fromFile: boolean } {
  const upload = uploadOf(req);
  if (upload.error) throw fieldError('file', upload.error.message);
  const file = upload.files.find((f) => f.field === 'file');
  if (!file) return { text: pasted ?? '', fromFile: false };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(file.data), fromFile: true };
  } catch {
    throw fieldError('file', 'is not valid UTF-8 text');
  }
}

/** `maxBytes` raises or lowers the largest file for the forms of the scope it is registered in (other modules reuse this). */
export async function registerUploads(app: FastifyInstance, maxBytes = UPLOAD_MAX_BYTES): Promise<void> {
  await app.register(multipart, { limits: { ...LIMITS, fileSize: maxBytes } });
  app.removeContentTypeParser('multipart/form-data');
  app.addContentTypeParser('multipart/form-data', async (req: FastifyRequest) => {
    // The reader asks whether the request is multipart; it is, as this parser was chosen by its content type.
    req.isMultipart = () => true;
    const body: Record<string, string | string[]> = {};
    const upload: Upload = { files: [] };
    uploads.set(req, upload);
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.filename || data.length) upload.files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, data });
        } else if (part.valueTruncated) {
          upload.error = { status: 413, message: `a field may hold at most ${UPLOAD_MAX_BYTES / 1024 / 1024} MB` };
        } else if (typeof part.value === 'string') {
          const had = body[part.fieldname];
          body[part.fieldname] = had === undefined ? part.value : [...[had].flat(), part.value];
        }
      }
    } catch (err) {
      const e = err as { code?: string; statusCode?: number; message?: string };
      const tooLarge = e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT';
      upload.error = tooLarge ? { status: 413, message: `send one file of at most ${maxBytes / 1024 / 1024} MB` } : { status: 400, message: 'the form could not be read' };
    }
    return body;
  });
}
