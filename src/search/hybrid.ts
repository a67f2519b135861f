import type { EmbeddingSearch } from "./embedding-search";
import { fuseRankings } from "./fusion";
import { OFF_TOPIC_PROBES } from "./off-topic-probes";
import type { SearchIndex, SearchOptions, SearchResult } from "./search-types";

/**
 * Hybrid tool search: the lexical BM25F ranking and the embedding cosine ranking, fused by reciprocal rank, with
 * abstention judged on meaning.
 *
 * Words alone cannot tell "the price of freedom according to philosophers" from a tool named `get_stock_price`:
 * both say "price". So the fused best tool must also be close in meaning to the query: its cosine similarity must
 * reach `minScore`. A tool
 * the lexical ranker found no real evidence for (it abstained) must clear the floor by `RESCUE_MARGIN`, so a query
 * that matches by meaning only ("umbrella" -> weather forecast) is still found, but on stronger semantic evidence.
 *
 * `minScore` depends on the embedding model (cosine scales differ widely between models). `calibrateMinScore`
 * derives it from the catalog itself: the median best similarity that off-topic questions reach.
 */

/** How much more similar a tool must be when only the semantic ranking vouches for it. */
export const RESCUE_MARGIN = 0.1;

const DEFAULT_LIMIT = 10;
/** Embedding models read a few hundred tokens at most; the head of a request says what it wants. */
const MAX_EMBEDDED_QUERY_CHARS = 2000;

export interface HybridSearchOptions extends SearchOptions {
  /** Cosine similarity the best tool must reach, or the search abstains. */
  minScore: number;
}

/** Embeds the query, then ranks as `hybridSearchVector`. */
export async function hybridSearch(
  lexical: SearchIndex,
  semantic: EmbeddingSearch,
  query: string,
  options: HybridSearchOptions,
): Promise<SearchResult> {
  const [vector] = await semantic.embedTexts([query.slice(0, MAX_EMBEDDED_QUERY_CHARS)]);
  return hybridSearchVector(lexical, semantic, query, vector!, options);
}

/** Hybrid ranking for a query whose embedding is already known. */
export function hybridSearchVector(
  lexical: SearchIndex,
  semantic: EmbeddingSearch,
  query: string,
  vector: ArrayLike<number>,
  options: HybridSearchOptions,
): SearchResult {
  const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_LIMIT));
  // Each ranking contributes its top `limit` (at least 10). Deeper pools let RRF promote tools that both rankings
  // place mid-list over a tool one of them ranks first, which measured worse (Hit@5 0.919 with 30 vs 0.932 with 10).
  const pool = Math.max(limit, 10);
  const filter = options.filter ? { filter: options.filter } : {};
  // When the lexical ranker abstains it returns no hits: its weak matches (a tool that merely shares "get") would
  // otherwise outrank the tool the meaning points to. Then the semantic ranking stands alone.
  const words = lexical.search(query, { limit: pool, ...filter });
  const meaning = semantic.searchVector(vector, { limit: pool, ...filter });
  const ranked = fuseRankings(words.hits, meaning.hits);
  const best = ranked[0];
  if (best === undefined) return { hits: [], abstained: true };
  const similarity = semantic.similarity(vector, best.key) ?? Number.NEGATIVE_INFINITY;
  const floor = words.abstained ? options.minScore + RESCUE_MARGIN : options.minScore;
  if (similarity < floor) return { hits: [], abstained: true };
  return { hits: ranked.slice(0, limit), abstained: false };
}

/**
 * The similarity floor for this catalog and model: the median, over off-topic probe questions, of the similarity
 * of each one's best tool. A real request should look more like its tool than a typical unrelated question does.
 *
 * The probes do not depend on the catalog, so a caller that recalibrates for every new catalog passes
 * `probeVectors` to embed them once per model; by default they are embedded here.
 */
export async function calibrateMinScore(
  semantic: EmbeddingSearch,
  probeVectors: () => Promise<ArrayLike<number>[]> = () => semantic.embedTexts([...OFF_TOPIC_PROBES]),
): Promise<number> {
  if (semantic.size === 0) return 0;
  const vectors = await probeVectors();
  if (vectors.length === 0) return 0;
  const best = vectors
    .map((v) => semantic.searchVector(v, { limit: 1 }).hits[0]?.score ?? Number.NEGATIVE_INFINITY)
    .sort((a, b) => a - b);
  const mid = best.length >> 1;
  return best.length % 2 === 1 ? best[mid]! : (best[mid - 1]! + best[mid]!) / 2;
}
