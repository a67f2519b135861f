/**
 * @module session/notifier
 * Turns execution events into MCP notifications on the stream of the `execute_code` request that caused them:
 * `notifications/progress` (only when the request carried a progress token) as tool calls start and finish (paced:
 * src/sandbox/tool-event-pacer.ts) and when code reports progress, and `notifications/message` for console output and tool calls, filtered by the
 * level the client set with `logging/setLevel`. Progress values only ever increase, as the spec requires, so
 * code's own `progress(current, total, message)` travels in the message ("3/10 processed 3 of 10 files"). Events
 * arrive already within the execution's notification budget (src/sandbox/notification-budget.ts), which ends with
 * a `dropped` announcement when it cut anything.
 */
import type { McpServer, ServerContext, ServerNotification } from "@modelcontextprotocol/server";
import type { ExecutionEvent } from "../sandbox/execution-events";
import type { Approver } from "../sandbox/human-waits";

/** The MCP request a tool handler serves (SDK v2's handler context). */
export type ToolExtra = ServerContext;
type Level = "debug" | "info" | "notice" | "warning" | "error";

/** How long a human may take to answer an approval request before the execution falls back to a handle. */
export const APPROVAL_TIMEOUT_MS = 10 * 60_000;

/**
 * `legacy` is false for MCP 2026-07-28 requests: that revision deprecates logging, so only progress is sent and
 * console output stays in the result. For 2025-11-25 the SDK's `log` applies the session's `logging/setLevel`.
 */
export function createNotifier(extra: ToolExtra, legacy: boolean): (event: ExecutionEvent) => void {
  const token = extra.mcpReq._meta?.progressToken;
  let progress = 0;
  const send = (notification: ServerNotification) => void extra.mcpReq.notify(notification).catch(() => {});
  const log = (level: Level, logger: string, data: unknown) => {
    if (legacy) void extra.mcpReq.log(level, data, logger).catch(() => {});
  };
  const tick = (message: string) => {
    if (token === undefined) return;
    send({ method: "notifications/progress", params: { progressToken: token, progress: ++progress, message } });
  };
  return (event) => {
    switch (event.type) {
      case "log":
        return log(event.level, "console", event.line);
      case "tool_start":
        tick(`${event.server}.${event.tool} started`);
        return log("debug", "tools", `${event.server}.${event.tool} started`);
      case "tool_end": {
        const text = `${event.server}.${event.tool} ${event.status} in ${event.ms} ms${event.error ? `: ${event.error}` : ""}`;
        tick(text);
        return log(event.status === "ok" ? "info" : "warning", "tools", text);
      }
      case "tool_calls": {
        // Past the burst of a window (src/sandbox/tool-event-pacer.ts): one line per tool for the calls that ended.
        const failed = event.failed ? `, ${event.failed} failed (first: ${event.firstError})` : "";
        const text = `${event.server}.${event.tool}: ${event.ended} more call(s) ended, ${event.ended - event.failed} ok${failed}, ${event.ms} ms in all`;
        tick(text);
        return log(event.failed ? "warning" : "info", "tools", text);
      }
      case "progress": {
        const of = event.total === undefined ? `${event.current}` : `${event.current}/${event.total}`;
        const text = event.message ? `${of} ${event.message}` : of;
        tick(text);
        return log("info", "progress", text);
      }
      case "waiting":
        // Progress only: keeps a client's request timeout alive while the execution waits for its turn.
        return tick(`waiting for a turn to run (${Math.round(event.ms / 1000)} s): other executions go first`);
      case "still_running":
        // Progress only (keeps a client's request timeout alive), no log message: the budget is spent.
        return tick(`still running; ${event.dropped} notification(s) coalesced over max_notification_bytes`);
      case "dropped": {
        const text = `${event.events} notification(s) (${event.bytes} bytes) were not sent: over max_notification_bytes (${event.limit ?? "the limit"}) for this execution; the final progress value and the result are complete`;
        tick(text);
        return log("warning", "gateway", text);
      }
    }
  };
}

/** Asks the user through MCP elicitation, when the client supports it; otherwise undefined (suspend). */
export function createApprover(server: McpServer, extra: ToolExtra): Approver | undefined {
  const caps = server.server.getClientCapabilities();
  if (!caps?.elicitation) return undefined;
  return (call) =>
    extra.mcpReq
      .elicitInput(
        {
          mode: "form",
          // Every argument, long values shortened in the middle and marked (src/sandbox/approval-prompt.ts).
          message: call.prompt,
          requestedSchema: {
            type: "object",
            properties: {
              approve: { type: "boolean", title: "Approve", description: `Run ${call.server}.${call.tool} now` },
            },
            required: ["approve"],
          },
        },
        { timeout: APPROVAL_TIMEOUT_MS },
      )
      .then((answer) => (answer.action === "accept" && answer.content?.approve === true ? "approved" : "declined"));
}
