/** Contracts between the executor, the bridge and the gateway's MCP tools. */

import type { DroppedSummary } from "../scope/dropped-summary";

/** How one tool call ended. `timeout`: the request was sent and its effect is unknown; `rejected`: never sent. */
export type ToolCallStatus = "ok" | "error" | "timeout" | "rejected";

export interface ToolCallRecord {
  server: string;
  tool: string;
  status: ToolCallStatus;
  ok: boolean;
  /** Time spent on the host for this call, in milliseconds. */
  ms: number;
  /** Milliseconds from the start of the execution to the start of the call. */
  started_ms: number;
  error?: string;
  /** The approval decision for this call: who decided and when (the audit trail). */
  approval?: { decision: string; by: string; at: string };
  /** Answered from an earlier attempt's recorded reply (resumption after approval), not sent again. */
  replayed?: boolean;
  /** This record stands for `count` identical calls refused in the sandbox (never sent); absent means one. */
  count?: number;
}

/** What the sandbox's `call()` receives back over the bridge: a value, never a throw. */
export type BridgeReply =
  | { ok: true; value?: string }
  | { ok: false; status: Exclude<ToolCallStatus, "ok">; error: string };

export interface ExecutionError {
  /** Where it failed: before running (syntax, imports), while running, or a limit. */
  kind:
    | "syntax"
    | "import"
    | "reserved"
    | "type"
    | "runtime"
    | "timeout"
    | "step_budget"
    | "limit"
    | "approval_required"
    | "authorization_required"
    | "cancelled"
    | "internal";
  message: string;
  line?: number;
  column?: number;
}

export interface ExecuteResult {
  ok: boolean;
  execution_id: string;
  result?: unknown;
  logs: string[];
  /**
   * The carried scope after this execution (src/scope/): every name that lives on into the next execution of the
   * session or context, and the bindings that were not kept: the first 20 with the reason, the rest counted per reason
   * (src/scope/dropped-summary.ts).
   */
  scope?: { kept: string[]; note?: string } & DroppedSummary;
  error?: ExecutionError;
  tool_calls: ToolCallRecord[];
  /**
   * Problems the code did not fail on: type-check diagnostics that did not refuse the run (src/typecheck, with
   * their line and column) and promise rejections nobody handled. Absent when there are none.
   */
  warnings?: Array<{ line?: number; column?: number; message: string }>;
  /** Time the type check took, and whether it had to start the checker (cold). */
  typecheck?: { ms: number; cold: boolean };
  duration_ms: number;
  /**
   * Set when a call needs a human's approval that could not be asked during the execution, or a sign-in to the
   * user's server (`authorization_required`); either way approve_call with the handle re-runs the code.
   */
  status?: "approval_required" | "authorization_required";
  /** The call waiting for approval; `handle` goes to approve_call / deny_call. */
  approval?: { handle?: string; server: string; tool: string; arguments: unknown };
  /**
   * The server the user must sign in to, at `authorization_url`; then approve_call({ handle }) resumes. `scope`: the
   * server asked for more permission (403 `insufficient_scope`), these scopes (src/registry/step-up-scope.ts).
   */
  authorization?: { handle?: string; server: string; tool: string; authorization_url?: string; scope?: string };
}
