/**
 * @module sandbox/tool-event-pacer
 * Paces an execution's tool-call events for the client. Each call is two events (`tool_start`, `tool_end`), each a
 * notification, so a program calling tools in a loop streamed two notifications per call: 2,000 for a 1,000-call
 * loop, about 12% of the host's time per call to the built-in workspace (an interleaved A/B of `toolCallCost` in
 * bench/scenarios/tool-call.ts: 0.43-0.44 ms per call without them against 0.47-0.51 ms), and a flood of lines no
 * reader follows. Now the first {@link TOOL_EVENT_BURST} tool events of each {@link TOOL_EVENT_WINDOW_MS} pass one
 * by one; past that a call's end is counted, and the window's count goes out as one `tool_calls` event per tool when
 * the window closes, before any other event (so the client still sees everything in order) and when the execution
 * ends. A start past the burst is only implied by its end. The history (`get_execution`) still lists every call.
 */
import type { ExecutionEvent } from "./execution-events";

/** Tool events (starts and ends) passed one by one per window; one call is two. */
export const TOOL_EVENT_BURST = 20;
/** How long a window lasts; its summaries go out when it closes. */
export const TOOL_EVENT_WINDOW_MS = 1_000;

/** The calls of one tool that ended in one window past the burst. */
interface Tally {
  server: string;
  tool: string;
  ended: number;
  failed: number;
  ms: number;
  firstError?: string;
}

export class ToolEventPacer {
  readonly #sink: (event: ExecutionEvent) => void;
  readonly #now: () => number;
  /** Keyed by server and tool name together: both come from upstreams, so a Map, never a plain object. */
  readonly #tallies = new Map<string, Tally>();
  #windowStart: number;
  #passed = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;

  constructor(sink: (event: ExecutionEvent) => void, now: () => number = Date.now) {
    this.#sink = sink;
    this.#now = now;
    this.#windowStart = now();
  }

  emit(event: ExecutionEvent): void {
    if (this.#finished) return;
    if (event.type !== "tool_start" && event.type !== "tool_end") {
      this.#flush();
      this.#sink(event);
      return;
    }
    const now = this.#now();
    if (now - this.#windowStart >= TOOL_EVENT_WINDOW_MS) {
      this.#flush();
      this.#windowStart = now;
      this.#passed = 0;
    }
    if (this.#passed < TOOL_EVENT_BURST && this.#tallies.size === 0) {
      this.#passed++;
      this.#sink(event);
      return;
    }
    if (event.type === "tool_start") return;
    // JSON of the pair, not a joined string: upstream names may hold any character, a separator included.
    const key = JSON.stringify([event.server, event.tool]);
    let tally = this.#tallies.get(key);
    if (!tally) {
      tally = { server: event.server, tool: event.tool, ended: 0, failed: 0, ms: 0 };
      this.#tallies.set(key, tally);
    }
    tally.ended++;
    tally.ms += event.ms;
    if (event.status !== "ok") {
      tally.failed++;
      tally.firstError ??= event.error ?? event.status;
    }
    this.#timer ??= setTimeout(
      () => {
        this.#timer = undefined;
        this.#flush();
      },
      Math.max(0, this.#windowStart + TOOL_EVENT_WINDOW_MS - now),
    );
  }

  /** Sends what is counted; later events are ignored. */
  finish(): void {
    if (this.#finished) return;
    this.#flush();
    this.#finished = true;
  }

  #flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#tallies.size === 0) return;
    const tallies = [...this.#tallies.values()];
    this.#tallies.clear();
    for (const t of tallies) {
      this.#sink({
        type: "tool_calls",
        server: t.server,
        tool: t.tool,
        ended: t.ended,
        failed: t.failed,
        ms: t.ms,
        ...(t.firstError === undefined ? {} : { firstError: t.firstError }),
      });
    }
  }
}
