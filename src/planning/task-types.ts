/** Contracts of run_task: its input, and the report it returns. */
import type { ToolCallGroup } from "../mcp/tool-call-summary";
import type { ExecuteResult, ExecutionError, ToolCallRecord } from "../sandbox/execution-types";

export interface TaskInput {
  task: string;
  /** Configured server names to search; all servers when absent. */
  servers?: string[] | undefined;
  max_attempts: number;
  /** Bound on the whole pipeline, in milliseconds. */
  timeout_ms: number;
  /** Save the final program as a skill of this name when the task succeeds. */
  save_as?: string | undefined;
}

/**
 * How the task ended. A suspended execution ends it with its own status (`approval_required`). `stopped`: an attempt
 * failed after a call that is not read-only ran, so a retry could repeat it; `refused`: the gateway refused to run
 * the program (rate limit, busy); `model_error`: a model could not be reached or answered nothing usable.
 */
export type TaskOutcome =
  | "succeeded"
  | "failed"
  | "stopped"
  | NonNullable<ExecuteResult["status"]>
  | "refused"
  | "timeout"
  | "cancelled"
  | "model_error";

export type TaskStepName = "plan" | "find_tools" | "declarations" | "write" | "check" | "run" | "save";

export interface TaskStep {
  step: TaskStepName;
  attempt?: number;
  ms: number;
  model?: string;
  tokens?: { input: number; output: number };
}

export interface TaskAttempt {
  attempt: number;
  code: string;
  /** Where it ended: the check before running, or the run itself. */
  stage: "check" | "run";
  ok: boolean;
  error?: { kind: string; message: string; line?: number };
  execution_id?: string;
  /**
   * The attempt's calls, bounded as execute_code's are (src/planning/attempt-calls.ts): all of them up to 40, else
   * the first 20 and up to 20 later failures, with the rest counted in `tool_calls_summary`.
   */
  tool_calls?: Array<Pick<ToolCallRecord, "server" | "tool" | "status" | "count"> & { read_only: boolean }>;
  /** Every call of the attempt, present when some are only counted in `tool_calls_summary`. */
  tool_calls_total?: number;
  /** The calls not listed, per server, tool and status (`read_only` on groups of one tool). */
  tool_calls_summary?: Array<ToolCallGroup & { read_only?: boolean }>;
}

export interface TaskResult {
  outcome: TaskOutcome;
  /** What went wrong, in a sentence that says what to do; absent on success. */
  error?: string;
  /** The program's return value, on success. */
  result?: unknown;
  code?: string;
  plan?: string;
  /** "server.tool" of the tools whose declarations the main model was given. */
  tools: string[];
  attempts: TaskAttempt[];
  steps: TaskStep[];
  tokens: { input: number; output: number };
  duration_ms: number;
  prompt_versions: Record<string, string>;
  /** The call waiting for approval, when outcome is approval_required (approve_call with the handle). */
  approval?: { handle?: string; server: string; tool: string; arguments: unknown };
  skill?: { name: string; version: number };
  skill_error?: string;
}

export type { ExecutionError };
