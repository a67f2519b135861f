/**
 * @module sandbox/notification-budget
 * The host's output budget for one execution's live notifications (`max_notification_bytes`): progress, console
 * lines and tool-call events together. Within it every event passes, in order. Past it events are counted and not
 * sent, and the last progress value is kept; {@link NotificationBudget.finish} then sends that value and one
 * announcement of what was dropped, before the result. A progress flood once streamed 22 MB of notifications to the
 * client and held the session's thread while doing it; the sandbox coalesces the same way, this counts again.
 *
 * Past the budget, one short progress notification a second (`still_running`) still goes out while events keep
 * coming, so a client that resets its request timeout on progress does not give up on a long batch job.
 */
import type { ExecutionEvent } from "./execution-events";

/** Budget cost of one event beyond its text: the JSON-RPC envelope of the notification the client receives. */
export const NOTIFICATION_OVERHEAD_BYTES = 128;
/** Past the budget, the least time between two `still_running` notifications. */
export const STILL_RUNNING_INTERVAL_MS = 1_000;

/**
 * What the budget charges for one event: a console line is one notification; progress and tool-call events are two
 * (`notifications/progress` and `notifications/message`), each carrying the text.
 */
export function eventBytes(event: ExecutionEvent): number {
  switch (event.type) {
    case "log":
      return NOTIFICATION_OVERHEAD_BYTES + event.line.length;
    case "progress":
      return 2 * (NOTIFICATION_OVERHEAD_BYTES + (event.message?.length ?? 0));
    case "tool_start":
      return 2 * (NOTIFICATION_OVERHEAD_BYTES + event.server.length + event.tool.length);
    case "tool_end":
      return 2 * (NOTIFICATION_OVERHEAD_BYTES + event.server.length + event.tool.length + (event.error?.length ?? 0));
    case "tool_calls":
      return (
        2 *
        (NOTIFICATION_OVERHEAD_BYTES + 64 + event.server.length + event.tool.length + (event.firstError?.length ?? 0))
      );
    case "dropped":
    case "still_running":
    case "waiting":
      return 2 * NOTIFICATION_OVERHEAD_BYTES;
  }
}

export class NotificationBudget {
  readonly #max: number;
  readonly #sink: (event: ExecutionEvent) => void;
  #used = 0;
  #dropped = 0;
  #droppedBytes = 0;
  #lastProgress: Extract<ExecutionEvent, { type: "progress" }> | undefined;
  #finished = false;
  #lastSentAt: number;
  readonly #now: () => number;

  constructor(maxBytes: number, sink: (event: ExecutionEvent) => void, now: () => number = Date.now) {
    this.#max = maxBytes;
    this.#sink = sink;
    this.#now = now;
    this.#lastSentAt = now();
  }

  /** Bytes charged so far (sent events only). */
  get used(): number {
    return this.#used;
  }

  /** Passes the event on within the budget; past it, counts it (and keeps it if it is a progress value). */
  emit(event: ExecutionEvent): void {
    if (this.#finished) return;
    if (event.type === "dropped") {
      // The sandbox's own count of what it dropped before sending: announced once, with the host's, at the end.
      this.#dropped += event.events;
      this.#droppedBytes += event.bytes;
      return;
    }
    const bytes = eventBytes(event);
    if (this.#used + bytes > this.#max) {
      this.#dropped++;
      this.#droppedBytes += bytes;
      if (event.type === "progress") this.#lastProgress = event;
      if (this.#now() - this.#lastSentAt >= STILL_RUNNING_INTERVAL_MS) {
        this.#lastSentAt = this.#now();
        this.#sink({ type: "still_running", dropped: this.#dropped });
      }
      return;
    }
    this.#used += bytes;
    this.#lastSentAt = this.#now();
    if (event.type === "progress") this.#lastProgress = undefined;
    this.#sink(event);
  }

  /** Sends the last progress value that was dropped and the announcement; later events are ignored. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#lastProgress) this.#sink(this.#lastProgress);
    if (this.#dropped > 0) {
      this.#sink({ type: "dropped", events: this.#dropped, bytes: this.#droppedBytes, limit: this.#max });
    }
  }
}
