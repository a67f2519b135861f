/**
 * @module registry/upstream-client
 * The MCP SDK client an upstream connection (src/registry/upstream.ts) speaks through: how it is built (a schema
 * validator Workers allow, version negotiation, `list_changed` honoured whatever the server advertises) and how it
 * lists every tool of a server within bounds.
 */
import { Client } from "@modelcontextprotocol/client";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/client/validators/cf-worker";
import type { UpstreamTool } from "./registry-types";

/** Most tools one upstream may list; more is treated as a broken or hostile upstream. */
export const MAX_TOOLS_PER_SERVER = 10_000;
const MAX_LIST_PAGES = 100;
const LIST_TIMEOUT_MS = 15_000;

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

/** A new client for one upstream connection; `onToolsChanged` runs on each `notifications/tools/list_changed`. */
export function newUpstreamClient(onToolsChanged: () => void): Client {
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
  client.setNotificationHandler("notifications/tools/list_changed", () => onToolsChanged());
  return client;
}
