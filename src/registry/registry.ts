/**
 * @module registry/registry
 * All configured upstreams and their tool catalogs. Each server is listed independently: one that is down or
 * broken shows its error in `list_servers`, keeps the tools it last listed (if any), and never breaks the others.
 *
 * Catalogs come, in order of preference, from this session's memory, from the durable {@link CatalogStore} shared
 * by every session (fresh for `catalog_ttl_ms`), or from listing the upstream. A `notifications/tools/list_changed`
 * from an upstream (debounced) or an explicit refresh lists it again; the store's version tells other sessions
 * within seconds. Every listing is compared with the first-seen hash of each tool, kept durably by the store.
 * The store also carries the last handshake with each upstream (src/registry/shared-handshake.ts): a session
 * whose catalog came from the store connects without the probe and handshake another session already made.
 */

import { SdkHttpError } from "@modelcontextprotocol/client";
import { cleanText } from "../codegen/clean";
import { assignIdentifiers, toIdentifier } from "../codegen/names";
import type { ServerConfig } from "../config";
import type { UserAuthView } from "../user/user-servers";
import { AuthorizationRequiredError, authorizationCause } from "./authorization-required";
import { type HashedTool, hashTools, toCatalogTools } from "./catalog-build";
import { type BuiltTools, heldVersion, sharedTools, shareTools } from "./catalog-cache";
import { type CatalogKey, type CatalogStore, MemoryCatalogStore } from "./catalog-store";
import {
  connectingMessage,
  failureKey,
  forgetFailure,
  patienceFor,
  patiently,
  rememberFailure,
} from "./listing-patience";
import type { CatalogTool } from "./registry-types";
import type { SharedHandshake } from "./shared-handshake";
import { type ToolSelection, toolSelection } from "./tool-filter";
import type { TransportKind, UpstreamConnection } from "./upstream";

/** Default for `catalog_ttl_ms`. */
export const DEFAULT_CATALOG_TTL_MS = 300_000;
/** How often a session asks the store whether another session re-listed a server it holds. */
const STORE_CHECK_MS = 5_000;
/** A server whose listing failed is tried again (in the background) after this long. */
const ERROR_RETRY_MS = 10_000;
/** Bursts of `list_changed` notifications collapse into one listing. */
const LIST_CHANGED_DEBOUNCE_MS = 250;

/** Where a server comes from: the gateway's configuration, or the user's own (add_server). */
export type ServerScope = "gateway" | "user";

export interface ServerEntry {
  name: string;
  scope: ServerScope;
  /** How the server authenticates and whether that works now (user servers: from the user object). */
  auth: UserAuthView;
  /**
   * The latest listing failed for want of a sign-in: the upstream challenged a server without credentials
   * (`challenge`, add_server starts OAuth), or an OAuth server's authorization is missing or expired.
   */
  signIn?:
    | { kind: "challenge"; resourceMetadataUrl?: string; scope?: string }
    | { kind: "required"; status: "authorization_required" | "expired"; authorization_url?: string };
  /** Module name the sandbox imports: `servers/<serverId>`. */
  serverId: string;
  /** URL for display: origin and path only, so query-string credentials never show. */
  url: string;
  description: string;
  /** "error" when the latest listing attempt failed; `tools` then holds the last listed tools, if any. */
  status: "ok" | "error";
  error?: string;
  tools: CatalogTool[];
  /** Tools by sanitized id. */
  byId: Map<string, CatalogTool>;
  /** Tools by the name the upstream gave them (what bindings call with): looked up on every tool call. */
  byUpstreamName: Map<string, CatalogTool>;
  /** When `tools` were listed from the upstream (possibly by another session), ms since epoch. */
  refreshedAt?: number;
  /** The most recent failure of this server (kept after it recovers, with its time). */
  lastError?: { message: string; at: number };
  /** Upstream names of tools whose definition changed since the gateway first saw them. */
  changedTools: string[];
  deferredCount: number;
  /** The transport this session's connection uses, once connected. */
  transport?: TransportKind;
  /** The MCP revision this session's connection negotiated, once connected. */
  protocol?: string;
  /** For a user's own server: the user, under whom its listings and observed result shapes are stored. */
  owner?: string;
  /** For a user's own server: when the user added it ({@link CatalogKey.addedAt}). */
  addedAt?: number;
  /**
   * Its first listing is still running past the reader's patience (`catalog({ patienceMs })`): listed as an error
   * saying so, with no tools, until the listing ends.
   */
  connecting?: true;
}

export interface Catalog {
  servers: ServerEntry[];
  byServerId: Map<string, ServerEntry>;
  byName: Map<string, ServerEntry>;
  tools: CatalogTool[];
}

/** One of the user's servers as the session knows it. */
export interface UserServerSpec {
  config: ServerConfig;
  auth: UserAuthView;
  /** When the user added it: a server removed and added again is another server ({@link CatalogKey.addedAt}). */
  addedAt?: number;
}

export interface RegistryOptions {
  /** Called before each catalog read: the session brings the user's servers up to date (cheap when unchanged). */
  sync?: () => Promise<void>;
  /**
   * Called when one of the user's servers answered a listing from its upstream (not the store's copy, which may
   * predate a failure), before the listing is served; never throws.
   */
  listed?: (name: string) => Promise<void>;
  /** Durable catalog cache and first-seen hashes; defaults to memory (this isolate only). */
  store?: CatalogStore;
  /** How long a listing is reused before the upstream is listed again. */
  ttlMs?: number;
  /**
   * The user whose servers the `user` ones are (required to hold any): what is stored about them is kept per user
   * ({@link CatalogKey.user}).
   */
  user?: string;
}

/** Which servers to list from the upstream now: all, or those named. */
export type RefreshRequest = boolean | readonly string[];

interface ServerState {
  config: ServerConfig;
  scope: ServerScope;
  auth?: UserAuthView;
  addedAt?: number;
  serverId: string;
  selection: ToolSelection;
  entry?: ServerEntry;
  /** Store version of the listing behind `entry`. */
  version?: number;
  /** When `entry` was last confirmed current against the store. */
  checkedAt: number;
  loading?: Promise<ServerEntry>;
  loadingUpstream?: boolean;
  /** A `list_changed` arrived since the last listing started. */
  dirty: boolean;
  timer?: ReturnType<typeof setTimeout>;
  lastError?: { message: string; at: number };
  /** The entry a patient reader gets while the first listing runs (one object, so the catalog stays the same). */
  connecting?: ServerEntry;
}

/** An error as `list_servers` shows it; HTTP failures lead with their status, which the SDK's message omits. */
function describeError(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof SdkHttpError && err.status > 0 && !message.includes(String(err.status))) {
    return `HTTP ${err.status}: ${message}`;
  }
  return message;
}

/** Display form of an upstream URL: never its credentials or query string. */
export function displayUrl(url: string): string {
  if (!/^https?:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

export class Registry {
  #connections = new Map<string, UpstreamConnection>();
  #connect: (config: ServerConfig, scope: ServerScope) => UpstreamConnection;
  #states: ServerState[];
  #gatewayCount: number;
  #sync: (() => Promise<void>) | undefined;
  #listed: ((name: string) => Promise<void>) | undefined;
  #store: CatalogStore;
  #ttlMs: number;
  #user: string | undefined;
  #snapshot: { entries: ServerEntry[]; catalog: Catalog } | undefined;
  #closed = false;

  constructor(
    servers: ServerConfig[],
    connect: (config: ServerConfig, scope: ServerScope) => UpstreamConnection,
    options: RegistryOptions = {},
  ) {
    this.#connect = connect;
    this.#sync = options.sync;
    this.#listed = options.listed;
    this.#store = options.store ?? new MemoryCatalogStore();
    this.#ttlMs = options.ttlMs ?? DEFAULT_CATALOG_TTL_MS;
    this.#user = options.user;
    const ids = assignIdentifiers(servers.map((s) => s.name));
    this.#states = servers.map((config) => ({
      config,
      scope: "gateway",
      serverId: ids.get(config.name)!,
      selection: toolSelection(config),
      checkedAt: 0,
      dirty: false,
    }));
    this.#gatewayCount = this.#states.length;
  }

  /** The last listed entry of the server `name`, without listing it (undefined before its first listing). */
  known(name: string): ServerEntry | undefined {
    return this.#states.find((s) => s.config.name === name)?.entry;
  }

  /** The (lazily opened, reused) connection to a configured server. */
  connection(name: string): UpstreamConnection | undefined {
    const state = this.#states.find((s) => s.config.name === name);
    if (!state) return undefined;
    let conn = this.#connections.get(name);
    if (!conn) {
      conn = this.#connect(state.config, state.scope);
      conn.onToolsChanged = () => this.#listChanged(state);
      conn.onHandshake = (handshake) => void this.#shareHandshake(state, conn!, handshake);
      this.#connections.set(name, conn);
    }
    return conn;
  }

  /** Whether one of the user's servers waits for a sign-in (its session then checks for it on every read). */
  waitingForSignIn(): boolean {
    return this.#states.some(
      (st) => st.scope === "user" && (st.entry?.signIn !== undefined || (st.auth && st.auth.status !== "connected")),
    );
  }

  /**
   * Replaces the user's servers (the gateway's stay). A server whose URL or auth changed starts afresh, with a
   * new connection; one that is gone is closed. A user server never takes a gateway server's name or module
   * identifier (add_server refuses that; one that clashes after a configuration change is left out).
   */
  setUserServers(servers: readonly UserServerSpec[]): void {
    if (servers.length > 0 && this.#user === undefined)
      throw new Error("a registry without a user holds no user servers");
    const gateway = this.#states.slice(0, this.#gatewayCount);
    const taken = new Set(gateway.flatMap((s) => [s.config.name, s.serverId]));
    const old = new Map(this.#states.slice(this.#gatewayCount).map((s) => [s.config.name, s]));
    const next: ServerState[] = [];
    const replaced: string[] = [];
    for (const { config, auth, addedAt } of servers) {
      const id = toIdentifier(config.name);
      if (taken.has(config.name) || taken.has(id)) continue;
      taken.add(config.name).add(id);
      const prev = old.get(config.name);
      const same =
        prev?.config.url === config.url &&
        prev.addedAt === addedAt &&
        prev.auth?.type === auth.type &&
        prev.auth?.status === auth.status;
      if (prev && same) {
        prev.auth = auth;
        if (prev.entry) prev.entry = { ...prev.entry, auth };
        next.push(prev);
        old.delete(config.name);
        continue;
      }
      if (prev) {
        clearTimeout(prev.timer);
        replaced.push(config.name);
        old.delete(config.name);
      }
      next.push({
        config,
        scope: "user",
        auth,
        ...(addedAt === undefined ? {} : { addedAt }),
        serverId: id,
        selection: toolSelection(config),
        checkedAt: 0,
        dirty: false,
      });
    }
    for (const st of old.values()) clearTimeout(st.timer);
    for (const name of [...old.keys(), ...replaced]) {
      const conn = this.#connections.get(name);
      this.#connections.delete(name);
      void conn?.close();
    }
    this.#states = [...gateway, ...next];
  }

  /**
   * Every server's catalog entry. The same `Catalog` object comes back while nothing changed, so work keyed on
   * it (the search index) is reused. `refresh` lists the named servers (or all) from the upstream now.
   * `patienceMs` bounds the wait for a server this session has never listed (and is not asked to refresh): past it,
   * the server is listed as still connecting ({@link ServerEntry.connecting}) while its listing goes on, so one
   * server that does not answer does not hold up a new session for its whole connect timeout.
   */
  async catalog(
    options: { refresh?: RefreshRequest; patienceMs?: number; waitFor?: readonly string[] } = {},
  ): Promise<Catalog> {
    const { refresh = false, patienceMs, waitFor = [] } = options;
    await this.#sync?.();
    const entries = await Promise.all(
      this.#states.map((st) => {
        const force = refresh === true || (Array.isArray(refresh) && refresh.includes(st.config.name));
        const first = !st.entry;
        const entry = this.#entryOf(st, force);
        if (patienceMs === undefined || !first || force || waitFor.includes(st.config.name)) return entry;
        // Already found slow by an earlier read: no second wait while the same listing runs.
        if (st.connecting) {
          entry.catch(() => {});
          return st.connecting;
        }
        const ms = patienceFor(this.#failureKey(st), patienceMs);
        return patiently(entry, ms, () => this.#connecting(st, ms));
      }),
    );
    const prev = this.#snapshot;
    if (prev?.entries.length === entries.length && prev.entries.every((e, i) => e === entries[i])) return prev.catalog;
    const catalog: Catalog = {
      servers: entries,
      tools: entries.flatMap((s) => s.tools),
      byServerId: new Map(entries.map((s) => [s.serverId, s])),
      byName: new Map(entries.map((s) => [s.name, s])),
    };
    this.#snapshot = { entries, catalog };
    return catalog;
  }

  /** Where this server's last failed listing is remembered for the other sessions of the isolate (per user). */
  #failureKey(st: ServerState): string {
    return failureKey(this.#user, st.config);
  }

  #connecting(st: ServerState, ms: number): ServerEntry {
    st.connecting ??= {
      ...this.#base(st),
      status: "error",
      error: connectingMessage(this.#failureKey(st), ms),
      tools: [],
      byId: new Map(),
      byUpstreamName: new Map(),
      changedTools: [],
      deferredCount: 0,
      connecting: true,
    };
    return st.connecting;
  }

  async #entryOf(st: ServerState, force: boolean): Promise<ServerEntry> {
    if (st.loading) {
      const joinable = !force || st.loadingUpstream === true;
      const entry = await st.loading;
      if (joinable && !st.dirty) return entry;
      return this.#entryOf(st, force && !joinable);
    }
    const now = Date.now();
    const entry = st.entry;
    if (!force && !st.dirty && entry) {
      if (entry.status === "error") {
        // Answer at once with what is known; a server that is down must not slow every catalog read.
        if (now - (st.lastError?.at ?? 0) >= ERROR_RETRY_MS) void this.#load(st, true);
        return entry;
      }
      if (now - (entry.refreshedAt ?? 0) < this.#ttlMs && now - st.checkedAt < STORE_CHECK_MS) return entry;
    }
    return this.#load(st, force || st.dirty);
  }

  #load(st: ServerState, upstream: boolean): Promise<ServerEntry> {
    if (st.loading) return st.loading;
    st.loadingUpstream = upstream;
    st.loading = this.#loadOnce(st, upstream).finally(() => {
      st.loading = undefined;
      st.loadingUpstream = undefined;
    });
    return st.loading;
  }

  async #loadOnce(st: ServerState, fromUpstream: boolean): Promise<ServerEntry> {
    const conn = this.connection(st.config.name)!;
    let key: CatalogKey;
    try {
      key = await this.#keyOf(st, conn);
    } catch (err) {
      // A user's OAuth server waiting for sign-in still knows its cache scope: its last listed tools stay usable.
      const cause = authorizationCause(err);
      const scope = cause instanceof AuthorizationRequiredError ? cause.cacheScope : undefined;
      return this.#failed(st, err, scope ? this.#storeKey(st, scope) : undefined);
    }
    if (!fromUpstream) {
      // A version another session of this isolate holds is not sent again: its built tools are shared.
      const known = st.entry?.status === "ok" ? st.version : heldVersion(st.config, key.scope, st.serverId);
      const cached = await this.#store.read(key, known).catch(() => undefined);
      // Dated like listings: a stale legacy verdict would otherwise hide an upgraded upstream for ever.
      if (cached?.handshake && Date.now() - cached.handshake.at < this.#ttlMs) conn.adoptHandshake(cached.handshake);
      if (cached && Date.now() - cached.fetchedAt < this.#ttlMs) {
        st.checkedAt = Date.now();
        if (cached.tools) {
          const built = this.#toolsOf(st, key.scope, cached.version, cached.tools, cached.firstSeen ?? []);
          return this.#built(st, cached.version, cached.fetchedAt, built);
        }
        if (st.entry && cached.version === st.version) {
          st.entry.refreshedAt = cached.fetchedAt;
          return st.entry;
        }
        const held = sharedTools(st.config, key.scope, st.serverId, cached.version);
        if (held) return this.#built(st, cached.version, cached.fetchedAt, held);
        // The isolate's copy was collected between the two looks: read the listing itself.
        const full = await this.#store.read(key).catch(() => undefined);
        if (full?.tools && Date.now() - full.fetchedAt < this.#ttlMs) {
          const built = this.#toolsOf(st, key.scope, full.version, full.tools, full.firstSeen ?? []);
          return this.#built(st, full.version, full.fetchedAt, built);
        }
      }
    }
    st.dirty = false;
    let listed: HashedTool[];
    try {
      listed = await hashTools(await conn.listTools());
    } catch (err) {
      // A fresh connection next time: the failure may have left this one unusable.
      this.#connections.delete(st.config.name);
      await conn.close();
      return this.#failed(st, err, key);
    }
    if (st.scope === "user") await this.#listed?.(st.config.name);
    try {
      const stored = await this.#store.write(key, listed);
      const built = this.#toolsOf(st, key.scope, stored.version, listed, stored.firstSeen);
      return this.#built(st, stored.version, stored.fetchedAt, built);
    } catch (err) {
      // The listing is good even if the cache is not: serve it, with the first-seen hashes this session knows.
      console.warn(`catalog store write failed for ${st.config.name}: ${(err as Error).message}`);
      const known = (st.entry?.tools ?? []).map((t): [string, string] => [t.name, t.firstSeenHash ?? t.hash]);
      return this.#built(st, -1, Date.now(), this.#toolsOf(st, undefined, -1, listed, known));
    }
  }

  async #keyOf(st: ServerState, conn: UpstreamConnection): Promise<CatalogKey> {
    const key = this.#storeKey(st, await conn.cacheScope());
    return conn.owner ? { ...key, owner: conn.owner } : key;
  }

  /** Where `st`'s listings under these credentials (`scope`) are stored: a user server's, per user. */
  #storeKey(st: ServerState, scope: string): CatalogKey {
    const key = { server: st.config.name, url: displayUrl(st.config.url), scope };
    if (st.scope !== "user") return key;
    return { ...key, user: this.#user!, ...(st.addedAt === undefined ? {} : { addedAt: st.addedAt }) };
  }

  /** Keeps a handshake this session made for the next sessions; a store failure only costs them the round trips. */
  async #shareHandshake(st: ServerState, conn: UpstreamConnection, handshake: SharedHandshake): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#store.writeHandshake(await this.#keyOf(st, conn), handshake);
    } catch (err) {
      console.warn(`handshake store write failed for ${st.config.name}: ${(err as Error).message}`);
    }
  }

  #base(st: ServerState) {
    return {
      name: st.config.name,
      scope: st.scope,
      auth: st.auth ?? { type: st.config.headers?.size ? "headers" : "none", status: "connected" },
      serverId: st.serverId,
      url: displayUrl(st.config.url),
      description: cleanText(st.config.description ?? "", 500),
      ...(st.scope === "user" ? { owner: this.#user! } : {}),
      ...(st.addedAt === undefined ? {} : { addedAt: st.addedAt }),
    };
  }

  /**
   * The built tools of one listing version: the copy another session of this isolate holds (src/registry/
   * catalog-cache.ts), else built here and offered to them. Without a scope (the store failed) nothing is shared.
   */
  #toolsOf(
    st: ServerState,
    scope: string | undefined,
    version: number,
    listed: readonly HashedTool[],
    firstSeen: ReadonlyArray<readonly [string, string]>,
  ): BuiltTools {
    const held = scope === undefined ? undefined : sharedTools(st.config, scope, st.serverId, version);
    if (held) return held;
    const tools = toCatalogTools(
      { name: st.config.name, serverId: st.serverId },
      listed,
      st.selection,
      new Map(firstSeen),
    );
    const built: BuiltTools = {
      tools,
      byId: new Map(tools.map((t) => [t.id, t])),
      byUpstreamName: new Map(tools.map((t) => [t.name, t])),
      changedTools: tools.filter((t) => t.changed).map((t) => t.name),
      deferredCount: tools.filter((t) => t.deferred).length,
    };
    return scope === undefined ? built : shareTools(st.config, scope, st.serverId, version, built);
  }

  #built(st: ServerState, version: number, fetchedAt: number, built: BuiltTools): ServerEntry {
    const connection = this.#connections.get(st.config.name);
    const transport = connection?.transport;
    const protocol = connection?.protocol;
    const entry: ServerEntry = {
      ...this.#base(st),
      status: "ok",
      ...built,
      refreshedAt: fetchedAt,
      ...(st.lastError ? { lastError: st.lastError } : {}),
      ...(transport ? { transport } : {}),
      ...(protocol ? { protocol } : {}),
    };
    st.entry = entry;
    st.version = version;
    st.checkedAt = Date.now();
    forgetFailure(this.#failureKey(st));
    return entry;
  }

  /** An error entry that keeps the last known tools (this session's, else the store's at any age). */
  async #failed(st: ServerState, err: unknown, key: CatalogKey | undefined): Promise<ServerEntry> {
    const message = cleanText(describeError(err), 500) || "unknown error";
    st.lastError = { message, at: Date.now() };
    const cause = authorizationCause(err);
    const signIn: ServerEntry["signIn"] =
      cause instanceof AuthorizationRequiredError
        ? {
            kind: "required",
            status: cause.status,
            ...(cause.authorization_url ? { authorization_url: cause.authorization_url } : {}),
          }
        : cause
          ? {
              kind: "challenge",
              ...(cause.resourceMetadataUrl ? { resourceMetadataUrl: cause.resourceMetadataUrl } : {}),
              ...(cause.scope ? { scope: cause.scope } : {}),
            }
          : undefined;
    let known = st.entry;
    if (!known?.tools.length && key) {
      const cached = await this.#store.read(key).catch(() => undefined);
      if (cached?.tools) {
        const built = this.#toolsOf(st, key.scope, cached.version, cached.tools, cached.firstSeen ?? []);
        known = this.#built(st, cached.version, cached.fetchedAt, built);
      }
    }
    const entry: ServerEntry = {
      ...this.#base(st),
      status: "error",
      error: message,
      tools: known?.tools ?? [],
      byId: known?.byId ?? new Map(),
      byUpstreamName: known?.byUpstreamName ?? new Map(),
      changedTools: known?.changedTools ?? [],
      deferredCount: known?.deferredCount ?? 0,
      lastError: st.lastError,
      ...(known?.refreshedAt ? { refreshedAt: known.refreshedAt } : {}),
      ...(signIn ? { signIn } : {}),
    };
    st.entry = entry;
    // After #built (the store's last tools, above), which forgets a failure: this listing did fail.
    rememberFailure(this.#failureKey(st), st.lastError);
    return entry;
  }

  /** `notifications/tools/list_changed`: mark the server stale and list it again once the burst is over. */
  #listChanged(st: ServerState): void {
    if (this.#closed) return;
    st.dirty = true;
    clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      if (st.dirty && !this.#closed) void this.#entryOf(st, true).catch(() => {});
    }, LIST_CHANGED_DEBOUNCE_MS);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const st of this.#states) clearTimeout(st.timer);
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
    this.#connections.clear();
  }
}
