/**
 * @module session/session-meta
 * Who a session object serves, as stored in its `meta` table: the user, the session (or 2026-07-28 context) id,
 * and for a 2025-11-25 session the client's handshake, restored when the object is revived.
 *
 * Nothing is written until a session or context starts. Every request naming an id reaches that id's object, and a
 * Durable Object that has written nothing is not stored: so an id the gateway never issued (a guessed
 * `Mcp-Session-Id` or context), or one whose storage expired, is refused (404, or "unknown context") without
 * leaving an object behind.
 * Hence the table's existence is read from `sqlite_master` rather than ensured with `CREATE TABLE IF NOT EXISTS`.
 */
export interface SessionMeta {
  user: string;
  /** The session id, or for a context object the context id. */
  session: string;
  /** Absent in objects stored before contexts existed: those are sessions. */
  kind?: "session" | "context";
  created_at: number;
  terminated_at?: number;
  client?: { capabilities: unknown; info: unknown; protocolVersion?: string };
}

/** The `meta` row of one session object's SQLite storage. */
export class SessionMetaStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The stored meta, or undefined for an object that serves nothing yet; reads only. */
  load(): SessionMeta | undefined {
    const table = this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray();
    if (table.length === 0) return undefined;
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'session'").toArray()[0];
    return row ? (JSON.parse(row.value) as SessionMeta) : undefined;
  }

  /** Stores `meta`: the object's first write when a session or context starts. */
  save(meta: SessionMeta): void {
    // Ensured on every save, not once: the retention alarm may have deleted the table since (deleteAll).
    this.#sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#sql.exec(
      "INSERT INTO meta (key, value) VALUES ('session', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      JSON.stringify(meta),
    );
  }
}
