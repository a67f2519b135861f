/**
 * @module user/execution-slots
 * Taking one of the user's execution slots (`limits.max_concurrent_executions_per_user`, leases in
 * src/user/execution-leases.ts), waiting for one when all are in use. An execution over the limit waits in the
 * user object, in arrival order, for at most `limits.execution_timeout_ms`, behind at most
 * `limits.max_queued_executions_per_user` others; only past those does execute_code answer "busy, retry shortly".
 *
 * Waiting here instead of refusing at once spares the client a retry loop, and the gateway the cost of every retry:
 * in bench scenario 7b a heavy user's 32 concurrent requests against 16 slots were refused and retried about 60
 * times a second, each a full MCP request, and those refusals cost the light users as much as the heavy user's
 * executions did. With `max_queued_executions_per_user = 0` the old behaviour (refuse at once) remains.
 */
import type { Limits } from "../config";
import type { ExecutionLeases } from "./execution-leases";

/** How often a waiter looks again without being woken: a lease that expired (its session died) frees a slot silently. */
const RECHECK_MS = 1_000;

export type SlotTake = { ok: true; lease: string } | { ok: false; error: string };

type SlotLimits = Pick<
  Limits,
  | "max_concurrent_executions_per_user"
  | "max_queued_executions_per_user"
  | "execution_lease_ms"
  | "execution_timeout_ms"
>;

interface Waiter {
  /** A release woke it and it has not looked yet: the next release wakes the one behind it. */
  woken: boolean;
  wake?: () => void;
}

export class ExecutionSlots {
  readonly #leases: ExecutionLeases;
  /** Executions waiting for a slot, in arrival order (at most max_queued_executions_per_user). */
  readonly #waiters: Waiter[] = [];

  constructor(leases: ExecutionLeases) {
    this.#leases = leases;
  }

  /** Executions waiting for a slot now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** A lease on one of the user's slots for the session object `session`, waiting for one if need be. */
  async take(session: string, limits: SlotLimits): Promise<SlotTake> {
    const {
      max_concurrent_executions_per_user: limit,
      max_queued_executions_per_user: maxQueued,
      execution_lease_ms: leaseMs,
      execution_timeout_ms: waitMs,
    } = limits;
    // Others already waiting go first.
    if (this.#waiters.length === 0) {
      const grant = this.#leases.acquire(session, limit, leaseMs);
      if (grant.ok) return grant;
      if (maxQueued === 0) {
        return {
          ok: false,
          error: `busy, retry shortly: ${grant.running} executions of this user are already running across its sessions (limits.max_concurrent_executions_per_user is ${limit})`,
        };
      }
    }
    if (this.#waiters.length >= maxQueued) {
      return {
        ok: false,
        error: `busy, retry shortly: ${limit} executions of this user are already running across its sessions and ${this.#waiters.length} more are waiting (limits.max_concurrent_executions_per_user is ${limit}, limits.max_queued_executions_per_user is ${maxQueued})`,
      };
    }
    const waiter: Waiter = { woken: false };
    this.#waiters.push(waiter);
    const deadline = Date.now() + waitMs;
    try {
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) {
          return {
            ok: false,
            error: `busy, retry shortly: waited ${waitMs / 1000} s for one of this user's ${limit} execution slots, all still in use by other executions (limits.max_concurrent_executions_per_user is ${limit}, limits.execution_timeout_ms is ${waitMs})`,
          };
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(RECHECK_MS, left));
          waiter.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiter.woken = false;
        const grant = this.#leases.acquire(session, limit, leaseMs);
        if (grant.ok) return grant;
      }
    } finally {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    }
  }

  /** Frees a slot and wakes the first waiter a release has not woken yet. */
  release(lease: string): void {
    this.#leases.release(lease);
    this.#wakeNext();
  }

  #wakeNext(): void {
    const next = this.#waiters.find((w) => !w.woken);
    if (next) {
      next.woken = true;
      next.wake?.();
    }
  }
}
