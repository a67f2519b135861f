/**
 * @module sandbox/run-gate
 * Isolate-wide admission of sandbox runs, fair across users. Every session object in an isolate shares one thread
 * (locally, all of them), so without a gate a user who starts 16 executions at once slows each of another user's
 * executions roughly 17-fold, and a batch of equal executions all finish together at the end, in one wave.
 *
 * At most `capacity` runs hold a slot at once. When one ends, the slot goes to the waiting user with the fewest
 * runs in progress (the user who has waited longest among equals), then that user moves to the back: a user with
 * many executions queued gets the slots others leave unused, never ahead of them. While several users are active
 * (running, waiting, or asking within the last `activeMs`), each holds at most an equal share of the slots
 * (`capacity` / active users, rounded up, and always one): a heavy user's runs would otherwise fill every slot a light
 * user's run frees and finishes, and the light user waits for one of them to end. Alone, a user has every slot.
 * Measured with bench scenario 7b (10 light users, one heavy): the light users' p95 beside the heavy user went from
 * 2.4-2.8x their p95 alone to 1.5-1.7x. A run holds its slot for at most
 * `maxHoldMs`: one that waits on a slow upstream or on a human (approval) stops counting then, so it cannot keep
 * others out; the gate spreads CPU-bound work, it does not bound how long anything runs.
 *
 * A run that ends in another Durable Object releases its slot from that object's request context, and workerd does
 * not deliver a promise resolved there to the waiter's context until something else wakes that one (measured: 1,000
 * executions through the gate ran at 9/s waking only on a 1 s timer, against 32/s ungated). So each waiter comes
 * with a `wake` that reaches its own object (the session object answers an RPC by calling {@link RunGate.wake}), and
 * re-checks on a slow timer in case that call is lost.
 */

/** Runs that hold a slot at once, per isolate. */
export const RUN_GATE_CAPACITY = 6;
/** Longest a run counts against the gate. */
export const RUN_GATE_MAX_HOLD_MS = 2_000;
/** A user who asked for a slot this recently still counts towards the share of each active user. */
export const RUN_GATE_ACTIVE_MS = 1_000;
/** Waiters beyond this are refused at once rather than queued without limit. */
export const RUN_GATE_MAX_QUEUE = 10_000;
/** How often a waiter re-checks whether it was granted a slot, in case its wake-up call was lost. */
const RECHECK_MS = 500;

interface Waiter {
  granted: boolean;
  /** Where the waiter runs (its Durable Object's name): {@link RunGate.wake} resolves the waiters of one place. */
  place: string;
  /** Calls into the waiter's own context, which then calls {@link RunGate.wake}; absent: resolve directly. */
  notify?: () => void;
  resolve?: () => void;
  /** The slot it was granted: it counts from the grant, so a waiter that never wakes still gives it back. */
  hold?: Hold;
}

interface Hold {
  since: number;
  timer?: ReturnType<typeof setTimeout>;
  release: () => void;
}

/** Thrown by {@link RunGate.admit} when the queue is full. */
export class GateFullError extends Error {
  override name = "GateFullError";
}

export class RunGate {
  readonly #capacity: number;
  readonly #maxHoldMs: number;
  readonly #maxQueue: number;
  readonly #activeMs: number;
  /** Slots held, by user. */
  readonly #running = new Map<string, number>();
  #held = 0;
  /** Waiters by user, in arrival order; the Map's order is the round-robin order of users. */
  readonly #queues = new Map<string, Waiter[]>();
  #waiting = 0;
  /** Slots held, with when they were granted (at most `capacity`, plus runs past their hold that never ended). */
  readonly #holds = new Set<Hold>();
  /** When each user last asked for a slot; users idle for activeMs with nothing running or waiting are dropped. */
  readonly #seen = new Map<string, number>();
  /** Waiters still waiting for their wake-up (bounded by maxQueue). */
  readonly #asleep = new Set<Waiter>();

  constructor(
    capacity = RUN_GATE_CAPACITY,
    maxHoldMs = RUN_GATE_MAX_HOLD_MS,
    maxQueue = RUN_GATE_MAX_QUEUE,
    activeMs = RUN_GATE_ACTIVE_MS,
  ) {
    this.#capacity = capacity;
    this.#maxHoldMs = maxHoldMs;
    this.#maxQueue = maxQueue;
    this.#activeMs = activeMs;
  }

  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Resolves with a release function once `user` may run; throws {@link GateFullError} when the queue is full.
   * `place` names the caller's context and `notify` reaches into it (see the module comment).
   */
  async admit(user: string, place = "", notify?: () => void): Promise<() => void> {
    this.#expire();
    this.#seen.set(user, Date.now());
    if (this.#held < this.#capacity && this.#waiting === 0 && this.#withinShare(user, this.#share())) {
      return this.#arm(this.#take(user));
    }
    if (this.#waiting >= this.#maxQueue) {
      throw new GateFullError(
        `the gateway is busy: ${this.#held} executions are running and ${this.#waiting} are waiting to start; try again shortly`,
      );
    }
    const waiter: Waiter = { granted: false, place, ...(notify ? { notify } : {}) };
    this.#asleep.add(waiter);
    const queue = this.#queues.get(user);
    if (queue) queue.push(waiter);
    else this.#queues.set(user, [waiter]);
    this.#waiting++;
    // Others' runs may be waiting only for their share: a slot left free is this user's if within theirs.
    this.#next();
    try {
      while (!waiter.granted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RECHECK_MS);
          waiter.resolve = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#expire();
        // Users who went idle no longer count: their share of the free slots goes to those still waiting.
        this.#next();
      }
    } finally {
      this.#asleep.delete(waiter);
    }
    return this.#arm(waiter.hold!);
  }

  /** Wakes the granted waiters of `place`; called from that place's own context. */
  wake(place: string): void {
    for (const waiter of this.#asleep) if (waiter.granted && waiter.place === place) waiter.resolve?.();
  }

  /**
   * Counts a slot as `user`'s from now until released, at most maxHoldMs (see {@link RunGate.#expire}). `onRelease`
   * runs when it is released, by its holder or by expiry.
   */
  #take(user: string, onRelease?: () => void): Hold {
    this.#held++;
    this.#running.set(user, (this.#running.get(user) ?? 0) + 1);
    let released = false;
    const hold: Hold = {
      since: Date.now(),
      release: () => {
        if (released) return;
        released = true;
        clearTimeout(hold.timer);
        this.#holds.delete(hold);
        this.#held--;
        const left = (this.#running.get(user) ?? 1) - 1;
        if (left > 0) this.#running.set(user, left);
        else this.#running.delete(user);
        onRelease?.();
        this.#next();
      },
    };
    this.#holds.add(hold);
    return hold;
  }

  /** Times the hold out in the holder's own context (a timer set in the granting context may never fire). */
  #arm(hold: Hold): () => void {
    const left = this.#maxHoldMs - (Date.now() - hold.since);
    hold.timer = setTimeout(hold.release, Math.min(this.#maxHoldMs, Math.max(0, left)));
    return hold.release;
  }

  /**
   * Releases slots held past maxHoldMs. The hold timer does that on time, but it runs in the holder's context, and a
   * context that was aborted (its object reset mid-run) never fires it, and a waiter granted a slot in a context
   * that was aborted never sets it: the next admission or waiter re-check does.
   */
  #expire(): void {
    const now = Date.now();
    for (const hold of this.#holds) if (now - hold.since >= this.#maxHoldMs) hold.release();
  }

  /** The most slots one user may hold now: an equal share among the active users, at least one. */
  #share(): number {
    const now = Date.now();
    for (const [user, at] of this.#seen) {
      if (now - at > this.#activeMs && !this.#running.has(user) && !this.#queues.has(user)) this.#seen.delete(user);
    }
    return Math.max(1, Math.ceil(this.#capacity / Math.max(1, this.#seen.size)));
  }

  #withinShare(user: string, share: number): boolean {
    return (this.#running.get(user) ?? 0) < share;
  }

  /**
   * Hands free slots to waiters within their share: the user with the fewest runs in progress first, round-robin
   * among equals.
   */
  #next(): void {
    if (this.#waiting === 0) return;
    const share = this.#share();
    while (this.#held < this.#capacity && this.#waiting > 0) {
      let chosen: string | undefined;
      let fewest = Number.POSITIVE_INFINITY;
      for (const user of this.#queues.keys()) {
        const running = this.#running.get(user) ?? 0;
        if (running < fewest && running < share) {
          fewest = running;
          chosen = user;
        }
      }
      if (chosen === undefined) return;
      const queue = this.#queues.get(chosen)!;
      const waiter = queue.shift()!;
      this.#queues.delete(chosen);
      if (queue.length > 0) this.#queues.set(chosen, queue);
      this.#waiting--;
      // A waiter whose context is gone never wakes: expiry releases its slot and forgets it.
      waiter.hold = this.#take(chosen, () => this.#asleep.delete(waiter));
      waiter.granted = true;
      if (waiter.notify) waiter.notify();
      else waiter.resolve?.();
    }
  }
}

/** The gate of this isolate, shared by every session object in it. */
export const runGate = new RunGate();
