/**
 * What a log line may say about a request or an error. Fastify writes one JSON line per event with the request's
 * id (`reqId`); these serializers keep personal data out of them at every level: a request is its method, path
 * (never the query string: searches and links carry what people typed), host and client address; an error is its
 * type, code and message with any e-mail address masked, never the properties a driver hangs on it (PostgreSQL's
 * `detail` quotes the row's values).
 */
import type { FastifyRequest } from 'fastify';

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;

/** An error's text with e-mail addresses masked (a mail server's refusal quotes the recipient). */
export function maskText(text: string): string {
  return text.replace(EMAIL, '[e-mail]');
}

export const logSerializers = {
  req(req: FastifyRequest) {
    return { method: req.method, url: String(req.url).split('?')[0], host: req.host, remoteAddress: req.ip };
  },
  err(err: unknown) {
    if (!(err instanceof Error)) return { type: typeof err, message: '[not an Error]' };
    const e = err as Error & { code?: unknown; statusCode?: unknown };
    return {
      type: e.constructor?.name ?? 'Error',
      message: maskText(String(e.message)),
      code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
      stack: e.stack ? maskText(e.stack) : undefined,
    };
  },
};
