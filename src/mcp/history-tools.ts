/**
 * @module mcp/history-tools
 * `list_executions` and `get_execution`: what the user ran, in any of their sessions, with results, logs and tool-call traces.
 * No `context` argument for 2026-07-28 clients: the history is the user's, the same from every context, and each
 * argument costs tokens in every tools/list (a `context` a client passes anyway still routes). Each execution names
 * the context or session it ran in, never the caller's: list_executions names the caller's beside the list.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { ExecutionSummary } from "../user/user-types";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

/** Most executions one list_executions lists. */
const MAX_LISTED = 200;
/** Contexts listed with the executions for 2026-07-28 clients, newest first. */
const CONTEXTS_LISTED = 50;

/** Where one listed execution ran, for its line of text. */
function placeText(e: ExecutionSummary): string {
  if (e.context) return ` context ${e.context}`;
  return e.session ? ` session ${e.session}` : "";
}

export function registerHistoryTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "list_executions",
    {
      description: "Your executions, newest first.",
      inputSchema: { limit: z.number().default(20) },
    },
    async ({ limit }) => {
      // Bounded here rather than in the schema: each keyword costs tokens in every tools/list.
      if (!(limit >= 1)) return errorResult("list_executions: limit must be at least 1 (at most 200 are listed)");
      const executions = await ctx.history.list(Math.min(MAX_LISTED, Math.floor(limit)));
      const capped = limit > MAX_LISTED ? ` (at most ${MAX_LISTED} are listed)` : "";
      const text =
        (executions.length
          ? executions
              .map(
                (e) =>
                  `${e.execution_id} ${e.started_at}${placeText(e)} ${e.status ?? (e.ok ? "ok" : "error")} ${e.duration_ms} ms: ${e.summary}`,
              )
              .join("\n")
          : "No executions yet.") + capped;
      if (ctx.context === undefined || !ctx.contexts) return structuredResult({ executions }, text);
      const contexts = await ctx.contexts(CONTEXTS_LISTED);
      return structuredResult({ executions, context: ctx.context, contexts }, text);
    },
  );

  server.registerTool(
    "get_execution",
    {
      description: "One execution in full.",
      inputSchema: { id: z.string().min(1).max(100) },
    },
    async ({ id }) => {
      const record = await ctx.history.get(id);
      if (!record) return errorResult(`no execution ${id} in your history; list_executions shows the ids`);
      return structuredResult(record as unknown as Record<string, unknown>);
    },
  );
}
