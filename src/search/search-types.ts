/**
 * Public types of the tool-search module. The module is pure (no I/O, no `node:` imports) so the same code runs in
 * the Worker, in unit tests and in the offline evaluation CLI.
 */

/** One searchable item: an upstream tool or a skill, flattened to the text fields the ranker reads. */
export interface SearchDoc {
  /** Caller-chosen unique id returned in hits (the gateway uses `server/tool`). */
  key: string;
  kind: "tool" | "skill";
  /** Server (or skill collection) name; weak evidence, shared by every tool of the server. */
  server: string;
  serverDescription?: string;
  /** Tool name as listed upstream; split on camelCase, `_`, `-` and `.` before indexing. */
  name: string;
  description?: string;
  /** Input parameters: names and descriptions (enum values may be folded into the description). */
  params?: Array<{ name: string; description?: string }>;
  tags?: string[];
}

/** One ranked result. Scores are comparable within one query only. */
export interface SearchHit {
  key: string;
  score: number;
}

export interface SearchOptions {
  /** Maximum number of hits (default 10). */
  limit?: number;
  /** Keep only keys for which this returns true (applied before `limit`). */
  filter?: (key: string) => boolean;
}

export interface SearchResult {
  /** Best first; empty when `abstained`. */
  hits: SearchHit[];
  /** True when nothing in the index really matches the query (then `hits` is empty). */
  abstained: boolean;
}

/** An immutable in-memory index over a fixed set of documents. */
export interface SearchIndex {
  /** Number of indexed documents. */
  readonly size: number;
  search(query: string, options?: SearchOptions): SearchResult;
}
