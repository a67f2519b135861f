/**
 * @module registry/server-entry
 * What the catalog says about one server (list_servers, the dashboard, the sandbox's module list): its entry as a
 * listing built it, as a failed listing left it (keeping the last listed tools, with the sign-in it waits for), or
 * while its first listing is still running; and the display forms of its URL and of its error.
 */
import { SdkHttpError } from "@modelcontextprotocol/client";
import { cleanText } from "../codegen/clean";
import type { ServerConfig } from "../config";
import type { UserAuthView } from "../user/user-servers";
import { AuthorizationRequiredError, authorizationCause } from "./authorization-required";
import type { OmittedTools } from "./catalog-build";
import type { BuiltTools } from "./catalog-cache";
import type { CatalogTool } from "./registry-types";
import type { TransportKind } from "./upstream";

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
  /** Tools the upstream lists that the catalog leaves out (names too long: src/registry/catalog-build.ts). */
  omittedTools?: OmittedTools;
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

/**
 * Whether the server's listing failed: this session's last listing, or (while it is listed again in the background)
 * the isolate's last one. Not "still connecting": asking again does not help until what failed is fixed.
 */
export function listingFailed(s: ServerEntry): boolean {
  return s.status === "error" && (!s.connecting || s.lastError !== undefined);
}

/** An error as `list_servers` shows it; HTTP failures lead with their status, which the SDK's message omits. */
export function describeError(err: unknown): string {
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

/** A server as the registry holds it (src/registry/server-states.ts): what every entry of it says. */
interface EntrySource {
  config: ServerConfig;
  scope: ServerScope;
  auth?: UserAuthView;
  addedAt?: number;
  serverId: string;
}

/** The fields every entry of the server has, whatever its listing's fate; `user` owns the user's own servers. */
export function entryBase(st: EntrySource, user: string | undefined) {
  return {
    name: st.config.name,
    scope: st.scope,
    auth: st.auth ?? { type: st.config.headers?.size ? "headers" : "none", status: "connected" },
    serverId: st.serverId,
    url: displayUrl(st.config.url),
    description: cleanText(st.config.description ?? "", 500),
    ...(st.scope === "user" ? { owner: user! } : {}),
    ...(st.addedAt === undefined ? {} : { addedAt: st.addedAt }),
  };
}

type EntryBase = ReturnType<typeof entryBase>;

/** The entry of a listing: its built tools, and the transport and revision of the connection that made it. */
export function listedEntry(
  base: EntryBase,
  built: BuiltTools,
  fetchedAt: number,
  lastError: ServerEntry["lastError"],
  transport: TransportKind | undefined,
  protocol: string | undefined,
): ServerEntry {
  return {
    ...base,
    status: "ok",
    ...built,
    refreshedAt: fetchedAt,
    ...(lastError ? { lastError } : {}),
    ...(transport ? { transport } : {}),
    ...(protocol ? { protocol } : {}),
  };
}

/** The sign-in a failed listing waits for, from its error: none when it failed for another reason. */
export function signInOf(err: unknown): ServerEntry["signIn"] {
  const cause = authorizationCause(err);
  return cause instanceof AuthorizationRequiredError
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
}

/** The entry of a failed listing: `error`, with the last known tools (`known`'s), if any. */
export function failedEntry(
  base: EntryBase,
  error: string,
  known: ServerEntry | undefined,
  lastError: NonNullable<ServerEntry["lastError"]>,
  signIn: ServerEntry["signIn"],
): ServerEntry {
  return {
    ...base,
    status: "error",
    error,
    tools: known?.tools ?? [],
    byId: known?.byId ?? new Map(),
    byUpstreamName: known?.byUpstreamName ?? new Map(),
    changedTools: known?.changedTools ?? [],
    deferredCount: known?.deferredCount ?? 0,
    ...(known?.omittedTools ? { omittedTools: known.omittedTools } : {}),
    lastError,
    ...(known?.refreshedAt ? { refreshedAt: known.refreshedAt } : {}),
    ...(signIn ? { signIn } : {}),
  };
}

/** The entry of a server whose first listing runs past the reader's patience: an error saying so, no tools. */
export function connectingEntry(base: EntryBase, error: string): ServerEntry {
  return {
    ...base,
    status: "error",
    error,
    tools: [],
    byId: new Map(),
    byUpstreamName: new Map(),
    changedTools: [],
    deferredCount: 0,
    connecting: true,
  };
}
