/**
 * Tool search: a pure lexical BM25F ranker with abstention (runs anywhere, including Workers), plus optional
 * helpers to fuse it with an embedding ranking.
 */
export { type AnalyzedQuery, analyze, analyzeQuery, type QueryTerm } from "./analyze.js";
export { DEFAULT_RANKER_CONFIG, type FieldName, type RankerConfig, resolveRankerConfig } from "./ranker-config.js";
export { type ToolForSearch, toSearchDoc } from "./search-doc.js";
export { buildSearchIndex } from "./search-index.js";
export type { SearchDoc, SearchHit, SearchIndex, SearchOptions, SearchResult } from "./search-types.js";
export { stem } from "./stem.js";
export { foldAccents, splitIdentifier, tokenize } from "./tokenize.js";
