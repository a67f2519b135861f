import { type AnalyzedQuery, analyzeQuery } from "./analyze";
import { bigramId, buildPostings, type PostingsIndex } from "./postings";
import { type RankerConfig, type RankerConfigOverride, resolveRankerConfig } from "./ranker-config";
import type { SearchDoc, SearchIndex, SearchOptions, SearchResult } from "./search-types";
import { selectTop } from "./top-k";

/**
 * Query side of the BM25F index: weighted query terms (a word and its synonyms score as the best of the group, not
 * the sum), a bonus for query bigrams found as phrases, and abstention.
 *
 * Abstention looks at the best tool. Its "strength" is its score in units of the IDF of a word only one tool has
 * (about how many rare query words it matches well; one such word in a description scores ~1), and its "coverage"
 * is the IDF-weighted share of the query's content words it matches, directly or through a synonym. The search
 * abstains when both are low: a weak score alone is not enough, since in a large catalog a request made only of
 * common words ("remove the comment") legitimately matches tools with a low score; low coverage alone is not enough
 * either, since long, chatty requests that still name the right tool cover little of themselves.
 */

const DEFAULT_LIMIT = 10;
/** Longer queries are cut: a request is a sentence or a paragraph, and the cap bounds the work a caller can cause. */
const MAX_QUERY_CHARS = 8_000;

/** Builds the index. `config` is for experiments (evaluation CLI); production uses the defaults. */
export function buildSearchIndex(docs: readonly SearchDoc[], config?: RankerConfigOverride): SearchIndex {
  return new Bm25fIndex(docs, resolveRankerConfig(config));
}

class Bm25fIndex implements SearchIndex {
  readonly size: number;
  private readonly keys: string[];
  private readonly index: PostingsIndex;
  // Scratch buffers reused across queries: `search` is synchronous, so two queries never interleave.
  private readonly scores: Float64Array;
  /** Per tool, the best score already counted for the current word group. */
  private readonly groupScore: Float64Array;
  private readonly groupStamp: Int32Array;
  private readonly touchedFlag: Uint8Array;
  private stamp = 0;

  constructor(
    docs: readonly SearchDoc[],
    private readonly config: RankerConfig,
  ) {
    const n = docs.length;
    this.size = n;
    this.keys = docs.map((d) => d.key);
    this.index = buildPostings(docs, config);
    this.scores = new Float64Array(n);
    this.groupScore = new Float64Array(n);
    this.groupStamp = new Int32Array(n);
    this.touchedFlag = new Uint8Array(n);
  }

  search(query: string, options: SearchOptions = {}): SearchResult {
    const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const q = analyzeQuery(query.slice(0, MAX_QUERY_CHARS), this.config);
    const touched = this.accumulate(q);
    const { keys, scores } = this;
    const filter = options.filter;
    const accept = filter ? (d: number) => filter(keys[d]!) : undefined;
    // At least one candidate even for limit 0: abstention looks at the best tool.
    const top = selectTop(touched, scores, Math.max(limit, 1), accept);
    const best = top[0];
    if (best === undefined || this.abstains(q, best)) return { hits: [], abstained: true };
    return { hits: top.slice(0, limit).map((d) => ({ key: keys[d]!, score: scores[d]! })), abstained: false };
  }

  private abstains(q: AnalyzedQuery, top: number): boolean {
    if (this.scores[top]! / this.index.rareIdf >= this.config.minStrength) return false;
    return this.coverage(q, top) < this.config.minCoverage;
  }

  /** IDF-weighted share of the query's content words that tool `d` contains (a word no tool has counts as rare). */
  private coverage(q: AnalyzedQuery, d: number): number {
    const { vocab, postings, idf, rareIdf } = this.index;
    let total = 0;
    let matched = 0;
    q.words.forEach((word, g) => {
      if (q.wordFiller[g]) return;
      const id = vocab.get(word);
      const info = id === undefined ? rareIdf : idf[id]!;
      total += info;
      const hit = q.terms.some((t) => {
        const tid = t.group === g ? vocab.get(t.term) : undefined;
        return tid !== undefined && contains(postings[tid]!.docs, d);
      });
      if (hit) matched += info;
    });
    return total > 0 ? matched / total : 0;
  }

  /**
   * Adds each query term's contribution to `scores`; returns the ids of the tools touched.
   * Terms of one word group (a word and its synonyms) are processed together so a tool gets the best of the group,
   * not the sum.
   */
  private accumulate(q: AnalyzedQuery): number[] {
    const { scores, groupScore, groupStamp, touchedFlag } = this;
    const { vocab, postings, idf } = this.index;
    const touched: number[] = [];
    const terms = [...q.terms].sort((a, b) => a.group - b.group);
    for (const t of terms) {
      const id = vocab.get(t.term);
      if (id === undefined) continue;
      const p = postings[id]!;
      const termWeight = t.weight * idf[id]!;
      const stamp = this.stamp + t.group + 1;
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        if (!touchedFlag[d]) {
          touchedFlag[d] = 1;
          scores[d] = 0;
          touched.push(d);
        }
        if (groupStamp[d] !== stamp) {
          groupStamp[d] = stamp;
          groupScore[d] = 0;
        }
        const contribution = termWeight * p.weights[i]!;
        if (contribution > groupScore[d]!) {
          scores[d] = scores[d]! + contribution - groupScore[d]!;
          groupScore[d] = contribution;
        }
      }
    }
    this.advanceStamp(q.words.length + 1);
    this.addBigramBonus(q);
    for (const d of touched) touchedFlag[d] = 0;
    return touched;
  }

  /** A query bigram found as adjacent words in a tool's name or description: a phrase match, worth a bonus. */
  private addBigramBonus(q: AnalyzedQuery): void {
    const { bigramPostings, bigramIdf } = this.index;
    for (const [first, second] of q.bigrams) {
      const id = bigramId(this.index, first, second);
      if (id === undefined) continue;
      const p = bigramPostings[id]!;
      const bonus = this.config.bigramWeight * bigramIdf[id]!;
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        // Both words of the bigram matched, so the tool is already touched.
        if (this.touchedFlag[d]) this.scores[d] = this.scores[d]! + bonus * p.weights[i]!;
      }
    }
  }

  /** Group stamps identify "this word group, this query" without clearing a per-tool array every query. */
  private advanceStamp(by: number): void {
    this.stamp += by;
    if (this.stamp > 2 ** 30) {
      this.stamp = 0;
      this.groupStamp.fill(0);
    }
  }
}

/** Binary search in a posting list (doc ids ascending, as built). */
function contains(docs: Int32Array, d: number): boolean {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = docs[mid]!;
    if (v === d) return true;
    if (v < d) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
