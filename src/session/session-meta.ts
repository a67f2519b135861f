/**
 * @module session/session-meta
 * Who a session object serves, as stored in its `meta` table: the user, the session (or 2026-07-28 context) id,
 * and for a 2025-11-25 session the client's handshake, restored when the object is revived.
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
