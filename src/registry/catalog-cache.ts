/**
 * @module registry/catalog-cache
 * Built catalog tools shared by every session object of an isolate. A 10,000-tool server costs each session
 * megabytes of tool objects, lookup maps, search index and binding source; sessions that see the same listing
 * version of the same upstream with the same credentials and configuration get the same objects instead, and
 * everything keyed on them (src/mcp/catalog-search.ts, src/sandbox/sandbox-modules.ts) is then built once too.
 *
 * Held through WeakRef: an entry lives as long as some session still uses it, so the cache never keeps a catalog
 * nobody holds. The catalog object's version (src/registry/catalog-object.ts) is the key: a new listing of the
 * upstream is a new version, and the first-seen hashes behind `changed` never change for a version once written.
 */
import type { ServerConfig } from "../config";
import { type HashedTool, type OmittedTools, omittedTools, toCatalogTools } from "./catalog-build";
import type { CatalogTool } from "./registry-types";
import type { ToolSelection } from "./tool-filter";

/** The parts of a server's catalog entry that depend only on its listing (and the configuration). */
export interface BuiltTools {
  tools: CatalogTool[];
  byId: Map<string, CatalogTool>;
  byUpstreamName: Map<string, CatalogTool>;
  changedTools: string[];
  deferredCount: number;
  /** Tools the listing has that the catalog leaves out (names too long), for list_servers. */
  omittedTools?: OmittedTools;
}

/** Most (scope, server id) slots kept per configured server; the oldest slot is forgotten beyond this. */
const MAX_SLOTS_PER_SERVER = 256;

/**
 * The slot refers to the tool list, which every session's entry holds; the rest of the parts hang off the list
 * here, so they live exactly as long as it does (entries copy the parts out, they do not hold this object).
 */
interface Slot {
  version: number;
  tools: WeakRef<CatalogTool[]>;
}

const partsOf = new WeakMap<CatalogTool[], BuiltTools>();

const alive = (slot: Slot | undefined): BuiltTools | undefined => {
  const tools = slot?.tools.deref();
  return tools && partsOf.get(tools);
};

/**
 * Keyed first by the configuration object (the same for every session of an isolate: src/config.ts caches the
 * parsed GATEWAY_CONFIG; a user's own servers get their own objects), then by credential scope and server id.
 */
const slots = new WeakMap<ServerConfig, Map<string, Slot>>();

const slotKey = (scope: string, serverId: string) => `${scope}\n${serverId}`;

/** The version this isolate holds for a server, if some session still uses it (to read the store without tools). */
export function heldVersion(config: ServerConfig, scope: string, serverId: string): number | undefined {
  const slot = slots.get(config)?.get(slotKey(scope, serverId));
  return alive(slot) ? slot!.version : undefined;
}

/** The built tools of this version, if some session still uses them. */
export function sharedTools(
  config: ServerConfig,
  scope: string,
  serverId: string,
  version: number,
): BuiltTools | undefined {
  const slot = slots.get(config)?.get(slotKey(scope, serverId));
  return slot?.version === version ? alive(slot) : undefined;
}

/** Offers built tools to the other sessions of the isolate; returns what they should hold (the first built). */
export function shareTools(
  config: ServerConfig,
  scope: string,
  serverId: string,
  version: number,
  built: BuiltTools,
): BuiltTools {
  if (version < 0) return built;
  let bySlot = slots.get(config);
  if (!bySlot) {
    bySlot = new Map();
    slots.set(config, bySlot);
  }
  const key = slotKey(scope, serverId);
  const held = bySlot.get(key);
  const current = alive(held);
  if (current && held!.version === version) return current;
  if (current && held!.version > version) return built;
  bySlot.delete(key);
  if (bySlot.size >= MAX_SLOTS_PER_SERVER) bySlot.delete(bySlot.keys().next().value!);
  partsOf.set(built.tools, built);
  bySlot.set(key, { version, tools: new WeakRef(built.tools) });
  return built;
}

/**
 * The built tools of one listing version: the copy another session of this isolate holds, else built here and
 * offered to them. Without a scope (the store failed) nothing is shared.
 */
export function builtTools(
  st: { config: ServerConfig; serverId: string; selection: ToolSelection },
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
  const omitted = omittedTools(listed, st.selection);
  if (omitted) built.omittedTools = omitted;
  return scope === undefined ? built : shareTools(st.config, scope, st.serverId, version, built);
}
