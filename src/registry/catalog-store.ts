/**
 * @module registry/catalog-store
 * Where listed catalogs and first-seen tool hashes outlive a session. The durable store is one {@link CatalogObject}
 * per upstream (server name and URL), so a new session reuses a fresh listing instead of listing every upstream
 * again, and change detection remembers the first definition of each tool across sessions and restarts.
 * {@link MemoryCatalogStore} has the same semantics within one isolate (used when no binding is configured).
 */

import type { HashedTool } from "./catalog-build";
import type { CatalogObject } from "./catalog-object";
import { parseSharedHandshake, type SharedHandshake, serializeSharedHandshake } from "./shared-handshake";

/** Identifies one cached listing: the upstream, and the credentials it was listed with. */
export interface CatalogKey {
  server: string;
  /** Display URL (no credentials): with the name, it identifies the upstream whose first-seen hashes are kept. */
  url: string;
  /** Hash of the full URL and resolved headers: different credentials may see different tools. */
  scope: string;
  /** The user reading or writing: upstream session ids are kept per user (src/registry/shared-handshake.ts). */
  owner?: string;
  /**
   * Set for a user's own server (add_server): the user. Its listings, first-seen hashes and observed result shapes
   * then live in an object of that user's alone, since another user may add a server of the same name and URL
   * (a shared object let each see the other's result property names and change each other's drift flags).
   */
  user?: string;
  /**
   * Set for a user's own server: when the user added it (the user object's time). Its object drops writes for an
   * add it forgot when the server was removed (src/registry/catalog-object.ts), so a listing still in flight then
   * does not store the removed server again.
   */
  addedAt?: number;
}

/** A cached listing as stored. `tools` is left out when the reader already holds this `version`. */
export interface CachedCatalog {
  /** Grows whenever the listed definitions change, so holders of an older copy know to reload. */
  version: number;
  /** When the upstream was last listed successfully (ms since epoch). */
  fetchedAt: number;
  tools?: HashedTool[];
  /** First-seen hash per upstream tool name (for the tools in `tools`), as pairs: names are not object keys. */
  firstSeen?: Array<[string, string]>;
  /** The last handshake made with these credentials (with the owner's upstream session, if any). */
  handshake?: SharedHandshake;
}

export interface CatalogStore {
  /** The cached listing of `key`, or undefined when none was stored. */
  read(key: CatalogKey, knownVersion?: number): Promise<CachedCatalog | undefined>;
  /** Stores a fresh listing; records first-seen hashes of tools never seen before and returns them all. */
  write(key: CatalogKey, tools: HashedTool[]): Promise<StoredCatalog>;
  /** Keeps a handshake for the next sessions: the verdict for the scope, the upstream session for the owner. */
  writeHandshake(key: CatalogKey, handshake: SharedHandshake): Promise<void>;
}

/** What a write answers: the listing's version and time, and the first-seen hashes. */
export type StoredCatalog = Required<Omit<CachedCatalog, "tools" | "handshake">>;

/**
 * A handshake split for storage: the part every holder of these credentials may reuse, and the upstream session,
 * which only its owner may.
 */
export function splitHandshake(handshake: SharedHandshake): { verdict: string | undefined; session?: string } {
  if (handshake.era === "modern") return { verdict: serializeSharedHandshake(handshake) };
  const { session, ...verdict } = handshake;
  return { verdict: serializeSharedHandshake(verdict), ...(session ? { session } : {}) };
}

/** The stored verdict joined with the owner's upstream session (a legacy verdict only). */
export function joinHandshake(verdictJson: string | undefined, session: string | undefined) {
  const verdict = verdictJson === undefined ? undefined : parseSharedHandshake(verdictJson);
  if (verdict?.era !== "legacy" || !verdict.sessionful || !session) return verdict;
  return { ...verdict, session };
}

/** Name of the durable object holding one upstream's catalogs and first-seen hashes (a user server's: per user). */
export function catalogObjectName(key: Pick<CatalogKey, "server" | "url" | "user">): string {
  return key.user === undefined ? `${key.server}\n${key.url}` : `${key.server}\n${key.url}\nuser\n${key.user}`;
}

/** Digest of a listing (names and hashes in order): equal digests mean nothing changed. */
export function listingDigest(tools: readonly HashedTool[]): string {
  return tools.map((t) => `${t.tool.name}\u0000${t.hash}`).join("\u0001");
}

/** The store backed by the `CATALOG` Durable Object namespace. */
export function durableCatalogStore(namespace: DurableObjectNamespace<CatalogObject>): CatalogStore {
  const stub = (key: CatalogKey) => namespace.get(namespace.idFromName(catalogObjectName(key)));
  return {
    read: async (key, knownVersion) =>
      (await stub(key).read(key.scope, knownVersion, key.owner)) as CachedCatalog | undefined,
    write: async (key, tools) => (await stub(key).write(key.scope, tools, key.addedAt)) as unknown as StoredCatalog,
    writeHandshake: async (key, handshake) => {
      const { verdict, session } = splitHandshake(handshake);
      if (verdict) await stub(key).writeHandshake(key.scope, verdict, key.owner ?? "", session, key.addedAt);
    },
  };
}

interface MemoryListing {
  version: number;
  fetchedAt: number;
  digest: string;
  tools: HashedTool[];
}

/** The same contract in memory: catalogs and first-seen hashes live as long as the isolate. */
export class MemoryCatalogStore implements CatalogStore {
  readonly #listings = new Map<string, MemoryListing>();
  readonly #firstSeen = new Map<string, Map<string, string>>();
  readonly #verdicts = new Map<string, string>();
  readonly #sessions = new Map<string, string>();

  async read(key: CatalogKey, knownVersion?: number): Promise<CachedCatalog | undefined> {
    const id = `${catalogObjectName(key)}\n${key.scope}`;
    const hit = this.#listings.get(id);
    if (!hit) return undefined;
    const handshake = joinHandshake(this.#verdicts.get(id), this.#sessions.get(`${id}\n${key.owner ?? ""}`));
    const extra = handshake ? { handshake } : {};
    if (hit.version === knownVersion) return { version: hit.version, fetchedAt: hit.fetchedAt, ...extra };
    return {
      version: hit.version,
      fetchedAt: hit.fetchedAt,
      tools: hit.tools,
      firstSeen: this.#firstSeenOf(key, hit.tools),
      ...extra,
    };
  }

  async writeHandshake(key: CatalogKey, handshake: SharedHandshake): Promise<void> {
    const id = `${catalogObjectName(key)}\n${key.scope}`;
    const { verdict, session } = splitHandshake(handshake);
    if (!verdict) return;
    this.#verdicts.set(id, verdict);
    if (session && key.owner) this.#sessions.set(`${id}\n${key.owner}`, session);
  }

  async write(key: CatalogKey, tools: HashedTool[]): Promise<StoredCatalog> {
    const id = `${catalogObjectName(key)}\n${key.scope}`;
    const digest = listingDigest(tools);
    const prev = this.#listings.get(id);
    const version = prev && prev.digest === digest ? prev.version : (prev?.version ?? 0) + 1;
    const listing = { version, fetchedAt: Date.now(), digest, tools };
    this.#listings.set(id, listing);
    const seen = this.#firstSeen.get(catalogObjectName(key)) ?? new Map<string, string>();
    this.#firstSeen.set(catalogObjectName(key), seen);
    for (const t of tools) if (!seen.has(t.tool.name)) seen.set(t.tool.name, t.hash);
    return { version, fetchedAt: listing.fetchedAt, firstSeen: this.#firstSeenOf(key, tools) };
  }

  #firstSeenOf(key: CatalogKey, tools: readonly HashedTool[]): Array<[string, string]> {
    const seen = this.#firstSeen.get(catalogObjectName(key));
    const out: Array<[string, string]> = [];
    for (const t of tools) {
      const h = seen?.get(t.tool.name);
      if (h) out.push([t.tool.name, h]);
    }
    return out;
  }
}
