/**
 * @module mcp/direct-tools
 * `call_tool`: one upstream call without writing code. Listed only when the configuration sets
 * `allow_direct_tool_calls = true`; by default every call flows through `execute_code`, where limits, traces and
 * result filtering apply. A direct call gets the same host-side checks as a call from code: the tool must be in the
 * catalog (allow/deny applied), its approval policy must be "allow" (a direct call cannot pause for approval),
 * arguments are validated against its schema, the per-server timeout and concurrency hold, secrets are redacted
 * (by the connection), and the result is capped at `max_tool_result_bytes`.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Limits } from "../config";
import { isUpstreamTimeout, toolCallTimeout, toolTimeoutMessage } from "../registry/upstream-errors";
import { approvalPolicy } from "../sandbox/approval";
import { validateArgs } from "../sandbox/validate-args";
import { findTool } from "./catalog-search";
import type { GatewayContext } from "./gateway-context";
import { errorResult } from "./tool-result";

export function registerDirectTools(server: McpServer, ctx: GatewayContext, limits: Limits): void {
  server.registerTool(
    "call_tool",
    {
      description: "One direct upstream call; execute_code is better to combine calls or filter results.",
      inputSchema: {
        server: z.string(),
        tool: z.string(),
        arguments: z.record(z.string(), z.unknown()).optional(),
      },
    },
    async ({ server: serverName, tool: toolName, arguments: args = {} }) => {
      const catalog = await ctx.registry.catalog();
      const def = findTool(catalog, serverName, toolName);
      if (!def) {
        const known = catalog.byName.get(serverName) ?? catalog.byServerId.get(serverName);
        return errorResult(
          known
            ? `unknown tool ${serverName}.${toolName}; list_tool_names({ server: "${known.name}" }) lists its tools`
            : `unknown server "${serverName}"; servers: ${catalog.servers.map((s) => s.name).join(", ")}`,
        );
      }
      const conn = ctx.registry.connection(def.server)!;
      // Direct calls have no pause-and-resume: a tool that needs approval goes through execute_code, which asks.
      const policy = approvalPolicy(conn.config, def);
      if (policy !== "allow") {
        return errorResult(
          policy === "deny"
            ? `${def.server}.${def.id} is denied by the gateway's approval policy`
            : `${def.server}.${def.id} needs approval: call it from execute_code, which asks the user first`,
        );
      }
      const invalid = validateArgs(def, args);
      if (invalid) return errorResult(`${def.server}.${def.id}: ${invalid} (get_tool_details shows its types)`);
      const timeout = toolCallTimeout(conn.config, limits);
      let result: CallToolResult;
      try {
        result = await conn.callTool(def.name, args, timeout.ms);
      } catch (err) {
        return errorResult(
          isUpstreamTimeout(err)
            ? toolTimeoutMessage(`${def.server}.${def.id}`, timeout)
            : `${def.server}.${def.id} failed: ${(err as Error)?.message ?? String(err)}`,
        );
      }
      const bytes = JSON.stringify(result).length;
      if (bytes > limits.max_tool_result_bytes) {
        return errorResult(
          `${def.server}.${def.id} returned ${bytes} bytes, over max_tool_result_bytes (${limits.max_tool_result_bytes}); use execute_code to keep only what you need`,
        );
      }
      return result;
    },
  );
}
