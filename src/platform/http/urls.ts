/**
 * Web addresses that may be stored and shown as links: http, https, mailto and tel only (issue 15, finding 9).
 * Any other scheme (javascript:, data:, vbscript:, file:) could run script or read local files when followed, so
 * the importer refuses it, and a page shows such a value as text, never as a link. Form fields for websites are
 * stricter still (http and https only, a JSON Schema pattern on each).
 */
export const SAFE_URL_SCHEMES = ['http:', 'https:', 'mailto:', 'tel:'] as const;

/**
 * True for an absolute http(s) address with a host, a mailto: address or a tel: number, written without spaces or
 * control characters (a browser drops tabs and line breaks inside a URL, so `java\tscript:` would still run).
 */
export function isSafeUrl(v: unknown): v is string {
  if (typeof v !== 'string' || !v || v.length > 2000) return false;
  if (/[\s\u0000-\u001f\u007f-\u009f<>"]/.test(v)) return false;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return false;
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme === 'http:' || scheme === 'https:') return Boolean(u.hostname);
  if (scheme === 'mailto:') return u.pathname.length > 0;
  if (scheme === 'tel:') return /^[0-9+().-]+$/.test(u.pathname);
  return false;
}

/** The value for an `href`, or undefined when it is not a safe address (then show it as text). */
export function safeHref(v: unknown): string | undefined {
  return isSafeUrl(v) ? v : undefined;
}
