/**
 * @module bench/lib/stats
 * Summary statistics for timings: medians and p95 (nearest rank), and ratios measured pair by pair, because on a
 * shared, noisy machine only numbers taken side by side in the same moment compare fairly.
 */

/** The q-quantile (0..1) by nearest rank; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);
export const p95 = (samples: readonly number[]): number => quantile(samples, 0.95);

/** Rounds for reports: 3 significant digits below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

export interface Summary {
  n: number;
  p50_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50_ms: round(median(samples)),
    p95_ms: round(p95(samples)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
  };
}

/** Ratios a[i] / b[i] of samples taken as pairs. */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`pairRatios: ${a.length} vs ${b.length} samples`);
  return a.map((x, i) => x / b[i]!).filter((r) => Number.isFinite(r));
}

/** Wall-clock milliseconds of an async operation (high resolution). */
export async function time<T>(op: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await op();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}
