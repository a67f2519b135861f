/**
 * @module mcp/input-required
 * Approvals for MCP 2026-07-28 clients. That revision has no server-to-client requests during a call, so an
 * execution that stops for approval answers `input_required`: an elicitation for the client to show, plus signed
 * request state naming the approval handle. The client's retry carries the answer; the gateway then approves or
 * denies the handle, and an approved execution re-runs in a fresh isolate replaying the calls that already ran
 * (the approve_call path), so nothing runs twice. Clients without elicitation get the `approval_required` result
 * with its handle, as 2025-11-25 clients without elicitation do.
 */
import { type CallToolResult, inputRequired, inputResponse, type ServerContext } from "@modelcontextprotocol/server";
import { approvalPrompt } from "../sandbox/approval-prompt";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { GatewayContext } from "./gateway-context";
import type { ApprovalState } from "./request-state";

const ANSWER_KEY = "approve";
const APPROVE_SCHEMA = {
  type: "object" as const,
  properties: { approve: { type: "boolean" as const, title: "Approve" } },
  required: ["approve"],
};

type Rendered = CallToolResult | ReturnType<typeof inputRequired>;

function canElicit(extra: ServerContext): boolean {
  const envelope = extra.mcpReq.envelope as Record<string, { elicitation?: unknown } | undefined> | undefined;
  const caps = envelope?.["io.modelcontextprotocol/clientCapabilities"];
  return caps?.elicitation !== undefined;
}

async function ask(ctx: GatewayContext, extra: ServerContext, handle: string, message: string): Promise<Rendered> {
  const codec = ctx.requestState!;
  return inputRequired({
    inputRequests: { [ANSWER_KEY]: inputRequired.elicit({ message, requestedSchema: APPROVE_SCHEMA }) },
    requestState: await codec.mint({ handle, context: ctx.context! }, extra),
  });
}

/**
 * The result of an execution for this request: `input_required` when it stopped for approval and the client can
 * be asked, else `render(r)`.
 */
export async function settleExecution(
  ctx: GatewayContext,
  extra: ServerContext,
  r: ExecuteResult,
  render: (r: ExecuteResult) => CallToolResult,
): Promise<Rendered> {
  const handle = r.approval?.handle;
  if (!r.approval || !handle || !ctx.requestState || !ctx.context || !canElicit(extra)) return render(r);
  const prompt = approvalPrompt(r.approval.server, r.approval.tool, r.approval.arguments);
  if (!prompt.ok) return render(r);
  return ask(ctx, extra, handle, prompt.text);
}

/**
 * Answers a retry that carries approval state (already verified by the SDK through `requestState.verify`), or
 * returns undefined for a first round. A retry without the answer asks again.
 */
export async function answerRetry(
  ctx: GatewayContext,
  extra: ServerContext,
  render: (r: ExecuteResult) => CallToolResult,
  error: (message: string) => CallToolResult,
): Promise<Rendered | undefined> {
  const state = ctx.requestState ? extra.mcpReq.requestState<ApprovalState>() : undefined;
  if (!state) return undefined;
  const answer = inputResponse(extra.mcpReq.inputResponses, ANSWER_KEY);
  if (answer.kind !== "elicit") {
    return ask(ctx, extra, state.handle, `Answer the pending approval ${state.handle} (approve: true or false).`);
  }
  const approved = answer.action === "accept" && answer.content?.approve === true;
  // The user answered the client's prompt: the audit says so (not approve_call / deny_call).
  const r = approved
    ? await ctx.approveCall(state.handle, extra, "user (elicitation)")
    : await ctx.denyCall(state.handle, "user (elicitation)");
  if (typeof r === "string") return error(r);
  return settleExecution(ctx, extra, r, render);
}
