/**
 * @module sandbox/executor-types
 * The contract of `executeCode` (src/sandbox/executor.ts): what one execution is asked to run, and what its caller
 * (a session, a context, a skill run) lends it: the loader, the bridge, the human waits, the carried scope, the
 * skills and the type check.
 */
import type { Limits } from "../config";
import type { Catalog, Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { DroppedSummary } from "../scope/dropped-summary";
import type { CarriedScope, ScopeUpdate } from "../scope/scope-store";
import type { SkillIndexEntry, SkillVersion } from "../skills/skill-types";
import type { TypecheckOutcome } from "../typecheck/typecheck-program";
import type { ApprovalActor, RecordedCall, Suspension } from "./approval";
import type { ExecutionEvent } from "./execution-events";
import type { Approver, SignIn } from "./human-waits";
import type { LiveExecution } from "./live-execution";
import type { ImportUse } from "./prepare";
import type { ExecutionBridge } from "./tool-bridge";

export interface ExecutorDeps {
  loader: WorkerLoader;
  registry: Registry;
  limits: Limits;
  /**
   * The bridge for one execution (src/sandbox/tool-bridge.ts ExecutionBridge in the session object), handed to the
   * isolate as an argument of `run()`: calls from the sandbox reach the session in one hop, with no entrypoint
   * between and no round trip before the program starts.
   */
  bridgeFor(executionId: string): ExecutionBridge;
  /**
   * Waits for this run's turn in the isolate (src/sandbox/run-gate.ts) and returns its release; absent: runs at
   * once. Throws GateFullError when too many runs are waiting.
   */
  admit?: () => Promise<() => void>;
  /** Where live executions are registered so the bridge can find them. */
  live: Map<string, LiveExecution>;
  /**
   * The client's request: once aborted (MCP `notifications/cancelled`, or the client timed out), a program that has
   * not started never does, and a running one is stopped like one that timed out.
   */
  signal?: AbortSignal;
  /** Live progress and logs for the client (absent: nobody listens, console output is not streamed). */
  events?: (event: ExecutionEvent) => void;
  /** Asks a human about `ask` tools (elicitation); absent or returning undefined: the execution suspends. */
  approver?: Approver;
  /** Asks the user to sign in to one of their servers (URL-mode elicitation); absent: the execution suspends. */
  signIn?: SignIn;
  /** Told when the program starts running (after its checks), so it can be listed while it runs. */
  onStart?: (id: string, live: LiveExecution) => void;
  /** Receives what a suspended execution needs to be resumed later (or that it cannot be, src/sandbox/approval.ts). */
  onSuspend?: (state: Suspension) => void;
  /**
   * The session's or context's carried scope (src/scope/): what the program starts with, and where what it leaves
   * is stored. Absent (skill runs): the program starts empty and nothing is kept.
   */
  scope?: {
    carried: CarriedScope;
    save(update: ScopeUpdate): { kept: string[] } & DroppedSummary;
  };
  /** The skills code may import (absent: none). */
  skills?: {
    index(): Promise<Record<string, SkillIndexEntry>>;
    get(name: string, version?: number): Promise<SkillVersion | undefined>;
  };
  /** Sees every successful tool result (observed output types). */
  observe?: (catalog: Catalog, tool: CatalogTool, value: unknown) => void;
  /** Type-checks the program before anything runs (absent: not checked); see src/typecheck. */
  typecheck?: (program: {
    code: string;
    catalog: Catalog;
    imports: readonly ImportUse[];
    skills: ReadonlyMap<string, SkillVersion>;
    latestSkill: (name: string) => number | undefined;
    carried?: string;
  }) => Promise<TypecheckOutcome>;
}

export interface ExecuteRequest {
  code: string;
  timeoutMs?: number;
  /** Resumption after approval: replies of the earlier attempt, and the approved call's signature. */
  replay?: readonly RecordedCall[];
  approved?: string;
  approvedBy?: ApprovalActor;
  /**
   * run_skill's generated call of this skill (`name@version`, src/session/session-runs.ts runSkill): an error that
   * V8 places in that generated code (a tool call the skill returned without awaiting) is reported as the skill's.
   */
  skill?: string;
}
