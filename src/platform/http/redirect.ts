/**
 * The one safe-redirect helper: every `next` or return parameter that decides where a person is sent goes through
 * it (issue 15, finding 5).
 *
 * Only a path of this site is kept. A value is refused (the person goes to `/`) when it is not a string, does not
 * start with a single `/`, holds a control character or a backslash anywhere (browsers drop tabs and line breaks
 * from URLs and read `\` as `/`, so `/\t/evil.example/` and `/\evil.example` lead off-site), or resolves to another
 * origin. What is kept is re-serialised by the URL parser, so text outside Latin-1 comes back percent-encoded and a
 * Location header can always be written.
 */
const BASE = 'http://same-origin.invalid';

export function safeRedirectPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//')) return '/';
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const path = url.pathname + url.search + url.hash;
  // The serialised path must itself be read as a path of this site (`/..//x` normalises to `//x`).
  return path.startsWith('/') && !path.startsWith('//') ? path : '/';
}
