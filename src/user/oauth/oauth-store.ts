/**
 * @module user/oauth/oauth-store
 * The OAuth state of one user, in the user object's SQLite storage: a grant per user server (status, sealed tokens,
 * the discovered metadata), the user's OAuth clients per authorization server and redirect URI (sealed: a dynamic
 * registration may carry a client secret), on top of the sign-in flows in progress (src/user/oauth/oauth-flow-store.ts).
 * Tokens, secrets and verifiers are stored only as blobs sealed by the caller (src/user/connections-key.ts); this
 * module never sees them in the clear.
 */
import type { GrantReason } from "./grant-reason";
import { addColumn, OAuthFlowStore } from "./oauth-flow-store";
import type { OAuthStatus } from "./oauth-types";

/** One user server's authorization (the row of `oauth_grants`). */
export interface GrantRow {
  server: string;
  server_url: string;
  status: OAuthStatus;
  /**
   * Why the status is expired or error, as a code worded when read (src/user/oauth/grant-reason.ts), and the
   * authorization server's detail (safe to show).
   */
  reason: GrantReason | null;
  reason_detail: string | null;
  /** The reason in an older version's words (rows stored before `reason`); new rows leave it null. */
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
  /** When the tokens were last obtained (ms): by a sign-in or a refresh. */
  obtained_at: number | null;
  /** When a sign-in last completed (ms): refreshes leave it (null for grants stored before it was kept). */
  authorized_at: number | null;
  /**
   * Scopes the authorization server refused (`invalid_scope`) when a sign-in asked for them beyond what the server
   * needed: sign-ins no longer add them (src/user/oauth/refused-scope.ts) until one grants them again.
   */
  refused_scopes: string | null;
}

type Row = Record<string, SqlStorageValue>;

/** The user's OAuth tables (see the module comment). */
export class OAuthStore extends OAuthFlowStore {
  constructor(sql: SqlStorage) {
    super(sql);
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_grants (
      server TEXT PRIMARY KEY, server_url TEXT NOT NULL, status TEXT NOT NULL, message TEXT, issuer TEXT,
      redirect_uri TEXT, resource TEXT, scopes TEXT, expires_at INTEGER, tokens TEXT, discovery TEXT,
      obtained_at INTEGER, updated_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS oauth_clients (
      issuer TEXT NOT NULL, redirect_uri TEXT NOT NULL, info TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (issuer, redirect_uri))`);
    // Added with the approval check of sign-in handles (src/user/sign-in-wait.ts); tables made before lack it.
    addColumn(sql, "oauth_grants", "authorized_at INTEGER");
    // Added when the reason of an expired grant became a code worded when read; older rows keep theirs in `message`.
    addColumn(sql, "oauth_grants", "reason TEXT");
    addColumn(sql, "oauth_grants", "reason_detail TEXT");
    addColumn(sql, "oauth_grants", "refused_scopes TEXT");
    // A step-up used to mark its whole server as waiting for the sign-in; it now waits only for the tool that asked
    // (src/user/oauth/step-up.ts), so a grant left so by then is connected again with the tokens it kept.
    sql.exec(
      `UPDATE oauth_grants SET status = 'connected', message = NULL WHERE status = 'authorization_required'
       AND tokens IS NOT NULL AND message LIKE 'it asks for more permission%'`,
    );
  }

  grant(server: string): GrantRow | undefined {
    const rows = this.sql.exec<Row>("SELECT * FROM oauth_grants WHERE server = ?", server).toArray();
    return rows[0] as unknown as GrantRow | undefined;
  }

  /** Creates or updates the grant of `server` with the given columns (others keep their value, or null). */
  saveGrant(server: string, serverUrl: string, fields: Partial<Omit<GrantRow, "server" | "server_url">>): void {
    const current = this.grant(server);
    const next: GrantRow = {
      server,
      server_url: serverUrl,
      status: "authorization_required",
      reason: null,
      reason_detail: null,
      message: null,
      issuer: null,
      redirect_uri: null,
      resource: null,
      scopes: null,
      expires_at: null,
      tokens: null,
      discovery: null,
      obtained_at: null,
      authorized_at: null,
      refused_scopes: null,
      ...(current && current.server_url === serverUrl ? current : {}),
      ...fields,
    };
    this.sql.exec(
      `INSERT OR REPLACE INTO oauth_grants (server, server_url, status, reason, reason_detail, message, issuer,
       redirect_uri, resource, scopes, expires_at, tokens, discovery, obtained_at, authorized_at, refused_scopes,
       updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      next.server,
      next.server_url,
      next.status,
      next.reason,
      next.reason_detail,
      next.message,
      next.issuer,
      next.redirect_uri,
      next.resource,
      next.scopes,
      next.expires_at,
      next.tokens,
      next.discovery,
      next.obtained_at,
      next.authorized_at,
      next.refused_scopes,
      Date.now(),
    );
  }

  deleteGrant(server: string): void {
    this.sql.exec("DELETE FROM oauth_grants WHERE server = ?", server);
    this.sql.exec("DELETE FROM oauth_flows WHERE server = ?", server);
  }

  /** The sealed client information registered with `issuer` for `redirectUri`. */
  client(issuer: string, redirectUri: string): string | undefined {
    const rows = this.sql
      .exec<{ info: string }>(
        "SELECT info FROM oauth_clients WHERE issuer = ? AND redirect_uri = ?",
        issuer,
        redirectUri,
      )
      .toArray();
    return rows[0]?.info;
  }

  saveClient(issuer: string, redirectUri: string, sealedInfo: string): void {
    this.sql.exec(
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
      for (const g of this.sql.exec<{ issuer: string | null; redirect_uri: string | null }>(
        `SELECT issuer, redirect_uri FROM oauth_grants WHERE ${where}`,
        ...args,
      )) {
        if (g.issuer && g.redirect_uri) found.add(JSON.stringify([g.issuer, g.redirect_uri]));
      }
      for (const f of this.sql.exec<{ discovery: string; redirect_uri: string }>(
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
    this.sql.exec("DELETE FROM oauth_clients WHERE issuer = ? AND redirect_uri = ?", issuer, redirectUri);
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
