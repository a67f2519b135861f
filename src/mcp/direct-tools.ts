/**
 * @module mcp/direct-tools
 * `call_tool`: one upstream call without writing code. Listed only when the configuration sets
 * `allow_direct_tool_calls = true`; by default every call flows through `execute_code`, where limits, traces and
 * result filtering apply. A direct call gets the same host-side checks as a call from code (src/mcp/direct-call.ts).
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Limits } from "../config";
import { didYouMean, formatList, suggest } from "../sandbox/prepare-suggest";
import { findTool } from "./catalog-search";
import { directCall } from "./direct-call";
import type { GatewayContext } from "./gateway-context";
import { objectArg } from "./object-arg";
import { errorResult } from "./tool-result";

export function registerDirectTools(server: McpServer, ctx: GatewayContext, limits: Limits): void {
  server.registerTool(
    "call_tool",
    {
      description: "One direct upstream call.",
      inputSchema: {
        server: z.string(),
        tool: z.string(),
        arguments: objectArg().optional(),
      },
    },
    async ({ server: serverName, tool: toolName, arguments: args = {} }) => {
      const catalog = await ctx.registry.catalog();
      const def = findTool(catalog, serverName, toolName);
      if (!def) {
        const known = catalog.byName.get(serverName) ?? catalog.byServerId.get(serverName);
        // A misspelt name gets the closest real ones, as an import of it in code does.
        const close = known
          ? suggest(
              toolName,
              catalog.tools.filter((t) => t.server === known.name).map((t) => t.name),
            )
          : suggest(
              serverName,
              catalog.servers.map((s) => s.name),
            );
        const hint = close.length ? `.${didYouMean(close)}` : ";";
        return errorResult(
          known
            ? `unknown tool ${serverName}.${toolName}${hint} list_tool_names({ server: "${known.name}" }) lists its tools`
            : `unknown server "${serverName}"${hint} servers: ${formatList(catalog.servers.map((s) => s.name))}`,
        );
      }
      return directCall(ctx.registry, def, args, limits);
    },
  );
}
