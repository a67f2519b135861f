/**
 * @module user/execution-slot
 * The session's side of one execution slot among the user's (src/user/execution-leases.ts): taken before the
 * execution starts, renewed while it runs, and released in the same round trip that records the execution.
 */
import type { FinishReply, UserApi } from "./user-object";
import type { FinishedExecution, SuspendedExecution } from "./user-types";

export class ExecutionSlot {
  readonly #user: UserApi;
  readonly #session: string;
  readonly #lease: string;
  readonly #renewal: ReturnType<typeof setInterval>;
  #released = false;

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

  /** Releases the slot and records the execution; a suspended one gets its approval handle (or the reason not). */
  async finish(execution: FinishedExecution, suspended?: SuspendedExecution): Promise<FinishReply> {
    this.#stop();
    return this.#user.finishExecution({
      lease: this.#lease,
      session: this.#session,
      execution,
      ...(suspended ? { suspended } : {}),
    });
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
  }
}
