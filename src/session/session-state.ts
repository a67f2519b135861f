/**
 * @module session/session-state
 * Values code keeps between executions (`import { state } from "gateway"`), in the session Durable Object's
 * SQLite storage: they survive eviction and restarts of `wrangler dev`. JSON values only, with caps that fail
 * with a message naming the cap.
 */
import { LazyTables } from "../shared/lazy-tables";

export const STATE_MAX_KEY_CHARS = 256;
export const STATE_MAX_VALUE_BYTES = 1024 * 1024;
export const STATE_MAX_TOTAL_BYTES = 16 * 1024 * 1024;
export const STATE_MAX_KEYS = 1_000;

export class StateError extends Error {
  override name = "StateError";
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0) throw new StateError("state keys are non-empty strings");
  if (key.length > STATE_MAX_KEY_CHARS) {
    throw new StateError(`state key is ${key.length} characters; the limit is ${STATE_MAX_KEY_CHARS}`);
  }
  return key;
}

/** `state.set("key", value): `, as the sandbox starts its refusals of the call (worker-loader/gateway.js). */
function setCall(key: string): string {
  return `state.set(${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}, value): `;
}

export class SessionState {
  readonly #tables: LazyTables;

  constructor(sql: SqlStorage) {
    this.#tables = new LazyTables(sql, [
      "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, bytes INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    ]);
  }

  /** The table is created on first use, never when the object starts (src/shared/lazy-tables.ts). */
  #init(): SqlStorage {
    return this.#tables.sql;
  }

  /** The storage was deleted (the retention's deleteAll): the next use makes the table again. */
  dropped(): void {
    this.#tables.dropped();
  }

  get(key: unknown): unknown {
    const row = this.#init()
      .exec<{ value: string }>("SELECT value FROM state WHERE key = ?", checkKey(key))
      .toArray()[0];
    return row ? JSON.parse(row.value) : undefined;
  }

  /**
   * Stores a JSON value. `undefined` is refused as the sandbox refuses it (worker-loader/gateway.js): it would store
   * nothing, and a key that silently went missing from keys() surprises the code that set it.
   */
  set(key: unknown, value: unknown): void {
    const k = checkKey(key);
    if (value === undefined) {
      throw new StateError(
        `${setCall(k)}the value is undefined, which state cannot keep (it keeps JSON values): to remove the key, call state.delete(key); to keep an empty value, store null`,
      );
    }
    const json = JSON.stringify(value);
    const bytes = new TextEncoder().encode(json).byteLength;
    if (bytes > STATE_MAX_VALUE_BYTES) {
      throw new StateError(`${setCall(k)}the value is ${bytes} bytes; the limit is ${STATE_MAX_VALUE_BYTES} per key`);
    }
    const current = this.#init()
      .exec<{ n: number; total: number | null; mine: number | null }>(
        "SELECT count(*) AS n, sum(bytes) AS total, (SELECT bytes FROM state WHERE key = ?) AS mine FROM state",
        k,
      )
      .one();
    if (current.mine === null && current.n >= STATE_MAX_KEYS) {
      throw new StateError(
        `${setCall(k)}the session holds its limit of ${STATE_MAX_KEYS} state keys; delete some first`,
      );
    }
    const total = (current.total ?? 0) - (current.mine ?? 0) + bytes;
    if (total > STATE_MAX_TOTAL_BYTES) {
      throw new StateError(
        `${setCall(k)}state would hold ${total} bytes; the session limit is ${STATE_MAX_TOTAL_BYTES}`,
      );
    }
    this.#init().exec(
      "INSERT INTO state (key, value, bytes, updated_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, updated_at = excluded.updated_at",
      k,
      json,
      bytes,
      Date.now(),
    );
  }

  delete(key: unknown): boolean {
    return this.#init().exec("DELETE FROM state WHERE key = ? RETURNING key", checkKey(key)).toArray().length > 0;
  }

  keys(prefix?: unknown): string[] {
    const p = typeof prefix === "string" ? prefix : "";
    return this.#init()
      .exec<{ key: string }>("SELECT key FROM state WHERE substr(key, 1, ?) = ? ORDER BY key", p.length, p)
      .toArray()
      .map((r) => r.key);
  }
}
