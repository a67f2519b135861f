import { type AnalyzedQuery, analyzeQuery } from "./analyze.js";
import { buildPostings, type PostingsIndex } from "./postings.js";
import { type RankerConfig, resolveRankerConfig } from "./ranker-config.js";
import type { SearchDoc, SearchHit, SearchIndex, SearchOptions, SearchResult } from "./search-types.js";

/**
 * Query side of the BM25F index: weighted query terms (synonyms scored as the best of their group, not the sum),
 * a bonus for query bigrams found as phrases, and an abstention test on the best tool's evidence.
 *
 * Abstention uses two signals of the top tool, and abstains only when both are weak:
 * - coverage: the IDF-weighted share of the query's informative words it matches. Unknown words (in no tool) count
 *   at `unknownWordWeight` since many are chatter or misspellings; names, quoted values and tokens with digits count
 *   only when matched, since they are arguments rather than descriptions of a tool;
 * - strength: its score in units of the largest possible IDF, about "how many rare words it matches well".
 */

const DEFAULT_LIMIT = 10;

/** Builds the index. `config` is for experiments (evaluation CLI); production uses the defaults. */
export function buildSearchIndex(docs: readonly SearchDoc[], config?: Partial<RankerConfig>): SearchIndex {
  return new Bm25fIndex(docs, resolveRankerConfig(config));
}

class Bm25fIndex implements SearchIndex {
  readonly size: number;
  private readonly keys: string[];
  private readonly index: PostingsIndex;
  // Scratch buffers reused across queries: `search` is synchronous, so two queries never interleave.
  private readonly scores: Float64Array;
  private readonly covered: Float64Array;
  private readonly coveredLiteral: Float64Array;
  /** Per tool, the best coverage credit and score already counted for the current word group. */
  private readonly groupCredit: Float64Array;
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
    this.covered = new Float64Array(n);
    this.coveredLiteral = new Float64Array(n);
    this.groupCredit = new Float64Array(n);
    this.groupScore = new Float64Array(n);
    this.groupStamp = new Int32Array(n);
    this.touchedFlag = new Uint8Array(n);
  }

  search(query: string, options: SearchOptions = {}): SearchResult {
    const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const q = analyzeQuery(query, this.config);
    const infos = q.words.map((w, g) => this.wordInfo(q, w, g));
    const touched = this.accumulate(q, infos);
    let informative = 0;
    q.words.forEach((_, g) => {
      if (!q.wordLiteral[g]) informative += infos[g]!;
    });

    const hits: SearchHit[] = [];
    let best = -1;
    for (const d of touched) {
      if (options.filter && !options.filter(this.keys[d]!)) continue;
      hits.push({ key: this.keys[d]!, score: this.scores[d]! });
      if (best < 0 || this.scores[d]! > this.scores[best]!) best = d;
    }
    if (best < 0 || this.abstains(best, informative)) return { hits: [], abstained: true };
    // Array.prototype.sort is stable and `touched` is in catalog order, so ties keep catalog order.
    hits.sort((a, b) => b.score - a.score);
    return { hits: hits.slice(0, limit), abstained: false };
  }

  private abstains(top: number, informative: number): boolean {
    const denominator = informative + this.coveredLiteral[top]!;
    const coverage = denominator > 0 ? this.covered[top]! / denominator : 0;
    const strength = this.scores[top]! / this.index.unseenIdf;
    return coverage < this.config.minCoverage && strength < this.config.minStrength;
  }

  /** Information a query word carries for coverage: its weight times IDF (discounted when no tool knows it). */
  private wordInfo(q: AnalyzedQuery, word: string, group: number): number {
    const id = this.index.vocab.get(word);
    const idf = id === undefined ? this.index.unseenIdf * this.config.unknownWordWeight : this.index.idf[id]!;
    return q.wordWeights[group]! * idf;
  }

  /**
   * Adds each query term's contribution to `scores` and its coverage credit to `covered`; returns the ids of the
   * tools touched, in catalog order. Terms of one word group (a word and its synonyms) are processed together so a
   * tool gets the best of the group, not the sum.
   */
  private accumulate(q: AnalyzedQuery, infos: number[]): number[] {
    const { scores, covered, coveredLiteral, groupCredit, groupScore, groupStamp, touchedFlag } = this;
    const { vocab, postings, idf } = this.index;
    const touched: number[] = [];
    const terms = [...q.terms].sort((a, b) => a.group - b.group);
    for (const t of terms) {
      const id = vocab.get(t.term);
      if (id === undefined) continue;
      const p = postings[id]!;
      const termWeight = t.weight * idf[id]!;
      const credit = t.synonym ? this.config.synonymWeight : 1;
      const info = infos[t.group]!;
      const literal = q.wordLiteral[t.group]!;
      const stamp = this.stamp + t.group + 1;
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        if (!touchedFlag[d]) {
          touchedFlag[d] = 1;
          scores[d] = 0;
          covered[d] = 0;
          coveredLiteral[d] = 0;
          touched.push(d);
        }
        if (groupStamp[d] !== stamp) {
          groupStamp[d] = stamp;
          groupCredit[d] = 0;
          groupScore[d] = 0;
        }
        const contribution = termWeight * p.weights[i]!;
        if (contribution > groupScore[d]!) {
          scores[d] = scores[d]! + contribution - groupScore[d]!;
          groupScore[d] = contribution;
        }
        if (credit > groupCredit[d]!) {
          const gained = (credit - groupCredit[d]!) * info;
          covered[d] = covered[d]! + gained;
          if (literal) coveredLiteral[d] = coveredLiteral[d]! + gained;
          groupCredit[d] = credit;
        }
      }
    }
    this.advanceStamp(q.words.length + 1);
    this.addBigramBonus(q);
    for (const d of touched) touchedFlag[d] = 0;
    return touched.sort((a, b) => a - b);
  }

  /** A query bigram found as adjacent words in a tool's name or description: a phrase match, worth a bonus. */
  private addBigramBonus(q: AnalyzedQuery): void {
    const { bigramVocab, bigramPostings, bigramIdf } = this.index;
    for (const bigram of q.bigrams) {
      const id = bigramVocab.get(bigram);
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
