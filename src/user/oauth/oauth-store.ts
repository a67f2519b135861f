/**
 * @module user/oauth/oauth-store
 * The OAuth state of one user, in the user object's SQLite storage: a grant per user server (status, sealed tokens,
 * the discovered metadata), the user's OAuth clients per authorization server and redirect URI (sealed: a dynamic
 * registration may carry a client secret), and the authorization flows in progress (sealed PKCE verifier, the
 * state, single use). Tokens, secrets and verifiers are stored only as blobs sealed by the caller
 * (src/user/connections-key.ts); this module never sees them in the clear.
 */
import type { OAuthStatus } from "./oauth-types";

/** One user server's authorization (the row of `oauth_grants`). */
export interface GrantRow {
  server: string;
  server_url: string;
  status: OAuthStatus;
  /** Why the status is expired or error (safe to show). */
  message: string | null;
  issuer: string | null;
  /** The redirect URI the client was registered with (keys the client, and the token requests). */
  redirect_uri: string | null;
  /** The RFC 8707 resource indicator the tokens were issued for. */
  resource: string | null;
  scopes: string | null;
  /** Access token expiry (ms since the epoch). */
  expires_at: number | null;
  /** Sealed StoredOAuthTokens JSON. */
  tokens: string | null;
  /** OAuthDiscoveryState JSON: public metadata of the resource and of its authorization server. */
  discovery: string | null;
  /** When the tokens were last obtained (ms). */
  obtained_at: number | null;
}

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

type Row = Record<string, SqlStorageValue>;

/** The user's OAuth tables (see the module comment). */
export class OAuthStore {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_grants (
      server TEXT PRIMARY KEY, server_url TEXT NOT NULL, status TEXT NOT NULL, message TEXT, issuer TEXT,
      redirect_uri TEXT, resource TEXT, scopes TEXT, expires_at INTEGER, tokens TEXT, discovery TEXT,
      obtained_at INTEGER, updated_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_clients (
      issuer TEXT NOT NULL, redirect_uri TEXT NOT NULL, info TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (issuer, redirect_uri))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_flows (
      id TEXT PRIMARY KEY, server TEXT NOT NULL, server_url TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL,
      verifier TEXT NOT NULL, discovery TEXT NOT NULL, location TEXT NOT NULL, redirect_uri TEXT NOT NULL,
      resource TEXT, scope TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL,
      step_up INTEGER NOT NULL DEFAULT 0)`);
  }

  grant(server: string): GrantRow | undefined {
    const rows = this.#sql.exec<Row>("SELECT * FROM oauth_grants WHERE server = ?", server).toArray();
    return rows[0] as unknown as GrantRow | undefined;
  }

  /** Creates or updates the grant of `server` with the given columns (others keep their value, or null). */
  saveGrant(server: string, serverUrl: string, fields: Partial<Omit<GrantRow, "server" | "server_url">>): void {
    const current = this.grant(server);
    const next: GrantRow = {
      server,
      server_url: serverUrl,
      status: "authorization_required",
      message: null,
      issuer: null,
      redirect_uri: null,
      resource: null,
      scopes: null,
      expires_at: null,
      tokens: null,
      discovery: null,
      obtained_at: null,
      ...(current && current.server_url === serverUrl ? current : {}),
      ...fields,
    };
    this.#sql.exec(
      `INSERT OR REPLACE INTO oauth_grants (server, server_url, status, message, issuer, redirect_uri, resource, scopes,
       expires_at, tokens, discovery, obtained_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      next.server,
      next.server_url,
      next.status,
      next.message,
      next.issuer,
      next.redirect_uri,
      next.resource,
      next.scopes,
      next.expires_at,
      next.tokens,
      next.discovery,
      next.obtained_at,
      Date.now(),
    );
  }

  deleteGrant(server: string): void {
    this.#sql.exec("DELETE FROM oauth_grants WHERE server = ?", server);
    this.#sql.exec("DELETE FROM oauth_flows WHERE server = ?", server);
  }

  /** The sealed client information registered with `issuer` for `redirectUri`. */
  client(issuer: string, redirectUri: string): string | undefined {
    const rows = this.#sql
      .exec<{ info: string }>(
        "SELECT info FROM oauth_clients WHERE issuer = ? AND redirect_uri = ?",
        issuer,
        redirectUri,
      )
      .toArray();
    return rows[0]?.info;
  }

  saveClient(issuer: string, redirectUri: string, sealedInfo: string): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO oauth_clients (issuer, redirect_uri, info, created_at) VALUES (?, ?, ?, ?)",
      issuer,
      redirectUri,
      sealedInfo,
      Date.now(),
    );
  }

  /**
   * Forgets `server`'s grant and flows, and the clients it registered that no other server of the user uses: an
   * authorization server may forget a dynamic client (its store reset, unused clients purged) and answers a stale
   * client_id with an error page that never comes back to the gateway, so removing and adding the server again must
   * register anew. Pre-registered clients come from the configuration and are untouched.
   */
  forgetServer(server: string): void {
    const pairs = (where: string, ...args: string[]) => {
      const found = new Set<string>();
      for (const g of this.#sql.exec<{ issuer: string | null; redirect_uri: string | null }>(
        `SELECT issuer, redirect_uri FROM oauth_grants WHERE ${where}`,
        ...args,
      )) {
        if (g.issuer && g.redirect_uri) found.add(JSON.stringify([g.issuer, g.redirect_uri]));
      }
      for (const f of this.#sql.exec<{ discovery: string; redirect_uri: string }>(
        `SELECT discovery, redirect_uri FROM oauth_flows WHERE ${where}`,
        ...args,
      )) {
        const issuer = issuerOf(f.discovery);
        if (issuer) found.add(JSON.stringify([issuer, f.redirect_uri]));
      }
      return found;
    };
    const mine = pairs("server = ?", server);
    this.deleteGrant(server);
    const others = pairs("1 = 1");
    for (const pair of mine) {
      if (others.has(pair)) continue;
      const [issuer, redirect] = JSON.parse(pair) as [string, string];
      this.deleteClient(issuer, redirect);
    }
  }

  deleteClient(issuer: string, redirectUri: string): void {
    this.#sql.exec("DELETE FROM oauth_clients WHERE issuer = ? AND redirect_uri = ?", issuer, redirectUri);
  }

  flow(id: string): FlowRow | undefined {
    const rows = this.#sql.exec<Row>("SELECT * FROM oauth_flows WHERE id = ?", id).toArray();
    return rows[0] as unknown as FlowRow | undefined;
  }

  /** Stores a new flow, first dropping expired ones and, past {@link FLOWS_MAX}, the oldest. */
  addFlow(flow: Omit<FlowRow, "used" | "step_up"> & { step_up?: number }): void {
    const now = Date.now();
    this.#sql.exec("DELETE FROM oauth_flows WHERE expires_at < ?", now);
    this.#sql.exec(
      "DELETE FROM oauth_flows WHERE id NOT IN (SELECT id FROM oauth_flows ORDER BY created_at DESC LIMIT ?)",
      FLOWS_MAX - 1,
    );
    this.#sql.exec(
      `INSERT INTO oauth_flows (id, server, server_url, origin, state, verifier, discovery, location, redirect_uri,
       resource, scope, created_at, expires_at, used, step_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
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
    );
  }

  /** The newest unused flow of `server` from `origin` valid past `until` that is not a step-up, if any. */
  pendingFlow(
    server: string,
    serverUrl: string,
    origin: string,
    until: number,
  ): { id: string; scope: string | null } | undefined {
    const rows = this.#sql
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
      this.#sql.exec("UPDATE oauth_flows SET used = ? WHERE id = ? AND used = ?", FLOW_USED, id, FLOW_PENDING)
        .rowsWritten > 0
    );
  }

  /** Records how a used flow ended (see {@link FLOW_USED}). */
  endFlow(id: string, outcome: FlowOutcome): void {
    this.#sql.exec("UPDATE oauth_flows SET used = ? WHERE id = ? AND used <> ?", outcome, id, FLOW_PENDING);
  }
}

/** The authorization server's issuer recorded in a flow's discovery JSON, if any. */
function issuerOf(discovery: string): string | undefined {
  try {
    const issuer = (JSON.parse(discovery) as { authorizationServerMetadata?: { issuer?: unknown } })
      .authorizationServerMetadata?.issuer;
    return typeof issuer === "string" ? issuer : undefined;
  } catch {
    return undefined;
  }
}
