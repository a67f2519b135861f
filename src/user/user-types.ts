/** Contracts between the session objects and the per-user object (src/user/user-object.ts). */
import type { ApprovalActor, PendingCall, Suspension } from "../sandbox/approval";
import type { ExecuteResult } from "../sandbox/execution-types";

/** What is kept of an execution so that it can be run again (approve_call): the code and how it was started. */
export interface StoredRunSpec {
  code: string;
  kind: "code" | "skill";
  skill?: string;
  timeoutMs?: number;
  /** The execution whose starting scope a re-run restores (src/scope/scope-snapshots.ts). */
  scopeFrom?: string;
}

/** An execution that stopped at a call waiting for approval, with the replies of the calls that already ran. */
export interface SuspendedExecution extends Suspension {
  spec: StoredRunSpec;
}

/** A suspended execution taken by approve_call, with the session object (`<user>:<session-id>`) that ran it. */
export interface ApprovedExecution extends SuspendedExecution {
  handle: string;
  session: string;
  /** The execution that stopped (absent for handles minted before the dashboard recorded it). */
  execution_id?: string;
  /** Who approved it, for the audit (approve_call when absent). */
  by?: ApprovalActor;
  /** The gateway's origin the approval came from: sign-in links of the re-run point there. */
  origin?: string;
}

/**
 * approve_call on a handle whose execution waits for a sign-in the user has not done yet (src/user/sign-in-wait.ts):
 * nothing re-ran and the handle stays pending; what is still needed, with its link.
 */
export interface SignInStillNeeded {
  still_waiting: {
    handle: string;
    server: string;
    tool: string;
    status: "authorization_required" | "expired";
    authorization_url?: string;
    /** A step-up: the scopes missing from the grant (src/registry/step-up-scope.ts). */
    scope?: string;
    /** The execution that stopped. */
    execution_id?: string;
  };
}

/**
 * How the user answered the handle of an execution that stopped for approval or a sign-in, kept on that
 * execution's history record: `rerun` is the execution that re-ran it, set once the re-run has started.
 */
export interface ApprovalDecision {
  decision: "approved" | "denied";
  by: ApprovalActor;
  at: string;
  rerun?: string;
}

/** An execution that has just started running: listed at once, completed by finishExecution. */
export interface StartedExecution {
  /** The concurrency lease it runs under: while that lease lives, the execution is running. */
  lease: string;
  session: string;
  execution_id: string;
  code: string;
  kind: "code" | "skill";
  skill?: string;
  startedAt: number;
  /** The approval handle this execution re-runs: the stopped execution's record then names it. */
  rerunOf?: string;
}

/**
 * How an execution stands: `running` until it ends; `lost` when its session stopped renewing its slot without
 * recording an end (evicted or crashed); `approved` or `denied` once the user answered its approval.
 */
export type ExecutionStatus =
  | "running"
  | "ok"
  | "error"
  | "approval_required"
  | "approved"
  | "denied"
  | "cancelled"
  | "lost";

/** A call waiting for the user's approval, as the dashboard lists it. */
export interface PendingApproval {
  handle: string;
  server: string;
  tool: string;
  arguments: unknown;
  execution_id?: string;
  created_at: string;
  /**
   * Set when the call waits for a sign-in to the user's server rather than an approval. As listed, `url` is a link
   * that opens the sign-in now (src/user/sign-in-wait.ts signInNow), and `now` says why there is none.
   */
  authorization?: PendingCall["authorization"] & { now?: SignInNow };
}

/**
 * Why a waiting sign-in has no link as listed: signed in since (Resume runs the code again), the server was removed,
 * it no longer signs in with OAuth, or the link the execution gave no longer opens a sign-in and none is pending.
 */
export type SignInNow = "signed_in" | "removed" | "no_sign_in" | "link_gone";

/** One finished execution as the history records it. */
export interface FinishedExecution {
  result: ExecuteResult;
  code: string;
  kind: "code" | "skill";
  skill?: string;
  startedAt: number;
  /** The approval handle this execution re-ran (see {@link StartedExecution.rerunOf}). */
  rerunOf?: string;
}

/** Everything the user object is told when an execution ends (one round trip). */
export interface FinishRequest {
  /** The concurrency lease taken by startExecution. */
  lease: string;
  /** The session object that ran it (`<user>:<session-id>`): where approve_call re-runs it. */
  session: string;
  /** Absent when the execution could not be recorded (it failed before producing a result): release only. */
  execution?: FinishedExecution;
  /** Set when the execution stopped for approval: the user object mints the handle and returns it. */
  suspended?: SuspendedExecution;
}

/** The answer to startExecution: a lease on one of the user's execution slots, or the reason there is none. */
export type SlotGrant = { ok: true; lease: string; lease_ms: number } | { ok: false; error: string };

/**
 * Where an execution ran: the 2026-07-28 context, or the 2025-11-25 session (its `Mcp-Session-Id`); neither for an
 * object that is not one of the user's sessions or contexts.
 */
export interface ExecutionPlace {
  context?: string;
  session?: string;
}

/**
 * One execution as get_execution shows it: the result with its code, kind, start time and where it ran. Once the
 * user answered its approval, `status` and the waiting call carry the decision ({@link ApprovalDecision}).
 */
export interface ExecutionRecord extends Omit<ExecuteResult, "status" | "approval" | "authorization">, ExecutionPlace {
  status?: ExecuteResult["status"] | ApprovalDecision["decision"];
  approval?: NonNullable<ExecuteResult["approval"]> & Partial<ApprovalDecision>;
  authorization?: NonNullable<ExecuteResult["authorization"]> & Partial<ApprovalDecision>;
  /** Set while the execution runs (recorded at its start; the rest of the record comes when it ends). */
  running?: true;
  kind: "code" | "skill";
  skill?: string;
  code: string;
  started_at: string;
}

/** One line of list_executions. */
export interface ExecutionSummary extends ExecutionPlace {
  execution_id: string;
  kind: "code" | "skill";
  skill?: string;
  started_at: string;
  ok: boolean;
  /** Absent in records made before it existed (ok or error then). */
  status?: ExecutionStatus;
  duration_ms: number;
  tool_call_count: number;
  summary: string;
}
