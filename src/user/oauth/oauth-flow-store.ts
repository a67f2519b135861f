/**
 * @module user/oauth/oauth-flow-store
 * The sign-in flows of one user in progress, in the user object's SQLite storage (`oauth_flows`): the sealed PKCE
 * verifier, the single-use `state`, where the flow sends the browser, and for a step-up the scope set it asks for and
 * the tools waiting for it. Bounded per user ({@link FLOWS_MAX}) and, for step-ups, per server
 * ({@link STEP_UP_FLOWS_PER_SERVER}). {@link OAuthStore} (grants and clients) builds on it.
 */

/** An authorization flow in progress (the row of `oauth_flows`). */
export interface FlowRow {
  id: string;
  server: string;
  server_url: string;
  origin: string;
  state: string;
  /** Sealed PKCE code verifier. */
  verifier: string;
  discovery: string;
  /** The authorization server URL the user is sent to. */
  location: string;
  redirect_uri: string;
  resource: string | null;
  scope: string | null;
  created_at: number;
  expires_at: number;
  /** {@link FLOW_PENDING} until the callback comes back, then how the flow ended ({@link FlowOutcome}). */
  used: number;
  /** 1 when the flow asks for more scope than the grant has (never handed out again as a plain sign-in). */
  step_up: number;
  /**
   * A step-up's scope set as asked for, the granted scopes and the challenged ones sorted ("" when the challenge
   * named none): the same step-up asked again reuses this flow (src/user/oauth/step-up.ts).
   */
  wanted: string | null;
  /** A step-up's tools that asked for it (JSON array, at most {@link STEP_UP_TOOLS_MAX}). */
  tools: string | null;
  /**
   * The scopes the sign-in needs, before it was widened with the granted and waiting ones (the challenge's, or
   * what discovery picked; "" none): what a sign-in refused with `invalid_scope` narrows to
   * (src/user/oauth/refused-scope.ts). Null on flows stored before it was kept.
   */
  required: string | null;
}

/** A flow whose callback has not come back. */
export const FLOW_PENDING = 0;
/**
 * How a flow ended, kept in `used` so that reopening its link says what happened: 1 came back (the exchange, then
 * success, as rows from before these values were written also read), 2 refused at the authorization server (Deny,
 * or an error it sent back), 3 failed at the gateway after it came back (state, issuer, token exchange).
 */
export const FLOW_USED = 1;
export const FLOW_REFUSED = 2;
export const FLOW_FAILED = 3;
export type FlowOutcome = typeof FLOW_USED | typeof FLOW_REFUSED | typeof FLOW_FAILED;

/** Flows kept per user (pending or used, so a replayed callback is told "already used"); the oldest go first. */
export const FLOWS_MAX = 200;
/**
 * Pending step-up flows kept per server: each scope set a server challenges with is a flow of its own, and one
 * server asking for ever new scopes must not push the user's other sign-ins out of the {@link FLOWS_MAX}.
 */
export const STEP_UP_FLOWS_PER_SERVER = 8;
/** Tools a step-up flow names as waiting for it (the first ones that asked). */
export const STEP_UP_TOOLS_MAX = 10;

type Row = Record<string, SqlStorageValue>;

/** The flows table (see the module comment). */
export class OAuthFlowStore {
  protected readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_flows (
      id TEXT PRIMARY KEY, server TEXT NOT NULL, server_url TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL,
      verifier TEXT NOT NULL, discovery TEXT NOT NULL, location TEXT NOT NULL, redirect_uri TEXT NOT NULL,
      resource TEXT, scope TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL,
      step_up INTEGER NOT NULL DEFAULT 0)`);
    // Added with reused step-ups; tables made before lack them.
    addColumn(sql, "oauth_flows", "wanted TEXT");
    addColumn(sql, "oauth_flows", "tools TEXT");
    addColumn(sql, "oauth_flows", "required TEXT");
  }

  flow(id: string): FlowRow | undefined {
    const rows = this.sql.exec<Row>("SELECT * FROM oauth_flows WHERE id = ?", id).toArray();
    return rows[0] as unknown as FlowRow | undefined;
  }

  /**
   * Stores a new flow, first dropping expired ones and, past {@link FLOWS_MAX}, the oldest; a step-up also drops its
   * server's oldest pending step-ups past {@link STEP_UP_FLOWS_PER_SERVER}.
   */
  addFlow(
    flow: Omit<FlowRow, "used" | "step_up" | "wanted" | "tools" | "required"> & {
      step_up?: number;
      wanted?: string;
      required?: string;
    },
  ): void {
    const now = Date.now();
    this.sql.exec("DELETE FROM oauth_flows WHERE expires_at < ?", now);
    this.sql.exec(
      "DELETE FROM oauth_flows WHERE id NOT IN (SELECT id FROM oauth_flows ORDER BY created_at DESC LIMIT ?)",
      FLOWS_MAX - 1,
    );
    if (flow.step_up) {
      this.sql.exec(
        `DELETE FROM oauth_flows WHERE server = ? AND step_up = 1 AND used = 0 AND id NOT IN (SELECT id FROM oauth_flows
         WHERE server = ? AND step_up = 1 AND used = 0 ORDER BY created_at DESC LIMIT ?)`,
        flow.server,
        flow.server,
        STEP_UP_FLOWS_PER_SERVER - 1,
      );
    }
    this.sql.exec(
      `INSERT INTO oauth_flows (id, server, server_url, origin, state, verifier, discovery, location, redirect_uri,
       resource, scope, created_at, expires_at, used, step_up, wanted, required)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      flow.id,
      flow.server,
      flow.server_url,
      flow.origin,
      flow.state,
      flow.verifier,
      flow.discovery,
      flow.location,
      flow.redirect_uri,
      flow.resource,
      flow.scope,
      flow.created_at,
      flow.expires_at,
      flow.step_up ?? 0,
      flow.wanted ?? null,
      flow.required ?? null,
    );
  }

  /** The newest unused step-up flow of `server` at its URL from `origin` for the scope set `wanted`, valid past `until`. */
  pendingStepUp(server: string, serverUrl: string, origin: string, wanted: string, until: number): string | undefined {
    return this.sql
      .exec<{ id: string }>(
        `SELECT id FROM oauth_flows WHERE server = ? AND server_url = ? AND origin = ? AND wanted = ? AND used = 0
         AND step_up = 1 AND expires_at > ? ORDER BY created_at DESC LIMIT 1`,
        server,
        serverUrl,
        origin,
        wanted,
        until,
      )
      .toArray()[0]?.id;
  }

  /** The unused, unexpired step-up flows of `server` at its URL, oldest first (at most {@link STEP_UP_FLOWS_PER_SERVER}). */
  stepUpFlows(server: string, serverUrl: string): FlowRow[] {
    return this.sql
      .exec<Row>(
        `SELECT * FROM oauth_flows WHERE server = ? AND server_url = ? AND used = 0 AND step_up = 1 AND expires_at > ?
         ORDER BY created_at LIMIT ?`,
        server,
        serverUrl,
        Date.now(),
        STEP_UP_FLOWS_PER_SERVER,
      )
      .toArray() as unknown as FlowRow[];
  }

  /** Names `tool` as waiting for step-up flow `id` (up to {@link STEP_UP_TOOLS_MAX}); true when that is news. */
  noteStepUpTool(id: string, tool: string): boolean {
    const tools = stepUpTools(this.flow(id)?.tools ?? null);
    if (tools.includes(tool) || tools.length >= STEP_UP_TOOLS_MAX) return false;
    this.sql.exec("UPDATE oauth_flows SET tools = ? WHERE id = ?", JSON.stringify([...tools, tool]), id);
    return true;
  }

  /** The newest unused flow of `server` from `origin` valid past `until` that is not a step-up, if any. */
  pendingFlow(
    server: string,
    serverUrl: string,
    origin: string,
    until: number,
  ): { id: string; scope: string | null } | undefined {
    const rows = this.sql
      .exec<{ id: string; scope: string | null }>(
        `SELECT id, scope FROM oauth_flows WHERE server = ? AND server_url = ? AND origin = ? AND used = 0
         AND expires_at > ? AND step_up = 0 ORDER BY created_at DESC LIMIT 1`,
        server,
        serverUrl,
        origin,
        until,
      )
      .toArray();
    return rows[0];
  }

  /** Marks a flow used; false when it already was (a replayed callback). */
  useFlow(id: string): boolean {
    return (
      this.sql.exec("UPDATE oauth_flows SET used = ? WHERE id = ? AND used = ?", FLOW_USED, id, FLOW_PENDING)
        .rowsWritten > 0
    );
  }

  /** Records how a used flow ended (see {@link FLOW_USED}). */
  endFlow(id: string, outcome: FlowOutcome): void {
    this.sql.exec("UPDATE oauth_flows SET used = ? WHERE id = ? AND used <> ?", outcome, id, FLOW_PENDING);
  }
}

/** The tools a step-up flow names (its `tools` column; anything else reads as none). */
export function stepUpTools(json: string | null): string[] {
  try {
    const tools: unknown = JSON.parse(json ?? "[]");
    return Array.isArray(tools) ? tools.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** Adds a column to a table made before it existed (SQLite has no ADD COLUMN IF NOT EXISTS). */
export function addColumn(sql: SqlStorage, table: string, column: string): void {
  try {
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  } catch {
    // The column exists already.
  }
}
