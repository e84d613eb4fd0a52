/**
 * Whole pages kept for the public (issue 14). A page that every anonymous caller sees the same, for a given address,
 * language and state of its data, is rendered once and sent again as it is: the directory's landing page loaded
 * and rendered twenty services and a national map for every visitor, though nothing in it changed between them.
 *
 * Only for anonymous callers (no actor and no signed-in session): a signed-in person's page names them, may carry
 * a CSRF token and their task count, and is never kept; nor is a kept page ever sent to them. A page whose
 * rendering issued a CSRF token is not kept either. The key is the route's own (`state`: what its data depends on,
 * such as a data version and the minute) with the language and the address, so two addresses or languages never
 * share a page. Each scope keeps the pages of its newest state only: a new state drops the others (none of them can
 * be used again), and the pages of one scope are bounded by count and by size. A page is kept encoded, with its
 * ETag, so that sending it again neither encodes nor hashes it.
 */
import { hash } from 'node:crypto';
import { BoundedLru } from '../lru.ts';
export const KEPT_PAGES_PER_SCOPE = 500;
export const KEPT_PAGE_BYTES = 32 * 1024 * 1024;

/** A kept page as it is sent: its bytes, and the ETag of those bytes (worked out once, not for every caller). */
export interface KeptPage {
  bytes: Buffer;
  etag: string;
}

/** The weak ETag of an answer's bytes, as the app's public answers carry it. */
export function etagOf(bytes: Buffer): string {
  return 'W/"' + hash('sha1', bytes, 'base64url') + '"';
}

/** A page encoded once and its ETag, ready to be kept and sent. */
export function keptPageOf(html: string): KeptPage {
  const bytes = Buffer.from(html);
  return { bytes, etag: etagOf(bytes) };
}

interface Scope {
  state: string;
  pages: BoundedLru<KeptPage>;
}

export class KeptPages {
  #scopes = new Map<string, Scope>();
  readonly counts = { hits: 0, misses: 0 };
  constructor(
    readonly entries = KEPT_PAGES_PER_SCOPE,
    readonly maxBytes = KEPT_PAGE_BYTES,
  ) {}

  get(scope: string, state: string, key: string): KeptPage | undefined {
    const s = this.#scopes.get(scope);
    const page = s?.state === state ? s.pages.get(key) : undefined;
    if (page === undefined) this.counts.misses++;
    else this.counts.hits++;
    return page;
  }

  set(scope: string, state: string, key: string, page: KeptPage): void {
    let s = this.#scopes.get(scope);
    if (!s || s.state !== state) this.#scopes.set(scope, (s = { state, pages: new BoundedLru<KeptPage>(this.entries, this.maxBytes, (p) => p.bytes.length) }));
    s.pages.set(key, page);
  }

  size(scope: string): number {
    return this.#scopes.get(scope)?.pages.size ?? 0;
  }
}

/** Where a page may be kept: its scope, the state of its data, and the key (language and address) within. */
export interface KeepAs {
  scope: string;
  state: string;
  key: string;
}
