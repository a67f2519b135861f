/**
 * @module planning/task-clock
 * The time budget of one run_task (`timeout_ms`) and the per-step report. Every wait of the pipeline goes through
 * {@link TaskClock.within}, so the budget holds even for work that cannot be cancelled (it is left behind, not
 * awaited).
 */
import type { ChatAnswer } from "./model-client";
import type { TaskStep, TaskStepName } from "./task-types";

/** The pipeline ran out of its `timeout_ms`. */
export class TaskTimeoutError extends Error {
  override readonly name = "TaskTimeoutError";
}

/** The client cancelled the run_task request: nothing more is started for it. */
export class TaskCancelledError extends Error {
  override readonly name = "TaskCancelledError";
}

export class TaskClock {
  readonly startedAt = Date.now();
  readonly steps: TaskStep[] = [];
  readonly tokens = { input: 0, output: 0 };
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #deadline: number;
  readonly #outer: AbortSignal | undefined;
  readonly #onCancel = () => this.#controller.abort(new TaskCancelledError("the client cancelled run_task"));

  /** `outer` is the request's own signal: a client that cancels stops the pipeline like a timeout does. */
  constructor(
    readonly timeoutMs: number,
    outer?: AbortSignal,
  ) {
    this.#deadline = this.startedAt + timeoutMs;
    this.#timer = setTimeout(
      () => this.#controller.abort(new TaskTimeoutError(`run_task ran out of its ${timeoutMs} ms (timeout_ms)`)),
      timeoutMs,
    );
    this.#outer = outer;
    if (outer?.aborted) this.#onCancel();
    else outer?.addEventListener("abort", this.#onCancel, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** `work`, or the timeout error as soon as the budget is spent. */
  within<T>(work: Promise<T>): Promise<T> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  /** Times `work` as one step of the report, adding the tokens of the model answers it returns. */
  async step<T>(
    name: TaskStepName,
    work: () => Promise<T>,
    answers?: (value: T) => readonly ChatAnswer[],
    attempt?: number,
  ): Promise<T> {
    const started = Date.now();
    const value = await this.within(work());
    const used = answers?.(value) ?? [];
    const tokens = used.reduce((t, a) => ({ input: t.input + a.tokens.input, output: t.output + a.tokens.output }), {
      input: 0,
      output: 0,
    });
    this.tokens.input += tokens.input;
    this.tokens.output += tokens.output;
    this.steps.push({
      step: name,
      ...(attempt ? { attempt } : {}),
      ms: Date.now() - started,
      ...(used[0] ? { model: used[0].model, tokens } : {}),
    });
    return value;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this.#onCancel);
  }
}
