/**
 * @module mcp/approval-tools
 * `approve_call` and `deny_call`: the answer to an execution that stopped with status `approval_required` because
 * a tool needs a human's approval and the client cannot be asked in-band (no elicitation support).
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { executionResult } from "./execute-tool";
import type { GatewayContext } from "./gateway-context";
import { errorResult } from "./tool-result";

const HANDLE = z
  .string()
  .regex(/^apr_[0-9a-f]{32}$/)
  .describe("The approval handle from the execution result");

export function registerApprovalTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "approve_call",
    {
      description:
        "After the user agrees: run the call an execution is waiting for. Re-runs that code; calls that already ran are replayed, not repeated.",
      inputSchema: { handle: HANDLE },
    },
    async ({ handle }, extra) => {
      const r = await ctx.approveCall(handle, extra);
      return typeof r === "string" ? errorResult(r) : executionResult(r);
    },
  );

  server.registerTool(
    "deny_call",
    {
      description: "Refuse the call an execution is waiting for; the execution is cancelled.",
      inputSchema: { handle: HANDLE },
    },
    async ({ handle }) => {
      const r = await ctx.denyCall(handle);
      return typeof r === "string" ? errorResult(r) : executionResult(r);
    },
  );
}
