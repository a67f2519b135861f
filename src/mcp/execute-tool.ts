/**
 * @module mcp/execute-tool
 * `execute_code`: runs one program against the upstream tools and returns its result, logs and tool-call trace.
 */
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { z } from "zod";
import { signInNeeded } from "../registry/step-up-scope";
import { approvalPrompt } from "../sandbox/approval-prompt";
import type { ExecuteResult } from "../sandbox/execution-types";
import { isTruncatedResult } from "../sandbox/reply-caps";
import { renderDropped } from "../scope/dropped-summary";
import { prettyJson } from "../shared/pretty-json";
import { contextArg, type GatewayContext } from "./gateway-context";
import { answerRetry, settleExecution } from "./input-required";
import { listToolCalls, renderToolCalls } from "./tool-call-summary";
import { errorResult, structuredResult } from "./tool-result";

/**
 * An execution as an MCP tool result; waiting for approval is an answer to act on, not an error. `context` is set
 * for 2026-07-28 requests, whose results name the context they ran in.
 */
export function executionResult(r: ExecuteResult, context?: string) {
  // The reply is bounded whatever the number of calls; the history keeps the whole trace.
  const trace = listToolCalls(r.tool_calls);
  const data = { ...r, ...trace, ...(context === undefined ? {} : { context }) } as unknown as Record<string, unknown>;
  return structuredResult(data, renderExecution(r, context, trace), !r.ok && r.status === undefined);
}

/** Runs `run` for a first round, or answers an approval retry; approvals become input_required where possible. */
export async function runExecution(
  ctx: GatewayContext,
  extra: ServerContext,
  run: () => Promise<ExecuteResult | string>,
) {
  const render = (r: ExecuteResult) => executionResult(r, ctx.context);
  const retry = await answerRetry(ctx, extra, render, errorResult);
  if (retry) return retry;
  const r = await run();
  return typeof r === "string" ? errorResult(r) : settleExecution(ctx, extra, r, render);
}

/** Text rendering of an execution for clients that read `content` rather than `structuredContent`. */
export function renderExecution(r: ExecuteResult, context?: string, trace = listToolCalls(r.tool_calls)): string {
  const lines = [r.ok ? "ok" : `error (${r.error?.kind}): ${r.error?.message}`];
  if (r.ok && isTruncatedResult(r.result)) lines.push(`result (cut at max_result_bytes): ${r.result}`);
  else if (r.ok) lines.push(`result: ${r.result === undefined ? "undefined" : prettyJson(r.result)}`);
  if (r.logs.length) lines.push("logs:", ...r.logs.map((l) => `  ${l}`));
  if (r.warnings?.length) {
    lines.push("warnings:", ...r.warnings.map((w) => `  ${w.line ? `line ${w.line}:${w.column} ` : ""}${w.message}`));
  }
  lines.push(...renderToolCalls(trace, r.execution_id));
  if (r.approval) {
    // The same rendering an elicitation shows; structuredContent carries the exact arguments.
    const prompt = approvalPrompt(r.approval.server, r.approval.tool, r.approval.arguments);
    lines.push(
      `approval_required: ${prompt.ok ? prompt.text : prompt.error}`,
      `  handle: ${r.approval.handle} — call approve_call({ handle }) after the user agrees, or deny_call({ handle })`,
    );
  }
  if (r.authorization) {
    const a = r.authorization;
    lines.push(
      `authorization_required: ${signInNeeded(a.server, a.authorization_url, a.scope)}`,
      `  handle: ${a.handle} — call approve_call({ handle }) after the sign-in to resume`,
    );
  }
  // A binding that did not live on is news the model needs: the next execution would not find it.
  if (r.scope?.dropped.length) {
    lines.push("variables not kept for the next execution:", ...renderDropped(r.scope));
  }
  if (r.scope?.note) lines.push(`variables: ${r.scope.note}`);
  // A 2026-07-28 client learns the id of a context it started ("new") only from the result: say it in the text too.
  lines.push(
    `duration: ${r.duration_ms} ms, execution_id: ${r.execution_id}${context === undefined ? "" : `, context: ${context}`}`,
  );
  return lines.join("\n");
}

export function registerExecuteTool(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "execute_code",
    {
      description:
        'Run JS/TS in a sandbox (no network). Tools are async functions of one object: import { read_file } from "servers/workspace". Return a value or end with an expression; console.log is captured; top-level variables are kept.',
      inputSchema: {
        code: z.string().min(1),
        /** Wall-clock limit, capped by the gateway's execution_timeout_ms; checked below (schema keywords cost tokens). */
        timeout_ms: z.number().optional(),
        ...contextArg(ctx),
      },
    },
    async ({ code, timeout_ms }, extra) =>
      timeout_ms !== undefined && !(Number.isInteger(timeout_ms) && timeout_ms > 0)
        ? errorResult("timeout_ms must be a positive whole number of milliseconds")
        : runExecution(ctx, extra, () => ctx.execute(code, timeout_ms, extra)),
  );
}
