/**
 * @module sandbox/run-deadline
 * The timeout of one execution: a timer that resolves "timeout" once the program has run `timeoutMs`, not counting
 * the time it waited for a human (approval by elicitation, `waitedMs()`). The timer runs on the thread the program
 * occupies (locally, all isolates share it), so it fires only between the program's steps: when it fires late, the
 * thread was busy with the program's own synchronous work, whose answer may already be on its way, and that answer
 * gets as long again to arrive before the timeout wins (src/sandbox/executor.ts then keeps the result and warns that
 * it overran).
 */

/** A deadline timer firing this much later than due means the thread was busy; the answer gets as long again. */
export const LATE_TIMER_MS = 50;

export interface RunDeadline {
  /** Resolves "timeout" when the program has run out of time; never rejects. */
  expired: Promise<"timeout">;
  /** Stops the timer (the run ended first). */
  cancel(): void;
}

/** Starts the deadline of a run that started at `runStarted` (Date.now()). */
export function runDeadline(runStarted: number, timeoutMs: number, waitedMs: () => number): RunDeadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"timeout">((resolve) => {
    let due = runStarted + timeoutMs;
    let graced = false;
    const check = () => {
      const now = Date.now();
      const left = runStarted + timeoutMs + waitedMs() - now;
      if (left > 0) {
        due = now + left;
        timer = setTimeout(check, left);
      } else if (!graced && now - due > LATE_TIMER_MS) {
        graced = true;
        timer = setTimeout(check, LATE_TIMER_MS);
      } else {
        resolve("timeout");
      }
    };
    timer = setTimeout(check, timeoutMs);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}
