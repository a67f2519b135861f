/**
 * @module mcp/gateway-server
 * The gateway's own MCP server: the few meta-tools a model sees instead of every upstream tool. Descriptions are
 * short on purpose: `tools/list` must stay small however many upstream tools exist.
 */
import { McpServer, type ServerOptions } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import { registerRunTaskTool } from "../planning/run-task-tool";
import { registerApprovalTools } from "./approval-tools";
import { compactToolList } from "./compact-tool-list";
import { registerContextTools } from "./context-tools";
import { registerDirectTools } from "./direct-tools";
import { registerDiscoveryTools } from "./discovery-tools";
import { registerExecuteTool } from "./execute-tool";
import type { GatewayContext } from "./gateway-context";
import { registerHistoryTools } from "./history-tools";
import { registerServerTools } from "./server-tools";
import { attachSkills } from "./skill-resources";
import { registerSkillTools } from "./skill-tools";
import { registerTypeResources } from "./type-resources";

export const GATEWAY_VERSION = "0.1.0";
export type { GatewayContext };

const INSTRUCTIONS = `This gateway exposes upstream MCP servers as TypeScript modules for code mode.
1. search_tools (or list_tool_names, list_servers) to find tools; 2. get_tool_details for their exact TypeScript types;
3. execute_code with one program that imports and calls them, e.g.
   import { read_file } from "servers/workspace"; const text = await read_file({ path: "/a.txt" }); return text.length;
Only the program's return value and logs come back, so filter and aggregate inside the code.`;

const CONTEXTS = `
State (the gateway module's state) lives in a context: pass context: "new" to start one, then the returned context
id; without one, the user's "default" context is used. Parallel agents should use distinct contexts.`;

/** The protocol revision a server instance answers: 2025-11-25 sessions ("legacy") or 2026-07-28 ("modern"). */
export type Era = "legacy" | "modern";

/** Lists change only when the configuration or the user's skills do; clients may reuse them for a while. */
const LIST_HINT = { ttlMs: 300_000, cacheScope: "private" } as const;
const CACHE_HINTS: ServerOptions["cacheHints"] = {
  "tools/list": LIST_HINT,
  "prompts/list": LIST_HINT,
  "resources/list": { ttlMs: 60_000, cacheScope: "private" },
  "resources/templates/list": LIST_HINT,
  "server/discover": LIST_HINT,
};

export function createGatewayServer(ctx: GatewayContext, era: Era = "legacy"): McpServer {
  const codec = ctx.requestState;
  const server = new McpServer(
    { name: "codemode-gateway", version: GATEWAY_VERSION },
    {
      instructions: era === "modern" ? INSTRUCTIONS + CONTEXTS : INSTRUCTIONS,
      // Logging is deprecated in 2026-07-28: console output stays in the result there.
      capabilities: { ...(era === "legacy" ? { logging: {} } : {}), prompts: {}, resources: {} },
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      cacheHints: CACHE_HINTS,
      ...(codec ? { requestState: { verify: (state, request) => codec.verify(state, request) } } : {}),
    },
  );

  registerDiscoveryTools(server, ctx);
  registerExecuteTool(server, ctx);
  registerHistoryTools(server, ctx);
  registerSkillTools(server, ctx);
  registerApprovalTools(server, ctx);
  registerContextTools(server, ctx);
  registerRunTaskTool(server, ctx);
  registerServerTools(server, ctx);
  // Off by default: everything flows through execute_code unless the operator opts in.
  if (ctx.config?.allow_direct_tool_calls) registerDirectTools(server, ctx, ctx.config.limits);
  compactToolList(server);
  registerTypeResources(server, ctx);
  attachSkills(server, ctx.skills);
  return server;
}
