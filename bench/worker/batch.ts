/**
 * @module bench/worker/batch
 * A timed batch of runs inside workerd, where the clock advances only on I/O and in whole milliseconds: the time of
 * the batch divided by its size, and how many runs gave a wrong answer or an error.
 */

/** One timed batch: mean milliseconds per operation, and how many runs gave a wrong answer or an error. */
export interface BatchTiming {
  ms: number;
  runs: number;
  failures: number;
  error?: string;
}

export type RunOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** Whether two answers are the same plain data. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `runs` runs one after another, each answer checked against `expect`. */
export async function runBatch(runs: number, expect: unknown, run: () => Promise<RunOutcome>): Promise<BatchTiming> {
  let failures = 0;
  let error: string | undefined;
  const started = Date.now();
  for (let k = 0; k < runs; k++) {
    const r = await run();
    if (!r.ok || !same(r.value, expect)) {
      failures++;
      error ??= r.ok ? `wrong result ${JSON.stringify(r.value)?.slice(0, 200)}` : r.error;
    }
  }
  return { ms: (Date.now() - started) / runs, runs, failures, ...(error ? { error } : {}) };
}
