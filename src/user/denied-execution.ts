import { type ApprovalActor, audit } from "../sandbox/approval";
import type { ExecuteResult, ToolCallRecord } from "../sandbox/execution-types";
import type { ApprovedExecution } from "./user-types";

/**
 * The suspended execution, cancelled, with who decided and when: what an elicitation's decline answers. It is the
 * stopped execution (its id), whose history record carries the decision; a handle minted before the stopped
 * execution was recorded has no id, and this result is recorded in its place (`exe_denied_…`).
 */
export function deniedExecution(
  handle: string,
  { pending, execution_id }: Pick<ApprovedExecution, "pending" | "execution_id">,
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
    execution_id: execution_id ?? `exe_denied_${handle.slice(4)}`,
    logs: [],
    tool_calls: [call],
    duration_ms: 0,
    error: { kind: "cancelled", message: `${pending.server}.${pending.tool} was denied; the execution is cancelled` },
  };
}
