/**
 * @module sandbox/run-failure
 * A run whose isolate failed instead of answering, told in terms the agent can act on: code that awaits what can
 * never settle, an answer (or the carried values it was handed) over workerd's cap on one RPC, or else an internal
 * failure of the sandbox.
 */
import type { Limits } from "../config";
import type { ExecutionError, ToolCallRecord } from "./execution-types";

/** workerd's words when every promise the code awaits can no longer settle (nothing left to wait for). */
const HUNG = /would never generate a response|code had hung/;
/** workerd's words when one RPC's arguments or return value serialize to more than its limit (32 MiB). */
const RPC_TOO_LARGE = /Serialized RPC arguments or return values are limited to/;
const RPC_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * The error of a run that failed with `message` (workerd's, clipped). `carriedValues` are the carried values the
 * program was handed, `calls` the tool calls it made.
 */
export function runFailure(
  message: string,
  carriedValues: ReadonlyArray<{ json: string }>,
  calls: readonly ToolCallRecord[],
  limits: Limits,
): ExecutionError {
  if (HUNG.test(message)) {
    return {
      kind: "runtime",
      message:
        "The code awaited a promise that can never settle: nothing was left that could resolve it (no timer, no tool call in flight). Make sure every promise you await is resolved or rejected.",
    };
  }
  if (RPC_TOO_LARGE.test(message)) {
    // The program's own size, not the gateway's fault: run()'s answer (or its arguments: the carried values the
    // program names) passed workerd's cap on one RPC. The sandbox caps the scope it captures; the result is capped
    // only by the host, after the answer arrived.
    const carriedBytes = carriedValues.reduce((sum, v) => sum + v.json.length, 0);
    const done = calls.filter((c) => c.status !== "timeout").length;
    return {
      kind: "limit",
      message:
        carriedBytes > RPC_LIMIT_BYTES / 2
          ? `The carried variables this code names are ${carriedBytes} characters encoded together, too much for workerd's 32 MiB cap on what one execution is handed and hands back: name fewer of them in one execution, and keep large data with state.set or in the workspace.`
          : `The execution's answer (its result, logs and top-level variables) was over workerd's 32 MiB limit, so its result was lost and no variable was kept; ${done} tool call(s) had completed and took effect. Return less (a result is cut to max_result_bytes, ${limits.max_result_bytes} bytes, anyway) and keep large data with state.set or in the workspace.`,
    };
  }
  return { kind: "internal", message: `the sandbox failed: ${message}` };
}
