/**
 * @module mcp/approval-tools
 * `approve_call` and `deny_call`: the answer to an execution that stopped with status `approval_required` because
 * a tool needs a human's approval and the client cannot be asked in-band (no elicitation support).
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { runExecution } from "./execute-tool";
import { contextArg, type GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

/** Checked in the handler rather than the schema: the pattern would cost tokens in every tools/list. */
const HANDLE = z.string().max(100);
const HANDLE_FORMAT = /^apr_[0-9a-f]{32}$/;

function checkHandle(handle: string): string | undefined {
  return HANDLE_FORMAT.test(handle) ? undefined : `"${handle}" is not an approval handle (apr_ + 32 hex digits)`;
}

export function registerApprovalTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "approve_call",
    {
      description: "User approved: resume.",
      inputSchema: { handle: HANDLE, ...contextArg(ctx) },
    },
    async ({ handle }, extra) =>
      runExecution(ctx, extra, async () => checkHandle(handle) ?? ctx.approveCall(handle, extra)),
  );

  server.registerTool(
    "deny_call",
    {
      description: "User refused: cancel.",
      inputSchema: { handle: HANDLE, ...contextArg(ctx) },
    },
    async ({ handle }) => {
      const bad = checkHandle(handle);
      if (bad) return errorResult(bad);
      const r = await ctx.denyCall(handle);
      if (typeof r === "string") return errorResult(r);
      // Denying succeeded: the answer is the decision, not the cancelled execution as an error.
      const call = r.tool_calls[0]!;
      const { by, at } = call.approval!;
      return structuredResult(
        { execution_id: r.execution_id, status: "denied", server: call.server, tool: call.tool, by, at },
        `denied ${call.server}.${call.tool}: execution ${r.execution_id} is cancelled (denied by ${by} at ${at}; get_execution shows it)`,
      );
    },
  );
}
