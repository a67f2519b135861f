/**
 * @module scope/dropped-summary
 * What an execution's reply says about the bindings it did not keep, bounded: the first MAX_LISTED_DROPPED by name
 * with the reason, then the rest counted per reason (the most frequent MAX_DROPPED_REASONS reasons, the others as
 * one count). A program declaring 49,665 names once got a 9.8 MB reply listing every eviction.
 */
import type { DroppedBinding } from "./scope-store";

export const MAX_LISTED_DROPPED = 20;
export const MAX_DROPPED_REASONS = 10;

/** The dropped bindings as a reply carries them. */
export interface DroppedSummary {
  /** The first MAX_LISTED_DROPPED, by name with the reason. */
  dropped: DroppedBinding[];
  /** All of them, when more than are listed. */
  dropped_total?: number;
  /** Those not listed, counted per reason, most frequent first; `reason: null` counts the rarer reasons together. */
  dropped_more?: Array<{ reason: string | null; count: number }>;
}

export function summarizeDropped(all: readonly DroppedBinding[]): DroppedSummary {
  if (all.length <= MAX_LISTED_DROPPED) return { dropped: [...all] };
  // Reasons are keys from outside (a value's own error text can be part of one): a Map, never an object.
  const counts = new Map<string, number>();
  for (const d of all.slice(MAX_LISTED_DROPPED)) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const more: Array<{ reason: string | null; count: number }> = ranked
    .slice(0, MAX_DROPPED_REASONS)
    .map(([reason, count]) => ({ reason, count }));
  const others = ranked.slice(MAX_DROPPED_REASONS).reduce((sum, [, count]) => sum + count, 0);
  if (others) more.push({ reason: null, count: others });
  return { dropped: all.slice(0, MAX_LISTED_DROPPED), dropped_total: all.length, dropped_more: more };
}

/** The text lines for the reply: one per listed binding, then one counting the rest per reason. */
export function renderDropped(scope: DroppedSummary): string[] {
  const strip = (reason: string) => reason.replace(/^not kept: /, "");
  const lines = scope.dropped.map((d) => `  ${d.name}: ${strip(d.reason)}`);
  if (scope.dropped_total !== undefined && scope.dropped_total > scope.dropped.length) {
    const n = (x: number) => x.toLocaleString("en-US");
    const groups = (scope.dropped_more ?? []).map(
      (g) => `${n(g.count)} ${g.reason === null ? "for other reasons" : strip(g.reason)}`,
    );
    lines.push(`  and ${n(scope.dropped_total - scope.dropped.length)} more: ${groups.join("; ")}`);
  }
  return lines;
}
