import type { SearchHit } from "./search-types";

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list contributes 1 / (k + rank) for every key it ranks
 * (rank 1-based). Only ranks are used, so BM25 scores and cosine similarities, which live on unrelated scales, can
 * be combined without calibration. k = 60 is the paper's default; a larger k flattens the head of each list.
 *
 * Returns every key of either list, best first, with the fused value as `score`. Ties keep the order of first
 * appearance (lexical list first), so the result is deterministic.
 */
export function fuseRankings(lexical: readonly SearchHit[], semantic: readonly SearchHit[], k = 60): SearchHit[] {
  if (!(k >= 0) || !Number.isFinite(k)) throw new RangeError(`fuseRankings: k must be a finite number >= 0, got ${k}`);
  const fused = new Map<string, { score: number; order: number }>();
  for (const list of [lexical, semantic]) {
    const seen = new Set<string>();
    list.forEach((hit, i) => {
      // A key listed twice in one ranking counts once, at its best rank.
      if (seen.has(hit.key)) return;
      seen.add(hit.key);
      const entry = fused.get(hit.key);
      const contribution = 1 / (k + i + 1);
      if (entry) entry.score += contribution;
      else fused.set(hit.key, { score: contribution, order: fused.size });
    });
  }
  return [...fused]
    .sort(([, a], [, b]) => b.score - a.score || a.order - b.order)
    .map(([key, { score }]) => ({ key, score }));
}
