/**
 * @module sandbox/execution-events
 * What the client may be told while an execution runs (MCP progress and log notifications): tool calls starting and
 * ending, console lines, progress, and the notices of the notification budget and of the run gate.
 */
import type { ToolCallStatus } from "./execution-types";

/** The sandbox's console methods (worker-loader/runtime.js). */
export type ConsoleMethod = "log" | "info" | "warn" | "error" | "debug";

/** Something the client may be told while the execution runs (progress and log notifications). */
export type ExecutionEvent =
  | { type: "tool_start"; server: string; tool: string }
  | { type: "tool_end"; server: string; tool: string; status: ToolCallStatus; ms: number; error?: string }
  /**
   * Calls of one tool that ended past the burst of a window (src/sandbox/tool-event-pacer.ts): `failed` of them did
   * not succeed, `firstError` says why the first did not; `ms` is their time added up.
   */
  | { type: "tool_calls"; server: string; tool: string; ended: number; failed: number; ms: number; firstError?: string }
  | {
      type: "log";
      level: "debug" | "info" | "warning" | "error";
      line: string;
      /** The console method that wrote it, when the sandbox said: the kept logs prefix every one but `log`. */
      method?: ConsoleMethod;
    }
  | { type: "progress"; current: number; total?: number; message?: string }
  /** Notifications not sent over max_notification_bytes (`limit` is set once the host announces them). */
  | { type: "dropped"; events: number; bytes: number; limit?: number }
  /** Past max_notification_bytes: the execution goes on, `dropped` notifications so far were coalesced. */
  | { type: "still_running"; dropped: number }
  /** Still waiting for a turn in the isolate's run gate (src/sandbox/run-gate.ts) after `ms`. */
  | { type: "waiting"; ms: number };

/**
 * A streamed console line as the kept logs write it (runtime.js pushLog): `[method] ` before all but `log`. Without
 * a method it knows, from the level.
 */
export function keptLine(event: Extract<ExecutionEvent, { type: "log" }>): string {
  const method = event.method ?? (event.level === "warning" ? "warn" : event.level === "info" ? "log" : event.level);
  return method === "log" ? event.line : `[${method}] ${event.line}`;
}
