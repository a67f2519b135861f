/**
 * @module bench/worker/echo-registry
 * A registry whose only upstream is an `echo` tool answered on the host, for the executor comparison: both
 * executors then call the same host-side function, so the numbers compare executors rather than upstreams.
 * The connection subclasses the real {@link UpstreamConnection} and keeps its per-upstream concurrency bound,
 * so every limit the gateway enforces on a call (LiveExecution's checks, schema validation, the semaphore) still runs.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type GatewayConfig, GatewayConfigSchema, type ServerConfig } from "../../src/config";
import { Registry } from "../../src/registry/registry";
import type { UpstreamTool } from "../../src/registry/registry-types";
import { UpstreamConnection } from "../../src/registry/upstream";
import { Semaphore } from "../../src/shared/semaphore";
import { ECHO_SERVER, ECHO_TOOL } from "../programs";

const ECHO_TOOL_DEF: UpstreamTool = {
  name: ECHO_TOOL,
  description: "Returns its arguments.",
  inputSchema: {
    type: "object",
    properties: { i: { type: "number" }, pad: { type: "string" } },
    additionalProperties: false,
  },
};

/** The echo tool's host-side function, shared with the codemode executor so both do the same work. */
export function echo(args: unknown): unknown {
  return args;
}

class EchoConnection extends UpstreamConnection {
  readonly #slots: Semaphore;

  constructor(config: ServerConfig) {
    super(config, {
      env: {},
      url: new URL("https://echo.bench.invalid/mcp"),
      fetch: () => Promise.reject(new Error("the echo upstream has no network")),
    });
    this.#slots = new Semaphore(config.concurrency);
  }

  override async listTools(): Promise<UpstreamTool[]> {
    return [ECHO_TOOL_DEF];
  }

  override callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return this.#slots.run(async () => {
      if (name !== ECHO_TOOL) return { content: [{ type: "text", text: `unknown tool ${name}` }], isError: true };
      return { content: [{ type: "text", text: "ok" }], structuredContent: echo(args) as Record<string, unknown> };
    });
  }

  override async close(): Promise<void> {}
}

/** The bench's gateway configuration: defaults everywhere except room for 1,000 tool calls per execution. */
export function benchConfig(): GatewayConfig {
  return GatewayConfigSchema.parse({
    servers: [{ name: ECHO_SERVER, url: "https://echo.bench.invalid/mcp" }],
    limits: { max_tool_calls: 1000 },
  });
}

/** A registry over the echo upstream only. */
export function echoRegistry(config: GatewayConfig): Registry {
  return new Registry(config.servers, (server) => new EchoConnection(server));
}
