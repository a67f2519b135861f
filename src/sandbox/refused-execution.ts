import type { ExecuteResult } from "./execution-types";

/** An execution refused before it started (rate limit, busy session): nothing ran, nothing was recorded. */
export function refusedExecution(message: string): ExecuteResult {
  return { ok: false, execution_id: "", logs: [], tool_calls: [], duration_ms: 0, error: { kind: "limit", message } };
}
