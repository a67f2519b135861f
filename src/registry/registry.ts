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

import { cleanText } from "../codegen/clean";
import type { ServerConfig } from "../config";
import { AuthorizationRequiredError, authorizationCause } from "./authorization-required";
import { type HashedTool, hashTools } from "./catalog-build";
import { type BuiltTools, builtTools, heldVersion, sharedTools } from "./catalog-cache";
import { type CatalogKey, type CatalogStore, MemoryCatalogStore } from "./catalog-store";
import { failureKey, forgetFailure, lateListing, patienceFor, patiently, rememberFailure } from "./listing-patience";
import type { CatalogTool } from "./registry-types";
import {
  connectingEntry,
  describeError,
  displayUrl,
  entryBase,
  failedEntry,
  listedEntry,
  type ServerEntry,
  type ServerScope,
  signInOf,
} from "./server-entry";
import { gatewayStates, type ServerState, type UserServerSpec, userStates } from "./server-states";
import type { SharedHandshake } from "./shared-handshake";
import type { UpstreamConnection } from "./upstream";

/** Default for `catalog_ttl_ms`. */
export const DEFAULT_CATALOG_TTL_MS = 300_000;
/** How often a session asks the store whether another session re-listed a server it holds. */
const STORE_CHECK_MS = 5_000;
/** A server whose listing failed is tried again (in the background) after this long. */
const ERROR_RETRY_MS = 10_000;
/** Bursts of `list_changed` notifications collapse into one listing. */
const LIST_CHANGED_DEBOUNCE_MS = 250;

export interface Catalog {
  servers: ServerEntry[];
  byServerId: Map<string, ServerEntry>;
  byName: Map<string, ServerEntry>;
  tools: CatalogTool[];
}

export interface RegistryOptions {
  /** Called before each catalog read: the session brings the user's servers up to date (cheap when unchanged). */
  sync?: () => Promise<void>;
  /**
   * Called when one of the user's servers answered a listing from its upstream (not the store's copy, which may
   * predate a failure), before the listing is served; never throws.
   */
  listed?: (name: string, url: string) => Promise<void>;
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

export class Registry {
  #connections = new Map<string, UpstreamConnection>();
  #connect: (config: ServerConfig, scope: ServerScope) => UpstreamConnection;
  #states: ServerState[];
  #gatewayCount: number;
  #sync: (() => Promise<void>) | undefined;
  #listed: ((name: string, url: string) => Promise<void>) | undefined;
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
    this.#states = gatewayStates(servers);
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
    const { next, closed } = userStates(gateway, this.#states.slice(this.#gatewayCount), servers);
    for (const name of closed) {
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
    const late = lateListing(this.#failureKey(st), ms);
    st.connecting ??= {
      ...connectingEntry(this.#base(st), late.error),
      ...(late.failed ? { lastError: late.failed } : {}),
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
          const built = builtTools(st, key.scope, cached.version, cached.tools, cached.firstSeen ?? []);
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
          const built = builtTools(st, key.scope, full.version, full.tools, full.firstSeen ?? []);
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
    // The URL the listing reached: the user's server of this name may have moved to another since.
    if (st.scope === "user") await this.#listed?.(st.config.name, conn.config.url);
    try {
      const stored = await this.#store.write(key, listed);
      const built = builtTools(st, key.scope, stored.version, listed, stored.firstSeen);
      return this.#built(st, stored.version, stored.fetchedAt, built);
    } catch (err) {
      // The listing is good even if the cache is not: serve it, with the first-seen hashes this session knows.
      console.warn(`catalog store write failed for ${st.config.name}: ${(err as Error).message}`);
      const known = (st.entry?.tools ?? []).map((t): [string, string] => [t.name, t.firstSeenHash ?? t.hash]);
      return this.#built(st, -1, Date.now(), builtTools(st, undefined, -1, listed, known));
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
    return entryBase(st, this.#user);
  }

  #built(st: ServerState, version: number, fetchedAt: number, built: BuiltTools): ServerEntry {
    const connection = this.#connections.get(st.config.name);
    const transport = connection?.transport;
    const protocol = connection?.protocol;
    const entry = listedEntry(this.#base(st), built, fetchedAt, st.lastError, transport, protocol);
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
    const signIn = signInOf(err);
    let known = st.entry;
    if (!known?.tools.length && key) {
      const cached = await this.#store.read(key).catch(() => undefined);
      if (cached?.tools) {
        const built = builtTools(st, key.scope, cached.version, cached.tools, cached.firstSeen ?? []);
        known = this.#built(st, cached.version, cached.fetchedAt, built);
      }
    }
    const entry = failedEntry(this.#base(st), message, known, st.lastError, signIn);
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
