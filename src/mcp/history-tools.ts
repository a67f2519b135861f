/**
 * @module mcp/history-tools
 * `list_executions` and `get_execution`: what the user ran, in any of their sessions, with results, logs and tool-call traces.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

export function registerHistoryTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "list_executions",
    {
      description: "Your executions (from every session), newest first, with one-line summaries.",
      inputSchema: { limit: z.number().int().min(1).max(200).default(20) },
    },
    async ({ limit }) => {
      const executions = await ctx.history.list(limit);
      const text = executions.length
        ? executions
            .map((e) => `${e.execution_id} ${e.started_at} ${e.ok ? "ok" : "error"} ${e.duration_ms} ms: ${e.summary}`)
            .join("\n")
        : "No executions yet.";
      return structuredResult({ executions }, text);
    },
  );

  server.registerTool(
    "get_execution",
    {
      description: "One execution in full: code, result, logs, tool calls, error.",
      inputSchema: { id: z.string().min(1).max(100) },
    },
    async ({ id }) => {
      const record = await ctx.history.get(id);
      if (!record) return errorResult(`no execution ${id} in your history; list_executions shows the ids`);
      return structuredResult(record as unknown as Record<string, unknown>);
    },
  );
}
