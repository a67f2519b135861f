/**
 * @module registry/upstream
 * One MCP client connection to one upstream server, opened lazily and reused. The built-in servers are reached
 * through a `fetch` that goes to this Worker's own entrypoint, never over the network, so they take exactly the
 * path of any external upstream.
 *
 * The client speaks MCP 2026-07-28 to upstreams that offer it (a `server/discover` probe, no handshake, no
 * session) and falls back to 2025-11-25 (initialize) and then to the older HTTP+SSE transport, per upstream.
 */
import {
  type AuthProvider,
  type CallToolResult,
  Client,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/client/validators/cf-worker";
import { redactError, redactValue, secretValues } from "../auth/redact";
import { resolveSecrets, type ServerConfig } from "../config";
import { Semaphore } from "../shared/semaphore";
import type { UpstreamTool } from "./registry-types";

/** Most tools one upstream may list; more is treated as a broken or hostile upstream. */
export const MAX_TOOLS_PER_SERVER = 10_000;
const MAX_LIST_PAGES = 100;
const CONNECT_TIMEOUT_MS = 10_000;
const LIST_TIMEOUT_MS = 15_000;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a user server connects with, resolved by the user object (never from env). */
export interface UpstreamCredentials {
  headers: Array<[string, string]>;
  /** Every credential value, for redaction. */
  secrets: string[];
  cacheScope: string;
  /** OAuth servers: supplies (and refreshes) the bearer token. */
  authProvider?: AuthProvider;
}

export interface UpstreamDeps {
  /** Worker env, to resolve `${SECRET}` references in headers. */
  env: Record<string, unknown>;
  /**
   * Set for a user's own server: its credentials come from the user object at each connection, and its headers
   * are never resolved against `env`.
   */
  credentials?: () => Promise<UpstreamCredentials>;
  /** fetch used for this upstream (the built-in servers get one that stays inside the Worker). */
  fetch: FetchLike;
  /** The URL the transport uses (for builtin: a placeholder host served by the builtin fetch). */
  url: URL;
}

/** The MCP transport an upstream answered on. */
export type TransportKind = "streamable-http" | "sse" | "in-process";

/**
 * Every tool of a connected client, page by page, within MAX_LIST_PAGES and MAX_TOOLS_PER_SERVER: a server that
 * pages without end or lists too many tools is refused rather than followed.
 */
export async function listAllTools(client: Client, cacheMode?: "refresh"): Promise<UpstreamTool[]> {
  const tools: UpstreamTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const options = { timeout: LIST_TIMEOUT_MS, ...(cacheMode ? { cacheMode } : {}) };
    const res = await client.listTools(cursor ? { cursor } : {}, options);
    tools.push(...(res.tools as UpstreamTool[]));
    if (tools.length > MAX_TOOLS_PER_SERVER) {
      throw new Error(`listed more than ${MAX_TOOLS_PER_SERVER} tools; refusing the catalog`);
    }
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/**
 * Whether a failed Streamable HTTP handshake means "this server speaks the older HTTP+SSE transport": the MCP
 * backwards-compatibility rule is to try SSE after a 4xx to the initialize POST (typically 404 or 405). Auth
 * failures (401, 403) are real answers and are not retried on another transport.
 */
export function isSseFallbackError(err: unknown): boolean {
  if (!(err instanceof SdkHttpError)) return false;
  return err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;
}

export class UpstreamConnection {
  readonly config: ServerConfig;
  #deps: UpstreamDeps;
  #client: Promise<Client> | undefined;
  /** Resolved secret values used by this connection: redacted from anything the upstream sends back. */
  #secrets: string[] = [];
  /** Bounds the calls in flight to this upstream (config `concurrency`); waiting calls queue in order. */
  readonly #slots: Semaphore;
  /** Once a server has answered on one transport, reconnections go straight to it. */
  #transport: TransportKind | undefined;
  /** The MCP revision the last connection negotiated ("2026-07-28", "2025-11-25"). */
  #protocol: string | undefined;
  /** Called when the upstream sends `notifications/tools/list_changed` (the registry refreshes its catalog). */
  onToolsChanged: (() => void) | undefined;

  constructor(config: ServerConfig, deps: UpstreamDeps) {
    this.config = config;
    this.#deps = deps;
    this.#slots = new Semaphore(config.concurrency);
    this.#secrets = deps.credentials ? [] : secretValues(config.headers, deps.env);
  }

  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** The MCP revision of the current (or last) connection; undefined before the first one. */
  get protocol(): string | undefined {
    return this.#protocol;
  }

  /** The transport of the current (or last) connection; undefined before the first one. */
  get transport(): TransportKind | undefined {
    return this.#transport;
  }

  /** Name-value pairs (never a plain object: a header may be named `__proto__`). */
  #headers(): Array<[string, string]> {
    return [...(this.config.headers ?? new Map<string, string>())].map(([name, template]) => [
      name,
      resolveSecrets(template, this.#deps.env),
    ]);
  }

  /** A user server's credentials, asked once per connection (and again after {@link close}). */
  #userCredentials: Promise<UpstreamCredentials> | undefined;

  #credentials(): Promise<UpstreamCredentials> | undefined {
    const get = this.#deps.credentials;
    if (!get) return undefined;
    this.#userCredentials ??= get().then((c) => {
      this.#secrets = c.secrets;
      return c;
    });
    this.#userCredentials.catch(() => {
      this.#userCredentials = undefined;
    });
    return this.#userCredentials;
  }

  /**
   * Hash of what decides which tools this connection sees (full URL and resolved headers), so cached catalogs are
   * shared only between connections with the same credentials. Throws, like a connection would, when a
   * referenced secret is missing.
   */
  async cacheScope(): Promise<string> {
    const user = this.#credentials();
    if (user) return (await user).cacheScope;
    const text = JSON.stringify([this.#deps.url.href, this.#headers().sort()]);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  #newClient(): Client {
    const client = new Client(
      { name: "codemode-gateway", version: "0.1.0" },
      {
        capabilities: {},
        // The default (ajv) compiles validators with new Function, which Workers refuse.
        jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
        // 2026-07-28 when the upstream offers it (one server/discover probe), else 2025-11-25.
        versionNegotiation: { mode: "auto" },
        listMaxPages: MAX_LIST_PAGES,
      },
    );
    // Registered directly rather than through the SDK's `listChanged` option, which only listens when the server
    // advertises `tools.listChanged`: a notification that arrives (2025-11-25 GET stream) is honoured either way.
    client.setNotificationHandler("notifications/tools/list_changed", () => this.onToolsChanged?.());
    return client;
  }

  #newTransport(kind: TransportKind, headers: Array<[string, string]>, authProvider?: AuthProvider): Transport {
    const options = { fetch: this.#deps.fetch, requestInit: { headers }, ...(authProvider ? { authProvider } : {}) };
    return kind === "sse"
      ? new SSEClientTransport(this.#deps.url, options)
      : new StreamableHTTPClientTransport(this.#deps.url, options);
  }

  #connect(): Promise<Client> {
    this.#client ??= (async () => {
      const user = await this.#credentials();
      const headers = user ? user.headers : this.#headers();
      const auth = user?.authProvider;
      const first = this.#transport ?? "streamable-http";
      let client = this.#newClient();
      try {
        await client.connect(this.#newTransport(first, headers, auth), { timeout: CONNECT_TIMEOUT_MS });
        this.#transport = first;
      } catch (err) {
        if (first !== "streamable-http" || !isSseFallbackError(err)) throw err;
        client = this.#newClient();
        try {
          await client.connect(this.#newTransport("sse", headers, auth), { timeout: CONNECT_TIMEOUT_MS });
        } catch (sseErr) {
          throw new Error(
            `Streamable HTTP failed (${(err as Error).message}) and the HTTP+SSE fallback failed too (${(sseErr as Error).message})`,
          );
        }
        this.#transport = "sse";
      }
      this.#protocol = client.getNegotiatedProtocolVersion();
      return client;
    })();
    // A failed connection is forgotten, so the next use tries again.
    this.#client.catch(() => {
      this.#client = undefined;
    });
    return this.#client;
  }

  /**
   * Lists every tool (following pagination), capped at {@link MAX_TOOLS_PER_SERVER}. Like {@link callTool}, what
   * it returns or throws has this connection's secrets redacted (src/auth/redact.ts).
   */
  async listTools(): Promise<UpstreamTool[]> {
    try {
      return redactValue(await this.#listTools(), this.#secrets);
    } catch (err) {
      throw redactError(err, this.#secrets);
    }
  }

  async #listTools(): Promise<UpstreamTool[]> {
    // Always listed afresh (the registry is the catalog cache), but written to the SDK's cache: a 2026-07-28
    // client mirrors x-mcp-header arguments into Mcp-Param-* headers from the tool definitions it holds.
    return listAllTools(await this.#connect(), "refresh");
  }

  /** Calls one tool; rejects after `timeoutMs` (the request was sent: its effect is unknown). */
  async callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallToolResult> {
    return this.#slots.run(async () => {
      try {
        const client = await this.#connect();
        const result = await client.callTool({ name, arguments: args }, { timeout: timeoutMs });
        return redactValue(result as CallToolResult, this.#secrets);
      } catch (err) {
        throw redactError(err, this.#secrets);
      }
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#userCredentials = undefined;
    if (client) await client.then((c) => c.close()).catch(() => {});
  }
}
