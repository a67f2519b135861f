/**
 * @module user/user-servers
 * The servers a user added (add_server), in the user object's SQLite storage. Each row holds the URL, how the
 * server authenticates (`none`, `headers`, `oauth`) and, for header servers, the header templates sealed with
 * CONNECTIONS_KEY (a literal value may itself be a credential). A version number moves on every change, so the
 * user's sessions notice another session's add or remove with one cheap read.
 *
 * Rules an added server passes: `user_servers` (enabled, max_servers, allow_hosts), the server name rule of the
 * configuration, no gateway server's name or module identifier, the network guard (src/registry/ssrf.ts) on its
 * URL, and the header rules of src/user/header-templates.ts.
 */

import { assignIdentifiers, toIdentifier } from "../codegen/names";
import { type GatewayConfig, ServerNameSchema } from "../config";
import { displayUrl } from "../registry/server-entry";
import { checkUrl, classifyHost } from "../registry/ssrf";
import { type ConnectionsKeys, seal, sealContext, unseal } from "./connections-key";
import { checkUserHeaders } from "./header-templates";
import type { StepUpView } from "./oauth/oauth-types";
import type { ServerCheck } from "./server-check";
import type { UserSecrets } from "./user-secrets";

export type UserAuthType = "none" | "headers" | "oauth";
export type UserAuthStatus = "connected" | "authorization_required" | "expired" | "error";

/** How a user server authenticates, as list_servers shows it. */
export interface UserAuthView {
  type: UserAuthType;
  status: UserAuthStatus;
  scopes?: string[];
  expires_at?: string;
  /** Why the status is not `connected` (never a credential). */
  message?: string;
  /** The secrets its headers reference that the user has not stored (names only). */
  missing_secrets?: string[];
  /** OAuth: step-up sign-ins waiting for the user, each for the tools that asked (src/user/oauth/step-up.ts). */
  step_up?: StepUpView[];
}

/** One user server as listed: no header value, no token. */
export interface UserServerView {
  name: string;
  /** Display form: origin and path only. */
  url: string;
  auth: UserAuthView;
  header_names: string[];
  created_at: string;
}

/** A stored row, for the user object. */
export interface UserServerRow {
  name: string;
  url: string;
  auth_type: UserAuthType;
  headers_sealed: string | null;
  header_names: string[];
  created_at: number;
  /**
   * A server without credentials: why the last check of it failed (src/user/server-check.ts), or null when it
   * answered. Shown on the connections page; a session's listing of the server that works clears it.
   */
  check_error: string | null;
}

/** Longest URL a user server may have. */
export const MAX_USER_URL_CHARS = 2_048;

/** The host part of a URL as `allow_hosts` entries are written (lower case, no brackets, no trailing dot). */
export function hostOf(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "");
}

/** Why `url` may not be a user server's URL under `config`, or undefined. Also applied to every connection hop. */
export function userUrlRefusal(url: string | URL, config: GatewayConfig): string | undefined {
  const text = String(url);
  if (text.length > MAX_USER_URL_CHARS) return `the URL is longer than ${MAX_USER_URL_CHARS} characters`;
  if (!URL.canParse(text) || !/^https?:\/\//i.test(text)) return "expected an http(s):// URL";
  const parsed = new URL(text);
  // What is stored and connected to is the parsed form, in which each non-ASCII character may be percent-encoded
  // into 9: checked as typed alone, a URL accepted by add_server was refused on every connection afterwards.
  if (parsed.href.length > MAX_USER_URL_CHARS) {
    return `the URL is longer than ${MAX_USER_URL_CHARS} characters once percent-encoded (${parsed.href.length})`;
  }
  if (parsed.username || parsed.password) {
    return "the URL carries credentials (user:password@); store them as a secret and reference it in a header";
  }
  const allow = config.user_servers.allow_hosts.map((h) => h.toLowerCase().replace(/\.+$/, ""));
  if (allow.length && !allow.includes(hostOf(parsed))) {
    return `host ${hostOf(parsed)} is not in user_servers.allow_hosts (${allow.join(", ")})`;
  }
  const verdict = checkUrl(parsed, config.network);
  return verdict.ok ? undefined : verdict.reason;
}

/**
 * Why the user's secrets may not travel to `url`: over plain http to a public host, anyone on the path reads
 * them (loopback and allowed private hosts stay possible for development) (OAuth tokens get the same rule from the SDK, which wants https token endpoints).
 */
function cleartextSecretRefusal(url: URL, secrets: readonly string[]): string | undefined {
  if (secrets.length === 0 || url.protocol !== "http:" || classifyHost(url.hostname).kind !== "public") return;
  return `headers: \${secret:${secrets[0]}} would travel unencrypted over http://; use the server's https:// URL`;
}

/** Why `name` may not be a new user server's name, given the gateway's servers and the user's others. */
export function userNameRefusal(name: unknown, config: GatewayConfig, others: readonly string[]): string | undefined {
  const parsed = ServerNameSchema.safeParse(name);
  if (!parsed.success) {
    return `server name ${JSON.stringify(String(name).slice(0, 80))}: ${parsed.error.issues[0]?.message ?? "invalid"}`;
  }
  const wanted = parsed.data;
  const gateway = config.servers.map((s) => s.name);
  if (gateway.some((g) => g.toLowerCase() === wanted.toLowerCase())) {
    return `"${wanted}" is a server of the gateway; choose another name`;
  }
  const id = toIdentifier(wanted);
  const gatewayIds = assignIdentifiers(gateway);
  const clash = gateway.find((g) => gatewayIds.get(g) === id);
  if (clash)
    return `"${wanted}" would import as servers/${id}, which is the gateway server ${clash}; choose another name`;
  if (others.includes(wanted)) return `there is already a server named "${wanted}"; remove it first`;
  const mine = others.find((o) => toIdentifier(o) === id);
  if (mine) return `"${wanted}" would import as servers/${id}, like the server ${mine}; choose another name`;
  return undefined;
}

export class UserServers {
  #sql: SqlStorage;
  #owner: string;

  constructor(sql: SqlStorage, owner: string) {
    this.#sql = sql;
    this.#owner = owner;
    sql.exec(`CREATE TABLE IF NOT EXISTS user_servers (
      name TEXT PRIMARY KEY, url TEXT NOT NULL, auth_type TEXT NOT NULL, headers_sealed TEXT,
      header_names TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    sql.exec(
      "CREATE TABLE IF NOT EXISTS user_servers_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    );
    sql.exec("INSERT OR IGNORE INTO user_servers_version (id, version) VALUES (1, 0)");
    // Objects created before servers were checked when added lack the column: their servers show as before.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(user_servers)").toArray();
    if (!columns.some((c) => c.name === "check_error"))
      sql.exec("ALTER TABLE user_servers ADD COLUMN check_error TEXT");
  }

  #aad(name: string): string {
    return sealContext(this.#owner, "headers", name);
  }

  /** Moves on every change of the user's servers or their credentials. */
  version(): number {
    return this.#sql.exec<{ version: number }>("SELECT version FROM user_servers_version WHERE id = 1").one().version;
  }

  bump(): number {
    return this.#sql
      .exec<{ version: number }>("UPDATE user_servers_version SET version = version + 1 WHERE id = 1 RETURNING version")
      .one().version;
  }

  names(): string[] {
    return this.#sql
      .exec<{ name: string }>("SELECT name FROM user_servers ORDER BY name")
      .toArray()
      .map((r) => r.name);
  }

  rows(): UserServerRow[] {
    return this.#sql
      .exec<Omit<UserServerRow, "header_names"> & { header_names: string }>(
        "SELECT name, url, auth_type, headers_sealed, header_names, created_at, check_error FROM user_servers ORDER BY created_at, name",
      )
      .toArray()
      .map((r) => ({ ...r, header_names: JSON.parse(r.header_names) as string[] }));
  }

  row(name: string): UserServerRow | undefined {
    return this.rows().find((r) => r.name === name);
  }

  /**
   * Validates and stores a new server. `keys` is needed only when it has headers; a string is why it was refused.
   */
  async add(
    request: { name: unknown; url: unknown; headers?: ReadonlyArray<readonly [string, string]> },
    config: GatewayConfig,
    keys: () => Promise<{ ok: true; keys: ConnectionsKeys } | { ok: false; error: string }>,
    /** The user's secrets: those the headers reference must be allowed to go to the URL's host. */
    secrets?: UserSecrets,
  ): Promise<UserServerRow | string> {
    if (!config.user_servers.enabled) return "adding servers is turned off on this gateway (user_servers.enabled)";
    const others = this.names();
    const badName = userNameRefusal(request.name, config, others);
    if (badName) return badName;
    const name = request.name as string;
    if (others.length >= config.user_servers.max_servers) {
      return `there are already ${others.length} servers, the most this gateway allows per user (user_servers.max_servers); remove one first`;
    }
    if (typeof request.url !== "string") return "url must be a string";
    const badUrl = userUrlRefusal(request.url, config);
    if (badUrl) return `url: ${badUrl}`;
    const checked = checkUserHeaders(request.headers ?? []);
    if (!checked.ok) return checked.error;
    const cleartext = cleartextSecretRefusal(new URL(request.url), checked.secrets);
    if (cleartext) return cleartext;
    const host = hostOf(new URL(request.url));
    const refused = secrets?.refusal(checked.secrets, host);
    if (refused) return refused;
    let sealed: string | null = null;
    if (checked.headers.length) {
      const loaded = await keys();
      if (!loaded.ok) return `a server with headers holds credentials: ${loaded.error}`;
      sealed = await seal(loaded.keys, JSON.stringify(checked.headers), this.#aad(name));
    }
    const row: UserServerRow = {
      name,
      url: new URL(request.url).href,
      auth_type: checked.headers.length ? "headers" : "none",
      headers_sealed: sealed,
      header_names: checked.headers.map(([h]) => h),
      created_at: Date.now(),
      check_error: null,
    };
    // Sealing awaited: another add of the same name may have landed meanwhile, so the insert decides.
    if (this.names().includes(name)) return `there is already a server named "${name}"; remove it first`;
    if (this.names().length >= config.user_servers.max_servers) {
      return "user_servers.max_servers was reached meanwhile; remove a server first";
    }
    // Checked again with no await from here on: a secret's hosts may have changed meanwhile.
    const again = secrets?.refusal(checked.secrets, host);
    if (again) return again;
    this.#sql.exec(
      "INSERT INTO user_servers (name, url, auth_type, headers_sealed, header_names, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      row.name,
      row.url,
      row.auth_type,
      row.headers_sealed,
      JSON.stringify(row.header_names),
      row.created_at,
    );
    this.bump();
    return row;
  }

  /** Marks a server as signing in with OAuth (its upstream answered 401 with OAuth metadata). */
  setAuthType(name: string, type: UserAuthType): void {
    this.#sql.exec("UPDATE user_servers SET auth_type = ?, check_error = NULL WHERE name = ?", type, name);
    this.bump();
  }

  /**
   * Records what a check of the server without credentials found, if it still is that server (`url`, no
   * credentials: the check awaited the network, and the server may have been removed or signed in meanwhile). A
   * challenge makes it an OAuth server; otherwise the check's error, or none, is kept for the connections page.
   */
  recordCheck(name: string, url: string, check: ServerCheck): void {
    if (check.kind === "challenge") {
      const changed = this.#sql
        .exec(
          "UPDATE user_servers SET auth_type = 'oauth', check_error = NULL WHERE name = ? AND url = ? AND auth_type = 'none' RETURNING name",
          name,
          url,
        )
        .toArray().length;
      if (changed) this.bump();
      return;
    }
    const error = check.kind === "failed" ? check.error : null;
    const stored = this.#sql
      .exec<{ check_error: string | null }>(
        "SELECT check_error FROM user_servers WHERE name = ? AND url = ? AND auth_type = 'none'",
        name,
        url,
      )
      .toArray()[0];
    if (!stored) return;
    this.#sql.exec("UPDATE user_servers SET check_error = ? WHERE name = ?", error, name);
    // Sessions hold whether a check failed (their own listing that works clears it), not why: the version moves
    // only when that changes, so a session that synced before the failure was recorded hears of it.
    if ((stored.check_error === null) !== (error === null)) this.bump();
  }

  remove(name: string): boolean {
    const gone = this.#sql.exec("DELETE FROM user_servers WHERE name = ? RETURNING name", name).toArray().length > 0;
    if (gone) this.bump();
    return gone;
  }

  /** The header templates of a header server, unsealed (on the host only). */
  async headers(keys: ConnectionsKeys, row: UserServerRow): Promise<Array<[string, string]>> {
    if (!row.headers_sealed) return [];
    return JSON.parse(await unseal(keys, row.headers_sealed, this.#aad(row.name))) as Array<[string, string]>;
  }
}

/**
 * How the check error of a server without credentials starts when the server asked for an OAuth sign-in that could
 * not start (src/session/user-server-ops.ts): the row stays without credentials, but its sign-in is OAuth.
 */
export const OAUTH_START_FAILED = "it asks for an OAuth sign-in, which could not start";

/**
 * The listed form of a row with its current auth status; a server without credentials whose last check failed is
 * in error, with why (an OAuth server when what failed is the sign-in it asked for, so the page offers Connect).
 */
export function serverView(row: UserServerRow, auth: UserAuthView): UserServerView {
  const signIn = row.check_error?.startsWith(OAUTH_START_FAILED) === true;
  const checked: UserAuthView =
    row.auth_type === "none" && row.check_error !== null
      ? { type: signIn ? "oauth" : "none", status: "error", message: row.check_error }
      : auth;
  return {
    name: row.name,
    url: displayUrl(row.url),
    auth: checked,
    header_names: row.header_names,
    created_at: new Date(row.created_at).toISOString(),
  };
}
