/**
 * @module registry/upstream
 * One MCP client connection to one upstream server, opened lazily and reused. The built-in servers are reached
 * through a `fetch` that goes to this Worker's own entrypoint, never over the network, so they take exactly the
 * path of any external upstream.
 *
 * The client speaks MCP 2026-07-28 to upstreams that offer it (a `server/discover` probe, no handshake, no
 * session) and falls back to 2025-11-25 (initialize) and then to the older HTTP+SSE transport, per upstream.
 * A handshake another session already made (src/registry/shared-handshake.ts) replaces the probe and the
 * handshake when the registry hands one over before the first use. The SDK client it speaks through is built by
 * src/registry/upstream-client.ts.
 */
import {
  type AuthProvider,
  type CallToolResult,
  type Client,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { redactError, redactValue, secretValues } from "../auth/redact";
import { resolveSecrets, type ServerConfig } from "../config";
import { Semaphore } from "../shared/semaphore";
import { LegacySseTransport } from "./legacy-sse";
import type { UpstreamTool } from "./registry-types";
import { handshakeOf, handshakeProtocol, ReplayTransport, type SharedHandshake } from "./shared-handshake";
import { listAllTools, newUpstreamClient } from "./upstream-client";
import { TransportsFailedError } from "./upstream-errors";

const CONNECT_TIMEOUT_MS = 10_000;
/** Longest {@link UpstreamConnection.close} waits for the connection to close (the rest goes on in the background). */
const CLOSE_WAIT_MS = 1_000;

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
  /**
   * Whose upstream sessions this connection may reuse (the gateway user): an upstream session can hold state,
   * so it is shared between the sessions of one user only.
   */
  owner?: string;
}

/** The MCP transport an upstream answered on. */
export type TransportKind = "streamable-http" | "sse" | "in-process";

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
  /** Called after this connection made a handshake of its own, with what other sessions may reuse. */
  onHandshake: ((handshake: SharedHandshake) => void) | undefined;
  /** A handshake another session made, used by the next connect instead of a handshake of its own. */
  #adopted: SharedHandshake | undefined;
  /** The handshake the current connection was opened from, when it was adopted. */
  #shared: SharedHandshake | undefined;
  /** Handshakes recorded at or before this time failed here: they are not adopted again. */
  #refusedBefore = 0;

  constructor(config: ServerConfig, deps: UpstreamDeps) {
    this.config = config;
    this.#deps = deps;
    this.#slots = new Semaphore(config.concurrency);
    this.#secrets = deps.credentials ? [] : secretValues(config.headers, deps.env);
  }

  /** A user server's credentials, whose `secrets` are read at each use (a connection may take up new tokens). */
  #credentialSecrets: Pick<UpstreamCredentials, "secrets"> | undefined;

  get secrets(): readonly string[] {
    return this.#credentialSecrets?.secrets ?? this.#secrets;
  }

  /**
   * The MCP revision of the current (or last) connection; before the first one, that of the handshake another
   * session made, which the first connection will adopt (list_servers shows what is known, not only what is used).
   */
  get protocol(): string | undefined {
    return this.#protocol ?? (this.#adopted ? handshakeProtocol(this.#adopted) : undefined);
  }

  /** The transport of the current (or last) connection; before it, Streamable HTTP when a handshake is adopted. */
  get transport(): TransportKind | undefined {
    return this.#transport ?? (this.#adopted ? "streamable-http" : undefined);
  }

  /** Whose upstream sessions this connection may reuse (see {@link UpstreamDeps.owner}). */
  get owner(): string | undefined {
    return this.#deps.owner;
  }

  /** The current connection was opened from another session's handshake (its first request may find it stale). */
  get usesSharedHandshake(): boolean {
    return this.#shared !== undefined;
  }

  /**
   * Offers a handshake another session made; used by the next connect, if none is open yet. Records that already
   * failed on this connection are ignored.
   */
  adoptHandshake(handshake: SharedHandshake): void {
    if (this.#client || this.#transport === "sse" || handshake.at <= this.#refusedBefore) return;
    this.#adopted = handshake;
  }

  /**
   * The adopted handshake was refused by the upstream: the next connect makes one of its own. When only the
   * upstream session was lost (`sessionOnly`), the 2025-11-25 verdict still holds, so it initializes without the
   * discover probe.
   */
  refuseSharedHandshake(sessionOnly: boolean): void {
    const refused = this.#shared;
    this.#refusedBefore = Date.now();
    this.#adopted = undefined;
    if (sessionOnly && refused?.era === "legacy") {
      const { session: _lost, ...verdict } = refused;
      this.#adopted = { ...verdict, sessionful: true };
    }
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
      this.#credentialSecrets = c;
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
    return newUpstreamClient(() => this.onToolsChanged?.());
  }

  #newTransport(kind: TransportKind, headers: Array<[string, string]>, authProvider?: AuthProvider): Transport {
    const options = { fetch: this.#deps.fetch, requestInit: { headers }, ...(authProvider ? { authProvider } : {}) };
    return kind === "sse"
      ? new LegacySseTransport(this.#deps.url, options)
      : new StreamableHTTPClientTransport(this.#deps.url, options);
  }

  #connect(): Promise<Client> {
    if (this.#client) return this.#client;
    const opening: Promise<Client> = (async () => {
      const user = await this.#credentials();
      const headers = user ? user.headers : this.#headers();
      const auth = user?.authProvider;
      const adopted = this.#adopted;
      // Used once: a reconnection (lost session, stale record) makes a handshake of its own.
      this.#adopted = undefined;
      if (adopted && this.#transport !== "sse") return this.#connectShared(adopted, headers, auth);
      const first = this.#transport ?? "streamable-http";
      let client = this.#newClient();
      let transport = this.#newTransport(first, headers, auth);
      try {
        await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
        this.#transport = first;
      } catch (err) {
        if (first !== "streamable-http" || !isSseFallbackError(err)) throw err;
        client = this.#newClient();
        transport = this.#newTransport("sse", headers, auth);
        try {
          await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
        } catch (sseErr) {
          throw new TransportsFailedError(err, sseErr);
        }
        this.#transport = "sse";
      }
      this.#opened(client, undefined);
      this.#publish(client, transport);
      // A transport that closes by itself (an HTTP+SSE stream cut for a message over the bound) is not reused.
      client.onclose = () => {
        if (this.#client === opening) this.#client = undefined;
      };
      return client;
    })();
    this.#client = opening;
    // A failed connection is forgotten, so the next use tries again.
    opening.catch(() => {
      if (this.#client === opening) this.#client = undefined;
    });
    return opening;
  }

  #opened(client: Client, shared: SharedHandshake | undefined): void {
    this.#protocol = client.getNegotiatedProtocolVersion();
    this.#shared = shared;
  }

  /**
   * Connects from another session's handshake: a 2026-07-28 verdict is adopted as is (no probe); a 2025-11-25
   * one skips the probe, and the handshake too unless the upstream issues sessions and this user has none yet.
   */
  async #connectShared(
    adopted: SharedHandshake,
    headers: Array<[string, string]>,
    authProvider: AuthProvider | undefined,
  ): Promise<Client> {
    const client = this.#newClient();
    const options = { fetch: this.#deps.fetch, requestInit: { headers }, ...(authProvider ? { authProvider } : {}) };
    this.#transport = "streamable-http";
    if (adopted.era === "modern") {
      const transport = new StreamableHTTPClientTransport(this.#deps.url, options);
      await client.connect(transport, {
        timeout: CONNECT_TIMEOUT_MS,
        prior: { kind: "modern", discover: adopted.discover },
      });
      this.#opened(client, adopted);
      return client;
    }
    if (adopted.sessionful && !adopted.session) {
      const transport = new StreamableHTTPClientTransport(this.#deps.url, options);
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS, prior: { kind: "legacy" } });
      this.#opened(client, undefined);
      this.#publish(client, transport);
      return client;
    }
    const inner = new StreamableHTTPClientTransport(this.#deps.url, {
      ...options,
      ...(adopted.session ? { sessionId: adopted.session } : {}),
    });
    await client.connect(new ReplayTransport(inner, adopted.initialize), {
      timeout: CONNECT_TIMEOUT_MS,
      prior: { kind: "legacy" },
    });
    this.#opened(client, adopted);
    return client;
  }

  /** Hands what this connection's own handshake learned to {@link onHandshake} (Streamable HTTP only). */
  #publish(client: Client, transport: Transport): void {
    if (!this.onHandshake || this.#transport !== "streamable-http") return;
    const record = handshakeOf(client, transport);
    // Stored beside the catalog: what the upstream said is redacted like everything else it sends.
    if (record) this.onHandshake(redactValue(record, this.secrets));
  }

  /**
   * Lists every tool (following pagination), capped at MAX_TOOLS_PER_SERVER (src/registry/upstream-client.ts). Like
   * {@link callTool}, what it returns or throws has this connection's secrets redacted (src/auth/redact.ts).
   */
  async listTools(): Promise<UpstreamTool[]> {
    try {
      return redactValue(await this.#listTools(), this.secrets);
    } catch (err) {
      throw redactError(err, this.secrets);
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
        return redactValue(result as CallToolResult, this.secrets);
      } catch (err) {
        throw redactError(err, this.secrets);
      }
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#userCredentials = undefined;
    this.#shared = undefined;
    if (!client) return;
    const closing = client.then((c) => c.close()).catch(() => {});
    // A connection still being made (a server that does not answer) is closed once it is made or fails, in the
    // background: ending a session must not wait out the connect timeout. A made one gets a moment to say goodbye.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
