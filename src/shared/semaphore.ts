/**
 * @module shared/semaphore
 * A FIFO counting semaphore with a bounded queue: waiters are served in arrival order (fair), and when the queue
 * is full `acquire` fails at once instead of letting work pile up without limit.
 */

export class QueueFullError extends Error {
  override name = "QueueFullError";
}

export class Semaphore {
  readonly limit: number;
  readonly maxQueue: number;
  #active = 0;
  #queue: Array<() => void> = [];

  constructor(limit: number, maxQueue = Number.POSITIVE_INFINITY) {
    this.limit = limit;
    this.maxQueue = maxQueue;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with a release function once a slot is free; throws {@link QueueFullError} when the queue is full. */
  async acquire(): Promise<() => void> {
    if (this.#active < this.limit) {
      this.#active++;
      return this.#releaser();
    }
    if (this.#queue.length >= this.maxQueue) {
      throw new QueueFullError(`${this.#active} running and ${this.#queue.length} waiting`);
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
    return this.#releaser();
  }

  /** Runs `fn` holding one slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else this.#active--;
    };
  }
}
