/**
 * @module user/user-contexts
 * The user's contexts (MCP 2026-07-28): the ids the gateway minted for them plus `default`, with when each was
 * first used. A context's object is named `<user>:<context>`, so no other user can reach it; this list is what the
 * user can see of them (list_executions shows it to 2026-07-28 clients). A context whose storage expired
 * (src/session/session-retention.ts) takes itself off the list.
 */

/**
 * Contexts listed per user; the least recently started go first. Only the listing: the object of an id dropped here
 * keeps answering until its storage expires (src/session/session-retention.ts), as every context's does.
 */
export const CONTEXTS_MAX = 1_000;

export interface ContextSummary {
  context: string;
  created_at: string;
}

/** The user's contexts (in the user object's storage). */
export class UserContexts {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS contexts (seq INTEGER PRIMARY KEY AUTOINCREMENT, context TEXT UNIQUE NOT NULL, created_at INTEGER NOT NULL)",
    );
  }

  add(context: string): void {
    this.#sql.exec("INSERT OR IGNORE INTO contexts (context, created_at) VALUES (?, ?)", context, Date.now());
    this.#sql.exec(
      "DELETE FROM contexts WHERE seq NOT IN (SELECT seq FROM contexts ORDER BY seq DESC LIMIT ?)",
      CONTEXTS_MAX,
    );
  }

  /** Takes `context` off the list (its storage expired). */
  remove(context: string): void {
    this.#sql.exec("DELETE FROM contexts WHERE context = ?", context);
  }

  /** Newest first. */
  list(limit: number): ContextSummary[] {
    return this.#sql
      .exec<{ context: string; created_at: number }>(
        "SELECT context, created_at FROM contexts ORDER BY seq DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ context: r.context, created_at: new Date(r.created_at).toISOString() }));
  }
}
