/**
 * Values kept by key in memory, the least recently used dropped first, bounded by a count of entries and by a size
 * (each entry's key length plus `sizeOf` its value). Hits and misses of `get` are counted. The directory's kept search
 * answers (modules/directory/search-cache.ts), the pages kept for the public (platform/web/kept-pages.ts) and the
 * kept sets of search words and queries (platform/db/search.ts) keep theirs in one each.
 */
export class BoundedLru<V> {
  #map = new Map<string, V>();
  #bytes = 0;
  readonly counts = { hits: 0, misses: 0 };
  constructor(
    public entries: number,
    readonly maxBytes: number,
    readonly sizeOf: (value: V) => number,
  ) {}

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }

  /** Whether `key` is kept, without counting it or making it recently used. */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  get(key: string): V | undefined {
    const found = this.#map.get(key);
    if (found === undefined) {
      this.counts.misses++;
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, found);
    this.counts.hits++;
    return found;
  }

  /** Keeps `value` as the most recently used; one larger than the whole bound is not kept. */
  set(key: string, value: V): void {
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#map.delete(key);
      this.#bytes -= key.length + this.sizeOf(old);
    }
    const size = key.length + this.sizeOf(value);
    if (size > this.maxBytes) return;
    this.#map.set(key, value);
    this.#bytes += size;
    while (this.#map.size > this.entries || this.#bytes > this.maxBytes) {
      const [k, v] = this.#map.entries().next().value!;
      this.#map.delete(k);
      this.#bytes -= k.length + this.sizeOf(v);
    }
  }
}
