/**
 * @module registry/upstream
 * One MCP client connection to one upstream server, opened lazily and reused. The built-in servers are reached
 * through a `fetch` that goes to this Worker's own entrypoint, never over the network, so they take exactly the
 * path of any external upstream.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { resolveSecrets, type ServerConfig } from "../config";
import { Semaphore } from "../shared/semaphore";
import type { UpstreamTool } from "./registry-types";

/** Most tools one upstream may list; more is treated as a broken or hostile upstream. */
export const MAX_TOOLS_PER_SERVER = 10_000;
const MAX_LIST_PAGES = 100;
const CONNECT_TIMEOUT_MS = 10_000;
const LIST_TIMEOUT_MS = 15_000;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface UpstreamDeps {
  /** Worker env, to resolve `${SECRET}` references in headers. */
  env: Record<string, unknown>;
  /** fetch used for this upstream (the built-in servers get one that stays inside the Worker). */
  fetch: FetchLike;
  /** The URL the transport uses (for builtin: a placeholder host served by the builtin fetch). */
  url: URL;
}

export class UpstreamConnection {
  readonly config: ServerConfig;
  #deps: UpstreamDeps;
  #client: Promise<Client> | undefined;
  /** Resolved secret values used by this connection: redacted from anything the upstream sends back. */
  #secrets: string[] = [];
  /** Bounds the calls in flight to this upstream (config `concurrency`); waiting calls queue in order. */
  readonly #slots: Semaphore;

  constructor(config: ServerConfig, deps: UpstreamDeps) {
    this.config = config;
    this.#deps = deps;
    this.#slots = new Semaphore(config.concurrency);
  }

  get secrets(): readonly string[] {
    return this.#secrets;
  }

  #connect(): Promise<Client> {
    this.#client ??= (async () => {
      const headers: Record<string, string> = {};
      const secrets: string[] = [];
      for (const [name, template] of Object.entries(this.config.headers ?? {})) {
        const value = resolveSecrets(template, this.#deps.env);
        if (value !== template) secrets.push(value);
        headers[name] = value;
      }
      this.#secrets = secrets.filter((s) => s.length >= 4);
      const transport = new StreamableHTTPClientTransport(this.#deps.url, {
        fetch: this.#deps.fetch,
        requestInit: { headers },
      });
      const client = new Client(
        { name: "codemode-gateway", version: "0.1.0" },
        {
          capabilities: {},
          // The default (ajv) compiles validators with new Function, which Workers refuse.
          jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
        },
      );
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      return client;
    })();
    // A failed connection is forgotten, so the next use tries again.
    this.#client.catch(() => {
      this.#client = undefined;
    });
    return this.#client;
  }

  /** Lists every tool (following pagination), capped at {@link MAX_TOOLS_PER_SERVER}. */
  async listTools(): Promise<UpstreamTool[]> {
    const client = await this.#connect();
    const tools: UpstreamTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const res = await client.listTools(cursor ? { cursor } : {}, { timeout: LIST_TIMEOUT_MS });
      tools.push(...(res.tools as UpstreamTool[]));
      if (tools.length > MAX_TOOLS_PER_SERVER) {
        throw new Error(`listed more than ${MAX_TOOLS_PER_SERVER} tools; refusing the catalog`);
      }
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  /** Calls one tool; rejects after `timeoutMs` (the request was sent: its effect is unknown). */
  async callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallToolResult> {
    return this.#slots.run(async () => {
      const client = await this.#connect();
      return (await client.callTool({ name, arguments: args }, CallToolResultSchema, {
        timeout: timeoutMs,
      })) as CallToolResult;
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.then((c) => c.close()).catch(() => {});
  }
}
