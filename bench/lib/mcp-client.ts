/**
 * @module bench/lib/mcp-client
 * An MCP SDK client over Streamable HTTP whose HTTP requests are counted, so a scenario can report client round
 * trips as requests actually sent rather than as calls it believes it made.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";

/** Long enough for 1,000-call executions on a loaded 2-core machine; the bench's own watchdog bounds the run. */
const REQUEST_TIMEOUT_MS = 180_000;

export interface BenchClient {
  /**
   * JSON-RPC POSTs sent so far: the client's round trips. The transport's optional background GET (a
   * server-to-client stream, refused by stateless servers) is not a round trip of the task and is not counted.
   */
  readonly requests: number;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  listTools(): Promise<Tool[]>;
  close(): Promise<void>;
}

/** Connects a new MCP session (initialize + initialized) to `url`, sending `headers` (e.g. a bearer key). */
export async function connectClient(url: URL, headers: Record<string, string> = {}): Promise<BenchClient> {
  let requests = 0;
  const counting = (input: string | URL | Request, init?: RequestInit) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (method.toUpperCase() === "POST") requests++;
    return fetch(input, init);
  };
  const client = new Client({ name: "codemode-gateway-bench", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(url, { fetch: counting, requestInit: { headers } });
  await client.connect(transport);
  return {
    get requests() {
      return requests;
    },
    async call(name, args = {}) {
      return (await client.callTool({ name, arguments: args }, undefined, {
        timeout: REQUEST_TIMEOUT_MS,
      })) as CallToolResult;
    },
    async listTools() {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: REQUEST_TIMEOUT_MS });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}

/** The structured result of an execute_code call, with the MCP error flag. */
export async function execute(client: BenchClient, code: string): Promise<any> {
  const r = await client.call("execute_code", { code });
  return { ...(r.structuredContent as Record<string, unknown>), isError: r.isError === true, raw: r };
}
