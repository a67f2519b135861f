/**
 * @module registry/server-states
 * What the registry (src/registry/registry.ts) holds for each server: its configuration, its latest entry, the
 * listing in progress and its timers. The gateway's servers are fixed by the configuration; the user's are replaced
 * when their list changes: kept while unchanged, started afresh when their URL, auth or addition time changed,
 * dropped when gone.
 */
import { assignIdentifiers, toIdentifier } from "../codegen/names";
import type { ServerConfig } from "../config";
import type { UserAuthView } from "../user/user-servers";
import type { ServerEntry, ServerScope } from "./server-entry";
import { type ToolSelection, toolSelection } from "./tool-filter";

/** One of the user's servers as the session knows it. */
export interface UserServerSpec {
  config: ServerConfig;
  auth: UserAuthView;
  /** When the user added it: a server removed and added again is another server ({@link CatalogKey.addedAt}). */
  addedAt?: number;
}

/** One server as the registry holds it: its configuration, latest entry and listing in progress. */
export interface ServerState {
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

/** The states of the gateway's configured servers, with their module identifiers. */
export function gatewayStates(servers: ServerConfig[]): ServerState[] {
  const ids = assignIdentifiers(servers.map((s) => s.name));
  return servers.map((config) => ({
    config,
    scope: "gateway",
    serverId: ids.get(config.name)!,
    selection: toolSelection(config),
    checkedAt: 0,
    dirty: false,
  }));
}

/**
 * The states of the user's servers `servers`, replacing `current` (theirs until now) beside the gateway's `gateway`.
 * A user server never takes a gateway server's name or module identifier: one that clashes is left out. Timers of
 * the states replaced or dropped are cleared; `closed` names the servers whose connections must close (gone, then
 * replaced).
 */
export function userStates(
  gateway: readonly ServerState[],
  current: readonly ServerState[],
  servers: readonly UserServerSpec[],
): { next: ServerState[]; closed: string[] } {
  const taken = new Set(gateway.flatMap((s) => [s.config.name, s.serverId]));
  const old = new Map(current.map((s) => [s.config.name, s]));
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
  return { next, closed: [...old.keys(), ...replaced] };
}
