/**
 * @module shared/sized-lru
 * A cache bounded by its number of entries and by an estimate of their size, evicting the least recently used
 * first. A count alone does not bound memory when entries differ in size by orders of magnitude (a compiled schema
 * of a few hundred bytes next to one of megabytes, src/sandbox/validate-args.ts); the caller gives each entry's
 * size, from something it already knows or can measure cheaply. An entry larger than the whole size budget is not
 * kept: it would evict everything else and then stay alone.
 */

/** The least-recently-used cache (see the module comment). Keys are data: a Map, never an object's properties. */
export class SizedLru<V> {
  readonly #entries = new Map<string, { value: V; size: number }>();
  readonly #maxEntries: number;
  readonly #maxSize: number;
  #size = 0;

  constructor(limits: { maxEntries: number; maxSize: number }) {
    this.#maxEntries = limits.maxEntries;
    this.#maxSize = limits.maxSize;
  }

  /** The value of `key`, which becomes the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // A Map iterates in insertion order: moved to the end, the entry is the last to be evicted.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` under `key` with its estimated `size`, evicting the least recently used until both bounds hold. */
  set(key: string, value: V, size: number): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#size -= old.size;
    }
    const cost = Math.max(0, size);
    if (cost > this.#maxSize) return;
    this.#entries.set(key, { value, size: cost });
    this.#size += cost;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#size <= this.#maxSize) break;
      this.#entries.delete(oldest);
      this.#size -= entry.size;
    }
  }

  /** How many entries are kept. */
  get count(): number {
    return this.#entries.size;
  }

  /** The sum of the kept entries' sizes. */
  get size(): number {
    return this.#size;
  }

  /** Whether `key` is kept, without making it the most recently used. */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#size = 0;
  }
}
