/**
 * @module mcp/history-tools
 * `list_executions` and `get_execution`: what the user ran, in any of their sessions, with results, logs and tool-call
 * traces (a page at a time: src/mcp/execution-page.ts).
 * No `context` argument for 2026-07-28 clients: the history is the user's, the same from every context, and each
 * argument costs tokens in every tools/list (a `context` a client passes anyway still routes). Each execution names
 * the context or session it ran in, never the caller's: list_executions names the caller's beside the list.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { ContextSummary } from "../user/user-contexts";
import type { ExecutionSummary } from "../user/user-types";
import { executionData, pageToolCalls, renderExecutionPage, traceQuery } from "./execution-page";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

/** Most executions one list_executions lists. */
const MAX_LISTED = 200;
/** Contexts listed with the executions for 2026-07-28 clients, newest first. */
const CONTEXTS_LISTED = 50;

/** Longest summary in an execution's line of text. */
const LINE_SUMMARY_CHARS = 200;

/** Where one listed execution ran, for its line of text. */
function placeText(e: ExecutionSummary): string {
  if (e.context) return ` context ${e.context}`;
  return e.session ? ` session ${e.session}` : "";
}

/** One execution in one line: an error's code frame spans lines, so only its first line is shown. */
function executionLine(e: ExecutionSummary): string {
  const first = e.summary.split("\n", 1)[0]!;
  const cut = first.length > LINE_SUMMARY_CHARS || first.length < e.summary.length;
  const summary = cut ? `${first.slice(0, LINE_SUMMARY_CHARS)}…` : first;
  return `${e.execution_id} ${e.started_at}${placeText(e)} ${e.status ?? (e.ok ? "ok" : "error")} ${e.duration_ms} ms: ${summary}`;
}

/** The user's contexts after the executions (2026-07-28): the text says what structuredContent does. */
function contextLines(current: string, contexts: readonly ContextSummary[]): string[] {
  return [
    `the user's contexts (this one: ${current}):`,
    ...contexts.map((c) => `  ${c.context} created ${c.created_at}`),
  ];
}

export function registerHistoryTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "list_executions",
    {
      description: "Recent executions.",
      inputSchema: { limit: z.number().default(20) },
    },
    async ({ limit }) => {
      // Bounded here rather than in the schema: each keyword costs tokens in every tools/list.
      if (!(limit >= 1)) return errorResult("list_executions: limit must be at least 1 (at most 200 are listed)");
      const executions = await ctx.history.list(Math.min(MAX_LISTED, Math.floor(limit)));
      const capped = limit > MAX_LISTED ? ` (at most ${MAX_LISTED} are listed)` : "";
      const text = (executions.length ? executions.map(executionLine).join("\n") : "No executions yet.") + capped;
      if (ctx.context === undefined || !ctx.contexts) return structuredResult({ executions }, text);
      const contexts = await ctx.contexts(CONTEXTS_LISTED);
      const withContexts = [text, ...contextLines(ctx.context, contexts)].join("\n");
      return structuredResult({ executions, context: ctx.context, contexts }, withContexts);
    },
  );

  server.registerTool(
    "get_execution",
    {
      description: "One execution; calls paged.",
      inputSchema: {
        id: z.string().min(1).max(100),
        offset: z.number().optional(),
        failed: z.boolean().optional(),
      },
    },
    async ({ id, ...paging }) => {
      const query = traceQuery(paging);
      if (typeof query === "string") return errorResult(`get_execution: ${query}`);
      const record = await ctx.history.get(id);
      if (!record) return errorResult(`no execution ${id} in the user's history; list_executions shows the ids`);
      const page = pageToolCalls(record.tool_calls, query);
      return structuredResult(executionData(record, page.page), renderExecutionPage(record, page, query));
    },
  );
}
