/**
 * @module mcp/gateway-server
 * The gateway's own MCP server: the few meta-tools a model sees instead of every upstream tool. Descriptions are
 * short on purpose: `tools/list` must stay small however many upstream tools exist.
 */
import { McpServer, type ServerOptions } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import { registerApprovalTools } from "./approval-tools";
import { compactToolList } from "./compact-tool-list";
import { registerDirectTools } from "./direct-tools";
import { registerDiscoveryTools } from "./discovery-tools";
import { registerExecuteTool } from "./execute-tool";
import type { GatewayContext } from "./gateway-context";
import { registerHistoryTools } from "./history-tools";
import { registerSkillTools } from "./skill-tools";

export const GATEWAY_VERSION = "0.1.0";
export type { GatewayContext };

const INSTRUCTIONS = `This gateway exposes upstream MCP servers as TypeScript modules for code mode.
1. search_tools (or list_tool_names, list_servers) to find tools; 2. get_tool_details for their exact TypeScript types;
3. execute_code with one program that imports and calls them, e.g.
   import { read_file } from "servers/workspace"; const text = await read_file({ path: "/a.txt" }); return text.length;
Only the program's return value and logs come back, so filter and aggregate inside the code.`;

export function createGatewayServer(ctx: GatewayContext): McpServer {
  const server = new McpServer(
    { name: "codemode-gateway", version: GATEWAY_VERSION },
    {
      instructions: INSTRUCTIONS,
      capabilities: { logging: {} },
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );

  registerDiscoveryTools(server, ctx);
  registerExecuteTool(server, ctx);
  registerHistoryTools(server, ctx);
  registerSkillTools(server, ctx);
  registerApprovalTools(server, ctx);
  // Off by default: everything flows through execute_code unless the operator opts in.
  if (ctx.config?.allow_direct_tool_calls) registerDirectTools(server, ctx, ctx.config.limits);
  compactToolList(server);
  return server;
}
