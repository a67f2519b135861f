/**
 * @module registry/shared-handshake
 * What one connection learned when it opened an upstream, kept as data so other sessions and contexts connect
 * without doing it again (each Durable Object still opens its own connection: I/O objects cannot cross objects).
 *
 * - 2026-07-28 upstreams: the `server/discover` result, adopted with the SDK's `connect({ prior })`: no probe.
 * - 2025-11-25 upstreams: the `initialize` result, answered locally by {@link ReplayTransport}, so the client
 *   skips the `initialize` and `notifications/initialized` round trips. A sessionless upstream needs nothing
 *   more; one that issued an `Mcp-Session-Id` has it reused by the same user's other sessions (never by another
 *   user: the session may hold state). When it refuses the id (404), the connection makes a handshake of its own.
 *
 * Only Streamable HTTP handshakes are shared; the legacy HTTP+SSE transport holds a stream per connection.
 */
import type {
  Client,
  DiscoverResult,
  JSONRPCMessage,
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/client";

/** Largest handshake record (JSON) that is shared; a bigger one (huge instructions) is simply not shared. */
export const MAX_SHARED_HANDSHAKE_CHARS = 64 * 1024;

/** The parts of a 2025-11-25 `initialize` result a client keeps. */
export interface InitializeSummary {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: Record<string, unknown>;
  instructions?: string;
}

/** A handshake another connection made, as the catalog store keeps it. */
export type SharedHandshake =
  | {
      era: "modern";
      at: number;
      discover: DiscoverResult;
      /** The revision the connection that made it negotiated (absent in records made before it was kept). */
      protocol?: string;
    }
  | {
      era: "legacy";
      at: number;
      initialize: InitializeSummary;
      /** The upstream issued a session id: a connection without one for its user must initialize. */
      sessionful: boolean;
      /** The upstream session of this user, when it issued one (kept per user, see the module comment). */
      session?: string;
    };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A handshake record read back from storage, or undefined when it is malformed or too large: a bad record must
 * only cost the round trips it would have saved.
 */
export function parseSharedHandshake(json: string): SharedHandshake | undefined {
  if (json.length > MAX_SHARED_HANDSHAKE_CHARS) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || typeof v.at !== "number") return undefined;
  if (v.era === "modern") {
    const d = v.discover;
    if (!isRecord(d) || !Array.isArray(d.supportedVersions) || !isRecord(d.capabilities)) return undefined;
    const protocol = typeof v.protocol === "string" && v.protocol.length <= 32 ? { protocol: v.protocol } : {};
    return { era: "modern", at: v.at, discover: d as unknown as DiscoverResult, ...protocol };
  }
  if (v.era !== "legacy" || !isRecord(v.initialize)) return undefined;
  const i = v.initialize;
  if (typeof i.protocolVersion !== "string" || !isRecord(i.capabilities) || !isRecord(i.serverInfo)) return undefined;
  return {
    era: "legacy",
    at: v.at,
    initialize: {
      protocolVersion: i.protocolVersion,
      capabilities: i.capabilities,
      serverInfo: i.serverInfo,
      ...(typeof i.instructions === "string" ? { instructions: i.instructions } : {}),
    },
    sessionful: v.sessionful === true,
    ...(typeof v.session === "string" && v.session.length > 0 && v.session.length <= 512 ? { session: v.session } : {}),
  };
}

/** The MCP revision a connection opened from this handshake speaks, when the record says. */
export function handshakeProtocol(handshake: SharedHandshake): string | undefined {
  return handshake.era === "legacy" ? handshake.initialize.protocolVersion : handshake.protocol;
}

/**
 * What a connection's own Streamable HTTP handshake learned (`transport` is the one it was made on), as other
 * sessions may reuse it; undefined when the client holds too little of it.
 */
export function handshakeOf(client: Client, transport: Transport): SharedHandshake | undefined {
  const at = Date.now();
  let record: SharedHandshake | undefined;
  if (client.getProtocolEra() === "modern") {
    const discover = client.getDiscoverResult();
    const protocol = client.getNegotiatedProtocolVersion();
    if (discover) record = { era: "modern", at, discover, ...(protocol ? { protocol } : {}) };
  } else {
    const protocolVersion = client.getNegotiatedProtocolVersion();
    const capabilities = client.getServerCapabilities();
    const serverInfo = client.getServerVersion();
    const instructions = client.getInstructions();
    const session = transport.sessionId;
    if (protocolVersion && capabilities && serverInfo) {
      record = {
        era: "legacy",
        at,
        initialize: { protocolVersion, capabilities, serverInfo, ...(instructions ? { instructions } : {}) },
        sessionful: session !== undefined,
        ...(session ? { session } : {}),
      };
    }
  }
  return record;
}

/** The record as stored: JSON, or undefined when it is too large to share. */
export function serializeSharedHandshake(handshake: SharedHandshake): string | undefined {
  const json = JSON.stringify(handshake);
  return json.length > MAX_SHARED_HANDSHAKE_CHARS ? undefined : json;
}

/**
 * Request ids of connections sharing one upstream session start far apart: every client counts from 0, and a
 * server maps responses to streams by id, so two gateway sessions sending id 3 at once would swap answers.
 */
function idOffset(): number {
  return 1 + Math.floor(Math.random() * 2 ** 40);
}

/**
 * Wraps a Streamable HTTP transport to answer the 2025-11-25 handshake from a {@link SharedHandshake}: the client
 * runs its ordinary `initialize` (so it sets capabilities, server info and the protocol version header as usual),
 * but the request never leaves the gateway. Every other message passes through, with request ids offset so
 * connections sharing an upstream session never reuse each other's ids.
 */
export class ReplayTransport implements Transport {
  readonly #inner: Transport;
  readonly #initialize: InitializeSummary;
  readonly #offset = idOffset();
  #answered = false;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport["onmessage"];

  constructor(inner: Transport, initialize: InitializeSummary) {
    this.#inner = inner;
    this.#initialize = initialize;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => this.onmessage?.(this.#incoming(message), extra);
  }

  get hasPerRequestStream(): boolean | undefined {
    return this.#inner.hasPerRequestStream;
  }

  /**
   * Hidden until the replayed `initialize` is answered: the SDK skips its handshake for a transport that already
   * has a session id, and then never learns the protocol version.
   */
  get sessionId(): string | undefined {
    return this.#answered ? this.#inner.sessionId : undefined;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ("method" in message && message.method === "initialize" && "id" in message && !this.#answered) {
      this.#answered = true;
      const reply = { jsonrpc: "2.0" as const, id: message.id, result: { ...this.#initialize } };
      queueMicrotask(() => this.onmessage?.(reply));
      return;
    }
    if ("method" in message && message.method === "notifications/initialized") return;
    return this.#inner.send(this.#outgoing(message), options);
  }

  #outgoing(message: JSONRPCMessage): JSONRPCMessage {
    if ("method" in message && "id" in message && typeof message.id === "number") {
      return { ...message, id: message.id + this.#offset };
    }
    if ("method" in message && message.method === "notifications/cancelled") {
      const params = message.params as { requestId?: unknown } | undefined;
      if (typeof params?.requestId === "number") {
        return { ...message, params: { ...params, requestId: params.requestId + this.#offset } } as JSONRPCMessage;
      }
    }
    return message;
  }

  /** Responses carry the offset id back; requests and notifications from the server are left alone. */
  #incoming(message: JSONRPCMessage): JSONRPCMessage {
    if (!("method" in message) && "id" in message && typeof message.id === "number" && message.id >= this.#offset) {
      return { ...message, id: message.id - this.#offset } as JSONRPCMessage;
    }
    return message;
  }
}
