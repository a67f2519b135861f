/**
 * @module scope/scope-snapshots
 * The scope an execution started with, kept while it waits for approval, so that the approved re-run starts with
 * exactly what the first run saw (the carried scope may have changed in between). Stored in parts: production
 * SQLite holds at most 2 MB per row, and a scope may hold up to `limits.max_scope_bytes`.
 */
import type { CarriedScope } from "./scope-store";

/** Characters per stored part (at most 3 bytes each in UTF-8: under the 2 MB row limit). */
const PART_CHARS = 600_000;
/** How long a snapshot is kept: as long as an approval handle lives. */
export const SNAPSHOT_TTL_MS = 24 * 60 * 60 * 1000;

/** Snapshots of carried scope by execution id, in a Durable Object's SQLite. */
export class ScopeSnapshots {
  #sql: SqlStorage;
  #ready = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  #init(): void {
    if (this.#ready) return;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS scope_snapshots (execution_id TEXT NOT NULL, part INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (execution_id, part))",
    );
    this.#ready = true;
  }

  /** The storage was deleted (the retention's deleteAll): the next use makes the table again. */
  dropped(): void {
    this.#ready = false;
  }

  /** Keeps `scope` for `executionId`, and forgets snapshots older than their handles. */
  save(executionId: string, scope: CarriedScope, now = Date.now()): void {
    this.#init();
    this.#sql.exec("DELETE FROM scope_snapshots WHERE created_at < ?", now - SNAPSHOT_TTL_MS);
    const text = JSON.stringify(scope);
    for (let part = 0, at = 0; at < text.length || part === 0; part++, at += PART_CHARS) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO scope_snapshots (execution_id, part, body, created_at) VALUES (?, ?, ?, ?)",
        executionId,
        part,
        text.slice(at, at + PART_CHARS),
        now,
      );
    }
  }

  /** The snapshot of `executionId`, or undefined when there is none (expired, or the run carried nothing). */
  get(executionId: string): CarriedScope | undefined {
    this.#init();
    const parts = this.#sql
      .exec<{ body: string }>("SELECT body FROM scope_snapshots WHERE execution_id = ? ORDER BY part", executionId)
      .toArray();
    return parts.length === 0 ? undefined : (JSON.parse(parts.map((p) => p.body).join("")) as CarriedScope);
  }
}
