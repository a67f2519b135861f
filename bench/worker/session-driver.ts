/**
 * @module bench/worker/session-driver
 * Drives the gateway's real SessionObject from inside workerd with the JSON-RPC an MCP client sends, minus the
 * network and the Node client: what an execution costs through the session's MCP server, the executor, the
 * bridge and the built-in upstream, with no HTTP in between. It sends the internal headers the Worker's /mcp route
 * sets (src/session/session-headers.ts), exactly as that route forwards a request.
 */
import { INITIALIZE_HEADER, SESSION_HEADER, sessionObjectName, USER_HEADER } from "../../src/session/session-headers";
import type { BenchEnv } from "./bench-env";

const USER = "local";
const PROTOCOL_VERSION = "2025-06-18";

/** Reads the JSON-RPC response with `id` out of a JSON or SSE body. */
async function rpcResult(response: Response, id: number): Promise<any> {
  const text = await response.text();
  const bodies = (response.headers.get("content-type") ?? "").includes("text/event-stream")
    ? text
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
    : [text];
  for (const body of bodies) {
    const msg = JSON.parse(body);
    if (msg.id === id) {
      if (msg.error) throw new Error(`JSON-RPC error ${msg.error.code}: ${msg.error.message}`);
      return msg.result;
    }
  }
  throw new Error(`no JSON-RPC response ${id} (HTTP ${response.status}): ${text.slice(0, 300)}`);
}

/** One MCP session of the gateway, talked to directly through its Durable Object stub. */
export class SessionDriver {
  readonly #env: BenchEnv;
  readonly #session = `bench-${crypto.randomUUID()}`;
  #nextId = 1;

  constructor(env: BenchEnv) {
    this.#env = env;
  }

  async #post(message: Record<string, unknown>, initialize = false): Promise<Response> {
    const headers = new Headers({
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      [USER_HEADER]: USER,
      [SESSION_HEADER]: this.#session,
    });
    if (initialize) headers.set(INITIALIZE_HEADER, "1");
    else {
      headers.set("mcp-session-id", this.#session);
      headers.set("mcp-protocol-version", PROTOCOL_VERSION);
    }
    const stub = this.#env.SESSION.getByName(sessionObjectName(USER, this.#session));
    return stub.fetch("https://gateway.bench.invalid/mcp", {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", ...message }),
    });
  }

  /** initialize + notifications/initialized, as the SDK client does on connect. */
  async open(): Promise<void> {
    const id = this.#nextId++;
    await rpcResult(
      await this.#post(
        {
          id,
          method: "initialize",
          params: {
            protocolVersion: PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: "codemode-gateway-bench", version: "0" },
          },
        },
        true,
      ),
      id,
    );
    const ack = await this.#post({ method: "notifications/initialized" });
    await ack.text();
  }

  /** One execute_code; resolves with its structured result. */
  async execute(code: string): Promise<any> {
    const id = this.#nextId++;
    const result = await rpcResult(
      await this.#post({ id, method: "tools/call", params: { name: "execute_code", arguments: { code } } }),
      id,
    );
    return result.structuredContent ?? result;
  }

  /** Ends the session (the DO closes its upstream connections). */
  async close(): Promise<void> {
    const stub = this.#env.SESSION.getByName(sessionObjectName(USER, this.#session));
    const r = await stub.fetch("https://gateway.bench.invalid/mcp", {
      method: "DELETE",
      headers: { [USER_HEADER]: USER, [SESSION_HEADER]: this.#session, "mcp-session-id": this.#session },
    });
    await r.text();
  }
}
