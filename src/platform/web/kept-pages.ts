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
 * be used again), and the pages of one scope are bounded by count and by size.
 */
export const KEPT_PAGES_PER_SCOPE = 500;
export const KEPT_PAGE_BYTES = 32 * 1024 * 1024;

interface Scope {
  state: string;
  pages: Map<string, string>;
  bytes: number;
}

export class KeptPages {
  #scopes = new Map<string, Scope>();
  readonly counts = { hits: 0, misses: 0 };
  constructor(
    readonly entries = KEPT_PAGES_PER_SCOPE,
    readonly maxBytes = KEPT_PAGE_BYTES,
  ) {}

  #scope(scope: string, state: string): Scope {
    let s = this.#scopes.get(scope);
    if (!s || s.state !== state) this.#scopes.set(scope, (s = { state, pages: new Map(), bytes: 0 }));
    return s;
  }

  get(scope: string, state: string, key: string): string | undefined {
    const s = this.#scopes.get(scope);
    const html = s?.state === state ? s.pages.get(key) : undefined;
    if (html === undefined) {
      this.counts.misses++;
      return undefined;
    }
    s!.pages.delete(key);
    s!.pages.set(key, html);
    this.counts.hits++;
    return html;
  }

  set(scope: string, state: string, key: string, html: string): void {
    const s = this.#scope(scope, state);
    const old = s.pages.get(key);
    if (old !== undefined) {
      s.pages.delete(key);
      s.bytes -= key.length + old.length;
    }
    if (key.length + html.length > this.maxBytes) return;
    s.pages.set(key, html);
    s.bytes += key.length + html.length;
    while (s.pages.size > this.entries || s.bytes > this.maxBytes) {
      const [k, v] = s.pages.entries().next().value!;
      s.pages.delete(k);
      s.bytes -= k.length + v.length;
    }
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
