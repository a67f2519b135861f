/**
 * @module user/user-executions
 * The user's executions across all their sessions, as their user object (src/user/user-object.ts) keeps them: the
 * execute rate and the slots an execution takes, its record in the history from start to end, the approval handle
 * of one that stopped for an approval or a sign-in, and what becomes of that handle (approved and re-run, given
 * back, denied).
 */
import type { Limits } from "../config";
import { type ApprovalActor, audit } from "../sandbox/approval";
import type { ExecuteResult } from "../sandbox/execution-types";
import { deniedExecution } from "./denied-execution";
import { ExecuteRate } from "./execute-rate";
import { ExecutionHistory, type ExecutionPage, type SkillRuns } from "./execution-history";
import { ExecutionLeases } from "./execution-leases";
import { ExecutionSlots } from "./execution-slots";
import { PendingApprovals } from "./pending-approvals";
import type {
  ApprovedExecution,
  ExecutionRecord,
  ExecutionStatus,
  ExecutionSummary,
  FinishRequest,
  PendingApproval,
  SlotGrant,
  StartedExecution,
} from "./user-types";

/** What finishExecution tells the session: the approval handle it minted, or why the execution cannot resume. */
export type FinishReply = { handle?: string; unresumable?: string };

/** Applies a {@link FinishReply} to the result the client gets (and the history keeps). */
export function settleSuspension(result: ExecuteResult, reply: FinishReply): void {
  const waiting = result.approval ?? result.authorization;
  if (!waiting) return;
  if (reply.handle) waiting.handle = reply.handle;
  else if (reply.unresumable && result.error) {
    delete result.status;
    const what = result.approval ? "needs approval" : `needs a sign-in to ${waiting.server}`;
    result.error = { kind: "limit", message: `${waiting.server}.${waiting.tool} ${what}, but ${reply.unresumable}` };
  }
}

/** The user's executions, over the user object's storage (see the module comment). */
export class UserExecutions {
  readonly #history: ExecutionHistory;
  readonly #approvals: PendingApprovals;
  readonly #leases: ExecutionLeases;
  readonly #slots: ExecutionSlots;
  readonly #rate: ExecuteRate;

  constructor(storage: DurableObjectStorage) {
    this.#history = new ExecutionHistory(storage.sql);
    this.#approvals = new PendingApprovals(storage.sql);
    this.#leases = new ExecutionLeases(storage.sql);
    this.#slots = new ExecutionSlots(this.#leases);
    this.#rate = new ExecuteRate(storage.kv);
  }

  /** Takes one of the user's execution slots for `session` under `limits`, or says why not (rate, busy). */
  async start(session: string, limits: Limits): Promise<SlotGrant> {
    // Counted against the rate limit before it waits for a slot, as every execution that asks is.
    const limited = this.#rate.take(limits.execute_rate_limit);
    if (limited) return { ok: false, error: limited };
    const taken = await this.#slots.take(session, limits);
    return taken.ok ? { ok: true, lease: taken.lease, lease_ms: limits.execution_lease_ms } : taken;
  }

  /** Lists an execution as running as soon as its program starts ({@link finish} completes the record). */
  started(run: StartedExecution): void {
    this.#history.start(run);
    if (run.rerunOf) this.#noteRerun(run.rerunOf, run.execution_id);
  }

  /** Keeps a running execution's slot for `leaseMs` more. */
  renew(lease: string, leaseMs: number): void {
    this.#leases.renew(lease, leaseMs);
  }

  /** Ends an execution: releases its slot, mints its approval handle if it stopped for one, records it. */
  finish(request: FinishRequest): FinishReply {
    this.#slots.release(request.lease);
    const { execution, suspended } = request;
    if (!execution) return {};
    let reply: FinishReply = {};
    if (suspended) {
      const created = this.#approvals.create(request.session, suspended, execution.result.execution_id);
      reply = typeof created === "string" ? { handle: created } : { unresumable: created.error };
      settleSuspension(execution.result, reply);
    }
    this.#history.record(request.session, execution);
    if (execution.rerunOf && execution.result.execution_id) {
      this.#noteRerun(execution.rerunOf, execution.result.execution_id);
    }
    return reply;
  }

  /**
   * Names the re-run of an approved handle, on the handle (a second approve_call says it) and on the stopped
   * execution's record (get_execution and list_executions say it). Noted when the re-run is listed as running or
   * when it ends, whichever comes first; in one synchronous step, so both are written or neither.
   */
  #noteRerun(handle: string, rerun: string): void {
    const stopped = this.#approvals.noteRerun(handle, rerun);
    if (stopped) this.#history.noteRerun(stopped, rerun);
  }

  /** The user's executions, newest first, from every session. */
  list(limit: number): ExecutionSummary[] {
    return this.#history.list(limit);
  }

  /** One page of the history: newest first, optionally one status, paged by `before`. */
  page(query: { limit: number; status?: ExecutionStatus; before?: number }): ExecutionPage {
    this.#history.markLost(this.#leases.live());
    return this.#history.page(query);
  }

  /** The session object an execution of the history ran in. */
  sessionOf(id: string): string | undefined {
    return this.#history.sessionOf(id);
  }

  /** Run counts and last runs of skill versions. */
  skillRuns(): SkillRuns[] {
    return this.#history.skillRuns();
  }

  /** Calls waiting for approval, newest first, with their full arguments. */
  pendingApprovals(limit: number): PendingApproval[] {
    return this.#approvals.listPending(limit);
  }

  get(id: string): ExecutionRecord | undefined {
    this.#history.markLost(this.#leases.live());
    return this.#history.get(id);
  }

  /** The waiting call of a pending handle, without taking it (approve_call first checks a sign-in's). */
  peek(handle: string): ReturnType<PendingApprovals["peek"]> {
    return this.#approvals.peek(handle);
  }

  /** Takes a pending handle for approve_call, and records the decision on the stopped execution in the same step. */
  approve(handle: string, by?: ApprovalActor): ApprovedExecution | string {
    const taken = this.#approvals.take(handle, "approved", by);
    if (typeof taken !== "string" && taken.execution_id) {
      const actor = by ?? "user (approve_call)";
      this.#history.decide(taken.execution_id, { decision: "approved", by: actor, at: audit("approved", actor).at });
    }
    return taken;
  }

  /** Gives a handle back after its re-run was refused before anything ran. */
  reopen(handle: string): void {
    const stopped = this.#approvals.reopen(handle);
    if (stopped) this.#history.decide(stopped, null);
  }

  /** Cancels the suspended execution of `handle` and records the cancellation, with who decided and when. */
  deny(handle: string, by: ApprovalActor): ExecuteResult | string {
    const taken = this.#approvals.take(handle, "denied", by);
    if (typeof taken === "string") return taken;
    const result = deniedExecution(handle, taken, by);
    const at = result.tool_calls[0]!.approval!.at;
    // The audit goes on the stopped execution's record; only a handle minted before records were kept needs one.
    if (taken.execution_id) this.#history.decide(taken.execution_id, { decision: "denied", by, at });
    else {
      const { code, kind, skill } = taken.spec;
      this.#history.record(taken.session, { result, code, kind, ...(skill ? { skill } : {}), startedAt: Date.now() });
    }
    return result;
  }
}
