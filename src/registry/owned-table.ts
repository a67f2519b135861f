/**
 * @module registry/owned-table
 * An isolate-wide table of values per owner (a user) and key, bounded in all and per owner, whose evictions never let
 * one owner push out another's values by adding its own. The isolate's circuit breakers live in one
 * (src/registry/connect.ts): forgetting a circuit resets it, so with one table of the oldest-first kind a user who
 * added and removed servers (each a new circuit) could reset every other user's open circuits.
 *
 * Eviction, when a value must make room:
 * - an owner at its own bound gives up one of its own values;
 * - when the table is full, the owner holding the most values gives one up (the one adding, when it holds as many as
 *   any other): a single owner, bounded, can fill at most its share, and then only evicts its own;
 * - the value given up is the owner's least recently used idle one (a closed circuit without failures: forgetting
 *   it changes nothing), else its least recently used one.
 */

export interface OwnedTableOptions<V> {
  /** Values in the whole table. */
  maxEntries: number;
  /** Values of one owner. */
  maxPerOwner: number;
  /** A value whose loss changes nothing (evicted first). */
  idle?: (value: V) => boolean;
}

export class OwnedTable<V> {
  /** Owner -> key -> value; both levels in least recently used order (first is least recent). */
  readonly #owners = new Map<string, Map<string, V>>();
  readonly #options: OwnedTableOptions<V>;
  #size = 0;

  constructor(options: OwnedTableOptions<V>) {
    this.#options = {
      ...options,
      maxEntries: Math.max(1, options.maxEntries),
      maxPerOwner: Math.max(1, Math.min(options.maxPerOwner, options.maxEntries)),
    };
  }

  /** How many values the table holds. */
  get size(): number {
    return this.#size;
  }

  /** How many values `owner` holds. */
  count(owner: string): number {
    return this.#owners.get(owner)?.size ?? 0;
  }

  /** The value of `owner` under `key`, made by `make` (making room first) when there is none. */
  get(owner: string, key: string, make: () => V): V {
    let mine = this.#owners.get(owner);
    const held = mine?.get(key);
    if (mine) this.#touch(this.#owners, owner, mine);
    if (held !== undefined) {
      this.#touch(mine!, key, held);
      return held;
    }
    if (mine && mine.size >= this.#options.maxPerOwner) this.#evictFrom(owner, mine);
    else if (this.#size >= this.#options.maxEntries) this.#evictFrom(...this.#largest(owner));
    // Giving up its only value removed the owner's map: a new one holds the value added (else it would be held by
    // no owner, never found or evicted again, and counted in the size for good).
    mine = this.#owners.get(owner);
    if (!mine) {
      mine = new Map();
      this.#owners.set(owner, mine);
    }
    const value = make();
    mine.set(key, value);
    this.#size++;
    return value;
  }

  #touch<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
  }

  /** The owner holding the most values: `owner` itself when it holds as many as any other (then the least recent). */
  #largest(owner: string): [string, Map<string, V>] {
    let best: [string, Map<string, V>] | undefined;
    for (const entry of this.#owners) {
      if (!best || entry[1].size > best[1].size) best = entry;
    }
    const mine = this.#owners.get(owner);
    return mine && best && mine.size >= best[1].size ? [owner, mine] : best!;
  }

  #evictFrom(owner: string, values: Map<string, V>): void {
    let victim: string | undefined;
    const idle = this.#options.idle;
    if (idle) {
      for (const [key, value] of values) {
        if (idle(value)) {
          victim = key;
          break;
        }
      }
    }
    victim ??= values.keys().next().value;
    if (victim === undefined) return;
    values.delete(victim);
    this.#size--;
    if (values.size === 0) this.#owners.delete(owner);
  }
}
