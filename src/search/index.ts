/**
 * Tool search: a pure lexical BM25F ranker with abstention (no I/O, runs in Workers), plus an optional semantic
 * layer (embedding cosine ranking with an injected embed function), fused with the lexical one by reciprocal rank,
 * with abstention judged on meaning (`hybrid.ts`).
 */
export { analyze, analyzeQuery } from "./analyze";
export {
  type EmbeddingQueryOptions,
  EmbeddingSearch,
  type EmbeddingSearchOptions,
  type EmbedFunction,
  type StoredVector,
  searchDocText,
} from "./embedding-search";
export { fuseRankings } from "./fusion";
export { calibrateMinScore, type HybridSearchOptions, hybridSearch, hybridSearchVector, RESCUE_MARGIN } from "./hybrid";
export { OFF_TOPIC_PROBES } from "./off-topic-probes";
export {
  DEFAULT_RANKER_CONFIG,
  type FieldName,
  type RankerConfig,
  type RankerConfigOverride,
  resolveRankerConfig,
} from "./ranker-config";
export { type ToolForSearch, toSearchDoc } from "./search-doc";
export { buildSearchIndex } from "./search-index";
export type { SearchDoc, SearchHit, SearchIndex, SearchOptions, SearchResult } from "./search-types";
export { stem } from "./stem";
export { foldAccents, tokenize } from "./tokenize";
