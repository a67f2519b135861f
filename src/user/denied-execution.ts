import { type ApprovalActor, audit } from "../sandbox/approval";
import type { ExecuteResult, ToolCallRecord } from "../sandbox/execution-types";
import type { SuspendedExecution } from "./user-types";

/** What deny_call answers and the history keeps: the suspended execution, cancelled, with who decided and when. */
export function deniedExecution(
  handle: string,
  { pending }: SuspendedExecution,
  by: ApprovalActor = "user (deny_call)",
): ExecuteResult {
  const call: ToolCallRecord = {
    server: pending.server,
    tool: pending.tool,
    status: "rejected",
    ok: false,
    ms: 0,
    started_ms: 0,
    error: "denied by the user",
    approval: audit("denied", by),
  };
  return {
    ok: false,
    execution_id: `exe_denied_${handle.slice(4)}`,
    logs: [],
    tool_calls: [call],
    duration_ms: 0,
    error: { kind: "cancelled", message: `${pending.server}.${pending.tool} was denied; the execution is cancelled` },
  };
}
