/**
 * @module user/server-desk
 * The user's own servers and secrets as the user object's RPC answers for them (add_server, the connections page,
 * the sessions that register the servers): the rules are in user-servers.ts and user-secrets.ts, credentials are
 * resolved by user-connections.ts, and sign-ins are started by the OAuth client the user object provides.
 *
 * A server added without headers is checked when added (src/user/server-check.ts), so it is never listed as
 * connected before anything answered: one that asks for an OAuth sign-in becomes an OAuth server waiting for it,
 * and one that cannot be reached is listed in error with why until a later check, or a session's listing of it,
 * finds it answering.
 */
import type { GatewayConfig } from "../config";
import type { CatalogObject } from "../registry/catalog-object";
import { catalogObjectName } from "../registry/catalog-store";
import { displayUrl } from "../registry/server-entry";
import { userServerFetch } from "../registry/user-upstream";
import { type LoadedKeys, loadConnectionsKeys } from "./connections-key";
import { parseSecretHosts } from "./secret-hosts";
import { checkServer, type ServerCheck } from "./server-check";
import {
  authView,
  type ConnectionSources,
  connectionFor,
  type OAuthHooks,
  type SignInChallenge,
  type UserConnection,
} from "./user-connections";
import { checkSecretName, type SecretSummary, type UserSecrets } from "./user-secrets";
import { serverView, type UserServerRow, type UserServers, type UserServerView } from "./user-servers";

/** A new server as add_server and the connections page give it. */
export interface AddServerRequest {
  name: string;
  url: string;
  headers?: Array<[string, string]>;
}

/** One of the user's servers as listed, or why there is none. */
export type ServerResult = { ok: true; server: UserServerView } | { ok: false; error: string };

/** What the desk works on: the user object's storage and its OAuth client. */
export interface DeskDeps {
  owner: string;
  env: Record<string, unknown>;
  servers: UserServers;
  secrets: UserSecrets;
  config: () => GatewayConfig;
  /** The OAuth client's methods, where this build has them (the user object's own RPC methods). */
  oauth: Partial<OAuthHooks>;
}

/** Longest reason a session may record for a failed listing (its registry caps them at 500 already). */
const MAX_CHECK_ERROR_CHARS = 500;

const noServer = (name: string) => ({ ok: false as const, error: `you have no server named "${name}"` });

/** See the module comment. */
export class ServerDesk {
  readonly #deps: DeskDeps;

  constructor(deps: DeskDeps) {
    this.#deps = deps;
  }

  /** Where user-server credentials come from. */
  sources(): ConnectionSources {
    const { owner, servers, secrets, env, oauth } = this.#deps;
    return { owner, servers, secrets, keys: (): Promise<LoadedKeys> => loadConnectionsKeys(env), oauth };
  }

  async #view(name: string): Promise<UserServerView | undefined> {
    const row = this.#deps.servers.row(name);
    return row && serverView(row, await authView(this.sources(), row));
  }

  /**
   * Validates and stores one of the user's servers. With `check`, one without headers is checked before the
   * answer (bounded by SERVER_CHECK_TIMEOUT_MS): add_server lists the server itself and records what it found.
   */
  async add(request: AddServerRequest, opts: { check?: boolean } = {}): Promise<ServerResult> {
    const { servers, secrets, config } = this.#deps;
    const added = await servers.add(request, config(), this.sources().keys, secrets);
    if (typeof added === "string") return { ok: false, error: added };
    if (opts.check && added.auth_type === "none") {
      servers.recordCheck(added.name, added.url, await checkServer(added.url, userServerFetch(config())));
    }
    const server = await this.#view(added.name);
    // Removed by another session while it was being checked.
    return server ? { ok: true, server } : { ok: false, error: `${added.name} was removed meanwhile` };
  }

  /** Checks one of the user's servers without credentials again (headers and OAuth servers are listed as they are). */
  async check(name: string): Promise<ServerResult> {
    const row = this.#deps.servers.row(name);
    if (!row) return noServer(name);
    if (row.auth_type === "none") {
      this.#deps.servers.recordCheck(name, row.url, await checkServer(row.url, userServerFetch(this.#deps.config())));
    }
    const server = await this.#view(name);
    return server ? { ok: true, server } : noServer(name);
  }

  /**
   * What a session's listing of the server at `url` found, as a check (see UserServers.recordCheck): why it failed
   * (add_server's own listing), or, without `error`, that it answered (a failed check the session knew of).
   */
  recordListing(name: string, url: string, error?: string): void {
    const check: ServerCheck =
      error === undefined ? { kind: "open" } : { kind: "failed", error: String(error).slice(0, MAX_CHECK_ERROR_CHARS) };
    this.#deps.servers.recordCheck(name, URL.canParse(url) ? new URL(url).href : url, check);
  }

  /** Forgets the server, and its OAuth tokens (revoked where the authorization server can). */
  async remove(name: string, user: string): Promise<{ ok: true; revoked?: boolean } | { ok: false; error: string }> {
    const { servers, oauth } = this.#deps;
    const row = servers.row(name);
    if (!row) return noServer(name);
    let revoked: boolean | undefined;
    if (row.auth_type === "oauth" && oauth.forgetOAuth) {
      const r = await oauth.forgetOAuth(name).catch(() => undefined);
      revoked = typeof r === "boolean" ? r : r?.revoked;
    }
    servers.remove(name);
    await this.#forgetListings(user, row);
    return { ok: true, ...(revoked === undefined ? {} : { revoked }) };
  }

  /**
   * Deletes the user's catalog object for the removed server (its listings, first-seen hashes and observed result
   * shapes: src/registry/catalog-store.ts). The object keeps when the server was added, so what a session still
   * writes for it (a listing in flight, a session that has not synced yet) is dropped. Best effort: the server is
   * gone either way.
   */
  async #forgetListings(user: string, row: UserServerRow): Promise<void> {
    const namespace = this.#deps.env.CATALOG as DurableObjectNamespace<CatalogObject> | undefined;
    if (!namespace) return;
    const name = row.name;
    try {
      await namespace
        .getByName(catalogObjectName({ server: name, url: displayUrl(row.url), user }))
        .forget(row.created_at);
    } catch (err) {
      console.warn(`forgetting the listings of ${name} failed: ${(err as Error).message}`);
    }
  }

  /** The user's servers with their auth status, and the version that moves on every change. */
  async list(): Promise<{ version: number; servers: UserServerView[] }> {
    const { servers } = this.#deps;
    const version = servers.version();
    const src = this.sources();
    return {
      version,
      servers: await Promise.all(servers.rows().map(async (r) => serverView(r, await authView(src, r)))),
    };
  }

  /**
   * Each server's full URL (query included, which list views never show), when it was added (what the session
   * stores of it names that add, src/registry/catalog-store.ts) and auth: what a session registers. A
   * server without credentials whose last check failed says so (`check_failed`), so the session's listing of it
   * that works clears the error the connections page shows, and no other listing costs a round trip here.
   */
  async sessionServers(): Promise<{
    version: number;
    servers: Array<{
      name: string;
      url: string;
      added_at: number;
      auth: UserServerView["auth"];
      check_failed?: true;
    }>;
  }> {
    const { servers } = this.#deps;
    const version = servers.version();
    const src = this.sources();
    return {
      version,
      servers: await Promise.all(
        servers.rows().map(async (r) => ({
          name: r.name,
          url: r.url,
          added_at: r.created_at,
          auth: await authView(src, r),
          ...(r.auth_type === "none" && r.check_error !== null ? { check_failed: true as const } : {}),
        })),
      ),
    };
  }

  /** The auth status of one server and the version of the user's servers (a completed sign-in moves it). */
  async authStatus(name: string): Promise<{ version: number; auth?: UserServerView["auth"] }> {
    const row = this.#deps.servers.row(name);
    const auth = row && (await authView(this.sources(), row));
    return { version: this.#deps.servers.version(), ...(auth ? { auth } : {}) };
  }

  /** How a session connects to the server `name` (credentials resolved here, on the host). */
  connectionFor(
    name: string,
    origin: string,
    opts: { force?: boolean; signIn?: boolean; challenge?: SignInChallenge } = {},
  ): Promise<UserConnection> {
    return connectionFor(this.sources(), name, origin, opts);
  }

  /** Starts a sign-in: a server without credentials becomes an OAuth server; header servers are refused. */
  async requireAuthorization(
    name: string,
    origin: string,
    opts: { scope?: string; resourceMetadataUrl?: string } = {},
  ): Promise<{ ok: true; authorization_url: string } | { ok: false; error: string }> {
    const { servers, oauth } = this.#deps;
    const row = servers.row(name);
    if (!row) return noServer(name);
    if (!oauth.startAuthorization)
      return { ok: false, error: "this gateway build has no OAuth client for upstream servers" };
    if (row.auth_type === "headers") {
      return {
        ok: false,
        error: `${name} authenticates with its headers, not an OAuth sign-in: to change its credentials, save the secret its headers reference again (on /connections or PUT /secrets/<NAME>); to sign in with OAuth instead, remove_server and add_server it without headers`,
      };
    }
    const started = await oauth.startAuthorization(name, origin, opts);
    if (!started.ok) return started;
    if (row.auth_type !== "oauth") servers.setAuthType(name, "oauth");
    else servers.bump();
    return started;
  }

  /** Stores a secret (write-only); `hosts` (comma-separated) are where it may go: required for a new one. */
  async setSecret(name: string, value: string, hosts?: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const parsed = hosts === undefined ? undefined : parseSecretHosts(hosts);
    if (typeof parsed === "string") return { ok: false, error: `secret ${name}: ${parsed}` };
    const keys = await this.sources().keys();
    if (!keys.ok) return { ok: false, error: keys.error };
    const error = await this.#deps.secrets.set(keys.keys, name, value, parsed);
    if (error) return { ok: false, error };
    this.#deps.servers.bump();
    return { ok: true };
  }

  deleteSecret(name: string): { ok: true; deleted: boolean } | { ok: false; error: string } {
    const bad = checkSecretName(name);
    if (bad) return { ok: false, error: bad };
    const deleted = this.#deps.secrets.delete(name);
    if (deleted) this.#deps.servers.bump();
    return { ok: true, deleted };
  }

  /** Names, update times and allowed hosts of the secrets; never their values. */
  listSecrets(): SecretSummary[] {
    return this.#deps.secrets.list();
  }
}
