import type { ExecuteResult } from "./execution-types";

/** An execution refused before it started (rate limit, busy session): nothing ran, nothing was recorded. */
export function refusedExecution(message: string): ExecuteResult {
  return { ok: false, execution_id: "", logs: [], tool_calls: [], duration_ms: 0, error: { kind: "limit", message } };
}

/**
 * An execution whose client cancelled it before the program started (while it waited for a slot or its turn): nothing
 * ran. Without an execution id it is not recorded, and an approval being re-run keeps its handle.
 */
export function cancelledBeforeStart(): ExecuteResult {
  return {
    ...refusedExecution(""),
    error: { kind: "cancelled", message: "cancelled by the client while it waited to start; it did not run" },
  };
}
