/**
 * @module user/execution-slot
 * The session's side of one execution slot among the user's (src/user/execution-leases.ts): taken before the
 * execution starts, renewed while it runs, and released in the same round trip that records the execution.
 */
import { forHistory } from "./execution-history";
import { APPROVAL_MAX_STATE_CHARS, approvalTooLarge } from "./pending-approvals";
import type { UserApi } from "./user-api";
import { type FinishReply, settleSuspension } from "./user-executions";
import type { FinishedExecution, StartedExecution, SuspendedExecution } from "./user-types";

/** How long an execution runs before the history lists it as running (the dashboard's live view). */
export const LIST_RUNNING_AFTER_MS = 250;

/** One execution's slot, held from take() until finish() or release(). */
export class ExecutionSlot {
  readonly #user: UserApi;
  readonly #session: string;
  readonly #lease: string;
  readonly #renewal: ReturnType<typeof setInterval>;
  #released = false;
  #listing: ReturnType<typeof setTimeout> | undefined;

  /** Takes a slot for an execution of the session object `session`; a string is the "busy" refusal. */
  static async take(user: UserApi, session: string): Promise<ExecutionSlot | string> {
    const grant = await user.startExecution(session);
    return grant.ok ? new ExecutionSlot(user, session, grant.lease, grant.lease_ms) : grant.error;
  }

  private constructor(user: UserApi, session: string, lease: string, leaseMs: number) {
    this.#user = user;
    this.#session = session;
    this.#lease = lease;
    // Renewed three times per lease period, so one late or lost renewal does not drop a running execution's slot.
    this.#renewal = setInterval(() => {
      Promise.resolve(user.renewExecution(lease)).catch(() => {});
    }, leaseMs / 3);
  }

  /**
   * Lists the execution as running once it has run for {@link LIST_RUNNING_AFTER_MS} (not awaited: the program does
   * not wait for the history). Most executions end sooner, and their end alone writes the record: one round trip
   * to the user object and one row write fewer per execution.
   */
  started(run: Omit<StartedExecution, "lease" | "session">): void {
    if (this.#released) return;
    this.#listing = setTimeout(() => {
      this.#listing = undefined;
      if (this.#released) return;
      Promise.resolve(this.#user.executionStarted({ ...run, lease: this.#lease, session: this.#session })).catch(
        () => {},
      );
    }, LIST_RUNNING_AFTER_MS);
  }

  /**
   * Releases the slot and records the execution; a suspended one gets its approval handle (or the reason not),
   * which is applied to `execution.result`.
   */
  async finish(execution: FinishedExecution, suspended?: SuspendedExecution): Promise<void> {
    this.#stop();
    const { result } = execution;
    let tooLarge: FinishReply | undefined;
    if (suspended) {
      // Checked here too: a state this large would not fit in the RPC message that carries it. Past the cap the
      // session stopped recording (src/sandbox/live-execution.ts) and says how much there was.
      const chars = suspended.recordedTooLarge ?? JSON.stringify(suspended).length;
      if (chars > APPROVAL_MAX_STATE_CHARS) tooLarge = { unresumable: approvalTooLarge(chars) };
    }
    if (tooLarge) settleSuspension(result, tooLarge);
    const reply = await this.#user.finishExecution({
      lease: this.#lease,
      session: this.#session,
      execution: { ...execution, result: forHistory(result) },
      ...(suspended && !tooLarge ? { suspended } : {}),
    });
    settleSuspension(result, reply);
  }

  /** Releases the slot without recording anything, unless finish() already did (safe to call in `finally`). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#stop();
    await this.#user.finishExecution({ lease: this.#lease, session: this.#session });
  }

  #stop(): void {
    this.#released = true;
    clearInterval(this.#renewal);
    clearTimeout(this.#listing);
  }
}
