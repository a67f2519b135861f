/**
 * @module user/execution-leases
 * The user's execution slots (`limits.max_concurrent_executions_per_user`), as leases in the user object's SQLite
 * storage. A lease expires unless the session running the execution renews it, so a session object that is
 * evicted or crashes mid-execution never holds a slot for ever; stored rather than in memory, so an evicted user
 * object does not forget the slots in use and hand out a fresh set.
 */

export type LeaseGrant = { ok: true; lease: string } | { ok: false; running: number };

/** The user's execution leases (in the user object's storage). */
export class ExecutionLeases {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS leases (lease TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  /** Takes a slot for `ttlMs` unless `limit` unexpired leases are held already. */
  acquire(session: string, limit: number, ttlMs: number): LeaseGrant {
    const now = Date.now();
    this.#sql.exec("DELETE FROM leases WHERE expires_at <= ?", now);
    const running = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM leases").one().n;
    if (running >= limit) return { ok: false, running };
    const lease = `lse_${crypto.randomUUID()}`;
    this.#sql.exec("INSERT INTO leases (lease, session, expires_at) VALUES (?, ?, ?)", lease, session, now + ttlMs);
    return { ok: true, lease };
  }

  /**
   * Extends a lease by `ttlMs` from now. Only a lease still stored is extended: a renewal that arrives after the
   * release must not bring the slot back. (A lease whose renewals came too late may have been dropped; its
   * execution then runs uncounted until it ends.)
   */
  renew(lease: string, ttlMs: number): void {
    this.#sql.exec("UPDATE leases SET expires_at = ? WHERE lease = ?", Date.now() + ttlMs, lease);
  }

  /** The leases not expired: the executions running now. */
  live(): string[] {
    return this.#sql
      .exec<{ lease: string }>("SELECT lease FROM leases WHERE expires_at > ?", Date.now())
      .toArray()
      .map((r) => r.lease);
  }

  release(lease: string): void {
    this.#sql.exec("DELETE FROM leases WHERE lease = ?", lease);
  }
}
